//! Bodies that are not what a request takes: each gets its own 4xx code in a JSON error, and
//! nothing is stored.

use serde_json::{Value, json};

use prepoznaj_domain::{
    endpoints::{Endpoint, Method},
    protocol::EnrolmentLinkCreated,
};

use crate::test_app::{TestApp, assert_error, report_for};

#[tokio::test]
async fn malformed_json_wrong_types_unknown_and_missing_fields_are_400_with_their_code() {
    let app = TestApp::spawn().await;
    let team = app.school_with_team().await;
    let phone = app.enrol(&team).await;
    let (_, _, good) = report_for(&team, b"observation");
    let with = |field: &str, value: Value| {
        let mut body = good.clone();
        body[field] = value;
        serde_json::to_vec(&body).unwrap()
    };
    let without = |field: &str| {
        let mut body = good.clone();
        body.as_object_mut().unwrap().remove(field);
        serde_json::to_vec(&body).unwrap()
    };
    let good_text = serde_json::to_string(&good).unwrap();

    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("syntax", b"{\"report_id\": ".to_vec(), "invalid_json"),
        ("not json", b"report".to_vec(), "invalid_json"),
        (
            "trailing",
            format!("{good_text} {{}}").into_bytes(),
            "invalid_json",
        ),
        ("not utf-8", vec![b'"', 0xff, 0xfe, b'"'], "invalid_json"),
        ("empty", Vec::new(), "invalid_json"),
        ("array", b"[]".to_vec(), "invalid_json"),
        ("id as number", with("report_id", json!(7)), "invalid_field"),
        (
            "version 4 id",
            with("report_id", json!("0192f3a4-5b6c-4d8e-9fa0-b1c2d3e4f506")),
            "invalid_field",
        ),
        (
            "envelope not base64",
            with("envelope", json!("plain text!")),
            "invalid_field",
        ),
        (
            "digest not hex",
            with("envelope_sha256", json!("xyz")),
            "invalid_field",
        ),
        (
            "version as text",
            with("protocol_version", json!("1")),
            "invalid_field",
        ),
        (
            "free-text catalogue",
            with("catalogue_version", json!("Child's name")),
            "invalid_field",
        ),
        (
            "unknown field",
            with("child_name", json!("x")),
            "unknown_field",
        ),
        ("missing field", without("envelope_sha256"), "missing_field"),
    ];
    for (case, body, code) in cases {
        let response = app
            .post_raw(
                "/api/v1/reports",
                Some(&phone.token),
                Some("application/json"),
                body,
            )
            .await;
        assert_eq!(response.status(), 400, "{case}");
        assert_error(response, 400, code).await;
    }
    assert_eq!(app.stored_reports().await, 0);
}

#[tokio::test]
async fn a_body_not_sent_as_json_is_415() {
    let app = TestApp::spawn().await;
    let team = app.school_with_team().await;
    let phone = app.enrol(&team).await;
    let (_, _, good) = report_for(&team, b"observation");
    let body = serde_json::to_vec(&good).unwrap();

    for content_type in [
        None,
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
    ] {
        let response = app
            .post_raw(
                "/api/v1/reports",
                Some(&phone.token),
                content_type,
                body.clone(),
            )
            .await;
        assert_error(response, 415, "unsupported_media_type").await;
    }
    let with_charset = app
        .post_raw(
            "/api/v1/reports",
            Some(&phone.token),
            Some("application/json; charset=utf-8"),
            body,
        )
        .await;
    assert_eq!(with_charset.status(), 201);
}

#[tokio::test]
async fn every_request_body_refuses_unknown_fields() {
    let app = TestApp::spawn().await;
    let team = app.school_with_team().await;
    let key = age::x25519::Identity::generate().to_public().to_string();
    let signing_key = team.setup.chain[0].version.members()[0].signing_key;

    let unsigned = [
        (
            "/api/v1/team/setup",
            json!({"setup_code": "x", "public_key": key, "signing_key": signing_key,
                   "display_name": "A", "role": "admin"}),
        ),
        (
            "/api/v1/devices",
            json!({"enrolment_code": "x", "owner": "Ana"}),
        ),
    ];
    for (path, body) in unsigned {
        assert_error(app.post_json(path, None, &body).await, 400, "unknown_field").await;
    }
    // Signed team requests: the signature holds, the body is still refused.
    let signed = [
        (
            "/api/v1/team/chain",
            json!({"version": team.setup.chain[0], "admin": true}),
        ),
        (
            "/api/v1/enrolment-links",
            json!({"valid_days": 3, "uses": 1}),
        ),
    ];
    for (path, body) in signed {
        assert_error(
            app.team_post(&team, path, &body).await,
            400,
            "unknown_field",
        )
        .await;
    }
    assert_eq!(
        app.database.count("team_members").await,
        1,
        "nothing was added"
    );
}

/// JSON Schema, in which the OpenAPI document is written, counts `27.0` as the integer 27; so
/// does the server, up to 2^53, and a number with a fraction is still refused. Found by the
/// API fuzz tier (`scripts/fuzz-api.sh`), whose generator writes integers that way.
#[tokio::test]
async fn an_integer_written_with_a_zero_fraction_is_that_integer() {
    let app = TestApp::spawn().await;
    let team = app.school_with_team().await;
    let path = Endpoint::CreateEnrolmentLink.path();
    for text in ["27.0", "2.7e1", "270e-1"] {
        let body = format!("{{\"valid_days\": {text}}}").into_bytes();
        let response = app.as_member(&team, Method::Post, path, Some(body)).await;
        assert_eq!(response.status(), 201, "{text}");
        let created: EnrolmentLinkCreated = response.json().await.unwrap();
        let days = (created.link.expires_at.0 - created.link.created_at.0) / 86_400_000;
        assert_eq!(days, 27, "{text}");
    }
    for text in ["27.5", "1e300", "-0.5", "\"27\""] {
        let body = format!("{{\"valid_days\": {text}}}").into_bytes();
        let response = app.as_member(&team, Method::Post, path, Some(body)).await;
        assert_error(response, 400, "invalid_field").await;
    }
    let body = br#"{"valid_days": 27.0, "uses": 1}"#.to_vec();
    let response = app.as_member(&team, Method::Post, path, Some(body)).await;
    assert_error(response, 400, "unknown_field").await;

    let phone = app.enrol(&team).await;
    let (report_id, _, mut submission) = report_for(&team, b"observation");
    submission["protocol_version"] = json!(1.0);
    let sent = serde_json::to_string(&submission).unwrap();
    assert!(sent.contains("\"protocol_version\":1.0"), "{sent}");
    let response = app.submit(&phone, &submission).await;
    assert_eq!(response.status(), 201);
    let receipt: Value = response.json().await.unwrap();
    assert_eq!(receipt["receipt"]["report_id"], json!(report_id.as_str()));
}

/// A body is an object: an array is refused even where every field has a default (serde
/// would read `[]` as a link request with the default lifetime and cap). Found by the API fuzz
/// tier.
#[tokio::test]
async fn an_array_is_never_a_request_body() {
    let app = TestApp::spawn().await;
    let team = app.school_with_team().await;
    let path = Endpoint::CreateEnrolmentLink.path();
    for body in ["[]", "[7]", "[7, 50]"] {
        let response = app
            .as_member(&team, Method::Post, path, Some(body.as_bytes().to_vec()))
            .await;
        assert_error(response, 400, "invalid_json").await;
    }
    let response = app
        .as_member(&team, Method::Post, path, Some(b"{}".to_vec()))
        .await;
    assert_eq!(response.status(), 201);
}
