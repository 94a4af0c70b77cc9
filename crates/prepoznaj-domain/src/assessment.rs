//! The deterministic assessment: which level of concern the answers reach, which marked
//! indicators led there, and whom to contact.
//!
//! The rules are data, versioned with the catalogue ([`AssessmentRules`]). Each rule counts
//! the indicators of one role (or of any role) answered *observed*, or *observed or not
//! sure*, and reaches its level when the count is at least its threshold. The highest level
//! reached wins; with no rule reached the level is [`Level::NothingMarked`]. Rules can only
//! count positive answers, so marking one more indicator observed never lowers the level.
//!
//! This module must not word any advice (that is catalogue data) and must not read clocks,
//! storage or the network.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::catalogue::{
    Catalogue, CatalogueError, ContactId, IndicatorId, LocalizedText, Role, check_text,
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

/// One line of the rules table: "at least `at_least` indicators of `role` answered as
/// `counts` → `level`". No role means any role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub level: Level,
    #[serde(default)]
    pub role: Option<Role>,
    pub counts: Counts,
    pub at_least: usize,
}

/// What a level tells the staff member, and whom to contact, in this order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LevelAdvice {
    level: Level,
    title: LocalizedText,
    advice: LocalizedText,
    contacts: Vec<ContactId>,
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
}

/// The rules table as written in the catalogue file, before it is checked.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AssessmentRulesFile {
    levels: Vec<LevelAdvice>,
    rules: Vec<Rule>,
    guardrails: Vec<LocalizedText>,
}

/// The checked rules table: advice for every level, the rules, and the guardrails that are
/// always shown with the advice.
#[derive(Debug, Clone)]
pub struct AssessmentRules {
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
                .find(|contact| !contacts.contains(contact.as_str()))
            {
                return Err(CatalogueError::UnknownContact {
                    level: advice.level.to_string(),
                    contact: unknown.to_string(),
                });
            }
        }
        for rule in &file.rules {
            if rule.level == Level::NothingMarked {
                return Err(CatalogueError::RuleForNothingMarked);
            }
            if rule.at_least == 0 {
                return Err(CatalogueError::RuleThreshold {
                    level: rule.level.to_string(),
                });
            }
        }
        let urgent_rule = file.rules.iter().any(|rule| {
            rule.level == Level::ImmediateDanger
                && rule.role.is_none_or(|role| role == Role::Urgent)
                && rule.at_least == 1
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
    use crate::catalogue::shipped_catalogue;
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
    fn supporting_indicators_add_up() {
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
        let three = [
            two[0],
            two[1],
            ("environment.moves-often", Answer::Observed),
            ("online.hidden-accounts", Answer::NotSure),
        ];
        let assessment = assess(&catalogue, &answers(&catalogue, &three));
        assert_eq!(assessment.level, Level::InformToday);
        // In checklist order, and without the unsure one, which did not count.
        assert_eq!(
            assessment.triggered,
            ids(&[
                "behaviour.sudden-drop",
                "health.weight-loss",
                "environment.moves-often"
            ])
        );
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
        fn marking_one_more_indicator_observed_never_lowers_the_level(
            (catalogue, draft) in strategies::draft(),
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
