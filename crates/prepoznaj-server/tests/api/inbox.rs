//! The team's inbox: `GET /api/v1/team/reports` lists the school's reports (and only its
//! school's) newest first, a page at a time, with their encrypted status changes;
//! `POST /api/v1/team/reports/{id}/status-changes` records a change once and tells the reporter
//! only "received" or "acted upon"; the retention job, run at a chosen time, deletes closed
//! reports' envelopes after their period and never-closed ones' after theirs, the listing says
//! when for each, and a phone's late resend is still answered with its receipt.

use prepoznaj_domain::{
    observation::UnixMillis,
    protocol::{
        ReceiptResponse, ReportReceipt, ReportStatus, ReportUuid, StatusChangeId,
        StatusChangeRecorded, TeamReport, TeamReports,
    },
};
use prepoznaj_server::{
    StartupError,
    credentials::now,
    retention::forget_reports_in,
    store::{Database, rules::Retention},
};
use serde_json::{Value, json};

use crate::test_app::{
    Phone, Team, TestApp, assert_error, decrypt_with, encrypt_to, report_for, sha256, submission,
};

const DAY_MILLIS: u64 = 24 * 60 * 60 * 1000;

/// The periods a test server keeps reports for unless the test changes them.
const DEFAULT_RETENTION: Retention = Retention {
    closed_days: 30,
    unclosed_days: 180,
};

/// One run of the retention job at `at`, with the test server's default periods.
pub(crate) async fn forget_at(database: &Database, at: UnixMillis) -> Result<u64, StartupError> {
    forget_reports_in(database, DEFAULT_RETENTION, at).await
}

/// A new status change of `coarse_status` with `detail` encrypted to the team.
pub(crate) fn change(team: &Team, coarse_status: &str, detail: &[u8]) -> Value {
    let mut random = [0_u8; 10];
    getrandom::getrandom(&mut random).unwrap();
    let envelope = encrypt_to(&[team.identity.to_public()], detail);
    json!({
        "change_id": StatusChangeId::new_v7(now(), random),
        "coarse_status": coarse_status,
        "envelope": base64_of(&envelope),
        "envelope_sha256": sha256(&envelope),
    })
}

fn base64_of(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

async fn post_change(
    app: &TestApp,
    team: &Team,
    report_id: &ReportUuid,
    body: &Value,
) -> reqwest::Response {
    app.team_post(
        team,
        &format!("/api/v1/team/reports/{report_id}/status-changes"),
        body,
    )
    .await
}

async fn list(app: &TestApp, team: &Team, query: &str) -> TeamReports {
    let response = app
        .get_authorized(&format!("/api/v1/team/reports{query}"), &team.member_token)
        .await;
    assert_eq!(response.status(), 200, "{query}");
    response.json().await.unwrap()
}

/// What the reporter's phone sees.
async fn reporter_status(app: &TestApp, phone: &Phone, report_id: &ReportUuid) -> ReportStatus {
    let response = app
        .get_authorized(&format!("/api/v1/reports/{report_id}/status"), &phone.token)
        .await;
    assert_eq!(response.status(), 200);
    response
        .json::<ReceiptResponse>()
        .await
        .unwrap()
        .receipt
        .status
}

/// Submits a new report of `team`'s school from `phone`; returns its id and when it arrived.
async fn sent(app: &TestApp, team: &Team, phone: &Phone, plaintext: &[u8]) -> (ReportUuid, u64) {
    let (report_id, _, body) = report_for(team, plaintext);
    let response = app.submit(phone, &body).await;
    assert_eq!(response.status(), 201);
    let receipt = response.json::<ReceiptResponse>().await.unwrap().receipt;
    (report_id, receipt.received_at.0)
}

/// A report's row as the retention job leaves it: envelope, envelope_deleted_at, status,
/// closed_at, envelope_sha256.
async fn tombstone(app: &TestApp, report_id: &ReportUuid) -> Vec<crate::test_database::SqlValue> {
    app.database
        .query_row(
            "SELECT envelope, envelope_deleted_at, status, closed_at, envelope_sha256
             FROM reports WHERE id = $1",
            &[report_id.as_str()],
        )
        .await
}

/// A phone's late resend of a forgotten report (`body`, sealed as `envelope`): its receipt,
/// the tombstone left as it was, and a status change on it refused. Returns the receipt.
async fn resent_after_forgetting(
    app: &TestApp,
    team: &Team,
    phone: &Phone,
    (report_id, envelope, body): (&ReportUuid, &[u8], &Value),
) -> ReportReceipt {
    let reports_before = app.stored_reports().await;
    let resend = app.submit(phone, body).await;
    assert_eq!(resend.status(), 200);
    let receipt = resend.json::<ReceiptResponse>().await.unwrap().receipt;
    assert_eq!(receipt.report_id, *report_id);
    assert_eq!(receipt.envelope_sha256, sha256(envelope));
    assert_eq!(app.stored_reports().await, reports_before);
    assert_eq!(
        app.database
            .query_row(
                "SELECT envelope FROM reports WHERE id = $1",
                &[report_id.as_str()],
            )
            .await[0],
        crate::test_database::SqlValue::Null,
        "not stored again"
    );
    assert_error(
        post_change(app, team, report_id, &change(team, "seen", b"too late")).await,
        410,
        "report_forgotten",
    )
    .await;
    receipt
}

fn ids(reports: &[TeamReport]) -> Vec<&str> {
    reports
        .iter()
        .map(|report| report.report_id.as_str())
        .collect()
}

#[tokio::test]
async fn a_team_reads_its_schools_reports_newest_first_and_never_another_schools() {
    let app = TestApp::spawn().await;
    let team = app.school_with_team().await;
    let phone = app.enrol(&team).await;
    let other_team = app.school_with_team().await;
    let other_phone = app.enrol(&other_team).await;
    let mut ours = Vec::new();
    for index in 0..3_u8 {
        let plaintext = [b'r', index];
        ours.push((sent(&app, &team, &phone, &plaintext).await, plaintext));
    }
    let (theirs, _) = sent(&app, &other_team, &other_phone, b"their report").await;

    let listed = list(&app, &team, "").await;

    let mut expected: Vec<_> = ours.iter().map(|((id, at), _)| (*at, id.clone())).collect();
    expected.sort();
    expected.reverse();
    let expected: Vec<&str> = expected.iter().map(|(_, id)| id.as_str()).collect();
    assert_eq!(ids(&listed.reports), expected, "newest first, ours only");
    assert_eq!(listed.next_cursor, None);
    for report in &listed.reports {
        let plaintext = ours
            .iter()
            .find(|((id, _), _)| *id == report.report_id)
            .unwrap()
            .1;
        assert_eq!(
            decrypt_with(&team.identity, report.envelope.as_bytes()),
            plaintext
        );
        assert_eq!(report.envelope_sha256, sha256(report.envelope.as_bytes()));
        assert_eq!(
            report.size,
            u64::try_from(report.envelope.as_bytes().len()).unwrap()
        );
        assert_eq!(report.catalogue_version.as_str(), "2021-r1");
        assert_eq!(report.status, ReportStatus::Received);
        assert_eq!(report.closed_at, None);
        assert!(report.status_changes.is_empty());
    }
    let theirs_listed = list(&app, &other_team, "").await;
    assert_eq!(ids(&theirs_listed.reports), [theirs.as_str()]);

    // Another school's report cannot be changed either, and is not even said to exist.
    assert_error(
        post_change(&app, &team, &theirs, &change(&team, "seen", b"not ours")).await,
        404,
        "not_found",
    )
    .await;
    assert_eq!(app.database.count("report_status_changes").await, 0);
    // Phones and strangers cannot list.
    assert_error(
        app.get_authorized("/api/v1/team/reports", &phone.token)
            .await,
        401,
        "unauthorized",
    )
    .await;
    assert_error(app.get("/api/v1/team/reports").await, 401, "unauthorized").await;
}

#[tokio::test]
async fn pages_follow_the_cursor_and_cover_every_report_once() {
    let app = TestApp::spawn().await;
    let team = app.school_with_team().await;
    let phone = app.enrol(&team).await;
    for index in 0..5_u8 {
        sent(&app, &team, &phone, &[index]).await;
    }
    let everything = ids(&list(&app, &team, "?limit=100").await.reports)
        .into_iter()
        .map(str::to_owned)
        .collect::<Vec<_>>();
    assert_eq!(everything.len(), 5);

    let mut paged = Vec::new();
    let mut query = "?limit=2".to_owned();
    let mut pages = 0;
    loop {
        let page = list(&app, &team, &query).await;
        pages += 1;
        assert!(page.reports.len() <= 2);
        paged.extend(ids(&page.reports).into_iter().map(str::to_owned));
        match page.next_cursor {
            Some(cursor) => query = format!("?limit=2&cursor={cursor}"),
            None => break,
        }
    }

    assert_eq!(pages, 3);
    assert_eq!(paged, everything);
    // The largest cursor the pattern allows: 19 digits (past i64::MAX), after every report.
    let last = list(
        &app,
        &team,
        "?cursor=9999999999999999999.0192f3a4-5b6c-7d8e-9fa0-b1c2d3e4f506",
    )
    .await;
    assert_eq!(last.reports.len(), 5);
    for (query, code) in [
        ("?limit=0", "invalid_field"),
        ("?limit=101", "invalid_field"),
        ("?limit=two", "invalid_field"),
        ("?cursor=yesterday", "invalid_field"),
        // 20 digits: more than the published pattern allows, though it fits a u64; and more
        // than a u64 holds (found by the API fuzz tier: it was a schema-valid cursor).
        (
            "?cursor=10000000000000000000.0192f3a4-5b6c-7d8e-9fa0-b1c2d3e4f506",
            "invalid_field",
        ),
        (
            "?cursor=8781831449450781066708.0192f3a4-5b6c-7d8e-9fa0-b1c2d3e4f506",
            "invalid_field",
        ),
        ("?since=0", "unknown_field"),
    ] {
        assert_error(
            app.get_authorized(&format!("/api/v1/team/reports{query}"), &team.member_token)
                .await,
            400,
            code,
        )
        .await;
    }
}

#[tokio::test]
async fn a_status_change_is_kept_encrypted_and_the_reporter_learns_only_received_or_acted_upon() {
    let app = TestApp::spawn().await;
    let team = app.school_with_team().await;
    let phone = app.enrol(&team).await;
    let (report_id, _) = sent(&app, &team, &phone, b"observation").await;

    let seen = change(&team, "seen", b"seen by Marija");
    let response = post_change(&app, &team, &report_id, &seen).await;
    assert_eq!(response.status(), 201);
    let recorded: StatusChangeRecorded = response.json().await.unwrap();
    assert_eq!(recorded.status, ReportStatus::Received);
    assert_eq!(recorded.closed_at, None);
    assert_eq!(
        reporter_status(&app, &phone, &report_id).await,
        ReportStatus::Received,
        "seen is not shown to the reporter"
    );

    let acted = change(
        &team,
        "acted_upon",
        b"informed the Social Care Centre on 2 Dec",
    );
    let response = post_change(&app, &team, &report_id, &acted).await;
    assert_eq!(response.status(), 201);
    let first: StatusChangeRecorded = response.json().await.unwrap();
    assert_eq!(first.status, ReportStatus::ActedUpon);
    assert_eq!(
        reporter_status(&app, &phone, &report_id).await,
        ReportStatus::ActedUpon
    );
    let again = post_change(&app, &team, &report_id, &acted).await;
    assert_eq!(again.status(), 200, "an identical resend");
    let again: StatusChangeRecorded = again.json().await.unwrap();
    assert_eq!(again.change, first.change, "the change as first recorded");
    let mut different = change(&team, "acted_upon", b"something else");
    different["change_id"] = acted["change_id"].clone();
    assert_error(
        post_change(&app, &team, &report_id, &different).await,
        409,
        "report_conflict",
    )
    .await;
    let mut other_status = acted.clone();
    other_status["coarse_status"] = json!("closed");
    assert_error(
        post_change(&app, &team, &report_id, &other_status).await,
        409,
        "report_conflict",
    )
    .await;
    let mut plaintext = change(&team, "closed", b"");
    plaintext["envelope"] = json!(base64_of(b"closed: informed the police"));
    plaintext["envelope_sha256"] = json!(sha256(b"closed: informed the police"));
    assert_error(
        post_change(&app, &team, &report_id, &plaintext).await,
        400,
        "not_an_age_envelope",
    )
    .await;
    let mut wrong_hash = change(&team, "closed", b"closed");
    wrong_hash["envelope_sha256"] = json!(sha256(b"another"));
    assert_error(
        post_change(&app, &team, &report_id, &wrong_hash).await,
        400,
        "hash_mismatch",
    )
    .await;
    assert_error(
        post_change(
            &app,
            &team,
            &report_id,
            &json!({ "coarse_status": "received" }),
        )
        .await,
        400,
        "invalid_field",
    )
    .await;
    assert_eq!(app.database.count("report_status_changes").await, 2);

    let closed = change(&team, "closed", b"closed after the meeting");
    let response = post_change(&app, &team, &report_id, &closed).await;
    assert_eq!(response.status(), 201);
    let closed_recorded: StatusChangeRecorded = response.json().await.unwrap();
    assert_eq!(
        closed_recorded.closed_at,
        Some(closed_recorded.change.recorded_at)
    );
    let late_seen = post_change(&app, &team, &report_id, &change(&team, "seen", b"late")).await;
    assert_eq!(late_seen.status(), 201);
    let late_seen: StatusChangeRecorded = late_seen.json().await.unwrap();
    assert_eq!(late_seen.status, ReportStatus::ActedUpon, "never goes back");
    assert_eq!(
        late_seen.closed_at, closed_recorded.closed_at,
        "closing is kept"
    );

    let listed = list(&app, &team, "").await;
    let report = &listed.reports[0];
    assert_eq!(report.status, ReportStatus::ActedUpon);
    assert_eq!(report.closed_at, closed_recorded.closed_at);
    let details: Vec<Vec<u8>> = report
        .status_changes
        .iter()
        .map(|change| decrypt_with(&team.identity, change.envelope.as_bytes()))
        .collect();
    assert_eq!(
        details,
        [
            b"seen by Marija".to_vec(),
            b"informed the Social Care Centre on 2 Dec".to_vec(),
            b"closed after the meeting".to_vec(),
            b"late".to_vec(),
        ],
        "oldest first, each as sent"
    );
    assert_eq!(
        reporter_status(&app, &phone, &report_id).await,
        ReportStatus::ActedUpon
    );
}

#[tokio::test]
async fn closed_reports_are_forgotten_after_the_period_and_a_late_resend_is_still_received() {
    let app = TestApp::spawn().await;
    let team = app.school_with_team().await;
    let phone = app.enrol(&team).await;
    let (closed_id, closed_envelope, closed_body) = report_for(&team, b"closed report");
    assert_eq!(app.submit(&phone, &closed_body).await.status(), 201);
    let (open_id, _) = sent(&app, &team, &phone, b"open report").await;
    for (report_id, coarse_status) in [
        (&closed_id, "acted_upon"),
        (&closed_id, "closed"),
        (&open_id, "acted_upon"),
    ] {
        let response = post_change(
            &app,
            &team,
            report_id,
            &change(&team, coarse_status, b"detail"),
        )
        .await;
        assert_eq!(response.status(), 201);
    }
    let closed_at = list(&app, &team, "")
        .await
        .reports
        .into_iter()
        .find(|report| report.report_id == closed_id)
        .unwrap()
        .closed_at
        .unwrap();
    let database = app.database.database();

    let too_soon = UnixMillis(closed_at.0 + 30 * DAY_MILLIS - 1);
    assert_eq!(forget_at(&database, too_soon).await.unwrap(), 0);
    assert_eq!(list(&app, &team, "").await.reports.len(), 2);

    let after_the_period = UnixMillis(closed_at.0 + 30 * DAY_MILLIS);
    assert_eq!(forget_at(&database, after_the_period).await.unwrap(), 1);
    assert_eq!(
        forget_at(&database, after_the_period).await.unwrap(),
        0,
        "once"
    );

    let tombstone = tombstone(&app, &closed_id).await;
    assert_eq!(
        tombstone[0],
        crate::test_database::SqlValue::Null,
        "envelope deleted"
    );
    assert_eq!(
        tombstone[1].integer(),
        i64::try_from(after_the_period.0).unwrap()
    );
    assert_eq!(tombstone[2].text(), "acted_upon");
    assert_eq!(tombstone[3].integer(), i64::try_from(closed_at.0).unwrap());
    assert_eq!(tombstone[4].bytes(), sha256(&closed_envelope).as_bytes());
    let changes_left = app
        .database
        .query(
            "SELECT report_id FROM report_status_changes ORDER BY report_id",
            &[],
        )
        .await;
    assert_eq!(
        changes_left,
        [vec![crate::test_database::SqlValue::Text(
            open_id.as_str().to_owned()
        )]],
        "the forgotten report's changes went with it; the open one's stay"
    );
    assert!(
        !app.stored_envelope(&open_id).await.is_empty(),
        "open: kept"
    );
    assert_eq!(
        ids(&list(&app, &team, "").await.reports),
        [open_id.as_str()]
    );

    // The phone's late resend: its receipt, nothing stored again.
    let receipt = resent_after_forgetting(
        &app,
        &team,
        &phone,
        (&closed_id, &closed_envelope, &closed_body),
    )
    .await;
    assert_eq!(receipt.status, ReportStatus::ActedUpon);
    assert_eq!(app.stored_reports().await, 2);
    assert_eq!(
        reporter_status(&app, &phone, &closed_id).await,
        ReportStatus::ActedUpon
    );
    let other_envelope = encrypt_to(&[team.identity.to_public()], b"another report");
    assert_error(
        app.submit(&phone, &submission(&closed_id, &other_envelope))
            .await,
        409,
        "report_conflict",
    )
    .await;
}

#[tokio::test]
async fn a_report_never_closed_is_forgotten_180_days_after_it_arrived_and_its_resend_still_received()
 {
    let app = TestApp::spawn().await;
    let team = app.school_with_team().await;
    let phone = app.enrol(&team).await;
    let (report_id, envelope, body) = report_for(&team, b"never closed");
    let response = app.submit(&phone, &body).await;
    assert_eq!(response.status(), 201);
    let received_at = response
        .json::<ReceiptResponse>()
        .await
        .unwrap()
        .receipt
        .received_at;
    let seen = post_change(&app, &team, &report_id, &change(&team, "seen", b"seen")).await;
    assert_eq!(seen.status(), 201);
    let database = app.database.database();

    let day_179 = UnixMillis(received_at.0 + 179 * DAY_MILLIS);
    assert_eq!(forget_at(&database, day_179).await.unwrap(), 0);
    assert_eq!(
        ids(&list(&app, &team, "").await.reports),
        [report_id.as_str()],
        "kept at 179 days"
    );

    let day_180 = UnixMillis(received_at.0 + 180 * DAY_MILLIS);
    assert_eq!(forget_at(&database, day_180).await.unwrap(), 1);
    assert_eq!(forget_at(&database, day_180).await.unwrap(), 0, "once");

    let tombstone = tombstone(&app, &report_id).await;
    let day_180_stored = i64::try_from(day_180.0).unwrap();
    assert_eq!(tombstone[0], crate::test_database::SqlValue::Null);
    assert_eq!(tombstone[1].integer(), day_180_stored);
    assert_eq!(tombstone[2].text(), "received");
    assert_eq!(
        tombstone[3].integer(),
        day_180_stored,
        "a tombstone's closing time: when it was forgotten"
    );
    assert_eq!(tombstone[4].bytes(), sha256(&envelope).as_bytes());
    assert_eq!(app.database.count("report_status_changes").await, 0);
    assert!(list(&app, &team, "").await.reports.is_empty());

    let receipt =
        resent_after_forgetting(&app, &team, &phone, (&report_id, &envelope, &body)).await;
    assert_eq!(receipt.received_at, received_at);
    assert_eq!(receipt.status, ReportStatus::Received);
    assert_eq!(app.stored_reports().await, 1);
}

#[tokio::test]
async fn the_listing_says_when_each_report_will_be_deleted_and_the_job_keeps_to_it() {
    let retention = Retention {
        closed_days: 7,
        unclosed_days: 60,
    };
    let app = TestApp::spawn_with(|config| {
        config.report_retention_days = retention.closed_days;
        config.unclosed_report_retention_days = retention.unclosed_days;
    })
    .await;
    let team = app.school_with_team().await;
    let phone = app.enrol(&team).await;
    let (open_id, open_received_at) = sent(&app, &team, &phone, b"open").await;
    let (closed_id, _) = sent(&app, &team, &phone, b"closed").await;
    let closing = post_change(&app, &team, &closed_id, &change(&team, "closed", b"done")).await;
    assert_eq!(closing.status(), 201);
    let closed_at = closing
        .json::<StatusChangeRecorded>()
        .await
        .unwrap()
        .closed_at
        .unwrap();

    let listed = list(&app, &team, "").await.reports;
    let deleted_after = |report_id: &ReportUuid| {
        listed
            .iter()
            .find(|report| report.report_id == *report_id)
            .unwrap()
            .deleted_after
            .unwrap()
    };
    let open_deleted_after = deleted_after(&open_id);
    let closed_deleted_after = deleted_after(&closed_id);
    assert_eq!(open_deleted_after.0, open_received_at + 60 * DAY_MILLIS);
    assert_eq!(closed_deleted_after.0, closed_at.0 + 7 * DAY_MILLIS);

    let database = app.database.database();
    let mut forgotten = Vec::new();
    for at in [closed_deleted_after, open_deleted_after] {
        let just_before = UnixMillis(at.0 - 1);
        assert_eq!(
            forget_reports_in(&database, retention, just_before)
                .await
                .unwrap(),
            0,
            "kept until {at:?}"
        );
        assert_eq!(
            forget_reports_in(&database, retention, at).await.unwrap(),
            1,
            "forgotten at {at:?}"
        );
        forgotten.push(
            ids(&list(&app, &team, "").await.reports)
                .into_iter()
                .map(str::to_owned)
                .collect::<Vec<_>>(),
        );
    }
    assert_eq!(
        forgotten,
        [vec![open_id.as_str().to_owned()], vec![]],
        "the closed report first, then the open one"
    );
}
