//! The indicator catalogue: areas, indicators, quick-mode signs and the assessment rules,
//! versioned together as one piece of data (for example `2021-r1`).
//!
//! A [`Catalogue`] only exists parsed and checked whole by [`Catalogue::parse`]: unique ids,
//! Serbian Cyrillic and English in every text, guidance links, quick-mode signs and rules
//! that resolve. Serbian is written once, in Cyrillic; Latin is derived by
//! [`crate::transliteration::to_latin`] and never stored.
//!
//! In the JSON, keys are `snake_case` and ids and enum values are kebab-case
//! (`behaviour.absent-without-reason`, `urgent`, `forced-begging`).
//!
//! This module holds no indicator wording (that lives in `public/content/catalogue/`), decides
//! no levels (that is [`crate::assessment`]) and knows nothing about observations.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::ops::RangeInclusive;

use serde::{Deserialize, Serialize};

use crate::assessment::{AssessmentRules, AssessmentRulesFile, Level, LevelAdvice};
use crate::locale::Locale;
use crate::transliteration::{has_cyrillic, to_latin};

/// How many indicators a catalogue must have.
pub const INDICATOR_COUNT: RangeInclusive<usize> = 40..=80;

/// How many quick-mode signs a catalogue must have.
pub const QUICK_SIGN_COUNT: RangeInclusive<usize> = 6..=10;

/// Guidance sections every catalogue must declare: the checklist and the guidance pages
/// link to them.
pub const REQUIRED_GUIDANCE_SECTIONS: [&str; 7] = [
    "what-is-trafficking",
    "using-indicators",
    "do-and-dont",
    "school-procedure",
    "confidentiality",
    "who-does-what",
    "about-indicators",
];

/// A string id newtype. Only the catalogue checks the format (lowercase kebab-case, with
/// dots between parts); elsewhere an id is just the text that was stored.
macro_rules! string_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Wraps an id as it is written in the catalogue.
            #[must_use]
            pub fn new(id: impl Into<String>) -> Self {
                Self(id.into())
            }

            /// The id as written in the catalogue.
            #[must_use]
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(id: &str) -> Self {
                Self(id.to_owned())
            }
        }
    };
}

pub(crate) use string_id;

string_id!(
    /// Version of a catalogue and its rules, such as `2021-r1`. A draft keeps the version it
    /// started with.
    CatalogueVersion
);
/// `content/catalogue/index.json`: the catalogue new observations start with. Every version a
/// draft may still use stays shipped beside it, so changing `current` is a content change
/// that needs no new code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogueIndex {
    /// The version new observations use.
    pub current: CatalogueVersion,
}

/// Why `content/catalogue/index.json` is not usable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the catalogue index is not valid: {0}")]
pub struct CatalogueIndexError(String);

impl CatalogueIndex {
    /// Parses the index file.
    ///
    /// # Errors
    /// [`CatalogueIndexError`] if the text is not `{"current": "<version>"}` with a version
    /// in the catalogue's id format.
    pub fn parse(text: &str) -> Result<CatalogueIndex, CatalogueIndexError> {
        let index: CatalogueIndex =
            serde_json::from_str(text).map_err(|error| CatalogueIndexError(error.to_string()))?;
        if !is_well_formed_id(index.current.as_str()) {
            return Err(CatalogueIndexError(format!(
                "`{}` is not a catalogue version",
                index.current
            )));
        }
        Ok(index)
    }
}

string_id!(
    /// An area of the checklist, such as `behaviour`.
    AreaId
);
string_id!(
    /// An indicator, `<area>.<name>`, such as `behaviour.absent-without-reason`. Stable across
    /// catalogue versions as long as its meaning is.
    IndicatorId
);
string_id!(
    /// A guidance section the checklist links to, such as `school-procedure`.
    GuidanceId
);
string_id!(
    /// A contact the advice recommends, such as `police-192`; the contacts list fills in the
    /// number.
    ContactId
);
string_id!(
    /// A quick-mode sign, such as `injury`.
    QuickSignId
);

/// A text written in Serbian Cyrillic and in English, and in Hungarian where it is
/// translated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LocalizedText {
    /// Serbian, Cyrillic script: the source of both Serbian scripts.
    pub sr: String,
    /// English.
    pub en: String,
    /// Hungarian, with Serbian proper names marked `{sr|…}` (see [`crate::foreign_names`]).
    /// Without it a Hungarian reader gets the Serbian text in Latin script.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hu: Option<String>,
}

impl LocalizedText {
    /// The text in `locale`, as read; Serbian Latin is transliterated from the Cyrillic on the
    /// way (and is what a Hungarian reader gets where there is no Hungarian text).
    #[must_use]
    pub fn get(&self, locale: Locale) -> Cow<'_, str> {
        match (locale, &self.hu) {
            (Locale::SrCyrl, _) => Cow::Borrowed(&self.sr),
            (Locale::SrLatn, _) | (Locale::Hu, None) => Cow::Owned(to_latin(&self.sr)),
            (Locale::En, _) => Cow::Borrowed(&self.en),
            (Locale::Hu, Some(hungarian)) => crate::foreign_names::plain(hungarian),
        }
    }

    /// The text in `locale` with its markup: Serbian names inside a Hungarian text stay marked
    /// `{sr|…}` for the app to give them their `lang` ([`crate::foreign_names::segments`]).
    #[must_use]
    pub fn marked(&self, locale: Locale) -> Cow<'_, str> {
        match (locale, &self.hu) {
            (Locale::Hu, Some(hungarian)) => Cow::Borrowed(hungarian),
            _ => self.get(locale),
        }
    }

    /// The locale the text of `locale` is really written in: Serbian Latin for a Hungarian
    /// reader of a text not yet translated, `locale` otherwise.
    #[must_use]
    pub fn written_in(&self, locale: Locale) -> Locale {
        match (locale, &self.hu) {
            (Locale::Hu, None) => Locale::SrLatn,
            _ => locale,
        }
    }

    /// Checks that both languages are there and each is in its script: Serbian in Cyrillic,
    /// English without Cyrillic.
    ///
    /// # Errors
    /// The first problem found, Serbian before English.
    pub fn check(&self) -> Result<(), TextError> {
        for (locale, value) in [("sr", &self.sr), ("en", &self.en)] {
            if value.trim().is_empty() {
                return Err(TextError::Missing { locale });
            }
        }
        if !has_cyrillic(&self.sr) {
            return Err(TextError::WrongScript { locale: "sr" });
        }
        if has_cyrillic(&self.en) {
            return Err(TextError::WrongScript { locale: "en" });
        }
        if let Some(hungarian) = &self.hu {
            if hungarian.trim().is_empty() {
                return Err(TextError::Missing { locale: "hu" });
            }
            if has_cyrillic(hungarian) {
                return Err(TextError::WrongScript { locale: "hu" });
            }
            if !crate::foreign_names::well_formed(hungarian) {
                return Err(TextError::Markup { locale: "hu" });
            }
        }
        Ok(())
    }
}

/// What is wrong with a [`LocalizedText`]; the content type that holds it names the field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("it has no {locale} text")]
    Missing { locale: &'static str },
    #[error("its {locale} text is not in the expected script")]
    WrongScript { locale: &'static str },
    #[error("its {locale} text has a Serbian name marked {{sr|…}} without its closing brace")]
    Markup { locale: &'static str },
}

/// What an observed indicator means for the assessment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// The child may be in immediate danger.
    Urgent,
    /// On its own reason enough to tell the school team today.
    Strong,
    /// Counts together with other signs.
    Supporting,
}

/// A form of exploitation an indicator can point to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Form {
    SexualExploitation,
    OnlineExploitation,
    ForcedBegging,
    ForcedCriminality,
    LabourExploitation,
    ChildMarriage,
}

impl Form {
    /// Every form, in the order the guidance lists them.
    pub const ALL: [Form; 6] = [
        Form::SexualExploitation,
        Form::OnlineExploitation,
        Form::ForcedBegging,
        Form::ForcedCriminality,
        Form::LabourExploitation,
        Form::ChildMarriage,
    ];
}

/// The pictures quick mode can show beside a sign; the app draws them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Icon {
    Injury,
    Tired,
    Scared,
    AdultWaiting,
    MoneyGifts,
    Phone,
    Absent,
    Begging,
    SaysSomething,
    Danger,
    TakenByForce,
    AfraidToGoHome,
    SleepsAtSchool,
    HandsMoney,
}

/// One sign of concern on the checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Indicator {
    id: IndicatorId,
    text: LocalizedText,
    #[serde(default)]
    hint: Option<LocalizedText>,
    guidance: GuidanceId,
    role: Role,
    #[serde(default)]
    forms: Vec<Form>,
    /// A supporting sign that poverty, neglect, illness or a family crisis explain as well
    /// as exploitation (absence, tiredness, hunger, …); rules of format 2 can ask for signs
    /// that are not.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    hardship: bool,
}

impl Indicator {
    #[must_use]
    pub fn id(&self) -> &IndicatorId {
        &self.id
    }

    /// The sign, as an observable fact.
    #[must_use]
    pub fn text(&self) -> &LocalizedText {
        &self.text
    }

    /// What this can look like at school.
    #[must_use]
    pub fn hint(&self) -> Option<&LocalizedText> {
        self.hint.as_ref()
    }

    /// The guidance section that explains this sign.
    #[must_use]
    pub fn guidance(&self) -> &GuidanceId {
        &self.guidance
    }

    #[must_use]
    pub fn role(&self) -> Role {
        self.role
    }

    /// The forms of exploitation this sign can point to; empty for general signs.
    #[must_use]
    pub fn forms(&self) -> &[Form] {
        &self.forms
    }

    /// Whether poverty, neglect, illness or a family crisis explain this sign as well as
    /// exploitation does (only ever a supporting sign).
    #[must_use]
    pub fn hardship(&self) -> bool {
        self.hardship
    }
}

/// A group of indicators, shown as one section of the checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Area {
    id: AreaId,
    title: LocalizedText,
    indicators: Vec<Indicator>,
}

impl Area {
    #[must_use]
    pub fn id(&self) -> &AreaId {
        &self.id
    }

    #[must_use]
    pub fn title(&self) -> &LocalizedText {
        &self.title
    }

    /// The area's indicators, in checklist order.
    #[must_use]
    pub fn indicators(&self) -> &[Indicator] {
        &self.indicators
    }
}

/// A plain-language warning sign for quick mode; choosing it marks its indicators observed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuickSign {
    id: QuickSignId,
    icon: Icon,
    text: LocalizedText,
    indicators: Vec<IndicatorId>,
}

impl QuickSign {
    #[must_use]
    pub fn id(&self) -> &QuickSignId {
        &self.id
    }

    #[must_use]
    pub fn icon(&self) -> Icon {
        self.icon
    }

    #[must_use]
    pub fn text(&self) -> &LocalizedText {
        &self.text
    }

    /// The catalogue indicators this sign stands for (at least one).
    #[must_use]
    pub fn indicators(&self) -> &[IndicatorId] {
        &self.indicators
    }
}

/// The catalogue file as written, before it is checked.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogueFile {
    version: CatalogueVersion,
    /// Translations not yet reviewed (see `locale::Unreviewed`); read for the file's sake.
    #[serde(default, rename = "unreviewed")]
    _unreviewed: crate::locale::Unreviewed,
    name: LocalizedText,
    about: LocalizedText,
    guidance_sections: Vec<GuidanceId>,
    contacts: Vec<ContactId>,
    areas: Vec<Area>,
    quick_signs: Vec<QuickSign>,
    assessment: AssessmentRulesFile,
}

/// A checked indicator catalogue with its quick-mode signs and assessment rules.
#[derive(Debug, Clone)]
pub struct Catalogue {
    version: CatalogueVersion,
    name: LocalizedText,
    about: LocalizedText,
    guidance_sections: Vec<GuidanceId>,
    contacts: Vec<ContactId>,
    areas: Vec<Area>,
    quick_signs: Vec<QuickSign>,
    assessment: AssessmentRules,
    /// Where each indicator is: index of its area, index within the area.
    positions: BTreeMap<IndicatorId, (usize, usize)>,
}

/// Why a catalogue file was refused. The first problem found is reported.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogueError {
    #[error("the catalogue does not match the catalogue format: {message}")]
    Syntax { message: String },
    #[error("id `{id}` is not lowercase kebab-case")]
    BadId { id: String },
    #[error("id `{id}` is declared more than once")]
    DuplicateId { id: String },
    #[error("{field} has no {locale} text")]
    MissingText { field: String, locale: &'static str },
    #[error("{field} in {locale} is not in the expected script")]
    WrongScript { field: String, locale: &'static str },
    #[error(
        "{field}: its {locale} text has a Serbian name marked {{sr|…}} without its closing brace"
    )]
    Markup { field: String, locale: &'static str },
    #[error("the catalogue has {count} indicators; it must have between 40 and 80")]
    IndicatorCount { count: usize },
    #[error("area `{area}` has no indicators")]
    EmptyArea { area: String },
    #[error("indicator `{indicator}` does not start with its area `{area}.`")]
    IndicatorOutsideArea { indicator: String, area: String },
    #[error("required guidance section `{section}` is not declared")]
    MissingGuidanceSection { section: String },
    #[error("indicator `{indicator}` links to undeclared guidance section `{section}`")]
    UnknownGuidance { indicator: String, section: String },
    #[error("indicator `{indicator}` is marked as a hardship sign but is not a supporting sign")]
    HardshipNotSupporting { indicator: String },
    #[error("the catalogue has {count} quick-mode signs; it must have between 6 and 10")]
    QuickSignCount { count: usize },
    #[error("quick-mode sign `{sign}` stands for no indicator")]
    EmptyQuickSign { sign: String },
    #[error("quick-mode sign `{sign}` stands for unknown indicator `{indicator}`")]
    UnknownIndicator { sign: String, indicator: String },
    #[error("level `{level}` recommends undeclared contact `{contact}`")]
    UnknownContact { level: String, contact: String },
    #[error("level `{level}` has no advice")]
    MissingLevel { level: String },
    #[error("level `{level}` has advice more than once")]
    DuplicateLevel { level: String },
    #[error("a rule leads to `nothing-marked`, which is only the level when no rule applies")]
    RuleForNothingMarked,
    #[error("a rule for `{level}` needs at least one indicator")]
    RuleThreshold { level: String },
    #[error("no rule sends a single observed urgent indicator to `immediate-danger`")]
    UrgentRuleMissing,
    #[error("rules format {format} is not one this app knows (1 or 2); update the app")]
    UnknownRulesFormat { format: u32 },
    #[error("a rule for `{level}` uses `{field}`, which needs rules format 2")]
    RuleNeedsFormat { level: String, field: &'static str },
    #[error("a rule for `{level}` asks for more of `{field}` than it counts")]
    RuleCondition { level: String, field: &'static str },
    #[error("the assessment has no guardrails")]
    NoGuardrails,
}

impl Catalogue {
    /// Parses and checks a catalogue file.
    ///
    /// # Errors
    /// The first problem found: malformed JSON, a bad or repeated id, a missing or
    /// wrong-script text, a link that does not resolve, an indicator or quick-sign count
    /// out of range, or an inconsistent rules table.
    pub fn parse(json: &str) -> Result<Catalogue, CatalogueError> {
        let file: CatalogueFile =
            serde_json::from_str(json).map_err(|error| CatalogueError::Syntax {
                message: error.to_string(),
            })?;
        Catalogue::check(file)
    }

    fn check(file: CatalogueFile) -> Result<Catalogue, CatalogueError> {
        check_id(file.version.as_str())?;
        check_text(&file.name, || "the catalogue's `name`".to_owned())?;
        check_text(&file.about, || "the catalogue's `about`".to_owned())?;
        let guidance = declared(&file.guidance_sections, GuidanceId::as_str)?;
        for section in REQUIRED_GUIDANCE_SECTIONS {
            if !guidance.contains(section) {
                return Err(CatalogueError::MissingGuidanceSection {
                    section: section.to_owned(),
                });
            }
        }
        let contacts = declared(&file.contacts, ContactId::as_str)?;

        declared(&file.areas, |area| area.id.as_str())?;
        let mut positions = BTreeMap::new();
        for (area_index, area) in file.areas.iter().enumerate() {
            check_text(&area.title, || format!("area `{}` title", area.id))?;
            if area.indicators.is_empty() {
                return Err(CatalogueError::EmptyArea {
                    area: area.id.to_string(),
                });
            }
            for (indicator_index, indicator) in area.indicators.iter().enumerate() {
                check_indicator(area, indicator, &guidance)?;
                if positions
                    .insert(indicator.id.clone(), (area_index, indicator_index))
                    .is_some()
                {
                    return Err(CatalogueError::DuplicateId {
                        id: indicator.id.to_string(),
                    });
                }
            }
        }
        if !INDICATOR_COUNT.contains(&positions.len()) {
            return Err(CatalogueError::IndicatorCount {
                count: positions.len(),
            });
        }

        if !QUICK_SIGN_COUNT.contains(&file.quick_signs.len()) {
            return Err(CatalogueError::QuickSignCount {
                count: file.quick_signs.len(),
            });
        }
        declared(&file.quick_signs, |sign| sign.id.as_str())?;
        for sign in &file.quick_signs {
            check_text(&sign.text, || format!("quick-mode sign `{}`", sign.id))?;
            if sign.indicators.is_empty() {
                return Err(CatalogueError::EmptyQuickSign {
                    sign: sign.id.to_string(),
                });
            }
            if let Some(unknown) = sign
                .indicators
                .iter()
                .find(|indicator| !positions.contains_key(*indicator))
            {
                return Err(CatalogueError::UnknownIndicator {
                    sign: sign.id.to_string(),
                    indicator: unknown.to_string(),
                });
            }
        }

        let assessment = AssessmentRules::check(file.assessment, &contacts)?;
        Ok(Catalogue {
            version: file.version,
            name: file.name,
            about: file.about,
            guidance_sections: file.guidance_sections,
            contacts: file.contacts,
            areas: file.areas,
            quick_signs: file.quick_signs,
            assessment,
            positions,
        })
    }

    #[must_use]
    pub fn version(&self) -> &CatalogueVersion {
        &self.version
    }

    /// The catalogue's display name, such as "Prepoznaj 2026.1, built on the six areas of
    /// the 2021 revision": shown wherever the version is, so nobody reads the id as the
    /// Ministry's list. It contains the version id, so old ids stay recognisable.
    #[must_use]
    pub fn name(&self) -> &LocalizedText {
        &self.name
    }

    /// Where this list comes from; shown on the "about the indicators" page.
    #[must_use]
    pub fn about(&self) -> &LocalizedText {
        &self.about
    }

    /// The areas, in checklist order.
    #[must_use]
    pub fn areas(&self) -> &[Area] {
        &self.areas
    }

    /// Every indicator, area by area, in checklist order.
    pub fn indicators(&self) -> impl Iterator<Item = &Indicator> {
        self.areas.iter().flat_map(|area| area.indicators.iter())
    }

    #[must_use]
    pub fn indicator_count(&self) -> usize {
        self.positions.len()
    }

    #[must_use]
    pub fn indicator(&self, id: &IndicatorId) -> Option<&Indicator> {
        let (area_index, indicator_index) = *self.positions.get(id)?;
        self.areas.get(area_index)?.indicators.get(indicator_index)
    }

    /// The area an indicator belongs to.
    #[must_use]
    pub fn area_of(&self, id: &IndicatorId) -> Option<&Area> {
        let (area_index, _) = *self.positions.get(id)?;
        self.areas.get(area_index)
    }

    #[must_use]
    pub fn contains(&self, id: &IndicatorId) -> bool {
        self.positions.contains_key(id)
    }

    #[must_use]
    pub fn guidance_sections(&self) -> &[GuidanceId] {
        &self.guidance_sections
    }

    /// Every contact the advice may recommend.
    #[must_use]
    pub fn contacts(&self) -> &[ContactId] {
        &self.contacts
    }

    #[must_use]
    pub fn quick_signs(&self) -> &[QuickSign] {
        &self.quick_signs
    }

    #[must_use]
    pub fn quick_sign(&self, id: &QuickSignId) -> Option<&QuickSign> {
        self.quick_signs.iter().find(|sign| &sign.id == id)
    }

    /// The rules table, the advice for each level and the guardrails.
    #[must_use]
    pub fn assessment(&self) -> &AssessmentRules {
        &self.assessment
    }

    /// The advice for a level.
    #[must_use]
    pub fn advice(&self, level: Level) -> &LevelAdvice {
        self.assessment.advice(level)
    }

    /// Every text of the catalogue that the app shows, with a label saying where it is.
    /// The `about` note is not included.
    pub fn ui_texts(&self) -> Vec<(String, &LocalizedText)> {
        let mut texts = vec![("the catalogue's `name`".to_owned(), &self.name)];
        for area in &self.areas {
            texts.push((format!("area `{}` title", area.id), &area.title));
            for indicator in &area.indicators {
                texts.push((format!("indicator `{}`", indicator.id), &indicator.text));
                if let Some(hint) = &indicator.hint {
                    texts.push((format!("indicator `{}` hint", indicator.id), hint));
                }
            }
        }
        for sign in &self.quick_signs {
            texts.push((format!("quick-mode sign `{}`", sign.id), &sign.text));
        }
        texts.extend(self.assessment.texts());
        texts
    }
}

fn check_indicator(
    area: &Area,
    indicator: &Indicator,
    guidance: &BTreeSet<&str>,
) -> Result<(), CatalogueError> {
    check_id(indicator.id.as_str())?;
    let in_area = indicator
        .id
        .as_str()
        .strip_prefix(area.id.as_str())
        .and_then(|rest| rest.strip_prefix('.'))
        .is_some_and(|name| !name.is_empty());
    if !in_area {
        return Err(CatalogueError::IndicatorOutsideArea {
            indicator: indicator.id.to_string(),
            area: area.id.to_string(),
        });
    }
    check_text(&indicator.text, || format!("indicator `{}`", indicator.id))?;
    if let Some(hint) = &indicator.hint {
        check_text(hint, || format!("indicator `{}` hint", indicator.id))?;
    }
    if !guidance.contains(indicator.guidance.as_str()) {
        return Err(CatalogueError::UnknownGuidance {
            indicator: indicator.id.to_string(),
            section: indicator.guidance.to_string(),
        });
    }
    if indicator.hardship && indicator.role != Role::Supporting {
        return Err(CatalogueError::HardshipNotSupporting {
            indicator: indicator.id.to_string(),
        });
    }
    Ok(())
}

/// Checks that every id in `items` is well formed and unique; returns the set of ids.
fn declared<'a, T>(
    items: &'a [T],
    id: impl Fn(&'a T) -> &'a str,
) -> Result<BTreeSet<&'a str>, CatalogueError> {
    let mut seen = BTreeSet::new();
    for item in items {
        let id = id(item);
        check_id(id)?;
        if !seen.insert(id) {
            return Err(CatalogueError::DuplicateId { id: id.to_owned() });
        }
    }
    Ok(seen)
}

/// Ids are lowercase ASCII words of letters and digits joined by single `-` or `.`.
fn check_id(id: &str) -> Result<(), CatalogueError> {
    if is_well_formed_id(id) {
        Ok(())
    } else {
        Err(CatalogueError::BadId { id: id.to_owned() })
    }
}

/// The id rule of [`check_id`], for other content files that use the same ids.
pub(crate) fn is_well_formed_id(id: &str) -> bool {
    id.split(['-', '.']).all(|word| {
        !word.is_empty()
            && word
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    })
}

/// Serbian must be present and in Cyrillic; English must be present and have no Cyrillic.
pub(crate) fn check_text(
    text: &LocalizedText,
    field: impl Fn() -> String,
) -> Result<(), CatalogueError> {
    text.check().map_err(|problem| match problem {
        TextError::Missing { locale } => CatalogueError::MissingText {
            field: field(),
            locale,
        },
        TextError::WrongScript { locale } => CatalogueError::WrongScript {
            field: field(),
            locale,
        },
        TextError::Markup { locale } => CatalogueError::Markup {
            field: field(),
            locale,
        },
    })
}

/// The catalogue the app ships, for tests across the crate.
#[cfg(test)]
pub(crate) fn shipped_catalogue() -> Catalogue {
    match Catalogue::parse(include_str!(
        "../../../public/content/catalogue/2026.1.json"
    )) {
        Ok(catalogue) => catalogue,
        Err(error) => panic!("the shipped catalogue does not parse: {error}"),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    /// The shipped catalogue as JSON, changed by `edit`, then parsed.
    fn parse_edited(edit: impl FnOnce(&mut Value)) -> Result<Catalogue, CatalogueError> {
        let mut value: Value = match serde_json::from_str(include_str!(
            "../../../public/content/catalogue/2026.1.json"
        )) {
            Ok(value) => value,
            Err(error) => panic!("the shipped catalogue is not JSON: {error}"),
        };
        edit(&mut value);
        Catalogue::parse(&value.to_string())
    }

    #[test]
    fn the_shipped_catalogue_parses_and_indexes_every_indicator() {
        let catalogue = shipped_catalogue();
        assert_eq!(catalogue.version().as_str(), "2026.1");
        assert_eq!(catalogue.indicators().count(), catalogue.indicator_count());
        for indicator in catalogue.indicators() {
            assert_eq!(catalogue.indicator(indicator.id()), Some(indicator));
            let area = catalogue.area_of(indicator.id()).map(Area::id);
            assert!(area.is_some_and(|area| indicator.id().as_str().starts_with(area.as_str())));
        }
        assert_eq!(catalogue.indicator(&"behaviour.nonexistent".into()), None);
    }

    #[test]
    fn localized_text_derives_latin_from_cyrillic() {
        let text = LocalizedText {
            hu: None,
            sr: "Дете често изостаје".to_owned(),
            en: "The child is often absent".to_owned(),
        };
        assert_eq!(text.get(Locale::SrCyrl), "Дете често изостаје");
        assert_eq!(text.get(Locale::SrLatn), "Dete često izostaje");
        assert_eq!(text.get(Locale::En), "The child is often absent");
    }

    #[test]
    fn a_repeated_indicator_id_is_refused() {
        let result = parse_edited(|value| {
            value["areas"][0]["indicators"][1]["id"] = json!("behaviour.absent-without-reason");
        });
        assert_eq!(
            result.err(),
            Some(CatalogueError::DuplicateId {
                id: "behaviour.absent-without-reason".into()
            })
        );
    }

    #[test]
    fn missing_or_wrong_script_text_is_refused() {
        let missing =
            parse_edited(|value| value["areas"][0]["indicators"][0]["text"]["en"] = json!(" "));
        assert_eq!(
            missing.err(),
            Some(CatalogueError::MissingText {
                field: "indicator `behaviour.absent-without-reason`".into(),
                locale: "en"
            })
        );
        let latin =
            parse_edited(|value| value["areas"][1]["title"]["sr"] = json!("Fizički izgled"));
        assert_eq!(
            latin.err(),
            Some(CatalogueError::WrongScript {
                field: "area `appearance` title".into(),
                locale: "sr"
            })
        );
        let cyrillic_english =
            parse_edited(|value| value["assessment"]["guardrails"][0]["en"] = json!("Не"));
        assert!(matches!(
            cyrillic_english,
            Err(CatalogueError::WrongScript { locale: "en", .. })
        ));
        let no_english = parse_edited(|value| {
            if let Some(hint) = value["areas"][0]["indicators"][0]["hint"].as_object_mut() {
                hint.remove("en");
            }
        });
        assert!(matches!(no_english, Err(CatalogueError::Syntax { .. })));
    }

    #[test]
    fn guidance_links_must_resolve_and_required_sections_exist() {
        let unknown =
            parse_edited(|value| value["areas"][0]["indicators"][0]["guidance"] = json!("nowhere"));
        assert_eq!(
            unknown.err(),
            Some(CatalogueError::UnknownGuidance {
                indicator: "behaviour.absent-without-reason".into(),
                section: "nowhere".into()
            })
        );
        let missing = parse_edited(|value| {
            if let Some(sections) = value["guidance_sections"].as_array_mut() {
                sections.retain(|section| section != "confidentiality");
            }
        });
        assert_eq!(
            missing.err(),
            Some(CatalogueError::MissingGuidanceSection {
                section: "confidentiality".into()
            })
        );
    }

    #[test]
    fn ids_must_be_kebab_case_and_inside_their_area() {
        let bad = parse_edited(|value| {
            value["areas"][0]["indicators"][0]["id"] = json!("behaviour.Absent")
        });
        assert_eq!(
            bad.err(),
            Some(CatalogueError::BadId {
                id: "behaviour.Absent".into()
            })
        );
        let outside =
            parse_edited(|value| value["areas"][0]["indicators"][0]["id"] = json!("health.absent"));
        assert_eq!(
            outside.err(),
            Some(CatalogueError::IndicatorOutsideArea {
                indicator: "health.absent".into(),
                area: "behaviour".into()
            })
        );
    }

    #[test]
    fn the_number_of_indicators_and_quick_signs_is_bounded() {
        let few = parse_edited(|value| {
            if let Some(areas) = value["areas"].as_array_mut() {
                areas.truncate(2);
            }
            value["quick_signs"] = json!([]);
        });
        assert_eq!(
            few.err(),
            Some(CatalogueError::IndicatorCount { count: 15 })
        );
        let no_signs = parse_edited(|value| value["quick_signs"] = json!([]));
        assert_eq!(
            no_signs.err(),
            Some(CatalogueError::QuickSignCount { count: 0 })
        );
    }

    #[test]
    fn quick_signs_must_stand_for_known_indicators() {
        let unknown =
            parse_edited(|value| value["quick_signs"][0]["indicators"] = json!(["health.nothing"]));
        assert_eq!(
            unknown.err(),
            Some(CatalogueError::UnknownIndicator {
                sign: "danger".into(),
                indicator: "health.nothing".into()
            })
        );
        let empty = parse_edited(|value| value["quick_signs"][0]["indicators"] = json!([]));
        assert_eq!(
            empty.err(),
            Some(CatalogueError::EmptyQuickSign {
                sign: "danger".into()
            })
        );
    }

    #[test]
    fn the_rules_table_must_be_consistent() {
        let unknown_contact = parse_edited(|value| {
            value["assessment"]["levels"][0]["contacts"] = json!(["police-911"])
        });
        assert_eq!(
            unknown_contact.err(),
            Some(CatalogueError::UnknownContact {
                level: "immediate-danger".into(),
                contact: "police-911".into()
            })
        );
        let missing_level = parse_edited(|value| {
            if let Some(levels) = value["assessment"]["levels"].as_array_mut() {
                levels.truncate(3);
            }
        });
        assert_eq!(
            missing_level.err(),
            Some(CatalogueError::MissingLevel {
                level: "nothing-marked".into()
            })
        );
        let duplicate = parse_edited(|value| {
            value["assessment"]["levels"][1]["level"] = json!("immediate-danger")
        });
        assert!(matches!(
            duplicate,
            Err(CatalogueError::DuplicateLevel { .. })
        ));
        let to_nothing = parse_edited(|value| {
            value["assessment"]["rules"][4]["level"] = json!("nothing-marked")
        });
        assert_eq!(to_nothing.err(), Some(CatalogueError::RuleForNothingMarked));
        let zero = parse_edited(|value| value["assessment"]["rules"][3]["at_least"] = json!(0));
        assert!(matches!(zero, Err(CatalogueError::RuleThreshold { .. })));
        let no_urgent =
            parse_edited(|value| value["assessment"]["rules"][0]["at_least"] = json!(2));
        assert_eq!(no_urgent.err(), Some(CatalogueError::UrgentRuleMissing));
        let no_guardrails = parse_edited(|value| value["assessment"]["guardrails"] = json!([]));
        assert_eq!(no_guardrails.err(), Some(CatalogueError::NoGuardrails));
        // Counting negative answers would break monotonicity, so the format cannot say it.
        let negative =
            parse_edited(|value| value["assessment"]["rules"][4]["counts"] = json!("not-observed"));
        assert!(matches!(negative, Err(CatalogueError::Syntax { .. })));
    }

    #[test]
    fn unknown_fields_are_refused_so_typos_fail_the_build() {
        let typo = parse_edited(|value| value["areas"][0]["indicators"][0]["hnit"] = json!({}));
        assert!(matches!(typo, Err(CatalogueError::Syntax { .. })));
        assert!(matches!(
            Catalogue::parse("{"),
            Err(CatalogueError::Syntax { .. })
        ));
    }

    #[test]
    fn the_index_names_the_current_version_and_nothing_else() {
        assert_eq!(
            CatalogueIndex::parse(r#"{"current": "2021-r2"}"#).map(|index| index.current),
            Ok(CatalogueVersion::new("2021-r2"))
        );
        assert!(CatalogueIndex::parse(r#"{"current": "2021 r2"}"#).is_err());
        assert!(CatalogueIndex::parse(r#"{"current": "2021-r2", "extra": 1}"#).is_err());
        assert!(CatalogueIndex::parse("{}").is_err());
    }
}
