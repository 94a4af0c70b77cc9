//! Browser tests of schema 5 (the team inbox's store) against real IndexedDB in headless
//! Chromium: a version 4 database upgrades keeping its data; reports are kept encrypted as
//! received and read with the member's key; a forgotten report does not come back with the
//! next download; a tampered envelope is reported for itself and the others still open, and
//! so is an envelope delivered under another report's id. A status change counts only through
//! a note signed by a member of the verified chain for that very change; the rest is named
//! not verified, with why, and the server's coarse status is only shown beside it.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test assertions")]

use std::collections::BTreeMap;

use prepoznaj::inbox::reading::{self, NoteProblem, NoteTrust, OpenFailure};
use prepoznaj::storage::inbox::{self, InboxEntry};
use prepoznaj::storage::sync_state::{self, SyncState};
use prepoznaj::storage::team_key::{self, TeamKey};
use prepoznaj::storage::{Database, SCHEMA_VERSION, delete_database, observations};
use prepoznaj_domain::catalogue::Catalogue;
use prepoznaj_domain::observation::{
    Answer, Context, Mode, ObservationDraft, ObservationRecord, ObserverRole, ReportId, Setting,
    UnixMillis,
};
use prepoznaj_domain::protocol::{
    AgeRecipient, CoarseStatus, DisplayName, Envelope, ReportStatus, ReportUuid, SchoolId,
    StatusChange, StatusChangeId, TeamMemberId, TeamReport,
};
use prepoznaj_domain::status_note::{AuthoredNote, InboxStatus, NoteContext, StatusNote};
use prepoznaj_domain::team_chain::{ChainMember, MemberChange, SignedVersion};
use prepoznaj_envelope::chain::{found_chain, sign_next_version};
use prepoznaj_envelope::digest::sha256;
use prepoznaj_envelope::identity::TeamIdentity;
use prepoznaj_envelope::report::{seal, seal_report};
use prepoznaj_envelope::signing::ChainSigningKey;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

mod support;

wasm_bindgen_test_configure!(run_in_browser);

fn catalogue() -> Catalogue {
    Catalogue::parse(include_str!("../public/content/catalogue/2021-r1.json")).unwrap()
}

/// A finished quick-mode observation with `marked` indicators observed.
fn finished(catalogue: &Catalogue, millis: u64, marked: usize) -> ObservationRecord {
    let mut draft = ObservationDraft::new(
        ReportId::new_v7(UnixMillis(millis), [7; 10]),
        catalogue.version().clone(),
        Mode::Quick,
        Context {
            setting: Setting::Classroom,
            age_band: None,
            gender: None,
            observer_role: ObserverRole::MaintenanceSupport,
            reference: None,
        },
        UnixMillis(millis),
    );
    for indicator in catalogue.indicators().take(marked) {
        draft
            .answer(
                catalogue,
                indicator.id(),
                Answer::Observed,
                UnixMillis(millis),
            )
            .unwrap();
    }
    let mut record = ObservationRecord::Draft(draft);
    record.complete(catalogue, UnixMillis(millis + 1)).unwrap();
    record
}

/// The report as the server lists it to the team, sealed to `identity`.
fn received(record: &ObservationRecord, identity: &TeamIdentity, received_at: u64) -> TeamReport {
    let key_set = prepoznaj_domain::protocol::KeySet {
        version: 1,
        keys: vec![prepoznaj_domain::protocol::TeamMember {
            id: prepoznaj_domain::protocol::TeamMemberId::new_v7(UnixMillis(1), [1; 10]),
            display_name: prepoznaj_domain::protocol::DisplayName::parse("Марија").unwrap(),
            public_key: identity.recipient(),
            fingerprint: prepoznaj_envelope::digest::key_fingerprint(&identity.recipient()),
            added_at: UnixMillis(1),
            removed_at: None,
        }],
    };
    let ObservationRecord::Finished(observation) = record else {
        panic!("a finished observation");
    };
    let submission = seal_report(observation, &key_set).unwrap();
    TeamReport {
        report_id: submission.report_id,
        received_at: UnixMillis(received_at),
        size: submission.envelope.as_bytes().len() as u64,
        catalogue_version: submission.catalogue_version,
        status: ReportStatus::Received,
        closed_at: None,
        deleted_after: None,
        envelope: submission.envelope,
        envelope_sha256: submission.envelope_sha256,
        status_changes: Vec::new(),
    }
}

/// The loaded catalogues, by version, as the inbox keeps them.
fn catalogues(catalogue: &Catalogue) -> BTreeMap<String, std::sync::Arc<Catalogue>> {
    BTreeMap::from([(
        catalogue.version().as_str().to_owned(),
        std::sync::Arc::new(catalogue.clone()),
    )])
}

fn school() -> SchoolId {
    SchoolId::parse("0192f3a4-0001-7000-8000-000000000001").unwrap()
}

/// No member's note trusted (reports without status changes).
fn no_trust() -> NoteTrust {
    NoteTrust::from_pin(school(), None)
}

/// Every kept report read with `identity`, newest first, as the inbox lists them.
fn read_all(
    kept: &BTreeMap<String, InboxEntry>,
    identity: &TeamIdentity,
    catalogues: &BTreeMap<String, std::sync::Arc<Catalogue>>,
) -> Vec<reading::InboxItem> {
    let trust = no_trust();
    let mut items: Vec<_> = kept
        .iter()
        .filter_map(|(id, entry)| match entry {
            InboxEntry::Received(report) => {
                Some(reading::read(id, report, identity, catalogues, &trust))
            }
            InboxEntry::Forgotten { .. } => None,
        })
        .collect();
    reading::sort_newest_first(&mut items);
    items
}

#[wasm_bindgen_test]
async fn a_version_4_database_upgrades_to_5_keeping_its_data_with_an_empty_inbox() {
    let name = "prepoznaj-test-v4-to-v5";
    delete_database(name).await.unwrap();
    let old = Database::open_at_version(name, 4).await.unwrap();
    let catalogue = catalogue();
    let record = finished(&catalogue, 1_000, 1);
    observations::save(&old, None, &record).await.unwrap();
    let identity = TeamIdentity::generate();
    let key = TeamKey {
        locked_identity: Envelope::from_bytes(identity.lock("зелена ливада у мају", 1)),
        work_factor: 1,
        public_key: identity.recipient(),
        signing_key: None,
        created_at: UnixMillis(5),
        display_name: None,
        registration: None,
        refused_link: None,
    };
    team_key::save(&old, &key).await.unwrap();
    let state = SyncState::default();
    sync_state::save(&old, &state).await.unwrap();
    old.close();

    let upgraded = Database::open_named(name).await.unwrap();
    assert_eq!(upgraded.version().unwrap(), SCHEMA_VERSION);
    assert_eq!(
        observations::load(&upgraded, Some(&support::data_key()), record.id().as_str())
            .await
            .unwrap(),
        Some(record)
    );
    assert_eq!(team_key::load(&upgraded).await.unwrap(), Some(key));
    assert_eq!(sync_state::load(&upgraded).await.unwrap(), state);
    assert!(inbox::load_all(&upgraded).await.unwrap().is_empty());
    upgraded.close();
    delete_database(name).await.unwrap();
}

#[wasm_bindgen_test]
async fn reports_are_kept_as_received_a_forgotten_one_stays_gone_and_a_tampered_one_is_isolated() {
    let name = "prepoznaj-test-inbox";
    delete_database(name).await.unwrap();
    let database = Database::open_named(name).await.unwrap();
    let catalogue = catalogue();
    let identity = TeamIdentity::generate();
    let first = received(&finished(&catalogue, 2_000, 2), &identity, 10);
    let second = received(&finished(&catalogue, 3_000, 3), &identity, 20);
    let mut tampered = received(&finished(&catalogue, 4_000, 1), &identity, 30);
    let mut bytes = tampered.envelope.as_bytes().to_vec();
    let last = bytes.len() - 1;
    bytes[last] ^= 0x01;
    tampered.envelope = Envelope::from_bytes(bytes);
    let downloaded = vec![tampered.clone(), second.clone(), first.clone()];

    let stored = inbox::store_downloaded(&database, downloaded.clone(), UnixMillis(50))
        .await
        .unwrap();
    let kept = inbox::load_all(&database).await.unwrap();
    assert_eq!(stored.entries, kept);
    assert_eq!(stored.changed.len(), 3);
    assert_eq!(kept.len(), 3);
    let Some(InboxEntry::Received(kept_first)) = kept.get(first.report_id.as_str()) else {
        panic!("the first report is kept");
    };
    assert_eq!(kept_first.report, first, "kept exactly as received");

    let catalogues = catalogues(&catalogue);
    let items = read_all(&kept, &identity, &catalogues);
    assert_eq!(
        items
            .iter()
            .map(|item| item.received_at.0)
            .collect::<Vec<_>>(),
        [30, 20, 10]
    );
    assert_eq!(items[0].observation, Err(OpenFailure::Damaged));
    assert_eq!(items[1].marked, 3);
    assert_eq!(items[2].marked, 2);
    assert!(items[1].level.is_some());
    assert_eq!(items[2].status, InboxStatus::New);

    // Another member's key opens none of them, and says why.
    let stranger = TeamIdentity::generate();
    let Some(InboxEntry::Received(kept_second)) = kept.get(second.report_id.as_str()) else {
        panic!("the second report is kept");
    };
    assert_eq!(
        reading::read(
            second.report_id.as_str(),
            kept_second,
            &stranger,
            &catalogues,
            &no_trust()
        )
        .observation,
        Err(OpenFailure::NotForThisKey)
    );

    inbox::forget(&database, first.report_id.as_str(), UnixMillis(99))
        .await
        .unwrap();
    inbox::store_downloaded(&database, downloaded, UnixMillis(100))
        .await
        .unwrap();
    let after = inbox::load_all(&database).await.unwrap();
    assert_eq!(
        after.get(first.report_id.as_str()),
        Some(&InboxEntry::Forgotten {
            forgotten_at: UnixMillis(99)
        })
    );
    assert!(matches!(
        after.get(second.report_id.as_str()),
        Some(InboxEntry::Received(_))
    ));
    database.close();
    delete_database(name).await.unwrap();
}

#[wasm_bindgen_test]
async fn a_report_the_server_deleted_is_forgotten_here_once_its_time_has_come_and_not_before() {
    let name = "prepoznaj-test-inbox-purged";
    delete_database(name).await.unwrap();
    let database = Database::open_named(name).await.unwrap();
    let catalogue = catalogue();
    let identity = TeamIdentity::generate();
    let due_at = 1_000_000;
    let mut deleted = received(&finished(&catalogue, 2_000, 2), &identity, 10);
    deleted.deleted_after = Some(UnixMillis(due_at));
    let mut missing_early = received(&finished(&catalogue, 3_000, 1), &identity, 20);
    missing_early.deleted_after = Some(UnixMillis(due_at + 1));
    let mut still_listed = received(&finished(&catalogue, 4_000, 1), &identity, 30);
    still_listed.deleted_after = Some(UnixMillis(due_at));
    inbox::store_downloaded(
        &database,
        vec![deleted.clone(), missing_early.clone(), still_listed.clone()],
        UnixMillis(100),
    )
    .await
    .unwrap();

    // The server's next complete listing has only the last one (its job has not run yet).
    let stored = inbox::store_downloaded(&database, vec![still_listed.clone()], UnixMillis(due_at))
        .await
        .unwrap();

    assert_eq!(stored.changed, [deleted.report_id.to_string()]);
    let kept = inbox::load_all(&database).await.unwrap();
    assert_eq!(
        kept.get(deleted.report_id.as_str()),
        Some(&InboxEntry::Forgotten {
            forgotten_at: UnixMillis(due_at)
        }),
        "deleted on the server, so forgotten here: nothing of it is left on this device"
    );
    for report in [&missing_early, &still_listed] {
        assert!(
            matches!(
                kept.get(report.report_id.as_str()),
                Some(InboxEntry::Received(_))
            ),
            "missing before its time, or still listed: kept"
        );
    }
    let items = read_all(&kept, &identity, &catalogues(&catalogue));
    assert_eq!(items.len(), 2);
}

#[wasm_bindgen_test]
async fn a_report_delivered_under_another_reports_id_is_listed_as_invalid_and_the_others_open() {
    let name = "prepoznaj-test-inbox-swapped";
    delete_database(name).await.unwrap();
    let database = Database::open_named(name).await.unwrap();
    let catalogue = catalogue();
    let identity = TeamIdentity::generate();
    let genuine = received(&finished(&catalogue, 2_000, 2), &identity, 10);
    let replayed = received(&finished(&catalogue, 3_000, 3), &identity, 20);
    // The server hands out the genuine report's envelope again, as if it were another report.
    let swapped = TeamReport {
        envelope: genuine.envelope.clone(),
        envelope_sha256: genuine.envelope_sha256,
        size: genuine.size,
        ..replayed.clone()
    };
    inbox::store_downloaded(
        &database,
        vec![swapped.clone(), genuine.clone()],
        UnixMillis(100),
    )
    .await
    .unwrap();
    let kept = inbox::load_all(&database).await.unwrap();
    assert_eq!(kept.len(), 2);

    let items = read_all(&kept, &identity, &catalogues(&catalogue));
    assert_eq!(items[0].id, swapped.report_id.as_str());
    assert_eq!(items[0].observation, Err(OpenFailure::OtherReport));
    assert_eq!((items[0].level, items[0].marked), (None, 0));
    assert_eq!(items[1].id, genuine.report_id.as_str());
    assert_eq!(
        items[1]
            .observation
            .as_ref()
            .map(|observation| observation.id().as_str()),
        Ok(genuine.report_id.as_str())
    );
    assert_eq!(items[1].marked, 2);
    database.close();
    delete_database(name).await.unwrap();
}

fn chain_member(
    index: u8,
    name: &str,
    key: &ChainSigningKey,
    identity: &TeamIdentity,
) -> ChainMember {
    ChainMember {
        id: TeamMemberId::parse(&format!("0192f3a4-0004-7000-8000-00000000000{index}")).unwrap(),
        display_name: DisplayName::parse(name).unwrap(),
        recipient: AgeRecipient::try_from(identity.recipient().to_string()).unwrap(),
        signing_key: key.public_key(),
        added_at: UnixMillis(u64::from(index) * 1_000),
    }
}

/// A status change as the server lists it: `coarse` beside `plaintext` sealed to `identity`.
fn change(
    report_id: &ReportUuid,
    change_id: &StatusChangeId,
    coarse: CoarseStatus,
    plaintext: &[u8],
    identity: &TeamIdentity,
    recorded_at: u64,
) -> StatusChange {
    let envelope = seal(plaintext, [identity.recipient()].iter()).unwrap();
    StatusChange {
        change_id: change_id.clone(),
        report_id: report_id.clone(),
        coarse_status: coarse,
        recorded_at: UnixMillis(recorded_at),
        envelope_sha256: sha256(&envelope),
        envelope: Envelope::from_bytes(envelope),
    }
}

fn change_id(last: u8) -> StatusChangeId {
    StatusChangeId::parse(&format!("0192f3a4-0003-7000-8000-0000000000{last:02x}")).unwrap()
}

#[wasm_bindgen_test]
async fn only_notes_signed_by_a_chain_member_for_their_own_change_count_and_the_server_is_a_hint() {
    let catalogue = catalogue();
    let identity = TeamIdentity::generate();
    let founder_key = ChainSigningKey::generate().unwrap();
    let leaver_key = ChainSigningKey::generate().unwrap();
    let stranger_key = ChainSigningKey::generate().unwrap();
    let founder = chain_member(1, "Марија Петровић", &founder_key, &identity);
    let leaver = chain_member(2, "Јован Јовић", &leaver_key, &TeamIdentity::generate());
    // Version 1: the founder; 2: the leaver added; 3: the leaver removed.
    let first = found_chain(school(), vec![founder.clone()], &founder_key).unwrap();
    let second =
        sign_next_version(&first, MemberChange::Add(leaver.clone()), &founder_key).unwrap();
    let third = sign_next_version(
        &second,
        MemberChange::Remove(leaver.id.clone()),
        &founder_key,
    )
    .unwrap();
    let versions: Vec<SignedVersion> = [&first, &second, &third]
        .into_iter()
        .map(|version| version.signed().clone())
        .collect();
    let whole = NoteTrust::from_chain(school(), &versions);
    let pinned = NoteTrust::from_pin(school(), Some(&versions[2]));

    let mut report = received(&finished(&catalogue, 2_000, 2), &identity, 10);
    let other = received(&finished(&catalogue, 3_000, 1), &identity, 20);
    let signed = |key: &ChainSigningKey,
                  author: &ChainMember,
                  report_id: &ReportUuid,
                  id: &StatusChangeId,
                  status| {
        key.sign_note(&AuthoredNote::new(
            StatusNote::bare(status, UnixMillis(5)),
            NoteContext {
                school: school(),
                report_id: report_id.clone(),
                change_id: id.clone(),
                author: author.id.clone(),
            },
        ))
        .to_bytes()
    };
    let id = report.report_id.clone();
    // The stranger signs as the founder (forged), an earlier build's unsigned note, a note
    // the leaver wrote while a member, a real note of another report moved here.
    let seen = signed(&leaver_key, &leaver, &id, &change_id(1), CoarseStatus::Seen);
    let acted = signed(
        &founder_key,
        &founder,
        &id,
        &change_id(2),
        CoarseStatus::ActedUpon,
    );
    let forged = signed(
        &stranger_key,
        &founder,
        &id,
        &change_id(3),
        CoarseStatus::Closed,
    );
    let unsigned = br#"{"format":1,"status":"closed","written_at":7}"#;
    let moved = signed(
        &founder_key,
        &founder,
        &other.report_id,
        &change_id(9),
        CoarseStatus::Closed,
    );
    let relabelled = signed(
        &founder_key,
        &founder,
        &id,
        &change_id(6),
        CoarseStatus::Seen,
    );
    report.status_changes = vec![
        change(&id, &change_id(1), CoarseStatus::Seen, &seen, &identity, 11),
        change(
            &id,
            &change_id(2),
            CoarseStatus::ActedUpon,
            &acted,
            &identity,
            12,
        ),
        change(
            &id,
            &change_id(3),
            CoarseStatus::Closed,
            &forged,
            &identity,
            13,
        ),
        change(
            &id,
            &change_id(4),
            CoarseStatus::Closed,
            unsigned,
            &identity,
            14,
        ),
        change(
            &id,
            &change_id(5),
            CoarseStatus::Closed,
            &moved,
            &identity,
            15,
        ),
        change(
            &id,
            &change_id(6),
            CoarseStatus::Closed,
            &relabelled,
            &identity,
            16,
        ),
    ];
    let kept = inbox::ReceivedReport {
        report: report.clone(),
        pending: Vec::new(),
    };
    let item = reading::read(
        id.as_str(),
        &kept,
        &identity,
        &catalogues(&catalogue),
        &whole,
    );
    let problems: Vec<_> = item
        .history
        .iter()
        .map(|entry| entry.note.as_ref().err().copied())
        .collect();
    assert_eq!(
        problems,
        [
            None,
            None,
            Some(NoteProblem::BadSignature),
            Some(NoteProblem::Unsigned),
            Some(NoteProblem::OtherChange),
            Some(NoteProblem::OtherStatus {
                note: CoarseStatus::Seen
            }),
        ]
    );
    let authors: Vec<_> = item
        .history
        .iter()
        .filter_map(|entry| entry.note.as_ref().ok())
        .map(|trusted| {
            trusted
                .author_name
                .as_ref()
                .map(|name| name.as_str().to_owned())
        })
        .collect();
    assert_eq!(
        authors,
        [
            Some("Јован Јовић".to_owned()),
            Some("Марија Петровић".to_owned())
        ]
    );
    assert_eq!(
        item.status,
        InboxStatus::ActedUpon,
        "only the trusted notes count"
    );
    assert_eq!(
        item.server_says,
        Some(InboxStatus::Closed),
        "the server's word is shown"
    );

    // With only the pinned version (the leaver already removed), the leaver's note waits
    // for the chain's history; learning it trusts the note without decrypting again.
    let mut early = reading::read(
        id.as_str(),
        &kept,
        &identity,
        &catalogues(&catalogue),
        &pinned,
    );
    assert_eq!(
        early.history[0].note.as_ref().err(),
        Some(&NoteProblem::AuthorNotYetKnown)
    );
    assert_eq!(early.status, InboxStatus::ActedUpon);
    reading::retrust(&mut early, &whole);
    assert_eq!(early, item);

    // With no chain member at all, nothing counts and the server's word is still only a hint.
    let none = reading::read(
        id.as_str(),
        &kept,
        &identity,
        &catalogues(&catalogue),
        &no_trust(),
    );
    assert_eq!(
        (none.status, none.server_says),
        (InboxStatus::New, Some(InboxStatus::Closed))
    );
}
