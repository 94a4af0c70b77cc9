//! `POST /api/v1/link-checks`: what a team set-up or staff enrolment link's code is worth now
//! (valid, used, replaced, expired, revoked or unknown), so the app can refuse a dead link
//! before it asks the person for a passphrase or makes a key.
//!
//! Checking never changes anything: the code stays as it was, and redeeming it afterwards works
//! exactly as without the check. Each check counts against the same per-address limit as a
//! redemption ([`CodeAttempt`]), so checking is no faster way to guess codes. The answer names
//! neither the school nor the member the code is for, except for a valid set-up code of a
//! school with no team yet: its school, which the founder's device writes into version 1 of
//! the team's key chain.

use axum::{Json, extract::State};
use prepoznaj_domain::{
    link_check::link_state,
    protocol::{LinkCheck, LinkCheckRequest, LinkKind, LinkState},
};

use super::{
    ApiState,
    extract::{ApiJson, CodeAttempt},
};
use crate::{
    ApiError,
    credentials::{SecretHash, now},
    store::Store,
};

/// `200` with the link's state (and `founding_school` for a valid founding set-up code);
/// `429 rate_limited` before anything is read.
pub async fn check<S: Store>(
    State(state): State<ApiState<S>>,
    _attempt: CodeAttempt,
    ApiJson(request): ApiJson<LinkCheckRequest>,
) -> Result<Json<LinkCheck>, ApiError> {
    let code = SecretHash::of(request.code.expose());
    let record = state.store.code_record(request.kind, code).await?;
    let mut check = link_state(record.as_ref(), now());
    if request.kind == LinkKind::TeamSetup && check.state == LinkState::Valid {
        check.founding_school = super::team::founding_school(&state, code).await?;
    }
    Ok(Json(check))
}
