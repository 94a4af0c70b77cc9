//! The app's roots, one per bundle (see `prepoznaj_domain::bundles`): context providers and
//! each bundle's route table, inside the same chrome.

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;
use prepoznaj_domain::bundles::{self, Bundle};
use wasm_bindgen::JsCast;

use crate::app_lock::provide_app_lock;
use crate::components::app_header::AppHeader;
use crate::components::app_lock_gate::{AppLockGate, mount_lock_button};
use crate::components::navigation::Navigation;
use crate::components::sync_status::SyncStatus;
use crate::components::update_banner::UpdateBanner;
use crate::i18n::{self, SectionReader, provide_i18n, use_i18n};
use crate::inbox::provide_inbox;
use crate::page_link::{RoutedPath, provide_shell_path};
use crate::pages::checklist::ChecklistPage;
use crate::pages::contacts::ContactsPage;
use crate::pages::contacts_import::ContactsImportPage;
use crate::pages::enrol::EnrolPage;
use crate::pages::guidance::GuidancePage;
use crate::pages::home::HomePage;
use crate::pages::inbox::InboxPage;
use crate::pages::inbox_report::InboxReportPage;
use crate::pages::local_contacts::LocalContactsPage;
use crate::pages::not_found::NotFoundPage;
use crate::pages::observe::ObservePage;
use crate::pages::observe_start::ObserveStartPage;
use crate::pages::practice::PracticePage;
use crate::pages::practice_case::PracticeCasePage;
use crate::pages::practice_facilitator::PracticeFacilitatorPage;
use crate::pages::practice_quick::PracticeQuickPage;
use crate::pages::practice_record::PracticeRecordPage;
use crate::pages::quick::QuickPage;
use crate::pages::settings::SettingsPage;
use crate::pages::summary::SummaryPage;
use crate::pages::team::TeamPage;
use crate::pages::team_join::TeamJoinPage;
use crate::pages::team_recover::TeamRecoverPage;
use crate::pages::team_setup::TeamSetupPage;
use crate::pwa::provide_pwa;
use crate::sync::sender::provide_sender;
use crate::sync::summary::provide_sync_summary;

/// Id of the `<main>` landmark, the target of the "skip to content" link.
pub const MAIN_ID: &str = "main";

/// Moves keyboard focus into `<main>`. The router would otherwise take the `#main` click
/// as a navigation and leave focus on the link.
fn skip_to_main(event: leptos::ev::MouseEvent) {
    event.prevent_default();
    focus_main();
}

/// Moves keyboard focus into `<main>` (after the skip link, or when the control that had focus
/// is gone).
pub fn focus_main() {
    let main = document()
        .get_element_by_id(MAIN_ID)
        .and_then(|element| element.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(main) = main
        && let Err(error) = main.focus()
    {
        leptos::logging::warn!("cannot move focus to the content: {error:?}");
    }
}

/// Header, update banner, `<main>` with the page, navigation: the same in every bundle
/// (`header_tools`: a bundle's own control in the header).
#[component]
fn Chrome(children: Children) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <a class="skip-link" href=format!("#{MAIN_ID}") on:click=skip_to_main>
            {move || i18n.messages().skip_to_content()}
        </a>
        <AppHeader />
        <UpdateBanner />
        <SyncStatus />
        <main id=MAIN_ID class="page" tabindex="-1">
            {children()}
        </main>
        <Navigation />
    }
}

fn provide_contexts(bundle: Bundle) {
    provide_context(bundle);
    provide_i18n();
    provide_pwa();
}

/// The message sections the shell reads (`bundles::SHELL.messages`, checked by a test).
pub const SHELL_MESSAGES: &[SectionReader] = &[i18n::SHELL_SECTION];
/// The message sections the observation bundle reads.
pub const OBSERVE_MESSAGES: &[SectionReader] = &[
    i18n::SHELL_SECTION,
    i18n::CONTACTS_SECTION,
    i18n::TEAM_SECTION,
    i18n::LOCK_SECTION,
];
/// The message sections the reference bundle reads.
pub const REFERENCE_MESSAGES: &[SectionReader] = &[
    i18n::SHELL_SECTION,
    i18n::GUIDANCE_SECTION,
    i18n::CONTACTS_SECTION,
];
/// The message sections the team bundle reads.
pub const TEAM_MESSAGES: &[SectionReader] = &[
    i18n::SHELL_SECTION,
    i18n::CONTACTS_SECTION,
    i18n::TEAM_SECTION,
    i18n::INBOX_SECTION,
    i18n::LOCK_SECTION,
];

/// The message sections the practice bundle reads.
pub const PRACTICE_MESSAGES: &[SectionReader] = &[i18n::SHELL_SECTION, i18n::PRACTICE_SECTION];

/// The shell: home and settings (what the first load needs), shown without a router (see
/// `page_link::provide_shell_path`).
#[component]
pub fn App() -> impl IntoView {
    provide_contexts(bundles::SHELL);
    // The sender's summary only: the outbox code stays out of this bundle.
    provide_sync_summary(|| {});
    let path = provide_shell_path();
    view! {
        <Chrome>
            {move || match path.get().as_str() {
                "/" => view! { <HomePage /> }.into_any(),
                "/settings" => view! { <SettingsPage /> }.into_any(),
                _ => view! { <NotFoundPage /> }.into_any(),
            }}
        </Chrome>
    }
}

/// The observation bundle: the checklist and quick mode, loaded when one of them is opened.
#[component]
pub fn ObserveApp() -> impl IntoView {
    provide_contexts(bundles::OBSERVE);
    provide_sender();
    let lock = provide_app_lock();
    let i18n = use_i18n();
    // The header's Lock button, mounted into the shared chrome from here: the chrome (and so
    // the shell's first load) carries nothing of the lock.
    Effect::new(move |_| mount_lock_button(i18n, lock));
    view! {
        <Router>
            <RoutedPath>
            <Chrome>
                <AppLockGate>
                    <Routes fallback=|| view! { <NotFoundPage /> }>
                        <Route path=path!("/observe") view=ObservePage />
                        <Route path=path!("/observe/new") view=ObserveStartPage />
                        <Route path=path!("/observe/:id") view=ChecklistPage />
                        <Route path=path!("/observe/:id/summary") view=SummaryPage />
                        <Route path=path!("/quick") view=QuickPage />
                        <Route path=path!("/quick/:id") view=QuickPage />
                    </Routes>
                </AppLockGate>
            </Chrome>
            </RoutedPath>
        </Router>
    }
}

/// The reference bundle: guidance and contacts, loaded when one of them is opened.
#[component]
pub fn ReferenceApp() -> impl IntoView {
    provide_contexts(bundles::REFERENCE);
    // The sender's summary only: the outbox code stays out of this bundle.
    provide_sync_summary(|| {});
    view! {
        <Router>
            <RoutedPath>
            <Chrome>
                <Routes fallback=|| view! { <NotFoundPage /> }>
                    <Route path=path!("/guidance") view=GuidancePage />
                    <Route path=path!("/contacts") view=ContactsPage />
                    <Route path=path!("/contacts/local") view=LocalContactsPage />
                    <Route path=path!("/contacts/import") view=ContactsImportPage />
                </Routes>
            </Chrome>
            </RoutedPath>
        </Router>
    }
}

/// The team bundle: the protection team's set-up, joining, key recovery, page and inbox, and a
/// staff phone's enrolment.
#[component]
pub fn TeamApp() -> impl IntoView {
    provide_contexts(bundles::TEAM);
    provide_sender();
    provide_inbox();
    view! {
        <Router>
            <RoutedPath>
            <Chrome>
                <Routes fallback=|| view! { <NotFoundPage /> }>
                    <Route path=path!("/team") view=TeamPage />
                    <Route path=path!("/team/setup") view=TeamSetupPage />
                    <Route path=path!("/team/join") view=TeamJoinPage />
                    <Route path=path!("/team/recover") view=TeamRecoverPage />
                    <Route path=path!("/enrol") view=EnrolPage />
                    <Route path=path!("/inbox") view=InboxPage />
                    <Route path=path!("/inbox/:id") view=InboxReportPage />
                </Routes>
            </Chrome>
            </RoutedPath>
        </Router>
    }
}

/// The practice bundle: made-up cases to mark, quick practice, the record and the trainer's
/// view. It keeps its attempts in its own store and never touches an observation.
#[component]
pub fn PracticeApp() -> impl IntoView {
    provide_contexts(bundles::PRACTICE);
    // The sender's summary only: practice never sends, and the outbox code stays out.
    provide_sync_summary(|| {});
    view! {
        <Router>
            <RoutedPath>
            <Chrome>
                <Routes fallback=|| view! { <NotFoundPage /> }>
                    <Route path=path!("/practice") view=PracticePage />
                    <Route path=path!("/practice/case/:id") view=PracticeCasePage />
                    <Route path=path!("/practice/quick") view=PracticeQuickPage />
                    <Route path=path!("/practice/record") view=PracticeRecordPage />
                    <Route path=path!("/practice/facilitator") view=PracticeFacilitatorPage />
                </Routes>
            </Chrome>
            </RoutedPath>
        </Router>
    }
}

/// `rel` for a link to `href`: `external` when another bundle serves it, so that the router
/// lets the browser load that bundle's page instead of looking for the route here.
#[must_use]
pub fn link_rel(href: &str) -> Option<&'static str> {
    let current = use_context::<Bundle>().unwrap_or(bundles::SHELL);
    let path = href.split(['?', '#']).next().unwrap_or(href);
    (bundles::bundle_for_path(path) != current).then_some("external")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_bundle_reads_exactly_the_sections_its_table_holds() {
        for (bundle, readers) in [
            (bundles::SHELL, SHELL_MESSAGES),
            (bundles::OBSERVE, OBSERVE_MESSAGES),
            (bundles::REFERENCE, REFERENCE_MESSAGES),
            (bundles::TEAM, TEAM_MESSAGES),
            (bundles::PRACTICE, PRACTICE_MESSAGES),
        ] {
            let names: Vec<&str> = readers.iter().map(|reader| reader.name).collect();
            assert_eq!(names, bundle.messages, "{}", bundle.name);
        }
    }
}
