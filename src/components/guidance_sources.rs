//! The end of the guidance: when its text was last updated and the public sources it is
//! based on, cited as they were published (title, publisher and date are not translated;
//! the note saying what the guidance takes from a source is).

use leptos::prelude::*;
use prepoznaj_domain::date::CalendarDate;
use prepoznaj_domain::guidance::Source;
use prepoznaj_domain::locale::{Locale, fill};

use crate::components::guidance_section::heading_id;
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
        .iter()
        .map(|source| {
            view! {
                <li class="guidance-source" data-testid="guidance-source">
                    <cite class="guidance-source__title">{source.title().to_owned()}</cite>
                    <span class="guidance-source__meta">
                        {format!("{} · {}", source.publisher(), source.date())}
                    </span>
                    <span class="guidance-source__note">{source.note().get(locale).into_owned()}</span>
                </li>
            }
        })
        .collect_view();
    let heading = heading_id(SOURCES_ID);
    let labelled_by = heading.clone();
    view! {
        <section class="guidance-sources" id=SOURCES_ID aria-labelledby=labelled_by>
            <h2 id=heading tabindex="-1">{messages.guidance_sources_heading}</h2>
            <p class="guidance-updated" data-testid="guidance-updated">
                {fill(messages.guidance_updated, &[("date", &updated.long(locale))])}
            </p>
            <p>{messages.guidance_sources_intro}</p>
            <ol class="guidance-sources__list">{sources}</ol>
        </section>
    }
}
