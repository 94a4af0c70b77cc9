//! Plural forms: which CLDR plural category a count falls in, per language, and a message
//! that has one form per category.
//!
//! Serbian has three categories for whole numbers (one: 1, 21, 101; few: 2–4, 22–24; other:
//! 0, 5–20, 111–114, …), English and Hungarian two (one: 1; other). A message with a count is written in
//! `locales/` as an object of its language's categories (`{"one": …, "few": …, "other": …}`),
//! every form with a `{count}` placeholder; the app's build script checks it against
//! [`PluralRule::categories`] and generates a [`PluralMessage`]. A new language adds a
//! [`PluralRule`] variant and its locale's [`crate::locale::Locale::plural_rule`]; nothing
//! else changes. Only whole, non-negative counts are shown, so fractions have no rule here.

use crate::locale::fill;

/// A CLDR plural category (its name is the key of a form in `locales/`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PluralCategory {
    /// CLDR "zero".
    Zero,
    /// CLDR "one".
    One,
    /// CLDR "two".
    Two,
    /// CLDR "few".
    Few,
    /// CLDR "many".
    Many,
    /// CLDR "other": every language has it.
    Other,
}

impl PluralCategory {
    /// Every category, in CLDR's order.
    pub const ALL: [PluralCategory; 6] = [
        PluralCategory::Zero,
        PluralCategory::One,
        PluralCategory::Two,
        PluralCategory::Few,
        PluralCategory::Many,
        PluralCategory::Other,
    ];

    /// The category's CLDR name, as the key of a form in a locale file.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            PluralCategory::Zero => "zero",
            PluralCategory::One => "one",
            PluralCategory::Two => "two",
            PluralCategory::Few => "few",
            PluralCategory::Many => "many",
            PluralCategory::Other => "other",
        }
    }

    /// Parses a name written by [`PluralCategory::name`].
    #[must_use]
    pub fn from_name(name: &str) -> Option<PluralCategory> {
        PluralCategory::ALL
            .into_iter()
            .find(|category| category.name() == name)
    }
}

/// A language's rule from a count to its plural category (CLDR's cardinal rules, integers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PluralRule {
    /// Serbian (both scripts): one, few, other.
    Serbian,
    /// English: one, other.
    English,
    /// Hungarian: one, other (CLDR: one is n = 1). A Hungarian noun after a numeral stays
    /// singular, so the two forms are often the same words.
    Hungarian,
}

impl PluralRule {
    /// The categories a message in this language has a form for, in the order the generated
    /// [`PluralMessage`] holds them.
    #[must_use]
    pub const fn categories(self) -> &'static [PluralCategory] {
        match self {
            PluralRule::Serbian => &[
                PluralCategory::One,
                PluralCategory::Few,
                PluralCategory::Other,
            ],
            PluralRule::English | PluralRule::Hungarian => {
                &[PluralCategory::One, PluralCategory::Other]
            }
        }
    }

    /// The category of the count `n`.
    #[must_use]
    pub const fn category(self, n: u64) -> PluralCategory {
        match self {
            PluralRule::Serbian => {
                let last = n % 10;
                let last_two = n % 100;
                if last == 1 && last_two != 11 {
                    PluralCategory::One
                } else if matches!(last, 2..=4) && !matches!(last_two, 12..=14) {
                    PluralCategory::Few
                } else {
                    PluralCategory::Other
                }
            }
            PluralRule::English | PluralRule::Hungarian => {
                if n == 1 {
                    PluralCategory::One
                } else {
                    PluralCategory::Other
                }
            }
        }
    }
}

/// A message with a count: one form per category of its language, each with `{count}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PluralMessage {
    rule: PluralRule,
    /// In the order of `rule.categories()` (the build script writes them so).
    forms: &'static [&'static str],
}

impl PluralMessage {
    /// A message whose `forms` follow `rule.categories()`, one each.
    #[must_use]
    pub const fn new(rule: PluralRule, forms: &'static [&'static str]) -> Self {
        PluralMessage { rule, forms }
    }

    /// The language's rule.
    #[must_use]
    pub const fn rule(&self) -> PluralRule {
        self.rule
    }

    /// The forms, in the order of [`PluralRule::categories`] (the app derives Serbian Latin
    /// from the Cyrillic forms, form by form).
    #[must_use]
    pub const fn forms(&self) -> &'static [&'static str] {
        self.forms
    }

    /// The form for the count `n`, its `{count}` not yet filled (for a message with other
    /// placeholders too: fill them all with [`fill`]).
    #[must_use]
    pub fn form(&self, n: u64) -> &'static str {
        let category = self.rule.category(n);
        let position = self
            .rule
            .categories()
            .iter()
            .position(|candidate| *candidate == category);
        position
            .and_then(|position| self.forms.get(position))
            .or(self.forms.last())
            .copied()
            .unwrap_or_default()
    }

    /// The message for the count `n`, with `{count}` filled.
    #[must_use]
    pub fn format(&self, n: u64) -> String {
        fill(self.form(n), &[("count", &n.to_string())])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const COUNTS: [u64; 13] = [0, 1, 2, 4, 5, 11, 12, 14, 21, 22, 25, 101, 111];

    #[test]
    fn serbian_counts_fall_in_one_few_and_other() {
        use PluralCategory::{Few, One, Other};
        let expected = [
            Other, One, Few, Few, Other, Other, Other, Other, One, Few, Other, One, Other,
        ];
        for (n, category) in COUNTS.into_iter().zip(expected) {
            assert_eq!(PluralRule::Serbian.category(n), category, "{n}");
        }
        for n in [3, 23, 24, 32, 102, 104, 1_000_002] {
            assert_eq!(PluralRule::Serbian.category(n), Few, "{n}");
        }
        for n in [31, 41, 91, 121, 1001, 100_001] {
            assert_eq!(PluralRule::Serbian.category(n), One, "{n}");
        }
        for n in [
            6, 10, 13, 15, 20, 100, 111, 112, 113, 114, 211, 212, 1011, 1014,
        ] {
            assert_eq!(PluralRule::Serbian.category(n), Other, "{n}");
        }
    }

    #[test]
    fn english_has_one_only_for_one() {
        for n in COUNTS {
            let expected = if n == 1 {
                PluralCategory::One
            } else {
                PluralCategory::Other
            };
            assert_eq!(PluralRule::English.category(n), expected, "{n}");
        }
        assert_eq!(PluralRule::English.category(21), PluralCategory::Other);
    }

    #[test]
    fn every_rule_ends_with_other_and_gives_only_its_own_categories() {
        for rule in [PluralRule::Serbian, PluralRule::English] {
            assert_eq!(rule.categories().last(), Some(&PluralCategory::Other));
            for n in 0..1_000 {
                assert!(
                    rule.categories().contains(&rule.category(n)),
                    "{rule:?} {n}"
                );
            }
        }
    }

    #[test]
    fn a_message_picks_its_form_and_fills_the_count() {
        let minutes = PluralMessage::new(
            PluralRule::Serbian,
            &["{count} минут", "{count} минута", "{count} минута"],
        );
        assert_eq!(minutes.format(1), "1 минут");
        assert_eq!(minutes.format(21), "21 минут");
        assert_eq!(minutes.format(3), "3 минута");
        assert_eq!(minutes.format(11), "11 минута");
        let signs = PluralMessage::new(
            PluralRule::Serbian,
            &["{count} знак", "{count} знака", "{count} знакова"],
        );
        assert_eq!(signs.form(24), "{count} знака");
        assert_eq!(signs.format(25), "25 знакова");
        let english =
            PluralMessage::new(PluralRule::English, &["{count} minute", "{count} minutes"]);
        assert_eq!(english.format(1), "1 minute");
        assert_eq!(english.format(0), "0 minutes");
    }

    #[test]
    fn category_names_round_trip() {
        for category in PluralCategory::ALL {
            assert_eq!(PluralCategory::from_name(category.name()), Some(category));
        }
        assert_eq!(PluralCategory::from_name("several"), None);
    }
}
