//! Security headers on every kind of response: the shell, assets, API answers and errors.

use crate::test_app::{HASHED_JS, TestApp, header};

/// The expected policy, written out here so that any change to the server's is a visible diff.
const EXPECTED: [(&str, &str); 6] = [
    (
        "content-security-policy",
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data:; font-src 'self'; connect-src 'self'; manifest-src 'self'; \
         worker-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
         frame-ancestors 'none'",
    ),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "no-referrer"),
    ("x-frame-options", "DENY"),
    (
        "permissions-policy",
        "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    ),
    ("cross-origin-opener-policy", "same-origin"),
];

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = TestApp::spawn().await;
    let hashed_js = format!("/{HASHED_JS}");

    for (path, status) in [
        ("/", 200),
        ("/observe", 200),
        (hashed_js.as_str(), 200),
        ("/sw.js", 200),
        ("/api/health", 200),
        ("/api/nope", 404),
        ("/missing.png", 404),
    ] {
        let response = app.get_with(path, &[("Accept-Encoding", "br")]).await;

        assert_eq!(response.status(), status, "{path}");
        for (name, value) in EXPECTED {
            assert_eq!(
                header(&response, name).as_deref(),
                Some(value),
                "{name} on {path}"
            );
        }
    }
}
