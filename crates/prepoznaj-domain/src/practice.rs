//! Practice: short made-up cases to read and mark with the list of signs, feedback on what was
//! found, missed and marked without support, and a spaced schedule that brings a case back.
//!
//! A practice set (`public/content/practice/<version>.json`) is tied to one catalogue version:
//! each case names the signs of that catalogue it shows and the level the catalogue's own rules
//! give for them ([`PracticeSet::parse`] checks both, so a case can never teach a step the
//! checklist would not give). Practice never makes an observation: the learner's marks are an
//! [`Answers`] the app keeps in memory, and what is stored is an [`Attempt`].
//!
//! The schedule is a Leitner system: a case done wrong returns the next day; done right, it
//! moves one box on and returns after 3 days, a week, a month, then three months
//! ([`INTERVAL_DAYS`]). Days are local calendar days counted from 1 January 1970; a clock set
//! back never moves a recorded day or a due day backwards ([`Schedule::record`]).

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::assessment::{Level, Rule, assess};
use crate::catalogue::{
    AreaId, Catalogue, CatalogueVersion, IndicatorId, LocalizedText, QuickSignId, Role, TextError,
    string_id,
};
use crate::locale::Unreviewed;
use crate::observation::{
    Answer, Answers, Context, Mode, ObservationDraft, ObserverRole, ReportId, Setting, UnixMillis,
};

string_id!(
    /// A case's or a quick situation's id, unique within its practice set.
    CaseId
);

string_id!(
    /// Version of a practice set, such as `2026.1`.
    PracticeVersion
);

/// Days after which a case returns, by box: a case done wrong goes to the first box.
pub const INTERVAL_DAYS: [i64; 5] = [1, 3, 7, 30, 90];

/// How many quick situations one quick practice offers.
pub const QUICK_ROUND: usize = 5;

/// The youngest and oldest pupil a case may be about.
pub const AGES: std::ops::RangeInclusive<u8> = 7..=18;

/// What a case is about: a form of exploitation seen in Serbia, or a situation that is not
/// trafficking but is easily taken for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CaseKind {
    ForcedBegging,
    LabourExploitation,
    SexualExploitation,
    OnlineExploitation,
    ChildMarriage,
    ForcedCriminality,
    DomesticServitude,
    Poverty,
    Neglect,
    PeerViolence,
    FamilyConflict,
}

impl CaseKind {
    /// Every kind, the forms of exploitation first.
    pub const ALL: [CaseKind; 11] = [
        CaseKind::ForcedBegging,
        CaseKind::LabourExploitation,
        CaseKind::SexualExploitation,
        CaseKind::OnlineExploitation,
        CaseKind::ChildMarriage,
        CaseKind::ForcedCriminality,
        CaseKind::DomesticServitude,
        CaseKind::Poverty,
        CaseKind::Neglect,
        CaseKind::PeerViolence,
        CaseKind::FamilyConflict,
    ];

    /// Whether the case describes exploitation (as opposed to poverty, neglect, peer violence
    /// or a family conflict).
    #[must_use]
    pub const fn is_exploitation(self) -> bool {
        !matches!(
            self,
            CaseKind::Poverty
                | CaseKind::Neglect
                | CaseKind::PeerViolence
                | CaseKind::FamilyConflict
        )
    }

    /// The kind's id, as in the practice file.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            CaseKind::ForcedBegging => "forced-begging",
            CaseKind::LabourExploitation => "labour-exploitation",
            CaseKind::SexualExploitation => "sexual-exploitation",
            CaseKind::OnlineExploitation => "online-exploitation",
            CaseKind::ChildMarriage => "child-marriage",
            CaseKind::ForcedCriminality => "forced-criminality",
            CaseKind::DomesticServitude => "domestic-servitude",
            CaseKind::Poverty => "poverty",
            CaseKind::Neglect => "neglect",
            CaseKind::PeerViolence => "peer-violence",
            CaseKind::FamilyConflict => "family-conflict",
        }
    }
}

/// A sign a case names, with the one line that says why it is (or is not) there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseSign {
    pub indicator: IndicatorId,
    pub why: LocalizedText,
}

/// One case: a short text, the signs it shows, signs a reader may be tempted to mark that it
/// does not support, the level the rules give, and the lesson.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    id: CaseId,
    kind: CaseKind,
    age: u8,
    title: LocalizedText,
    text: LocalizedText,
    signs: Vec<CaseSign>,
    not_supported: Vec<CaseSign>,
    level: Level,
    lesson: LocalizedText,
}

impl Case {
    #[must_use]
    pub fn id(&self) -> &CaseId {
        &self.id
    }

    #[must_use]
    pub fn kind(&self) -> CaseKind {
        self.kind
    }

    #[must_use]
    pub fn age(&self) -> u8 {
        self.age
    }

    #[must_use]
    pub fn title(&self) -> &LocalizedText {
        &self.title
    }

    #[must_use]
    pub fn text(&self) -> &LocalizedText {
        &self.text
    }

    /// The signs the case shows, each with why.
    #[must_use]
    pub fn signs(&self) -> &[CaseSign] {
        &self.signs
    }

    /// Signs a reader may be tempted to mark that the case does not support, each with why.
    #[must_use]
    pub fn not_supported(&self) -> &[CaseSign] {
        &self.not_supported
    }

    /// The level the catalogue's rules give for the case's signs: the right next step.
    #[must_use]
    pub fn level(&self) -> Level {
        self.level
    }

    #[must_use]
    pub fn lesson(&self) -> &LocalizedText {
        &self.lesson
    }

    /// Why `indicator` is part of the case, if it is.
    #[must_use]
    pub fn why_present(&self, indicator: &IndicatorId) -> Option<&LocalizedText> {
        find_sign(&self.signs, indicator)
    }

    /// Why the case does not support `indicator`, if the case says so.
    #[must_use]
    pub fn why_not_supported(&self, indicator: &IndicatorId) -> Option<&LocalizedText> {
        find_sign(&self.not_supported, indicator)
    }

    /// The case's signs answered "observed", as a checklist would hold them.
    #[must_use]
    pub fn answers(&self, catalogue: &Catalogue) -> Answers {
        let mut draft = practice_draft(catalogue);
        for sign in &self.signs {
            // The set checked every sign against this catalogue when it was read.
            let _ = draft.answer(catalogue, &sign.indicator, Answer::Observed, UnixMillis(0));
        }
        draft.answers().clone()
    }

    /// The catalogue areas the case's signs belong to, in catalogue order.
    #[must_use]
    pub fn areas<'c>(&self, catalogue: &'c Catalogue) -> Vec<&'c AreaId> {
        catalogue
            .areas()
            .iter()
            .filter(|area| {
                area.indicators()
                    .iter()
                    .any(|indicator| find_sign(&self.signs, indicator.id()).is_some())
            })
            .map(|area| area.id())
            .collect()
    }
}

fn find_sign<'s>(signs: &'s [CaseSign], indicator: &IndicatorId) -> Option<&'s LocalizedText> {
    signs
        .iter()
        .find(|sign| &sign.indicator == indicator)
        .map(|sign| &sign.why)
}

/// A situation for quick practice: what a caretaker, cook or driver meets, and the quick-mode
/// signs it shows (none, for an ordinary situation).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuickCase {
    id: CaseId,
    text: LocalizedText,
    signs: Vec<QuickSignId>,
    why: LocalizedText,
}

impl QuickCase {
    #[must_use]
    pub fn id(&self) -> &CaseId {
        &self.id
    }

    #[must_use]
    pub fn text(&self) -> &LocalizedText {
        &self.text
    }

    /// The quick-mode signs the situation shows.
    #[must_use]
    pub fn signs(&self) -> &[QuickSignId] {
        &self.signs
    }

    #[must_use]
    pub fn why(&self) -> &LocalizedText {
        &self.why
    }

    /// Whether the situation shows a sign whose indicator is urgent: 192 comes first.
    #[must_use]
    pub fn urgent(&self, catalogue: &Catalogue) -> bool {
        self.signs
            .iter()
            .any(|sign| quick_sign_urgent(catalogue, sign))
    }
}

/// Whether quick sign `sign` of `catalogue` stands for an urgent indicator.
#[must_use]
pub fn quick_sign_urgent(catalogue: &Catalogue, sign: &QuickSignId) -> bool {
    catalogue.quick_sign(sign).is_some_and(|quick| {
        quick.indicators().iter().any(|id| {
            catalogue
                .indicator(id)
                .is_some_and(|indicator| indicator.role() == Role::Urgent)
        })
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PracticeFile {
    version: PracticeVersion,
    catalogue: CatalogueVersion,
    #[serde(default)]
    unreviewed: Unreviewed,
    cases: Vec<Case>,
    quick: Vec<QuickCase>,
}

/// A practice set, checked against the catalogue it was written for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PracticeSet {
    version: PracticeVersion,
    catalogue: CatalogueVersion,
    unreviewed: Unreviewed,
    cases: Vec<Case>,
    quick: Vec<QuickCase>,
}

/// Why a practice file cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PracticeError {
    #[error("the practice file is not valid: {0}")]
    Json(String),
    #[error("the practice set is written for catalogue {wanted}, not {given}")]
    Catalogue { wanted: String, given: String },
    #[error("the practice set has no cases")]
    NoCases,
    #[error("the id `{0}` is used twice")]
    DuplicateId(String),
    #[error("case `{case}` is about a pupil of {age}, outside 7–18")]
    Age { case: String, age: u8 },
    #[error("`{case}`: {field}: {error}")]
    Text {
        case: String,
        field: String,
        error: TextError,
    },
    #[error("`{case}` names `{indicator}`, which catalogue {catalogue} does not have")]
    UnknownIndicator {
        case: String,
        indicator: String,
        catalogue: String,
    },
    #[error("`{case}` names `{indicator}` twice")]
    RepeatedSign { case: String, indicator: String },
    #[error("`{case}` says it is `{stated}`, but the catalogue's rules give `{computed}`")]
    Level {
        case: String,
        stated: Level,
        computed: Level,
    },
    #[error("`{case}` describes exploitation but names no sign")]
    NoSigns { case: String },
    #[error("`{case}` names the quick sign `{sign}`, which the catalogue does not have")]
    UnknownQuickSign { case: String, sign: String },
}

impl PracticeSet {
    /// Reads a practice file and checks it whole against `catalogue`.
    ///
    /// # Errors
    /// The first problem found: the JSON, the catalogue version, an id, an age, a text, a sign
    /// the catalogue does not have, or a level the catalogue's rules do not give.
    pub fn parse(json: &str, catalogue: &Catalogue) -> Result<PracticeSet, PracticeError> {
        let file: PracticeFile =
            serde_json::from_str(json).map_err(|error| PracticeError::Json(error.to_string()))?;
        if &file.catalogue != catalogue.version() {
            return Err(PracticeError::Catalogue {
                wanted: file.catalogue.to_string(),
                given: catalogue.version().to_string(),
            });
        }
        if file.cases.is_empty() {
            return Err(PracticeError::NoCases);
        }
        let mut ids = BTreeSet::new();
        let all_ids = file
            .cases
            .iter()
            .map(Case::id)
            .chain(file.quick.iter().map(QuickCase::id));
        for id in all_ids {
            if !ids.insert(id) {
                return Err(PracticeError::DuplicateId(id.to_string()));
            }
        }
        for case in &file.cases {
            check_case(case, catalogue)?;
        }
        for quick in &file.quick {
            check_text(&quick.id, "text", &quick.text)?;
            check_text(&quick.id, "why", &quick.why)?;
            if let Some(sign) = quick
                .signs
                .iter()
                .find(|sign| catalogue.quick_sign(sign).is_none())
            {
                return Err(PracticeError::UnknownQuickSign {
                    case: quick.id.to_string(),
                    sign: sign.to_string(),
                });
            }
        }
        Ok(PracticeSet {
            version: file.version,
            catalogue: file.catalogue,
            unreviewed: file.unreviewed,
            cases: file.cases,
            quick: file.quick,
        })
    }

    #[must_use]
    pub fn version(&self) -> &PracticeVersion {
        &self.version
    }

    /// The catalogue version the cases are written for.
    #[must_use]
    pub fn catalogue(&self) -> &CatalogueVersion {
        &self.catalogue
    }

    /// The locales whose texts still await a native speaker's review.
    #[must_use]
    pub fn unreviewed(&self) -> &Unreviewed {
        &self.unreviewed
    }

    #[must_use]
    pub fn cases(&self) -> &[Case] {
        &self.cases
    }

    #[must_use]
    pub fn case(&self, id: &str) -> Option<&Case> {
        self.cases.iter().find(|case| case.id.as_str() == id)
    }

    #[must_use]
    pub fn quick(&self) -> &[QuickCase] {
        &self.quick
    }

    #[must_use]
    pub fn quick_case(&self, id: &CaseId) -> Option<&QuickCase> {
        self.quick.iter().find(|quick| &quick.id == id)
    }

    /// The cases to offer first: those due by the schedule (the longest-waiting first), then
    /// those never practised (in the file's order), then the others (least recently first).
    #[must_use]
    pub fn cases_in_order(&self, schedule: &Schedule, clock_day: i64) -> Vec<&Case> {
        let mut cases: Vec<&Case> = self.cases.iter().collect();
        cases.sort_by_key(|case| offer_key(schedule, case.id(), clock_day));
        cases
    }

    /// The situations of one quick practice, in the order of [`PracticeSet::cases_in_order`].
    #[must_use]
    pub fn quick_round(&self, schedule: &Schedule, clock_day: i64) -> Vec<&QuickCase> {
        let mut quick: Vec<&QuickCase> = self.quick.iter().collect();
        quick.sort_by_key(|situation| offer_key(schedule, situation.id(), clock_day));
        quick.truncate(QUICK_ROUND);
        quick
    }
}

/// Sorts due cases first (by due day), then new ones, then the rest by their last day.
fn offer_key(schedule: &Schedule, id: &CaseId, clock_day: i64) -> (u8, i64) {
    let today = schedule.today(clock_day);
    match schedule.state(id) {
        Some(state) if state.due <= today => (0, state.due),
        None => (1, 0),
        Some(state) => (2, state.last),
    }
}

fn check_text(case: &CaseId, field: &str, text: &LocalizedText) -> Result<(), PracticeError> {
    text.check().map_err(|error| PracticeError::Text {
        case: case.to_string(),
        field: field.to_owned(),
        error,
    })
}

fn check_case(case: &Case, catalogue: &Catalogue) -> Result<(), PracticeError> {
    let name = || case.id.to_string();
    if !AGES.contains(&case.age) {
        return Err(PracticeError::Age {
            case: name(),
            age: case.age,
        });
    }
    for (field, text) in [
        ("title", &case.title),
        ("text", &case.text),
        ("lesson", &case.lesson),
    ] {
        check_text(&case.id, field, text)?;
    }
    let mut seen = BTreeSet::new();
    for (list, signs) in [
        ("signs", &case.signs),
        ("not_supported", &case.not_supported),
    ] {
        for sign in signs {
            if !catalogue.contains(&sign.indicator) {
                return Err(PracticeError::UnknownIndicator {
                    case: name(),
                    indicator: sign.indicator.to_string(),
                    catalogue: catalogue.version().to_string(),
                });
            }
            if !seen.insert(&sign.indicator) {
                return Err(PracticeError::RepeatedSign {
                    case: name(),
                    indicator: sign.indicator.to_string(),
                });
            }
            check_text(
                &case.id,
                &format!("{list}[{}].why", sign.indicator),
                &sign.why,
            )?;
        }
    }
    if case.kind.is_exploitation() && case.signs.is_empty() {
        return Err(PracticeError::NoSigns { case: name() });
    }
    let computed = assess(catalogue, &case.answers(catalogue)).level;
    if computed != case.level {
        return Err(PracticeError::Level {
            case: name(),
            stated: case.level,
            computed,
        });
    }
    Ok(())
}

/// An empty draft the learner's marks go into: never stored, never completed, never sent.
#[must_use]
pub fn practice_draft(catalogue: &Catalogue) -> ObservationDraft {
    ObservationDraft::new(
        ReportId::parse("practice").unwrap_or_else(|_| ReportId::new_v7(UnixMillis(0), [0; 10])),
        catalogue.version().clone(),
        Mode::Full,
        Context {
            setting: Setting::Other,
            age_band: None,
            gender: None,
            observer_role: ObserverRole::Other,
            reference: None,
        },
        UnixMillis(0),
    )
}

/// What the learner did with a case, sign by sign, and the step they chose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feedback {
    /// Signs of the case the learner marked, in catalogue order.
    pub found: Vec<IndicatorId>,
    /// Signs of the case the learner did not mark.
    pub missed: Vec<IndicatorId>,
    /// Signs the learner marked that the case does not show.
    pub over_marked: Vec<IndicatorId>,
    /// The next step the learner chose, if any.
    pub chosen: Option<Level>,
    /// The right next step: the level the rules give for the case's signs.
    pub expected: Level,
}

impl Feedback {
    /// Whether the chosen step is the right one.
    #[must_use]
    pub fn step_right(&self) -> bool {
        self.chosen == Some(self.expected)
    }

    /// Whether the case was done right: every sign found, none marked without support, and
    /// the right step. Anything less brings the case back the next day.
    #[must_use]
    pub fn is_right(&self) -> bool {
        self.missed.is_empty() && self.over_marked.is_empty() && self.step_right()
    }
}

/// Scores the learner's `marks` (an answer "observed" or "not sure" counts as marked) and
/// `chosen` step against `case`; lists are in catalogue order.
#[must_use]
pub fn score(
    catalogue: &Catalogue,
    case: &Case,
    marks: &Answers,
    chosen: Option<Level>,
) -> Feedback {
    let marked =
        |id: &IndicatorId| matches!(marks.answer(id), Some(Answer::Observed | Answer::NotSure));
    let mut feedback = Feedback {
        found: Vec::new(),
        missed: Vec::new(),
        over_marked: Vec::new(),
        chosen,
        expected: case.level,
    };
    for indicator in catalogue.indicators() {
        let id = indicator.id();
        match (case.why_present(id).is_some(), marked(id)) {
            (true, true) => feedback.found.push(id.clone()),
            (true, false) => feedback.missed.push(id.clone()),
            (false, true) => feedback.over_marked.push(id.clone()),
            (false, false) => {}
        }
    }
    feedback
}

/// The rule of the catalogue that gives `case` its level: the first rule of that level the
/// case's signs reach. `None` when nothing is marked (no rule applies).
#[must_use]
pub fn deciding_rule<'c>(catalogue: &'c Catalogue, case: &Case) -> Option<&'c Rule> {
    let answers = case.answers(catalogue);
    catalogue
        .assessment()
        .rules()
        .iter()
        .filter(|rule| rule.level == case.level)
        .find(|rule| rule.applies(catalogue, &answers))
}

/// Scores quick practice: the quick signs chosen against the situation's.
#[must_use]
pub fn score_quick(situation: &QuickCase, chosen: &BTreeSet<QuickSignId>) -> QuickFeedback {
    let expected: BTreeSet<&QuickSignId> = situation.signs.iter().collect();
    QuickFeedback {
        found: situation
            .signs
            .iter()
            .filter(|sign| chosen.contains(*sign))
            .cloned()
            .collect(),
        missed: situation
            .signs
            .iter()
            .filter(|sign| !chosen.contains(*sign))
            .cloned()
            .collect(),
        over_marked: chosen
            .iter()
            .filter(|sign| !expected.contains(sign))
            .cloned()
            .collect(),
    }
}

/// What the learner did with one quick situation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuickFeedback {
    pub found: Vec<QuickSignId>,
    pub missed: Vec<QuickSignId>,
    pub over_marked: Vec<QuickSignId>,
}

impl QuickFeedback {
    #[must_use]
    pub fn is_right(&self) -> bool {
        self.missed.is_empty() && self.over_marked.is_empty()
    }
}

/// One practised case or quick situation, as the phone stores it (its own store; never an
/// observation). `id` orders attempts whatever the clock did: a sequence number, zero-padded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attempt {
    pub id: String,
    pub case: CaseId,
    /// The local day it was recorded on (see [`Schedule::record`]).
    pub day: i64,
    pub right: bool,
    /// A quick situation rather than a case.
    #[serde(default)]
    pub quick: bool,
    #[serde(default)]
    pub missed: Vec<IndicatorId>,
    #[serde(default)]
    pub over_marked: Vec<IndicatorId>,
}

impl Attempt {
    /// The id of the attempt after `attempts`: one more than the highest sequence number.
    #[must_use]
    pub fn next_id(attempts: &[Attempt]) -> String {
        let next = attempts
            .iter()
            .filter_map(|attempt| attempt.id.parse::<u64>().ok())
            .max()
            .map_or(1, |last| last.saturating_add(1));
        format!("{next:012}")
    }
}

/// Where one case stands in the schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaseState {
    /// Index into [`INTERVAL_DAYS`].
    pub box_index: usize,
    /// The day it was last practised.
    pub last: i64,
    /// The day it is due again.
    pub due: i64,
    pub attempts: u32,
    pub right: u32,
}

/// Every practised case's place in the Leitner boxes, and the latest day the schedule has
/// seen (a clock set back before it counts as that day).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Schedule {
    states: BTreeMap<CaseId, CaseState>,
    latest: Option<i64>,
}

impl Schedule {
    /// The schedule after `attempts`, in their order (by id).
    #[must_use]
    pub fn replay<'a>(attempts: impl IntoIterator<Item = &'a Attempt>) -> Schedule {
        let mut attempts: Vec<&Attempt> = attempts.into_iter().collect();
        attempts.sort_by(|a, b| a.id.cmp(&b.id));
        let mut schedule = Schedule::default();
        for attempt in attempts {
            schedule.record(&attempt.case, attempt.day, attempt.right);
        }
        schedule
    }

    /// The day the schedule counts as today: the clock's, unless the schedule has already
    /// seen a later one.
    #[must_use]
    pub fn today(&self, clock_day: i64) -> i64 {
        self.latest
            .map_or(clock_day, |latest| latest.max(clock_day))
    }

    /// Records that `case` was practised, right or not, on the clock's day (or the latest day
    /// seen, if the clock is behind it); returns the day recorded.
    pub fn record(&mut self, case: &CaseId, clock_day: i64, right: bool) -> i64 {
        let day = self.today(clock_day);
        self.latest = Some(day);
        let previous = self.states.get(case);
        let box_index = match (right, previous) {
            (false, _) => 0,
            (true, None) => 1,
            (true, Some(state)) => (state.box_index + 1).min(INTERVAL_DAYS.len() - 1),
        };
        let interval = INTERVAL_DAYS.get(box_index).copied().unwrap_or(1);
        let state = CaseState {
            box_index,
            last: day,
            due: day.saturating_add(interval),
            attempts: previous.map_or(0, |state| state.attempts).saturating_add(1),
            right: previous
                .map_or(0, |state| state.right)
                .saturating_add(u32::from(right)),
        };
        self.states.insert(case.clone(), state);
        day
    }

    #[must_use]
    pub fn state(&self, case: &CaseId) -> Option<&CaseState> {
        self.states.get(case)
    }

    /// The cases due on the clock's day, the longest-waiting first.
    #[must_use]
    pub fn due(&self, clock_day: i64) -> Vec<&CaseId> {
        let today = self.today(clock_day);
        let mut due: Vec<(&CaseId, i64)> = self
            .states
            .iter()
            .filter(|(_, state)| state.due <= today)
            .map(|(id, state)| (id, state.due))
            .collect();
        due.sort_by_key(|(_, day)| *day);
        due.into_iter().map(|(id, _)| id).collect()
    }

    /// Every practised case's due day, for the home screen's count ([`due_count`]).
    #[must_use]
    pub fn due_days(&self) -> Vec<i64> {
        let mut days: Vec<i64> = self.states.values().map(|state| state.due).collect();
        days.sort_unstable();
        days
    }
}

/// How many of `due_days` have come by `clock_day`: the home screen's "N cases to practise".
#[must_use]
pub fn due_count(due_days: &[i64], clock_day: i64) -> usize {
    due_days.iter().filter(|day| **day <= clock_day).count()
}

/// The local calendar day of `unix_millis`, for a time zone `offset_minutes` ahead of UTC
/// (JavaScript's `getTimezoneOffset` is the negative of it).
#[must_use]
pub fn local_day(unix_millis: i64, offset_minutes: i64) -> i64 {
    unix_millis
        .saturating_add(offset_minutes.saturating_mul(60_000))
        .div_euclid(86_400_000)
}

/// What this device's practice adds up to, for the progress page and the printable record.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Progress {
    /// Different cases done at least once.
    pub cases_done: usize,
    /// Different quick situations done at least once.
    pub quick_done: usize,
    /// Every attempt, cases and quick situations.
    pub attempts: usize,
    /// Attempts done right.
    pub right: usize,
    /// The first and the last day practised.
    pub first_day: Option<i64>,
    pub last_day: Option<i64>,
    /// For each area of the catalogue, how many different cases done showed a sign of it.
    pub by_area: Vec<(AreaId, usize)>,
    /// How many different cases done were not exploitation.
    pub not_exploitation_done: usize,
    /// The signs most often missed, the most first (at most five).
    pub most_missed: Vec<(IndicatorId, usize)>,
}

/// Adds up `attempts` of `set`'s cases (attempts of cases the set no longer has count in the
/// totals and dates only).
#[must_use]
pub fn progress(set: &PracticeSet, catalogue: &Catalogue, attempts: &[Attempt]) -> Progress {
    let cases: BTreeSet<&CaseId> = attempts
        .iter()
        .filter(|attempt| !attempt.quick)
        .map(|attempt| &attempt.case)
        .collect();
    let quick: BTreeSet<&CaseId> = attempts
        .iter()
        .filter(|attempt| attempt.quick)
        .map(|attempt| &attempt.case)
        .collect();
    let done: Vec<&Case> = set
        .cases()
        .iter()
        .filter(|case| cases.contains(case.id()))
        .collect();
    let by_area = catalogue
        .areas()
        .iter()
        .map(|area| {
            let count = done
                .iter()
                .filter(|case| case.areas(catalogue).contains(&area.id()))
                .count();
            (area.id().clone(), count)
        })
        .collect();
    let mut missed: BTreeMap<&IndicatorId, usize> = BTreeMap::new();
    for id in attempts.iter().flat_map(|attempt| &attempt.missed) {
        *missed.entry(id).or_default() += 1;
    }
    let mut most_missed: Vec<(IndicatorId, usize)> = catalogue
        .indicators()
        .filter_map(|indicator| {
            missed
                .get(indicator.id())
                .map(|count| (indicator.id().clone(), *count))
        })
        .collect();
    most_missed.sort_by_key(|(_, count)| std::cmp::Reverse(*count));
    most_missed.truncate(5);
    Progress {
        cases_done: cases.len(),
        quick_done: quick.len(),
        attempts: attempts.len(),
        right: attempts.iter().filter(|attempt| attempt.right).count(),
        first_day: attempts.iter().map(|attempt| attempt.day).min(),
        last_day: attempts.iter().map(|attempt| attempt.day).max(),
        by_area,
        not_exploitation_done: done
            .iter()
            .filter(|case| !case.kind().is_exploitation())
            .count(),
        most_missed,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests fail loudly on purpose")]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::catalogue::shipped_catalogue;

    fn shipped() -> (Catalogue, PracticeSet) {
        let catalogue = shipped_catalogue();
        let set = PracticeSet::parse(
            include_str!("../../../public/content/practice/2026.1.json"),
            &catalogue,
        )
        .unwrap();
        (catalogue, set)
    }

    fn marks(catalogue: &Catalogue, given: &[(&str, Answer)]) -> Answers {
        let mut draft = practice_draft(catalogue);
        for (id, answer) in given {
            draft
                .answer(catalogue, &IndicatorId::from(*id), *answer, UnixMillis(1))
                .unwrap();
        }
        draft.answers().clone()
    }

    fn case_with_signs(set: &PracticeSet, at_least: usize) -> &Case {
        set.cases()
            .iter()
            .find(|case| case.signs().len() >= at_least)
            .unwrap()
    }

    #[test]
    fn marking_every_sign_and_the_right_step_is_right() {
        let (catalogue, set) = shipped();
        for case in set.cases() {
            let feedback = score(
                &catalogue,
                case,
                &case.answers(&catalogue),
                Some(case.level()),
            );
            assert!(feedback.is_right(), "{}: {feedback:?}", case.id());
            assert_eq!(feedback.found.len(), case.signs().len());
        }
    }

    #[test]
    fn a_missed_sign_an_unsupported_mark_and_a_wrong_step_are_each_named() {
        let (catalogue, set) = shipped();
        let case = case_with_signs(&set, 2);
        let first = case.signs()[0].indicator.as_str();
        let second = case.signs()[1].indicator.as_str();
        let tempting = case.not_supported()[0].indicator.as_str();
        let given = marks(
            &catalogue,
            &[
                (first, Answer::Observed),
                (second, Answer::NotObserved),
                (tempting, Answer::NotSure),
            ],
        );
        let wrong_step = Level::ALL
            .into_iter()
            .find(|level| *level != case.level())
            .unwrap();
        let feedback = score(&catalogue, case, &given, Some(wrong_step));
        assert!(feedback.found.contains(&IndicatorId::from(first)));
        assert!(feedback.missed.contains(&IndicatorId::from(second)));
        assert_eq!(feedback.over_marked, vec![IndicatorId::from(tempting)]);
        assert!(!feedback.step_right());
        assert!(!feedback.is_right());
        assert!(
            case.why_not_supported(&IndicatorId::from(tempting))
                .is_some()
        );
    }

    #[test]
    fn no_step_chosen_is_not_right() {
        let (catalogue, set) = shipped();
        let case = &set.cases()[0];
        let feedback = score(&catalogue, case, &case.answers(&catalogue), None);
        assert!(!feedback.step_right());
        assert!(!feedback.is_right());
    }

    #[test]
    fn the_deciding_rule_is_of_the_cases_level() {
        let (catalogue, set) = shipped();
        for case in set.cases() {
            let rule = deciding_rule(&catalogue, case);
            match case.level() {
                Level::NothingMarked => assert!(rule.is_none(), "{}", case.id()),
                level => assert_eq!(rule.map(|rule| rule.level), Some(level), "{}", case.id()),
            }
        }
    }

    #[test]
    fn a_quick_situation_scores_found_missed_and_over_marked() {
        let (catalogue, set) = shipped();
        let situation = set.quick().iter().find(|q| !q.signs().is_empty()).unwrap();
        let other = catalogue
            .quick_signs()
            .iter()
            .map(|sign| sign.id().clone())
            .find(|id| !situation.signs().contains(id))
            .unwrap();
        let chosen: BTreeSet<QuickSignId> = [other.clone()].into();
        let feedback = score_quick(situation, &chosen);
        assert_eq!(feedback.missed, situation.signs());
        assert_eq!(feedback.over_marked, vec![other]);
        assert!(!feedback.is_right());
        let all: BTreeSet<QuickSignId> = situation.signs().iter().cloned().collect();
        assert!(score_quick(situation, &all).is_right());
    }

    #[test]
    fn a_wrong_level_or_an_unknown_sign_is_refused() {
        let catalogue = shipped_catalogue();
        let text = include_str!("../../../public/content/practice/2026.1.json");
        let mut value: serde_json::Value = serde_json::from_str(text).unwrap();
        let stated = value["cases"][0]["level"].as_str().unwrap().to_owned();
        value["cases"][0]["level"] = if stated == "nothing-marked" {
            "immediate-danger".into()
        } else {
            "nothing-marked".into()
        };
        assert!(matches!(
            PracticeSet::parse(&value.to_string(), &catalogue),
            Err(PracticeError::Level { .. })
        ));
        let mut value: serde_json::Value = serde_json::from_str(text).unwrap();
        value["cases"][0]["signs"][0]["indicator"] = "behaviour.no-such-sign".into();
        assert!(matches!(
            PracticeSet::parse(&value.to_string(), &catalogue),
            Err(PracticeError::UnknownIndicator { .. })
        ));
        let mut value: serde_json::Value = serde_json::from_str(text).unwrap();
        value["catalogue"] = "2021-r1".into();
        assert!(matches!(
            PracticeSet::parse(&value.to_string(), &catalogue),
            Err(PracticeError::Catalogue { .. })
        ));
    }

    #[test]
    fn a_missed_case_returns_the_next_day_and_right_ones_move_through_the_boxes() {
        let case = CaseId::from("a");
        let mut schedule = Schedule::default();
        schedule.record(&case, 100, false);
        assert_eq!(schedule.state(&case).unwrap().due, 101);
        assert!(schedule.due(100).is_empty());
        assert_eq!(schedule.due(101), vec![&case]);
        let mut day = 101;
        for interval in [3, 7, 30, 90, 90] {
            schedule.record(&case, day, true);
            assert_eq!(schedule.state(&case).unwrap().due, day + interval);
            day += interval;
        }
        schedule.record(&case, day, false);
        assert_eq!(schedule.state(&case).unwrap().due, day + 1);
        assert_eq!(schedule.state(&case).unwrap().attempts, 7);
        assert_eq!(schedule.state(&case).unwrap().right, 5);
    }

    #[test]
    fn a_new_case_done_right_returns_after_three_days() {
        let case = CaseId::from("a");
        let mut schedule = Schedule::default();
        schedule.record(&case, 10, true);
        assert_eq!(schedule.state(&case).unwrap().due, 13);
        assert_eq!(due_count(&schedule.due_days(), 12), 0);
        assert_eq!(due_count(&schedule.due_days(), 13), 1);
    }

    #[test]
    fn the_local_day_follows_the_time_zone() {
        // 2026-12-06 23:30 UTC is already 7 December in Belgrade (UTC+1).
        let millis = 20_793 * 86_400_000 + 23 * 3_600_000 + 30 * 60_000;
        assert_eq!(local_day(millis, 0), 20_793);
        assert_eq!(local_day(millis, 60), 20_794);
        assert_eq!(local_day(-1, 0), -1);
    }

    #[test]
    fn quick_rounds_offer_due_then_new_situations() {
        let (_, set) = shipped();
        let mut schedule = Schedule::default();
        let round = set.quick_round(&schedule, 50);
        assert_eq!(round.len(), QUICK_ROUND.min(set.quick().len()));
        let last = set.quick().last().unwrap().id().clone();
        schedule.record(&last, 49, false);
        assert_eq!(set.quick_round(&schedule, 50)[0].id(), &last);
    }

    #[test]
    fn progress_counts_cases_areas_and_most_missed_signs() {
        let (catalogue, set) = shipped();
        let case = case_with_signs(&set, 2);
        let missed = case.signs()[1].indicator.clone();
        let attempts = vec![
            Attempt {
                id: "000000000001".into(),
                case: case.id().clone(),
                day: 20,
                right: false,
                quick: false,
                missed: vec![missed.clone()],
                over_marked: Vec::new(),
            },
            Attempt {
                id: "000000000002".into(),
                case: case.id().clone(),
                day: 22,
                right: true,
                quick: false,
                missed: Vec::new(),
                over_marked: Vec::new(),
            },
        ];
        assert_eq!(Attempt::next_id(&attempts), "000000000003");
        let progress = progress(&set, &catalogue, &attempts);
        assert_eq!(progress.cases_done, 1);
        assert_eq!(progress.attempts, 2);
        assert_eq!(progress.right, 1);
        assert_eq!(
            (progress.first_day, progress.last_day),
            (Some(20), Some(22))
        );
        assert_eq!(progress.most_missed, vec![(missed, 1)]);
        let areas = case.areas(&catalogue);
        for (area, count) in &progress.by_area {
            assert_eq!(*count, usize::from(areas.contains(&area)), "{area}");
        }
    }

    fn steps() -> impl Strategy<Value = Vec<(i64, bool)>> {
        proptest::collection::vec((-40_i64..40, any::<bool>()), 1..40)
    }

    proptest! {
        /// From the same place in the schedule, a case done wrong is due sooner than the same
        /// case done right.
        #[test]
        fn a_missed_case_is_always_due_sooner_than_a_right_one(
            history in steps(),
            start in 0_i64..30_000,
            day in 0_i64..30_000,
        ) {
            let case = CaseId::from("a");
            let mut schedule = Schedule::default();
            let mut clock = start;
            for (jump, right) in &history {
                clock += jump;
                schedule.record(&case, clock, *right);
            }
            let mut missed = schedule.clone();
            let mut right = schedule;
            missed.record(&case, day, false);
            right.record(&case, day, true);
            prop_assert!(missed.state(&case).unwrap().due < right.state(&case).unwrap().due);
        }

        /// Whatever the clock does (set back included), recorded days never go backwards and
        /// each case is due after the day it was practised.
        #[test]
        fn days_never_go_backwards_with_a_clock_set_back(
            history in steps(),
            start in 0_i64..30_000,
        ) {
            let cases = [CaseId::from("a"), CaseId::from("b")];
            let mut schedule = Schedule::default();
            let mut clock = start;
            let mut last_recorded = i64::MIN;
            for (index, (jump, right)) in history.iter().enumerate() {
                clock += jump;
                let case = &cases[index % 2];
                let recorded = schedule.record(case, clock, *right);
                prop_assert!(recorded >= last_recorded);
                prop_assert!(recorded >= clock);
                let state = schedule.state(case).unwrap();
                prop_assert!(state.due > state.last);
                prop_assert_eq!(state.last, recorded);
                prop_assert!(schedule.today(clock) >= recorded);
                last_recorded = recorded;
            }
        }

        /// Replaying the stored attempts gives the schedule that recording them gave.
        #[test]
        fn replaying_attempts_gives_the_same_schedule(history in steps(), start in 0_i64..30_000) {
            let cases = [CaseId::from("a"), CaseId::from("b"), CaseId::from("c")];
            let mut schedule = Schedule::default();
            let mut attempts = Vec::new();
            let mut clock = start;
            for (index, (jump, right)) in history.iter().enumerate() {
                clock += jump;
                let case = cases[index % 3].clone();
                let day = schedule.record(&case, clock, *right);
                attempts.push(Attempt {
                    id: Attempt::next_id(&attempts),
                    case,
                    day,
                    right: *right,
                    quick: false,
                    missed: Vec::new(),
                    over_marked: Vec::new(),
                });
            }
            attempts.reverse();
            prop_assert_eq!(Schedule::replay(&attempts), schedule);
        }

        /// Marking one more sign never turns a missed sign into more missed signs, and every
        /// sign of the case is either found or missed.
        #[test]
        fn every_sign_is_found_or_missed(picks in proptest::collection::vec(any::<bool>(), 64)) {
            let (catalogue, set) = shipped();
            for case in set.cases() {
                let given: Vec<(&str, Answer)> = catalogue
                    .indicators()
                    .zip(&picks)
                    .filter(|(_, pick)| **pick)
                    .map(|(indicator, _)| (indicator.id().as_str(), Answer::Observed))
                    .collect();
                let feedback = score(&catalogue, case, &marks(&catalogue, &given), None);
                prop_assert_eq!(feedback.found.len() + feedback.missed.len(), case.signs().len());
                prop_assert_eq!(feedback.found.len() + feedback.over_marked.len(), given.len());
            }
        }
    }
}
