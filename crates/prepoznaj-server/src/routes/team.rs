//! The protection team: `POST /api/v1/team/setup` (with a set-up code),
//! `POST /api/v1/team/members`, `DELETE /api/v1/team/members/{id}` and
//! `POST /api/v1/team/members/{id}/setup-code` (with a member token).
//!
//! Approval is modelled as a current member posting the new member's public key, which the
//! new member's app shows them (in person, as a QR code or text, so the server cannot swap
//! it). The key joins the key set at once; the answer carries a one-time set-up code, valid for
//! [`DEFAULT_LINK_VALID_DAYS`](prepoznaj_domain::protocol::DEFAULT_LINK_VALID_DAYS), that the
//! new member redeems at `/team/setup` with that same key to get their own token.
//!
//! A member who lost their device restores their key from its recovery copy on a new one; another
//! member then makes them a new set-up code for that same key (never for themselves), and
//! redeeming it gives the new device a token and ends the lost device's.

use axum::{Json, extract::State, http::StatusCode};
use prepoznaj_domain::protocol::{
    AgeRecipient, DisplayName, LinkValidDays, PROTOCOL_VERSION, TeamMember, TeamMemberAdded,
    TeamMemberId, TeamMemberRemoved, TeamMemberRequest, TeamMemberSetupCode, TeamSetupRequest,
    TeamSetupResponse,
};

use super::{
    ApiState,
    extract::{ApiJson, CodeAttempt, PathId, TeamAuth},
};
use crate::{
    ApiError, age_format,
    credentials::{SecretHash, new_id, new_secret, now},
    store::{
        ApprovalOutcome, MemberApproval, RemovalOutcome, SetupCodeRenewal, SetupOutcome,
        SetupRedemption, Store,
    },
};

/// `201` with the member's token and the key set; `401 link_invalid`, `410 link_used`,
/// `410 link_expired`, `410 link_revoked`, `403 public_key_mismatch`, `409 member_exists`,
/// `400 invalid_public_key`; `429 rate_limited` before anything is read.
pub async fn set_up<S: Store>(
    State(state): State<ApiState<S>>,
    _attempt: CodeAttempt,
    ApiJson(request): ApiJson<TeamSetupRequest>,
) -> Result<(StatusCode, Json<TeamSetupResponse>), ApiError> {
    let candidate = new_member(request.public_key, request.display_name)?;
    let (member_token, token_hash) = new_secret()?;
    let redemption = SetupRedemption {
        code: SecretHash::of(request.setup_code.expose()),
        candidate,
        token: token_hash,
        now: now(),
    };
    match state.store.redeem_setup_code(redemption).await? {
        SetupOutcome::Redeemed {
            school,
            member,
            key_set,
        } => {
            tracing::info!(school = %school.id, member = %member.id, "team member set up");
            Ok((
                StatusCode::CREATED,
                Json(TeamSetupResponse {
                    school,
                    member,
                    member_token,
                    key_set,
                    protocol: PROTOCOL_VERSION,
                }),
            ))
        }
        SetupOutcome::Refused(refusal) => Err(refusal.into()),
        SetupOutcome::KeyMismatch => Err(ApiError::PublicKeyMismatch),
        SetupOutcome::MemberExists => Err(ApiError::MemberExists),
    }
}

/// `201` with the new member, their one-time set-up code and the new key set;
/// `409 member_exists`, `400 invalid_public_key`.
pub async fn approve_member<S: Store>(
    State(state): State<ApiState<S>>,
    TeamAuth(team): TeamAuth,
    ApiJson(request): ApiJson<TeamMemberRequest>,
) -> Result<(StatusCode, Json<TeamMemberAdded>), ApiError> {
    let member = new_member(request.public_key, request.display_name)?;
    let (setup_code, code_hash) = new_secret()?;
    let setup_expires_at = LinkValidDays::default().expiry(member.added_at);
    let approval = MemberApproval {
        school_id: team.school_id.clone(),
        member: member.clone(),
        setup_code: code_hash,
        setup_expires_at,
    };
    match state.store.approve_team_member(approval).await? {
        ApprovalOutcome::Approved { key_set } => {
            tracing::info!(
                school = %team.school_id, member = %member.id, by = %team.member_id,
                "team member approved"
            );
            Ok((
                StatusCode::CREATED,
                Json(TeamMemberAdded {
                    member,
                    setup_code,
                    setup_expires_at,
                    key_set,
                    protocol: PROTOCOL_VERSION,
                }),
            ))
        }
        ApprovalOutcome::MemberExists => Err(ApiError::MemberExists),
    }
}

/// `200` with the removed member and the new key set; `404` for no such current member of the
/// caller's school; `409 last_team_member`. A member may remove themselves.
pub async fn remove_member<S: Store>(
    State(state): State<ApiState<S>>,
    TeamAuth(team): TeamAuth,
    PathId(member_id): PathId<TeamMemberId>,
) -> Result<Json<TeamMemberRemoved>, ApiError> {
    match state
        .store
        .remove_team_member(team.school_id.clone(), member_id, now())
        .await?
    {
        RemovalOutcome::Removed { member, key_set } => {
            tracing::info!(
                school = %team.school_id, member = %member.id, by = %team.member_id,
                "team member removed"
            );
            Ok(Json(TeamMemberRemoved {
                member,
                key_set,
                protocol: PROTOCOL_VERSION,
            }))
        }
        RemovalOutcome::NotFound => Err(ApiError::NotFound),
        RemovalOutcome::LastMember => Err(ApiError::LastTeamMember),
    }
}

/// `201` with the member and their new one-time set-up code; `404` for no such current member
/// of the caller's school; `403 own_setup_code` for the caller themselves.
pub async fn renew_setup_code<S: Store>(
    State(state): State<ApiState<S>>,
    TeamAuth(team): TeamAuth,
    PathId(member_id): PathId<TeamMemberId>,
) -> Result<(StatusCode, Json<TeamMemberSetupCode>), ApiError> {
    if member_id == team.member_id {
        return Err(ApiError::OwnSetupCode);
    }
    let (setup_code, code_hash) = new_secret()?;
    let now = now();
    let setup_expires_at = LinkValidDays::default().expiry(now);
    let renewal = SetupCodeRenewal {
        school_id: team.school_id.clone(),
        member_id,
        setup_code: code_hash,
        now,
        expires_at: setup_expires_at,
    };
    let member = state
        .store
        .renew_setup_code(renewal)
        .await?
        .ok_or(ApiError::NotFound)?;
    tracing::info!(
        school = %team.school_id, member = %member.id, by = %team.member_id,
        "new set-up code for a team member"
    );
    Ok((
        StatusCode::CREATED,
        Json(TeamMemberSetupCode {
            member,
            setup_code,
            setup_expires_at,
            protocol: PROTOCOL_VERSION,
        }),
    ))
}

/// A member record for a checked key, with a new id and the current time.
fn new_member(public_key: AgeRecipient, display_name: DisplayName) -> Result<TeamMember, ApiError> {
    age_format::check_recipient(&public_key)
        .map_err(|refusal| ApiError::InvalidPublicKey(refusal.0))?;
    Ok(TeamMember {
        id: new_id(TeamMemberId::new_v7)?,
        display_name,
        fingerprint: age_format::fingerprint(&public_key),
        public_key,
        added_at: now(),
        removed_at: None,
    })
}
