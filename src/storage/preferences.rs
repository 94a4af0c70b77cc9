//! The person's choices (the language, how long receipts are kept, the inbox's lock delay) in
//! the app's database, store `preferences`: one record per choice, `{id, json}`, where `json` is
//! the value as `crate::preferences` keeps it in `localStorage`.
//!
//! Plain IndexedDB, not rexie: every bundle reads the language at start, the shell too, and
//! rexie must stay out of the shell's first load (as [`super::delete_database`] does). Opening
//! the database here may create or upgrade it; then every store of the schema that is missing
//! is created, exactly as the schema lists them (rexie, opening it later at the same version,
//! finds nothing to do). Each call opens its own connection and closes it when done, so it
//! holds up another tab's upgrade or "delete all data" for a moment at most.
//!
//! A write resolves once its transaction has committed (`complete`): the choice is then on disk
//! and survives the browser being killed, which `localStorage` does not promise.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbOpenDbRequest, IdbTransactionMode};

use super::StorageError;
use super::schema::{SCHEMA_VERSION, Store};

/// The field of a record holding the choice's name (the store's key path).
const ID_FIELD: &str = "id";
/// The field of a record holding the value as JSON text.
const JSON_FIELD: &str = "json";

/// A record `{id, json}`, built field by field: two strings need no serde (which the shell
/// does not otherwise link for this).
fn record(key: &str, json: &str) -> Result<JsValue, StorageError> {
    let record = js_sys::Object::new();
    for (field, value) in [(ID_FIELD, key), (JSON_FIELD, json)] {
        js_sys::Reflect::set(
            &record,
            &JsValue::from_str(field),
            &JsValue::from_str(value),
        )
        .map_err(failure)?;
    }
    Ok(record.into())
}

/// A record's two fields; a record of another shape is an encoding error.
fn fields(record: &JsValue) -> Result<(String, String), StorageError> {
    let field = |name: &str| {
        js_sys::Reflect::get(record, &JsValue::from_str(name))
            .ok()
            .and_then(|value| value.as_string())
    };
    match (field(ID_FIELD), field(JSON_FIELD)) {
        (Some(id), Some(json)) => Ok((id, json)),
        _ => Err(StorageError::Encoding(
            "a preference is not {id, json}".to_owned(),
        )),
    }
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
/// the transaction has completed (for a write: committed). Reading and writing share this one
/// path so that the shell links it once.
async fn exchange(
    name: &str,
    choice: Option<(&str, &str)>,
) -> Result<Vec<(String, String)>, StorageError> {
    let database = open(name).await?;
    let exchanged = async {
        let mode = match choice {
            Some(_) => IdbTransactionMode::Readwrite,
            None => IdbTransactionMode::Readonly,
        };
        let store_name = Store::Preferences.name();
        let transaction = database
            .transaction_with_str_and_mode(store_name, mode)
            .map_err(failure)?;
        let object_store = transaction.object_store(store_name).map_err(failure)?;
        if let Some((key, json)) = choice {
            object_store.put(&record(key, json)?).map_err(failure)?;
        }
        let read = object_store.get_all().map_err(failure)?;
        // `complete` is the commit; `abort` (a full disk, for one) is a write that did not happen.
        fired(&transaction, "complete", "abort")
            .await
            .map_err(|()| match transaction.error() {
                Some(error) => failure(error.into()),
                None => StorageError::NotSaved,
            })?;
        let values: js_sys::Array = read.result().map_err(failure)?.unchecked_into();
        let mut choices = Vec::new();
        for value in values.iter() {
            choices.push(fields(&value)?);
        }
        Ok(choices)
    }
    .await;
    database.close();
    exchanged
}

/// Opens database `name` at the app's schema version, creating what is missing on upgrade.
async fn open(name: &str) -> Result<IdbDatabase, StorageError> {
    let factory = web_sys::window()
        .and_then(|window| window.indexed_db().ok().flatten())
        .ok_or(StorageError::Unavailable)?;
    let request = factory
        .open_with_u32(name, SCHEMA_VERSION)
        .map_err(|_| StorageError::Unavailable)?;
    let upgrade = Closure::once_into_js(create_missing_stores);
    request.set_onupgradeneeded(Some(upgrade.unchecked_ref()));
    fired(&request, "success", "error").await.map_err(|()| {
        failure(
            request
                .error()
                .ok()
                .flatten()
                .map_or(JsValue::UNDEFINED, JsValue::from),
        )
    })?;
    Ok(request.result().map_err(failure)?.unchecked_into())
}

/// `upgradeneeded`: creates every store of the schema the database does not have yet.
fn create_missing_stores(event: web_sys::Event) {
    let Some(database) = event
        .target()
        .and_then(|target| target.dyn_into::<IdbOpenDbRequest>().ok())
        .and_then(|request| request.result().ok())
        .map(JsCast::unchecked_into::<IdbDatabase>)
    else {
        return;
    };
    let existing = database.object_store_names();
    for store in Store::ALL {
        if existing.contains(store.name()) {
            continue;
        }
        let parameters = web_sys::IdbObjectStoreParameters::new();
        parameters.set_key_path(&JsValue::from_str(store.key_path()));
        // A failure here aborts the upgrade, and the open then fails with its reason.
        if let Err(error) =
            database.create_object_store_with_optional_parameters(store.name(), &parameters)
        {
            leptos::logging::warn!("cannot create store {}: {error:?}", store.name());
        }
    }
}

/// Waits until `target` fires `done` (`Ok`) or `failed` (`Err`). The promise's own resolve
/// and reject functions are the listeners: no closure is made on the Rust side.
async fn fired(target: &web_sys::EventTarget, done: &str, failed: &str) -> Result<(), ()> {
    let settled = js_sys::Promise::new(&mut |resolve, reject| {
        // Adding a listener fails only for a callback that is not a function.
        let _ = target.add_event_listener_with_callback(done, &resolve);
        let _ = target.add_event_listener_with_callback(failed, &reject);
    });
    JsFuture::from(settled).await.map(drop).map_err(drop)
}

/// A failure (usually a DOMException) as a [`StorageError`].
fn failure(error: JsValue) -> StorageError {
    let name = error
        .dyn_ref::<web_sys::DomException>()
        .map(web_sys::DomException::name);
    match name.as_deref() {
        Some("QuotaExceededError") => StorageError::QuotaExceeded,
        Some("VersionError") => StorageError::NewerVersion,
        Some(name) => StorageError::Other(name.to_owned()),
        None => StorageError::Other("indexeddb".to_owned()),
    }
}
