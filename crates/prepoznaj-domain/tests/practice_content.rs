//! The shipped practice set (`public/content/practice/`), read as the app reads it: every
//! case's signs exist in its catalogue version and each has its explanation (both checked by
//! `PracticeSet::parse`, with the level the catalogue's rules give); enough cases, a third at
//! least not exploitation, every form seen in Serbia, pupils of 7 to 18; texts of a readable
//! length in every language; and no case labels anyone by ethnicity or nationality.

use prepoznaj_domain::catalogue::{Catalogue, CatalogueIndex, LocalizedText};
use prepoznaj_domain::locale::Locale;
use prepoznaj_domain::practice::{CaseKind, PracticeSet};

mod support;

fn catalogue(version: &str) -> Catalogue {
    let path = support::repository().join(format!("public/content/catalogue/{version}.json"));
    match Catalogue::parse(&support::read(&path)) {
        Ok(catalogue) => catalogue,
        Err(error) => panic!("catalogue {version}: {error}"),
    }
}

/// Every practice file, each read against the catalogue it names.
fn sets() -> Vec<(String, Catalogue, PracticeSet)> {
    let files = support::files(
        &support::repository().join("public/content/practice"),
        "json",
    );
    assert!(!files.is_empty(), "no practice file is shipped");
    files
        .into_iter()
        .map(|path| {
            let text = support::read(&path);
            let named: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
            let version = named["catalogue"].as_str().unwrap_or_default().to_owned();
            let catalogue = catalogue(&version);
            match PracticeSet::parse(&text, &catalogue) {
                Ok(set) => (path.display().to_string(), catalogue, set),
                Err(error) => panic!("{}: {error}", path.display()),
            }
        })
        .collect()
}

/// The practice set new practice starts with: the one of the current catalogue.
fn current() -> (Catalogue, PracticeSet) {
    let index = support::read(&support::repository().join("public/content/catalogue/index.json"));
    let current = match CatalogueIndex::parse(&index) {
        Ok(index) => index.current.to_string(),
        Err(error) => panic!("{error}"),
    };
    let (_, catalogue, set) = sets()
        .into_iter()
        .find(|(_, _, set)| set.catalogue().as_str() == current)
        .unwrap_or_else(|| {
            panic!("no practice set is written for the current catalogue {current}")
        });
    (catalogue, set)
}

fn words(text: &str) -> usize {
    text.split_whitespace()
        .filter(|word| word.chars().any(char::is_alphanumeric))
        .count()
}

#[test]
fn every_shipped_set_reads_against_its_catalogue() {
    for (path, catalogue, set) in sets() {
        for case in set.cases() {
            for sign in case.signs().iter().chain(case.not_supported()) {
                assert!(catalogue.contains(&sign.indicator), "{path}: {}", case.id());
                assert!(!sign.why.sr.trim().is_empty() && !sign.why.en.trim().is_empty());
            }
        }
    }
}

#[test]
fn the_current_set_has_thirty_cases_a_third_not_exploitation_and_every_form() {
    let (_, set) = current();
    let cases = set.cases();
    assert!(cases.len() >= 30, "only {} cases", cases.len());
    let not_exploitation = cases
        .iter()
        .filter(|case| !case.kind().is_exploitation())
        .count();
    assert!(
        not_exploitation * 3 >= cases.len(),
        "{not_exploitation} of {} cases are not exploitation: fewer than a third",
        cases.len()
    );
    for kind in CaseKind::ALL {
        assert!(
            cases.iter().any(|case| case.kind() == kind),
            "no case of kind {}",
            kind.as_str()
        );
    }
    let youngest = cases.iter().map(|case| case.age()).min();
    let oldest = cases.iter().map(|case| case.age()).max();
    // The cases span primary and secondary school: a first-grader to the last year.
    assert!(
        youngest == Some(7) && oldest >= Some(17),
        "ages {youngest:?}–{oldest:?}"
    );
    assert!(
        cases
            .iter()
            .any(|case| case.level() == prepoznaj_domain::assessment::Level::ImmediateDanger),
        "no case teaches calling 192 first"
    );
    assert!(
        set.quick().len() >= 5,
        "only {} quick situations",
        set.quick().len()
    );
}

#[test]
fn case_texts_are_short_cases_in_every_language() {
    let (_, set) = current();
    for case in set.cases() {
        for locale in [Locale::SrCyrl, Locale::En, Locale::Hu] {
            let count = words(&case.text().get(locale));
            assert!(
                (80..=200).contains(&count),
                "{} in {}: {count} words, not 80–200",
                case.id(),
                locale.tag()
            );
        }
    }
}

/// Words that label a person by ethnicity or nationality, in Serbian in both scripts, English
/// and Hungarian. A case describes what a child does and what is done to them, never who
/// their people are. `WHOLE_LABELS` match a whole word only (so "Roma" but not "Romance",
/// "magyar" but not "magyarázat"); `LABEL_STEMS` match every word they begin.
const WHOLE_LABELS: [&str; 12] = [
    "ром", "роми", "рома", "rom", "romi", "roma", "romani", "влах", "vlah", "vlach", "magyar",
    "magyarok",
];
const LABEL_STEMS: [&str; 31] = [
    "ромск",
    "ромкињ",
    "циган",
    "romsk",
    "romkinj",
    "cigan",
    "gypsy",
    "gipsy",
    "gypsies",
    "cigány",
    "египћ",
    "egipć",
    "egyptian",
    "ашкал",
    "aškal",
    "ashkali",
    "албан",
    "alban",
    "albán",
    "бошња",
    "bošnja",
    "bosniak",
    "влаш",
    "мађар",
    "mađar",
    "hungarian",
    "serbian",
    "szerb",
    "етнич",
    "etnič",
    "ethnic",
];

fn labels_in(text: &str) -> Vec<&'static str> {
    let lower = text.to_lowercase();
    let words: Vec<&str> = lower
        .split(|letter: char| !letter.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .collect();
    let whole = WHOLE_LABELS
        .into_iter()
        .filter(|label| words.iter().any(|word| word == label));
    let stems = LABEL_STEMS
        .into_iter()
        .filter(|stem| words.iter().any(|word| word.starts_with(stem)));
    whole.chain(stems).collect()
}

fn every_text(text: &LocalizedText) -> [String; 3] {
    [
        text.sr.clone(),
        text.en.clone(),
        text.hu.clone().unwrap_or_default(),
    ]
}

#[test]
fn no_case_labels_anyone_by_ethnicity_or_nationality() {
    for (path, _, set) in sets() {
        for case in set.cases() {
            let texts = [case.title(), case.text(), case.lesson()]
                .into_iter()
                .chain(
                    case.signs()
                        .iter()
                        .chain(case.not_supported())
                        .map(|sign| &sign.why),
                );
            for text in texts.flat_map(every_text) {
                let found = labels_in(&text);
                assert!(
                    found.is_empty(),
                    "{path}: {}: {found:?} in “{text}”",
                    case.id()
                );
            }
        }
        for situation in set.quick() {
            for text in every_text(situation.text())
                .into_iter()
                .chain(every_text(situation.why()))
            {
                let found = labels_in(&text);
                assert!(
                    found.is_empty(),
                    "{path}: {}: {found:?} in “{text}”",
                    situation.id()
                );
            }
        }
    }
}

#[test]
fn the_label_check_finds_labels_and_spares_ordinary_words() {
    assert_eq!(labels_in("Дечак из ромског насеља"), vec!["ромск"]);
    assert_eq!(labels_in("a Roma family"), vec!["roma"]);
    assert_eq!(labels_in("egy cigány család"), vec!["cigány"]);
    assert!(labels_in("Дете проси на раскрсници, роман, ромб, цигарета, Romance").is_empty());
    assert!(labels_in("a magyarázat szerint").is_empty());
    assert!(labels_in("The pupil roams the corridor; a romantic partner").is_empty());
}
