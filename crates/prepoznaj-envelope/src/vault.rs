//! The app lock's encryption at rest on a staff phone: a random 32-byte data key that seals
//! every record about a child the phone keeps (drafts, finished observations waiting to be
//! sent, receipts, the start form), wrapped under the person's PIN or passphrase.
//!
//! - **Wrapping.** The data key is an age file to age's scrypt recipient for the secret
//!   ([`DataKey::wrap`], work factor [`VAULT_WORK_FACTOR`]), the same lock as a team member's
//!   key ([`crate::identity`]). Unwrapping with another secret is
//!   [`UnlockError::WrongPassphrase`], never a panic.
//! - **Records.** Each record is sealed with XChaCha20-Poly1305 (the `chacha20poly1305`
//!   crate) under the data key, with a fresh random 24-byte nonce. The associated data binds
//!   the store's name and the record's key, so a sealed record copied to another key or store
//!   does not open. Layout: `[RECORD_FORMAT] [nonce: 24] [ciphertext ‖ tag: 16]`.
//!
//! The data key lives in memory only while the app is unlocked and is zeroed when dropped.
//! No IO, no clock: the caller stores the wrapped key and the sealed records.

use chacha20poly1305::aead::{Aead as _, KeyInit as _, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use zeroize::Zeroizing;

use crate::identity::{UnlockError, lock_bytes, unlock_bytes};
use crate::signing::KeyGenerationError;

/// The scrypt work factor (`N = 2^VAULT_WORK_FACTOR`, r = 8, p = 1, 32 MiB) of the data key's
/// wrapping: the unlock must take at most 1 s at a 4× CPU slowdown in Chromium
/// (`tests/bench/app-lock.mjs`). The team key's 2^16 takes 1.2–1.3 s there, so 2^15 (about
/// half) is the highest that fits. Each guess of an attacker who copied the phone's storage
/// costs the same work; a six-digit PIN stays guessable offline (the threat model says so).
pub const VAULT_WORK_FACTOR: u8 = 15;

/// Unwrapping refuses a wrapped key that asks for more work than this (a tampered record
/// cannot make the app compute for minutes); lighter wraps (tests) still open.
const MAX_UNWRAP_WORK_FACTOR: u8 = VAULT_WORK_FACTOR + 2;

/// The first byte of every sealed record: its format.
pub const RECORD_FORMAT: u8 = 1;

/// Bytes of a data key.
const KEY_BYTES: usize = 32;
/// Bytes of a record's nonce (XChaCha20).
const NONCE_BYTES: usize = 24;
/// Bytes of the Poly1305 tag.
const TAG_BYTES: usize = 16;
/// What the associated data starts with: the purpose, so these bytes mean nothing elsewhere.
const ASSOCIATED_DATA_PREFIX: &[u8] = b"prepoznaj-record-v1";

/// The app lock's data key. `Debug` never shows it; it is zeroed when dropped.
pub struct DataKey(Zeroizing<[u8; KEY_BYTES]>);

impl std::fmt::Debug for DataKey {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("DataKey(…)")
    }
}

/// Why a sealed record could not be opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OpenError {
    #[error("the record is too short to be sealed ({0} bytes)")]
    Truncated(usize),
    #[error("the record is sealed in format {0}, which this version does not know")]
    UnknownFormat(u8),
    /// Another data key, another store or record key, or changed bytes: AEAD cannot tell which.
    #[error(
        "the record does not open with this key at this place (another key, moved, or damaged)"
    )]
    NotAuthentic,
}

impl DataKey {
    /// A new data key from the system's cryptographic random source.
    ///
    /// # Errors
    /// [`KeyGenerationError`] when the random source fails.
    pub fn generate() -> Result<Self, KeyGenerationError> {
        let mut bytes = Zeroizing::new([0_u8; KEY_BYTES]);
        getrandom::getrandom(bytes.as_mut_slice())
            .map_err(|error| KeyGenerationError::new(&error))?;
        Ok(Self(bytes))
    }

    /// The key whose bytes these are (a key unwrapped some other way, and tests).
    #[must_use]
    pub fn from_bytes(bytes: [u8; KEY_BYTES]) -> Self {
        Self(Zeroizing::new(bytes))
    }

    /// The key wrapped under `secret` (the PIN or passphrase as the person typed it, see
    /// `prepoznaj_domain::app_lock::LockSecret`): an age file to age's scrypt recipient with
    /// work factor `log_n` ([`VAULT_WORK_FACTOR`] in the app).
    #[must_use]
    pub fn wrap(&self, secret: &str, log_n: u8) -> Vec<u8> {
        lock_bytes(self.0.as_slice(), secret, log_n)
    }

    /// The key [`DataKey::wrap`] wrapped under `secret`.
    ///
    /// # Errors
    /// [`UnlockError::WrongPassphrase`] for another secret; [`UnlockError::Damaged`] for
    /// anything else (not an age file, too much work asked, not a key inside).
    pub fn unwrap(wrapped: &[u8], secret: &str) -> Result<Self, UnlockError> {
        let bytes = unlock_bytes(wrapped, secret, MAX_UNWRAP_WORK_FACTOR)?;
        let key: [u8; KEY_BYTES] = bytes.as_slice().try_into().map_err(|_| {
            UnlockError::Damaged(format!("the wrapped key has {} bytes", bytes.len()))
        })?;
        Ok(Self(Zeroizing::new(key)))
    }

    /// `plaintext` sealed as the record `record_key` of the store `store`, with a fresh random
    /// nonce.
    ///
    /// # Errors
    /// [`KeyGenerationError`] when the random source fails.
    pub fn seal(
        &self,
        store: &str,
        record_key: &str,
        plaintext: &[u8],
    ) -> Result<Vec<u8>, KeyGenerationError> {
        let mut nonce = [0_u8; NONCE_BYTES];
        getrandom::getrandom(&mut nonce).map_err(|error| KeyGenerationError::new(&error))?;
        Ok(self.seal_with_nonce(store, record_key, plaintext, nonce))
    }

    /// [`DataKey::seal`] with a given nonce: the golden test's fixed bytes. Never reuse a
    /// nonce under one key.
    #[doc(hidden)]
    #[must_use]
    pub fn seal_with_nonce(
        &self,
        store: &str,
        record_key: &str,
        plaintext: &[u8],
        nonce: [u8; NONCE_BYTES],
    ) -> Vec<u8> {
        let associated = associated_data(store, record_key);
        let ciphertext = self
            .cipher()
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plaintext,
                    aad: &associated,
                },
            )
            // Only a plaintext over 256 GiB is refused.
            .unwrap_or_else(|_| unreachable!("XChaCha20-Poly1305 refused a record"));
        let mut sealed = Vec::with_capacity(1 + NONCE_BYTES + ciphertext.len());
        sealed.push(RECORD_FORMAT);
        sealed.extend_from_slice(&nonce);
        sealed.extend_from_slice(&ciphertext);
        sealed
    }

    /// The plaintext of a record [`DataKey::seal`] sealed as `record_key` of `store`.
    ///
    /// # Errors
    /// [`OpenError`]: too short, an unknown format, or not authentic (another key, another
    /// place, changed bytes).
    pub fn open(
        &self,
        store: &str,
        record_key: &str,
        sealed: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, OpenError> {
        let Some((&format, rest)) = sealed.split_first() else {
            return Err(OpenError::Truncated(0));
        };
        if format != RECORD_FORMAT {
            return Err(OpenError::UnknownFormat(format));
        }
        if rest.len() < NONCE_BYTES + TAG_BYTES {
            return Err(OpenError::Truncated(sealed.len()));
        }
        let (nonce, ciphertext) = rest.split_at(NONCE_BYTES);
        let associated = associated_data(store, record_key);
        self.cipher()
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: &associated,
                },
            )
            .map(Zeroizing::new)
            .map_err(|_| OpenError::NotAuthentic)
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(Key::from_slice(self.0.as_slice()))
    }
}

/// The associated data of a record: the purpose, the store's name with its length (so no two
/// (store, key) pairs give the same bytes), and the record's key.
fn associated_data(store: &str, record_key: &str) -> Vec<u8> {
    let store_length = u16::try_from(store.len()).unwrap_or(u16::MAX);
    let mut associated =
        Vec::with_capacity(ASSOCIATED_DATA_PREFIX.len() + 2 + store.len() + record_key.len());
    associated.extend_from_slice(ASSOCIATED_DATA_PREFIX);
    associated.extend_from_slice(&store_length.to_be_bytes());
    associated.extend_from_slice(store.as_bytes());
    associated.extend_from_slice(record_key.as_bytes());
    associated
}
