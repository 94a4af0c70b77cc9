//! Browser tests of schema 5 (the team inbox's store) against real IndexedDB in headless
//! Chromium: a version 4 database upgrades keeping its data; reports are kept encrypted as
//! received and read with the member's key; a forgotten report does not come back with the
//! next download; a tampered envelope is reported for itself and the others still open, and
//! so is an envelope delivered under another report's id.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test assertions")]

use std::collections::BTreeMap;

use prepoznaj::inbox::reading::{self, OpenFailure};
use prepoznaj::storage::inbox::{self, InboxEntry};
use prepoznaj::storage::sync_state::{self, SyncState};
use prepoznaj::storage::team_key::{self, TeamKey};
use prepoznaj::storage::{Database, SCHEMA_VERSION, delete_database, observations};
use prepoznaj_domain::catalogue::Catalogue;
use prepoznaj_domain::observation::{
    Answer, Context, Mode, ObservationDraft, ObservationRecord, ObserverRole, ReportId, Setting,
    UnixMillis,
};
use prepoznaj_domain::protocol::{Envelope, ReportStatus, TeamReport};
use prepoznaj_domain::status_note::InboxStatus;
use prepoznaj_envelope::identity::TeamIdentity;
use prepoznaj_envelope::report::seal_report;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

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

/// Every kept report read with `identity`, newest first, as the inbox lists them.
fn read_all(
    kept: &BTreeMap<String, InboxEntry>,
    identity: &TeamIdentity,
    catalogues: &BTreeMap<String, std::sync::Arc<Catalogue>>,
) -> Vec<reading::InboxItem> {
    let mut items: Vec<_> = kept
        .iter()
        .filter_map(|(id, entry)| match entry {
            InboxEntry::Received(report) => Some(reading::read(id, report, identity, catalogues)),
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
    observations::save(&old, &record).await.unwrap();
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
        observations::load(&upgraded, record.id().as_str())
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

    let stored = inbox::store_downloaded(&database, downloaded.clone())
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
            &catalogues
        )
        .observation,
        Err(OpenFailure::NotForThisKey)
    );

    inbox::forget(&database, first.report_id.as_str(), UnixMillis(99))
        .await
        .unwrap();
    inbox::store_downloaded(&database, downloaded)
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
    inbox::store_downloaded(&database, vec![swapped.clone(), genuine.clone()])
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
