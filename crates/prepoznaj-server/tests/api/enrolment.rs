//! Team set-up, approval and removal of members, staff enrolment links, device enrolment and
//! revocation, the key set phones follow, and the rate limit on codes.

use prepoznaj_domain::protocol::{
    DeviceEnrolment, DeviceRevoked, EnrolmentLinkRevoked, SchoolKeys, TeamMemberAdded,
    TeamMemberRemoved, TeamMemberSetupCode, TeamSetupResponse,
};
use serde_json::json;

use crate::test_app::{Team, TestApp, assert_error, header};

pub(crate) fn setup_body(
    code: &str,
    key: &age::x25519::Recipient,
    name: &str,
) -> serde_json::Value {
    json!({ "setup_code": code, "public_key": key.to_string(), "display_name": name })
}

async fn keys(app: &TestApp, token: &str) -> SchoolKeys {
    let response = app.get_authorized("/api/v1/keys", token).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

#[tokio::test]
async fn the_first_member_sets_up_once_with_the_operators_link() {
    let app = TestApp::spawn().await;
    let code = app.create_school("ОШ „Вук Караџић“").await;
    let identity = age::x25519::Identity::generate();
    let body = setup_body(&code, &identity.to_public(), "  Марија  ");

    let response = app.post_json("/api/v1/team/setup", None, &body).await;

    assert_eq!(response.status(), 201);
    let setup: TeamSetupResponse = response.json().await.unwrap();
    assert_eq!(setup.school.name.as_str(), "ОШ „Вук Караџић“");
    assert_eq!(setup.member.display_name.as_str(), "Марија");
    assert_eq!(
        setup.member.public_key.as_str(),
        identity.to_public().to_string()
    );
    assert_eq!(setup.key_set.version, 1);
    assert_eq!(setup.key_set.keys, vec![setup.member.clone()]);
    assert_eq!(setup.member_token.expose().len(), 43);

    let again = setup_body(
        &code,
        &age::x25519::Identity::generate().to_public(),
        "Other",
    );
    assert_error(
        app.post_json("/api/v1/team/setup", None, &again).await,
        410,
        "link_used",
    )
    .await;
}

#[tokio::test]
async fn unknown_and_expired_codes_are_refused() {
    let app = TestApp::spawn().await;
    let key = age::x25519::Identity::generate().to_public();
    let unknown = setup_body("bm90LWEtY29kZQ", &key, "A");
    assert_error(
        app.post_json("/api/v1/team/setup", None, &unknown).await,
        401,
        "link_invalid",
    )
    .await;
    let device = json!({ "enrolment_code": "bm90LWEtY29kZQ" });
    assert_error(
        app.post_json("/api/v1/devices", None, &device).await,
        401,
        "link_invalid",
    )
    .await;

    let code = app.create_school("ОШ Бранко Радичевић").await;
    app.database
        .execute("UPDATE setup_codes SET expires_at = 0", &[])
        .await;
    let expired = setup_body(&code, &key, "A");
    assert_error(
        app.post_json("/api/v1/team/setup", None, &expired).await,
        410,
        "link_expired",
    )
    .await;
}

#[tokio::test]
async fn public_keys_must_be_real_x25519_recipients() {
    let app = TestApp::spawn().await;
    let code = app.create_school("ОШ Бранко Радичевић").await;
    let real = age::x25519::Identity::generate().to_public().to_string();
    let last = real.chars().last().unwrap();
    let bad_checksum = format!("{}{}", &real[..61], if last == 'q' { 'p' } else { 'q' });
    // The all-zero point: every shared secret with it is zero.
    let low_order = "age1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq5cu47z";

    for (key, code_expected) in [
        (bad_checksum.as_str(), "invalid_public_key"),
        (low_order, "invalid_public_key"),
        ("age1short", "invalid_field"),
        ("AGE-SECRET-KEY-1QQQQ", "invalid_field"),
    ] {
        let body = json!({ "setup_code": code, "public_key": key, "display_name": "A" });
        assert_error(
            app.post_json("/api/v1/team/setup", None, &body).await,
            400,
            code_expected,
        )
        .await;
    }
    let body = json!({ "setup_code": code, "public_key": real, "display_name": "A" });
    assert_eq!(
        app.post_json("/api/v1/team/setup", None, &body)
            .await
            .status(),
        201,
        "refused attempts do not use the code up"
    );
}

/// Approves a new member with a fresh identity; returns the identity and the answer.
pub(crate) async fn approve(
    app: &TestApp,
    team: &Team,
    name: &str,
) -> (age::x25519::Identity, TeamMemberAdded) {
    let identity = age::x25519::Identity::generate();
    let body = json!({ "public_key": identity.to_public().to_string(), "display_name": name });
    let response = app
        .post_json("/api/v1/team/members", Some(&team.member_token), &body)
        .await;
    assert_eq!(response.status(), 201);
    (identity, response.json().await.unwrap())
}

#[tokio::test]
async fn an_approved_member_is_in_the_key_set_and_sets_up_only_with_their_key() {
    let app = TestApp::spawn().await;
    let team = app.school_with_team().await;
    let phone = app.enrol(&team).await;
    assert_eq!(phone.enrolment.key_set.version, 1);

    let (identity, added) = approve(&app, &team, "Jovan").await;

    assert_eq!(added.key_set.version, 2);
    assert_eq!(added.key_set.keys.len(), 2);
    let current = keys(&app, &phone.token).await;
    assert_eq!(current.key_set, added.key_set, "phones pick the new key up");
    assert_eq!(current.school, team.setup.school);
    let response = app
        .get_authorized("/api/v1/team/keys", &team.member_token)
        .await;
    assert_eq!(response.status(), 200);
    let for_team: SchoolKeys = response.json().await.unwrap();
    assert_eq!(for_team, current, "the team's devices see the same key set");
    assert_error(
        app.get_authorized("/api/v1/team/keys", &phone.token).await,
        401,
        "unauthorized",
    )
    .await;

    let code = added.setup_code.expose();
    let someone_else = setup_body(code, &age::x25519::Identity::generate().to_public(), "X");
    assert_error(
        app.post_json("/api/v1/team/setup", None, &someone_else)
            .await,
        403,
        "public_key_mismatch",
    )
    .await;
    let response = app
        .post_json(
            "/api/v1/team/setup",
            None,
            &setup_body(code, &identity.to_public(), "Јован"),
        )
        .await;
    assert_eq!(response.status(), 201);
    let setup: TeamSetupResponse = response.json().await.unwrap();
    assert_eq!(setup.member.id, added.member.id);
    assert_eq!(setup.member.display_name.as_str(), "Јован");
    let second_token = setup.member_token.expose();
    assert_eq!(
        app.post_json("/api/v1/enrolment-links", Some(second_token), &json!({}))
            .await
            .status(),
        201,
        "the new member's token works"
    );

    let same_key = json!({ "public_key": identity.to_public().to_string(), "display_name": "J" });
    assert_error(
        app.post_json("/api/v1/team/members", Some(&team.member_token), &same_key)
            .await,
        409,
        "member_exists",
    )
    .await;
}

#[tokio::test]
async fn removing_a_member_revokes_their_token_but_never_the_last_member() {
    let app = TestApp::spawn().await;
    let team = app.school_with_team().await;
    let phone = app.enrol(&team).await;
    let (identity, added) = approve(&app, &team, "Jovan").await;
    let path = format!("/api/v1/team/members/{}", team.setup.member.id);

    let response = app.delete(&path, &team.member_token).await;

    assert_eq!(response.status(), 200);
    let removed: TeamMemberRemoved = response.json().await.unwrap();
    assert_eq!(removed.member.id, team.setup.member.id);
    assert!(removed.member.removed_at.is_some());
    assert_eq!(removed.key_set.version, 3);
    assert_eq!(removed.key_set.keys, vec![added.member.clone()]);
    assert_eq!(keys(&app, &phone.token).await.key_set, removed.key_set);
    assert_error(
        app.get_authorized("/api/v1/team/keys", &team.member_token)
            .await,
        401,
        "token_revoked",
    )
    .await;
    assert_error(
        app.post_json(
            "/api/v1/enrolment-links",
            Some(&team.member_token),
            &json!({}),
        )
        .await,
        401,
        "token_revoked",
    )
    .await;

    let code = added.setup_code.expose();
    let jovan: TeamSetupResponse = app
        .post_json(
            "/api/v1/team/setup",
            None,
            &setup_body(code, &identity.to_public(), "J"),
        )
        .await
        .json()
        .await
        .unwrap();
    let jovan_token = jovan.member_token.expose();
    let last = format!("/api/v1/team/members/{}", added.member.id);
    assert_error(
        app.delete(&last, jovan_token).await,
        409,
        "last_team_member",
    )
    .await;
    assert_error(app.delete(&path, jovan_token).await, 404, "not_found").await;

    let other = app.school_with_team().await;
    let elsewhere = format!("/api/v1/team/members/{}", other.setup.member.id);
    assert_error(app.delete(&elsewhere, jovan_token).await, 404, "not_found").await;
}

#[tokio::test]
async fn a_removed_members_unused_set_up_code_stops_working() {
    let app = TestApp::spawn().await;
    let team = app.school_with_team().await;
    let (identity, added) = approve(&app, &team, "Jovan").await;
    let path = format!("/api/v1/team/members/{}", added.member.id);
    assert_eq!(app.delete(&path, &team.member_token).await.status(), 200);

    let body = setup_body(added.setup_code.expose(), &identity.to_public(), "J");
    assert_error(
        app.post_json("/api/v1/team/setup", None, &body).await,
        410,
        "link_revoked",
    )
    .await;
}

/// Asks, with `token`, for a new set-up code for `member_id`.
pub(crate) async fn renew_setup_code(
    app: &TestApp,
    token: &str,
    member_id: &str,
) -> reqwest::Response {
    let path = format!("/api/v1/team/members/{member_id}/setup-code");
    app.post_raw(&path, Some(token), None, Vec::new()).await
}

/// A second member, approved by `team` and set up with their own key; returns their identity
/// and set-up answer.
async fn second_member(app: &TestApp, team: &Team) -> (age::x25519::Identity, TeamSetupResponse) {
    let (identity, added) = approve(app, team, "Jovan").await;
    let body = setup_body(added.setup_code.expose(), &identity.to_public(), "Јован");
    let response = app.post_json("/api/v1/team/setup", None, &body).await;
    assert_eq!(response.status(), 201);
    (identity, response.json().await.unwrap())
}

#[tokio::test]
async fn a_member_who_lost_their_device_sets_up_again_with_the_same_key_and_the_old_token_stops() {
    let app = TestApp::spawn().await;
    let team = app.school_with_team().await;
    let (identity, jovan) = second_member(&app, &team).await;
    let lost_token = jovan.member_token.expose();
    let member_id = jovan.member.id.to_string();

    let response = renew_setup_code(&app, &team.member_token, &member_id).await;

    assert_eq!(response.status(), 201);
    let renewed: TeamMemberSetupCode = response.json().await.unwrap();
    assert_eq!(renewed.member, jovan.member);
    assert_eq!(renewed.setup_code.expose().len(), 43);
    assert!(renewed.setup_expires_at > jovan.member.added_at);
    let code = renewed.setup_code.expose();
    let another_key = setup_body(code, &age::x25519::Identity::generate().to_public(), "X");
    assert_error(
        app.post_json("/api/v1/team/setup", None, &another_key)
            .await,
        403,
        "public_key_mismatch",
    )
    .await;
    let response = app
        .post_json(
            "/api/v1/team/setup",
            None,
            &setup_body(code, &identity.to_public(), "Јован"),
        )
        .await;
    assert_eq!(response.status(), 201);
    let restored: TeamSetupResponse = response.json().await.unwrap();
    assert_eq!(restored.member.id, jovan.member.id);
    assert_eq!(restored.member.public_key, jovan.member.public_key);
    assert_eq!(
        restored.key_set.recipients().collect::<Vec<_>>(),
        jovan.key_set.recipients().collect::<Vec<_>>(),
        "the same keys: nobody was added or removed"
    );
    assert_eq!(
        keys(&app, &app.enrol(&team).await.token).await.key_set,
        restored.key_set
    );

    assert_error(
        app.get_authorized("/api/v1/team/keys", lost_token).await,
        401,
        "unauthorized",
    )
    .await;
    let response = app
        .get_authorized("/api/v1/team/keys", restored.member_token.expose())
        .await;
    assert_eq!(response.status(), 200, "the new device's token works");
    assert_error(
        app.post_json(
            "/api/v1/team/setup",
            None,
            &setup_body(code, &identity.to_public(), "Јован"),
        )
        .await,
        410,
        "link_used",
    )
    .await;
}

#[tokio::test]
async fn a_new_set_up_code_replaces_the_earlier_unused_one_and_is_never_for_oneself() {
    let app = TestApp::spawn().await;
    let team = app.school_with_team().await;
    let (identity, jovan) = second_member(&app, &team).await;
    let member_id = jovan.member.id.to_string();
    let first: TeamMemberSetupCode = renew_setup_code(&app, &team.member_token, &member_id)
        .await
        .json()
        .await
        .unwrap();
    let second = renew_setup_code(&app, &team.member_token, &member_id).await;
    assert_eq!(second.status(), 201);

    let body = setup_body(first.setup_code.expose(), &identity.to_public(), "J");
    assert_error(
        app.post_json("/api/v1/team/setup", None, &body).await,
        410,
        "link_used",
    )
    .await;
    assert_error(
        renew_setup_code(&app, jovan.member_token.expose(), &member_id).await,
        403,
        "own_setup_code",
    )
    .await;
}

#[tokio::test]
async fn set_up_codes_are_only_for_current_members_of_the_callers_school() {
    let app = TestApp::spawn().await;
    let team = app.school_with_team().await;
    let (_, jovan) = second_member(&app, &team).await;
    let other = app.school_with_team().await;
    let jovan_id = jovan.member.id.to_string();
    let marija_id = team.setup.member.id.to_string();

    assert_error(
        renew_setup_code(&app, &other.member_token, &jovan_id).await,
        404,
        "not_found",
    )
    .await;
    assert_error(
        renew_setup_code(&app, "bm90LWEtdG9rZW4", &jovan_id).await,
        401,
        "unauthorized",
    )
    .await;
    let unknown = "0192f3a4-0004-7000-8000-00000000000e";
    assert_error(
        renew_setup_code(&app, &team.member_token, unknown).await,
        404,
        "not_found",
    )
    .await;

    let path = format!("/api/v1/team/members/{jovan_id}");
    assert_eq!(app.delete(&path, &team.member_token).await.status(), 200);
    assert_error(
        renew_setup_code(&app, &team.member_token, &jovan_id).await,
        404,
        "not_found",
    )
    .await;
    assert_error(
        renew_setup_code(&app, jovan.member_token.expose(), &marija_id).await,
        401,
        "token_revoked",
    )
    .await;
}

#[tokio::test]
async fn enrolment_links_enrol_phones_until_they_expire_or_are_revoked() {
    let app = TestApp::spawn().await;
    let team = app.school_with_team().await;
    let response = app
        .post_json(
            "/api/v1/enrolment-links",
            Some(&team.member_token),
            &json!({"valid_days": 1}),
        )
        .await;
    assert_eq!(response.status(), 201);
    let link: prepoznaj_domain::protocol::EnrolmentLinkCreated = response.json().await.unwrap();
    assert_eq!(
        link.link.expires_at.0 - link.link.created_at.0,
        24 * 60 * 60 * 1000
    );
    let enrol = json!({ "enrolment_code": link.enrolment_code.expose() });

    for _ in 0..2 {
        let response = app.post_json("/api/v1/devices", None, &enrol).await;
        assert_eq!(response.status(), 201, "a link serves many phones");
        let enrolment: DeviceEnrolment = response.json().await.unwrap();
        assert_eq!(enrolment.school, team.setup.school);
        assert_eq!(enrolment.key_set, team.setup.key_set);
        let fingerprint = &enrolment.key_set.keys[0].fingerprint;
        assert_eq!(fingerprint.as_str().len(), 24);
    }

    let path = format!("/api/v1/enrolment-links/{}", link.link.id);
    let response = app.delete(&path, &team.member_token).await;
    assert_eq!(response.status(), 200);
    let revoked: EnrolmentLinkRevoked = response.json().await.unwrap();
    let revoked_at = revoked.link.revoked_at.unwrap();
    let again: EnrolmentLinkRevoked = app
        .delete(&path, &team.member_token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        again.link.revoked_at,
        Some(revoked_at),
        "the first revocation stands"
    );
    assert_error(
        app.post_json("/api/v1/devices", None, &enrol).await,
        410,
        "link_revoked",
    )
    .await;

    let other = app.enrolment_code(&team).await;
    app.database
        .execute(
            "UPDATE enrolment_links SET expires_at = 0 WHERE id = $1",
            &[other.link.id.as_str()],
        )
        .await;
    let expired = json!({ "enrolment_code": other.enrolment_code.expose() });
    assert_error(
        app.post_json("/api/v1/devices", None, &expired).await,
        410,
        "link_expired",
    )
    .await;

    let stranger = app.school_with_team().await;
    assert_error(
        app.delete(&path, &stranger.member_token).await,
        404,
        "not_found",
    )
    .await;
    assert_eq!(app.database.count("devices").await, 2);
}

#[tokio::test]
async fn a_revoked_device_is_refused_everywhere_and_only_its_own_team_can_revoke_it() {
    let app = TestApp::spawn().await;
    let team = app.school_with_team().await;
    let phone = app.enrol(&team).await;
    let path = format!("/api/v1/devices/{}", phone.enrolment.device_id);
    let stranger = app.school_with_team().await;
    assert_error(
        app.delete(&path, &stranger.member_token).await,
        404,
        "not_found",
    )
    .await;
    assert_error(app.delete(&path, &phone.token).await, 401, "unauthorized").await;

    let response = app.delete(&path, &team.member_token).await;

    assert_eq!(response.status(), 200);
    let revoked: DeviceRevoked = response.json().await.unwrap();
    assert_eq!(revoked.device.id, phone.enrolment.device_id);
    assert!(revoked.device.revoked_at.is_some());
    assert_error(
        app.get_authorized("/api/v1/keys", &phone.token).await,
        401,
        "token_revoked",
    )
    .await;
    let unknown = "/api/v1/devices/0192f3a4-0004-7000-8000-00000000000e";
    assert_error(
        app.delete(unknown, &team.member_token).await,
        404,
        "not_found",
    )
    .await;
}

#[tokio::test]
async fn code_attempts_are_limited_per_address_with_retry_after() {
    let app = TestApp::spawn().await;
    let guess = json!({ "enrolment_code": "Z3Vlc3M" });

    for _ in 0..10 {
        assert_error(
            app.post_json("/api/v1/devices", None, &guess).await,
            401,
            "link_invalid",
        )
        .await;
    }
    let limited = app.post_json("/api/v1/devices", None, &guess).await;
    let retry_after: u64 = header(&limited, "retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    assert_error(limited, 429, "rate_limited").await;

    let key = age::x25519::Identity::generate().to_public();
    let setup = setup_body("Z3Vlc3M", &key, "A");
    assert_error(
        app.post_json("/api/v1/team/setup", None, &setup).await,
        429,
        "rate_limited",
    )
    .await;
    assert_eq!(
        app.get("/api/health").await.status(),
        200,
        "only code redemption is limited"
    );
}

#[tokio::test]
async fn tokens_and_codes_are_stored_only_as_hashes() {
    let app = TestApp::spawn().await;
    let team = app.school_with_team().await;
    let link = app.enrolment_code(&team).await;
    let phone = app.enrol(&team).await;
    let (_, added) = approve(&app, &team, "Jovan").await;

    // SQLite: the database file and its WAL; PostgreSQL: every row of every table.
    let stored = app.database.dump().await;
    assert!(
        stored.iter().any(|(_, bytes)| !bytes.is_empty()),
        "something was read"
    );
    for secret in [
        team.member_token.as_str(),
        link.enrolment_code.expose(),
        phone.token.as_str(),
        added.setup_code.expose(),
    ] {
        for (name, bytes) in &stored {
            assert!(
                !bytes
                    .windows(secret.len())
                    .any(|window| window == secret.as_bytes()),
                "a secret is in the database in clear: {name}"
            );
        }
    }
}
