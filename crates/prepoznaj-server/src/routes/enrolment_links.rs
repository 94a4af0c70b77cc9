//! Staff enrolment links: `POST /api/v1/enrolment-links` and
//! `DELETE /api/v1/enrolment-links/{id}`, with a team member token and a signed request, and
//! `GET /api/v1/team/enrolment-links` with a team member token.
//!
//! A link is reusable by up to its cap of staff phones (`max_devices`, 50 unless chosen) until
//! it expires or is revoked; revoking it stops new enrolments only (phones already enrolled are
//! revoked one by one).

use axum::{Json, extract::State, http::StatusCode};
use prepoznaj_domain::protocol::{
    EnrolmentLink, EnrolmentLinkCreated, EnrolmentLinkId, EnrolmentLinkRequest,
    EnrolmentLinkRevoked, PROTOCOL_VERSION, TeamEnrolmentLinks,
};

use super::{
    ApiState,
    extract::{PathId, SignedTeamRequest, TeamAuth},
};
use crate::{
    ApiError,
    credentials::{new_id, new_secret, now},
    store::{NewEnrolmentLink, Store},
};

/// `201` with the link and its code (shown only here).
pub async fn create<S: Store>(
    State(state): State<ApiState<S>>,
    signed: SignedTeamRequest,
) -> Result<(StatusCode, Json<EnrolmentLinkCreated>), ApiError> {
    let request: EnrolmentLinkRequest = signed.json()?;
    let team = signed.team;
    let (enrolment_code, code_hash) = new_secret()?;
    let created_at = now();
    let link = EnrolmentLink {
        id: new_id(EnrolmentLinkId::new_v7)?,
        created_at,
        expires_at: request.valid_days.expiry(created_at),
        revoked_at: None,
        max_devices: request.max_devices,
    };
    state
        .store
        .create_enrolment_link(NewEnrolmentLink {
            school_id: team.school_id.clone(),
            created_by: team.member_id.clone(),
            link: link.clone(),
            code: code_hash,
        })
        .await?;
    tracing::info!(
        school = %team.school_id, link = %link.id, by = %team.member_id,
        "enrolment link created"
    );
    Ok((
        StatusCode::CREATED,
        Json(EnrolmentLinkCreated {
            link,
            enrolment_code,
            protocol: PROTOCOL_VERSION,
        }),
    ))
}

/// `200` with the revoked link (revoking twice keeps the first time); `404` for no such link
/// in the caller's school.
pub async fn revoke<S: Store>(
    State(state): State<ApiState<S>>,
    PathId(link_id): PathId<EnrolmentLinkId>,
    signed: SignedTeamRequest,
) -> Result<Json<EnrolmentLinkRevoked>, ApiError> {
    let team = signed.team;
    let link = state
        .store
        .revoke_enrolment_link(team.school_id.clone(), link_id, now())
        .await?
        .ok_or(ApiError::NotFound)?;
    tracing::info!(
        school = %team.school_id, link = %link.id, by = %team.member_id,
        "enrolment link revoked"
    );
    Ok(Json(EnrolmentLinkRevoked {
        link,
        protocol: PROTOCOL_VERSION,
    }))
}

/// `200` with the school's links, expired and revoked ones included, newest first, each with
/// how many phones enrolled with it.
pub async fn list<S: Store>(
    State(state): State<ApiState<S>>,
    TeamAuth(team): TeamAuth,
) -> Result<Json<TeamEnrolmentLinks>, ApiError> {
    Ok(Json(TeamEnrolmentLinks {
        links: state.store.enrolment_links(team.school_id).await?,
        protocol: PROTOCOL_VERSION,
    }))
}
