//! Request extractors that answer with an [`ApiError`] when they refuse: JSON bodies
//! ([`ApiJson`]), bearer tokens ([`DeviceAuth`], [`TeamAuth`]), ids in the path ([`PathId`]) and
//! the rate limit on code redemption ([`CodeAttempt`]).
//!
//! Nothing here logs a token, a code or a body.

use std::{
    net::{IpAddr, Ipv4Addr, SocketAddr},
    time::Instant,
};

use axum::{
    body::Bytes,
    extract::{ConnectInfo, FromRequest, FromRequestParts, Path, Request},
    http::{StatusCode, header, request::Parts},
};
use serde::de::DeserializeOwned;

use super::ApiState;
use crate::{
    ApiError,
    credentials::SecretHash,
    store::{DeviceCredential, Store, TeamCredential, TokenLookup},
};

/// A JSON request body, checked: `Content-Type: application/json`, at most
/// [`MAX_REQUEST_BODY_BYTES`](prepoznaj_domain::protocol::MAX_REQUEST_BODY_BYTES) (the router's
/// body limit), well-formed, and of the right shape, each with its own error code.
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !is_json(request.headers()) {
            return Err(ApiError::UnsupportedMediaType);
        }
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|rejection| {
                if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::BodyTooLarge
                } else {
                    ApiError::InvalidJson("the body could not be read".to_owned())
                }
            })?;
        parse_json(&bytes).map(ApiJson)
    }
}

fn is_json(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|media_type| media_type.trim().eq_ignore_ascii_case("application/json"))
}

/// Parses a whole body, telling syntax, unknown, missing and invalid fields apart.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        let message = inner.to_string();
        match inner.classify() {
            serde_json::error::Category::Data if message.starts_with("unknown field") => {
                ApiError::UnknownField(message)
            }
            serde_json::error::Category::Data if message.starts_with("missing field") => {
                ApiError::MissingField(message)
            }
            serde_json::error::Category::Data => {
                ApiError::InvalidField(format!("`{path}`: {message}"))
            }
            _ => ApiError::InvalidJson(message),
        }
    })?;
    deserializer
        .end()
        .map_err(|error| ApiError::InvalidJson(error.to_string()))?;
    Ok(value)
}

/// The token from `Authorization: Bearer <token>`, if there is one.
fn bearer(parts: &Parts) -> Option<SecretHash> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| SecretHash::of(token.trim()))
}

fn credential<T>(lookup: TokenLookup<T>) -> Result<T, ApiError> {
    match lookup {
        TokenLookup::Valid(credential) => Ok(credential),
        TokenLookup::Revoked => Err(ApiError::TokenRevoked),
        TokenLookup::Unknown => Err(ApiError::Unauthorized),
    }
}

/// A request made with a valid device token.
#[derive(Debug, Clone)]
pub struct DeviceAuth(pub DeviceCredential);

impl<S: Store> FromRequestParts<ApiState<S>> for DeviceAuth {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &ApiState<S>,
    ) -> Result<Self, Self::Rejection> {
        let token = bearer(parts).ok_or(ApiError::Unauthorized)?;
        credential(state.store.device_by_token(token).await?).map(Self)
    }
}

/// A request made with a valid team member token.
#[derive(Debug, Clone)]
pub struct TeamAuth(pub TeamCredential);

impl<S: Store> FromRequestParts<ApiState<S>> for TeamAuth {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &ApiState<S>,
    ) -> Result<Self, Self::Rejection> {
        let token = bearer(parts).ok_or(ApiError::Unauthorized)?;
        credential(state.store.team_member_by_token(token).await?).map(Self)
    }
}

/// The one `{id}` in the path, as a typed id; anything else is `404 not_found`.
#[derive(Debug)]
pub struct PathId<T>(pub T);

impl<T, S> FromRequestParts<S> for PathId<T>
where
    T: TryFrom<String>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(text) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::NotFound)?;
        T::try_from(text)
            .map(PathId)
            .map_err(|_| ApiError::NotFound)
    }
}

/// One attempt at redeeming a set-up or enrolment code, counted against the client's address
/// before anything else is read: `429 rate_limited` with `Retry-After` when over the limit.
#[derive(Debug)]
pub struct CodeAttempt;

impl<S: Store> FromRequestParts<ApiState<S>> for CodeAttempt {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &ApiState<S>,
    ) -> Result<Self, Self::Rejection> {
        // Without connection info (a router served without it) all clients share one bucket.
        let address = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |info| info.0.ip());
        state
            .limiter
            .attempt(address, Instant::now())
            .map(|()| CodeAttempt)
            .map_err(|retry_after_secs| ApiError::RateLimited { retry_after_secs })
    }
}
