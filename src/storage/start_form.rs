//! The start form of a new observation while it is being filled in: one record with the
//! circumstances and the reference as chosen and typed so far, written as the person goes, so
//! a browser killed before Start does not take them. Start turns it into a draft and deletes
//! it in one transaction: there is never both, nor neither.
//!
//! Only a reference that passed the checks is kept (never text refused as a name or a
//! personal number), as [`Context`] holds it.

use prepoznaj_domain::observation::{Context, ObservationRecord};
use rexie::TransactionMode;
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsValue;

use super::{Database, StorageError, Store, committed, to_js};

/// The one record's key.
const NEW_OBSERVATION: &str = "new-observation";

#[derive(Debug, Serialize, Deserialize)]
struct StoredStartForm {
    id: String,
    context: Context,
}

/// The start form as it was left, if it was begun and not yet started.
pub async fn load(database: &Database) -> Result<Option<Context>, StorageError> {
    let stored: Option<StoredStartForm> = database.get(Store::StartForm, NEW_OBSERVATION).await?;
    Ok(stored.map(|stored| stored.context))
}

/// Keeps the start form as it is now; returns once that is committed.
pub async fn save(database: &Database, context: &Context) -> Result<(), StorageError> {
    database
        .put(
            Store::StartForm,
            &StoredStartForm {
                id: NEW_OBSERVATION.to_owned(),
                context: context.clone(),
            },
        )
        .await
}

/// Stores the new draft `record` and forgets the start form, in one transaction.
pub async fn start(database: &Database, record: &ObservationRecord) -> Result<(), StorageError> {
    let record = to_js(record)?;
    let transaction = database
        .transaction_on(
            &[Store::Observations, Store::StartForm],
            TransactionMode::ReadWrite,
        )
        .await?;
    transaction
        .store(Store::Observations.name())?
        .put(&record, None)
        .await?;
    transaction
        .store(Store::StartForm.name())?
        .delete(JsValue::from_str(NEW_OBSERVATION))
        .await?;
    committed(transaction).await
}
