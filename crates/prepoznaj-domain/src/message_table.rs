//! A locale's UI messages as the app loads them at run time: one small text file per locale
//! and bundle, so that no bundle carries message text in its wasm and a new language costs
//! the first load nothing.
//!
//! The app's messages are written in `locales/` in sections ([`SECTIONS`]: the shell's, and
//! each feature's own). The build writes, for every bundle and locale, the messages of the
//! bundle's sections (`bundles::Bundle::messages`) into one table ([`write_table`]); the app's
//! build script generates a typed struct per section from the Serbian source and the code that
//! reads a table back ([`TableReader`]), so a key missing in the code is a build error and a
//! table written for other keys is refused at run time ([`schema`]).
//!
//! Format: records separated by U+001E; the first three are the format's name, the locale's
//! tag and the schema; then, for each section, a record with its name and its messages in key
//! order. A plural message's forms (in its language's category order) are separated by
//! U+001F. Message texts never contain either separator (checked when written).
//!
//! A message a translation lacks is written from the Serbian source ([`write_table`]'s
//! `fallback`), never as an empty string; the locale tests refuse a shipped locale that
//! lacks one.
//!
//! Pure: no IO. The xtask writes the files, the app's build script writes the same tables for
//! the browser tests.

use crate::locale::{Locale, Message, MessageCatalogue};
use crate::plural::PluralRule;

/// The first record of every table.
pub const FORMAT: &str = "prepoznaj-messages-1";

/// Separates records (messages, section names, the header's fields).
pub const RECORD: char = '\u{1e}';

/// Separates the forms of a plural message inside its record.
pub const FORM: char = '\u{1f}';

/// One section of the UI messages: a directory of `locales/` with a file per locale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MessageSection {
    /// Its name, as bundles list it and a table names it.
    pub name: &'static str,
    /// Sub-directory of `locales/`, or `None` for `locales/` itself.
    pub directory: Option<&'static str>,
}

/// Every section, the shell's first.
pub const SECTIONS: [MessageSection; 7] = [
    MessageSection {
        name: "shell",
        directory: None,
    },
    MessageSection {
        name: "guidance",
        directory: Some("guidance"),
    },
    MessageSection {
        name: "contacts",
        directory: Some("contacts"),
    },
    MessageSection {
        name: "team",
        directory: Some("team"),
    },
    MessageSection {
        name: "inbox",
        directory: Some("inbox"),
    },
    MessageSection {
        name: "lock",
        directory: Some("lock"),
    },
    MessageSection {
        name: "practice",
        directory: Some("practice"),
    },
];

impl MessageSection {
    /// The path of its file in `locale`, relative to `locales/` (`hu.json`,
    /// `guidance/hu.json`).
    #[must_use]
    pub fn file(&self, locale: Locale) -> String {
        match self.directory {
            Some(directory) => format!("{directory}/{}.json", locale.tag()),
            None => format!("{}.json", locale.tag()),
        }
    }
}

/// A locale file's text as a message catalogue.
///
/// # Errors
/// Not a JSON object of messages (a text, or an object of plural forms).
pub fn parse_catalogue(text: &str) -> Result<MessageCatalogue, String> {
    serde_json::from_str(text).map_err(|error| {
        format!("not a JSON object of messages (a string, or an object of plural forms): {error}")
    })
}

/// The locales that have their own file in each section's directory (`<tag>.json`); Serbian
/// Latin is derived from the Cyrillic file.
pub const WRITTEN: [Locale; 3] = [Locale::SrCyrl, Locale::En, Locale::Hu];

/// What is wrong with a table the app was given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TableError {
    /// Not a message table of this format.
    #[error("not a message table of format {FORMAT}")]
    Format,
    /// A table of another locale than the one asked for.
    #[error("the table is for {found}, not {expected}")]
    Locale { expected: String, found: String },
    /// Written for other messages than this build's (another version of the app).
    #[error("the table was written for other messages (schema {found}, this build has {expected})")]
    Schema { expected: String, found: String },
    /// Ends before every message of a section is read.
    #[error("the table ends in the middle of section {section}")]
    Truncated { section: String },
    /// Names a section this build does not know.
    #[error("the table has an unknown section {section}")]
    UnknownSection { section: String },
    /// A plural message without its language's number of forms.
    #[error("a plural message has {found} forms, its language has {expected}")]
    Forms { expected: usize, found: usize },
}

/// An identifier of the messages' keys and kinds, section by section (FNV-1a, 64 bits): the
/// same for a build's code and its tables, different as soon as a key is added, removed or
/// changes between text and plural.
#[must_use]
pub fn schema<'a>(sections: impl IntoIterator<Item = (&'a str, &'a MessageCatalogue)>) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut add = |bytes: &[u8]| {
        for byte in bytes {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    };
    for (name, catalogue) in sections {
        add(name.as_bytes());
        add(&[0]);
        for (key, message) in catalogue {
            add(key.as_bytes());
            add(match message {
                Message::Text(_) => b"=",
                Message::Plural(_) => b"#",
            });
        }
    }
    format!("{hash:016x}")
}

/// A message that cannot be written into a table.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WriteError {
    /// A text contains one of the table's separators.
    #[error("message {key} contains a control character the table uses as a separator")]
    Separator { key: String },
    /// A plural message without a form its language needs.
    #[error("message {key} has no form for every plural category of {locale}")]
    Forms { key: String, locale: String },
}

/// The table of `locale` for the given sections, each `(name, source, translation)`: every
/// key of the (Cyrillic) source in order, its text taken from the translation, or from the
/// source if the translation lacks it. For a plural message taken from the source, each of
/// the locale's categories takes the source's form of that category, or its `other` form.
///
/// # Errors
/// A text with a separator in it, or a plural message missing a form.
pub fn write_table(
    locale: Locale,
    schema: &str,
    sections: &[(&str, &MessageCatalogue, &MessageCatalogue)],
) -> Result<String, WriteError> {
    let mut table = String::new();
    for field in [FORMAT, locale.tag(), schema] {
        table.push_str(field);
        table.push(RECORD);
    }
    let rule = locale.plural_rule();
    for (name, source, translation) in sections {
        table.push_str(name);
        for (key, source_message) in *source {
            table.push(RECORD);
            let message = translation
                .get(key)
                .filter(|translated| same_kind(translated, source_message))
                .unwrap_or(source_message);
            let texts = forms(message, rule).ok_or_else(|| WriteError::Forms {
                key: key.clone(),
                locale: locale.tag().to_owned(),
            })?;
            for (index, text) in texts.iter().enumerate() {
                if text.contains([RECORD, FORM]) {
                    return Err(WriteError::Separator { key: key.clone() });
                }
                if index > 0 {
                    table.push(FORM);
                }
                table.push_str(text);
            }
        }
        table.push(RECORD);
    }
    Ok(table)
}

/// Every section's Serbian source, read with `read(section, locale)` (the parsed
/// `locales/[<dir>/]<tag>.json`, `None` if there is no such file).
///
/// # Errors
/// What `read` returns, or a section without its Serbian source.
pub fn sources<E: From<String>>(
    read: &impl Fn(&MessageSection, Locale) -> Result<Option<MessageCatalogue>, E>,
) -> Result<Vec<(MessageSection, MessageCatalogue)>, E> {
    SECTIONS
        .iter()
        .map(|section| {
            read(section, Locale::SrCyrl)?
                .map(|source| (*section, source))
                .ok_or_else(|| E::from(format!("section {} has no sr-Cyrl.json", section.name)))
        })
        .collect()
}

/// The [`schema`] of every section's source.
#[must_use]
pub fn sources_schema(sources: &[(MessageSection, MessageCatalogue)]) -> String {
    schema(
        sources
            .iter()
            .map(|(section, source)| (section.name, source)),
    )
}

/// The message table of a bundle (its `sections`) in `locale`: Serbian Latin derived from
/// the Cyrillic source, every other locale read with `read` (a missing file or message falls
/// back to Serbian, see [`write_table`]).
///
/// # Errors
/// What `read` returns, a section `sources` lacks, or what [`write_table`] refuses.
pub fn bundle_table<E: From<String>>(
    locale: Locale,
    sections: &[&str],
    sources: &[(MessageSection, MessageCatalogue)],
    read: &impl Fn(&MessageSection, Locale) -> Result<Option<MessageCatalogue>, E>,
) -> Result<String, E> {
    let schema = sources_schema(sources);
    let mut translations = Vec::new();
    for name in sections {
        let (section, source) = sources
            .iter()
            .find(|(section, _)| section.name == *name)
            .ok_or_else(|| E::from(format!("no message section {name}")))?;
        let translation = match locale {
            Locale::SrCyrl => source.clone(),
            Locale::SrLatn => source
                .iter()
                .map(|(key, message)| (key.clone(), message.map(crate::transliteration::to_latin)))
                .collect(),
            Locale::En | Locale::Hu => read(section, locale)?.unwrap_or_default(),
        };
        translations.push((section.name, source, translation));
    }
    let borrowed: Vec<(&str, &MessageCatalogue, &MessageCatalogue)> = translations
        .iter()
        .map(|(name, source, translation)| (*name, *source, translation))
        .collect();
    write_table(locale, &schema, &borrowed).map_err(|error| E::from(error.to_string()))
}

fn same_kind(one: &Message, other: &Message) -> bool {
    matches!(one, Message::Plural(_)) == matches!(other, Message::Plural(_))
}

/// A message's texts as a table holds them: the text, or a form per category of `rule`
/// (the `other` form where the message has none for a category).
fn forms(message: &Message, rule: PluralRule) -> Option<Vec<&str>> {
    match message {
        Message::Text(text) => Some(vec![text.as_str()]),
        Message::Plural(forms) => rule
            .categories()
            .iter()
            .map(|category| {
                forms
                    .get(category.name())
                    .or_else(|| forms.get("other"))
                    .map(String::as_str)
            })
            .collect(),
    }
}

/// Reads a table back, record by record (the generated code calls it field by field).
#[derive(Debug)]
pub struct TableReader<'a> {
    records: std::str::Split<'a, char>,
    rule: PluralRule,
    section: &'a str,
}

impl<'a> TableReader<'a> {
    /// Opens `table` as `locale`'s, written for `schema`.
    ///
    /// # Errors
    /// Not a table, another locale's, or another schema's.
    pub fn open(table: &'a str, locale: Locale, schema: &str) -> Result<Self, TableError> {
        let mut records = table.split(RECORD);
        if records.next() != Some(FORMAT) {
            return Err(TableError::Format);
        }
        let tag = records.next().unwrap_or_default();
        if tag != locale.tag() {
            return Err(TableError::Locale {
                expected: locale.tag().to_owned(),
                found: tag.to_owned(),
            });
        }
        let found = records.next().unwrap_or_default();
        if found != schema {
            return Err(TableError::Schema {
                expected: schema.to_owned(),
                found: found.to_owned(),
            });
        }
        Ok(Self {
            records,
            rule: locale.plural_rule(),
            section: "",
        })
    }

    /// The name of the next section, or `None` at the end of the table.
    pub fn next_section(&mut self) -> Option<&'a str> {
        let name = self.records.next().filter(|name| !name.is_empty())?;
        self.section = name;
        Some(name)
    }

    /// The next message, a text.
    ///
    /// # Errors
    /// The table ends before it.
    pub fn text(&mut self) -> Result<&'a str, TableError> {
        self.records.next().ok_or_else(|| TableError::Truncated {
            section: self.section.to_owned(),
        })
    }

    /// The next message, the forms of a plural message in its language's category order.
    ///
    /// # Errors
    /// The table ends before it, or it has not its language's number of forms.
    pub fn plural(&mut self) -> Result<(PluralRule, Vec<&'a str>), TableError> {
        let forms: Vec<&'a str> = self.text()?.split(FORM).collect();
        let expected = self.rule.categories().len();
        if forms.len() != expected {
            return Err(TableError::Forms {
                expected,
                found: forms.len(),
            });
        }
        Ok((self.rule, forms))
    }

    /// An error for a section name this build does not know.
    #[must_use]
    pub fn unknown_section(&self) -> TableError {
        TableError::UnknownSection {
            section: self.section.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalogue(json: &str) -> MessageCatalogue {
        match serde_json::from_str(json) {
            Ok(catalogue) => catalogue,
            Err(error) => panic!("test catalogue: {error}"),
        }
    }

    fn serbian() -> MessageCatalogue {
        catalogue(
            r#"{"a_title": "Наслов", "b_count": {"one": "{count} знак", "few": "{count} знака", "other": "{count} знакова"}, "c_button": "Сачувајте"}"#,
        )
    }

    #[test]
    fn a_table_reads_back_every_message_in_key_order() {
        let source = serbian();
        let hungarian = catalogue(
            r#"{"a_title": "Cím", "b_count": {"one": "{count} jel", "other": "{count} jel"}, "c_button": "Mentse"}"#,
        );
        let schema = schema([("shell", &source)]);
        let table =
            write_table(Locale::Hu, &schema, &[("shell", &source, &hungarian)]).unwrap_or_default();
        let mut reader = TableReader::open(&table, Locale::Hu, &schema).map_err(|e| e.to_string());
        let Ok(reader) = reader.as_mut() else {
            panic!("{reader:?}");
        };
        assert_eq!(reader.next_section(), Some("shell"));
        assert_eq!(reader.text(), Ok("Cím"));
        assert_eq!(
            reader.plural(),
            Ok((PluralRule::Hungarian, vec!["{count} jel", "{count} jel"]))
        );
        assert_eq!(reader.text(), Ok("Mentse"));
        assert_eq!(reader.next_section(), None);
    }

    #[test]
    fn a_missing_message_falls_back_to_serbian_never_to_an_empty_text() {
        let source = serbian();
        let partial = catalogue(r#"{"a_title": "Cím", "b_count": "not plural"}"#);
        let schema = schema([("shell", &source)]);
        let table =
            write_table(Locale::Hu, &schema, &[("shell", &source, &partial)]).unwrap_or_default();
        let Ok(mut reader) = TableReader::open(&table, Locale::Hu, &schema) else {
            panic!("the table opens");
        };
        reader.next_section();
        assert_eq!(reader.text(), Ok("Cím"));
        // Hungarian has one and other: the Serbian one and other forms.
        assert_eq!(
            reader.plural().map(|(_, forms)| forms),
            Ok(vec!["{count} знак", "{count} знакова"])
        );
        assert_eq!(reader.text(), Ok("Сачувајте"));
    }

    #[test]
    fn a_table_of_another_locale_or_other_messages_is_refused() {
        let source = serbian();
        let schema = schema([("shell", &source)]);
        let table = write_table(Locale::SrCyrl, &schema, &[("shell", &source, &source)])
            .unwrap_or_default();
        assert!(TableReader::open(&table, Locale::SrCyrl, &schema).is_ok());
        assert!(matches!(
            TableReader::open(&table, Locale::Hu, &schema),
            Err(TableError::Locale { .. })
        ));
        let mut more = source.clone();
        more.insert("d_new".to_owned(), Message::Text("Ново".to_owned()));
        let newer = super::schema([("shell", &more)]);
        assert_ne!(newer, schema);
        assert!(matches!(
            TableReader::open(&table, Locale::SrCyrl, &newer),
            Err(TableError::Schema { .. })
        ));
        assert_eq!(
            TableReader::open("<!doctype html>", Locale::SrCyrl, &schema).err(),
            Some(TableError::Format)
        );
    }

    #[test]
    fn a_section_names_its_file_per_locale() {
        assert_eq!(SECTIONS[0].file(Locale::Hu), "hu.json");
        assert_eq!(SECTIONS[1].file(Locale::SrCyrl), "guidance/sr-Cyrl.json");
        assert!(parse_catalogue("[]").is_err());
    }

    #[test]
    fn a_text_with_a_separator_is_refused_when_written() {
        let source =
            MessageCatalogue::from([("a".to_owned(), Message::Text("one\u{1e}two".to_owned()))]);
        assert_eq!(
            write_table(Locale::SrCyrl, "0", &[("shell", &source, &source)]),
            Err(WriteError::Separator {
                key: "a".to_owned()
            })
        );
    }
}
