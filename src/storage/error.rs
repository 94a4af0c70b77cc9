//! Why storage failed, in terms the app can explain to a person.

use wasm_bindgen::JsCast;

/// A storage failure. Views map each variant to a translated message saying what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StorageError {
    /// The browser offers no IndexedDB here (for example some private modes).
    #[error("indexeddb is not available")]
    Unavailable,
    /// The phone or the browser's quota is full.
    #[error("storage quota exceeded")]
    QuotaExceeded,
    /// The browser aborted a write instead of committing it. It does not say why; on a phone it
    /// is almost always because storage is full (Chromium aborts the transaction with
    /// `QuotaExceededError`, which rexie does not pass on).
    #[error("the browser aborted the write")]
    NotSaved,
    /// The database on this phone was written by a newer version of the app.
    #[error("the database is newer than this app")]
    NewerVersion,
    /// A stored record does not match the type the app expects.
    #[error("a stored record cannot be read: {0}")]
    Encoding(String),
    /// The record is sealed and the app is locked: unlock first.
    #[error("locked")]
    Locked,
    /// A sealed record does not open with this phone's data key (another key, or damaged).
    #[error("not opened")]
    NotOpened,
    /// Any other IndexedDB failure, with the DOMException name where there is one.
    #[error("indexeddb failed: {0}")]
    Other(String),
}

impl From<rexie::Error> for StorageError {
    fn from(error: rexie::Error) -> StorageError {
        match error {
            rexie::Error::IdbError(idb::Error::IndexedDbNotFound(_)) => StorageError::Unavailable,
            rexie::Error::IdbError(idb_error) => from_idb(idb_error),
            other => StorageError::Other(other.to_string()),
        }
    }
}

fn from_idb(error: idb::Error) -> StorageError {
    let exception_name = match &error {
        idb::Error::DomException(exception) => Some(exception.name()),
        _ => idb_error_value(&error).and_then(|value| {
            value
                .dyn_ref::<web_sys::DomException>()
                .map(web_sys::DomException::name)
        }),
    };
    match exception_name.as_deref() {
        Some("QuotaExceededError") => StorageError::QuotaExceeded,
        Some("VersionError") => StorageError::NewerVersion,
        Some("InvalidStateError" | "SecurityError") if is_open_failure(&error) => {
            StorageError::Unavailable
        }
        Some(name) => StorageError::Other(name.to_owned()),
        None => StorageError::Other(error.to_string()),
    }
}

/// Whether `error` says the connection has closed: another tab upgraded or deleted the
/// database, and every connection of the app closes itself when asked to.
pub(super) fn is_closed_connection(error: &rexie::Error) -> bool {
    match error {
        rexie::Error::IdbError(idb::Error::TransactionOpenFailed(value)) => value
            .dyn_ref::<web_sys::DomException>()
            .is_some_and(|exception| exception.name() == "InvalidStateError"),
        _ => false,
    }
}

fn is_open_failure(error: &idb::Error) -> bool {
    matches!(error, idb::Error::IndexedDbOpenFailed(_))
}

/// The JS value (usually a DOMException) carried by the idb error variants that have one.
fn idb_error_value(error: &idb::Error) -> Option<&wasm_bindgen::JsValue> {
    use idb::Error as E;
    match error {
        E::AddFailed(value)
        | E::ClearFailed(value)
        | E::DeleteFailed(value)
        | E::GetFailed(value)
        | E::GetAllFailed(value)
        | E::IndexedDbOpenFailed(value)
        | E::IndexedDbDeleteFailed(value)
        | E::TransactionAbortError(value)
        | E::TransactionCommitError(value)
        | E::TransactionOpenFailed(value)
        | E::UpdateFailed(value) => Some(value),
        _ => None,
    }
}
