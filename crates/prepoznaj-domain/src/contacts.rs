//! The national contacts directory: the phone lines school staff may call about a child at
//! risk of trafficking (police, the Centre for Human Trafficking Victims' Protection,
//! helplines), with what each line is for, when it answers, whether a source says the call is
//! free, and how sure we are of the number (`public/content/contacts/national.json`; its
//! `version` is the date it was checked).
//!
//! A [`Directory`] only exists parsed and checked whole by [`Directory::parse`]: unique ids,
//! Serbian Cyrillic and English in every text, a dialable number that agrees with the number
//! shown, a note whenever confidence is below high or the line's purpose is not confirmed, at
//! least one source (each with its address and date, see [`crate::source`]), a free call only
//! when one of the contact's sources says so, and the date the contact was last verified.
//! Local contacts (the school's own team, the local Centre for Social Work) are not here: each
//! school enters those itself.
//!
//! Numbers are dialled as Serbia expects them: short codes as they are (`192`), freephone
//! `0800` numbers in national format (`0800100388`: they are not reachable with the country
//! code), every other number in E.164 (`+38163610590`).
//!
//! In the JSON, keys are `snake_case`, ids and enum values are kebab-case. `hours` and
//! `free_call_source` are `null` when the sources do not say: the app then shows "not known"
//! for the hours and nothing about the cost, rather than guess.
//!
//! This module holds no numbers (those live in the content file), dials nothing and does no
//! IO.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::catalogue::{ContactId, LocalizedText, TextError, is_well_formed_id};
use crate::date::CalendarDate;
use crate::source::Source;

/// Serbia's country calling code, as written before a national number.
const SERBIA_CODE: &str = "+381";

/// The national prefix of freephone numbers, dialled as it is (never after `+381`).
const FREEPHONE_PREFIX: &str = "0800";

/// How many digits follow [`FREEPHONE_PREFIX`] in a Serbian freephone number.
const FREEPHONE_DIGITS: usize = 6;

/// How sure we are of a contact's number and details, on the scale of the research notes:
/// high = at least three independent sources including the operator, recent; medium = two
/// sources, or one official source of uncertain date; low = anything less. A rating between
/// two steps is rounded down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Confidence {
    Low,
    Medium,
    High,
}

/// What a contact's details were last checked against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verification {
    /// Archived copies of public pages, not the live sites and not by phone.
    ArchivedSources,
    /// The operator's own live website.
    OperatorWebsite,
    /// A call to the number.
    PhoneCall,
}

/// One national contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NationalContact {
    id: ContactId,
    name: LocalizedText,
    purpose: LocalizedText,
    number_display: String,
    dial: String,
    hours: Option<LocalizedText>,
    /// The address of the contact's source that says the call is free; `null` when none
    /// does.
    free_call_source: Option<String>,
    /// Whether a source says what the line is for; a line whose purpose is not confirmed is
    /// shown without a Call button.
    purpose_confirmed: bool,
    confidence: Confidence,
    confidence_note: Option<LocalizedText>,
    sources: Vec<Source>,
    last_verified: CalendarDate,
    verified_by: Verification,
}

impl NationalContact {
    /// The id the catalogue's advice uses, such as `police-192`.
    #[must_use]
    pub fn id(&self) -> &ContactId {
        &self.id
    }

    #[must_use]
    pub fn name(&self) -> &LocalizedText {
        &self.name
    }

    /// When to call and what the line does.
    #[must_use]
    pub fn purpose(&self) -> &LocalizedText {
        &self.purpose
    }

    /// The number as people write it, such as `+381 63 610 590` or `116 111`.
    #[must_use]
    pub fn number_display(&self) -> &str {
        &self.number_display
    }

    /// What the phone dials: a short code such as `192`, a freephone number in national
    /// format such as `0800100388`, or `+` and the international number such as
    /// `+38163610590`.
    #[must_use]
    pub fn dial(&self) -> &str {
        &self.dial
    }

    /// Whether [`NationalContact::dial`] is a short code (only dialable inside Serbia).
    #[must_use]
    pub fn is_short_code(&self) -> bool {
        !self.dial.starts_with('+') && !is_freephone(&self.dial)
    }

    /// Whether a source says what the line is for.
    #[must_use]
    pub fn purpose_confirmed(&self) -> bool {
        self.purpose_confirmed
    }

    /// The `tel:` link that starts the call in the phone's dialler; `None` for a line whose
    /// purpose is not confirmed, which the app offers no Call button for.
    #[must_use]
    pub fn tel_href(&self) -> Option<String> {
        self.purpose_confirmed.then(|| format!("tel:{}", self.dial))
    }

    /// When the line answers; `None` when the sources do not say.
    #[must_use]
    pub fn hours(&self) -> Option<&LocalizedText> {
        self.hours.as_ref()
    }

    /// The source that says the call is free, one of [`NationalContact::sources`]; `None`
    /// when no source says so, and the app then says nothing about the cost.
    #[must_use]
    pub fn free_call_source(&self) -> Option<&Source> {
        let url = self.free_call_source.as_deref()?;
        self.sources.iter().find(|source| source.url() == url)
    }

    #[must_use]
    pub fn confidence(&self) -> Confidence {
        self.confidence
    }

    /// Why the confidence is what it is; always there below [`Confidence::High`].
    #[must_use]
    pub fn confidence_note(&self) -> Option<&LocalizedText> {
        self.confidence_note.as_ref()
    }

    /// The sources of the number and details (at least one), each with its address.
    #[must_use]
    pub fn sources(&self) -> &[Source] {
        &self.sources
    }

    #[must_use]
    pub fn last_verified(&self) -> CalendarDate {
        self.last_verified
    }

    /// What the details were last checked against.
    #[must_use]
    pub fn verified_by(&self) -> Verification {
        self.verified_by
    }
}

/// The directory file as written, before it is checked.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DirectoryFile {
    version: String,
    /// Translations not yet reviewed (see `locale::Unreviewed`); read for the file's sake.
    #[serde(default, rename = "unreviewed")]
    _unreviewed: crate::locale::Unreviewed,
    contacts: Vec<NationalContact>,
}

/// The checked national contacts directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directory {
    version: String,
    contacts: Vec<NationalContact>,
}

/// Why a directory file was refused. The first problem found is reported.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DirectoryError {
    #[error("the directory does not match the contacts format: {message}")]
    Syntax { message: String },
    #[error("version `{version}` is not lowercase kebab-case")]
    BadVersion { version: String },
    #[error("the directory has no contacts")]
    NoContacts,
    #[error("contact id `{id}` is not lowercase kebab-case")]
    BadId { id: String },
    #[error("contact `{id}` is listed more than once")]
    DuplicateId { id: String },
    #[error("{field}: {problem}")]
    Text { field: String, problem: TextError },
    #[error("contact `{contact}` has no number to show")]
    NoNumberDisplay { contact: String },
    #[error(
        "contact `{contact}` dials `{number}`, which is neither a short code of 3 to 6 digits nor + and 8 to 15 digits"
    )]
    BadNumber { contact: String, number: String },
    #[error("contact `{contact}` shows `{display}` but dials `{dial}`")]
    NumberMismatch {
        contact: String,
        display: String,
        dial: String,
    },
    #[error("contact `{contact}` is not of high confidence and does not say why")]
    MissingConfidenceNote { contact: String },
    #[error("contact `{contact}` lists no sources")]
    NoSources { contact: String },
    #[error(
        "contact `{contact}` says the call is free citing `{url}`, which is not one of its sources"
    )]
    FreeCallWithoutSource { contact: String, url: String },
    #[error("contact `{contact}` has no confirmed purpose and no note saying so")]
    MissingPurposeNote { contact: String },
}

impl Directory {
    /// Parses and checks a directory file.
    ///
    /// # Errors
    /// The first problem found: malformed JSON, an unknown or missing field (such as
    /// `last_verified`), a bad date, a bad or repeated id, a missing or wrong-script text, a
    /// number that cannot be dialled or differs from the one shown, a confidence below high
    /// or an unconfirmed purpose without a note, no sources, a source without an address or
    /// a date, a free call that cites none of the contact's sources.
    pub fn parse(json: &str) -> Result<Directory, DirectoryError> {
        let file: DirectoryFile =
            serde_json::from_str(json).map_err(|error| DirectoryError::Syntax {
                message: error.to_string(),
            })?;
        if !is_well_formed_id(&file.version) {
            return Err(DirectoryError::BadVersion {
                version: file.version,
            });
        }
        if file.contacts.is_empty() {
            return Err(DirectoryError::NoContacts);
        }
        let mut seen = BTreeSet::new();
        for contact in &file.contacts {
            let id = contact.id.as_str();
            if !is_well_formed_id(id) {
                return Err(DirectoryError::BadId { id: id.to_owned() });
            }
            if !seen.insert(id) {
                return Err(DirectoryError::DuplicateId { id: id.to_owned() });
            }
            check_contact(contact)?;
        }
        Ok(Directory {
            version: file.version,
            contacts: file.contacts,
        })
    }

    /// The directory's version: the date it was compiled, such as `2026-11-27`.
    #[must_use]
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The contacts, in the order the contacts screen lists them.
    #[must_use]
    pub fn contacts(&self) -> &[NationalContact] {
        &self.contacts
    }

    #[must_use]
    pub fn contact(&self, id: &ContactId) -> Option<&NationalContact> {
        self.contacts.iter().find(|contact| &contact.id == id)
    }

    /// Every translated text of the directory, with a label saying where it is, the sources'
    /// titles, publishers and notes included.
    #[must_use]
    pub fn ui_texts(&self) -> Vec<(String, &LocalizedText)> {
        let mut texts = Vec::new();
        for contact in &self.contacts {
            let id = &contact.id;
            texts.push((format!("contact `{id}` name"), &contact.name));
            texts.push((format!("contact `{id}` purpose"), &contact.purpose));
            if let Some(hours) = &contact.hours {
                texts.push((format!("contact `{id}` hours"), hours));
            }
            if let Some(note) = &contact.confidence_note {
                texts.push((format!("contact `{id}` confidence note"), note));
            }
            for (index, source) in contact.sources.iter().enumerate() {
                texts.extend(source.ui_texts(&format!("contact `{id}` source {}", index + 1)));
            }
        }
        texts
    }
}

fn check_contact(contact: &NationalContact) -> Result<(), DirectoryError> {
    let id = &contact.id;
    let text = |field: &str, text: &LocalizedText| {
        text.check().map_err(|problem| DirectoryError::Text {
            field: format!("contact `{id}` {field}"),
            problem,
        })
    };
    text("name", &contact.name)?;
    text("purpose", &contact.purpose)?;
    if let Some(hours) = &contact.hours {
        text("hours", hours)?;
    }
    match &contact.confidence_note {
        Some(note) => text("confidence note", note)?,
        None if contact.confidence < Confidence::High => {
            return Err(DirectoryError::MissingConfidenceNote {
                contact: id.to_string(),
            });
        }
        None if !contact.purpose_confirmed => {
            return Err(DirectoryError::MissingPurposeNote {
                contact: id.to_string(),
            });
        }
        None => {}
    }

    if contact.number_display.trim().is_empty() {
        return Err(DirectoryError::NoNumberDisplay {
            contact: id.to_string(),
        });
    }
    if !validate_number(&contact.dial) {
        return Err(DirectoryError::BadNumber {
            contact: id.to_string(),
            number: contact.dial.clone(),
        });
    }
    if dialled_from_display(&contact.number_display) != contact.dial {
        return Err(DirectoryError::NumberMismatch {
            contact: id.to_string(),
            display: contact.number_display.clone(),
            dial: contact.dial.clone(),
        });
    }

    if contact.sources.is_empty() {
        return Err(DirectoryError::NoSources {
            contact: id.to_string(),
        });
    }
    if let Some(url) = &contact.free_call_source
        && contact.free_call_source().is_none()
    {
        return Err(DirectoryError::FreeCallWithoutSource {
            contact: id.to_string(),
            url: url.clone(),
        });
    }
    Ok(())
}

/// Whether `number` is a freephone number in national format: `0800` and six digits.
fn is_freephone(number: &str) -> bool {
    number.strip_prefix(FREEPHONE_PREFIX).is_some_and(|rest| {
        rest.len() == FREEPHONE_DIGITS && rest.bytes().all(|b| b.is_ascii_digit())
    })
}

/// A number the phone can dial: a short code of 3 to 6 digits (`192`, `116111`), a freephone
/// number in national format (`0800100388`), or `+` followed by 8 to 15 digits (E.164).
/// Deliberately simple; it does not know the rest of Serbian numbering.
fn validate_number(number: &str) -> bool {
    if is_freephone(number) {
        return true;
    }
    let (digits, allowed) = match number.strip_prefix('+') {
        Some(international) => (international, 8..=15),
        None => (number, 3..=6),
    };
    allowed.contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit())
}

/// What a number written for people dials: spaces, dashes, dots, slashes and brackets go; a
/// freephone number (`0800 100 388`) stays national; any other national number (leading
/// `0`, as in `063 610 590`) gets Serbia's country code instead of the `0`. Anything else is
/// kept, so that [`validate_number`] refuses it.
fn dialled_from_display(display: &str) -> String {
    let compact: String = display
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '.' | '/' | '(' | ')' | '\u{a0}'))
        .collect();
    if compact.starts_with(FREEPHONE_PREFIX) {
        return compact;
    }
    match compact.strip_prefix('0') {
        Some(national) => format!("{SERBIA_CODE}{national}"),
        None => compact,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    /// A valid source at `url`, published in July 2021.
    fn source(url: &str) -> Value {
        json!({
            "url": url,
            "title": { "sr": "Наслов", "en": "Title" },
            "publisher": { "sr": "Издавач", "en": "Publisher" },
            "published": "2021-07"
        })
    }

    /// A small valid directory, changed by `edit`, then parsed.
    fn parse_edited(edit: impl FnOnce(&mut Value)) -> Result<Directory, DirectoryError> {
        let mut value = json!({
            "version": "2026-11-27",
            "contacts": [
                {
                    "id": "police-192",
                    "name": { "sr": "Полиција", "en": "Police" },
                    "purpose": { "sr": "Непосредна опасност.", "en": "Immediate danger." },
                    "number_display": "192",
                    "dial": "192",
                    "hours": { "sr": "0–24, сваког дана", "en": "24 hours, every day" },
                    "free_call_source": null,
                    "purpose_confirmed": true,
                    "confidence": "high",
                    "confidence_note": null,
                    "sources": [source("https://bif.rs/2012/01/numbering/")],
                    "last_verified": "2026-11-27",
                    "verified_by": "archived-sources"
                },
                {
                    "id": "some-office",
                    "name": { "sr": "Канцеларија", "en": "Office" },
                    "purpose": { "sr": "Савет.", "en": "Advice." },
                    "number_display": "0800 100 388",
                    "dial": "0800100388",
                    "hours": null,
                    "free_call_source": "https://mup.gov.rs/office",
                    "purpose_confirmed": true,
                    "confidence": "medium",
                    "confidence_note": { "sr": "Један извор.", "en": "One source." },
                    "sources": [source("https://bif.rs/other"), source("https://mup.gov.rs/office")],
                    "last_verified": "2026-11-27",
                    "verified_by": "operator-website"
                }
            ]
        });
        edit(&mut value);
        Directory::parse(&value.to_string())
    }

    fn valid() -> Directory {
        match parse_edited(|_| {}) {
            Ok(directory) => directory,
            Err(error) => panic!("the test directory does not parse: {error}"),
        }
    }

    #[test]
    fn a_valid_directory_parses_with_its_parts() {
        let directory = valid();
        assert_eq!(directory.version(), "2026-11-27");
        assert_eq!(directory.contacts().len(), 2);
        let Some(police) = directory.contact(&"police-192".into()) else {
            panic!("police-192 is missing");
        };
        assert!(police.is_short_code());
        assert_eq!(police.tel_href().as_deref(), Some("tel:192"));
        assert_eq!(police.free_call_source(), None);
        assert_eq!(police.confidence(), Confidence::High);
        assert_eq!(police.verified_by(), Verification::ArchivedSources);
        assert_eq!(police.last_verified().to_string(), "2026-11-27");
        let Some(office) = directory.contact(&"some-office".into()) else {
            panic!("some-office is missing");
        };
        assert!(!office.is_short_code());
        assert_eq!(office.tel_href().as_deref(), Some("tel:0800100388"));
        assert_eq!(office.hours(), None);
        assert_eq!(
            office.free_call_source().map(Source::url),
            Some("https://mup.gov.rs/office")
        );
        assert_eq!(office.sources().len(), 2);
        assert!(directory.contact(&"nobody".into()).is_none());
        // Names, purposes, hours, the note, and each source's title and publisher.
        assert_eq!(directory.ui_texts().len(), 6 + 2 * 3);
    }

    #[test]
    fn ids_must_be_unique_and_well_formed() {
        assert_eq!(
            parse_edited(|value| value["contacts"][1]["id"] = json!("police-192")),
            Err(DirectoryError::DuplicateId {
                id: "police-192".into()
            })
        );
        assert_eq!(
            parse_edited(|value| value["contacts"][1]["id"] = json!("Some Office")),
            Err(DirectoryError::BadId {
                id: "Some Office".into()
            })
        );
        assert_eq!(
            parse_edited(|value| value["contacts"] = json!([])),
            Err(DirectoryError::NoContacts)
        );
        assert_eq!(
            parse_edited(|value| value["version"] = json!("27.11.2026.")),
            Err(DirectoryError::BadVersion {
                version: "27.11.2026.".into()
            })
        );
    }

    #[test]
    fn every_text_needs_serbian_cyrillic_and_english() {
        assert_eq!(
            parse_edited(|value| value["contacts"][0]["purpose"]["en"] = json!("")),
            Err(DirectoryError::Text {
                field: "contact `police-192` purpose".into(),
                problem: TextError::Missing { locale: "en" }
            })
        );
        assert_eq!(
            parse_edited(|value| value["contacts"][0]["hours"]["sr"] = json!("0-24")),
            Err(DirectoryError::Text {
                field: "contact `police-192` hours".into(),
                problem: TextError::WrongScript { locale: "sr" }
            })
        );
        assert_eq!(
            parse_edited(|value| value["contacts"][1]["confidence_note"]["en"] = json!("Један")),
            Err(DirectoryError::Text {
                field: "contact `some-office` confidence note".into(),
                problem: TextError::WrongScript { locale: "en" }
            })
        );
        assert!(matches!(
            parse_edited(|value| value["contacts"][1]["name"]["sr"] = json!(" ")),
            Err(DirectoryError::Text { field, .. }) if field == "contact `some-office` name"
        ));
    }

    #[test]
    fn below_high_confidence_a_note_is_required() {
        assert_eq!(
            parse_edited(|value| value["contacts"][1]["confidence_note"] = json!(null)),
            Err(DirectoryError::MissingConfidenceNote {
                contact: "some-office".into()
            })
        );
        assert!(parse_edited(|value| value["contacts"][1]["confidence"] = json!("low")).is_ok());
        assert!(matches!(
            parse_edited(|value| value["contacts"][1]["confidence"] = json!("medium-low")),
            Err(DirectoryError::Syntax { .. })
        ));
        assert!(Confidence::Low < Confidence::Medium && Confidence::Medium < Confidence::High);
    }

    #[test]
    fn sources_and_the_verification_date_are_required() {
        assert_eq!(
            parse_edited(|value| value["contacts"][0]["sources"] = json!([])),
            Err(DirectoryError::NoSources {
                contact: "police-192".into()
            })
        );
        let without_address = parse_edited(|value| {
            if let Some(source) = value["contacts"][0]["sources"][0].as_object_mut() {
                source.remove("url");
            }
        });
        assert!(
            matches!(&without_address, Err(DirectoryError::Syntax { message }) if message.contains("url")),
            "{without_address:?}"
        );
        let without_date = parse_edited(|value| {
            value["contacts"][0]["sources"][0]["published"] = json!(null);
        });
        assert!(
            matches!(&without_date, Err(DirectoryError::Syntax { message }) if message.contains("neither a publication date")),
            "{without_date:?}"
        );
        let plain_text = parse_edited(|value| {
            value["contacts"][0]["sources"] = json!(["RATEL numbering plan, 2011"]);
        });
        assert!(matches!(plain_text, Err(DirectoryError::Syntax { .. })));
        let missing = parse_edited(|value| {
            if let Some(contact) = value["contacts"][0].as_object_mut() {
                contact.remove("last_verified");
            }
        });
        assert!(
            matches!(missing, Err(DirectoryError::Syntax { message }) if message.contains("last_verified"))
        );
        let not_a_date = parse_edited(|value| {
            value["contacts"][0]["last_verified"] = json!("2026-11-27 (archived sources)");
        });
        assert!(matches!(not_a_date, Err(DirectoryError::Syntax { .. })));
        let unknown_method =
            parse_edited(|value| value["contacts"][0]["verified_by"] = json!("hearsay"));
        assert!(matches!(unknown_method, Err(DirectoryError::Syntax { .. })));
    }

    #[test]
    fn numbers_must_be_dialable() {
        for bad in [
            "19",
            "1234567",
            "+3811234",
            "+3816361059012345",
            "063 610 590",
            "+381-63",
            "+",
        ] {
            assert_eq!(
                parse_edited(|value| {
                    value["contacts"][0]["dial"] = json!(bad);
                    value["contacts"][0]["number_display"] = json!(bad);
                }),
                Err(DirectoryError::BadNumber {
                    contact: "police-192".into(),
                    number: bad.into()
                }),
                "{bad}"
            );
        }
        assert!(validate_number("192"));
        assert!(validate_number("116000"));
        assert!(validate_number("0800100388"));
        assert!(validate_number("+38163610590"));
        assert!(validate_number("+381117850000"));
        assert!(!validate_number("080010038"));
        assert!(!validate_number("08001003889"));
    }

    #[test]
    fn a_freephone_number_is_dialled_in_national_format() {
        assert_eq!(dialled_from_display("0800 100 388"), "0800100388");
        assert_eq!(dialled_from_display("0800-222-003"), "0800222003");
        // The same number with the country code is refused: it does not match the display.
        assert_eq!(
            parse_edited(|value| value["contacts"][1]["dial"] = json!("+381800100388")),
            Err(DirectoryError::NumberMismatch {
                contact: "some-office".into(),
                display: "0800 100 388".into(),
                dial: "+381800100388".into()
            })
        );
        let directory = valid();
        let Some(office) = directory.contact(&"some-office".into()) else {
            panic!("some-office is missing");
        };
        assert_eq!(office.dial(), "0800100388");
        assert_eq!(office.tel_href().as_deref(), Some("tel:0800100388"));
        assert!(!office.is_short_code());
    }

    #[test]
    fn a_free_call_is_shown_only_with_a_source_that_says_so() {
        assert_eq!(
            parse_edited(|value| {
                value["contacts"][0]["free_call_source"] = json!("https://example.org/free");
            }),
            Err(DirectoryError::FreeCallWithoutSource {
                contact: "police-192".into(),
                url: "https://example.org/free".into()
            })
        );
        // A bare "free": true, with no source, is not accepted either.
        let bare = parse_edited(|value| {
            if let Some(contact) = value["contacts"][0].as_object_mut() {
                contact.remove("free_call_source");
                contact.insert("free".into(), json!(true));
            }
        });
        assert!(matches!(bare, Err(DirectoryError::Syntax { .. })));
        let free = match parse_edited(|value| {
            value["contacts"][0]["free_call_source"] = json!("https://bif.rs/2012/01/numbering/");
        }) {
            Ok(directory) => directory,
            Err(error) => panic!("{error}"),
        };
        let police = free.contact(&"police-192".into());
        assert_eq!(
            police
                .and_then(NationalContact::free_call_source)
                .map(Source::url),
            Some("https://bif.rs/2012/01/numbering/")
        );
    }

    #[test]
    fn a_line_whose_purpose_is_not_confirmed_has_no_call_link_and_says_why() {
        assert_eq!(
            parse_edited(|value| value["contacts"][0]["purpose_confirmed"] = json!(false)),
            Err(DirectoryError::MissingPurposeNote {
                contact: "police-192".into()
            })
        );
        let unconfirmed = match parse_edited(|value| {
            value["contacts"][1]["purpose_confirmed"] = json!(false);
        }) {
            Ok(directory) => directory,
            Err(error) => panic!("{error}"),
        };
        let office = unconfirmed.contact(&"some-office".into());
        assert_eq!(office.map(NationalContact::purpose_confirmed), Some(false));
        assert_eq!(office.and_then(NationalContact::tel_href), None);
        assert_eq!(office.map(NationalContact::dial), Some("0800100388"));
    }

    #[test]
    fn the_number_shown_must_be_the_number_dialled() {
        assert_eq!(
            parse_edited(|value| value["contacts"][1]["number_display"] = json!("0800 100 389")),
            Err(DirectoryError::NumberMismatch {
                contact: "some-office".into(),
                display: "0800 100 389".into(),
                dial: "0800100388".into()
            })
        );
        assert_eq!(
            parse_edited(|value| value["contacts"][1]["number_display"] = json!(" ")),
            Err(DirectoryError::NoNumberDisplay {
                contact: "some-office".into()
            })
        );
        assert_eq!(dialled_from_display("+381 63 610 590"), "+38163610590");
        assert_eq!(dialled_from_display("011/785-00-00"), "+381117850000");
        assert_eq!(dialled_from_display("116 111"), "116111");
        assert_eq!(dialled_from_display("19833"), "19833");
    }

    #[test]
    fn unknown_fields_are_refused_so_typos_fail() {
        let typo = parse_edited(|value| value["contacts"][0]["hours_note"] = json!(null));
        assert!(matches!(typo, Err(DirectoryError::Syntax { .. })));
        assert!(matches!(
            Directory::parse("{}"),
            Err(DirectoryError::Syntax { .. })
        ));
    }
}
