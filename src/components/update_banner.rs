//! "Update available — reload": a new version waits for the person's go-ahead.

use leptos::prelude::*;

use crate::i18n::use_i18n;
use crate::pwa::use_pwa;

/// Shown when a new version is installed and waiting; nothing reloads until it is tapped.
#[component]
pub fn UpdateBanner() -> impl IntoView {
    let i18n = use_i18n();
    let pwa = use_pwa();
    view! {
        <Show when=move || pwa.update_ready()>
            <div class="update-banner" role="status">
                <button
                    type="button"
                    class="button button--primary"
                    data-testid="update-reload"
                    on:click=move |_| pwa.apply_update()
                >
                    {move || i18n.messages().update_reload()}
                </button>
            </div>
        </Show>
    }
}
