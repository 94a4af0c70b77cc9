//! Browser tests of the IndexedDB layer against real IndexedDB in headless Chromium.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test assertions")]

use prepoznaj::storage::{Database, SCHEMA_VERSION, Store, delete_database};
use serde::{Deserialize, Serialize};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

mod support;

wasm_bindgen_test_configure!(run_in_browser);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Record {
    id: String,
    answers: std::collections::BTreeMap<String, String>,
    note: Option<String>,
}

fn record(id: &str, answer: &str) -> Record {
    Record {
        id: id.to_owned(),
        answers: [("behaviour.tired".to_owned(), answer.to_owned())].into(),
        note: Some("Ћирилица и latinica".to_owned()),
    }
}

#[wasm_bindgen_test]
async fn a_record_written_is_read_back_after_reopening_the_database() {
    let name = "prepoznaj-test-reopen";
    delete_database(name).await.unwrap();
    {
        let database = Database::open_named(name).await.unwrap();
        assert_eq!(database.version().unwrap(), SCHEMA_VERSION);
        database
            .put(Store::Observations, &record("a", "observed"))
            .await
            .unwrap();
        database
            .put(Store::Observations, &record("b", "not_sure"))
            .await
            .unwrap();
        // Replacing keeps one record per key.
        database
            .put(Store::Observations, &record("a", "not_observed"))
            .await
            .unwrap();
        database.close();
    }
    let reopened = Database::open_named(name).await.unwrap();
    let all: Vec<Record> = reopened.get_all(Store::Observations).await.unwrap();
    assert_eq!(
        all,
        vec![record("a", "not_observed"), record("b", "not_sure")]
    );
    let one: Option<Record> = reopened.get(Store::Observations, "b").await.unwrap();
    assert_eq!(one, Some(record("b", "not_sure")));
    reopened.delete(Store::Observations, "b").await.unwrap();
    let missing: Option<Record> = reopened.get(Store::Observations, "b").await.unwrap();
    assert_eq!(missing, None);
    reopened.close();
    delete_database(name).await.unwrap();
}

#[wasm_bindgen_test]
async fn a_record_of_another_shape_is_an_encoding_error_not_a_panic() {
    let name = "prepoznaj-test-shape";
    delete_database(name).await.unwrap();
    let database = Database::open_named(name).await.unwrap();
    database
        .put(Store::Observations, &record("x", "observed"))
        .await
        .unwrap();
    #[derive(Debug, Deserialize)]
    #[allow(dead_code, reason = "only the failure to decode matters")]
    struct Other {
        id: u64,
    }
    let read = database.get::<Other>(Store::Observations, "x").await;
    assert!(
        matches!(read, Err(prepoznaj::storage::StorageError::Encoding(_))),
        "{read:?}"
    );
    database.close();
    delete_database(name).await.unwrap();
}

#[wasm_bindgen_test]
async fn observations_are_listed_newest_first_and_deleted_one_by_one() {
    use prepoznaj::storage::observations;
    use prepoznaj_domain::catalogue::CatalogueVersion;
    use prepoznaj_domain::observation::{
        Context, Mode, ObservationDraft, ObservationRecord, ObserverRole, ReportId, Setting,
        UnixMillis,
    };
    let name = "prepoznaj-test-observations";
    delete_database(name).await.unwrap();
    let database = Database::open_named(name).await.unwrap();
    let context = Context {
        setting: Setting::Classroom,
        age_band: None,
        gender: None,
        observer_role: ObserverRole::Teacher,
        reference: None,
    };
    for (millis, random) in [(1_000, 1_u8), (3_000, 3), (2_000, 2)] {
        let draft = ObservationDraft::new(
            ReportId::new_v7(UnixMillis(millis), [random; 10]),
            CatalogueVersion::new("2021-r1"),
            Mode::Full,
            context.clone(),
            UnixMillis(millis),
        );
        observations::save(
            &database,
            Some(&support::data_key()),
            &ObservationRecord::Draft(draft),
        )
        .await
        .unwrap();
    }
    let listed = observations::list(&database, Some(&support::data_key()))
        .await
        .unwrap();
    let times: Vec<u64> = listed.iter().map(|record| record.updated_at().0).collect();
    assert_eq!(times, vec![3_000, 2_000, 1_000]);
    let newest = listed[0].id().as_str().to_owned();
    let loaded = observations::load(&database, Some(&support::data_key()), &newest)
        .await
        .unwrap();
    assert_eq!(loaded.as_ref(), Some(&listed[0]));
    observations::delete(&database, &newest).await.unwrap();
    assert_eq!(
        observations::list(&database, Some(&support::data_key()))
            .await
            .unwrap()
            .len(),
        2
    );
    database.close();
    delete_database(name).await.unwrap();
}

fn draft_record(millis: u64) -> prepoznaj_domain::observation::ObservationRecord {
    use prepoznaj_domain::catalogue::CatalogueVersion;
    use prepoznaj_domain::observation::{
        Context, Mode, ObservationDraft, ObservationRecord, ObserverRole, ReportId, Setting,
        UnixMillis,
    };
    ObservationRecord::Draft(ObservationDraft::new(
        ReportId::new_v7(UnixMillis(millis), [7; 10]),
        CatalogueVersion::new("2021-r1"),
        Mode::Full,
        Context {
            setting: Setting::HomeVisit,
            age_band: None,
            gender: None,
            observer_role: ObserverRole::PsychologistPedagogue,
            reference: None,
        },
        UnixMillis(millis),
    ))
}

#[wasm_bindgen_test]
async fn a_version_1_database_is_upgraded_in_place_and_the_old_tab_is_told_to_reload() {
    use prepoznaj::storage::{StorageError, observations};
    let name = "prepoznaj-test-migration";
    delete_database(name).await.unwrap();
    // An older build of the app, still open in another tab, wrote a draft at schema 1.
    let old_tab = Database::open_at_version(name, 1).await.unwrap();
    assert_eq!(old_tab.version().unwrap(), 1);
    let draft = draft_record(5_000);
    observations::save(&old_tab, None, &draft).await.unwrap();

    // This build upgrades while the old connection is open: the old tab lets go, the upgrade
    // is not blocked, and the draft is there, unchanged, next to the new store.
    let upgraded = Database::open_named(name).await.unwrap();
    assert_eq!(upgraded.version().unwrap(), SCHEMA_VERSION);
    assert_eq!(
        observations::load(&upgraded, Some(&support::data_key()), draft.id().as_str())
            .await
            .unwrap(),
        Some(draft.clone())
    );
    upgraded
        .put(Store::LocalContacts, &record("contact-1", "police"))
        .await
        .unwrap();
    let contacts: Vec<Record> = upgraded.get_all(Store::LocalContacts).await.unwrap();
    assert_eq!(contacts, vec![record("contact-1", "police")]);

    // The old tab's next save cannot go through at schema 1: it gets the error that tells the
    // person to reload, and nothing it tried is written half-way.
    let refused = observations::save(&old_tab, None, &draft_record(6_000)).await;
    assert_eq!(refused, Err(StorageError::NewerVersion));
    assert_eq!(
        observations::list(&upgraded, Some(&support::data_key()))
            .await
            .unwrap(),
        vec![draft]
    );
    upgraded.close();
    delete_database(name).await.unwrap();
}

#[wasm_bindgen_test]
async fn a_database_written_by_a_newer_app_is_refused_with_newer_version() {
    use prepoznaj::storage::StorageError;
    let name = "prepoznaj-test-newer";
    delete_database(name).await.unwrap();
    let newer = rexie::Rexie::builder(name)
        .version(SCHEMA_VERSION + 7)
        .add_object_store(rexie::ObjectStore::new("observations").key_path("id"))
        .build()
        .await
        .unwrap();
    newer.close();
    let opened = Database::open_named(name).await;
    assert!(
        matches!(opened, Err(StorageError::NewerVersion)),
        "{opened:?}"
    );
    delete_database(name).await.unwrap();
}

#[wasm_bindgen_test]
async fn deleting_the_database_elsewhere_does_not_break_an_open_connection() {
    let name = "prepoznaj-test-deleted-elsewhere";
    delete_database(name).await.unwrap();
    let database = Database::open_named(name).await.unwrap();
    database
        .put(Store::Observations, &record("before", "observed"))
        .await
        .unwrap();
    // "Delete all data" in another tab: this connection closes itself so the deletion can go on.
    delete_database(name).await.unwrap();
    // The next write opens a new, empty database instead of failing.
    database
        .put(Store::Observations, &record("after", "not_sure"))
        .await
        .unwrap();
    let all: Vec<Record> = database.get_all(Store::Observations).await.unwrap();
    assert_eq!(all, vec![record("after", "not_sure")]);
    database.close();
    delete_database(name).await.unwrap();
}

#[wasm_bindgen_test]
async fn version_6_adds_preferences_and_the_start_form_whoever_opens_the_database_first() {
    support::load_boot_js();
    use prepoznaj::storage::{observations, preferences, start_form};
    use prepoznaj_domain::observation::{AgeBand, Context, ObserverRole, Setting};
    use prepoznaj_domain::reference::Reference;
    let name = "prepoznaj-test-migration-6";
    delete_database(name).await.unwrap();
    // An older build (schema 5) wrote a draft and is still open in another tab.
    let old_tab = Database::open_at_version(name, 5).await.unwrap();
    let draft = draft_record(7_000);
    observations::save(&old_tab, None, &draft).await.unwrap();

    // The shell opens the database first, with plain IndexedDB, to record the language: it
    // upgrades it, the old tab lets go, and the draft is untouched.
    preferences::write(name, "prepoznaj.locale", "\"en\"")
        .await
        .unwrap();
    preferences::write(name, "prepoznaj.locale", "\"sr-Latn\"")
        .await
        .unwrap();
    let recorded = preferences::read_all(name).await.unwrap();
    assert_eq!(
        recorded,
        vec![("prepoznaj.locale".to_owned(), "\"sr-Latn\"".to_owned())]
    );

    // rexie opens the upgraded database at the same version and finds every store.
    let upgraded = Database::open_named(name).await.unwrap();
    assert_eq!(upgraded.version().unwrap(), SCHEMA_VERSION);
    assert_eq!(
        observations::load(&upgraded, Some(&support::data_key()), draft.id().as_str())
            .await
            .unwrap(),
        Some(draft.clone())
    );

    // The start form: kept as filled in, then Start turns it into a draft in one write.
    assert_eq!(
        start_form::load(&upgraded, &support::data_key())
            .await
            .unwrap(),
        None
    );
    let context = Context {
        setting: Setting::Schoolyard,
        age_band: Some(AgeBand::From11To14),
        gender: None,
        observer_role: ObserverRole::Other,
        reference: Some(Reference::parse("7b-3").unwrap()),
    };
    start_form::save(&upgraded, &support::data_key(), &context)
        .await
        .unwrap();
    assert_eq!(
        start_form::load(&upgraded, &support::data_key())
            .await
            .unwrap(),
        Some(context.clone())
    );
    let started = draft_record(8_000);
    start_form::start(&upgraded, &support::data_key(), &started)
        .await
        .unwrap();
    assert_eq!(
        start_form::load(&upgraded, &support::data_key())
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        observations::list(&upgraded, Some(&support::data_key()))
            .await
            .unwrap()
            .len(),
        2
    );
    upgraded.close();
    old_tab.close();
    delete_database(name).await.unwrap();
}

#[wasm_bindgen_test]
async fn a_new_database_opened_first_by_plain_indexeddb_has_every_store() {
    support::load_boot_js();
    use prepoznaj::storage::preferences;
    let name = "prepoznaj-test-plain-first";
    delete_database(name).await.unwrap();
    assert!(preferences::read_all(name).await.unwrap().is_empty());
    let database = Database::open_named(name).await.unwrap();
    for store in Store::ALL {
        database
            .put(store, &record(&format!("in-{}", store.name()), "observed"))
            .await
            .unwrap();
    }
    database.close();
    delete_database(name).await.unwrap();
}
