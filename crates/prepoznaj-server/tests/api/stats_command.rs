//! `prepoznaj-server stats` as the binary runs it on a deployment's database: reports sent and
//! acted upon through the API, their times moved into known months with SQL, then counted per
//! school administration and month, with small counts hidden, forgotten reports still counted
//! and no school named.

use prepoznaj_domain::{observation::UnixMillis, protocol::ReportUuid};
use prepoznaj_server::{operator::stats::Month, store::rules::Retention};
use serde_json::{Value, json};

use crate::{
    cli::server,
    inbox::change,
    school_commands::{fails, run, succeeds},
    test_app::{Phone, Team, TestApp, report_for},
    test_database::TestDatabase,
};

const DAY_MILLIS: u64 = 24 * 60 * 60 * 1000;

/// `prepoznaj-server stats <arguments>` on `app`'s database.
fn stats(app: &TestApp, arguments: &[&str]) -> tokio::process::Command {
    let mut command = server(app.data_dir.path());
    command
        .args(["--data-dir", &app.database.data_dir().display().to_string()])
        .arg("stats")
        .args(arguments);
    if let Some(url) = app.database.postgres_url() {
        command.env("DATABASE_URL", url);
    }
    command
}

fn start_of(month: &str) -> u64 {
    month.parse::<Month>().unwrap().start().0
}

/// A school with a team, in `administration`.
async fn school_in(app: &TestApp, administration: &str) -> Team {
    let team = app.school_with_team().await;
    let changed = app
        .database
        .execute(
            "UPDATE schools SET school_administration = $1 WHERE id = $2",
            &[administration, team.setup.school.id.as_str()],
        )
        .await;
    assert_eq!(changed, 1);
    team
}

/// Sends a report from `phone`, received at `received_at`.
async fn report_received(
    app: &TestApp,
    team: &Team,
    phone: &Phone,
    received_at: u64,
) -> ReportUuid {
    let (report_id, _, body) = report_for(team, b"a report the server never reads");
    assert_eq!(app.submit(phone, &body).await.status(), 201);
    set_time(
        &app.database,
        "reports",
        "received_at",
        received_at,
        &report_id,
    )
    .await;
    report_id
}

/// Sets `column` of `report_id`'s rows in `table` (`id` or `report_id`) to `time`.
async fn set_time(
    database: &TestDatabase,
    table: &str,
    column: &str,
    time: u64,
    report_id: &ReportUuid,
) {
    let key = if table == "reports" {
        "id"
    } else {
        "report_id"
    };
    let changed = database
        .execute(
            &format!("UPDATE {table} SET {column} = {time} WHERE {key} = $1"),
            &[report_id.as_str()],
        )
        .await;
    assert!(changed >= 1, "{table}.{column} of {report_id}");
}

/// Records `coarse_status` on `report_id` as if made at `at`.
async fn status_change(
    app: &TestApp,
    team: &Team,
    report_id: &ReportUuid,
    coarse_status: &str,
    at: u64,
) {
    let response = app
        .team_post(
            team,
            &format!("/api/v1/team/reports/{report_id}/status-changes"),
            &change(team, coarse_status, b"a note the server never reads"),
        )
        .await;
    assert_eq!(response.status(), 201);
    let changed = app
        .database
        .execute(
            &format!(
                "UPDATE report_status_changes SET recorded_at = {at}
                 WHERE report_id = $1 AND coarse_status = $2"
            ),
            &[report_id.as_str(), coarse_status],
        )
        .await;
    assert_eq!(changed, 1);
    if coarse_status == "closed" {
        set_time(&app.database, "reports", "closed_at", at, report_id).await;
    }
    // The report keeps when it was first acted upon: moved back with the change that set it.
    if coarse_status != "seen" {
        app.database
            .execute(
                &format!(
                    "UPDATE reports SET acted_upon_at = {at}
                     WHERE id = $1 AND acted_upon_at > {at}"
                ),
                &[report_id.as_str()],
            )
            .await;
    }
}

/// Runs `stats --format csv` with `arguments`; its lines.
async fn csv_lines(app: &TestApp, arguments: &[&str]) -> Vec<String> {
    let mut all = vec!["--format", "csv"];
    all.extend(arguments);
    let output = succeeds(stats(app, &all), None).await;
    output.lines().map(str::to_owned).collect()
}

#[tokio::test]
async fn stats_counts_reports_and_phones_per_administration_and_month_hiding_small_counts() {
    let app = TestApp::spawn().await;
    let novi_sad = school_in(&app, "Нови Сад").await;
    let nis = school_in(&app, "Ниш").await;
    let march = start_of("2026-03");
    let mut phones = Vec::new();
    for _ in 0..6 {
        phones.push(app.enrol(&novi_sad).await);
    }
    let nis_phone = app.enrol(&nis).await;
    for (index, phone) in phones.iter().enumerate() {
        let enrolled_at = start_of("2026-02") + u64::try_from(index).unwrap() * DAY_MILLIS;
        set_time_of_device(
            &app.database,
            phone.enrolment.device_id.as_str(),
            enrolled_at,
        )
        .await;
    }
    set_time_of_device(&app.database, nis_phone.enrolment.device_id.as_str(), march).await;

    // Novi Sad, March: 12 reports; 6 acted upon 1 to 6 days after arrival (3 of them then
    // closed on day 10), 1 only seen, 5 untouched. Niš, March: 2 reports, both acted upon.
    for index in 0..12_u64 {
        let received_at = march + 9 * DAY_MILLIS + index * 3_600_000;
        let report_id = report_received(&app, &novi_sad, &phones[0], received_at).await;
        if index < 6 {
            status_change(
                &app,
                &novi_sad,
                &report_id,
                "acted_upon",
                received_at + (index + 1) * DAY_MILLIS,
            )
            .await;
            if index < 3 {
                status_change(
                    &app,
                    &novi_sad,
                    &report_id,
                    "closed",
                    received_at + 10 * DAY_MILLIS,
                )
                .await;
            }
        } else if index == 6 {
            status_change(
                &app,
                &novi_sad,
                &report_id,
                "seen",
                received_at + DAY_MILLIS,
            )
            .await;
        }
    }
    for _ in 0..2 {
        let report_id = report_received(&app, &nis, &nis_phone, march + DAY_MILLIS).await;
        status_change(&app, &nis, &report_id, "acted_upon", march + 2 * DAY_MILLIS).await;
    }

    let header = "school_administration,month,reports_received,acted_upon_percent,\
                  median_days_to_acted_upon,devices_enrolled";
    assert_eq!(
        csv_lines(&app, &[]).await,
        [
            header,
            "Ниш,2026-03,<5,suppressed,suppressed,<5",
            "Нови Сад,2026-02,<5,suppressed,suppressed,6",
            "Нови Сад,2026-03,12,50,3.5,<5",
        ]
    );
    assert_eq!(
        csv_lines(&app, &["--from", "2026-03", "--to", "2026-03"]).await,
        [
            header,
            "Ниш,2026-03,<5,suppressed,suppressed,<5",
            "Нови Сад,2026-03,12,50,3.5,<5",
        ]
    );
    assert_eq!(csv_lines(&app, &["--from", "2026-04"]).await, [header]);

    let json: Value = serde_json::from_str(
        &succeeds(stats(&app, &["--format", "json", "--to", "2026-03"]), None).await,
    )
    .unwrap();
    assert_eq!(
        json[2],
        json!({
            "school_administration": "Нови Сад",
            "month": "2026-03",
            "reports_received": 12,
            "acted_upon_percent": 50,
            "median_days_to_acted_upon": 3.5,
            "devices_enrolled": "<5",
        })
    );
    let table = succeeds(stats(&app, &[]), None).await;
    for school in [&novi_sad, &nis] {
        for output in [&table, &json.to_string()] {
            assert!(
                !output.contains(school.setup.school.id.as_str()),
                "{output}"
            );
            assert!(
                !output.contains(school.setup.school.name.as_str()),
                "{output}"
            );
        }
    }

    // Retention forgets the closed reports with their status changes: they are still
    // received and acted upon, and the report keeps when the team first acted.
    let forgotten = forget(&app, march + 60 * DAY_MILLIS).await;
    assert_eq!(forgotten, 3);
    assert_eq!(
        csv_lines(&app, &["--from", "2026-03"]).await[2],
        "Нови Сад,2026-03,12,50,3.5,<5"
    );
    // And then every report, after 180 days unclosed.
    assert_eq!(forget(&app, march + 200 * DAY_MILLIS).await, 11);
    assert_eq!(
        csv_lines(&app, &["--from", "2026-03"]).await[2],
        "Нови Сад,2026-03,12,50,3.5,<5"
    );

    // A report whose changes were deleted before the server kept that time (migration 0008)
    // has none: its month's median is unknown rather than wrong.
    let changed = app
        .database
        .execute(
            &format!(
                "UPDATE reports SET acted_upon_at = NULL WHERE school_id = $1 AND received_at = {}",
                march + 9 * DAY_MILLIS
            ),
            &[novi_sad.setup.school.id.as_str()],
        )
        .await;
    assert_eq!(changed, 1);
    assert_eq!(
        csv_lines(&app, &["--from", "2026-03"]).await[2],
        "Нови Сад,2026-03,12,50,unknown,<5"
    );
}

async fn set_time_of_device(database: &TestDatabase, device_id: &str, enrolled_at: u64) {
    let changed = database
        .execute(
            &format!("UPDATE devices SET enrolled_at = {enrolled_at} WHERE id = $1"),
            &[device_id],
        )
        .await;
    assert_eq!(changed, 1);
}

async fn forget(app: &TestApp, at: u64) -> u64 {
    let retention = Retention {
        closed_days: 30,
        unclosed_days: 180,
    };
    prepoznaj_server::retention::forget_reports_in(
        &app.database.database(),
        retention,
        UnixMillis(at),
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn stats_refuses_a_period_that_ends_before_it_starts_or_is_not_a_month() {
    let app = TestApp::spawn().await;
    fails(
        stats(&app, &["--from", "2026-05", "--to", "2026-04"]),
        None,
        2,
        "--from 2026-05 is after --to 2026-04",
    )
    .await;
    fails(stats(&app, &["--from", "2026-5"]), None, 2, "YYYY-MM").await;
    let empty = run(stats(&app, &[]), None).await;
    assert!(empty.status.success());
    assert_eq!(
        String::from_utf8(empty.stdout).unwrap(),
        "No reports received and no phones enrolled in this period.\n"
    );
}
