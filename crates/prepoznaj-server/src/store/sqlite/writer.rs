//! The writer thread and its group commit (see the parent module).

use std::{
    any::Any,
    panic::{AssertUnwindSafe, catch_unwind},
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
        mpsc,
    },
};

use rusqlite::{Connection, Transaction, TransactionBehavior};
use tokio::sync::oneshot;

use super::{MAX_BATCH, backend};
use crate::store::{BackendError, StoreError};

/// One write waiting for, then running in, a batch. Type-erased so that writes with different
/// results share one queue.
pub(super) trait Write: Send {
    /// Runs the work inside the batch's transaction (already in the write's savepoint) and
    /// keeps its result; `true` when it succeeded, so its savepoint is released.
    fn run(&mut self, transaction: &Transaction<'_>) -> bool;

    /// Answers the caller once the batch is over: its own result if the batch committed, the
    /// batch's failure otherwise (a write that failed by itself keeps its own error).
    fn answer(self: Box<Self>, batch: Result<(), &Arc<BatchFailure>>);
}

/// Why a whole batch was not committed; every write in it is answered with this.
#[derive(Debug, thiserror::Error)]
pub(super) enum BatchFailure {
    #[error("the batch's transaction failed")]
    Sqlite(#[from] rusqlite::Error),
    #[error("a failed statement rolled back the whole batch")]
    RolledBack,
}

pub(super) struct PendingWrite<T, F> {
    operation: &'static str,
    work: Option<F>,
    result: Option<Result<T, BackendError>>,
    answer: oneshot::Sender<Result<T, StoreError>>,
}

impl<T, F> PendingWrite<T, F> {
    pub(super) fn new(
        operation: &'static str,
        work: F,
    ) -> (Self, oneshot::Receiver<Result<T, StoreError>>) {
        let (answer, answered) = oneshot::channel();
        let write = Self {
            operation,
            work: Some(work),
            result: None,
            answer,
        };
        (write, answered)
    }
}

impl<T, F> Write for PendingWrite<T, F>
where
    T: Send,
    F: FnOnce(&Transaction<'_>) -> rusqlite::Result<T> + Send,
{
    fn run(&mut self, transaction: &Transaction<'_>) -> bool {
        let Some(work) = self.work.take() else {
            return false;
        };
        let result = match catch_unwind(AssertUnwindSafe(|| work(transaction))) {
            Ok(result) => result.map_err(BackendError::from),
            Err(panic) => Err(panicked(panic)),
        };
        let succeeded = result.is_ok();
        self.result = Some(result);
        succeeded
    }

    fn answer(self: Box<Self>, batch: Result<(), &Arc<BatchFailure>>) {
        let operation = self.operation;
        let answer = match (self.result, batch) {
            (Some(Err(own)), _) => Err(backend(operation, own)),
            (Some(Ok(value)), Ok(())) => Ok(value),
            (_, Err(failure)) => Err(backend(operation, Arc::clone(failure))),
            (None, Ok(())) => Err(backend(operation, "the write was never run")),
        };
        // The caller may have gone (a dropped request); its write stands, as it would have.
        let _ = self.answer.send(answer);
    }
}

pub(super) fn panicked(panic: Box<dyn Any + Send>) -> BackendError {
    let message = panic
        .downcast_ref::<&str>()
        .map(|message| (*message).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_default();
    format!("the write panicked: {message}").into()
}

/// The writer thread: waits for a write, takes every write queued behind it, commits them as
/// one batch. Ends when every [`SqliteStore`] is dropped. `waiting` counts what is queued.
pub(super) fn run_writer(
    mut connection: Connection,
    writes: &mpsc::Receiver<Box<dyn Write>>,
    waiting: &AtomicUsize,
) {
    while let Ok(first) = writes.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match writes.try_recv() {
                Ok(write) => batch.push(write),
                Err(_) => break,
            }
        }
        waiting.fetch_sub(batch.len(), Ordering::Relaxed);
        commit_batch(&mut connection, batch);
    }
}

/// Runs `batch` in one transaction and answers every write after the commit.
pub(super) fn commit_batch(connection: &mut Connection, mut batch: Vec<Box<dyn Write>>) {
    let started = std::time::Instant::now();
    let committed = run_batch(connection, &mut batch).map_err(Arc::new);
    tracing::debug!(writes = batch.len(), elapsed = ?started.elapsed(), "write batch");
    if let Err(failure) = &committed {
        tracing::error!(error = %failure, writes = batch.len(), "a write batch was not committed");
    }
    for write in batch {
        write.answer(committed.as_ref().map(|_| ()));
    }
}

pub(super) fn run_batch(
    connection: &mut Connection,
    batch: &mut [Box<dyn Write>],
) -> Result<(), BatchFailure> {
    let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
    for write in batch {
        transaction.prepare_cached("SAVEPOINT write")?.execute([])?;
        let succeeded = write.run(&transaction);
        // Some errors (a full disk, I/O) make SQLite roll back the whole transaction.
        if transaction.is_autocommit() {
            return Err(BatchFailure::RolledBack);
        }
        if !succeeded {
            transaction
                .prepare_cached("ROLLBACK TO write")?
                .execute([])?;
        }
        transaction.prepare_cached("RELEASE write")?.execute([])?;
    }
    transaction.commit()?;
    Ok(())
}
