//! Which team keys a staff phone seals to. The phone pins the chain version it verified last
//! (at enrolment: the version whose hash the enrolment link carries, or a later one verified
//! from it) and accepts a newer version only if the server's chain verifies from that pin
//! (`prepoznaj_envelope::chain::verify_chain`). Anything else (a rewritten history, a
//! rollback, a fork, a key added without a member's valid signature, an answer it cannot read)
//! is refused with a [`RefusalReason`], and the phone goes on sealing to the pinned version's
//! keys: never to a key set the server merely listed.
//!
//! Pure decisions only: the sender (`super::sender`) applies them to the stored enrolment and
//! says why on every screen; the enrolment page makes the first pin.

use std::collections::BTreeSet;

use prepoznaj_domain::protocol::{AgeRecipient, KeySet};
use prepoznaj_domain::team_chain::SignedVersion;
use prepoznaj_envelope::chain::{ChainError, VerifiedVersion, verify_chain};
use serde::{Deserialize, Serialize};

/// Why the phone refused the team's keys, in the categories the warning names in plain words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefusalReason {
    /// The chain ends before the version this phone verified: an older set of keys.
    Rollback,
    /// The history differs from the one this phone verified: a version changed, replaced,
    /// missing or out of order, another school's, or none that holds the keys it uses.
    Rewritten,
    /// A version is not signed by a member of the version before it (or its signature does
    /// not verify, or it changes more than it says): a key added without the team.
    Unsigned,
    /// The server answered with keys this phone cannot read at all.
    Unreadable,
}

impl From<&ChainError> for RefusalReason {
    fn from(error: &ChainError) -> Self {
        match error {
            ChainError::Rollback { .. } => RefusalReason::Rollback,
            ChainError::BadSignature { .. }
            | ChainError::SignerNotMember { .. }
            | ChainError::Change { .. }
            | ChainError::Malformed { .. } => RefusalReason::Unsigned,
            ChainError::Empty
            | ChainError::WrongSchool { .. }
            | ChainError::Fork { .. }
            | ChainError::Replay { .. }
            | ChainError::Reordered { .. }
            | ChainError::Truncated { .. }
            | ChainError::BrokenLink { .. }
            | ChainError::UnknownPin => RefusalReason::Rewritten,
        }
    }
}

/// What to do with the chain the server sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeysDecision {
    /// It verifies and ends at the pinned version: keep sealing as before.
    Unchanged,
    /// It verifies from the pin to a newer version: pin that one and seal to its keys (those
    /// waiting too).
    Advance(Box<VerifiedVersion>),
    /// It does not verify from the pin: keep the pin and its keys, and warn.
    Refuse(RefusalReason),
}

/// Decides about `chain` for a phone pinned to `pinned`. A phone enrolled before key chains
/// has no pin: it adopts the latest version that lists exactly the keys it already seals to
/// (`sealing_to`; it trusted those before) if the chain verifies from version 1, and goes on
/// from there; a chain with no such version is refused.
#[must_use]
pub fn decide(
    pinned: Option<&SignedVersion>,
    sealing_to: &KeySet,
    chain: &[SignedVersion],
) -> KeysDecision {
    let pin = match pinned {
        Some(pinned) => VerifiedVersion::restore_own(pinned.clone()),
        None => match adopt(sealing_to, chain) {
            Ok(adopted) => adopted,
            Err(reason) => return KeysDecision::Refuse(reason),
        },
    };
    match verify_chain(Some(&pin), chain) {
        Ok(head) if pinned.is_some() && head.hash() == pin.hash() => KeysDecision::Unchanged,
        Ok(head) => KeysDecision::Advance(Box::new(head)),
        Err(error) => KeysDecision::Refuse(RefusalReason::from(&error)),
    }
}

/// The version a phone without a pin adopts: the latest that lists exactly the recipients
/// of `sealing_to`, verified from version 1.
fn adopt(sealing_to: &KeySet, chain: &[SignedVersion]) -> Result<VerifiedVersion, RefusalReason> {
    let known: BTreeSet<&AgeRecipient> = sealing_to.recipients().collect();
    let position = chain
        .iter()
        .rposition(|signed| signed.version.recipients().collect::<BTreeSet<_>>() == known)
        .ok_or(RefusalReason::Rewritten)?;
    verify_chain(None, &chain[..=position]).map_err(|error| RefusalReason::from(&error))
}

/// The keys a phone seals to after `decision`: the newly verified version's, or those it
/// already had. Never a key set the server listed without a verified chain.
#[must_use]
pub fn sealing_key_set(decision: &KeysDecision, sealing_to: &KeySet) -> KeySet {
    match decision {
        KeysDecision::Advance(head) => head.key_set(),
        KeysDecision::Unchanged | KeysDecision::Refuse(_) => sealing_to.clone(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly on purpose")]

    use prepoznaj_domain::observation::UnixMillis;
    use prepoznaj_domain::protocol::{DisplayName, SchoolId, TeamMemberId};
    use prepoznaj_domain::team_chain::{ChainMember, MemberChange};
    use prepoznaj_envelope::chain::{found_chain, sign_next_version};
    use prepoznaj_envelope::identity::TeamIdentity;
    use prepoznaj_envelope::signing::ChainSigningKey;

    use super::*;

    struct Member {
        entry: ChainMember,
        key: ChainSigningKey,
    }

    fn member(seed: u8, name: &str) -> Member {
        let key = ChainSigningKey::from_secret_bytes([seed; 32]);
        Member {
            entry: ChainMember {
                id: TeamMemberId::new_v7(UnixMillis(1_764_230_400_000), [seed; 10]),
                display_name: DisplayName::parse(name).unwrap(),
                recipient: TeamIdentity::generate().recipient(),
                signing_key: key.public_key(),
                added_at: UnixMillis(1_764_230_400_000 + u64::from(seed)),
            },
            key,
        }
    }

    fn school() -> SchoolId {
        SchoolId::parse("0192f3a4-0000-7000-8000-00000000000a").unwrap()
    }

    /// Version 1 (Marija), version 2 (Jovan added by Marija), the members, and the chain.
    fn team() -> (Vec<VerifiedVersion>, Member, Member) {
        let marija = member(1, "Марија");
        let jovan = member(2, "Јован");
        let founding = found_chain(school(), vec![marija.entry.clone()], &marija.key).unwrap();
        let added = sign_next_version(
            &founding,
            MemberChange::Add(jovan.entry.clone()),
            &marija.key,
        )
        .unwrap();
        (vec![founding, added], marija, jovan)
    }

    fn signed(versions: &[VerifiedVersion]) -> Vec<SignedVersion> {
        versions
            .iter()
            .map(|version| version.signed().clone())
            .collect()
    }

    /// The attack of issue 15: the head version with one more recipient and the next number,
    /// its signature left as it was.
    fn with_attacker(head: &VerifiedVersion) -> SignedVersion {
        let attacker = member(9, "Неко");
        let version = head.version();
        let mut members = version.members().to_vec();
        members.push(attacker.entry);
        let forged = prepoznaj_domain::team_chain::ChainVersion::new(
            version.school().clone(),
            version.number() + 1,
            version.previous().copied(),
            version.change().clone(),
            version.signer().clone(),
            members,
        )
        .unwrap();
        SignedVersion {
            version: forged,
            signature: head.signed().signature,
        }
    }

    #[test]
    fn a_chain_that_ends_at_the_pin_changes_nothing() {
        let (versions, _, _) = team();
        let pinned = versions[1].signed();
        let decision = decide(Some(pinned), &versions[1].key_set(), &signed(&versions));
        assert_eq!(decision, KeysDecision::Unchanged);
        assert_eq!(
            sealing_key_set(&decision, &versions[1].key_set()),
            versions[1].key_set()
        );
    }

    #[test]
    fn a_version_signed_by_a_member_of_the_pinned_one_is_sealed_to() {
        let (versions, _, jovan) = team();
        let decision = decide(
            Some(versions[0].signed()),
            &versions[0].key_set(),
            &signed(&versions),
        );
        assert_eq!(
            decision,
            KeysDecision::Advance(Box::new(versions[1].clone()))
        );
        let sealing = sealing_key_set(&decision, &versions[0].key_set());
        assert!(
            sealing
                .recipients()
                .any(|key| *key == jovan.entry.recipient)
        );
    }

    #[test]
    fn an_added_recipient_without_a_members_signature_is_refused_and_never_sealed_to() {
        let (versions, _, _) = team();
        let pinned = &versions[1];
        let mut chain = signed(&versions);
        chain.push(with_attacker(pinned));
        let decision = decide(Some(pinned.signed()), &pinned.key_set(), &chain);
        assert!(matches!(decision, KeysDecision::Refuse(_)), "{decision:?}");
        assert_eq!(
            sealing_key_set(&decision, &pinned.key_set()),
            pinned.key_set()
        );
        // The forged head in place of the real one: a rewritten history.
        let mut replaced = signed(&versions[..1]);
        replaced.push(with_attacker(pinned));
        let decision = decide(Some(pinned.signed()), &pinned.key_set(), &replaced);
        assert_eq!(decision, KeysDecision::Refuse(RefusalReason::Rewritten));
    }

    #[test]
    fn a_version_signed_by_someone_outside_the_team_is_refused() {
        let (versions, _, _) = team();
        let outsider = member(7, "Споља");
        let head = &versions[1];
        let next = head
            .version()
            .next(
                head.hash(),
                MemberChange::Add(member(8, "Странац").entry),
                head.version().members()[0].id.clone(),
            )
            .unwrap();
        let mut chain = signed(&versions);
        // Signed with a key no member of version 2 holds.
        chain.push(outsider.key.sign_version(next));
        let decision = decide(Some(head.signed()), &head.key_set(), &chain);
        assert_eq!(decision, KeysDecision::Refuse(RefusalReason::Unsigned));
    }

    #[test]
    fn a_rollback_to_an_older_version_is_refused() {
        let (versions, _, _) = team();
        let decision = decide(
            Some(versions[1].signed()),
            &versions[1].key_set(),
            &signed(&versions[..1]),
        );
        assert_eq!(decision, KeysDecision::Refuse(RefusalReason::Rollback));
        let empty = decide(Some(versions[1].signed()), &versions[1].key_set(), &[]);
        assert_eq!(empty, KeysDecision::Refuse(RefusalReason::Rewritten));
    }

    #[test]
    fn a_fork_from_the_pinned_version_is_refused() {
        let (versions, marija, _) = team();
        let other = sign_next_version(
            &versions[0],
            MemberChange::Add(member(5, "Друга").entry),
            &marija.key,
        )
        .unwrap();
        let decision = decide(
            Some(versions[1].signed()),
            &versions[1].key_set(),
            &signed(&[versions[0].clone(), other]),
        );
        assert_eq!(decision, KeysDecision::Refuse(RefusalReason::Rewritten));
    }

    #[test]
    fn a_phone_enrolled_before_chains_adopts_the_version_with_its_keys_and_nothing_else() {
        let (versions, _, _) = team();
        let chain = signed(&versions);
        // It sealed to version 1's keys (numbered as the old server numbered them).
        let mut old_key_set = versions[0].key_set();
        old_key_set.version = 7;
        assert_eq!(
            decide(None, &old_key_set, &chain),
            KeysDecision::Advance(Box::new(versions[1].clone()))
        );
        assert_eq!(
            decide(None, &versions[1].key_set(), &chain),
            KeysDecision::Advance(Box::new(versions[1].clone()))
        );
        // Keys no version lists: nothing to start from.
        let mut unknown = versions[0].key_set();
        unknown.keys[0].public_key =
            AgeRecipient::parse("age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p")
                .unwrap();
        assert_eq!(
            decide(None, &unknown, &chain),
            KeysDecision::Refuse(RefusalReason::Rewritten)
        );
    }
}
