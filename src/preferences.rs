//! Small preferences kept in `localStorage` (gloo-storage): the chosen locale, how long
//! receipts of sent reports are kept, and how many minutes the team inbox stays unlocked while
//! the app is hidden.
//!
//! Nothing about observations ever goes here; that is IndexedDB's job.

use gloo_storage::{LocalStorage, Storage};
use prepoznaj_domain::locale::Locale;
use prepoznaj_domain::receipts::ReceiptRetention;

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

/// Storage key of how many days receipts are kept.
pub const RECEIPT_DAYS_KEY: &str = "prepoznaj.receipt-days";

/// How long receipts are kept: the choice made on this device, or the default.
#[must_use]
pub fn receipt_retention() -> ReceiptRetention {
    LocalStorage::get(RECEIPT_DAYS_KEY)
        .ok()
        .and_then(ReceiptRetention::from_days)
        .unwrap_or_default()
}

/// Remembers how long receipts are kept (failing that, logged: the default applies).
pub fn save_receipt_retention(retention: ReceiptRetention) {
    if let Err(error) = LocalStorage::set(RECEIPT_DAYS_KEY, retention.days()) {
        leptos::logging::warn!("the receipts choice cannot be remembered: {error}");
    }
}

/// Storage key of the inbox's lock delay, in minutes.
pub const INBOX_LOCK_MINUTES_KEY: &str = "prepoznaj.inbox-lock-minutes";

/// The delays the inbox's settings offer, in minutes; the first is the default.
pub const INBOX_LOCK_CHOICES: [u32; 4] = [5, 1, 15, 30];

/// Minutes the inbox stays unlocked while the app is hidden (default 5).
#[must_use]
pub fn inbox_lock_minutes() -> u32 {
    LocalStorage::get(INBOX_LOCK_MINUTES_KEY)
        .ok()
        .filter(|minutes| INBOX_LOCK_CHOICES.contains(minutes))
        .unwrap_or(INBOX_LOCK_CHOICES[0])
}

/// Remembers the inbox's lock delay; a failure is logged (the default then applies).
pub fn save_inbox_lock_minutes(minutes: u32) {
    if let Err(error) = LocalStorage::set(INBOX_LOCK_MINUTES_KEY, minutes) {
        leptos::logging::warn!("the inbox's lock delay cannot be remembered: {error}");
    }
}
