//! Security headers on every kind of response: the shell, assets, API answers and errors; and
//! Strict-Transport-Security on all of them when, and only when, the base URL is https://.

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

/// Two years, this host only: no `includeSubDomains`, no `preload`.
const EXPECTED_HSTS: &str = "max-age=63072000";

/// One of each kind of response: pages, assets, API answers and errors, with their status.
fn every_kind_of_response() -> [(String, u16); 7] {
    [
        ("/".to_owned(), 200),
        ("/observe".to_owned(), 200),
        (format!("/{HASHED_JS}"), 200),
        ("/sw.js".to_owned(), 200),
        ("/api/health".to_owned(), 200),
        ("/api/nope".to_owned(), 404),
        ("/missing.png".to_owned(), 404),
    ]
}

/// Each of [`every_kind_of_response`] as `app` answers it: its path and its HSTS header.
async fn strict_transport_security(app: &TestApp) -> Vec<(String, Option<String>)> {
    let mut answers = Vec::new();
    for (path, status) in every_kind_of_response() {
        let response = app.get(&path).await;
        assert_eq!(response.status(), status, "{path}");
        let hsts = header(&response, "strict-transport-security");
        answers.push((path, hsts));
    }
    answers
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = TestApp::spawn().await;

    for (path, status) in every_kind_of_response() {
        let response = app.get_with(&path, &[("Accept-Encoding", "br")]).await;

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

#[tokio::test]
async fn an_https_base_url_puts_strict_transport_security_on_every_response() {
    let app = TestApp::spawn_with(|config| {
        config.base_url = Some("https://prepoznaj.example.rs/".to_owned());
    })
    .await;

    for (path, hsts) in strict_transport_security(&app).await {
        assert_eq!(hsts.as_deref(), Some(EXPECTED_HSTS), "{path}");
    }
}

#[tokio::test]
async fn no_base_url_or_http_on_this_machine_sends_no_strict_transport_security() {
    let without = TestApp::spawn().await;
    let loopback = TestApp::spawn_with(|config| {
        config.base_url = Some("http://localhost:8080".to_owned());
    })
    .await;

    for app in [without, loopback] {
        for (path, hsts) in strict_transport_security(&app).await {
            assert_eq!(hsts, None, "{path}");
        }
    }
}
