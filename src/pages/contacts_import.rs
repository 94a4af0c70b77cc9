//! `/contacts/import#…`: a colleague's share link. Shows what the link holds and what it would
//! replace, and replaces the school's contacts on this phone only after confirmation. A
//! damaged link says so and changes nothing. Once done, the contacts are taken out of the
//! address (they stay on the phone, not in its history of the page).

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_location;
use prepoznaj_domain::local_contacts::{LocalContactList, LocalContactsImportError};
use prepoznaj_domain::locale::fill;

use crate::components::import_preview::ImportPreview;
use crate::components::local_contact_messages::import_error_message;
use crate::components::storage_error::storage_error_message;
use crate::i18n::use_i18n;
use crate::pages::contacts::CONTACTS_PATH;
use crate::pages::local_contacts::{LOCAL_CONTACTS_PATH, use_contacts_page_title};
use crate::storage::{StorageError, app_database, local_contacts};

/// The address share links open; the list follows after `#`.
pub const IMPORT_PATH: &str = "/contacts/import";

/// Where the import is.
#[derive(Debug, Clone, PartialEq, Eq)]
enum ImportState {
    Reading,
    NoLink,
    Refused(LocalContactsImportError),
    Empty,
    Preview {
        incoming: LocalContactList,
        current: LocalContactList,
    },
    Saving,
    Done(usize),
    Cancelled,
    Failed(StorageError),
}

/// The import screen.
#[component]
pub fn ContactsImportPage() -> impl IntoView {
    let i18n = use_i18n();
    use_contacts_page_title(|m| m.import_title());
    let location = use_location();
    let state = RwSignal::new(ImportState::Reading);
    Effect::new(move |_| {
        // Read again when the address changes while the page is open (another link pasted).
        location.hash.track();
        let fragment = crate::address::current_fragment();
        if fragment.is_empty() {
            if state.get_untracked() == ImportState::Reading {
                state.set(ImportState::NoLink);
            }
            return;
        }
        match LocalContactList::from_link_fragment(&fragment) {
            Err(error) => state.set(ImportState::Refused(error)),
            Ok(incoming) if incoming.is_empty() => state.set(ImportState::Empty),
            Ok(incoming) => {
                leptos::task::spawn_local(async move {
                    let current = match app_database().await {
                        Ok(database) => local_contacts::load(&database).await,
                        Err(error) => Err(error),
                    };
                    state.set(match current {
                        Ok(current) => ImportState::Preview { incoming, current },
                        Err(error) => ImportState::Failed(error),
                    });
                });
            }
        }
    });
    let confirm = move |()| {
        let ImportState::Preview { incoming, .. } = state.get_untracked() else {
            return;
        };
        state.set(ImportState::Saving);
        leptos::task::spawn_local(async move {
            let saved = match app_database().await {
                Ok(database) => local_contacts::save(&database, &incoming).await,
                Err(error) => Err(error),
            };
            match saved {
                Ok(()) => {
                    crate::address::clear_fragment(IMPORT_PATH);
                    state.set(ImportState::Done(incoming.len()));
                }
                Err(error) => state.set(ImportState::Failed(error)),
            }
        });
    };
    let cancel = move |()| {
        crate::address::clear_fragment(IMPORT_PATH);
        state.set(ImportState::Cancelled);
    };
    let links = move || {
        view! {
            <div class="actions">
                <A href=CONTACTS_PATH attr:class="button button--primary">{move || i18n.contacts().import_open_contacts()}</A>
                <A href=LOCAL_CONTACTS_PATH attr:class="button">{move || i18n.contacts().local_title()}</A>
            </div>
        }
    };
    let warning = move |text: Signal<String>| {
        view! {
            <p class="notice notice--warning" role="alert" data-testid="import-problem">
                {move || text.get()}
            </p>
        }
    };
    view! {
        <h1>{move || i18n.contacts().import_title()}</h1>
        {move || match state.get() {
            ImportState::Reading | ImportState::Saving => {
                view! { <p role="status">{move || i18n.contacts().contacts_loading()}</p> }.into_any()
            }
            ImportState::NoLink => {
                view! {
                    {warning(Signal::derive(move || i18n.contacts().import_no_link().to_owned()))}
                    {links()}
                }
                    .into_any()
            }
            ImportState::Refused(error) => {
                view! {
                    {warning(Signal::derive(move || import_error_message(i18n.contacts(), &error)))}
                    {links()}
                }
                    .into_any()
            }
            ImportState::Empty => {
                view! {
                    {warning(Signal::derive(move || i18n.contacts().import_empty().to_owned()))}
                    {links()}
                }
                    .into_any()
            }
            ImportState::Failed(error) => {
                view! {
                    {warning(Signal::derive(move || storage_error_message(i18n.messages(), &error).to_owned()))}
                    {links()}
                }
                    .into_any()
            }
            ImportState::Preview { incoming, current } => {
                view! { <ImportPreview incoming current on_confirm=confirm on_cancel=cancel /> }.into_any()
            }
            ImportState::Done(count) => {
                view! {
                    <p class="notice" role="status" data-testid="import-done">
                        {move || fill(i18n.contacts().import_done(), &[("count", &count.to_string())])}
                    </p>
                    {links()}
                }
                    .into_any()
            }
            ImportState::Cancelled => {
                view! {
                    <p class="notice" role="status">{move || i18n.contacts().import_cancelled()}</p>
                    {links()}
                }
                    .into_any()
            }
        }}
    }
}
