//! Sealing a finished observation to the team's keys: an age v1 envelope (binary format)
//! with one X25519 stanza per current team member and a ChaCha20-Poly1305 payload, ready to
//! queue as a [`ReportSubmission`].
//!
//! Every plaintext sealed here (a report, a team's status note) is JSON, padded with spaces
//! to the next multiple of [`PADDING_BUCKET`] before it is encrypted: the size the server
//! sees tells how many buckets, never how long a note is. JSON ignores trailing whitespace,
//! so a padded plaintext still parses as it is (also after `age --decrypt`); [`open`] strips
//! the padding.

use std::io::{Read as _, Write as _};
use std::str::FromStr as _;

use prepoznaj_domain::observation::Observation;
use prepoznaj_domain::protocol::{
    AgeRecipient, Envelope, KeySet, PROTOCOL_VERSION, ReportSubmission, ReportUuid, Uuid7Error,
};
use prepoznaj_domain::report::ReportPlaintext;

use crate::digest::sha256;
use crate::identity::TeamIdentity;

/// Why a report could not be sealed.
#[derive(Debug, thiserror::Error)]
pub enum SealError {
    #[error("the key set has no keys: nobody could read the report")]
    NoRecipients,
    #[error("`{recipient}` is not a usable age x25519 key")]
    BadRecipient { recipient: String },
    #[error("the observation's id is not a uuidv7: {0}")]
    ReportId(#[from] Uuid7Error),
    #[error("age could not encrypt: {0}")]
    Encrypt(String),
}

/// The size, in bytes, that sealed plaintexts are padded to a multiple of.
pub const PADDING_BUCKET: usize = 4096;

/// `plaintext` followed by spaces up to a multiple of [`PADDING_BUCKET`] (one bucket at least).
fn padded(plaintext: &[u8]) -> Vec<u8> {
    let length = plaintext.len().div_ceil(PADDING_BUCKET).max(1) * PADDING_BUCKET;
    let mut padded = Vec::with_capacity(length);
    padded.extend_from_slice(plaintext);
    padded.resize(length, b' ');
    padded
}

/// Encrypts `plaintext` (JSON) to every recipient, padded (see the module's comment); the
/// binary age envelope.
///
/// # Errors
/// [`SealError`] without recipients or with one age does not accept.
pub fn seal<'a>(
    plaintext: &[u8],
    recipients: impl IntoIterator<Item = &'a AgeRecipient>,
) -> Result<Vec<u8>, SealError> {
    let recipients = recipients
        .into_iter()
        .map(|recipient| {
            age::x25519::Recipient::from_str(recipient.as_str()).map_err(|_| {
                SealError::BadRecipient {
                    recipient: recipient.to_string(),
                }
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    if recipients.is_empty() {
        return Err(SealError::NoRecipients);
    }
    let encryptor = age::Encryptor::with_recipients(
        recipients
            .iter()
            .map(|recipient| recipient as &dyn age::Recipient),
    )
    .map_err(|error| SealError::Encrypt(crate::described(&error)))?;
    let plaintext = padded(plaintext);
    let mut envelope = Vec::with_capacity(plaintext.len() + 64 + 160 * recipients.len());
    let mut writer = encryptor
        .wrap_output(&mut envelope)
        .map_err(|error| SealError::Encrypt(crate::described(&error)))?;
    writer
        .write_all(&plaintext)
        .and_then(|()| writer.finish().map(|_| ()))
        .map_err(|error| SealError::Encrypt(crate::described(&error)))?;
    Ok(envelope)
}

/// Seals `observation` (finished) to every key of `key_set`: the submission the phone queues
/// and later sends, with the envelope's SHA-256.
///
/// # Errors
/// [`SealError`] as for [`seal`], or an observation id that is not a UUIDv7.
pub fn seal_report(
    observation: &Observation,
    key_set: &KeySet,
) -> Result<ReportSubmission, SealError> {
    let report_id = ReportUuid::try_from(observation.id())?;
    let plaintext = ReportPlaintext::new(observation.clone()).to_bytes();
    let envelope = seal(&plaintext, key_set.recipients())?;
    Ok(ReportSubmission {
        report_id,
        envelope_sha256: sha256(&envelope),
        envelope: Envelope::from_bytes(envelope),
        catalogue_version: observation.catalogue_version().clone(),
        protocol_version: PROTOCOL_VERSION,
    })
}

/// Why an envelope could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("the envelope is not encrypted to this key")]
    NotForThisKey,
    #[error("the envelope is damaged or not an age envelope: {0}")]
    Damaged(String),
}

/// Decrypts an envelope with a team member's identity; the plaintext without its padding
/// (envelopes sealed before padding have none).
///
/// # Errors
/// [`OpenError`] when it is not for this key or is damaged.
pub fn open(envelope: &[u8], identity: &TeamIdentity) -> Result<Vec<u8>, OpenError> {
    let decryptor = age::Decryptor::new(envelope)
        .map_err(|error| OpenError::Damaged(crate::described(&error)))?;
    let mut reader = decryptor
        .decrypt(std::iter::once(identity.age() as &dyn age::Identity))
        .map_err(|error| match error {
            age::DecryptError::NoMatchingKeys => OpenError::NotForThisKey,
            error => OpenError::Damaged(crate::described(&error)),
        })?;
    let mut plaintext = Vec::new();
    reader
        .read_to_end(&mut plaintext)
        .map_err(|error| OpenError::Damaged(crate::described(&error)))?;
    let unpadded = plaintext
        .iter()
        .rposition(|&byte| byte != b' ')
        .map_or(0, |last| last + 1);
    plaintext.truncate(unpadded);
    Ok(plaintext)
}
