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

/// The Centre's proper name is the one place the word may appear (see content_wording.rs).
const CENTRE: [&str; 2] = [
    "Центар за заштиту жртава трговине људима",
    "Centre for Human Trafficking Victims' Protection",
];

#[test]
fn no_text_shown_in_the_app_calls_the_child_a_victim() {
    let catalogue = shipped();
    let texts = catalogue.ui_texts();
    assert!(texts.len() > 100);
    for (field, text) in texts {
        let serbian = text.sr.replace(CENTRE[0], "").to_lowercase();
        let english = text.en.replace(CENTRE[1], "").to_lowercase();
        assert!(!serbian.contains("жрт"), "{field}: {}", text.sr);
        assert!(
            !prepoznaj_domain::transliteration::to_latin(&serbian).contains("žrt"),
            "{field}"
        );
        assert!(!english.contains("victim"), "{field}: {}", text.en);
    }
}

#[test]
fn the_about_note_says_what_it_is_based_on_and_that_it_is_not_the_ministrys_wording() {
    let catalogue = shipped();
    let about = catalogue.about();
    assert!(
        about
            .en
            .contains("not the Ministry's wording and not its official list")
    );
    assert!(
        about
            .sr
            .contains("није текст Министарства нити његова званична листа")
    );
    assert!(about.en.contains("We did not have the Ministry's own text"));
    assert!(about.en.contains("six areas"));
    for source in ["UNODC", "2015", "2021", "2026.1"] {
        assert!(
            about.sr.contains(source) && about.en.contains(source),
            "{source}"
        );
    }
}

#[test]
fn every_shipped_catalogue_has_a_name_of_its_own_that_shows_its_id() {
    let first = Catalogue::parse(include_str!(
        "../../../public/content/catalogue/2021-r1.json"
    ))
    .unwrap();
    for catalogue in [&first, &shipped()] {
        let name = catalogue.name();
        let version = catalogue.version().as_str();
        assert!(name.sr.starts_with("Препознај ") && name.en.starts_with("Prepoznaj "));
        assert!(
            name.sr.contains(version) && name.en.contains(version),
            "{version}"
        );
        // Nobody should read it as the Ministry's list.
        assert!(!name.en.contains("Ministry") && !name.sr.contains("Министарств"));
    }
    assert_eq!(
        shipped().name().en,
        "Prepoznaj 2026.1, built on the six areas of the 2021 revision"
    );
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

fn indicator<'a>(catalogue: &'a Catalogue, id: &str) -> &'a prepoznaj_domain::catalogue::Indicator {
    match catalogue.indicator(&id.into()) {
        Some(indicator) => indicator,
        None => panic!("no indicator {id}"),
    }
}

#[test]
fn the_urgent_threat_is_an_adults_and_a_classmates_threat_is_not_it() {
    let catalogue = shipped();
    let threatened = indicator(&catalogue, "communication.threatened");
    assert_eq!(threatened.role(), Role::Urgent);
    assert!(
        threatened
            .text()
            .en
            .contains("an adult is threatening to seriously hurt or kill")
    );
    assert!(threatened.text().sr.contains("одрасла особа прети"));
    let hint = threatened.hint().unwrap();
    assert!(
        hint.en
            .contains("A threat from another pupil is not this sign")
    );
    assert!(hint.en.contains("protection team"));
    let danger = catalogue.quick_sign(&"danger".into()).unwrap();
    assert!(danger.text().en.contains("an adult is threatening"));
    assert!(danger.text().sr.contains("одрасла особа прети"));
}

#[test]
fn quick_mode_has_what_non_teaching_staff_see_and_the_attempt_to_take_a_child() {
    let catalogue = shipped();
    let by_sign = |sign: &str| -> Vec<&str> {
        match catalogue.quick_sign(&sign.into()) {
            Some(sign) => sign.indicators().iter().map(|id| id.as_str()).collect(),
            None => panic!("no quick sign {sign}"),
        }
    };
    assert_eq!(by_sign("taken-by-force"), ["relationships.taken-by-force"]);
    assert_eq!(
        indicator(&catalogue, "relationships.taken-by-force").role(),
        Role::Urgent
    );
    assert_eq!(
        by_sign("sleeps-at-school"),
        ["environment.sleeps-or-washes-at-school"]
    );
    assert_eq!(
        by_sign("afraid-to-go-home"),
        ["behaviour.afraid-to-go-home"]
    );
    assert_eq!(
        by_sign("adult-waiting"),
        ["relationships.collected-by-strangers"]
    );
    assert_eq!(by_sign("hands-money"), ["environment.hands-over-money"]);
    assert_eq!(by_sign("begging"), ["environment.seen-begging"]);
    // Signs only a teacher sees are not quick signs any more.
    for sign in catalogue.quick_signs() {
        for id in sign.indicators() {
            assert!(
                ![
                    "behaviour.absent-without-reason",
                    "behaviour.sudden-drop",
                    "appearance.exhausted"
                ]
                .contains(&id.as_str()),
                "{} stands for {id}",
                sign.id()
            );
        }
        assert!(!sign.text().sr.contains("на часу"), "{}", sign.id());
    }
}

#[test]
fn pregnancy_is_a_strong_sign_only_with_its_age_or_circumstances() {
    let catalogue = shipped();
    let signs = indicator(&catalogue, "health.sexual-harm-signs");
    assert_eq!(signs.role(), Role::Strong);
    for needed in ["under 16", "her partner is an adult", "being hidden"] {
        assert!(signs.text().en.contains(needed), "{needed}");
    }
    for needed in ["млађа је од 16", "одрасла особа", "крије"] {
        assert!(signs.text().sr.contains(needed), "{needed}");
    }
}

#[test]
fn sensitive_health_signs_say_they_are_observed_never_a_diagnosis() {
    let catalogue = shipped();
    for id in [
        "health.sexual-harm-signs",
        "health.self-harm",
        "health.substances",
    ] {
        let hint = indicator(&catalogue, id).hint().unwrap();
        assert!(hint.en.contains("never a diagnosis"), "{id}");
        assert!(hint.sr.contains("а не дијагноза"), "{id}");
        assert!(hint.en.contains("what you saw or heard"), "{id}");
    }
}

#[test]
fn domestic_servitude_has_the_signs_seen_in_serbia() {
    let catalogue = shipped();
    for (id, role) in [
        ("environment.domestic-servitude", Role::Strong),
        ("environment.housework-instead-of-school", Role::Supporting),
        ("environment.kept-home-to-care", Role::Supporting),
        ("environment.works-in-another-home", Role::Strong),
    ] {
        let sign = indicator(&catalogue, id);
        assert_eq!(sign.role(), role, "{id}");
        assert!(sign.forms().contains(&Form::LabourExploitation), "{id}");
        assert_eq!(sign.guidance().as_str(), "labour-exploitation", "{id}");
    }
    assert!(indicator(&catalogue, "environment.kept-home-to-care").hardship());
}

#[test]
fn hardship_signs_are_the_supporting_signs_that_poverty_or_neglect_explain_as_well() {
    let catalogue = shipped();
    let hardship: BTreeSet<&str> = catalogue
        .indicators()
        .filter(|indicator| indicator.hardship())
        .map(|indicator| indicator.id().as_str())
        .collect();
    for id in [
        "behaviour.absent-without-reason",
        "behaviour.sudden-drop",
        "appearance.exhausted",
        "appearance.neglected",
        "health.weight-loss",
        "health.physical-complaints",
        "environment.family-crisis",
    ] {
        assert!(hardship.contains(id), "{id}");
    }
    // Signs of someone's control are never explained away as hardship.
    for id in [
        "relationships.collected-by-strangers",
        "relationships.adult-speaks-for-child",
        "communication.rehearsed-story",
        "environment.no-documents",
        "appearance.work-marks",
    ] {
        assert!(!hardship.contains(id), "{id}");
    }
}
