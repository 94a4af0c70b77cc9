//! Sealing finished observations into the outbox. At Finish on an enrolled phone the
//! observation is sealed to every key of the phone's key set (the team chain's version the
//! phone verified and pinned, never a set the server merely listed) and moves complete →
//! queued in the same IndexedDB transaction that writes its envelope to the outbox. On a phone that is
//! not enrolled it stays `complete`, and [`seal_waiting`] seals it once the phone enrols.
//!
//! With the app lock, the phone's copy is sealed with the lock's data key too, and what needs
//! it (sealing a waiting observation, sealing again after a team change) waits for the next
//! unlock when the app is locked ([`after_unlock`]); the envelopes already in the outbox are
//! sent meanwhile, except those held after a change of school (their envelope is for the
//! other school).
//!
//! Telemetry, in-page only: each sealing records the User Timing measure [`SEAL_MEASURE`]
//! (plaintext to envelope and digest); `tests/bench/seal.mjs` reads it.

use prepoznaj_domain::observation::{Observation, ObservationRecord, Status};
use prepoznaj_envelope::report::{SealError, seal_report};
use prepoznaj_envelope::vault::DataKey;

use crate::clock::now;
use crate::storage::enrolment::{self, Enrolment};
use crate::storage::outbox::{self, OutboxEntry};
use crate::storage::{Database, StorageError, observations};
use crate::timing::{measure_since, now_ms};

/// User Timing name of sealing one report.
pub const SEAL_MEASURE: &str = "prepoznaj:seal";

/// Why a finished observation could not be queued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SealingError {
    Storage(StorageError),
    /// The key set or the observation could not be sealed (the message is for the log).
    Seal(String),
}

impl From<StorageError> for SealingError {
    fn from(error: StorageError) -> Self {
        SealingError::Storage(error)
    }
}

impl From<SealError> for SealingError {
    fn from(error: SealError) -> Self {
        SealingError::Seal(error.to_string())
    }
}

/// Where a finished observation went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finished {
    /// Sealed and in the outbox.
    Queued,
    /// Saved as complete; it is sealed when the phone enrols.
    WaitingForEnrolment,
}

/// Seals `observation` (complete) to the enrolment's key set and writes it, moved on to
/// `queued` (sealed with `key`, with its receipt, when there is one), with its outbox entry in
/// one transaction. Returns the queued record.
async fn seal_and_queue(
    database: &Database,
    key: Option<&DataKey>,
    observation: Observation,
    enrolment: &Enrolment,
) -> Result<ObservationRecord, SealingError> {
    let started = now_ms();
    let submission = seal_report(&observation, &enrolment.key_set)?;
    measure_since(SEAL_MEASURE, started);
    let at = now();
    let mut record = ObservationRecord::Finished(observation);
    record
        .advance(Status::Queued, at)
        .map_err(|error| SealingError::Seal(error.to_string()))?;
    let entry = OutboxEntry::new(submission, enrolment.key_set.version, at);
    outbox::queue(database, key, &record, &entry).await?;
    Ok(record)
}

/// Stores `record`, just finished (status complete), sealed with `key`: sealed to the team and
/// queued when the phone is enrolled, saved as complete when it is not. Returns the record as
/// stored.
///
/// When sealing fails (a key the server should have refused) the observation is still saved,
/// as complete, so nothing is lost, and [`SealingError::Seal`] says so; it is sealed when the
/// phone next enrols.
pub async fn store_finished(
    database: &Database,
    key: &DataKey,
    record: ObservationRecord,
) -> Result<(ObservationRecord, Finished), SealingError> {
    let ObservationRecord::Finished(observation) = record.clone() else {
        return Err(SealingError::Seal("a draft cannot be sealed".to_owned()));
    };
    match enrolment::load(database).await? {
        Some(enrolment) => match seal_and_queue(database, Some(key), observation, &enrolment).await
        {
            Ok(queued) => Ok((queued, Finished::Queued)),
            Err(SealingError::Seal(message)) => {
                observations::save(database, Some(key), &record).await?;
                Err(SealingError::Seal(message))
            }
            Err(error) => Err(error),
        },
        None => {
            observations::save(database, Some(key), &record).await?;
            Ok((record, Finished::WaitingForEnrolment))
        }
    }
}

/// Seals every observation that was finished while the phone was not enrolled; returns how
/// many were queued. Each is its own transaction, so one failure leaves the others queued.
/// Without `key` (the app is locked, or this is the team bundle) the ones sealed with the app
/// lock's key wait: the next unlock seals them ([`after_unlock`]).
pub async fn seal_waiting(
    database: &Database,
    key: Option<&DataKey>,
    enrolment: &Enrolment,
) -> Result<usize, SealingError> {
    let mut queued = 0;
    for summary in observations::summaries(database).await? {
        if summary.status != Status::Complete || (summary.sealed && key.is_none()) {
            continue;
        }
        if let Some(ObservationRecord::Finished(observation)) =
            observations::load(database, key, &summary.id).await?
            && observation.status() == Status::Complete
        {
            seal_and_queue(database, key, observation, enrolment).await?;
            queued += 1;
        }
    }
    Ok(queued)
}

/// Seals every queued report again to `enrolment`'s key set where its envelope was sealed to
/// another version (a member joined or left the team), or was held for the next unlock: the
/// outbox entry is replaced in place, same report, new envelope, and the sender goes on with
/// the new digest (a copy of the old envelope that reached the server first settles through
/// the status check). Returns how many. Without `key`, a report sealed with the app lock's key
/// keeps its envelope (still sealed to the team, and sent) until the next unlock.
///
/// `enrolment.key_set` is the verified version the phone pinned (see
/// `crate::storage::enrolment`), never a set the server listed.
pub async fn reseal_queued(
    database: &Database,
    key: Option<&DataKey>,
    enrolment: &Enrolment,
) -> Result<usize, SealingError> {
    reseal(database, key, enrolment, false, |entry| {
        waits_for_sealing(entry, enrolment)
    })
    .await
}

/// Seals every queued report again to `enrolment`'s key set, whatever it was sealed to: the
/// phone now sends to another school, whose versions are numbered on their own. Returns how
/// many. Without `key`, a report sealed with the app lock's key is held (not sent: its
/// envelope is for the other school) until the next unlock seals it again.
pub async fn reseal_every_queued(
    database: &Database,
    key: Option<&DataKey>,
    enrolment: &Enrolment,
) -> Result<usize, SealingError> {
    reseal(database, key, enrolment, true, |_| true).await
}

/// After an unlock with `key`: what waited for it is sealed to the team (finished while not
/// enrolled, sealed again after a team change). Returns how many reports that changed.
pub async fn after_unlock(database: &Database, key: &DataKey) -> Result<usize, SealingError> {
    let Some(enrolment) = enrolment::load(database).await? else {
        return Ok(0);
    };
    let resealed = reseal_queued(database, Some(key), &enrolment).await?;
    Ok(resealed + seal_waiting(database, Some(key), &enrolment).await?)
}

/// Whether a queued report is to be sealed again: held for it, or sealed to a version of the
/// key set the phone has since replaced.
fn waits_for_sealing(entry: &OutboxEntry, enrolment: &Enrolment) -> bool {
    entry.reseal_on_unlock || entry.key_set_version != enrolment.key_set.version
}

/// How many reports wait for the next unlock to be sealed to the team: finished while the
/// phone was not enrolled and sealed with the app lock's key, or queued with an envelope held
/// for the unlock or sealed to a version of the key set the phone has since replaced. None
/// on a phone that is not enrolled (there is no team to seal to yet).
pub async fn waiting_for_unlock(database: &Database) -> Result<usize, StorageError> {
    let Some(enrolment) = enrolment::load(database).await? else {
        return Ok(0);
    };
    let resealing = outbox::list(database)
        .await?
        .iter()
        .filter(|entry| waits_for_sealing(entry, &enrolment))
        .count();
    let unsealed = observations::summaries(database)
        .await?
        .iter()
        .filter(|summary| summary.status == Status::Complete && summary.sealed)
        .count();
    Ok(resealing + unsealed)
}

async fn reseal(
    database: &Database,
    key: Option<&DataKey>,
    enrolment: &Enrolment,
    hold_when_locked: bool,
    sealed_to_another: impl Fn(&OutboxEntry) -> bool,
) -> Result<usize, SealingError> {
    let mut resealed = 0;
    for entry in outbox::list(database).await? {
        if !sealed_to_another(&entry) {
            continue;
        }
        let observation = match observations::load(database, key, &entry.id).await {
            Ok(Some(ObservationRecord::Finished(observation))) => observation,
            Ok(_) => continue,
            Err(StorageError::Locked) => {
                if hold_when_locked && !entry.reseal_on_unlock {
                    outbox::replace(
                        database,
                        &OutboxEntry {
                            reseal_on_unlock: true,
                            ..entry
                        },
                    )
                    .await?;
                }
                continue;
            }
            Err(error) => return Err(error.into()),
        };
        let Some(as_finished) = observation.as_finished() else {
            continue;
        };
        let submission = seal_report(&as_finished, &enrolment.key_set)?;
        let replaced = OutboxEntry {
            key_set_version: enrolment.key_set.version,
            submission,
            reseal_on_unlock: false,
            ..entry
        };
        outbox::replace(database, &replaced).await?;
        resealed += 1;
    }
    Ok(resealed)
}
