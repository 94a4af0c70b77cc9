//! A team member's device and the server: every page of the school's reports, the team's key
//! chain (verified here from the version this device pinned, never taken on the server's
//! word), and one signed status change. What a download changes on the device is decided in
//! `storage::inbox::merge`.

use prepoznaj_domain::protocol::{
    SchoolId, Secret, StatusChangeRecorded, StatusChangeRequest, TeamReport,
};
use prepoznaj_domain::team_chain::SignedVersion;
use prepoznaj_envelope::chain::{
    ChainError, VerifiedVersion, verify_chain, verify_chain_from_hash,
};

use super::api::ApiCallError;
use super::client::{self, TeamSigner};
use crate::clock::now;
use crate::storage::app_database;
use crate::storage::team_key::{self, TeamRegistration};

/// Every report of the school, newest first, following `next_cursor` to the last page.
pub async fn download_all(token: &Secret) -> Result<Vec<TeamReport>, ApiCallError> {
    let mut reports = Vec::new();
    let mut cursor = None;
    loop {
        let page = client::team_reports(token, cursor.as_ref()).await?;
        reports.extend(page.reports);
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => return Ok(reports),
        }
    }
}

/// Sends one signed status change; a retry with the same `change_id` gets the first answer.
pub async fn send_status_change(
    token: &Secret,
    signer: TeamSigner<'_>,
    request: &StatusChangeRequest,
    report_id: &str,
) -> Result<StatusChangeRecorded, ApiCallError> {
    client::record_status_change(token, signer, request, report_id).await
}

/// Verifies the whole `chain` (from version 1) for `school`: it must extend `pin` (no
/// rollback, no fork) and contain it, so every version the history shows is verified too.
/// Without a pin (a registration from before key chains) it is verified from version 1.
///
/// # Errors
/// [`ChainError`] naming the first version at fault.
pub fn verify_team_chain(
    pin: Option<&VerifiedVersion>,
    school: &SchoolId,
    chain: &[SignedVersion],
) -> Result<VerifiedVersion, ChainError> {
    let head = verify_chain(pin, chain)?;
    if let Some(pin) = pin {
        verify_chain_from_hash(&pin.hash(), chain)?;
    } else if head.school() != school {
        return Err(ChainError::WrongSchool {
            number: head.number(),
        });
    }
    Ok(head)
}

/// Why the chain the device uses is not the server's latest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainProblem {
    /// The chain could not be fetched (offline, refused, server fault).
    NotFetched(ApiCallError),
    /// The server's chain does not verify from this device's pin.
    Unverified(ChainError),
}

/// The chain as this device may use it after asking the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedChain {
    /// The latest verified version: the server's head if it verified, else the pin.
    pub head: Option<VerifiedVersion>,
    /// Every version from version 1, when the server's chain verified.
    pub versions: Option<Vec<SignedVersion>>,
    pub problem: Option<ChainProblem>,
}

/// Fetches the team's chain, verifies it from `registration`'s pin, and keeps a newer
/// verified head as the pin (in `registration` and on the device).
pub async fn check_chain(registration: &mut TeamRegistration) -> CheckedChain {
    let pin = registration.pin.clone().map(VerifiedVersion::restore_own);
    let fetched = client::team_keys(&registration.member_token).await;
    let chain = match fetched {
        Ok(keys) => keys.chain,
        Err(error) => {
            return CheckedChain {
                head: pin,
                versions: None,
                problem: Some(ChainProblem::NotFetched(error)),
            };
        }
    };
    match verify_team_chain(pin.as_ref(), &registration.school.id, &chain) {
        Ok(head) => {
            registration.pin_checked_at = Some(now());
            if registration.pin.as_ref() != Some(head.signed()) {
                registration.pin = Some(head.signed().clone());
            }
            let saved = match app_database().await {
                Ok(database) => team_key::save_registration(&database, registration).await,
                Err(error) => Err(error),
            };
            if let Err(error) = saved {
                leptos::logging::error!("cannot keep the verified key chain: {error:?}");
            }
            CheckedChain {
                head: Some(head),
                versions: Some(chain),
                problem: None,
            }
        }
        Err(error) => {
            leptos::logging::warn!("the team's key chain does not verify: {error}");
            CheckedChain {
                head: pin,
                versions: None,
                problem: Some(ChainProblem::Unverified(error)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly on purpose")]

    use prepoznaj_domain::observation::UnixMillis;
    use prepoznaj_domain::protocol::{AgeRecipient, DisplayName, TeamMemberId};
    use prepoznaj_domain::team_chain::{ChainMember, MemberChange};
    use prepoznaj_envelope::chain::{found_chain, sign_next_version};
    use prepoznaj_envelope::identity::TeamIdentity;
    use prepoznaj_envelope::signing::ChainSigningKey;

    use super::*;

    fn school(last: u8) -> SchoolId {
        SchoolId::parse(&format!("0192f3a4-0001-7000-8000-00000000000{last}")).unwrap()
    }

    fn member(index: u8, key: &ChainSigningKey) -> ChainMember {
        ChainMember {
            id: TeamMemberId::parse(&format!("0192f3a4-0004-7000-8000-00000000000{index}"))
                .unwrap(),
            display_name: DisplayName::parse(&format!("Члан {index}")).unwrap(),
            recipient: AgeRecipient::try_from(TeamIdentity::generate().recipient().to_string())
                .unwrap(),
            signing_key: key.public_key(),
            added_at: UnixMillis(u64::from(index) * 1_000),
        }
    }

    /// Versions 1 (founded by member 0) and 2 (member 1 added), and member 0's key.
    fn chain() -> (Vec<SignedVersion>, ChainSigningKey) {
        let founder = ChainSigningKey::generate().unwrap();
        let second = ChainSigningKey::generate().unwrap();
        let first = found_chain(school(1), vec![member(0, &founder)], &founder).unwrap();
        let next =
            sign_next_version(&first, MemberChange::Add(member(1, &second)), &founder).unwrap();
        (vec![first.signed().clone(), next.signed().clone()], founder)
    }

    #[test]
    fn a_chain_that_extends_the_pin_verifies_and_an_altered_one_names_why() {
        let (versions, founder) = chain();
        let first = VerifiedVersion::restore_own(versions[0].clone());
        let head = verify_team_chain(Some(&first), &school(1), &versions).unwrap();
        assert_eq!(head.number(), 2);
        assert_eq!(head.key_set().keys.len(), 2);

        // Pinned at version 2, the server going back to version 1 is a rollback.
        assert_eq!(
            verify_team_chain(Some(&head), &school(1), &versions[..1]),
            Err(ChainError::Rollback {
                pinned: 2,
                offered: 1
            })
        );
        // A version 2 other than the pinned one (a member slipped in) is a fork.
        let stranger = ChainSigningKey::generate().unwrap();
        let other =
            sign_next_version(&first, MemberChange::Add(member(2, &stranger)), &founder).unwrap();
        let forked = vec![versions[0].clone(), other.signed().clone()];
        assert_eq!(
            verify_team_chain(Some(&head), &school(1), &forked),
            Err(ChainError::Fork { number: 2 })
        );
        // Version 1 altered under a later pin: the history would lie, so it is refused too.
        let mut altered = versions.clone();
        altered[0].signature = versions[1].signature;
        assert!(verify_team_chain(Some(&head), &school(1), &altered).is_err());
    }

    #[test]
    fn without_a_pin_the_chain_must_be_the_devices_school() {
        let (versions, _) = chain();
        assert_eq!(
            verify_team_chain(None, &school(1), &versions).map(|head| head.number()),
            Ok(2)
        );
        assert_eq!(
            verify_team_chain(None, &school(2), &versions),
            Err(ChainError::WrongSchool { number: 2 })
        );
        assert_eq!(
            verify_team_chain(None, &school(1), &[]),
            Err(ChainError::Empty)
        );
    }
}
