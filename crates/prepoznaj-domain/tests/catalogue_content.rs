//! Content checks on the catalogue the app ships, `public/content/catalogue/2026.1.json`:
//! what the issue asks the list to cover, beyond what `Catalogue::parse` checks.

#![allow(clippy::unwrap_used, reason = "tests fail loudly on purpose")]

use std::collections::BTreeSet;

use prepoznaj_domain::assessment::Level;
use prepoznaj_domain::catalogue::{Catalogue, Form, Role};
use prepoznaj_domain::locale::Locale;
use prepoznaj_domain::transliteration::has_cyrillic;

const SHIPPED: &str = include_str!("../../../public/content/catalogue/2026.1.json");

fn shipped() -> Catalogue {
    match Catalogue::parse(SHIPPED) {
        Ok(catalogue) => catalogue,
        Err(error) => panic!("the shipped catalogue does not parse: {error}"),
    }
}

#[test]
fn it_parses_with_its_version_and_between_40_and_80_indicators() {
    let catalogue = shipped();
    assert_eq!(catalogue.version().as_str(), "2026.1");
    assert!((40..=80).contains(&catalogue.indicator_count()));
}

#[test]
fn the_six_areas_of_the_2021_revision_are_there() {
    let catalogue = shipped();
    let areas: BTreeSet<&str> = catalogue
        .areas()
        .iter()
        .map(|area| area.id().as_str())
        .collect();
    for area in [
        "behaviour",
        "appearance",
        "health",
        "communication",
        "relationships",
        "environment",
    ] {
        assert!(areas.contains(area), "area {area} is missing");
    }
}

#[test]
fn every_form_seen_in_serbian_child_cases_has_an_indicator() {
    let catalogue = shipped();
    for form in Form::ALL {
        assert!(
            catalogue
                .indicators()
                .any(|indicator| indicator.forms().contains(&form)),
            "no indicator points to {form:?}"
        );
    }
}

#[test]
fn there_are_self_disclosure_and_urgent_indicators() {
    let catalogue = shipped();
    let disclosures: Vec<_> = catalogue
        .indicators()
        .filter(|indicator| indicator.guidance().as_str() == "self-disclosure")
        .collect();
    assert!(!disclosures.is_empty());
    assert!(
        disclosures
            .iter()
            .all(|indicator| indicator.role() != Role::Supporting)
    );
    let urgent: Vec<_> = catalogue
        .indicators()
        .filter(|indicator| indicator.role() == Role::Urgent)
        .collect();
    assert!(!urgent.is_empty());
    assert!(
        urgent
            .iter()
            .all(|indicator| indicator.guidance().as_str() == "immediate-danger")
    );
}

#[test]
fn immediate_danger_offers_the_police_first() {
    let catalogue = shipped();
    let advice = catalogue.advice(Level::ImmediateDanger);
    assert_eq!(
        advice.contacts().first().map(|c| c.as_str()),
        Some("police-192")
    );
    for locale in Locale::ALL {
        assert!(advice.advice().get(locale).contains("192"), "{locale:?}");
    }
}

#[test]
fn no_text_shown_in_the_app_calls_the_child_a_victim() {
    let catalogue = shipped();
    let texts = catalogue.ui_texts();
    assert!(texts.len() > 100);
    for (field, text) in texts {
        let serbian = text.sr.to_lowercase();
        assert!(!serbian.contains("жрт"), "{field}: {}", text.sr);
        assert!(
            !text.get(Locale::SrLatn).to_lowercase().contains("žrt"),
            "{field}"
        );
        assert!(
            !text.en.to_lowercase().contains("victim"),
            "{field}: {}",
            text.en
        );
    }
}

#[test]
fn the_about_note_says_it_is_not_the_ministrys_wording() {
    let catalogue = shipped();
    let about = catalogue.about();
    assert!(about.en.contains("not the Ministry's wording"));
    assert!(about.sr.contains("није текст Министарства"));
    for source in ["UNODC", "2015", "2021"] {
        assert!(
            about.sr.contains(source) && about.en.contains(source),
            "{source}"
        );
    }
}

#[test]
fn quick_mode_has_six_to_ten_signs_with_distinct_icons() {
    let catalogue = shipped();
    let signs = catalogue.quick_signs();
    assert!((6..=10).contains(&signs.len()));
    let icons: BTreeSet<_> = signs.iter().map(|sign| sign.icon()).collect();
    assert_eq!(icons.len(), signs.len());
    // One of them must lead straight to the police.
    assert!(signs.iter().any(|sign| sign.indicators().iter().any(|id| {
        catalogue
            .indicator(id)
            .is_some_and(|i| i.role() == Role::Urgent)
    })));
}

#[test]
fn serbian_latin_derives_cleanly_from_every_text() {
    let catalogue = shipped();
    for (field, text) in catalogue.ui_texts() {
        assert!(!has_cyrillic(&text.get(Locale::SrLatn)), "{field}");
    }
}
