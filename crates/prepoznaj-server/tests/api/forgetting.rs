//! Forgetting for real (SQLite): once the retention job has forgotten a report, closed or never
//! closed, none of its envelope's bytes, nor its status changes', are left in `prepoznaj.db` or
//! `prepoznaj.db-wal`, read as raw files: deleted rows are overwritten (`secure_delete`), free
//! pages leave the file (`incremental_vacuum`) and the WAL is checkpointed and truncated. With
//! PostgreSQL these tests do nothing: what it keeps is the operator's to clear (README).

use prepoznaj_domain::{
    observation::UnixMillis,
    protocol::{ReceiptResponse, ReportUuid, StatusChangeRecorded},
};

use crate::{
    inbox::{change, forget_at},
    test_app::{Phone, Team, TestApp, report_for},
    test_database::TestDatabase,
};

const DAY_MILLIS: u64 = 24 * 60 * 60 * 1000;

/// Canaries of an age envelope: 32-byte windows of it every 64 bytes, from byte 64 on. Its
/// first 32 bytes (`age-encryption.org/v1` and `-> X25519 `) start every envelope; what follows
/// is random (the stanza's keys, the header's MAC, the ciphertext), so unique to this one.
fn canaries(envelope: &[u8]) -> Vec<Vec<u8>> {
    (64..=envelope.len() - 32)
        .step_by(64)
        .map(|start| envelope[start..start + 32].to_vec())
        .collect()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}

/// How many of `canaries` are in the database's files, and in which.
async fn found(database: &TestDatabase, canaries: &[Vec<u8>]) -> (usize, Vec<String>) {
    let files = database.dump().await;
    let names = files
        .iter()
        .map(|(name, _)| name.as_str())
        .collect::<Vec<_>>();
    assert!(
        names.iter().any(|name| name.ends_with("prepoznaj.db")),
        "the database file is read: {names:?}"
    );
    let mut count = 0;
    let mut holders = Vec::new();
    for canary in canaries {
        let in_files: Vec<&str> = files
            .iter()
            .filter(|(_, bytes)| contains(bytes, canary))
            .map(|(name, _)| name.as_str())
            .collect();
        if !in_files.is_empty() {
            count += 1;
            holders.extend(in_files.iter().map(|name| (*name).to_owned()));
        }
    }
    holders.sort();
    holders.dedup();
    (count, holders)
}

/// Submits a report of `size` random bytes; returns its id, the canaries of its envelope and
/// its receipt's time.
async fn sent(
    app: &TestApp,
    team: &Team,
    phone: &Phone,
    size: usize,
) -> (ReportUuid, Vec<Vec<u8>>, u64) {
    let mut plaintext = vec![0_u8; size];
    getrandom::getrandom(&mut plaintext).unwrap();
    let (report_id, envelope, body) = report_for(team, &plaintext);
    let response = app.submit(phone, &body).await;
    assert_eq!(response.status(), 201);
    let receipt = response.json::<ReceiptResponse>().await.unwrap().receipt;
    (report_id, canaries(&envelope), receipt.received_at.0)
}

/// Records a status change; returns its canaries and the answer.
async fn changed(
    app: &TestApp,
    team: &Team,
    report_id: &ReportUuid,
    coarse_status: &str,
) -> (Vec<Vec<u8>>, StatusChangeRecorded) {
    let mut detail = vec![0_u8; 300];
    getrandom::getrandom(&mut detail).unwrap();
    let body = change(team, coarse_status, &detail);
    let envelope = base64::Engine::decode(
        &base64::engine::general_purpose::STANDARD,
        body["envelope"].as_str().unwrap(),
    )
    .unwrap();
    let response = app
        .team_post(
            team,
            &format!("/api/v1/team/reports/{report_id}/status-changes"),
            &body,
        )
        .await;
    assert_eq!(response.status(), 201);
    (canaries(&envelope), response.json().await.unwrap())
}

#[tokio::test]
async fn a_forgotten_reports_envelopes_are_in_neither_the_database_file_nor_the_wal() {
    let app = TestApp::spawn().await;
    if app.database.is_postgres() {
        return;
    }
    assert_eq!(
        app.database.query_row("PRAGMA auto_vacuum", &[]).await[0].integer(),
        2,
        "incremental"
    );
    let team = app.school_with_team().await;
    let phone = app.enrol(&team).await;
    // Never closed, larger than a page (its envelope spills into overflow pages), seen once.
    let (open_id, mut open_canaries, open_received_at) = sent(&app, &team, &phone, 9_000).await;
    let (seen_canaries, _) = changed(&app, &team, &open_id, "seen").await;
    open_canaries.extend(seen_canaries);
    // Closed, small enough to stay inside its row's page.
    let (closed_id, mut closed_canaries, _) = sent(&app, &team, &phone, 200).await;
    let (acted_canaries, _) = changed(&app, &team, &closed_id, "acted_upon").await;
    let (closing_canaries, closing) = changed(&app, &team, &closed_id, "closed").await;
    closed_canaries.extend(acted_canaries);
    closed_canaries.extend(closing_canaries);
    let closed_at = closing.closed_at.unwrap();
    // The search finds what is there (a window across a page boundary may not be).
    for (name, canaries) in [("open", &open_canaries), ("closed", &closed_canaries)] {
        let (count, _) = found(&app.database, canaries).await;
        assert!(
            count * 2 > canaries.len(),
            "{name}: only {count} of {} canaries found while stored",
            canaries.len()
        );
    }
    let database = app.database.database();

    let closed_forgotten = UnixMillis(closed_at.0 + 30 * DAY_MILLIS);
    assert_eq!(forget_at(&database, closed_forgotten).await.unwrap(), 1);
    assert_eq!(
        found(&app.database, &closed_canaries).await,
        (0, Vec::new()),
        "the closed report, forgotten"
    );
    let (count, _) = found(&app.database, &open_canaries).await;
    assert!(count > 0, "the open report, still kept");

    let open_forgotten = UnixMillis(open_received_at + 180 * DAY_MILLIS);
    assert_eq!(forget_at(&database, open_forgotten).await.unwrap(), 1);
    assert_eq!(
        found(&app.database, &open_canaries).await,
        (0, Vec::new()),
        "the never-closed report, forgotten"
    );
    assert_eq!(
        app.database.query_row("PRAGMA freelist_count", &[]).await[0].integer(),
        0,
        "the freed pages left the file"
    );

    // The server goes on as before on the vacuumed file and the truncated WAL.
    let (report_id, canaries, _) = sent(&app, &team, &phone, 9_000).await;
    assert!(found(&app.database, &canaries).await.0 > 0);
    assert_eq!(
        app.stored_envelope(&report_id).await.len(),
        usize::try_from(
            app.database
                .query_row(
                    "SELECT size FROM reports WHERE id = $1",
                    &[report_id.as_str()]
                )
                .await[0]
                .integer()
        )
        .unwrap()
    );
    assert_eq!(app.stored_reports().await, 3);
}
