//! Wire types shared by the app and the server. Each exists once, here.
//!
//! Additive fields use `#[serde(default)]`; every response carries [`PROTOCOL_VERSION`].
//! Nothing here does IO.

use serde::{Deserialize, Serialize};

/// Version of the HTTP protocol between the app and the server.
pub const PROTOCOL_VERSION: u32 = 1;

/// Body of `GET /api/health`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthResponse {
    /// Always `"ok"` when the server answers at all.
    pub status: String,
    /// The server's release version (the workspace version).
    pub version: String,
    /// [`PROTOCOL_VERSION`] of the server.
    pub protocol: u32,
}

/// Body of every API error: a stable machine-readable `code` and a human-readable `message`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiErrorBody {
    /// Stable, `snake_case`; clients branch on this, never on `message`.
    pub code: String,
    /// English explanation for logs and operators; the app shows its own translated text.
    pub message: String,
    /// [`PROTOCOL_VERSION`] of the server.
    #[serde(default)]
    pub protocol: u32,
}
