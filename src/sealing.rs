//! Sealing finished observations into the outbox. At Finish on an enrolled phone the
//! observation is sealed to every key of the phone's key set (the team chain's version the
//! phone verified and pinned, never a set the server merely listed) and moves complete →
//! queued in the same IndexedDB transaction that writes its envelope to the outbox. On a phone that is
//! not enrolled it stays `complete`, and [`seal_waiting`] seals it once the phone enrols.
//!
//! Telemetry, in-page only: each sealing records the User Timing measure [`SEAL_MEASURE`]
//! (plaintext to envelope and digest); `tests/bench/seal.mjs` reads it.

use prepoznaj_domain::observation::{Observation, ObservationRecord, Status};
use prepoznaj_envelope::report::{SealError, seal_report};

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
/// `queued`, with its outbox entry in one transaction. Returns the queued record.
async fn seal_and_queue(
    database: &Database,
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
    outbox::queue(database, &record, &entry).await?;
    Ok(record)
}

/// Stores `record`, just finished (status complete): sealed and queued when the phone is
/// enrolled, saved as complete when it is not. Returns the record as stored.
///
/// When sealing fails (a key the server should have refused) the observation is still saved,
/// as complete, so nothing is lost, and [`SealingError::Seal`] says so; it is sealed when the
/// phone next enrols.
pub async fn store_finished(
    database: &Database,
    record: ObservationRecord,
) -> Result<(ObservationRecord, Finished), SealingError> {
    let ObservationRecord::Finished(observation) = record.clone() else {
        return Err(SealingError::Seal("a draft cannot be sealed".to_owned()));
    };
    match enrolment::load(database).await? {
        Some(enrolment) => match seal_and_queue(database, observation, &enrolment).await {
            Ok(queued) => Ok((queued, Finished::Queued)),
            Err(SealingError::Seal(message)) => {
                observations::save(database, &record).await?;
                Err(SealingError::Seal(message))
            }
            Err(error) => Err(error),
        },
        None => {
            observations::save(database, &record).await?;
            Ok((record, Finished::WaitingForEnrolment))
        }
    }
}

/// Seals every observation that was finished while the phone was not enrolled; returns how
/// many were queued. Each is its own transaction, so one failure leaves the others queued.
pub async fn seal_waiting(
    database: &Database,
    enrolment: &Enrolment,
) -> Result<usize, SealingError> {
    let mut queued = 0;
    for record in observations::list(database).await? {
        if let ObservationRecord::Finished(observation) = record
            && observation.status() == Status::Complete
        {
            seal_and_queue(database, observation, enrolment).await?;
            queued += 1;
        }
    }
    Ok(queued)
}

/// Seals every queued report again to `enrolment`'s key set where its envelope was sealed to
/// another version (a member joined or left the team): the outbox entry is replaced in place,
/// same report, new envelope, and the sender goes on with the new digest (a copy of the old
/// envelope that reached the server first settles through the status check). Returns how many.
///
/// `enrolment.key_set` is the verified version the phone pinned (see
/// `crate::storage::enrolment`), never a set the server listed.
pub async fn reseal_queued(
    database: &Database,
    enrolment: &Enrolment,
) -> Result<usize, SealingError> {
    reseal(database, enrolment, |entry| {
        entry.key_set_version != enrolment.key_set.version
    })
    .await
}

/// Seals every queued report again to `enrolment`'s key set, whatever it was sealed to: the
/// phone now sends to another school, whose versions are numbered on their own. Returns how
/// many.
pub async fn reseal_every_queued(
    database: &Database,
    enrolment: &Enrolment,
) -> Result<usize, SealingError> {
    reseal(database, enrolment, |_| true).await
}

async fn reseal(
    database: &Database,
    enrolment: &Enrolment,
    sealed_to_another: impl Fn(&OutboxEntry) -> bool,
) -> Result<usize, SealingError> {
    let mut resealed = 0;
    for entry in outbox::list(database).await? {
        if !sealed_to_another(&entry) {
            continue;
        }
        let Some(ObservationRecord::Finished(observation)) =
            observations::load(database, &entry.id).await?
        else {
            continue;
        };
        let Some(as_finished) = observation.as_finished() else {
            continue;
        };
        let submission = seal_report(&as_finished, &enrolment.key_set)?;
        let replaced = OutboxEntry {
            key_set_version: enrolment.key_set.version,
            submission,
            ..entry
        };
        outbox::replace(database, &replaced).await?;
        resealed += 1;
    }
    Ok(resealed)
}
