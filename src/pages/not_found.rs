//! Any address the app does not know.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::i18n::{use_i18n, use_page_title};

/// "Page not found", with a way home.
#[component]
pub fn NotFoundPage() -> impl IntoView {
    let i18n = use_i18n();
    use_page_title(|m| m.not_found_title());
    view! {
        <h1>{move || i18n.messages().not_found_title()}</h1>
        <p>{move || i18n.messages().not_found_body()}</p>
        <A href="/" attr:class="button" attr:rel=crate::app::link_rel("/")>
            {move || i18n.messages().not_found_home()}
        </A>
    }
}
