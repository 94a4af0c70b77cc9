//! The app's locales and the rules that keep their message catalogues complete.
//!
//! Serbian is written once, in Cyrillic ([`Locale::SrCyrl`]); Serbian Latin is derived
//! from it by [`crate::transliteration::to_latin`] and never written by hand. English and
//! Hungarian are full translations; a language of instruction added later is one more variant
//! here, its plural rule in [`crate::plural`], and its files in `locales/`. A message with a count has a form per plural category of its language
//! ([`Message::Plural`], [`crate::plural`]). [`check_translation`] is run by the app's build
//! script (a broken catalogue fails the build) and by this crate's tests.

use std::collections::{BTreeMap, BTreeSet};

use crate::plural::{PluralCategory, PluralRule};

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
    /// Hungarian (Magyar), for Serbian–Hungarian schools.
    Hu,
}

impl Locale {
    /// Every locale, in the order the language switch lists them.
    pub const ALL: [Locale; 4] = [Locale::SrCyrl, Locale::SrLatn, Locale::Hu, Locale::En];

    /// BCP 47 tag, used for `<html lang>` and for storing the choice.
    #[must_use]
    pub const fn tag(self) -> &'static str {
        match self {
            Locale::SrCyrl => "sr-Cyrl",
            Locale::SrLatn => "sr-Latn",
            Locale::En => "en",
            Locale::Hu => "hu",
        }
    }

    /// The locale's own name for itself, as a language switch shows it.
    #[must_use]
    pub const fn native_name(self) -> &'static str {
        match self {
            Locale::SrCyrl => "Српски (ћирилица)",
            Locale::SrLatn => "Srpski (latinica)",
            Locale::En => "English",
            Locale::Hu => "Magyar",
        }
    }

    /// A short name for a compact switch: the script for Serbian, the language otherwise.
    #[must_use]
    pub const fn short_name(self) -> &'static str {
        match self {
            Locale::SrCyrl => "Ћирилица",
            Locale::SrLatn => "Latinica",
            Locale::En => "English",
            Locale::Hu => "Magyar",
        }
    }

    /// Parses a tag written by [`Locale::tag`]; anything else is `None`.
    #[must_use]
    pub fn from_tag(tag: &str) -> Option<Locale> {
        Locale::ALL.into_iter().find(|locale| locale.tag() == tag)
    }

    /// The rule that picks a plural message's form in this locale's language.
    #[must_use]
    pub const fn plural_rule(self) -> PluralRule {
        match self {
            Locale::SrCyrl | Locale::SrLatn => PluralRule::Serbian,
            Locale::En => PluralRule::English,
            Locale::Hu => PluralRule::Hungarian,
        }
    }

    /// Whether text in this locale is Serbian (and so derived from the Cyrillic source).
    #[must_use]
    pub const fn is_serbian(self) -> bool {
        matches!(self, Locale::SrCyrl | Locale::SrLatn)
    }

    /// The locale a first visit starts in, from the browser's preferred languages in order
    /// (`navigator.languages`): the first that is Hungarian gives [`Locale::Hu`], Serbian in
    /// Latin script [`Locale::SrLatn`], other Serbian [`Locale::SrCyrl`]; a language the app
    /// does not have is passed over, and with none of these the app starts in Cyrillic (the
    /// default: English speakers choose English in the switch, like everyone else).
    #[must_use]
    pub fn from_browser_languages<'a>(languages: impl IntoIterator<Item = &'a str>) -> Locale {
        languages
            .into_iter()
            .find_map(|tag| {
                let mut subtags = tag.split(['-', '_']).map(str::to_ascii_lowercase);
                match subtags.next()?.as_str() {
                    "hu" => Some(Locale::Hu),
                    "sr" if subtags.any(|subtag| subtag == "latn") => Some(Locale::SrLatn),
                    "sr" => Some(Locale::SrCyrl),
                    _ => None,
                }
            })
            .unwrap_or_default()
    }
}

/// The locales whose texts in a content file still need review by a native speaker who works
/// in child protection (`"unreviewed": ["hu"]` at the top of the file); a translation is listed
/// here until such a person has read it and signed it off.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(try_from = "Vec<String>")]
pub struct Unreviewed(Vec<Locale>);

impl Unreviewed {
    /// Whether the texts in `locale` still need review.
    #[must_use]
    pub fn contains(&self, locale: Locale) -> bool {
        self.0.contains(&locale)
    }
}

impl TryFrom<Vec<String>> for Unreviewed {
    type Error = String;

    fn try_from(tags: Vec<String>) -> Result<Self, Self::Error> {
        tags.iter()
            .map(|tag| Locale::from_tag(tag).ok_or_else(|| format!("unknown locale `{tag}`")))
            .collect::<Result<Vec<_>, _>>()
            .map(Unreviewed)
    }
}

/// One message of a locale file: a text, or a text per plural category of the locale's
/// language (`{"one": …, "few": …, "other": …}`) for a message with a `{count}`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(untagged)]
pub enum Message {
    /// The same text whatever is filled in.
    Text(String),
    /// A form per plural category, keyed by its CLDR name (see [`crate::plural`]).
    Plural(BTreeMap<String, String>),
}

impl Message {
    /// Every text of the message: the one text, or each plural form.
    #[must_use]
    pub fn texts(&self) -> Vec<&str> {
        match self {
            Message::Text(text) => vec![text],
            Message::Plural(forms) => forms.values().map(String::as_str).collect(),
        }
    }

    /// The plural forms in the order of `rule`'s categories (what a generated
    /// [`crate::plural::PluralMessage`] holds); `None` for a text, or a form missing.
    #[must_use]
    pub fn plural_forms(&self, rule: PluralRule) -> Option<Vec<&str>> {
        match self {
            Message::Text(_) => None,
            Message::Plural(forms) => rule
                .categories()
                .iter()
                .map(|category| forms.get(category.name()).map(String::as_str))
                .collect(),
        }
    }

    /// The same message with every text mapped (Serbian Latin from Cyrillic).
    #[must_use]
    pub fn map(&self, convert: impl Fn(&str) -> String) -> Message {
        match self {
            Message::Text(text) => Message::Text(convert(text)),
            Message::Plural(forms) => Message::Plural(
                forms
                    .iter()
                    .map(|(category, form)| (category.clone(), convert(form)))
                    .collect(),
            ),
        }
    }
}

/// A locale file: message key → message.
pub type MessageCatalogue = BTreeMap<String, Message>;

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
    /// A message is plural in the source and a plain text in the translation, or the reverse.
    #[error("message `{key}` must be plural in every locale or in none; {locale} differs")]
    PluralOrNot { key: String, locale: String },
    /// A plural message does not have exactly its language's categories.
    #[error(
        "plural message `{key}` in {locale} has forms {found:?}, its language has {expected:?}"
    )]
    Categories {
        key: String,
        locale: String,
        expected: Vec<String>,
        found: Vec<String>,
    },
    /// A form of a plural message does not show the count.
    #[error("plural message `{key}` in {locale} has a form without {{count}}")]
    NoCount { key: String, locale: String },
}

/// Checks a translation against the Cyrillic source: same keys, no empty messages, the same
/// `{placeholders}` in each message and each plural form, `snake_case` keys; a plural message
/// is plural in both, with exactly its language's categories (see [`Locale::plural_rule`]),
/// each form with `{count}`. Returns every problem found.
pub fn check_translation(
    source: &MessageCatalogue,
    translation: &MessageCatalogue,
    locale: Locale,
) -> Vec<CatalogueError> {
    let mut problems = Vec::new();
    for (key, message) in source {
        if !is_snake_case(key) {
            problems.push(CatalogueError::BadKey { key: key.clone() });
        }
        let expected = message_placeholders(message);
        check_message(key, message, Locale::SrCyrl, &expected, &mut problems);
        match translation.get(key) {
            None => problems.push(CatalogueError::Missing {
                key: key.clone(),
                locale: locale.tag().to_owned(),
            }),
            Some(translated) => {
                if matches!(message, Message::Plural(_)) != matches!(translated, Message::Plural(_))
                {
                    problems.push(CatalogueError::PluralOrNot {
                        key: key.clone(),
                        locale: locale.tag().to_owned(),
                    });
                }
                check_message(key, translated, locale, &expected, &mut problems);
            }
        }
    }
    for key in translation.keys().filter(|key| !source.contains_key(*key)) {
        problems.push(CatalogueError::Unknown {
            key: key.clone(),
            locale: locale.tag().to_owned(),
        });
    }
    problems
}

/// One message in one locale: not empty, every text with `expected` placeholders, and for a
/// plural message the locale's categories, each form with `{count}`.
fn check_message(
    key: &str,
    message: &Message,
    locale: Locale,
    expected: &BTreeSet<String>,
    problems: &mut Vec<CatalogueError>,
) {
    let problem_key = || key.to_owned();
    let tag = || locale.tag().to_owned();
    if let Message::Plural(forms) = message {
        let categories: Vec<String> = locale
            .plural_rule()
            .categories()
            .iter()
            .map(|category| category.name().to_owned())
            .collect();
        let mut found: Vec<String> = forms.keys().cloned().collect();
        let mut wanted = categories.clone();
        found.sort();
        wanted.sort();
        if found != wanted {
            problems.push(CatalogueError::Categories {
                key: problem_key(),
                locale: tag(),
                expected: categories,
                found,
            });
        }
        if forms.values().any(|form| !form.contains("{count}")) {
            problems.push(CatalogueError::NoCount {
                key: problem_key(),
                locale: tag(),
            });
        }
    }
    let texts = message.texts();
    if texts.iter().any(|text| text.trim().is_empty()) {
        problems.push(CatalogueError::Empty {
            key: problem_key(),
            locale: tag(),
        });
    }
    for text in texts {
        let found = placeholders(text);
        if &found != expected {
            problems.push(CatalogueError::Placeholders {
                key: problem_key(),
                locale: tag(),
                expected: expected.iter().cloned().collect(),
                found: found.into_iter().collect(),
            });
            break;
        }
    }
}

/// The placeholders of a message: its text's, or its `other` form's.
fn message_placeholders(message: &Message) -> BTreeSet<String> {
    match message {
        Message::Text(text) => placeholders(text),
        Message::Plural(forms) => forms
            .get(PluralCategory::Other.name())
            .map(|form| placeholders(form))
            .unwrap_or_default(),
    }
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

    fn catalogue(pairs: &[(&str, &str)]) -> MessageCatalogue {
        pairs
            .iter()
            .map(|(key, message)| ((*key).to_owned(), Message::Text((*message).to_owned())))
            .collect()
    }

    fn plural(forms: &[(&str, &str)]) -> Message {
        Message::Plural(
            forms
                .iter()
                .map(|(category, form)| ((*category).to_owned(), (*form).to_owned()))
                .collect(),
        )
    }

    fn load(json: &str) -> MessageCatalogue {
        match serde_json::from_str(json) {
            Ok(map) => map,
            Err(error) => panic!("locale file does not parse: {error}"),
        }
    }

    /// Every shipped locale is complete in every section: English and Hungarian have every
    /// message of the Serbian source (a Hungarian message not yet written would fall back to
    /// Serbian in its table, which this test refuses to ship), and Serbian Latin is derived.
    #[test]
    fn the_shipped_catalogues_are_complete() {
        let sections = [
            (
                include_str!("../../../locales/sr-Cyrl.json"),
                include_str!("../../../locales/en.json"),
                include_str!("../../../locales/hu.json"),
            ),
            (
                include_str!("../../../locales/guidance/sr-Cyrl.json"),
                include_str!("../../../locales/guidance/en.json"),
                include_str!("../../../locales/guidance/hu.json"),
            ),
            (
                include_str!("../../../locales/contacts/sr-Cyrl.json"),
                include_str!("../../../locales/contacts/en.json"),
                include_str!("../../../locales/contacts/hu.json"),
            ),
            (
                include_str!("../../../locales/team/sr-Cyrl.json"),
                include_str!("../../../locales/team/en.json"),
                include_str!("../../../locales/team/hu.json"),
            ),
            (
                include_str!("../../../locales/inbox/sr-Cyrl.json"),
                include_str!("../../../locales/inbox/en.json"),
                include_str!("../../../locales/inbox/hu.json"),
            ),
            (
                include_str!("../../../locales/lock/sr-Cyrl.json"),
                include_str!("../../../locales/lock/en.json"),
                include_str!("../../../locales/lock/hu.json"),
            ),
            (
                include_str!("../../../locales/practice/sr-Cyrl.json"),
                include_str!("../../../locales/practice/en.json"),
                include_str!("../../../locales/practice/hu.json"),
            ),
        ];
        assert_eq!(sections.len(), crate::message_table::SECTIONS.len());
        for (serbian, english, hungarian) in sections {
            let source = load(serbian);
            assert!(
                source.len() > 10,
                "the Serbian source has {} messages",
                source.len()
            );
            assert_eq!(
                check_translation(&source, &load(english), Locale::En),
                vec![]
            );
            assert_eq!(
                check_translation(&source, &load(hungarian), Locale::Hu),
                vec![]
            );
            for text in load(hungarian).values().flat_map(Message::texts) {
                assert!(!crate::transliteration::has_cyrillic(text), "{text}");
            }
            // Latin is derived, so it is complete by construction, and has no Cyrillic left.
            for (key, message) in &source {
                let latin = message.map(crate::transliteration::to_latin);
                for (latin, cyrillic) in latin.texts().into_iter().zip(message.texts()) {
                    assert!(!crate::transliteration::has_cyrillic(latin), "{key}");
                    assert_eq!(placeholders(latin), placeholders(cyrillic), "{key}");
                }
            }
        }
    }

    #[test]
    fn a_first_visit_starts_in_the_browsers_language_if_the_app_has_it() {
        let start = |languages: &[&str]| Locale::from_browser_languages(languages.iter().copied());
        assert_eq!(start(&["hu-HU", "en-US"]), Locale::Hu);
        assert_eq!(start(&["hu"]), Locale::Hu);
        assert_eq!(start(&["sr-Latn-RS", "sr"]), Locale::SrLatn);
        assert_eq!(start(&["sr_latn"]), Locale::SrLatn);
        assert_eq!(start(&["sr-RS"]), Locale::SrCyrl);
        assert_eq!(start(&["sr-Cyrl"]), Locale::SrCyrl);
        // A language the app does not have is passed over; the first one it has wins.
        assert_eq!(start(&["de-AT", "hu"]), Locale::Hu);
        assert_eq!(start(&["sr", "hu"]), Locale::SrCyrl);
        // English and everything else start in Cyrillic, the default.
        assert_eq!(start(&["en-GB"]), Locale::SrCyrl);
        assert_eq!(start(&[]), Locale::SrCyrl);
        assert_eq!(Locale::Hu.native_name(), "Magyar");
        assert_eq!(Locale::from_tag("hu"), Some(Locale::Hu));
    }

    #[test]
    fn a_missing_message_is_reported_with_its_key_and_locale() {
        let source = catalogue(&[("home_title", "Почетна"), ("nav_home", "Почетна")]);
        let english = catalogue(&[("home_title", "Home")]);
        assert_eq!(
            check_translation(&source, &english, Locale::En),
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
        let problems = check_translation(&source, &english, Locale::En);
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
        let problems = check_translation(&source, &english, Locale::En);
        assert_eq!(problems.len(), 1);
        assert!(problems[0].to_string().contains("placeholders"));
    }

    fn minutes() -> Message {
        plural(&[
            ("one", "{count} минут"),
            ("few", "{count} минута"),
            ("other", "{count} минута"),
        ])
    }

    #[test]
    fn a_plural_message_has_exactly_its_languages_categories() {
        let source = MessageCatalogue::from([("minutes".to_owned(), minutes())]);
        let english = MessageCatalogue::from([(
            "minutes".to_owned(),
            plural(&[("one", "{count} minute"), ("other", "{count} minutes")]),
        )]);
        assert_eq!(check_translation(&source, &english, Locale::En), vec![]);

        // English has no "few"; Serbian cannot do without it.
        let with_few = MessageCatalogue::from([(
            "minutes".to_owned(),
            plural(&[
                ("one", "{count} minute"),
                ("few", "{count} minutes"),
                ("other", "{count} minutes"),
            ]),
        )]);
        assert!(matches!(
            check_translation(&source, &with_few, Locale::En).as_slice(),
            [CatalogueError::Categories { locale, .. }] if locale == "en"
        ));
        let no_few = MessageCatalogue::from([(
            "minutes".to_owned(),
            plural(&[("one", "{count} минут"), ("other", "{count} минута")]),
        )]);
        assert!(matches!(
            check_translation(&no_few, &english, Locale::En).as_slice(),
            [CatalogueError::Categories { locale, .. }] if locale == "sr-Cyrl"
        ));
    }

    #[test]
    fn a_plural_message_is_plural_everywhere_and_shows_its_count_in_every_form() {
        let source = MessageCatalogue::from([("minutes".to_owned(), minutes())]);
        let plain = catalogue(&[("minutes", "{count} minutes")]);
        assert_eq!(
            check_translation(&source, &plain, Locale::En),
            vec![CatalogueError::PluralOrNot {
                key: "minutes".into(),
                locale: "en".into()
            }]
        );
        let hidden_count = MessageCatalogue::from([(
            "minutes".to_owned(),
            plural(&[("one", "a minute"), ("other", "{count} minutes")]),
        )]);
        let problems = check_translation(&source, &hidden_count, Locale::En);
        assert!(problems.contains(&CatalogueError::NoCount {
            key: "minutes".into(),
            locale: "en".into()
        }));
        let other_placeholder = MessageCatalogue::from([(
            "minutes".to_owned(),
            plural(&[("one", "{count} minute"), ("other", "{count} {unit}")]),
        )]);
        assert!(
            check_translation(&source, &other_placeholder, Locale::En)
                .iter()
                .any(|problem| matches!(problem, CatalogueError::Placeholders { .. }))
        );
    }

    #[test]
    fn plural_forms_follow_the_rules_order() {
        assert_eq!(
            minutes().plural_forms(PluralRule::Serbian),
            Some(vec!["{count} минут", "{count} минута", "{count} минута"])
        );
        assert_eq!(
            minutes().plural_forms(PluralRule::English),
            Some(vec!["{count} минут", "{count} минута"])
        );
        assert_eq!(
            Message::Text("x".into()).plural_forms(PluralRule::English),
            None
        );
    }

    #[test]
    fn locale_files_parse_texts_and_plural_objects() {
        let parsed = load(
            r#"{"a": "текст", "b": {"one": "{count} знак", "few": "{count} знака", "other": "{count} знакова"}}"#,
        );
        assert_eq!(parsed["a"], Message::Text("текст".into()));
        assert!(matches!(&parsed["b"], Message::Plural(forms) if forms.len() == 3));
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
