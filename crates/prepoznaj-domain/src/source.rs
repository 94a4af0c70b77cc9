//! A public source that content cites: the guidance's sources and each national contact's.
//! Every source has an address to open (the original page, or an archived copy where the
//! original is gone), a title and a publisher in Serbian and in English (Serbian pages show
//! the Serbian title, English pages the English one), and a date: when it was published, as
//! precisely as the source says (`2021`, `2021-07` or `2021-07-30`), or, for an undated page,
//! the day it was read.
//!
//! A [`Source`] only exists checked: deserializing one checks it, so a content file with a
//! source that has no address or no date fails to parse (and `build.rs` fails the build).
//!
//! This module renders nothing and does no IO: it does not check that an address answers.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::catalogue::{LocalizedText, TextError};
use crate::date::{
    CalendarDate, CalendarDateError, ENGLISH_MONTHS, HUNGARIAN_MONTHS, SERBIAN_MONTHS,
};
use crate::locale::Locale;
use crate::transliteration::to_latin;

/// When a source was published, as precisely as it says: a year, a month or a day. Written
/// `2021`, `2021-07` or `2021-07-30` in files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum SourceDate {
    Year(u16),
    Month { year: u16, month: u8 },
    Day(CalendarDate),
}

impl SourceDate {
    /// Parses `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    ///
    /// # Errors
    /// When the text has none of those shapes, or names a month or day that does not exist.
    pub fn parse(text: &str) -> Result<SourceDate, SourceError> {
        let bad = || SourceError::BadDate {
            text: text.to_owned(),
        };
        let digits = |part: &str, length: usize| {
            part.len() == length && part.bytes().all(|byte| byte.is_ascii_digit())
        };
        match text.len() {
            4 if digits(text, 4) => text.parse().map(SourceDate::Year).map_err(|_| bad()),
            7 => {
                let (year, month) = text.split_once('-').ok_or_else(bad)?;
                if !digits(year, 4) || !digits(month, 2) {
                    return Err(bad());
                }
                let year = year.parse().map_err(|_| bad())?;
                let month: u8 = month.parse().map_err(|_| bad())?;
                if !(1..=12).contains(&month) {
                    return Err(bad());
                }
                Ok(SourceDate::Month { year, month })
            }
            10 => CalendarDate::parse(text)
                .map(SourceDate::Day)
                .map_err(|_: CalendarDateError| bad()),
            _ => Err(bad()),
        }
    }

    /// The date as a reader expects it in running text: `30. јул 2021.`, `јул 2021.`,
    /// `2021.`; `30 July 2021`, `July 2021`, `2021`.
    #[must_use]
    pub fn long(self, locale: Locale) -> String {
        let (year, month) = match self {
            SourceDate::Day(date) => return date.long(locale),
            SourceDate::Year(year) => (year, None),
            SourceDate::Month { year, month } => (year, Some(month)),
        };
        let month_name = |names: [&'static str; 12]| {
            month.and_then(|month| names.get(usize::from(month).saturating_sub(1)).copied())
        };
        match locale {
            Locale::SrCyrl | Locale::SrLatn => {
                let written = match month_name(SERBIAN_MONTHS) {
                    Some(name) => format!("{name} {year}."),
                    None => format!("{year}."),
                };
                if locale == Locale::SrLatn {
                    to_latin(&written)
                } else {
                    written
                }
            }
            Locale::En => match month_name(ENGLISH_MONTHS) {
                Some(name) => format!("{name} {year}"),
                None => year.to_string(),
            },
            Locale::Hu => match month_name(HUNGARIAN_MONTHS) {
                Some(name) => format!("{year}. {name}"),
                None => year.to_string(),
            },
        }
    }
}

impl fmt::Display for SourceDate {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SourceDate::Year(year) => write!(formatter, "{year:04}"),
            SourceDate::Month { year, month } => write!(formatter, "{year:04}-{month:02}"),
            SourceDate::Day(date) => write!(formatter, "{date}"),
        }
    }
}

impl TryFrom<String> for SourceDate {
    type Error = SourceError;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        SourceDate::parse(&text)
    }
}

impl From<SourceDate> for String {
    fn from(date: SourceDate) -> String {
        date.to_string()
    }
}

/// Why a source was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SourceError {
    #[error("source address `{url}` is not an http(s) address of a site")]
    BadUrl { url: String },
    #[error("source `{url}` has neither a publication date nor the date it was read")]
    NoDate { url: String },
    #[error("`{text}` is not a date written as yyyy, yyyy-mm or yyyy-mm-dd")]
    BadDate { text: String },
    #[error("source `{url}` {field}: {problem}")]
    Text {
        url: String,
        field: &'static str,
        problem: TextError,
    },
}

/// A checked source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "SourceFields", into = "SourceFields")]
pub struct Source(SourceFields);

/// A source as written, before it is checked. An undated page has no `published` (or
/// `null`) and needs `read`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SourceFields {
    url: String,
    title: LocalizedText,
    publisher: LocalizedText,
    #[serde(default)]
    published: Option<SourceDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    read: Option<CalendarDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    note: Option<LocalizedText>,
}

impl TryFrom<SourceFields> for Source {
    type Error = SourceError;

    fn try_from(fields: SourceFields) -> Result<Self, Self::Error> {
        let url = &fields.url;
        if !is_site_address(url) {
            return Err(SourceError::BadUrl { url: url.clone() });
        }
        if fields.published.is_none() && fields.read.is_none() {
            return Err(SourceError::NoDate { url: url.clone() });
        }
        let texts = [
            ("title", Some(&fields.title)),
            ("publisher", Some(&fields.publisher)),
            ("note", fields.note.as_ref()),
        ];
        for (field, text) in texts {
            if let Some(Err(problem)) = text.map(LocalizedText::check) {
                return Err(SourceError::Text {
                    url: url.clone(),
                    field,
                    problem,
                });
            }
        }
        Ok(Source(fields))
    }
}

impl From<Source> for SourceFields {
    fn from(source: Source) -> SourceFields {
        source.0
    }
}

impl Source {
    /// The address to open: `https://…` or `http://…`.
    #[must_use]
    pub fn url(&self) -> &str {
        &self.0.url
    }

    /// The title in Serbian and in English.
    #[must_use]
    pub fn title(&self) -> &LocalizedText {
        &self.0.title
    }

    /// Who published it.
    #[must_use]
    pub fn publisher(&self) -> &LocalizedText {
        &self.0.publisher
    }

    /// When it was published; `None` for an undated page, which then has [`Source::read`].
    #[must_use]
    pub fn published(&self) -> Option<SourceDate> {
        self.0.published
    }

    /// The day the page was read; always there when [`Source::published`] is not.
    #[must_use]
    pub fn read(&self) -> Option<CalendarDate> {
        self.0.read
    }

    /// What the content takes from it, or what is uncertain about it (such as a page
    /// address that was not recorded).
    #[must_use]
    pub fn note(&self) -> Option<&LocalizedText> {
        self.0.note.as_ref()
    }

    /// The source's translated texts with a label, for the content's wording checks.
    #[must_use]
    pub fn ui_texts(&self, label: &str) -> Vec<(String, &LocalizedText)> {
        let mut texts = vec![
            (format!("{label} title"), &self.0.title),
            (format!("{label} publisher"), &self.0.publisher),
        ];
        if let Some(note) = &self.0.note {
            texts.push((format!("{label} note"), note));
        }
        texts
    }
}

/// `http://` or `https://`, then a host with a dot, and no spaces, quotes or angle brackets.
fn is_site_address(url: &str) -> bool {
    let Some(rest) = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
    else {
        return false;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    host.contains('.')
        && !host.starts_with('.')
        && !host.ends_with('.')
        && !url
            .chars()
            .any(|c| c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>' | '`'))
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    fn source_json() -> Value {
        json!({
            "url": "https://astra.rs/en/types-of-support/",
            "title": { "sr": "Видови подршке", "en": "Types of support" },
            "publisher": { "sr": "АСТРА", "en": "ASTRA" },
            "published": null,
            "read": "2026-11-27"
        })
    }

    fn parse_edited(edit: impl FnOnce(&mut Value)) -> Result<Source, String> {
        let mut value = source_json();
        edit(&mut value);
        serde_json::from_value(value).map_err(|error| error.to_string())
    }

    /// Removes `fields` from the object `value`.
    fn remove(value: &mut Value, fields: &[&str]) {
        if let Some(object) = value.as_object_mut() {
            for field in fields {
                object.remove(*field);
            }
        }
    }

    /// Each of `values` in `field` is refused with a message that contains `why`.
    fn assert_each_refused(field: &str, values: &[&str], why: &str) {
        for bad in values {
            let refused = parse_edited(|value| value[field] = json!(bad));
            assert!(
                matches!(&refused, Err(message) if message.contains(why)),
                "{field} {bad}: {refused:?}"
            );
        }
    }

    fn parsed(edit: impl FnOnce(&mut Value)) -> Source {
        match parse_edited(edit) {
            Ok(source) => source,
            Err(error) => panic!("the test source does not parse: {error}"),
        }
    }

    #[test]
    fn a_source_has_an_address_titles_in_both_languages_and_a_date() {
        let source = parsed(|_| {});
        assert_eq!(source.url(), "https://astra.rs/en/types-of-support/");
        assert_eq!(source.title().get(Locale::SrCyrl), "Видови подршке");
        assert_eq!(source.title().get(Locale::SrLatn), "Vidovi podrške");
        assert_eq!(source.title().get(Locale::En), "Types of support");
        assert_eq!(source.publisher().get(Locale::En), "ASTRA");
        assert_eq!(source.published(), None);
        assert_eq!(
            source.read().map(|date| date.to_string()).as_deref(),
            Some("2026-11-27")
        );
        assert_eq!(source.ui_texts("source 1").len(), 2);
        let round_trip: Result<Source, _> =
            serde_json::to_value(&source).and_then(serde_json::from_value);
        assert_eq!(round_trip.ok(), Some(source));
    }

    #[test]
    fn a_source_without_an_address_is_refused() {
        let missing = parse_edited(|value| remove(value, &["url"]));
        assert!(matches!(missing, Err(message) if message.contains("url")));
        assert_each_refused(
            "url",
            &[
                "",
                " ",
                "astra.rs",
                "ftp://astra.rs/",
                "https://",
                "https://localhost/",
                "https://astra .rs/",
                "javascript:alert(1)",
            ],
            "is not an http(s) address",
        );
        assert!(
            parse_edited(
                |value| value["url"] = json!("http://www.centarzztlj.rs/index.php/8-info/4-o-nama")
            )
            .is_ok()
        );
    }

    #[test]
    fn a_source_without_a_date_is_refused() {
        let neither = parse_edited(|value| remove(value, &["read"]));
        assert!(
            matches!(&neither, Err(message) if message.contains("neither a publication date nor the date it was read")),
            "{neither:?}"
        );
        let unwritten = parse_edited(|value| remove(value, &["published", "read"]));
        assert!(
            matches!(unwritten, Err(message) if message.contains("neither a publication date"))
        );
        assert_each_refused(
            "published",
            &[
                "undated",
                "2021-7",
                "2021-13",
                "2021-02-30",
                "21",
                "30.07.2021.",
            ],
            "is not a date",
        );
        let dated = parsed(|value| {
            value["published"] = json!("2021-07");
            remove(value, &["read"]);
        });
        assert_eq!(
            dated.published(),
            Some(SourceDate::Month {
                year: 2021,
                month: 7
            })
        );
        assert_eq!(dated.read(), None);
    }

    #[test]
    fn a_source_needs_its_title_and_publisher_in_both_languages() {
        for (field, locale) in [("title", "sr"), ("title", "en"), ("publisher", "sr")] {
            let refused = parse_edited(|value| value[field][locale] = json!(""));
            assert!(
                matches!(&refused, Err(message) if message.contains(field) && message.contains(&format!("no {locale} text"))),
                "{field} {locale}: {refused:?}"
            );
        }
        let latin_title = parse_edited(|value| value["title"]["sr"] = json!("Vidovi podrške"));
        assert!(
            matches!(latin_title, Err(message) if message.contains("not in the expected script"))
        );
        let english_only = parse_edited(|value| remove(&mut value["title"], &["sr"]));
        assert!(english_only.is_err());
        let bad_note = parse_edited(|value| value["note"] = json!({ "sr": "Напомена.", "en": "" }));
        assert!(matches!(bad_note, Err(message) if message.contains("note")));
    }

    #[test]
    fn publication_dates_read_as_precisely_as_they_were_written() {
        let cases = [
            ("2021", "2021.", "2021.", "2021"),
            ("2021-07", "јул 2021.", "jul 2021.", "July 2021"),
            (
                "2021-07-30",
                "30. јул 2021.",
                "30. jul 2021.",
                "30 July 2021",
            ),
        ];
        for (text, cyrillic, latin, english) in cases {
            let date = match SourceDate::parse(text) {
                Ok(date) => date,
                Err(error) => panic!("{text}: {error}"),
            };
            assert_eq!(date.to_string(), text);
            assert_eq!(date.long(Locale::SrCyrl), cyrillic);
            assert_eq!(date.long(Locale::SrLatn), latin);
            assert_eq!(date.long(Locale::En), english);
        }
    }
}
