//! The person's choices (the language, how long receipts are kept, the inbox's lock delay) in
//! the app's database, store `preferences`: one record per choice, `{id, json}`, where `json` is
//! the value as `crate::preferences` keeps it in `localStorage`.
//!
//! Plain IndexedDB, not rexie, and written in JavaScript (`window.prepoznajPreferences`, defined
//! by `public/boot.js`, which every page loads before the wasm): every bundle reads the language
//! at start, the shell too, and neither rexie nor IndexedDB bindings fit in the shell's
//! first-load budget. Opening the database there may create or upgrade it; then every store of
//! the schema that is missing is created, exactly as [`Store::ALL`] lists them (rexie, opening
//! it later at the same version, finds nothing to do). Each call opens its own connection and
//! closes it when done, so it holds up another tab's upgrade or "delete all data" for a moment
//! at most. A page without `boot.js` (a wasm test) loads it first (`tests/support`).
//!
//! A write resolves once its transaction has committed (`complete`): the choice is then on disk
//! and survives the browser being killed, which `localStorage` does not promise.

use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use super::StorageError;
use super::schema::{SCHEMA_VERSION, Store};

#[wasm_bindgen]
extern "C" {
    /// `public/boot.js`: one transaction on store `preferences` of database `name`.
    #[wasm_bindgen(catch, js_namespace = window, js_name = prepoznajPreferences)]
    fn exchange_in_js(
        name: &str,
        version: u32,
        stores: js_sys::Array,
        key: Option<&str>,
        json: Option<&str>,
    ) -> Result<js_sys::Promise, JsValue>;
}

/// Every choice stored in database `name`: (choice name, value as JSON text), in key order.
/// (A list, not a map: a handful of entries, and a map's code would weigh on the shell.)
pub async fn read_all(name: &str) -> Result<Vec<(String, String)>, StorageError> {
    exchange(name, None).await
}

/// Stores choice `key` with value `json` in database `name`, replacing an earlier value;
/// returns once that is committed.
pub async fn write(name: &str, key: &str, json: &str) -> Result<(), StorageError> {
    exchange(name, Some((key, json))).await.map(drop)
}

/// One transaction: writes `choice` if there is one, reads every choice, and returns them once
/// the transaction has completed (for a write: committed).
async fn exchange(
    name: &str,
    choice: Option<(&str, &str)>,
) -> Result<Vec<(String, String)>, StorageError> {
    let stores = js_sys::Array::new();
    for store in Store::ALL {
        stores.push(&JsValue::from_str(store.name()));
    }
    let promise = exchange_in_js(
        name,
        SCHEMA_VERSION,
        stores,
        choice.map(|(key, _)| key),
        choice.map(|(_, json)| json),
    )
    .map_err(|_| StorageError::Unavailable)?;
    let records: js_sys::Array = JsFuture::from(promise)
        .await
        .map_err(failure)?
        .unchecked_into();
    let mut choices = Vec::new();
    for record in records.iter() {
        let record: js_sys::Array = record.unchecked_into();
        match (record.get(0).as_string(), record.get(1).as_string()) {
            (Some(id), Some(json)) => choices.push((id, json)),
            _ => {
                return Err(StorageError::Encoding(
                    "a preference is not {id, json}".to_owned(),
                ));
            }
        }
    }
    Ok(choices)
}

/// A failure (a DOMException, or null for a transaction aborted without one) as a
/// [`StorageError`].
fn failure(error: JsValue) -> StorageError {
    let name = error
        .dyn_ref::<web_sys::DomException>()
        .map(web_sys::DomException::name);
    match name.as_deref() {
        Some("QuotaExceededError") => StorageError::QuotaExceeded,
        Some("VersionError") => StorageError::NewerVersion,
        Some(name) => StorageError::Other(name.to_owned()),
        None if error.is_null() => StorageError::NotSaved,
        None => StorageError::Other("indexeddb".to_owned()),
    }
}
