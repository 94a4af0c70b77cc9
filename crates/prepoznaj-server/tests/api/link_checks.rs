//! `POST /api/v1/link-checks`: a set-up or enrolment link's state, read without using it,
//! never naming the member, nor the school except for a valid founding set-up code (see
//! `team_chain`), and limited together with code redemption.

use prepoznaj_domain::protocol::{LinkCheck, LinkState, TeamMemberSetupCode};
use serde_json::json;

use crate::enrolment::renew_setup_code;
use crate::team_keys::MemberKeys;
use crate::test_app::{TestApp, assert_error, header};

/// Checks `code` as a link of `kind` (`team_setup` or `enrolment`).
async fn check(app: &TestApp, kind: &str, code: &str) -> LinkCheck {
    let response = app
        .post_json(
            "/api/v1/link-checks",
            None,
            &json!({ "kind": kind, "code": code }),
        )
        .await;
    assert_eq!(response.status(), 200, "{kind} {code}");
    let body: serde_json::Value = response.json().await.unwrap();
    let keys: Vec<&str> = body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let founding = body["state"] == "valid" && kind == "team_setup";
    assert!(
        keys.iter()
            .all(|key| ["state", "expires_at", "protocol"].contains(key)
                || (founding && *key == "founding_school")),
        "the answer names nothing else: {keys:?}"
    );
    serde_json::from_value(body).unwrap()
}

#[tokio::test]
async fn a_set_up_link_checks_valid_as_often_as_asked_and_still_redeems_then_checks_used() {
    let app = TestApp::spawn().await;
    let (code, school) = app.create_school_for("ОШ „Вук Караџић“").await;

    let first = check(&app, "team_setup", &code).await;
    let second = check(&app, "team_setup", &code).await;

    assert_eq!(first.state, LinkState::Valid);
    assert!(first.expires_at.is_some());
    assert_eq!(second, first, "checking changed nothing");
    assert_eq!(first.founding_school, Some(school.clone()));
    let keys = MemberKeys::generate("Марија");
    let founding = keys.founding(&school.id);
    let response = app
        .set_up(&code, &school, &keys, Some(founding.signed()))
        .await;
    assert_eq!(response.status(), 201, "the checked code still redeems");
    let used = check(&app, "team_setup", &code).await;
    assert_eq!((used.state, used.expires_at), (LinkState::Used, None));
    assert_eq!(
        check(&app, "enrolment", &code).await.state,
        LinkState::Unknown,
        "a set-up code is no enrolment code"
    );
}

#[tokio::test]
async fn unknown_and_expired_set_up_links_say_so_with_the_expiry() {
    let app = TestApp::spawn().await;
    let code = app.create_school("ОШ Бранко Радичевић").await;
    app.database
        .execute("UPDATE setup_codes SET expires_at = 1000", &[])
        .await;

    let expired = check(&app, "team_setup", &code).await;

    assert_eq!(expired.state, LinkState::Expired);
    assert_eq!(expired.expires_at.map(|at| at.0), Some(1000));
    let unknown = check(&app, "team_setup", "bm90LWEtY29kZQ").await;
    assert_eq!(
        (unknown.state, unknown.expires_at),
        (LinkState::Unknown, None)
    );
}

#[tokio::test]
async fn a_lost_phone_link_replaced_by_a_newer_one_says_replaced_and_a_removed_members_revoked() {
    let app = TestApp::spawn().await;
    let team = app.school_with_team().await;
    let (jovan, added) = app.add_member(&team, "Јован").await;
    let jovan_code = added.setup.unwrap().setup_code;
    let member_id = jovan.id.to_string();
    let newer: TeamMemberSetupCode = renew_setup_code(&app, &team, &member_id)
        .await
        .json()
        .await
        .unwrap();

    let replaced = check(&app, "team_setup", jovan_code.expose()).await;
    let valid = check(&app, "team_setup", newer.setup_code.expose()).await;

    assert_eq!(replaced.state, LinkState::Replaced);
    assert_eq!(valid.state, LinkState::Valid);
    assert_eq!(valid.expires_at, Some(newer.setup_expires_at));
    let response = app
        .set_up(newer.setup_code.expose(), &team.setup.school, &jovan, None)
        .await;
    assert_eq!(response.status(), 201);
    assert_eq!(
        check(&app, "team_setup", newer.setup_code.expose())
            .await
            .state,
        LinkState::Used,
        "redeemed, not replaced"
    );

    let (ana, added) = app.add_member(&team, "Ана").await;
    app.remove_member(&team, &ana.id).await;
    assert_eq!(
        check(&app, "team_setup", added.setup.unwrap().setup_code.expose())
            .await
            .state,
        LinkState::Revoked
    );
}

#[tokio::test]
async fn an_enrolment_link_checks_valid_without_enrolling_then_expired_or_revoked() {
    let app = TestApp::spawn().await;
    let team = app.school_with_team().await;
    let link = app.enrolment_code(&team).await;
    let code = link.enrolment_code.expose();

    let valid = check(&app, "enrolment", code).await;

    assert_eq!(valid.state, LinkState::Valid);
    assert_eq!(valid.expires_at, Some(link.link.expires_at));
    assert_eq!(
        app.database.count("devices").await,
        0,
        "checking enrols nothing"
    );
    let enrol = json!({ "enrolment_code": code });
    let response = app.post_json("/api/v1/devices", None, &enrol).await;
    assert_eq!(response.status(), 201, "the checked code still enrols");
    assert_eq!(
        check(&app, "enrolment", code).await.state,
        LinkState::Valid,
        "an enrolment link serves many phones"
    );

    let path = format!("/api/v1/enrolment-links/{}", link.link.id);
    assert_eq!(app.team_delete(&team, &path).await.status(), 200);
    assert_eq!(
        check(&app, "enrolment", code).await.state,
        LinkState::Revoked
    );
    let other = app.enrolment_code(&team).await;
    app.database
        .execute(
            "UPDATE enrolment_links SET expires_at = 0 WHERE id = $1",
            &[other.link.id.as_str()],
        )
        .await;
    let expired = check(&app, "enrolment", other.enrolment_code.expose()).await;
    assert_eq!(expired.state, LinkState::Expired);
}

#[tokio::test]
async fn checks_count_against_the_same_limit_as_redeeming_codes() {
    let app = TestApp::spawn().await;
    let guess = json!({ "kind": "enrolment", "code": "Z3Vlc3M" });

    for _ in 0..10 {
        let response = app.post_json("/api/v1/link-checks", None, &guess).await;
        assert_eq!(response.status(), 200);
    }
    let limited = app.post_json("/api/v1/link-checks", None, &guess).await;
    let retry_after: u64 = header(&limited, "retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    assert_error(limited, 429, "rate_limited").await;
    assert_error(
        app.post_json(
            "/api/v1/devices",
            None,
            &json!({ "enrolment_code": "Z3Vlc3M" }),
        )
        .await,
        429,
        "rate_limited",
    )
    .await;
}
