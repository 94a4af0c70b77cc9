//! The team's key chain against the attacks it exists for: a server (or anyone between it and
//! a phone) that adds a reader, rolls the team back, forks it, replays, reorders or truncates
//! versions is refused with a named reason; every legitimate history of adds, removals and
//! re-registrations verifies (property-tested).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests fail loudly on purpose"
)]

use prepoznaj_domain::observation::UnixMillis;
use prepoznaj_domain::protocol::{AgeRecipient, DisplayName, SchoolId, Sha256Digest, TeamMemberId};
use prepoznaj_domain::team_chain::{
    ChainChange, ChainMember, ChainSignature, ChainVersion, ChangeError, MemberChange,
    SignedVersion, SigningPublicKey,
};
use prepoznaj_envelope::chain::{
    ChainError, SignError, VerifiedVersion, found_chain, sign_next_version, verify_chain,
    verify_chain_from_hash, version_hash,
};
use prepoznaj_envelope::signing::ChainSigningKey;
use proptest::prelude::*;

const BECH32: &[u8] = b"qpzry9x8gf2tvdw0s3jn54khce6mua7l";

/// A recipient shaped like an age key, different for every `seed` (shape is all the chain
/// checks; sealing is tested elsewhere).
fn recipient(seed: u32) -> AgeRecipient {
    let data: String = (0..58)
        .map(|index| {
            let digit = if index < 7 {
                (seed >> (5 * index)) & 31
            } else {
                0
            };
            char::from(BECH32[digit as usize])
        })
        .collect();
    AgeRecipient::parse(&format!("age1{data}")).unwrap()
}

fn key(seed: u32) -> ChainSigningKey {
    let mut secret = [0x5a; 32];
    secret[..4].copy_from_slice(&seed.to_be_bytes());
    ChainSigningKey::from_secret_bytes(secret)
}

fn member_id(seed: u32) -> TeamMemberId {
    let mut random = [0; 10];
    random[..4].copy_from_slice(&seed.to_be_bytes());
    TeamMemberId::new_v7(UnixMillis(1_764_230_400_000), random)
}

/// Member `seed` with keys of generation `keys` (a re-registration makes new ones).
fn member_with_keys(seed: u32, keys: u32) -> ChainMember {
    ChainMember {
        id: member_id(seed),
        display_name: DisplayName::parse(&format!("Члан {seed}")).unwrap(),
        recipient: recipient(seed * 1000 + keys),
        signing_key: key(seed * 1000 + keys).public_key(),
        added_at: UnixMillis(1_764_230_400_000 + u64::from(seed)),
    }
}

fn member(seed: u32) -> ChainMember {
    member_with_keys(seed, 0)
}

fn school() -> SchoolId {
    SchoolId::parse("0192f3a4-0000-7000-8000-00000000000a").unwrap()
}

fn other_school() -> SchoolId {
    SchoolId::parse("0192f3a4-0000-7000-8000-00000000000f").unwrap()
}

fn signed(versions: &[VerifiedVersion]) -> Vec<SignedVersion> {
    versions
        .iter()
        .map(|version| version.signed().clone())
        .collect()
}

/// Member 1 founds the team, adds 2 and 3, then 2 removes 1:
/// v1 {1}, v2 {1, 2}, v3 {1, 2, 3}, v4 {2, 3}.
fn history() -> Vec<VerifiedVersion> {
    let v1 = found_chain(school(), vec![member(1)], &key(1000)).unwrap();
    let v2 = sign_next_version(&v1, MemberChange::Add(member(2)), &key(1000)).unwrap();
    let v3 = sign_next_version(&v2, MemberChange::Add(member(3)), &key(2000)).unwrap();
    let v4 = sign_next_version(&v3, MemberChange::Remove(member_id(1)), &key(2000)).unwrap();
    vec![v1, v2, v3, v4]
}

/// A version made by hand, to be signed with any key: the attacks below are edits of it.
struct Forgery {
    school: SchoolId,
    number: u64,
    previous: Option<Sha256Digest>,
    change: ChainChange,
    signer: TeamMemberId,
    members: Vec<ChainMember>,
}

impl Forgery {
    /// The version after `previous` adding `newcomer`, in `signer`'s name.
    fn adding(previous: &VerifiedVersion, newcomer: ChainMember, signer: u32) -> Self {
        let mut members = previous.version().members().to_vec();
        let change = ChainChange::AddMember {
            member: newcomer.id.clone(),
        };
        members.push(newcomer);
        Self {
            school: previous.school().clone(),
            number: previous.number() + 1,
            previous: Some(previous.hash()),
            change,
            signer: member_id(signer),
            members,
        }
    }

    fn version(self) -> ChainVersion {
        ChainVersion::new(
            self.school,
            self.number,
            self.previous,
            self.change,
            self.signer,
            self.members,
        )
        .unwrap()
    }

    fn signed_with(self, key: &ChainSigningKey) -> SignedVersion {
        key.sign_version(self.version())
    }
}

#[test]
fn a_legitimate_history_verifies_from_nothing_and_from_every_pin() {
    let history = history();
    let chain = signed(&history);
    let last = verify_chain(None, &chain).unwrap();
    assert_eq!(last, history[3]);
    assert_eq!(last.version().members(), &[member(2), member(3)]);
    for pin in &history {
        assert_eq!(verify_chain(Some(pin), &chain).unwrap(), history[3]);
        let after_pin = &chain[usize::try_from(pin.number()).unwrap()..];
        if !after_pin.is_empty() {
            assert_eq!(verify_chain(Some(pin), after_pin).unwrap(), history[3]);
        }
    }
    assert_eq!(
        verify_chain(Some(&history[3]), &chain[3..]).unwrap(),
        history[3],
        "the pinned version alone: nothing new"
    );
}

#[test]
fn an_altered_version_is_refused_as_forged() {
    let history = history();
    let mut chain = signed(&history);
    // The server adds its own reader to version 3 and keeps the signature.
    let mut altered = Forgery::adding(&history[1], member(3), 2);
    altered.members.push(member(66));
    chain[2].version = altered.version();
    assert_eq!(
        verify_chain(None, &chain[..3]),
        Err(ChainError::BadSignature { number: 3 })
    );
}

#[test]
fn a_signature_by_another_key_in_a_members_name_is_refused_as_forged() {
    let history = history();
    let forged = Forgery::adding(&history[3], member(66), 2).signed_with(&key(66_000));
    let mut chain = signed(&history);
    chain.push(forged.clone());
    assert_eq!(
        verify_chain(None, &chain),
        Err(ChainError::BadSignature { number: 5 })
    );
    assert_eq!(
        verify_chain(Some(&history[3]), std::slice::from_ref(&forged)),
        Err(ChainError::BadSignature { number: 5 })
    );
    let mut flipped = signed(&history);
    let mut signature = *flipped[1].signature.as_bytes();
    signature[10] ^= 1;
    flipped[1].signature = ChainSignature::from_bytes(signature);
    assert_eq!(
        verify_chain(None, &flipped),
        Err(ChainError::BadSignature { number: 2 })
    );
}

#[test]
fn a_version_signed_by_a_non_member_is_refused() {
    let history = history();
    let by_stranger = Forgery::adding(&history[3], member(66), 66).signed_with(&key(66_000));
    assert_eq!(
        verify_chain(Some(&history[3]), &[by_stranger]),
        Err(ChainError::SignerNotMember {
            number: 5,
            signer: member_id(66)
        })
    );
    assert_eq!(
        sign_next_version(&history[3], MemberChange::Add(member(66)), &key(66_000)),
        Err(SignError::NotAMember)
    );
}

#[test]
fn a_version_signed_by_a_removed_member_is_refused() {
    let history = history();
    // Member 1 was removed in version 4 and still has their key.
    let by_removed = Forgery::adding(&history[3], member(66), 1).signed_with(&key(1000));
    let mut chain = signed(&history);
    chain.push(by_removed);
    assert_eq!(
        verify_chain(None, &chain),
        Err(ChainError::SignerNotMember {
            number: 5,
            signer: member_id(1)
        })
    );
    assert_eq!(
        sign_next_version(&history[3], MemberChange::Add(member(66)), &key(1000)),
        Err(SignError::NotAMember)
    );
}

#[test]
fn an_older_chain_than_the_pinned_version_is_a_rollback() {
    let history = history();
    let chain = signed(&history);
    assert_eq!(
        verify_chain(Some(&history[2]), &chain[..2]),
        Err(ChainError::Rollback {
            pinned: 3,
            offered: 2
        })
    );
    assert_eq!(
        verify_chain(Some(&history[3]), &chain[..1]),
        Err(ChainError::Rollback {
            pinned: 4,
            offered: 1
        })
    );
}

#[test]
fn a_different_version_with_the_pinned_number_or_after_it_is_a_fork() {
    let history = history();
    // A second version 3 from the same version 2, signed by a real member: member 1 adds 4.
    let fork = sign_next_version(&history[1], MemberChange::Add(member(4)), &key(1000)).unwrap();
    let fork_next =
        sign_next_version(&fork, MemberChange::Remove(member_id(2)), &key(1000)).unwrap();
    let forked_chain = signed(&[
        history[0].clone(),
        history[1].clone(),
        fork.clone(),
        fork_next.clone(),
    ]);
    assert_eq!(
        verify_chain(None, &forked_chain).unwrap(),
        fork_next,
        "on its own the fork is a valid chain"
    );
    assert_eq!(
        verify_chain(Some(&history[2]), &forked_chain),
        Err(ChainError::Fork { number: 3 })
    );
    assert_eq!(
        verify_chain(Some(&history[2]), &[fork_next.signed().clone()]),
        Err(ChainError::Fork { number: 3 }),
        "an extension of the other version 3"
    );
    let mut both = signed(&history[..3]);
    both.push(fork.signed().clone());
    assert_eq!(
        verify_chain(None, &both),
        Err(ChainError::Fork { number: 3 })
    );
}

#[test]
fn an_old_version_offered_again_is_a_replay() {
    let history = history();
    let mut chain = signed(&history);
    chain.push(chain[1].clone());
    assert_eq!(
        verify_chain(None, &chain),
        Err(ChainError::Replay { number: 2 })
    );
    assert_eq!(
        verify_chain(
            Some(&history[1]),
            &[
                history[2].signed().clone(),
                history[3].signed().clone(),
                history[0].signed().clone()
            ]
        ),
        Err(ChainError::Replay { number: 1 }),
        "a version older than the pin after newer ones"
    );
    assert_eq!(
        verify_chain(
            Some(&history[2]),
            &[history[3].signed().clone(), history[2].signed().clone()]
        ),
        Err(ChainError::Replay { number: 3 })
    );
}

#[test]
fn versions_out_of_order_are_refused_as_reordered() {
    let history = history();
    let chain = signed(&history);
    let reordered = vec![
        chain[0].clone(),
        chain[2].clone(),
        chain[1].clone(),
        chain[3].clone(),
    ];
    assert_eq!(
        verify_chain(None, &reordered),
        Err(ChainError::Reordered {
            expected: 2,
            found: 3
        })
    );
    assert_eq!(
        verify_chain(Some(&history[1]), &[chain[3].clone(), chain[2].clone()]),
        Err(ChainError::Reordered {
            expected: 3,
            found: 4
        })
    );
}

#[test]
fn a_chain_with_a_version_missing_is_truncated() {
    let history = history();
    let chain = signed(&history);
    assert_eq!(
        verify_chain(
            None,
            &[chain[0].clone(), chain[1].clone(), chain[3].clone()]
        ),
        Err(ChainError::Truncated {
            expected: 3,
            found: 4
        })
    );
    assert_eq!(
        verify_chain(None, &chain[1..]),
        Err(ChainError::Truncated {
            expected: 1,
            found: 2
        }),
        "without a pin the chain starts at version 1"
    );
    assert_eq!(
        verify_chain(Some(&history[1]), &chain[3..]),
        Err(ChainError::Truncated {
            expected: 3,
            found: 4
        })
    );
    assert_eq!(verify_chain(None, &[]), Err(ChainError::Empty));
}

#[test]
fn another_schools_version_is_refused() {
    let history = history();
    let mut elsewhere = Forgery::adding(&history[0], member(2), 1);
    elsewhere.school = other_school();
    let elsewhere = elsewhere.signed_with(&key(1000));
    assert_eq!(
        verify_chain(None, &[history[0].signed().clone(), elsewhere]),
        Err(ChainError::WrongSchool { number: 2 })
    );
}

#[test]
fn a_version_that_does_not_name_the_previous_hash_is_a_broken_link() {
    let history = history();
    let mut unlinked = Forgery::adding(&history[0], member(2), 1);
    unlinked.previous = Some(Sha256Digest::from_bytes([7; 32]));
    let unlinked = unlinked.signed_with(&key(1000));
    assert_eq!(
        verify_chain(None, &[history[0].signed().clone(), unlinked]),
        Err(ChainError::BrokenLink { number: 2 })
    );
}

#[test]
fn a_change_the_members_do_not_show_is_refused() {
    let history = history();
    // Version 5 says "add 66" but also swaps member 3's age key for the server's.
    let mut sneaky = Forgery::adding(&history[3], member(66), 2);
    let mut swapped = member(3);
    swapped.recipient = recipient(66_001);
    sneaky.members = vec![member(2), swapped, member(66)];
    let sneaky = sneaky.signed_with(&key(2000));
    assert_eq!(
        verify_chain(Some(&history[3]), &[sneaky]),
        Err(ChainError::Change {
            number: 5,
            source: ChangeError::UnrecordedChange
        })
    );
}

#[test]
fn a_signing_key_that_is_not_a_usable_ed25519_key_is_malformed() {
    let history = history();
    let mut weak = member(66);
    // The identity point: a small-order ("weak") key anyone can forge signatures for.
    let mut identity = [0_u8; 32];
    identity[0] = 1;
    weak.signing_key = SigningPublicKey::from_bytes(identity);
    let with_weak_key = Forgery::adding(&history[3], weak.clone(), 2).signed_with(&key(2000));
    assert_eq!(
        verify_chain(Some(&history[3]), &[with_weak_key]),
        Err(ChainError::Malformed { number: 5 })
    );
    assert!(matches!(
        sign_next_version(&history[3], MemberChange::Add(weak), &key(2000)),
        Err(SignError::WouldNotVerify(ChainError::Malformed {
            number: 5
        }))
    ));
}

#[test]
fn the_last_member_cannot_be_removed() {
    let v1 = found_chain(school(), vec![member(1)], &key(1000)).unwrap();
    assert!(matches!(
        sign_next_version(&v1, MemberChange::Remove(member_id(1)), &key(1000)),
        Err(SignError::Next(_))
    ));
}

#[test]
fn an_enrolment_pin_accepts_only_chains_through_the_pinned_version() {
    let history = history();
    let chain = signed(&history);
    assert_eq!(
        verify_chain_from_hash(&history[1].hash(), &chain).unwrap(),
        history[3]
    );
    assert_eq!(
        verify_chain_from_hash(&history[3].hash(), &chain).unwrap(),
        history[3]
    );
    let fork = sign_next_version(&history[1], MemberChange::Add(member(4)), &key(1000)).unwrap();
    assert_eq!(
        verify_chain_from_hash(&fork.hash(), &chain),
        Err(ChainError::UnknownPin)
    );
}

#[test]
fn verification_ignores_json_key_order_spacing_and_member_order() {
    let history = history();
    let chain = signed(&history);
    let json = serde_json::to_string(&chain).unwrap();
    // serde_json's Value keeps keys sorted: every object's keys come out in another order.
    let mut value: serde_json::Value = serde_json::from_str(&json).unwrap();
    for version in value.as_array_mut().unwrap() {
        version["version"]["members"]
            .as_array_mut()
            .unwrap()
            .reverse();
    }
    let reordered = serde_json::to_string_pretty(&value).unwrap();
    assert_ne!(reordered, json);
    let parsed: Vec<SignedVersion> = serde_json::from_str(&reordered).unwrap();
    let first = verify_chain(None, &parsed).unwrap();
    let second = verify_chain(None, &parsed).unwrap();
    assert_eq!(first, history[3]);
    assert_eq!(first.hash(), second.hash());
    assert_eq!(version_hash(&parsed[3].version), history[3].hash());
}

/// The chain of the golden files in `prepoznaj-domain/tests/golden/team_chain/`: Марија founds
/// the team, then adds Jovan. Ed25519 signatures are deterministic, so the files pin them too.
fn golden_chain() -> Vec<VerifiedVersion> {
    let marija_key = ChainSigningKey::from_secret_bytes([1; 32]);
    let jovan_key = ChainSigningKey::from_secret_bytes([2; 32]);
    let marija = ChainMember {
        id: TeamMemberId::parse("0192f3a4-0001-7000-8000-00000000000b").unwrap(),
        display_name: DisplayName::parse("Марија, педагог").unwrap(),
        recipient: AgeRecipient::parse(
            "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p",
        )
        .unwrap(),
        signing_key: marija_key.public_key(),
        added_at: UnixMillis(1_764_230_401_000),
    };
    let jovan = ChainMember {
        id: TeamMemberId::parse("0192f3a4-0002-7000-8000-00000000000c").unwrap(),
        display_name: DisplayName::parse("Jovan, psiholog").unwrap(),
        recipient: AgeRecipient::parse(
            "age1zfvumjve930vy9vcg0xz8250ut8q4059mjt8rtj4uuxk063ugcsq34z9er",
        )
        .unwrap(),
        signing_key: jovan_key.public_key(),
        added_at: UnixMillis(1_764_230_402_000),
    };
    let founding = found_chain(school(), vec![marija], &marija_key).unwrap();
    let added = sign_next_version(&founding, MemberChange::Add(jovan), &marija_key).unwrap();
    vec![founding, added]
}

#[test]
fn the_golden_chain_is_signed_by_its_members_keys() {
    let chain = golden_chain();
    assert_eq!(
        serde_json::to_string_pretty(&signed(&chain))
            .unwrap()
            .trim_end(),
        include_str!("../../prepoznaj-domain/tests/golden/team_chain/chain.json").trim_end(),
        "the golden chain changed: that is a change to what phones verify"
    );
    assert_eq!(
        chain[1].version().previous(),
        Some(
            &Sha256Digest::parse_hex(
                include_str!("../../prepoznaj-domain/tests/golden/team_chain/version_1.sha256")
                    .trim()
            )
            .unwrap()
        )
    );
    assert_eq!(verify_chain(None, &signed(&chain)).unwrap(), chain[1]);
}

#[derive(Debug, Clone)]
enum Step {
    /// A new member joins.
    Add,
    /// The member at this index (mod the member count) leaves, unless they are the last.
    Remove(usize),
    /// The member at this index re-registers with new keys.
    ReRegister(usize),
}

fn step() -> impl Strategy<Value = (Step, usize)> {
    (
        prop_oneof![
            Just(Step::Add),
            any::<usize>().prop_map(Step::Remove),
            any::<usize>().prop_map(Step::ReRegister),
        ],
        any::<usize>(),
    )
}

proptest! {
    /// Every history of adds, removals (never the last member) and re-registrations, each
    /// signed by some current member, verifies from version 1 and from every version pinned
    /// on the way, and lists exactly the members the history leaves.
    #[test]
    fn every_legitimate_history_verifies(steps in proptest::collection::vec(step(), 0..12)) {
        // (seed, key generation) of each current member.
        let mut members: Vec<(u32, u32)> = vec![(1, 0)];
        let mut next_seed = 2;
        let mut history = vec![found_chain(school(), vec![member(1)], &key(1000)).unwrap()];
        for (step, signer) in steps {
            let (signer_seed, signer_keys) = members[signer % members.len()];
            let signer_key = key(signer_seed * 1000 + signer_keys);
            let change = match step {
                Step::Add => {
                    members.push((next_seed, 0));
                    next_seed += 1;
                    MemberChange::Add(member(next_seed - 1))
                }
                Step::Remove(_) if members.len() == 1 => continue,
                Step::Remove(index) => {
                    let (seed, _) = members.remove(index % members.len());
                    MemberChange::Remove(member_id(seed))
                }
                Step::ReRegister(index) => {
                    let position = index % members.len();
                    members[position].1 += 1;
                    let (seed, keys) = members[position];
                    MemberChange::ReRegister(member_with_keys(seed, keys))
                }
            };
            let previous = history.last().unwrap();
            history.push(sign_next_version(previous, change, &signer_key).unwrap());
        }
        let chain = signed(&history);
        let last = verify_chain(None, &chain).unwrap();
        prop_assert_eq!(&last, history.last().unwrap());
        let mut expected: Vec<ChainMember> =
            members.iter().map(|&(seed, keys)| member_with_keys(seed, keys)).collect();
        expected.sort_by(|first, second| first.id.cmp(&second.id));
        prop_assert_eq!(last.version().members(), expected.as_slice());
        for pin in &history {
            prop_assert_eq!(&verify_chain(Some(pin), &chain).unwrap(), &last);
        }
    }

    /// Flipping any bit of any version's signature is refused as a forgery of that version.
    #[test]
    fn any_flipped_signature_bit_is_refused_as_forged(
        version in 0_usize..4,
        bit in 0_usize..512,
    ) {
        let mut chain = signed(&history());
        let mut signature = *chain[version].signature.as_bytes();
        signature[bit / 8] ^= 1 << (bit % 8);
        chain[version].signature = ChainSignature::from_bytes(signature);
        prop_assert_eq!(
            verify_chain(None, &chain),
            Err(ChainError::BadSignature { number: u64::try_from(version).unwrap() + 1 })
        );
    }

    /// Dropping any one version from the middle of a history is refused, never accepted.
    #[test]
    fn a_history_missing_any_version_is_refused(
        length in 3_usize..8,
        missing in any::<usize>(),
    ) {
        let mut history = vec![found_chain(school(), vec![member(1)], &key(1000)).unwrap()];
        for seed in 2..=u32::try_from(length).unwrap() {
            let previous = history.last().unwrap();
            history.push(
                sign_next_version(previous, MemberChange::Add(member(seed)), &key(1000)).unwrap(),
            );
        }
        let mut chain = signed(&history);
        let missing = 1 + missing % (chain.len() - 2);
        chain.remove(missing);
        let expected = u64::try_from(missing).unwrap() + 1;
        prop_assert_eq!(
            verify_chain(None, &chain),
            Err(ChainError::Truncated { expected, found: expected + 1 })
        );
    }
}
