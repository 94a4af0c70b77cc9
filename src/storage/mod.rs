//! IndexedDB, through rexie: the schema, its versions, and the stores the app keeps.
//!
//! This is the only code that touches rexie. Every write is its own transaction that is
//! committed before the call returns, so an answer is on disk the moment the view hears back.
//! Errors are typed ([`StorageError`]) so views can say, translated, what the person can do;
//! they are never swallowed.

pub mod app_lock;
pub mod enrolment;
pub mod error;
pub mod inbox;
pub mod local_contacts;
pub mod observations;
pub mod outbox;
pub mod practice;
pub mod preferences;
pub mod schema;
mod sealed;
pub mod start_form;
pub mod sync_state;
pub mod team_key;

use std::cell::RefCell;
use std::rc::Rc;

use rexie::{Rexie, Transaction, TransactionMode};
use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::JsValue;

pub use error::StorageError;
pub use schema::{DATABASE_NAME, SCHEMA_VERSION, Store};

/// An open database. Cheap to clone; all clones share one connection.
///
/// A connection closes itself when another tab needs the database at a newer version (or
/// deletes it): every operation then opens it again once, which either works (deleted: a new,
/// empty database) or fails with [`StorageError::NewerVersion`], so an old tab says "reload"
/// instead of failing for an unexplained reason.
#[derive(Debug, Clone)]
pub struct Database {
    name: Rc<str>,
    version: u32,
    connection: Rc<RefCell<Rc<Rexie>>>,
}

impl Database {
    /// Opens (creating or upgrading) the app's database.
    pub async fn open() -> Result<Database, StorageError> {
        Database::open_named(DATABASE_NAME).await
    }

    /// Opens a database of the app's schema under another name (browser tests use this).
    pub async fn open_named(name: &str) -> Result<Database, StorageError> {
        Database::open_at_version(name, SCHEMA_VERSION).await
    }

    /// Opens `name` at an earlier schema `version`, as an older build of the app would
    /// (migration tests use this; the app always opens [`SCHEMA_VERSION`]).
    pub async fn open_at_version(name: &str, version: u32) -> Result<Database, StorageError> {
        let rexie = schema::builder(name, version)
            .build()
            .await
            .map_err(StorageError::from)?;
        Ok(Database {
            name: Rc::from(name),
            version,
            connection: Rc::new(RefCell::new(Rc::new(rexie))),
        })
    }

    /// A transaction on `store`, reopening the connection once if it has been closed.
    async fn transaction(
        &self,
        store: Store,
        mode: TransactionMode,
    ) -> Result<Transaction, StorageError> {
        self.transaction_on(&[store], mode).await
    }

    /// One transaction over several stores (all its writes commit together or none does),
    /// reopening the connection once if it has been closed.
    async fn transaction_on(
        &self,
        stores: &[Store],
        mode: TransactionMode,
    ) -> Result<Transaction, StorageError> {
        let names: Vec<&str> = stores.iter().map(|store| store.name()).collect();
        let current = self.connection.borrow().clone();
        match current.transaction(&names, mode) {
            Ok(transaction) => Ok(transaction),
            Err(error) if error::is_closed_connection(&error) => {
                let reopened = Rc::new(
                    schema::builder(&self.name, self.version)
                        .build()
                        .await
                        .map_err(StorageError::from)?,
                );
                *self.connection.borrow_mut() = reopened.clone();
                Ok(reopened.transaction(&names, mode)?)
            }
            Err(error) => Err(error.into()),
        }
    }

    /// Writes `value` under its key path, replacing any earlier version, and waits until the
    /// transaction has committed.
    pub async fn put<T: Serialize>(&self, store: Store, value: &T) -> Result<(), StorageError> {
        self.put_value(store, to_js(value)?).await
    }

    /// [`Database::put`] of a value already in JavaScript's shape (a sealed record).
    async fn put_value(&self, store: Store, value: JsValue) -> Result<(), StorageError> {
        let transaction = self.transaction(store, TransactionMode::ReadWrite).await?;
        let object_store = transaction.store(store.name())?;
        // The commit is asked for together with the write, so the browser commits as soon as
        // the write is done instead of waiting for this page to see it succeed (the page may
        // be busy drawing the answer the person just gave).
        let (written, committed) =
            futures::future::join(object_store.put(&value, None), transaction.commit()).await;
        match committed {
            // An aborted transaction, such as a full disk at commit time.
            Err(rexie::Error::TransactioncommitFailed) => Err(StorageError::NotSaved),
            Err(error) => Err(error.into()),
            Ok(()) => written.map(drop).map_err(StorageError::from),
        }
    }

    /// Reads one record by key.
    pub async fn get<T: DeserializeOwned>(
        &self,
        store: Store,
        key: &str,
    ) -> Result<Option<T>, StorageError> {
        let transaction = self.transaction(store, TransactionMode::ReadOnly).await?;
        let found = transaction
            .store(store.name())?
            .get(JsValue::from_str(key))
            .await?;
        transaction.done().await?;
        found.map(|value| from_js(value)).transpose()
    }

    /// Reads every record of a store, in key order.
    pub async fn get_all<T: DeserializeOwned>(&self, store: Store) -> Result<Vec<T>, StorageError> {
        let transaction = self.transaction(store, TransactionMode::ReadOnly).await?;
        let values = transaction.store(store.name())?.get_all(None, None).await?;
        transaction.done().await?;
        values.into_iter().map(from_js).collect()
    }

    /// Deletes one record by key and waits until that is committed.
    pub async fn delete(&self, store: Store, key: &str) -> Result<(), StorageError> {
        let transaction = self.transaction(store, TransactionMode::ReadWrite).await?;
        transaction
            .store(store.name())?
            .delete(JsValue::from_str(key))
            .await?;
        committed(transaction).await
    }

    /// Closes the connection once no other clone uses it (before deleting the database, and in
    /// tests). Other clones keep it open.
    pub fn close(self) {
        if let Ok(connection) = Rc::try_unwrap(self.connection)
            && let Ok(rexie) = Rc::try_unwrap(connection.into_inner())
        {
            rexie.close();
        }
    }

    /// The schema version the open database has.
    pub fn version(&self) -> Result<u32, StorageError> {
        Ok(self.connection.borrow().version()?)
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

/// Waits for a write transaction to finish: an aborted one is an error, never a success.
async fn committed(transaction: Transaction) -> Result<(), StorageError> {
    match transaction.done().await? {
        rexie::TransactionResult::Committed => Ok(()),
        rexie::TransactionResult::Aborted => Err(StorageError::NotSaved),
    }
}

/// `value` as the plain JavaScript object IndexedDB stores: written as JSON in Rust and parsed
/// once by the browser, which is several times faster than building the object field by field
/// across the WebAssembly boundary (this is on the path of every answer's autosave).
fn to_js<T: Serialize>(value: &T) -> Result<JsValue, StorageError> {
    let json =
        serde_json::to_string(value).map_err(|error| StorageError::Encoding(error.to_string()))?;
    js_sys::JSON::parse(&json).map_err(|error| StorageError::Encoding(format!("{error:?}")))
}

fn from_js<T: DeserializeOwned>(value: JsValue) -> Result<T, StorageError> {
    serde_wasm_bindgen::from_value(value).map_err(|error| StorageError::Encoding(error.to_string()))
}
