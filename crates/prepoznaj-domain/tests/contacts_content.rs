//! Content checks on the national contacts the app ships,
//! `public/content/contacts/national.json`: the lines the issue requires, with the numbers,
//! hours, cost and confidence the research notes (`serbia-facts.md`) support, and no more;
//! every source with its address, both titles and a date; a free call only where a source
//! says so; 0800 numbers dialled in national format.

use prepoznaj_domain::catalogue::{Catalogue, ContactId};
use prepoznaj_domain::contacts::{Confidence, Directory, NationalContact, Verification};
use prepoznaj_domain::locale::Locale;
use prepoznaj_domain::source::Source;
use prepoznaj_domain::transliteration::has_cyrillic;

const CONTACTS: &str = include_str!("../../../public/content/contacts/national.json");
const CATALOGUE: &str = include_str!("../../../public/content/catalogue/2026.1.json");

/// Contacts each school enters for itself (stored on the phone), not national ones.
const LOCAL_CONTACTS: [&str; 3] = ["school-team", "social-care-centre", "school-psychologist"];

/// What the research supports for one required line.
struct Expected {
    id: &'static str,
    display: &'static str,
    dial: &'static str,
    hours_known: bool,
    /// The address of the source that says the call is free; `None`: no source says so.
    free_source: Option<&'static str>,
    /// Whether a source says what the line is for (otherwise: no Call button).
    purpose_confirmed: bool,
    /// Confidence between two steps of the research scale is rounded down.
    confidence: Confidence,
}

const REQUIRED: [Expected; 8] = [
    Expected {
        id: "police-192",
        display: "192",
        dial: "192",
        hours_known: true,
        free_source: None,
        purpose_confirmed: true,
        confidence: Confidence::High,
    },
    Expected {
        id: "centre-trafficking-victims",
        display: "+381 63 610 590",
        dial: "+38163610590",
        hours_known: false,
        free_source: None,
        purpose_confirmed: true,
        confidence: Confidence::Low,
    },
    Expected {
        id: "national-coordinator-office",
        display: "0800 100 388",
        dial: "0800100388",
        hours_known: false,
        free_source: None,
        purpose_confirmed: true,
        confidence: Confidence::Medium,
    },
    Expected {
        id: "astra-sos",
        display: "+381 11 785 0000",
        dial: "+381117850000",
        hours_known: false,
        free_source: None,
        purpose_confirmed: true,
        confidence: Confidence::Medium,
    },
    Expected {
        id: "missing-children-116000",
        display: "116 000",
        dial: "116000",
        hours_known: true,
        free_source: Some("https://astra.rs/evropski-broj-za-nestalu-decu/"),
        purpose_confirmed: true,
        confidence: Confidence::High,
    },
    Expected {
        id: "nadel-116111",
        display: "116 111",
        dial: "116111",
        hours_known: true,
        free_source: Some(
            "https://www.minrzs.gov.rs/sr/aktuelnosti/vesti/17-maj-medjunarodni-dan-decijih-sos-linija",
        ),
        purpose_confirmed: true,
        confidence: Confidence::High,
    },
    Expected {
        id: "online-safety-19833",
        display: "19833",
        dial: "19833",
        hours_known: false,
        free_source: Some(
            "https://www.srbija.gov.rs/tekst/en/129990/child-safety-on-the-internet.php",
        ),
        purpose_confirmed: true,
        confidence: Confidence::High,
    },
    Expected {
        id: "atina",
        display: "+381 61 63 84 071",
        dial: "+381616384071",
        hours_known: false,
        free_source: None,
        purpose_confirmed: false,
        confidence: Confidence::Low,
    },
];

fn directory() -> Directory {
    match Directory::parse(CONTACTS) {
        Ok(directory) => directory,
        Err(error) => panic!("the shipped contacts do not parse: {error}"),
    }
}

fn contact<'a>(directory: &'a Directory, id: &str) -> &'a NationalContact {
    match directory.contact(&ContactId::new(id)) {
        Some(contact) => contact,
        None => panic!("contact {id} is missing"),
    }
}

#[test]
fn it_parses_with_its_version() {
    assert_eq!(directory().version(), "2026-11-27");
}

#[test]
fn the_eight_required_lines_are_there_with_the_researched_details() {
    let directory = directory();
    assert_eq!(directory.contacts().len(), REQUIRED.len());
    for expected in REQUIRED {
        let id = expected.id;
        let contact = contact(&directory, id);
        assert_eq!(contact.number_display(), expected.display, "{id}");
        assert_eq!(contact.dial(), expected.dial, "{id}");
        let tel = expected
            .purpose_confirmed
            .then(|| format!("tel:{}", expected.dial));
        assert_eq!(contact.tel_href(), tel, "{id}");
        assert_eq!(
            contact.hours().is_some(),
            expected.hours_known,
            "{id} hours"
        );
        assert_eq!(
            contact.free_call_source().map(Source::url),
            expected.free_source,
            "{id} free"
        );
        assert_eq!(contact.confidence(), expected.confidence, "{id} confidence");
    }
}

#[test]
fn every_line_says_what_it_is_for_where_it_comes_from_and_when_it_was_checked() {
    let directory = directory();
    for contact in directory.contacts() {
        let id = contact.id();
        assert!(contact.purpose().en.len() > 80, "{id} purpose");
        assert!(!contact.sources().is_empty(), "{id} sources");
        assert_eq!(contact.last_verified().to_string(), "2026-11-27", "{id}");
        // Nothing has been called yet: the screen must not suggest otherwise.
        assert_eq!(contact.verified_by(), Verification::ArchivedSources, "{id}");
        if contact.confidence() < Confidence::High {
            assert!(contact.confidence_note().is_some(), "{id}");
        }
    }
    // The lines with the weakest sources say that the number was not checked by calling.
    for id in ["centre-trafficking-victims", "atina"] {
        let note = contact(&directory, id).confidence_note();
        assert!(
            note.is_some_and(|note| note.en.contains("not been checked by calling")),
            "{id}"
        );
    }
}

#[test]
fn official_and_operator_sources_come_before_the_press_where_they_exist() {
    let directory = directory();
    let first = |id: &str| {
        contact(&directory, id)
            .sources()
            .first()
            .map(|source| source.url().to_owned())
            .unwrap_or_default()
    };
    // The number's own operator or a ministry, not a newspaper, is the first source.
    assert!(first("astra-sos").starts_with("https://astra.rs/"));
    assert!(first("missing-children-116000").starts_with("https://astra.rs/"));
    assert!(first("nadel-116111").starts_with("https://www.minrzs.gov.rs/"));
    assert!(first("online-safety-19833").starts_with("https://www.srbija.gov.rs/"));
    assert!(first("national-coordinator-office").starts_with("http://mup.gov.rs/"));
    // Tabloid citations the research lists are replaced where a primary source exists.
    for contact in directory.contacts() {
        for source in contact.sources() {
            for tabloid in ["kurir.rs", "telegraf.rs", "alo.rs", "ecofeminizam.com"] {
                assert!(
                    !source.url().contains(tabloid),
                    "{}: {}",
                    contact.id(),
                    source.url()
                );
            }
        }
    }
}

#[test]
fn freephone_numbers_are_dialled_in_national_format() {
    let directory = directory();
    let office = contact(&directory, "national-coordinator-office");
    assert_eq!(office.number_display(), "0800 100 388");
    assert_eq!(office.tel_href().as_deref(), Some("tel:0800100388"));
    for contact in directory.contacts() {
        if contact.number_display().starts_with("0800") {
            assert!(contact.dial().starts_with("0800"), "{}", contact.id());
        }
    }
}

#[test]
fn only_a_line_whose_purpose_no_source_confirms_loses_its_call_button() {
    let directory = directory();
    for contact in directory.contacts() {
        let id = contact.id().as_str();
        assert_eq!(contact.purpose_confirmed(), id != "atina", "{id}");
    }
    let atina = contact(&directory, "atina");
    assert_eq!(atina.tel_href(), None);
    assert!(atina.purpose().en.contains("no Call button"));
    assert!(atina.purpose().sr.contains("дугме за позив"));
}

#[test]
fn the_police_line_is_192_and_112_is_not_offered() {
    let directory = directory();
    assert_eq!(directory.contacts().first().map(|c| c.dial()), Some("192"));
    assert!(directory.contacts().iter().all(|c| c.dial() != "112"));
    let police = contact(&directory, "police-192");
    assert!(police.purpose().en.contains("not 112"));
    assert!(police.purpose().sr.contains("а не 112"));
}

#[test]
fn every_contact_the_catalogue_recommends_is_national_or_local() {
    let catalogue = match Catalogue::parse(CATALOGUE) {
        Ok(catalogue) => catalogue,
        Err(error) => panic!("the shipped catalogue does not parse: {error}"),
    };
    let directory = directory();
    for id in catalogue.contacts() {
        assert!(
            directory.contact(id).is_some() || LOCAL_CONTACTS.contains(&id.as_str()),
            "{id} is neither a national nor a local contact"
        );
    }
}

#[test]
fn serbian_latin_derives_cleanly_from_every_text() {
    let directory = directory();
    let texts = directory.ui_texts();
    assert!(texts.len() >= 2 * directory.contacts().len());
    for (field, text) in texts {
        assert!(!has_cyrillic(&text.get(Locale::SrLatn)), "{field}");
    }
}
