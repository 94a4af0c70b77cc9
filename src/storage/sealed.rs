//! Records about a child, sealed with the app lock's data key
//! (`prepoznaj_envelope::vault::DataKey`) before they reach IndexedDB: the record's JSON,
//! sealed with XChaCha20-Poly1305 to its store and key, as base64 text in a field of the
//! stored object. What stays in clear beside it is named by each store (`observations`: the
//! id, the status and the time of the last change, which the sender needs while the app is
//! locked; `start_form`: only its key).
//!
//! Reading never needs to know which form a record has: a record written before the lock was
//! set is plaintext and reads as it is, until the lock's first unlock seals it
//! ([`super::observations::seal_plaintext`]).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use prepoznaj_envelope::vault::DataKey;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{StorageError, Store};

/// User Timing name of sealing one record (`tests/bench/checklist.mjs` reports it: the app
/// lock's cost in each autosave).
pub const SEAL_RECORD_MEASURE: &str = "prepoznaj:record-seal";

/// `value`'s JSON sealed as record `record_key` of `store`, as base64 text.
pub(crate) fn seal<T: Serialize>(
    key: &DataKey,
    store: Store,
    record_key: &str,
    value: &T,
) -> Result<String, StorageError> {
    let started = crate::timing::now_ms();
    let json = zeroize::Zeroizing::new(
        serde_json::to_vec(value).map_err(|error| StorageError::Encoding(error.to_string()))?,
    );
    let sealed = key
        .seal(store.name(), record_key, &json)
        .map_err(|error| StorageError::Other(error.to_string()))?;
    let text = STANDARD.encode(sealed);
    crate::timing::measure_since(SEAL_RECORD_MEASURE, started);
    Ok(text)
}

/// The JSON [`seal`] sealed, opened and parsed; `patch` may change it before it is read as a
/// `T` (a receipt takes its time of delivery from the clear field).
pub(crate) fn open<T: DeserializeOwned>(
    key: &DataKey,
    store: Store,
    record_key: &str,
    sealed: &str,
    patch: impl FnOnce(&mut serde_json::Value),
) -> Result<T, StorageError> {
    let bytes = STANDARD
        .decode(sealed)
        .map_err(|error| StorageError::Encoding(error.to_string()))?;
    let json = key
        .open(store.name(), record_key, &bytes)
        .map_err(|_| StorageError::NotOpened)?;
    let mut value: serde_json::Value =
        serde_json::from_slice(&json).map_err(|error| StorageError::Encoding(error.to_string()))?;
    patch(&mut value);
    serde_json::from_value(value).map_err(|error| StorageError::Encoding(error.to_string()))
}
