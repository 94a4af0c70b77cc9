//! What a status change's envelope holds once decrypted: one step of the team's work on a
//! report, as versioned JSON. The team member's device writes it (then the
//! `prepoznaj-envelope` crate encrypts it to the team's current keys); the team's devices read
//! it. The server sees only the coarse status beside it ([`CoarseStatus`]).
//!
//! The form makes a [`StatusNote`] (what was done). What is encrypted is an [`AuthoredNote`]:
//! the same, bound to its school, report and change and naming its author, signed with the
//! author's chain signing key. The envelope's plaintext is the [`SignedNoteDocument`]
//! `{"format": 2, "note": "<the AuthoredNote as JSON text>", "signature": "<128 hex>"}`; the
//! signature covers [`NOTE_SIGNING_PREFIX`] followed by exactly that JSON text, so the reader
//! verifies the bytes it then reads, with no canonical form to agree on
//! (`prepoznaj_envelope::signing` signs and verifies). Format 1, the unsigned note of earlier
//! builds, is still recognised so the inbox can say it is unsigned. Also here: where a report
//! stands in the team's workflow ([`InboxStatus`]), from the statuses of its changes.

use serde::{Deserialize, Serialize};

use crate::date::CalendarDate;
use crate::observation::UnixMillis;
use crate::protocol::{CoarseStatus, ReportUuid, SchoolId, StatusChangeId, TeamMemberId};
use crate::team_chain::ChainSignature;

/// The format of the unsigned note of earlier builds (read only to say it is unsigned).
pub const STATUS_NOTE_FORMAT: u32 = 1;

/// The format of the [`SignedNoteDocument`] this build writes and reads.
pub const SIGNED_NOTE_FORMAT: u32 = 2;

/// The domain-separation prefix of what a status note's signature covers.
pub const NOTE_SIGNING_PREFIX: &[u8] = b"prepoznaj-status-note-v1\n";

/// The longest note, in characters.
pub const MAX_STATUS_NOTE_CHARS: usize = 1_000;

/// Whom the team informed when it acted on a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Informed {
    /// The Social Care Centre (Центар за социјални рад).
    SocialCareCentre,
    Police,
    /// The public prosecutor.
    Prosecutor,
    /// The Centre for Human Trafficking Victims' Protection (the institution's own name).
    TraffickingProtectionCentre,
    Parents,
}

impl Informed {
    /// Every institution, in the order the form lists them.
    pub const ALL: [Informed; 5] = [
        Informed::SocialCareCentre,
        Informed::Police,
        Informed::Prosecutor,
        Informed::TraffickingProtectionCentre,
        Informed::Parents,
    ];
}

/// The plaintext of one status change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusNote {
    pub format: u32,
    pub status: CoarseStatus,
    /// Whom the team informed (for `acted_upon`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub informed: Vec<Informed>,
    /// When it was done (for `acted_upon`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<CalendarDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// When the team member wrote it (their device's clock).
    pub written_at: UnixMillis,
}

/// What the form holds before it is checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatusNoteDraft {
    pub informed: Vec<Informed>,
    /// `YYYY-MM-DD` as a date field gives it; empty for none.
    pub date: String,
    pub note: String,
}

/// Why a draft is not a status note.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StatusNoteError {
    #[error("acted upon needs whom the team informed or a note saying what was done")]
    NothingDone,
    #[error(transparent)]
    Date(#[from] crate::date::CalendarDateError),
    #[error("the note has {chars} characters; at most {MAX_STATUS_NOTE_CHARS}")]
    NoteTooLong { chars: usize },
}

/// Why decrypted bytes are not a status note this build can read.
#[derive(Debug, thiserror::Error)]
pub enum StatusNoteFormatError {
    #[error("the status note is format {found}; this build reads format {SIGNED_NOTE_FORMAT}")]
    UnknownFormat { found: u32 },
    #[error("the status note was written unsigned, by an earlier build")]
    Unsigned,
    #[error("the status note is not a readable document: {0}")]
    Malformed(#[from] serde_json::Error),
}

/// Which change of which report a note is about, and who writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteContext {
    pub school: SchoolId,
    pub report_id: ReportUuid,
    pub change_id: StatusChangeId,
    pub author: TeamMemberId,
}

/// A status note bound to its change and author: what the author's key signs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthoredNote {
    pub school: SchoolId,
    pub report_id: ReportUuid,
    pub change_id: StatusChangeId,
    pub author: TeamMemberId,
    pub status: CoarseStatus,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub informed: Vec<Informed>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<CalendarDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    pub written_at: UnixMillis,
}

impl AuthoredNote {
    #[must_use]
    pub fn new(note: StatusNote, context: NoteContext) -> Self {
        Self {
            school: context.school,
            report_id: context.report_id,
            change_id: context.change_id,
            author: context.author,
            status: note.status,
            informed: note.informed,
            date: note.date,
            note: note.note,
            written_at: note.written_at,
        }
    }

    /// What was done, without whom it is bound to.
    #[must_use]
    pub fn content(&self) -> StatusNote {
        StatusNote {
            format: STATUS_NOTE_FORMAT,
            status: self.status,
            informed: self.informed.clone(),
            date: self.date,
            note: self.note.clone(),
            written_at: self.written_at,
        }
    }

    /// The JSON text that is signed and carried.
    #[must_use]
    pub fn to_json(&self) -> String {
        serde_json::to_string(self)
            .unwrap_or_else(|_| unreachable!("an authored note always serialises"))
    }
}

/// The bytes a note's signature covers: [`NOTE_SIGNING_PREFIX`] and the note's JSON text.
#[must_use]
pub fn note_signing_bytes(json: &str) -> Vec<u8> {
    let mut bytes = NOTE_SIGNING_PREFIX.to_vec();
    bytes.extend_from_slice(json.as_bytes());
    bytes
}

/// The plaintext of a status change's envelope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignedNoteDocument {
    pub format: u32,
    /// An [`AuthoredNote`] as JSON text, exactly as signed.
    pub note: String,
    pub signature: ChainSignature,
}

impl SignedNoteDocument {
    /// The bytes to encrypt (compact JSON, UTF-8).
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_else(|_| unreachable!("a signed note always serialises"))
    }

    /// Reads decrypted bytes; the caller verifies the signature, then reads the note with
    /// [`SignedNoteDocument::authored`].
    ///
    /// # Errors
    /// [`StatusNoteFormatError`]: an unsigned note of an earlier build, another format, or
    /// bytes that are not a note.
    pub fn parse(bytes: &[u8]) -> Result<Self, StatusNoteFormatError> {
        match crate::report::document_format(bytes)? {
            SIGNED_NOTE_FORMAT => Ok(serde_json::from_slice(bytes)?),
            STATUS_NOTE_FORMAT => Err(StatusNoteFormatError::Unsigned),
            found => Err(StatusNoteFormatError::UnknownFormat { found }),
        }
    }

    /// The note the signature covers (read only after verifying it).
    ///
    /// # Errors
    /// [`StatusNoteFormatError::Malformed`] when the signed text is not an authored note.
    pub fn authored(&self) -> Result<AuthoredNote, StatusNoteFormatError> {
        Ok(serde_json::from_str(&self.note)?)
    }
}

impl StatusNote {
    /// A change with no detail (`seen`, `closed`).
    #[must_use]
    pub fn bare(status: CoarseStatus, written_at: UnixMillis) -> Self {
        Self {
            format: STATUS_NOTE_FORMAT,
            status,
            informed: Vec::new(),
            date: None,
            note: None,
            written_at,
        }
    }

    /// An `acted_upon` change from the form: whom the team informed or a note is needed; the
    /// date is optional; the note is trimmed and at most [`MAX_STATUS_NOTE_CHARS`].
    ///
    /// # Errors
    /// [`StatusNoteError`] naming what is missing or wrong.
    pub fn acted_upon(
        draft: &StatusNoteDraft,
        written_at: UnixMillis,
    ) -> Result<Self, StatusNoteError> {
        let note = draft.note.trim();
        let chars = note.chars().count();
        if chars > MAX_STATUS_NOTE_CHARS {
            return Err(StatusNoteError::NoteTooLong { chars });
        }
        if draft.informed.is_empty() && note.is_empty() {
            return Err(StatusNoteError::NothingDone);
        }
        let date = match draft.date.trim() {
            "" => None,
            text => Some(CalendarDate::parse(text)?),
        };
        let mut informed = draft.informed.clone();
        informed.sort_unstable();
        informed.dedup();
        Ok(Self {
            format: STATUS_NOTE_FORMAT,
            status: CoarseStatus::ActedUpon,
            informed,
            date,
            note: (!note.is_empty()).then(|| note.to_owned()),
            written_at,
        })
    }
}

/// Where a report stands in the team's work: new → seen → acted upon → closed. It never goes
/// back: the furthest change counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum InboxStatus {
    New,
    Seen,
    ActedUpon,
    Closed,
}

impl InboxStatus {
    /// The status after `changes` (in any order).
    #[must_use]
    pub fn after(changes: impl IntoIterator<Item = CoarseStatus>) -> Self {
        changes
            .into_iter()
            .map(|change| match change {
                CoarseStatus::Seen => InboxStatus::Seen,
                CoarseStatus::ActedUpon => InboxStatus::ActedUpon,
                CoarseStatus::Closed => InboxStatus::Closed,
            })
            .max()
            .unwrap_or(InboxStatus::New)
    }

    /// The id used in markup (`data-status`).
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            InboxStatus::New => "new",
            InboxStatus::Seen => "seen",
            InboxStatus::ActedUpon => "acted-upon",
            InboxStatus::Closed => "closed",
        }
    }

    /// Whether a change to `to` moves the report forward (a change that would not is not
    /// offered).
    #[must_use]
    pub fn allows(self, to: CoarseStatus) -> bool {
        match to {
            CoarseStatus::Seen => self == InboxStatus::New,
            // More than one action may be recorded before the report is closed.
            CoarseStatus::ActedUpon => self != InboxStatus::Closed,
            CoarseStatus::Closed => self == InboxStatus::ActedUpon,
        }
    }
}

/// Where a report stands by its trusted notes, and what the server's coarse statuses say when
/// they say otherwise.
///
/// The server lists each status change with a coarse status beside its sealed note. Only a
/// note the device trusts (decrypted, signed by a member of its verified chain, about this
/// change) counts, and only when its status is the one the server listed beside it: a note
/// moved onto a change with another status is not that change's note. The server's word is a
/// hint: it decides nothing, and is shown only when it disagrees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TeamStatus {
    /// The status after the trusted notes.
    pub status: InboxStatus,
    /// The status after the server's coarse statuses, when it differs from `status`.
    pub server_says: Option<InboxStatus>,
}

/// Whether a change's trusted note (`note`, its status) counts beside the server's coarse
/// status `coarse`: only when they are the same.
#[must_use]
pub fn note_counts(coarse: CoarseStatus, note: Option<CoarseStatus>) -> bool {
    note == Some(coarse)
}

impl TeamStatus {
    /// From every change of a report: its coarse status and, when its note is trusted, the
    /// note's status.
    #[must_use]
    pub fn from_changes(
        changes: impl IntoIterator<Item = (CoarseStatus, Option<CoarseStatus>)>,
    ) -> Self {
        let changes: Vec<_> = changes.into_iter().collect();
        let status = InboxStatus::after(
            changes
                .iter()
                .filter(|(coarse, note)| note_counts(*coarse, *note))
                .map(|(coarse, _)| *coarse),
        );
        let server = InboxStatus::after(changes.iter().map(|(coarse, _)| *coarse));
        Self {
            status,
            server_says: (server != status).then_some(server),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly on purpose")]

    use super::*;

    fn draft(informed: &[Informed], date: &str, note: &str) -> StatusNoteDraft {
        StatusNoteDraft {
            informed: informed.to_vec(),
            date: date.to_owned(),
            note: note.to_owned(),
        }
    }

    #[test]
    fn an_acted_upon_note_round_trips_with_its_detail() {
        let note = StatusNote::acted_upon(
            &draft(
                &[
                    Informed::Police,
                    Informed::SocialCareCentre,
                    Informed::Police,
                ],
                "2026-12-03",
                "  Разговор са педагогом.  ",
            ),
            UnixMillis(7),
        )
        .unwrap();
        assert_eq!(
            note.informed,
            [Informed::SocialCareCentre, Informed::Police]
        );
        assert_eq!(note.note.as_deref(), Some("Разговор са педагогом."));
        assert_eq!(note.date, Some(CalendarDate::parse("2026-12-03").unwrap()));
        let authored = AuthoredNote::new(note.clone(), context());
        assert_eq!(authored.content(), note);
        let document = SignedNoteDocument {
            format: SIGNED_NOTE_FORMAT,
            note: authored.to_json(),
            signature: ChainSignature::from_bytes([1; 64]),
        };
        let read = SignedNoteDocument::parse(&document.to_bytes()).unwrap();
        assert_eq!(read, document);
        assert_eq!(read.authored().unwrap(), authored);
    }

    fn context() -> NoteContext {
        NoteContext {
            school: SchoolId::parse("0192f3a4-0001-7000-8000-000000000001").unwrap(),
            report_id: ReportUuid::parse("0192f3a4-0002-7000-8000-000000000002").unwrap(),
            change_id: StatusChangeId::parse("0192f3a4-0003-7000-8000-000000000003").unwrap(),
            author: TeamMemberId::parse("0192f3a4-0004-7000-8000-000000000004").unwrap(),
        }
    }

    #[test]
    fn the_signed_bytes_are_the_prefix_and_the_exact_json_text() {
        let note = AuthoredNote::new(
            StatusNote::bare(CoarseStatus::Seen, UnixMillis(5)),
            context(),
        );
        let json = note.to_json();
        assert_eq!(
            json,
            r#"{"school":"0192f3a4-0001-7000-8000-000000000001","report_id":"0192f3a4-0002-7000-8000-000000000002","change_id":"0192f3a4-0003-7000-8000-000000000003","author":"0192f3a4-0004-7000-8000-000000000004","status":"seen","written_at":5}"#
        );
        let bytes = note_signing_bytes(&json);
        assert!(bytes.starts_with(b"prepoznaj-status-note-v1\n"));
        assert_eq!(&bytes[NOTE_SIGNING_PREFIX.len()..], json.as_bytes());
    }

    #[test]
    fn the_wire_form_is_snake_case_and_versioned() {
        let note = StatusNote::acted_upon(
            &draft(&[Informed::TraffickingProtectionCentre], "", ""),
            UnixMillis(1),
        )
        .unwrap();
        let document = SignedNoteDocument {
            format: SIGNED_NOTE_FORMAT,
            note: r#"{"status":"acted_upon"}"#.to_owned(),
            signature: ChainSignature::from_bytes([0xab; 64]),
        };
        assert_eq!(
            String::from_utf8(document.to_bytes()).unwrap(),
            format!(
                r#"{{"format":2,"note":"{{\"status\":\"acted_upon\"}}","signature":"{}"}}"#,
                "ab".repeat(64)
            )
        );
        let authored = AuthoredNote::new(note, context()).to_json();
        assert!(authored.contains(r#""status":"acted_upon","informed":["trafficking_protection_centre"],"written_at":1"#), "{authored}");
    }

    #[test]
    fn acted_upon_needs_something_done_and_a_real_date_and_a_short_note() {
        assert_eq!(
            StatusNote::acted_upon(&draft(&[], "2026-12-03", "   "), UnixMillis(1)),
            Err(StatusNoteError::NothingDone)
        );
        assert!(matches!(
            StatusNote::acted_upon(
                &draft(&[Informed::Parents], "2026-02-30", ""),
                UnixMillis(1)
            ),
            Err(StatusNoteError::Date(_))
        ));
        let long = "а".repeat(MAX_STATUS_NOTE_CHARS + 1);
        assert_eq!(
            StatusNote::acted_upon(&draft(&[], "", &long), UnixMillis(1)),
            Err(StatusNoteError::NoteTooLong {
                chars: MAX_STATUS_NOTE_CHARS + 1
            })
        );
    }

    #[test]
    fn an_unsigned_note_and_another_format_are_refused_by_number() {
        assert!(matches!(
            SignedNoteDocument::parse(br#"{"format": 1, "status": "seen", "written_at": 1}"#),
            Err(StatusNoteFormatError::Unsigned)
        ));
        assert!(matches!(
            SignedNoteDocument::parse(br#"{"format": 3, "status": "seen"}"#),
            Err(StatusNoteFormatError::UnknownFormat { found: 3 })
        ));
        assert!(matches!(
            SignedNoteDocument::parse(b"{}"),
            Err(StatusNoteFormatError::Malformed(_))
        ));
        let document = SignedNoteDocument {
            format: SIGNED_NOTE_FORMAT,
            note: r#"{"status":"seen","extra":1}"#.to_owned(),
            signature: ChainSignature::from_bytes([0; 64]),
        };
        assert!(matches!(
            document.authored(),
            Err(StatusNoteFormatError::Malformed(_))
        ));
    }

    #[test]
    fn the_status_is_the_furthest_change_and_never_goes_back() {
        assert_eq!(InboxStatus::after([]), InboxStatus::New);
        assert_eq!(
            InboxStatus::after([CoarseStatus::ActedUpon, CoarseStatus::Seen]),
            InboxStatus::ActedUpon
        );
        assert_eq!(
            InboxStatus::after([CoarseStatus::Seen, CoarseStatus::Closed]),
            InboxStatus::Closed
        );
        assert!(InboxStatus::New.allows(CoarseStatus::Seen));
        assert!(!InboxStatus::ActedUpon.allows(CoarseStatus::Seen));
        assert!(InboxStatus::Seen.allows(CoarseStatus::ActedUpon));
        assert!(!InboxStatus::Seen.allows(CoarseStatus::Closed));
        assert!(!InboxStatus::Closed.allows(CoarseStatus::ActedUpon));
    }
    #[test]
    fn the_status_comes_from_trusted_notes_and_the_server_is_shown_only_when_it_disagrees() {
        use CoarseStatus::{ActedUpon, Closed, Seen};
        /// The changes (coarse status, trusted note's status), the status, what the server says.
        type Case = (
            &'static [(CoarseStatus, Option<CoarseStatus>)],
            InboxStatus,
            Option<InboxStatus>,
        );
        let cases: [Case; 8] = [
            (&[], InboxStatus::New, None),
            (&[(Seen, Some(Seen))], InboxStatus::Seen, None),
            (
                &[
                    (Seen, Some(Seen)),
                    (ActedUpon, Some(ActedUpon)),
                    (Closed, Some(Closed)),
                ],
                InboxStatus::Closed,
                None,
            ),
            // Closed by the server's word only (a stranger's note, an unsigned one, none).
            (
                &[(Seen, Some(Seen)), (Closed, None)],
                InboxStatus::Seen,
                Some(InboxStatus::Closed),
            ),
            (
                &[(Closed, None)],
                InboxStatus::New,
                Some(InboxStatus::Closed),
            ),
            // A real "seen" note moved onto a change listed as closed does not close it.
            (
                &[(Seen, Some(Seen)), (Closed, Some(Seen))],
                InboxStatus::Seen,
                Some(InboxStatus::Closed),
            ),
            // An untrusted change that would not move the status changes nothing visible.
            (
                &[(ActedUpon, Some(ActedUpon)), (Seen, None)],
                InboxStatus::ActedUpon,
                None,
            ),
            // Order does not matter; the furthest trusted change counts.
            (
                &[
                    (Closed, Some(Closed)),
                    (Seen, Some(Seen)),
                    (ActedUpon, None),
                ],
                InboxStatus::Closed,
                None,
            ),
        ];
        for (changes, status, server_says) in cases {
            assert_eq!(
                TeamStatus::from_changes(changes.iter().copied()),
                TeamStatus {
                    status,
                    server_says
                },
                "{changes:?}"
            );
        }
        assert!(note_counts(Seen, Some(Seen)));
        assert!(!note_counts(Closed, Some(Seen)));
        assert!(!note_counts(Seen, None));
    }
}
