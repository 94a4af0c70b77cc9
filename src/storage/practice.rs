//! This device's practice attempts (`Store::Practice`). Practice writes here and to the due
//! days of `preferences`, nowhere else: never an observation, never the outbox.

use prepoznaj_domain::practice::Attempt;

use super::{Database, StorageError, Store};

/// Every attempt made on this device, in the order they were made.
pub async fn attempts(database: &Database) -> Result<Vec<Attempt>, StorageError> {
    database.get_all(Store::Practice).await
}

/// Stores one attempt; returns once it is committed.
pub async fn record(database: &Database, attempt: &Attempt) -> Result<(), StorageError> {
    database.put(Store::Practice, attempt).await
}
