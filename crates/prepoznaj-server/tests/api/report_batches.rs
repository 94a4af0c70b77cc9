//! Reports under concurrent load, where the store commits them in batches: every submission
//! gets the answer it would get alone (stored, retry, conflict), and every acknowledged report
//! survives the server being killed with SIGKILL.

use std::{
    collections::HashMap,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
};

use prepoznaj_domain::protocol::{ReceiptResponse, ReportUuid};
use serde_json::Value;
use tokio::{sync::Notify, task::JoinSet, time::timeout};

use crate::{
    cli::{self, DEADLINE, RunningServer, Scratch, announced_database},
    test_app::{Phone, TestApp, encrypt_to, report_for, submission},
};

/// What one submission got back.
#[derive(Debug)]
struct Answer {
    report_id: ReportUuid,
    envelope: Vec<u8>,
    status: u16,
    receipt: Option<ReceiptResponse>,
}

/// Sends all `submissions` at once, each on its own request.
async fn submit_all(
    app: &TestApp,
    phone: &Phone,
    submissions: Vec<(ReportUuid, Vec<u8>, Value)>,
) -> Vec<Answer> {
    let mut requests = JoinSet::new();
    for (report_id, envelope, body) in submissions {
        let request = app
            .client
            .post(format!("{}/api/v1/reports", app.base_url))
            .bearer_auth(&phone.token)
            .json(&body);
        requests.spawn(async move {
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            let receipt = if status < 300 {
                Some(response.json::<ReceiptResponse>().await.unwrap())
            } else {
                None
            };
            Answer {
                report_id,
                envelope,
                status,
                receipt,
            }
        });
    }
    requests.join_all().await
}

#[tokio::test]
async fn concurrent_submissions_with_resends_and_conflicts_get_the_answers_of_one_at_a_time() {
    let app = TestApp::spawn_with(|config| config.quotas.reports_per_device_per_day = 1_000).await;
    let team = app.school_with_team().await;
    let phone = app.enrol(&team).await;
    let recipient = team.identity.to_public();
    // 60 reports; every third is also resent as is, every fifth also sent with another
    // envelope under its id. All 92 requests are in flight together.
    let mut submissions = Vec::new();
    for index in 0..60_u32 {
        let (report_id, envelope, body) = report_for(&team, format!("report {index}").as_bytes());
        if index % 3 == 0 {
            submissions.push((report_id.clone(), envelope.clone(), body.clone()));
        }
        if index % 5 == 0 {
            let other = encrypt_to(std::slice::from_ref(&recipient), b"another observation");
            let conflicting = submission(&report_id, &other);
            submissions.push((report_id.clone(), other, conflicting));
        }
        submissions.push((report_id, envelope, body));
    }
    let sent = submissions.len();

    let answers = submit_all(&app, &phone, submissions).await;

    assert_eq!(answers.len(), sent);
    let mut by_id: HashMap<ReportUuid, Vec<Answer>> = HashMap::new();
    for answer in answers {
        by_id
            .entry(answer.report_id.clone())
            .or_default()
            .push(answer);
    }
    assert_eq!(by_id.len(), 60);
    for (report_id, answers) in &by_id {
        let created: Vec<&Answer> = answers.iter().filter(|a| a.status == 201).collect();
        assert_eq!(created.len(), 1, "{report_id}: {answers:?}");
        let stored = created[0];
        for answer in answers {
            match answer.status {
                201 => {}
                200 => {
                    assert_eq!(answer.envelope, stored.envelope, "a retry is identical");
                    assert_eq!(
                        answer.receipt.as_ref().unwrap().receipt,
                        stored.receipt.as_ref().unwrap().receipt,
                        "a retry gets the first receipt"
                    );
                }
                409 => assert_ne!(answer.envelope, stored.envelope),
                other => panic!("{report_id}: unexpected {other}: {answers:?}"),
            }
        }
        assert_eq!(
            app.stored_envelope(report_id).await,
            stored.envelope,
            "the acknowledged envelope is the stored one"
        );
    }
    assert_eq!(app.stored_reports().await, 60);
}

#[tokio::test]
async fn every_acknowledged_report_survives_sigkill_under_load() {
    let scratch = Scratch::with_dist().await;
    // Request logs would fill the unread stderr pipe; warnings only.
    // One phone sends them all: its daily limit raised out of the way.
    let server = RunningServer::start(
        &scratch,
        &["--log", "warn", "--reports-per-device-per-day", "100000"],
    )
    .await;
    let app = TestApp::attach(server.url(""), scratch);
    let team = app.school_with_team().await;
    let phone = Arc::new(app.enrol(&team).await);
    let app = Arc::new(app);
    let team = Arc::new(team);
    let acknowledged = Arc::new(AtomicUsize::new(0));
    let enough = Arc::new(Notify::new());

    // 50 phones' worth of connections, each sending one report after another until the server
    // is gone.
    let mut senders = JoinSet::new();
    for _ in 0..50 {
        let (app, phone, team) = (Arc::clone(&app), Arc::clone(&phone), Arc::clone(&team));
        let (acknowledged, enough) = (Arc::clone(&acknowledged), Arc::clone(&enough));
        senders.spawn(async move {
            let client = reqwest::Client::new();
            let mut stored = Vec::new();
            loop {
                let (report_id, envelope, body) = report_for(&team, b"observation");
                let sent = client
                    .post(format!("{}/api/v1/reports", app.base_url))
                    .bearer_auth(&phone.token)
                    .json(&body)
                    .send()
                    .await;
                match sent {
                    Ok(response) if response.status() == 201 => {
                        stored.push((report_id, envelope));
                        if acknowledged.fetch_add(1, Ordering::SeqCst) + 1 == 300 {
                            enough.notify_one();
                        }
                    }
                    Ok(response) => panic!("unexpected {}", response.status()),
                    // The server was killed: this one was never acknowledged.
                    Err(_) => return stored,
                }
            }
        });
    }
    timeout(DEADLINE, enough.notified())
        .await
        .expect("300 reports should be acknowledged");
    server.kill().await;
    let acknowledged: Vec<(ReportUuid, Vec<u8>)> =
        senders.join_all().await.into_iter().flatten().collect();

    assert!(acknowledged.len() >= 300, "{}", acknowledged.len());
    for (report_id, envelope) in &acknowledged {
        assert_eq!(&app.stored_envelope(report_id).await, envelope);
    }
    let whole = app
        .database
        .query_row(
            "SELECT COUNT(*) FROM reports WHERE size = length(envelope)",
            &[],
        )
        .await[0]
        .integer();
    let all = app.stored_reports().await;
    assert_eq!(whole, all, "no row is half-written");
    assert!(all >= i64::try_from(acknowledged.len()).unwrap());

    // And the server starts again on that data and answers for them.
    let mut command = cli::server(app.data_dir.path());
    if let Some(url) = app.database.postgres_url() {
        command.env("DATABASE_URL", url);
    }
    let announced = announced_database(&app.database);
    let restarted = RunningServer::start_command(command, &announced, &["--log", "warn"]).await;
    let (last_id, _) = acknowledged.last().unwrap();
    let status = app
        .client
        .get(restarted.url(&format!("/api/v1/reports/{last_id}/status")))
        .bearer_auth(&phone.token)
        .send()
        .await
        .unwrap();
    assert_eq!(status.status(), 200);
    let (exit, log) = restarted.stop().await;
    assert!(exit.success(), "{log}");
}
