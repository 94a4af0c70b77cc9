//! Team set-up (founding the key chain, and a member the chain lists), lost-device set-up
//! codes, staff enrolment links, device enrolment and revocation, the chain phones follow, and
//! the rate limit on codes. Changes to the chain itself are in `team_chain`.

use prepoznaj_domain::{
    endpoints::{Endpoint, Method},
    protocol::{
        DeviceEnrolment, DeviceRevoked, EnrolmentLinkRevoked, SchoolKeys, TeamMemberSetupCode,
        TeamSetupResponse,
    },
};
use prepoznaj_envelope::chain::verify_chain;
use serde_json::json;

use crate::{
    team_keys::MemberKeys,
    test_app::{Team, TestApp, assert_error, header},
};

pub(crate) async fn keys(app: &TestApp, token: &str) -> SchoolKeys {
    let response = app.get_authorized(Endpoint::SchoolKeys.path(), token).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

#[tokio::test]
async fn the_first_member_founds_the_chain_once_with_the_operators_link() {
    let app = TestApp::spawn().await;
    let (code, school) = app.create_school_for("ОШ „Вук Караџић“").await;
    let keys = MemberKeys::generate("Марија");
    let founding = keys.founding(&school.id);

    let response = app
        .set_up(&code, &school, &keys, Some(founding.signed()))
        .await;

    assert_eq!(response.status(), 201);
    let setup: TeamSetupResponse = response.json().await.unwrap();
    assert_eq!(setup.school, school);
    assert_eq!(setup.member.id, keys.id, "the id made on the device");
    assert_eq!(setup.member.display_name.as_str(), "Марија");
    assert_eq!(setup.member.public_key, keys.recipient());
    assert_eq!(setup.chain, vec![founding.signed().clone()]);
    assert_eq!(setup.member_token.expose().len(), 43);
    let team = Team::from_setup(setup, keys);
    assert_eq!(app.chain(&team).await, vec![founding.signed().clone()]);

    let other = MemberKeys::generate("Other");
    let again = other.founding(&school.id);
    assert_error(
        app.set_up(&code, &school, &other, Some(again.signed()))
            .await,
        410,
        "link_used",
    )
    .await;
}

#[tokio::test]
async fn a_founding_set_up_must_carry_a_version_1_of_this_school_for_these_keys_alone() {
    let app = TestApp::spawn().await;
    let (code, school) = app.create_school_for("ОШ Бранко Радичевић").await;
    let (_, elsewhere) = app.create_school_for("ОШ Десанка Максимовић").await;
    let keys = MemberKeys::generate("Марија");
    let stranger = MemberKeys::generate("Стефан");

    assert_error(
        app.set_up(&code, &school, &keys, None).await,
        403,
        "chain_rejected",
    )
    .await;
    let other_school = keys.founding(&elsewhere.id);
    assert_error(
        app.set_up(&code, &school, &keys, Some(other_school.signed()))
            .await,
        403,
        "chain_rejected",
    )
    .await;
    let someone_elses = stranger.founding(&school.id);
    assert_error(
        app.set_up(&code, &school, &keys, Some(someone_elses.signed()))
            .await,
        403,
        "public_key_mismatch",
    )
    .await;
    let two = prepoznaj_envelope::chain::found_chain(
        school.id.clone(),
        vec![keys.chain_member(), stranger.chain_member()],
        &keys.signing,
    )
    .unwrap();
    assert_error(
        app.set_up(&code, &school, &keys, Some(two.signed())).await,
        403,
        "chain_rejected",
    )
    .await;
    let mut forged = keys.founding(&school.id).signed().clone();
    forged.signature = stranger
        .signing
        .sign_version(forged.version.clone())
        .signature;
    assert_error(
        app.set_up(&code, &school, &keys, Some(&forged)).await,
        403,
        "chain_rejected",
    )
    .await;
    assert_eq!(app.database.count("team_chain").await, 0);

    let founding = keys.founding(&school.id);
    assert_eq!(
        app.set_up(&code, &school, &keys, Some(founding.signed()))
            .await
            .status(),
        201,
        "refused attempts do not use the code up"
    );
}

#[tokio::test]
async fn set_up_without_proof_of_the_signing_key_is_refused() {
    let app = TestApp::spawn().await;
    let (code, school) = app.create_school_for("ОШ Бранко Радичевић").await;
    let keys = MemberKeys::generate("Марија");
    let thief = MemberKeys::generate("Крадљивац");
    let founding = keys.founding(&school.id);
    let body = keys.setup_body(&code, Some(founding.signed()));
    let path = Endpoint::TeamSetup.path();
    let send = |signature: Option<String>| {
        let body = body.clone();
        let app = &app;
        async move {
            app.send(Method::Post, path, None, Some(body), signature.as_deref())
                .await
        }
    };

    assert_error(send(None).await, 403, "signature_required").await;
    // Signed by another key than the one the request registers: no proof of possession.
    assert_error(
        send(Some(thief.setup_signature(&school.id, &body))).await,
        403,
        "signature_invalid",
    )
    .await;
    assert_error(
        send(Some("t=1;sig=00".to_owned())).await,
        403,
        "signature_invalid",
    )
    .await;
    let other_school = app.create_school_for("ОШ Десанка Максимовић").await.1;
    assert_error(
        send(Some(keys.setup_signature(&other_school.id, &body))).await,
        403,
        "signature_invalid",
    )
    .await;
    let old = crate::team_keys::signature(
        &keys.signing,
        Method::Post,
        path,
        &school.id,
        None,
        &body,
        prepoznaj_domain::observation::UnixMillis(crate::team_keys::now().0 - 16 * 60 * 1000),
    );
    assert_error(send(Some(old)).await, 403, "signature_expired").await;
    assert_eq!(app.database.count("team_members").await, 0);

    assert_eq!(
        send(Some(keys.setup_signature(&school.id, &body)))
            .await
            .status(),
        201
    );
}

#[tokio::test]
async fn unknown_and_expired_codes_are_refused() {
    let app = TestApp::spawn().await;
    let keys = MemberKeys::generate("A");
    let (_, school) = app.create_school_for("ОШ Јован Јовановић Змај").await;
    assert_error(
        app.set_up("bm90LWEtY29kZQ", &school, &keys, None).await,
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

    let (code, school) = app.create_school_for("ОШ Бранко Радичевић").await;
    app.database
        .execute("UPDATE setup_codes SET expires_at = 0", &[])
        .await;
    let founding = keys.founding(&school.id);
    assert_error(
        app.set_up(&code, &school, &keys, Some(founding.signed()))
            .await,
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
    let signing = prepoznaj_envelope::signing::ChainSigningKey::generate()
        .unwrap()
        .public_key();
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
        let body = json!({
            "setup_code": code, "public_key": key, "signing_key": signing, "display_name": "A"
        });
        assert_error(
            app.post_json("/api/v1/team/setup", None, &body).await,
            400,
            code_expected,
        )
        .await;
    }
}

#[tokio::test]
async fn an_added_member_sets_up_only_with_the_keys_the_chain_lists_and_proves_them() {
    let app = TestApp::spawn().await;
    let team = app.school_with_team().await;
    let phone = app.enrol(&team).await;
    assert_eq!(phone.enrolment.chain, team.setup.chain);

    let (keys, added) = app.add_member(&team, "Јован").await;

    assert_eq!(added.chain.len(), 2);
    let setup = added.setup.clone().unwrap();
    assert_eq!(setup.member, keys.id);
    let current = keys_of(&app, &phone.token).await;
    assert_eq!(current.chain, added.chain, "phones get the new version");
    assert_eq!(current.school, team.setup.school);
    let head = verify_chain(None, &current.chain).unwrap();
    assert!(head.version().member(&keys.id).is_some());
    let response = app
        .get_authorized("/api/v1/team/keys", &team.member_token)
        .await;
    assert_eq!(response.status(), 200);
    let for_team: SchoolKeys = response.json().await.unwrap();
    assert_eq!(for_team, current, "the team's devices see the same chain");
    assert_error(
        app.get_authorized("/api/v1/team/keys", &phone.token).await,
        401,
        "unauthorized",
    )
    .await;

    let code = setup.setup_code.expose();
    let school = &team.setup.school;
    let someone_else = MemberKeys::generate("X");
    assert_error(
        app.set_up(code, school, &someone_else, None).await,
        403,
        "public_key_mismatch",
    )
    .await;
    // The listed age key with another signing key: the intercepted link is worth nothing.
    let same_age_key = MemberKeys {
        identity: keys.identity.clone(),
        ..MemberKeys::generate("Јован")
    };
    assert_error(
        app.set_up(code, school, &same_age_key, None).await,
        403,
        "public_key_mismatch",
    )
    .await;
    // The listed keys, signed by someone else's key: no proof of possession.
    let body = keys.setup_body(code, None);
    let forged = someone_else.setup_signature(&school.id, &body);
    assert_error(
        app.send(
            Method::Post,
            Endpoint::TeamSetup.path(),
            None,
            Some(body),
            Some(&forged),
        )
        .await,
        403,
        "signature_invalid",
    )
    .await;
    let founding = keys.founding(&school.id);
    assert_error(
        app.set_up(code, school, &keys, Some(founding.signed()))
            .await,
        403,
        "chain_rejected",
    )
    .await;

    let response = app.set_up(code, school, &keys, None).await;
    assert_eq!(response.status(), 201);
    let setup: TeamSetupResponse = response.json().await.unwrap();
    assert_eq!(setup.member.id, keys.id);
    assert_eq!(setup.member.display_name.as_str(), "Јован");
    assert_eq!(setup.chain, added.chain);
    let jovan = Team::from_setup(setup, keys);
    assert_eq!(
        app.team_post(&jovan, "/api/v1/enrolment-links", &json!({}))
            .await
            .status(),
        201,
        "the new member's token and key work"
    );
}

async fn keys_of(app: &TestApp, token: &str) -> SchoolKeys {
    keys(app, token).await
}

#[tokio::test]
async fn a_removed_members_unused_set_up_code_stops_working() {
    let app = TestApp::spawn().await;
    let team = app.school_with_team().await;
    let (keys, added) = app.add_member(&team, "Јован").await;
    app.remove_member(&team, &keys.id).await;

    let code = added.setup.unwrap().setup_code;
    assert_error(
        app.set_up(code.expose(), &team.setup.school, &keys, None)
            .await,
        410,
        "link_revoked",
    )
    .await;
}

/// Asks, as `team`'s member, for a new set-up code for `member_id`.
pub(crate) async fn renew_setup_code(
    app: &TestApp,
    team: &Team,
    member_id: &str,
) -> reqwest::Response {
    let path = Endpoint::RenewSetupCode.path_with_id(&member_id);
    app.as_member(team, Method::Post, &path, None).await
}

#[tokio::test]
async fn a_member_who_lost_their_device_sets_up_again_with_the_same_keys_and_the_old_token_stops() {
    let app = TestApp::spawn().await;
    let team = app.school_with_team().await;
    let jovan = app.second_member(&team, "Јован").await;
    let lost_token = jovan.member_token.clone();
    let member_id = jovan.setup.member.id.to_string();

    let response = renew_setup_code(&app, &team, &member_id).await;

    assert_eq!(response.status(), 201);
    let renewed: TeamMemberSetupCode = response.json().await.unwrap();
    assert_eq!(renewed.member, jovan.setup.member);
    assert_eq!(renewed.setup_code.expose().len(), 43);
    assert!(renewed.setup_expires_at > jovan.setup.member.added_at);
    let code = renewed.setup_code.expose();
    let school = &team.setup.school;
    assert_error(
        app.set_up(code, school, &MemberKeys::generate("X"), None)
            .await,
        403,
        "public_key_mismatch",
    )
    .await;
    let response = app.set_up(code, school, &jovan.keys, None).await;
    assert_eq!(response.status(), 201);
    let restored: TeamSetupResponse = response.json().await.unwrap();
    assert_eq!(restored.member.id, jovan.setup.member.id);
    assert_eq!(restored.member.public_key, jovan.setup.member.public_key);
    assert_eq!(
        restored.chain, jovan.setup.chain,
        "the same chain: nobody was added or removed"
    );

    assert_error(
        app.get_authorized("/api/v1/team/keys", &lost_token).await,
        401,
        "unauthorized",
    )
    .await;
    let response = app
        .get_authorized("/api/v1/team/keys", restored.member_token.expose())
        .await;
    assert_eq!(response.status(), 200, "the new device's token works");
    assert_error(
        app.set_up(code, school, &jovan.keys, None).await,
        410,
        "link_used",
    )
    .await;
}

#[tokio::test]
async fn a_new_set_up_code_replaces_the_earlier_unused_one_and_is_never_for_oneself() {
    let app = TestApp::spawn().await;
    let team = app.school_with_team().await;
    let jovan = app.second_member(&team, "Јован").await;
    let member_id = jovan.setup.member.id.to_string();
    let first: TeamMemberSetupCode = renew_setup_code(&app, &team, &member_id)
        .await
        .json()
        .await
        .unwrap();
    let second = renew_setup_code(&app, &team, &member_id).await;
    assert_eq!(second.status(), 201);

    assert_error(
        app.set_up(
            first.setup_code.expose(),
            &team.setup.school,
            &jovan.keys,
            None,
        )
        .await,
        410,
        "link_used",
    )
    .await;
    assert_error(
        renew_setup_code(&app, &jovan, &member_id).await,
        403,
        "own_setup_code",
    )
    .await;
}

#[tokio::test]
async fn set_up_codes_are_only_for_current_members_of_the_callers_school() {
    let app = TestApp::spawn().await;
    let team = app.school_with_team().await;
    let jovan = app.second_member(&team, "Јован").await;
    let other = app.school_with_team().await;
    let jovan_id = jovan.setup.member.id.to_string();
    let marija_id = team.setup.member.id.to_string();

    assert_error(
        renew_setup_code(&app, &other, &jovan_id).await,
        404,
        "not_found",
    )
    .await;
    let path = Endpoint::RenewSetupCode.path_with_id(&jovan_id);
    assert_error(
        app.send(Method::Post, &path, Some("bm90LWEtdG9rZW4"), None, None)
            .await,
        401,
        "unauthorized",
    )
    .await;
    let unknown = "0192f3a4-0004-7000-8000-00000000000e";
    assert_error(
        renew_setup_code(&app, &team, unknown).await,
        404,
        "not_found",
    )
    .await;

    app.remove_member(&team, &jovan.setup.member.id).await;
    assert_error(
        renew_setup_code(&app, &team, &jovan_id).await,
        404,
        "not_found",
    )
    .await;
    assert_error(
        renew_setup_code(&app, &jovan, &marija_id).await,
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
        .team_post(&team, "/api/v1/enrolment-links", &json!({"valid_days": 1}))
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
        assert_eq!(enrolment.chain, team.setup.chain);
    }

    let path = format!("/api/v1/enrolment-links/{}", link.link.id);
    let response = app.team_delete(&team, &path).await;
    assert_eq!(response.status(), 200);
    let revoked: EnrolmentLinkRevoked = response.json().await.unwrap();
    let revoked_at = revoked.link.revoked_at.unwrap();
    let again: EnrolmentLinkRevoked = app.team_delete(&team, &path).await.json().await.unwrap();
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
    assert_error(app.team_delete(&stranger, &path).await, 404, "not_found").await;
    assert_eq!(app.database.count("devices").await, 2);
}

#[tokio::test]
async fn a_revoked_device_is_refused_everywhere_and_only_its_own_team_can_revoke_it() {
    let app = TestApp::spawn().await;
    let team = app.school_with_team().await;
    let phone = app.enrol(&team).await;
    let path = format!("/api/v1/devices/{}", phone.enrolment.device_id);
    let stranger = app.school_with_team().await;
    assert_error(app.team_delete(&stranger, &path).await, 404, "not_found").await;
    assert_error(app.delete(&path, &phone.token).await, 401, "unauthorized").await;

    let response = app.team_delete(&team, &path).await;

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
    assert_error(app.team_delete(&team, unknown).await, 404, "not_found").await;
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

    let keys = MemberKeys::generate("A");
    let (_, school) = app.create_school_for("ОШ Вук Караџић").await;
    assert_error(
        app.set_up("Z3Vlc3M", &school, &keys, None).await,
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
    let (_, added) = app.add_member(&team, "Јован").await;
    let setup_code = added.setup.unwrap().setup_code;

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
        setup_code.expose(),
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

/// A guess at an enrolment code, as a proxy forwards it for `client` (`X-Forwarded-For`).
async fn guess_from(app: &TestApp, client: &str) -> reqwest::Response {
    guess_with(app, &[("X-Forwarded-For", client.to_owned())]).await
}

/// A guess at an enrolment code with `headers`.
async fn guess_with(app: &TestApp, headers: &[(&str, String)]) -> reqwest::Response {
    let mut request = app.client.post(format!("{}/api/v1/devices", app.base_url));
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    request
        .json(&json!({ "enrolment_code": "Z3Vlc3M" }))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_client_has_its_own_limit() {
    // The test's connections come from 127.0.0.1: here that is the trusted proxy.
    let app = TestApp::spawn_with(|config| {
        config.trusted_proxies = vec!["127.0.0.0/8".parse().unwrap()];
    })
    .await;
    for _ in 0..10 {
        assert_error(guess_from(&app, "198.51.100.7").await, 401, "link_invalid").await;
    }
    assert_error(guess_from(&app, "198.51.100.7").await, 429, "rate_limited").await;
    // Another client behind the same proxy is not held back by the first one's guesses; a
    // forged entry on the left of the chain does not move the first one to a fresh limit.
    assert_error(guess_from(&app, "198.51.100.8").await, 401, "link_invalid").await;
    assert_error(
        guess_from(&app, "203.0.113.50, 198.51.100.7").await,
        429,
        "rate_limited",
    )
    .await;
}

#[tokio::test]
async fn without_a_trusted_proxy_forwarding_headers_are_ignored() {
    let app = TestApp::spawn().await;
    for n in 0..10 {
        let forged = format!("198.51.100.{n}");
        let headers = [
            ("X-Forwarded-For", forged.clone()),
            ("Forwarded", format!("for={forged}")),
        ];
        let response = guess_with(&app, &headers).await;
        assert_error(response, 401, "link_invalid").await;
    }
    assert_error(guess_from(&app, "203.0.113.99").await, 429, "rate_limited").await;
}
