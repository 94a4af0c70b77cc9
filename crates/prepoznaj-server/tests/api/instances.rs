//! Several server instances on one database, as a deployment behind a load balancer runs them
//! (PostgreSQL's reason to be here; SQLite allows it too, on one machine): the database decides
//! each outcome, so requests racing to different instances get the answers one server gives.

use prepoznaj_domain::protocol::ReceiptResponse;
use serde_json::Value;

use prepoznaj_server::rate_limit::ATTEMPTS_PER_MINUTE;

use crate::team_keys::{HEADER, MemberKeys};
use crate::test_app::{TestApp, encrypt_to, new_report_id, report_for, submission};

/// Rounds of each race: enough that some requests overlap in the database.
const ROUNDS: usize = 12;

/// Sends `body` to `/api/v1/reports` on both instances at once; the two statuses and bodies,
/// sorted by status.
async fn race(app: &TestApp, other: &str, token: &str, bodies: [&Value; 2]) -> [(u16, Vec<u8>); 2] {
    let send = |base_url: String, body: Value| {
        let request = app
            .client
            .post(format!("{base_url}/api/v1/reports"))
            .bearer_auth(token)
            .json(&body);
        tokio::spawn(async move {
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            (status, response.bytes().await.unwrap().to_vec())
        })
    };
    let first = send(app.base_url.clone(), bodies[0].clone());
    let second = send(other.to_owned(), bodies[1].clone());
    let mut answers = [first.await.unwrap(), second.await.unwrap()];
    answers.sort_by_key(|(status, _)| *status);
    answers
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_report_sent_to_two_instances_at_once_is_stored_once_with_one_receipt() {
    let app = TestApp::spawn().await;
    let other = app.spawn_instance().await;
    let team = app.school_with_team().await;
    let phone = app.enrol(&team).await;

    for _ in 0..ROUNDS {
        let (_, _, body) = report_for(&team, b"observation");
        let [(resent, resent_body), (stored, stored_body)] =
            race(&app, &other, &phone.token, [&body, &body]).await;

        assert_eq!((resent, stored), (200, 201));
        let resent: ReceiptResponse = serde_json::from_slice(&resent_body).unwrap();
        let stored: ReceiptResponse = serde_json::from_slice(&stored_body).unwrap();
        assert_eq!(resent.receipt, stored.receipt);
    }
    assert_eq!(app.stored_reports().await, i64::try_from(ROUNDS).unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_different_reports_under_one_id_at_once_store_one_and_refuse_the_other() {
    let app = TestApp::spawn().await;
    let other = app.spawn_instance().await;
    let team = app.school_with_team().await;
    let phone = app.enrol(&team).await;

    for _ in 0..ROUNDS {
        let report_id = new_report_id();
        let envelopes = [b"first".as_slice(), b"second"]
            .map(|plaintext| encrypt_to(&[team.identity.to_public()], plaintext));
        let bodies = [
            submission(&report_id, &envelopes[0]),
            submission(&report_id, &envelopes[1]),
        ];
        let [(stored, stored_body), (refused, _)] =
            race(&app, &other, &phone.token, [&bodies[0], &bodies[1]]).await;

        assert_eq!((stored, refused), (201, 409));
        let stored: ReceiptResponse = serde_json::from_slice(&stored_body).unwrap();
        let kept = app.stored_envelope(&report_id).await;
        assert!(envelopes.contains(&kept));
        assert_eq!(
            stored.receipt.envelope_sha256,
            crate::test_app::sha256(&kept)
        );
    }
    assert_eq!(app.stored_reports().await, i64::try_from(ROUNDS).unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_set_up_code_redeemed_at_two_instances_at_once_works_once() {
    let app = TestApp::spawn().await;
    let other = app.spawn_instance().await;

    // Each instance limits code attempts per address on its own: stay under the limit.
    let rounds = usize::try_from(ATTEMPTS_PER_MINUTE).unwrap().min(ROUNDS);
    for round in 0..rounds {
        let (code, school) = app.create_school_for(&format!("ОШ {round}")).await;
        let requests = [0, 1].map(|_| {
            let keys = MemberKeys::generate("Марија");
            let founding = keys.founding(&school.id);
            let body = keys.setup_body(&code, Some(founding.signed()));
            (keys.setup_signature(&school.id, &body), body)
        });
        let send = |base_url: String, (signature, body): (String, Vec<u8>)| {
            let request = app
                .client
                .post(format!("{base_url}/api/v1/team/setup"))
                .header("Content-Type", "application/json")
                .header(HEADER, signature)
                .body(body);
            tokio::spawn(async move { request.send().await.unwrap().status().as_u16() })
        };
        let [first, second] = requests;
        let first = send(app.base_url.clone(), first);
        let second = send(other.clone(), second);
        let mut statuses = [first.await.unwrap(), second.await.unwrap()];
        statuses.sort_unstable();

        assert_eq!(statuses, [201, 410]);
    }
    assert_eq!(
        app.database.count("team_members").await,
        i64::try_from(rounds).unwrap()
    );
}

/// Sends every body at once, alternating between the two instances; how many of each status
/// came back, by status.
async fn flood(
    app: &TestApp,
    other: &str,
    sends: Vec<(String, Value)>,
) -> std::collections::BTreeMap<u16, usize> {
    let mut answers = tokio::task::JoinSet::new();
    for (index, (token, body)) in sends.into_iter().enumerate() {
        let base_url = if index % 2 == 0 {
            app.base_url.clone()
        } else {
            other.to_owned()
        };
        let request = app
            .client
            .post(format!("{base_url}/api/v1/reports"))
            .bearer_auth(token)
            .json(&body);
        answers.spawn(async move { request.send().await.unwrap().status().as_u16() });
    }
    let mut statuses = std::collections::BTreeMap::new();
    for status in answers.join_all().await {
        *statuses.entry(status).or_default() += 1;
    }
    statuses
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_phones_daily_limit_holds_when_its_reports_race_to_two_instances() {
    let app = TestApp::spawn_with(|config| config.quotas.reports_per_device_per_day = 5).await;
    let other = app
        .spawn_instance_with(|config| config.quotas.reports_per_device_per_day = 5)
        .await;
    let team = app.school_with_team().await;
    let phone = app.enrol(&team).await;

    let sends = (0..24)
        .map(|index| {
            let (_, _, body) = report_for(&team, format!("report {index}").as_bytes());
            (phone.token.clone(), body)
        })
        .collect();
    let statuses = flood(&app, &other, sends).await;

    assert_eq!(statuses, [(201, 5), (429, 19)].into());
    assert_eq!(app.stored_reports().await, 5);
    let sent = app
        .database
        .query("SELECT reports_sent FROM devices", &[])
        .await;
    assert_eq!(
        sent[0][0].integer(),
        5,
        "the phone's count is its stored reports"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_schools_space_holds_when_two_phones_race_to_two_instances() {
    let app = TestApp::spawn_with(|config| config.quotas.school_storage_mib = 1).await;
    let other = app
        .spawn_instance_with(|config| config.quotas.school_storage_mib = 1)
        .await;
    let team = app.school_with_team().await;
    let phones = [app.enrol(&team).await, app.enrol(&team).await];
    // Five of these fit in 1 MiB; a sixth does not.
    let plaintext = vec![b'x'; 190 * 1024];

    let sends = (0..12)
        .map(|index| {
            let (_, _, body) = report_for(&team, &plaintext);
            (phones[index / 2 % 2].token.clone(), body)
        })
        .collect();
    let statuses = flood(&app, &other, sends).await;

    assert_eq!(statuses, [(201, 5), (413, 7)].into());
    assert_eq!(app.stored_reports().await, 5);
}
