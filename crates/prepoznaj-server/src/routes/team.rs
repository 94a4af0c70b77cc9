//! The protection team: `POST /api/v1/team/setup` (with a set-up code),
//! `POST /api/v1/team/chain` and `POST /api/v1/team/members/{id}/setup-code` (with a member
//! token and a signed request).
//!
//! The team's key set is its key chain (`prepoznaj_domain::team_chain`): versions made and
//! signed on members' unlocked devices. The server stores and relays the chain, and appends a
//! version only if it verifies as the next one, signed by the member whose token and request
//! signature came with it; it cannot make a version itself. Its members table follows the
//! chain, as the index of who holds which token.
//!
//! A school's first member founds the chain at set-up with version 1, listing them alone. A
//! member added by a version (their keys made on their own device and shown to the member who
//! adds them) gets a one-time set-up code, valid for
//! [`DEFAULT_LINK_VALID_DAYS`](prepoznaj_domain::protocol::DEFAULT_LINK_VALID_DAYS), that works
//! only with those keys; redeeming it proves possession of the signing key (the request is
//! signed with it). A member who lost their device is re-registered by a version with new keys
//! (or, with the key restored from its recovery copy, given a new set-up code by another
//! member, or by the operator when no member has a device: `school new-setup-link --member`);
//! the lost device's token ends.

use std::slice;

use axum::{Json, extract::State, http::StatusCode};
use prepoznaj_domain::{
    protocol::{
        ChainAppendRequest, ChainAppended, LinkKind, LinkValidDays, MemberSetupCode,
        PROTOCOL_VERSION, TeamMemberId, TeamMemberSetupCode, TeamSetupRequest, TeamSetupResponse,
    },
    team_chain::{ChainChange, ChainMember, SignedVersion},
};
use prepoznaj_envelope::chain::{ChainError, VerifiedVersion, verify_chain};

use super::{
    ApiState,
    extract::{CodeAttempt, PathId, SignedBody, SignedTeamRequest},
};
use crate::{
    ApiError, age_format,
    credentials::{SecretHash, new_secret, now},
    store::{
        AppendOutcome, ChainAppend, MemberEffect, SetupCodeRenewal, SetupOutcome, SetupRedemption,
        Store, code_refusal, team_member,
    },
};

/// `201` with the member's token and the whole key chain; `401 link_invalid`,
/// `410 link_used`, `410 link_expired`, `410 link_revoked`; `403 signature_required`,
/// `signature_invalid` or `signature_expired` without proof of the signing key;
/// `403 public_key_mismatch` for keys other than the chain's (or the founding version's);
/// `403 chain_rejected` for a founding version that does not verify or is missing;
/// `409 chain_conflict` when the school's chain was founded first; `400 invalid_public_key`;
/// `429 rate_limited` before anything is read.
pub async fn set_up<S: Store>(
    State(state): State<ApiState<S>>,
    _attempt: CodeAttempt,
    signed: SignedBody,
) -> Result<(StatusCode, Json<TeamSetupResponse>), ApiError> {
    let request: TeamSetupRequest = signed.json()?;
    age_format::check_recipient(&request.public_key)
        .map_err(|refusal| ApiError::InvalidPublicKey(refusal.0))?;
    let code = SecretHash::of(request.setup_code.expose());
    let record = state.store.code_record(LinkKind::TeamSetup, code).await?;
    let now = now();
    match record.as_ref() {
        None => return Err(ApiError::LinkInvalid),
        Some(record) => {
            if let Some(refusal) = code_refusal(record, now) {
                return Err(refusal.into());
            }
        }
    }
    let target = state
        .store
        .setup_code_target(code)
        .await?
        .ok_or(ApiError::LinkInvalid)?;
    signed.verify(&target.school.id, None, &request.signing_key)?;
    let keys_match = |member: &ChainMember| {
        member.recipient == request.public_key && member.signing_key == request.signing_key
    };
    let (member, founding) = match (&target.member_id, request.founding) {
        (None, Some(founding)) => {
            if founding.version.school() != &target.school.id {
                return Err(ApiError::ChainRejected(
                    "the founding version is another school's".to_owned(),
                ));
            }
            let verified = verify_chain(None, slice::from_ref(&founding)).map_err(rejected)?;
            let [founder] = verified.version().members() else {
                return Err(ApiError::ChainRejected(
                    "the founding version lists its founder alone".to_owned(),
                ));
            };
            if !keys_match(founder) {
                return Err(ApiError::PublicKeyMismatch);
            }
            (founder.clone(), Some((founding, verified.hash())))
        }
        (None, None) => {
            return Err(ApiError::ChainRejected(
                "a school's first member founds its key chain: `founding` is required".to_owned(),
            ));
        }
        (Some(_), Some(_)) => {
            return Err(ApiError::ChainRejected(
                "only a school's first member sends a founding version".to_owned(),
            ));
        }
        (Some(member_id), None) => {
            let listed = target
                .chain
                .last()
                .and_then(|head| head.version.member(member_id))
                .filter(|listed| keys_match(listed))
                .ok_or(ApiError::PublicKeyMismatch)?;
            (listed.clone(), None)
        }
    };
    let (member_token, token_hash) = new_secret()?;
    let redemption = SetupRedemption {
        code,
        school_id: target.school.id.clone(),
        member: member.clone(),
        founding,
        token: token_hash,
        now,
    };
    match state.store.redeem_setup_code(redemption).await? {
        SetupOutcome::Redeemed { school, chain } => {
            tracing::info!(school = %school.id, member = %member.id, "team member set up");
            Ok((
                StatusCode::CREATED,
                Json(TeamSetupResponse {
                    school,
                    member: team_member(&member),
                    member_token,
                    chain,
                    protocol: PROTOCOL_VERSION,
                }),
            ))
        }
        SetupOutcome::Refused(refusal) => Err(refusal.into()),
        SetupOutcome::KeyMismatch => Err(ApiError::PublicKeyMismatch),
        SetupOutcome::ChainConflict => Err(ApiError::ChainConflict),
        SetupOutcome::MemberIdTaken => Err(member_id_taken()),
    }
}

/// `201` with the whole chain, now ending with the version, and for an added or
/// re-registered member their one-time set-up code; `403 chain_rejected` (the message says
/// why) for a version that does not verify as the next one or is not signed by the caller;
/// `409 chain_conflict` when another version took its number first; `400 invalid_public_key`
/// for an added member's unusable age key.
pub async fn append_chain<S: Store>(
    State(state): State<ApiState<S>>,
    signed: SignedTeamRequest,
) -> Result<(StatusCode, Json<ChainAppended>), ApiError> {
    let ChainAppendRequest { version } = signed.json()?;
    let team = &signed.team;
    let chain = &signed.chain;
    let head = chain.last().ok_or(ApiError::SignatureInvalid)?;
    if version.version.signer() != &team.member_id {
        return Err(ApiError::ChainRejected(
            "the version is signed by another member than the one making the request".to_owned(),
        ));
    }
    let head_number = head.version.number();
    if version.version.number() <= head_number {
        return Err(stale(chain, &version));
    }
    let verified = verify_chain(
        Some(&VerifiedVersion::restore_own(head.clone())),
        slice::from_ref(&version),
    )
    .map_err(rejected)?;
    if verified.number() != head_number + 1 {
        return Err(ApiError::ChainRejected(format!(
            "version {} does not follow version {head_number}",
            verified.number()
        )));
    }
    let listed = |member: &TeamMemberId| {
        verified.version().member(member).cloned().ok_or_else(|| {
            ApiError::ChainRejected("the version does not list the member it adds".to_owned())
        })
    };
    let effect = match verified.version().change() {
        ChainChange::AddMember { member } => MemberEffect::Add(listed(member)?),
        ChainChange::ReRegister { member } => MemberEffect::ReRegister(listed(member)?),
        ChainChange::RemoveMember { member } => MemberEffect::Remove(member.clone()),
        ChainChange::Founding { .. } => {
            return Err(ApiError::ChainRejected(
                "only version 1 founds the chain".to_owned(),
            ));
        }
    };
    let now = now();
    let setup = match &effect {
        MemberEffect::Add(member) | MemberEffect::ReRegister(member) => {
            age_format::check_recipient(&member.recipient)
                .map_err(|refusal| ApiError::InvalidPublicKey(refusal.0))?;
            let (setup_code, code_hash) = new_secret()?;
            let setup_expires_at = LinkValidDays::default().expiry(now);
            Some((
                MemberSetupCode {
                    member: member.id.clone(),
                    setup_code,
                    setup_expires_at,
                },
                code_hash,
            ))
        }
        MemberEffect::Remove(_) => None,
    };
    let append = ChainAppend {
        school_id: team.school_id.clone(),
        version,
        hash: verified.hash(),
        effect,
        setup_code: setup
            .as_ref()
            .map(|(code, hash)| (*hash, code.setup_expires_at)),
        now,
    };
    match state.store.append_chain(append).await? {
        AppendOutcome::Appended { chain } => {
            tracing::info!(
                school = %team.school_id, version = verified.number(), by = %team.member_id,
                "team key chain appended"
            );
            Ok((
                StatusCode::CREATED,
                Json(ChainAppended {
                    chain,
                    setup: setup.map(|(code, _)| code),
                    protocol: PROTOCOL_VERSION,
                }),
            ))
        }
        AppendOutcome::Conflict => Err(ApiError::ChainConflict),
        AppendOutcome::MemberIdTaken => Err(member_id_taken()),
    }
}

/// Why a version whose number the chain already has is refused: the very version again is a
/// replay; a version that verifies from the one before its number was made from an older
/// chain and lost to the version that came first (`chain_conflict`); anything else does not
/// verify.
fn stale(chain: &[SignedVersion], offered: &SignedVersion) -> ApiError {
    let number = offered.version.number();
    let stored = chain
        .iter()
        .find(|stored| stored.version.number() == number);
    if stored == Some(offered) {
        return rejected(ChainError::Replay { number });
    }
    let previous = chain
        .iter()
        .find(|stored| stored.version.number().checked_add(1) == Some(number));
    match previous {
        None => rejected(ChainError::Fork { number }),
        Some(previous) => match verify_chain(
            Some(&VerifiedVersion::restore_own(previous.clone())),
            slice::from_ref(offered),
        ) {
            Ok(_) => ApiError::ChainConflict,
            Err(error) => rejected(error),
        },
    }
}

fn rejected(error: ChainError) -> ApiError {
    ApiError::ChainRejected(error.to_string())
}

fn member_id_taken() -> ApiError {
    ApiError::ChainRejected("the member's id is already used".to_owned())
}

/// `201` with the member and their new one-time set-up code (for the keys the chain lists for
/// them, restored from their recovery copy); `404` for no such current member of the caller's
/// school; `403 own_setup_code` for the caller themselves.
pub async fn renew_setup_code<S: Store>(
    State(state): State<ApiState<S>>,
    PathId(member_id): PathId<TeamMemberId>,
    signed: SignedTeamRequest,
) -> Result<(StatusCode, Json<TeamMemberSetupCode>), ApiError> {
    let team = &signed.team;
    if member_id == team.member_id {
        return Err(ApiError::OwnSetupCode);
    }
    let member = signed
        .chain
        .last()
        .and_then(|head| head.version.member(&member_id))
        .map(team_member)
        .ok_or(ApiError::NotFound)?;
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
    state
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

/// Whether a set-up code's link check should name its school: a valid code for a school's
/// first member, whose chain is not founded yet.
pub(super) async fn founding_school<S: Store>(
    state: &ApiState<S>,
    code: SecretHash,
) -> Result<Option<prepoznaj_domain::protocol::School>, ApiError> {
    let target = state.store.setup_code_target(code).await?;
    Ok(target
        .filter(|target| target.member_id.is_none() && target.chain.is_empty())
        .map(|target| target.school))
}
