//! The bar at the top of every screen: the app's name, connection status and language.

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
                {move || i18n.messages().app_name}
            </A>
            <div class="app-header__tools">
                <ConnectionStatus />
                <LanguageSelect id="header-language" compact=true />
            </div>
        </header>
    }
}
