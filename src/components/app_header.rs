//! The bar at the top of every screen: the app's name, connection status, language and the
//! quick exit (a button `public/quick-exit.js` acts on: it needs no code here).

use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::connection_status::ConnectionStatus;
use crate::components::language_select::LanguageSelect;
use crate::i18n::use_i18n;

/// Top bar shown on every route.
#[component]
pub fn AppHeader() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <header class="app-header">
            <A href="/" attr:class="app-header__name" attr:rel=crate::app::link_rel("/")>
                {move || i18n.messages().app_name()}
            </A>
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
