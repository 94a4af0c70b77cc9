//! Reports' group commit on PostgreSQL (see the parent module for the rest of the backend).
//!
//! A report is the write that comes in thousands: one transaction each would make the
//! database's round trips and WAL flushes the limit. Instead each instance queues its reports
//! and [`WRITERS`] tasks, each with its own connection, take what is waiting (up to
//! [`MAX_BATCH`]) and store it in one `READ COMMITTED` transaction of a few statements
//! whatever its size, then commit once and only then answer. While one writer commits, the
//! next takes the reports that arrived meanwhile.
//!
//! **One batch:** lock the rows the quotas read and change, the schools' (stored bytes) and
//! then the devices' (daily window), each set in id order, and read them and the reports
//! already stored under the batch's ids; decide each report in order with
//! `store::rules` ([`plan`]), exactly as one at a time would (a later report sees the earlier
//! ones: a second submission of an id in the batch is a resend or a conflict, and each stored
//! report counts against its device and school); insert the new reports and update the devices,
//! one statement each; commit.
//!
//! **Across instances.** The row locks make two instances' batches for one school or device
//! wait for each other, and never lock in opposite orders. A report id another instance stored
//! after this batch read (an insert that finds it taken) sends the batch back to the start, as
//! a serialization failure or a deadlock does, so its outcome is decided on what is committed.
//!
//! **Failures.** If the batch cannot begin or commit, every report in it is answered with that
//! failure, so no phone is told "stored" for a report that is not durable. A batch refused for
//! its data (a value the schema refuses) is stored again one report at a time, so only the
//! report at fault gets the error.

use std::collections::BTreeMap;
use std::sync::{
    Arc,
    atomic::{AtomicUsize, Ordering},
};

use deadpool_postgres::{
    Pool, Transaction,
    tokio_postgres::{self, IsolationLevel, types::ToSql},
};
use prepoznaj_domain::{
    catalogue::CatalogueVersion,
    protocol::{DeviceId, ReportUuid, SchoolId},
};
use tokio::sync::{Mutex, mpsc, oneshot};

use super::{
    MAX_ATTEMPTS, backend, is_conflict, millis, optional_unix_millis, parsed, receipt_from_row,
};
use crate::store::{
    BackendError, NewReport, StoreError, SubmissionOutcome,
    rules::{self, DeviceWindow, QuotaRule, StoredReport, status_text},
};

/// Tasks storing batches at once, each with its own connection (of the pool's
/// [`super::POOL_SIZE`]).
const WRITERS: usize = 4;

/// Most reports in one transaction (a report is at most 256 KiB).
const MAX_BATCH: usize = 64;

const OPERATION: &str = "store a report";

/// Why a whole batch was not committed; every report in it is answered with this.
#[derive(Debug, thiserror::Error)]
#[error("the batch of reports was not committed")]
struct BatchFailure(#[source] BackendError);

/// A report id another instance stored after the batch read: the batch starts again.
#[derive(Debug, thiserror::Error)]
#[error("a report id was taken by a concurrent transaction")]
struct IdTaken;

/// A report waiting for a writer, and where its outcome goes.
struct Submission {
    report: NewReport,
    answer: oneshot::Sender<Result<SubmissionOutcome, StoreError>>,
}

impl std::fmt::Debug for Submission {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Submission")
            .field("report_id", &self.report.receipt.report_id)
            .finish_non_exhaustive()
    }
}

/// The queue in front of the writers. Cloned with the store; the writers end when the last
/// clone is dropped.
#[derive(Debug, Clone)]
pub(super) struct Intake {
    queue: mpsc::UnboundedSender<Submission>,
    /// Reports queued and not yet taken into a batch.
    waiting: Arc<AtomicUsize>,
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

/// Each report's own outcome, or its own error.
type Outcomes = Vec<Result<SubmissionOutcome, BackendError>>;

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
        let outcomes = store_each_alone_if_refused(&pool, &reports).await;
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
                let failure = Arc::new(failure);
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

/// Stores `reports` as one batch; if the database refuses the batch's data, each report alone,
/// so that only the one at fault fails.
async fn store_each_alone_if_refused(
    pool: &Pool,
    reports: &[&NewReport],
) -> Result<Outcomes, BatchFailure> {
    match store_batch(pool, reports).await {
        Err(failure) if reports.len() > 1 && refused_for_its_data(&failure.0) => {
            tracing::warn!(error = %failure, "a report batch was refused: storing each alone");
            let mut outcomes = Vec::with_capacity(reports.len());
            for report in reports {
                outcomes.push(
                    match store_batch(pool, std::slice::from_ref(report)).await {
                        Ok(mut alone) => alone
                            .pop()
                            .ok_or_else(|| BatchFailure("a batch of one had no outcome".into()))?,
                        Err(BatchFailure(error)) => Err(error),
                    },
                );
            }
            Ok(outcomes)
        }
        other => other,
    }
}

/// A data exception or an integrity constraint (SQLSTATE classes 22 and 23): the batch's
/// content, not the database, is at fault.
fn refused_for_its_data(error: &BackendError) -> bool {
    error
        .downcast_ref::<tokio_postgres::Error>()
        .and_then(tokio_postgres::Error::code)
        .is_some_and(|code| code.code().starts_with("22") || code.code().starts_with("23"))
}

/// Stores `reports` in one transaction, started again after a conflict: each report's own
/// outcome, or why the batch as a whole failed.
async fn store_batch(pool: &Pool, reports: &[&NewReport]) -> Result<Outcomes, BatchFailure> {
    let mut client = pool
        .get()
        .await
        .map_err(|error| BatchFailure(error.into()))?;
    let mut attempt = 1;
    loop {
        let outcome = async {
            let transaction = client
                .build_transaction()
                .isolation_level(IsolationLevel::ReadCommitted)
                .start()
                .await?;
            let mut rows = read_rows(&transaction, reports).await?;
            let (outcomes, changes) = plan(reports, &mut rows);
            write_changes(&transaction, &changes).await?;
            transaction.commit().await?;
            Ok::<_, BackendError>(outcomes)
        }
        .await;
        match outcome {
            Err(error)
                if attempt < MAX_ATTEMPTS && (is_conflict(&error) || error.is::<IdTaken>()) =>
            {
                tracing::debug!(attempt, %error, "retrying a report batch after a conflict");
                attempt += 1;
            }
            other => return other.map_err(BatchFailure),
        }
    }
}

/// What a batch reads before deciding: its schools' stored bytes and its devices' windows
/// (rows locked), and the reports already stored under its ids.
#[derive(Debug, Default)]
struct Rows {
    stored_bytes: BTreeMap<SchoolId, u64>,
    windows: BTreeMap<DeviceId, DeviceWindow>,
    reports: BTreeMap<ReportUuid, StoredReport>,
}

/// Locks and reads the batch's rows, the schools' and then the devices', each in id order.
async fn read_rows(
    transaction: &Transaction<'_>,
    reports: &[&NewReport],
) -> Result<Rows, BackendError> {
    let schools = ids(reports, |report| report.school_id.as_str());
    let devices = ids(reports, |report| report.device_id.as_str());
    let report_ids = ids(reports, |report| report.receipt.report_id.as_str());
    let school_rows = super::query(
        transaction,
        "SELECT id, stored_bytes FROM schools WHERE id = ANY($1) ORDER BY id FOR UPDATE",
        &[&schools],
    )
    .await?;
    let device_rows = super::query(
        transaction,
        "SELECT id, quota_window_start, quota_window_reports FROM devices
         WHERE id = ANY($1) ORDER BY id FOR UPDATE",
        &[&devices],
    )
    .await?;
    let report_rows = super::query(
        transaction,
        concat!(
            "SELECT school_id, catalogue_version, ",
            receipt_columns!(),
            " FROM reports WHERE id = ANY($1)"
        ),
        &[&report_ids],
    )
    .await?;
    let mut rows = Rows::default();
    for row in school_rows {
        let bytes = u64::try_from(row.try_get::<_, i64>(1)?)?;
        rows.stored_bytes.insert(parsed(&row, 0)?, bytes);
    }
    for row in device_rows {
        let window = DeviceWindow {
            start: optional_unix_millis(&row, 1)?,
            reports: u32::try_from(row.try_get::<_, i64>(2)?)?,
        };
        rows.windows.insert(parsed(&row, 0)?, window);
    }
    for row in report_rows {
        let stored = StoredReport {
            school_id: parsed(&row, 0)?,
            catalogue_version: CatalogueVersion::new(row.try_get::<_, String>(1)?),
            receipt: receipt_from_row(&row, 2)?,
        };
        rows.reports
            .insert(stored.receipt.report_id.clone(), stored);
    }
    Ok(rows)
}

/// The distinct values `key` gives for `reports`, sorted.
fn ids<'r>(reports: &[&'r NewReport], key: impl Fn(&'r NewReport) -> &'r str) -> Vec<&'r str> {
    let mut ids: Vec<&str> = reports.iter().map(|report| key(report)).collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// What a batch writes: the reports to insert, and each device's new window and how many of
/// its reports were stored.
#[derive(Debug, Default)]
struct Changes<'r> {
    inserts: Vec<&'r NewReport>,
    devices: BTreeMap<&'r DeviceId, (DeviceWindow, i64)>,
}

/// Decides each report in order, as storing them one after another would: a resend or a
/// conflict by the report stored under its id (earlier in the batch included), else the quotas
/// of its device and school as the reports before it left them (`rules`).
fn plan<'r>(reports: &[&'r NewReport], rows: &mut Rows) -> (Outcomes, Changes<'r>) {
    let mut changes = Changes::default();
    let outcomes = reports
        .iter()
        .map(|&new| {
            if let Some(earlier) = rows.reports.get(&new.receipt.report_id) {
                return Ok(rules::resubmission(earlier.clone(), new));
            }
            let stored = *rows
                .stored_bytes
                .get(&new.school_id)
                .ok_or("the report's school is gone")?;
            // A device the route authenticated always has its row; without one the window is
            // empty.
            let window = rows
                .windows
                .get(&new.device_id)
                .copied()
                .unwrap_or_default();
            let size = u64::try_from(new.envelope.as_bytes().len())?;
            let window =
                match rules::report_quota(window, stored, size, new.quota, new.receipt.received_at)
                {
                    QuotaRule::Refuse(outcome) => return Ok(outcome),
                    QuotaRule::Store(window) => window,
                };
            rows.stored_bytes
                .insert(new.school_id.clone(), stored + size);
            rows.windows.insert(new.device_id.clone(), window);
            changes
                .devices
                .entry(&new.device_id)
                .and_modify(|(kept, stored)| {
                    *kept = window;
                    *stored += 1;
                })
                .or_insert((window, 1));
            rows.reports.insert(
                new.receipt.report_id.clone(),
                StoredReport {
                    school_id: new.school_id.clone(),
                    catalogue_version: new.catalogue_version.clone(),
                    receipt: new.receipt.clone(),
                },
            );
            changes.inserts.push(new);
            Ok(SubmissionOutcome::Stored(new.receipt.clone()))
        })
        .collect();
    (outcomes, changes)
}

/// Inserts the new reports (the schema's trigger counts their bytes against their schools)
/// and updates the devices. An id found taken is [`IdTaken`].
async fn write_changes(
    transaction: &Transaction<'_>,
    changes: &Changes<'_>,
) -> Result<(), BackendError> {
    if changes.inserts.is_empty() {
        return Ok(());
    }
    let column = |value: fn(&NewReport) -> &str| -> Vec<&str> {
        changes
            .inserts
            .iter()
            .map(|&report| value(report))
            .collect()
    };
    let report_ids = column(|report| report.receipt.report_id.as_str());
    let schools = column(|report| report.school_id.as_str());
    let catalogue_versions = column(|report| report.catalogue_version.as_str());
    let statuses = column(|report| status_text(report.receipt.status));
    let envelopes: Vec<&[u8]> = changes
        .inserts
        .iter()
        .map(|report| report.envelope.as_bytes())
        .collect();
    let digests: Vec<&[u8]> = changes
        .inserts
        .iter()
        .map(|report| report.receipt.envelope_sha256.as_bytes().as_slice())
        .collect();
    let sizes = changes
        .inserts
        .iter()
        .map(|report| i64::try_from(report.envelope.as_bytes().len()))
        .collect::<Result<Vec<_>, _>>()?;
    let received = changes
        .inserts
        .iter()
        .map(|report| millis(report.receipt.received_at))
        .collect::<Vec<_>>();
    let devices: Vec<&str> = changes.devices.keys().map(|id| id.as_str()).collect();
    let window_starts: Vec<Option<i64>> = changes
        .devices
        .values()
        .map(|(window, _)| window.start.map(millis))
        .collect();
    let window_reports: Vec<i64> = changes
        .devices
        .values()
        .map(|(window, _)| i64::from(window.reports))
        .collect();
    let sent: Vec<i64> = changes.devices.values().map(|&(_, sent)| sent).collect();
    let report_columns: [&(dyn ToSql + Sync); 8] = [
        &report_ids,
        &schools,
        &envelopes,
        &digests,
        &sizes,
        &catalogue_versions,
        &received,
        &statuses,
    ];
    let device_columns: [&(dyn ToSql + Sync); 4] =
        [&devices, &window_starts, &window_reports, &sent];
    let inserted = super::execute(
        transaction,
        "INSERT INTO reports (id, school_id, envelope, envelope_sha256, size,
                                  catalogue_version, received_at, status)
             SELECT * FROM UNNEST($1::text[], $2::text[], $3::bytea[], $4::bytea[],
                                  $5::bigint[], $6::text[], $7::bigint[], $8::text[])
             ON CONFLICT (id) DO NOTHING",
        &report_columns,
    )
    .await?;
    super::execute(
        transaction,
        "UPDATE devices AS d
             SET quota_window_start = u.window_start,
                 quota_window_reports = u.window_reports,
                 reports_sent = d.reports_sent + u.sent
             FROM UNNEST($1::text[], $2::bigint[], $3::bigint[], $4::bigint[])
                  AS u (id, window_start, window_reports, sent)
             WHERE d.id = u.id",
        &device_columns,
    )
    .await?;
    if usize::try_from(inserted)? < changes.inserts.len() {
        return Err(IdTaken.into());
    }
    Ok(())
}
