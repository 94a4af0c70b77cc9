//! The app lock's one record (store `app_lock`): the data key wrapped under the person's PIN
//! or passphrase, the wrong tries since the last unlock and the auto-lock choice. Nothing in
//! it says anything about a child; the wrapped key opens only with the secret.
//!
//! [`reset`] is "Forgot PIN?": in one transaction the new lock replaces the old one and every
//! record sealed under the old key is deleted (drafts, finished observations not yet sealed to
//! the team, the phone's copies of queued reports, receipts, the start form). The outbox's
//! sealed reports and the sender's state stay, so waiting reports are still sent.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use prepoznaj_domain::app_lock::{AutoLock, WrongTries};
use prepoznaj_domain::observation::Status;
use rexie::TransactionMode;
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsValue;

use super::observations::{self, Summary};
use super::start_form;
use super::{Database, StorageError, Store, committed, to_js};

/// The one record's key.
const LOCK: &str = "lock";

/// The app lock as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockRecord {
    /// The data key wrapped under the secret (an age scrypt file).
    pub wrapped_key: Vec<u8>,
    pub wrong_tries: WrongTries,
    pub auto_lock: AutoLock,
    /// The phone's screen lock as a faster unlock, when the person turned it on.
    pub screen_lock: Option<ScreenLock>,
}

/// The data key wrapped a second time, under the secret a platform credential's PRF gives
/// for `salt` after the phone's own user verification (`crate::webauthn`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScreenLock {
    pub credential_id: Vec<u8>,
    pub salt: [u8; crate::webauthn::PRF_BYTES],
    /// An age scrypt file, like [`LockRecord::wrapped_key`].
    pub wrapped_key: Vec<u8>,
}

#[derive(Debug, Serialize, Deserialize)]
struct StoredLock {
    id: String,
    wrapped_key: String,
    #[serde(default)]
    wrong_tries: WrongTries,
    #[serde(default)]
    auto_lock_minutes: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    screen_lock: Option<StoredScreenLock>,
}

/// [`ScreenLock`] as base64 text.
#[derive(Debug, Serialize, Deserialize)]
struct StoredScreenLock {
    credential_id: String,
    salt: String,
    wrapped_key: String,
}

fn decoded(text: &str) -> Result<Vec<u8>, StorageError> {
    STANDARD
        .decode(text)
        .map_err(|error| StorageError::Encoding(error.to_string()))
}

impl StoredScreenLock {
    fn read(&self) -> Result<ScreenLock, StorageError> {
        Ok(ScreenLock {
            credential_id: decoded(&self.credential_id)?,
            salt: decoded(&self.salt)?.try_into().map_err(|_| {
                StorageError::Encoding("a screen lock salt of another length".to_owned())
            })?,
            wrapped_key: decoded(&self.wrapped_key)?,
        })
    }

    fn of(screen_lock: &ScreenLock) -> Self {
        StoredScreenLock {
            credential_id: STANDARD.encode(&screen_lock.credential_id),
            salt: STANDARD.encode(screen_lock.salt),
            wrapped_key: STANDARD.encode(&screen_lock.wrapped_key),
        }
    }
}

/// The lock, if one is set on this phone.
pub async fn load(database: &Database) -> Result<Option<LockRecord>, StorageError> {
    let stored: Option<StoredLock> = database.get(Store::AppLock, LOCK).await?;
    stored
        .map(|stored| {
            Ok(LockRecord {
                wrapped_key: decoded(&stored.wrapped_key)?,
                wrong_tries: stored.wrong_tries,
                auto_lock: stored
                    .auto_lock_minutes
                    .and_then(AutoLock::from_minutes)
                    .unwrap_or_default(),
                screen_lock: stored
                    .screen_lock
                    .as_ref()
                    .map(StoredScreenLock::read)
                    .transpose()?,
            })
        })
        .transpose()
}

fn stored(record: &LockRecord) -> Result<JsValue, StorageError> {
    to_js(&StoredLock {
        id: LOCK.to_owned(),
        wrapped_key: STANDARD.encode(&record.wrapped_key),
        wrong_tries: record.wrong_tries,
        auto_lock_minutes: Some(record.auto_lock.minutes()),
        screen_lock: record.screen_lock.as_ref().map(StoredScreenLock::of),
    })
}

/// Writes the lock (set up, a wrong try, an unlock, a new auto-lock choice) and waits for the
/// commit.
pub async fn save(database: &Database, record: &LockRecord) -> Result<(), StorageError> {
    database.put_value(Store::AppLock, stored(record)?).await
}

/// Changes the lock's record, when there is one (a choice, the screen lock turned off), and
/// waits for the commit.
pub async fn update(
    database: &Database,
    change: impl FnOnce(&mut LockRecord),
) -> Result<(), StorageError> {
    if let Some(mut record) = load(database).await? {
        change(&mut record);
        save(database, &record).await?;
    }
    Ok(())
}

/// What "Forgot PIN?" deletes, counted before the person confirms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ResetLoss {
    /// Drafts.
    pub drafts: usize,
    /// Finished observations not yet sealed to the team (the phone is not enrolled).
    pub unsealed: usize,
    /// The phone's readable copies of reports waiting in the outbox (the sealed reports stay
    /// and are sent).
    pub queued_copies: usize,
    /// Receipts of reports the team has.
    pub receipts: usize,
    /// A start form begun and not yet started.
    pub start_form: bool,
}

impl ResetLoss {
    fn of(summaries: &[Summary], start_form: bool) -> Self {
        let count = |wanted: &[Status]| {
            summaries
                .iter()
                .filter(|summary| summary.sealed && wanted.contains(&summary.status))
                .count()
        };
        ResetLoss {
            drafts: count(&[Status::Draft]),
            unsealed: count(&[Status::Complete]),
            queued_copies: count(&[Status::Queued]),
            receipts: count(&[Status::Sent, Status::Forgotten]),
            start_form,
        }
    }
}

/// What [`reset`] would delete now.
pub async fn reset_loss(database: &Database) -> Result<ResetLoss, StorageError> {
    Ok(ResetLoss::of(
        &observations::summaries(database).await?,
        start_form::is_sealed(database).await?,
    ))
}

/// "Forgot PIN?": in one transaction, deletes every record sealed under the old key (see the
/// module) and writes `record`, the new lock. Returns what was deleted. Plaintext records
/// (written before the lock was set, not yet sealed) are kept: they are sealed under the new
/// key on its first unlock.
pub async fn reset(database: &Database, record: &LockRecord) -> Result<ResetLoss, StorageError> {
    let summaries = observations::summaries(database).await?;
    let start_form_sealed = start_form::is_sealed(database).await?;
    let loss = ResetLoss::of(&summaries, start_form_sealed);
    let value = stored(record)?;
    let transaction = database
        .transaction_on(
            &[Store::AppLock, Store::Observations, Store::StartForm],
            TransactionMode::ReadWrite,
        )
        .await?;
    let observations_store = transaction.store(Store::Observations.name())?;
    for summary in summaries.iter().filter(|summary| summary.sealed) {
        observations_store
            .delete(JsValue::from_str(&summary.id))
            .await?;
    }
    if start_form_sealed {
        transaction
            .store(Store::StartForm.name())?
            .delete(JsValue::from_str(start_form::NEW_OBSERVATION))
            .await?;
    }
    transaction
        .store(Store::AppLock.name())?
        .put(&value, None)
        .await?;
    committed(transaction).await?;
    Ok(loss)
}
