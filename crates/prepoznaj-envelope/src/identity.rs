//! A protection-team member's key: an age X25519 identity made on their device, kept there
//! only locked with their passphrase (an age file to age's scrypt recipient), with a recovery
//! copy they keep themselves: the printable recovery code of `prepoznaj_domain::team_key`
//! (both the age key and the chain signing key, so the printed code alone restores both), and
//! a recovery file that is never the plaintext key: an age passphrase file (age's standard
//! scrypt recipient, so `age -d` opens it) under a generated recovery passphrase of words
//! (`prepoznaj_domain::passphrase`), whose text is age's own identity-file format (so
//! `age -d -i` reads reports with it, asking for the recovery passphrase, even without the
//! app). The member's chain signing key ([`crate::signing`]) can be locked in the same file
//! under the same passphrase ([`TeamIdentity::lock_with_signing_key`]) and is in the recovery
//! file too.

use std::io::{Read as _, Write as _};
use std::str::FromStr as _;

use age::secrecy::{ExposeSecret as _, SecretString};
use prepoznaj_domain::passphrase::{
    GENERATED_WORDS, RECOVERY_WORDS, generated_passphrase, normalised_words,
};
use prepoznaj_domain::protocol::AgeRecipient;
use prepoznaj_domain::team_key::{RecoveryCode, RecoveryCodeError, SECRET_KEY_PREFIX};

use crate::signing::{ChainSigningKey, KeyGenerationError, SIGNING_KEY_PREFIX};

/// How every binary age file starts.
const AGE_FILE_START: &[u8] = b"age-encryption.org/v1\n";

/// The scrypt work factor (`N = 2^LOCK_WORK_FACTOR`, r = 8, p = 1) of the passphrase lock and
/// of the recovery file: 32 MiB, as high as the budget allows (key derivation ≤ 1.5 s at a 4×
/// CPU slowdown in Chromium, `tests/bench/unlock.mjs`). On the 2026-12 test machine 2^16 took
/// 2.6 s (median, quiet), over the budget; each step of the factor doubles the time. Each
/// passphrase guess costs an attacker who copied the locked key the same work. age's own
/// default (2^18) would take about 10 s on a slow phone. Keys locked earlier with 2^14 or 2^16
/// still unlock: age reads the factor from the file.
pub const LOCK_WORK_FACTOR: u8 = 15;

/// Unlocking refuses a lock that asks for more work than this (a tampered record cannot make
/// the app compute for minutes); there is no lower bound, so older, lighter locks open.
const MAX_UNLOCK_WORK_FACTOR: u8 = LOCK_WORK_FACTOR + 2;

/// The comment line that starts the recovery file's text.
const RECOVERY_FILE_HEADER: &str = "# Prepoznaj: recovery copy of a protection-team key";

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

    /// The printable recovery code of this key and the member's chain signing key.
    #[must_use]
    pub fn recovery_code(&self, signing_key: &ChainSigningKey) -> RecoveryCode {
        RecoveryCode::from_keys(
            self.0.to_string().expose_secret(),
            &signing_key.secret_bytes(),
        )
        .unwrap_or_else(|_| unreachable!("age writes secret keys in their standard shape"))
    }

    /// The recovery file: an age file to age's scrypt recipient for `recovery_passphrase`
    /// (work factor `log_n`, [`LOCK_WORK_FACTOR`] in the app), whose text is an age identity
    /// file: comments, the secret key's line, and the signing key's line (when there is one)
    /// as a comment, so that age reads the text as an identity and the app gets both keys
    /// back ([`TeamIdentity::from_recovery_file`]).
    #[must_use]
    pub fn recovery_file(
        &self,
        signing_key: Option<&ChainSigningKey>,
        recovery_passphrase: &str,
        log_n: u8,
    ) -> Vec<u8> {
        let signing_line = signing_key
            .map(|key| format!("# {}\n", key.secret_line().expose_secret()))
            .unwrap_or_default();
        let text = SecretString::from(format!(
            "{RECOVERY_FILE_HEADER}\n# public key: {}\n{}\n{signing_line}",
            self.recipient(),
            self.0.to_string().expose_secret(),
        ));
        lock_text(text.expose_secret(), recovery_passphrase, log_n)
    }

    /// Reads a recovery file made by [`TeamIdentity::recovery_file`] with its recovery
    /// passphrase (case and spaces between the words do not matter): the key, and the signing
    /// key if the file has one.
    ///
    /// # Errors
    /// [`UnlockError::WrongPassphrase`], or [`UnlockError::Damaged`] for anything else.
    pub fn from_recovery_file(
        file: &[u8],
        recovery_passphrase: &str,
    ) -> Result<(Self, Option<ChainSigningKey>), UnlockError> {
        let text = unlock_text(file, &normalised_words(recovery_passphrase))?;
        let lines: Vec<&str> = text.expose_secret().lines().map(str::trim).collect();
        let identity =
            Self::from_secret_line(lines.iter().copied().find(|line| !line.starts_with('#')))?;
        let signing_key = match lines
            .iter()
            .map(|line| line.trim_start_matches('#').trim())
            .find(|line| line.starts_with(SIGNING_KEY_PREFIX))
        {
            None => None,
            Some(line) => Some(ChainSigningKey::from_secret_line(line).ok_or_else(|| {
                UnlockError::Damaged("the recovery file's signing key is not one".to_owned())
            })?),
        };
        Ok((identity, signing_key))
    }

    /// Whether `file` is an age file (a recovery file), not a recovery code or an older,
    /// plaintext recovery file that [`TeamIdentity::from_recovery`] reads.
    #[must_use]
    pub fn is_age_file(file: &[u8]) -> bool {
        file.starts_with(AGE_FILE_START)
    }

    /// Reads a recovery copy: an older, plaintext recovery file's text, or a recovery code as
    /// typed: the key, and the signing key when the code carries it (an older code, of the age
    /// key alone, does not).
    ///
    /// # Errors
    /// [`RecoveryError`] when neither is there or the code has a mistake.
    pub fn from_recovery(text: &str) -> Result<(Self, Option<ChainSigningKey>), RecoveryError> {
        let lines: Vec<&str> = text
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty() && !line.starts_with('#'))
            .collect();
        if lines.is_empty() {
            return Err(RecoveryError::NotFound);
        }
        let code = RecoveryCode::parse(&lines.join(" "))?;
        let identity = age::x25519::Identity::from_str(&code.secret_key())
            .map(Self)
            .map_err(|_| RecoveryError::Checksum)?;
        Ok((
            identity,
            code.signing_secret()
                .map(ChainSigningKey::from_secret_bytes),
        ))
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

/// A passphrase of [`GENERATED_WORDS`] random words of the EFF short list, offered to lock
/// the key on a device.
///
/// # Errors
/// [`KeyGenerationError`] when the system's random source fails.
pub fn new_passphrase() -> Result<String, KeyGenerationError> {
    let mut random = [0_u8; 4 * GENERATED_WORDS];
    getrandom::getrandom(&mut random).map_err(|error| KeyGenerationError::new(&error))?;
    Ok(generated_passphrase(random))
}

/// A recovery passphrase of [`RECOVERY_WORDS`] random words of the EFF short list.
///
/// # Errors
/// [`KeyGenerationError`] when the system's random source fails.
pub fn new_recovery_passphrase() -> Result<String, KeyGenerationError> {
    let mut random = [0_u8; 4 * RECOVERY_WORDS];
    getrandom::getrandom(&mut random).map_err(|error| KeyGenerationError::new(&error))?;
    Ok(generated_passphrase(random))
}

/// `text` encrypted to age's scrypt recipient for `passphrase` with work factor `log_n`.
fn lock_text(text: &str, passphrase: &str, log_n: u8) -> Vec<u8> {
    lock_bytes(text.as_bytes(), passphrase, log_n)
}

/// The text [`lock_text`] locked.
fn unlock_text(locked: &[u8], passphrase: &str) -> Result<SecretString, UnlockError> {
    let bytes = unlock_bytes(locked, passphrase, MAX_UNLOCK_WORK_FACTOR)?;
    String::from_utf8(bytes.to_vec())
        .map(SecretString::from)
        .map_err(|_| UnlockError::Damaged("the locked text is not UTF-8".to_owned()))
}

/// `bytes` encrypted to age's scrypt recipient for `passphrase` with work factor `log_n`: the
/// one passphrase lock of this crate (a team member's key, the recovery file, the app lock's
/// data key in [`crate::vault`]).
pub(crate) fn lock_bytes(bytes: &[u8], passphrase: &str, log_n: u8) -> Vec<u8> {
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
                    .write_all(bytes)
                    .and_then(|()| writer.finish().map(|_| ()))
                    .map_err(|error| crate::described(&error))
            });
    // Writing to memory cannot fail, and one scrypt recipient is always accepted.
    written.unwrap_or_else(|error| unreachable!("locking in memory failed: {error}"));
    locked
}

/// The bytes [`lock_bytes`] locked, refusing a lock whose work factor is above
/// `max_work_factor` (a tampered record cannot make the app compute for minutes).
pub(crate) fn unlock_bytes(
    locked: &[u8],
    passphrase: &str,
    max_work_factor: u8,
) -> Result<zeroize::Zeroizing<Vec<u8>>, UnlockError> {
    let mut identity = age::scrypt::Identity::new(SecretString::from(passphrase.to_owned()));
    identity.set_max_work_factor(max_work_factor);
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
    let mut bytes = zeroize::Zeroizing::new(Vec::new());
    reader
        .read_to_end(&mut bytes)
        .map_err(|error| UnlockError::Damaged(crate::described(&error)))?;
    Ok(bytes)
}
