//! The person's small choices: the locale, how long receipts of sent reports are kept, and how
//! many minutes the team inbox stays unlocked while the app is not used.
//!
//! Each is kept twice. IndexedDB (`storage::preferences`, the app's database) is the record: a
//! choice is written there in a transaction that commits, so it survives the browser being
//! killed. `localStorage` is a cache the views read synchronously, the language before the
//! first paint; the browser writes it to disk lazily, so after a kill it may have lost the
//! latest choice. At start, [`restore`] makes the cache agree with the record (the record wins).
//! A choice made before the record existed is only in the cache, which has long reached the
//! disk; the next choice is recorded.
//!
//! Nothing about observations ever goes here. Practice keeps here only the days its cases are
//! due again, so that the home screen can count them without loading the practice.

use gloo_storage::{LocalStorage, Storage};
use leptos::prelude::*;
use prepoznaj_domain::locale::Locale;
use prepoznaj_domain::receipts::ReceiptRetention;

use crate::storage::{DATABASE_NAME, StorageError, preferences as stored};

/// Storage key of the chosen locale's tag.
pub const LOCALE_KEY: &str = "prepoznaj.locale";

/// Storage key of how many days receipts are kept.
pub const RECEIPT_DAYS_KEY: &str = "prepoznaj.receipt-days";

/// Storage key of the inbox's lock delay, in minutes.
pub const INBOX_LOCK_MINUTES_KEY: &str = "prepoznaj.inbox-lock-minutes";

/// Storage key of the days practised cases are due again (local days since 1970, JSON).
pub const PRACTICE_DUE_KEY: &str = "prepoznaj.practice-due";

/// How many practised cases are due again by local day `today`, from the due days the cache
/// has (none without practice).
#[must_use]
pub fn practice_due_on(today: i64) -> usize {
    let json = LocalStorage::raw()
        .get_item(PRACTICE_DUE_KEY)
        .ok()
        .flatten()
        .unwrap_or_default();
    due_on(&json, today)
}

/// How many numbers of the JSON list of whole numbers `json` are at most `today`; anything
/// else is skipped. Read digit by digit: a JSON reader or the standard integer parser would
/// add about 0.6 KB to the shell's first load for this one list.
fn due_on(json: &str, today: i64) -> usize {
    let mut due = 0;
    let mut number: Option<i64> = None;
    let mut negative = false;
    for byte in json.bytes().chain(std::iter::once(b',')) {
        match byte {
            b'0'..=b'9' => {
                let digit = i64::from(byte - b'0');
                number = Some(number.unwrap_or(0).saturating_mul(10).saturating_add(digit));
            }
            b'-' if number.is_none() => negative = true,
            _ => {
                if let Some(value) = number.take() {
                    due += usize::from((if negative { -value } else { value }) <= today);
                }
                negative = false;
            }
        }
    }
    due
}

/// Remembers the days practised cases are due again; see [`remember`].
pub async fn save_practice_due_days(days: &[i64]) -> Result<(), StorageError> {
    let json =
        serde_json::to_string(days).map_err(|error| StorageError::Other(error.to_string()))?;
    remember(DATABASE_NAME, PRACTICE_DUE_KEY, &json).await
}

/// The delays the inbox's settings offer, in minutes; the first is the default.
pub const INBOX_LOCK_CHOICES: [u32; 4] = [5, 1, 15, 30];

/// The locale chosen earlier on this device, as the cache has it, if any and still valid.
#[must_use]
pub fn load_locale() -> Option<Locale> {
    let tag: String = LocalStorage::get(LOCALE_KEY).ok()?;
    Locale::from_tag(&tag)
}

/// Remembers the chosen locale; see [`remember`].
pub async fn save_locale(locale: Locale) -> Result<(), StorageError> {
    // A tag is plain ASCII letters and dashes: quoted, it is its JSON string.
    remember(DATABASE_NAME, LOCALE_KEY, &format!("\"{}\"", locale.tag())).await
}

/// How long receipts are kept, as the cache has it (the default without a choice).
#[must_use]
pub fn receipt_retention() -> ReceiptRetention {
    LocalStorage::get(RECEIPT_DAYS_KEY)
        .ok()
        .and_then(ReceiptRetention::from_days)
        .unwrap_or_default()
}

/// How long receipts are kept, as recorded in IndexedDB (the cache if that cannot be read).
/// The sender deletes receipts by it, so it must not be a choice a killed browser forgot.
pub async fn recorded_receipt_retention() -> ReceiptRetention {
    recorded(RECEIPT_DAYS_KEY)
        .await
        .and_then(ReceiptRetention::from_days)
        .unwrap_or_else(receipt_retention)
}

/// Remembers how long receipts are kept; see [`remember`].
pub async fn save_receipt_retention(retention: ReceiptRetention) -> Result<(), StorageError> {
    remember(
        DATABASE_NAME,
        RECEIPT_DAYS_KEY,
        &retention.days().to_string(),
    )
    .await
}

/// Minutes the inbox stays unlocked while the app is not used, as the cache has it (default 5).
#[must_use]
pub fn inbox_lock_minutes() -> u32 {
    LocalStorage::get(INBOX_LOCK_MINUTES_KEY)
        .ok()
        .filter(|minutes| INBOX_LOCK_CHOICES.contains(minutes))
        .unwrap_or(INBOX_LOCK_CHOICES[0])
}

/// The inbox's lock delay as recorded in IndexedDB (the cache if that cannot be read).
pub async fn recorded_inbox_lock_minutes() -> u32 {
    recorded(INBOX_LOCK_MINUTES_KEY)
        .await
        .filter(|minutes| INBOX_LOCK_CHOICES.contains(minutes))
        .unwrap_or_else(inbox_lock_minutes)
}

/// Remembers the inbox's lock delay; see [`remember`].
pub async fn save_inbox_lock_minutes(minutes: u32) -> Result<(), StorageError> {
    remember(DATABASE_NAME, INBOX_LOCK_MINUTES_KEY, &minutes.to_string()).await
}

/// Writes choice `key` (its value as JSON text) to the cache at once, then to database
/// `database_name`; returns once it is committed there. A cache that cannot be written
/// (storage disabled) is logged: the record is what counts.
pub async fn remember(database_name: &str, key: &str, json: &str) -> Result<(), StorageError> {
    if let Err(error) = LocalStorage::raw().set_item(key, json) {
        leptos::logging::warn!("the choice {key} cannot be cached: {error:?}");
    }
    stored::write(database_name, key, json).await
}

/// Makes the cache agree with the choices recorded in database `database_name` (the record
/// wins; a choice only the cache has, kept by an older version, stays as it is) and returns the
/// recorded locale.
pub async fn restore(database_name: &str) -> Result<Option<Locale>, StorageError> {
    let recorded = stored::read_all(database_name).await?;
    let cache = LocalStorage::raw();
    for (key, json) in &recorded {
        if cache.get_item(key).ok().flatten().as_deref() != Some(json.as_str())
            && let Err(error) = cache.set_item(key, json)
        {
            leptos::logging::warn!("the choice {key} cannot be cached: {error:?}");
        }
    }
    // The JSON string of a tag is the tag quoted (see `save_locale`).
    Ok(recorded_json(&recorded, LOCALE_KEY)
        .and_then(|json| json.strip_prefix('"')?.strip_suffix('"'))
        .and_then(Locale::from_tag))
}

/// The value of choice `key` in `recorded`, as JSON text.
fn recorded_json<'r>(recorded: &'r [(String, String)], key: &str) -> Option<&'r str> {
    recorded
        .iter()
        .find(|(name, _)| name == key)
        .map(|(_, json)| json.as_str())
}

/// The value of choice `key` in the app's database, if it is there and reads as a `T`.
async fn recorded<T: serde::de::DeserializeOwned>(key: &str) -> Option<T> {
    match stored::read_all(DATABASE_NAME).await {
        Ok(recorded) => {
            recorded_json(&recorded, key).and_then(|json| serde_json::from_str(json).ok())
        }
        Err(error) => {
            leptos::logging::warn!("the choice {key} cannot be read: {error}");
            None
        }
    }
}

/// A view's signal for a choice: the cache's value at once, then the recorded one once it is
/// read, unless the person has chosen again meanwhile.
pub fn choice_signal<T>(cached: T, recorded: impl Future<Output = T> + 'static) -> RwSignal<T>
where
    T: Clone + PartialEq + Send + Sync + 'static,
{
    let chosen = RwSignal::new(cached.clone());
    leptos::task::spawn_local(async move {
        let recorded = recorded.await;
        if chosen.get_untracked() == cached {
            chosen.set(recorded);
        }
    });
    chosen
}

/// Runs `save` and puts its failure (or `None` once it is recorded) in `failure`, for the view
/// to explain.
pub fn save_choice(
    save: impl Future<Output = Result<(), StorageError>> + 'static,
    failure: RwSignal<Option<StorageError>>,
) {
    leptos::task::spawn_local(async move {
        failure.set(save.await.err());
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn due_days_are_counted_from_the_json_practice_writes() {
        let days = [20_794_i64, 20_797, -3];
        let json = serde_json::to_string(&days).unwrap_or_default();
        for today in [-4, -3, 0, 20_794, 20_796, 20_797, 30_000] {
            let expected = prepoznaj_domain::practice::due_count(&days, today);
            assert_eq!(due_on(&json, today), expected, "{today}");
        }
        assert_eq!(due_on("[]", 5), 0);
        assert_eq!(due_on("", 5), 0);
        assert_eq!(due_on("[1, x, 2]", 5), 2);
    }
}
