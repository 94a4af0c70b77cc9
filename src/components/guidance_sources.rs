//! The end of the guidance: when its text was last updated and the public sources it is
//! based on, each with its title in the page's language as a link to the source, its
//! publisher, its date and what the guidance takes from it.

use leptos::prelude::*;
use prepoznaj_domain::date::CalendarDate;
use prepoznaj_domain::locale::{Locale, fill};
use prepoznaj_domain::source::Source;

use crate::components::guidance_section::heading_id;
use crate::components::source_citation::SourceCitation;
use crate::i18n::guidance_messages_for;

/// Id of the sources' part of the page (a section id never contains `--`).
pub const SOURCES_ID: &str = "guidance--sources";

/// The "last updated" line and the list of sources, in `locale`.
#[component]
pub fn GuidanceSources(
    updated: CalendarDate,
    sources: Vec<Source>,
    locale: Locale,
) -> impl IntoView {
    let messages = guidance_messages_for(locale);
    let sources = sources
        .into_iter()
        .map(|source| {
            view! {
                <li class="guidance-source" data-testid="guidance-source">
                    <SourceCitation source locale />
                </li>
            }
        })
        .collect_view();
    let heading = heading_id(SOURCES_ID);
    let labelled_by = heading.clone();
    view! {
        <section class="guidance-sources" id=SOURCES_ID aria-labelledby=labelled_by>
            <h2 id=heading tabindex="-1">{messages.guidance_sources_heading()}</h2>
            <p class="guidance-updated" data-testid="guidance-updated">
                {fill(messages.guidance_updated(), &[("date", &updated.long(locale))])}
            </p>
            <p>{messages.guidance_sources_intro()}</p>
            <ol class="guidance-sources__list">{sources}</ol>
        </section>
    }
}
