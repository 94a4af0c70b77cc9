//! Installing the app: the browser's own prompt where it offers one, instructions on iOS.

use leptos::prelude::*;

use crate::i18n::use_i18n;
use crate::pwa::{needs_ios_install_hint, use_pwa};

/// An "Install the app" button where the browser fired `beforeinstallprompt`, and the
/// add-to-home-screen steps (with the data warning) in iOS Safari outside the installed app.
#[component]
pub fn InstallPrompt() -> impl IntoView {
    let i18n = use_i18n();
    let pwa = use_pwa();
    let ios_hint = needs_ios_install_hint();
    view! {
        <Show when=move || pwa.can_install()>
            <section class="card install-card" aria-labelledby="install-heading">
                <h2 id="install-heading" class="card__title">
                    {move || i18n.messages().install_button()}
                </h2>
                <p>{move || i18n.messages().install_hint()}</p>
                <button
                    type="button"
                    class="button button--primary"
                    data-testid="install-button"
                    on:click=move |_| pwa.install()
                >
                    {move || i18n.messages().install_button()}
                </button>
            </section>
        </Show>
        <Show when=move || ios_hint>
            <section
                class="card install-card"
                aria-labelledby="ios-install-heading"
                data-testid="ios-install-hint"
            >
                <h2 id="ios-install-heading" class="card__title">
                    {move || i18n.messages().install_ios_title()}
                </h2>
                <p>{move || i18n.messages().install_ios_steps()}</p>
                <p class="notice notice--warning">{move || i18n.messages().install_ios_warning()}</p>
            </section>
        </Show>
    }
}
