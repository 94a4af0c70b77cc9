//! The team's key chain on the server: `POST /api/v1/team/chain` appends only a version that
//! verifies as the next one, signed by the member making the request, and makes the change it
//! records (add, remove, re-register); every team request that changes something must be
//! signed with the member's key from the chain, whatever the token.

use prepoznaj_domain::{
    endpoints::{Endpoint, Method},
    observation::UnixMillis,
    protocol::{ChainAppended, ErrorCode, SchoolKeys, TeamSetupResponse},
    team_chain::{ChainMember, MemberChange},
};
use prepoznaj_envelope::chain::{VerifiedVersion, sign_next_version, verify_chain};
use serde_json::{Value, json};

use crate::{
    enrolment::keys,
    inbox::change,
    team_keys::{MemberKeys, now, signature},
    test_app::{Team, TestApp, assert_error, report_for},
};

/// Every team request that changes something, as `(method, path, body)`, for `team`'s school
/// with `other` as a second member: each succeeds when properly signed.
async fn team_actions(
    app: &TestApp,
    team: &Team,
    other: &Team,
) -> Vec<(Method, String, Option<Vec<u8>>)> {
    let phone = app.enrol(team).await;
    let link = app.enrolment_code(team).await;
    let (report_id, _, report) = report_for(team, b"observation");
    assert_eq!(app.submit(&phone, &report).await.status(), 201);
    let head = app.head(team).await;
    let stranger = MemberKeys::generate("Ана");
    let next = sign_next_version(
        &head,
        MemberChange::Add(stranger.chain_member()),
        &team.keys.signing,
    )
    .unwrap();
    let json = |value: Value| Some(serde_json::to_vec(&value).unwrap());
    vec![
        (
            Method::Post,
            Endpoint::AppendChain.path().to_owned(),
            json(json!({ "version": next.signed() })),
        ),
        (
            Method::Post,
            Endpoint::RenewSetupCode.path_with_id(&other.setup.member.id),
            None,
        ),
        (
            Method::Post,
            Endpoint::CreateEnrolmentLink.path().to_owned(),
            json(json!({ "valid_days": 3 })),
        ),
        (
            Method::Delete,
            Endpoint::RevokeEnrolmentLink.path_with_id(&link.link.id),
            None,
        ),
        (
            Method::Post,
            Endpoint::RecordStatusChange.path_with_id(&report_id),
            json(change(team, "seen", b"seen")),
        ),
        (
            Method::Delete,
            Endpoint::RevokeDevice.path_with_id(&phone.enrolment.device_id),
            None,
        ),
    ]
}

#[tokio::test]
async fn every_team_change_needs_the_members_signature_even_with_a_valid_token() {
    let app = TestApp::spawn().await;
    let team = app.school_with_team().await;
    let jovan = app.second_member(&team, "Јован").await;
    let actions = team_actions(&app, &team, &jovan).await;
    let school = &team.setup.school.id;
    let chain_before = app.chain(&team).await;

    for (method, path, body) in &actions {
        let bytes = body.as_deref().unwrap_or_default();
        let refusals = [
            (None, "signature_required"),
            (
                Some(format!("t={};sig={}", now().0, "ab".repeat(64))),
                "signature_invalid",
            ),
            (Some("t=soon;sig=ab".to_owned()), "signature_invalid"),
            // Signed over another body: the signature covers what is sent.
            (
                Some(team.keys.sign(*method, path, school, b"{\"other\":1}")),
                "signature_invalid",
            ),
            // Another member's key with this member's token.
            (
                Some(jovan.keys.sign(*method, path, school, bytes)),
                "signature_invalid",
            ),
            // The right key, naming the other member as signer.
            (
                Some(signature(
                    &team.keys.signing,
                    *method,
                    path,
                    school,
                    Some(&jovan.setup.member.id),
                    bytes,
                    now(),
                )),
                "signature_invalid",
            ),
            (
                Some(signature(
                    &team.keys.signing,
                    *method,
                    path,
                    school,
                    Some(&team.setup.member.id),
                    bytes,
                    UnixMillis(now().0 - 16 * 60 * 1000),
                )),
                "signature_expired",
            ),
            (
                Some(signature(
                    &team.keys.signing,
                    *method,
                    path,
                    school,
                    Some(&team.setup.member.id),
                    bytes,
                    UnixMillis(now().0 + 16 * 60 * 1000),
                )),
                "signature_expired",
            ),
        ];
        for (signature, code) in refusals {
            let response = app
                .send(
                    *method,
                    path,
                    Some(&team.member_token),
                    body.clone(),
                    signature.as_deref(),
                )
                .await;
            assert_error(response, 403, code).await;
        }
    }
    assert_eq!(app.chain(&team).await, chain_before, "nothing was appended");
    assert_eq!(app.database.count("enrolment_links").await, 2);
    assert_eq!(app.database.count("report_status_changes").await, 0);

    for (method, path, body) in actions {
        let response = app.as_member(&team, method, &path, body).await;
        assert!(
            response.status().is_success(),
            "{method} {path}: {}",
            response.status()
        );
    }
}

#[tokio::test]
async fn a_team_without_a_chain_can_change_nothing() {
    let app = TestApp::spawn().await;
    let team = app.school_with_team().await;
    app.database.execute("DELETE FROM team_chain", &[]).await;

    assert_error(
        app.team_post(&team, Endpoint::CreateEnrolmentLink.path(), &json!({}))
            .await,
        403,
        "signature_invalid",
    )
    .await;
}

/// The chain as a staff phone fetches it next.
async fn phone_chain(app: &TestApp, token: &str) -> SchoolKeys {
    keys(app, token).await
}

#[tokio::test]
async fn members_are_added_removed_and_re_registered_by_signed_versions_that_phones_see() {
    let app = TestApp::spawn().await;
    let team = app.school_with_team().await;
    let phone = app.enrol(&team).await;

    let jovan = app.second_member(&team, "Јован").await;
    let after_add = phone_chain(&app, &phone.token).await;
    let head = verify_chain(None, &after_add.chain).unwrap();
    assert_eq!(head.number(), 2);
    let listed: Vec<_> = head.key_set().recipients().cloned().collect();
    assert!(listed.contains(&jovan.keys.recipient()));
    assert!(listed.contains(&team.keys.recipient()));

    // Јован lost his phone: Марија re-registers him with the keys his new phone made.
    let new_phone = MemberKeys {
        id: jovan.keys.id.clone(),
        ..MemberKeys::generate("Јован")
    };
    let appended = app
        .change(
            &team,
            MemberChange::ReRegister(ChainMember {
                added_at: jovan.setup.member.added_at,
                ..new_phone.chain_member()
            }),
        )
        .await;
    let setup = appended.setup.clone().unwrap();
    assert_eq!(setup.member, jovan.keys.id);
    let after_re_registration = phone_chain(&app, &phone.token).await;
    assert_eq!(after_re_registration.chain, appended.chain);
    let head = verify_chain(None, &after_re_registration.chain).unwrap();
    assert_eq!(
        head.version().member(&jovan.keys.id).unwrap().recipient,
        new_phone.recipient()
    );
    assert_error(
        app.get_authorized("/api/v1/team/keys", &jovan.member_token)
            .await,
        401,
        "unauthorized",
    )
    .await;
    let school = &team.setup.school;
    let code = setup.setup_code.expose();
    assert_error(
        app.set_up(code, school, &jovan.keys, None).await,
        403,
        "public_key_mismatch",
    )
    .await;
    let response = app.set_up(code, school, &new_phone, None).await;
    assert_eq!(response.status(), 201);
    let jovan = Team::from_setup(
        response.json::<TeamSetupResponse>().await.unwrap(),
        new_phone,
    );

    // Јован removes Марија; her token stops working and phones no longer seal to her.
    let removed = app.remove_member(&jovan, &team.setup.member.id).await;
    assert!(removed.setup.is_none());
    let after_removal = phone_chain(&app, &phone.token).await;
    let head = verify_chain(None, &after_removal.chain).unwrap();
    assert_eq!(head.number(), 4);
    assert_eq!(
        head.key_set().recipients().cloned().collect::<Vec<_>>(),
        vec![jovan.keys.recipient()]
    );
    assert_error(
        app.get_authorized("/api/v1/team/keys", &team.member_token)
            .await,
        401,
        "token_revoked",
    )
    .await;
    assert_error(
        app.team_post(&team, Endpoint::CreateEnrolmentLink.path(), &json!({}))
            .await,
        401,
        "token_revoked",
    )
    .await;
    assert_eq!(
        app.team_post(&jovan, Endpoint::CreateEnrolmentLink.path(), &json!({}))
            .await
            .status(),
        201
    );
}

#[tokio::test]
async fn a_member_may_remove_themselves_but_the_chain_never_lists_nobody() {
    let app = TestApp::spawn().await;
    let team = app.school_with_team().await;
    let jovan = app.second_member(&team, "Јован").await;

    app.remove_member(&jovan, &jovan.setup.member.id).await;

    assert_error(
        app.get_authorized("/api/v1/team/keys", &jovan.member_token)
            .await,
        401,
        "token_revoked",
    )
    .await;
    let head = app.head(&team).await;
    assert!(
        sign_next_version(
            &head,
            MemberChange::Remove(team.setup.member.id.clone()),
            &team.keys.signing
        )
        .is_err(),
        "a version without members cannot be made"
    );
}

/// `version` posted by `team`'s member, refused with `code`; the chain is unchanged.
async fn refused(app: &TestApp, team: &Team, version: &VerifiedVersion, status: u16, code: &str) {
    let before = app.chain(team).await;
    let response = app.append(team, version.signed()).await;
    let answer = format!("{}", response.status());
    assert_error(response, status, code).await;
    assert_eq!(app.chain(team).await, before, "{code}: {answer}");
}

#[tokio::test]
async fn versions_that_do_not_verify_as_the_next_one_by_the_caller_are_refused() {
    let app = TestApp::spawn().await;
    let team = app.school_with_team().await;
    let jovan = app.second_member(&team, "Јован").await;
    let head = app.head(&team).await;
    let ana = MemberKeys::generate("Ана");
    let add_ana = MemberChange::Add(ana.chain_member());

    // A forged signature: Марија's version signed by someone else's key.
    let mine = sign_next_version(&head, add_ana.clone(), &team.keys.signing).unwrap();
    let forged = VerifiedVersion::restore_own(ana.signing.sign_version(mine.version().clone()));
    refused(&app, &team, &forged, 403, "chain_rejected").await;

    // Signed by Јован, sent with Марија's token and signature.
    let jovans = sign_next_version(&head, add_ana.clone(), &jovan.keys.signing).unwrap();
    refused(&app, &team, &jovans, 403, "chain_rejected").await;

    // Signed by someone who is not a member at all, in Марија's name.
    let stranger = VerifiedVersion::restore_own(
        ana.signing.sign_version(
            head.version()
                .next(head.hash(), add_ana.clone(), team.setup.member.id.clone())
                .unwrap(),
        ),
    );
    refused(&app, &team, &stranger, 403, "chain_rejected").await;

    // Version 1 again (a rollback to the founding version), and version 2 again.
    let chain = app.chain(&team).await;
    for old in &chain {
        refused(
            &app,
            &team,
            &VerifiedVersion::restore_own(old.clone()),
            403,
            "chain_rejected",
        )
        .await;
    }

    // Version 4 while the chain ends at 2: version 3 is skipped.
    let skipped = sign_next_version(
        &mine,
        MemberChange::Remove(jovan.setup.member.id.clone()),
        &team.keys.signing,
    )
    .unwrap();
    assert_eq!(skipped.number(), 4);
    refused(&app, &team, &skipped, 403, "chain_rejected").await;

    // The message names why, for the operator's log.
    let response = app.append(&team, forged.signed()).await;
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], ErrorCode::ChainRejected.as_str());
    assert!(
        body["message"].as_str().unwrap().contains("signature"),
        "{body}"
    );

    // The genuine version is still accepted.
    assert_eq!(app.append(&team, mine.signed()).await.status(), 201);
}

#[tokio::test]
async fn of_two_versions_with_the_same_number_the_second_gets_a_conflict() {
    let app = TestApp::spawn().await;
    let team = app.school_with_team().await;
    let jovan = app.second_member(&team, "Јован").await;
    let head = app.head(&team).await;
    let ana = MemberKeys::generate("Ана");
    let petar = MemberKeys::generate("Петар");
    let marijas = sign_next_version(
        &head,
        MemberChange::Add(ana.chain_member()),
        &team.keys.signing,
    )
    .unwrap();
    let jovans = sign_next_version(
        &head,
        MemberChange::Add(petar.chain_member()),
        &jovan.keys.signing,
    )
    .unwrap();

    let first = app.append(&team, marijas.signed()).await;
    assert_eq!(first.status(), 201);
    let first: ChainAppended = first.json().await.unwrap();
    assert_error(
        app.append(&jovan, jovans.signed()).await,
        409,
        "chain_conflict",
    )
    .await;
    assert_eq!(
        app.chain(&team).await,
        first.chain,
        "the fork was not stored"
    );
    assert_eq!(
        app.database.count("team_members").await,
        3,
        "Петар was not added"
    );

    // Made again from the new head, Јован's change goes through.
    app.add_member(&jovan, "Петар").await;
    assert_eq!(app.chain(&team).await.len(), 4);
}

#[tokio::test]
async fn of_two_versions_appended_at_once_on_two_instances_one_gets_a_conflict() {
    let app = TestApp::spawn().await;
    let other_instance = app.spawn_instance().await;
    let team = app.school_with_team().await;
    let jovan = app.second_member(&team, "Јован").await;
    let path = Endpoint::AppendChain.path();
    let school = &team.setup.school.id;

    for round in 0..3 {
        let head = app.head(&team).await;
        let sends = [
            (&team, app.base_url.clone(), MemberKeys::generate("Ана")),
            (
                &jovan,
                other_instance.clone(),
                MemberKeys::generate("Петар"),
            ),
        ]
        .map(|(member, base_url, added)| {
            let version = sign_next_version(
                &head,
                MemberChange::Add(added.chain_member()),
                &member.keys.signing,
            )
            .unwrap();
            let body = serde_json::to_vec(&json!({ "version": version.signed() })).unwrap();
            let request = app
                .client
                .post(format!("{base_url}{path}"))
                .bearer_auth(&member.member_token)
                .header("Content-Type", "application/json")
                .header(
                    crate::team_keys::HEADER,
                    member.keys.sign(Method::Post, path, school, &body),
                )
                .body(body);
            tokio::spawn(async move { request.send().await.unwrap().status().as_u16() })
        });
        let mut statuses = Vec::new();
        for send in sends {
            statuses.push(send.await.unwrap());
        }
        statuses.sort_unstable();

        assert_eq!(statuses, [201, 409], "round {round}");
        let chain = app.chain(&team).await;
        assert_eq!(chain.len(), usize::try_from(head.number()).unwrap() + 1);
        verify_chain(Some(&head), &chain).unwrap();
    }
}

#[tokio::test]
async fn a_link_check_names_the_school_of_a_valid_founding_code_only() {
    let app = TestApp::spawn().await;
    let (code, school) = app.create_school_for("ОШ Свети Сава").await;
    let check = |code: String| {
        let app = &app;
        async move {
            let response = app
                .post_json(
                    Endpoint::LinkCheck.path(),
                    None,
                    &json!({ "kind": "team_setup", "code": code }),
                )
                .await;
            assert_eq!(response.status(), 200);
            response.json::<Value>().await.unwrap()
        }
    };

    let valid = check(code.clone()).await;
    assert_eq!(valid["state"], "valid");
    assert_eq!(valid["founding_school"]["id"], school.id.as_str());
    assert_eq!(valid["founding_school"]["name"], "ОШ Свети Сава");

    let keys = MemberKeys::generate("Марија");
    let founding = keys.founding(&school.id);
    let response = app
        .set_up(&code, &school, &keys, Some(founding.signed()))
        .await;
    let team = Team::from_setup(response.json().await.unwrap(), keys);
    let used = check(code).await;
    assert_eq!(used["state"], "used");
    assert!(used.get("founding_school").is_none(), "{used}");

    let (_, added) = app.add_member(&team, "Јован").await;
    let member_code = check(added.setup.unwrap().setup_code.expose().to_owned()).await;
    assert_eq!(member_code["state"], "valid");
    assert!(
        member_code.get("founding_school").is_none(),
        "{member_code}"
    );
}

/// Times in a version are at most 2^53 − 1 ms, as the OpenAPI document says, so every JSON
/// reader keeps them exactly: one past that is refused as the field it is, the largest taken.
#[tokio::test]
async fn a_time_in_a_version_is_at_most_the_largest_integer_json_readers_keep() {
    let app = TestApp::spawn().await;
    let team = app.school_with_team().await;
    let path = Endpoint::AppendChain.path();
    let head = app.head(&team).await;
    let added = ChainMember {
        added_at: UnixMillis(UnixMillis::MAX_READ),
        ..MemberKeys::generate("Ана").chain_member()
    };
    let next = sign_next_version(&head, MemberChange::Add(added), &team.keys.signing).unwrap();
    let body = serde_json::to_string(&json!({ "version": next.signed() })).unwrap();
    assert!(body.contains("9007199254740991"), "{body}");

    let past = body.replace("9007199254740991", "9007199254740992");
    let response = app
        .as_member(&team, Method::Post, path, Some(past.into_bytes()))
        .await;
    assert_error(response, 400, "invalid_field").await;
    let response = app
        .as_member(&team, Method::Post, path, Some(body.into_bytes()))
        .await;
    assert_eq!(response.status(), 201);
}
