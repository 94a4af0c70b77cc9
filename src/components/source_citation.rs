//! One cited source: its title in the page's language as a link that opens the source in a
//! new tab (`rel="noopener noreferrer"`, so the source's page gets no handle on the app), who
//! published it and when (or, for an undated page, the day it was read), and the note, if
//! any. Shared by the guidance's list of sources and each national contact's sources; the
//! caller wraps it in a list item.

use leptos::prelude::*;
use prepoznaj_domain::locale::{Locale, fill};
use prepoznaj_domain::source::Source;

use crate::components::localized::localized;
use crate::i18n::guidance_messages_for;

/// When `source` was published, or that it is undated and when it was read, in `locale`.
fn date_text(source: &Source, locale: Locale) -> String {
    match (source.published(), source.read()) {
        (Some(published), _) => published.long(locale),
        (None, Some(read)) => fill(
            guidance_messages_for(locale).source_read(),
            &[("date", &read.long(locale))],
        ),
        (None, None) => String::new(),
    }
}

/// The citation of `source` in `locale`.
#[component]
pub fn SourceCitation(source: Source, locale: Locale) -> impl IntoView {
    let messages = guidance_messages_for(locale);
    let meta = format!(" · {}", date_text(&source, locale));
    let publisher = localized(source.publisher(), locale);
    let note = source
        .note()
        .map(|note| view! { <span class="source-citation__note">{localized(note, locale)}</span> });
    view! {
        <cite class="source-citation__title">
            <a
                href=source.url().to_owned()
                target="_blank"
                rel="noopener noreferrer"
                data-testid="source-link"
            >
                {localized(source.title(), locale)}
                <span class="visually-hidden">" " {messages.source_new_tab()}</span>
            </a>
        </cite>
        <span class="source-citation__meta">{publisher}{meta}</span>
        {note}
    }
}
