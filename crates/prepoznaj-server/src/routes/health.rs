//! `GET /api/health`: the server runs and its store answers.
//!
//! Used by the app to tell "offline" from "server down", and by operators' monitoring.

use axum::{Json, extract::State};
use prepoznaj_domain::protocol::{HealthResponse, PROTOCOL_VERSION};

use super::ApiState;
use crate::{ApiError, store::Store};

/// 200 with the server's version and protocol, or 503 `store_unavailable`.
pub async fn health<S: Store>(
    State(state): State<ApiState<S>>,
) -> Result<Json<HealthResponse>, ApiError> {
    state.store.health_check().await?;
    Ok(Json(HealthResponse {
        status: "ok".to_owned(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
        protocol: PROTOCOL_VERSION,
    }))
}
