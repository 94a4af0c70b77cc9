//! Request extractors that answer with an [`ApiError`] when they refuse: JSON bodies
//! ([`ApiJson`]), bearer tokens ([`DeviceAuth`], [`TeamAuth`]), signed requests
//! ([`SignedBody`], and [`SignedTeamRequest`] for every team request that changes something),
//! ids in the path ([`PathId`]) and the rate limit on code redemption ([`CodeAttempt`]).
//!
//! A signed request carries `prepoznaj-signature: t=<ms>;sig=<hex>`
//! ([`prepoznaj_domain::team_request`]): an Ed25519 signature over its method, path with query,
//! school, signer, signing time and the SHA-256 of its body as sent. A team request is checked
//! against the signing key the team's key chain (its last version) lists for the token's
//! member, so a token alone changes nothing.
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
use prepoznaj_domain::{
    endpoints,
    protocol::{SchoolId, Sha256Digest, TeamMemberId},
    team_chain::{SignedVersion, SigningPublicKey},
    team_request::{RequestSignature, SIGNATURE_HEADER, SignedRequest},
};
use prepoznaj_envelope::signing::verify_request;
use serde::de::DeserializeOwned;
use sha2::{Digest as _, Sha256};

use super::ApiState;
use crate::{
    ApiError,
    credentials::{SecretHash, now},
    store::{DeviceCredential, Store, TeamCredential, TokenLookup, rules},
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
        let bytes = body_bytes(request, state).await?;
        parse_json(&bytes).map(ApiJson)
    }
}

/// Reads a whole body: `413 body_too_large` over the router's limit.
async fn body_bytes<S: Send + Sync>(request: Request, state: &S) -> Result<Bytes, ApiError> {
    Bytes::from_request(request, state)
        .await
        .map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::BodyTooLarge
            } else {
                ApiError::InvalidJson("the body could not be read".to_owned())
            }
        })
}

fn is_json(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|media_type| media_type.trim().eq_ignore_ascii_case("application/json"))
}

/// Parses a whole body, telling syntax, unknown, missing and invalid fields apart.
///
/// An integer may be written with a zero fraction (`27.0`, `2.7e1`): JSON Schema, which the
/// published OpenAPI document uses, counts it as the integer 27, and so does the server,
/// up to 2^53 (beyond that a float does not name one integer). A body is first read as
/// written; only when that fails on a floating-point number is it read again with such numbers
/// as integers.
///
/// Every request body is an object: serde would also read a struct from an array of its fields
/// in order (and one whose fields all have defaults from `[]`), which the schema refuses.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    if bytes.trim_ascii_start().first() != Some(&b'{') {
        return Err(ApiError::InvalidJson(
            "the body is not a JSON object".to_owned(),
        ));
    }
    parse_value(bytes)
}

/// [`parse_json`] for any JSON value.
fn parse_value<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    match serde_path_to_error::deserialize(&mut deserializer) {
        Ok(value) => {
            deserializer
                .end()
                .map_err(|error| ApiError::InvalidJson(error.to_string()))?;
            Ok(value)
        }
        Err(error) if error.inner().to_string().starts_with(FLOAT_REFUSED) => {
            let mut value: serde_json::Value =
                serde_json::from_slice(bytes).map_err(|_| body_error(error))?;
            integral_floats_as_integers(&mut value);
            serde_path_to_error::deserialize(value).map_err(body_error)
        }
        Err(error) => Err(body_error(error)),
    }
}

/// How serde_json begins the message of a number with a fraction where an integer belongs.
const FLOAT_REFUSED: &str = "invalid type: floating point";

/// 2^53: above it not every integer is a float, so a float there may stand for a neighbour.
const MAX_EXACT_FLOAT_INTEGER: f64 = 9_007_199_254_740_992.0;

/// Rewrites every number with a zero fraction and at most 2^53 in magnitude as an integer.
fn integral_floats_as_integers(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Number(number) => {
            if let Some(float) = number.as_f64().filter(|_| number.is_f64())
                && float.fract() == 0.0
                && float.abs() <= MAX_EXACT_FLOAT_INTEGER
            {
                #[expect(
                    clippy::cast_possible_truncation,
                    reason = "integral and within 2^53: exact"
                )]
                let integer = float as i64;
                *value = serde_json::Value::from(integer);
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(integral_floats_as_integers),
        serde_json::Value::Object(fields) => {
            fields.values_mut().for_each(integral_floats_as_integers)
        }
        serde_json::Value::Null | serde_json::Value::Bool(_) | serde_json::Value::String(_) => {}
    }
}

/// The error code of a body that does not deserialize.
fn body_error(error: serde_path_to_error::Error<serde_json::Error>) -> ApiError {
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
        serde_json::error::Category::Data => ApiError::InvalidField(format!("`{path}`: {message}")),
        _ => ApiError::InvalidJson(message),
    }
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

/// A request made with a valid device token; the device's last use is noted as
/// `rules::last_seen_due` says.
#[derive(Debug, Clone)]
pub struct DeviceAuth(pub DeviceCredential);

impl<S: Store> FromRequestParts<ApiState<S>> for DeviceAuth {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &ApiState<S>,
    ) -> Result<Self, Self::Rejection> {
        let token = bearer(parts).ok_or(ApiError::Unauthorized)?;
        let device = credential(state.store.device_by_token(token).await?)?;
        let now = now();
        if rules::last_seen_due(device.last_seen_at, now) {
            // At most once an hour per device (`rules::LAST_SEEN_INTERVAL_MS`): the team's
            // "last seen", not a log of requests.
            state
                .store
                .device_seen(device.device_id.clone(), now)
                .await?;
        }
        Ok(Self(device))
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

/// A request as signed: its method, path with query, signature header (if any) and body as
/// sent. [`SignedBody::verify`] checks the signature; [`SignedBody::json`] reads the body.
#[derive(Debug)]
pub struct SignedBody {
    method: endpoints::Method,
    path: String,
    /// `None`: no header; `Some(Err(()))`: a header that does not parse.
    signature: Option<Result<RequestSignature, ()>>,
    json: bool,
    body: Bytes,
}

impl SignedBody {
    /// Checks the request was signed by `key` for `school` and `signer` (`None` at set-up),
    /// within [`prepoznaj_domain::team_request::MAX_CLOCK_SKEW_MS`] of the server's clock.
    ///
    /// # Errors
    /// `403 signature_required` without the header, `signature_expired` when signed too long
    /// before or after now, `signature_invalid` for anything else.
    pub fn verify(
        &self,
        school: &SchoolId,
        signer: Option<&TeamMemberId>,
        key: &SigningPublicKey,
    ) -> Result<(), ApiError> {
        let signature = match &self.signature {
            None => return Err(ApiError::SignatureRequired),
            Some(Err(())) => return Err(ApiError::SignatureInvalid),
            Some(Ok(signature)) => signature,
        };
        if !signature.is_timely(now()) {
            return Err(ApiError::SignatureExpired);
        }
        let body_sha256 = Sha256Digest::from_bytes(Sha256::digest(&self.body).into());
        let request = SignedRequest {
            method: self.method,
            path: &self.path,
            school,
            signer,
            signed_at: signature.signed_at,
            body_sha256: &body_sha256,
        };
        if verify_request(key, &request, &signature.signature) {
            Ok(())
        } else {
            Err(ApiError::SignatureInvalid)
        }
    }

    /// The body as JSON of type `T`, checked as [`ApiJson`] checks it.
    ///
    /// # Errors
    /// `415 unsupported_media_type`, or the body's error.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, ApiError> {
        if !self.json {
            return Err(ApiError::UnsupportedMediaType);
        }
        parse_json(&self.body)
    }
}

impl<S: Send + Sync> FromRequest<S> for SignedBody {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let method = match *request.method() {
            axum::http::Method::GET => endpoints::Method::Get,
            axum::http::Method::POST => endpoints::Method::Post,
            axum::http::Method::DELETE => endpoints::Method::Delete,
            _ => return Err(ApiError::MethodNotAllowed),
        };
        let path = request
            .uri()
            .path_and_query()
            .map_or_else(|| request.uri().path().to_owned(), ToString::to_string);
        let signature = request.headers().get(SIGNATURE_HEADER).map(|value| {
            value
                .to_str()
                .map_err(drop)
                .and_then(|text| RequestSignature::parse(text).map_err(drop))
        });
        let json = is_json(request.headers());
        let body = body_bytes(request, state).await?;
        Ok(Self {
            method,
            path,
            signature,
            json,
            body,
        })
    }
}

/// A team request that changes something: a valid member token, and a signature by the
/// signing key the last version of the team's key chain lists for that member. A team whose
/// chain has no version yet, or whose last version does not list the member, can change
/// nothing (`403 signature_invalid`).
#[derive(Debug)]
pub struct SignedTeamRequest {
    pub team: TeamCredential,
    /// The team's chain as read to check the signature, from version 1 (never empty).
    pub chain: Vec<SignedVersion>,
    body: SignedBody,
}

impl SignedTeamRequest {
    /// The body as JSON of type `T` (see [`SignedBody::json`]).
    ///
    /// # Errors
    /// `415 unsupported_media_type`, or the body's error.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, ApiError> {
        self.body.json()
    }
}

impl<S: Store> FromRequest<ApiState<S>> for SignedTeamRequest {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &ApiState<S>) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = request.into_parts();
        let TeamAuth(team) = TeamAuth::from_request_parts(&mut parts, state).await?;
        let body = SignedBody::from_request(Request::from_parts(parts, body), state).await?;
        if body.signature.is_none() {
            return Err(ApiError::SignatureRequired);
        }
        let chain = state.store.team_chain(team.school_id.clone()).await?;
        let key = chain
            .last()
            .and_then(|head| head.version.member(&team.member_id))
            .map(|member| member.signing_key)
            .ok_or(ApiError::SignatureInvalid)?;
        body.verify(&team.school_id, Some(&team.member_id), &key)?;
        Ok(Self { team, chain, body })
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
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |info| info.0.ip());
        let address = state
            .options
            .trusted_proxies
            .client_address(peer, &parts.headers);
        state
            .limiter
            .attempt(address, Instant::now())
            .map(|()| CodeAttempt)
            .map_err(|retry_after_secs| ApiError::RateLimited { retry_after_secs })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly on purpose")]

    use super::*;

    #[test]
    fn an_integral_float_is_read_as_its_integer_exactly_up_to_2_to_the_53() {
        // Between 2^51 and 2^52 floats are half a unit apart: a parser one unit in the last
        // place off reads `…158.0` as `…158.5` (found by the API fuzz tier).
        for (text, integer) in [
            ("27.0", 27_u64),
            ("2.7e1", 27),
            ("3667174590432158.0", 3_667_174_590_432_158),
            ("9007199254740992.0", 9_007_199_254_740_992),
        ] {
            assert_eq!(
                parse_value::<u64>(text.as_bytes()).unwrap(),
                integer,
                "{text}"
            );
        }
        for text in ["27.5", "3667174590432158.5", "18014398509481984.0", "-1.0"] {
            assert!(
                matches!(
                    parse_value::<u64>(text.as_bytes()),
                    Err(ApiError::InvalidField(_))
                ),
                "{text}"
            );
        }
    }

    #[test]
    fn a_body_is_an_object_never_an_array_of_its_fields() {
        #[derive(Debug, serde::Deserialize)]
        #[expect(dead_code, reason = "only whether it parses matters")]
        struct Request {
            #[serde(default)]
            days: Option<u32>,
        }
        for text in ["[]", "[7]", " [ ] ", "7", "null", "\"days\""] {
            assert!(
                matches!(
                    parse_json::<Request>(text.as_bytes()),
                    Err(ApiError::InvalidJson(_))
                ),
                "{text}"
            );
        }
        for text in ["{}", " {\"days\": 7}", "\n{\"days\": 7.0}"] {
            assert!(parse_json::<Request>(text.as_bytes()).is_ok(), "{text}");
        }
    }
}
