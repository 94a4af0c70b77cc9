//! The sender's state: one record holding the domain's [`Outbox`] (where every queued report is
//! in the sync state machine, and the receipts of delivered ones) and when the phone last
//! heard from the server. Only the tab that holds the sync lock writes it.
//!
//! Delivery is one transaction ([`deliver`]): the observation is forgotten (its receipt
//! stays), its envelope leaves the outbox store and the new state is written, so the phone
//! never holds plaintext for a report the state says the team has, nor a receipt for one it
//! still has to send.

use prepoznaj_domain::observation::{ObservationRecord, Status, UnixMillis};
use prepoznaj_domain::outbox::Outbox;
use prepoznaj_domain::protocol::{DeviceId, ReportUuid};
use prepoznaj_domain::receipts::ReceiptRetention;
use rexie::TransactionMode;
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsValue;

use super::observations::{self, Stored, Summary};
use super::{Database, StorageError, Store, committed, to_js};

/// The one record's key.
const SENDER: &str = "sender";

/// What the sender keeps between runs.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SyncState {
    pub outbox: Outbox,
    /// The enrolment the outbox last sent with: another device id means the phone enrolled
    /// again, and reports held for enrolment may go.
    #[serde(default)]
    pub device_id: Option<DeviceId>,
    /// The phone's clock the last time the server answered every request of a run.
    #[serde(default)]
    pub last_sync_at: Option<UnixMillis>,
}

#[derive(Debug, Serialize, Deserialize)]
struct StoredSyncState {
    id: String,
    state: SyncState,
}

/// The sender's state (empty on a phone that never queued a report).
pub async fn load(database: &Database) -> Result<SyncState, StorageError> {
    let stored: Option<StoredSyncState> = database.get(Store::SyncState, SENDER).await?;
    Ok(stored.map(|stored| stored.state).unwrap_or_default())
}

fn stored(state: &SyncState) -> Result<JsValue, StorageError> {
    to_js(&StoredSyncState {
        id: SENDER.to_owned(),
        state: state.clone(),
    })
}

/// Writes the state and waits for the commit.
pub async fn save(database: &Database, state: &SyncState) -> Result<(), StorageError> {
    committed(state_written(database, state, &[]).await?).await
}

/// A read-write transaction over the state's store and `also`, with `state` written in it; the
/// caller adds the rest of its change and commits.
async fn state_written(
    database: &Database,
    state: &SyncState,
    also: &[Store],
) -> Result<rexie::Transaction, StorageError> {
    let value = stored(state)?;
    let mut stores = vec![Store::SyncState];
    stores.extend_from_slice(also);
    let transaction = database
        .transaction_on(&stores, TransactionMode::ReadWrite)
        .await?;
    transaction
        .store(Store::SyncState.name())?
        .put(&value, None)
        .await?;
    Ok(transaction)
}

/// The team has `report_id`: in one transaction, writes `state` (which records the delivery),
/// deletes the report's envelope from the outbox and replaces its observation (queued) with
/// its receipt (forgotten, at `now`). A sealed observation is replaced by the receipt sealed
/// at Finish, so this needs no key and works while the app is locked. An observation already
/// gone (deleted by hand, or by "Forgot PIN?") is fine.
pub async fn deliver(
    database: &Database,
    state: &SyncState,
    report_id: &ReportUuid,
    now: UnixMillis,
) -> Result<(), StorageError> {
    let receipt = match observations::load_stored(database, report_id.as_str()).await? {
        Some(Stored::Plain(mut record)) => {
            // Queued → sent → forgotten; one already further on stays as it is.
            if record.status() == Status::Queued {
                record
                    .advance(Status::Sent, now)
                    .and_then(|()| record.advance(Status::Forgotten, now))
                    .map_err(|error| StorageError::Other(error.to_string()))?;
            }
            Receipt::Put(to_js(&record)?)
        }
        Some(Stored::Sealed(sealed)) if sealed.status == Status::Queued => {
            match sealed.delivered(now) {
                Some(receipt) => Receipt::Put(to_js(&receipt)?),
                // Sealed without a receipt: nothing readable is left to keep.
                None => Receipt::Delete,
            }
        }
        Some(Stored::Sealed(_)) | None => Receipt::Keep,
    };
    let transaction = state_written(database, state, &[Store::Outbox, Store::Observations]).await?;
    transaction
        .store(Store::Outbox.name())?
        .delete(JsValue::from_str(report_id.as_str()))
        .await?;
    let observations_store = transaction.store(Store::Observations.name())?;
    match receipt {
        Receipt::Put(receipt) => observations_store.put(&receipt, None).await.map(drop)?,
        Receipt::Delete => {
            observations_store
                .delete(JsValue::from_str(report_id.as_str()))
                .await?;
        }
        Receipt::Keep => {}
    }
    committed(transaction).await
}

/// What delivery does with the observation's record.
enum Receipt {
    Put(JsValue),
    Delete,
    Keep,
}

/// Deletes the receipts that have been kept for the whole of `retention` by `now`: in one
/// transaction, their records and their place in `state`'s outbox (which is written). Returns
/// how many went. Reads only what sealed records keep in clear, so it runs while locked.
pub async fn forget_expired_receipts(
    database: &Database,
    state: &mut SyncState,
    retention: ReceiptRetention,
    now: UnixMillis,
) -> Result<usize, StorageError> {
    let expired: Vec<Summary> = observations::summaries(database)
        .await?
        .into_iter()
        .filter(|summary| retention.has_expired_at(summary.status, summary.updated_at, now))
        .collect();
    if expired.is_empty() {
        return Ok(0);
    }
    for summary in &expired {
        if let Ok(report_id) = ReportUuid::parse(&summary.id) {
            // A receipt the outbox no longer lists (delivered before it kept receipts) is fine.
            let _ = state.outbox.forget(&report_id);
        }
    }
    let transaction = state_written(database, state, &[Store::Observations]).await?;
    let observations_store = transaction.store(Store::Observations.name())?;
    for summary in &expired {
        observations_store
            .delete(JsValue::from_str(&summary.id))
            .await?;
    }
    committed(transaction).await?;
    Ok(expired.len())
}

/// Whether `record` is the receipt of a report the team has (what the list shows instead of
/// the observation).
#[must_use]
pub fn is_receipt(record: &ObservationRecord) -> bool {
    matches!(record.status(), Status::Sent | Status::Forgotten)
}
