//! `GET /api/openapi.json`: the API's OpenAPI 3.1 description, written by hand in
//! `openapi.json` beside `Cargo.toml` and kept true by the API tests (routes, methods, error
//! codes and their statuses).

use axum::http::{HeaderValue, header};

/// The document, embedded at build time.
pub const DOCUMENT: &str = include_str!("../../openapi.json");

/// 200 with [`DOCUMENT`].
pub async fn document() -> ([(header::HeaderName, HeaderValue); 1], &'static str) {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        DOCUMENT,
    )
}
