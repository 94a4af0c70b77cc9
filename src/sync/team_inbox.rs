//! The team inbox's requests (with the member token): every page of the school's reports,
//! the team's current keys (status changes are sealed to them), and one status change.
//! What a download changes on the device is decided in `storage::inbox::merge`.

use prepoznaj_domain::protocol::{
    KeySet, Secret, StatusChangeRecorded, StatusChangeRequest, TeamReport,
};

use super::api::ApiCallError;
use super::client;

/// Every report of the school, newest first, following `next_cursor` to the last page.
pub async fn download_all(token: &Secret) -> Result<Vec<TeamReport>, ApiCallError> {
    let mut reports = Vec::new();
    let mut cursor = None;
    loop {
        let page = client::team_reports(token, cursor.as_ref()).await?;
        reports.extend(page.reports);
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => return Ok(reports),
        }
    }
}

/// The team's current key set.
pub async fn current_keys(token: &Secret) -> Result<KeySet, ApiCallError> {
    Ok(client::team_keys(token).await?.key_set)
}

/// Sends one status change; a retry with the same `change_id` gets the first answer.
pub async fn send_status_change(
    token: &Secret,
    request: &StatusChangeRequest,
    report_id: &str,
) -> Result<StatusChangeRecorded, ApiCallError> {
    client::record_status_change(token, request, report_id).await
}
