//! What a team sees of its staff phones and enrolment links: `GET /api/v1/team/devices` (the
//! name each phone gave itself, when it enrolled, was last seen and how many reports it sent),
//! `GET /api/v1/team/enrolment-links` (each link's cap and the phones enrolled with it),
//! revoking from those lists, and a link's cap (`410 link_full`).

use prepoznaj_domain::{
    endpoints::Endpoint,
    observation::UnixMillis,
    protocol::{
        DeviceEnrolment, EnrolmentLinkCreated, LinkCheck, LinkState, TeamDevice, TeamDevices,
        TeamEnrolmentLinks,
    },
};
use serde_json::{Value, json};

use crate::test_app::{Team, TestApp, assert_error, report_for};

async fn devices(app: &TestApp, team: &Team) -> Vec<TeamDevice> {
    let response = app
        .get_authorized(Endpoint::TeamDevices.path(), &team.member_token)
        .await;
    assert_eq!(response.status(), 200);
    let listed: TeamDevices = response.json().await.unwrap();
    listed.devices
}

async fn links(app: &TestApp, team: &Team) -> TeamEnrolmentLinks {
    let response = app
        .get_authorized(Endpoint::TeamEnrolmentLinks.path(), &team.member_token)
        .await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

async fn make_link(app: &TestApp, team: &Team, body: &Value) -> EnrolmentLinkCreated {
    let response = app
        .team_post(team, Endpoint::CreateEnrolmentLink.path(), body)
        .await;
    assert_eq!(response.status(), 201);
    response.json().await.unwrap()
}

async fn enrol_with(
    app: &TestApp,
    link: &EnrolmentLinkCreated,
    name: Option<&str>,
) -> reqwest::Response {
    let mut body = json!({ "enrolment_code": link.enrolment_code.expose() });
    if let Some(name) = name {
        body["name"] = json!(name);
    }
    app.post_json(Endpoint::EnrolDevice.path(), None, &body)
        .await
}

async fn enrolled(
    app: &TestApp,
    link: &EnrolmentLinkCreated,
    name: Option<&str>,
) -> DeviceEnrolment {
    let response = enrol_with(app, link, name).await;
    assert_eq!(response.status(), 201);
    response.json().await.unwrap()
}

fn listed<'a>(devices: &'a [TeamDevice], enrolment: &DeviceEnrolment) -> &'a TeamDevice {
    devices
        .iter()
        .find(|device| device.id == enrolment.device_id)
        .unwrap()
}

#[tokio::test]
async fn the_team_sees_each_phone_with_its_name_last_use_and_reports_sent() {
    let app = TestApp::spawn().await;
    let team = app.school_with_team().await;
    let link = make_link(&app, &team, &json!({})).await;
    let named = enrolled(&app, &link, Some("  Android · Chrome ")).await;
    let unnamed = enrolled(&app, &link, None).await;
    let token = named.device_token.expose().to_owned();

    let before = devices(&app, &team).await;
    assert_eq!(before.len(), 2);
    assert_eq!(before[0].id, unnamed.device_id, "newest enrolment first");
    let phone = listed(&before, &named);
    assert_eq!(
        phone.name.as_ref().unwrap().as_str(),
        "Android · Chrome",
        "trimmed"
    );
    assert_eq!(
        listed(&before, &unnamed).name,
        None,
        "an older app sends no name"
    );
    assert_eq!(phone.last_seen_at, None, "not seen since it enrolled");
    assert_eq!(phone.reports_sent, 0);
    assert_eq!(phone.revoked_at, None);

    let (_, _, body) = report_for(&team, b"first report");
    assert_eq!(
        app.post_json(Endpoint::SubmitReport.path(), Some(&token), &body)
            .await
            .status(),
        201
    );
    assert_eq!(
        app.post_json(Endpoint::SubmitReport.path(), Some(&token), &body)
            .await
            .status(),
        200,
        "a resend"
    );
    let after = devices(&app, &team).await;
    let phone = listed(&after, &named);
    assert_eq!(phone.reports_sent, 1, "a resend is not another report");
    let seen = phone.last_seen_at.expect("seen when it sent");
    assert!(seen >= phone.enrolled_at);
    assert_eq!(listed(&after, &unnamed).last_seen_at, None);

    // Within the hour nothing more is written; an hour later it is noted again.
    assert_eq!(
        app.get_authorized(Endpoint::SchoolKeys.path(), &token)
            .await
            .status(),
        200
    );
    assert_eq!(
        listed(&devices(&app, &team).await, &named).last_seen_at,
        Some(seen)
    );
    let hour_before = UnixMillis(seen.0 - 60 * 60 * 1000);
    app.database
        .execute(
            &format!(
                "UPDATE devices SET last_seen_at = {} WHERE id = $1",
                hour_before.0
            ),
            &[named.device_id.as_str()],
        )
        .await;
    assert_eq!(
        app.get_authorized(Endpoint::SchoolKeys.path(), &token)
            .await
            .status(),
        200
    );
    let again = listed(&devices(&app, &team).await, &named)
        .last_seen_at
        .unwrap();
    assert!(again >= seen, "noted again: {again:?} after {seen:?}");

    let stranger = app.school_with_team().await;
    assert!(
        devices(&app, &stranger).await.is_empty(),
        "only the team's own phones"
    );
    assert_error(
        app.get_authorized(Endpoint::TeamDevices.path(), &token)
            .await,
        401,
        "unauthorized",
    )
    .await;
    assert_error(
        app.get(Endpoint::TeamEnrolmentLinks.path()).await,
        401,
        "unauthorized",
    )
    .await;
}

#[tokio::test]
async fn a_phone_revoked_from_the_list_is_listed_as_revoked_and_its_token_stops() {
    let app = TestApp::spawn().await;
    let team = app.school_with_team().await;
    let link = make_link(&app, &team, &json!({})).await;
    let enrolment = enrolled(&app, &link, Some("iPhone · Safari")).await;
    let token = enrolment.device_token.expose().to_owned();
    let listed_id = devices(&app, &team).await[0].id.clone();

    let response = app
        .team_delete(&team, &Endpoint::RevokeDevice.path_with_id(&listed_id))
        .await;

    assert_eq!(response.status(), 200);
    let after = devices(&app, &team).await;
    assert_eq!(after.len(), 1, "a revoked phone stays in the list");
    assert!(after[0].revoked_at.is_some());
    let (_, _, body) = report_for(&team, b"waiting report");
    assert_error(
        app.post_json(Endpoint::SubmitReport.path(), Some(&token), &body)
            .await,
        401,
        "token_revoked",
    )
    .await;
}

#[tokio::test]
async fn a_link_enrols_phones_up_to_its_cap_then_refuses_with_link_full() {
    let app = TestApp::spawn().await;
    let team = app.school_with_team().await;
    let default = make_link(&app, &team, &json!({})).await;
    assert_eq!(default.link.max_devices.devices(), 50);
    let link = make_link(&app, &team, &json!({ "max_devices": 2 })).await;
    assert_eq!(link.link.max_devices.devices(), 2);
    for refused in [0, 501] {
        assert_error(
            app.team_post(
                &team,
                Endpoint::CreateEnrolmentLink.path(),
                &json!({ "max_devices": refused }),
            )
            .await,
            400,
            "invalid_field",
        )
        .await;
    }

    let first = enrolled(&app, &link, None).await;
    enrolled(&app, &link, None).await;
    // A phone revoked since still counts: a leaked link enrols at most its cap.
    let revoked = app
        .team_delete(
            &team,
            &Endpoint::RevokeDevice.path_with_id(&first.device_id),
        )
        .await;
    assert_eq!(revoked.status(), 200);
    assert_error(enrol_with(&app, &link, None).await, 410, "link_full").await;
    let check = app
        .post_json(
            Endpoint::LinkCheck.path(),
            None,
            &json!({ "kind": "enrolment", "code": link.enrolment_code.expose() }),
        )
        .await;
    let check: LinkCheck = check.json().await.unwrap();
    assert_eq!(
        check.state,
        LinkState::Full,
        "a check and an enrolment agree"
    );
    assert_eq!(check.expires_at, Some(link.link.expires_at));
    assert_eq!(app.database.count("devices").await, 2);

    let listed = links(&app, &team).await.links;
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0].link, link.link, "newest first");
    assert_eq!(listed[0].devices_enrolled, 2);
    assert_eq!(listed[1].link, default.link);
    assert_eq!(listed[1].devices_enrolled, 0);
    enrolled(&app, &default, None).await;
    assert_eq!(links(&app, &team).await.links[1].devices_enrolled, 1);
}

#[tokio::test]
async fn a_link_revoked_from_the_list_is_listed_as_revoked_and_enrols_nobody() {
    let app = TestApp::spawn().await;
    let team = app.school_with_team().await;
    let link = make_link(&app, &team, &json!({ "valid_days": 3 })).await;
    let listed = links(&app, &team).await;
    assert_eq!(listed.links.len(), 1);
    let listed_link = &listed.links[0].link;
    assert_eq!(
        listed_link.expires_at.0 - listed_link.created_at.0,
        3 * 24 * 60 * 60 * 1000
    );
    assert_eq!(listed_link.revoked_at, None);

    let response = app
        .team_delete(
            &team,
            &Endpoint::RevokeEnrolmentLink.path_with_id(&listed_link.id),
        )
        .await;

    assert_eq!(response.status(), 200);
    let after = links(&app, &team).await.links;
    assert!(after[0].link.revoked_at.is_some());
    assert_error(enrol_with(&app, &link, None).await, 410, "link_revoked").await;
    let stranger = app.school_with_team().await;
    assert!(
        links(&app, &stranger).await.links.is_empty(),
        "only the team's own links"
    );
}
