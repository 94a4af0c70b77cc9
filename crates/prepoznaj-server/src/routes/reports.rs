//! `POST /api/v1/reports` and `GET /api/v1/reports/{id}/status`, with a device token.
//!
//! A submission is checked (protocol version, SHA-256, age header) before the store sees it,
//! and answered only after the store has committed it. The server never reads a report: the
//! status says where it is, never what it says.

use axum::{
    Json,
    extract::State,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use prepoznaj_domain::endpoints::Endpoint;
use prepoznaj_domain::protocol::{
    Envelope, PROTOCOL_VERSION, ReceiptResponse, ReportReceipt, ReportStatus, ReportSubmission,
    ReportUuid, Sha256Digest,
};

use super::{
    ApiState,
    extract::{ApiJson, DeviceAuth, PathId},
};
use crate::{
    ApiError, age_format,
    credentials::now,
    store::{NewReport, ReportQuota, Store, SubmissionOutcome},
};

/// `201` with the receipt (and `Location` of its status) for a new report, `200` with the
/// first receipt for a retry, `409 report_conflict` for a different report under a known id.
pub async fn submit<S: Store>(
    State(state): State<ApiState<S>>,
    DeviceAuth(device): DeviceAuth,
    ApiJson(submission): ApiJson<ReportSubmission>,
) -> Result<Response, ApiError> {
    if submission.protocol_version != PROTOCOL_VERSION {
        return Err(ApiError::UnsupportedProtocolVersion {
            found: submission.protocol_version,
        });
    }
    check_sealed(&submission.envelope, &submission.envelope_sha256)?;
    let report = NewReport {
        school_id: device.school_id,
        device_id: device.device_id,
        quota: ReportQuota {
            per_device_per_day: state.options.quotas.reports_per_device_per_day,
            school_bytes: state.options.quotas.school_bytes(),
        },
        receipt: ReportReceipt {
            report_id: submission.report_id,
            received_at: now(),
            status: ReportStatus::Received,
            envelope_sha256: submission.envelope_sha256,
        },
        envelope: submission.envelope,
        catalogue_version: submission.catalogue_version,
    };
    match state.store.submit_report(report).await? {
        SubmissionOutcome::Stored(receipt) => {
            let location = Endpoint::ReportStatus.path_with_id(&receipt.report_id);
            let mut response = (StatusCode::CREATED, receipt_body(receipt)).into_response();
            if let Ok(location) = HeaderValue::try_from(location) {
                response.headers_mut().insert(header::LOCATION, location);
            }
            Ok(response)
        }
        SubmissionOutcome::AlreadyStored(receipt) => {
            Ok((StatusCode::OK, receipt_body(receipt)).into_response())
        }
        SubmissionOutcome::Conflict => Err(ApiError::ReportConflict),
        SubmissionOutcome::DeviceLimitReached { retry_after_ms } => {
            Err(ApiError::DeviceDailyLimit {
                limit: state.options.quotas.reports_per_device_per_day,
                retry_after_secs: retry_after_ms.div_ceil(1000),
            })
        }
        SubmissionOutcome::SchoolStorageFull => Err(ApiError::SchoolStorageFull {
            retry_after_secs: crate::retention::RUN_EVERY.as_secs(),
        }),
    }
}

/// `200` with the receipt and the team's status; `404` for an id the device's school does not
/// have (another school's report is not found either).
pub async fn status<S: Store>(
    State(state): State<ApiState<S>>,
    DeviceAuth(device): DeviceAuth,
    PathId(report_id): PathId<ReportUuid>,
) -> Result<Json<ReceiptResponse>, ApiError> {
    let receipt = state
        .store
        .report_receipt(device.school_id, report_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(receipt_body(receipt))
}

fn receipt_body(receipt: ReportReceipt) -> Json<ReceiptResponse> {
    Json(ReceiptResponse {
        receipt,
        protocol: PROTOCOL_VERSION,
    })
}

/// Refuses an envelope whose SHA-256 is not `claimed` (`hash_mismatch`) or that is not an age
/// envelope encrypted to recipients (`not_an_age_envelope`): reports and the team's status
/// changes are accepted only sealed.
pub(super) fn check_sealed(envelope: &Envelope, claimed: &Sha256Digest) -> Result<(), ApiError> {
    if age_format::envelope_sha256(envelope) != *claimed {
        return Err(ApiError::HashMismatch);
    }
    age_format::check_envelope(envelope).map_err(|refusal| ApiError::NotAnAgeEnvelope(refusal.0))
}
