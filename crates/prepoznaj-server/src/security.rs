//! Security headers added to every response: HTML, assets, API and errors alike.
//!
//! The policy is closed: same-origin only, no framing, no CORS headers at all. Loosening any of
//! these is a deliberate change to [`CONTENT_SECURITY_POLICY`] or [`SECURITY_HEADERS`], here.

use axum::{
    http::{HeaderName, HeaderValue, header},
    response::Response,
};

/// The app's Content Security Policy. `'wasm-unsafe-eval'` lets the app compile its own
/// WebAssembly; nothing else is evaluated, inlined or loaded from elsewhere.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; \
    script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; \
    font-src 'self'; connect-src 'self'; manifest-src 'self'; worker-src 'self'; \
    object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Every header this module sets, with its value.
pub const SECURITY_HEADERS: [(HeaderName, HeaderValue); 6] = [
    (
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    ),
    (
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    ),
    (
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    ),
    (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
    (
        HeaderName::from_static("permissions-policy"),
        HeaderValue::from_static("camera=(), microphone=(), geolocation=(), interest-cohort=()"),
    ),
    (
        HeaderName::from_static("cross-origin-opener-policy"),
        HeaderValue::from_static("same-origin"),
    ),
];

/// Sets [`SECURITY_HEADERS`] on a response, replacing any earlier value. The router applies it
/// to every response with `tower::util::MapResponseLayer`, which (unlike an axum `from_fn`
/// middleware) neither clones the inner service nor boxes a future per request.
pub fn add_security_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    for (name, value) in SECURITY_HEADERS {
        headers.insert(name, value);
    }
    response
}
