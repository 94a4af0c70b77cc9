//! End-to-end encryption as the server sees it: a canary in a report's plaintext, and in a
//! team's status change on it, appears nowhere on the server (the database: SQLite's files, or every row of every PostgreSQL table;
//! logs; responses), while the stored envelope still decrypts with the team's key, with the age
//! crate and with the standard `age` CLI.

use std::process::Command;

use base64::{Engine as _, engine::general_purpose::STANDARD};
use prepoznaj_domain::{
    endpoints::Method,
    observation::UnixMillis,
    protocol::{
        DeviceEnrolment, EnrolmentLinkCreated, StatusChangeId, TeamReports, TeamSetupResponse,
    },
};
use serde_json::json;

use crate::{
    cli::{RunningServer, Scratch, school_create},
    team_keys::{MemberKeys, TeamAccess, found_team, send_signed},
    test_app::{
        TestApp, client, code_of_link, decrypt_with, encrypt_to, new_report_id, report_for, sha256,
        submission,
    },
};

const CANARY: &str = "CANARY-7f3c2a10-Јована-Петровић-0101990710006";

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}

/// An observation as the app would encrypt it, with the canary in a note.
fn observation_with_canary() -> Vec<u8> {
    serde_json::to_vec(&json!({
        "catalogue_version": "2021-r1",
        "answers": { "relationships.collected-by-strangers": {
            "answer": "observed", "note": CANARY } },
    }))
    .unwrap()
}

#[tokio::test]
async fn a_canary_in_a_report_is_nowhere_in_the_database_logs_or_responses() {
    let scratch = Scratch::with_dist().await;
    let stdout = school_create(
        &scratch,
        &[
            "--name",
            "ОШ Канаринац",
            "--base-url",
            "https://prepoznaj.example.rs",
        ],
    )
    .await;
    let setup_code = code_of_link(stdout.lines().find(|line| line.contains("#")).unwrap());
    let server = RunningServer::start(&scratch, &["--log", "trace"]).await;
    let http = client();
    let mut seen = Vec::<u8>::new();
    let keys = MemberKeys::generate("Марија");
    let identity = keys.identity.clone();
    let base_url = server.url("");

    let response = found_team(&http, &base_url, &setup_code, &keys).await;
    let body = response.bytes().await.unwrap();
    seen.extend_from_slice(&body);
    let team: TeamSetupResponse = serde_json::from_slice(&body).unwrap();
    let member_token = team.member_token.expose();
    let access = TeamAccess {
        token: member_token.to_owned(),
        school: team.school.id.clone(),
        keys,
    };
    let response = send_signed(
        &http,
        &base_url,
        &access,
        Method::Post,
        "/api/v1/enrolment-links",
        Some(&json!({})),
    )
    .await
    .unwrap();
    let body = response.bytes().await.unwrap();
    seen.extend_from_slice(&body);
    let link: EnrolmentLinkCreated = serde_json::from_slice(&body).unwrap();
    let response = http
        .post(server.url("/api/v1/devices"))
        .json(&json!({ "enrolment_code": link.enrolment_code.expose() }))
        .send()
        .await
        .unwrap();
    let body = response.bytes().await.unwrap();
    seen.extend_from_slice(&body);
    let phone: DeviceEnrolment = serde_json::from_slice(&body).unwrap();
    let device_token = phone.device_token.expose();

    let plaintext = observation_with_canary();
    assert!(contains(&plaintext, CANARY.as_bytes()), "the search works");
    let envelope = encrypt_to(&[identity.to_public()], &plaintext);
    let report_id = new_report_id();
    let body = submission(&report_id, &envelope);
    for expected in [201, 200] {
        let response = http
            .post(server.url("/api/v1/reports"))
            .bearer_auth(device_token)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), expected);
        seen.extend(format!("{:?}", response.headers()).into_bytes());
        seen.extend_from_slice(&response.bytes().await.unwrap());
    }
    // The same canary in clear is refused, and must not be kept or echoed either.
    let plaintext_body = submission(&new_report_id(), &plaintext);
    let refused = http
        .post(server.url("/api/v1/reports"))
        .bearer_auth(device_token)
        .json(&plaintext_body)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 400);
    seen.extend_from_slice(&refused.bytes().await.unwrap());
    for path in [
        format!("/api/v1/reports/{report_id}/status"),
        "/api/v1/keys".to_owned(),
    ] {
        let response = http
            .get(server.url(&path))
            .bearer_auth(device_token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{path}");
        seen.extend_from_slice(&response.bytes().await.unwrap());
    }

    // A team member's status change, its detail with the canary, encrypted to the team.
    let change_plaintext = format!("informed the Social Care Centre: {CANARY}");
    let change_envelope = encrypt_to(&[identity.to_public()], change_plaintext.as_bytes());
    let change_id = StatusChangeId::new_v7(UnixMillis(1_764_230_400_000), [7; 10]);
    let change = json!({
        "change_id": change_id,
        "coarse_status": "acted_upon",
        "envelope": STANDARD.encode(&change_envelope),
        "envelope_sha256": sha256(&change_envelope),
    });
    for expected in [201, 200] {
        let response = send_signed(
            &http,
            &base_url,
            &access,
            Method::Post,
            &format!("/api/v1/team/reports/{report_id}/status-changes"),
            Some(&change),
        )
        .await
        .unwrap();
        assert_eq!(response.status(), expected);
        seen.extend_from_slice(&response.bytes().await.unwrap());
    }
    let response = http
        .get(server.url("/api/v1/team/reports"))
        .bearer_auth(member_token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body = response.bytes().await.unwrap();
    seen.extend_from_slice(&body);
    let inbox: TeamReports = serde_json::from_slice(&body).unwrap();
    let listed_change = &inbox.reports[0].status_changes[0];
    assert_eq!(
        decrypt_with(&identity, listed_change.envelope.as_bytes()),
        change_plaintext.as_bytes(),
        "the team reads the change's detail"
    );

    let while_running = scratch.database.dump().await;
    if scratch.database.is_postgres() {
        assert!(
            while_running
                .iter()
                .any(|(name, _)| name == "reports.envelope"),
            "the stored envelope is among what is searched"
        );
    } else {
        assert!(
            while_running.iter().any(|(name, _)| name.ends_with("-wal")),
            "the WAL is checked while it exists"
        );
    }
    let (status, log) = server.stop().await;
    assert!(status.success(), "{log}");
    assert!(
        log.contains("path=/api/v1/reports status=201"),
        "the log is captured"
    );

    let canary = CANARY.as_bytes();
    for (name, bytes) in while_running.iter().chain(&scratch.database.dump().await) {
        assert!(!contains(bytes, canary), "the canary is in {name}");
    }
    assert!(
        !contains(log.as_bytes(), canary),
        "the canary is in the log"
    );
    assert!(!contains(&seen, canary), "the canary is in a response");

    let stored = scratch.database.stored_envelope(&report_id).await;
    assert_eq!(
        decrypt_with(&identity, &stored),
        plaintext,
        "and yet it is all there"
    );
}

#[tokio::test]
async fn the_stored_envelope_decrypts_with_each_team_key_and_not_without_one() {
    let app = TestApp::spawn().await;
    let team = app.school_with_team().await;
    let phone = app.enrol(&team).await;
    let second = age::x25519::Identity::generate();
    let outsider = age::x25519::Identity::generate();
    let plaintext = observation_with_canary();
    let envelope = encrypt_to(&[team.identity.to_public(), second.to_public()], &plaintext);
    let report_id = new_report_id();
    assert_eq!(
        app.submit(&phone, &submission(&report_id, &envelope))
            .await
            .status(),
        201
    );

    let stored = app.stored_envelope(&report_id).await;

    assert_eq!(stored, envelope, "stored byte for byte");
    assert_eq!(decrypt_with(&team.identity, &stored), plaintext);
    assert_eq!(decrypt_with(&second, &stored), plaintext);
    let decryptor = age::Decryptor::new(stored.as_slice()).unwrap();
    assert!(
        decryptor
            .decrypt(std::iter::once(&outsider as &dyn age::Identity))
            .is_err()
    );
}

/// The Debian `age` package's CLI: the interoperability these tests prove.
fn age_cli() -> Command {
    let found = Command::new("age").arg("--version").output();
    assert!(
        found.is_ok_and(|output| output.status.success()),
        "the `age` command is missing: install Debian's `age` package (scripts/setup.sh does)"
    );
    Command::new("age")
}

#[tokio::test]
async fn the_age_cli_decrypts_a_stored_envelope_and_makes_envelopes_the_server_takes() {
    let app = TestApp::spawn().await;
    let team = app.school_with_team().await;
    let phone = app.enrol(&team).await;
    let scratch = tempfile::TempDir::new().unwrap();
    let identity_file = scratch.path().join("identity.txt");
    std::fs::write(
        &identity_file,
        format!(
            "{}\n",
            age::secrecy::ExposeSecret::expose_secret(&team.identity.to_string())
        ),
    )
    .unwrap();
    let plaintext = observation_with_canary();
    let (report_id, _, body) = report_for(&team, &plaintext);
    assert_eq!(app.submit(&phone, &body).await.status(), 201);
    let stored = app.stored_envelope(&report_id).await;
    let envelope_file = scratch.path().join("report.age");
    std::fs::write(&envelope_file, &stored).unwrap();

    let decrypted = age_cli()
        .arg("--decrypt")
        .arg("--identity")
        .arg(&identity_file)
        .arg(&envelope_file)
        .output()
        .unwrap();

    assert!(
        decrypted.status.success(),
        "{}",
        String::from_utf8_lossy(&decrypted.stderr)
    );
    assert_eq!(decrypted.stdout, plaintext);

    let plaintext_file = scratch.path().join("observation.json");
    std::fs::write(&plaintext_file, &plaintext).unwrap();
    let encrypted = age_cli()
        .arg("--encrypt")
        .arg("--recipient")
        .arg(team.identity.to_public().to_string())
        .arg(&plaintext_file)
        .output()
        .unwrap();
    assert!(
        encrypted.status.success(),
        "{}",
        String::from_utf8_lossy(&encrypted.stderr)
    );
    let from_cli = submission(&new_report_id(), &encrypted.stdout);
    assert_eq!(app.submit(&phone, &from_cli).await.status(), 201);
}
