//! A protection-team member's key on their device: one record. The age key and the chain
//! signing key are kept only locked with the member's passphrase (one age scrypt file, see
//! `prepoznaj_envelope::identity::TeamIdentity::lock_with_signing_key`); they are saved before
//! the public keys are registered, and the registration (school, member token, and the
//! team's key chain version this device verified: its pin) is added once the server has
//! accepted it and the device has verified the chain it answered with. A key made to join a team
//! (`/team/join`) or restored from its recovery copy (`/team/recover`) waits here, unregistered,
//! until the member opens the set-up link another member made for it. When the server refuses
//! the link for it (checked before any work, or at registration), the refusal is kept with
//! the key until the member deletes the key or keeps it for a new link.

use prepoznaj_domain::observation::UnixMillis;
use prepoznaj_domain::protocol::{
    AgeRecipient, DisplayName, Envelope, LinkState, School, Secret, TeamMember,
};
use prepoznaj_domain::team_chain::{MemberKeys, SignedVersion, SigningPublicKey};
use serde::{Deserialize, Serialize};

use super::{Database, StorageError, Store};

/// The one record's key.
const THIS_MEMBER: &str = "this-member";

/// The member's key and, once registered, what the server answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamKey {
    /// The age identity, locked with the member's passphrase (binary age file, base64).
    pub locked_identity: Envelope,
    /// The scrypt work factor it was locked with (for the record; age reads it from the file).
    pub work_factor: u8,
    pub public_key: AgeRecipient,
    /// The public half of the chain signing key locked with the age key (`None` for a key
    /// made before signing keys existed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signing_key: Option<SigningPublicKey>,
    pub created_at: UnixMillis,
    /// The name the member gave when the key was made or restored, registered with it.
    #[serde(default)]
    pub display_name: Option<DisplayName>,
    #[serde(default)]
    pub registration: Option<TeamRegistration>,
    /// The set-up link opened for this unregistered key was refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refused_link: Option<RefusedLink>,
}

impl TeamKey {
    /// Both public keys, as this device shows them to the member who adds it (`None` without a
    /// signing key).
    #[must_use]
    pub fn member_keys(&self) -> Option<MemberKeys> {
        Some(MemberKeys {
            recipient: self.public_key.clone(),
            signing_key: self.signing_key?,
        })
    }
}

/// A set-up link the server refused for the key on this device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefusedLink {
    /// Why: used, replaced, expired, revoked or unknown.
    pub state: LinkState,
    /// When the link's validity ended, if the server said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expired_at: Option<UnixMillis>,
}

/// The server's answer to the member's set-up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamRegistration {
    pub school: School,
    pub member: TeamMember,
    /// `Authorization: Bearer` for the team's requests (enrolment links, members).
    pub member_token: Secret,
    /// The latest version of the team's key chain this device verified (from version 1 at
    /// registration, then from this pin): what it trusts, shows and seals to. `None` only for
    /// a registration from before key chains.
    #[serde(default)]
    pub pin: Option<SignedVersion>,
    pub registered_at: UnixMillis,
    /// When the chain was last fetched and verified (`None`: since registration).
    #[serde(default)]
    pub pin_checked_at: Option<UnixMillis>,
    /// Set when the server refused the member token: the member was removed from the team,
    /// or their key was set up again on another device.
    #[serde(default)]
    pub ended: Option<MembershipEnded>,
}

/// Why this device's registration no longer works.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MembershipEnded {
    /// Another member removed this member from the team (`token_revoked`).
    Removed,
    /// The server no longer knows the token: the key was set up on another device.
    Replaced,
}

#[derive(Debug, Serialize, Deserialize)]
struct StoredTeamKey {
    id: String,
    key: TeamKey,
}

/// The member's key, if this device has one.
pub async fn load(database: &Database) -> Result<Option<TeamKey>, StorageError> {
    let stored: Option<StoredTeamKey> = database.get(Store::TeamKey, THIS_MEMBER).await?;
    Ok(stored.map(|stored| stored.key))
}

/// Saves (or replaces) the member's key.
pub async fn save(database: &Database, key: &TeamKey) -> Result<(), StorageError> {
    database
        .put(
            Store::TeamKey,
            &StoredTeamKey {
                id: THIS_MEMBER.to_owned(),
                key: key.clone(),
            },
        )
        .await
}

/// Replaces the registration of the key saved on this device (a newly verified pin, or the
/// end of the membership). Does nothing if the device holds no key.
pub async fn save_registration(
    database: &Database,
    registration: &TeamRegistration,
) -> Result<(), StorageError> {
    let Some(mut key) = load(database).await? else {
        return Ok(());
    };
    key.registration = Some(registration.clone());
    save(database, &key).await
}

/// Records (or, with `None`, forgets) the refusal of a set-up link for the key saved on this
/// device. Does nothing if the device holds no key.
pub async fn save_refused_link(
    database: &Database,
    refused: Option<RefusedLink>,
) -> Result<(), StorageError> {
    let Some(mut key) = load(database).await? else {
        return Ok(());
    };
    key.refused_link = refused;
    save(database, &key).await
}

/// Deletes the key saved on this device (only an unregistered one is offered for deletion).
pub async fn delete(database: &Database) -> Result<(), StorageError> {
    database.delete(Store::TeamKey, THIS_MEMBER).await
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly on purpose")]

    use super::*;

    #[test]
    fn a_key_registered_before_key_chains_still_loads_without_a_pin() {
        let recipient = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p";
        let member = serde_json::json!({
            "id": "0192f3a4-0004-7000-8000-00000000000e",
            "display_name": "Марија",
            "public_key": recipient,
            "fingerprint": "0000 0000 0000 0000 0000",
            "added_at": 5,
        });
        let old = serde_json::json!({
            "locked_identity": "AAAA",
            "work_factor": 14,
            "public_key": recipient,
            "created_at": 1,
            "registration": {
                "school": { "id": "0192f3a4-0001-7000-8000-000000000001", "name": "ОШ" },
                "member": member,
                "member_token": "token",
                "key_set": { "version": 3, "keys": [member] },
                "registered_at": 2,
                "key_set_checked_at": 4,
            },
        });
        let key: TeamKey = serde_json::from_value(old).unwrap();
        assert_eq!(key.signing_key, None);
        assert_eq!(key.member_keys(), None);
        let registration = key.registration.unwrap();
        assert_eq!(
            registration.pin, None,
            "verified from version 1 on the next visit"
        );
        assert_eq!(registration.pin_checked_at, None);
    }
}
