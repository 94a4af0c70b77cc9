//! No word mixes Cyrillic and Latin letters, in any locale file (`locales/`) or content file
//! (`public/content/`). A Latin letter inside a Cyrillic word ("кôд" with a Latin "ô") looks
//! right but breaks search ("код" does not find it), screen readers and transliteration.
//! Whole Latin words in Serbian text (ASTRA, Wi-Fi, an address, `age1…`) are fine: only a
//! word with letters of both scripts fails.
//!
//! Every JSON file under the two directories is read, so a new file is checked too.

mod support;
use support::{files, read, repository};

use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Script {
    Cyrillic,
    Latin,
}

/// The script of a letter, for the two scripts Serbian is written in; `None` for anything
/// else (digits, punctuation, combining accents, other scripts).
fn script(letter: char) -> Option<Script> {
    match u32::from(letter) {
        0x0400..=0x052F | 0x1C80..=0x1C8F | 0x2DE0..=0x2DFF | 0xA640..=0xA69F => {
            Some(Script::Cyrillic)
        }
        _ if letter.is_ascii_alphabetic() => Some(Script::Latin),
        0x00C0..=0x024F | 0x1E00..=0x1EFF if letter.is_alphabetic() => Some(Script::Latin),
        _ => None,
    }
}

/// The words of `text` (runs of letters, digits and combining accents) that have letters of
/// both scripts.
fn mixed_words(text: &str) -> Vec<&str> {
    text.split(|c: char| !(c.is_alphanumeric() || ('\u{0300}'..='\u{036F}').contains(&c)))
        .filter(|word| {
            let mut scripts = word.chars().filter_map(script);
            scripts
                .next()
                .is_some_and(|first| scripts.any(|other| other != first))
        })
        .collect()
}

fn strings<'a>(value: &'a Value, found: &mut Vec<&'a str>) {
    match value {
        Value::String(text) => found.push(text),
        Value::Array(items) => items.iter().for_each(|item| strings(item, found)),
        Value::Object(fields) => fields.values().for_each(|field| strings(field, found)),
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

#[test]
fn no_word_in_a_locale_or_content_file_mixes_cyrillic_and_latin() {
    let root = repository();
    let mut files = files(&root.join("locales"), "json");
    files.extend(support::files(&root.join("public/content"), "json"));
    assert!(
        files
            .iter()
            .any(|file| file.ends_with("locales/team/sr-Cyrl.json"))
            && files
                .iter()
                .any(|file| file.ends_with("contacts/national.json")),
        "the locale and content files were not found under {}",
        root.display()
    );
    let mut mixed = Vec::new();
    for file in &files {
        let text = read(file);
        let json: Value = serde_json::from_str(&text)
            .unwrap_or_else(|error| panic!("{}: {error}", file.display()));
        let mut texts = Vec::new();
        strings(&json, &mut texts);
        for text in texts {
            for word in mixed_words(text) {
                mixed.push(format!("{}: {word:?} in {text:?}", file.display()));
            }
        }
    }
    assert!(
        mixed.is_empty(),
        "words mixing scripts:\n{}",
        mixed.join("\n")
    );
}

#[test]
fn a_latin_letter_inside_a_cyrillic_word_is_found_and_latin_words_are_not() {
    assert_eq!(mixed_words("као QR кôд за скенирање"), vec!["кôд"]);
    // A Latin "a" (U+0061) among Cyrillic letters looks the same and is still found.
    assert_eq!(mixed_words("Пријaва"), vec!["Пријaва"]);
    assert_eq!(mixed_words("Kод"), vec!["Kод"]);
    assert!(mixed_words("као QR код, ASTRA, Wi-Fi, SMS-ом, age1, www.astra.rs, 7б-3").is_empty());
    assert!(mixed_words("у позадини {count} минута").is_empty());
    // An accent mark on a Cyrillic letter is not a Latin letter.
    assert!(mixed_words("ко\u{0302}д").is_empty());
}
