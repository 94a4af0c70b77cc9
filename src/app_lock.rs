//! The app lock's session on a staff phone (observe bundle): whether a lock is set, whether it
//! is unlocked, and the data key while it is (`prepoznaj_envelope::vault::DataKey`), in this
//! page's memory only. Provided once for the bundle ([`provide_app_lock`]); the screens behind
//! it (`components::app_lock_gate`) and the sender take the key from [`current_key`].
//!
//! Locking: on Lock in the header, and when [`prepoznaj_domain::app_lock::should_lock`] says
//! the app has gone unused (idle on screen or in the background) for the chosen minutes. The
//! screens holding the key are left first, and each takes the key for its last save as it
//! goes (a note being typed is saved, sealed); the key itself is dropped (zeroed) on the next
//! task, once those saves have taken it.
//!
//! Unlocking derives the key from the PIN or passphrase (age scrypt, about 0.25 s on a laptop,
//! ≤ 1 s on a slow phone; `prepoznaj:app-unlock`), counts wrong tries with their waits, and
//! then seals what the lock's first set-up (or a killed one) left in plaintext and what
//! waited for the key (`sealing::after_unlock`).

use std::cell::RefCell;
use std::rc::Rc;

use leptos::prelude::*;
use prepoznaj_domain::app_lock::{AutoLock, LockSecret, WrongTries, normalised, should_lock};
use prepoznaj_domain::observation::UnixMillis;
use prepoznaj_envelope::identity::UnlockError;
use prepoznaj_envelope::vault::{DataKey, VAULT_WORK_FACTOR};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::clock::now;
use crate::sealing::after_unlock;
use crate::storage::app_lock::{self, LockRecord, ResetLoss, ScreenLock};
use crate::storage::{Database, StorageError, app_database, observations, start_form};
use crate::sync::sender::{Sender, Trigger, use_sender};
use crate::timing::{measure_since, now_ms};
use crate::webauthn::{self, ScreenLockError};

/// User Timing name of deriving the data key from the secret.
pub const UNLOCK_MEASURE: &str = "prepoznaj:app-unlock";
/// How often an unlocked app checks whether it has gone unused for the chosen time.
const CHECK_EVERY_MS: i32 = 10_000;

thread_local! {
    static DATA_KEY: RefCell<Option<Rc<DataKey>>> = const { RefCell::new(None) };
}

/// The data key, while the app is unlocked.
#[must_use]
pub fn current_key() -> Option<Rc<DataKey>> {
    DATA_KEY.with(|key| key.borrow().clone())
}

/// The data key for a screen behind the lock; [`StorageError::Locked`] when it is locked.
///
/// # Errors
/// [`StorageError::Locked`].
pub fn unlocked_key() -> Result<Rc<DataKey>, StorageError> {
    current_key().ok_or(StorageError::Locked)
}

fn set_key(key: Option<Rc<DataKey>>) {
    DATA_KEY.with(|cell| *cell.borrow_mut() = key);
}

/// Where the lock stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LockState {
    /// Reading the lock's record.
    Checking,
    /// No lock on this phone yet: the person chooses one before anything is written.
    NotSet,
    Locked,
    Unlocked,
    /// The lock's record cannot be read (no IndexedDB, a newer database, …).
    Failed(StorageError),
}

/// Why an unlock did not work.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UnlockFailure {
    /// Another secret; `wait_ms` before the next try (zero for the first five).
    Wrong { tries: u32, wait_ms: u64 },
    /// Too many wrong tries: wait this long first.
    Wait { wait_ms: u64 },
    /// The phone's storage failed.
    Storage(StorageError),
    /// The wrapped key is damaged (message for the log).
    Damaged,
}

/// The app lock, as a context of the observe bundle.
#[derive(Debug, Clone, Copy)]
pub struct AppLock {
    state: RwSignal<LockState>,
    auto_lock: RwSignal<AutoLock>,
    wrong_tries: RwSignal<WrongTries>,
    /// Whether the phone's screen lock also unlocks the app.
    screen_lock: RwSignal<bool>,
    last_activity: StoredValue<UnixMillis>,
    hidden_since: StoredValue<Option<UnixMillis>>,
    /// Sends what the unlock sealed for the team.
    sender: Option<Sender>,
}

impl AppLock {
    /// Where the lock stands (reactive).
    #[must_use]
    pub fn state(&self) -> LockState {
        self.state.get()
    }

    /// Where the lock stands, not tracked (in a task).
    #[must_use]
    pub fn state_untracked(&self) -> LockState {
        self.state.get_untracked()
    }

    /// The chosen auto-lock time (reactive).
    #[must_use]
    pub fn auto_lock(&self) -> AutoLock {
        self.auto_lock.get()
    }

    /// Wrong tries since the last unlock (reactive).
    #[must_use]
    pub fn wrong_tries(&self) -> WrongTries {
        self.wrong_tries.get()
    }

    /// Locks now: the screens holding the key are left (saving what they hold), then the key
    /// is dropped.
    pub fn lock(&self) {
        if self.state.get_untracked() != LockState::Unlocked {
            return;
        }
        self.state.set(LockState::Locked);
        // The screens behind the lock are left in this task's render; their last saves take
        // the key synchronously as they go. Then nothing in this page holds it but them.
        let drop_key = Closure::once_into_js(|| {
            if current_key().is_some() {
                set_key(None);
            }
        });
        if window()
            .set_timeout_with_callback_and_timeout_and_arguments_0(drop_key.unchecked_ref(), 0)
            .is_err()
        {
            set_key(None);
        }
    }

    /// Sets the first lock: a new data key wrapped under `secret`; then every plaintext record
    /// is sealed with it (one transaction per store) and the app is unlocked.
    ///
    /// # Errors
    /// [`StorageError`] when the lock or the sealing cannot be written (the lock, once
    /// written, stays: the next unlock seals what is left).
    pub async fn set_up(&self, secret: &LockSecret, auto_lock: AutoLock) -> Result<(), SetUpError> {
        let database = app_database().await?;
        let (key, record) = new_lock(secret, auto_lock)?;
        app_lock::save(&database, &record).await?;
        self.auto_lock.set(auto_lock);
        self.opened(&database, key).await?;
        Ok(())
    }

    /// "Forgot PIN?": deletes what was sealed under the old key (see
    /// [`crate::storage::app_lock::reset`]) and sets a new lock with `secret`, unlocked.
    ///
    /// # Errors
    /// As [`AppLock::set_up`]; nothing is deleted when the new lock cannot be written.
    pub async fn reset(
        &self,
        secret: &LockSecret,
        auto_lock: AutoLock,
    ) -> Result<ResetLoss, SetUpError> {
        let database = app_database().await?;
        let (key, record) = new_lock(secret, auto_lock)?;
        let lost = app_lock::reset(&database, &record).await?;
        self.auto_lock.set(auto_lock);
        self.wrong_tries.set(WrongTries::default());
        self.screen_lock.set(false);
        self.opened(&database, key).await?;
        Ok(lost)
    }

    /// Unlocks with `typed`.
    ///
    /// # Errors
    /// [`UnlockFailure`]: a wrong secret (counted, with the wait it sets), a wait not yet
    /// over, storage, a damaged record.
    pub async fn unlock(&self, typed: &str) -> Result<(), UnlockFailure> {
        let database = app_database().await.map_err(UnlockFailure::Storage)?;
        let Some(mut record) = app_lock::load(&database)
            .await
            .map_err(UnlockFailure::Storage)?
        else {
            self.state.set(LockState::NotSet);
            return Ok(());
        };
        let at = now();
        let tries = record.wrong_tries.rebased(at);
        let wait_ms = tries.wait_ms(at);
        if wait_ms > 0 {
            self.wrong_tries.set(tries);
            return Err(UnlockFailure::Wait { wait_ms });
        }
        let started = now_ms();
        let unwrapped = DataKey::unwrap(&record.wrapped_key, normalised(typed));
        measure_since(UNLOCK_MEASURE, started);
        match unwrapped {
            Ok(key) => self
                .unlocked(&database, record, key)
                .await
                .map_err(|error| match error {
                    SetUpError::Storage(error) => UnlockFailure::Storage(error),
                    SetUpError::Random => UnlockFailure::Damaged,
                }),
            Err(UnlockError::WrongPassphrase) => {
                let tries = tries.after_wrong_try(now());
                record.wrong_tries = tries;
                app_lock::save(&database, &record)
                    .await
                    .map_err(UnlockFailure::Storage)?;
                self.wrong_tries.set(tries);
                Err(UnlockFailure::Wrong {
                    tries: tries.count,
                    wait_ms: tries.wait_ms(now()),
                })
            }
            Err(UnlockError::Damaged(message)) => {
                leptos::logging::error!("the app lock's key is damaged: {message}");
                Err(UnlockFailure::Damaged)
            }
        }
    }

    /// Whether the phone's screen lock also unlocks the app (reactive).
    #[must_use]
    pub fn screen_lock_on(&self) -> bool {
        self.screen_lock.get()
    }

    /// Turns on the phone's screen lock as a faster unlock (the app is unlocked): a platform
    /// credential with the PRF extension is made (the phone asks for its screen lock) and the
    /// data key is wrapped again under its secret.
    ///
    /// # Errors
    /// [`ScreenLockFailure`]: no PRF on this phone, cancelled, the app locked meanwhile, storage.
    pub async fn turn_on_screen_lock(&self, name: &str) -> Result<(), ScreenLockFailure> {
        let salt = webauthn::new_salt();
        let made = webauthn::make(&salt, name)
            .await
            .map_err(ScreenLockFailure::Authenticator)?;
        // Taken after the phone's prompt: the app may have locked while it was shown.
        let key = unlocked_key().map_err(ScreenLockFailure::Storage)?;
        let database = app_database().await.map_err(ScreenLockFailure::Storage)?;
        let Some(mut record) = app_lock::load(&database)
            .await
            .map_err(ScreenLockFailure::Storage)?
        else {
            return Err(ScreenLockFailure::Storage(StorageError::Locked));
        };
        record.screen_lock = Some(ScreenLock {
            credential_id: made.credential_id,
            salt,
            wrapped_key: key.wrap(&screen_lock_secret(&made.secret), SCREEN_LOCK_WORK_FACTOR),
        });
        app_lock::save(&database, &record)
            .await
            .map_err(ScreenLockFailure::Storage)?;
        self.screen_lock.set(true);
        Ok(())
    }

    /// Turns the screen lock off: only the PIN or passphrase unlocks (the credential stays in
    /// the phone's authenticator, where this app cannot delete it; it opens nothing any more).
    ///
    /// # Errors
    /// [`StorageError`] when the lock cannot be written.
    pub async fn turn_off_screen_lock(&self) -> Result<(), StorageError> {
        app_lock::update(&app_database().await?, |record| record.screen_lock = None).await?;
        self.screen_lock.set(false);
        Ok(())
    }

    /// Unlocks with the phone's screen lock: the phone verifies its user, the credential's
    /// PRF gives the secret, the secret unwraps the data key. Wrong tries of the PIN neither
    /// count nor wait here (no guess is made), and a success clears them.
    ///
    /// # Errors
    /// [`ScreenLockFailure`]; the PIN or passphrase still unlocks.
    pub async fn unlock_with_screen_lock(&self) -> Result<(), ScreenLockFailure> {
        let database = app_database().await.map_err(ScreenLockFailure::Storage)?;
        let Some(record) = app_lock::load(&database)
            .await
            .map_err(ScreenLockFailure::Storage)?
        else {
            self.state.set(LockState::NotSet);
            return Ok(());
        };
        let Some(screen_lock) = record.screen_lock.clone() else {
            self.screen_lock.set(false);
            return Err(ScreenLockFailure::Authenticator(
                ScreenLockError::Unsupported,
            ));
        };
        let secret = webauthn::evaluate(&screen_lock.credential_id, &screen_lock.salt)
            .await
            .map_err(ScreenLockFailure::Authenticator)?;
        let started = now_ms();
        let unwrapped = DataKey::unwrap(&screen_lock.wrapped_key, &screen_lock_secret(&secret));
        measure_since(UNLOCK_MEASURE, started);
        let key = unwrapped.map_err(|error| {
            leptos::logging::error!("the screen lock's secret does not open the key: {error:?}");
            ScreenLockFailure::Damaged
        })?;
        self.unlocked(&database, record, key)
            .await
            .map_err(|error| match error {
                SetUpError::Storage(error) => ScreenLockFailure::Storage(error),
                SetUpError::Random => ScreenLockFailure::Damaged,
            })
    }

    /// The key was unwrapped: the wrong tries are cleared (in the record too) and the screens
    /// open.
    async fn unlocked(
        &self,
        database: &Database,
        mut record: LockRecord,
        key: DataKey,
    ) -> Result<(), SetUpError> {
        if record.wrong_tries != WrongTries::default() {
            record.wrong_tries = WrongTries::default();
            app_lock::save(database, &record).await?;
        }
        self.wrong_tries.set(WrongTries::default());
        self.opened(database, key).await
    }

    /// Keeps a new auto-lock choice.
    ///
    /// # Errors
    /// [`StorageError`] when it cannot be written.
    pub async fn choose_auto_lock(&self, auto_lock: AutoLock) -> Result<(), StorageError> {
        app_lock::update(&app_database().await?, |record| {
            record.auto_lock = auto_lock
        })
        .await?;
        self.auto_lock.set(auto_lock);
        Ok(())
    }

    /// The key is in memory: what is still plaintext is sealed, the screens open, and what
    /// waited for the key (sealing to the team) goes on beside them.
    async fn opened(&self, database: &Database, key: DataKey) -> Result<(), SetUpError> {
        let sealed_records = observations::seal_plaintext(database, &key).await?;
        let sealed_form = start_form::seal_plaintext(database, &key).await?;
        if sealed_records > 0 || sealed_form {
            leptos::logging::log!(
                "app lock: sealed {sealed_records} plaintext observations (start form: {sealed_form})"
            );
        }
        let key = Rc::new(key);
        set_key(Some(Rc::clone(&key)));
        self.touch();
        self.state.set(LockState::Unlocked);
        let (database, sender) = (database.clone(), self.sender);
        leptos::task::spawn_local(async move {
            match after_unlock(&database, &key).await {
                Ok(0) => {}
                Ok(sealed) => {
                    leptos::logging::log!("app lock: {sealed} reports sealed to the team");
                    if let Some(sender) = sender {
                        sender.request(Trigger::Send);
                    }
                }
                // What waited keeps waiting (its envelope, if any, is still sent) until the
                // next unlock: never a reason to stay locked.
                Err(error) => {
                    leptos::logging::error!("cannot seal what waited for the unlock: {error:?}")
                }
            }
        });
        Ok(())
    }

    /// The person did something: the idle time starts again.
    fn touch(&self) {
        self.last_activity.set_value(now());
    }

    /// Locks when the app has gone unused for the chosen time.
    fn check(&self) {
        if self.state.get_untracked() == LockState::Unlocked
            && should_lock(
                now(),
                self.last_activity.get_value(),
                self.hidden_since.get_value(),
                self.auto_lock.get_untracked(),
            )
        {
            self.lock();
        }
    }
}

/// The scrypt work factor of the screen lock's wrap. Its secret is 32 bytes from the
/// authenticator's PRF (256 bits no guessing reaches), so stretching adds nothing and the
/// lightest wrap keeps this unlock fast; the PIN's wrap keeps [`VAULT_WORK_FACTOR`].
const SCREEN_LOCK_WORK_FACTOR: u8 = 1;

/// The PRF's secret as the text age's scrypt recipient takes (base64, zeroed when dropped).
fn screen_lock_secret(secret: &[u8; webauthn::PRF_BYTES]) -> zeroize::Zeroizing<String> {
    zeroize::Zeroizing::new(STANDARD.encode(secret))
}

/// Why the screen lock did not turn on or unlock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScreenLockFailure {
    Authenticator(ScreenLockError),
    Storage(StorageError),
    /// The secret did not open the wrapped key (a credential replaced, a damaged record).
    Damaged,
}

/// A new data key and the lock record that wraps it under `secret`.
fn new_lock(secret: &LockSecret, auto_lock: AutoLock) -> Result<(DataKey, LockRecord), SetUpError> {
    let key = DataKey::generate().map_err(|_| SetUpError::Random)?;
    let record = LockRecord {
        wrapped_key: key.wrap(secret.as_str(), VAULT_WORK_FACTOR),
        wrong_tries: WrongTries::default(),
        auto_lock,
        screen_lock: None,
    };
    Ok((key, record))
}

/// Why a lock could not be set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SetUpError {
    Storage(StorageError),
    /// The browser's random source failed.
    Random,
}

impl From<StorageError> for SetUpError {
    fn from(error: StorageError) -> Self {
        SetUpError::Storage(error)
    }
}

/// Provides the app lock and reads its record: not set, or locked. Follows the person's
/// activity and the app's visibility, and checks every few seconds whether to lock. Provide
/// the sender first: what an unlock seals for the team is sent at once.
pub fn provide_app_lock() -> AppLock {
    let lock = AppLock {
        sender: use_sender(),
        state: RwSignal::new(LockState::Checking),
        auto_lock: RwSignal::new(AutoLock::default()),
        wrong_tries: RwSignal::new(WrongTries::default()),
        screen_lock: RwSignal::new(false),
        last_activity: StoredValue::new(now()),
        hidden_since: StoredValue::new(None),
    };
    provide_context(lock);
    leptos::task::spawn_local(async move {
        let record = match app_database().await {
            Ok(database) => app_lock::load(&database).await,
            Err(error) => Err(error),
        };
        match record {
            Ok(Some(record)) => {
                lock.auto_lock.set(record.auto_lock);
                lock.wrong_tries.set(record.wrong_tries);
                lock.screen_lock.set(record.screen_lock.is_some());
                lock.state.set(LockState::Locked);
            }
            Ok(None) => lock.state.set(LockState::NotSet),
            Err(error) => {
                leptos::logging::warn!("cannot read the app lock: {error}");
                lock.state.set(LockState::Failed(error));
            }
        }
    });
    for event in ["pointerdown", "keydown", "input", "scroll"] {
        let touched = Closure::<dyn Fn()>::new(move || lock.touch());
        if let Err(error) =
            window().add_event_listener_with_callback(event, touched.as_ref().unchecked_ref())
        {
            leptos::logging::warn!("cannot follow {event}: {error:?}");
        }
        // The bundle listens for its whole life.
        touched.forget();
    }
    let visibility = Closure::<dyn Fn()>::new(move || {
        if document().hidden() {
            lock.hidden_since.set_value(Some(now()));
        } else {
            lock.check();
            lock.hidden_since.set_value(None);
        }
    });
    if let Err(error) = document()
        .add_event_listener_with_callback("visibilitychange", visibility.as_ref().unchecked_ref())
    {
        leptos::logging::warn!("cannot follow the app's visibility: {error:?}");
    }
    visibility.forget();
    let tick = Closure::<dyn Fn()>::new(move || lock.check());
    if let Err(error) = window().set_interval_with_callback_and_timeout_and_arguments_0(
        tick.as_ref().unchecked_ref(),
        CHECK_EVERY_MS,
    ) {
        leptos::logging::warn!("cannot check the auto-lock: {error:?}");
    }
    tick.forget();
    lock
}

/// The app lock, in the observe bundle.
#[must_use]
pub fn use_app_lock() -> Option<AppLock> {
    use_context::<AppLock>()
}
