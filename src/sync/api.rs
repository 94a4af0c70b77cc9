//! JSON requests to the app's own server (`connect-src 'self'`), with an optional bearer
//! token. Failures are typed so that pages can say, translated, what the person can do:
//! offline, a refusal with the server's stable code, or a server fault.

use prepoznaj_domain::protocol::{ApiErrorBody, ErrorCode, Secret};
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

/// `POST path` with `body` as JSON; the answer's body as `Answer` when the status is 2xx.
pub async fn post_json<Body: Serialize, Answer: DeserializeOwned>(
    path: &str,
    body: &Body,
    bearer: Option<&Secret>,
) -> Result<Answer, ApiCallError> {
    let json = serde_json::to_string(body).map_err(|_| ApiCallError::Server { status: 0 })?;
    request_json("POST", path, Some(&json), bearer).await
}

/// `DELETE path`; the answer's body as `Answer` when the status is 2xx.
pub async fn delete_json<Answer: DeserializeOwned>(
    path: &str,
    bearer: Option<&Secret>,
) -> Result<Answer, ApiCallError> {
    request_json("DELETE", path, None, bearer).await
}

async fn request_json<Answer: DeserializeOwned>(
    method: &str,
    path: &str,
    json: Option<&str>,
    bearer: Option<&Secret>,
) -> Result<Answer, ApiCallError> {
    let headers = web_sys::Headers::new().map_err(|_| ApiCallError::Offline)?;
    let set = headers
        .set("Accept", "application/json")
        .and_then(|()| match json {
            Some(_) => headers.set("Content-Type", "application/json"),
            None => Ok(()),
        })
        .and_then(|()| match bearer {
            Some(token) => headers.set("Authorization", &format!("Bearer {}", token.expose())),
            None => Ok(()),
        });
    if set.is_err() {
        return Err(ApiCallError::Offline);
    }
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    init.set_headers(&headers);
    if let Some(json) = json {
        init.set_body(&JsValue::from_str(json));
    }
    init.set_cache(web_sys::RequestCache::NoStore);
    let window = web_sys::window().ok_or(ApiCallError::Offline)?;
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str_and_init(path, &init))
        .await
        .map_err(|_| ApiCallError::Offline)?
        .dyn_into()
        .map_err(|_| ApiCallError::Offline)?;
    let status = response.status();
    // A body cut off on the way is a lost connection.
    let text = JsFuture::from(response.text().map_err(|_| ApiCallError::Offline)?)
        .await
        .map_err(|_| ApiCallError::Offline)?
        .as_string()
        .ok_or(ApiCallError::Server { status })?;
    if response.ok() {
        return serde_json::from_str(&text).map_err(|_| ApiCallError::Server { status });
    }
    match serde_json::from_str::<ApiErrorBody>(&text) {
        Ok(error) if status < 500 => Err(ApiCallError::Refused {
            status,
            code: error.code,
        }),
        _ => Err(ApiCallError::Server { status }),
    }
}
