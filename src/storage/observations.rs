//! The observations store: drafts, finished observations and receipts, one record per
//! observation, keyed by its id.
//!
//! Once the app lock is set, every record is sealed with its data key ([`super::sealed`]):
//! in clear stay only the id, the status and the time of the last change, which the sender
//! reads while the app is locked (what waits, which receipts have expired). A queued record
//! also carries its receipt, sealed at Finish (the observation as it is once the team has it:
//! no answers, no notes, no age band, no gender), so that delivery replaces the record by its
//! receipt without the key ([`super::sync_state::deliver`]); the receipt's time is the clear
//! one. A record written before the lock was set is plaintext and reads as it is, until
//! [`seal_plaintext`] seals it.

use prepoznaj_domain::observation::{ObservationRecord, Status, UnixMillis};
use prepoznaj_envelope::vault::DataKey;
use rexie::TransactionMode;
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsValue;

use super::{Database, StorageError, Store, committed, from_js, sealed, to_js};

/// The marker of a sealed record (`vault: 1`): the format of what is around the sealed text.
const SEALED_FORMAT: u8 = 1;

/// A record as IndexedDB holds it.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub(crate) enum Stored {
    Sealed(SealedObservation),
    Plain(ObservationRecord),
}

/// A sealed record: what the sender needs in clear, and the sealed record and receipt.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct SealedObservation {
    pub(crate) id: String,
    vault: u8,
    pub(crate) status: Status,
    pub(crate) updated_at: UnixMillis,
    /// The record; absent once only its receipt is left.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    record: Option<String>,
    /// The receipt, sealed at Finish (queued records) and kept alone once delivered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    receipt: Option<String>,
}

impl SealedObservation {
    /// This record once the team has it (at `now`): only the receipt, sealed at Finish.
    /// `None` when there is no receipt to keep.
    pub(crate) fn delivered(&self, now: UnixMillis) -> Option<SealedObservation> {
        self.receipt.as_ref().map(|receipt| SealedObservation {
            id: self.id.clone(),
            vault: SEALED_FORMAT,
            status: Status::Forgotten,
            updated_at: now,
            record: None,
            receipt: Some(receipt.clone()),
        })
    }
}

/// What is known of a record without the key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub id: String,
    pub status: Status,
    pub updated_at: UnixMillis,
    /// Sealed with the data key (or still plaintext, written before the lock was set).
    pub sealed: bool,
}

impl Stored {
    fn summary(&self) -> Summary {
        match self {
            Stored::Sealed(sealed) => Summary {
                id: sealed.id.clone(),
                status: sealed.status,
                updated_at: sealed.updated_at,
                sealed: true,
            },
            Stored::Plain(record) => Summary {
                id: record.id().as_str().to_owned(),
                status: record.status(),
                updated_at: record.updated_at(),
                sealed: false,
            },
        }
    }

    /// The record: as it is, or opened with `key` ([`StorageError::Locked`] without one).
    pub(crate) fn open(self, key: Option<&DataKey>) -> Result<ObservationRecord, StorageError> {
        let stored = match self {
            Stored::Plain(record) => return Ok(record),
            Stored::Sealed(stored) => stored,
        };
        let key = key.ok_or(StorageError::Locked)?;
        match (&stored.record, &stored.receipt) {
            (Some(record), _) => sealed::open(key, Store::Observations, &stored.id, record, |_| {}),
            (None, Some(receipt)) => sealed::open(
                key,
                Store::Observations,
                &receipt_key(&stored.id),
                receipt,
                // Delivered while locked: the time of delivery is the clear one.
                |value| {
                    if let Some(object) = value.as_object_mut() {
                        object.insert(
                            "updated_at".to_owned(),
                            serde_json::Value::from(stored.updated_at.0),
                        );
                    }
                },
            ),
            (None, None) => Err(StorageError::Encoding(format!(
                "the sealed observation {} holds nothing",
                stored.id
            ))),
        }
    }
}

/// The record key a receipt is sealed to (never the record's own, so neither stands in for
/// the other).
fn receipt_key(id: &str) -> String {
    format!("{id}/receipt")
}

/// `record` as it is written: sealed with `key` (with its receipt when it is queued), or
/// plaintext without a key (only before the lock is set: the team bundle sealing an
/// observation finished before that, see `crate::sealing`).
pub(crate) fn stored_value(
    key: Option<&DataKey>,
    record: &ObservationRecord,
) -> Result<JsValue, StorageError> {
    match key {
        None => to_js(record),
        Some(key) => to_js(&sealed_record(key, record)?),
    }
}

fn sealed_record(
    key: &DataKey,
    record: &ObservationRecord,
) -> Result<SealedObservation, StorageError> {
    let id = record.id().as_str();
    let receipt = match record.status() {
        Status::Queued => {
            let mut receipt = record.clone();
            let at = record.updated_at();
            receipt
                .advance(Status::Sent, at)
                .and_then(|()| receipt.advance(Status::Forgotten, at))
                .map_err(|error| StorageError::Other(error.to_string()))?;
            Some(sealed::seal(
                key,
                Store::Observations,
                &receipt_key(id),
                &receipt,
            )?)
        }
        _ => None,
    };
    Ok(SealedObservation {
        id: id.to_owned(),
        vault: SEALED_FORMAT,
        status: record.status(),
        updated_at: record.updated_at(),
        record: Some(sealed::seal(key, Store::Observations, id, record)?),
        receipt,
    })
}

/// Saves the whole record (every answer is saved as it is given, so records are small),
/// sealed with `key` when there is one.
pub async fn save(
    database: &Database,
    key: Option<&DataKey>,
    record: &ObservationRecord,
) -> Result<(), StorageError> {
    database
        .put_value(Store::Observations, stored_value(key, record)?)
        .await
}

/// One record as stored, without opening it.
pub(crate) async fn load_stored(
    database: &Database,
    id: &str,
) -> Result<Option<Stored>, StorageError> {
    database.get(Store::Observations, id).await
}

/// One observation by id, opened with `key` ([`StorageError::Locked`] for a sealed record
/// without one).
pub async fn load(
    database: &Database,
    key: Option<&DataKey>,
    id: &str,
) -> Result<Option<ObservationRecord>, StorageError> {
    load_stored(database, id)
        .await?
        .map(|stored| stored.open(key))
        .transpose()
}

/// Every observation on this phone, most recently changed first, opened with `key`.
pub async fn list(
    database: &Database,
    key: Option<&DataKey>,
) -> Result<Vec<ObservationRecord>, StorageError> {
    let stored: Vec<Stored> = database.get_all(Store::Observations).await?;
    let mut records = stored
        .into_iter()
        .map(|stored| stored.open(key))
        .collect::<Result<Vec<_>, _>>()?;
    records.sort_by_key(|record| std::cmp::Reverse(record.updated_at()));
    Ok(records)
}

/// What is known of every record without the key, most recently changed first.
pub async fn summaries(database: &Database) -> Result<Vec<Summary>, StorageError> {
    let stored: Vec<Stored> = database.get_all(Store::Observations).await?;
    let mut summaries: Vec<Summary> = stored.iter().map(Stored::summary).collect();
    summaries.sort_by_key(|summary| std::cmp::Reverse(summary.updated_at));
    Ok(summaries)
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

/// Seals every plaintext record with `key`, in one transaction: all of them or, if the
/// browser is killed first, none (both forms read, and the next unlock seals what is left).
/// Returns how many were sealed.
pub async fn seal_plaintext(database: &Database, key: &DataKey) -> Result<usize, StorageError> {
    let transaction = database
        .transaction(Store::Observations, TransactionMode::ReadWrite)
        .await?;
    let store = transaction.store(Store::Observations.name())?;
    let mut sealed = 0;
    for value in store.get_all(None, None).await? {
        if let Stored::Plain(record) = from_js::<Stored>(value)? {
            store
                .put(&to_js(&sealed_record(key, &record)?)?, None)
                .await?;
            sealed += 1;
        }
    }
    committed(transaction).await?;
    Ok(sealed)
}
