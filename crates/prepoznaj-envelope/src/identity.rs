//! A protection-team member's key: an age X25519 identity made on their device, kept there
//! only locked with their passphrase (an age file to age's scrypt recipient), with a recovery
//! copy they keep themselves: a file in age's own identity-file format (so `age -d -i` reads
//! reports with it even without the app) and the printable recovery code of
//! `prepoznaj_domain::team_key`. The member's chain signing key ([`crate::signing`]) can be
//! locked in the same file under the same passphrase ([`TeamIdentity::lock_with_signing_key`]).

use std::io::{Read as _, Write as _};
use std::str::FromStr as _;

use age::secrecy::{ExposeSecret as _, SecretString};
use prepoznaj_domain::protocol::AgeRecipient;
use prepoznaj_domain::team_key::{RecoveryCode, RecoveryCodeError, SECRET_KEY_PREFIX};

use crate::signing::ChainSigningKey;

/// The scrypt work factor (`N = 2^LOCK_WORK_FACTOR`, r = 8, p = 1) of the passphrase lock:
/// 16 MiB and, measured at a 4× CPU slowdown in Chromium on a busy machine, about 0.6 s to
/// unlock (2^15 took 1.6 s), which leaves room within the 2 s budget for unlocking and reading
/// 200 reports. Each
/// passphrase guess costs an attacker who copied the locked key the same work. age's own
/// default (about a second on the encrypting machine) would take many seconds on a slow phone.
pub const LOCK_WORK_FACTOR: u8 = 14;

/// Unlocking refuses a lock that asks for more work than this (a tampered record cannot make
/// the app compute for minutes).
const MAX_UNLOCK_WORK_FACTOR: u8 = LOCK_WORK_FACTOR + 2;

/// A team member's secret key. `Debug` never shows it.
pub struct TeamIdentity(age::x25519::Identity);

impl std::fmt::Debug for TeamIdentity {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(formatter, "TeamIdentity({})", self.recipient())
    }
}

/// Why a locked key could not be unlocked.
#[derive(Debug, thiserror::Error)]
pub enum UnlockError {
    #[error("the passphrase is not the one this key was locked with")]
    WrongPassphrase,
    #[error("the locked key is damaged: {0}")]
    Damaged(String),
}

/// Why a recovery copy could not be read.
#[derive(Debug, thiserror::Error)]
pub enum RecoveryError {
    #[error("no recovery code or `{SECRET_KEY_PREFIX}` line was found")]
    NotFound,
    #[error(transparent)]
    Code(#[from] RecoveryCodeError),
    #[error("the recovery code has a mistake (its checksum does not match)")]
    Checksum,
}

impl TeamIdentity {
    /// A new key from the system's cryptographic random source.
    #[must_use]
    pub fn generate() -> Self {
        Self(age::x25519::Identity::generate())
    }

    /// The public key, which the server and every phone of the school get.
    #[must_use]
    pub fn recipient(&self) -> AgeRecipient {
        AgeRecipient::parse(&self.0.to_public().to_string())
            .unwrap_or_else(|_| unreachable!("age writes recipients in their standard shape"))
    }

    /// The printable recovery code.
    #[must_use]
    pub fn recovery_code(&self) -> RecoveryCode {
        RecoveryCode::from_secret_key(self.0.to_string().expose_secret())
            .unwrap_or_else(|_| unreachable!("age writes secret keys in their standard shape"))
    }

    /// The recovery file: age's identity-file format, with comments saying what it is.
    #[must_use]
    pub fn recovery_file(&self, title: &str) -> String {
        format!(
            "# {title}\n# public key: {}\n{}\n",
            self.recipient(),
            self.0.to_string().expose_secret()
        )
    }

    /// Reads a recovery copy: the recovery file's text, or a recovery code as typed.
    ///
    /// # Errors
    /// [`RecoveryError`] when neither is there or the code has a mistake.
    pub fn from_recovery(text: &str) -> Result<Self, RecoveryError> {
        let lines: Vec<&str> = text
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty() && !line.starts_with('#'))
            .collect();
        if lines.is_empty() {
            return Err(RecoveryError::NotFound);
        }
        let code = RecoveryCode::parse(&lines.join(" "))?;
        age::x25519::Identity::from_str(&code.secret_key())
            .map(Self)
            .map_err(|_| RecoveryError::Checksum)
    }

    /// The key locked with `passphrase`: an age file (binary) to age's scrypt recipient with
    /// work factor `log_n` ([`LOCK_WORK_FACTOR`] in the app).
    ///
    /// # Panics
    /// Never for `log_n` in `1..64`; age refuses others.
    #[must_use]
    pub fn lock(&self, passphrase: &str, log_n: u8) -> Vec<u8> {
        lock_text(self.0.to_string().expose_secret(), passphrase, log_n)
    }

    /// The key and the member's chain signing key locked together with `passphrase`: one age
    /// file whose text is the age secret key's line then the signing key's line, so unlocking
    /// both costs one scrypt derivation. [`TeamIdentity::unlock`] still reads the age key
    /// from it.
    #[must_use]
    pub fn lock_with_signing_key(
        &self,
        signing_key: &ChainSigningKey,
        passphrase: &str,
        log_n: u8,
    ) -> Vec<u8> {
        let text = SecretString::from(format!(
            "{}\n{}\n",
            self.0.to_string().expose_secret(),
            signing_key.secret_line().expose_secret()
        ));
        lock_text(text.expose_secret(), passphrase, log_n)
    }

    /// Unlocks a key locked by [`TeamIdentity::lock`] (or the age key of one locked by
    /// [`TeamIdentity::lock_with_signing_key`]).
    ///
    /// # Errors
    /// [`UnlockError::WrongPassphrase`], or [`UnlockError::Damaged`] for anything else.
    pub fn unlock(locked: &[u8], passphrase: &str) -> Result<Self, UnlockError> {
        let text = unlock_text(locked, passphrase)?;
        let mut lines = text.expose_secret().lines();
        Self::from_secret_line(lines.next())
    }

    /// Unlocks a key and signing key locked by [`TeamIdentity::lock_with_signing_key`]; the
    /// signing key is `None` for a key locked by [`TeamIdentity::lock`] before members had one.
    ///
    /// # Errors
    /// As [`TeamIdentity::unlock`], and [`UnlockError::Damaged`] for a damaged signing key.
    pub fn unlock_with_signing_key(
        locked: &[u8],
        passphrase: &str,
    ) -> Result<(Self, Option<ChainSigningKey>), UnlockError> {
        let text = unlock_text(locked, passphrase)?;
        let mut lines = text.expose_secret().lines();
        let identity = Self::from_secret_line(lines.next())?;
        let signing_key = match lines.next().map(str::trim).filter(|line| !line.is_empty()) {
            None => None,
            Some(line) => Some(ChainSigningKey::from_secret_line(line).ok_or_else(|| {
                UnlockError::Damaged("the locked signing key is not one".to_owned())
            })?),
        };
        Ok((identity, signing_key))
    }

    fn from_secret_line(line: Option<&str>) -> Result<Self, UnlockError> {
        age::x25519::Identity::from_str(line.unwrap_or_default().trim())
            .map(Self)
            .map_err(|_| UnlockError::Damaged("the locked text is not an age key".to_owned()))
    }

    pub(crate) fn age(&self) -> &age::x25519::Identity {
        &self.0
    }
}

/// `text` encrypted to age's scrypt recipient for `passphrase` with work factor `log_n`.
fn lock_text(text: &str, passphrase: &str, log_n: u8) -> Vec<u8> {
    let mut recipient = age::scrypt::Recipient::new(SecretString::from(passphrase.to_owned()));
    recipient.set_work_factor(log_n);
    let mut locked = Vec::new();
    let written =
        age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient))
            .map_err(|error| crate::described(&error))
            .and_then(|encryptor| {
                let mut writer = encryptor
                    .wrap_output(&mut locked)
                    .map_err(|error| crate::described(&error))?;
                writer
                    .write_all(text.as_bytes())
                    .and_then(|()| writer.finish().map(|_| ()))
                    .map_err(|error| crate::described(&error))
            });
    // Writing to memory cannot fail, and one scrypt recipient is always accepted.
    written.unwrap_or_else(|error| unreachable!("locking in memory failed: {error}"));
    locked
}

/// The text [`lock_text`] locked.
fn unlock_text(locked: &[u8], passphrase: &str) -> Result<SecretString, UnlockError> {
    let mut identity = age::scrypt::Identity::new(SecretString::from(passphrase.to_owned()));
    identity.set_max_work_factor(MAX_UNLOCK_WORK_FACTOR);
    let decryptor = age::Decryptor::new(locked)
        .map_err(|error| UnlockError::Damaged(crate::described(&error)))?;
    let mut reader = decryptor
        .decrypt(std::iter::once(&identity as &dyn age::Identity))
        .map_err(|error| match error {
            age::DecryptError::DecryptionFailed | age::DecryptError::NoMatchingKeys => {
                UnlockError::WrongPassphrase
            }
            error => UnlockError::Damaged(crate::described(&error)),
        })?;
    let mut text = String::new();
    reader
        .read_to_string(&mut text)
        .map_err(|error| UnlockError::Damaged(crate::described(&error)))?;
    Ok(SecretString::from(text))
}
