//! One staff member's observation of one child: its context, its answers and its life cycle.
//!
//! An [`ObservationDraft`] is what the form holds while it is being filled in; finishing it
//! checks it against its catalogue and yields an [`Observation`], whose answers can no longer
//! change. [`ObservationRecord`] is what the phone stores: either of the two, with the states
//! draft → complete → queued → sent → forgotten ([`Status`]). Only those steps are allowed.
//!
//! Ids and times are given by the caller: this module reads no clock and makes no random
//! numbers. Times are [`UnixMillis`]. It does no IO and knows nothing about storage or sync.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};

use crate::catalogue::{
    Area, AreaId, Catalogue, CatalogueVersion, Indicator, IndicatorId, QuickSignId,
};
use crate::reference::{Reference, contains_jmbg};

/// The longest report id accepted, in characters (a UUID has 36).
pub const MAX_REPORT_ID_CHARS: usize = 64;

/// The longest note on one answer, in characters.
pub const MAX_NOTE_CHARS: usize = 280;

/// A point in time: milliseconds since 1970-01-01 UTC, as `Date.now()` gives it. Read from
/// JSON only up to [`UnixMillis::MAX_READ`], so every time a document holds (a signed key
/// chain version included) is one every JSON reader keeps exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u64", into = "u64")]
pub struct UnixMillis(pub u64);

impl UnixMillis {
    /// 2^53 − 1 (JavaScript's `Number.MAX_SAFE_INTEGER`): the year 287,396.
    pub const MAX_READ: u64 = (1 << 53) - 1;
}

/// A time past [`UnixMillis::MAX_READ`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a time is at most 2^53 - 1 milliseconds since 1970")]
pub struct TimeOutOfRange;

impl TryFrom<u64> for UnixMillis {
    type Error = TimeOutOfRange;

    fn try_from(millis: u64) -> Result<Self, Self::Error> {
        if millis <= Self::MAX_READ {
            Ok(Self(millis))
        } else {
            Err(TimeOutOfRange)
        }
    }
}

impl From<UnixMillis> for u64 {
    fn from(time: UnixMillis) -> Self {
        time.0
    }
}

/// The id of one observation, made by the caller (a UUID in text form, say): ASCII letters,
/// digits, `-` and `_`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ReportId(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReportIdError {
    #[error("the report id is empty")]
    Empty,
    #[error("the report id has {length} characters; at most {max} are allowed")]
    TooLong { length: usize, max: usize },
    #[error(
        "the report id contains {character:?}; only ascii letters, digits, `-` and `_` are allowed"
    )]
    BadCharacter { character: char },
}

impl ReportId {
    /// # Errors
    /// [`ReportIdError`] if `id` is empty, too long or has a character other than ASCII
    /// letters, digits, `-` and `_`.
    pub fn parse(id: &str) -> Result<ReportId, ReportIdError> {
        if id.is_empty() {
            return Err(ReportIdError::Empty);
        }
        if let Some(character) = id
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_')))
        {
            return Err(ReportIdError::BadCharacter { character });
        }
        if id.len() > MAX_REPORT_ID_CHARS {
            return Err(ReportIdError::TooLong {
                length: id.len(),
                max: MAX_REPORT_ID_CHARS,
            });
        }
        Ok(ReportId(id.to_owned()))
    }

    /// A UUIDv7 (RFC 9562): 48 bits of `now`, then version and variant bits, then 74 bits of
    /// `random` (the caller takes them from a cryptographic source). Ids sort by creation time.
    #[must_use]
    pub fn new_v7(now: UnixMillis, random: [u8; 10]) -> ReportId {
        let millis = now.0.to_be_bytes();
        let mut bytes = [0_u8; 16];
        bytes[..6].copy_from_slice(&millis[2..]);
        bytes[6] = 0x70 | (random[0] & 0x0f);
        bytes[7] = random[1];
        bytes[8] = 0x80 | (random[2] & 0x3f);
        bytes[9..].copy_from_slice(&random[3..]);
        let hex: String = bytes.iter().map(|byte| format!("{byte:02x}")).collect();
        ReportId(format!(
            "{}-{}-{}-{}-{}",
            &hex[..8],
            &hex[8..12],
            &hex[12..16],
            &hex[16..20],
            &hex[20..]
        ))
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for ReportId {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(&self.0)
    }
}

impl TryFrom<String> for ReportId {
    type Error = ReportIdError;

    fn try_from(id: String) -> Result<Self, Self::Error> {
        ReportId::parse(&id)
    }
}

impl From<ReportId> for String {
    fn from(id: ReportId) -> String {
        id.0
    }
}

/// A short note on one answer: facts, not a name or a personal number. Trimmed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Note(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NoteError {
    #[error("the note is empty")]
    Empty,
    #[error("the note has {length} characters; at most {max} are allowed")]
    TooLong { length: usize, max: usize },
    #[error("the note contains what looks like a personal number (jmbg)")]
    LooksLikeJmbg,
}

impl Note {
    /// # Errors
    /// [`NoteError`] if the note is empty, longer than [`MAX_NOTE_CHARS`] or holds a JMBG.
    pub fn parse(input: &str) -> Result<Note, NoteError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(NoteError::Empty);
        }
        let length = trimmed.chars().count();
        if length > MAX_NOTE_CHARS {
            return Err(NoteError::TooLong {
                length,
                max: MAX_NOTE_CHARS,
            });
        }
        if contains_jmbg(trimmed) {
            return Err(NoteError::LooksLikeJmbg);
        }
        Ok(Note(trimmed.to_owned()))
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Note {
    type Error = NoteError;

    fn try_from(input: String) -> Result<Self, Self::Error> {
        Note::parse(&input)
    }
}

impl From<Note> for String {
    fn from(note: Note) -> String {
        note.0
    }
}

/// Where the observation was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Setting {
    Classroom,
    Schoolyard,
    HomeVisit,
    Online,
    Other,
}

/// The child's age, roughly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum AgeBand {
    #[serde(rename = "under-7")]
    Under7,
    #[serde(rename = "7-10")]
    From7To10,
    #[serde(rename = "11-14")]
    From11To14,
    #[serde(rename = "15-18")]
    From15To18,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Gender {
    Girl,
    Boy,
    /// Another answer; not saying is `None`.
    Other,
}

/// The role of the member of staff who observed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ObserverRole {
    Teacher,
    PsychologistPedagogue,
    MaintenanceSupport,
    Other,
}

/// How the observation was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    /// The whole checklist, area by area.
    Full,
    /// A few plain-language signs on one screen, for maintenance and support staff.
    Quick,
}

/// What the staff member says about the circumstances. Every combination is valid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Context {
    pub setting: Setting,
    #[serde(default)]
    pub age_band: Option<AgeBand>,
    #[serde(default)]
    pub gender: Option<Gender>,
    pub observer_role: ObserverRole,
    /// Never a name: [`Reference`] refuses text that looks like one.
    #[serde(default)]
    pub reference: Option<Reference>,
}

/// The answer to one indicator. Unanswered indicators have no entry at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Answer {
    Observed,
    NotSure,
    NotObserved,
}

/// An answer and its optional note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerEntry {
    pub answer: Answer,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<Note>,
}

/// The answers given so far, by indicator.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Answers(BTreeMap<IndicatorId, AnswerEntry>);

impl Answers {
    #[must_use]
    pub fn get(&self, indicator: &IndicatorId) -> Option<&AnswerEntry> {
        self.0.get(indicator)
    }

    /// The answer to `indicator`, or `None` while it is unanswered.
    #[must_use]
    pub fn answer(&self, indicator: &IndicatorId) -> Option<Answer> {
        self.0.get(indicator).map(|entry| entry.answer)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&IndicatorId, &AnswerEntry)> {
        self.0.iter()
    }

    #[must_use]
    pub fn len(&self) -> usize {
        self.0.len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Answered out of total, overall and for each area of `catalogue`, in checklist order.
    #[must_use]
    pub fn progress(&self, catalogue: &Catalogue) -> Progress {
        let areas: Vec<AreaProgress> = catalogue
            .areas()
            .iter()
            .map(|area| AreaProgress {
                area: area.id().clone(),
                answered: area
                    .indicators()
                    .iter()
                    .filter(|indicator| self.0.contains_key(indicator.id()))
                    .count(),
                total: area.indicators().len(),
            })
            .collect();
        Progress {
            answered: areas.iter().map(|area| area.answered).sum(),
            total: areas.iter().map(|area| area.total).sum(),
            areas,
        }
    }
}

/// The indicators given one answer (or none), by area: what a reader of a report goes through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerGroup<'c> {
    /// `None`: the indicators left unanswered.
    pub answer: Option<Answer>,
    /// Areas in checklist order, each with its indicators of this answer in checklist order;
    /// areas without one are left out.
    pub areas: Vec<(&'c Area, Vec<&'c Indicator>)>,
}

impl AnswerGroup<'_> {
    /// How many indicators the group holds.
    #[must_use]
    pub fn count(&self) -> usize {
        self.areas
            .iter()
            .map(|(_, indicators)| indicators.len())
            .sum()
    }
}

/// The order a report is read in: observed, not sure, not observed, then unanswered.
pub const READING_ORDER: [Option<Answer>; 4] = [
    Some(Answer::Observed),
    Some(Answer::NotSure),
    Some(Answer::NotObserved),
    None,
];

impl Answers {
    /// Every indicator of `catalogue` in one of four groups, in [`READING_ORDER`]; each
    /// indicator is in exactly one, so the counts add up to the catalogue's.
    #[must_use]
    pub fn groups<'c>(&self, catalogue: &'c Catalogue) -> [AnswerGroup<'c>; 4] {
        READING_ORDER.map(|answer| AnswerGroup {
            answer,
            areas: catalogue
                .areas()
                .iter()
                .filter_map(|area| {
                    let indicators: Vec<_> = area
                        .indicators()
                        .iter()
                        .filter(|indicator| self.answer(indicator.id()) == answer)
                        .collect();
                    (!indicators.is_empty()).then_some((area, indicators))
                })
                .collect(),
        })
    }
}

/// How much of the checklist is answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    pub answered: usize,
    pub total: usize,
    pub areas: Vec<AreaProgress>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AreaProgress {
    pub area: AreaId,
    pub answered: usize,
    pub total: usize,
}

/// Where an observation is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Being filled in; the only state in which answers change.
    Draft,
    /// Finished by the staff member; read-only from now on.
    Complete,
    /// Waiting to be sent to the school team.
    Queued,
    /// Received by the team.
    Sent,
    /// The team has it and the phone has forgotten it: answers, notes, age band and gender are
    /// removed; what is kept is the receipt the staff member sees (the id, the times, the
    /// setting, their role and the reference they chose).
    Forgotten,
}

impl Status {
    /// The only state this one may move to.
    #[must_use]
    pub const fn next(self) -> Option<Status> {
        match self {
            Status::Draft => Some(Status::Complete),
            Status::Complete => Some(Status::Queued),
            Status::Queued => Some(Status::Sent),
            Status::Sent => Some(Status::Forgotten),
            Status::Forgotten => None,
        }
    }

    /// The state's name, as stored.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Complete => "complete",
            Status::Queued => "queued",
            Status::Sent => "sent",
            Status::Forgotten => "forgotten",
        }
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(self.as_str())
    }
}

/// Why an answer, a note or a quick-mode sign could not be recorded on a draft.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnswerError {
    #[error("the draft uses catalogue {draft}, not {catalogue}")]
    CatalogueMismatch {
        draft: CatalogueVersion,
        catalogue: CatalogueVersion,
    },
    #[error("indicator `{indicator}` is not in the catalogue")]
    UnknownIndicator { indicator: IndicatorId },
    #[error("indicator `{indicator}` has no answer to attach a note to")]
    NotAnswered { indicator: IndicatorId },
    #[error("quick-mode sign `{sign}` is not in the catalogue")]
    UnknownQuickSign { sign: QuickSignId },
}

/// Why a draft could not be finished.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CompleteError {
    #[error("the draft uses catalogue {draft}, not {catalogue}")]
    CatalogueMismatch {
        draft: CatalogueVersion,
        catalogue: CatalogueVersion,
    },
    #[error("indicator `{indicator}` is not in catalogue {catalogue}")]
    UnknownIndicator {
        indicator: IndicatorId,
        catalogue: CatalogueVersion,
    },
    #[error("nothing has been answered yet")]
    NothingAnswered,
    #[error("observation `{id}` is already {status}")]
    NotADraft { id: ReportId, status: Status },
}

/// An edit was attempted on an observation that is no longer a draft.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("observation `{id}` is {status} and can no longer be edited")]
pub struct EditError {
    pub id: ReportId,
    pub status: Status,
}

/// A step of the life cycle that is not allowed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("observation `{id}` cannot go from {from} to {to}")]
pub struct TransitionError {
    pub id: ReportId,
    pub from: Status,
    pub to: Status,
}

/// An observation being filled in: what the form holds. Every change records `now` as the
/// time of the last change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObservationDraft {
    id: ReportId,
    catalogue_version: CatalogueVersion,
    mode: Mode,
    started_at: UnixMillis,
    updated_at: UnixMillis,
    context: Context,
    #[serde(default)]
    answers: Answers,
}

impl ObservationDraft {
    /// Starts an observation against the catalogue `catalogue_version`, with nothing answered.
    #[must_use]
    pub fn new(
        id: ReportId,
        catalogue_version: CatalogueVersion,
        mode: Mode,
        context: Context,
        now: UnixMillis,
    ) -> ObservationDraft {
        ObservationDraft {
            id,
            catalogue_version,
            mode,
            started_at: now,
            updated_at: now,
            context,
            answers: Answers::default(),
        }
    }

    #[must_use]
    pub fn id(&self) -> &ReportId {
        &self.id
    }

    #[must_use]
    pub fn catalogue_version(&self) -> &CatalogueVersion {
        &self.catalogue_version
    }

    #[must_use]
    pub fn mode(&self) -> Mode {
        self.mode
    }

    #[must_use]
    pub fn started_at(&self) -> UnixMillis {
        self.started_at
    }

    #[must_use]
    pub fn updated_at(&self) -> UnixMillis {
        self.updated_at
    }

    #[must_use]
    pub fn context(&self) -> &Context {
        &self.context
    }

    #[must_use]
    pub fn answers(&self) -> &Answers {
        &self.answers
    }

    pub fn set_context(&mut self, context: Context, now: UnixMillis) {
        self.context = context;
        self.updated_at = now;
    }

    /// Records `answer` for `indicator`, keeping a note already written.
    ///
    /// # Errors
    /// [`AnswerError`] if `catalogue` is not the draft's or does not have `indicator`.
    pub fn answer(
        &mut self,
        catalogue: &Catalogue,
        indicator: &IndicatorId,
        answer: Answer,
        now: UnixMillis,
    ) -> Result<(), AnswerError> {
        self.check_indicator(catalogue, indicator)?;
        self.answers
            .0
            .entry(indicator.clone())
            .and_modify(|entry| entry.answer = answer)
            .or_insert(AnswerEntry { answer, note: None });
        self.updated_at = now;
        Ok(())
    }

    /// Makes `indicator` unanswered again; its note goes with the answer.
    pub fn clear_answer(&mut self, indicator: &IndicatorId, now: UnixMillis) {
        if self.answers.0.remove(indicator).is_some() {
            self.updated_at = now;
        }
    }

    /// Sets or removes the note of an answered indicator.
    ///
    /// # Errors
    /// [`AnswerError`] if the catalogue is not the draft's, lacks `indicator`, or the
    /// indicator is unanswered.
    pub fn set_note(
        &mut self,
        catalogue: &Catalogue,
        indicator: &IndicatorId,
        note: Option<Note>,
        now: UnixMillis,
    ) -> Result<(), AnswerError> {
        self.check_indicator(catalogue, indicator)?;
        let entry = self
            .answers
            .0
            .get_mut(indicator)
            .ok_or_else(|| AnswerError::NotAnswered {
                indicator: indicator.clone(),
            })?;
        entry.note = note;
        self.updated_at = now;
        Ok(())
    }

    /// Chooses or un-chooses a quick-mode sign. Choosing marks the sign's indicators
    /// observed; un-choosing clears those not also covered by another chosen sign.
    ///
    /// # Errors
    /// [`AnswerError`] if the catalogue is not the draft's or has no such sign.
    pub fn set_quick_sign(
        &mut self,
        catalogue: &Catalogue,
        sign: &QuickSignId,
        chosen: bool,
        now: UnixMillis,
    ) -> Result<(), AnswerError> {
        self.check_catalogue(catalogue)?;
        let quick_sign = catalogue
            .quick_sign(sign)
            .ok_or_else(|| AnswerError::UnknownQuickSign { sign: sign.clone() })?;
        if chosen {
            for indicator in quick_sign.indicators() {
                self.answer(catalogue, indicator, Answer::Observed, now)?;
            }
            return Ok(());
        }
        let still_chosen: Vec<&IndicatorId> = catalogue
            .quick_signs()
            .iter()
            .filter(|other| other.id() != sign && self.quick_sign_chosen(other.indicators()))
            .flat_map(|other| other.indicators())
            .collect();
        for indicator in quick_sign.indicators() {
            if !still_chosen.contains(&indicator) {
                self.clear_answer(indicator, now);
            }
        }
        self.updated_at = now;
        Ok(())
    }

    /// Whether a quick-mode sign counts as chosen: all its indicators are observed.
    #[must_use]
    pub fn quick_sign_chosen(&self, indicators: &[IndicatorId]) -> bool {
        !indicators.is_empty()
            && indicators
                .iter()
                .all(|indicator| self.answers.answer(indicator) == Some(Answer::Observed))
    }

    /// Finishes the draft: checks it against its catalogue and returns the read-only
    /// observation, with status [`Status::Complete`]. The draft itself is left as it was.
    ///
    /// # Errors
    /// [`CompleteError`] if `catalogue` is not the draft's, an answer refers to an indicator
    /// the catalogue does not have, or nothing is answered.
    pub fn complete(
        &self,
        catalogue: &Catalogue,
        now: UnixMillis,
    ) -> Result<Observation, CompleteError> {
        if catalogue.version() != &self.catalogue_version {
            return Err(CompleteError::CatalogueMismatch {
                draft: self.catalogue_version.clone(),
                catalogue: catalogue.version().clone(),
            });
        }
        if let Some(unknown) = self.answers.0.keys().find(|id| !catalogue.contains(id)) {
            return Err(CompleteError::UnknownIndicator {
                indicator: unknown.clone(),
                catalogue: catalogue.version().clone(),
            });
        }
        if self.answers.is_empty() {
            return Err(CompleteError::NothingAnswered);
        }
        Ok(Observation {
            id: self.id.clone(),
            catalogue_version: self.catalogue_version.clone(),
            mode: self.mode,
            status: Status::Complete,
            started_at: self.started_at,
            completed_at: now,
            updated_at: now,
            context: self.context.clone(),
            answers: self.answers.clone(),
        })
    }

    fn check_catalogue(&self, catalogue: &Catalogue) -> Result<(), AnswerError> {
        if catalogue.version() == &self.catalogue_version {
            Ok(())
        } else {
            Err(AnswerError::CatalogueMismatch {
                draft: self.catalogue_version.clone(),
                catalogue: catalogue.version().clone(),
            })
        }
    }

    fn check_indicator(
        &self,
        catalogue: &Catalogue,
        indicator: &IndicatorId,
    ) -> Result<(), AnswerError> {
        self.check_catalogue(catalogue)?;
        if catalogue.contains(indicator) {
            Ok(())
        } else {
            Err(AnswerError::UnknownIndicator {
                indicator: indicator.clone(),
            })
        }
    }
}

/// A finished observation: checked against its catalogue, answers fixed. Only its status
/// moves on, one step at a time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Observation {
    id: ReportId,
    catalogue_version: CatalogueVersion,
    mode: Mode,
    #[serde(deserialize_with = "finished_status")]
    status: Status,
    started_at: UnixMillis,
    completed_at: UnixMillis,
    /// The last change of status.
    updated_at: UnixMillis,
    context: Context,
    #[serde(default)]
    answers: Answers,
}

fn finished_status<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Status, D::Error> {
    match Status::deserialize(deserializer)? {
        Status::Draft => Err(serde::de::Error::custom(
            "a finished observation cannot have status `draft`",
        )),
        status => Ok(status),
    }
}

impl Observation {
    #[must_use]
    pub fn id(&self) -> &ReportId {
        &self.id
    }

    #[must_use]
    pub fn catalogue_version(&self) -> &CatalogueVersion {
        &self.catalogue_version
    }

    #[must_use]
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// Never [`Status::Draft`].
    #[must_use]
    pub fn status(&self) -> Status {
        self.status
    }

    #[must_use]
    pub fn started_at(&self) -> UnixMillis {
        self.started_at
    }

    #[must_use]
    pub fn completed_at(&self) -> UnixMillis {
        self.completed_at
    }

    #[must_use]
    pub fn updated_at(&self) -> UnixMillis {
        self.updated_at
    }

    #[must_use]
    pub fn context(&self) -> &Context {
        &self.context
    }

    #[must_use]
    pub fn answers(&self) -> &Answers {
        &self.answers
    }

    /// Moves to the next status: complete → queued → sent → forgotten. Forgetting removes
    /// the answers and the reference.
    ///
    /// The observation as the team receives it: as it was at Finish (`complete`), although the
    /// phone's copy has moved on to `queued`. `None` once it is with the team (sent or
    /// forgotten): there is nothing left to seal. Sealing again after the team's keys changed
    /// uses this.
    #[must_use]
    pub fn as_finished(&self) -> Option<Observation> {
        matches!(self.status, Status::Complete | Status::Queued).then(|| Observation {
            status: Status::Complete,
            ..self.clone()
        })
    }

    /// # Errors
    /// [`TransitionError`] for any other step.
    pub fn advance(&mut self, to: Status, now: UnixMillis) -> Result<(), TransitionError> {
        if self.status.next() != Some(to) {
            return Err(TransitionError {
                id: self.id.clone(),
                from: self.status,
                to,
            });
        }
        if to == Status::Forgotten {
            self.answers = Answers::default();
            self.context.age_band = None;
            self.context.gender = None;
        }
        self.status = to;
        self.updated_at = now;
        Ok(())
    }
}

/// What the phone stores for one observation: a draft, or a finished observation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum ObservationRecord {
    Draft(ObservationDraft),
    Finished(Observation),
}

impl ObservationRecord {
    #[must_use]
    pub fn status(&self) -> Status {
        match self {
            ObservationRecord::Draft(_) => Status::Draft,
            ObservationRecord::Finished(observation) => observation.status,
        }
    }

    #[must_use]
    pub fn id(&self) -> &ReportId {
        match self {
            ObservationRecord::Draft(draft) => &draft.id,
            ObservationRecord::Finished(observation) => &observation.id,
        }
    }

    #[must_use]
    pub fn catalogue_version(&self) -> &CatalogueVersion {
        match self {
            ObservationRecord::Draft(draft) => &draft.catalogue_version,
            ObservationRecord::Finished(observation) => &observation.catalogue_version,
        }
    }

    #[must_use]
    pub fn updated_at(&self) -> UnixMillis {
        match self {
            ObservationRecord::Draft(draft) => draft.updated_at,
            ObservationRecord::Finished(observation) => observation.updated_at,
        }
    }

    #[must_use]
    pub fn answers(&self) -> &Answers {
        match self {
            ObservationRecord::Draft(draft) => &draft.answers,
            ObservationRecord::Finished(observation) => &observation.answers,
        }
    }

    /// The draft, for editing.
    ///
    /// # Errors
    /// [`EditError`] once the observation is finished: its answers can no longer change.
    pub fn draft_mut(&mut self) -> Result<&mut ObservationDraft, EditError> {
        match self {
            ObservationRecord::Draft(draft) => Ok(draft),
            ObservationRecord::Finished(observation) => Err(EditError {
                id: observation.id.clone(),
                status: observation.status,
            }),
        }
    }

    /// Finishes a draft (draft → complete).
    ///
    /// # Errors
    /// [`CompleteError`] if this is not a draft or the draft cannot be finished; the record
    /// is then unchanged.
    pub fn complete(
        &mut self,
        catalogue: &Catalogue,
        now: UnixMillis,
    ) -> Result<(), CompleteError> {
        match self {
            ObservationRecord::Draft(draft) => {
                *self = ObservationRecord::Finished(draft.complete(catalogue, now)?);
                Ok(())
            }
            ObservationRecord::Finished(observation) => Err(CompleteError::NotADraft {
                id: observation.id.clone(),
                status: observation.status,
            }),
        }
    }

    /// Moves a finished observation to its next status; a draft moves on only through
    /// [`ObservationRecord::complete`].
    ///
    /// # Errors
    /// [`TransitionError`] for a step the life cycle does not have, and for any step from a
    /// draft.
    pub fn advance(&mut self, to: Status, now: UnixMillis) -> Result<(), TransitionError> {
        match self {
            ObservationRecord::Draft(draft) => Err(TransitionError {
                id: draft.id.clone(),
                from: Status::Draft,
                to,
            }),
            ObservationRecord::Finished(observation) => observation.advance(to, now),
        }
    }
}

/// Strategies shared by this module's and the assessment's property tests.
#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests fail loudly on purpose")]
pub(crate) mod strategies {
    use proptest::prelude::*;

    use super::*;
    use crate::catalogue::{Catalogue, shipped_catalogue};

    /// One plain context, for tests that need any.
    pub(crate) fn fixed_context() -> Context {
        Context {
            setting: Setting::Classroom,
            age_band: Some(AgeBand::From11To14),
            gender: None,
            observer_role: ObserverRole::Teacher,
            reference: Some(Reference::parse("7b-3").unwrap()),
        }
    }

    pub(crate) fn answer() -> impl Strategy<Value = Answer> {
        prop_oneof![
            Just(Answer::Observed),
            Just(Answer::NotSure),
            Just(Answer::NotObserved)
        ]
    }

    fn context() -> impl Strategy<Value = Context> {
        (
            prop_oneof![
                Just(Setting::Classroom),
                Just(Setting::Schoolyard),
                Just(Setting::HomeVisit),
                Just(Setting::Online),
                Just(Setting::Other)
            ],
            proptest::option::of(prop_oneof![
                Just(AgeBand::Under7),
                Just(AgeBand::From7To10),
                Just(AgeBand::From11To14),
                Just(AgeBand::From15To18)
            ]),
            proptest::option::of(prop_oneof![
                Just(Gender::Girl),
                Just(Gender::Boy),
                Just(Gender::Other)
            ]),
            prop_oneof![
                Just(ObserverRole::Teacher),
                Just(ObserverRole::PsychologistPedagogue),
                Just(ObserverRole::MaintenanceSupport),
                Just(ObserverRole::Other)
            ],
            proptest::option::of("[a-z0-9 .-]{1,24}"),
        )
            .prop_map(
                |(setting, age_band, gender, observer_role, reference)| Context {
                    setting,
                    age_band,
                    gender,
                    observer_role,
                    reference: reference.and_then(|text| Reference::parse(&text).ok()),
                },
            )
    }

    /// A draft of the shipped catalogue with random context, answers and notes, and its
    /// catalogue. Answers are given at increasing times.
    pub(crate) fn draft() -> impl Strategy<Value = (Catalogue, ObservationDraft)> {
        draft_of(shipped_catalogue())
    }

    /// A draft of `catalogue`, as [`draft`] makes one of the shipped catalogue.
    pub(crate) fn draft_of(
        catalogue: Catalogue,
    ) -> impl Strategy<Value = (Catalogue, ObservationDraft)> {
        let n_indicators = catalogue.indicator_count();
        (
            "[a-f0-9-]{1,36}",
            prop_oneof![Just(Mode::Full), Just(Mode::Quick)],
            context(),
            0u64..2_000_000_000_000,
            proptest::collection::vec(
                (
                    0..n_indicators,
                    answer(),
                    proptest::option::of("\\PC{1,300}"),
                ),
                0..20,
            ),
        )
            .prop_map(move |(id, mode, context, start, answers)| {
                let id = ReportId::parse(&id).unwrap();
                let mut draft = ObservationDraft::new(
                    id,
                    catalogue.version().clone(),
                    mode,
                    context,
                    UnixMillis(start),
                );
                let ids: Vec<IndicatorId> =
                    catalogue.indicators().map(|i| i.id().clone()).collect();
                for (step, (index, answer, note)) in answers.into_iter().enumerate() {
                    let now = UnixMillis(start + step as u64);
                    let indicator = &ids[index];
                    let answered = draft.answer(&catalogue, indicator, answer, now);
                    assert_eq!(answered, Ok(()));
                    if let Some(note) = note.and_then(|note| Note::parse(&note).ok()) {
                        assert_eq!(
                            draft.set_note(&catalogue, indicator, Some(note), now),
                            Ok(())
                        );
                    }
                }
                (catalogue.clone(), draft)
            })
    }
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests fail loudly on purpose"
)]
mod tests {
    use proptest::prelude::*;

    use super::strategies::fixed_context as context;
    use super::*;
    use crate::catalogue::shipped_catalogue;

    #[test]
    fn a_time_is_read_up_to_the_largest_integer_every_json_reader_keeps() {
        let read = |text: &str| serde_json::from_str::<UnixMillis>(text);
        assert_eq!(
            read("9007199254740991").unwrap(),
            UnixMillis(UnixMillis::MAX_READ)
        );
        assert_eq!(
            read("1796623025959").unwrap(),
            UnixMillis(1_796_623_025_959)
        );
        for text in ["9007199254740992", "18446744073709551615", "-1"] {
            assert!(read(text).is_err(), "{text}");
        }
        assert_eq!(
            serde_json::to_string(&UnixMillis(1_796_623_025_959)).unwrap(),
            "1796623025959"
        );
    }

    #[test]
    fn groups_read_observed_then_not_sure_then_not_observed_then_unanswered_by_area() {
        let catalogue = shipped_catalogue();
        let entry = |answer| AnswerEntry { answer, note: None };
        let answers = Answers(BTreeMap::from([
            (id("health.self-harm"), entry(Answer::Observed)),
            (
                id("behaviour.absent-without-reason"),
                entry(Answer::NotSure),
            ),
            (id("communication.threatened"), entry(Answer::Observed)),
            (id("behaviour.sudden-drop"), entry(Answer::NotObserved)),
        ]));
        let groups = answers.groups(&catalogue);
        assert_eq!(groups.clone().map(|group| group.answer), READING_ORDER);
        let counts = groups.clone().map(|group| group.count());
        assert_eq!(counts[..3], [2, 1, 1]);
        assert_eq!(counts.iter().sum::<usize>(), catalogue.indicator_count());
        let observed: Vec<_> = groups[0]
            .areas
            .iter()
            .flat_map(|(area, indicators)| {
                indicators
                    .iter()
                    .map(|indicator| (area.id().as_str(), indicator.id().as_str()))
            })
            .collect();
        // Checklist order: the areas as the catalogue lists them.
        let area_order: Vec<_> = catalogue
            .areas()
            .iter()
            .map(|area| area.id().as_str())
            .collect();
        let position = |area: &str| area_order.iter().position(|known| *known == area).unwrap();
        assert!(
            observed
                .windows(2)
                .all(|pair| position(pair[0].0) <= position(pair[1].0))
        );
        assert_eq!(observed.len(), 2);
        // Every area's unanswered indicators are listed, none twice.
        let unanswered: std::collections::BTreeSet<_> = groups[3]
            .areas
            .iter()
            .flat_map(|(_, indicators)| indicators.iter().map(|indicator| indicator.id().clone()))
            .collect();
        assert_eq!(unanswered.len(), counts[3]);
        assert!(!unanswered.contains(&id("health.self-harm")));
    }

    /// A new draft with "self-harm" observed.
    fn draft_with_one_answer(catalogue: &Catalogue) -> ObservationDraft {
        let mut draft = new_draft(catalogue);
        draft
            .answer(
                catalogue,
                &id("health.self-harm"),
                Answer::Observed,
                UnixMillis(2),
            )
            .unwrap();
        draft
    }

    fn new_draft(catalogue: &Catalogue) -> ObservationDraft {
        ObservationDraft::new(
            ReportId::parse("0b6c3f5e-1a2b-4c3d-8e9f-000000000001").unwrap(),
            catalogue.version().clone(),
            Mode::Full,
            context(),
            UnixMillis(1_000),
        )
    }

    fn id(text: &str) -> IndicatorId {
        IndicatorId::from(text)
    }

    #[test]
    fn v7_ids_carry_time_version_and_variant() {
        let id = ReportId::new_v7(UnixMillis(0x0190_2f3a_4b5c), [0xff; 10]);
        assert_eq!(id.as_str(), "01902f3a-4b5c-7fff-bfff-ffffffffffff");
        assert!(ReportId::parse(id.as_str()).is_ok());
        let earlier = ReportId::new_v7(UnixMillis(1_700_000_000_000), [0; 10]);
        let later = ReportId::new_v7(UnixMillis(1_700_000_000_001), [0; 10]);
        assert!(earlier.as_str() < later.as_str());
        assert_eq!(&earlier.as_str()[14..15], "7");
    }

    #[test]
    fn a_new_draft_has_nothing_answered() {
        let catalogue = shipped_catalogue();
        let draft = new_draft(&catalogue);
        let progress = draft.answers().progress(&catalogue);
        assert_eq!(progress.answered, 0);
        assert_eq!(progress.total, catalogue.indicator_count());
        assert_eq!(progress.areas.len(), catalogue.areas().len());
        assert!(progress.areas.iter().all(|area| area.answered == 0));
        assert_eq!(draft.answers().answer(&id("behaviour.sudden-drop")), None);
    }

    #[test]
    fn answers_count_towards_progress_overall_and_per_area() {
        let catalogue = shipped_catalogue();
        let mut draft = new_draft(&catalogue);
        draft
            .answer(
                &catalogue,
                &id("behaviour.sudden-drop"),
                Answer::NotSure,
                UnixMillis(2_000),
            )
            .unwrap();
        draft
            .answer(
                &catalogue,
                &id("behaviour.aggressive"),
                Answer::NotObserved,
                UnixMillis(3_000),
            )
            .unwrap();
        draft
            .answer(
                &catalogue,
                &id("online.hidden-accounts"),
                Answer::Observed,
                UnixMillis(4_000),
            )
            .unwrap();
        let progress = draft.answers().progress(&catalogue);
        assert_eq!(progress.answered, 3);
        let behaviour = progress
            .areas
            .iter()
            .find(|area| area.area.as_str() == "behaviour")
            .unwrap();
        assert_eq!((behaviour.answered, behaviour.total), (2, 9));
        assert_eq!(draft.updated_at(), UnixMillis(4_000));
        assert_eq!(draft.started_at(), UnixMillis(1_000));
    }

    #[test]
    fn a_changed_answer_keeps_its_note_and_clearing_drops_both() {
        let catalogue = shipped_catalogue();
        let mut draft = new_draft(&catalogue);
        let indicator = id("health.weight-loss");
        assert_eq!(
            draft.set_note(
                &catalogue,
                &indicator,
                Some(Note::parse("ручак").unwrap()),
                UnixMillis(2)
            ),
            Err(AnswerError::NotAnswered {
                indicator: indicator.clone()
            })
        );
        draft
            .answer(&catalogue, &indicator, Answer::NotSure, UnixMillis(3))
            .unwrap();
        draft
            .set_note(
                &catalogue,
                &indicator,
                Some(Note::parse("  ручак  ").unwrap()),
                UnixMillis(4),
            )
            .unwrap();
        draft
            .answer(&catalogue, &indicator, Answer::Observed, UnixMillis(5))
            .unwrap();
        let entry = draft.answers().get(&indicator).unwrap();
        assert_eq!(entry.answer, Answer::Observed);
        assert_eq!(entry.note.as_ref().map(Note::as_str), Some("ручак"));
        draft.clear_answer(&indicator, UnixMillis(6));
        assert_eq!(draft.answers().get(&indicator), None);
    }

    #[test]
    fn answers_must_belong_to_the_drafts_catalogue() {
        let catalogue = shipped_catalogue();
        let mut draft = new_draft(&catalogue);
        assert_eq!(
            draft.answer(
                &catalogue,
                &id("behaviour.flying"),
                Answer::Observed,
                UnixMillis(2)
            ),
            Err(AnswerError::UnknownIndicator {
                indicator: id("behaviour.flying")
            })
        );
        let mut other = ObservationDraft::new(
            ReportId::parse("x").unwrap(),
            CatalogueVersion::from("2015-r1"),
            Mode::Full,
            context(),
            UnixMillis(1),
        );
        assert!(matches!(
            other.answer(
                &catalogue,
                &id("behaviour.sudden-drop"),
                Answer::Observed,
                UnixMillis(2)
            ),
            Err(AnswerError::CatalogueMismatch { .. })
        ));
        draft
            .answer(
                &catalogue,
                &id("behaviour.sudden-drop"),
                Answer::Observed,
                UnixMillis(2),
            )
            .unwrap();
        assert!(matches!(
            other.complete(&catalogue, UnixMillis(3)),
            Err(CompleteError::CatalogueMismatch { .. })
        ));
    }

    #[test]
    fn quick_signs_mark_and_unmark_their_indicators() {
        let catalogue = shipped_catalogue();
        let mut draft = new_draft(&catalogue);
        let sign = catalogue.quick_sign(&QuickSignId::from("injury")).unwrap();
        assert!(!draft.quick_sign_chosen(sign.indicators()));
        draft
            .set_quick_sign(&catalogue, sign.id(), true, UnixMillis(2))
            .unwrap();
        assert!(draft.quick_sign_chosen(sign.indicators()));
        for indicator in sign.indicators() {
            assert_eq!(draft.answers().answer(indicator), Some(Answer::Observed));
        }
        draft
            .set_quick_sign(&catalogue, sign.id(), false, UnixMillis(3))
            .unwrap();
        assert!(draft.answers().is_empty());
        assert_eq!(
            draft.set_quick_sign(&catalogue, &QuickSignId::from("rain"), true, UnixMillis(4)),
            Err(AnswerError::UnknownQuickSign {
                sign: QuickSignId::from("rain")
            })
        );
    }

    #[test]
    fn finishing_needs_an_answer_and_then_edits_are_refused() {
        let catalogue = shipped_catalogue();
        let mut record = ObservationRecord::Draft(new_draft(&catalogue));
        assert_eq!(
            record.complete(&catalogue, UnixMillis(5)),
            Err(CompleteError::NothingAnswered)
        );
        assert_eq!(record.status(), Status::Draft);
        record
            .draft_mut()
            .unwrap()
            .answer(
                &catalogue,
                &id("communication.hints-at-harm"),
                Answer::Observed,
                UnixMillis(6),
            )
            .unwrap();
        record.complete(&catalogue, UnixMillis(7)).unwrap();
        assert_eq!(record.status(), Status::Complete);
        assert_eq!(
            record.draft_mut().err(),
            Some(EditError {
                id: record.id().clone(),
                status: Status::Complete
            })
        );
        assert!(matches!(
            record.complete(&catalogue, UnixMillis(8)),
            Err(CompleteError::NotADraft {
                status: Status::Complete,
                ..
            })
        ));
        let ObservationRecord::Finished(observation) = &record else {
            panic!("not finished")
        };
        assert_eq!(observation.completed_at(), UnixMillis(7));
        assert_eq!(observation.started_at(), UnixMillis(1_000));
    }

    #[test]
    fn only_the_life_cycle_steps_are_allowed_and_forgetting_removes_answers() {
        let catalogue = shipped_catalogue();
        let draft = draft_with_one_answer(&catalogue);
        let mut record = ObservationRecord::Draft(draft);
        assert_eq!(
            record
                .advance(Status::Complete, UnixMillis(3))
                .map_err(|e| (e.from, e.to)),
            Err((Status::Draft, Status::Complete))
        );
        record.complete(&catalogue, UnixMillis(3)).unwrap();
        assert!(record.advance(Status::Sent, UnixMillis(4)).is_err());
        assert!(record.advance(Status::Forgotten, UnixMillis(4)).is_err());
        record.advance(Status::Queued, UnixMillis(4)).unwrap();
        assert!(record.advance(Status::Complete, UnixMillis(5)).is_err());
        record.advance(Status::Sent, UnixMillis(5)).unwrap();
        record.advance(Status::Forgotten, UnixMillis(6)).unwrap();
        assert_eq!(record.status(), Status::Forgotten);
        assert!(record.answers().is_empty());
        assert_eq!(record.updated_at(), UnixMillis(6));
        let ObservationRecord::Finished(observation) = &record else {
            panic!("not finished")
        };
        // The receipt keeps the reference the staff member chose, nothing about the child.
        assert_eq!(observation.context().reference, context().reference);
        assert_eq!(observation.context().age_band, None);
        assert_eq!(observation.context().gender, None);
        assert!(record.advance(Status::Forgotten, UnixMillis(7)).is_err());
    }

    #[test]
    fn a_queued_observation_seals_as_it_was_at_finish() {
        let catalogue = shipped_catalogue();
        let draft = draft_with_one_answer(&catalogue);
        let mut observation = draft.complete(&catalogue, UnixMillis(3)).unwrap();
        let at_finish = observation.clone();
        observation.advance(Status::Queued, UnixMillis(4)).unwrap();
        let sealed = observation.as_finished().unwrap();
        assert_eq!(sealed.status(), Status::Complete);
        assert_eq!(sealed.answers(), at_finish.answers());
        assert_eq!(sealed.id(), at_finish.id());
        observation.advance(Status::Sent, UnixMillis(5)).unwrap();
        assert_eq!(observation.as_finished(), None);
    }

    #[test]
    fn a_finished_observation_cannot_be_read_back_as_a_draft_status() {
        let catalogue = shipped_catalogue();
        let draft = draft_with_one_answer(&catalogue);
        let observation = draft.complete(&catalogue, UnixMillis(3)).unwrap();
        let json = serde_json::to_string(&observation).unwrap();
        let tampered = json.replace("\"status\":\"complete\"", "\"status\":\"draft\"");
        assert_ne!(json, tampered);
        assert!(serde_json::from_str::<Observation>(&tampered).is_err());
    }

    #[test]
    fn report_ids_and_notes_are_checked() {
        assert!(ReportId::parse("0b6c3f5e-1a2b-4c3d-8e9f-000000000001").is_ok());
        assert_eq!(ReportId::parse(""), Err(ReportIdError::Empty));
        assert_eq!(
            ReportId::parse("a b"),
            Err(ReportIdError::BadCharacter { character: ' ' })
        );
        assert!(matches!(
            ReportId::parse(&"a".repeat(65)),
            Err(ReportIdError::TooLong { .. })
        ));
        assert_eq!(Note::parse("  "), Err(NoteError::Empty));
        assert_eq!(
            Note::parse("ЈМБГ 0101990710012"),
            Err(NoteError::LooksLikeJmbg)
        );
        assert!(Note::parse(&"ш".repeat(MAX_NOTE_CHARS)).is_ok());
        assert_eq!(
            Note::parse(&"ш".repeat(MAX_NOTE_CHARS + 1)),
            Err(NoteError::TooLong {
                length: MAX_NOTE_CHARS + 1,
                max: MAX_NOTE_CHARS
            })
        );
        assert!(serde_json::from_str::<Note>(&format!("\"{}\"", "a".repeat(300))).is_err());
    }

    proptest! {
        #[test]
        fn every_observation_survives_a_serde_round_trip(
            (catalogue, draft) in strategies::draft(),
            steps in 0usize..4,
        ) {
            let mut record = ObservationRecord::Draft(draft);
            if record.complete(&catalogue, UnixMillis(3_000_000_000_000)).is_ok() {
                for (step, to) in [Status::Queued, Status::Sent, Status::Forgotten].into_iter().take(steps).enumerate() {
                    prop_assert_eq!(record.advance(to, UnixMillis(3_000_000_000_001 + step as u64)), Ok(()));
                }
            }
            let json = serde_json::to_string(&record).unwrap();
            let back: ObservationRecord = serde_json::from_str(&json).unwrap();
            prop_assert_eq!(&back, &record);
            if let ObservationRecord::Finished(observation) = &record {
                let json = serde_json::to_string(observation).unwrap();
                prop_assert_eq!(&serde_json::from_str::<Observation>(&json).unwrap(), observation);
            }
        }

        #[test]
        fn a_completed_observation_rejects_edits(
            (catalogue, draft) in strategies::draft(),
            steps in 0usize..4,
            status in prop_oneof![Just(Status::Draft), Just(Status::Complete), Just(Status::Queued), Just(Status::Sent), Just(Status::Forgotten)],
        ) {
            prop_assume!(!draft.answers().is_empty());
            let mut record = ObservationRecord::Draft(draft);
            prop_assert_eq!(record.complete(&catalogue, UnixMillis(3_000_000_000_000)), Ok(()));
            for to in [Status::Queued, Status::Sent, Status::Forgotten].into_iter().take(steps) {
                prop_assert_eq!(record.advance(to, UnixMillis(3_000_000_000_001)), Ok(()));
            }
            let before = record.clone();
            let refused = record.draft_mut().err();
            prop_assert_eq!(refused.map(|error| error.status), Some(before.status()));
            let completed_again = record.complete(&catalogue, UnixMillis(1));
            prop_assert!(
                matches!(completed_again, Err(CompleteError::NotADraft { .. })),
                "{:?}",
                completed_again
            );
            // Any step other than the next one is refused and changes nothing.
            if before.status().next() != Some(status) {
                prop_assert!(record.advance(status, UnixMillis(1)).is_err());
            }
            prop_assert_eq!(&record, &before);
        }
    }
}
