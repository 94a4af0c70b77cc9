//! `/observe`: the route exists with its heading; its content comes with its own issue.

use leptos::prelude::*;

use crate::i18n::{use_i18n, use_page_title};

/// The observe screen.
#[component]
pub fn ObservePage() -> impl IntoView {
    let i18n = use_i18n();
    use_page_title(|m| m.observe_title);
    view! {
        <h1>{move || i18n.messages().observe_title}</h1>
        <p class="notice">{move || i18n.messages().observe_pending}</p>
    }
}
