//! Checks on every source the shipped content cites (the guidance's sources and each
//! national contact's): an address to open, a title in Serbian and in English, a publisher
//! and a date; official and primary sources where the research found them; and, where only
//! a site's address is known, a note saying the page address was not recorded.

use prepoznaj_domain::contacts::Directory;
use prepoznaj_domain::guidance::Guidance;
use prepoznaj_domain::source::Source;
use prepoznaj_domain::transliteration::has_cyrillic;

const GUIDANCE: &str = include_str!("../../../public/content/guidance/2026.1.json");
const CONTACTS: &str = include_str!("../../../public/content/contacts/national.json");

fn guidance() -> Guidance {
    match Guidance::parse(GUIDANCE) {
        Ok(guidance) => guidance,
        Err(error) => panic!("the shipped guidance does not parse: {error}"),
    }
}

fn directory() -> Directory {
    match Directory::parse(CONTACTS) {
        Ok(directory) => directory,
        Err(error) => panic!("the shipped contacts do not parse: {error}"),
    }
}

/// Every source in the shipped content, with where it is cited.
fn all_sources() -> Vec<(String, Source)> {
    let mut sources: Vec<(String, Source)> = guidance()
        .sources()
        .iter()
        .map(|source| ("guidance".to_owned(), source.clone()))
        .collect();
    for contact in directory().contacts() {
        for source in contact.sources() {
            sources.push((format!("contact {}", contact.id()), source.clone()));
        }
    }
    sources
}

#[test]
fn every_source_has_an_address_both_titles_a_publisher_and_a_date() {
    let sources = all_sources();
    assert!(sources.len() > 60, "only {} sources", sources.len());
    for (cited_by, source) in &sources {
        let url = source.url();
        assert!(
            url.starts_with("https://") || url.starts_with("http://"),
            "{cited_by}: {url}"
        );
        for text in [source.title(), source.publisher()] {
            assert!(has_cyrillic(&text.sr), "{cited_by}: {url}");
            assert!(!text.en.trim().is_empty(), "{cited_by}: {url}");
            assert!(!has_cyrillic(&text.en), "{cited_by}: {url}");
        }
        assert_ne!(source.title().sr, source.title().en, "{cited_by}: {url}");
        assert!(
            source.published().is_some() || source.read().is_some(),
            "{cited_by}: {url} has no date"
        );
    }
}

#[test]
fn the_primary_sources_are_cited() {
    let sources = all_sources();
    let cites = |host: &str| {
        sources
            .iter()
            .any(|(_, source)| source.url().contains(host))
    };
    for host in [
        // GRETA (Council of Europe) and the Council of Europe's Belgrade Office
        "coe.int/be/web/portal/-/greta-s-new-report-on-serbia",
        "coe.int/sr/web/belgrade",
        // The Ministry of Education, the Ministry of the Interior, the Centre
        "prosveta.gov.rs/prosveta/",
        "mup.gov.rs/wps/portal/sr/direkcija-policije/ojdpp",
        "centarzztlj.rs",
        // The Criminal Code's text, the Criminal Procedure Code's article 280 and the 2024 rulebook
        "astra.rs/zakoni/",
        "ojtpozarevac.com/podnosenje-krivicnih-prijava/",
        "profisistem.com/najnovije-pravne-vesti/novi-protokol",
    ] {
        assert!(cites(host), "{host} is not cited");
    }
    let rulebook = sources
        .iter()
        .find(|(_, source)| source.url().contains("profisistem.com"))
        .map(|(_, source)| source.clone());
    assert!(rulebook.is_some_and(|source| {
        source
            .note()
            .is_some_and(|note| note.sr.contains("11/2024") && note.en.contains("11/2024"))
    }));
}

#[test]
fn tabloid_citations_are_replaced_where_a_primary_source_exists() {
    for (cited_by, source) in all_sources() {
        for tabloid in ["kurir.rs", "telegraf.rs", "alo.rs", "ecofeminizam.com"] {
            assert!(
                !source.url().contains(tabloid),
                "{cited_by}: {}",
                source.url()
            );
        }
    }
}

#[test]
fn a_source_known_only_by_its_site_says_that_the_page_address_was_not_recorded() {
    let mut site_only = 0;
    for (cited_by, source) in all_sources() {
        let url = source.url();
        let path = url
            .split_once("://")
            .map(|(_, rest)| rest)
            .and_then(|rest| rest.split_once('/'))
            .map_or("", |(_, path)| path);
        if path.is_empty() || path == "eng/" {
            site_only += 1;
            let note = source.note();
            assert!(
                note.is_some_and(|note| note.en.contains("was not recorded")
                    && note.sr.contains("није забележена")),
                "{cited_by}: {url}"
            );
        }
    }
    assert!(site_only > 0);
}
