//! SHA-256 digests and key fingerprints (defined in `prepoznaj_domain::protocol`).

use prepoznaj_domain::protocol::{AgeRecipient, KeyFingerprint, KeySet, Sha256Digest};
use sha2::{Digest as _, Sha256};

/// The SHA-256 of `bytes`.
#[must_use]
pub fn sha256(bytes: &[u8]) -> Sha256Digest {
    Sha256Digest::from_bytes(Sha256::digest(bytes).into())
}

/// The fingerprint of one team key, computed here from the key itself (never taken from the
/// server's answer).
#[must_use]
pub fn key_fingerprint(recipient: &AgeRecipient) -> KeyFingerprint {
    KeyFingerprint::from_sha256(&sha256(recipient.as_str().as_bytes()))
}

/// The fingerprint of a whole key set: the same for every phone that encrypts to the same
/// keys, whatever order the server listed them in.
#[must_use]
pub fn key_set_fingerprint(key_set: &KeySet) -> KeyFingerprint {
    KeyFingerprint::from_sha256(&sha256(key_set.fingerprint_text().as_bytes()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly on purpose")]

    use super::*;

    #[test]
    fn sha256_is_the_standard_one() {
        assert_eq!(
            sha256(b"abc").to_hex(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn a_key_fingerprint_is_the_first_ten_bytes_of_its_digest() {
        let key =
            AgeRecipient::parse("age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p")
                .unwrap();
        let digest = sha256(key.as_str().as_bytes()).to_hex();
        let fingerprint = key_fingerprint(&key);
        assert_eq!(fingerprint.as_str().replace(' ', ""), digest[..20]);
    }
}
