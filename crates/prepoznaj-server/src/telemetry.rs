//! Logging to stderr with `tracing`, and the request log line.
//!
//! Requests are logged by method, path (without query), status and duration; never headers or
//! bodies, which will carry personal data once reports arrive.

use std::{
    io::{self, IsTerminal},
    time::Instant,
};

use axum::{extract::Request, middleware::Next, response::Response};
use tracing_subscriber::{filter::Targets, layer::SubscriberExt, util::SubscriberInitExt};

/// Installs the global subscriber, writing to stderr. Call once, from `main`.
pub fn init(filter: Targets) {
    tracing_subscriber::fmt()
        .with_writer(io::stderr)
        .with_ansi(io::stderr().is_terminal())
        .finish()
        .with(filter)
        .init();
}

/// Middleware: one `info` line per request once the response is ready. With `info` filtered
/// out it copies nothing from the request (the filter is set once, at start-up).
pub async fn log_request(request: Request, next: Next) -> Response {
    if !tracing::enabled!(tracing::Level::INFO) {
        return next.run(request).await;
    }
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    tracing::info!(
        %method,
        %path,
        status = response.status().as_u16(),
        elapsed = ?started.elapsed(),
        "request"
    );
    response
}
