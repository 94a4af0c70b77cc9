//! `POST /api/v1/reports` and `GET /api/v1/reports/{id}/status`: stored once, retries answered
//! with the first receipt, conflicts and non-envelopes refused with nothing stored.

use base64::{Engine as _, engine::general_purpose::STANDARD};
use prepoznaj_domain::protocol::{ReceiptResponse, ReportStatus};
use serde_json::json;

use crate::test_app::{
    TestApp, assert_error, encrypt_to, header, new_report_id, report_for, sha256, submission,
};

#[tokio::test]
async fn a_new_report_is_stored_and_acknowledged_with_201_and_its_receipt() {
    let app = TestApp::spawn().await;
    let team = app.school_with_team().await;
    let phone = app.enrol(&team).await;
    let (report_id, envelope, body) = report_for(&team, b"observation");

    let response = app.submit(&phone, &body).await;

    assert_eq!(response.status(), 201);
    assert_eq!(
        header(&response, "location"),
        Some(format!("/api/v1/reports/{report_id}/status"))
    );
    assert_eq!(
        header(&response, "cache-control").as_deref(),
        Some("no-store")
    );
    let receipt = response.json::<ReceiptResponse>().await.unwrap().receipt;
    assert_eq!(receipt.report_id, report_id);
    assert_eq!(receipt.status, ReportStatus::Received);
    assert_eq!(receipt.envelope_sha256, sha256(&envelope));
    let row = app
        .database
        .query_row(
            "SELECT envelope, size, school_id, status FROM reports WHERE id = $1",
            &[report_id.as_str()],
        )
        .await;
    assert_eq!(row[0].bytes(), envelope);
    assert_eq!(row[1].integer(), i64::try_from(envelope.len()).unwrap());
    assert_eq!(row[2].text(), team.setup.school.id.as_str());
    assert_eq!(row[3].text(), "received");
}

#[tokio::test]
async fn an_identical_resend_gets_200_with_the_original_receipt() {
    let app = TestApp::spawn().await;
    let team = app.school_with_team().await;
    let phone = app.enrol(&team).await;
    let (_, _, body) = report_for(&team, b"observation");

    let first = app.submit(&phone, &body).await;
    assert_eq!(first.status(), 201);
    let first: ReceiptResponse = first.json().await.unwrap();
    for _ in 0..3 {
        let again = app.submit(&phone, &body).await;

        assert_eq!(again.status(), 200);
        assert_eq!(header(&again, "location"), None);
        let again: ReceiptResponse = again.json().await.unwrap();
        assert_eq!(
            again.receipt, first.receipt,
            "the receipt of the first time"
        );
    }
    assert_eq!(app.stored_reports().await, 1);
}

#[tokio::test]
async fn another_envelope_or_catalogue_under_a_known_id_is_409_report_conflict() {
    let app = TestApp::spawn().await;
    let team = app.school_with_team().await;
    let phone = app.enrol(&team).await;
    let (report_id, envelope, body) = report_for(&team, b"first");
    assert_eq!(app.submit(&phone, &body).await.status(), 201);

    let other_envelope = encrypt_to(&[team.identity.to_public()], b"second");
    let mut other_catalogue = body.clone();
    other_catalogue["catalogue_version"] = json!("2021-r2");
    for conflicting in [submission(&report_id, &other_envelope), other_catalogue] {
        assert_error(
            app.submit(&phone, &conflicting).await,
            409,
            "report_conflict",
        )
        .await;
    }

    assert_eq!(app.stored_reports().await, 1);
    assert_eq!(
        app.stored_envelope(&report_id).await,
        envelope,
        "the first report is kept"
    );
}

#[tokio::test]
async fn a_body_over_256_kib_is_413_and_one_just_under_is_accepted() {
    let app = TestApp::spawn().await;
    let team = app.school_with_team().await;
    let phone = app.enrol(&team).await;

    // 190 KiB of envelope is about 253 KiB of base64: under the limit with the other fields.
    let (_, _, fits) = report_for(&team, &vec![b'x'; 190 * 1024]);
    assert_eq!(app.submit(&phone, &fits).await.status(), 201);

    let (_, _, too_large) = report_for(&team, &vec![b'x'; 200 * 1024]);
    assert_error(app.submit(&phone, &too_large).await, 413, "body_too_large").await;
    assert_eq!(app.stored_reports().await, 1);
}

#[tokio::test]
async fn plaintext_armor_and_passphrase_envelopes_are_refused_and_not_stored() {
    let app = TestApp::spawn().await;
    let team = app.school_with_team().await;
    let phone = app.enrol(&team).await;
    let plaintext = br#"{"answers": {"behaviour.absent-without-reason": "observed"}}"#.to_vec();
    let real = encrypt_to(&[team.identity.to_public()], b"observation");
    let mut armored = b"-----BEGIN AGE ENCRYPTED FILE-----\n".to_vec();
    armored.extend_from_slice(STANDARD.encode(&real).as_bytes());
    armored.extend_from_slice(b"\n-----END AGE ENCRYPTED FILE-----\n");
    let passphrase = {
        let encryptor = age::Encryptor::with_user_passphrase(age::secrecy::SecretString::from(
            "correct horse".to_owned(),
        ));
        let mut bytes = Vec::new();
        let mut writer = encryptor.wrap_output(&mut bytes).unwrap();
        std::io::Write::write_all(&mut writer, b"observation").unwrap();
        writer.finish().unwrap();
        bytes
    };

    for refused in [plaintext, armored, passphrase, Vec::new()] {
        let body = submission(&new_report_id(), &refused);
        assert_error(app.submit(&phone, &body).await, 400, "not_an_age_envelope").await;
    }
    assert_eq!(app.stored_reports().await, 0);
}

#[tokio::test]
async fn a_wrong_digest_or_protocol_version_is_refused() {
    let app = TestApp::spawn().await;
    let team = app.school_with_team().await;
    let phone = app.enrol(&team).await;
    let (_, _, body) = report_for(&team, b"observation");

    let mut wrong_digest = body.clone();
    wrong_digest["envelope_sha256"] = json!(sha256(b"something else").to_hex());
    assert_error(
        app.submit(&phone, &wrong_digest).await,
        400,
        "hash_mismatch",
    )
    .await;

    let mut newer_protocol = body.clone();
    newer_protocol["protocol_version"] = json!(2);
    assert_error(
        app.submit(&phone, &newer_protocol).await,
        400,
        "unsupported_protocol_version",
    )
    .await;
    assert_eq!(app.stored_reports().await, 0);
}

#[tokio::test]
async fn status_follows_the_team_and_is_only_for_the_same_school() {
    let app = TestApp::spawn().await;
    let team = app.school_with_team().await;
    let phone = app.enrol(&team).await;
    let colleague = app.enrol(&team).await;
    let (report_id, _, body) = report_for(&team, b"observation");
    let stored: ReceiptResponse = app.submit(&phone, &body).await.json().await.unwrap();
    let path = format!("/api/v1/reports/{report_id}/status");

    let response = app.get_authorized(&path, &phone.token).await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        header(&response, "cache-control").as_deref(),
        Some("no-store")
    );
    let status: ReceiptResponse = response.json().await.unwrap();
    assert_eq!(status.receipt, stored.receipt);

    // The team's side of this is not built yet: its status change is a row update.
    app.database
        .execute(
            "UPDATE reports SET status = 'acted_upon' WHERE id = $1",
            &[report_id.as_str()],
        )
        .await;
    let status: ReceiptResponse = app
        .get_authorized(&path, &colleague.token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(status.receipt.status, ReportStatus::ActedUpon);
    assert_eq!(status.receipt.received_at, stored.receipt.received_at);

    let other_school = app.school_with_team().await;
    let stranger = app.enrol(&other_school).await;
    assert_error(
        app.get_authorized(&path, &stranger.token).await,
        404,
        "not_found",
    )
    .await;
    let unknown = format!("/api/v1/reports/{}/status", new_report_id());
    assert_error(
        app.get_authorized(&unknown, &phone.token).await,
        404,
        "not_found",
    )
    .await;
    let not_an_id = "/api/v1/reports/not-a-uuid/status";
    assert_error(
        app.get_authorized(not_an_id, &phone.token).await,
        404,
        "not_found",
    )
    .await;
}

#[tokio::test]
async fn reports_need_a_valid_device_token() {
    let app = TestApp::spawn().await;
    let team = app.school_with_team().await;
    let phone = app.enrol(&team).await;
    let (report_id, _, body) = report_for(&team, b"observation");

    let missing = app.post_json("/api/v1/reports", None, &body).await;
    assert_eq!(
        header(&missing, "www-authenticate").as_deref(),
        Some("Bearer")
    );
    assert_error(missing, 401, "unauthorized").await;
    for wrong in ["not-a-token", team.member_token.as_str()] {
        assert_error(
            app.post_json("/api/v1/reports", Some(wrong), &body).await,
            401,
            "unauthorized",
        )
        .await;
    }
    let status = format!("/api/v1/reports/{report_id}/status");
    assert_error(app.get(&status).await, 401, "unauthorized").await;

    let device = format!("/api/v1/devices/{}", phone.enrolment.device_id);
    assert_eq!(app.team_delete(&team, &device).await.status(), 200);
    let revoked = app.submit(&phone, &body).await;
    assert_eq!(
        header(&revoked, "www-authenticate").as_deref(),
        Some("Bearer")
    );
    assert_error(revoked, 401, "token_revoked").await;
    assert_error(
        app.get_authorized(&status, &phone.token).await,
        401,
        "token_revoked",
    )
    .await;
    assert_eq!(app.stored_reports().await, 0);
}
