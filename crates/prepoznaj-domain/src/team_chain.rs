//! The team's key chain: the school's key set as a hash-linked sequence of signed versions,
//! and the one place its bytes are defined. A phone trusts a key set only if it verifies, from
//! the version the phone has pinned, through this chain (`prepoznaj_envelope::chain` signs and
//! verifies; this module does no cryptography: it defines what is signed and hashed, reads and
//! checks the wire form, and decides which membership changes a version may record).
//!
//! # A version
//! A [`ChainVersion`] names the school, its number (1, 2, …), the SHA-256 of the previous
//! version's signing bytes (none for version 1), every current member ([`ChainMember`]: id,
//! display name, age recipient, Ed25519 signing public key, when added), the change it records
//! ([`ChainChange`]) and who signed it. Version 1 is the founding one, signed by its founder
//! (who is in it; a team that existed before the chain may found it with all its members).
//! Every later version is signed by a member of the *previous* version and differs from it
//! exactly by its change ([`ChainVersion::check_change`]).
//!
//! # Signing bytes (`prepoznaj-team-chain-v1`)
//! [`ChainVersion::signing_bytes`] is what the signer's Ed25519 key signs and what the next
//! version's `previous` hashes (SHA-256). Length-prefixed binary, never JSON, so the wire's key
//! order, spacing or member order cannot change it:
//!
//! ```text
//! "prepoznaj-team-chain-v1\n"                  24 bytes, the domain-separation prefix
//! text(school id)                              text(s) = u32 big-endian byte length ‖ UTF-8
//! u64 version number                           all integers big-endian
//! 0x00 | 0x01 ‖ 32 bytes                       previous version's hash: none | SHA-256
//! u8 change kind ‖ text(member id)             1 founding, 2 add, 3 remove, 4 re-register
//! text(signer's member id)
//! u32 member count, then for each member in ascending order of id:
//!     text(id) ‖ text(display name) ‖ text(age recipient) ‖ 32-byte signing key
//!     ‖ u64 added at (Unix milliseconds)
//! ```
//!
//! A new encoding gets a new prefix (`…-v2`); the golden files under
//! `tests/golden/team_chain/` pin this one.
//!
//! # Wire form
//! A [`SignedVersion`] in JSON: `{"version": {…}, "signature": "<128 hex digits>"}`, the
//! signing key and `previous` as lowercase hex. Reading checks the shape of every field, at
//! least one member, no member, recipient or signing key twice, and that the version number,
//! `previous` and change agree; a version that fails is never seen by the verifier.

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::observation::UnixMillis;
use crate::protocol::{AgeRecipient, DisplayName, SchoolId, Sha256Digest, TeamMemberId};

/// The domain-separation prefix of [`ChainVersion::signing_bytes`].
pub const SIGNING_PREFIX: &[u8] = b"prepoznaj-team-chain-v1\n";

/// The most members a version may list (a school's protection team is a handful of people;
/// this only bounds what a hostile server can make a phone check).
pub const MAX_MEMBERS: usize = 64;

/// Why a hex field was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{field}` is {expected} hex digits; this has {found} characters or one that is not hex")]
pub struct HexError {
    field: &'static str,
    expected: usize,
    found: usize,
}

/// `bytes` as lowercase hex.
fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    bytes
        .iter()
        .flat_map(|byte| {
            [
                char::from(DIGITS[usize::from(byte >> 4)]),
                char::from(DIGITS[usize::from(byte & 0x0f)]),
            ]
        })
        .collect()
}

/// Reads exactly `N` bytes written as hex (either case).
fn from_hex<const N: usize>(field: &'static str, text: &str) -> Result<[u8; N], HexError> {
    let error = HexError {
        field,
        expected: N * 2,
        found: text.len(),
    };
    if text.len() != N * 2 {
        return Err(error);
    }
    let mut bytes = [0_u8; N];
    for (byte, pair) in bytes.iter_mut().zip(text.as_bytes().chunks_exact(2)) {
        let digits = std::str::from_utf8(pair).map_err(|_| error.clone())?;
        *byte = u8::from_str_radix(digits, 16).map_err(|_| error.clone())?;
    }
    Ok(bytes)
}

/// A fixed-size byte value written as hex on the wire.
macro_rules! hex_bytes {
    ($(#[$meta:meta])* $name:ident, $length:expr, $field:literal) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash)]
        pub struct $name([u8; $length]);

        impl $name {
            #[must_use]
            pub fn from_bytes(bytes: [u8; $length]) -> Self {
                Self(bytes)
            }

            #[must_use]
            pub fn as_bytes(&self) -> &[u8; $length] {
                &self.0
            }

            /// # Errors
            /// [`HexError`] unless `text` is the right number of hex digits.
            pub fn parse_hex(text: &str) -> Result<Self, HexError> {
                from_hex($field, text).map(Self)
            }

            #[must_use]
            pub fn to_hex(&self) -> String {
                to_hex(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(formatter, "{}({})", stringify!($name), self.to_hex())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.to_hex())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = String::deserialize(deserializer)?;
                Self::parse_hex(&text).map_err(serde::de::Error::custom)
            }
        }
    };
}

hex_bytes!(
    /// A member's Ed25519 signing public key (32 bytes). Whether the bytes are a usable key is
    /// checked where signatures are verified.
    SigningPublicKey,
    32,
    "signing_key"
);
hex_bytes!(
    /// An Ed25519 signature (64 bytes) over a version's signing bytes.
    ChainSignature,
    64,
    "signature"
);

/// One member of the team as a version lists them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChainMember {
    pub id: TeamMemberId,
    pub display_name: DisplayName,
    /// The key reports are encrypted to.
    pub recipient: AgeRecipient,
    /// The key this member signs the next versions with.
    pub signing_key: SigningPublicKey,
    pub added_at: UnixMillis,
}

/// The change a version records, naming whom it is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum ChainChange {
    /// Version 1: the team is founded; `member` is the founder, who signs it.
    Founding { member: TeamMemberId },
    /// `member` joins; everyone else is unchanged.
    AddMember { member: TeamMemberId },
    /// `member` leaves; everyone else is unchanged.
    RemoveMember { member: TeamMemberId },
    /// `member` lost their phone and registered again: their keys may be new, their id and
    /// name are kept, everyone else is unchanged.
    ReRegister { member: TeamMemberId },
}

impl ChainChange {
    /// Whom the change is about.
    #[must_use]
    pub fn member(&self) -> &TeamMemberId {
        match self {
            Self::Founding { member }
            | Self::AddMember { member }
            | Self::RemoveMember { member }
            | Self::ReRegister { member } => member,
        }
    }

    /// Its tag in the signing bytes.
    fn tag(&self) -> u8 {
        match self {
            Self::Founding { .. } => 1,
            Self::AddMember { .. } => 2,
            Self::RemoveMember { .. } => 3,
            Self::ReRegister { .. } => 4,
        }
    }
}

/// Why a version's fields were refused (reading it, or making it).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainVersionError {
    #[error("version numbers start at 1")]
    ZeroNumber,
    #[error("version 1 has no previous version; version {number} must name one")]
    PreviousHash { number: u64 },
    #[error("only version 1 records the founding, and version 1 records nothing else")]
    Founding,
    #[error("a version lists at least one member")]
    NoMembers,
    #[error("a version lists at most {MAX_MEMBERS} members; this lists {count}")]
    TooManyMembers { count: usize },
    #[error("member `{member}` is listed twice")]
    DuplicateMember { member: TeamMemberId },
    #[error("two members have the same {key} key")]
    DuplicateKey { key: &'static str },
    #[error("the founder `{member}` must be listed and sign version 1")]
    Founder { member: TeamMemberId },
}

/// One version of the chain, checked in itself (not yet against the previous version, nor its
/// signature). Members are kept in ascending order of id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "ChainVersionFields")]
pub struct ChainVersion {
    school: SchoolId,
    number: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    previous: Option<Sha256Digest>,
    change: ChainChange,
    signer: TeamMemberId,
    members: Vec<ChainMember>,
}

/// A [`ChainVersion`]'s fields as read, before their checks.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ChainVersionFields {
    school: SchoolId,
    number: u64,
    #[serde(default)]
    previous: Option<Sha256Digest>,
    change: ChainChange,
    signer: TeamMemberId,
    members: Vec<ChainMember>,
}

impl TryFrom<ChainVersionFields> for ChainVersion {
    type Error = ChainVersionError;

    fn try_from(fields: ChainVersionFields) -> Result<Self, Self::Error> {
        Self::new(
            fields.school,
            fields.number,
            fields.previous,
            fields.change,
            fields.signer,
            fields.members,
        )
    }
}

/// A version and its signature, as stored and relayed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignedVersion {
    pub version: ChainVersion,
    pub signature: ChainSignature,
}

/// Why a version does not follow from the previous one by the change it records.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChangeError {
    #[error("`{member}` is added but was already a member")]
    AlreadyMember { member: TeamMemberId },
    #[error("`{member}` is removed or re-registered but was not a member")]
    NotMember { member: TeamMemberId },
    #[error("the members changed in a way the recorded change does not say")]
    UnrecordedChange,
}

/// A change to make, with what the next version needs to know: the new member's entry, or the
/// re-registered member's entry with their new keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MemberChange {
    Add(ChainMember),
    Remove(TeamMemberId),
    ReRegister(ChainMember),
}

/// Why the next version could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NextVersionError {
    #[error(transparent)]
    Version(#[from] ChainVersionError),
    #[error(transparent)]
    Change(#[from] ChangeError),
}

impl ChainVersion {
    /// The version after this one (whose signing bytes hash to `hash`) with `change` made,
    /// to be signed by `signer`.
    ///
    /// # Errors
    /// [`NextVersionError`] for a change that cannot be made (adding a member twice, removing
    /// the last one or someone who is not a member).
    pub fn next(
        &self,
        hash: Sha256Digest,
        change: MemberChange,
        signer: TeamMemberId,
    ) -> Result<Self, NextVersionError> {
        let mut members = self.members.clone();
        let recorded = match change {
            MemberChange::Add(member) => {
                let recorded = ChainChange::AddMember {
                    member: member.id.clone(),
                };
                members.push(member);
                recorded
            }
            MemberChange::Remove(member) => {
                members.retain(|listed| listed.id != member);
                ChainChange::RemoveMember { member }
            }
            MemberChange::ReRegister(member) => {
                let recorded = ChainChange::ReRegister {
                    member: member.id.clone(),
                };
                members.retain(|listed| listed.id != member.id);
                members.push(member);
                recorded
            }
        };
        let next = Self::new(
            self.school.clone(),
            self.number.saturating_add(1),
            Some(hash),
            recorded,
            signer,
            members,
        )?;
        next.check_change(self)?;
        Ok(next)
    }

    /// A version from its fields, with members put in order of id.
    ///
    /// # Errors
    /// [`ChainVersionError`] for a version that cannot exist whatever came before it.
    pub fn new(
        school: SchoolId,
        number: u64,
        previous: Option<Sha256Digest>,
        change: ChainChange,
        signer: TeamMemberId,
        mut members: Vec<ChainMember>,
    ) -> Result<Self, ChainVersionError> {
        if number == 0 {
            return Err(ChainVersionError::ZeroNumber);
        }
        if (number == 1) != previous.is_none() {
            return Err(ChainVersionError::PreviousHash { number });
        }
        let founding = matches!(change, ChainChange::Founding { .. });
        if founding != (number == 1) {
            return Err(ChainVersionError::Founding);
        }
        if members.is_empty() {
            return Err(ChainVersionError::NoMembers);
        }
        if members.len() > MAX_MEMBERS {
            return Err(ChainVersionError::TooManyMembers {
                count: members.len(),
            });
        }
        members.sort_by(|first, second| first.id.cmp(&second.id));
        if let Some(pair) = members.windows(2).find(|pair| pair[0].id == pair[1].id) {
            return Err(ChainVersionError::DuplicateMember {
                member: pair[0].id.clone(),
            });
        }
        let recipients: BTreeSet<&AgeRecipient> =
            members.iter().map(|member| &member.recipient).collect();
        if recipients.len() != members.len() {
            return Err(ChainVersionError::DuplicateKey { key: "age" });
        }
        let signing_keys: BTreeSet<&[u8; 32]> = members
            .iter()
            .map(|member| member.signing_key.as_bytes())
            .collect();
        if signing_keys.len() != members.len() {
            return Err(ChainVersionError::DuplicateKey { key: "signing" });
        }
        if founding
            && (&signer != change.member() || !members.iter().any(|member| member.id == signer))
        {
            return Err(ChainVersionError::Founder {
                member: change.member().clone(),
            });
        }
        Ok(Self {
            school,
            number,
            previous,
            change,
            signer,
            members,
        })
    }

    #[must_use]
    pub fn school(&self) -> &SchoolId {
        &self.school
    }

    #[must_use]
    pub fn number(&self) -> u64 {
        self.number
    }

    /// The hash of the previous version's signing bytes; `None` for version 1.
    #[must_use]
    pub fn previous(&self) -> Option<&Sha256Digest> {
        self.previous.as_ref()
    }

    #[must_use]
    pub fn change(&self) -> &ChainChange {
        &self.change
    }

    /// Who signed this version: a member of the previous one (of this one, for version 1).
    #[must_use]
    pub fn signer(&self) -> &TeamMemberId {
        &self.signer
    }

    /// The members, in ascending order of id.
    #[must_use]
    pub fn members(&self) -> &[ChainMember] {
        &self.members
    }

    /// The member with this id, if listed.
    #[must_use]
    pub fn member(&self, id: &TeamMemberId) -> Option<&ChainMember> {
        self.members.iter().find(|member| &member.id == id)
    }

    /// The recipients every report must be encrypted to.
    pub fn recipients(&self) -> impl Iterator<Item = &AgeRecipient> {
        self.members.iter().map(|member| &member.recipient)
    }

    /// The bytes that are signed and hashed (see the module documentation).
    #[must_use]
    pub fn signing_bytes(&self) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(256 + 200 * self.members.len());
        bytes.extend_from_slice(SIGNING_PREFIX);
        push_text(&mut bytes, self.school.as_str());
        bytes.extend_from_slice(&self.number.to_be_bytes());
        match &self.previous {
            None => bytes.push(0),
            Some(previous) => {
                bytes.push(1);
                bytes.extend_from_slice(previous.as_bytes());
            }
        }
        bytes.push(self.change.tag());
        push_text(&mut bytes, self.change.member().as_str());
        push_text(&mut bytes, self.signer.as_str());
        push_length(&mut bytes, self.members.len());
        for member in &self.members {
            push_text(&mut bytes, member.id.as_str());
            push_text(&mut bytes, member.display_name.as_str());
            push_text(&mut bytes, member.recipient.as_str());
            bytes.extend_from_slice(member.signing_key.as_bytes());
            bytes.extend_from_slice(&member.added_at.0.to_be_bytes());
        }
        bytes
    }

    /// Checks that this version's members are `previous`'s changed exactly as its change
    /// says. Numbers, school, hash link and signer are the verifier's to check.
    ///
    /// # Errors
    /// [`ChangeError`] naming what does not match.
    pub fn check_change(&self, previous: &ChainVersion) -> Result<(), ChangeError> {
        let member = self.change.member();
        // Everyone but the member the change names is listed exactly as before.
        let others_unchanged = |after: &[ChainMember], before: &[ChainMember]| {
            let others = |members: &'_ [ChainMember]| -> Vec<ChainMember> {
                members
                    .iter()
                    .filter(|listed| &listed.id != member)
                    .cloned()
                    .collect()
            };
            others(after) == others(before)
        };
        let was_member = previous.member(member);
        let is_member = self.member(member);
        match &self.change {
            ChainChange::Founding { .. } => Err(ChangeError::UnrecordedChange),
            ChainChange::AddMember { .. } => match (was_member, is_member) {
                (Some(_), _) => Err(ChangeError::AlreadyMember {
                    member: member.clone(),
                }),
                (None, None) => Err(ChangeError::UnrecordedChange),
                (None, Some(_)) => others_unchanged(&self.members, &previous.members)
                    .then_some(())
                    .ok_or(ChangeError::UnrecordedChange),
            },
            ChainChange::RemoveMember { .. } => match (was_member, is_member) {
                (None, _) => Err(ChangeError::NotMember {
                    member: member.clone(),
                }),
                (Some(_), Some(_)) => Err(ChangeError::UnrecordedChange),
                (Some(_), None) => others_unchanged(&self.members, &previous.members)
                    .then_some(())
                    .ok_or(ChangeError::UnrecordedChange),
            },
            ChainChange::ReRegister { .. } => match (was_member, is_member) {
                (Some(before), Some(after)) => (before.display_name == after.display_name
                    && others_unchanged(&self.members, &previous.members))
                .then_some(())
                .ok_or(ChangeError::UnrecordedChange),
                _ => Err(ChangeError::NotMember {
                    member: member.clone(),
                }),
            },
        }
    }
}

/// Appends a length as a u32, big-endian. Lengths here are bounded far below 4 GiB (names,
/// ids, keys and at most [`MAX_MEMBERS`] members).
fn push_length(bytes: &mut Vec<u8>, length: usize) {
    let length = u32::try_from(length).unwrap_or(u32::MAX);
    bytes.extend_from_slice(&length.to_be_bytes());
}

fn push_text(bytes: &mut Vec<u8>, text: &str) {
    push_length(bytes, text.len());
    bytes.extend_from_slice(text.as_bytes());
}

/// The two public keys a new member's device makes and shows the member who adds them (as
/// text and as a QR code): `<age recipient>:<signing key in hex>`. The adding member types or
/// scans it, so the server never carries it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberKeys {
    pub recipient: AgeRecipient,
    pub signing_key: SigningPublicKey,
}

/// Why a text is not [`MemberKeys`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MemberKeysError {
    #[error("the text is not `<age1… key>:<64 hex digits>`")]
    Shape,
    #[error("the first part is not an age public key (age1…, 62 characters)")]
    Recipient,
    #[error("the second part is not 64 hex digits")]
    SigningKey,
}

impl MemberKeys {
    /// The text the new member's device shows.
    #[must_use]
    pub fn to_text(&self) -> String {
        format!("{}:{}", self.recipient.as_str(), self.signing_key.to_hex())
    }

    /// Reads [`MemberKeys::to_text`]'s form; spaces and line breaks around or inside (as
    /// typed from a screen, or wrapped) are ignored.
    ///
    /// # Errors
    /// [`MemberKeysError`] naming the part that is wrong.
    pub fn parse(text: &str) -> Result<Self, MemberKeysError> {
        let text: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        let (recipient, signing_key) = text.split_once(':').ok_or(MemberKeysError::Shape)?;
        Ok(Self {
            recipient: AgeRecipient::try_from(recipient.to_ascii_lowercase())
                .map_err(|_| MemberKeysError::Recipient)?,
            signing_key: SigningPublicKey::parse_hex(signing_key)
                .map_err(|_| MemberKeysError::SigningKey)?,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly on purpose")]

    use super::*;

    const KEYS: [&str; 3] = [
        "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p",
        "age1zfvumjve930vy9vcg0xz8250ut8q4059mjt8rtj4uuxk063ugcsq34z9er",
        "age1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq",
    ];

    fn member(index: u8) -> ChainMember {
        ChainMember {
            id: TeamMemberId::new_v7(UnixMillis(1_764_230_400_000), [index; 10]),
            display_name: DisplayName::parse(&format!("Члан {index}")).unwrap(),
            recipient: AgeRecipient::parse(KEYS[usize::from(index)]).unwrap(),
            signing_key: SigningPublicKey::from_bytes([index; 32]),
            added_at: UnixMillis(1_764_230_400_000 + u64::from(index)),
        }
    }

    fn school() -> SchoolId {
        SchoolId::new_v7(UnixMillis(1), [9; 10])
    }

    fn founding(members: Vec<ChainMember>) -> Result<ChainVersion, ChainVersionError> {
        let founder = members[0].id.clone();
        ChainVersion::new(
            school(),
            1,
            None,
            ChainChange::Founding {
                member: founder.clone(),
            },
            founder,
            members,
        )
    }

    #[test]
    fn a_version_lists_each_member_and_key_once_and_at_least_one() {
        assert!(founding(vec![member(0), member(1)]).is_ok());
        assert_eq!(
            founding(vec![member(0), member(0)]),
            Err(ChainVersionError::DuplicateMember {
                member: member(0).id
            })
        );
        let mut same_key = member(1);
        same_key.recipient = member(0).recipient;
        assert_eq!(
            founding(vec![member(0), same_key]),
            Err(ChainVersionError::DuplicateKey { key: "age" })
        );
        let mut same_signing_key = member(1);
        same_signing_key.signing_key = member(0).signing_key;
        assert_eq!(
            founding(vec![member(0), same_signing_key]),
            Err(ChainVersionError::DuplicateKey { key: "signing" })
        );
        let founder = member(0).id;
        assert_eq!(
            ChainVersion::new(
                school(),
                1,
                None,
                ChainChange::Founding {
                    member: founder.clone()
                },
                founder,
                vec![]
            ),
            Err(ChainVersionError::NoMembers)
        );
    }

    #[test]
    fn number_previous_hash_and_founding_agree() {
        let first = member(0).id;
        let make = |number, previous, change| {
            ChainVersion::new(
                school(),
                number,
                previous,
                change,
                first.clone(),
                vec![member(0)],
            )
        };
        let founding = ChainChange::Founding {
            member: first.clone(),
        };
        let removal = ChainChange::RemoveMember {
            member: member(1).id,
        };
        let hash = Some(Sha256Digest::from_bytes([1; 32]));
        assert_eq!(
            make(0, None, founding.clone()),
            Err(ChainVersionError::ZeroNumber)
        );
        assert_eq!(
            make(1, hash, founding.clone()),
            Err(ChainVersionError::PreviousHash { number: 1 })
        );
        assert_eq!(
            make(2, None, removal.clone()),
            Err(ChainVersionError::PreviousHash { number: 2 })
        );
        assert_eq!(make(2, hash, founding), Err(ChainVersionError::Founding));
        assert_eq!(make(1, None, removal), Err(ChainVersionError::Founding));
        let stranger = ChainVersion::new(
            school(),
            1,
            None,
            ChainChange::Founding {
                member: member(1).id,
            },
            member(1).id,
            vec![member(0)],
        );
        assert_eq!(
            stranger,
            Err(ChainVersionError::Founder {
                member: member(1).id
            })
        );
    }

    #[test]
    fn the_signing_bytes_do_not_depend_on_member_order() {
        let forward = founding(vec![member(0), member(1)]).unwrap();
        let founder = member(0).id;
        let mut backward = ChainVersion::new(
            school(),
            1,
            None,
            ChainChange::Founding {
                member: founder.clone(),
            },
            founder,
            vec![member(1), member(0)],
        )
        .unwrap();
        assert_eq!(forward.signing_bytes(), backward.signing_bytes());
        assert!(forward.signing_bytes().starts_with(SIGNING_PREFIX));
        backward.members[0].display_name = DisplayName::parse("Друго име").unwrap();
        assert_ne!(forward.signing_bytes(), backward.signing_bytes());
    }

    #[test]
    fn a_change_must_be_exactly_what_the_members_show() {
        let previous = founding(vec![member(0), member(1)]).unwrap();
        let hash = Some(Sha256Digest::from_bytes([7; 32]));
        let next = |change, members| {
            ChainVersion::new(school(), 2, hash, change, member(0).id, members).unwrap()
        };
        let add = |index: u8| ChainChange::AddMember {
            member: member(index).id,
        };
        let remove = |index: u8| ChainChange::RemoveMember {
            member: member(index).id,
        };
        let all = vec![member(0), member(1), member(2)];
        assert_eq!(next(add(2), all.clone()).check_change(&previous), Ok(()));
        assert_eq!(
            next(add(1), all.clone()).check_change(&previous),
            Err(ChangeError::AlreadyMember {
                member: member(1).id
            })
        );
        assert_eq!(
            next(add(2), vec![member(0), member(2)]).check_change(&previous),
            Err(ChangeError::UnrecordedChange),
            "an addition that also drops a member"
        );
        assert_eq!(
            next(remove(1), vec![member(0)]).check_change(&previous),
            Ok(())
        );
        assert_eq!(
            next(remove(2), vec![member(0)]).check_change(&previous),
            Err(ChangeError::NotMember {
                member: member(2).id
            })
        );
        let mut new_keys = member(1);
        new_keys.recipient = member(2).recipient;
        new_keys.signing_key = SigningPublicKey::from_bytes([42; 32]);
        let reregister = ChainChange::ReRegister {
            member: member(1).id,
        };
        assert_eq!(
            next(reregister.clone(), vec![member(0), new_keys.clone()]).check_change(&previous),
            Ok(())
        );
        let mut other_changed = member(0);
        other_changed.signing_key = SigningPublicKey::from_bytes([43; 32]);
        assert_eq!(
            next(reregister, vec![other_changed, new_keys]).check_change(&previous),
            Err(ChangeError::UnrecordedChange),
            "a re-registration that also swaps someone else's key"
        );
    }

    #[test]
    fn hex_fields_read_back_and_refuse_wrong_lengths() {
        let key = SigningPublicKey::from_bytes([0xab; 32]);
        assert_eq!(SigningPublicKey::parse_hex(&key.to_hex()), Ok(key));
        assert_eq!(
            SigningPublicKey::parse_hex(&"AB".repeat(32)),
            Ok(key),
            "either case"
        );
        assert!(SigningPublicKey::parse_hex(&"ab".repeat(31)).is_err());
        assert!(ChainSignature::parse_hex(&"zz".repeat(64)).is_err());
        assert!(ChainSignature::parse_hex(&format!("{}é", "a".repeat(126))).is_err());
    }

    #[test]
    fn member_keys_read_back_from_their_text_even_wrapped() {
        let keys = MemberKeys {
            recipient: AgeRecipient::try_from(
                "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p".to_owned(),
            )
            .unwrap(),
            signing_key: SigningPublicKey::from_bytes([0x5a; 32]),
        };
        let text = keys.to_text();
        assert_eq!(
            text,
            format!("{}:{}", keys.recipient.as_str(), "5a".repeat(32))
        );
        assert_eq!(MemberKeys::parse(&text), Ok(keys.clone()));
        let wrapped = format!(" {}\n{} ", &text[..40], &text[40..]);
        assert_eq!(MemberKeys::parse(&wrapped), Ok(keys.clone()));
        assert_eq!(
            MemberKeys::parse(keys.recipient.as_str()),
            Err(MemberKeysError::Shape)
        );
        assert_eq!(
            MemberKeys::parse(&format!("age1xyz:{}", "5a".repeat(32))),
            Err(MemberKeysError::Recipient)
        );
        assert_eq!(
            MemberKeys::parse(&format!("{}:{}", keys.recipient.as_str(), "5a".repeat(31))),
            Err(MemberKeysError::SigningKey)
        );
    }
}
