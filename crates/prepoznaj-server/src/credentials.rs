//! Tokens, one-time codes and ids: minted from the operating system's CSPRNG, and the clock.
//!
//! A [`Secret`] is 256 random bits, base64url without padding, handed out once; the server keeps
//! only its [`SecretHash`] (SHA-256 of the text as sent) and finds a presented secret by
//! looking its hash up. No secret is ever compared byte by byte, so there is no comparison to
//! make constant-time: an index lookup on a SHA-256 tells an attacker nothing about preimages.

use std::{
    fmt,
    time::{SystemTime, UNIX_EPOCH},
};

use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use prepoznaj_domain::{observation::UnixMillis, protocol::Secret};
use sha2::{Digest as _, Sha256};

/// SHA-256 of a [`Secret`]'s text: what the store keeps and looks up.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct SecretHash([u8; 32]);

impl SecretHash {
    /// The hash of a presented secret (any text: a wrong one simply finds nothing).
    pub fn of(secret: &str) -> Self {
        Self(Sha256::digest(secret.as_bytes()).into())
    }

    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Debug for SecretHash {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("SecretHash(..)")
    }
}

/// A fresh secret and its hash.
///
/// # Errors
/// When the operating system cannot give random bytes.
pub fn new_secret() -> Result<(Secret, SecretHash), getrandom::Error> {
    let bytes: [u8; 32] = random_bytes()?;
    let text = URL_SAFE_NO_PAD.encode(bytes);
    let hash = SecretHash::of(&text);
    Ok((Secret::new(text), hash))
}

/// A fresh time-ordered id, such as `new_id(SchoolId::new_v7)`.
///
/// # Errors
/// When the operating system cannot give random bytes.
pub fn new_id<T>(make: fn(UnixMillis, [u8; 10]) -> T) -> Result<T, getrandom::Error> {
    Ok(make(now(), random_bytes()?))
}

/// The server's clock in milliseconds since 1970 (0 if the clock is set before 1970).
pub fn now() -> UnixMillis {
    let since_epoch = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    UnixMillis(u64::try_from(since_epoch.as_millis()).unwrap_or(u64::MAX))
}

fn random_bytes<const N: usize>() -> Result<[u8; N], getrandom::Error> {
    let mut bytes = [0_u8; N];
    getrandom::getrandom(&mut bytes)?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "a failed unwrap is a failed test")]

    use super::*;

    #[test]
    fn secrets_are_256_bits_of_base64url_and_hash_to_what_is_looked_up() {
        let (secret, hash) = new_secret().unwrap();
        let (other, _) = new_secret().unwrap();

        assert_eq!(secret.expose().len(), 43);
        assert_eq!(URL_SAFE_NO_PAD.decode(secret.expose()).unwrap().len(), 32);
        assert_ne!(secret, other);
        assert_eq!(SecretHash::of(secret.expose()), hash);
        assert_ne!(SecretHash::of(other.expose()), hash);
    }
}
