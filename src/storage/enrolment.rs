//! This phone's enrolment with its school: one record, written when the phone enrols and
//! replaced when the team's keys change. The sender reads the device token and the key set
//! from here; the token is never shown.
//!
//! **Invariant**: on a phone enrolled with a key chain, `key_set` is the pinned version's key
//! set (`pinned`, verified on this phone); nothing else ever becomes what reports are sealed
//! to. A record written before key chains has no pin (and no refusal): it still reads, and
//! the sender pins it from the first chain that lists the keys it already had
//! (`crate::sync::pinning`).

use prepoznaj_domain::observation::UnixMillis;
use prepoznaj_domain::protocol::{DeviceId, KeySet, School, Secret};
use prepoznaj_domain::team_chain::SignedVersion;
use prepoznaj_envelope::chain::VerifiedVersion;
use serde::{Deserialize, Serialize};

use super::{Database, StorageError, Store};
use crate::sync::pinning::RefusalReason;

/// The one record's key.
const THIS_PHONE: &str = "this-phone";

/// What the phone keeps of its enrolment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enrolment {
    pub device_id: DeviceId,
    /// `Authorization: Bearer` for `POST /api/v1/reports` and `GET /api/v1/keys`.
    pub device_token: Secret,
    pub school: School,
    /// The keys every report is sealed to (the pinned version's); `key_set.version` says which
    /// copy this is.
    pub key_set: KeySet,
    pub enrolled_at: UnixMillis,
    /// The chain version this phone verified last, stored as its JSON text: what the next
    /// chain must extend. `None` on a phone enrolled before key chains.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "json_text")]
    pub pinned: Option<SignedVersion>,
    /// The last chain this phone refused, until one verifies from the pin again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keys_refused: Option<KeysRefusal>,
}

/// A chain the phone refused: why, and when.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeysRefusal {
    pub reason: RefusalReason,
    pub at: UnixMillis,
}

impl Enrolment {
    /// An enrolment pinned to `head`, a version this phone has just verified: reports are
    /// sealed to its keys.
    #[must_use]
    pub fn pinned_to(
        device_id: DeviceId,
        device_token: Secret,
        school: School,
        head: &VerifiedVersion,
        enrolled_at: UnixMillis,
    ) -> Self {
        Self {
            device_id,
            device_token,
            school,
            key_set: head.key_set(),
            enrolled_at,
            pinned: Some(head.signed().clone()),
            keys_refused: None,
        }
    }

    /// Pins `head`, verified from the pinned version: its keys are sealed to from now on and
    /// any earlier refusal is over.
    pub fn pin(&mut self, head: &VerifiedVersion) {
        self.key_set = head.key_set();
        self.pinned = Some(head.signed().clone());
        self.keys_refused = None;
    }
}

/// The pinned version as JSON text inside the record (its bytes are what the chain hashes and
/// signs; text keeps every field as it was verified, whatever the structured clone does with
/// numbers).
mod json_text {
    use prepoznaj_domain::team_chain::SignedVersion;
    use serde::{Deserialize, Deserializer, Serializer};

    #[allow(
        clippy::ref_option,
        reason = "serde's `with` passes the field by reference"
    )]
    pub fn serialize<S: Serializer>(
        pinned: &Option<SignedVersion>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match pinned {
            Some(pinned) => {
                let text = serde_json::to_string(pinned).map_err(serde::ser::Error::custom)?;
                serializer.serialize_some(&text)
            }
            None => serializer.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<SignedVersion>, D::Error> {
        Option::<String>::deserialize(deserializer)?
            .map(|text| serde_json::from_str(&text).map_err(serde::de::Error::custom))
            .transpose()
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct StoredEnrolment {
    id: String,
    enrolment: Enrolment,
}

/// The phone's enrolment, if it is enrolled.
pub async fn load(database: &Database) -> Result<Option<Enrolment>, StorageError> {
    let stored: Option<StoredEnrolment> = database.get(Store::Enrolment, THIS_PHONE).await?;
    Ok(stored.map(|stored| stored.enrolment))
}

/// Saves (or replaces) the phone's enrolment.
pub async fn save(database: &Database, enrolment: &Enrolment) -> Result<(), StorageError> {
    database
        .put(
            Store::Enrolment,
            &StoredEnrolment {
                id: THIS_PHONE.to_owned(),
                enrolment: enrolment.clone(),
            },
        )
        .await
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly on purpose")]

    use super::*;

    #[test]
    fn a_record_from_before_key_chains_still_reads_without_a_pin() {
        let old = serde_json::json!({
            "device_id": "0192f3a4-0000-7000-8000-000000000001",
            "device_token": "t".repeat(43),
            "school": { "id": "0192f3a4-0000-7000-8000-00000000000a", "name": "ОШ „Вук Караџић“" },
            "key_set": { "version": 3, "keys": [] },
            "enrolled_at": 1_764_230_400_000_u64,
        });
        let enrolment: Enrolment = serde_json::from_value(old).unwrap();
        assert_eq!(enrolment.pinned, None);
        assert_eq!(enrolment.keys_refused, None);
        assert_eq!(enrolment.key_set.version, 3);
        let again: Enrolment =
            serde_json::from_value(serde_json::to_value(&enrolment).unwrap()).unwrap();
        assert_eq!(again, enrolment);
    }
}
