//! The guidance: the reading pages that explain child trafficking, the signs of concern and
//! what school staff do about them, as one versioned piece of data
//! (`public/content/guidance/<version>.json`).
//!
//! A [`Guidance`] only exists parsed and checked whole by [`Guidance::parse`]: sections with
//! unique ids that are valid HTML anchors (the checklist links to `/guidance#<id>`), blocks
//! that say something, Serbian Cyrillic and English in every text, sources (each with its
//! address, titles and date: [`crate::source`]) and what the guidance takes from each. Serbian Latin is
//! derived from the Cyrillic and never stored.
//!
//! [`Guidance::link`] checks the guidance against the indicator catalogue it was written for
//! and says which indicators each section explains; [`Guidance::section_texts`] gives the
//! plain text of each section and [`Guidance::search_texts`] every text the guidance search
//! indexes (sections, then the catalogue's indicators).
//!
//! In the JSON, keys are `snake_case`, section ids and enum values are kebab-case, and each
//! block has a `kind`: `paragraph`, `list` or `callout` (with a `tone`: `info` or `danger`).
//!
//! This module holds no wording (that lives in `public/content/guidance/`), renders nothing
//! and does no IO.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::catalogue::{
    Catalogue, CatalogueVersion, GuidanceId, IndicatorId, LocalizedText, TextError,
    is_well_formed_id,
};
use crate::date::CalendarDate;
use crate::locale::{Locale, Unreviewed};
use crate::source::Source;

/// How a callout is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Tone {
    /// Something to keep in mind.
    Info,
    /// A warning: the child's safety or a mistake that can harm them.
    Danger,
}

/// One block of a section, in reading order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Block {
    Paragraph {
        text: LocalizedText,
    },
    /// A bulleted list; a paragraph before it usually introduces it.
    List {
        items: Vec<LocalizedText>,
    },
    /// A paragraph set apart from the text around it.
    Callout {
        tone: Tone,
        text: LocalizedText,
    },
}

impl Block {
    /// The block's texts in reading order: one, or each list item.
    #[must_use]
    pub fn texts(&self) -> &[LocalizedText] {
        match self {
            Block::Paragraph { text } | Block::Callout { text, .. } => std::slice::from_ref(text),
            Block::List { items } => items,
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            Block::Paragraph { .. } => "paragraph",
            Block::List { .. } => "list",
            Block::Callout { .. } => "callout",
        }
    }
}

/// One section of the guidance, reachable at `/guidance#<id>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Section {
    id: GuidanceId,
    title: LocalizedText,
    blocks: Vec<Block>,
}

impl Section {
    /// The section's stable id, also its HTML anchor.
    #[must_use]
    pub fn id(&self) -> &GuidanceId {
        &self.id
    }

    #[must_use]
    pub fn title(&self) -> &LocalizedText {
        &self.title
    }

    /// The blocks, in reading order (at least one).
    #[must_use]
    pub fn blocks(&self) -> &[Block] {
        &self.blocks
    }

    /// The section's body as plain text in `locale`: every paragraph, list item and callout,
    /// one per line, without the title.
    #[must_use]
    pub fn body_text(&self, locale: Locale) -> String {
        let lines: Vec<String> = self
            .blocks
            .iter()
            .flat_map(Block::texts)
            .map(|text| text.get(locale).into_owned())
            .collect();
        lines.join("\n")
    }
}

/// The plain text of one section in one locale, for the search index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectionText {
    pub id: GuidanceId,
    pub title: String,
    pub body: String,
}

/// One text the guidance search indexes, in one locale: a section (its title, then its body)
/// or an indicator (its text, then its hint), with the section a result opens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchText {
    /// The section a result opens.
    pub section: GuidanceId,
    /// The indicator's area title, or `None` for a section.
    pub area: Option<String>,
    /// The section title or the indicator text.
    pub head: String,
    /// The section body or the indicator hint, if any.
    pub body: Option<String>,
}

/// The guidance file as written, before it is checked.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct GuidanceFile {
    version: String,
    catalogue: CatalogueVersion,
    updated: CalendarDate,
    #[serde(default)]
    unreviewed: Unreviewed,
    sections: Vec<Section>,
    sources: Vec<Source>,
}

/// A checked guidance file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Guidance {
    version: String,
    catalogue: CatalogueVersion,
    updated: CalendarDate,
    unreviewed: Unreviewed,
    sections: Vec<Section>,
    sources: Vec<Source>,
}

/// Why a guidance file was refused. The first problem found is reported.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GuidanceError {
    #[error("the guidance does not match the guidance format: {message}")]
    Syntax { message: String },
    #[error("version `{version}` is not lowercase kebab-case")]
    BadVersion { version: String },
    #[error("the guidance has no sections")]
    NoSections,
    #[error(
        "section id `{id}` is not a valid anchor: lowercase ascii letters and digits joined by single hyphens, starting with a letter"
    )]
    BadSectionId { id: String },
    #[error("section `{id}` is declared more than once")]
    DuplicateSection { id: String },
    #[error("section `{section}` has no blocks")]
    EmptySection { section: String },
    #[error("block {block} of section `{section}` is a list with no items")]
    EmptyList { section: String, block: usize },
    #[error("{field}: {problem}")]
    Text { field: String, problem: TextError },
    #[error("the guidance lists no sources")]
    NoSources,
    #[error("source {source_number} does not say what the guidance takes from it")]
    SourceWithoutNote { source_number: usize },
}

/// Why a guidance file does not fit a catalogue.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GuidanceLinkError {
    #[error("the guidance was written for catalogue `{expected}`, not `{found}`")]
    WrongCatalogue { expected: String, found: String },
    #[error(
        "indicator `{indicator}` links to guidance section `{section}`, which the guidance does not have"
    )]
    DanglingLink { indicator: String, section: String },
    #[error(
        "the catalogue declares guidance section `{section}`, which the guidance does not have"
    )]
    MissingSection { section: String },
}

impl Guidance {
    /// Parses and checks a guidance file.
    ///
    /// # Errors
    /// The first problem found: malformed JSON or an unknown field, a bad version or date, a
    /// bad or repeated section id, an empty section or list, a missing or wrong-script text,
    /// no sources, a source without an address, a date or a note.
    pub fn parse(json: &str) -> Result<Guidance, GuidanceError> {
        let file: GuidanceFile =
            serde_json::from_str(json).map_err(|error| GuidanceError::Syntax {
                message: error.to_string(),
            })?;
        check(&file)?;
        Ok(Guidance {
            version: file.version,
            catalogue: file.catalogue,
            updated: file.updated,
            unreviewed: file.unreviewed,
            sections: file.sections,
            sources: file.sources,
        })
    }

    /// The guidance's own version, such as `2021-r1`.
    #[must_use]
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The catalogue version this guidance explains.
    #[must_use]
    pub fn catalogue(&self) -> &CatalogueVersion {
        &self.catalogue
    }

    /// When the text was last updated; the guidance screen shows it with the sources.
    #[must_use]
    pub fn updated(&self) -> CalendarDate {
        self.updated
    }

    /// Whether the texts in `locale` still need review by a native speaker in child
    /// protection (the guidance screen says so in one line).
    #[must_use]
    pub fn needs_review(&self, locale: Locale) -> bool {
        self.unreviewed.contains(locale)
    }

    /// The sections, in reading order.
    #[must_use]
    pub fn sections(&self) -> &[Section] {
        &self.sections
    }

    #[must_use]
    pub fn section(&self, id: &GuidanceId) -> Option<&Section> {
        self.sections.iter().find(|section| &section.id == id)
    }

    /// The sources, in the order they are listed at the end of the guidance.
    #[must_use]
    pub fn sources(&self) -> &[Source] {
        &self.sources
    }

    /// Checks the guidance against `catalogue` and says which indicators each section
    /// explains.
    ///
    /// # Errors
    /// When the guidance was written for another catalogue version, an indicator links to a
    /// section the guidance does not have (the error names the indicator), or the catalogue
    /// declares such a section.
    pub fn link(&self, catalogue: &Catalogue) -> Result<GuidanceLinks, GuidanceLinkError> {
        if &self.catalogue != catalogue.version() {
            return Err(GuidanceLinkError::WrongCatalogue {
                expected: self.catalogue.to_string(),
                found: catalogue.version().to_string(),
            });
        }
        let mut by_section: BTreeMap<GuidanceId, Vec<IndicatorId>> = self
            .sections
            .iter()
            .map(|section| (section.id.clone(), Vec::new()))
            .collect();
        for indicator in catalogue.indicators() {
            match by_section.get_mut(indicator.guidance()) {
                Some(indicators) => indicators.push(indicator.id().clone()),
                None => {
                    return Err(GuidanceLinkError::DanglingLink {
                        indicator: indicator.id().to_string(),
                        section: indicator.guidance().to_string(),
                    });
                }
            }
        }
        if let Some(missing) = catalogue
            .guidance_sections()
            .iter()
            .find(|section| !by_section.contains_key(*section))
        {
            return Err(GuidanceLinkError::MissingSection {
                section: missing.to_string(),
            });
        }
        Ok(GuidanceLinks { by_section })
    }

    /// Each section's id, title and body as plain text in `locale`, in reading order: what
    /// the search index consumes.
    pub fn section_texts(&self, locale: Locale) -> impl Iterator<Item = SectionText> + '_ {
        self.sections.iter().map(move |section| SectionText {
            id: section.id.clone(),
            title: section.title.get(locale).into_owned(),
            body: section.body_text(locale),
        })
    }

    /// Everything the guidance search indexes in `locale`, in reading order: every section,
    /// then every indicator of `catalogue` in catalogue order.
    #[must_use]
    pub fn search_texts(&self, catalogue: &Catalogue, locale: Locale) -> Vec<SearchText> {
        let sections = self.section_texts(locale).map(|section| SearchText {
            section: section.id,
            area: None,
            head: section.title,
            body: Some(section.body).filter(|body| !body.is_empty()),
        });
        let indicators = catalogue.areas().iter().flat_map(|area| {
            let area_title = area.title().get(locale).into_owned();
            area.indicators().iter().map(move |indicator| SearchText {
                section: indicator.guidance().clone(),
                area: Some(area_title.clone()),
                head: indicator.text().get(locale).into_owned(),
                body: indicator.hint().map(|hint| hint.get(locale).into_owned()),
            })
        });
        sections.chain(indicators).collect()
    }

    /// Every translated text of the guidance, with a label saying where it is, the sources'
    /// titles, publishers and notes included.
    #[must_use]
    pub fn ui_texts(&self) -> Vec<(String, &LocalizedText)> {
        let mut texts = Vec::new();
        for section in &self.sections {
            texts.push((format!("section `{}` title", section.id), &section.title));
            for (index, block) in section.blocks.iter().enumerate() {
                for text in block.texts() {
                    texts.push((
                        format!("section `{}` block {}", section.id, index + 1),
                        text,
                    ));
                }
            }
        }
        for (index, source) in self.sources.iter().enumerate() {
            texts.extend(source.ui_texts(&format!("source {}", index + 1)));
        }
        texts
    }
}

/// Which indicators link to each guidance section, in catalogue order; made by
/// [`Guidance::link`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuidanceLinks {
    by_section: BTreeMap<GuidanceId, Vec<IndicatorId>>,
}

impl GuidanceLinks {
    /// The indicators that link to `section`, in catalogue order; empty when none do or
    /// the section is unknown.
    #[must_use]
    pub fn indicators_for(&self, section: &GuidanceId) -> &[IndicatorId] {
        self.by_section.get(section).map_or(&[], Vec::as_slice)
    }
}

/// Checks a guidance file whole; see [`Guidance::parse`].
fn check(file: &GuidanceFile) -> Result<(), GuidanceError> {
    if !is_well_formed_id(&file.version) {
        return Err(GuidanceError::BadVersion {
            version: file.version.clone(),
        });
    }
    if !is_well_formed_id(file.catalogue.as_str()) {
        return Err(GuidanceError::BadVersion {
            version: file.catalogue.to_string(),
        });
    }
    if file.sections.is_empty() {
        return Err(GuidanceError::NoSections);
    }
    let mut seen = BTreeSet::new();
    for section in &file.sections {
        let id = section.id.as_str();
        if !is_anchor(id) {
            return Err(GuidanceError::BadSectionId { id: id.to_owned() });
        }
        if !seen.insert(id) {
            return Err(GuidanceError::DuplicateSection { id: id.to_owned() });
        }
        check_section(section)?;
    }
    if file.sources.is_empty() {
        return Err(GuidanceError::NoSources);
    }
    // Each source's address, date, title and publisher are checked as it is read
    // (`crate::source`); the guidance also needs to say what it takes from each.
    if let Some(index) = file
        .sources
        .iter()
        .position(|source| source.note().is_none())
    {
        return Err(GuidanceError::SourceWithoutNote {
            source_number: index + 1,
        });
    }
    Ok(())
}

fn check_section(section: &Section) -> Result<(), GuidanceError> {
    let id = &section.id;
    check_text(&section.title, || format!("section `{id}` title"))?;
    if section.blocks.is_empty() {
        return Err(GuidanceError::EmptySection {
            section: id.to_string(),
        });
    }
    for (index, block) in section.blocks.iter().enumerate() {
        let block_number = index + 1;
        if block.texts().is_empty() {
            return Err(GuidanceError::EmptyList {
                section: id.to_string(),
                block: block_number,
            });
        }
        for text in block.texts() {
            check_text(text, || {
                format!("section `{id}` block {block_number} ({})", block.kind())
            })?;
        }
    }
    Ok(())
}

fn check_text(text: &LocalizedText, field: impl Fn() -> String) -> Result<(), GuidanceError> {
    text.check().map_err(|problem| GuidanceError::Text {
        field: field(),
        problem,
    })
}

/// A section id must work as an HTML `id` and in a URL fragment without escaping: lowercase
/// ASCII words of letters and digits joined by single hyphens, starting with a letter.
fn is_anchor(id: &str) -> bool {
    id.starts_with(|c: char| c.is_ascii_lowercase())
        && id.split('-').all(|word| {
            !word.is_empty()
                && word
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// The guidance the app ships, for tests across the crate.
#[cfg(test)]
pub(crate) fn shipped_guidance() -> Guidance {
    match Guidance::parse(include_str!("../../../public/content/guidance/2026.1.json")) {
        Ok(guidance) => guidance,
        Err(error) => panic!("the shipped guidance does not parse: {error}"),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;
    use crate::catalogue::shipped_catalogue;

    /// A small valid guidance file, changed by `edit`, then parsed.
    fn parse_edited(edit: impl FnOnce(&mut Value)) -> Result<Guidance, GuidanceError> {
        let mut value = json!({
            "version": "2026.1",
            "catalogue": "2026.1",
            "updated": "2026-11-27",
            "sections": [
                {
                    "id": "what-is-trafficking",
                    "title": { "sr": "Шта је трговина децом", "en": "What child trafficking is" },
                    "blocks": [
                        { "kind": "paragraph", "text": { "sr": "Први пасус.", "en": "First paragraph." } },
                        { "kind": "list", "items": [
                            { "sr": "прва ставка", "en": "first item" },
                            { "sr": "друга ставка", "en": "second item" }
                        ] },
                        { "kind": "callout", "tone": "danger", "text": { "sr": "Позовите 192.", "en": "Call 192." } }
                    ]
                },
                {
                    "id": "step-2",
                    "title": { "sr": "Други корак", "en": "Second step" },
                    "blocks": [
                        { "kind": "paragraph", "text": { "sr": "Текст.", "en": "Text." } }
                    ]
                }
            ],
            "sources": [
                {
                    "url": "https://astra.rs/zakoni/",
                    "title": { "sr": "Кривични законик, члан 388", "en": "Criminal Code, Article 388" },
                    "publisher": { "sr": "АСТРА", "en": "ASTRA" },
                    "published": "2012",
                    "note": { "sr": "Дефиниција.", "en": "The definition." }
                }
            ]
        });
        edit(&mut value);
        Guidance::parse(&value.to_string())
    }

    fn valid() -> Guidance {
        match parse_edited(|_| {}) {
            Ok(guidance) => guidance,
            Err(error) => panic!("the test guidance does not parse: {error}"),
        }
    }

    #[test]
    fn a_valid_file_parses_with_its_parts() {
        let guidance = valid();
        assert_eq!(guidance.version(), "2026.1");
        assert_eq!(guidance.catalogue().as_str(), "2026.1");
        assert_eq!(guidance.updated().to_string(), "2026-11-27");
        assert_eq!(guidance.sections().len(), 2);
        assert_eq!(guidance.sources().len(), 1);
        let section = guidance.section(&"what-is-trafficking".into());
        assert!(section.is_some_and(|section| section.blocks().len() == 3));
        assert!(matches!(
            section.and_then(|section| section.blocks().last()),
            Some(Block::Callout {
                tone: Tone::Danger,
                ..
            })
        ));
        assert_eq!(guidance.section(&"nonexistent".into()), None);
    }

    #[test]
    fn section_text_is_every_block_in_order_in_the_locale() {
        let guidance = valid();
        let texts: Vec<SectionText> = guidance.section_texts(Locale::SrLatn).collect();
        assert_eq!(texts.len(), 2);
        assert_eq!(texts[0].id.as_str(), "what-is-trafficking");
        assert_eq!(texts[0].title, "Šta je trgovina decom");
        assert_eq!(
            texts[0].body,
            "Prvi pasus.\nprva stavka\ndruga stavka\nPozovite 192."
        );
        let english: Vec<SectionText> = guidance.section_texts(Locale::En).collect();
        assert_eq!(
            english[0].body,
            "First paragraph.\nfirst item\nsecond item\nCall 192."
        );
    }

    #[test]
    fn repeated_section_ids_are_refused() {
        let duplicate =
            parse_edited(|value| value["sections"][1]["id"] = json!("what-is-trafficking"));
        assert_eq!(
            duplicate,
            Err(GuidanceError::DuplicateSection {
                id: "what-is-trafficking".into()
            })
        );
    }

    #[test]
    fn section_ids_must_be_plain_anchors() {
        for bad in [
            "What-Is", "what_is", "what.is", "what is", "-what", "what-", "what--is", "2-steps",
            "", "šta-je",
        ] {
            assert_eq!(
                parse_edited(|value| value["sections"][0]["id"] = json!(bad)),
                Err(GuidanceError::BadSectionId { id: bad.into() }),
                "{bad}"
            );
        }
    }

    #[test]
    fn every_text_needs_serbian_cyrillic_and_english() {
        let no_english =
            parse_edited(|value| value["sections"][0]["blocks"][0]["text"]["en"] = json!(" "));
        assert_eq!(
            no_english,
            Err(GuidanceError::Text {
                field: "section `what-is-trafficking` block 1 (paragraph)".into(),
                problem: TextError::Missing { locale: "en" }
            })
        );
        let latin_serbian = parse_edited(|value| {
            value["sections"][0]["blocks"][1]["items"][1]["sr"] = json!("druga stavka")
        });
        assert_eq!(
            latin_serbian,
            Err(GuidanceError::Text {
                field: "section `what-is-trafficking` block 2 (list)".into(),
                problem: TextError::WrongScript { locale: "sr" }
            })
        );
        let no_title = parse_edited(|value| value["sections"][1]["title"]["sr"] = json!(""));
        assert!(
            matches!(no_title, Err(GuidanceError::Text { field, .. }) if field == "section `step-2` title")
        );
        let no_note = parse_edited(|value| value["sources"][0]["note"]["en"] = json!(""));
        assert!(
            matches!(&no_note, Err(GuidanceError::Syntax { message }) if message.contains("note: it has no en text")),
            "{no_note:?}"
        );
        let missing_field = parse_edited(|value| {
            if let Some(text) = value["sections"][0]["title"].as_object_mut() {
                text.remove("en");
            }
        });
        assert!(matches!(missing_field, Err(GuidanceError::Syntax { .. })));
    }

    #[test]
    fn sections_and_lists_must_not_be_empty() {
        assert_eq!(
            parse_edited(|value| value["sections"] = json!([])),
            Err(GuidanceError::NoSections)
        );
        assert_eq!(
            parse_edited(|value| value["sections"][1]["blocks"] = json!([])),
            Err(GuidanceError::EmptySection {
                section: "step-2".into()
            })
        );
        assert_eq!(
            parse_edited(|value| value["sections"][0]["blocks"][1]["items"] = json!([])),
            Err(GuidanceError::EmptyList {
                section: "what-is-trafficking".into(),
                block: 2
            })
        );
    }

    #[test]
    fn sources_must_be_listed_and_complete() {
        assert_eq!(
            parse_edited(|value| value["sources"] = json!([])),
            Err(GuidanceError::NoSources)
        );
        let without_address = parse_edited(|value| value["sources"][0]["url"] = json!(""));
        assert!(
            matches!(&without_address, Err(GuidanceError::Syntax { message }) if message.contains("not an http(s) address")),
            "{without_address:?}"
        );
        let without_date = parse_edited(|value| value["sources"][0]["published"] = json!(null));
        assert!(
            matches!(&without_date, Err(GuidanceError::Syntax { message }) if message.contains("neither a publication date")),
            "{without_date:?}"
        );
        let english_title_only =
            parse_edited(|value| value["sources"][0]["title"] = json!("Criminal Code"));
        assert!(matches!(
            english_title_only,
            Err(GuidanceError::Syntax { .. })
        ));
        assert_eq!(
            parse_edited(|value| {
                if let Some(source) = value["sources"][0].as_object_mut() {
                    source.remove("note");
                }
            }),
            Err(GuidanceError::SourceWithoutNote { source_number: 1 })
        );
        let guidance = valid();
        let texts = guidance.ui_texts();
        assert!(
            texts.iter().any(|(field, text)| field == "source 1 title"
                && text.sr == "Кривични законик, члан 388")
        );
    }

    #[test]
    fn versions_and_the_update_date_are_checked() {
        assert_eq!(
            parse_edited(|value| value["version"] = json!("2021 R1")),
            Err(GuidanceError::BadVersion {
                version: "2021 R1".into()
            })
        );
        assert_eq!(
            parse_edited(|value| value["catalogue"] = json!("")),
            Err(GuidanceError::BadVersion {
                version: String::new()
            })
        );
        let bad_date = parse_edited(|value| value["updated"] = json!("27 November 2026"));
        assert!(
            matches!(bad_date, Err(GuidanceError::Syntax { message }) if message.contains("yyyy-mm-dd"))
        );
    }

    #[test]
    fn unknown_fields_and_block_kinds_are_refused() {
        let typo = parse_edited(|value| value["sections"][0]["blokcs"] = json!([]));
        assert!(matches!(typo, Err(GuidanceError::Syntax { .. })));
        let kind = parse_edited(|value| value["sections"][0]["blocks"][0]["kind"] = json!("table"));
        assert!(matches!(kind, Err(GuidanceError::Syntax { .. })));
        let tone = parse_edited(|value| value["sections"][0]["blocks"][2]["tone"] = json!("loud"));
        assert!(matches!(tone, Err(GuidanceError::Syntax { .. })));
        let stray = parse_edited(|value| value["sections"][0]["blocks"][0]["tone"] = json!("info"));
        assert!(matches!(stray, Err(GuidanceError::Syntax { .. })));
        assert!(matches!(
            Guidance::parse("["),
            Err(GuidanceError::Syntax { .. })
        ));
    }

    #[test]
    fn the_shipped_guidance_links_every_indicator_of_the_shipped_catalogue() {
        let guidance = shipped_guidance();
        let catalogue = shipped_catalogue();
        let links = match guidance.link(&catalogue) {
            Ok(links) => links,
            Err(error) => panic!("{error}"),
        };
        let listed: usize = guidance
            .sections()
            .iter()
            .map(|section| links.indicators_for(section.id()).len())
            .sum();
        assert_eq!(listed, catalogue.indicator_count());
        // In catalogue order.
        let order: Vec<&IndicatorId> = catalogue.indicators().map(|i| i.id()).collect();
        for section in guidance.sections() {
            let positions: Vec<usize> = links
                .indicators_for(section.id())
                .iter()
                .filter_map(|id| order.iter().position(|known| *known == id))
                .collect();
            assert!(positions.windows(2).all(|pair| pair[0] < pair[1]));
        }
        assert!(links.indicators_for(&"nonexistent".into()).is_empty());
    }

    #[test]
    fn a_link_to_a_missing_section_names_the_indicator() {
        let catalogue = shipped_catalogue();
        let Some(indicator) = catalogue.indicators().next() else {
            panic!("the shipped catalogue has no indicators");
        };
        let without = parse_edited(|value| {
            value["sections"] = json!([{
                "id": "unrelated",
                "title": { "sr": "Наслов", "en": "Title" },
                "blocks": [{ "kind": "paragraph", "text": { "sr": "Текст.", "en": "Text." } }]
            }]);
        });
        let Ok(without) = without else {
            panic!("the edited guidance does not parse");
        };
        assert_eq!(
            without.link(&catalogue),
            Err(GuidanceLinkError::DanglingLink {
                indicator: indicator.id().to_string(),
                section: indicator.guidance().to_string(),
            })
        );
    }

    #[test]
    fn a_section_the_catalogue_declares_must_exist() {
        let catalogue = shipped_catalogue();
        let mut value: Value = match serde_json::from_str(include_str!(
            "../../../public/content/guidance/2026.1.json"
        )) {
            Ok(value) => value,
            Err(error) => panic!("the shipped guidance is not JSON: {error}"),
        };
        // Drop a section that is declared but that no indicator links to.
        let unlinked: Vec<String> = catalogue
            .guidance_sections()
            .iter()
            .filter(|section| {
                !catalogue
                    .indicators()
                    .any(|indicator| indicator.guidance() == *section)
            })
            .map(ToString::to_string)
            .collect();
        let Some(dropped) = unlinked.first() else {
            panic!("every declared section has indicators; pick another test");
        };
        if let Some(sections) = value["sections"].as_array_mut() {
            sections.retain(|section| section["id"] != json!(dropped));
        }
        let Ok(guidance) = Guidance::parse(&value.to_string()) else {
            panic!("the edited guidance does not parse");
        };
        assert_eq!(
            guidance.link(&catalogue),
            Err(GuidanceLinkError::MissingSection {
                section: dropped.clone()
            })
        );
    }

    #[test]
    fn guidance_for_another_catalogue_is_refused() {
        let Ok(other) = parse_edited(|value| value["catalogue"] = json!("2030-r1")) else {
            panic!("the edited guidance does not parse");
        };
        assert_eq!(
            other.link(&shipped_catalogue()),
            Err(GuidanceLinkError::WrongCatalogue {
                expected: "2030-r1".into(),
                found: "2026.1".into()
            })
        );
    }
}
