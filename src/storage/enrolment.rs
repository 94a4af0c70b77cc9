//! This phone's enrolment with its school: one record, written when the phone enrols and
//! replaced when the key set changes. The sender reads the device token and the key set from
//! here; the token is never shown.

use prepoznaj_domain::observation::UnixMillis;
use prepoznaj_domain::protocol::{DeviceId, KeySet, School, Secret};
use serde::{Deserialize, Serialize};

use super::{Database, StorageError, Store};

/// The one record's key.
const THIS_PHONE: &str = "this-phone";

/// What the phone keeps of its enrolment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enrolment {
    pub device_id: DeviceId,
    /// `Authorization: Bearer` for `POST /api/v1/reports` and `GET /api/v1/keys`.
    pub device_token: Secret,
    pub school: School,
    /// The keys every report is sealed to; `key_set.version` says which copy this is.
    pub key_set: KeySet,
    pub enrolled_at: UnixMillis,
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
