//! One guidance section as it is read: its heading, its blocks (paragraphs, lists, callouts)
//! and the indicators that point to it, in one locale. The guidance page renders it again
//! when the locale changes, so it holds plain text, not signals.
//!
//! Ids of elements that are not sections end in `--…`: a section id never contains `--`
//! (see `prepoznaj_domain::guidance`), so the two cannot collide.

use leptos::prelude::*;
use prepoznaj_domain::guidance::{Block, Section, Tone};
use prepoznaj_domain::locale::Locale;

use crate::components::guidance_link::BackToChecklist;
use crate::components::localized::localized;
use crate::i18n::guidance_messages_for;

/// The id of the heading of the section (or other part of the page) with id `id`: the
/// element that receives focus when the section is opened.
#[must_use]
pub fn heading_id(id: &str) -> String {
    format!("{id}--heading")
}

/// An indicator that points to a section, as the section lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkedIndicator {
    /// The indicator's id (for tests and styling, not shown).
    pub id: String,
    pub area: String,
    pub text: String,
    /// The guidance was opened from this indicator.
    pub current: bool,
}

/// One section: `<section id=…>` with an `h2` that can take focus.
#[component]
pub fn GuidanceSection(
    section: Section,
    locale: Locale,
    indicators: Vec<LinkedIndicator>,
    /// The way back to the checklist, shown at the end of the section.
    back_href: Option<String>,
) -> impl IntoView {
    let messages = guidance_messages_for(locale);
    let id = section.id().as_str().to_owned();
    let heading = heading_id(&id);
    let blocks = section
        .blocks()
        .iter()
        .map(|block| match block {
            Block::Paragraph { text } => view! { <p>{localized(text, locale)}</p> }.into_any(),
            Block::List { items } => {
                let items = items
                    .iter()
                    .map(|item| view! { <li>{localized(item, locale)}</li> })
                    .collect_view();
                view! { <ul class="guidance-list">{items}</ul> }.into_any()
            }
            Block::Callout { tone, text } => {
                let (class, label) = match tone {
                    Tone::Info => ("callout callout--info", messages.guidance_callout_info()),
                    Tone::Danger => (
                        "callout callout--danger",
                        messages.guidance_callout_danger(),
                    ),
                };
                view! {
                    <div class=class role="note" data-tone=tone_name(*tone)>
                        <p class="callout__label">{label}</p>
                        <p class="callout__text">{localized(text, locale)}</p>
                    </div>
                }
                .into_any()
            }
        })
        .collect_view();
    let indicators = (!indicators.is_empty()).then(|| {
        let indicators_heading = format!("{id}--indicators");
        let items = indicators
            .into_iter()
            .map(|indicator| {
                let class = if indicator.current {
                    "guidance-indicator guidance-indicator--current"
                } else {
                    "guidance-indicator"
                };
                view! {
                    <li class=class data-indicator=indicator.id aria-current=indicator.current.then_some("true")>
                        <span class="guidance-indicator__area">{indicator.area}</span>
                        <span class="guidance-indicator__text">{indicator.text}</span>
                        {indicator.current.then(|| view! {
                            <span class="guidance-indicator__current">{messages.guidance_indicator_current()}</span>
                        })}
                    </li>
                }
            })
            .collect_view();
        view! {
            <div class="guidance-indicators">
                <h3 id=indicators_heading>{messages.guidance_indicators_heading()}</h3>
                <ul class="guidance-indicators__list" data-testid="guidance-indicators">{items}</ul>
            </div>
        }
    });
    let labelled_by = heading.clone();
    view! {
        <section class="guidance-section" id=id aria-labelledby=labelled_by data-testid="guidance-section">
            <h2 id=heading tabindex="-1">{localized(section.title(), locale)}</h2>
            {blocks}
            {indicators}
            {back_href.map(|href| view! { <BackToChecklist href /> })}
        </section>
    }
}

fn tone_name(tone: Tone) -> &'static str {
    match tone {
        Tone::Info => "info",
        Tone::Danger => "danger",
    }
}
