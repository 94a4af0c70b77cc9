//! `/contacts`: the route exists with its heading; its content comes with its own issue.

use leptos::prelude::*;

use crate::i18n::{use_i18n, use_page_title};

/// The contacts screen.
#[component]
pub fn ContactsPage() -> impl IntoView {
    let i18n = use_i18n();
    use_page_title(|m| m.contacts_title);
    view! {
        <h1>{move || i18n.messages().contacts_title}</h1>
        <p class="notice">{move || i18n.contacts().contacts_pending}</p>
    }
}
