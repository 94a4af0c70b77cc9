//! Settings → "Delete all data on this phone": IndexedDB, the app's caches, its preferences
//! and its service worker, for real, after confirmation.

use gloo_storage::Storage;
use js_sys::Array;
use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::components::confirm_dialog::ConfirmDialog;
use crate::components::storage_error::storage_error_message;
use crate::i18n::use_i18n;
use crate::storage::{DATABASE_NAME, StorageError, delete_database};

/// Where the deletion is.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Deletion {
    Idle,
    Confirming,
    Deleting,
    Done,
    Failed(StorageError),
}

/// Deletes everything the app keeps on this phone. The database goes first: it is what
/// matters; caches and the service worker only hold the app itself.
pub async fn delete_all_data() -> Result<(), StorageError> {
    delete_database(DATABASE_NAME).await?;
    gloo_storage::LocalStorage::clear();
    let window = web_sys::window().ok_or_else(|| StorageError::Other("no window".to_owned()))?;
    let browser_failure = |error: JsValue| StorageError::Other(format!("{error:?}"));
    if let Ok(caches) = window.caches() {
        let names: Array = JsFuture::from(caches.keys())
            .await
            .map_err(browser_failure)?
            .unchecked_into();
        for name in names.iter().filter_map(|name| name.as_string()) {
            JsFuture::from(caches.delete(&name))
                .await
                .map_err(browser_failure)?;
        }
    }
    let navigator = window.navigator();
    if js_sys::Reflect::has(&navigator, &JsValue::from_str("serviceWorker")).unwrap_or(false) {
        let registrations: Array = JsFuture::from(navigator.service_worker().get_registrations())
            .await
            .map_err(browser_failure)?
            .unchecked_into();
        for registration in registrations.iter() {
            let registration: web_sys::ServiceWorkerRegistration = registration.unchecked_into();
            JsFuture::from(registration.unregister().map_err(browser_failure)?)
                .await
                .map_err(browser_failure)?;
        }
    }
    Ok(())
}

/// The settings card with the delete button and its confirmation.
#[component]
pub fn DeleteAllData() -> impl IntoView {
    let i18n = use_i18n();
    let state = RwSignal::new(Deletion::Idle);
    let delete = move |()| {
        state.set(Deletion::Deleting);
        leptos::task::spawn_local(async move {
            state.set(match delete_all_data().await {
                Ok(()) => Deletion::Done,
                Err(error) => Deletion::Failed(error),
            });
        });
    };
    view! {
        <section class="card" aria-labelledby="settings-delete-heading">
            <h2 id="settings-delete-heading" class="card__title">
                {move || i18n.messages().settings_delete_heading()}
            </h2>
            <p>{move || i18n.messages().settings_delete_explain()}</p>
            {move || match state.get() {
                Deletion::Idle | Deletion::Failed(_) => view! {
                    <button type="button" class="button button--danger" on:click=move |_| state.set(Deletion::Confirming)>
                        {move || i18n.messages().settings_delete_button()}
                    </button>
                }
                    .into_any(),
                Deletion::Confirming => view! {
                    <ConfirmDialog
                        label=|m| m.settings_delete_button()
                        question=|m| m.settings_delete_confirm()
                        confirm=|m| m.settings_delete_yes()
                        danger=true
                        on_confirm=delete
                        on_cancel=move |()| state.set(Deletion::Idle)
                    />
                }
                    .into_any(),
                Deletion::Deleting => view! { <p role="status">{move || i18n.messages().settings_deleting()}</p> }.into_any(),
                Deletion::Done => view! {
                    <p class="notice" role="status" data-testid="data-deleted">{move || i18n.messages().settings_deleted()}</p>
                }
                    .into_any(),
            }}
            {move || match state.get() {
                Deletion::Failed(error) => Some(view! {
                    <p class="notice notice--warning" role="alert">{storage_error_message(i18n.messages(), &error)}</p>
                }),
                _ => None,
            }}
        </section>
    }
}
