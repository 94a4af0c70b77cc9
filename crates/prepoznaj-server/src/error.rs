//! Errors the server reports: [`ApiError`] to HTTP clients, [`StartupError`] to the operator.
//!
//! An API error body is a domain [`ApiErrorBody`] and never carries internal detail: its
//! `message` is the error's own `Display`, which must not include the cause. Server-side
//! failures (5xx) are logged here with their whole cause chain; refusals (4xx) are logged by
//! code only, since a message may repeat what the client sent. A start-up error is written as
//! exactly one line on stderr.

use std::{error::Error, io, net::SocketAddr, path::PathBuf, process::ExitCode};

use axum::{
    Json,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use prepoznaj_domain::protocol::{
    ApiErrorBody, ErrorCode, LinkValidDaysError, MAX_REQUEST_BODY_BYTES, NameError,
    PROTOCOL_VERSION,
};

use crate::operator::{BaseUrlError, import::ImportFileError};
use crate::store::{
    BackendError, CodeRefusal, SetupLinkRefusal, StoreError, postgres::PostgresUrlError,
};

/// Why an API request failed.
///
/// Each variant has one [`ErrorCode`], and each code one HTTP status ([`status_of`]), so a
/// client can rely on the pair and the OpenAPI document can list them.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// No API resource has this path, or no such item in the caller's school.
    #[error("no API resource at this path")]
    NotFound,
    /// The resource exists but not for this method.
    #[error("this API resource does not accept this method")]
    MethodNotAllowed,
    #[error("the body must be JSON, sent with Content-Type: application/json")]
    UnsupportedMediaType,
    /// Not JSON; the detail is serde_json's description of where.
    #[error("the body is not valid JSON: {0}")]
    InvalidJson(String),
    #[error("the body has a field this request does not have: {0}")]
    UnknownField(String),
    #[error("the body lacks a required field: {0}")]
    MissingField(String),
    #[error("a field is not valid: {0}")]
    InvalidField(String),
    #[error("the body is larger than {MAX_REQUEST_BODY_BYTES} bytes")]
    BodyTooLarge,
    #[error("protocol version {found} is not supported; this server speaks {PROTOCOL_VERSION}")]
    UnsupportedProtocolVersion { found: u32 },
    /// The reason says what the bytes are instead; never the bytes themselves.
    #[error("the envelope is not an age envelope encrypted to the team's keys: {0}")]
    NotAnAgeEnvelope(&'static str),
    #[error("envelope_sha256 is not the SHA-256 of the envelope")]
    HashMismatch,
    #[error("the public key is not a usable age X25519 recipient: {0}")]
    InvalidPublicKey(&'static str),
    #[error("a different report was already received with this report_id")]
    ReportConflict,
    #[error("a different status change was already recorded with this change_id")]
    StatusChangeConflict,
    #[error("this report's envelope was deleted after the retention period")]
    ReportForgotten,
    #[error("this set-up link was made for another public key")]
    PublicKeyMismatch,
    #[error("another member of the team must make a new set-up link for you")]
    OwnSetupCode,
    #[error("a valid bearer token is required")]
    Unauthorized,
    #[error("this request changes the team and must carry a `prepoznaj-signature` header")]
    SignatureRequired,
    #[error(
        "the request's signature does not verify with the signing key the team's key chain lists"
    )]
    SignatureInvalid,
    #[error("the request was signed more than 15 minutes from the server's clock")]
    SignatureExpired,
    /// The reason is the chain verifier's (it names a version number, never a key).
    #[error("the chain version was refused: {0}")]
    ChainRejected(String),
    #[error("another chain version was appended first; fetch the chain and make the change again")]
    ChainConflict,
    #[error("this token was revoked; enrol again")]
    TokenRevoked,
    #[error("this link's code is not known; ask the team for a new link")]
    LinkInvalid,
    #[error("this link has expired; ask the team for a new link")]
    LinkExpired,
    #[error("this link was revoked; ask the team for a new link")]
    LinkRevoked,
    #[error("this set-up link was already used")]
    LinkUsed,
    #[error("as many phones enrolled with this link as it allows; ask the team for a new link")]
    LinkFull,
    #[error("too many attempts from this address; retry after {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    #[error(
        "this device has sent {limit} reports in 24 hours, as many as the server takes; \
         retry after {retry_after_secs} s"
    )]
    DeviceDailyLimit { limit: u32, retry_after_secs: u64 },
    #[error(
        "the school's reports take all the space the server gives a school; \
         retry after {retry_after_secs} s"
    )]
    SchoolStorageFull { retry_after_secs: u64 },
    #[error("this report has {limit} status changes, as many as the server keeps")]
    TooManyStatusChanges { limit: u32 },
    /// The store did not answer (cause logged, not sent).
    #[error("the database is not answering; see the server log")]
    StoreUnavailable(#[source] StoreError),
    /// Anything else that should not happen (cause logged, not sent).
    #[error("the server failed; see the server log")]
    Internal(#[source] BackendError),
}

impl ApiError {
    /// HTTP status of the response.
    pub fn status(&self) -> StatusCode {
        status_of(self.code())
    }

    /// Stable machine-readable code; clients branch on this.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::NotFound => ErrorCode::NotFound,
            Self::MethodNotAllowed => ErrorCode::MethodNotAllowed,
            Self::UnsupportedMediaType => ErrorCode::UnsupportedMediaType,
            Self::InvalidJson(_) => ErrorCode::InvalidJson,
            Self::UnknownField(_) => ErrorCode::UnknownField,
            Self::MissingField(_) => ErrorCode::MissingField,
            Self::InvalidField(_) => ErrorCode::InvalidField,
            Self::BodyTooLarge => ErrorCode::BodyTooLarge,
            Self::UnsupportedProtocolVersion { .. } => ErrorCode::UnsupportedProtocolVersion,
            Self::NotAnAgeEnvelope(_) => ErrorCode::NotAnAgeEnvelope,
            Self::HashMismatch => ErrorCode::HashMismatch,
            Self::InvalidPublicKey(_) => ErrorCode::InvalidPublicKey,
            Self::ReportConflict | Self::StatusChangeConflict => ErrorCode::ReportConflict,
            Self::ReportForgotten => ErrorCode::ReportForgotten,
            Self::PublicKeyMismatch => ErrorCode::PublicKeyMismatch,
            Self::OwnSetupCode => ErrorCode::OwnSetupCode,
            Self::Unauthorized => ErrorCode::Unauthorized,
            Self::SignatureRequired => ErrorCode::SignatureRequired,
            Self::SignatureInvalid => ErrorCode::SignatureInvalid,
            Self::SignatureExpired => ErrorCode::SignatureExpired,
            Self::ChainRejected(_) => ErrorCode::ChainRejected,
            Self::ChainConflict => ErrorCode::ChainConflict,
            Self::TokenRevoked => ErrorCode::TokenRevoked,
            Self::LinkInvalid => ErrorCode::LinkInvalid,
            Self::LinkExpired => ErrorCode::LinkExpired,
            Self::LinkRevoked => ErrorCode::LinkRevoked,
            Self::LinkUsed => ErrorCode::LinkUsed,
            Self::LinkFull => ErrorCode::LinkFull,
            Self::RateLimited { .. } => ErrorCode::RateLimited,
            Self::DeviceDailyLimit { .. } => ErrorCode::DeviceDailyLimit,
            Self::SchoolStorageFull { .. } => ErrorCode::SchoolStorageFull,
            Self::TooManyStatusChanges { .. } => ErrorCode::TooManyStatusChanges,
            Self::StoreUnavailable(_) => ErrorCode::StoreUnavailable,
            Self::Internal(_) => ErrorCode::Internal,
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        Self::StoreUnavailable(error)
    }
}

impl From<getrandom::Error> for ApiError {
    fn from(error: getrandom::Error) -> Self {
        Self::Internal(error.into())
    }
}

impl From<CodeRefusal> for ApiError {
    fn from(refusal: CodeRefusal) -> Self {
        match refusal {
            CodeRefusal::Unknown => Self::LinkInvalid,
            CodeRefusal::Expired => Self::LinkExpired,
            CodeRefusal::Revoked => Self::LinkRevoked,
            CodeRefusal::Used => Self::LinkUsed,
            CodeRefusal::Full => Self::LinkFull,
        }
    }
}

/// The one HTTP status of each error code.
pub fn status_of(code: ErrorCode) -> StatusCode {
    match code {
        ErrorCode::InvalidJson
        | ErrorCode::UnknownField
        | ErrorCode::MissingField
        | ErrorCode::InvalidField
        | ErrorCode::UnsupportedProtocolVersion
        | ErrorCode::NotAnAgeEnvelope
        | ErrorCode::HashMismatch
        | ErrorCode::InvalidPublicKey => StatusCode::BAD_REQUEST,
        ErrorCode::Unauthorized | ErrorCode::TokenRevoked | ErrorCode::LinkInvalid => {
            StatusCode::UNAUTHORIZED
        }
        ErrorCode::PublicKeyMismatch
        | ErrorCode::OwnSetupCode
        | ErrorCode::SignatureRequired
        | ErrorCode::SignatureInvalid
        | ErrorCode::SignatureExpired
        | ErrorCode::ChainRejected => StatusCode::FORBIDDEN,
        ErrorCode::NotFound => StatusCode::NOT_FOUND,
        ErrorCode::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
        ErrorCode::ReportConflict
        // Sent by servers before the key chain (a chain version never repeats a key, nor lists
        // nobody): an older app may still branch on them.
        | ErrorCode::MemberExists
        | ErrorCode::LastTeamMember
        | ErrorCode::ChainConflict => StatusCode::CONFLICT,
        ErrorCode::LinkExpired
        | ErrorCode::LinkRevoked
        | ErrorCode::LinkUsed
        | ErrorCode::LinkFull
        | ErrorCode::ReportForgotten => StatusCode::GONE,
        ErrorCode::BodyTooLarge | ErrorCode::SchoolStorageFull => StatusCode::PAYLOAD_TOO_LARGE,
        ErrorCode::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ErrorCode::RateLimited
        | ErrorCode::DeviceDailyLimit
        | ErrorCode::TooManyStatusChanges => StatusCode::TOO_MANY_REQUESTS,
        ErrorCode::StoreUnavailable => StatusCode::SERVICE_UNAVAILABLE,
        ErrorCode::Internal | ErrorCode::Unrecognised => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let code = self.code();
        if status.is_server_error() {
            tracing::error!(%code, error = %one_line(&self), "request failed");
        } else {
            // The code only: a message may repeat what the client sent.
            tracing::info!(%code, "request refused");
        }
        let body = ApiErrorBody {
            code,
            message: self.to_string(),
            protocol: PROTOCOL_VERSION,
        };
        let mut response = (status, Json(body)).into_response();
        // For the metrics middleware, which counts database failures.
        response.extensions_mut().insert(code);
        let headers = response.headers_mut();
        match self {
            Self::Unauthorized | Self::TokenRevoked => {
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            Self::RateLimited { retry_after_secs }
            | Self::DeviceDailyLimit {
                retry_after_secs, ..
            }
            | Self::SchoolStorageFull { retry_after_secs } => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
            }
            _ => {}
        }
        response
    }
}

/// Why the server could not start or stopped serving, or an operator command failed.
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
    /// `--database-url` is not a usable PostgreSQL URL (the URL itself is not repeated).
    #[error("--database-url (DATABASE_URL) is not a usable PostgreSQL URL")]
    DatabaseUrl(#[source] PostgresUrlError),
    /// The PostgreSQL database cannot be reached or refuses the login.
    #[error("--database-url {url} cannot be used")]
    DatabaseUnreachable {
        /// Without the password.
        url: String,
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
    /// `--base-url` is missing, not an `http(s)://` address, or `http://` for another machine.
    #[error(transparent)]
    BaseUrl(#[from] BaseUrlError),
    /// `--name` is not a usable school name.
    #[error("--name is not a usable school name")]
    SchoolName(#[source] NameError),
    /// `--valid-days` is out of range.
    #[error("--valid-days is out of range")]
    ValidDays(#[source] LinkValidDaysError),
    /// The operating system's random number generator failed.
    #[error("cannot read random bytes from the operating system")]
    Randomness(#[source] getrandom::Error),
    /// An operator command could not write its output.
    #[error("cannot write to standard output")]
    Output(#[source] io::Error),
    /// `school import`'s list of schools cannot be read, or its header is not the expected one.
    #[error("cannot import {}", .path.display())]
    ImportFile {
        path: PathBuf,
        #[source]
        source: ImportFileError,
    },
    /// `school import --output` names a file that exists: set-up links are never written over
    /// anything.
    #[error(
        "--output {} exists; give a new file name (set-up links are never written over a file)",
        .0.display()
    )]
    OutputExists(PathBuf),
    /// `school import --output` cannot be created or written.
    #[error("cannot write --output {}", .path.display())]
    OutputFile {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    /// No school has this id or external id.
    #[error("no school has the id or external id {0:?} (see `school list`)")]
    UnknownSchool(String),
    /// `--member` is not a team member's id.
    #[error("--member {0:?} is not a team member's id (see `school show <school>`)")]
    MemberId(String),
    /// The operator may not have a set-up link for this school (see `store::rules::setup_link`).
    #[error("{}", setup_link_refusal(.school, .refusal))]
    SetupLink {
        /// The school as the operator named it.
        school: String,
        refusal: SetupLinkRefusal,
    },
    /// `school delete` was not confirmed with the school's name.
    #[error("nothing was deleted: the name typed is not the school's name {0:?}")]
    NotConfirmed(String),
    /// `stats --from` is after `--to`.
    #[error("--from {from} is after --to {to}: give the earlier month first")]
    StatsPeriod { from: String, to: String },
    /// The confirmation could not be read.
    #[error("cannot read the confirmation from standard input")]
    Input(#[source] io::Error),
}

/// What the operator can do instead of the set-up link they asked for.
fn setup_link_refusal(school: &str, refusal: &SetupLinkRefusal) -> String {
    match refusal {
        SetupLinkRefusal::TeamExists => format!(
            "school {school} has a protection team, and the server can add nobody to it (only a \
             member's signature adds someone to the team's key chain). A member who lost their \
             device restores their keys from their recovery file or code at /team/recover on a \
             new device; another member then makes them a new set-up link on the team page, or, \
             if no member has a working device, run `school new-setup-link {school} --member \
             <member id>` (ids: `school show {school}`) for a link that works only with that \
             member's restored keys. If no member has a recovery copy, the team cannot go on: \
             `school delete {school}`, then `school create` it again (staff phones enrol again)"
        ),
        SetupLinkRefusal::NotAMember => format!(
            "--member is not a member of school {school}'s team as its key chain stands (see \
             `school show {school}`)"
        ),
        SetupLinkRefusal::NoTeamYet => format!(
            "school {school} has no protection team yet: leave out --member for its founding \
             set-up link"
        ),
        SetupLinkRefusal::ChainCannotContinue => format!(
            "school {school}'s team was set up before key chains and founded none, so nobody can \
             sign a change to it: `school delete {school}`, then `school create` it again \
             (staff phones enrol again)"
        ),
    }
}

impl StartupError {
    /// 2 when the operator must change the configuration, 1 for failures at run time.
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Arguments(_)
            | Self::DistMissing(_)
            | Self::DistWithoutIndex(_)
            | Self::DataDir { .. }
            | Self::DatabaseUrl(_)
            | Self::DatabaseUnreachable { .. }
            | Self::Bind { .. }
            | Self::BaseUrl(_)
            | Self::SchoolName(_)
            | Self::ValidDays(_)
            | Self::ImportFile { .. }
            | Self::OutputExists(_)
            | Self::OutputFile { .. }
            | Self::UnknownSchool(_)
            | Self::MemberId(_)
            | Self::SetupLink { .. }
            | Self::StatsPeriod { .. } => 2,
            Self::Store(_)
            | Self::Serve(_)
            | Self::Randomness(_)
            | Self::Output(_)
            | Self::NotConfirmed(_)
            | Self::Input(_) => 1,
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
