//! Browser tests of the IndexedDB layer against real IndexedDB in headless Chromium.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test assertions")]

use prepoznaj::storage::{Database, SCHEMA_VERSION, Store, delete_database};
use serde::{Deserialize, Serialize};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

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
