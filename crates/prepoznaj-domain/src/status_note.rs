//! What a status change's envelope holds once decrypted: one step of the team's work on a
//! report, as versioned JSON. The team member's device writes it (then the
//! `prepoznaj-envelope` crate encrypts it to the team's current keys); the team's devices read
//! it. The server sees only the coarse status beside it ([`CoarseStatus`]).
//!
//! The document is `{"format": 1, "status": "acted_upon", "informed": [...], "date":
//! "2026-12-03", "note": "…", "written_at": 1764…}`. A reader refuses a format it does not know
//! rather than guess. Also here: where a report stands in the team's workflow
//! ([`InboxStatus`]), from the coarse statuses of its changes.

use serde::{Deserialize, Serialize};

use crate::date::CalendarDate;
use crate::observation::UnixMillis;
use crate::protocol::CoarseStatus;

/// The format this build writes and reads.
pub const STATUS_NOTE_FORMAT: u32 = 1;

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
    #[error("the status note is format {found}; this build reads format {STATUS_NOTE_FORMAT}")]
    UnknownFormat { found: u32 },
    #[error("the status note is not a readable document: {0}")]
    Malformed(#[from] serde_json::Error),
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

    /// The bytes to encrypt (compact JSON, UTF-8).
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_else(|_| unreachable!("a status note always serialises"))
    }

    /// Reads decrypted bytes.
    ///
    /// # Errors
    /// [`StatusNoteFormatError`] for another format or bytes that are not a status note.
    pub fn parse(bytes: &[u8]) -> Result<Self, StatusNoteFormatError> {
        #[derive(Deserialize)]
        struct Versioned {
            format: u32,
        }
        let versioned: Versioned = serde_json::from_slice(bytes)?;
        if versioned.format != STATUS_NOTE_FORMAT {
            return Err(StatusNoteFormatError::UnknownFormat {
                found: versioned.format,
            });
        }
        Ok(serde_json::from_slice(bytes)?)
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
        assert_eq!(StatusNote::parse(&note.to_bytes()).unwrap(), note);
    }

    #[test]
    fn the_wire_form_is_snake_case_and_versioned() {
        let note = StatusNote::acted_upon(
            &draft(&[Informed::TraffickingProtectionCentre], "", ""),
            UnixMillis(1),
        )
        .unwrap();
        assert_eq!(
            String::from_utf8(note.to_bytes()).unwrap(),
            r#"{"format":1,"status":"acted_upon","informed":["trafficking_protection_centre"],"written_at":1}"#
        );
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
    fn another_format_is_refused_by_number() {
        assert!(matches!(
            StatusNote::parse(br#"{"format": 2, "status": "seen"}"#),
            Err(StatusNoteFormatError::UnknownFormat { found: 2 })
        ));
        assert!(matches!(
            StatusNote::parse(b"{}"),
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
}
