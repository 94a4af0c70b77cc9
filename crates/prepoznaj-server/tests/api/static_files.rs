//! The built app: cache policy, content types, precompressed variants, client-route fallback.

use crate::test_app::{
    HASHED_CSS, HASHED_JS, HASHED_JS_BODY, HASHED_JS_BR, HASHED_JS_GZ, HASHED_WASM, INDEX_HTML,
    MANIFEST, OBSERVE_HTML, SERVICE_WORKER_V1, TestApp, header,
};

const IMMUTABLE: &str = "public, max-age=31536000, immutable";

#[tokio::test]
async fn content_hashed_assets_are_cached_for_a_year_as_immutable() {
    let app = TestApp::spawn().await;

    for name in [HASHED_JS, HASHED_WASM, HASHED_CSS] {
        let response = app.get(&format!("/{name}")).await;

        assert_eq!(response.status(), 200, "{name}");
        assert_eq!(
            header(&response, "cache-control").as_deref(),
            Some(IMMUTABLE),
            "{name}"
        );
    }
}

#[tokio::test]
async fn shell_service_worker_manifest_and_icons_must_be_revalidated() {
    let app = TestApp::spawn().await;

    for path in [
        "/",
        "/index.html",
        "/sw.js",
        "/manifest.webmanifest",
        "/icons/icon-192.png",
    ] {
        let response = app.get(path).await;

        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(
            header(&response, "cache-control").as_deref(),
            Some("no-cache"),
            "{path}"
        );
    }
}

#[tokio::test]
async fn files_are_sent_with_the_content_type_browsers_require() {
    let app = TestApp::spawn().await;

    for (path, content_type) in [
        ("/", "text/html; charset=utf-8"),
        ("/index.html", "text/html; charset=utf-8"),
        (&format!("/{HASHED_WASM}"), "application/wasm"),
        (&format!("/{HASHED_JS}"), "text/javascript"),
        ("/sw.js", "text/javascript"),
        (&format!("/{HASHED_CSS}"), "text/css"),
        ("/manifest.webmanifest", "application/manifest+json"),
        ("/icons/icon-192.png", "image/png"),
    ] {
        let response = app.get(path).await;

        assert_eq!(
            header(&response, "content-type").as_deref(),
            Some(content_type),
            "{path}"
        );
    }
}

#[tokio::test]
async fn brotli_sibling_is_sent_when_the_client_accepts_br() {
    let app = TestApp::spawn().await;

    let response = app
        .get_with(
            &format!("/{HASHED_JS}"),
            &[("Accept-Encoding", "gzip, deflate, br")],
        )
        .await;

    assert_eq!(header(&response, "content-encoding").as_deref(), Some("br"));
    assert_eq!(
        header(&response, "content-type").as_deref(),
        Some("text/javascript")
    );
    assert_eq!(
        header(&response, "vary").as_deref(),
        Some("accept-encoding")
    );
    assert_eq!(
        header(&response, "cache-control").as_deref(),
        Some(IMMUTABLE)
    );
    assert_eq!(response.bytes().await.unwrap(), HASHED_JS_BR);
}

#[tokio::test]
async fn gzip_sibling_is_sent_when_the_client_accepts_only_gzip() {
    let app = TestApp::spawn().await;

    let response = app
        .get_with(&format!("/{HASHED_JS}"), &[("Accept-Encoding", "gzip")])
        .await;

    assert_eq!(
        header(&response, "content-encoding").as_deref(),
        Some("gzip")
    );
    assert_eq!(
        header(&response, "vary").as_deref(),
        Some("accept-encoding")
    );
    assert_eq!(response.bytes().await.unwrap(), HASHED_JS_GZ);
}

#[tokio::test]
async fn plain_file_is_sent_when_no_encoding_is_accepted() {
    let app = TestApp::spawn().await;

    for accept_encoding in [None, Some("identity")] {
        let headers: Vec<_> = accept_encoding
            .map(|value| ("Accept-Encoding", value))
            .into_iter()
            .collect();
        let response = app.get_with(&format!("/{HASHED_JS}"), &headers).await;

        assert_eq!(
            header(&response, "content-encoding"),
            None,
            "{accept_encoding:?}"
        );
        assert_eq!(
            header(&response, "vary").as_deref(),
            Some("accept-encoding")
        );
        assert_eq!(
            response.bytes().await.unwrap(),
            HASHED_JS_BODY,
            "{accept_encoding:?}"
        );
    }
}

#[tokio::test]
async fn plain_file_is_sent_when_the_compressed_sibling_is_missing() {
    let app = TestApp::spawn().await;

    let response = app
        .get_with(
            &format!("/{HASHED_CSS}"),
            &[("Accept-Encoding", "br, gzip")],
        )
        .await;

    assert_eq!(response.status(), 200);
    assert_eq!(header(&response, "content-encoding"), None);
    assert_eq!(
        response.bytes().await.unwrap(),
        "body { margin: 0 }".as_bytes()
    );
}

#[tokio::test]
async fn client_routes_get_the_page_of_their_bundle() {
    let app = TestApp::spawn().await;

    for (path, page) in [
        ("/observe", OBSERVE_HTML),
        ("/observe/0190-x/summary", OBSERVE_HTML),
        ("/quick", OBSERVE_HTML),
        ("/observer", INDEX_HTML),
        ("/guidance/x", INDEX_HTML),
        ("/guidance/x/", INDEX_HTML),
    ] {
        let response = app.get(path).await;

        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(
            header(&response, "cache-control").as_deref(),
            Some("no-cache"),
            "{path}"
        );
        assert_eq!(
            header(&response, "content-type").as_deref(),
            Some("text/html; charset=utf-8"),
            "{path}"
        );
        assert_eq!(response.text().await.unwrap(), page, "{path}");
    }
}

#[tokio::test]
async fn a_missing_file_is_404_not_the_app_shell() {
    let app = TestApp::spawn().await;

    for path in ["/prepoznaj-ffffffffffffffff.js", "/missing.png"] {
        let response = app.get(path).await;

        assert_eq!(response.status(), 404, "{path}");
        assert_eq!(
            header(&response, "cache-control").as_deref(),
            Some("no-cache"),
            "{path}"
        );
        assert_ne!(response.text().await.unwrap(), INDEX_HTML, "{path}");
    }
}

#[tokio::test]
async fn a_replaced_service_worker_is_served_at_once() {
    let app = TestApp::spawn().await;
    assert_eq!(
        app.get("/sw.js").await.bytes().await.unwrap(),
        SERVICE_WORKER_V1
    );

    let version_two = b"// service worker v2, longer than v1\n";
    std::fs::write(app.dist_dir.path().join("sw.js"), version_two).unwrap();

    assert_eq!(
        app.get("/sw.js").await.bytes().await.unwrap(),
        version_two.as_slice()
    );
}

#[tokio::test]
async fn files_that_must_be_revalidated_are_always_sent_whole() {
    // A service worker replaced within the same second as the old one must still be seen:
    // no one-second Last-Modified validator, and a conditional request gets the full file.
    let app = TestApp::spawn().await;
    for path in ["/", "/manifest.webmanifest", "/observe"] {
        let first = app.get(path).await;
        assert_eq!(header(&first, "last-modified"), None, "{path}");
        let again = app
            .get_with(
                path,
                &[("If-Modified-Since", "Fri, 27 Nov 2026 23:26:51 GMT")],
            )
            .await;
        assert_eq!(again.status(), 200, "{path}");
        assert_eq!(
            header(&again, "cache-control").as_deref(),
            Some("no-cache"),
            "{path}"
        );
    }
    let manifest = app
        .get_with(
            "/manifest.webmanifest",
            &[("If-Modified-Since", "Fri, 27 Nov 2026 23:26:51 GMT")],
        )
        .await;
    assert_eq!(manifest.text().await.unwrap(), MANIFEST);
}
