//! The team inbox's requests (with the member token): every page of the school's reports,
//! the team's current keys (status changes are sealed to them), and one status change.
//! What a download changes on the device is decided in `storage::inbox::merge`.

use prepoznaj_domain::protocol::{
    KeySet, MAX_TEAM_REPORTS_PAGE, SchoolKeys, Secret, StatusChangeRecorded, StatusChangeRequest,
    TeamReport, TeamReports,
};

use super::api::{ApiCallError, get_json, post_json};

const TEAM_REPORTS_API: &str = "/api/v1/team/reports";
const TEAM_KEYS_API: &str = "/api/v1/team/keys";

/// Every report of the school, newest first, following `next_cursor` to the last page.
pub async fn download_all(token: &Secret) -> Result<Vec<TeamReport>, ApiCallError> {
    let mut reports = Vec::new();
    let mut cursor = None;
    loop {
        let path = match &cursor {
            None => format!("{TEAM_REPORTS_API}?limit={MAX_TEAM_REPORTS_PAGE}"),
            Some(cursor) => {
                format!("{TEAM_REPORTS_API}?limit={MAX_TEAM_REPORTS_PAGE}&cursor={cursor}")
            }
        };
        let page: TeamReports = get_json(&path, Some(token)).await?;
        reports.extend(page.reports);
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => return Ok(reports),
        }
    }
}

/// The team's current key set.
pub async fn current_keys(token: &Secret) -> Result<KeySet, ApiCallError> {
    let keys: SchoolKeys = get_json(TEAM_KEYS_API, Some(token)).await?;
    Ok(keys.key_set)
}

/// Sends one status change; a retry with the same `change_id` gets the first answer.
pub async fn send_status_change(
    token: &Secret,
    request: &StatusChangeRequest,
    report_id: &str,
) -> Result<StatusChangeRecorded, ApiCallError> {
    post_json(
        &format!("{TEAM_REPORTS_API}/{report_id}/status-changes"),
        request,
        Some(token),
    )
    .await
}
