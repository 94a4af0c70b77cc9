//! Content checks on the guidance the app ships, `public/content/guidance/2026.1.json`,
//! against the catalogue it explains: what the issue asks the guidance to cover, beyond what
//! `Guidance::parse` checks.

#![allow(clippy::unwrap_used, reason = "tests fail loudly on purpose")]

use std::collections::BTreeMap;

use prepoznaj_domain::catalogue::{Catalogue, Form, GuidanceId, REQUIRED_GUIDANCE_SECTIONS};
use prepoznaj_domain::guidance::{Guidance, GuidanceLinks, Section};
use prepoznaj_domain::locale::Locale;
use prepoznaj_domain::transliteration::has_cyrillic;

const GUIDANCE: &str = include_str!("../../../public/content/guidance/2026.1.json");
const CATALOGUE: &str = include_str!("../../../public/content/catalogue/2026.1.json");

fn guidance() -> Guidance {
    match Guidance::parse(GUIDANCE) {
        Ok(guidance) => guidance,
        Err(error) => panic!("the shipped guidance does not parse: {error}"),
    }
}

fn catalogue() -> Catalogue {
    match Catalogue::parse(CATALOGUE) {
        Ok(catalogue) => catalogue,
        Err(error) => panic!("the shipped catalogue does not parse: {error}"),
    }
}

fn links() -> GuidanceLinks {
    match guidance().link(&catalogue()) {
        Ok(links) => links,
        Err(error) => panic!("the guidance does not fit the catalogue: {error}"),
    }
}

fn section<'a>(guidance: &'a Guidance, id: &str) -> &'a Section {
    match guidance.section(&GuidanceId::new(id)) {
        Some(section) => section,
        None => panic!("section {id} is missing"),
    }
}

/// Asserts that the section's text mentions each `(Serbian, English)` pair in its language.
fn mentions(id: &str, phrases: &[(&str, &str)]) {
    let guidance = guidance();
    let section = section(&guidance, id);
    let serbian = section.body_text(Locale::SrCyrl);
    let english = section.body_text(Locale::En);
    for (sr, en) in phrases {
        assert!(serbian.contains(sr), "{id} (sr) does not mention {sr}");
        assert!(english.contains(en), "{id} (en) does not mention {en}");
    }
}

#[test]
fn it_parses_for_the_2021_catalogue() {
    let guidance = guidance();
    assert_eq!(guidance.version(), "2026.1");
    assert_eq!(guidance.catalogue().as_str(), "2026.1");
    assert_eq!(guidance.updated().to_string(), "2026-11-27");
    assert!(guidance.sources().len() >= 20);
}

#[test]
fn every_indicator_links_to_a_section_that_lists_it_and_nothing_else() {
    let catalogue = catalogue();
    let guidance = guidance();
    let links = links();
    // Computed independently of `link`: which indicators each section should list.
    let mut expected: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for indicator in catalogue.indicators() {
        assert!(
            guidance.section(indicator.guidance()).is_some(),
            "{} links to missing section {}",
            indicator.id(),
            indicator.guidance()
        );
        expected
            .entry(indicator.guidance().as_str())
            .or_default()
            .push(indicator.id().as_str());
    }
    for section in guidance.sections() {
        let listed: Vec<&str> = links
            .indicators_for(section.id())
            .iter()
            .map(|id| id.as_str())
            .collect();
        let wanted = expected
            .get(section.id().as_str())
            .cloned()
            .unwrap_or_default();
        assert_eq!(listed, wanted, "section {}", section.id());
    }
    // Every section the catalogue declares is in the guidance.
    for declared in catalogue.guidance_sections() {
        assert!(guidance.section(declared).is_some(), "{declared}");
    }
}

#[test]
fn the_topics_the_issue_requires_have_their_sections() {
    let guidance = guidance();
    let ids: Vec<&str> = guidance
        .sections()
        .iter()
        .map(|section| section.id().as_str())
        .collect();
    for required in REQUIRED_GUIDANCE_SECTIONS {
        assert!(ids.contains(&required), "{required} is missing");
    }
    for extra in ["immediate-danger", "self-disclosure"] {
        assert!(ids.contains(&extra), "{extra} is missing");
    }
    // Each form of exploitation has a section under its own name.
    for form in Form::ALL {
        let name = serde_json::to_value(form).unwrap();
        let name = name.as_str().unwrap();
        assert!(ids.contains(&name), "no section for {name}");
    }
    // The guidance ends with where it comes from; the screen adds the sources after it.
    assert_eq!(ids.last(), Some(&"about-indicators"));
}

#[test]
fn what_is_trafficking_covers_the_law_the_forms_and_who_traffickers_are() {
    mentions(
        "what-is-trafficking",
        &[
            ("члан 388", "Article 388"),
            (
                "никаква принуда не мора да се докаже",
                "no coercion has to be shown",
            ),
            ("најмање пет година", "at least five years"),
            ("сексуално искоришћавање", "sexual exploitation"),
            ("принудно просјачење", "forced begging"),
            ("принудни брак", "forced marriage"),
            ("радно искоришћавање", "labour exploitation"),
            ("принуда на вршење кривичних дела", "forced criminality"),
            ("преко интернета", "online"),
            ("13 %", "13 %"),
            ("родитељи или блиски рођаци", "parents or close relatives"),
        ],
    );
}

#[test]
fn using_the_indicators_explains_the_schools_part_and_the_limits() {
    mentions(
        "using-indicators",
        &[
            ("прелиминарна идентификација", "preliminary identification"),
            (
                "Формалну идентификацију ради Центар за заштиту жртава трговине људима",
                "Formal identification is done by the Centre for Human Trafficking Victims' Protection",
            ),
            (
                "Ниједан знак сам по себи ништа не доказује",
                "No single sign proves anything",
            ),
            ("занемаривање", "neglect"),
            ("сиромаштво", "poverty"),
            ("не истражујте", "do not investigate"),
        ],
    );
}

#[test]
fn do_and_dont_puts_safety_first_and_lists_the_dont_s() {
    mentions(
        "do-and-dont",
        &[
            ("192", "192"),
            ("Не испитујте дете", "Do not question the child"),
            ("Не суочавајте се", "Do not confront"),
            (
                "Не обећавајте детету да ћете чувати тајну",
                "Do not promise the child",
            ),
            ("Не обавештавајте родитеље", "Do not inform parents"),
            (
                "Не записујте тумачења уместо чињеница",
                "interpretations instead of facts",
            ),
        ],
    );
}

#[test]
fn the_school_procedure_names_the_rulebook_the_team_the_levels_and_who_notifies_whom() {
    mentions(
        "school-procedure",
        &[
            ("11/2024", "11/2024"),
            (
                "Тим за заштиту од дискриминације, насиља, злостављања и занемаривања",
                "Team for protection from discrimination, violence, abuse and neglect",
            ),
            ("Нивоа су три", "There are three levels"),
            ("Директор", "Principal"),
            ("центар за социјални рад", "Centre for Social Work"),
            ("јавно тужилаштво", "public prosecutor"),
            (
                "Центар за заштиту жртава трговине људима",
                "Centre for Human Trafficking Victims' Protection",
            ),
            ("Шта значи „одмах“", "What 'immediately' means"),
            ("истог дана", "the same day"),
        ],
    );
}

#[test]
fn confidentiality_covers_names_the_call_log_and_the_law() {
    mentions(
        "confidentiality",
        &[
            ("не тражи име детета", "does not ask for the child's name"),
            ("евиденцији позива", "call log"),
            ("87/2018", "87/2018"),
        ],
    );
}

#[test]
fn who_does_what_names_every_actor() {
    mentions(
        "who-does-what",
        &[
            ("Запослени у школи", "School staff"),
            ("Тим за заштиту", "Team for protection"),
            ("Директор", "Principal"),
            ("Центар за социјални рад", "Centre for Social Work"),
            (
                "Полиција и јавно тужилаштво",
                "Police and public prosecutor",
            ),
            (
                "Центар за заштиту жртава трговине људима",
                "Centre for Human Trafficking Victims' Protection",
            ),
            (
                "националног координатора",
                "National Anti-Trafficking Coordinator",
            ),
            ("АСТРА", "ASTRA"),
            ("116 000", "116 000"),
            ("116 111", "116 111"),
            ("19833", "19833"),
            ("Атина", "Atina"),
        ],
    );
}

#[test]
fn about_names_the_2015_list_the_2021_revision_and_the_action() {
    mentions(
        "about-indicators",
        &[
            ("2015", "2015"),
            ("ревидирана 2021", "revised in 2021"),
            (
                "Европске уније и Савета Европе",
                "European Union and Council of Europe",
            ),
            ("није текст Министарства", "not the Ministry's text"),
            ("нису проверени позивом", "have not been checked by calling"),
        ],
    );
    for source in guidance().sources() {
        assert!(
            source.published().is_some() || source.read().is_some(),
            "{}",
            source.url()
        );
    }
}

#[test]
fn search_text_covers_every_section_in_every_locale() {
    let guidance = guidance();
    for locale in Locale::ALL {
        let texts: Vec<_> = guidance.section_texts(locale).collect();
        assert_eq!(texts.len(), guidance.sections().len());
        for text in &texts {
            assert!(
                !text.title.is_empty() && text.body.len() > 100,
                "{}",
                text.id
            );
            if locale != Locale::SrCyrl {
                assert!(!has_cyrillic(&text.title), "{}", text.id);
                assert!(!has_cyrillic(&text.body), "{}", text.id);
            }
        }
    }
}

#[test]
fn every_section_tells_what_to_do_in_danger_or_points_to_who_does() {
    // Each form section ends with what to do, and mentions 192 for danger.
    let guidance = guidance();
    for form in Form::ALL {
        let name = serde_json::to_value(form).unwrap();
        let id = name.as_str().unwrap();
        let body = section(&guidance, id).body_text(Locale::En);
        assert!(body.contains("What to do:"), "{id}");
        assert!(body.contains("192"), "{id}");
    }
}

/// Every line of every section's body in `locale`, with the section it belongs to.
fn lines(locale: Locale) -> Vec<(String, String)> {
    guidance()
        .sections()
        .iter()
        .flat_map(|section| {
            let id = section.id().as_str().to_owned();
            section
                .body_text(locale)
                .lines()
                .map(|line| (id.clone(), line.to_owned()))
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Asserts that no section says any of `phrases` in `locale`.
fn never_says(locale: Locale, phrases: &[&str]) {
    for (id, line) in lines(locale) {
        for phrase in phrases {
            assert!(
                !line.contains(phrase),
                "{id} ({locale:?}) still says {phrase}: {line}"
            );
        }
    }
}

#[test]
fn forced_marriage_is_counted_by_the_centre_and_has_its_own_offences() {
    // The Centre counts it among the forms of trafficking; the law does not make every forced
    // marriage trafficking.
    never_says(
        Locale::SrCyrl,
        &["води као облик трговине људима", "се у Србији води као"],
    );
    never_says(
        Locale::En,
        &[
            "Serbia counts as a form",
            "forced marriage is counted as a form",
        ],
    );
    mentions(
        "what-is-trafficking",
        &[("у својој статистици", "in its figures")],
    );
    mentions(
        "child-marriage",
        &[
            ("члан 187а", "Article 187a"),
            ("члан 190", "Article 190"),
            (
                "ванбрачну заједницу са малолетним лицем",
                "cohabitation with a minor",
            ),
            // Found in expert sources, not the official text: the guidance says so.
            ("не у службеном тексту", "not in the official text"),
        ],
    );
}

#[test]
fn an_imminent_marriage_of_a_child_means_192_whatever_the_child_says() {
    let guidance = guidance();
    let section = section(&guidance, "child-marriage");
    for (locale, unconditional, conditions) in [
        (
            Locale::SrCyrl,
            "шта год дете о томе говорило",
            ["противи", "не жели"],
        ),
        (
            Locale::En,
            "whatever the child says",
            ["does not want", "objects"],
        ),
    ] {
        let body = section.body_text(locale);
        let calls: Vec<&str> = body.lines().filter(|line| line.contains("192")).collect();
        assert!(
            calls.iter().any(|line| line.contains(unconditional)),
            "{locale:?}: {calls:?}"
        );
        for line in calls {
            for condition in conditions {
                assert!(!line.contains(condition), "{locale:?}: {line}");
            }
        }
    }
}

#[test]
fn the_adoption_article_does_not_state_an_age_it_could_not_check() {
    // Article 389's age was read only in a text amended to 2012; the guidance says so rather
    // than stating "under 14" as the law.
    never_says(Locale::SrCyrl, &["млађом од 14 година ради усвојења"]);
    never_says(Locale::En, &["children under 14 for adoption"]);
    mentions(
        "what-is-trafficking",
        &[
            ("(389)", "(389)"),
            (
                "узраста који одређује сам Законик",
                "an age the Code itself sets",
            ),
            ("узраст проверите", "check the age"),
        ],
    );
}

#[test]
fn the_duty_to_report_binds_bodies_and_legal_persons_not_every_individual() {
    never_says(Locale::SrCyrl, &["физичка лица"]);
    never_says(Locale::En, &["legal entities and individuals"]);
    mentions(
        "school-procedure",
        &[
            ("члан 280", "Article 280"),
            ("правна лица", "legal persons"),
            ("Школа је правно лице", "A school is a legal person"),
            ("свако може да пријави", "anyone may report"),
            (
                "сумњу без одлагања пренесете тиму или директору",
                "pass the suspicion on to the team or the principal without delay",
            ),
        ],
    );
}

#[test]
fn traffickers_are_said_to_be_people_the_child_knows_not_foreigners() {
    // "странци" reads as "foreigners" in Serbian.
    never_says(Locale::SrCyrl, &["странци"]);
    mentions(
        "what-is-trafficking",
        &[(
            "најчешће нису непознате особе, већ људи које дете познаје",
            "not strangers but people the child knows",
        )],
    );
}

#[test]
fn finding_the_centre_for_social_work_allows_for_centres_covering_several_municipalities() {
    never_says(Locale::SrCyrl, &["Сваки град или општина има свој центар"]);
    never_says(
        Locale::En,
        &["Each town or municipality has its own centre"],
    );
    for id in ["who-does-what", "school-procedure"] {
        mentions(
            id,
            &[
                ("покривају више општина", "cover several municipalities"),
                (
                    "питајте стручну службу школе",
                    "ask the school's psychologist or pedagogue",
                ),
                ("локалне контакте", "local contacts"),
            ],
        );
    }
}

#[test]
fn the_school_administration_part_says_what_could_not_be_checked() {
    mentions(
        "school-procedure",
        &[
            ("Школска управа:", "School administration:"),
            ("11/2024", "11/2024"),
            ("нисмо могли да проверимо", "we could not check this"),
        ],
    );
}

#[test]
fn health_signs_are_recorded_as_seen_or_heard_never_as_a_diagnosis() {
    // The checklist asks about pregnancy, infections, self-harm and substances, so the
    // guidance must not claim the app never asks about health.
    never_says(Locale::SrCyrl, &["Апликација их не тражи"]);
    never_says(Locale::En, &["The app does not ask for them"]);
    mentions(
        "confidentiality",
        &[
            ("трудноћа", "pregnancy"),
            ("самоповређивање", "self-harm"),
            ("никада као дијагноза", "never as a diagnosis"),
            (
                "никада из здравствене или друге евиденције",
                "never from health or other records",
            ),
            ("кад пишете белешку", "when you write a note"),
        ],
    );
}

#[test]
fn the_guidance_says_what_the_list_of_signs_is_built_on() {
    mentions(
        "about-indicators",
        &[
            ("Препознај 2026.1", "Prepoznaj 2026.1"),
            (
                "шест области ревизије Министарства из 2021",
                "six areas of the Ministry's 2021 revision",
            ),
            ("UNODC", "UNODC"),
            (
                "Међународне организације рада",
                "International Labour Organization",
            ),
            (
                "нисмо имали у целини",
                "did not have the Ministry's 2015 and 2021 lists in full",
            ),
        ],
    );
}

#[test]
fn the_reference_hint_offers_a_case_number_never_a_class() {
    let hints = [
        (
            include_str!("../../../locales/sr-Cyrl.json"),
            ('„', '”'),
            ["одељење", "евиденције тима"],
        ),
        (
            include_str!("../../../locales/en.json"),
            ('“', '”'),
            ["class", "team's own records"],
        ),
    ];
    for (messages, (open, close), says) in hints {
        let messages: serde_json::Value = serde_json::from_str(messages).unwrap();
        let hint = messages["start_reference_hint"].as_str().unwrap();
        for phrase in says {
            assert!(hint.contains(phrase), "{hint}");
        }
        // The example is something the app accepts and that holds no class: no school year
        // followed by a class letter, as in "7б-3".
        let example = hint
            .split(open)
            .nth(1)
            .and_then(|rest| rest.split(close).next())
            .unwrap();
        assert!(
            prepoznaj_domain::reference::Reference::parse(example).is_ok(),
            "{example}"
        );
        let mut characters = example.chars().peekable();
        while let Some(character) = characters.next() {
            let next = characters.peek().copied().unwrap_or(' ');
            assert!(
                !(character.is_ascii_digit() && next.is_alphabetic()),
                "{example} looks like a class"
            );
        }
    }
}
