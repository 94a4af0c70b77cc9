//! The outbox: reports sealed to the team's keys, waiting to be sent. One record per report,
//! keyed by its id. A report enters the outbox in the same transaction that moves its
//! observation on to `queued`, so the phone never holds a queued observation without its
//! envelope, nor an envelope for an observation still open.
//!
//! The sender reads [`OutboxEntry::submission`] (the exact body of `POST /api/v1/reports`,
//! envelope already sealed and hashed; the service worker sends it as is, too) and keeps its
//! retry state in [`super::sync_state`]; it never needs the plaintext. An entry leaves this
//! store only when the team has the report ([`super::sync_state::deliver`]).

use prepoznaj_domain::observation::{ObservationRecord, Status, UnixMillis};
use prepoznaj_domain::protocol::ReportSubmission;
use prepoznaj_envelope::vault::DataKey;
use rexie::TransactionMode;
use serde::{Deserialize, Serialize};

use super::{Database, StorageError, Store, committed, to_js};

/// One sealed report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxEntry {
    /// The report id (a UUIDv7, the same as the observation's and the submission's).
    pub id: String,
    /// The request body to send, as is: report id, envelope, its SHA-256, catalogue version,
    /// protocol version.
    pub submission: ReportSubmission,
    /// The version of the key set the envelope was sealed to.
    pub key_set_version: u64,
    /// When the report was sealed and queued (the phone's clock).
    pub queued_at: UnixMillis,
    /// The phone changed school while the app was locked: this envelope is for the other
    /// school's team, so it is not sent until the next unlock seals the report again.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub reseal_on_unlock: bool,
}

impl OutboxEntry {
    /// A report sealed just now, due at once.
    #[must_use]
    pub fn new(submission: ReportSubmission, key_set_version: u64, now: UnixMillis) -> Self {
        Self {
            id: submission.report_id.as_str().to_owned(),
            submission,
            key_set_version,
            queued_at: now,
            reseal_on_unlock: false,
        }
    }
}

/// Writes the observation (moved on to `queued`, sealed with `key` together with its receipt
/// when there is a key) and its outbox entry in one transaction: when this returns `Ok` both
/// are on disk; when it fails, neither is.
pub async fn queue(
    database: &Database,
    key: Option<&DataKey>,
    record: &ObservationRecord,
    entry: &OutboxEntry,
) -> Result<(), StorageError> {
    if record.status() != Status::Queued || record.id().as_str() != entry.id {
        return Err(StorageError::Other(format!(
            "observation {} ({}) does not go with outbox entry {}",
            record.id(),
            record.status(),
            entry.id
        )));
    }
    let record = super::observations::stored_value(key, record)?;
    let entry = to_js(entry)?;
    let transaction = database
        .transaction_on(
            &[Store::Observations, Store::Outbox],
            TransactionMode::ReadWrite,
        )
        .await?;
    transaction
        .store(Store::Observations.name())?
        .put(&record, None)
        .await?;
    transaction
        .store(Store::Outbox.name())?
        .put(&entry, None)
        .await?;
    committed(transaction).await
}

/// Every report waiting in the outbox, oldest first.
pub async fn list(database: &Database) -> Result<Vec<OutboxEntry>, StorageError> {
    let mut entries: Vec<OutboxEntry> = database.get_all(Store::Outbox).await?;
    entries.sort_by_key(|entry| entry.queued_at);
    Ok(entries)
}

/// The reports that may be sent now: every one but those held for the next unlock.
pub async fn sendable(database: &Database) -> Result<Vec<OutboxEntry>, StorageError> {
    let mut entries = list(database).await?;
    entries.retain(|entry| !entry.reseal_on_unlock);
    Ok(entries)
}

/// Holds every report in the outbox for sealing again (none is sent until it is): before the
/// phone switches school, so that no sender can pair an envelope sealed for the old school
/// with the new school's enrolment. Returns how many.
pub async fn hold_all(database: &Database) -> Result<usize, StorageError> {
    let mut held = 0;
    for entry in list(database).await? {
        if !entry.reseal_on_unlock {
            replace(
                database,
                &OutboxEntry {
                    reseal_on_unlock: true,
                    ..entry
                },
            )
            .await?;
            held += 1;
        }
    }
    Ok(held)
}

/// Replaces an entry's envelope (sealed again to a newer key set), in place.
pub async fn replace(database: &Database, entry: &OutboxEntry) -> Result<(), StorageError> {
    database.put(Store::Outbox, entry).await
}
