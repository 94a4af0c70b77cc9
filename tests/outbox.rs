//! Browser tests of schema 3 (team key, enrolment, outbox) and of sealing finished
//! observations into the outbox, against real IndexedDB in headless Chromium.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test assertions")]

use prepoznaj::sealing::{Finished, seal_waiting, store_finished};
use prepoznaj::storage::enrolment::{self, Enrolment};
use prepoznaj::storage::outbox::{self, OutboxEntry};
use prepoznaj::storage::{Database, SCHEMA_VERSION, StorageError, delete_database, observations};
use prepoznaj_domain::catalogue::Catalogue;
use prepoznaj_domain::local_contacts::{LocalContactDraft, LocalContactList, LocalRole};
use prepoznaj_domain::observation::{
    Answer, Context, Mode, Note, ObservationDraft, ObservationRecord, ObserverRole, ReportId,
    Setting, Status, UnixMillis,
};
use prepoznaj_domain::protocol::{DisplayName, SchoolId, TeamMemberId};
use prepoznaj_domain::receipts::ReceiptRetention;
use prepoznaj_domain::reference::Reference;
use prepoznaj_domain::report::ReportPlaintext;
use prepoznaj_envelope::digest::sha256;
use prepoznaj_envelope::identity::TeamIdentity;
use prepoznaj_envelope::report::open;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

mod support;

wasm_bindgen_test_configure!(run_in_browser);

const REFERENCE: &str = "7б-3";
const NOTE: &str = "Спава код „ујака“ — canary 5e1d";

fn finished(millis: u64) -> ObservationRecord {
    let catalogue =
        Catalogue::parse(include_str!("../public/content/catalogue/2021-r1.json")).unwrap();
    let mut draft = ObservationDraft::new(
        ReportId::new_v7(UnixMillis(millis), [3; 10]),
        catalogue.version().clone(),
        Mode::Full,
        Context {
            setting: Setting::Schoolyard,
            age_band: None,
            gender: None,
            observer_role: ObserverRole::Teacher,
            reference: Some(Reference::parse(REFERENCE).unwrap()),
        },
        UnixMillis(millis),
    );
    let indicator = catalogue.areas()[0].indicators()[0].id().clone();
    draft
        .answer(
            &catalogue,
            &indicator,
            Answer::Observed,
            UnixMillis(millis + 1),
        )
        .unwrap();
    draft
        .set_note(
            &catalogue,
            &indicator,
            Some(Note::parse(NOTE).unwrap()),
            UnixMillis(millis + 2),
        )
        .unwrap();
    let mut record = ObservationRecord::Draft(draft);
    record.complete(&catalogue, UnixMillis(millis + 3)).unwrap();
    record
}

/// A fresh database `name`, enrolled with a key set of one new team identity.
async fn enrolled_database(name: &str) -> (Database, TeamIdentity) {
    delete_database(name).await.unwrap();
    let database = Database::open_named(name).await.unwrap();
    let identity = TeamIdentity::generate();
    enrolment::save(&database, &support::enrolment_for(&identity, 4))
        .await
        .unwrap();
    (database, identity)
}

/// The outbox entry holds an envelope only `identity` opens, to the observation `record` was.
fn assert_sealed_for(entry: &OutboxEntry, record: &ObservationRecord, identity: &TeamIdentity) {
    let envelope = entry.submission.envelope.as_bytes();
    assert!(envelope.starts_with(b"age-encryption.org/v1\n-> X25519 "));
    assert!(!String::from_utf8_lossy(envelope).contains("canary"));
    assert_eq!(entry.submission.envelope_sha256, sha256(envelope));
    assert_eq!(entry.id, record.id().as_str());
    assert_eq!(entry.key_set_version, 4);
    let report = ReportPlaintext::parse(&open(envelope, identity).unwrap()).unwrap();
    assert_eq!(report.observation.id(), record.id());
    assert_eq!(report.observation.status(), Status::Complete);
}

/// `record` is stored as queued and is the outbox's only entry, sealed for `identity`.
async fn assert_only_queued_and_sealed(
    database: &Database,
    record: &ObservationRecord,
    identity: &TeamIdentity,
) {
    let saved = observations::load(database, Some(&support::data_key()), record.id().as_str())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(saved.status(), Status::Queued);
    let entries = outbox::list(database).await.unwrap();
    assert_eq!(entries.len(), 1);
    assert_sealed_for(&entries[0], record, identity);
}

#[wasm_bindgen_test]
async fn a_version_2_database_upgrades_to_the_current_schema_keeping_observations_and_contacts() {
    use prepoznaj::storage::local_contacts;
    let name = "prepoznaj-test-v2-to-v3";
    delete_database(name).await.unwrap();
    let old = Database::open_at_version(name, 2).await.unwrap();
    let record = finished(1_000);
    observations::save(&old, None, &record).await.unwrap();
    let contacts = LocalContactList::from_contacts(vec![
        LocalContactDraft {
            name: "ПС Врачар".to_owned(),
            role: LocalRole::PoliceStation,
            phone: "011 123 4567".to_owned(),
        }
        .parse()
        .unwrap(),
    ])
    .unwrap();
    local_contacts::save(&old, &contacts).await.unwrap();
    old.close();

    let upgraded = Database::open_named(name).await.unwrap();
    assert_eq!(upgraded.version().unwrap(), SCHEMA_VERSION);
    assert_eq!(
        observations::load(&upgraded, Some(&support::data_key()), record.id().as_str())
            .await
            .unwrap(),
        Some(record)
    );
    assert_eq!(local_contacts::load(&upgraded).await.unwrap(), contacts);
    assert_eq!(enrolment::load(&upgraded).await.unwrap(), None);
    assert_eq!(
        prepoznaj::storage::team_key::load(&upgraded).await.unwrap(),
        None
    );
    assert!(outbox::list(&upgraded).await.unwrap().is_empty());
    upgraded.close();
    delete_database(name).await.unwrap();
}

#[wasm_bindgen_test]
async fn finishing_when_enrolled_queues_the_sealed_report_with_the_observation() {
    let name = "prepoznaj-test-finish-enrolled";
    let (database, identity) = enrolled_database(name).await;
    let record = finished(2_000);
    let (stored, outcome) = store_finished(&database, &support::data_key(), record.clone())
        .await
        .unwrap();
    assert_eq!(outcome, Finished::Queued);
    assert_eq!(stored.status(), Status::Queued);
    assert_only_queued_and_sealed(&database, &record, &identity).await;
    database.close();
    delete_database(name).await.unwrap();
}

#[wasm_bindgen_test]
async fn finishing_before_enrolment_waits_and_is_sealed_once_the_phone_enrols() {
    let name = "prepoznaj-test-finish-then-enrol";
    delete_database(name).await.unwrap();
    let database = Database::open_named(name).await.unwrap();
    let record = finished(3_000);
    let (stored, outcome) = store_finished(&database, &support::data_key(), record.clone())
        .await
        .unwrap();
    assert_eq!(outcome, Finished::WaitingForEnrolment);
    assert_eq!(stored.status(), Status::Complete);
    assert!(outbox::list(&database).await.unwrap().is_empty());

    let identity = TeamIdentity::generate();
    let enrolment = support::enrolment_for(&identity, 4);
    enrolment::save(&database, &enrolment).await.unwrap();
    assert_eq!(
        seal_waiting(&database, Some(&support::data_key()), &enrolment)
            .await
            .unwrap(),
        1
    );
    assert_only_queued_and_sealed(&database, &record, &identity).await;
    // Nothing is sealed twice.
    assert_eq!(
        seal_waiting(&database, Some(&support::data_key()), &enrolment)
            .await
            .unwrap(),
        0
    );
    database.close();
    delete_database(name).await.unwrap();
}

#[wasm_bindgen_test]
async fn an_outbox_entry_goes_in_only_with_its_own_queued_observation() {
    let name = "prepoznaj-test-outbox-pairing";
    delete_database(name).await.unwrap();
    let database = Database::open_named(name).await.unwrap();
    let identity = TeamIdentity::generate();
    let ObservationRecord::Finished(observation) = finished(4_000) else {
        unreachable!("finished() finishes");
    };
    let submission = prepoznaj_envelope::report::seal_report(
        &observation,
        &support::enrolment_for(&identity, 4).key_set,
    )
    .unwrap();
    let entry = OutboxEntry::new(submission, 4, UnixMillis(5));
    // Still `complete`: refused, and nothing is written.
    let complete = ObservationRecord::Finished(observation);
    let refused = outbox::queue(&database, Some(&support::data_key()), &complete, &entry).await;
    assert!(
        matches!(refused, Err(StorageError::Other(_))),
        "{refused:?}"
    );
    assert!(outbox::list(&database).await.unwrap().is_empty());
    assert_eq!(
        observations::list(&database, Some(&support::data_key()))
            .await
            .unwrap(),
        vec![]
    );
    database.close();
    delete_database(name).await.unwrap();
}

#[wasm_bindgen_test]
async fn delivery_leaves_only_the_receipt_in_one_transaction() {
    use prepoznaj::storage::sync_state::{self, SyncState};
    use prepoznaj_domain::outbox::{ReportState, Transition};
    use prepoznaj_domain::protocol::{ReceiptResponse, ReportReceipt, ReportStatus, ReportUuid};
    use prepoznaj_domain::sync::Attempt;

    let name = "prepoznaj-test-delivery";
    let (database, _identity) = enrolled_database(name).await;
    let record = finished(3_000);
    store_finished(&database, &support::data_key(), record.clone())
        .await
        .unwrap();
    let entry = outbox::list(&database).await.unwrap().remove(0);
    let report_id = ReportUuid::parse(&entry.id).unwrap();

    // The sender's state follows the outbox, sends, and records the receipt.
    let mut state = SyncState::default();
    let at = UnixMillis(4_000);
    assert_eq!(
        state.outbox.reconcile([(
            &report_id,
            entry.submission.envelope_sha256,
            entry.queued_at
        )]),
        1
    );
    state.outbox.begin(&report_id, at).unwrap();
    sync_state::save(&database, &state).await.unwrap();
    assert_eq!(sync_state::load(&database).await.unwrap(), state);
    let body = serde_json::to_vec(&ReceiptResponse {
        receipt: ReportReceipt {
            report_id: report_id.clone(),
            received_at: at,
            status: ReportStatus::Received,
            envelope_sha256: entry.submission.envelope_sha256,
        },
        protocol: 1,
    })
    .unwrap();
    let answer = Attempt::Answer {
        status: 201,
        body: &body,
        retry_after_ms: None,
    };
    assert!(matches!(
        state.outbox.record(&report_id, answer, at, 0.5),
        Transition::Delivered(_)
    ));
    sync_state::deliver(&database, &state, &report_id, at)
        .await
        .unwrap();

    // Envelope gone, observation forgotten (no answers, no age band; the reference stays),
    // the state says delivered.
    assert!(outbox::list(&database).await.unwrap().is_empty());
    let receipt = observations::load(&database, Some(&support::data_key()), &entry.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(receipt.status(), Status::Forgotten);
    assert!(receipt.answers().is_empty());
    let ObservationRecord::Finished(kept) = &receipt else {
        panic!("not finished");
    };
    assert_eq!(kept.context().age_band, None);
    assert_eq!(
        kept.context().reference,
        Some(Reference::parse(REFERENCE).unwrap())
    );
    let mut stored = sync_state::load(&database).await.unwrap();
    assert!(matches!(
        stored.outbox.get(&report_id).unwrap().state,
        ReportState::Delivered { .. }
    ));

    // The receipt stays for the period the person chose, then goes with its place in the
    // state; a report still waiting is never touched.
    let waiting = finished(5_000);
    store_finished(&database, &support::data_key(), waiting.clone())
        .await
        .unwrap();
    let day = 24 * 60 * 60 * 1000;
    let retention = ReceiptRetention::Days30;
    for (now, forgotten, receipt_kept) in [
        (UnixMillis(at.0 + 30 * day - 1), 0, true),
        (UnixMillis(at.0 + 30 * day), 1, false),
    ] {
        let went = sync_state::forget_expired_receipts(&database, &mut stored, retention, now)
            .await
            .unwrap();
        assert_eq!(went, forgotten);
        let receipt = observations::load(&database, Some(&support::data_key()), &entry.id)
            .await
            .unwrap();
        assert_eq!(receipt.is_some(), receipt_kept);
    }
    assert!(
        sync_state::load(&database)
            .await
            .unwrap()
            .outbox
            .get(&report_id)
            .is_none()
    );
    let still_waiting =
        observations::load(&database, Some(&support::data_key()), waiting.id().as_str())
            .await
            .unwrap()
            .unwrap();
    assert_eq!(still_waiting.status(), Status::Queued);
    assert_eq!(outbox::list(&database).await.unwrap().len(), 1);
    database.close();
    delete_database(name).await.unwrap();
}

#[wasm_bindgen_test]
async fn a_version_3_database_upgrades_keeping_its_outbox() {
    use prepoznaj::storage::sync_state::{self, SyncState};
    let name = "prepoznaj-test-v3-upgrade";
    delete_database(name).await.unwrap();
    let old = Database::open_at_version(name, 3).await.unwrap();
    let identity = TeamIdentity::generate();
    enrolment::save(&old, &support::enrolment_for(&identity, 4))
        .await
        .unwrap();
    let record = finished(5_000);
    store_finished(&old, &support::data_key(), record.clone())
        .await
        .unwrap();
    old.close();

    let upgraded = Database::open_named(name).await.unwrap();
    assert_eq!(upgraded.version().unwrap(), SCHEMA_VERSION);
    assert_only_queued_and_sealed(&upgraded, &record, &identity).await;
    assert_eq!(
        sync_state::load(&upgraded).await.unwrap(),
        SyncState::default()
    );
    upgraded.close();
    delete_database(name).await.unwrap();
}

#[wasm_bindgen_test]
async fn deleting_a_queued_observation_withdraws_its_envelope() {
    let name = "prepoznaj-test-withdraw";
    let (database, _identity) = enrolled_database(name).await;
    let record = finished(6_000);
    store_finished(&database, &support::data_key(), record.clone())
        .await
        .unwrap();
    assert_eq!(outbox::list(&database).await.unwrap().len(), 1);
    observations::delete(&database, record.id().as_str())
        .await
        .unwrap();
    assert!(outbox::list(&database).await.unwrap().is_empty());
    assert_eq!(
        observations::load(&database, Some(&support::data_key()), record.id().as_str())
            .await
            .unwrap(),
        None
    );
    database.close();
    delete_database(name).await.unwrap();
}

#[wasm_bindgen_test]
async fn a_changed_key_set_seals_what_waits_again_for_the_new_team_only() {
    use prepoznaj::sealing::reseal_queued;
    let name = "prepoznaj-test-reseal";
    let (database, old_member) = enrolled_database(name).await;
    let record = finished(7_000);
    store_finished(&database, &support::data_key(), record.clone())
        .await
        .unwrap();
    let before = outbox::list(&database).await.unwrap().remove(0);

    // The old member left; a new one joined (key set 4 → 5).
    let new_member = TeamIdentity::generate();
    let mut enrolment = support::enrolment_for(&new_member, 4);
    enrolment.key_set.version = 5;
    enrolment::save(&database, &enrolment).await.unwrap();
    assert_eq!(
        reseal_queued(&database, Some(&support::data_key()), &enrolment)
            .await
            .unwrap(),
        1
    );
    // Sealed already to this version: nothing more to do.
    assert_eq!(
        reseal_queued(&database, Some(&support::data_key()), &enrolment)
            .await
            .unwrap(),
        0
    );

    let after = outbox::list(&database).await.unwrap().remove(0);
    assert_eq!(after.id, before.id);
    assert_eq!(after.key_set_version, 5);
    assert_ne!(
        after.submission.envelope_sha256,
        before.submission.envelope_sha256
    );
    let envelope = after.submission.envelope.as_bytes();
    assert_eq!(after.submission.envelope_sha256, sha256(envelope));
    assert!(open(envelope, &old_member).is_err());
    let report = ReportPlaintext::parse(&open(envelope, &new_member).unwrap()).unwrap();
    assert_eq!(report.observation.id(), record.id());
    assert_eq!(report.observation.status(), Status::Complete);
    let stored = observations::load(&database, Some(&support::data_key()), record.id().as_str())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.status(), Status::Queued);
    database.close();
    delete_database(name).await.unwrap();
}

#[wasm_bindgen_test]
async fn a_pinned_enrolment_and_its_refusal_read_back_as_verified() {
    use prepoznaj::storage::enrolment::KeysRefusal;
    use prepoznaj::sync::pinning::RefusalReason;
    use prepoznaj_domain::team_chain::ChainMember;
    use prepoznaj_envelope::chain::{found_chain, version_hash};
    use prepoznaj_envelope::signing::ChainSigningKey;
    let name = "prepoznaj-test-pinned-enrolment";
    let (database, identity) = enrolled_database(name).await;
    let signing_key = ChainSigningKey::generate().unwrap();
    let founder = ChainMember {
        id: TeamMemberId::new_v7(UnixMillis(1), [3; 10]),
        display_name: DisplayName::parse("Марија").unwrap(),
        recipient: identity.recipient(),
        signing_key: signing_key.public_key(),
        added_at: UnixMillis(1_764_230_400_123),
    };
    let head = found_chain(
        SchoolId::new_v7(UnixMillis(1), [2; 10]),
        vec![founder],
        &signing_key,
    )
    .unwrap();
    let old = enrolment::load(&database).await.unwrap().unwrap();
    let mut pinned = Enrolment::pinned_to(
        old.device_id,
        old.device_token,
        old.school,
        &head,
        UnixMillis(20),
    );
    pinned.keys_refused = Some(KeysRefusal {
        reason: RefusalReason::Unsigned,
        at: UnixMillis(30),
    });
    enrolment::save(&database, &pinned).await.unwrap();
    let read = enrolment::load(&database).await.unwrap().unwrap();
    assert_eq!(read, pinned);
    assert_eq!(read.key_set, head.key_set());
    let stored_pin = read.pinned.unwrap();
    assert_eq!(version_hash(&stored_pin.version), head.hash());
    database.close();
    delete_database(name).await.unwrap();
}

#[wasm_bindgen_test]
async fn switching_school_seals_every_waiting_report_again_even_at_the_same_version_number() {
    use prepoznaj::sealing::{reseal_every_queued, reseal_queued};
    let name = "prepoznaj-test-reseal-switch";
    let (database, old_team) = enrolled_database(name).await;
    let record = finished(8_000);
    store_finished(&database, &support::data_key(), record.clone())
        .await
        .unwrap();

    // Another school, whose keys happen to have the same version number.
    let new_team = TeamIdentity::generate();
    let mut other = support::enrolment_for(&new_team, 4);
    other.school.id = SchoolId::new_v7(UnixMillis(1), [9; 10]);
    assert_eq!(
        reseal_queued(&database, Some(&support::data_key()), &other)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        reseal_every_queued(&database, Some(&support::data_key()), &other)
            .await
            .unwrap(),
        1
    );
    let after = outbox::list(&database).await.unwrap().remove(0);
    let envelope = after.submission.envelope.as_bytes();
    assert!(open(envelope, &old_team).is_err());
    let report = ReportPlaintext::parse(&open(envelope, &new_team).unwrap()).unwrap();
    assert_eq!(report.observation.id(), record.id());
    database.close();
    delete_database(name).await.unwrap();
}
