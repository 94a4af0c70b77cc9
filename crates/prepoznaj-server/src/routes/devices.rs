//! Staff phones: `POST /api/v1/devices` (with an enrolment code), `GET /api/v1/team/devices`
//! (with a team member token) and `DELETE /api/v1/devices/{id}` (with a team member token and
//! a signed request).

use axum::{Json, extract::State, http::StatusCode};
use prepoznaj_domain::protocol::{
    Device, DeviceEnrolment, DeviceEnrolmentRequest, DeviceId, DeviceRevoked, PROTOCOL_VERSION,
    TeamDevices,
};

use super::{
    ApiState,
    extract::{ApiJson, CodeAttempt, PathId, SignedTeamRequest, TeamAuth},
};
use crate::{
    ApiError,
    credentials::{SecretHash, new_id, new_secret, now},
    store::{EnrolmentOutcome, NewDevice, Store},
};

/// `201` with the device token (shown only here), the school and its whole key chain;
/// `401 link_invalid`, `410 link_expired`, `410 link_revoked`; `429 rate_limited` before
/// anything is read; `410 link_full` once as many phones enrolled with the link as it allows.
pub async fn enrol<S: Store>(
    State(state): State<ApiState<S>>,
    _attempt: CodeAttempt,
    ApiJson(request): ApiJson<DeviceEnrolmentRequest>,
) -> Result<(StatusCode, Json<DeviceEnrolment>), ApiError> {
    let (device_token, token_hash) = new_secret()?;
    let device = Device {
        id: new_id(DeviceId::new_v7)?,
        enrolled_at: now(),
        revoked_at: None,
    };
    let device_id = device.id.clone();
    let enrolment = NewDevice {
        code: SecretHash::of(request.enrolment_code.expose()),
        device,
        name: request.name,
        token: token_hash,
    };
    match state.store.enrol_device(enrolment).await? {
        EnrolmentOutcome::Enrolled { school, chain } => {
            tracing::info!(school = %school.id, device = %device_id, "device enrolled");
            Ok((
                StatusCode::CREATED,
                Json(DeviceEnrolment {
                    device_id,
                    device_token,
                    school,
                    chain,
                    protocol: PROTOCOL_VERSION,
                }),
            ))
        }
        EnrolmentOutcome::Refused(refusal) => Err(refusal.into()),
    }
}

/// `200` with the revoked device (revoking twice keeps the first time); `404` for no such
/// device in the caller's school. The device's token answers `401 token_revoked` from now on.
pub async fn revoke<S: Store>(
    State(state): State<ApiState<S>>,
    PathId(device_id): PathId<DeviceId>,
    signed: SignedTeamRequest,
) -> Result<Json<DeviceRevoked>, ApiError> {
    let team = signed.team;
    let device = state
        .store
        .revoke_device(team.school_id.clone(), device_id, now())
        .await?
        .ok_or(ApiError::NotFound)?;
    tracing::info!(
        school = %team.school_id, device = %device.id, by = %team.member_id,
        "device revoked"
    );
    Ok(Json(DeviceRevoked {
        device,
        protocol: PROTOCOL_VERSION,
    }))
}

/// `200` with the school's phones, revoked ones included, newest enrolment first: the name
/// each gave itself, when it enrolled, was last seen and how many reports it sent.
pub async fn list<S: Store>(
    State(state): State<ApiState<S>>,
    TeamAuth(team): TeamAuth,
) -> Result<Json<TeamDevices>, ApiError> {
    Ok(Json(TeamDevices {
        devices: state.store.devices(team.school_id).await?,
        protocol: PROTOCOL_VERSION,
    }))
}
