//! Opening what the device keeps: each report's envelope and each status change's envelope,
//! decrypted with the unlocked identity, into what the inbox shows ([`InboxItem`]). A report
//! that cannot be opened, or that says it is another report than its envelope, becomes an
//! item with its failure; it never stops the others.

use std::collections::BTreeMap;
use std::sync::Arc;

use prepoznaj_domain::assessment::{Level, assess};
use prepoznaj_domain::catalogue::{Catalogue, CatalogueVersion};
use prepoznaj_domain::observation::{Answer, Observation, UnixMillis};
use prepoznaj_domain::protocol::{CoarseStatus, Envelope, StatusChangeId, TeamReport};
use prepoznaj_domain::report::{ReportFormatError, ReportPlaintext};
use prepoznaj_domain::status_note::{InboxStatus, StatusNote, StatusNoteFormatError};
use prepoznaj_envelope::identity::TeamIdentity;
use prepoznaj_envelope::report::{OpenError, open};

use crate::storage::inbox::{InboxEntry, ReceivedReport};

/// Why an envelope could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenFailure {
    /// This member's key is not among the envelope's recipients.
    NotForThisKey,
    /// Changed on the way, cut short, or not an age envelope.
    Damaged,
    /// Decrypted, but in a format this build does not read.
    UnknownFormat,
    /// Decrypted, but the report inside names another report id than its envelope (the
    /// server swapped or replayed envelopes between reports).
    OtherReport,
}

impl From<OpenError> for OpenFailure {
    fn from(error: OpenError) -> Self {
        match error {
            OpenError::NotForThisKey => OpenFailure::NotForThisKey,
            OpenError::Damaged(_) => OpenFailure::Damaged,
        }
    }
}

/// One step of the team's work, as far as it could be read.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryEntry {
    pub change_id: StatusChangeId,
    pub coarse_status: CoarseStatus,
    /// When the server recorded it; `None` while it waits to be sent from this device.
    pub recorded_at: Option<UnixMillis>,
    pub note: Result<StatusNote, OpenFailure>,
}

/// A report, decrypted in memory.
#[derive(Debug, Clone, PartialEq)]
pub struct InboxItem {
    pub id: String,
    pub received_at: UnixMillis,
    /// The catalogue version the server was told (the report's own is inside).
    pub catalogue_version: CatalogueVersion,
    pub observation: Result<Observation, OpenFailure>,
    /// The assessment's level with the report's own catalogue (`None` when it could not be
    /// had or the report not opened).
    pub level: Option<Level>,
    /// Indicators answered "observed" or "not sure".
    pub marked: usize,
    /// Oldest first; changes waiting to be sent last.
    pub history: Vec<HistoryEntry>,
    pub status: InboxStatus,
}

fn open_report(report: &TeamReport, identity: &TeamIdentity) -> Result<Observation, OpenFailure> {
    let plaintext = open(report.envelope.as_bytes(), identity)?;
    ReportPlaintext::parse_for(&plaintext, &report.report_id)
        .map(|report| report.observation)
        .map_err(|error| match error {
            ReportFormatError::UnknownFormat { .. } | ReportFormatError::Malformed(_) => {
                OpenFailure::UnknownFormat
            }
            ReportFormatError::OtherReport { .. } => OpenFailure::OtherReport,
        })
}

fn open_note(envelope: &Envelope, identity: &TeamIdentity) -> Result<StatusNote, OpenFailure> {
    let plaintext = open(envelope.as_bytes(), identity)?;
    StatusNote::parse(&plaintext).map_err(|error| match error {
        StatusNoteFormatError::UnknownFormat { .. } | StatusNoteFormatError::Malformed(_) => {
            OpenFailure::UnknownFormat
        }
    })
}

/// Opens one kept report; `catalogues` are those already loaded, by version.
#[must_use]
pub fn read(
    id: &str,
    received: &ReceivedReport,
    identity: &TeamIdentity,
    catalogues: &BTreeMap<String, Arc<Catalogue>>,
) -> InboxItem {
    let report = &received.report;
    let observation = open_report(report, identity);
    let (level, marked) = match &observation {
        Ok(observation) => (
            catalogues
                .get(observation.catalogue_version().as_str())
                .map(|catalogue| assess(catalogue, observation.answers()).level),
            observation
                .answers()
                .iter()
                .filter(|(_, entry)| entry.answer != Answer::NotObserved)
                .count(),
        ),
        Err(_) => (None, 0),
    };
    let mut history: Vec<HistoryEntry> = report
        .status_changes
        .iter()
        .map(|change| HistoryEntry {
            change_id: change.change_id.clone(),
            coarse_status: change.coarse_status,
            recorded_at: Some(change.recorded_at),
            note: open_note(&change.envelope, identity),
        })
        .collect();
    history.extend(received.pending.iter().map(|pending| HistoryEntry {
        change_id: pending.change_id.clone(),
        coarse_status: pending.coarse_status,
        recorded_at: None,
        note: open_note(&pending.envelope, identity),
    }));
    let status = InboxStatus::after(history.iter().map(|entry| entry.coarse_status));
    InboxItem {
        id: id.to_owned(),
        received_at: report.received_at,
        catalogue_version: report.catalogue_version.clone(),
        observation,
        level,
        marked,
        history,
        status,
    }
}

/// The catalogue versions the kept reports name (to load before [`read`]).
#[must_use]
pub fn catalogue_versions(entries: &BTreeMap<String, InboxEntry>) -> Vec<CatalogueVersion> {
    let mut versions: Vec<CatalogueVersion> = entries
        .values()
        .filter_map(|entry| match entry {
            InboxEntry::Received(received) => Some(received.report.catalogue_version.clone()),
            InboxEntry::Forgotten { .. } => None,
        })
        .collect();
    versions.sort_by(|a, b| a.as_str().cmp(b.as_str()));
    versions.dedup();
    versions
}

/// Newest first (then by id, for a stable order).
pub fn sort_newest_first(items: &mut [InboxItem]) {
    items.sort_by(|a, b| {
        b.received_at
            .cmp(&a.received_at)
            .then_with(|| b.id.cmp(&a.id))
    });
}
