//! The observations store: drafts and finished observations, one record per observation.

use prepoznaj_domain::observation::ObservationRecord;

use rexie::TransactionMode;
use wasm_bindgen::JsValue;

use super::{Database, StorageError, Store, committed};

/// Saves the whole record (every answer is saved as it is given, so records are small).
pub async fn save(database: &Database, record: &ObservationRecord) -> Result<(), StorageError> {
    database.put(Store::Observations, record).await
}

/// One observation by id.
pub async fn load(
    database: &Database,
    id: &str,
) -> Result<Option<ObservationRecord>, StorageError> {
    database.get(Store::Observations, id).await
}

/// Every observation on this phone, most recently changed first.
pub async fn list(database: &Database) -> Result<Vec<ObservationRecord>, StorageError> {
    let mut records: Vec<ObservationRecord> = database.get_all(Store::Observations).await?;
    records.sort_by_key(|record| std::cmp::Reverse(record.updated_at()));
    Ok(records)
}

/// Deletes one observation and, in the same transaction, its sealed report if it is still
/// waiting in the outbox (a report deleted before it was sent is not sent; the sender drops it
/// from its state on its next run).
pub async fn delete(database: &Database, id: &str) -> Result<(), StorageError> {
    let transaction = database
        .transaction_on(
            &[Store::Observations, Store::Outbox],
            TransactionMode::ReadWrite,
        )
        .await?;
    for store in [Store::Observations, Store::Outbox] {
        transaction
            .store(store.name())?
            .delete(JsValue::from_str(id))
            .await?;
    }
    committed(transaction).await
}
