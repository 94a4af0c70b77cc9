//! Browser tests of the app lock's storage against real IndexedDB in headless Chromium: once
//! sealed, a canary typed into a note is in no store's raw values (drafts, the start form,
//! queued copies and their receipts, delivered receipts); records written before the lock
//! read as they are and are sealed by a migration that resumes where a killed one stopped;
//! the wrong key, no key and a moved record are clear errors; delivery while locked leaves the
//! receipt sealed at Finish; "Forgot PIN?" deletes what it counted and keeps the outbox.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test assertions")]

use prepoznaj::sealing::store_finished;
use prepoznaj::storage::app_lock::{self, LockRecord, ResetLoss, ScreenLock};
use prepoznaj::storage::enrolment;
use prepoznaj::storage::sync_state::{self, SyncState};
use prepoznaj::storage::{
    Database, StorageError, Store, delete_database, observations, outbox, start_form,
};
use prepoznaj_domain::app_lock::{AutoLock, WrongTries};
use prepoznaj_domain::catalogue::Catalogue;
use prepoznaj_domain::observation::{
    Answer, Context, Mode, Note, ObservationDraft, ObservationRecord, ObserverRole, ReportId,
    Setting, Status, UnixMillis,
};
use prepoznaj_domain::protocol::ReportUuid;
use prepoznaj_domain::reference::Reference;
use prepoznaj_envelope::identity::TeamIdentity;
use prepoznaj_envelope::vault::DataKey;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

mod support;

wasm_bindgen_test_configure!(run_in_browser);

const CANARY: &str = "canary-7f3a-ујак";
const REFERENCE: &str = "7б-3";

fn catalogue() -> Catalogue {
    Catalogue::parse(include_str!("../public/content/catalogue/2021-r1.json")).unwrap()
}

fn context() -> Context {
    Context {
        setting: Setting::Schoolyard,
        age_band: None,
        gender: None,
        observer_role: ObserverRole::Teacher,
        reference: Some(Reference::parse(REFERENCE).unwrap()),
    }
}

/// A draft with the canary in a note, made at `millis`.
fn draft(millis: u64, random: u8) -> ObservationRecord {
    let catalogue = catalogue();
    let mut draft = ObservationDraft::new(
        ReportId::new_v7(UnixMillis(millis), [random; 10]),
        catalogue.version().clone(),
        Mode::Full,
        context(),
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
            Some(Note::parse(&format!("Каже да спава код ујака — {CANARY}")).unwrap()),
            UnixMillis(millis + 2),
        )
        .unwrap();
    ObservationRecord::Draft(draft)
}

fn finished(millis: u64, random: u8) -> ObservationRecord {
    let mut record = draft(millis, random);
    record
        .complete(&catalogue(), UnixMillis(millis + 3))
        .unwrap();
    record
}

/// Every value of every store of database `name`, as JSON text, read with plain IndexedDB
/// (what anyone holding the phone's browser profile reads).
async fn raw_values(name: &str) -> String {
    let read = js_sys::Function::new_with_args(
        "name",
        "return new Promise((resolve, reject) => {
            const opening = indexedDB.open(name);
            opening.onerror = () => reject(opening.error);
            opening.onsuccess = () => {
                const database = opening.result;
                const names = Array.from(database.objectStoreNames);
                const transaction = database.transaction(names, 'readonly');
                const all = names.map((store) => transaction.objectStore(store).getAll());
                transaction.oncomplete = () => {
                    database.close();
                    resolve(JSON.stringify(all.map((request) => request.result)));
                };
                transaction.onabort = () => reject(transaction.error);
            };
        })",
    );
    let promise = read
        .call1(&JsValue::NULL, &JsValue::from_str(name))
        .unwrap()
        .dyn_into::<js_sys::Promise>()
        .unwrap();
    JsFuture::from(promise).await.unwrap().as_string().unwrap()
}

#[wasm_bindgen_test]
async fn once_sealed_the_canary_is_in_no_stores_raw_values() {
    let name = "prepoznaj-test-lock-canary";
    delete_database(name).await.unwrap();
    let database = Database::open_named(name).await.unwrap();
    let key = support::data_key();
    // Before the lock: plaintext, where the scan finds the canary (so it can find it).
    observations::save(&database, None, &draft(1_000, 1))
        .await
        .unwrap();
    assert!(raw_values(name).await.contains(CANARY));

    // A draft, a start form, a finished observation queued with its receipt and one delivered.
    assert_eq!(
        observations::seal_plaintext(&database, &key).await.unwrap(),
        1
    );
    observations::save(&database, Some(&key), &draft(2_000, 2))
        .await
        .unwrap();
    start_form::save(&database, &key, &context()).await.unwrap();
    let identity = TeamIdentity::generate();
    enrolment::save(&database, &support::enrolment_for(&identity, 1))
        .await
        .unwrap();
    let queued = finished(3_000, 3);
    store_finished(&database, &key, queued.clone())
        .await
        .unwrap();
    let delivered = finished(4_000, 4);
    store_finished(&database, &key, delivered.clone())
        .await
        .unwrap();
    let delivered_id = ReportUuid::parse(delivered.id().as_str()).unwrap();
    sync_state::deliver(
        &database,
        &SyncState::default(),
        &delivered_id,
        UnixMillis(9_000),
    )
    .await
    .unwrap();

    let raw = raw_values(name).await;
    assert!(!raw.contains(CANARY), "the canary is in IndexedDB: {raw}");
    assert!(!raw.contains(REFERENCE), "the reference is in IndexedDB");
    assert!(!raw.contains("ujak") && !raw.contains("ујак"));
    // What stays in clear is what the sender needs.
    assert!(raw.contains(r#""status":"queued""#) && raw.contains(r#""status":"forgotten""#));

    // All of it reads back with the key.
    let records = observations::list(&database, Some(&key)).await.unwrap();
    assert_eq!(records.len(), 4);
    assert_eq!(
        start_form::load(&database, &key).await.unwrap(),
        Some(context())
    );
    database.close();
    delete_database(name).await.unwrap();
}

#[wasm_bindgen_test]
async fn a_migration_killed_between_stores_resumes_and_every_record_reads_meanwhile() {
    let name = "prepoznaj-test-lock-migration";
    delete_database(name).await.unwrap();
    // An older app wrote at schema 6: drafts and a start form in plaintext.
    let old = Database::open_at_version(name, 6).await.unwrap();
    let first = draft(1_000, 1);
    let second = draft(2_000, 2);
    for record in [&first, &second] {
        observations::save(&old, None, record).await.unwrap();
    }
    old.put(
        Store::StartForm,
        &serde_json::json!({ "id": "new-observation", "context": context() }),
    )
    .await
    .unwrap();
    old.close();

    // This version sets the lock (its record first), seals the observations' store, and is
    // killed before the start form's transaction.
    let database = Database::open_named(name).await.unwrap();
    let key = support::data_key();
    app_lock::save(
        &database,
        &LockRecord {
            wrapped_key: key.wrap("204817", 1),
            wrong_tries: WrongTries::default(),
            auto_lock: AutoLock::default(),
            screen_lock: None,
        },
    )
    .await
    .unwrap();
    assert_eq!(
        observations::seal_plaintext(&database, &key).await.unwrap(),
        2
    );
    let raw = raw_values(name).await;
    assert_eq!(raw.matches(CANARY).count(), 0);
    assert!(raw.contains(REFERENCE), "the start form is still plaintext");
    // Meanwhile both forms read: sealed observations and the plaintext start form.
    assert_eq!(
        observations::list(&database, Some(&key)).await.unwrap(),
        vec![second.clone(), first.clone()]
    );
    assert_eq!(
        start_form::load(&database, &key).await.unwrap(),
        Some(context())
    );
    // Without the key only what is still plaintext reads.
    assert_eq!(
        observations::load(&database, None, first.id().as_str()).await,
        Err(StorageError::Locked)
    );

    // The next unlock resumes: only what is left is sealed; a second run finds nothing.
    assert_eq!(
        observations::seal_plaintext(&database, &key).await.unwrap(),
        0
    );
    assert!(start_form::seal_plaintext(&database, &key).await.unwrap());
    assert!(!start_form::seal_plaintext(&database, &key).await.unwrap());
    assert!(!raw_values(name).await.contains(REFERENCE));
    assert_eq!(
        start_form::load(&database, &key).await.unwrap(),
        Some(context())
    );
    database.close();
    delete_database(name).await.unwrap();
}

#[wasm_bindgen_test]
async fn the_wrong_key_no_key_and_a_moved_record_are_clear_errors() {
    let name = "prepoznaj-test-lock-wrong-key";
    delete_database(name).await.unwrap();
    let database = Database::open_named(name).await.unwrap();
    let key = support::data_key();
    let record = draft(1_000, 1);
    let id = record.id().as_str().to_owned();
    observations::save(&database, Some(&key), &record)
        .await
        .unwrap();
    let other = DataKey::from_bytes([7; 32]);
    assert_eq!(
        observations::load(&database, Some(&other), &id).await,
        Err(StorageError::NotOpened)
    );
    assert_eq!(
        observations::load(&database, None, &id).await,
        Err(StorageError::Locked)
    );
    assert_eq!(
        start_form::load(&database, &key).await,
        Ok(None),
        "nothing there is no error"
    );
    start_form::save(&database, &key, &context()).await.unwrap();
    assert_eq!(
        start_form::load(&database, &other).await,
        Err(StorageError::NotOpened)
    );

    // The sealed record copied under another record's key does not open there.
    let stored: serde_json::Value = database
        .get(Store::Observations, &id)
        .await
        .unwrap()
        .unwrap();
    let mut moved = stored.clone();
    let moved_id = ReportId::new_v7(UnixMillis(5_000), [9; 10]);
    moved["id"] = serde_json::Value::from(moved_id.as_str());
    database.put(Store::Observations, &moved).await.unwrap();
    assert_eq!(
        observations::load(&database, Some(&key), moved_id.as_str()).await,
        Err(StorageError::NotOpened)
    );
    // The wrapped key: the wrong PIN is a typed error.
    let wrapped = key.wrap("204817", 1);
    assert!(matches!(
        DataKey::unwrap(&wrapped, "204818"),
        Err(prepoznaj_envelope::identity::UnlockError::WrongPassphrase)
    ));
    database.close();
    delete_database(name).await.unwrap();
}

#[wasm_bindgen_test]
async fn delivery_while_locked_keeps_the_receipt_sealed_at_finish() {
    let name = "prepoznaj-test-lock-delivery";
    delete_database(name).await.unwrap();
    let database = Database::open_named(name).await.unwrap();
    let key = support::data_key();
    let identity = TeamIdentity::generate();
    enrolment::save(&database, &support::enrolment_for(&identity, 1))
        .await
        .unwrap();
    let record = finished(3_000, 3);
    store_finished(&database, &key, record.clone())
        .await
        .unwrap();
    let report_id = ReportUuid::parse(record.id().as_str()).unwrap();
    // Locked: the sender has no key.
    sync_state::deliver(
        &database,
        &SyncState::default(),
        &report_id,
        UnixMillis(9_000),
    )
    .await
    .unwrap();
    assert!(outbox::list(&database).await.unwrap().is_empty());
    let summary = observations::summaries(&database).await.unwrap().remove(0);
    assert_eq!(
        (summary.status, summary.updated_at, summary.sealed),
        (Status::Forgotten, UnixMillis(9_000), true)
    );
    let receipt = observations::load(&database, Some(&key), record.id().as_str())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(receipt.status(), Status::Forgotten);
    assert_eq!(receipt.updated_at(), UnixMillis(9_000));
    assert!(receipt.answers().is_empty());
    let ObservationRecord::Finished(kept) = &receipt else {
        panic!("a receipt is a finished observation");
    };
    assert_eq!(kept.context().reference, context().reference);
    assert!(!raw_values(name).await.contains(CANARY));
    database.close();
    delete_database(name).await.unwrap();
}

#[wasm_bindgen_test]
async fn forgot_pin_deletes_what_it_counted_and_keeps_the_outbox() {
    let name = "prepoznaj-test-lock-reset";
    delete_database(name).await.unwrap();
    let database = Database::open_named(name).await.unwrap();
    let key = support::data_key();
    app_lock::save(
        &database,
        &LockRecord {
            wrapped_key: key.wrap("204817", 1),
            wrong_tries: WrongTries {
                count: 7,
                last_at: Some(UnixMillis(1)),
            },
            auto_lock: AutoLock::Minutes2,
            screen_lock: None,
        },
    )
    .await
    .unwrap();
    observations::save(&database, Some(&key), &draft(1_000, 1))
        .await
        .unwrap();
    store_finished(&database, &key, finished(2_000, 2))
        .await
        .unwrap();
    start_form::save(&database, &key, &context()).await.unwrap();
    let identity = TeamIdentity::generate();
    enrolment::save(&database, &support::enrolment_for(&identity, 1))
        .await
        .unwrap();
    store_finished(&database, &key, finished(3_000, 3))
        .await
        .unwrap();
    let expected = ResetLoss {
        drafts: 1,
        unsealed: 1,
        queued_copies: 1,
        receipts: 0,
        start_form: true,
    };
    assert_eq!(app_lock::reset_loss(&database).await.unwrap(), expected);
    let new_key = DataKey::from_bytes([8; 32]);
    let new_lock = LockRecord {
        wrapped_key: new_key.wrap("135791", 1),
        wrong_tries: WrongTries::default(),
        auto_lock: AutoLock::Minutes2,
        screen_lock: None,
    };
    assert_eq!(
        app_lock::reset(&database, &new_lock).await.unwrap(),
        expected
    );
    assert!(observations::summaries(&database).await.unwrap().is_empty());
    assert_eq!(start_form::load(&database, &new_key).await.unwrap(), None);
    assert_eq!(outbox::list(&database).await.unwrap().len(), 1);
    assert_eq!(app_lock::load(&database).await.unwrap(), Some(new_lock));
    database.close();
    delete_database(name).await.unwrap();
}

#[wasm_bindgen_test]
async fn the_screen_locks_wrap_is_kept_beside_the_pins_without_its_secret_and_a_reset_drops_it() {
    let name = "prepoznaj-test-lock-screen";
    delete_database(name).await.unwrap();
    let database = Database::open_named(name).await.unwrap();
    let key = support::data_key();
    // What the authenticator's PRF gave, as the app hands it to age (never stored).
    let secret = "5ec2e75ec2e75ec2e75ec2e75ec2e75ec2e75ec2e75ec2e75ec2e75ec2e75ec2";
    let record = LockRecord {
        wrapped_key: key.wrap("204817", 1),
        wrong_tries: WrongTries::default(),
        auto_lock: AutoLock::default(),
        screen_lock: Some(ScreenLock {
            credential_id: vec![7, 1, 7, 1],
            salt: [9; 32],
            wrapped_key: key.wrap(secret, 1),
        }),
    };
    app_lock::save(&database, &record).await.unwrap();
    let loaded = app_lock::load(&database).await.unwrap().unwrap();
    assert_eq!(loaded, record);
    assert!(!raw_values(name).await.contains(secret));
    // Both wraps open the same key: a record sealed with one opens with the other.
    let by_pin = DataKey::unwrap(&loaded.wrapped_key, "204817").unwrap();
    let by_screen = DataKey::unwrap(&loaded.screen_lock.unwrap().wrapped_key, secret).unwrap();
    let sealed = by_pin.seal("observations", "r1", b"same key").unwrap();
    assert_eq!(
        by_screen
            .open("observations", "r1", &sealed)
            .unwrap()
            .as_slice(),
        b"same key"
    );
    // "Forgot PIN?" writes a new lock: the screen lock's wrap of the old key goes with it.
    let new_lock = LockRecord {
        wrapped_key: DataKey::from_bytes([8; 32]).wrap("135791", 1),
        wrong_tries: WrongTries::default(),
        auto_lock: AutoLock::default(),
        screen_lock: None,
    };
    app_lock::reset(&database, &new_lock).await.unwrap();
    assert_eq!(
        app_lock::load(&database)
            .await
            .unwrap()
            .unwrap()
            .screen_lock,
        None
    );
    database.close();
    delete_database(name).await.unwrap();
}
