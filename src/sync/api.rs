//! The HTTP edge of the typed client ([`super::client`]): JSON requests to the app's own server
//! (`connect-src 'self'`) for an endpoint of the domain's table, with an optional bearer
//! token and, for a team request that changes something, its signature header. Failures are typed so that pages can say, translated, what the person can do:
//! offline, a refusal with the server's stable code, or a server fault.

use prepoznaj_domain::endpoints::Endpoint;
use prepoznaj_domain::protocol::{ApiErrorBody, ErrorCode, Secret};
use prepoznaj_domain::team_request::SIGNATURE_HEADER;
use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Why a request did not give the expected answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiCallError {
    /// No answer at all: offline, the server down, the connection reset.
    Offline,
    /// The server refused, with its stable code (and the HTTP status).
    Refused { status: u16, code: ErrorCode },
    /// A 5xx, or an answer this build cannot read.
    Server { status: u16 },
}

/// `endpoint`'s method on `path` (its [`Endpoint::path`], the id filled in, perhaps a query)
/// with `body` as JSON; the answer's body as `Answer` when the status is 2xx. Only the typed
/// client ([`super::client`]) calls this.
pub(super) async fn call_json<Body: Serialize, Answer: DeserializeOwned>(
    endpoint: Endpoint,
    path: &str,
    body: Option<&Body>,
    bearer: Option<&Secret>,
) -> Result<Answer, ApiCallError> {
    let json = body
        .map(serde_json::to_string)
        .transpose()
        .map_err(|_| ApiCallError::Server { status: 0 })?;
    request_json(endpoint, path, json.as_deref(), bearer, None).await
}

/// An answer as the server gave it, for the sync state machine to judge
/// (`prepoznaj_domain::sync::Attempt::Answer`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawAnswer {
    pub status: u16,
    pub body: Vec<u8>,
    /// `Retry-After`, in milliseconds, when the server sent it in seconds.
    pub retry_after_ms: Option<u64>,
}

/// No answer came: offline, the server down, the connection reset, or no answer within
/// [`REQUEST_TIMEOUT_MS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NoAnswer;

/// How long a request may take before it counts as lost (a hung connection must not hold the
/// sync lock for ever; a resend is harmless).
pub const REQUEST_TIMEOUT_MS: i32 = 60_000;

/// `endpoint`'s method on `path` with an optional JSON body, returning whatever the server
/// answered.
pub(super) async fn request_raw(
    endpoint: Endpoint,
    path: &str,
    json: Option<&str>,
    bearer: Option<&Secret>,
) -> Result<RawAnswer, NoAnswer> {
    request_raw_signed(endpoint, path, json, bearer, None).await
}

/// [`request_raw`] with the `prepoznaj-signature` header's value (a signed team request,
/// `prepoznaj_domain::team_request`) when there is one.
async fn request_raw_signed(
    endpoint: Endpoint,
    path: &str,
    json: Option<&str>,
    bearer: Option<&Secret>,
    signature: Option<&str>,
) -> Result<RawAnswer, NoAnswer> {
    let headers = web_sys::Headers::new().map_err(|_| NoAnswer)?;
    headers
        .set("Accept", "application/json")
        .and_then(|()| match json {
            Some(_) => headers.set("Content-Type", "application/json"),
            None => Ok(()),
        })
        .and_then(|()| match bearer {
            Some(token) => headers.set("Authorization", &format!("Bearer {}", token.expose())),
            None => Ok(()),
        })
        .and_then(|()| match signature {
            Some(signature) => headers.set(SIGNATURE_HEADER, signature),
            None => Ok(()),
        })
        .map_err(|_| NoAnswer)?;
    let init = web_sys::RequestInit::new();
    init.set_method(endpoint.method().as_str());
    init.set_headers(&headers);
    if let Some(json) = json {
        init.set_body(&JsValue::from_str(json));
    }
    init.set_cache(web_sys::RequestCache::NoStore);
    let window = web_sys::window().ok_or(NoAnswer)?;
    let abort = web_sys::AbortController::new().map_err(|_| NoAnswer)?;
    init.set_signal(Some(&abort.signal()));
    let on_timeout = wasm_bindgen::closure::Closure::once_into_js({
        let abort = abort.clone();
        move || abort.abort()
    });
    let timer = window
        .set_timeout_with_callback_and_timeout_and_arguments_0(
            on_timeout.unchecked_ref(),
            REQUEST_TIMEOUT_MS,
        )
        .map_err(|_| NoAnswer)?;
    let answer = read_answer(window.fetch_with_str_and_init(path, &init)).await;
    window.clear_timeout_with_handle(timer);
    answer
}

async fn read_answer(fetched: js_sys::Promise) -> Result<RawAnswer, NoAnswer> {
    let response: web_sys::Response = JsFuture::from(fetched)
        .await
        .map_err(|_| NoAnswer)?
        .dyn_into()
        .map_err(|_| NoAnswer)?;
    let status = response.status();
    let retry_after_ms = response
        .headers()
        .get("Retry-After")
        .ok()
        .flatten()
        .and_then(|seconds| seconds.trim().parse::<u64>().ok())
        .map(|seconds| seconds.saturating_mul(1_000));
    // A body cut off on the way is a lost connection.
    let buffer = JsFuture::from(response.array_buffer().map_err(|_| NoAnswer)?)
        .await
        .map_err(|_| NoAnswer)?;
    Ok(RawAnswer {
        status,
        body: js_sys::Uint8Array::new(&buffer).to_vec(),
        retry_after_ms,
    })
}

/// `endpoint`'s method on `path` with the body `json` exactly as given (a signed request's
/// signature covers these bytes) and the signature header's value; the answer as
/// [`call_json`] reads it. Only the typed client calls this.
pub(super) async fn call_signed_json<Answer: DeserializeOwned>(
    endpoint: Endpoint,
    path: &str,
    json: Option<&str>,
    bearer: Option<&Secret>,
    signature: &str,
) -> Result<Answer, ApiCallError> {
    request_json(endpoint, path, json, bearer, Some(signature)).await
}

async fn request_json<Answer: DeserializeOwned>(
    endpoint: Endpoint,
    path: &str,
    json: Option<&str>,
    bearer: Option<&Secret>,
    signature: Option<&str>,
) -> Result<Answer, ApiCallError> {
    let answer = request_raw_signed(endpoint, path, json, bearer, signature)
        .await
        .map_err(|NoAnswer| ApiCallError::Offline)?;
    let status = answer.status;
    if (200..300).contains(&status) {
        return serde_json::from_slice(&answer.body).map_err(|_| ApiCallError::Server { status });
    }
    match serde_json::from_slice::<ApiErrorBody>(&answer.body) {
        Ok(error) if status < 500 => Err(ApiCallError::Refused {
            status,
            code: error.code,
        }),
        _ => Err(ApiCallError::Server { status }),
    }
}
