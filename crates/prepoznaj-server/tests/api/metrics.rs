//! `GET /metrics` on `--metrics-bind`'s own listener: requests by method, route template and
//! status, the reports stored, the writes waiting; no id, school or token in any label, and
//! nothing of it on the app's own address.

use prepoznaj_domain::protocol::ReceiptResponse;

use crate::test_app::{TestApp, report_for};

/// The value of the sample `name{labels}` (or `name` alone) in `text`.
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .and_then(|value| value.parse().ok())
}

#[tokio::test]
async fn metrics_count_requests_by_route_template_and_never_name_an_id() {
    let (app, metrics) = TestApp::spawn_with_metrics().await;
    let team = app.school_with_team().await;
    let phone = app.enrol(&team).await;
    let (report_id, _, body) = report_for(&team, b"observation");
    let stored = app.submit(&phone, &body).await;
    assert_eq!(stored.status(), 201);
    let receipt = stored.json::<ReceiptResponse>().await.unwrap().receipt;
    assert_eq!(app.submit(&phone, &body).await.status(), 200);
    let status = app
        .get_authorized(&format!("/api/v1/reports/{report_id}/status"), &phone.token)
        .await;
    assert_eq!(status.status(), 200);
    assert_eq!(app.get("/api/v1/nothing-here").await.status(), 404);

    let response = app
        .client
        .get(format!("http://{metrics}/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );
    let text = response.text().await.unwrap();
    for (series, expected) in [
        (
            r#"prepoznaj_http_requests_total{method="POST",route="/api/v1/reports",status="201"}"#,
            1.0,
        ),
        (
            r#"prepoznaj_http_requests_total{method="POST",route="/api/v1/reports",status="200"}"#,
            1.0,
        ),
        (
            r#"prepoznaj_http_requests_total{method="GET",route="/api/v1/reports/{id}/status",status="200"}"#,
            1.0,
        ),
        (
            r#"prepoznaj_http_requests_total{method="GET",route="/api",status="404"}"#,
            1.0,
        ),
        (
            r#"prepoznaj_http_request_duration_seconds_count{method="POST",route="/api/v1/reports"}"#,
            2.0,
        ),
        ("prepoznaj_reports_stored", 1.0),
        ("prepoznaj_reports_forgotten", 0.0),
        ("prepoznaj_database_writes_waiting", 0.0),
        ("prepoznaj_database_errors_total", 0.0),
    ] {
        assert_eq!(sample(&text, series), Some(expected), "{series} in\n{text}");
    }
    for secret in [
        report_id.as_str(),
        team.setup.school.id.as_str(),
        phone.token.as_str(),
        team.member_token.as_str(),
        &receipt.envelope_sha256.to_hex(),
    ] {
        assert!(!text.contains(secret), "{secret} in the metrics");
    }

    let on_the_apps_address = app.get("/metrics").await.text().await.unwrap();
    assert!(!on_the_apps_address.contains("prepoznaj_http_requests_total"));
}
