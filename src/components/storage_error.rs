//! Storage and content failures as translated messages that say what the person can do.

use leptos::prelude::*;

use crate::content::ContentError;
use crate::i18n::{Messages, use_i18n};
use crate::storage::StorageError;

/// The message for a storage failure.
#[must_use]
pub fn storage_error_message(messages: &'static Messages, error: &StorageError) -> &'static str {
    match error {
        StorageError::Unavailable => messages.storage_unavailable(),
        StorageError::QuotaExceeded => messages.storage_quota(),
        StorageError::NotSaved => messages.storage_not_saved(),
        StorageError::NewerVersion => messages.storage_newer(),
        // Locked: the lock's screens come first, so a page meets it only in a race with a lock.
        StorageError::Encoding(_)
        | StorageError::Other(_)
        | StorageError::Locked
        | StorageError::NotOpened => messages.storage_failed(),
    }
}

/// A failure the page cannot get past.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageError {
    Storage(StorageError),
    Content(ContentError),
    NotFound,
}

impl From<StorageError> for PageError {
    fn from(error: StorageError) -> PageError {
        PageError::Storage(error)
    }
}

impl From<ContentError> for PageError {
    fn from(error: ContentError) -> PageError {
        PageError::Content(error)
    }
}

/// An alert explaining a [`PageError`].
#[component]
pub fn PageErrorView(error: PageError) -> impl IntoView {
    let i18n = use_i18n();
    let message = move || {
        let messages = i18n.messages();
        match &error {
            PageError::Storage(storage) => storage_error_message(messages, storage),
            PageError::Content(_) => messages.content_unavailable(),
            PageError::NotFound => messages.observe_not_found(),
        }
    };
    view! { <p class="notice notice--warning" role="alert">{message}</p> }
}
