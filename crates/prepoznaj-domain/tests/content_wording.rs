//! Wording checks across every content file the app ships (catalogue, guidance, contacts):
//! no text calls a child a "victim". The indicators are signs of concern; whether a child
//! has been trafficked is for the responsible services to establish, and the label itself
//! stigmatises.
//!
//! The check reads the raw JSON, so no text escapes it by not being exposed through the
//! typed accessors.

use prepoznaj_domain::transliteration::to_latin;
use serde_json::Value;

const FILES: [(&str, &str); 5] = [
    (
        "catalogue/2021-r1.json",
        include_str!("../../../public/content/catalogue/2021-r1.json"),
    ),
    (
        "catalogue/2026.1.json",
        include_str!("../../../public/content/catalogue/2026.1.json"),
    ),
    (
        "guidance/2026.1.json",
        include_str!("../../../public/content/guidance/2026.1.json"),
    ),
    (
        "contacts/national.json",
        include_str!("../../../public/content/contacts/national.json"),
    ),
    (
        "practice/2026.1.json",
        include_str!("../../../public/content/practice/2026.1.json"),
    ),
];

/// The one exception: the official name of the state Centre (Центар за заштиту жртава
/// трговине људима, Centre for Human Trafficking Victims' Protection) is a proper name, and
/// people must be able to recognise it and find it. Serbian declines the first word, so
/// each case that can appear is listed; the rest of the name does not change. The Latin
/// forms are derived from these by transliteration.
const PROPER_NAMES: [&str; 6] = [
    "Центар за заштиту жртава трговине људима",
    "Центра за заштиту жртава трговине људима",
    "Центру за заштиту жртава трговине људима",
    "Центром за заштиту жртава трговине људима",
    "Центре за заштиту жртава трговине људима",
    "Centre for Human Trafficking Victims' Protection",
];

/// Word stems that must not appear anywhere else. "жрт"/"žrt" rather than "жртв", because
/// the genitive plural is "жртава"; "victim" covers "victims", "victimisation".
const FORBIDDEN_STEMS: [&str; 3] = ["жрт", "žrt", "victim"];

/// An id or enum value (`centre-trafficking-victims`, `police-192`): only lowercase ASCII,
/// digits, `-` and `.`, with at least one separator. Ids are keys for code, never shown,
/// and cannot be renamed without migrating stored observations, so they are skipped. Any
/// text a person reads has a space or a capital, so it is never mistaken for an id; a lone
/// word such as `victim` has no separator and is still checked.
fn is_id(text: &str) -> bool {
    text.contains(['-', '.'])
        && text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
}

/// A source's address (`….sources[3].url`): a web address is copied as its publisher wrote
/// it (`…/victim-support-and-sos-hotline/`), is opened, not read as our wording, and cannot
/// be reworded. Its title and note, which people read, are still checked.
fn is_address(path: &str) -> bool {
    path.ends_with(".url")
}

/// Every string value in `value` with its JSON path.
fn strings<'a>(value: &'a Value, path: String, found: &mut Vec<(String, &'a str)>) {
    match value {
        Value::String(text) => found.push((path, text)),
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                strings(item, format!("{path}[{index}]"), found);
            }
        }
        Value::Object(fields) => {
            for (key, field) in fields {
                strings(field, format!("{path}.{key}"), found);
            }
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

/// The forbidden stem `text` contains once the proper names are taken out, if any.
fn forbidden_word(text: &str) -> Option<&'static str> {
    let mut rest = text.to_owned();
    for name in PROPER_NAMES {
        rest = rest.replace(name, "").replace(&to_latin(name), "");
    }
    let lower = rest.to_lowercase();
    FORBIDDEN_STEMS
        .into_iter()
        .find(|stem| lower.contains(stem))
}

#[test]
fn no_content_text_calls_a_child_a_victim() {
    let mut checked = 0;
    for (file, json) in FILES {
        let value: Value = match serde_json::from_str(json) {
            Ok(value) => value,
            Err(error) => panic!("{file} is not JSON: {error}"),
        };
        let mut found = Vec::new();
        strings(&value, String::new(), &mut found);
        for (path, text) in found
            .into_iter()
            .filter(|(path, text)| !is_id(text) && !is_address(path))
        {
            // Serbian is stored in Cyrillic; the Latin the app shows is derived from it.
            for shown in [text.to_owned(), to_latin(text)] {
                if let Some(stem) = forbidden_word(&shown) {
                    panic!("{file} {path} uses `{stem}`: {shown}");
                }
            }
            checked += 1;
        }
    }
    assert!(checked > 1000, "only {checked} texts were checked");
}

#[test]
fn the_check_catches_every_form_and_only_spares_the_proper_name() {
    for text in [
        "дете је жртва",
        "жртава трговине",
        "Жртви је потребна помоћ",
        "žrtve trgovine",
        "the Victim",
        "child victims",
        "victimisation",
        "Центар за заштиту жртава и Центар за заштиту жртава трговине људима",
    ] {
        assert!(forbidden_word(text).is_some(), "{text}");
        assert!(forbidden_word(&to_latin(text)).is_some(), "{text}");
    }
    for text in [
        "Позовите Центар за заштиту жртава трговине људима.",
        "Према Центру за заштиту жртава трговине људима, …",
        "Сарађује са Центром за заштиту жртава трговине људима.",
        "the Centre for Human Trafficking Victims' Protection's shelter",
        "дете изложено трговини људима",
    ] {
        assert_eq!(forbidden_word(text), None, "{text}");
        assert_eq!(forbidden_word(&to_latin(text)), None, "{text}");
    }
    assert!(is_address(".contacts[7].sources[2].url"));
    assert!(!is_address(".contacts[7].sources[2].title.en"));
    assert!(is_id("centre-trafficking-victims"));
    assert!(!is_id("victim"));
    assert!(!is_id("Centre for Human Trafficking Victims' Protection"));
}
