//! `/guidance`: the route exists with its heading; its content comes with its own issue.

use leptos::prelude::*;

use crate::i18n::{use_i18n, use_page_title};

/// The guidance screen.
#[component]
pub fn GuidancePage() -> impl IntoView {
    let i18n = use_i18n();
    use_page_title(|m| m.guidance_title);
    view! {
        <h1>{move || i18n.messages().guidance_title}</h1>
        <p class="notice">{move || i18n.guidance().guidance_pending}</p>
    }
}
