//! `GET /api/v1/keys` (with a device token): the school's key chain, so a phone picks up
//! members added or removed since it enrolled; `GET /api/v1/team/keys` (with a team member's
//! token): the same for the team's own devices, which list the members and seal status changes
//! to them. The server relays the chain as stored; each device verifies it from the version it
//! pinned and decides itself which keys it seals to.

use axum::{Json, extract::State};
use prepoznaj_domain::protocol::{PROTOCOL_VERSION, SchoolKeys};

use super::{
    ApiState,
    extract::{DeviceAuth, TeamAuth},
};
use crate::{ApiError, store::Store};

/// `200` with the school and its whole key chain.
pub async fn current<S: Store>(
    State(state): State<ApiState<S>>,
    DeviceAuth(device): DeviceAuth,
) -> Result<Json<SchoolKeys>, ApiError> {
    let (school, chain) = state.store.school_keys(device.school_id).await?;
    Ok(Json(SchoolKeys {
        school,
        chain,
        protocol: PROTOCOL_VERSION,
    }))
}

/// `200` with the member's school and its whole key chain.
pub async fn for_team<S: Store>(
    State(state): State<ApiState<S>>,
    TeamAuth(team): TeamAuth,
) -> Result<Json<SchoolKeys>, ApiError> {
    let (school, chain) = state.store.school_keys(team.school_id).await?;
    Ok(Json(SchoolKeys {
        school,
        chain,
        protocol: PROTOCOL_VERSION,
    }))
}
