//! Small preferences kept in `localStorage` (gloo-storage): the chosen locale only.
//!
//! Nothing about observations ever goes here; that is IndexedDB's job.

use gloo_storage::{LocalStorage, Storage};
use prepoznaj_domain::locale::Locale;

/// Storage key of the chosen locale's tag.
pub const LOCALE_KEY: &str = "prepoznaj.locale";

/// The locale chosen earlier on this device, if any and still valid.
#[must_use]
pub fn load_locale() -> Option<Locale> {
    let tag: String = LocalStorage::get(LOCALE_KEY).ok()?;
    Locale::from_tag(&tag)
}

/// Remembers the chosen locale. Failing to remember it (storage disabled) is logged: the
/// app keeps working in the chosen locale until the next reload.
pub fn save_locale(locale: Locale) {
    if let Err(error) = LocalStorage::set(LOCALE_KEY, locale.tag()) {
        leptos::logging::warn!("the language choice cannot be remembered: {error}");
    }
}
