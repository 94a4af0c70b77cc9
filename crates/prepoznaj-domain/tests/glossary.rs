//! The glossary check: one term per concept and the formal "Ви" register in every text the
//! app shows, from every locale file (`locales/**/*.json`) and every content file
//! (`public/content/**/*.json`).
//!
//! The rules are not written here: they are the "Forbidden variants" and "Allowed phrases"
//! tables of `locales/GLOSSARY.md`, which people edit. Serbian is checked as written (in
//! Cyrillic) and after transliteration to Latin, the way the app shows it in Latin. In content
//! files only texts are checked (the `sr` / `en` members of text objects), never ids, keys,
//! URLs or dial strings. Files are found by walking the folders, so a new file is checked
//! without touching this test.

use std::path::Path;

mod support;
use support::{files, read, repository};

use prepoznaj_domain::transliteration::{has_cyrillic, to_latin};
use serde_json::Value;

/// The language a forbidden variant is checked in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Language {
    /// Serbian: checked in Cyrillic and, transliterated, in Latin.
    Serbian,
    English,
    Hungarian,
}

impl Language {
    /// The language of a locale tag as used in file names and content members (`sr-Cyrl`,
    /// `sr`, `en`), or `None` for anything else.
    fn of_tag(tag: &str) -> Option<Self> {
        match tag {
            "sr" | "sr-Cyrl" | "sr-Latn" => Some(Self::Serbian),
            "en" => Some(Self::English),
            "hu" => Some(Self::Hungarian),
            _ => None,
        }
    }
}

/// How a variant matches (the glossary's `match` column).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Match {
    /// At the start of a word, in any case, with any ending.
    Word,
    /// A whole word (or words), in any case.
    Whole,
    /// A whole word, in any case, where an instruction begins: at the start of a text or after
    /// a sentence's or clause's punctuation or an opening quotation mark.
    Start,
    /// The exact characters anywhere, case included.
    Exact,
}

/// One row of the "Forbidden variants" table.
#[derive(Debug)]
struct Forbidden {
    variant: String,
    language: Language,
    matching: Match,
    instead: String,
}

/// The machine-readable part of `locales/GLOSSARY.md`.
#[derive(Debug)]
struct Glossary {
    forbidden: Vec<Forbidden>,
    /// Proper names and document titles, removed (exact characters) before matching.
    allowed: Vec<String>,
    /// Texts kept as they were recorded: a content file and a JSON path prefix.
    frozen: Vec<(String, String)>,
}

impl Glossary {
    /// Whether the text at `path` in `file` (relative to the repository) is frozen.
    fn is_frozen(&self, file: &str, path: &str) -> bool {
        self.frozen.iter().any(|(frozen_file, prefix)| {
            frozen_file == file
                && path
                    .strip_prefix(prefix.as_str())
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '[']))
        })
    }
}

/// Where one text was found and which variant it uses.
struct Violation {
    place: String,
    variant: String,
    instead: String,
    excerpt: String,
}

/// The cells of every row of the first table under the heading `## {heading}`, after its
/// header row (which must be `header`) and the separator row. Cells lose surrounding spaces
/// and backticks.
fn table_rows(markdown: &str, heading: &str, header: &[&str]) -> Vec<Vec<String>> {
    let wanted = format!("## {heading}");
    let mut lines = markdown
        .lines()
        .skip_while(|line| line.trim() != wanted)
        .skip(1)
        .take_while(|line| !line.starts_with("## "))
        .skip_while(|line| !line.trim_start().starts_with('|'))
        .take_while(|line| line.trim_start().starts_with('|'))
        .map(|line| {
            let line = line.trim();
            let inner = line
                .strip_prefix('|')
                .and_then(|rest| rest.strip_suffix('|'))
                .unwrap_or(line);
            inner
                .split('|')
                .map(|cell| cell.trim().trim_matches('`').to_owned())
                .collect::<Vec<_>>()
        });
    let found_header = lines.next();
    assert_eq!(
        found_header.as_deref(),
        Some(
            header
                .iter()
                .map(|cell| (*cell).to_owned())
                .collect::<Vec<_>>()
                .as_slice()
        ),
        "GLOSSARY.md: the table under `{wanted}` must start with the header {header:?}"
    );
    let separator = lines.next();
    assert!(
        separator
            .as_ref()
            .is_some_and(|cells| cells.iter().all(|cell| cell.starts_with("---"))),
        "GLOSSARY.md: `{wanted}` has no separator row under its header"
    );
    lines.collect()
}

fn parse_glossary(markdown: &str) -> Glossary {
    let forbidden = table_rows(
        markdown,
        "Forbidden variants",
        &["variant", "locale", "match", "use instead"],
    )
    .into_iter()
    .map(|row| {
        let [variant, locale, matching, instead] = row.as_slice() else {
            panic!("GLOSSARY.md: a forbidden-variant row needs four cells: {row:?}");
        };
        let language = Language::of_tag(locale)
            .unwrap_or_else(|| panic!("GLOSSARY.md: unknown locale `{locale}` for `{variant}`"));
        let matching = match matching.as_str() {
            "word" => Match::Word,
            "whole" => Match::Whole,
            "start" => Match::Start,
            "exact" => Match::Exact,
            other => panic!("GLOSSARY.md: unknown match `{other}` for `{variant}`"),
        };
        assert!(!variant.is_empty(), "GLOSSARY.md: an empty variant");
        Forbidden {
            variant: variant.clone(),
            language,
            matching,
            instead: instead.clone(),
        }
    })
    .collect();
    let allowed = table_rows(markdown, "Allowed phrases", &["phrase", "what it is"])
        .into_iter()
        .map(|row| match row.as_slice() {
            [phrase, _] if !phrase.is_empty() => phrase.clone(),
            _ => panic!("GLOSSARY.md: an allowed-phrase row needs two cells: {row:?}"),
        })
        .collect();
    let frozen = table_rows(markdown, "Frozen texts", &["file", "JSON path", "why"])
        .into_iter()
        .map(|row| match row.as_slice() {
            [file, path, _] if !path.is_empty() => (file.clone(), path.clone()),
            _ => panic!("GLOSSARY.md: a frozen-text row needs a file and a JSON path: {row:?}"),
        })
        .collect();
    Glossary {
        forbidden,
        allowed,
        frozen,
    }
}

fn glossary() -> Glossary {
    parse_glossary(&read(&repository().join("locales/GLOSSARY.md")))
}

fn is_word_letter(letter: char) -> bool {
    letter.is_alphanumeric()
}

/// Whether an instruction can begin after `before` (the text up to a word): at the start, or
/// after a sentence's or clause's punctuation, an arrow, a dash or an opening quotation mark.
fn begins_instruction(before: &str) -> bool {
    before.trim_end().chars().next_back().is_none_or(|letter| {
        matches!(
            letter,
            '.' | '!'
                | '?'
                | ':'
                | ','
                | ';'
                | '('
                | '→'
                | '—'
                | '–'
                | '„'
                | '“'
                | '"'
                | '«'
                | '‘'
                | '\''
        )
    })
}

/// Where `variant` first occurs in `text` under `matching`: the byte offset in the text that
/// was searched (the lower-cased text for `word` and `whole`) and that text.
fn find(variant: &str, matching: Match, text: &str) -> Option<(usize, String)> {
    let (haystack, needle) = match matching {
        Match::Exact => (text.to_owned(), variant.to_owned()),
        Match::Word | Match::Whole | Match::Start => (text.to_lowercase(), variant.to_lowercase()),
    };
    let start = haystack
        .char_indices()
        .map(|(start, _)| start)
        .find(|&start| {
            if !haystack[start..].starts_with(&needle) {
                return false;
            }
            if matching == Match::Exact {
                return true;
            }
            let starts_word = !haystack[..start]
                .chars()
                .next_back()
                .is_some_and(is_word_letter);
            let ends_word = !haystack[start + needle.len()..]
                .chars()
                .next()
                .is_some_and(is_word_letter);
            match matching {
                Match::Word => starts_word,
                Match::Whole => starts_word && ends_word,
                Match::Start => starts_word && ends_word && begins_instruction(&haystack[..start]),
                Match::Exact => true,
            }
        })?;
    Some((start, haystack))
}

/// `text` with every allowed phrase (and, for Serbian, its Latin form) taken out.
fn without_allowed(glossary: &Glossary, text: &str) -> String {
    glossary
        .allowed
        .iter()
        .fold(text.to_owned(), |rest, phrase| {
            rest.replace(phrase.as_str(), " ")
                .replace(to_latin(phrase).as_str(), " ")
        })
}

/// A few words either side of `offset` in `text`.
fn excerpt(text: &str, offset: usize) -> String {
    let before: String = text[..offset].chars().rev().take(30).collect();
    let after: String = text[offset..].chars().take(50).collect();
    format!("…{}{after}…", before.chars().rev().collect::<String>())
}

/// The forbidden variants `text`, written in `language`, uses, with an excerpt each.
fn check<'g>(
    glossary: &'g Glossary,
    language: Language,
    text: &str,
) -> Vec<(&'g Forbidden, String)> {
    let written = without_allowed(glossary, text);
    let latin = without_allowed(glossary, &to_latin(&written));
    glossary
        .forbidden
        .iter()
        .filter(|forbidden| forbidden.language == language)
        .filter_map(|forbidden| {
            let found = match language {
                Language::Serbian => find(&forbidden.variant, forbidden.matching, &written)
                    .or_else(|| find(&to_latin(&forbidden.variant), forbidden.matching, &latin)),
                Language::English | Language::Hungarian => {
                    find(&forbidden.variant, forbidden.matching, &written)
                }
            };
            found.map(|(offset, searched)| (forbidden, excerpt(&searched, offset)))
        })
        .collect()
}

/// Every text in `value` with its JSON path (`key`, `areas[0].title.sr`) and language. A
/// string is a text when it is in a locale file (`language` is the file's) or under an `sr` /
/// `en` member of a content file; ids, keys, URLs and dial strings are not, so they are skipped.
fn texts<'v>(
    value: &'v Value,
    path: String,
    language: Option<Language>,
    found: &mut Vec<(String, Language, &'v str)>,
) {
    match value {
        Value::String(text) => {
            if let Some(language) = language {
                found.push((path, language, text));
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                texts(item, format!("{path}[{index}]"), language, found);
            }
        }
        Value::Object(fields) => {
            for (key, field) in fields {
                let member = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                texts(field, member, Language::of_tag(key).or(language), found);
            }
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

fn parse_json(path: &Path) -> Result<Value, String> {
    serde_json::from_str(&read(path)).map_err(|error| format!("not JSON: {error}"))
}

fn relative(path: &Path) -> String {
    path.strip_prefix(repository())
        .unwrap_or(path)
        .display()
        .to_string()
}

/// Checks every text, recording each violation; returns how many texts were checked.
fn check_all<'t>(
    glossary: &Glossary,
    texts: impl IntoIterator<Item = (String, Language, &'t str)>,
    violations: &mut Vec<Violation>,
) -> usize {
    let mut checked = 0;
    for (place, language, text) in texts {
        for (forbidden, excerpt) in check(glossary, language, text) {
            violations.push(Violation {
                place: place.clone(),
                variant: forbidden.variant.clone(),
                instead: forbidden.instead.clone(),
                excerpt,
            });
        }
        checked += 1;
    }
    checked
}

fn report(violations: &[Violation]) -> String {
    violations
        .iter()
        .map(|violation| {
            format!(
                "{}: `{}` (use `{}`): {}",
                violation.place, violation.variant, violation.instead, violation.excerpt
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn locale_files_use_only_the_glossary_terms() {
    let glossary = glossary();
    let mut violations = Vec::new();
    let mut checked = 0;
    let files = files(&repository().join("locales"), "json");
    for file in &files {
        let name = relative(file);
        let stem = file
            .file_stem()
            .and_then(|stem| stem.to_str())
            .unwrap_or("");
        let Some(language) = Language::of_tag(stem) else {
            panic!("{name}: a locale file must be named after its locale (sr-Cyrl, en, hu)");
        };
        let value = parse_json(file).unwrap_or_else(|error| panic!("{name}: {error}"));
        let mut found = Vec::new();
        texts(&value, String::new(), Some(language), &mut found);
        checked += check_all(
            &glossary,
            found
                .into_iter()
                .map(|(key, language, text)| (format!("{name} {key}"), language, text)),
            &mut violations,
        );
    }
    assert!(files.len() >= 10, "only {} locale files found", files.len());
    assert!(checked > 500, "only {checked} locale texts were checked");
    assert!(
        violations.is_empty(),
        "{} texts in locale files use a variant GLOSSARY.md forbids:\n{}",
        violations.len(),
        report(&violations)
    );
}

#[test]
fn content_files_use_only_the_glossary_terms() {
    let glossary = glossary();
    let mut violations = Vec::new();
    let mut checked = 0;
    let mut unreadable = Vec::new();
    let files = files(&repository().join("public/content"), "json");
    for file in &files {
        let name = relative(file);
        match parse_json(file) {
            Ok(value) => {
                let mut found = Vec::new();
                texts(&value, String::new(), None, &mut found);
                checked += check_all(
                    &glossary,
                    found
                        .into_iter()
                        .filter(|(path, _, _)| !glossary.is_frozen(&name, path))
                        .map(|(path, language, text)| (format!("{name} {path}"), language, text)),
                    &mut violations,
                );
            }
            Err(error) => unreadable.push(format!("{name}: {error}")),
        }
    }
    assert!(files.len() >= 4, "only {} content files found", files.len());
    assert!(checked > 600, "only {checked} content texts were checked");
    assert!(
        violations.is_empty() && unreadable.is_empty(),
        "{} texts in content files use a variant GLOSSARY.md forbids:\n{}\n{}",
        violations.len(),
        report(&violations),
        unreadable.join("\n")
    );
}

#[test]
fn a_word_variant_finds_every_ending_in_any_case() {
    assert!(find("индикатор", Match::Word, "Индикатори").is_some());
    assert!(find("индикатор", Match::Word, "Назад на листу индикатора.").is_some());
    assert!(find("индикатор", Match::Word, "синдикатор").is_none());
    assert!(find("Social Care Centre", Match::Word, "the social care centres").is_some());
}

#[test]
fn a_whole_variant_finds_only_the_whole_word() {
    assert!(find("Позови", Match::Whole, "Позовите полицију: 192").is_none());
    assert!(find("Позови", Match::Whole, "Позови полицију: 192").is_some());
    assert!(find("Позови", Match::Whole, "Да, позови.").is_some());
    assert!(find("Обриши", Match::Whole, "Обришите").is_none());
}

#[test]
fn a_start_variant_finds_the_word_only_where_an_instruction_begins() {
    for (verb, command) in [
        ("Отвори", "Отвори"),
        ("Заврши", "Да, заврши"),
        ("Провери", "Важно: провери кључ."),
        ("Врати", "Изгубили сте уређај? Врати свој кључ."),
        ("Одобри", "Па „Одобри” на екрану"),
        ("Подели", "Дугме (Подели → Сачувај)"),
    ] {
        assert!(
            find(verb, Match::Start, command).is_some(),
            "{verb} in {command}"
        );
    }
    for (verb, prose) in [
        ("Отвори", "Пријава не може да се отвори: {reason}"),
        ("Одобри", "Када одобри, даје вам линк."),
        (
            "Провери",
            "када апликација следећи пут провери има ли запажања",
        ),
        ("Отвори", "Отворите линк"),
    ] {
        assert!(
            find(verb, Match::Start, prose).is_none(),
            "{verb} in {prose}"
        );
    }
}

#[test]
fn an_exact_variant_matches_case_and_all() {
    assert!(find("Астра", Match::Exact, "невладина организација Астра").is_some());
    assert!(find("Астра", Match::Exact, "невладина организација АСТРА").is_none());
}

#[test]
fn serbian_is_also_checked_in_latin_and_allowed_phrases_are_spared() {
    let glossary = glossary();
    let variants = |text: &str| {
        check(&glossary, Language::Serbian, text)
            .into_iter()
            .map(|(forbidden, _)| forbidden.variant.as_str())
            .collect::<Vec<_>>()
    };
    assert_eq!(variants("Pozovi policiju"), ["Позови"]);
    assert_eq!(variants("Udruženje Astra"), ["Астра"]);
    assert_eq!(
        variants("Позовите полицију; удружење АСТРА"),
        Vec::<&str>::new()
    );
    assert_eq!(
        variants("„Индикатори за прелиминарну идентификацију” Министарства"),
        Vec::<&str>::new()
    );
    assert_eq!(
        variants("Indikatori za preliminarnu identifikaciju, ali indikatori"),
        ["индикатор"]
    );
    // Serbian variants are not English ones, and the other way round.
    assert!(check(&glossary, Language::English, "Pozovi").is_empty());
    assert!(check(&glossary, Language::Serbian, "password").is_empty());
}

#[test]
fn the_glossary_tables_are_read_and_agree_with_themselves() {
    let glossary = glossary();
    assert!(
        glossary.forbidden.len() > 40,
        "only {} forbidden variants were read",
        glossary.forbidden.len()
    );
    assert!(!glossary.allowed.is_empty(), "no allowed phrase was read");
    for (file, _) in &glossary.frozen {
        assert!(
            repository().join(file).is_file(),
            "GLOSSARY.md freezes texts of {file}, which does not exist"
        );
    }
    assert!(glossary.is_frozen("public/content/catalogue/2021-r1.json", "areas[0].title.sr"));
    assert!(!glossary.is_frozen("public/content/catalogue/2021-r1.json", "about.sr"));
    assert!(!glossary.is_frozen("public/content/catalogue/2026.1.json", "areas[0].title.sr"));
    for forbidden in &glossary.forbidden {
        assert_eq!(
            has_cyrillic(&forbidden.variant),
            forbidden.language == Language::Serbian,
            "`{}` is not written in its locale's script",
            forbidden.variant
        );
        let clashes: Vec<_> = check(&glossary, forbidden.language, &forbidden.instead)
            .into_iter()
            .map(|(other, _)| other.variant.as_str())
            .collect();
        assert!(
            clashes.is_empty(),
            "the replacement `{}` for `{}` is itself forbidden: {clashes:?}",
            forbidden.instead,
            forbidden.variant
        );
    }
}
