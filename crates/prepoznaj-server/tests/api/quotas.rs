//! The server's quotas: reports a phone may send in 24 hours (429 `device_daily_limit` with
//! `Retry-After`), space a school may fill (413 `school_storage_full` with `Retry-After`, freed
//! as closed reports are deleted), and status changes one report may have (429
//! `too_many_status_changes`). A resend of something already stored is never refused.

use prepoznaj_domain::observation::UnixMillis;
use prepoznaj_server::{retention::forget_reports_in, store::rules::Retention};

use crate::{
    inbox::change,
    test_app::{TestApp, assert_error, header, report_for},
};

const DAY_SECS: u64 = 24 * 60 * 60;

#[tokio::test]
async fn a_phone_past_its_daily_reports_waits_and_its_resends_and_other_phones_are_not_held() {
    let app = TestApp::spawn_with(|config| config.quotas.reports_per_device_per_day = 3).await;
    let team = app.school_with_team().await;
    let phone = app.enrol(&team).await;
    let mut bodies = Vec::new();
    for index in 0..3 {
        let (_, _, body) = report_for(&team, format!("report {index}").as_bytes());
        assert_eq!(app.submit(&phone, &body).await.status(), 201, "{index}");
        bodies.push(body);
    }

    let (_, _, fourth) = report_for(&team, b"report 3");
    let refused = app.submit(&phone, &fourth).await;
    let retry_after: u64 = header(&refused, "retry-after").unwrap().parse().unwrap();
    assert!(
        (DAY_SECS - 60..=DAY_SECS).contains(&retry_after),
        "until the window of the first report ends: {retry_after} s"
    );
    assert_error(refused, 429, "device_daily_limit").await;
    assert_eq!(app.stored_reports().await, 3);

    assert_eq!(
        app.submit(&phone, &bodies[0]).await.status(),
        200,
        "a resend is answered with its receipt, never counted"
    );
    let other_phone = app.enrol(&team).await;
    assert_eq!(app.submit(&other_phone, &fourth).await.status(), 201);
    let sent = app
        .database
        .query(
            "SELECT reports_sent FROM devices ORDER BY enrolled_at, id",
            &[],
        )
        .await;
    let sent: Vec<i64> = sent.iter().map(|row| row[0].integer()).collect();
    assert_eq!(
        sent,
        [3, 1],
        "each phone's reports are counted, resends not"
    );
}

#[tokio::test]
async fn a_full_school_is_refused_until_closed_reports_are_deleted() {
    let app = TestApp::spawn_with(|config| config.quotas.school_storage_mib = 1).await;
    let team = app.school_with_team().await;
    let phone = app.enrol(&team).await;
    // Five of these fit in 1 MiB; a sixth does not.
    let plaintext = vec![b'x'; 190 * 1024];
    let mut first = None;
    for _ in 0..5 {
        let (report_id, _, body) = report_for(&team, &plaintext);
        assert_eq!(app.submit(&phone, &body).await.status(), 201);
        first.get_or_insert((report_id, body));
    }
    let (first_id, first_body) = first.unwrap();
    let (_, _, sixth) = report_for(&team, &plaintext);
    let refused = app.submit(&phone, &sixth).await;
    assert_eq!(header(&refused, "retry-after").as_deref(), Some("3600"));
    assert_error(refused, 413, "school_storage_full").await;
    assert_eq!(
        app.submit(&phone, &first_body).await.status(),
        200,
        "a resend of a stored report is still answered"
    );

    // The team closes the first report; once retention deletes it, there is room again.
    let closed = app
        .team_post(
            &team,
            &format!("/api/v1/team/reports/{first_id}/status-changes"),
            &change(&team, "closed", b"done"),
        )
        .await;
    assert_eq!(closed.status(), 201);
    let later = UnixMillis(prepoznaj_server::credentials::now().0 + 31 * DAY_SECS * 1000);
    let retention = Retention {
        closed_days: 30,
        unclosed_days: 180,
    };
    let forgotten = forget_reports_in(&app.database.database(), retention, later)
        .await
        .unwrap();
    assert_eq!(forgotten, 1);
    assert_eq!(app.submit(&phone, &sixth).await.status(), 201);
}

#[tokio::test]
async fn a_report_takes_as_many_status_changes_as_allowed_and_a_resend_of_the_last_still_answers() {
    let app = TestApp::spawn_with(|config| config.quotas.status_changes_per_report = 2).await;
    let team = app.school_with_team().await;
    let phone = app.enrol(&team).await;
    let (report_id, _, body) = report_for(&team, b"observation");
    assert_eq!(app.submit(&phone, &body).await.status(), 201);
    let path = format!("/api/v1/team/reports/{report_id}/status-changes");
    let second = change(&team, "acted_upon", b"called the centre");
    for body in [change(&team, "seen", b"read"), second.clone()] {
        assert_eq!(app.team_post(&team, &path, &body).await.status(), 201);
    }

    let third = app
        .team_post(&team, &path, &change(&team, "closed", b"closed"))
        .await;
    assert_eq!(header(&third, "retry-after"), None);
    assert_error(third, 429, "too_many_status_changes").await;
    assert_eq!(app.team_post(&team, &path, &second).await.status(), 200);
}
