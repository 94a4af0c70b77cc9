//! The app: context providers and the one route table.

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;
use wasm_bindgen::JsCast;

use crate::components::app_header::AppHeader;
use crate::components::navigation::Navigation;
use crate::components::update_banner::UpdateBanner;
use crate::i18n::{provide_i18n, use_i18n};
use crate::pages::checklist::ChecklistPage;
use crate::pages::contacts::ContactsPage;
use crate::pages::guidance::GuidancePage;
use crate::pages::home::HomePage;
use crate::pages::not_found::NotFoundPage;
use crate::pages::observe::ObservePage;
use crate::pages::observe_start::ObserveStartPage;
use crate::pages::quick::QuickPage;
use crate::pages::settings::SettingsPage;
use crate::pages::summary::SummaryPage;
use crate::pwa::provide_pwa;

/// Id of the `<main>` landmark, the target of the "skip to content" link.
pub const MAIN_ID: &str = "main";

/// Moves keyboard focus into `<main>`. The router would otherwise take the `#main` click
/// as a navigation and leave focus on the link.
fn skip_to_main(event: leptos::ev::MouseEvent) {
    event.prevent_default();
    let main = document()
        .get_element_by_id(MAIN_ID)
        .and_then(|element| element.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(main) = main
        && let Err(error) = main.focus()
    {
        leptos::logging::warn!("cannot move focus to the content: {error:?}");
    }
}

/// Root component: provides the locale and PWA contexts, then lays out every route.
#[component]
pub fn App() -> impl IntoView {
    provide_i18n();
    provide_pwa();
    let i18n = use_i18n();
    view! {
        <Router>
            <a class="skip-link" href=format!("#{MAIN_ID}") on:click=skip_to_main>
                {move || i18n.messages().skip_to_content}
            </a>
            <AppHeader />
            <UpdateBanner />
            <main id=MAIN_ID class="page" tabindex="-1">
                <Routes fallback=|| view! { <NotFoundPage /> }>
                    <Route path=path!("/") view=HomePage />
                    <Route path=path!("/observe") view=ObservePage />
                    <Route path=path!("/observe/new") view=ObserveStartPage />
                    <Route path=path!("/observe/:id") view=ChecklistPage />
                    <Route path=path!("/observe/:id/summary") view=SummaryPage />
                    <Route path=path!("/quick") view=QuickPage />
                    <Route path=path!("/quick/:id") view=QuickPage />
                    <Route path=path!("/guidance") view=GuidancePage />
                    <Route path=path!("/contacts") view=ContactsPage />
                    <Route path=path!("/settings") view=SettingsPage />
                </Routes>
            </main>
            <Navigation />
        </Router>
    }
}
