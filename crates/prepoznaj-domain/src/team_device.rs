//! What a protection-team member's device derives from the team's key chain once it has
//! verified it (`prepoznaj_envelope::chain::verify_chain`): the history the team page shows
//! (who was added, removed or registered a new device, when, and who signed it), and the
//! set-up links it makes for the members it adds or re-registers.
//!
//! A member's set-up link made on a team device is `<base>/team/setup#<code>.<school id>`: the
//! new member's device signs its set-up request for that school (the signature covers the
//! school, `prepoznaj_domain::team_request`), and it has no other way to learn it before it is
//! registered. The server's own set-up link for a school's first member carries the code alone
//! (the link check names that school). The school in a link is only what the device signs
//! for: a wrong one makes the server refuse the signature, and the chain the device then
//! receives is verified whatever the link said.

use crate::observation::UnixMillis;
use crate::protocol::{SchoolId, Secret, TEAM_SETUP_PATH, TeamMemberId};
use crate::team_chain::{ChainChange, ChainVersion};

/// What one version of the chain changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HistoryEvent {
    /// The team was founded (version 1).
    Founded,
    Added,
    Removed,
    /// The member registered a new device with new keys.
    ReRegistered,
}

/// One line of the team's history: version `number` did `event` to `member`, signed by
/// `signer`, at `at` when the version records it (the added or re-registered member's
/// `added_at`; a removal records no time).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryEntry {
    pub number: u64,
    pub event: HistoryEvent,
    /// The name of the member the change is about (their id if no version names them).
    pub member: String,
    /// The name of the member who signed it.
    pub signer: String,
    pub at: Option<UnixMillis>,
}

/// The name `versions` give `id`, looking in `first` then `second`.
fn name_in(id: &TeamMemberId, first: &ChainVersion, second: Option<&ChainVersion>) -> String {
    first
        .member(id)
        .or_else(|| second.and_then(|version| version.member(id)))
        .map_or_else(
            || id.as_str().to_owned(),
            |member| member.display_name.to_string(),
        )
}

/// The history of a verified chain (`versions` in order from version 1, or from any verified
/// version), newest first.
#[must_use]
pub fn history(versions: &[ChainVersion]) -> Vec<HistoryEntry> {
    let mut entries: Vec<HistoryEntry> = versions
        .iter()
        .enumerate()
        .map(|(index, version)| {
            let previous = index.checked_sub(1).and_then(|index| versions.get(index));
            let change = version.change();
            let member = change.member();
            let (event, at) = match change {
                ChainChange::Founding { .. } => (
                    HistoryEvent::Founded,
                    version.member(member).map(|listed| listed.added_at),
                ),
                ChainChange::AddMember { .. } => (
                    HistoryEvent::Added,
                    version.member(member).map(|listed| listed.added_at),
                ),
                ChainChange::RemoveMember { .. } => (HistoryEvent::Removed, None),
                ChainChange::ReRegister { .. } => (
                    HistoryEvent::ReRegistered,
                    version.member(member).map(|listed| listed.added_at),
                ),
            };
            // The signer is a member of the previous version (of this one, for version 1).
            let signer = match previous {
                Some(previous) => name_in(version.signer(), previous, Some(version)),
                None => name_in(version.signer(), version, None),
            };
            let member = match (change, previous) {
                (ChainChange::RemoveMember { .. }, Some(previous)) => {
                    name_in(member, previous, None)
                }
                _ => name_in(member, version, previous),
            };
            HistoryEntry {
                number: version.number(),
                event,
                member,
                signer,
                at,
            }
        })
        .collect();
    entries.reverse();
    entries
}

/// A member's set-up link made on a team device (see the module documentation).
#[must_use]
pub fn member_setup_link(base_url: &str, code: &Secret, school: &SchoolId) -> String {
    format!(
        "{}{TEAM_SETUP_PATH}#{}.{}",
        base_url.trim_end_matches('/'),
        code.expose(),
        school.as_str()
    )
}

/// Reads a set-up link's fragment (without its `#`): the code, and the school when a team
/// device made the link. A school that is not an id is left out (the server then refuses the
/// signature, and says so).
#[must_use]
pub fn parse_setup_fragment(fragment: &str) -> (Secret, Option<SchoolId>) {
    match fragment.split_once('.') {
        Some((code, school)) => (Secret::new(code.to_owned()), SchoolId::parse(school).ok()),
        None => (Secret::new(fragment.to_owned()), None),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly on purpose")]

    use super::*;
    use crate::protocol::{AgeRecipient, DisplayName, Sha256Digest};
    use crate::team_chain::{ChainMember, MemberChange, SigningPublicKey};

    fn school() -> SchoolId {
        SchoolId::parse("0192f3a4-0001-7000-8000-000000000001").unwrap()
    }

    const RECIPIENTS: [&str; 3] = [
        "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p",
        "age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj",
        "age1zfvumjve930vy9vcg0xz8250ut8q4059mjt8rtj4uuxk063ugcsq34z9er",
    ];

    fn member(index: u8, name: &str, added_at: u64) -> ChainMember {
        ChainMember {
            id: TeamMemberId::parse(&format!("0192f3a4-0004-7000-8000-00000000000{index}"))
                .unwrap(),
            display_name: DisplayName::parse(name).unwrap(),
            recipient: AgeRecipient::try_from(RECIPIENTS[usize::from(index)].to_owned()).unwrap(),
            signing_key: SigningPublicKey::from_bytes([index + 1; 32]),
            added_at: UnixMillis(added_at),
        }
    }

    /// A chain: Ана founds, adds Бојан, Бојан adds Вера, Вера re-registers, Ана removes Бојан.
    fn chain() -> Vec<ChainVersion> {
        let ana = member(0, "Ана", 1_000);
        let bojan = member(1, "Бојан", 2_000);
        let vera = member(2, "Вера", 3_000);
        let hash = Sha256Digest::from_bytes([9; 32]);
        let first = ChainVersion::new(
            school(),
            1,
            None,
            ChainChange::Founding {
                member: ana.id.clone(),
            },
            ana.id.clone(),
            vec![ana.clone()],
        )
        .unwrap();
        let second = first
            .next(hash, MemberChange::Add(bojan.clone()), ana.id.clone())
            .unwrap();
        let third = second
            .next(hash, MemberChange::Add(vera.clone()), bojan.id.clone())
            .unwrap();
        let mut new_device = vera.clone();
        new_device.signing_key = SigningPublicKey::from_bytes([42; 32]);
        new_device.added_at = UnixMillis(4_000);
        let fourth = third
            .next(hash, MemberChange::ReRegister(new_device), vera.id.clone())
            .unwrap();
        let fifth = fourth
            .next(hash, MemberChange::Remove(bojan.id.clone()), ana.id)
            .unwrap();
        vec![first, second, third, fourth, fifth]
    }

    #[test]
    fn the_history_names_each_change_its_member_and_signer_newest_first() {
        let entry = |number, event, member: &str, signer: &str, at: Option<u64>| HistoryEntry {
            number,
            event,
            member: member.to_owned(),
            signer: signer.to_owned(),
            at: at.map(UnixMillis),
        };
        assert_eq!(
            history(&chain()),
            vec![
                entry(5, HistoryEvent::Removed, "Бојан", "Ана", None),
                entry(4, HistoryEvent::ReRegistered, "Вера", "Вера", Some(4_000)),
                entry(3, HistoryEvent::Added, "Вера", "Бојан", Some(3_000)),
                entry(2, HistoryEvent::Added, "Бојан", "Ана", Some(2_000)),
                entry(1, HistoryEvent::Founded, "Ана", "Ана", Some(1_000)),
            ]
        );
    }

    #[test]
    fn a_removal_signed_by_the_member_removed_still_names_them() {
        let versions = chain();
        let bojan = member(1, "Бојан", 2_000);
        let removal = versions[2]
            .next(
                Sha256Digest::from_bytes([1; 32]),
                MemberChange::Remove(bojan.id.clone()),
                bojan.id,
            )
            .unwrap();
        let lines = history(&[versions[2].clone(), removal]);
        assert_eq!(lines[0].member, "Бојан");
        assert_eq!(
            lines[0].signer, "Бојан",
            "the signer is found in the version before"
        );
        assert_eq!(lines[1].event, HistoryEvent::Added);
        assert!(history(&[]).is_empty());
    }

    #[test]
    fn a_member_setup_link_carries_the_school_and_reads_back() {
        let code = Secret::new("A".repeat(43));
        let link = member_setup_link("https://prepoznaj.example.rs/", &code, &school());
        assert_eq!(
            link,
            format!(
                "https://prepoznaj.example.rs/team/setup#{}.{}",
                "A".repeat(43),
                school().as_str()
            )
        );
        let fragment = link.split_once('#').map(|(_, fragment)| fragment).unwrap();
        let (read, read_school) = parse_setup_fragment(fragment);
        assert_eq!(read.expose(), code.expose());
        assert_eq!(read_school, Some(school()));
        let (alone, none) = parse_setup_fragment(&"B".repeat(43));
        assert_eq!(alone.expose(), "B".repeat(43));
        assert_eq!(none, None, "the operator's link for a first member");
        let (_, bad) = parse_setup_fragment(&format!("{}.not-a-school", "A".repeat(43)));
        assert_eq!(bad, None);
    }
}
