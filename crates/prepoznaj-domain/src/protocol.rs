//! Wire types shared by the app and the server. Each exists once, here.
//!
//! Additive fields use `#[serde(default)]`; every response carries [`PROTOCOL_VERSION`] in its
//! `protocol` field. Requests are `#[serde(deny_unknown_fields)]`: a field the server does not
//! know is an error (`unknown_field`), never silently dropped. Nothing here does IO, reads a
//! clock or makes random numbers, and nothing here hashes: where a value is a SHA-256, the
//! caller computes it (the server with `sha2`, the app with its own) and this module only
//! carries and formats it.
//!
//! # Envelopes
//! A report travels as an **age envelope in the binary format** (age v1, `age-encryption.org/v1`
//! header, X25519 recipients), encoded in JSON as **standard base64 with padding**. Not the
//! armored (PEM) form: that is itself base64 with header lines and line breaks, so carrying it
//! in JSON would add escaping for no gain and give one envelope two spellings. The SHA-256 in
//! [`ReportSubmission::envelope_sha256`] is over the decoded binary bytes, which is exactly
//! what the server stores and what `age --decrypt` reads.
//!
//! # Tokens and codes
//! Device tokens, team member tokens, team set-up codes and staff enrolment codes are
//! [`Secret`]s: 256 random bits, base64url without padding (43 characters). The server keeps
//! only their SHA-256. Links carry a code in the fragment ([`link`]), which browsers never
//! send to a server or in a `Referer`.
//!
//! # Key fingerprints
//! [`KeyFingerprint`] is the first 10 bytes (80 bits) of the SHA-256 of the recipient string
//! (`age1…`, lowercase, UTF-8), written as 20 lowercase hex digits in five groups of four
//! separated by spaces: `3f2a 9c1b 8d7e 6f50 1a2b`. A phone shows it next to each team key so a
//! team member can compare it, read aloud, with the one their own app computes.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::catalogue::CatalogueVersion;
use crate::observation::{ReportId, UnixMillis};
use crate::team_chain::{SignedVersion, SigningPublicKey};

/// Version of the HTTP protocol between the app and the server.
pub const PROTOCOL_VERSION: u32 = 1;

/// The largest request body the server reads, in bytes; a larger one is `413 body_too_large`.
pub const MAX_REQUEST_BODY_BYTES: usize = 256 * 1024;

/// How long a staff enrolment link stays usable when its creator does not say.
pub const DEFAULT_LINK_VALID_DAYS: u16 = 14;

/// The longest validity a link can be given, in days.
pub const MAX_LINK_VALID_DAYS: u16 = 90;

/// How many phones an enrolment link enrols when its creator does not say.
pub const DEFAULT_LINK_DEVICES: u16 = 50;

/// The most phones one enrolment link can be made to enrol.
pub const MAX_LINK_DEVICES: u16 = 500;

/// The app's page that redeems a team set-up code (the code is the fragment).
pub const TEAM_SETUP_PATH: &str = "/team/setup";

/// The app's page that enrols a staff phone with an enrolment code (the code is the fragment).
pub const ENROL_PATH: &str = "/enrol";

/// A link to one of the app's pages with `code` in the fragment: `<base_url><path>#<code>`.
/// `base_url` is the server's public origin, such as `https://prepoznaj.example.rs`; a trailing
/// `/` is dropped.
#[must_use]
pub fn link(base_url: &str, path: &str, code: &Secret) -> String {
    format!("{}{path}#{}", base_url.trim_end_matches('/'), code.expose())
}

/// A staff enrolment link: `<base_url>/enrol#<code>.<pin>`, where `<pin>` is the hash of the
/// key chain version the device that made the link had verified (see
/// `prepoznaj_envelope::chain::verify_chain_from_hash`), in base64url without padding. A phone
/// enrols only with a chain that verifies and contains that version, so the server cannot hand
/// it other keys.
#[must_use]
pub fn enrolment_link(base_url: &str, code: &Secret, pinned: &Sha256Digest) -> String {
    format!(
        "{}{ENROL_PATH}#{}.{}",
        base_url.trim_end_matches('/'),
        code.expose(),
        URL_SAFE_NO_PAD.encode(pinned.as_bytes())
    )
}

/// Reads the fragment of an [`enrolment_link`] (without its `#`): the code and the pinned
/// hash. `None` for anything else, a link without a pin (made before key chains) included.
#[must_use]
pub fn parse_enrolment_fragment(fragment: &str) -> Option<(Secret, Sha256Digest)> {
    let (code, pin) = fragment.split_once('.')?;
    let is_base64url = |text: &str| {
        text.bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_')
    };
    if code.len() != 43 || !is_base64url(code) || pin.len() != 43 {
        return None;
    }
    let bytes: [u8; 32] = URL_SAFE_NO_PAD.decode(pin).ok()?.try_into().ok()?;
    Some((
        Secret::new(code.to_owned()),
        Sha256Digest::from_bytes(bytes),
    ))
}

/// Body of `GET /api/health`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthResponse {
    /// Always `"ok"` when the server answers at all.
    pub status: String,
    /// The server's release version (the workspace version).
    pub version: String,
    /// [`PROTOCOL_VERSION`] of the server.
    pub protocol: u32,
}

/// Body of every API error: a stable machine-readable `code` and a human-readable `message`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiErrorBody {
    /// Stable; clients branch on this (and on the HTTP status), never on `message`.
    pub code: ErrorCode,
    /// English explanation for logs and operators; the app shows its own translated text.
    pub message: String,
    /// [`PROTOCOL_VERSION`] of the server.
    #[serde(default)]
    pub protocol: u32,
}

macro_rules! error_codes {
    ($($(#[$meta:meta])* $variant:ident => $text:literal,)*) => {
        /// Every error `code` the server sends, `snake_case` on the wire. A code never changes
        /// meaning; a new one is a protocol addition that older apps read as
        /// [`ErrorCode::Unrecognised`] (they still have the HTTP status).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum ErrorCode {
            $($(#[$meta])* $variant,)*
            /// A code this build does not know (sent by a newer server). Never sent.
            #[serde(other)]
            Unrecognised,
        }

        impl ErrorCode {
            /// Every code the server can send (all but [`ErrorCode::Unrecognised`]).
            pub const ALL: &[ErrorCode] = &[$(ErrorCode::$variant,)*];

            /// The code as it is written on the wire.
            #[must_use]
            pub fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $text,)*
                    ErrorCode::Unrecognised => "unrecognised",
                }
            }
        }
    };
}

error_codes! {
    /// No API resource at this path, or no such report, member, link or device in the caller's
    /// school.
    NotFound => "not_found",
    /// The resource does not accept this method.
    MethodNotAllowed => "method_not_allowed",
    /// The request has a body that is not `Content-Type: application/json`.
    UnsupportedMediaType => "unsupported_media_type",
    /// The body is not JSON (syntax error, truncated, not UTF-8, trailing characters).
    InvalidJson => "invalid_json",
    /// The body has a field this request does not have.
    UnknownField => "unknown_field",
    /// The body lacks a required field.
    MissingField => "missing_field",
    /// A field has the wrong type or a value that is not allowed.
    InvalidField => "invalid_field",
    /// The body is larger than [`MAX_REQUEST_BODY_BYTES`].
    BodyTooLarge => "body_too_large",
    /// The submission's `protocol_version` is one this server does not speak.
    UnsupportedProtocolVersion => "unsupported_protocol_version",
    /// The envelope is not an age envelope encrypted to recipients (plaintext, armored, a
    /// passphrase envelope, a truncated header).
    NotAnAgeEnvelope => "not_an_age_envelope",
    /// `envelope_sha256` is not the SHA-256 of the envelope.
    HashMismatch => "hash_mismatch",
    /// The public key is not a usable age X25519 recipient.
    InvalidPublicKey => "invalid_public_key",
    /// A different report was already received under this `report_id`, or a different status
    /// change under this `change_id`.
    ReportConflict => "report_conflict",
    /// The report's envelope was deleted after the retention period (closed, or never
    /// closed); only its receipt remains.
    ReportForgotten => "report_forgotten",
    /// This public key already belongs to a current member of the team.
    MemberExists => "member_exists",
    /// The team's last member cannot be removed: reports would have no one to read them.
    LastTeamMember => "last_team_member",
    /// The set-up code was issued for another public key.
    PublicKeyMismatch => "public_key_mismatch",
    /// A member asked for a new set-up code for themselves; another member of the team must.
    OwnSetupCode => "own_setup_code",
    /// No bearer token, or one the server does not know.
    Unauthorized => "unauthorized",
    /// The token's device was revoked or its team member removed.
    TokenRevoked => "token_revoked",
    /// The set-up or enrolment code is not known.
    LinkInvalid => "link_invalid",
    /// The link's validity has ended.
    LinkExpired => "link_expired",
    /// The link was revoked (or its team member removed).
    LinkRevoked => "link_revoked",
    /// The one-time set-up link was already used.
    LinkUsed => "link_used",
    /// As many phones enrolled with this enrolment link as it allows (410): the team makes
    /// another.
    LinkFull => "link_full",
    /// Too many attempts from this address; the response has `Retry-After`.
    RateLimited => "rate_limited",
    /// This device has sent as many reports as the server allows in a day; the response has
    /// `Retry-After` (when its window frees a place). Nothing is lost: send it again then.
    DeviceDailyLimit => "device_daily_limit",
    /// The school's reports take all the space the server gives a school; the response (413)
    /// has `Retry-After`: space frees as the team closes reports and retention deletes them.
    SchoolStorageFull => "school_storage_full",
    /// The report has as many status changes as the server keeps for one report.
    TooManyStatusChanges => "too_many_status_changes",
    /// The database is not answering.
    StoreUnavailable => "store_unavailable",
    /// The server failed unexpectedly; the cause is in its log.
    Internal => "internal",
    /// A team request that changes something came without the `prepoznaj-signature` header.
    SignatureRequired => "signature_required",
    /// The request's signature does not verify with the signing key the team's key chain lists
    /// for the token's member (or, at set-up, with the key in the request).
    SignatureInvalid => "signature_invalid",
    /// The request was signed too long before or after the server's clock (the device's date
    /// and time are off, or the request is a replay).
    SignatureExpired => "signature_expired",
    /// The chain version does not verify as the next version of the chain the server holds
    /// (`message` names why), or a founding version is not the school's own.
    ChainRejected => "chain_rejected",
    /// Another version was appended first: fetch the chain, check it and make the change again.
    ChainConflict => "chain_conflict",
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

/// The text-newtype plumbing: `as_str`, `Display`, `TryFrom<String>` through `$check` (which
/// returns the text to keep, or why it is refused) and `From<$name> for String`, so serde can
/// read the type only through its check.
macro_rules! text_newtype {
    ($name:ident, $error:ty, $check:expr) => {
        impl $name {
            #[must_use]
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
                formatter.write_str(&self.0)
            }
        }

        impl TryFrom<String> for $name {
            type Error = $error;

            fn try_from(text: String) -> Result<Self, Self::Error> {
                let check: fn(String) -> Result<String, $error> = $check;
                check(text).map(Self)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }
    };
}

/// Why a text is not a UUIDv7 id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Uuid7Error {
    #[error("the id is not a uuid in lowercase hyphenated form (8-4-4-4-12 hex digits)")]
    NotAUuid,
    #[error("the id is a version {version} uuid; version 7 is required")]
    NotVersion7 { version: char },
    #[error("the id's uuid variant bits are not rfc 9562's (10)")]
    WrongVariant,
}

/// Checks `text` is a UUIDv7 (RFC 9562) in lowercase hyphenated form.
fn check_uuid7(text: &str) -> Result<(), Uuid7Error> {
    let bytes = text.as_bytes();
    let well_formed = bytes.len() == 36
        && bytes.iter().enumerate().all(|(index, byte)| match index {
            8 | 13 | 18 | 23 => *byte == b'-',
            _ => matches!(byte, b'0'..=b'9' | b'a'..=b'f'),
        });
    if !well_formed {
        return Err(Uuid7Error::NotAUuid);
    }
    if bytes[14] != b'7' {
        return Err(Uuid7Error::NotVersion7 {
            version: char::from(bytes[14]),
        });
    }
    if !matches!(bytes[19], b'8' | b'9' | b'a' | b'b') {
        return Err(Uuid7Error::WrongVariant);
    }
    Ok(())
}

macro_rules! uuid7_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// # Errors
            /// [`Uuid7Error`] unless `text` is a lowercase hyphenated UUIDv7.
            pub fn parse(text: &str) -> Result<Self, Uuid7Error> {
                Self::try_from(text.to_owned())
            }

            /// A new id from the time and 80 random bits (the caller takes them from a
            /// cryptographic source); see [`ReportId::new_v7`].
            #[must_use]
            pub fn new_v7(now: UnixMillis, random: [u8; 10]) -> Self {
                Self(String::from(ReportId::new_v7(now, random)))
            }
        }

        text_newtype!($name, Uuid7Error, |text| check_uuid7(&text).map(|()| text));
    };
}

uuid7_id!(
    /// A report's id on the wire: the observation's [`ReportId`], which must be a UUIDv7 made
    /// on the phone ([`ReportId::new_v7`]). Resending under the same id is how the server
    /// recognises a retry.
    ReportUuid
);
uuid7_id!(
    /// A school, made by the server when the operator creates it.
    SchoolId
);
uuid7_id!(
    /// A member of a school's protection team.
    TeamMemberId
);
uuid7_id!(
    /// An enrolled staff phone.
    DeviceId
);
uuid7_id!(
    /// A staff enrolment link (not its code, which is a [`Secret`]).
    EnrolmentLinkId
);
uuid7_id!(
    /// A team's status change on a report, made on the team member's device: resending under
    /// the same id is how the server recognises a retry.
    StatusChangeId
);

impl TryFrom<&ReportId> for ReportUuid {
    type Error = Uuid7Error;

    fn try_from(id: &ReportId) -> Result<Self, Self::Error> {
        ReportUuid::parse(id.as_str())
    }
}

impl From<ReportUuid> for ReportId {
    fn from(id: ReportUuid) -> ReportId {
        // A UUIDv7 is always a valid report id: 36 characters of hex digits and `-`.
        ReportId::parse(&id.0).unwrap_or_else(|_| unreachable!("a uuid is a valid report id"))
    }
}

/// A SHA-256 digest, 64 hex digits on the wire (written lowercase; either case is read).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Sha256Digest([u8; 32]);

/// Why a text is not a SHA-256 in hex.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a sha-256 is 64 hex digits; this has {length} characters or a character that is not hex")]
pub struct Sha256DigestError {
    length: usize,
}

impl Sha256Digest {
    #[must_use]
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    #[must_use]
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// # Errors
    /// [`Sha256DigestError`] unless `text` is 64 hex digits.
    pub fn parse_hex(text: &str) -> Result<Self, Sha256DigestError> {
        let error = Sha256DigestError { length: text.len() };
        if text.len() != 64 {
            return Err(error);
        }
        let mut bytes = [0_u8; 32];
        for (byte, pair) in bytes.iter_mut().zip(text.as_bytes().chunks_exact(2)) {
            let high = hex_value(pair[0]).ok_or_else(|| error.clone())?;
            let low = hex_value(pair[1]).ok_or_else(|| error.clone())?;
            *byte = (high << 4) | low;
        }
        Ok(Self(bytes))
    }

    /// Lowercase hex.
    #[must_use]
    pub fn to_hex(&self) -> String {
        lowercase_hex(&self.0)
    }
}

fn hex_value(digit: u8) -> Option<u8> {
    char::from(digit)
        .to_digit(16)
        .and_then(|value| u8::try_from(value).ok())
}

fn lowercase_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

impl fmt::Debug for Sha256Digest {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "Sha256Digest({})", self.to_hex())
    }
}

impl Serialize for Sha256Digest {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_hex())
    }
}

impl<'de> Deserialize<'de> for Sha256Digest {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Sha256Digest::parse_hex(&text).map_err(serde::de::Error::custom)
    }
}

/// The bytes of an encrypted report: meant to be a binary age envelope (see the module
/// documentation), which only the server's check establishes. Standard base64 with padding on
/// the wire. `Debug` shows the length, never the bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct Envelope(Vec<u8>);

impl Envelope {
    #[must_use]
    pub fn from_bytes(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }

    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    #[must_use]
    pub fn into_bytes(self) -> Vec<u8> {
        self.0
    }
}

impl fmt::Debug for Envelope {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "Envelope({} bytes)", self.0.len())
    }
}

impl Serialize for Envelope {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&STANDARD.encode(&self.0))
    }
}

impl<'de> Deserialize<'de> for Envelope {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        STANDARD.decode(text).map(Envelope).map_err(|_| {
            serde::de::Error::custom("the envelope is not standard base64 with padding")
        })
    }
}

/// A token or a one-time code: 256 random bits, base64url without padding. `Debug` never
/// shows it; [`Secret::expose`] is the one way to read it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    #[must_use]
    pub fn new(text: String) -> Self {
        Self(text)
    }

    /// The secret itself, to send or to hash. Never log it.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("Secret(redacted)")
    }
}

/// Characters of bech32's data alphabet, in which `age1…` recipients are written.
const BECH32_ALPHABET: &[u8] = b"qpzry9x8gf2tvdw0s3jn54khce6mua7l";

/// An age X25519 recipient (`age1…`, 62 characters, lowercase), checked in shape only: the
/// server also checks the bech32 checksum and the key itself with the `age` crate.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AgeRecipient(String);

/// Why a text is not shaped like an age X25519 recipient.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "a public key is an age x25519 recipient: `age1` and 58 lowercase bech32 characters, 62 in all"
)]
pub struct AgeRecipientError;

impl AgeRecipient {
    /// # Errors
    /// [`AgeRecipientError`] unless `text` has the shape of an age X25519 recipient.
    pub fn parse(text: &str) -> Result<Self, AgeRecipientError> {
        Self::try_from(text.to_owned())
    }
}

text_newtype!(AgeRecipient, AgeRecipientError, |text| {
    let shaped = text.len() == 62
        && text.strip_prefix("age1").is_some_and(|data| {
            data.bytes()
                .all(|character| BECH32_ALPHABET.contains(&character))
        });
    if shaped {
        Ok(text)
    } else {
        Err(AgeRecipientError)
    }
});

/// A short fingerprint of a team key (see the module documentation for its definition).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct KeyFingerprint(String);

/// Why a text is not a key fingerprint.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a key fingerprint is five groups of four lowercase hex digits separated by spaces")]
pub struct KeyFingerprintError;

impl KeyFingerprint {
    /// The fingerprint of the key whose recipient string has this SHA-256.
    #[must_use]
    pub fn from_sha256(digest: &Sha256Digest) -> Self {
        let hex = lowercase_hex(&digest.as_bytes()[..10]);
        let groups: Vec<&str> = (0..5).map(|group| &hex[group * 4..group * 4 + 4]).collect();
        Self(groups.join(" "))
    }
}

text_newtype!(KeyFingerprint, KeyFingerprintError, |text| {
    let shaped = text.len() == 24
        && text.bytes().enumerate().all(|(index, byte)| {
            if index % 5 == 4 {
                byte == b' '
            } else {
                matches!(byte, b'0'..=b'9' | b'a'..=b'f')
            }
        });
    if shaped {
        Ok(text)
    } else {
        Err(KeyFingerprintError)
    }
});

/// Why a name was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("the name is empty")]
    Empty,
    #[error("the name has {length} characters; at most {max} are allowed")]
    TooLong { length: usize, max: usize },
    #[error("the name contains a control character")]
    ControlCharacter,
}

/// Trims `text` and checks it is a one-line name of at most `max` characters.
fn checked_name(text: &str, max: usize) -> Result<String, NameError> {
    let trimmed = text.trim();
    let length = trimmed.chars().count();
    if length == 0 {
        return Err(NameError::Empty);
    }
    if length > max {
        return Err(NameError::TooLong { length, max });
    }
    if trimmed.chars().any(char::is_control) {
        return Err(NameError::ControlCharacter);
    }
    Ok(trimmed.to_owned())
}

macro_rules! name {
    ($(#[$meta:meta])* $name:ident, $max:expr) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// The longest name accepted, in characters.
            pub const MAX_CHARS: usize = $max;

            /// # Errors
            /// [`NameError`] if `text` is blank, too long or has a control character.
            pub fn parse(text: &str) -> Result<Self, NameError> {
                checked_name(text, Self::MAX_CHARS).map(Self)
            }
        }

        text_newtype!($name, NameError, |text| checked_name(&text, $max));
    };
}

name!(
    /// How a team member is shown to staff next to their key ("Marija, pedagogue"). Trimmed.
    DisplayName,
    60
);
name!(
    /// A school's name as the operator gave it. Trimmed.
    SchoolName,
    120
);

name!(
    /// The short label a staff phone gives itself when it enrols, such as "Android · Chrome"
    /// (made from its browser, or typed by the person): never anything about a child. Trimmed.
    DeviceName,
    40
);

/// How many days a new link stays usable: 1 to [`MAX_LINK_VALID_DAYS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "u16", into = "u16")]
pub struct LinkValidDays(u16);

/// Why a validity was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a link is valid for 1 to {max} days, not {days}", max = MAX_LINK_VALID_DAYS)]
pub struct LinkValidDaysError {
    days: u16,
}

impl LinkValidDays {
    /// # Errors
    /// [`LinkValidDaysError`] unless `days` is 1 to [`MAX_LINK_VALID_DAYS`].
    pub fn new(days: u16) -> Result<Self, LinkValidDaysError> {
        if (1..=MAX_LINK_VALID_DAYS).contains(&days) {
            Ok(Self(days))
        } else {
            Err(LinkValidDaysError { days })
        }
    }

    #[must_use]
    pub fn days(self) -> u16 {
        self.0
    }

    /// The moment a link made at `now` stops working.
    #[must_use]
    pub fn expiry(self, now: UnixMillis) -> UnixMillis {
        UnixMillis(
            now.0
                .saturating_add(u64::from(self.0) * 24 * 60 * 60 * 1000),
        )
    }
}

impl Default for LinkValidDays {
    fn default() -> Self {
        Self(DEFAULT_LINK_VALID_DAYS)
    }
}

impl TryFrom<u16> for LinkValidDays {
    type Error = LinkValidDaysError;

    fn try_from(days: u16) -> Result<Self, Self::Error> {
        LinkValidDays::new(days)
    }
}

impl From<LinkValidDays> for u16 {
    fn from(days: LinkValidDays) -> u16 {
        days.0
    }
}

/// How many phones may enrol with one enrolment link: 1 to [`MAX_LINK_DEVICES`], chosen when
/// the link is made ([`DEFAULT_LINK_DEVICES`] unless chosen). Every enrolment counts, a phone
/// revoked since included, so a leaked link enrols at most this many phones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "u16", into = "u16")]
pub struct LinkDeviceCap(u16);

/// Why a cap was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a link enrols 1 to {max} phones, not {devices}", max = MAX_LINK_DEVICES)]
pub struct LinkDeviceCapError {
    devices: u16,
}

impl LinkDeviceCap {
    /// # Errors
    /// [`LinkDeviceCapError`] unless `devices` is 1 to [`MAX_LINK_DEVICES`].
    pub fn new(devices: u16) -> Result<Self, LinkDeviceCapError> {
        if (1..=MAX_LINK_DEVICES).contains(&devices) {
            Ok(Self(devices))
        } else {
            Err(LinkDeviceCapError { devices })
        }
    }

    #[must_use]
    pub fn devices(self) -> u16 {
        self.0
    }
}

impl Default for LinkDeviceCap {
    fn default() -> Self {
        Self(DEFAULT_LINK_DEVICES)
    }
}

impl TryFrom<u16> for LinkDeviceCap {
    type Error = LinkDeviceCapError;

    fn try_from(devices: u16) -> Result<Self, Self::Error> {
        LinkDeviceCap::new(devices)
    }
}

impl From<LinkDeviceCap> for u16 {
    fn from(cap: LinkDeviceCap) -> u16 {
        cap.0
    }
}

/// The longest catalogue version accepted on the wire, in characters.
pub const MAX_CATALOGUE_VERSION_CHARS: usize = 32;

/// A catalogue version on the wire: 1 to [`MAX_CATALOGUE_VERSION_CHARS`] of `a-z`, `0-9`, `.`
/// and `-` (the shape of `2021-r1`), so the field cannot carry free text.
fn wire_catalogue_version<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<CatalogueVersion, D::Error> {
    let text = String::deserialize(deserializer)?;
    let shaped = (1..=MAX_CATALOGUE_VERSION_CHARS).contains(&text.len())
        && text
            .bytes()
            .all(|byte| matches!(byte, b'a'..=b'z' | b'0'..=b'9' | b'.' | b'-'));
    if shaped {
        Ok(CatalogueVersion::new(text))
    } else {
        Err(serde::de::Error::custom(format!(
            "a catalogue version is 1 to {MAX_CATALOGUE_VERSION_CHARS} characters of a-z, 0-9, `.` and `-`"
        )))
    }
}

/// Body of `POST /api/v1/reports` (with a device token).
///
/// Sending the same `report_id` with the same envelope again is a retry and gets the first
/// receipt back; a different envelope under a known id is `409 report_conflict`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportSubmission {
    pub report_id: ReportUuid,
    /// The age envelope (binary format, standard base64).
    pub envelope: Envelope,
    /// SHA-256 of the envelope's bytes, in hex.
    pub envelope_sha256: Sha256Digest,
    /// The catalogue the observation was made with.
    #[serde(deserialize_with = "wire_catalogue_version")]
    pub catalogue_version: CatalogueVersion,
    /// [`PROTOCOL_VERSION`] of the app that made the submission.
    pub protocol_version: u32,
}

/// Where a report is for the staff member who sent it. Never anything about its content.
/// Ordered as a report goes: a status never goes back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportStatus {
    /// Stored by the server; the team can read it.
    Received,
    /// A team member marked it as acted upon.
    ActedUpon,
}

/// What the phone keeps of a sent report once the server confirms it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportReceipt {
    pub report_id: ReportUuid,
    /// When the server first stored it (the server's clock).
    pub received_at: UnixMillis,
    pub status: ReportStatus,
    /// The stored envelope's SHA-256: the phone deletes its copy only if this is its own.
    pub envelope_sha256: Sha256Digest,
}

/// Body of `POST /api/v1/reports` (`201` new, `200` a retry) and of
/// `GET /api/v1/reports/{id}/status`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptResponse {
    pub receipt: ReportReceipt,
    pub protocol: u32,
}

/// A school as its team and staff see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct School {
    pub id: SchoolId,
    pub name: SchoolName,
}

/// A member of a school's protection team and their public key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamMember {
    pub id: TeamMemberId,
    pub display_name: DisplayName,
    pub public_key: AgeRecipient,
    pub fingerprint: KeyFingerprint,
    pub added_at: UnixMillis,
    /// Set once the member is removed; a key set never lists a removed member.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub removed_at: Option<UnixMillis>,
}

/// The keys every report must be encrypted to: all current team members. `version` grows by
/// one with every change, so a phone can tell its copy is out of date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeySet {
    pub version: u64,
    pub keys: Vec<TeamMember>,
}

impl KeySet {
    /// The recipients every report must be encrypted to.
    pub fn recipients(&self) -> impl Iterator<Item = &AgeRecipient> {
        self.keys.iter().map(|member| &member.public_key)
    }

    /// The text whose SHA-256 is the key set's fingerprint (see the module documentation).
    #[must_use]
    pub fn fingerprint_text(&self) -> String {
        let mut recipients: Vec<&str> = self.recipients().map(AgeRecipient::as_str).collect();
        recipients.sort_unstable();
        recipients.dedup();
        recipients.iter().map(|key| format!("{key}\n")).collect()
    }
}

/// Body of `POST /api/v1/team/setup`: a team member's first contact, with the code from a
/// team set-up link and the public key their app just made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TeamSetupRequest {
    pub setup_code: Secret,
    pub public_key: AgeRecipient,
    /// The member's Ed25519 signing key, made on the device with the age key. The request is
    /// signed with it ([`crate::team_request`], no signer), which proves the device holds it.
    pub signing_key: SigningPublicKey,
    pub display_name: DisplayName,
    /// For a school's first member only: the key chain's version 1, listing them alone and
    /// signed by them. A member whom another member added is already in the chain, with these
    /// keys; the server refuses a redemption whose keys differ.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub founding: Option<SignedVersion>,
}

/// Answer to [`TeamSetupRequest`] (`201`): the member's token, shown nowhere else.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamSetupResponse {
    pub school: School,
    pub member: TeamMember,
    pub member_token: Secret,
    /// The whole key chain, from version 1: the device verifies it before trusting any key.
    pub chain: Vec<SignedVersion>,
    pub protocol: u32,
}

/// Body of `POST /api/v1/team/chain` (a member's token, and the request signed by them): the
/// team's next key chain version, made and signed on that member's unlocked device. It adds a
/// member (who first made their keys on their own device), removes one, or re-registers one
/// who lost their device with new keys. The server appends it only if it verifies as the next
/// version of the chain it holds, signed by the member whose token and request signature came
/// with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChainAppendRequest {
    pub version: SignedVersion,
}

/// Answer to [`ChainAppendRequest`] (`201`): the whole chain, now ending with the new version;
/// for an added or re-registered member, their one-time set-up code (a link to
/// [`TEAM_SETUP_PATH`]), which works only with the keys the version lists for them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainAppended {
    pub chain: Vec<SignedVersion>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub setup: Option<MemberSetupCode>,
    pub protocol: u32,
}

/// A one-time set-up code for one member's keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberSetupCode {
    pub member: TeamMemberId,
    pub setup_code: Secret,
    pub setup_expires_at: UnixMillis,
}

/// Answer to `POST /api/v1/team/members/{id}/setup-code` (`201`, with another member's
/// token): a new one-time `setup_code` (a link to [`TEAM_SETUP_PATH`]) for a current member's
/// existing key, for a member who lost their device and restored the key from its recovery
/// copy. Redeeming it gives the member a new token and ends their earlier one; it replaces
/// the member's earlier unused set-up codes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamMemberSetupCode {
    pub member: TeamMember,
    pub setup_code: Secret,
    pub setup_expires_at: UnixMillis,
    pub protocol: u32,
}

/// Body of `POST /api/v1/enrolment-links` (with a team member's token); `{}` takes the
/// default validity.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnrolmentLinkRequest {
    #[serde(default)]
    pub valid_days: LinkValidDays,
    /// How many phones may enrol with it.
    #[serde(default)]
    pub max_devices: LinkDeviceCap,
}

/// A staff enrolment link, without its code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrolmentLink {
    pub id: EnrolmentLinkId,
    pub created_at: UnixMillis,
    pub expires_at: UnixMillis,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<UnixMillis>,
    /// How many phones may enrol with it (links made before caps: the default).
    #[serde(default)]
    pub max_devices: LinkDeviceCap,
}

/// Answer to [`EnrolmentLinkRequest`] (`201`): the code, shown only here (a link to
/// [`ENROL_PATH`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrolmentLinkCreated {
    pub link: EnrolmentLink,
    pub enrolment_code: Secret,
    pub protocol: u32,
}

/// Answer to `DELETE /api/v1/enrolment-links/{id}` (`200`). Phones already enrolled with the
/// link stay enrolled: revoke them one by one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrolmentLinkRevoked {
    pub link: EnrolmentLink,
    pub protocol: u32,
}

/// Body of `POST /api/v1/devices`: a staff phone enrols with the code from an enrolment link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceEnrolmentRequest {
    pub enrolment_code: Secret,
    /// The label the phone gives itself, shown to its team in the list of devices (older apps
    /// send none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<DeviceName>,
}

/// Answer to [`DeviceEnrolmentRequest`] (`201`): the device's token, shown nowhere else, and
/// the keys to encrypt reports to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceEnrolment {
    pub device_id: DeviceId,
    pub device_token: Secret,
    pub school: School,
    /// The whole key chain, from version 1. The phone enrols only if it verifies and one of
    /// its versions has the hash the enrolment link carries.
    pub chain: Vec<SignedVersion>,
    pub protocol: u32,
}

/// An enrolled phone, as its team sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Device {
    pub id: DeviceId,
    pub enrolled_at: UnixMillis,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<UnixMillis>,
}

/// An enrolled phone in its team's list of devices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamDevice {
    pub id: DeviceId,
    /// The label the phone gave itself; `None` for phones enrolled before labels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<DeviceName>,
    pub enrolled_at: UnixMillis,
    /// When it last used its token, to the hour (the server notes it at most once an hour);
    /// `None` if never since it enrolled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_seen_at: Option<UnixMillis>,
    /// Reports it has sent in all (resends not counted).
    pub reports_sent: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<UnixMillis>,
}

/// Body of `GET /api/v1/team/devices` (with a member token): the school's enrolled phones,
/// revoked ones included, newest enrolment first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamDevices {
    pub devices: Vec<TeamDevice>,
    pub protocol: u32,
}

/// An enrolment link in its team's list, with how many phones enrolled with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamEnrolmentLink {
    pub link: EnrolmentLink,
    /// Phones enrolled with it, revoked ones included (what its cap counts).
    pub devices_enrolled: u64,
}

/// Body of `GET /api/v1/team/enrolment-links` (with a member token): the school's enrolment
/// links, expired and revoked ones included, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamEnrolmentLinks {
    pub links: Vec<TeamEnrolmentLink>,
    pub protocol: u32,
}

/// Answer to `DELETE /api/v1/devices/{id}` (`200`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceRevoked {
    pub device: Device,
    pub protocol: u32,
}

/// Body of `GET /api/v1/keys` (with a device token) and `GET /api/v1/team/keys` (with a member
/// token): the school and its whole key chain, from version 1. A device trusts only what
/// verifies from the version it has pinned (`prepoznaj_envelope::chain::verify_chain`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchoolKeys {
    pub school: School,
    pub chain: Vec<SignedVersion>,
    pub protocol: u32,
}

/// Which kind of link a code came from: a team set-up link ([`TEAM_SETUP_PATH`], also the one
/// made for a member who lost their device) or a staff enrolment link ([`ENROL_PATH`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkKind {
    TeamSetup,
    Enrolment,
}

/// What a link's code is worth now, as `POST /api/v1/link-checks` says without using it
/// (decided by [`crate::link_check::link_state`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkState {
    /// Redeeming it now would work (a set-up code may still want a particular key).
    Valid,
    /// A one-time set-up link that was already used.
    Used,
    /// A set-up link made unusable by a newer one for the same member.
    Replaced,
    /// Its validity has ended.
    Expired,
    /// Revoked, or the member it was made for was removed.
    Revoked,
    /// No such code.
    Unknown,
    /// An enrolment link with which as many phones enrolled as it allows.
    Full,
}

/// Body of `POST /api/v1/link-checks`: the code of a link the person has just opened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkCheckRequest {
    pub kind: LinkKind,
    pub code: Secret,
}

/// Answer to [`LinkCheckRequest`] (`200`): the link's state and, when it is valid or expired,
/// when its validity ends (or ended). For a valid set-up link of a school with no team yet,
/// the school (its founding chain version names it); nothing else about the school or member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkCheck {
    pub state: LinkState,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<UnixMillis>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub founding_school: Option<School>,
    pub protocol: u32,
}

/// How far the team has got with a report, the one thing the server learns of a status
/// change; what was done, when and by whom is in the change's envelope.
///
/// The reporter sees only [`ReportStatus`]: `seen` stays `received`, `acted_upon` and `closed`
/// are `acted_upon`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CoarseStatus {
    Seen,
    ActedUpon,
    /// Closed for good: the envelopes are deleted after the server's retention period.
    Closed,
}

impl CoarseStatus {
    /// What the reporter is told once a change with this status exists.
    #[must_use]
    pub fn reporter_status(self) -> ReportStatus {
        match self {
            Self::Seen => ReportStatus::Received,
            Self::ActedUpon | Self::Closed => ReportStatus::ActedUpon,
        }
    }
}

/// Body of `POST /api/v1/team/reports/{id}/status-changes` (with a team member token): one
/// step of the team's work on a report, encrypted to the team like the report itself.
///
/// Sending the same `change_id` with the same content again is a retry and gets the first
/// answer back; different content under a known `change_id` is `409 report_conflict`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusChangeRequest {
    pub change_id: StatusChangeId,
    pub coarse_status: CoarseStatus,
    /// The detail (what was done, the date, a note) as an age envelope (binary format, standard
    /// base64), encrypted to the team's keys.
    pub envelope: Envelope,
    /// SHA-256 of the envelope's bytes, in hex.
    pub envelope_sha256: Sha256Digest,
}

/// A status change as the server keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusChange {
    pub change_id: StatusChangeId,
    pub report_id: ReportUuid,
    pub coarse_status: CoarseStatus,
    /// When the server first stored it (the server's clock).
    pub recorded_at: UnixMillis,
    pub envelope: Envelope,
    pub envelope_sha256: Sha256Digest,
}

/// Answer to [`StatusChangeRequest`] (`201` new, `200` a retry): the change as first stored,
/// and the report's status afterwards.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusChangeRecorded {
    pub change: StatusChange,
    /// What the reporter now sees.
    pub status: ReportStatus,
    /// When the first `closed` change was stored; set once, never cleared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_at: Option<UnixMillis>,
    pub protocol: u32,
}

/// One report of the team's school, with everything the team's devices need to read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamReport {
    pub report_id: ReportUuid,
    pub received_at: UnixMillis,
    /// Bytes of the envelope.
    pub size: u64,
    #[serde(deserialize_with = "wire_catalogue_version")]
    pub catalogue_version: CatalogueVersion,
    /// What the reporter sees.
    pub status: ReportStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_at: Option<UnixMillis>,
    /// From when the server deletes the envelope and the status changes (its retention job runs
    /// hourly): `closed_at` plus the server's retention period for closed reports, or, while
    /// the report is not closed, `received_at` plus its period for reports never closed (a
    /// closing before then moves it). `None` from a server older than this field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted_after: Option<UnixMillis>,
    pub envelope: Envelope,
    pub envelope_sha256: Sha256Digest,
    /// Oldest first.
    pub status_changes: Vec<StatusChange>,
}

/// How long before the server deletes a report the team has not closed its devices warn.
pub const DELETION_WARNING_MS: u64 = 14 * 24 * 60 * 60 * 1000;

impl TeamReport {
    /// When the team should be warned, at `now`, that the server will delete this report
    /// although the team never closed it: the day it will, once that is at most
    /// [`DELETION_WARNING_MS`] away (a closed report is deleted as the team expects).
    #[must_use]
    pub fn deletion_warning(&self, now: UnixMillis) -> Option<UnixMillis> {
        let deleted_after = self.deleted_after?;
        (self.closed_at.is_none() && deleted_after.0.saturating_sub(now.0) <= DELETION_WARNING_MS)
            .then_some(deleted_after)
    }

    /// Whether a team device may take this report's absence from a complete download at `now`
    /// as the server having deleted it: its deletion time has come. A report missing before
    /// then (a server restored from an older backup, say) is kept.
    #[must_use]
    pub fn is_due_for_deletion(&self, now: UnixMillis) -> bool {
        self.deleted_after
            .is_some_and(|deleted_after| deleted_after <= now)
    }
}

/// Where a page of [`TeamReports`] ends: the last report's `received_at` and id, written
/// `<received_at>.<report_id>`. The next page has the reports after it, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ReportCursor {
    pub received_at: UnixMillis,
    pub report_id: ReportUuid,
}

/// The most digits a cursor's `received_at` may have (`^[0-9]{1,19}` in the OpenAPI document).
pub const MAX_CURSOR_TIME_DIGITS: usize = 19;

/// Why a text is not a [`ReportCursor`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a cursor is `<received_at>.<report_id>`, as `next_cursor` gives it")]
pub struct ReportCursorError;

impl TryFrom<String> for ReportCursor {
    type Error = ReportCursorError;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        let (received_at, report_id) = text.split_once('.').ok_or(ReportCursorError)?;
        // At most 19 digits, each of which numbers fit a u64: the published pattern can say
        // exactly that, and it cannot say "at most u64::MAX".
        let well_formed = (1..=MAX_CURSOR_TIME_DIGITS).contains(&received_at.len())
            && received_at.bytes().all(|b| b.is_ascii_digit());
        Ok(Self {
            received_at: UnixMillis(
                received_at
                    .parse()
                    .ok()
                    .filter(|_| well_formed)
                    .ok_or(ReportCursorError)?,
            ),
            report_id: ReportUuid::parse(report_id).map_err(|_| ReportCursorError)?,
        })
    }
}

impl From<ReportCursor> for String {
    fn from(cursor: ReportCursor) -> String {
        cursor.to_string()
    }
}

impl fmt::Display for ReportCursor {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{}.{}", self.received_at.0, self.report_id)
    }
}

/// Reports on one page of `GET /api/v1/team/reports` when `limit` is not given.
pub const DEFAULT_TEAM_REPORTS_PAGE: u16 = 50;

/// The most reports one page may hold (`limit`): envelopes are up to
/// [`MAX_REQUEST_BODY_BYTES`] each.
pub const MAX_TEAM_REPORTS_PAGE: u16 = 100;

/// Body of `GET /api/v1/team/reports?limit=<n>&cursor=<next_cursor>` (with a team member
/// token): the school's reports newest first, without those whose envelope was deleted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamReports {
    pub reports: Vec<TeamReport>,
    /// Present when there may be more: pass it as `cursor` for the next page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<ReportCursor>,
    pub protocol: u32,
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly on purpose")]

    use super::*;

    const V7: &str = "0190f0e1-2b3c-7d4e-8f60-718293a4b5c6";

    #[test]
    fn uuid7_ids_accept_only_lowercase_hyphenated_version_7() {
        assert!(ReportUuid::parse(V7).is_ok());
        assert_eq!(
            ReportUuid::parse("0190f0e1-2b3c-4d4e-8f60-718293a4b5c6"),
            Err(Uuid7Error::NotVersion7 { version: '4' })
        );
        assert_eq!(
            ReportUuid::parse("0190f0e1-2b3c-7d4e-cf60-718293a4b5c6"),
            Err(Uuid7Error::WrongVariant)
        );
        for not_a_uuid in [
            "",
            "0190F0E1-2B3C-7D4E-8F60-718293A4B5C6",
            "0190f0e12b3c7d4e8f60718293a4b5c6",
            "0190f0e1-2b3c-7d4e-8f60-718293a4b5c",
            "0190f0e1-2b3c-7d4e-8f60-718293a4b5c6 ",
        ] {
            assert_eq!(
                ReportUuid::parse(not_a_uuid),
                Err(Uuid7Error::NotAUuid),
                "{not_a_uuid:?}"
            );
        }
    }

    #[test]
    fn ids_made_here_are_valid_and_observation_ids_convert() {
        let id = SchoolId::new_v7(UnixMillis(1_764_230_400_000), [0xa5; 10]);
        assert!(SchoolId::parse(id.as_str()).is_ok());
        let report_id = ReportId::new_v7(UnixMillis(1), [7; 10]);
        let on_the_wire = ReportUuid::try_from(&report_id).unwrap();
        assert_eq!(ReportId::from(on_the_wire), report_id);
        assert!(ReportUuid::try_from(&ReportId::parse("a1").unwrap()).is_err());
    }

    #[test]
    fn sha256_hex_round_trips_and_reads_uppercase() {
        let digest = Sha256Digest::from_bytes([0xab; 32]);
        assert_eq!(digest.to_hex(), "ab".repeat(32));
        assert_eq!(Sha256Digest::parse_hex(&"AB".repeat(32)), Ok(digest));
        assert!(Sha256Digest::parse_hex(&"ab".repeat(31)).is_err());
        assert!(Sha256Digest::parse_hex(&format!("{}zz", "ab".repeat(31))).is_err());
        assert!(Sha256Digest::parse_hex(&format!("{}é", "ab".repeat(31))).is_err());
    }

    #[test]
    fn an_enrolment_link_carries_its_code_and_pin_and_reads_back() {
        let code = Secret::new("A".repeat(43));
        let pin = Sha256Digest::from_bytes([0xfb; 32]);
        let link = enrolment_link("https://prepoznaj.example.rs/", &code, &pin);
        assert_eq!(
            link,
            format!(
                "https://prepoznaj.example.rs/enrol#{}.{}",
                "A".repeat(43),
                "-_v7".repeat(10) + "-_s"
            )
        );
        let fragment = link
            .split_once('#')
            .map(|(_, fragment)| fragment)
            .unwrap_or_default();
        assert_eq!(parse_enrolment_fragment(fragment), Some((code, pin)));
        let pinned = "-_v7".repeat(10) + "-_s";
        for bad in [
            "A".repeat(43),
            format!("{}.", "A".repeat(43)),
            format!("{}.{}", "A".repeat(42), pinned),
            format!("{}.{}x", "A".repeat(43), pinned),
            format!("{}+.{}", "A".repeat(42), pinned),
            format!("{}.{}", "A".repeat(43), "A".repeat(44)),
        ] {
            assert_eq!(parse_enrolment_fragment(&bad), None, "{bad}");
        }
    }

    #[test]
    fn fingerprint_is_the_first_ten_bytes_in_five_groups() {
        let mut bytes = [0_u8; 32];
        for (index, byte) in bytes.iter_mut().enumerate() {
            *byte = u8::try_from(index).unwrap().wrapping_mul(17);
        }
        let fingerprint = KeyFingerprint::from_sha256(&Sha256Digest::from_bytes(bytes));
        assert_eq!(fingerprint.as_str(), "0011 2233 4455 6677 8899");
        assert_eq!(
            KeyFingerprint::try_from(fingerprint.as_str().to_owned()),
            Ok(fingerprint)
        );
        assert!(KeyFingerprint::try_from("0011 2233 4455 6677 889".to_owned()).is_err());
    }

    #[test]
    fn age_recipients_are_checked_in_shape() {
        let key = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p";
        assert!(AgeRecipient::parse(key).is_ok());
        assert!(AgeRecipient::parse(&key.to_uppercase()).is_err());
        assert!(AgeRecipient::parse(&key[..61]).is_err());
        assert!(AgeRecipient::parse(&key.replace('q', "b")).is_err());
        assert!(AgeRecipient::parse("AGE-SECRET-KEY-1").is_err());
    }

    #[test]
    fn a_key_sets_fingerprint_text_is_its_sorted_keys_whatever_the_order_or_names() {
        let member = |key: &str, name: &str| TeamMember {
            id: TeamMemberId::new_v7(UnixMillis(1), [1; 10]),
            display_name: DisplayName::parse(name).unwrap(),
            public_key: AgeRecipient::parse(key).unwrap(),
            fingerprint: KeyFingerprint::try_from("0000 0000 0000 0000 0000".to_owned()).unwrap(),
            added_at: UnixMillis(1),
            removed_at: None,
        };
        let first = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p";
        let second = "age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj";
        let one_way = KeySet {
            version: 1,
            keys: vec![member(second, "Ана"), member(first, "Марко")],
        };
        let other_way = KeySet {
            version: 7,
            keys: vec![member(first, "M"), member(second, "A")],
        };
        assert_eq!(one_way.fingerprint_text(), format!("{first}\n{second}\n"));
        assert_eq!(one_way.fingerprint_text(), other_way.fingerprint_text());
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(DisplayName::parse("  Марија  ").unwrap().as_str(), "Марија");
        assert_eq!(DisplayName::parse(" \t"), Err(NameError::Empty));
        assert_eq!(
            DisplayName::parse(&"ж".repeat(61)),
            Err(NameError::TooLong {
                length: 61,
                max: 60
            })
        );
        assert_eq!(
            DisplayName::parse("a\u{7}b"),
            Err(NameError::ControlCharacter)
        );
        assert!(SchoolName::parse(&"ж".repeat(120)).is_ok());
    }

    #[test]
    fn link_validity_is_bounded_and_defaults_to_two_weeks() {
        assert_eq!(LinkValidDays::default().days(), 14);
        assert!(LinkValidDays::new(0).is_err());
        assert!(LinkValidDays::new(91).is_err());
        assert_eq!(
            LinkValidDays::new(1).unwrap().expiry(UnixMillis(5)),
            UnixMillis(86_400_005)
        );
    }

    #[test]
    fn links_carry_the_code_in_the_fragment() {
        let code = Secret::new("c0de".to_owned());
        assert_eq!(
            link("https://prepoznaj.example.rs/", TEAM_SETUP_PATH, &code),
            "https://prepoznaj.example.rs/team/setup#c0de"
        );
        assert_eq!(format!("{code:?}"), "Secret(redacted)");
    }

    #[test]
    fn report_cursors_round_trip_and_refuse_anything_else() {
        let cursor = ReportCursor {
            received_at: UnixMillis(1_764_230_405_000),
            report_id: ReportUuid::parse(V7).unwrap(),
        };
        let text = cursor.to_string();
        assert_eq!(text, format!("1764230405000.{V7}"));
        assert_eq!(ReportCursor::try_from(text), Ok(cursor));
        for refused in ["", V7, "12", "x.{V7}", "+1.{V7}", "1.0190f0e1"] {
            let refused = refused.replace("{V7}", V7);
            assert!(
                ReportCursor::try_from(refused.clone()).is_err(),
                "{refused}"
            );
        }
    }

    #[test]
    fn the_reporter_never_sees_seen() {
        assert_eq!(CoarseStatus::Seen.reporter_status(), ReportStatus::Received);
        assert_eq!(
            CoarseStatus::ActedUpon.reporter_status(),
            ReportStatus::ActedUpon
        );
        assert_eq!(
            CoarseStatus::Closed.reporter_status(),
            ReportStatus::ActedUpon
        );
    }

    #[test]
    fn error_codes_are_snake_case_and_unknown_ones_still_read() {
        for code in ErrorCode::ALL {
            assert_eq!(
                serde_json::to_string(code).unwrap(),
                format!("\"{}\"", code.as_str())
            );
            assert_eq!(
                serde_json::from_str::<ErrorCode>(&format!("\"{code}\"")).unwrap(),
                *code
            );
        }
        assert_eq!(
            serde_json::from_str::<ErrorCode>("\"invented_later\"").unwrap(),
            ErrorCode::Unrecognised
        );
    }
}
