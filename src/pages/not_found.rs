//! Any address the app does not know.

use leptos::prelude::*;

use crate::i18n::{use_i18n, use_page_title};
use crate::page_link::PageLink;

/// "Page not found", with a way home.
#[component]
pub fn NotFoundPage() -> impl IntoView {
    let i18n = use_i18n();
    use_page_title(|m| m.not_found_title());
    view! {
        <h1>{move || i18n.messages().not_found_title()}</h1>
        <p>{move || i18n.messages().not_found_body()}</p>
        <PageLink href="/" class="button">
            {move || i18n.messages().not_found_home()}
        </PageLink>
    }
}
