//! What the server checks of age data, with the `age` crate, without ever decrypting: that an
//! envelope has a well-formed age v1 header for recipients (not a passphrase), and that a
//! public key is a usable X25519 recipient. Also the digests the protocol defines over them.
//!
//! The payload after the header is not checked: only the team's private keys can, and its
//! ChaCha20-Poly1305 tags make any change fail decryption there. The envelope's SHA-256 guards
//! the transport.

use std::str::FromStr as _;

use prepoznaj_domain::protocol::{AgeRecipient, Envelope, KeyFingerprint, Sha256Digest};
use sha2::{Digest as _, Sha256};

/// Why an envelope is refused; the reason is safe to send (it never quotes the bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EnvelopeRefusal(pub &'static str);

/// Checks the envelope starts with an age v1 header addressed to recipients.
///
/// # Errors
/// [`EnvelopeRefusal`] for anything else: plaintext, the armored form, an unknown version, a
/// truncated or malformed header, a passphrase (scrypt) envelope.
pub fn check_envelope(envelope: &Envelope) -> Result<(), EnvelopeRefusal> {
    let decryptor = age::Decryptor::new_buffered(envelope.as_bytes()).map_err(|error| {
        EnvelopeRefusal(match error {
            age::DecryptError::UnknownFormat => "an unknown age version",
            age::DecryptError::Io(_) => "it is not an age v1 header (or it is truncated)",
            _ => "its age header is not valid",
        })
    })?;
    if decryptor.is_scrypt() {
        return Err(EnvelopeRefusal(
            "it is encrypted to a passphrase, not to the team's keys",
        ));
    }
    Ok(())
}

/// SHA-256 of the envelope's bytes.
pub fn envelope_sha256(envelope: &Envelope) -> Sha256Digest {
    Sha256Digest::from_bytes(Sha256::digest(envelope.as_bytes()).into())
}

/// Why a public key is refused; the reason is safe to send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecipientRefusal(pub &'static str);

/// Checks `recipient` is an X25519 key the age crate accepts (bech32 checksum, length) and that
/// encrypting to it is safe: a low-order point would make every shared secret zero, which the
/// age crate answers with a panic on the phone that encrypts.
///
/// # Errors
/// [`RecipientRefusal`] saying which check failed.
pub fn check_recipient(recipient: &AgeRecipient) -> Result<(), RecipientRefusal> {
    let parsed = age::x25519::Recipient::from_str(recipient.as_str()).map_err(RecipientRefusal)?;
    if parsed.to_string() != recipient.as_str() {
        return Err(RecipientRefusal("it is not in canonical form"));
    }
    let (_, key_bytes) = bech32::decode(recipient.as_str())
        .map_err(|_| RecipientRefusal("invalid Bech32 encoding"))?;
    let key_bytes: [u8; 32] = key_bytes
        .try_into()
        .map_err(|_| RecipientRefusal("incorrect pubkey length"))?;
    // Any clamped scalar works: clamping clears the cofactor, so the product is the identity
    // exactly when the point has small order.
    let probe = x25519_dalek::StaticSecret::from([0x5a; 32]);
    if !probe
        .diffie_hellman(&x25519_dalek::PublicKey::from(key_bytes))
        .was_contributory()
    {
        return Err(RecipientRefusal("it is a low-order point, not a real key"));
    }
    Ok(())
}

/// The protocol's fingerprint of a team key: SHA-256 over the recipient string.
pub fn fingerprint(recipient: &AgeRecipient) -> KeyFingerprint {
    let digest = Sha256::digest(recipient.as_str().as_bytes());
    KeyFingerprint::from_sha256(&Sha256Digest::from_bytes(digest.into()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "a failed unwrap is a failed test")]

    use std::io::Write as _;

    use age::secrecy::SecretString;
    use bech32::{Bech32, Hrp};

    use super::*;

    fn encrypt(encryptor: age::Encryptor, plaintext: &[u8]) -> Envelope {
        let mut bytes = Vec::new();
        let mut writer = encryptor.wrap_output(&mut bytes).unwrap();
        writer.write_all(plaintext).unwrap();
        writer.finish().unwrap();
        Envelope::from_bytes(bytes)
    }

    #[test]
    fn an_envelope_to_a_recipient_passes() {
        let identity = age::x25519::Identity::generate();
        let recipient = identity.to_public();
        let encryptor =
            age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient))
                .unwrap();

        assert_eq!(check_envelope(&encrypt(encryptor, b"report")), Ok(()));
    }

    #[test]
    fn plaintext_armor_passphrase_and_truncation_are_refused() {
        let passphrase = age::Encryptor::with_user_passphrase(SecretString::from("x".to_owned()));
        let identity = age::x25519::Identity::generate();
        let recipient = identity.to_public();
        let whole = encrypt(
            age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient))
                .unwrap(),
            b"report",
        );
        let header_end = whole
            .as_bytes()
            .windows(4)
            .position(|window| window == b"--- ")
            .unwrap();

        for refused in [
            Envelope::from_bytes(b"{\"answers\": []}".to_vec()),
            Envelope::from_bytes(b"-----BEGIN AGE ENCRYPTED FILE-----\n".to_vec()),
            Envelope::from_bytes(b"age-encryption.org/v2\n".to_vec()),
            Envelope::from_bytes(whole.as_bytes()[..header_end].to_vec()),
            Envelope::from_bytes(Vec::new()),
            encrypt(passphrase, b"report"),
        ] {
            assert!(check_envelope(&refused).is_err(), "{refused:?}");
        }
    }

    fn recipient_of(key: [u8; 32]) -> AgeRecipient {
        let text = bech32::encode::<Bech32>(Hrp::parse("age").unwrap(), &key).unwrap();
        AgeRecipient::parse(&text).unwrap()
    }

    #[test]
    fn real_keys_pass_and_low_order_or_corrupt_keys_are_refused() {
        let real = age::x25519::Identity::generate().to_public().to_string();
        assert_eq!(
            check_recipient(&AgeRecipient::parse(&real).unwrap()),
            Ok(())
        );

        let mut one = [0_u8; 32];
        one[0] = 1;
        for low_order in [[0_u8; 32], one] {
            assert!(check_recipient(&recipient_of(low_order)).is_err());
        }
        let last = real.chars().last().unwrap();
        let other = if last == 'q' { 'p' } else { 'q' };
        let corrupt = format!("{}{other}", &real[..61]);
        assert!(check_recipient(&AgeRecipient::parse(&corrupt).unwrap()).is_err());
    }

    #[test]
    fn fingerprints_are_sha256_of_the_recipient_text() {
        let key =
            AgeRecipient::parse("age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p")
                .unwrap();
        let digest = Sha256::digest(key.as_str().as_bytes());
        let expected: String = digest[..10]
            .chunks(2)
            .map(|pair| format!("{:02x}{:02x}", pair[0], pair[1]))
            .collect::<Vec<_>>()
            .join(" ");

        assert_eq!(fingerprint(&key).as_str(), expected);
    }
}
