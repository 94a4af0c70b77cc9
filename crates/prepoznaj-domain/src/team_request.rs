//! Signed team requests: every request that changes a team's state (a new chain version, an
//! enrolment link made or withdrawn, a lost-device set-up code, a status change, a device
//! revoked) carries, next to the member's bearer token, an Ed25519 signature by that member's
//! signing key (the one the team's key chain lists for them) over the request itself. A stolen
//! token alone changes nothing; the server checks the signature against its chain before
//! acting. A set-up redemption is signed the same way with the key being registered, which
//! proves the device holds it.
//!
//! This module defines the bytes and the header once; `prepoznaj_envelope::signing` signs and
//! verifies them.
//!
//! # Signing bytes (`prepoznaj-team-request-v1`)
//! ```text
//! "prepoznaj-team-request-v1\n"          26 bytes, the domain-separation prefix
//! text(method)                           text(s) = u32 big-endian byte length ‖ UTF-8
//! text(path)                             as sent, with its query if any
//! text(school id)
//! text(signer's member id)               empty for a set-up redemption (not yet a member)
//! u64 signed at                          Unix milliseconds, big-endian
//! 32 bytes                               SHA-256 of the body as sent (of nothing, without one)
//! ```
//!
//! # Header
//! [`SIGNATURE_HEADER`]`: t=<signed at, Unix ms>;sig=<128 lowercase hex digits>`. The server
//! refuses a request signed more than [`MAX_CLOCK_SKEW_MS`] before or after its own clock (a
//! captured request cannot be replayed later; within the window, every signed request is
//! idempotent or refused the second time).

use std::fmt;

use crate::endpoints::Method;
use crate::observation::UnixMillis;
use crate::protocol::{SchoolId, Sha256Digest, TeamMemberId};
use crate::team_chain::ChainSignature;

/// The domain-separation prefix of [`signing_bytes`].
pub const SIGNING_PREFIX: &[u8] = b"prepoznaj-team-request-v1\n";

/// The request header that carries the signature (HTTP header names are case-insensitive).
pub const SIGNATURE_HEADER: &str = "prepoznaj-signature";

/// How far a request's signing time may be from the server's clock (15 minutes).
pub const MAX_CLOCK_SKEW_MS: u64 = 15 * 60 * 1_000;

/// What a signature covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignedRequest<'a> {
    pub method: Method,
    /// The path as sent, with its query.
    pub path: &'a str,
    pub school: &'a SchoolId,
    /// `None` for a set-up redemption.
    pub signer: Option<&'a TeamMemberId>,
    pub signed_at: UnixMillis,
    /// SHA-256 of the body as sent.
    pub body_sha256: &'a Sha256Digest,
}

fn push_text(bytes: &mut Vec<u8>, text: &str) {
    let length = u32::try_from(text.len()).unwrap_or(u32::MAX);
    bytes.extend_from_slice(&length.to_be_bytes());
    bytes.extend_from_slice(text.as_bytes());
}

impl SignedRequest<'_> {
    /// The bytes the signing key signs (see the module documentation).
    #[must_use]
    pub fn signing_bytes(&self) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(SIGNING_PREFIX.len() + 160 + self.path.len());
        bytes.extend_from_slice(SIGNING_PREFIX);
        push_text(&mut bytes, self.method.as_str());
        push_text(&mut bytes, self.path);
        push_text(&mut bytes, self.school.as_str());
        push_text(&mut bytes, self.signer.map_or("", TeamMemberId::as_str));
        bytes.extend_from_slice(&self.signed_at.0.to_be_bytes());
        bytes.extend_from_slice(self.body_sha256.as_bytes());
        bytes
    }
}

/// The header's value: when the request was signed, and the signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestSignature {
    pub signed_at: UnixMillis,
    pub signature: ChainSignature,
}

/// Why a header value was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the `{SIGNATURE_HEADER}` header is `t=<milliseconds>;sig=<128 hex digits>`")]
pub struct RequestSignatureError;

impl RequestSignature {
    /// Reads a header value written by `Display`.
    ///
    /// # Errors
    /// [`RequestSignatureError`] for anything else.
    pub fn parse(value: &str) -> Result<Self, RequestSignatureError> {
        let (time, signature) = value.trim().split_once(';').ok_or(RequestSignatureError)?;
        let time = time
            .trim()
            .strip_prefix("t=")
            .ok_or(RequestSignatureError)?;
        let signature = signature
            .trim()
            .strip_prefix("sig=")
            .ok_or(RequestSignatureError)?;
        if time.is_empty() || !time.bytes().all(|byte| byte.is_ascii_digit()) {
            return Err(RequestSignatureError);
        }
        Ok(Self {
            signed_at: UnixMillis(time.parse().map_err(|_| RequestSignatureError)?),
            signature: ChainSignature::parse_hex(signature).map_err(|_| RequestSignatureError)?,
        })
    }

    /// Whether `signed_at` is within [`MAX_CLOCK_SKEW_MS`] of `now`.
    #[must_use]
    pub fn is_timely(&self, now: UnixMillis) -> bool {
        self.signed_at.0.abs_diff(now.0) <= MAX_CLOCK_SKEW_MS
    }
}

impl fmt::Display for RequestSignature {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            formatter,
            "t={};sig={}",
            self.signed_at.0,
            self.signature.to_hex()
        )
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly on purpose")]

    use super::*;

    fn school() -> SchoolId {
        SchoolId::parse("0192f3a4-0001-7000-8000-000000000001").unwrap()
    }

    fn member() -> TeamMemberId {
        TeamMemberId::parse("0192f3a4-0004-7000-8000-00000000000e").unwrap()
    }

    #[test]
    fn the_signing_bytes_are_length_prefixed_fields_after_the_prefix() {
        let school = school();
        let member = member();
        let digest = Sha256Digest::from_bytes([7; 32]);
        let request = SignedRequest {
            method: Method::Post,
            path: "/api/v1/team/chain",
            school: &school,
            signer: Some(&member),
            signed_at: UnixMillis(0x0102_0304_0506_0708),
            body_sha256: &digest,
        };
        let bytes = request.signing_bytes();
        let mut expected = SIGNING_PREFIX.to_vec();
        expected.extend_from_slice(&[0, 0, 0, 4]);
        expected.extend_from_slice(b"POST");
        expected.extend_from_slice(&[0, 0, 0, 18]);
        expected.extend_from_slice(b"/api/v1/team/chain");
        expected.extend_from_slice(&[0, 0, 0, 36]);
        expected.extend_from_slice(school.as_str().as_bytes());
        expected.extend_from_slice(&[0, 0, 0, 36]);
        expected.extend_from_slice(member.as_str().as_bytes());
        expected.extend_from_slice(&[1, 2, 3, 4, 5, 6, 7, 8]);
        expected.extend_from_slice(&[7; 32]);
        assert_eq!(bytes, expected);

        let setup = SignedRequest {
            signer: None,
            ..request
        };
        assert_ne!(
            setup.signing_bytes(),
            bytes,
            "a set-up signs an empty signer"
        );
        let other_path = SignedRequest {
            path: "/api/v1/team/chain?x",
            ..request
        };
        assert_ne!(other_path.signing_bytes(), bytes);
    }

    #[test]
    fn the_header_round_trips_and_refuses_anything_else() {
        let signature = RequestSignature {
            signed_at: UnixMillis(1_796_548_041_710),
            signature: ChainSignature::from_bytes([0xab; 64]),
        };
        let text = signature.to_string();
        assert_eq!(text, format!("t=1796548041710;sig={}", "ab".repeat(64)));
        assert_eq!(RequestSignature::parse(&text), Ok(signature));
        for bad in [
            "",
            "t=;sig=",
            "t=12",
            "sig=ab;t=1",
            "t=-1;sig=00",
            &format!("t=1;sig={}", "ab".repeat(63)),
            &format!("t=x1;sig={}", "ab".repeat(64)),
        ] {
            assert_eq!(
                RequestSignature::parse(bad),
                Err(RequestSignatureError),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_signature_is_timely_within_the_skew_either_way() {
        let signature = RequestSignature {
            signed_at: UnixMillis(10_000_000),
            signature: ChainSignature::from_bytes([0; 64]),
        };
        assert!(signature.is_timely(UnixMillis(10_000_000 + MAX_CLOCK_SKEW_MS)));
        assert!(signature.is_timely(UnixMillis(10_000_000 - MAX_CLOCK_SKEW_MS)));
        assert!(!signature.is_timely(UnixMillis(10_000_001 + MAX_CLOCK_SKEW_MS)));
        assert!(!signature.is_timely(UnixMillis(9_999_999 - MAX_CLOCK_SKEW_MS)));
    }
}
