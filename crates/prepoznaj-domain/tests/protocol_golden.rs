//! Golden JSON for every wire type of the reports and enrolment protocol. A change to a file
//! under `tests/golden/protocol/` is a protocol change: phones already in use and the server
//! must still read it. The server's OpenAPI test reads the same files.

#![allow(clippy::unwrap_used, reason = "tests fail loudly on purpose")]

use prepoznaj_domain::catalogue::CatalogueVersion;
use prepoznaj_domain::observation::UnixMillis;
use prepoznaj_domain::protocol::{
    AgeRecipient, ApiErrorBody, ChainAppendRequest, ChainAppended, CoarseStatus, Device,
    DeviceEnrolment, DeviceEnrolmentRequest, DeviceId, DeviceName, DeviceRevoked, DisplayName,
    EnrolmentLink, EnrolmentLinkCreated, EnrolmentLinkId, EnrolmentLinkRequest,
    EnrolmentLinkRevoked, Envelope, ErrorCode, HealthResponse, KeyFingerprint, LinkCheck,
    LinkCheckRequest, LinkDeviceCap, LinkKind, LinkState, LinkValidDays, MemberSetupCode,
    PROTOCOL_VERSION, ReceiptResponse, ReportCursor, ReportReceipt, ReportStatus, ReportSubmission,
    ReportUuid, School, SchoolId, SchoolKeys, SchoolName, Secret, Sha256Digest, StatusChange,
    StatusChangeId, StatusChangeRecorded, StatusChangeRequest, TeamDevice, TeamDevices,
    TeamEnrolmentLink, TeamEnrolmentLinks, TeamMember, TeamMemberId, TeamMemberSetupCode,
    TeamReport, TeamReports, TeamSetupRequest, TeamSetupResponse,
};
use prepoznaj_domain::team_chain::SignedVersion;
use serde::{Serialize, de::DeserializeOwned};

const REPORT_ID: &str = "0192f3a4-5b6c-7d8e-9fa0-b1c2d3e4f506";
const KEY_MARIJA: &str = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p";
const KEY_JOVAN: &str = "age1zfvumjve930vy9vcg0xz8250ut8q4059mjt8rtj4uuxk063ugcsq34z9er";
const TOKEN: &str = "q8Vb3kXy0sN1mZ7rT4uW2eA9cF6hJ5gL0pO3iU8yT1w";

fn at(offset: u64) -> UnixMillis {
    UnixMillis(1_764_230_400_000 + offset)
}

fn school() -> School {
    School {
        id: SchoolId::parse("0192f3a4-0000-7000-8000-00000000000a").unwrap(),
        name: SchoolName::parse("ОШ „Вук Караџић“, Београд").unwrap(),
    }
}

fn marija() -> TeamMember {
    TeamMember {
        id: TeamMemberId::parse("0192f3a4-0001-7000-8000-00000000000b").unwrap(),
        display_name: DisplayName::parse("Марија, педагог").unwrap(),
        public_key: AgeRecipient::parse(KEY_MARIJA).unwrap(),
        fingerprint: KeyFingerprint::try_from("cf7e 5682 3131 5068 5bf1".to_owned()).unwrap(),
        added_at: at(1_000),
        removed_at: None,
    }
}

fn jovan() -> TeamMember {
    TeamMember {
        id: TeamMemberId::parse("0192f3a4-0002-7000-8000-00000000000c").unwrap(),
        display_name: DisplayName::parse("Jovan, psiholog").unwrap(),
        public_key: AgeRecipient::parse(KEY_JOVAN).unwrap(),
        fingerprint: KeyFingerprint::try_from("b52e c56f 8e11 b47e e675".to_owned()).unwrap(),
        added_at: at(2_000),
        removed_at: None,
    }
}

/// The school's key chain: Марија founds it, then adds Jovan (`tests/golden/team_chain/`).
fn chain() -> Vec<SignedVersion> {
    serde_json::from_str(include_str!("golden/team_chain/chain.json")).unwrap()
}

fn link() -> EnrolmentLink {
    EnrolmentLink {
        id: EnrolmentLinkId::parse("0192f3a4-0003-7000-8000-00000000000d").unwrap(),
        created_at: at(3_000),
        expires_at: LinkValidDays::default().expiry(at(3_000)),
        revoked_at: None,
        max_devices: LinkDeviceCap::default(),
    }
}

fn device() -> Device {
    Device {
        id: DeviceId::parse("0192f3a4-0004-7000-8000-00000000000e").unwrap(),
        enrolled_at: at(4_000),
        revoked_at: None,
    }
}

fn digest() -> Sha256Digest {
    Sha256Digest::parse_hex("4f0a7a9bd3e2c1f0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a796")
        .unwrap()
}

fn secret() -> Secret {
    Secret::new(TOKEN.to_owned())
}

/// Serialises `value`, compares it with the golden file, and reads the file back.
fn check<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(
    value: &T,
    expected: &str,
    file: &str,
) {
    assert_eq!(
        serde_json::to_string_pretty(value).unwrap().trim_end(),
        expected.trim_end(),
        "tests/golden/protocol/{file} changed: that is a protocol change. If it is meant, \
         update the file and keep reading the old shape."
    );
    assert_eq!(
        &serde_json::from_str::<T>(expected).unwrap(),
        value,
        "{file}"
    );
}

macro_rules! golden {
    ($test:ident, $file:literal, $value:expr) => {
        #[test]
        fn $test() {
            check(
                &$value,
                include_str!(concat!("golden/protocol/", $file)),
                $file,
            );
        }
    };
}

golden!(
    report_submission,
    "report_submission.json",
    ReportSubmission {
        report_id: ReportUuid::parse(REPORT_ID).unwrap(),
        envelope: Envelope::from_bytes(b"age-encryption.org/v1\n-> X25519 ...".to_vec()),
        envelope_sha256: digest(),
        catalogue_version: CatalogueVersion::new("2021-r1"),
        protocol_version: PROTOCOL_VERSION,
    }
);

golden!(
    receipt_response,
    "receipt_response.json",
    ReceiptResponse {
        receipt: ReportReceipt {
            report_id: ReportUuid::parse(REPORT_ID).unwrap(),
            received_at: at(5_000),
            status: ReportStatus::ActedUpon,
            envelope_sha256: digest(),
        },
        protocol: PROTOCOL_VERSION,
    }
);

golden!(
    team_setup_request,
    "team_setup_request.json",
    TeamSetupRequest {
        setup_code: secret(),
        public_key: AgeRecipient::parse(KEY_MARIJA).unwrap(),
        signing_key: chain()[0].version.members()[0].signing_key,
        display_name: DisplayName::parse("Марија, педагог").unwrap(),
        founding: Some(chain()[0].clone()),
    }
);

golden!(
    team_setup_response,
    "team_setup_response.json",
    TeamSetupResponse {
        school: school(),
        member: marija(),
        member_token: secret(),
        chain: chain()[..1].to_vec(),
        protocol: PROTOCOL_VERSION,
    }
);

golden!(
    chain_append_request,
    "chain_append_request.json",
    ChainAppendRequest {
        version: chain()[1].clone(),
    }
);

golden!(
    chain_appended,
    "chain_appended.json",
    ChainAppended {
        chain: chain(),
        setup: Some(MemberSetupCode {
            member: jovan().id,
            setup_code: secret(),
            setup_expires_at: LinkValidDays::default().expiry(at(2_000)),
        }),
        protocol: PROTOCOL_VERSION,
    }
);

golden!(
    team_member_setup_code,
    "team_member_setup_code.json",
    TeamMemberSetupCode {
        member: jovan(),
        setup_code: secret(),
        setup_expires_at: LinkValidDays::default().expiry(at(5_000)),
        protocol: PROTOCOL_VERSION,
    }
);

golden!(
    enrolment_link_request,
    "enrolment_link_request.json",
    EnrolmentLinkRequest {
        valid_days: LinkValidDays::new(7).unwrap(),
        max_devices: LinkDeviceCap::new(20).unwrap(),
    }
);

golden!(
    enrolment_link_created,
    "enrolment_link_created.json",
    EnrolmentLinkCreated {
        link: link(),
        enrolment_code: secret(),
        protocol: PROTOCOL_VERSION,
    }
);

golden!(
    enrolment_link_revoked,
    "enrolment_link_revoked.json",
    EnrolmentLinkRevoked {
        link: EnrolmentLink {
            revoked_at: Some(at(7_000)),
            ..link()
        },
        protocol: PROTOCOL_VERSION,
    }
);

golden!(
    device_enrolment_request,
    "device_enrolment_request.json",
    DeviceEnrolmentRequest {
        enrolment_code: secret(),
        name: Some(DeviceName::parse("Android · Chrome").unwrap()),
    }
);

golden!(
    device_enrolment,
    "device_enrolment.json",
    DeviceEnrolment {
        device_id: device().id,
        device_token: secret(),
        school: school(),
        chain: chain(),
        protocol: PROTOCOL_VERSION,
    }
);

golden!(
    device_revoked,
    "device_revoked.json",
    DeviceRevoked {
        device: Device {
            revoked_at: Some(at(8_000)),
            ..device()
        },
        protocol: PROTOCOL_VERSION,
    }
);

golden!(
    team_devices,
    "team_devices.json",
    TeamDevices {
        devices: vec![
            TeamDevice {
                id: DeviceId::parse("0192f3a4-0004-7000-8000-00000000000f").unwrap(),
                name: None,
                enrolled_at: at(9_000),
                last_seen_at: None,
                reports_sent: 0,
                revoked_at: None,
            },
            TeamDevice {
                id: device().id,
                name: Some(DeviceName::parse("Android · Chrome").unwrap()),
                enrolled_at: at(4_000),
                last_seen_at: Some(at(6_000)),
                reports_sent: 3,
                revoked_at: Some(at(8_000)),
            },
        ],
        protocol: PROTOCOL_VERSION,
    }
);

golden!(
    team_enrolment_links,
    "team_enrolment_links.json",
    TeamEnrolmentLinks {
        links: vec![TeamEnrolmentLink {
            link: link(),
            devices_enrolled: 2,
        }],
        protocol: PROTOCOL_VERSION,
    }
);

golden!(
    school_keys,
    "school_keys.json",
    SchoolKeys {
        school: school(),
        chain: chain(),
        protocol: PROTOCOL_VERSION,
    }
);

golden!(
    link_check_request,
    "link_check_request.json",
    LinkCheckRequest {
        kind: LinkKind::TeamSetup,
        code: secret(),
    }
);

golden!(
    link_check,
    "link_check.json",
    LinkCheck {
        state: LinkState::Valid,
        expires_at: Some(LinkValidDays::default().expiry(at(5_000))),
        founding_school: Some(school()),
        protocol: PROTOCOL_VERSION,
    }
);

#[test]
fn link_checks_name_every_kind_and_state_in_snake_case() {
    let request: LinkCheckRequest = variant(
        include_str!("golden/protocol/link_check_request.json"),
        "kind",
        Some("enrolment".into()),
    )
    .unwrap();
    assert_eq!(request.kind, LinkKind::Enrolment);
    for (state, text) in [
        (LinkState::Valid, "valid"),
        (LinkState::Used, "used"),
        (LinkState::Replaced, "replaced"),
        (LinkState::Expired, "expired"),
        (LinkState::Revoked, "revoked"),
        (LinkState::Unknown, "unknown"),
    ] {
        assert_eq!(serde_json::to_value(state).unwrap(), text);
    }
}

golden!(
    api_error,
    "api_error.json",
    ApiErrorBody {
        code: ErrorCode::ReportConflict,
        message: "a different report was already received with this report_id".to_owned(),
        protocol: PROTOCOL_VERSION,
    }
);

golden!(
    health_response,
    "health_response.json",
    HealthResponse {
        status: "ok".to_owned(),
        version: "0.1.0".to_owned(),
        protocol: PROTOCOL_VERSION,
    }
);

const CHANGE_ID: &str = "0192f3a4-0005-7000-8000-00000000000f";

fn status_change(coarse_status: CoarseStatus, offset: u64) -> StatusChange {
    StatusChange {
        change_id: StatusChangeId::parse(CHANGE_ID).unwrap(),
        report_id: ReportUuid::parse(REPORT_ID).unwrap(),
        coarse_status,
        recorded_at: at(offset),
        envelope: Envelope::from_bytes(b"age-encryption.org/v1\n-> X25519 change".to_vec()),
        envelope_sha256: digest(),
    }
}

golden!(
    status_change_request,
    "status_change_request.json",
    StatusChangeRequest {
        change_id: StatusChangeId::parse(CHANGE_ID).unwrap(),
        coarse_status: CoarseStatus::ActedUpon,
        envelope: Envelope::from_bytes(b"age-encryption.org/v1\n-> X25519 change".to_vec()),
        envelope_sha256: digest(),
    }
);

golden!(
    status_change_recorded,
    "status_change_recorded.json",
    StatusChangeRecorded {
        change: status_change(CoarseStatus::Closed, 9_000),
        status: ReportStatus::ActedUpon,
        closed_at: Some(at(9_000)),
        protocol: PROTOCOL_VERSION,
    }
);

golden!(
    team_reports,
    "team_reports.json",
    TeamReports {
        reports: vec![TeamReport {
            report_id: ReportUuid::parse(REPORT_ID).unwrap(),
            received_at: at(5_000),
            size: 35,
            catalogue_version: CatalogueVersion::new("2021-r1"),
            status: ReportStatus::Received,
            closed_at: None,
            deleted_after: Some(at(5_000 + 180 * 24 * 60 * 60 * 1000)),
            envelope: Envelope::from_bytes(b"age-encryption.org/v1\n-> X25519 ...".to_vec()),
            envelope_sha256: digest(),
            status_changes: vec![status_change(CoarseStatus::Seen, 6_000)],
        }],
        next_cursor: Some(ReportCursor {
            received_at: at(5_000),
            report_id: ReportUuid::parse(REPORT_ID).unwrap(),
        }),
        protocol: PROTOCOL_VERSION,
    }
);

/// `from_str` of `base` with `field` set to `value` (or removed when `value` is `None`).
fn variant<T: DeserializeOwned>(
    base: &str,
    field: &str,
    value: Option<serde_json::Value>,
) -> Result<T, serde_json::Error> {
    let mut object: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(base).unwrap();
    match value {
        Some(value) => object.insert(field.to_owned(), value),
        None => object.remove(field),
    };
    serde_json::from_value(serde_json::Value::Object(object))
}

/// Reads `golden` with one more field, which must be refused by name.
fn refuses_an_extra_field<T: DeserializeOwned + std::fmt::Debug>(golden: &str) {
    let error = variant::<T>(golden, "extra", Some(1.into())).unwrap_err();
    assert!(
        error.to_string().starts_with("unknown field `extra`"),
        "{error}"
    );
}

#[test]
fn requests_refuse_unknown_fields() {
    refuses_an_extra_field::<ReportSubmission>(include_str!(
        "golden/protocol/report_submission.json"
    ));
    refuses_an_extra_field::<TeamSetupRequest>(include_str!(
        "golden/protocol/team_setup_request.json"
    ));
    refuses_an_extra_field::<ChainAppendRequest>(include_str!(
        "golden/protocol/chain_append_request.json"
    ));
    refuses_an_extra_field::<EnrolmentLinkRequest>(include_str!(
        "golden/protocol/enrolment_link_request.json"
    ));
    refuses_an_extra_field::<DeviceEnrolmentRequest>(include_str!(
        "golden/protocol/device_enrolment_request.json"
    ));
    refuses_an_extra_field::<StatusChangeRequest>(include_str!(
        "golden/protocol/status_change_request.json"
    ));
    refuses_an_extra_field::<LinkCheckRequest>(include_str!(
        "golden/protocol/link_check_request.json"
    ));
}

#[test]
fn a_submission_checks_each_field() {
    let golden = include_str!("golden/protocol/report_submission.json");
    let refused = [
        (
            "report_id",
            "0192f3a4-5b6c-4d8e-9fa0-b1c2d3e4f506",
            "version 4",
        ),
        ("envelope", "not base64!", "base64"),
        ("envelope_sha256", "abc", "64 hex digits"),
        (
            "catalogue_version",
            "Free text, not a version",
            "catalogue version",
        ),
    ];
    for (field, value, reason) in refused {
        let error = variant::<ReportSubmission>(golden, field, Some(value.into())).unwrap_err();
        assert!(error.to_string().contains(reason), "{field}: {error}");
    }
    let error = variant::<ReportSubmission>(golden, "protocol_version", None).unwrap_err();
    assert!(error.to_string().starts_with("missing field"), "{error}");
}

#[test]
fn a_status_change_has_only_the_three_coarse_statuses() {
    let golden = include_str!("golden/protocol/status_change_request.json");
    for coarse_status in ["seen", "acted_upon", "closed"] {
        assert!(
            variant::<StatusChangeRequest>(golden, "coarse_status", Some(coarse_status.into()))
                .is_ok()
        );
    }
    for refused in ["received", "new", "Closed"] {
        assert!(
            variant::<StatusChangeRequest>(golden, "coarse_status", Some(refused.into())).is_err(),
            "{refused}"
        );
    }
}

#[test]
fn an_empty_link_request_takes_the_default_validity_and_cap() {
    let request: EnrolmentLinkRequest = serde_json::from_str("{}").unwrap();
    assert_eq!(request.valid_days.days(), 14);
    assert_eq!(request.max_devices.devices(), 50);
    assert!(serde_json::from_str::<EnrolmentLinkRequest>(r#"{"valid_days": 0}"#).is_err());
    for refused in ["0", "501", "-1", "50.5"] {
        let body = format!(r#"{{"max_devices": {refused}}}"#);
        assert!(
            serde_json::from_str::<EnrolmentLinkRequest>(&body).is_err(),
            "{refused}"
        );
    }
    let largest: EnrolmentLinkRequest = serde_json::from_str(r#"{"max_devices": 500}"#).unwrap();
    assert_eq!(largest.max_devices.devices(), 500);
}

#[test]
fn an_older_phones_enrolment_and_an_older_link_still_read() {
    let enrolment: DeviceEnrolmentRequest =
        serde_json::from_str(r#"{"enrolment_code": "abc"}"#).unwrap();
    assert_eq!(enrolment.name, None);
    let link: EnrolmentLink = serde_json::from_str(
        r#"{"id": "0192f3a4-0003-7000-8000-00000000000d", "created_at": 1, "expires_at": 2}"#,
    )
    .unwrap();
    assert_eq!(link.max_devices, LinkDeviceCap::default());
    for refused in ["\"\"", "\"   \"", "\"a\\u0007b\""] {
        let body = format!(r#"{{"enrolment_code": "abc", "name": {refused}}}"#);
        assert!(
            serde_json::from_str::<DeviceEnrolmentRequest>(&body).is_err(),
            "{refused}"
        );
    }
    let long = format!(
        r#"{{"enrolment_code": "abc", "name": "{}"}}"#,
        "x".repeat(41)
    );
    assert!(serde_json::from_str::<DeviceEnrolmentRequest>(&long).is_err());
}

#[test]
fn receipts_read_before_acted_upon_existed_still_read() {
    let received = r#"{"receipt": {"report_id": "0192f3a4-5b6c-7d8e-9fa0-b1c2d3e4f506",
        "received_at": 1, "status": "received", "envelope_sha256": "AB"}, "protocol": 1}"#
        .replace("\"AB\"", &format!("\"{}\"", "ab".repeat(32)));
    let response: ReceiptResponse = serde_json::from_str(&received).unwrap();
    assert_eq!(response.receipt.status, ReportStatus::Received);
}

#[test]
fn a_team_report_from_a_server_before_deleted_after_still_reads() {
    let golden: serde_json::Value =
        serde_json::from_str(include_str!("golden/protocol/team_reports.json")).unwrap();
    let report = serde_json::to_string(&golden["reports"][0]).unwrap();
    let older: TeamReport = variant(&report, "deleted_after", None).unwrap();
    assert_eq!(older.deleted_after, None);
    assert_eq!(older.report_id, ReportUuid::parse(REPORT_ID).unwrap());
}

#[test]
fn a_team_is_warned_two_weeks_before_an_unclosed_report_is_deleted_and_a_device_forgets_it_after() {
    const DAY: u64 = 24 * 60 * 60 * 1000;
    let golden: serde_json::Value =
        serde_json::from_str(include_str!("golden/protocol/team_reports.json")).unwrap();
    let report: TeamReport = serde_json::from_value(golden["reports"][0].clone()).unwrap();
    let deleted = report.deleted_after.unwrap();
    let closed = TeamReport {
        closed_at: Some(at(6_000)),
        ..report.clone()
    };
    let older = TeamReport {
        deleted_after: None,
        ..report.clone()
    };
    for (case, report, now, warning, due) in [
        ("a month before", &report, deleted.0 - 30 * DAY, None, false),
        (
            "one moment more than 14 days before",
            &report,
            deleted.0 - 14 * DAY - 1,
            None,
            false,
        ),
        (
            "14 days before",
            &report,
            deleted.0 - 14 * DAY,
            Some(deleted),
            false,
        ),
        (
            "the day before",
            &report,
            deleted.0 - DAY,
            Some(deleted),
            false,
        ),
        (
            "the moment it is due",
            &report,
            deleted.0,
            Some(deleted),
            true,
        ),
        (
            "a closed report, as the team expects",
            &closed,
            deleted.0 - DAY,
            None,
            false,
        ),
        ("a closed report once due", &closed, deleted.0, None, true),
        (
            "from a server that does not say",
            &older,
            deleted.0,
            None,
            false,
        ),
    ] {
        let now = UnixMillis(now);
        assert_eq!(report.deletion_warning(now), warning, "{case}");
        assert_eq!(report.is_due_for_deletion(now), due, "{case}");
    }
}
