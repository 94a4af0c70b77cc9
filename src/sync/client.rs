//! The typed client: one function for each server endpoint the app calls, with the domain
//! protocol's request and answer types. Paths and methods come from the domain's endpoint
//! table (`prepoznaj_domain::endpoints`), which the server's router is built from; pages and
//! components call these functions and never build a path or make a request themselves.
//!
//! Every team request that changes something is signed ([`TeamSigner`], one function:
//! `signed`): the `prepoznaj-signature` header carries the Ed25519 signature, by the member's
//! unlocked signing key, of the method, path, school, member, time and the SHA-256 of the exact
//! body bytes sent (`prepoznaj_domain::team_request`).

use prepoznaj_domain::endpoints::Endpoint;
use prepoznaj_domain::protocol::{
    ChainAppendRequest, ChainAppended, DeviceEnrolment, DeviceEnrolmentRequest, DeviceId,
    DeviceRevoked, EnrolmentLinkCreated, EnrolmentLinkId, EnrolmentLinkRequest,
    EnrolmentLinkRevoked, LinkCheck, LinkCheckRequest, LinkKind, MAX_TEAM_REPORTS_PAGE,
    ReportCursor, ReportSubmission, ReportUuid, SchoolId, SchoolKeys, Secret, StatusChangeRecorded,
    StatusChangeRequest, TeamDevices, TeamEnrolmentLinks, TeamMemberId, TeamMemberSetupCode,
    TeamReports, TeamSetupRequest, TeamSetupResponse,
};
use prepoznaj_domain::team_request::SignedRequest;
use prepoznaj_envelope::digest::sha256;
use prepoznaj_envelope::signing::ChainSigningKey;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::api::{ApiCallError, NoAnswer, RawAnswer, call_json, call_signed_json, request_raw};
use crate::clock::now;

/// Who signs a team request: the member's unlocked signing key, their school and their id
/// (`None` at set-up, where the key being registered signs).
#[derive(Debug, Clone, Copy)]
pub struct TeamSigner<'a> {
    pub key: &'a ChainSigningKey,
    pub school: &'a SchoolId,
    pub member: Option<&'a TeamMemberId>,
}

/// `endpoint`'s method on `path` with `body` as JSON, the bearer `token` and the request
/// signed by `signer` over the exact bytes sent.
async fn signed<Body: Serialize, Answer: DeserializeOwned>(
    endpoint: Endpoint,
    path: &str,
    body: Option<&Body>,
    token: Option<&Secret>,
    signer: TeamSigner<'_>,
) -> Result<Answer, ApiCallError> {
    let json = body
        .map(serde_json::to_string)
        .transpose()
        .map_err(|_| ApiCallError::Server { status: 0 })?;
    let body_sha256 = sha256(json.as_deref().unwrap_or_default().as_bytes());
    let signed_at = now();
    let signature = signer.key.sign_request(
        SignedRequest {
            method: endpoint.method(),
            path,
            school: signer.school,
            signer: signer.member,
            signed_at,
            body_sha256: &body_sha256,
        },
        signed_at,
    );
    call_signed_json(
        endpoint,
        path,
        json.as_deref(),
        token,
        &signature.to_string(),
    )
    .await
}

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

/// Registers a team member's keys with a set-up code, signed with the signing key being
/// registered (`signer.member` is `None`) for the school the code is for.
pub async fn team_setup(
    request: &TeamSetupRequest,
    signer: TeamSigner<'_>,
) -> Result<TeamSetupResponse, ApiCallError> {
    let endpoint = Endpoint::TeamSetup;
    signed(endpoint, endpoint.path(), Some(request), None, signer).await
}

/// The team's key chain, as the server gives it to a team member (verified on the device
/// before anything in it is trusted).
pub async fn team_keys(token: &Secret) -> Result<SchoolKeys, ApiCallError> {
    let endpoint = Endpoint::TeamKeys;
    call_json(endpoint, endpoint.path(), NO_BODY, Some(token)).await
}

/// Appends the next version of the team's key chain, made and signed on this device; the
/// answer has the whole chain and, for an added or re-registered member, their set-up code.
pub async fn append_chain(
    token: &Secret,
    signer: TeamSigner<'_>,
    request: &ChainAppendRequest,
) -> Result<ChainAppended, ApiCallError> {
    let endpoint = Endpoint::AppendChain;
    signed(
        endpoint,
        endpoint.path(),
        Some(request),
        Some(token),
        signer,
    )
    .await
}

/// A new set-up code for `member`, who lost their device.
pub async fn renew_setup_code(
    token: &Secret,
    signer: TeamSigner<'_>,
    member: &TeamMemberId,
) -> Result<TeamMemberSetupCode, ApiCallError> {
    let endpoint = Endpoint::RenewSetupCode;
    let path = endpoint.path_with_id(member);
    signed(
        endpoint,
        &path,
        Some(&serde_json::json!({})),
        Some(token),
        signer,
    )
    .await
}

/// Makes a staff enrolment link.
pub async fn create_enrolment_link(
    token: &Secret,
    signer: TeamSigner<'_>,
    request: &EnrolmentLinkRequest,
) -> Result<EnrolmentLinkCreated, ApiCallError> {
    let endpoint = Endpoint::CreateEnrolmentLink;
    signed(
        endpoint,
        endpoint.path(),
        Some(request),
        Some(token),
        signer,
    )
    .await
}

/// Withdraws the staff enrolment link `link`.
pub async fn revoke_enrolment_link(
    token: &Secret,
    signer: TeamSigner<'_>,
    link: &EnrolmentLinkId,
) -> Result<EnrolmentLinkRevoked, ApiCallError> {
    let endpoint = Endpoint::RevokeEnrolmentLink;
    let path = endpoint.path_with_id(link);
    signed(endpoint, &path, NO_BODY, Some(token), signer).await
}

/// The school's enrolment links, newest first, with the phones enrolled with each.
pub async fn team_enrolment_links(token: &Secret) -> Result<TeamEnrolmentLinks, ApiCallError> {
    let endpoint = Endpoint::TeamEnrolmentLinks;
    call_json(endpoint, endpoint.path(), NO_BODY, Some(token)).await
}

/// The school's enrolled staff phones, revoked ones included, newest enrolment first.
pub async fn team_devices(token: &Secret) -> Result<TeamDevices, ApiCallError> {
    let endpoint = Endpoint::TeamDevices;
    call_json(endpoint, endpoint.path(), NO_BODY, Some(token)).await
}

/// Revokes the staff phone `device`: its token stops working at once.
pub async fn revoke_device(
    token: &Secret,
    signer: TeamSigner<'_>,
    device: &DeviceId,
) -> Result<DeviceRevoked, ApiCallError> {
    let endpoint = Endpoint::RevokeDevice;
    let path = endpoint.path_with_id(device);
    signed(endpoint, &path, NO_BODY, Some(token), signer).await
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
    signer: TeamSigner<'_>,
    request: &StatusChangeRequest,
    report_id: &str,
) -> Result<StatusChangeRecorded, ApiCallError> {
    let endpoint = Endpoint::RecordStatusChange;
    let path = endpoint.path_with_id(&report_id);
    signed(endpoint, &path, Some(request), Some(token), signer).await
}
