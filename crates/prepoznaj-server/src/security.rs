//! Security headers added to every response: HTML, assets, API and errors alike.
//!
//! The policy is closed: same-origin only, no framing, no CORS headers at all. Loosening any of
//! these is a deliberate change to [`CONTENT_SECURITY_POLICY`] or [`SECURITY_HEADERS`], here.
//! [`STRICT_TRANSPORT_SECURITY`] is added only when the server's public address is `https://`
//! ([`Transport`]).

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

/// `Strict-Transport-Security` for a server people open at an `https://` address: a browser
/// that got it once goes to https:// for this host for two years, even from an http:// link or
/// a typed address. This host only: no `includeSubDomains`, because the school administration's
/// other hosts under the same domain are not ours to pin to https; no `preload`, which needs
/// `includeSubDomains` and would pin the whole domain in the browsers' built-in lists.
pub const STRICT_TRANSPORT_SECURITY: HeaderValue = HeaderValue::from_static("max-age=63072000");

/// How people reach the server, as its `--base-url` says; decides [`STRICT_TRANSPORT_SECURITY`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// The base URL is `https://`: every response carries [`STRICT_TRANSPORT_SECURITY`].
    Https,
    /// No base URL, or an `http://` one (only loopback passes the check): no HSTS, which would
    /// bind this host to an https it may not have, for two years.
    PlainOrUnknown,
}

impl Transport {
    /// From the checked base URL (`Config::checked_base_url`), if any.
    pub fn of_base_url(base_url: Option<&str>) -> Self {
        match base_url {
            Some(url) if url.starts_with("https://") => Self::Https,
            _ => Self::PlainOrUnknown,
        }
    }
}

/// Sets [`STRICT_TRANSPORT_SECURITY`] on a response, replacing any earlier value; the router
/// applies it (as [`add_security_headers`]) to every response when the transport is
/// [`Transport::Https`].
pub fn add_strict_transport_security(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::STRICT_TRANSPORT_SECURITY, STRICT_TRANSPORT_SECURITY);
    response
}

#[cfg(test)]
mod tests {
    use super::Transport;

    #[test]
    fn only_an_https_base_url_turns_on_strict_transport_security() {
        for (base_url, expected) in [
            (Some("https://prepoznaj.example.rs"), Transport::Https),
            (Some("https://[::1]:8443"), Transport::Https),
            (Some("http://localhost:8080"), Transport::PlainOrUnknown),
            (Some("http://127.0.0.1:8080"), Transport::PlainOrUnknown),
            (None, Transport::PlainOrUnknown),
        ] {
            assert_eq!(Transport::of_base_url(base_url), expected, "{base_url:?}");
        }
    }
}
