//! `/guidance`: the guidance written for the current catalogue, to read and to search.
//!
//! The page loads the guidance (`content::current_guidance`, precached by the service worker,
//! so it opens offline), then shows the search box, the table of contents, every section with
//! the indicators that point to it, and the sources. While there is a search query the
//! results take the place of the text; clearing the query brings the text back untouched.
//!
//! A `#section` in the address is brought into view once the text has appeared (the browser
//! only scrolls to a fragment that is already in the document) and its heading takes focus;
//! the same happens for a link in the contents or a search result. Opened from the checklist
//! (`?from=…&indicator=…`, see `components::guidance_link`), the page offers the way back.

use std::sync::Arc;

use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_query_map};
use prepoznaj_domain::catalogue::{GuidanceId, IndicatorId};
use prepoznaj_domain::locale::Locale;

use crate::components::guidance_link::{
    BackToChecklist, FROM_PARAM, INDICATOR_PARAM, checklist_return_href, fragment_id, reveal,
};
use crate::components::guidance_search::GuidanceSearch;
use crate::components::guidance_section::{GuidanceSection, LinkedIndicator, heading_id};
use crate::components::guidance_sources::{GuidanceSources, SOURCES_ID};
use crate::content::{self, ContentError, GuidanceContent};
use crate::i18n::{use_i18n, use_page_title};

/// Id of the table of contents' heading (a section id never contains `--`).
const CONTENTS_HEADING_ID: &str = "guidance--contents";

/// The guidance screen.
#[component]
pub fn GuidancePage() -> impl IntoView {
    let i18n = use_i18n();
    use_page_title(|m| m.guidance_title());
    let query = use_query_map();
    let (from, indicator) =
        query.with_untracked(|query| (query.get(FROM_PARAM), query.get(INDICATOR_PARAM)));
    let back_href = from
        .as_deref()
        .and_then(|from| checklist_return_href(from, indicator.as_deref()));
    let loaded = RwSignal::new(None::<Result<Arc<GuidanceContent>, ContentError>>);
    leptos::task::spawn_local(async move {
        loaded.set(Some(content::current_guidance().await));
    });
    let top_back = back_href.clone();
    view! {
        <h1>{move || i18n.messages().guidance_title()}</h1>
        {top_back.map(|href| view! { <BackToChecklist href /> })}
        {move || match loaded.get() {
            None => view! {
                <p role="status">{move || i18n.guidance().guidance_loading()}</p>
            }
            .into_any(),
            Some(Err(error)) => {
                let message = move || match error {
                    ContentError::Unavailable(_) => i18n.guidance().guidance_unavailable(),
                    ContentError::Damaged(_) => i18n.guidance().guidance_damaged(),
                };
                view! { <p class="notice notice--warning" role="alert">{message}</p> }.into_any()
            }
            Some(Ok(content)) => view! {
                <GuidanceText content back_href=back_href.clone() from_indicator=indicator.clone() />
            }
            .into_any(),
        }}
    }
}

/// The loaded guidance: search, contents, sections, sources.
#[component]
fn GuidanceText(
    content: Arc<GuidanceContent>,
    back_href: Option<String>,
    from_indicator: Option<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    let location = use_location();
    let query = RwSignal::new(String::new());
    let searching = move || query.with(|query| !query.trim().is_empty());
    // The section to bring into view and focus once it is shown; consumed when done.
    let jump = RwSignal::new(None::<String>);
    // The fragment in the address: on arrival, and on back/forward between sections.
    Effect::new(move |_| {
        if let Some(id) = fragment_id(&location.hash.get()) {
            jump.set(Some(id));
        }
    });
    Effect::new(move |_| {
        if searching() {
            return;
        }
        let Some(id) = jump.get() else {
            return;
        };
        // After the browser has laid out what the last change showed.
        request_animation_frame(move || {
            reveal(&id, &heading_id(&id));
            jump.set(None);
        });
    });
    // The section the address named on arrival: the way back to the checklist is offered
    // at its end as well as at the top.
    let landed = fragment_id(&location.hash.get_untracked());
    let from_indicator = from_indicator
        .map(IndicatorId::new)
        .filter(|id| content.catalogue.contains(id));
    let on_select = Callback::new(move |section: GuidanceId| {
        jump.set(Some(section.as_str().to_owned()));
    });

    let text = {
        let content = content.clone();
        move || {
            let locale = i18n.locale();
            let guidance = &content.guidance;
            let contents = guidance
                .sections()
                .iter()
                .map(|section| (section.id().as_str().to_owned(), section.title().get(locale).into_owned()))
                .chain([(
                    SOURCES_ID.to_owned(),
                    i18n.guidance().guidance_sources_heading().to_owned(),
                )])
                .map(|(id, title)| {
                    let href = format!("#{id}");
                    view! {
                        <li>
                            <a class="guidance-contents__link" href=href on:click=move |_| jump.set(Some(id.clone()))>
                                {title}
                            </a>
                        </li>
                    }
                })
                .collect_view();
            let sections = guidance
                .sections()
                .iter()
                .map(|section| {
                    let indicators =
                        linked_indicators(&content, section.id(), locale, from_indicator.as_ref());
                    let back_href = back_href
                        .clone()
                        .filter(|_| landed.as_deref() == Some(section.id().as_str()));
                    view! {
                        <GuidanceSection section=section.clone() locale indicators back_href />
                    }
                })
                .collect_view();
            // One line, while a translation is not yet reviewed by a native speaker.
            let unreviewed = guidance.needs_review(locale).then(|| {
                view! {
                    <p class="guidance-review" data-testid="guidance-unreviewed">
                        {i18n.guidance().guidance_unreviewed()}
                    </p>
                }
            });
            view! {
                {unreviewed}
                <nav class="guidance-contents" aria-labelledby=CONTENTS_HEADING_ID>
                    <h2 id=CONTENTS_HEADING_ID>{i18n.guidance().guidance_contents()}</h2>
                    <ol class="guidance-contents__list" data-testid="guidance-contents">{contents}</ol>
                </nav>
                {sections}
                <GuidanceSources updated=guidance.updated() sources=guidance.sources().to_vec() locale />
            }
        }
    };

    view! {
        <GuidanceSearch content query on_select />
        <div class="guidance" hidden=searching>
            {text}
        </div>
    }
}

/// The indicators that point to `section`, in catalogue order, as the section lists them.
fn linked_indicators(
    content: &GuidanceContent,
    section: &GuidanceId,
    locale: Locale,
    from_indicator: Option<&IndicatorId>,
) -> Vec<LinkedIndicator> {
    content
        .links
        .indicators_for(section)
        .iter()
        .filter_map(|id| {
            let indicator = content.catalogue.indicator(id)?;
            let area = content.catalogue.area_of(id)?;
            Some(LinkedIndicator {
                id: id.as_str().to_owned(),
                area: area.title().get(locale).into_owned(),
                text: indicator.text().get(locale).into_owned(),
                current: from_indicator == Some(id),
            })
        })
        .collect()
}
