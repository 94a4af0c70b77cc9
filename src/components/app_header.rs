//! The bar at the top of every screen: the app's name, connection status, language and the
//! quick exit (a button `public/quick-exit.js` acts on: it needs no code here).

use leptos::prelude::*;

use crate::components::connection_status::ConnectionStatus;
use crate::components::language_select::LanguageSelect;
use crate::i18n::use_i18n;
use crate::page_link::PageLink;

/// Top bar shown on every route.
#[component]
pub fn AppHeader() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <header class="app-header">
            <PageLink href="/" class="app-header__name">
                {move || i18n.messages().app_name()}
            </PageLink>
            // Beside the name on a phone, at the right on a wide screen; early in the tab order.
            <button type="button" class="button button--danger quick-exit" data-quick-exit="">
                {move || i18n.messages().quick_exit()}
            </button>
            <div class="app-header__tools">
                <ConnectionStatus />
                <LanguageSelect id="header-language" compact=true />
            </div>
        </header>
    }
}
