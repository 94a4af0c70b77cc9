//! Errors the server reports: [`ApiError`] to HTTP clients, [`StartupError`] to the operator.
//!
//! An API error body is a domain [`ApiErrorBody`] and never carries internal detail: its
//! `message` is the error's own `Display`, which must not include the cause. Server-side
//! failures (5xx) are logged here with their whole cause chain. A start-up error is written as
//! exactly one line on stderr.

use std::{error::Error, io, net::SocketAddr, path::PathBuf, process::ExitCode};

use axum::{
    Json,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use prepoznaj_domain::protocol::{ApiErrorBody, PROTOCOL_VERSION};

use crate::store::StoreError;

/// Why an API request failed.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// No API resource has this path (expected: `404 not_found`).
    #[error("no API resource at this path")]
    NotFound,
    /// The resource exists but not for this method (expected: `405 method_not_allowed`).
    #[error("this API resource does not accept this method")]
    MethodNotAllowed,
    /// The store did not answer (unexpected: `503 store_unavailable`, cause logged, not sent).
    #[error("the database is not answering; see the server log")]
    StoreUnavailable(#[source] StoreError),
}

impl ApiError {
    /// HTTP status of the response.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::StoreUnavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    /// Stable machine-readable code; clients branch on this.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotFound => "not_found",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::StoreUnavailable(_) => "store_unavailable",
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            tracing::error!(code = self.code(), error = %one_line(&self), "request failed");
        }
        let body = ApiErrorBody {
            code: self.code().to_owned(),
            message: self.to_string(),
            protocol: PROTOCOL_VERSION,
        };
        (status, Json(body)).into_response()
    }
}

/// Why the server could not start or stopped serving.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    /// Flags or environment variables do not parse.
    #[error("{} (see --help)", first_line_of_clap_error(.0))]
    Arguments(clap::Error),
    /// `--dist` is not a directory.
    #[error("--dist {} is not a directory (build the app first: scripts/run.sh)", .0.display())]
    DistMissing(PathBuf),
    /// `--dist` has no `index.html`.
    #[error("--dist {} has no index.html (build the app first: scripts/run.sh)", .0.display())]
    DistWithoutIndex(PathBuf),
    /// The database cannot be created or written under `--data-dir`.
    #[error("--data-dir {} cannot hold the database", .path.display())]
    DataDir {
        path: PathBuf,
        #[source]
        source: StoreError,
    },
    /// The address is taken or not available on this machine.
    #[error("cannot listen on {address} (choose another --port or --bind)")]
    Bind {
        address: SocketAddr,
        #[source]
        source: io::Error,
    },
    /// The database opened but failed to start (for example, a migration failed).
    #[error("the database failed to start")]
    Store(#[source] StoreError),
    /// Serving stopped with an I/O error.
    #[error("the server stopped")]
    Serve(#[source] io::Error),
}

impl StartupError {
    /// 2 when the operator must change the configuration, 1 for failures at run time.
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Arguments(_)
            | Self::DistMissing(_)
            | Self::DistWithoutIndex(_)
            | Self::DataDir { .. }
            | Self::Bind { .. } => 2,
            Self::Store(_) | Self::Serve(_) => 1,
        }
    }

    /// Writes `prepoznaj-server: error: <cause chain>` as one line on stderr.
    pub fn report(&self) -> ExitCode {
        eprintln!("prepoznaj-server: error: {}", one_line(self));
        ExitCode::from(self.exit_code())
    }
}

/// An error and its causes joined with `": "`, on one line.
pub fn one_line(error: &dyn Error) -> String {
    let mut line = error.to_string();
    let mut cause = error.source();
    while let Some(source) = cause {
        line.push_str(": ");
        line.push_str(&source.to_string());
        cause = source.source();
    }
    line.replace(['\n', '\r'], " ")
}

/// clap renders several lines (error, tips, usage); the first says what is wrong.
fn first_line_of_clap_error(error: &clap::Error) -> String {
    let rendered = error.render().to_string();
    let first = rendered
        .lines()
        .find(|line| !line.trim().is_empty())
        .unwrap_or_default();
    first.trim().trim_start_matches("error:").trim().to_owned()
}
