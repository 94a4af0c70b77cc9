//! A team member's chain signing key: an Ed25519 key (`ed25519-dalek`) made on their device
//! next to their age key, with which they sign the next version of the team's key chain
//! ([`crate::chain`]).
//!
//! At rest it is locked with the same passphrase as the age key, inside the same age
//! passphrase file ([`crate::identity::TeamIdentity::lock_with_signing_key`]): the file's text
//! is the `AGE-SECRET-KEY-1…` line, then a `PREPOZNAJ-SIGNING-KEY-` line with the 32 secret
//! bytes in hex. One file, one scrypt derivation to unlock both. The recovery copy carries both
//! keys: the recovery file the same two lines, the printed code both in bech32
//! (`prepoznaj_domain::team_key::RecoveryCode`). `Debug` never shows the secret.

use age::secrecy::SecretString;
use ed25519_dalek::Signer as _;
use prepoznaj_domain::observation::UnixMillis;
use prepoznaj_domain::protocol::{ReportUuid, SchoolId, StatusChangeId};
use prepoznaj_domain::status_note::{
    AuthoredNote, SIGNED_NOTE_FORMAT, SignedNoteDocument, note_signing_bytes,
};
use prepoznaj_domain::team_chain::ChainMember;
use prepoznaj_domain::team_chain::{ChainSignature, ChainVersion, SignedVersion, SigningPublicKey};
use prepoznaj_domain::team_request::{RequestSignature, SignedRequest};

/// How the signing key's line in a locked file starts.
pub const SIGNING_KEY_PREFIX: &str = "PREPOZNAJ-SIGNING-KEY-";

/// The system's random source failed, so no key could be made.
#[derive(Debug, thiserror::Error)]
#[error("no random bytes for a new signing key: {0}")]
pub struct KeyGenerationError(String);

impl KeyGenerationError {
    pub(crate) fn new(error: &getrandom::Error) -> Self {
        Self(error.to_string())
    }
}

/// A team member's secret signing key.
pub struct ChainSigningKey(ed25519_dalek::SigningKey);

impl std::fmt::Debug for ChainSigningKey {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(formatter, "ChainSigningKey({})", self.public_key().to_hex())
    }
}

impl ChainSigningKey {
    /// A new key from the system's cryptographic random source (in a browser,
    /// `crypto.getRandomValues`).
    ///
    /// # Errors
    /// [`KeyGenerationError`] when the random source fails.
    pub fn generate() -> Result<Self, KeyGenerationError> {
        let mut secret = [0_u8; ed25519_dalek::SECRET_KEY_LENGTH];
        getrandom::getrandom(&mut secret).map_err(|error| KeyGenerationError::new(&error))?;
        Ok(Self::from_secret_bytes(secret))
    }

    /// The key whose 32 secret bytes (RFC 8032's seed) these are.
    #[must_use]
    pub fn from_secret_bytes(secret: [u8; ed25519_dalek::SECRET_KEY_LENGTH]) -> Self {
        Self(ed25519_dalek::SigningKey::from_bytes(&secret))
    }

    /// The public key, listed in the chain next to the member's age recipient.
    #[must_use]
    pub fn public_key(&self) -> SigningPublicKey {
        SigningPublicKey::from_bytes(self.0.verifying_key().to_bytes())
    }

    pub(crate) fn sign(&self, bytes: &[u8]) -> ChainSignature {
        ChainSignature::from_bytes(self.0.sign(bytes).to_bytes())
    }

    /// `version` signed as it stands, with no check that it follows from anything: use
    /// [`crate::chain::sign_next_version`], which refuses to sign a version other phones
    /// would refuse. This is for tests that make such versions.
    #[must_use]
    pub fn sign_version(&self, version: ChainVersion) -> SignedVersion {
        let signature = self.sign(&version.signing_bytes());
        SignedVersion { version, signature }
    }

    /// A team request signed at `signed_at` (the value of its
    /// [`prepoznaj_domain::team_request::SIGNATURE_HEADER`]); `request.signed_at` is ignored.
    #[must_use]
    pub fn sign_request(
        &self,
        request: SignedRequest<'_>,
        signed_at: UnixMillis,
    ) -> RequestSignature {
        let request = SignedRequest {
            signed_at,
            ..request
        };
        RequestSignature {
            signed_at,
            signature: self.sign(&request.signing_bytes()),
        }
    }

    /// `note` signed by its author (this key's member): the plaintext of a status change's
    /// envelope.
    #[must_use]
    pub fn sign_note(&self, note: &AuthoredNote) -> SignedNoteDocument {
        let json = note.to_json();
        let signature = self.sign(&note_signing_bytes(&json));
        SignedNoteDocument {
            format: SIGNED_NOTE_FORMAT,
            note: json,
            signature,
        }
    }

    /// The line a locked file holds: [`SIGNING_KEY_PREFIX`] and the secret bytes in hex.
    pub(crate) fn secret_line(&self) -> SecretString {
        let hex: String = self
            .0
            .to_bytes()
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect();
        SecretString::from(format!("{SIGNING_KEY_PREFIX}{hex}"))
    }

    /// The 32 secret bytes, for the printed recovery code.
    pub(crate) fn secret_bytes(&self) -> [u8; ed25519_dalek::SECRET_KEY_LENGTH] {
        self.0.to_bytes()
    }

    /// Reads a line written by [`ChainSigningKey::secret_line`].
    pub(crate) fn from_secret_line(line: &str) -> Option<Self> {
        let hex = line.trim().strip_prefix(SIGNING_KEY_PREFIX)?;
        if hex.len() != 2 * ed25519_dalek::SECRET_KEY_LENGTH {
            return None;
        }
        let mut secret = [0_u8; ed25519_dalek::SECRET_KEY_LENGTH];
        for (byte, pair) in secret.iter_mut().zip(hex.as_bytes().chunks_exact(2)) {
            *byte = u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok()?;
        }
        Some(Self::from_secret_bytes(secret))
    }
}

/// Whether `signature` is `key`'s over `request` (Ed25519 `verify_strict`; a weak or
/// malformed key verifies nothing). The caller checks the time
/// ([`RequestSignature::is_timely`]) and that `key` is the one the chain lists for the signer.
#[must_use]
pub fn verify_request(
    key: &SigningPublicKey,
    request: &SignedRequest<'_>,
    signature: &ChainSignature,
) -> bool {
    let Ok(key) = ed25519_dalek::VerifyingKey::from_bytes(key.as_bytes()) else {
        return false;
    };
    !key.is_weak()
        && key
            .verify_strict(
                &request.signing_bytes(),
                &ed25519_dalek::Signature::from_bytes(signature.as_bytes()),
            )
            .is_ok()
}

/// Why a decrypted status note is not trusted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoteTrustError {
    #[error("the signed text is not a status note")]
    Malformed,
    #[error("its author is not a member in the team's verified key chain")]
    UnknownAuthor,
    #[error("its signature does not verify with its author's key: forged or altered")]
    BadSignature,
    #[error("it is about another school, report or change than the one it came with")]
    OtherChange,
}

/// Which change a note must be about: the one the server listed it as.
#[derive(Debug, Clone, Copy)]
pub struct ExpectedNote<'a> {
    pub school: &'a SchoolId,
    pub report_id: &'a ReportUuid,
    pub change_id: &'a StatusChangeId,
}

/// The note in `document`, if its author is one of `members` (every member of every version
/// of the device's verified chain, so a note by a member who left or re-registered still
/// verifies with the key they had) and their key signed it, and it is about `expected`.
///
/// # Errors
/// [`NoteTrustError`] naming why the note is not trusted.
pub fn verify_note<'a>(
    document: &SignedNoteDocument,
    members: impl IntoIterator<Item = &'a ChainMember>,
    expected: ExpectedNote<'_>,
) -> Result<AuthoredNote, NoteTrustError> {
    let note = document.authored().map_err(|_| NoteTrustError::Malformed)?;
    let bytes = note_signing_bytes(&document.note);
    let signature = ed25519_dalek::Signature::from_bytes(document.signature.as_bytes());
    let mut keys = members
        .into_iter()
        .filter(|member| member.id == note.author)
        .peekable();
    if keys.peek().is_none() {
        return Err(NoteTrustError::UnknownAuthor);
    }
    let verified = keys.any(|member| {
        ed25519_dalek::VerifyingKey::from_bytes(member.signing_key.as_bytes())
            .is_ok_and(|key| !key.is_weak() && key.verify_strict(&bytes, &signature).is_ok())
    });
    if !verified {
        return Err(NoteTrustError::BadSignature);
    }
    if &note.school != expected.school
        || &note.report_id != expected.report_id
        || &note.change_id != expected.change_id
    {
        return Err(NoteTrustError::OtherChange);
    }
    Ok(note)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly on purpose")]

    use age::secrecy::ExposeSecret as _;

    use super::*;
    use crate::identity::{TeamIdentity, UnlockError};

    #[test]
    fn a_new_key_is_random_and_its_debug_shows_only_the_public_key() {
        let first = ChainSigningKey::generate().unwrap();
        let second = ChainSigningKey::generate().unwrap();
        assert_ne!(first.public_key(), second.public_key());
        let shown = format!("{first:?}");
        assert!(shown.contains(&first.public_key().to_hex()));
        assert!(!shown.contains(&first.secret_line().expose_secret()[SIGNING_KEY_PREFIX.len()..]));
    }

    #[test]
    fn the_rfc_8032_test_vector_gives_its_public_key() {
        // RFC 8032, section 7.1, TEST 1.
        let secret = SigningPublicKey::parse_hex(
            "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
        )
        .unwrap();
        let key = ChainSigningKey::from_secret_bytes(*secret.as_bytes());
        assert_eq!(
            key.public_key().to_hex(),
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
        );
        assert_eq!(
            key.sign(b"").to_hex(),
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155\
             5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
        );
    }

    #[test]
    fn the_signing_key_is_locked_with_the_age_key_under_one_passphrase() {
        let identity = TeamIdentity::generate();
        let signing_key = ChainSigningKey::generate().unwrap();
        let locked = identity.lock_with_signing_key(&signing_key, "зелена ливада у мају", 10);
        let (unlocked, unlocked_signing) =
            TeamIdentity::unlock_with_signing_key(&locked, "зелена ливада у мају").unwrap();
        assert_eq!(unlocked.recipient(), identity.recipient());
        assert_eq!(
            unlocked_signing.unwrap().public_key(),
            signing_key.public_key()
        );
        assert_eq!(
            TeamIdentity::unlock(&locked, "зелена ливада у мају")
                .unwrap()
                .recipient(),
            identity.recipient(),
            "the age key alone still unlocks from the same file"
        );
        assert!(matches!(
            TeamIdentity::unlock_with_signing_key(&locked, "погрешна лозинка"),
            Err(UnlockError::WrongPassphrase)
        ));
        let without = identity.lock("зелена ливада у мају", 10);
        let (_, none) =
            TeamIdentity::unlock_with_signing_key(&without, "зелена ливада у мају").unwrap();
        assert!(none.is_none(), "a key locked before signing keys existed");
        let plain = String::from_utf8_lossy(&locked).into_owned();
        assert!(!plain.contains(SIGNING_KEY_PREFIX), "the file is encrypted");
    }

    #[test]
    fn a_signed_request_verifies_only_as_it_was_signed_and_only_with_its_key() {
        use prepoznaj_domain::endpoints::Method;
        use prepoznaj_domain::protocol::{SchoolId, Sha256Digest, TeamMemberId};

        let key = ChainSigningKey::generate().unwrap();
        let other = ChainSigningKey::generate().unwrap();
        let school = SchoolId::parse("0192f3a4-0001-7000-8000-000000000001").unwrap();
        let member = TeamMemberId::parse("0192f3a4-0004-7000-8000-00000000000e").unwrap();
        let body = Sha256Digest::from_bytes([3; 32]);
        let request = SignedRequest {
            method: Method::Post,
            path: "/api/v1/enrolment-links",
            school: &school,
            signer: Some(&member),
            signed_at: UnixMillis(0),
            body_sha256: &body,
        };
        let at = UnixMillis(1_796_548_041_710);
        let signed = key.sign_request(request, at);
        assert_eq!(signed.signed_at, at);
        let as_sent = SignedRequest {
            signed_at: at,
            ..request
        };
        assert!(verify_request(
            &key.public_key(),
            &as_sent,
            &signed.signature
        ));
        assert!(!verify_request(
            &other.public_key(),
            &as_sent,
            &signed.signature
        ));
        let later = SignedRequest {
            signed_at: UnixMillis(at.0 + 1),
            ..as_sent
        };
        assert!(!verify_request(
            &key.public_key(),
            &later,
            &signed.signature
        ));
        let other_body = Sha256Digest::from_bytes([4; 32]);
        let altered = SignedRequest {
            body_sha256: &other_body,
            ..as_sent
        };
        assert!(!verify_request(
            &key.public_key(),
            &altered,
            &signed.signature
        ));
        let weak = SigningPublicKey::from_bytes([0; 32]);
        assert!(!verify_request(&weak, &as_sent, &signed.signature));
    }

    #[test]
    fn a_status_note_is_trusted_only_from_a_listed_author_for_its_own_change() {
        use prepoznaj_domain::protocol::{AgeRecipient, CoarseStatus, DisplayName, TeamMemberId};
        use prepoznaj_domain::status_note::{NoteContext, StatusNote};

        let key = ChainSigningKey::generate().unwrap();
        let stranger = ChainSigningKey::generate().unwrap();
        let author = TeamMemberId::parse("0192f3a4-0004-7000-8000-000000000004").unwrap();
        let school = SchoolId::parse("0192f3a4-0001-7000-8000-000000000001").unwrap();
        let report_id = ReportUuid::parse("0192f3a4-0002-7000-8000-000000000002").unwrap();
        let change_id = StatusChangeId::parse("0192f3a4-0003-7000-8000-000000000003").unwrap();
        let member = |signing_key: SigningPublicKey| ChainMember {
            id: author.clone(),
            display_name: DisplayName::try_from("Марија Петровић".to_owned()).unwrap(),
            recipient: AgeRecipient::try_from(TeamIdentity::generate().recipient().to_string())
                .unwrap(),
            signing_key,
            added_at: UnixMillis(1),
        };
        let listed = [member(key.public_key())];
        let note = AuthoredNote::new(
            StatusNote::bare(CoarseStatus::Seen, UnixMillis(9)),
            NoteContext {
                school: school.clone(),
                report_id: report_id.clone(),
                change_id: change_id.clone(),
                author: author.clone(),
            },
        );
        let expected = ExpectedNote {
            school: &school,
            report_id: &report_id,
            change_id: &change_id,
        };
        let document = key.sign_note(&note);
        assert_eq!(verify_note(&document, &listed, expected), Ok(note.clone()));

        // The author re-registered later with a new key: the old note still verifies.
        let history = [member(stranger.public_key()), member(key.public_key())];
        assert_eq!(verify_note(&document, &history, expected), Ok(note.clone()));

        assert_eq!(
            verify_note(&stranger.sign_note(&note), &listed, expected),
            Err(NoteTrustError::BadSignature)
        );
        assert_eq!(
            verify_note(&document, &[], expected),
            Err(NoteTrustError::UnknownAuthor)
        );
        let mut altered = document.clone();
        altered.note = altered.note.replace("seen", "closed");
        assert_eq!(
            verify_note(&altered, &listed, expected),
            Err(NoteTrustError::BadSignature)
        );
        let other_report = ReportUuid::parse("0192f3a4-0002-7000-8000-0000000000ff").unwrap();
        assert_eq!(
            verify_note(
                &document,
                &listed,
                ExpectedNote {
                    report_id: &other_report,
                    ..expected
                }
            ),
            Err(NoteTrustError::OtherChange),
            "a note moved onto another report is refused"
        );
    }
}
