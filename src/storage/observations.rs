//! The observations store: drafts and finished observations, one record per observation.

use prepoznaj_domain::observation::ObservationRecord;

use super::{Database, StorageError, Store};

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

/// Deletes one observation.
pub async fn delete(database: &Database, id: &str) -> Result<(), StorageError> {
    database.delete(Store::Observations, id).await
}
