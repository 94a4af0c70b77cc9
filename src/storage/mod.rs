//! IndexedDB, through rexie: the schema, its versions, and the stores the app keeps.
//!
//! This is the only code that touches rexie. Every write is its own transaction that is
//! committed before the call returns, so an answer is on disk the moment the view hears back.
//! Errors are typed ([`StorageError`]) so views can say, translated, what the person can do;
//! they are never swallowed.

pub mod error;
pub mod observations;
pub mod schema;

use rexie::{Rexie, TransactionMode};
use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::JsValue;

pub use error::StorageError;
pub use schema::{DATABASE_NAME, SCHEMA_VERSION, Store};

/// An open database. Cheap to clone; all clones share one connection.
#[derive(Debug, Clone)]
pub struct Database {
    rexie: std::rc::Rc<Rexie>,
}

impl Database {
    /// Opens (creating or upgrading) the app's database.
    pub async fn open() -> Result<Database, StorageError> {
        Database::open_named(DATABASE_NAME).await
    }

    /// Opens a database of the app's schema under another name (browser tests use this).
    pub async fn open_named(name: &str) -> Result<Database, StorageError> {
        let rexie = schema::builder(name)
            .build()
            .await
            .map_err(StorageError::from)?;
        Ok(Database {
            rexie: std::rc::Rc::new(rexie),
        })
    }

    /// Writes `value` under its key path, replacing any earlier version, and waits until the
    /// transaction has committed.
    pub async fn put<T: Serialize>(&self, store: Store, value: &T) -> Result<(), StorageError> {
        let value = to_js(value)?;
        let transaction = self
            .rexie
            .transaction(&[store.name()], TransactionMode::ReadWrite)?;
        transaction.store(store.name())?.put(&value, None).await?;
        transaction.done().await?;
        Ok(())
    }

    /// Reads one record by key.
    pub async fn get<T: DeserializeOwned>(
        &self,
        store: Store,
        key: &str,
    ) -> Result<Option<T>, StorageError> {
        let transaction = self
            .rexie
            .transaction(&[store.name()], TransactionMode::ReadOnly)?;
        let found = transaction
            .store(store.name())?
            .get(JsValue::from_str(key))
            .await?;
        transaction.done().await?;
        found.map(|value| from_js(value)).transpose()
    }

    /// Reads every record of a store, in key order.
    pub async fn get_all<T: DeserializeOwned>(&self, store: Store) -> Result<Vec<T>, StorageError> {
        let transaction = self
            .rexie
            .transaction(&[store.name()], TransactionMode::ReadOnly)?;
        let values = transaction.store(store.name())?.get_all(None, None).await?;
        transaction.done().await?;
        values.into_iter().map(from_js).collect()
    }

    /// Deletes one record by key and waits until that is committed.
    pub async fn delete(&self, store: Store, key: &str) -> Result<(), StorageError> {
        let transaction = self
            .rexie
            .transaction(&[store.name()], TransactionMode::ReadWrite)?;
        transaction
            .store(store.name())?
            .delete(JsValue::from_str(key))
            .await?;
        transaction.done().await?;
        Ok(())
    }

    /// Closes the connection once no other clone uses it (before deleting the database, and in
    /// tests). Other clones keep it open.
    pub fn close(self) {
        if let Ok(rexie) = std::rc::Rc::try_unwrap(self.rexie) {
            rexie.close();
        }
    }

    /// The schema version the open database has.
    pub fn version(&self) -> Result<u32, StorageError> {
        Ok(self.rexie.version()?)
    }
}

thread_local! {
    static APP_DATABASE: std::cell::RefCell<Option<Database>> = const { std::cell::RefCell::new(None) };
}

/// The app's database, opened on first use and shared by every view afterwards.
pub async fn app_database() -> Result<Database, StorageError> {
    if let Some(open) = APP_DATABASE.with(|cell| cell.borrow().clone()) {
        return Ok(open);
    }
    let database = Database::open().await?;
    APP_DATABASE.with(|cell| *cell.borrow_mut() = Some(database.clone()));
    Ok(database)
}

/// Deletes the whole database (Settings → delete all data). Waits until other tabs have let
/// go of it (the app's open connections close themselves when asked to).
///
/// Plain IndexedDB rather than rexie: Settings is in the shell bundle, and this keeps rexie
/// out of the shell's first load.
pub async fn delete_database(name: &str) -> Result<(), StorageError> {
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;

    let factory = web_sys::window()
        .and_then(|window| window.indexed_db().ok().flatten())
        .ok_or(StorageError::Unavailable)?;
    let request = factory
        .delete_database(name)
        .map_err(|error| StorageError::Other(format!("{error:?}")))?;
    let finished = js_sys::Promise::new(&mut |resolve, reject| {
        let on_success = Closure::once_into_js(move || {
            let _ = resolve.call0(&JsValue::NULL);
        });
        let on_error = Closure::once_into_js(move |event: web_sys::Event| {
            let _ = reject.call1(&JsValue::NULL, &event);
        });
        request.set_onsuccess(Some(on_success.unchecked_ref()));
        request.set_onerror(Some(on_error.unchecked_ref()));
    });
    wasm_bindgen_futures::JsFuture::from(finished)
        .await
        .map(|_| ())
        .map_err(|error| StorageError::Other(format!("{error:?}")))
}

fn to_js<T: Serialize>(value: &T) -> Result<JsValue, StorageError> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|error| StorageError::Encoding(error.to_string()))
}

fn from_js<T: DeserializeOwned>(value: JsValue) -> Result<T, StorageError> {
    serde_wasm_bindgen::from_value(value).map_err(|error| StorageError::Encoding(error.to_string()))
}
