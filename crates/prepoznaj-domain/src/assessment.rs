//! The deterministic assessment: which level of concern the answers reach, which marked
//! indicators led there, and whom to contact.
//!
//! The rules are data, versioned with the catalogue ([`AssessmentRules`]). Each rule counts
//! the indicators of one role (or of any role) answered *observed*, or *observed or not
//! sure*, and reaches its level when the count is at least its threshold. The highest level
//! reached wins; with no rule reached the level is [`Level::NothingMarked`].
//!
//! The table has a format. Format 1 (catalogue `2021-r1`) has only the count. Format 2 adds
//! two conditions on the same counted signs: that they come from at least so many areas, and
//! that at least so many of them are not hardship signs (signs that poverty, neglect, illness
//! or a family crisis explain as well). A format-1 table cannot use them, so it evaluates as
//! it always did. Every condition is "at least so many of the counted signs", and rules can
//! only count positive answers, so marking one more indicator observed never lowers the
//! level.
//!
//! This module must not word any advice (that is catalogue data) and must not read clocks,
//! storage or the network.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::catalogue::{
    Catalogue, CatalogueError, ContactId, Indicator, IndicatorId, LocalizedText, Role, check_text,
};
use crate::observation::{Answer, Answers};

/// How concerned the staff member should be, from least to most.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Level {
    /// Nothing observed and nothing unsure.
    NothingMarked,
    /// Keep observing, talk to the school psychologist or pedagogue, write facts down.
    KeepObserving,
    /// Tell the school's protection team or the principal today.
    InformToday,
    /// The child may be in immediate danger: call the police, 192, now.
    ImmediateDanger,
}

impl Level {
    /// Every level, from least to most concern.
    pub const ALL: [Level; 4] = [
        Level::NothingMarked,
        Level::KeepObserving,
        Level::InformToday,
        Level::ImmediateDanger,
    ];

    /// The level's id, as in the catalogue.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Level::NothingMarked => "nothing-marked",
            Level::KeepObserving => "keep-observing",
            Level::InformToday => "inform-today",
            Level::ImmediateDanger => "immediate-danger",
        }
    }
}

impl std::fmt::Display for Level {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(self.as_str())
    }
}

/// Which answers a rule counts. There is deliberately no way to count "not observed" or
/// "not sure" alone: either would let one more observed indicator lower the level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Counts {
    Observed,
    ObservedOrNotSure,
}

impl Counts {
    #[must_use]
    pub const fn includes(self, answer: Answer) -> bool {
        match self {
            Counts::Observed => matches!(answer, Answer::Observed),
            Counts::ObservedOrNotSure => matches!(answer, Answer::Observed | Answer::NotSure),
        }
    }
}

/// The rules format of the first catalogue: a rule is a count and nothing else.
pub const RULES_FORMAT_COUNT: u32 = 1;

/// The rules format that adds `areas_at_least` and `not_hardship_at_least`.
pub const RULES_FORMAT_AREAS_AND_HARDSHIP: u32 = 2;

/// One line of the rules table: "at least `at_least` indicators of `role` answered as
/// `counts` → `level`". No role means any role. From rules format 2, the counted indicators
/// can also be asked to come from at least `areas_at_least` areas and to hold at least
/// `not_hardship_at_least` that are not hardship signs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub level: Level,
    #[serde(default)]
    pub role: Option<Role>,
    pub counts: Counts,
    pub at_least: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub areas_at_least: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_hardship_at_least: Option<usize>,
}

impl Rule {
    /// Whether `answers` reach this rule (its level, if no higher rule applies).
    #[must_use]
    pub fn applies(&self, catalogue: &Catalogue, answers: &Answers) -> bool {
        self.reached(catalogue, &self.counted(catalogue, answers))
    }

    /// The indicators of `catalogue` this rule counts in `answers`, in checklist order.
    fn counted<'a>(&self, catalogue: &'a Catalogue, answers: &Answers) -> Vec<&'a Indicator> {
        catalogue
            .indicators()
            .filter(|indicator| self.role.is_none_or(|role| role == indicator.role()))
            .filter(|indicator| {
                answers
                    .answer(indicator.id())
                    .is_some_and(|answer| self.counts.includes(answer))
            })
            .collect()
    }

    /// Whether the counted indicators reach this rule's level.
    fn reached(&self, catalogue: &Catalogue, counted: &[&Indicator]) -> bool {
        if counted.len() < self.at_least {
            return false;
        }
        if let Some(areas_at_least) = self.areas_at_least {
            let areas: BTreeSet<_> = counted
                .iter()
                .filter_map(|indicator| catalogue.area_of(indicator.id()))
                .map(|area| area.id())
                .collect();
            if areas.len() < areas_at_least {
                return false;
            }
        }
        if let Some(not_hardship_at_least) = self.not_hardship_at_least {
            let not_hardship = counted
                .iter()
                .filter(|indicator| !indicator.hardship())
                .count();
            if not_hardship < not_hardship_at_least {
                return false;
            }
        }
        true
    }

    /// Checks the rule against the table's format.
    fn check(&self, format: u32) -> Result<(), CatalogueError> {
        let level = || self.level.to_string();
        if self.level == Level::NothingMarked {
            return Err(CatalogueError::RuleForNothingMarked);
        }
        if self.at_least == 0 {
            return Err(CatalogueError::RuleThreshold { level: level() });
        }
        for (field, value) in [
            ("areas_at_least", self.areas_at_least),
            ("not_hardship_at_least", self.not_hardship_at_least),
        ] {
            let Some(value) = value else { continue };
            if format < RULES_FORMAT_AREAS_AND_HARDSHIP {
                return Err(CatalogueError::RuleNeedsFormat {
                    level: level(),
                    field,
                });
            }
            if value == 0 || value > self.at_least {
                return Err(CatalogueError::RuleCondition {
                    level: level(),
                    field,
                });
            }
        }
        Ok(())
    }
}

/// What a level tells the staff member, whom to contact, in this order, and whom they may
/// also call for consultation (or when the first contacts cannot be reached).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LevelAdvice {
    level: Level,
    title: LocalizedText,
    advice: LocalizedText,
    contacts: Vec<ContactId>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    consult: Vec<ContactId>,
}

impl LevelAdvice {
    #[must_use]
    pub fn level(&self) -> Level {
        self.level
    }

    #[must_use]
    pub fn title(&self) -> &LocalizedText {
        &self.title
    }

    #[must_use]
    pub fn advice(&self) -> &LocalizedText {
        &self.advice
    }

    /// Contacts to offer, first one first (tap-to-call at the top of the screen).
    #[must_use]
    pub fn contacts(&self) -> &[ContactId] {
        &self.contacts
    }

    /// Contacts offered after those, for consultation and for when they cannot be reached
    /// (the school's procedure goes through its team and principal first).
    #[must_use]
    pub fn consult(&self) -> &[ContactId] {
        &self.consult
    }
}

/// The rules table as written in the catalogue file, before it is checked.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AssessmentRulesFile {
    #[serde(default = "first_format")]
    format: u32,
    levels: Vec<LevelAdvice>,
    rules: Vec<Rule>,
    guardrails: Vec<LocalizedText>,
}

/// A table without `format` is written in the first one.
const fn first_format() -> u32 {
    RULES_FORMAT_COUNT
}

/// The checked rules table: advice for every level, the rules, and the guardrails that are
/// always shown with the advice.
#[derive(Debug, Clone)]
pub struct AssessmentRules {
    format: u32,
    nothing_marked: LevelAdvice,
    keep_observing: LevelAdvice,
    inform_today: LevelAdvice,
    immediate_danger: LevelAdvice,
    rules: Vec<Rule>,
    guardrails: Vec<LocalizedText>,
}

impl AssessmentRules {
    pub(crate) fn check(
        file: AssessmentRulesFile,
        contacts: &BTreeSet<&str>,
    ) -> Result<AssessmentRules, CatalogueError> {
        if !(RULES_FORMAT_COUNT..=RULES_FORMAT_AREAS_AND_HARDSHIP).contains(&file.format) {
            return Err(CatalogueError::UnknownRulesFormat {
                format: file.format,
            });
        }
        let mut seen_levels = BTreeSet::new();
        for advice in &file.levels {
            if !seen_levels.insert(advice.level) {
                return Err(CatalogueError::DuplicateLevel {
                    level: advice.level.to_string(),
                });
            }
            let field = || format!("level `{}`", advice.level);
            check_text(&advice.title, || format!("{} title", field()))?;
            check_text(&advice.advice, || format!("{} advice", field()))?;
            if let Some(unknown) = advice
                .contacts
                .iter()
                .chain(&advice.consult)
                .find(|contact| !contacts.contains(contact.as_str()))
            {
                return Err(CatalogueError::UnknownContact {
                    level: advice.level.to_string(),
                    contact: unknown.to_string(),
                });
            }
        }
        for rule in &file.rules {
            rule.check(file.format)?;
        }
        let urgent_rule = file.rules.iter().any(|rule| {
            rule.level == Level::ImmediateDanger
                && rule.role.is_none_or(|role| role == Role::Urgent)
                && rule.at_least == 1
                && rule.areas_at_least.is_none_or(|areas| areas <= 1)
                && rule.not_hardship_at_least.is_none()
        });
        if !urgent_rule {
            return Err(CatalogueError::UrgentRuleMissing);
        }
        if file.guardrails.is_empty() {
            return Err(CatalogueError::NoGuardrails);
        }
        for (index, guardrail) in file.guardrails.iter().enumerate() {
            check_text(guardrail, || format!("guardrail {}", index + 1))?;
        }

        let mut levels = file.levels;
        let mut take = |level: Level| -> Result<LevelAdvice, CatalogueError> {
            let index = levels
                .iter()
                .position(|advice| advice.level == level)
                .ok_or_else(|| CatalogueError::MissingLevel {
                    level: level.to_string(),
                })?;
            Ok(levels.swap_remove(index))
        };
        Ok(AssessmentRules {
            format: file.format,
            nothing_marked: take(Level::NothingMarked)?,
            keep_observing: take(Level::KeepObserving)?,
            inform_today: take(Level::InformToday)?,
            immediate_danger: take(Level::ImmediateDanger)?,
            rules: file.rules,
            guardrails: file.guardrails,
        })
    }

    /// The advice for `level`.
    #[must_use]
    pub fn advice(&self, level: Level) -> &LevelAdvice {
        match level {
            Level::NothingMarked => &self.nothing_marked,
            Level::KeepObserving => &self.keep_observing,
            Level::InformToday => &self.inform_today,
            Level::ImmediateDanger => &self.immediate_danger,
        }
    }

    #[must_use]
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The format the table is written in ([`RULES_FORMAT_COUNT`] or
    /// [`RULES_FORMAT_AREAS_AND_HARDSHIP`]).
    #[must_use]
    pub fn format(&self) -> u32 {
        self.format
    }

    /// Shown with every assessment: do not question the child, do not confront adults, …
    #[must_use]
    pub fn guardrails(&self) -> &[LocalizedText] {
        &self.guardrails
    }

    /// Every text of the table with a label saying where it is.
    pub(crate) fn texts(&self) -> Vec<(String, &LocalizedText)> {
        let mut texts = Vec::new();
        for level in Level::ALL {
            let advice = self.advice(level);
            texts.push((format!("level `{level}` title"), &advice.title));
            texts.push((format!("level `{level}` advice"), &advice.advice));
        }
        for (index, guardrail) in self.guardrails.iter().enumerate() {
            texts.push((format!("guardrail {}", index + 1), guardrail));
        }
        texts
    }
}

/// The outcome for one set of answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assessment {
    pub level: Level,
    /// The marked indicators that led to `level`, in checklist order; empty for
    /// [`Level::NothingMarked`].
    pub triggered: Vec<IndicatorId>,
    /// Whom to contact, first one first.
    pub contacts: Vec<ContactId>,
    /// Whom to call for consultation, or when `contacts` cannot be reached; shown after them.
    pub consult: Vec<ContactId>,
    pub title: LocalizedText,
    pub advice: LocalizedText,
    /// Always shown with the advice.
    pub guardrails: Vec<LocalizedText>,
}

/// Assesses `answers` with the rules of `catalogue`, which must be the catalogue the answers
/// were given against; answers to indicators it does not have are ignored.
#[must_use]
pub fn assess(catalogue: &Catalogue, answers: &Answers) -> Assessment {
    let rules = catalogue.assessment();
    let mut level = Level::NothingMarked;
    let mut triggered: BTreeSet<&IndicatorId> = BTreeSet::new();
    for rule in rules.rules() {
        if rule.level < level {
            continue;
        }
        let counted = rule.counted(catalogue, answers);
        if !rule.reached(catalogue, &counted) {
            continue;
        }
        if rule.level > level {
            level = rule.level;
            triggered.clear();
        }
        triggered.extend(counted.into_iter().map(Indicator::id));
    }
    let advice = rules.advice(level);
    Assessment {
        level,
        triggered: catalogue
            .indicators()
            .map(|indicator| indicator.id())
            .filter(|id| triggered.contains(id))
            .cloned()
            .collect(),
        contacts: advice.contacts.clone(),
        consult: advice.consult.clone(),
        title: advice.title.clone(),
        advice: advice.advice.clone(),
        guardrails: rules.guardrails.clone(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests fail loudly on purpose")]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::catalogue::{CatalogueVersion, shipped_catalogue};
    use crate::observation::strategies;
    use crate::observation::{
        Context, Mode, ObservationDraft, ObserverRole, ReportId, Setting, UnixMillis,
    };

    /// Answers given against the shipped catalogue.
    fn answers(catalogue: &Catalogue, given: &[(&str, Answer)]) -> Answers {
        let mut draft = ObservationDraft::new(
            ReportId::parse("r1").unwrap(),
            catalogue.version().clone(),
            Mode::Full,
            Context {
                setting: Setting::Schoolyard,
                age_band: None,
                gender: None,
                observer_role: ObserverRole::MaintenanceSupport,
                reference: None,
            },
            UnixMillis(0),
        );
        for (indicator, answer) in given {
            draft
                .answer(
                    catalogue,
                    &IndicatorId::from(*indicator),
                    *answer,
                    UnixMillis(1),
                )
                .unwrap();
        }
        draft.answers().clone()
    }

    fn ids(texts: &[&str]) -> Vec<IndicatorId> {
        texts.iter().map(|text| IndicatorId::from(*text)).collect()
    }

    /// The first catalogue, frozen: reports made with it keep their meaning.
    fn first_catalogue() -> Catalogue {
        Catalogue::parse(include_str!(
            "../../../public/content/catalogue/2021-r1.json"
        ))
        .unwrap()
    }

    /// The assessment as it was written for rules format 1, before format 2 existed, kept
    /// here word for word as the oracle that format-1 tables still evaluate the same.
    fn assess_as_format_1(catalogue: &Catalogue, answers: &Answers) -> (Level, Vec<IndicatorId>) {
        let mut level = Level::NothingMarked;
        let mut triggered: BTreeSet<&IndicatorId> = BTreeSet::new();
        for rule in catalogue.assessment().rules() {
            if rule.level < level {
                continue;
            }
            let matching: Vec<&IndicatorId> = catalogue
                .indicators()
                .filter(|indicator| rule.role.is_none_or(|role| role == indicator.role()))
                .filter(|indicator| {
                    answers
                        .answer(indicator.id())
                        .is_some_and(|answer| rule.counts.includes(answer))
                })
                .map(|indicator| indicator.id())
                .collect();
            if matching.len() < rule.at_least {
                continue;
            }
            if rule.level > level {
                level = rule.level;
                triggered.clear();
            }
            triggered.extend(matching);
        }
        let triggered = catalogue
            .indicators()
            .map(|indicator| indicator.id())
            .filter(|id| triggered.contains(id))
            .cloned()
            .collect();
        (level, triggered)
    }

    #[test]
    fn nothing_answered_or_only_not_observed_is_nothing_marked() {
        let catalogue = shipped_catalogue();
        for given in [
            vec![],
            vec![
                ("behaviour.sudden-drop", Answer::NotObserved),
                ("communication.threatened", Answer::NotObserved),
            ],
        ] {
            let assessment = assess(&catalogue, &answers(&catalogue, &given));
            assert_eq!(assessment.level, Level::NothingMarked);
            assert!(assessment.triggered.is_empty());
            assert_eq!(
                assessment.contacts,
                vec![ContactId::from("school-psychologist")]
            );
        }
    }

    #[test]
    fn an_urgent_indicator_means_immediate_danger_with_the_police_first() {
        let catalogue = shipped_catalogue();
        let given = answers(
            &catalogue,
            &[
                ("behaviour.sudden-drop", Answer::Observed),
                ("communication.tells-about-exploitation", Answer::Observed),
                ("online.meeting-arranged", Answer::Observed),
                ("health.hurt-and-afraid", Answer::NotSure),
            ],
        );
        let assessment = assess(&catalogue, &given);
        assert_eq!(assessment.level, Level::ImmediateDanger);
        assert_eq!(assessment.triggered, ids(&["online.meeting-arranged"]));
        assert_eq!(
            assessment.contacts.first(),
            Some(&ContactId::from("police-192"))
        );
        assert!(assessment.advice.sr.contains("192") && assessment.advice.en.contains("192"));
    }

    #[test]
    fn a_strong_indicator_or_self_disclosure_means_inform_today() {
        let catalogue = shipped_catalogue();
        let given = answers(
            &catalogue,
            &[
                ("communication.tells-about-exploitation", Answer::Observed),
                ("behaviour.sudden-drop", Answer::Observed),
                ("environment.seen-begging", Answer::NotSure),
            ],
        );
        let assessment = assess(&catalogue, &given);
        assert_eq!(assessment.level, Level::InformToday);
        assert_eq!(
            assessment.triggered,
            ids(&["communication.tells-about-exploitation"])
        );
        assert_eq!(
            assessment.contacts.first(),
            Some(&ContactId::from("school-team"))
        );
    }

    #[test]
    fn supporting_indicators_add_up_only_beyond_hardship_and_across_areas() {
        let catalogue = shipped_catalogue();
        let two = [
            ("behaviour.sudden-drop", Answer::Observed),
            ("health.weight-loss", Answer::Observed),
        ];
        let assessment = assess(&catalogue, &answers(&catalogue, &two));
        assert_eq!(assessment.level, Level::KeepObserving);
        assert_eq!(
            assessment.triggered,
            ids(&["behaviour.sudden-drop", "health.weight-loss"])
        );
        // Three hardship signs from three areas: poverty or neglect explain them as well.
        let hardship = [
            two[0],
            two[1],
            ("environment.moves-often", Answer::Observed),
            ("online.hidden-accounts", Answer::NotSure),
        ];
        let assessment = assess(&catalogue, &answers(&catalogue, &hardship));
        assert_eq!(assessment.level, Level::KeepObserving);
        assert_eq!(
            assessment.contacts,
            vec![ContactId::from("school-psychologist")]
        );
        // One sign that hardship does not explain, and they add up.
        let mixed = [
            two[0],
            two[1],
            ("environment.moves-often", Answer::Observed),
            ("online.hidden-accounts", Answer::Observed),
        ];
        let assessment = assess(&catalogue, &answers(&catalogue, &mixed));
        assert_eq!(assessment.level, Level::InformToday);
        // In checklist order: every supporting sign that was counted.
        assert_eq!(
            assessment.triggered,
            ids(&[
                "behaviour.sudden-drop",
                "health.weight-loss",
                "environment.moves-often",
                "online.hidden-accounts"
            ])
        );
        // Three signs that are not hardship, but all from one area: keep observing.
        let one_area = [
            ("behaviour.sexualised", Answer::Observed),
            ("behaviour.aggressive", Answer::Observed),
            ("behaviour.avoids-help", Answer::Observed),
        ];
        let assessment = assess(&catalogue, &answers(&catalogue, &one_area));
        assert_eq!(assessment.level, Level::KeepObserving);
    }

    #[test]
    fn inform_today_offers_the_team_first_and_outside_numbers_for_consultation() {
        let catalogue = shipped_catalogue();
        let given = answers(&catalogue, &[("behaviour.runs-away", Answer::Observed)]);
        let assessment = assess(&catalogue, &given);
        assert_eq!(assessment.level, Level::InformToday);
        assert_eq!(assessment.contacts, vec![ContactId::from("school-team")]);
        assert_eq!(
            assessment.consult,
            vec![
                ContactId::from("social-care-centre"),
                ContactId::from("centre-trafficking-victims")
            ]
        );
        // The team assesses; it does not notify everyone as a matter of course.
        assert!(assessment.advice.en.contains("where needed, informs"));
        assert!(assessment.advice.sr.contains("где је потребно, обавештава"));
        assert!(
            assessment
                .advice
                .en
                .contains("Centre for Human Trafficking Victims' Protection")
        );
        assert!(!assessment.advice.en.contains("notify"));
    }

    #[test]
    fn the_first_catalogue_keeps_its_rules_format_and_its_meaning() {
        let catalogue = first_catalogue();
        assert_eq!(catalogue.version(), &CatalogueVersion::new("2021-r1"));
        assert_eq!(catalogue.assessment().format(), RULES_FORMAT_COUNT);
        assert!(
            catalogue
                .indicators()
                .all(|indicator| !indicator.hardship())
        );
        assert!(
            catalogue
                .assessment()
                .rules()
                .iter()
                .all(|rule| rule.areas_at_least.is_none() && rule.not_hardship_at_least.is_none())
        );
        // What it said then, it says now: three hardship signs were "inform today".
        let hardship = answers(
            &catalogue,
            &[
                ("behaviour.sudden-drop", Answer::Observed),
                ("health.weight-loss", Answer::Observed),
                ("environment.moves-often", Answer::Observed),
            ],
        );
        let assessment = assess(&catalogue, &hardship);
        assert_eq!(assessment.level, Level::InformToday);
        assert_eq!(
            assessment.contacts,
            vec![
                ContactId::from("school-team"),
                ContactId::from("social-care-centre"),
                ContactId::from("centre-trafficking-victims")
            ]
        );
        assert!(assessment.consult.is_empty());
    }

    /// The shipped catalogue's JSON, changed by `edit`, then parsed.
    fn parse_edited(
        edit: impl FnOnce(&mut serde_json::Value),
    ) -> Result<Catalogue, CatalogueError> {
        let mut value: serde_json::Value = serde_json::from_str(include_str!(
            "../../../public/content/catalogue/2026.1.json"
        ))
        .unwrap();
        edit(&mut value);
        Catalogue::parse(&value.to_string())
    }

    #[test]
    fn the_rules_format_says_which_conditions_a_rule_may_use() {
        use serde_json::json;
        let supporting = 3;
        assert_eq!(
            shipped_catalogue().assessment().rules()[supporting].areas_at_least,
            Some(2)
        );
        let as_format_1 = parse_edited(|value| value["assessment"]["format"] = json!(1));
        assert_eq!(
            as_format_1.err(),
            Some(CatalogueError::RuleNeedsFormat {
                level: "inform-today".into(),
                field: "areas_at_least"
            })
        );
        let newer = parse_edited(|value| value["assessment"]["format"] = json!(3));
        assert_eq!(
            newer.err(),
            Some(CatalogueError::UnknownRulesFormat { format: 3 })
        );
        let more_than_counted = parse_edited(|value| {
            value["assessment"]["rules"][supporting]["not_hardship_at_least"] = json!(4);
        });
        assert_eq!(
            more_than_counted.err(),
            Some(CatalogueError::RuleCondition {
                level: "inform-today".into(),
                field: "not_hardship_at_least"
            })
        );
        let zero = parse_edited(|value| {
            value["assessment"]["rules"][supporting]["areas_at_least"] = json!(0);
        });
        assert!(matches!(zero, Err(CatalogueError::RuleCondition { .. })));
        let unknown_consult = parse_edited(|value| {
            value["assessment"]["levels"][1]["consult"] = json!(["astra"]);
        });
        assert!(matches!(
            unknown_consult,
            Err(CatalogueError::UnknownContact { .. })
        ));
        let strong_hardship = parse_edited(|value| {
            value["areas"][0]["indicators"][5]["hardship"] = json!(true);
        });
        assert!(matches!(
            strong_hardship,
            Err(CatalogueError::HardshipNotSupporting { .. })
        ));
    }

    #[test]
    fn an_unsure_urgent_sign_and_a_strong_one_both_trigger_inform_today() {
        let catalogue = shipped_catalogue();
        let given = answers(
            &catalogue,
            &[
                ("environment.nowhere-safe-tonight", Answer::NotSure),
                ("relationships.older-partner", Answer::Observed),
                ("relationships.isolated", Answer::Observed),
            ],
        );
        let assessment = assess(&catalogue, &given);
        assert_eq!(assessment.level, Level::InformToday);
        assert_eq!(
            assessment.triggered,
            ids(&[
                "relationships.older-partner",
                "environment.nowhere-safe-tonight"
            ])
        );
    }

    #[test]
    fn not_sure_alone_means_keep_observing_and_guardrails_are_always_there() {
        let catalogue = shipped_catalogue();
        let given = answers(&catalogue, &[("appearance.work-marks", Answer::NotSure)]);
        let assessment = assess(&catalogue, &given);
        assert_eq!(assessment.level, Level::KeepObserving);
        assert_eq!(assessment.triggered, ids(&["appearance.work-marks"]));
        assert_eq!(assessment.guardrails, catalogue.assessment().guardrails());
        assert!(assessment.guardrails.len() >= 4);
    }

    proptest! {
        #[test]
        fn a_format_1_table_evaluates_exactly_as_before(
            (catalogue, draft) in strategies::draft_of(first_catalogue()),
        ) {
            let assessment = assess(&catalogue, draft.answers());
            let (level, triggered) = assess_as_format_1(&catalogue, draft.answers());
            prop_assert_eq!(assessment.level, level);
            prop_assert_eq!(assessment.triggered, triggered);
        }

        #[test]
        fn marking_one_more_indicator_observed_never_lowers_the_level(
            (catalogue, draft) in prop_oneof![strategies::draft(), strategies::draft_of(first_catalogue())],
            pick in any::<prop::sample::Index>(),
        ) {
            let before = assess(&catalogue, draft.answers());
            let indicator = pick.get(&catalogue.indicators().collect::<Vec<_>>()).id().clone();
            let mut more = draft.clone();
            more.answer(&catalogue, &indicator, Answer::Observed, UnixMillis(u64::MAX)).unwrap();
            let after = assess(&catalogue, more.answers());
            prop_assert!(after.level >= before.level, "{:?} -> {:?}", before.level, after.level);
        }

        #[test]
        fn the_triggered_indicators_are_marked_and_match_the_level(
            (catalogue, draft) in strategies::draft(),
        ) {
            let assessment = assess(&catalogue, draft.answers());
            prop_assert_eq!(assessment.triggered.is_empty(), assessment.level == Level::NothingMarked);
            for indicator in &assessment.triggered {
                let answer = draft.answers().answer(indicator);
                prop_assert!(matches!(answer, Some(Answer::Observed | Answer::NotSure)));
            }
            // Removing every triggered answer lowers the level: they are what led to it.
            if assessment.level != Level::NothingMarked {
                let mut fewer = draft.clone();
                for indicator in &assessment.triggered {
                    fewer.clear_answer(indicator, UnixMillis(0));
                }
                prop_assert!(assess(&catalogue, fewer.answers()).level < assessment.level);
            }
        }
    }
}
