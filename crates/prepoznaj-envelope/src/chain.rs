//! The team's key chain signed and verified (the versions and their bytes are
//! `prepoznaj_domain::team_chain`'s): each version is the SHA-256 of the previous version's
//! signing bytes, Ed25519-signed (`verify_strict`) by a member of the previous version.
//!
//! [`verify_chain`] is the one door to a [`VerifiedVersion`]: a phone trusts a key set only if
//! it verifies from the version the phone has pinned (or, with no pin, from version 1), and
//! only an extension of the pinned version is accepted. Everything else is refused with a
//! named [`ChainError`]; the caller keeps its pinned version and says so.

use prepoznaj_domain::protocol::{KeySet, SchoolId, Sha256Digest, TeamMember, TeamMemberId};
use prepoznaj_domain::team_chain::{
    ChainChange, ChainMember, ChainVersion, ChainVersionError, ChangeError, MemberChange,
    NextVersionError, SignedVersion,
};

use crate::digest::{key_fingerprint, sha256};
use crate::signing::ChainSigningKey;

/// Why a chain was refused, naming the first version at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainError {
    #[error("the chain has no versions")]
    Empty,
    #[error("version {number} is another school's")]
    WrongSchool { number: u64 },
    #[error("version {number}'s signature does not verify: forged or altered")]
    BadSignature { number: u64 },
    #[error("version {number} is signed by `{signer}`, not a member of the version before it")]
    SignerNotMember { number: u64, signer: TeamMemberId },
    #[error("the chain ends at version {offered}, older than the verified version {pinned}")]
    Rollback { pinned: u64, offered: u64 },
    #[error("version {number} differs from the version {number} already verified")]
    Fork { number: u64 },
    #[error("version {number}, already verified, is offered again after later ones")]
    Replay { number: u64 },
    #[error("version {found} comes before version {expected}")]
    Reordered { expected: u64, found: u64 },
    #[error("version {expected} is missing: the chain jumps to version {found}")]
    Truncated { expected: u64, found: u64 },
    #[error("version {number} does not name the hash of the version before it")]
    BrokenLink { number: u64 },
    #[error("version {number} records a change its members do not show: {source}")]
    Change { number: u64, source: ChangeError },
    #[error("version {number} lists a signing key that is not a usable ed25519 key")]
    Malformed { number: u64 },
    #[error("no version of the chain has the hash this phone was given")]
    UnknownPin,
}

/// A version this device verified (or restored from its own storage), with its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedVersion {
    signed: SignedVersion,
    hash: Sha256Digest,
}

impl VerifiedVersion {
    /// A version this device verified earlier and kept in its own storage. Never for a
    /// version that came from the network: that goes through [`verify_chain`].
    #[must_use]
    pub fn restore_own(signed: SignedVersion) -> Self {
        let hash = version_hash(&signed.version);
        Self { signed, hash }
    }

    #[must_use]
    pub fn version(&self) -> &ChainVersion {
        &self.signed.version
    }

    /// The version with its signature, to store or relay.
    #[must_use]
    pub fn signed(&self) -> &SignedVersion {
        &self.signed
    }

    /// The SHA-256 of its signing bytes: what the next version links to and what an
    /// enrolment link pins.
    #[must_use]
    pub fn hash(&self) -> Sha256Digest {
        self.hash
    }

    #[must_use]
    pub fn number(&self) -> u64 {
        self.signed.version.number()
    }

    #[must_use]
    pub fn school(&self) -> &SchoolId {
        self.signed.version.school()
    }

    /// The key set reports are sealed to: this version's members, numbered as the version,
    /// with fingerprints computed here from the keys.
    #[must_use]
    pub fn key_set(&self) -> KeySet {
        KeySet {
            version: self.number(),
            keys: self
                .version()
                .members()
                .iter()
                .map(|member| TeamMember {
                    id: member.id.clone(),
                    display_name: member.display_name.clone(),
                    fingerprint: key_fingerprint(&member.recipient),
                    public_key: member.recipient.clone(),
                    added_at: member.added_at,
                    removed_at: None,
                })
                .collect(),
        }
    }
}

/// The SHA-256 of a version's signing bytes.
#[must_use]
pub fn version_hash(version: &ChainVersion) -> Sha256Digest {
    sha256(&version.signing_bytes())
}

/// Why a version could not be made and signed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignError {
    #[error("the signing key is not listed for any member who may sign this version")]
    NotAMember,
    #[error(transparent)]
    Version(#[from] ChainVersionError),
    #[error(transparent)]
    Next(#[from] NextVersionError),
    #[error("the signed version would not verify: {0}")]
    WouldNotVerify(#[from] ChainError),
}

/// The member of `members` whose signing key `signer_key` is.
fn signer_in<'a>(
    members: &'a [ChainMember],
    signer_key: &ChainSigningKey,
) -> Result<&'a TeamMemberId, SignError> {
    let public_key = signer_key.public_key();
    members
        .iter()
        .find(|member| member.signing_key == public_key)
        .map(|member| &member.id)
        .ok_or(SignError::NotAMember)
}

/// Version 1 of a school's chain, listing `members` (the founder alone, at set-up) and signed
/// by the founder, whose signing key `founder_key` is.
///
/// # Errors
/// [`SignError`] when the key is not a listed member's, or the members cannot be a version.
pub fn found_chain(
    school: SchoolId,
    members: Vec<ChainMember>,
    founder_key: &ChainSigningKey,
) -> Result<VerifiedVersion, SignError> {
    let founder = signer_in(&members, founder_key)?.clone();
    let version = ChainVersion::new(
        school,
        1,
        None,
        ChainChange::Founding {
            member: founder.clone(),
        },
        founder,
        members,
    )?;
    sign_and_check(None, version, founder_key)
}

/// The version after `previous` with `change` made, signed by `signer_key`, which must be the
/// signing key of a member of `previous`.
///
/// # Errors
/// [`SignError`] when the key is not a member's or the change cannot be made.
pub fn sign_next_version(
    previous: &VerifiedVersion,
    change: MemberChange,
    signer_key: &ChainSigningKey,
) -> Result<VerifiedVersion, SignError> {
    let signer = signer_in(previous.version().members(), signer_key)?.clone();
    let version = previous.version().next(previous.hash(), change, signer)?;
    sign_and_check(Some(previous), version, signer_key)
}

/// Signs `version` and verifies it as the next after `previous`, so a device never hands out
/// a version other phones would refuse.
fn sign_and_check(
    previous: Option<&VerifiedVersion>,
    version: ChainVersion,
    signer_key: &ChainSigningKey,
) -> Result<VerifiedVersion, SignError> {
    Ok(verify_next(previous, &signer_key.sign_version(version))?)
}

/// Verifies `versions`, in order, from `pinned` (from version 1 when `None`) and returns the
/// last version: `pinned` itself if the chain adds nothing after it.
///
/// `versions` may start anywhere at or before the version after `pinned` (a server may send
/// the whole chain): versions older than the pin are the ones this device verified before it
/// pinned and are passed over; the pinned number must carry the pinned hash.
///
/// # Errors
/// [`ChainError`] naming the first version at fault; nothing after it is trusted.
pub fn verify_chain(
    pinned: Option<&VerifiedVersion>,
    versions: &[SignedVersion],
) -> Result<VerifiedVersion, ChainError> {
    let last = versions.last().ok_or(ChainError::Empty)?;
    let mut current = pinned.cloned();
    // Whether `current` was verified in this call (true from the start without a pin).
    let mut past_pin = pinned.is_none();
    let mut verified_hashes: Vec<Sha256Digest> = pinned.iter().map(|pin| pin.hash()).collect();
    for (index, signed) in versions.iter().enumerate() {
        let version = &signed.version;
        let number = version.number();
        let expected = current
            .as_ref()
            .map_or(1, |current| current.number().saturating_add(1));
        if let Some(current) = &current
            && version.school() != current.school()
        {
            return Err(ChainError::WrongSchool { number });
        }
        if number > expected {
            let later = &versions[index + 1..];
            return Err(
                if later.iter().any(|other| other.version.number() == expected) {
                    ChainError::Reordered {
                        expected,
                        found: number,
                    }
                } else {
                    ChainError::Truncated {
                        expected,
                        found: number,
                    }
                },
            );
        }
        if number < expected {
            let hash = version_hash(version);
            match pinned {
                Some(pin) if !past_pin && number < pin.number() => {}
                Some(pin) if !past_pin && hash == pin.hash() => {}
                _ if verified_hashes.contains(&hash) => return Err(ChainError::Replay { number }),
                Some(pin) if number < pin.number() => return Err(ChainError::Replay { number }),
                _ => return Err(ChainError::Fork { number }),
            }
            continue;
        }
        let next = verify_next(current.as_ref(), signed).map_err(|error| match error {
            ChainError::BrokenLink { number } if !past_pin => {
                ChainError::Fork { number: number - 1 }
            }
            error => error,
        })?;
        verified_hashes.push(next.hash());
        current = Some(next);
        past_pin = true;
    }
    match pinned {
        Some(pinned) if !past_pin && last.version.number() < pinned.number() => {
            Err(ChainError::Rollback {
                pinned: pinned.number(),
                offered: last.version.number(),
            })
        }
        _ => current.ok_or(ChainError::Empty),
    }
}

/// Verifies `versions` from version 1 and requires that one of them has the hash `pinned`
/// (say, from an enrolment link made on a team device that verified it); returns the last.
///
/// # Errors
/// [`ChainError::UnknownPin`] when no version has that hash, or why the chain was refused.
pub fn verify_chain_from_hash(
    pinned: &Sha256Digest,
    versions: &[SignedVersion],
) -> Result<VerifiedVersion, ChainError> {
    let position = versions
        .iter()
        .position(|signed| &version_hash(&signed.version) == pinned)
        .ok_or(ChainError::UnknownPin)?;
    let pin = verify_chain(None, &versions[..=position])?;
    if position + 1 == versions.len() {
        Ok(pin)
    } else {
        verify_chain(Some(&pin), &versions[position + 1..])
    }
}

/// Verifies one version as the one after `previous` (as version 1 when `None`); the caller
/// has checked its number.
fn verify_next(
    previous: Option<&VerifiedVersion>,
    signed: &SignedVersion,
) -> Result<VerifiedVersion, ChainError> {
    let version = &signed.version;
    let number = version.number();
    let signers = match previous {
        None => version,
        Some(previous) => {
            if version.school() != previous.school() {
                return Err(ChainError::WrongSchool { number });
            }
            if version.previous() != Some(&previous.hash()) {
                return Err(ChainError::BrokenLink { number });
            }
            previous.version()
        }
    };
    let signer = signers
        .member(version.signer())
        .ok_or_else(|| ChainError::SignerNotMember {
            number,
            signer: version.signer().clone(),
        })?;
    let malformed = |_| ChainError::Malformed { number };
    let keys = version
        .members()
        .iter()
        .map(|member| ed25519_dalek::VerifyingKey::from_bytes(member.signing_key.as_bytes()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(malformed)?;
    if keys.iter().any(ed25519_dalek::VerifyingKey::is_weak) {
        return Err(ChainError::Malformed { number });
    }
    let signer_key = ed25519_dalek::VerifyingKey::from_bytes(signer.signing_key.as_bytes())
        .map_err(malformed)?;
    let signature = ed25519_dalek::Signature::from_bytes(signed.signature.as_bytes());
    let bytes = version.signing_bytes();
    signer_key
        .verify_strict(&bytes, &signature)
        .map_err(|_| ChainError::BadSignature { number })?;
    if let Some(previous) = previous {
        version
            .check_change(previous.version())
            .map_err(|source| ChainError::Change { number, source })?;
    }
    Ok(VerifiedVersion {
        signed: signed.clone(),
        hash: sha256(&bytes),
    })
}
