//! Opening what the device keeps: each report's envelope and each status change's envelope,
//! decrypted with the unlocked identity, into what the inbox shows ([`InboxItem`]). A report
//! that cannot be opened, or that says it is another report than its envelope, becomes an
//! item with its failure; it never stops the others.
//!
//! A status change counts only through its note: signed by a member of any version of the
//! team's key chain this device verified ([`NoteTrust`]), about this very school, report and
//! change, and with the status the server listed beside it. Anything else is shown in the
//! history as not verified, with why, and never moves the report's status; when the server's
//! coarse statuses say otherwise, the item carries what the server says
//! ([`TeamStatus::server_says`]). Decrypting is done once; trust is decided again
//! ([`retrust`]) when the device learns more of the chain, without decrypting again.

use std::collections::BTreeMap;
use std::sync::Arc;

use prepoznaj_domain::assessment::{Level, assess};
use prepoznaj_domain::catalogue::{Catalogue, CatalogueVersion};
use prepoznaj_domain::observation::{Answer, Observation, UnixMillis};
use prepoznaj_domain::protocol::{
    CoarseStatus, DisplayName, Envelope, ReportUuid, SchoolId, StatusChangeId, TeamMemberId,
    TeamReport,
};
use prepoznaj_domain::report::{ReportFormatError, ReportPlaintext};
use prepoznaj_domain::status_note::{
    InboxStatus, SignedNoteDocument, StatusNote, StatusNoteFormatError, TeamStatus, note_counts,
};
use prepoznaj_domain::team_chain::{ChainMember, SignedVersion};
use prepoznaj_envelope::identity::TeamIdentity;
use prepoznaj_envelope::report::{OpenError, open};
use prepoznaj_envelope::signing::{ExpectedNote, NoteTrustError, verify_note};

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

/// Whose notes this device trusts: the school, and every member of every version of the
/// team's key chain it verified (so a member who left, or re-registered with new keys, keeps
/// their earlier notes valid).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteTrust {
    pub school: SchoolId,
    /// Members of every verified version, oldest version first.
    pub members: Vec<ChainMember>,
    /// Whether `members` holds the whole verified chain, or only the version this device
    /// pinned (the chain's history could not be fetched yet).
    pub whole_chain: bool,
}

impl NoteTrust {
    /// From the versions of a chain this device verified (version 1 first).
    #[must_use]
    pub fn from_chain(school: SchoolId, versions: &[SignedVersion]) -> Self {
        Self {
            school,
            members: versions
                .iter()
                .flat_map(|signed| signed.version.members().iter().cloned())
                .collect(),
            whole_chain: true,
        }
    }

    /// From the one version this device pinned, until the whole chain is fetched.
    #[must_use]
    pub fn from_pin(school: SchoolId, pin: Option<&SignedVersion>) -> Self {
        Self {
            school,
            members: pin
                .map(|signed| signed.version.members().to_vec())
                .unwrap_or_default(),
            whole_chain: false,
        }
    }

    /// The name `member` has in the latest verified version that lists them.
    #[must_use]
    pub fn name_of(&self, member: &TeamMemberId) -> Option<&DisplayName> {
        self.members
            .iter()
            .rev()
            .find(|known| &known.id == member)
            .map(|known| &known.display_name)
    }
}

/// Why a status change is not trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoteProblem {
    /// Its envelope could not be opened.
    Open(OpenFailure),
    /// An unsigned note, as earlier builds wrote them.
    Unsigned,
    /// Its author is not in the team's key chain this device verified.
    UnknownAuthor,
    /// Its author is not in the key chain version this device pinned, and the chain's
    /// history could not be fetched to look further back.
    AuthorNotYetKnown,
    /// Its signature does not verify: forged, or altered.
    BadSignature,
    /// It is about another school, report or change (moved from elsewhere).
    OtherChange,
    /// Its note says another status than the one the server listed for it.
    OtherStatus { note: CoarseStatus },
}

/// A note this device trusts, and who wrote it.
#[derive(Debug, Clone, PartialEq)]
pub struct TrustedNote {
    pub note: StatusNote,
    pub author: TeamMemberId,
    /// The author's name in the verified chain.
    pub author_name: Option<DisplayName>,
}

/// One step of the team's work, as far as it could be read and trusted.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryEntry {
    pub change_id: StatusChangeId,
    pub coarse_status: CoarseStatus,
    /// When the server recorded it; `None` while it waits to be sent from this device.
    pub recorded_at: Option<UnixMillis>,
    pub note: Result<TrustedNote, NoteProblem>,
    /// What was decrypted, kept to decide trust again ([`retrust`]).
    opened: Result<SignedNoteDocument, NoteProblem>,
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
    /// After the trusted notes only.
    pub status: InboxStatus,
    /// What the server's coarse statuses say, when it is not `status`.
    pub server_says: Option<InboxStatus>,
    /// When the server will delete this report though the team has not closed it, once that
    /// is near (`TeamReport::deletion_warning`, as of reading).
    pub deletion_warning: Option<UnixMillis>,
    report_id: ReportUuid,
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

fn open_note(
    envelope: &Envelope,
    identity: &TeamIdentity,
) -> Result<SignedNoteDocument, NoteProblem> {
    let plaintext =
        open(envelope.as_bytes(), identity).map_err(|error| NoteProblem::Open(error.into()))?;
    SignedNoteDocument::parse(&plaintext).map_err(|error| match error {
        StatusNoteFormatError::Unsigned => NoteProblem::Unsigned,
        StatusNoteFormatError::UnknownFormat { .. } | StatusNoteFormatError::Malformed(_) => {
            NoteProblem::Open(OpenFailure::UnknownFormat)
        }
    })
}

/// Whether `opened`, listed by the server as change `change_id` of `report_id` with status
/// `coarse`, is trusted.
fn trust_note(
    opened: &Result<SignedNoteDocument, NoteProblem>,
    report_id: &ReportUuid,
    change_id: &StatusChangeId,
    coarse: CoarseStatus,
    trust: &NoteTrust,
) -> Result<TrustedNote, NoteProblem> {
    let document = opened.as_ref().map_err(|problem| *problem)?;
    let expected = ExpectedNote {
        school: &trust.school,
        report_id,
        change_id,
    };
    let authored =
        verify_note(document, &trust.members, expected).map_err(|error| match error {
            NoteTrustError::Malformed => NoteProblem::Open(OpenFailure::UnknownFormat),
            NoteTrustError::UnknownAuthor if !trust.whole_chain => NoteProblem::AuthorNotYetKnown,
            NoteTrustError::UnknownAuthor => NoteProblem::UnknownAuthor,
            NoteTrustError::BadSignature => NoteProblem::BadSignature,
            NoteTrustError::OtherChange => NoteProblem::OtherChange,
        })?;
    if !note_counts(coarse, Some(authored.status)) {
        return Err(NoteProblem::OtherStatus {
            note: authored.status,
        });
    }
    Ok(TrustedNote {
        note: authored.content(),
        author_name: trust.name_of(&authored.author).cloned(),
        author: authored.author,
    })
}

/// Decides again which of `item`'s changes are trusted, and its status, with `trust` (after
/// the device learned more of the chain); nothing is decrypted again.
pub fn retrust(item: &mut InboxItem, trust: &NoteTrust) {
    for entry in &mut item.history {
        entry.note = trust_note(
            &entry.opened,
            &item.report_id,
            &entry.change_id,
            entry.coarse_status,
            trust,
        );
    }
    let team_status = team_status(&item.history);
    item.status = team_status.status;
    item.server_says = team_status.server_says;
}

fn team_status(history: &[HistoryEntry]) -> TeamStatus {
    TeamStatus::from_changes(history.iter().map(|entry| {
        (
            entry.coarse_status,
            entry.note.as_ref().ok().map(|trusted| trusted.note.status),
        )
    }))
}

/// Opens one kept report; `catalogues` are those already loaded, by version; its status
/// changes are trusted as `trust` allows.
#[must_use]
pub fn read(
    id: &str,
    received: &ReceivedReport,
    identity: &TeamIdentity,
    catalogues: &BTreeMap<String, Arc<Catalogue>>,
    trust: &NoteTrust,
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
    let entry = |change_id: &StatusChangeId,
                 coarse_status: CoarseStatus,
                 recorded_at: Option<UnixMillis>,
                 envelope: &Envelope| {
        let opened = open_note(envelope, identity);
        HistoryEntry {
            note: trust_note(&opened, &report.report_id, change_id, coarse_status, trust),
            change_id: change_id.clone(),
            coarse_status,
            recorded_at,
            opened,
        }
    };
    let mut history: Vec<HistoryEntry> = report
        .status_changes
        .iter()
        .map(|change| {
            entry(
                &change.change_id,
                change.coarse_status,
                Some(change.recorded_at),
                &change.envelope,
            )
        })
        .collect();
    history.extend(received.pending.iter().map(|pending| {
        entry(
            &pending.change_id,
            pending.coarse_status,
            None,
            &pending.envelope,
        )
    }));
    let team_status = team_status(&history);
    InboxItem {
        id: id.to_owned(),
        received_at: report.received_at,
        catalogue_version: report.catalogue_version.clone(),
        observation,
        level,
        marked,
        history,
        status: team_status.status,
        server_says: team_status.server_says,
        deletion_warning: report.deletion_warning(crate::clock::now()),
        report_id: report.report_id.clone(),
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
pub fn sort_newest_first<T: std::borrow::Borrow<InboxItem>>(items: &mut [T]) {
    items.sort_by(|a, b| {
        let (a, b) = (a.borrow(), b.borrow());
        b.received_at
            .cmp(&a.received_at)
            .then_with(|| b.id.cmp(&a.id))
    });
}
