//! The app's three locales and the rules that keep their message catalogues complete.
//!
//! Serbian is written once, in Cyrillic ([`Locale::SrCyrl`]); Serbian Latin is derived
//! from it by [`crate::transliteration::to_latin`] and never written by hand. English is a
//! full translation. [`check_translation`] is run by the app's build script (a broken
//! catalogue fails the build) and by this crate's tests.

use std::collections::{BTreeMap, BTreeSet};

/// A language and script the app can be shown in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Locale {
    /// Serbian in Cyrillic script: the default and the source of all Serbian text.
    #[default]
    SrCyrl,
    /// Serbian in Latin script, derived from the Cyrillic source.
    SrLatn,
    /// English.
    En,
}

impl Locale {
    /// Every locale, in the order the language switch lists them.
    pub const ALL: [Locale; 3] = [Locale::SrCyrl, Locale::SrLatn, Locale::En];

    /// BCP 47 tag, used for `<html lang>` and for storing the choice.
    #[must_use]
    pub const fn tag(self) -> &'static str {
        match self {
            Locale::SrCyrl => "sr-Cyrl",
            Locale::SrLatn => "sr-Latn",
            Locale::En => "en",
        }
    }

    /// The locale's own name for itself, as a language switch shows it.
    #[must_use]
    pub const fn native_name(self) -> &'static str {
        match self {
            Locale::SrCyrl => "Српски (ћирилица)",
            Locale::SrLatn => "Srpski (latinica)",
            Locale::En => "English",
        }
    }

    /// A short name for a compact switch: the script for Serbian, the language otherwise.
    #[must_use]
    pub const fn short_name(self) -> &'static str {
        match self {
            Locale::SrCyrl => "Ћирилица",
            Locale::SrLatn => "Latinica",
            Locale::En => "English",
        }
    }

    /// Parses a tag written by [`Locale::tag`]; anything else is `None`.
    #[must_use]
    pub fn from_tag(tag: &str) -> Option<Locale> {
        Locale::ALL.into_iter().find(|locale| locale.tag() == tag)
    }

    /// Whether text in this locale is Serbian (and so derived from the Cyrillic source).
    #[must_use]
    pub const fn is_serbian(self) -> bool {
        matches!(self, Locale::SrCyrl | Locale::SrLatn)
    }
}

/// What is wrong with a message catalogue compared with its source.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogueError {
    /// A key of the source has no message in the translation.
    #[error("message `{key}` is missing in {locale}")]
    Missing { key: String, locale: String },
    /// The translation has a key the source does not.
    #[error("message `{key}` in {locale} is not in the Serbian source")]
    Unknown { key: String, locale: String },
    /// A message is empty or only white space.
    #[error("message `{key}` in {locale} is empty")]
    Empty { key: String, locale: String },
    /// A key is not `snake_case` ASCII.
    #[error("message key `{key}` is not snake_case")]
    BadKey { key: String },
    /// The `{placeholders}` of a translation differ from the source's.
    #[error("message `{key}` in {locale} has placeholders {found:?}, the source has {expected:?}")]
    Placeholders {
        key: String,
        locale: String,
        expected: Vec<String>,
        found: Vec<String>,
    },
}

/// Checks a translation against the Cyrillic source: same keys, no empty messages, the same
/// `{placeholders}` in each message, `snake_case` keys. Returns every problem found.
pub fn check_translation(
    source: &BTreeMap<String, String>,
    translation: &BTreeMap<String, String>,
    locale: &str,
) -> Vec<CatalogueError> {
    let mut problems = Vec::new();
    for (key, message) in source {
        if !is_snake_case(key) {
            problems.push(CatalogueError::BadKey { key: key.clone() });
        }
        if message.trim().is_empty() {
            problems.push(CatalogueError::Empty {
                key: key.clone(),
                locale: "sr-Cyrl".to_owned(),
            });
        }
        match translation.get(key) {
            None => problems.push(CatalogueError::Missing {
                key: key.clone(),
                locale: locale.to_owned(),
            }),
            Some(translated) if translated.trim().is_empty() => {
                problems.push(CatalogueError::Empty {
                    key: key.clone(),
                    locale: locale.to_owned(),
                });
            }
            Some(translated) => {
                let expected = placeholders(message);
                let found = placeholders(translated);
                if expected != found {
                    problems.push(CatalogueError::Placeholders {
                        key: key.clone(),
                        locale: locale.to_owned(),
                        expected: expected.into_iter().collect(),
                        found: found.into_iter().collect(),
                    });
                }
            }
        }
    }
    for key in translation.keys().filter(|key| !source.contains_key(*key)) {
        problems.push(CatalogueError::Unknown {
            key: key.clone(),
            locale: locale.to_owned(),
        });
    }
    problems
}

/// The `{name}` placeholders of a message.
#[must_use]
pub fn placeholders(message: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut rest = message;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        match after.find('}') {
            Some(end) => {
                found.insert(after[..end].to_owned());
                rest = &after[end + 1..];
            }
            None => break,
        }
    }
    found
}

/// Replaces each `{name}` in `message` with its value.
#[must_use]
pub fn fill(message: &str, values: &[(&str, &str)]) -> String {
    let mut filled = message.to_owned();
    for (name, value) in values {
        filled = filled.replace(&format!("{{{name}}}"), value);
    }
    filled
}

fn is_snake_case(key: &str) -> bool {
    !key.is_empty()
        && key.starts_with(|c: char| c.is_ascii_lowercase())
        && key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalogue(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(key, message)| ((*key).to_owned(), (*message).to_owned()))
            .collect()
    }

    fn load(json: &str) -> BTreeMap<String, String> {
        match serde_json::from_str(json) {
            Ok(map) => map,
            Err(error) => panic!("locale file does not parse: {error}"),
        }
    }

    #[test]
    fn the_shipped_catalogues_are_complete() {
        let source = load(include_str!("../../../locales/sr-Cyrl.json"));
        let english = load(include_str!("../../../locales/en.json"));
        assert!(
            source.len() > 20,
            "the Serbian source has {} messages",
            source.len()
        );
        assert_eq!(check_translation(&source, &english, "en"), vec![]);
        // Latin is derived, so it is complete by construction, and has no Cyrillic left.
        for (key, message) in &source {
            let latin = crate::transliteration::to_latin(message);
            assert!(!crate::transliteration::has_cyrillic(&latin), "{key}");
            assert_eq!(placeholders(&latin), placeholders(message), "{key}");
        }
    }

    #[test]
    fn a_missing_message_is_reported_with_its_key_and_locale() {
        let source = catalogue(&[("home_title", "Почетна"), ("nav_home", "Почетна")]);
        let english = catalogue(&[("home_title", "Home")]);
        assert_eq!(
            check_translation(&source, &english, "en"),
            vec![CatalogueError::Missing {
                key: "nav_home".into(),
                locale: "en".into()
            }]
        );
    }

    #[test]
    fn unknown_empty_and_bad_keys_are_reported() {
        let source = catalogue(&[("Home-Title", "Почетна"), ("nav_home", " ")]);
        let english = catalogue(&[("Home-Title", "Home"), ("nav_home", "Home"), ("extra", "x")]);
        let problems = check_translation(&source, &english, "en");
        assert!(problems.contains(&CatalogueError::BadKey {
            key: "Home-Title".into()
        }));
        assert!(problems.contains(&CatalogueError::Empty {
            key: "nav_home".into(),
            locale: "sr-Cyrl".into()
        }));
        assert!(problems.contains(&CatalogueError::Unknown {
            key: "extra".into(),
            locale: "en".into()
        }));
    }

    #[test]
    fn placeholders_must_match() {
        let source = catalogue(&[("progress", "{answered} од {total}")]);
        let english = catalogue(&[("progress", "{answered} of {all}")]);
        let problems = check_translation(&source, &english, "en");
        assert_eq!(problems.len(), 1);
        assert!(problems[0].to_string().contains("placeholders"));
    }

    #[test]
    fn fill_replaces_placeholders() {
        assert_eq!(
            fill("{used} од {quota}", &[("used", "1 MB"), ("quota", "2 GB")]),
            "1 MB од 2 GB"
        );
    }

    #[test]
    fn tags_round_trip() {
        for locale in Locale::ALL {
            assert_eq!(Locale::from_tag(locale.tag()), Some(locale));
        }
        assert_eq!(Locale::from_tag("fr"), None);
        assert_eq!(Locale::default(), Locale::SrCyrl);
    }
}
