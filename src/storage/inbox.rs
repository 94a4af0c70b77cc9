//! A team member's copy of the school's reports (schema 5): every report kept **encrypted as
//! received** (the server's `TeamReport`, age envelopes and all), with the status changes this
//! device sealed and has not yet had recorded by the server, and a marker for each report
//! forgotten on this device so that the next download does not bring it back.
//!
//! Nothing here is ever plaintext: decryption happens in memory (`crate::inbox`).

use std::collections::BTreeMap;

use prepoznaj_domain::observation::UnixMillis;
use prepoznaj_domain::protocol::{StatusChange, StatusChangeRequest, TeamReport};
use rexie::TransactionMode;
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsValue;

use super::{Database, StorageError, Store, committed, to_js};

/// A report as this device keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceivedReport {
    /// As the server gave it last (its status changes included).
    pub report: TeamReport,
    /// Status changes sealed here that the server has not confirmed yet (sent again, with the
    /// same `change_id`, until it does).
    #[serde(default)]
    pub pending: Vec<StatusChangeRequest>,
}

/// One record of the store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InboxEntry {
    Received(ReceivedReport),
    /// Removed from this device by the team member; never stored again.
    Forgotten {
        forgotten_at: UnixMillis,
    },
}

#[derive(Debug, Serialize, Deserialize)]
struct StoredEntry {
    id: String,
    entry: InboxEntry,
}

/// Every record, by report id.
pub async fn load_all(database: &Database) -> Result<BTreeMap<String, InboxEntry>, StorageError> {
    let stored: Vec<StoredEntry> = database.get_all(Store::Inbox).await?;
    Ok(stored
        .into_iter()
        .map(|stored| (stored.id, stored.entry))
        .collect())
}

/// One record.
pub async fn load(database: &Database, id: &str) -> Result<Option<InboxEntry>, StorageError> {
    let stored: Option<StoredEntry> = database.get(Store::Inbox, id).await?;
    Ok(stored.map(|stored| stored.entry))
}

/// Writes `entries` in one transaction (all or none).
async fn put_all(
    database: &Database,
    entries: impl IntoIterator<Item = (String, InboxEntry)>,
) -> Result<(), StorageError> {
    let values = entries
        .into_iter()
        .map(|(id, entry)| to_js(&StoredEntry { id, entry }))
        .collect::<Result<Vec<JsValue>, _>>()?;
    if values.is_empty() {
        return Ok(());
    }
    let transaction = database
        .transaction(Store::Inbox, TransactionMode::ReadWrite)
        .await?;
    let store = transaction.store(Store::Inbox.name())?;
    for value in &values {
        store.put(value, None).await?;
    }
    committed(transaction).await
}

/// What `downloaded` changes in `known`: new reports, and the status changes of known ones (a
/// pending change the server now lists is no longer pending). A report's envelope never
/// changes: the copy kept first stays, whatever the server sends later. Forgotten reports
/// stay forgotten.
#[must_use]
pub fn merge(
    known: &BTreeMap<String, InboxEntry>,
    downloaded: Vec<TeamReport>,
) -> Vec<(String, InboxEntry)> {
    downloaded
        .into_iter()
        .filter_map(|mut report| {
            let id = report.report_id.to_string();
            let pending = match known.get(&id) {
                Some(InboxEntry::Forgotten { .. }) => return None,
                Some(InboxEntry::Received(received)) => {
                    report.envelope = received.report.envelope.clone();
                    report.envelope_sha256 = received.report.envelope_sha256;
                    if received.report == report {
                        return None;
                    }
                    received
                        .pending
                        .iter()
                        .filter(|pending| {
                            !report
                                .status_changes
                                .iter()
                                .any(|change| change.change_id == pending.change_id)
                        })
                        .cloned()
                        .collect()
                }
                None => Vec::new(),
            };
            Some((id, InboxEntry::Received(ReceivedReport { report, pending })))
        })
        .collect()
}

/// The reports this device keeps that a complete download no longer lists and whose deletion
/// time has come (`TeamReport::is_due_for_deletion`): the server deleted them, so this device
/// forgets its copy too.
#[must_use]
pub fn purged(
    known: &BTreeMap<String, InboxEntry>,
    downloaded: &[TeamReport],
    now: UnixMillis,
) -> Vec<String> {
    known
        .iter()
        .filter_map(|(id, entry)| match entry {
            InboxEntry::Received(received)
                if received.report.is_due_for_deletion(now)
                    && !downloaded
                        .iter()
                        .any(|report| report.report_id == received.report.report_id) =>
            {
                Some(id.clone())
            }
            _ => None,
        })
        .collect()
}

/// What the device keeps after a download: every record, and the ids a download changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub entries: BTreeMap<String, InboxEntry>,
    pub changed: Vec<String>,
}

/// Stores what a complete download brought (see [`merge`], against the records as they are
/// now), and forgets the reports the server deleted (see [`purged`]), in one transaction.
pub async fn store_downloaded(
    database: &Database,
    downloaded: Vec<TeamReport>,
    now: UnixMillis,
) -> Result<Stored, StorageError> {
    let mut entries = load_all(database).await?;
    let purged = purged(&entries, &downloaded, now);
    let mut changed = merge(&entries, downloaded);
    changed.extend(
        purged
            .into_iter()
            .map(|id| (id, InboxEntry::Forgotten { forgotten_at: now })),
    );
    put_all(database, changed.clone()).await?;
    let changed_ids = changed.iter().map(|(id, _)| id.clone()).collect();
    entries.extend(changed);
    Ok(Stored {
        entries,
        changed: changed_ids,
    })
}

/// Keeps a sealed status change to send (before it is sent, so nothing typed is lost).
pub async fn add_pending(
    database: &Database,
    id: &str,
    request: StatusChangeRequest,
) -> Result<(), StorageError> {
    let Some(InboxEntry::Received(mut received)) = load(database, id).await? else {
        return Err(StorageError::Other(format!(
            "no report {id} on this device"
        )));
    };
    if !received
        .pending
        .iter()
        .any(|pending| pending.change_id == request.change_id)
    {
        received.pending.push(request);
    }
    put_all(database, [(id.to_owned(), InboxEntry::Received(received))]).await
}

/// The server recorded `change`: it joins the report's changes and is no longer pending.
pub async fn record_sent(
    database: &Database,
    id: &str,
    change: StatusChange,
) -> Result<(), StorageError> {
    let Some(InboxEntry::Received(mut received)) = load(database, id).await? else {
        // Forgotten meanwhile: nothing to keep.
        return Ok(());
    };
    received
        .pending
        .retain(|pending| pending.change_id != change.change_id);
    if !received
        .report
        .status_changes
        .iter()
        .any(|known| known.change_id == change.change_id)
    {
        received.report.status_changes.push(change);
    }
    put_all(database, [(id.to_owned(), InboxEntry::Received(received))]).await
}

/// Removes the report's copy from this device and remembers that it was forgotten.
pub async fn forget(database: &Database, id: &str, now: UnixMillis) -> Result<(), StorageError> {
    put_all(
        database,
        [(id.to_owned(), InboxEntry::Forgotten { forgotten_at: now })],
    )
    .await
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly on purpose")]

    use prepoznaj_domain::catalogue::CatalogueVersion;
    use prepoznaj_domain::protocol::{
        CoarseStatus, Envelope, ReportStatus, ReportUuid, Sha256Digest, StatusChangeId,
    };

    use super::*;

    fn report(id: u8, envelope: &[u8]) -> TeamReport {
        TeamReport {
            report_id: ReportUuid::new_v7(UnixMillis(1), [id; 10]),
            received_at: UnixMillis(u64::from(id)),
            size: 3,
            catalogue_version: CatalogueVersion::new("2021-r1"),
            status: ReportStatus::Received,
            closed_at: None,
            deleted_after: None,
            envelope: Envelope::from_bytes(envelope.to_vec()),
            envelope_sha256: Sha256Digest::parse_hex(&"ab".repeat(32)).unwrap(),
            status_changes: Vec::new(),
        }
    }

    fn request(change: u8) -> StatusChangeRequest {
        StatusChangeRequest {
            change_id: StatusChangeId::new_v7(UnixMillis(2), [change; 10]),
            coarse_status: CoarseStatus::Seen,
            envelope: Envelope::from_bytes(vec![change]),
            envelope_sha256: Sha256Digest::parse_hex(&"cd".repeat(32)).unwrap(),
        }
    }

    #[test]
    fn a_download_keeps_the_first_envelope_drops_what_the_server_has_and_skips_the_forgotten() {
        let kept = report(1, b"first");
        let forgotten = report(2, b"gone");
        let (sent, waiting) = (request(7), request(8));
        let known = BTreeMap::from([
            (
                kept.report_id.to_string(),
                InboxEntry::Received(ReceivedReport {
                    report: kept.clone(),
                    pending: vec![sent.clone(), waiting.clone()],
                }),
            ),
            (
                forgotten.report_id.to_string(),
                InboxEntry::Forgotten {
                    forgotten_at: UnixMillis(3),
                },
            ),
        ]);
        let mut on_server = report(1, b"changed on the server");
        on_server.status_changes.push(StatusChange {
            change_id: sent.change_id.clone(),
            report_id: on_server.report_id.clone(),
            coarse_status: sent.coarse_status,
            recorded_at: UnixMillis(4),
            envelope: sent.envelope.clone(),
            envelope_sha256: sent.envelope_sha256,
        });
        let new = report(3, b"new");
        let changed = merge(&known, vec![on_server.clone(), forgotten, new.clone()]);
        assert_eq!(changed.len(), 2);
        let InboxEntry::Received(updated) = &changed[0].1 else {
            panic!("the kept report stays received");
        };
        assert_eq!(updated.report.envelope, kept.envelope);
        assert_eq!(updated.report.status_changes, on_server.status_changes);
        assert_eq!(updated.pending, vec![waiting]);
        assert_eq!(
            changed[1],
            (
                new.report_id.to_string(),
                InboxEntry::Received(ReceivedReport {
                    report: new,
                    pending: Vec::new()
                })
            )
        );
    }
}
