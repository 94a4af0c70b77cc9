//! `GET /api/health` and the API's behaviour for everything else under `/api`.

use prepoznaj_domain::protocol::{ApiErrorBody, HealthResponse, PROTOCOL_VERSION};
use prepoznaj_server::{
    startup::router,
    static_files::StaticFiles,
    store::{Store, StoreError},
};
use tempfile::TempDir;

use crate::test_app::{TestApp, client, header, write_dist};

#[tokio::test]
async fn health_reports_ok_with_server_version_and_protocol() {
    let app = TestApp::spawn().await;

    let response = app.get("/api/health").await;

    assert_eq!(response.status(), 200);
    assert_eq!(
        header(&response, "content-type").as_deref(),
        Some("application/json")
    );
    let body: HealthResponse = response.json().await.unwrap();
    assert_eq!(
        body,
        HealthResponse {
            status: "ok".to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            protocol: PROTOCOL_VERSION,
        }
    );
}

/// A store that never answers, to see what a client gets when the database is down.
#[derive(Debug, Clone)]
struct UnavailableStore;

impl Store for UnavailableStore {
    async fn health_check(&self) -> Result<(), StoreError> {
        Err(StoreError::Backend {
            operation: "check the database",
            source: "secret internal detail".into(),
        })
    }
}

#[tokio::test]
async fn health_is_503_store_unavailable_without_internal_detail_when_store_fails() {
    let dist = TempDir::new().unwrap();
    write_dist(dist.path());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let app = router(UnavailableStore, StaticFiles::new(dist.path()).unwrap());
    tokio::spawn(axum::serve(listener, app).into_future());

    let response = client()
        .get(format!("http://{address}/api/health"))
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), 503);
    assert_eq!(
        header(&response, "cache-control").as_deref(),
        Some("no-store")
    );
    let body: ApiErrorBody = response.json().await.unwrap();
    assert_eq!(body.code, "store_unavailable");
    assert_eq!(body.protocol, PROTOCOL_VERSION);
    assert!(!body.message.contains("secret"), "{}", body.message);
}

#[tokio::test]
async fn unknown_api_paths_are_json_404_not_found_never_the_app() {
    let app = TestApp::spawn().await;

    for path in ["/api/nope", "/api/nope/deeper", "/api", "/api/"] {
        let response = app.get(path).await;

        assert_eq!(response.status(), 404, "{path}");
        assert_eq!(
            header(&response, "content-type").as_deref(),
            Some("application/json"),
            "{path}"
        );
        let body: ApiErrorBody = response.json().await.unwrap();
        assert_eq!(body.code, "not_found", "{path}");
        assert_eq!(body.protocol, PROTOCOL_VERSION, "{path}");
    }
}

#[tokio::test]
async fn wrong_method_on_api_resource_is_json_405() {
    let app = TestApp::spawn().await;

    let response = app
        .client
        .post(format!("{}/api/health", app.base_url))
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), 405);
    let body: ApiErrorBody = response.json().await.unwrap();
    assert_eq!(body.code, "method_not_allowed");
}

#[tokio::test]
async fn every_api_response_is_no_store() {
    let app = TestApp::spawn().await;

    for path in ["/api/health", "/api/nope"] {
        let response = app.get(path).await;

        assert_eq!(
            header(&response, "cache-control").as_deref(),
            Some("no-store"),
            "{path}"
        );
    }
}

#[tokio::test]
async fn no_cors_headers_even_for_cross_origin_requests() {
    let app = TestApp::spawn().await;
    let origin = ("Origin", "https://elsewhere.example");

    let simple = app.get_with("/api/health", &[origin]).await;
    let preflight = app
        .client
        .request(
            reqwest::Method::OPTIONS,
            format!("{}/api/health", app.base_url),
        )
        .header(origin.0, origin.1)
        .header("Access-Control-Request-Method", "POST")
        .send()
        .await
        .unwrap();

    for response in [simple, preflight] {
        let cors: Vec<_> = response
            .headers()
            .keys()
            .filter(|name| name.as_str().starts_with("access-control-"))
            .collect();
        assert!(cors.is_empty(), "{cors:?}");
    }
}
