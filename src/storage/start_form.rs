//! The start form of a new observation while it is being filled in: one record with the
//! circumstances and the reference as chosen and typed so far, written as the person goes, so
//! a browser killed before Start does not take them. Start turns it into a draft and deletes
//! it in one transaction: there is never both, nor neither.
//!
//! Only a reference that passed the checks is kept (never text refused as a name or a
//! personal number), as [`Context`] holds it. Once the app lock is set the record is sealed
//! with its data key (`storage::sealed`); only its key is in clear. A plaintext one, written
//! before, still reads and is sealed on the lock's first unlock ([`seal_plaintext`]).

use prepoznaj_domain::observation::{Context, ObservationRecord};
use prepoznaj_envelope::vault::DataKey;
use rexie::TransactionMode;
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsValue;

use super::{Database, StorageError, Store, committed, from_js, observations, sealed, to_js};

/// The one record's key.
pub(crate) const NEW_OBSERVATION: &str = "new-observation";

/// The record as stored: sealed, or plaintext from before the lock.
#[derive(Debug, Serialize, Deserialize)]
#[serde(untagged)]
enum StoredStartForm {
    Sealed { id: String, sealed: String },
    Plain { id: String, context: Context },
}

fn sealed_value(key: &DataKey, context: &Context) -> Result<JsValue, StorageError> {
    to_js(&StoredStartForm::Sealed {
        id: NEW_OBSERVATION.to_owned(),
        sealed: sealed::seal(key, Store::StartForm, NEW_OBSERVATION, context)?,
    })
}

/// The start form as it was left, if it was begun and not yet started.
pub async fn load(database: &Database, key: &DataKey) -> Result<Option<Context>, StorageError> {
    let stored: Option<StoredStartForm> = database.get(Store::StartForm, NEW_OBSERVATION).await?;
    stored
        .map(|stored| match stored {
            StoredStartForm::Plain { context, .. } => Ok(context),
            StoredStartForm::Sealed { sealed, .. } => {
                sealed::open(key, Store::StartForm, NEW_OBSERVATION, &sealed, |_| {})
            }
        })
        .transpose()
}

/// Whether there is a sealed start form (what "Forgot PIN?" deletes).
pub(crate) async fn is_sealed(database: &Database) -> Result<bool, StorageError> {
    let stored: Option<StoredStartForm> = database.get(Store::StartForm, NEW_OBSERVATION).await?;
    Ok(matches!(stored, Some(StoredStartForm::Sealed { .. })))
}

/// Keeps the start form as it is now, sealed; returns once that is committed.
pub async fn save(
    database: &Database,
    key: &DataKey,
    context: &Context,
) -> Result<(), StorageError> {
    database
        .put_value(Store::StartForm, sealed_value(key, context)?)
        .await
}

/// Stores the new draft `record` (sealed) and forgets the start form, in one transaction.
pub async fn start(
    database: &Database,
    key: &DataKey,
    record: &ObservationRecord,
) -> Result<(), StorageError> {
    let record = observations::stored_value(Some(key), record)?;
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

/// Seals a plaintext start form with `key`, in one transaction. Returns whether there was one.
pub async fn seal_plaintext(database: &Database, key: &DataKey) -> Result<bool, StorageError> {
    let transaction = database
        .transaction(Store::StartForm, TransactionMode::ReadWrite)
        .await?;
    let store = transaction.store(Store::StartForm.name())?;
    let found = store.get(JsValue::from_str(NEW_OBSERVATION)).await?;
    let sealed = match found.map(from_js::<StoredStartForm>).transpose()? {
        Some(StoredStartForm::Plain { context, .. }) => {
            store.put(&sealed_value(key, &context)?, None).await?;
            true
        }
        _ => false,
    };
    committed(transaction).await?;
    Ok(sealed)
}
