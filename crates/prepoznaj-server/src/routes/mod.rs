//! The JSON API under `/api`, one module per resource. Handlers talk to a [`Store`], never SQL.
//!
//! Every response from here, errors included, is `Cache-Control: no-store`: the app's service
//! worker and any proxy must always ask the server. Unknown paths and methods answer with an
//! [`ApiError`] body, never with the app's HTML.

pub mod health;

use axum::{
    Router,
    extract::Request,
    http::{HeaderValue, header},
    middleware::{self, Next},
    response::Response,
    routing::{any, get},
};

use crate::{ApiError, store::Store};

/// The API router: owns `/api`, `/api/` and every path below, so none of them ever reaches the
/// app's files. Merge it into the top-level router.
pub fn api<S: Store>(store: S) -> Router {
    Router::new()
        .route(
            "/api/health",
            get(health::health::<S>).fallback(method_not_allowed),
        )
        .route("/api", any(not_found))
        .route("/api/", any(not_found))
        .route("/api/{*unknown}", any(not_found))
        .with_state(store)
        .layer(middleware::from_fn(no_store))
}

async fn not_found() -> ApiError {
    ApiError::NotFound
}

async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}

async fn no_store(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
