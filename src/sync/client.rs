//! The typed client: one function for each server endpoint the app calls, with the domain
//! protocol's request and answer types. Paths and methods come from the domain's endpoint
//! table (`prepoznaj_domain::endpoints`), which the server's router is built from; pages and
//! components call these functions and never build a path or make a request themselves.

use prepoznaj_domain::endpoints::Endpoint;
use prepoznaj_domain::protocol::{
    DeviceEnrolment, DeviceEnrolmentRequest, EnrolmentLinkCreated, EnrolmentLinkId,
    EnrolmentLinkRequest, EnrolmentLinkRevoked, LinkCheck, LinkCheckRequest, LinkKind,
    MAX_TEAM_REPORTS_PAGE, ReportCursor, ReportSubmission, ReportUuid, SchoolKeys, Secret,
    StatusChangeRecorded, StatusChangeRequest, TeamMemberAdded, TeamMemberId, TeamMemberRemoved,
    TeamMemberRequest, TeamMemberSetupCode, TeamReports, TeamSetupRequest, TeamSetupResponse,
};

use super::api::{ApiCallError, NoAnswer, RawAnswer, call_json, request_raw};

/// No request body.
const NO_BODY: Option<&()> = None;

/// The state of the link of `kind` whose code is `code` (checking never uses the link).
pub async fn check_link(kind: LinkKind, code: &str) -> Result<LinkCheck, ApiCallError> {
    let request = LinkCheckRequest {
        kind,
        code: Secret::new(code.to_owned()),
    };
    let endpoint = Endpoint::LinkCheck;
    call_json(endpoint, endpoint.path(), Some(&request), None).await
}

/// Registers a team member's key with a set-up code.
pub async fn team_setup(request: &TeamSetupRequest) -> Result<TeamSetupResponse, ApiCallError> {
    let endpoint = Endpoint::TeamSetup;
    call_json(endpoint, endpoint.path(), Some(request), None).await
}

/// The team's current key set, as the server gives it to a team member.
pub async fn team_keys(token: &Secret) -> Result<SchoolKeys, ApiCallError> {
    let endpoint = Endpoint::TeamKeys;
    call_json(endpoint, endpoint.path(), NO_BODY, Some(token)).await
}

/// Approves a new member's key; the answer has their one-time set-up code.
pub async fn add_member(
    token: &Secret,
    request: &TeamMemberRequest,
) -> Result<TeamMemberAdded, ApiCallError> {
    let endpoint = Endpoint::AddMember;
    call_json(endpoint, endpoint.path(), Some(request), Some(token)).await
}

/// Removes the member `member`.
pub async fn remove_member(
    token: &Secret,
    member: &TeamMemberId,
) -> Result<TeamMemberRemoved, ApiCallError> {
    let endpoint = Endpoint::RemoveMember;
    call_json(
        endpoint,
        &endpoint.path_with_id(member),
        NO_BODY,
        Some(token),
    )
    .await
}

/// A new set-up code for `member`, who lost their device.
pub async fn renew_setup_code(
    token: &Secret,
    member: &TeamMemberId,
) -> Result<TeamMemberSetupCode, ApiCallError> {
    let endpoint = Endpoint::RenewSetupCode;
    let path = endpoint.path_with_id(member);
    call_json(endpoint, &path, Some(&serde_json::json!({})), Some(token)).await
}

/// Makes a staff enrolment link.
pub async fn create_enrolment_link(
    token: &Secret,
    request: &EnrolmentLinkRequest,
) -> Result<EnrolmentLinkCreated, ApiCallError> {
    let endpoint = Endpoint::CreateEnrolmentLink;
    call_json(endpoint, endpoint.path(), Some(request), Some(token)).await
}

/// Withdraws the staff enrolment link `link`.
pub async fn revoke_enrolment_link(
    token: &Secret,
    link: &EnrolmentLinkId,
) -> Result<EnrolmentLinkRevoked, ApiCallError> {
    let endpoint = Endpoint::RevokeEnrolmentLink;
    call_json(endpoint, &endpoint.path_with_id(link), NO_BODY, Some(token)).await
}

/// Enrols this staff phone with an enrolment code.
pub async fn enrol_device(
    request: &DeviceEnrolmentRequest,
) -> Result<DeviceEnrolment, ApiCallError> {
    let endpoint = Endpoint::EnrolDevice;
    call_json(endpoint, endpoint.path(), Some(request), None).await
}

/// The team's current key set, as the server gives it to an enrolled staff phone.
pub async fn school_keys(device_token: &Secret) -> Result<SchoolKeys, ApiCallError> {
    let endpoint = Endpoint::SchoolKeys;
    call_json(endpoint, endpoint.path(), NO_BODY, Some(device_token)).await
}

/// Sends a sealed report; the answer as the server gave it, for the outbox to judge.
pub async fn submit_report(
    device_token: &Secret,
    submission: &ReportSubmission,
) -> Result<RawAnswer, NoAnswer> {
    let json = serde_json::to_string(submission).map_err(|_| NoAnswer)?;
    let endpoint = Endpoint::SubmitReport;
    request_raw(endpoint, endpoint.path(), Some(&json), Some(device_token)).await
}

/// The receipt of a report this phone sent, as the server gave it.
pub async fn report_status(
    device_token: &Secret,
    report: &ReportUuid,
) -> Result<RawAnswer, NoAnswer> {
    let endpoint = Endpoint::ReportStatus;
    let path = endpoint.path_with_id(report);
    request_raw(endpoint, &path, None, Some(device_token)).await
}

/// One page of the school's reports, newest first: the first without `cursor`, the next with
/// the last page's `next_cursor`.
pub async fn team_reports(
    token: &Secret,
    cursor: Option<&ReportCursor>,
) -> Result<TeamReports, ApiCallError> {
    let endpoint = Endpoint::TeamReports;
    let path = match cursor {
        None => format!("{}?limit={MAX_TEAM_REPORTS_PAGE}", endpoint.path()),
        Some(cursor) => format!(
            "{}?limit={MAX_TEAM_REPORTS_PAGE}&cursor={cursor}",
            endpoint.path()
        ),
    };
    call_json(endpoint, &path, NO_BODY, Some(token)).await
}

/// Records one status change on the report `report_id`; a retry with the same `change_id`
/// gets the first answer.
pub async fn record_status_change(
    token: &Secret,
    request: &StatusChangeRequest,
    report_id: &str,
) -> Result<StatusChangeRecorded, ApiCallError> {
    let endpoint = Endpoint::RecordStatusChange;
    let path = endpoint.path_with_id(&report_id);
    call_json(endpoint, &path, Some(request), Some(token)).await
}
