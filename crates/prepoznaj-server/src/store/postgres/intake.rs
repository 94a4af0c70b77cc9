//! Reports' group commit on PostgreSQL (see the parent module for the rest of the backend).
//!
//! A report is the write that comes in thousands: one transaction and one WAL flush each would
//! make the flush the limit. Instead each instance queues its reports and [`WRITERS`] tasks,
//! each with its own connection, take what is waiting (up to [`MAX_BATCH`]) and store it in one
//! `READ COMMITTED` transaction, each report in its own savepoint, then commit once and only
//! then answer. While one writer commits, the next takes the reports that arrived meanwhile.
//!
//! **The same outcomes as one at a time.** Reports later in a batch see the earlier ones
//! (two submissions of one id in a batch: the second is a resend or a conflict). A report whose
//! own statements fail is rolled back to its savepoint and answered with its error; the others
//! commit. If the batch cannot begin or commit, every report in it is answered with that
//! failure, so no phone is told "stored" for a report that is not durable.
//!
//! **Quotas hold across instances.** Before its first report a batch locks the rows its quotas
//! read and change, the schools' (stored bytes) and then the devices' (daily window), each set
//! in id order, so two instances' batches wait for each other instead of both reading the old
//! counts, and never lock in opposite orders. Any other transaction that meets them in another
//! order (a deadlock) or a serialization failure sends the whole batch back to the start, as
//! the backend does with every write.

use std::sync::{
    Arc,
    atomic::{AtomicUsize, Ordering},
};

use deadpool_postgres::{
    Pool, Transaction,
    tokio_postgres::{IsolationLevel, types::ToSql},
};
use tokio::sync::{Mutex, mpsc, oneshot};

use super::{MAX_ATTEMPTS, backend, is_conflict, submit};
use crate::store::{BackendError, NewReport, StoreError, SubmissionOutcome};

/// Tasks storing batches at once, each with its own connection (of the pool's
/// [`super::POOL_SIZE`]).
pub(super) const WRITERS: usize = 4;

/// Most reports in one transaction (a report is at most 256 KiB).
pub(super) const MAX_BATCH: usize = 64;

const OPERATION: &str = "store a report";

/// Why a whole batch was not committed; every report in it is answered with this.
#[derive(Debug, thiserror::Error)]
#[error("the batch of reports was not committed")]
struct BatchFailure(#[source] BackendError);

/// A report waiting for a writer, and where its outcome goes.
struct Submission {
    report: NewReport,
    answer: oneshot::Sender<Result<SubmissionOutcome, StoreError>>,
}

/// The queue in front of the writers. Cloned with the store; the writers end when the last
/// clone is dropped.
#[derive(Debug, Clone)]
pub(super) struct Intake {
    queue: mpsc::UnboundedSender<Submission>,
    /// Reports queued and not yet taken into a batch.
    waiting: Arc<AtomicUsize>,
}

impl std::fmt::Debug for Submission {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Submission")
            .field("report_id", &self.report.receipt.report_id)
            .finish_non_exhaustive()
    }
}

impl Intake {
    /// Starts the writers on the current tokio runtime.
    pub(super) fn start(pool: &Pool) -> Self {
        let (queue, receiver) = mpsc::unbounded_channel();
        let receiver = Arc::new(Mutex::new(receiver));
        let waiting = Arc::new(AtomicUsize::new(0));
        for _ in 0..WRITERS {
            tokio::spawn(run_writer(
                pool.clone(),
                Arc::clone(&receiver),
                Arc::clone(&waiting),
            ));
        }
        Self { queue, waiting }
    }

    /// Stores `report` in the next batch; answers after that batch is committed.
    pub(super) async fn submit(&self, report: NewReport) -> Result<SubmissionOutcome, StoreError> {
        let (answer, answered) = oneshot::channel();
        self.waiting.fetch_add(1, Ordering::Relaxed);
        self.queue
            .send(Submission { report, answer })
            .map_err(|_| {
                self.waiting.fetch_sub(1, Ordering::Relaxed);
                backend(OPERATION, "the report writers have stopped")
            })?;
        answered
            .await
            .map_err(|_| backend(OPERATION, "the report writers stopped before answering"))?
    }

    /// Reports queued and not yet taken into a batch.
    pub(super) fn waiting(&self) -> usize {
        self.waiting.load(Ordering::Relaxed)
    }
}

/// One writer: takes what is waiting, stores it as one batch, answers, and again.
async fn run_writer(
    pool: Pool,
    receiver: Arc<Mutex<mpsc::UnboundedReceiver<Submission>>>,
    waiting: Arc<AtomicUsize>,
) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    loop {
        let taken = receiver.lock().await.recv_many(&mut batch, MAX_BATCH).await;
        if taken == 0 {
            return;
        }
        waiting.fetch_sub(taken, Ordering::Relaxed);
        let started = std::time::Instant::now();
        let reports: Vec<&NewReport> = batch.iter().map(|submission| &submission.report).collect();
        let outcomes = store_batch(&pool, &reports).await.map_err(Arc::new);
        tracing::debug!(reports = batch.len(), elapsed = ?started.elapsed(), "report batch");
        match outcomes {
            Ok(outcomes) => {
                for (submission, outcome) in batch.drain(..).zip(outcomes) {
                    // A phone that gave up waiting gets its receipt on its next try.
                    let _ = submission
                        .answer
                        .send(outcome.map_err(|source| backend(OPERATION, source)));
                }
            }
            Err(failure) => {
                tracing::error!(error = %failure, reports = batch.len(), "a report batch was not committed");
                for submission in batch.drain(..) {
                    let _ = submission
                        .answer
                        .send(Err(backend(OPERATION, Arc::clone(&failure))));
                }
            }
        }
    }
}

/// Stores `reports` in one transaction, retried from the start after a conflict: each
/// report's own outcome, or why the batch as a whole failed.
async fn store_batch(
    pool: &Pool,
    reports: &[&NewReport],
) -> Result<Vec<Result<SubmissionOutcome, BackendError>>, BatchFailure> {
    let mut client = pool
        .get()
        .await
        .map_err(|error| BatchFailure(error.into()))?;
    let mut attempt = 1;
    loop {
        let outcome = async {
            let mut transaction = client
                .build_transaction()
                .isolation_level(IsolationLevel::ReadCommitted)
                .start()
                .await?;
            lock_quota_rows(&transaction, reports).await?;
            let mut outcomes = Vec::with_capacity(reports.len());
            for report in reports {
                let savepoint = transaction.savepoint("report").await?;
                match submit(&savepoint, report).await {
                    Ok(outcome) => {
                        savepoint.commit().await?;
                        outcomes.push(Ok(outcome));
                    }
                    Err(error) if is_conflict(&error) => return Err(error),
                    Err(error) => {
                        savepoint.rollback().await?;
                        outcomes.push(Err(error));
                    }
                }
            }
            transaction.commit().await?;
            Ok::<_, BackendError>(outcomes)
        }
        .await;
        match outcome {
            Err(error) if attempt < MAX_ATTEMPTS && is_conflict(&error) => {
                tracing::debug!(attempt, %error, "retrying a report batch after a conflict");
                attempt += 1;
            }
            other => return other.map_err(BatchFailure),
        }
    }
}

/// Locks the schools' rows and then the devices' rows that `reports` count against, each in
/// id order.
async fn lock_quota_rows(
    transaction: &Transaction<'_>,
    reports: &[&NewReport],
) -> Result<(), BackendError> {
    let mut schools: Vec<&str> = reports
        .iter()
        .map(|report| report.school_id.as_str())
        .collect();
    schools.sort_unstable();
    schools.dedup();
    let mut devices: Vec<&str> = reports
        .iter()
        .map(|report| report.device_id.as_str())
        .collect();
    devices.sort_unstable();
    devices.dedup();
    for (statement, ids) in [
        (
            "SELECT 1 FROM schools WHERE id = ANY($1) ORDER BY id FOR UPDATE",
            &schools,
        ),
        (
            "SELECT 1 FROM devices WHERE id = ANY($1) ORDER BY id FOR UPDATE",
            &devices,
        ),
    ] {
        let parameters: [&(dyn ToSql + Sync); 1] = [ids];
        transaction.query(statement, &parameters).await?;
    }
    Ok(())
}
