//! `GET /api/health` and the API's behaviour for everything else under `/api`.

use prepoznaj_domain::protocol::{ApiErrorBody, ErrorCode, HealthResponse, PROTOCOL_VERSION};
use prepoznaj_server::{routes::routes, store::sqlite::SqliteStore};

use crate::test_app::{TestApp, header};

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

#[tokio::test]
async fn health_is_503_store_unavailable_without_internal_detail_when_store_fails() {
    let app = TestApp::spawn().await;
    // Break the schema under the running server, as a damaged or foreign file would.
    app.database
        .batch_execute("DROP TABLE schema_migrations")
        .await;

    let response = app.get("/api/health").await;

    assert_eq!(response.status(), 503);
    assert_eq!(
        header(&response, "cache-control").as_deref(),
        Some("no-store")
    );
    let body: ApiErrorBody = response.json().await.unwrap();
    assert_eq!(body.code, ErrorCode::StoreUnavailable);
    assert_eq!(body.protocol, PROTOCOL_VERSION);
    for detail in ["schema_migrations", "no such table"] {
        assert!(!body.message.contains(detail), "{}", body.message);
    }
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
        assert_eq!(body.code, ErrorCode::NotFound, "{path}");
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
    assert_eq!(body.code, ErrorCode::MethodNotAllowed);
}

#[tokio::test]
async fn every_api_response_is_no_store() {
    let app = TestApp::spawn().await;
    let team = app.school_with_team().await;
    let phone = app.enrol(&team).await;
    let id = "0192f3a4-0004-7000-8000-00000000000e";

    let mut responses = vec![app.get("/api/nope").await];
    for route in routes::<SqliteStore>() {
        let path = route.path.replace("{id}", id);
        for method in route.methods {
            for token in [None, Some(&phone.token), Some(&team.member_token)] {
                let mut request = app
                    .client
                    .request(method.clone(), format!("{}{path}", app.base_url))
                    .header("Content-Type", "application/json")
                    .body("{}");
                if let Some(token) = token {
                    request = request.bearer_auth(token);
                }
                responses.push(request.send().await.unwrap());
            }
        }
    }

    for response in responses {
        assert_eq!(
            header(&response, "cache-control").as_deref(),
            Some("no-store"),
            "{} {}",
            response.url(),
            response.status()
        );
    }
}

#[tokio::test]
async fn no_cors_headers_even_for_cross_origin_requests() {
    let app = TestApp::spawn().await;
    let team = app.school_with_team().await;
    let phone = app.enrol(&team).await;
    let origin = ("Origin", "https://elsewhere.example");

    let mut responses = vec![app.get_with("/api/health", &[origin]).await];
    for path in ["/api/health", "/api/v1/reports", "/api/v1/devices"] {
        let preflight = app
            .client
            .request(reqwest::Method::OPTIONS, format!("{}{path}", app.base_url))
            .header(origin.0, origin.1)
            .header("Access-Control-Request-Method", "POST")
            .header(
                "Access-Control-Request-Headers",
                "authorization, content-type",
            )
            .send()
            .await
            .unwrap();
        assert_eq!(preflight.status(), 405, "{path}");
        responses.push(preflight);
    }
    let (_, _, body) = crate::test_app::report_for(&team, b"observation");
    let post = app
        .client
        .post(format!("{}/api/v1/reports", app.base_url))
        .header(origin.0, origin.1)
        .bearer_auth(&phone.token)
        .json(&body)
        .send()
        .await
        .unwrap();
    responses.push(post);

    for response in responses {
        let cors: Vec<_> = response
            .headers()
            .keys()
            .filter(|name| name.as_str().starts_with("access-control-"))
            .collect();
        assert!(cors.is_empty(), "{} {cors:?}", response.url());
    }
}
