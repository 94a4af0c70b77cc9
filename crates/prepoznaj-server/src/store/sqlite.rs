//! SQLite backend, the default: one file `<data-dir>/prepoznaj.db` in WAL mode with
//! `synchronous=FULL`, foreign keys on and a busy timeout, migrated when opened.
//!
//! Migrations are the files in `migrations/sqlite/`, embedded at build time and applied in order,
//! each in its own immediate transaction recorded in `schema_migrations`.
//!
//! **Writes are group-committed.** One connection, owned by a writer thread, does every write:
//! the thread takes all the writes waiting in its channel (up to [`MAX_BATCH`]), runs each in
//! its own savepoint inside one immediate transaction, commits once (one WAL fsync for the whole
//! batch) and only then answers each caller. A write that fails is rolled back to its savepoint
//! and answered with its error; the others in the batch still commit. If the batch cannot
//! begin or commit, every write in it is answered with that error, so no caller is ever told
//! "done" for a write that is not durable. Writes later in a batch see the earlier ones, so
//! the outcomes are exactly those of running them one after another (two submissions of one
//! report id in a batch: the second is a retry or a conflict).
//!
//! **Checkpoints run beside the writer.** SQLite's automatic checkpoint would copy the WAL
//! into the database file (and fsync it) inside the writer's commit, stalling every write
//! waiting behind it; instead, once the WAL holds [`CHECKPOINT_PAGES`] pages, the writer wakes
//! a checkpointer thread with its own connection, which runs a passive checkpoint while the
//! writer goes on appending. Commits are as durable either way: each one fsyncs the WAL.
//!
//! **Reads use a pool** of [`READ_CONNECTIONS`] read-only connections, on tokio's blocking pool
//! except token checks (see `SqliteStore::read_here`), so token checks, receipts and keys
//! never queue behind a commit. WAL readers see only
//! committed data, and a write is answered after its commit, so a read that follows an answer
//! sees that write.

use std::{
    any::Any,
    panic::{AssertUnwindSafe, catch_unwind},
    path::{Path, PathBuf},
    sync::{Arc, Mutex, mpsc},
    time::Duration,
};

use prepoznaj_domain::{
    catalogue::CatalogueVersion,
    link_check::{CodeRecord, CodeUse},
    observation::UnixMillis,
    protocol::{
        CoarseStatus, Device, DeviceId, EnrolmentLink, EnrolmentLinkId, Envelope, LinkKind,
        ReportReceipt, ReportStatus, ReportUuid, School, SchoolId, Sha256Digest, StatusChange,
        TeamMember, TeamMemberId, TeamReport,
    },
    team_chain::{ChainMember, SignedVersion},
};
use rusqlite::{
    Connection, OpenFlags, OptionalExtension as _, Row, Transaction, TransactionBehavior, params,
    types::Type, wal::CheckpointMode,
};
use tokio::{
    sync::{OwnedSemaphorePermit, Semaphore, oneshot},
    task::spawn_blocking,
};

use crate::credentials::SecretHash;

use super::{
    AppendOutcome, BackendError, ChainAppend, CodeRefusal, DeviceCredential, EnrolmentOutcome,
    MemberEffect, NewDevice, NewEnrolmentLink, NewReport, NewSchool, NewStatusChange,
    RecordedStatusChange, ReportPage, SetupCodeRenewal, SetupOutcome, SetupRedemption, SetupTarget,
    StatusChangeOutcome, Store, StoreError, SubmissionOutcome, TeamCredential, TokenLookup,
    coarse_status_from_text, coarse_status_text, code_refusal, version_from_json, version_to_json,
};

/// File name of the database inside the data directory.
pub const DATABASE_FILE_NAME: &str = "prepoznaj.db";

/// How long a statement waits for another connection's lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Most writes committed together. Bounds one transaction's size (a report is at most
/// 256 KiB); under load a batch is as large as the number of writes waiting, which is at most
/// the number of requests in flight.
pub const MAX_BATCH: usize = 256;

/// WAL pages that wake the checkpointer: SQLite's own automatic checkpoint threshold.
pub const CHECKPOINT_PAGES: i32 = 1000;

/// Read-only connections for lookups; more than the machine's cores buys nothing.
pub const READ_CONNECTIONS: usize = 4;

struct Migration {
    version: u32,
    sql: &'static str,
}

/// Every migration, in order; versions are contiguous from 1.
const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        sql: include_str!("../../migrations/sqlite/0001_init.sql"),
    },
    Migration {
        version: 2,
        sql: include_str!("../../migrations/sqlite/0002_schools_devices_reports.sql"),
    },
    Migration {
        version: 3,
        sql: include_str!("../../migrations/sqlite/0003_inbox_status_changes_retention.sql"),
    },
    Migration {
        version: 4,
        sql: include_str!("../../migrations/sqlite/0004_team_chain.sql"),
    },
];

/// A migrated SQLite database shared by all requests: the writer thread's queue and the pool
/// of read-only connections. The writer thread ends when the last clone is dropped.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    writes: mpsc::Sender<Box<dyn Write>>,
    readers: Arc<ReaderPool>,
}

impl SqliteStore {
    /// Where the database lives for a given data directory.
    pub fn database_path(data_dir: &Path) -> PathBuf {
        data_dir.join(DATABASE_FILE_NAME)
    }

    /// Creates the data directory and the database if missing, configures it and migrates it.
    pub async fn open(data_dir: &Path) -> Result<Self, StoreError> {
        let data_dir = data_dir.to_path_buf();
        spawn_blocking(move || open_blocking(&data_dir))
            .await
            .map_err(|source| backend("open the database", source))?
    }

    /// Runs `query` on the blocking pool with one of the read-only connections.
    async fn read<T, F>(&self, operation: &'static str, query: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
    {
        let lease = ReaderPool::lease(&self.readers)
            .await
            .map_err(|source| backend(operation, source))?;
        spawn_blocking(move || {
            query(lease.connection()).map_err(|source| backend(operation, source))
        })
        .await
        .map_err(|source| backend(operation, source))?
    }

    /// Runs `query` with a read-only connection right here, on the runtime's worker: only for
    /// a lookup by a unique index in a small table that every request makes (tokens). Handing
    /// it to the blocking pool costs two thread wake-ups, measured at about 50 µs of CPU per
    /// request on a 2-core VM, far more than the lookup; a WAL reader takes no lock a writer
    /// holds, so it does not wait for commits.
    async fn read_here<T, F>(&self, operation: &'static str, query: F) -> Result<T, StoreError>
    where
        F: FnOnce(&Connection) -> rusqlite::Result<T>,
    {
        let lease = ReaderPool::lease(&self.readers)
            .await
            .map_err(|source| backend(operation, source))?;
        query(lease.connection()).map_err(|source| backend(operation, source))
    }

    /// Runs `work` in the writer's next batch; answers after that batch is committed (and
    /// fsynced). `work` runs in its own savepoint: its error undoes only its own changes.
    async fn write<T, F>(&self, operation: &'static str, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> rusqlite::Result<T> + Send + 'static,
    {
        let (write, answer) = PendingWrite::new(operation, work);
        self.writes
            .send(Box::new(write))
            .map_err(|_| backend(operation, "the database writer has stopped"))?;
        answer
            .await
            .map_err(|_| backend(operation, "the database writer stopped before answering"))?
    }
}

/// One write waiting for, then running in, a batch. Type-erased so that writes with different
/// results share one queue.
trait Write: Send {
    /// Runs the work inside the batch's transaction (already in the write's savepoint) and
    /// keeps its result; `true` when it succeeded, so its savepoint is released.
    fn run(&mut self, transaction: &Transaction<'_>) -> bool;

    /// Answers the caller once the batch is over: its own result if the batch committed, the
    /// batch's failure otherwise (a write that failed by itself keeps its own error).
    fn answer(self: Box<Self>, batch: Result<(), &Arc<BatchFailure>>);
}

/// Why a whole batch was not committed; every write in it is answered with this.
#[derive(Debug, thiserror::Error)]
enum BatchFailure {
    #[error("the batch's transaction failed")]
    Sqlite(#[from] rusqlite::Error),
    #[error("a failed statement rolled back the whole batch")]
    RolledBack,
}

struct PendingWrite<T, F> {
    operation: &'static str,
    work: Option<F>,
    result: Option<Result<T, BackendError>>,
    answer: oneshot::Sender<Result<T, StoreError>>,
}

impl<T, F> PendingWrite<T, F> {
    fn new(operation: &'static str, work: F) -> (Self, oneshot::Receiver<Result<T, StoreError>>) {
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

fn panicked(panic: Box<dyn Any + Send>) -> BackendError {
    let message = panic
        .downcast_ref::<&str>()
        .map(|message| (*message).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_default();
    format!("the write panicked: {message}").into()
}

/// The writer thread: waits for a write, takes every write queued behind it, commits them as
/// one batch. Ends when every [`SqliteStore`] is dropped.
fn run_writer(mut connection: Connection, writes: &mpsc::Receiver<Box<dyn Write>>) {
    while let Ok(first) = writes.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match writes.try_recv() {
                Ok(write) => batch.push(write),
                Err(_) => break,
            }
        }
        commit_batch(&mut connection, batch);
    }
}

/// Runs `batch` in one transaction and answers every write after the commit.
fn commit_batch(connection: &mut Connection, mut batch: Vec<Box<dyn Write>>) {
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

fn run_batch(
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

/// Read-only connections, each lent to one query at a time.
#[derive(Debug)]
struct ReaderPool {
    idle: Mutex<Vec<Connection>>,
    available: Arc<Semaphore>,
}

impl ReaderPool {
    fn new(connections: Vec<Connection>) -> Self {
        Self {
            available: Arc::new(Semaphore::new(connections.len())),
            idle: Mutex::new(connections),
        }
    }

    /// Waits (without blocking a thread) for an idle connection.
    async fn lease(pool: &Arc<Self>) -> Result<ReaderLease, BackendError> {
        let permit = Arc::clone(&pool.available).acquire_owned().await?;
        let connection = pool
            .idle
            .lock()
            .map_err(|_| "the reader pool was poisoned by a panic")?
            .pop()
            .ok_or("a reader permit without an idle connection")?;
        Ok(ReaderLease {
            pool: Arc::clone(pool),
            connection: Some(connection),
            _permit: permit,
        })
    }
}

/// A connection out of the pool; goes back when dropped (also after a panic).
struct ReaderLease {
    pool: Arc<ReaderPool>,
    connection: Option<Connection>,
    _permit: OwnedSemaphorePermit,
}

impl ReaderLease {
    fn connection(&self) -> &Connection {
        // Some until dropped.
        self.connection
            .as_ref()
            .unwrap_or_else(|| unreachable!("a lease holds its connection until dropped"))
    }
}

impl Drop for ReaderLease {
    fn drop(&mut self) {
        if let (Some(connection), Ok(mut idle)) = (self.connection.take(), self.pool.idle.lock()) {
            idle.push(connection);
        }
    }
}

impl Store for SqliteStore {
    async fn health_check(&self) -> Result<(), StoreError> {
        self.read("check the database", |connection| {
            connection.query_row("SELECT MAX(version) FROM schema_migrations", [], |row| {
                row.get::<_, Option<u32>>(0)
            })
        })
        .await
        .map(drop)
    }

    async fn create_school(&self, new: NewSchool) -> Result<(), StoreError> {
        self.write("create a school", move |transaction| {
            transaction.execute(
                "INSERT INTO schools (id, name, created_at) VALUES (?1, ?2, ?3)",
                params![
                    new.school.id.as_str(),
                    new.school.name.as_str(),
                    new.created_at.0
                ],
            )?;
            transaction.execute(
                "INSERT INTO setup_codes (code_hash, school_id, member_id, created_at, expires_at)
                 VALUES (?1, ?2, NULL, ?3, ?4)",
                params![
                    new.setup_code.as_bytes(),
                    new.school.id.as_str(),
                    new.created_at.0,
                    new.setup_expires_at.0
                ],
            )?;
            Ok(())
        })
        .await
    }

    async fn redeem_setup_code(
        &self,
        redemption: SetupRedemption,
    ) -> Result<SetupOutcome, StoreError> {
        self.write("redeem a set-up code", move |transaction| {
            redeem(transaction, &redemption)
        })
        .await
    }

    async fn setup_code_target(&self, code: SecretHash) -> Result<Option<SetupTarget>, StoreError> {
        self.read("read a set-up code's school", move |connection| {
            let found = connection
                .query_row(
                    "SELECT school_id, member_id FROM setup_codes WHERE code_hash = ?1",
                    [code.as_bytes()],
                    |row| {
                        Ok((
                            parsed::<SchoolId>(row, 0)?,
                            row.get::<_, Option<String>>(1)?,
                        ))
                    },
                )
                .optional()?;
            let Some((school_id, member_id)) = found else {
                return Ok(None);
            };
            let member_id = member_id
                .map(|id| {
                    TeamMemberId::try_from(id).map_err(|error| {
                        rusqlite::Error::FromSqlConversionFailure(1, Type::Text, error.into())
                    })
                })
                .transpose()?;
            let (school, chain) = read_school_keys(connection, &school_id)?;
            Ok(Some(SetupTarget {
                school,
                member_id,
                chain,
            }))
        })
        .await
    }

    async fn team_chain(&self, school_id: SchoolId) -> Result<Vec<SignedVersion>, StoreError> {
        self.read("read a team's key chain", move |connection| {
            read_chain(connection, &school_id)
        })
        .await
    }

    async fn append_chain(&self, append: ChainAppend) -> Result<AppendOutcome, StoreError> {
        self.write("append to a team's key chain", move |transaction| {
            append_to_chain(transaction, &append)
        })
        .await
    }

    async fn code_record(
        &self,
        kind: LinkKind,
        code: SecretHash,
    ) -> Result<Option<CodeRecord>, StoreError> {
        self.read("check a link's code", move |connection| {
            let sql = match kind {
                LinkKind::TeamSetup => SETUP_CODE_RECORD,
                LinkKind::Enrolment => ENROLMENT_CODE_RECORD,
            };
            connection
                .query_row(sql, [code.as_bytes()], |row| {
                    let used = match (row.get::<_, Option<u64>>(1)?, row.get::<_, bool>(2)?) {
                        (None, _) => CodeUse::Unused,
                        (Some(_), false) => CodeUse::Redeemed,
                        (Some(_), true) => CodeUse::Replaced,
                    };
                    Ok(CodeRecord {
                        expires_at: UnixMillis(row.get(0)?),
                        used,
                        revoked: row.get(3)?,
                    })
                })
                .optional()
        })
        .await
    }

    async fn team_member_by_token(
        &self,
        token: SecretHash,
    ) -> Result<TokenLookup<TeamCredential>, StoreError> {
        self.read_here("look up a team member token", move |connection| {
            lookup_token(
                connection,
                "SELECT id, school_id, removed_at FROM team_members WHERE token_hash = ?1",
                token,
                |member_id, school_id| TeamCredential {
                    member_id,
                    school_id,
                },
            )
        })
        .await
    }

    async fn renew_setup_code(
        &self,
        renewal: SetupCodeRenewal,
    ) -> Result<Option<TeamMember>, StoreError> {
        self.write("renew a set-up code", move |transaction| {
            let member = transaction
                .query_row(
                    &format!(
                        "SELECT {MEMBER_COLUMNS} FROM team_members
                         WHERE id = ?1 AND school_id = ?2 AND removed_at IS NULL"
                    ),
                    [renewal.member_id.as_str(), renewal.school_id.as_str()],
                    member_from_row,
                )
                .optional()?;
            let Some(member) = member else {
                return Ok(None);
            };
            transaction.execute(
                "UPDATE setup_codes SET used_at = ?2 WHERE member_id = ?1 AND used_at IS NULL",
                params![renewal.member_id.as_str(), renewal.now.0],
            )?;
            transaction.execute(
                "INSERT INTO setup_codes (code_hash, school_id, member_id, created_at, expires_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    renewal.setup_code.as_bytes(),
                    renewal.school_id.as_str(),
                    renewal.member_id.as_str(),
                    renewal.now.0,
                    renewal.expires_at.0
                ],
            )?;
            Ok(Some(member))
        })
        .await
    }

    async fn create_enrolment_link(&self, new: NewEnrolmentLink) -> Result<(), StoreError> {
        self.write("create an enrolment link", move |transaction| {
            transaction.execute(
                "INSERT INTO enrolment_links
                     (id, school_id, code_hash, created_by, created_at, expires_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    new.link.id.as_str(),
                    new.school_id.as_str(),
                    new.code.as_bytes(),
                    new.created_by.as_str(),
                    new.link.created_at.0,
                    new.link.expires_at.0
                ],
            )?;
            Ok(())
        })
        .await
    }

    async fn revoke_enrolment_link(
        &self,
        school_id: SchoolId,
        link_id: EnrolmentLinkId,
        now: UnixMillis,
    ) -> Result<Option<EnrolmentLink>, StoreError> {
        self.write("revoke an enrolment link", move |transaction| {
            transaction
                .query_row(
                    "UPDATE enrolment_links SET revoked_at = COALESCE(revoked_at, ?3)
                     WHERE id = ?1 AND school_id = ?2
                     RETURNING id, created_at, expires_at, revoked_at",
                    params![link_id.as_str(), school_id.as_str(), now.0],
                    |row| {
                        Ok(EnrolmentLink {
                            id: parsed(row, 0)?,
                            created_at: UnixMillis(row.get(1)?),
                            expires_at: UnixMillis(row.get(2)?),
                            revoked_at: row.get::<_, Option<u64>>(3)?.map(UnixMillis),
                        })
                    },
                )
                .optional()
        })
        .await
    }

    async fn enrol_device(&self, new: NewDevice) -> Result<EnrolmentOutcome, StoreError> {
        self.write("enrol a device", move |transaction| {
            let link = transaction
                .query_row(
                    "SELECT id, school_id, expires_at, revoked_at
                     FROM enrolment_links WHERE code_hash = ?1",
                    [new.code.as_bytes()],
                    |row| {
                        Ok((
                            row.get::<_, String>(0)?,
                            parsed::<SchoolId>(row, 1)?,
                            row.get::<_, u64>(2)?,
                            row.get::<_, Option<u64>>(3)?,
                        ))
                    },
                )
                .optional()?;
            let Some((link_id, school_id, expires_at, revoked_at)) = link else {
                return Ok(EnrolmentOutcome::Refused(CodeRefusal::Unknown));
            };
            let record = CodeRecord {
                expires_at: UnixMillis(expires_at),
                used: CodeUse::Unused,
                revoked: revoked_at.is_some(),
            };
            if let Some(refusal) = code_refusal(&record, new.device.enrolled_at) {
                return Ok(EnrolmentOutcome::Refused(refusal));
            }
            transaction.execute(
                "INSERT INTO devices (id, school_id, enrolment_link_id, token_hash, enrolled_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    new.device.id.as_str(),
                    school_id.as_str(),
                    link_id,
                    new.token.as_bytes(),
                    new.device.enrolled_at.0
                ],
            )?;
            let (school, chain) = read_school_keys(transaction, &school_id)?;
            Ok(EnrolmentOutcome::Enrolled { school, chain })
        })
        .await
    }

    async fn device_by_token(
        &self,
        token: SecretHash,
    ) -> Result<TokenLookup<DeviceCredential>, StoreError> {
        self.read_here("look up a device token", move |connection| {
            lookup_token(
                connection,
                "SELECT id, school_id, revoked_at FROM devices WHERE token_hash = ?1",
                token,
                |device_id, school_id| DeviceCredential {
                    device_id,
                    school_id,
                },
            )
        })
        .await
    }

    async fn revoke_device(
        &self,
        school_id: SchoolId,
        device_id: DeviceId,
        now: UnixMillis,
    ) -> Result<Option<Device>, StoreError> {
        self.write("revoke a device", move |transaction| {
            transaction
                .query_row(
                    "UPDATE devices SET revoked_at = COALESCE(revoked_at, ?3)
                     WHERE id = ?1 AND school_id = ?2
                     RETURNING id, enrolled_at, revoked_at",
                    params![device_id.as_str(), school_id.as_str(), now.0],
                    |row| {
                        Ok(Device {
                            id: parsed(row, 0)?,
                            enrolled_at: UnixMillis(row.get(1)?),
                            revoked_at: row.get::<_, Option<u64>>(2)?.map(UnixMillis),
                        })
                    },
                )
                .optional()
        })
        .await
    }

    async fn school_keys(
        &self,
        school_id: SchoolId,
    ) -> Result<(School, Vec<SignedVersion>), StoreError> {
        self.read("read a school's keys", move |connection| {
            read_school_keys(connection, &school_id)
        })
        .await
    }

    async fn submit_report(&self, new: NewReport) -> Result<SubmissionOutcome, StoreError> {
        self.write("store a report", move |transaction| {
            store_report(transaction, new)
        })
        .await
    }

    async fn report_receipt(
        &self,
        school_id: SchoolId,
        report_id: ReportUuid,
    ) -> Result<Option<ReportReceipt>, StoreError> {
        self.read("read a report's receipt", move |connection| {
            connection
                .query_row(
                    &format!(
                        "SELECT {RECEIPT_COLUMNS} FROM reports WHERE id = ?1 AND school_id = ?2"
                    ),
                    [report_id.as_str(), school_id.as_str()],
                    |row| receipt_from_row(row, 0),
                )
                .optional()
        })
        .await
    }

    async fn team_reports(
        &self,
        school_id: SchoolId,
        page: ReportPage,
    ) -> Result<Vec<TeamReport>, StoreError> {
        self.read("list a school's reports", move |connection| {
            read_team_reports(connection, &school_id, &page)
        })
        .await
    }

    async fn record_status_change(
        &self,
        new: NewStatusChange,
    ) -> Result<StatusChangeOutcome, StoreError> {
        self.write("record a status change", move |transaction| {
            record_status_change(transaction, new)
        })
        .await
    }

    async fn forget_closed_reports(
        &self,
        closed_before: UnixMillis,
        now: UnixMillis,
    ) -> Result<u64, StoreError> {
        self.write("forget closed reports", move |transaction| {
            transaction.execute(
                "DELETE FROM report_status_changes WHERE report_id IN
                     (SELECT id FROM reports WHERE closed_at <= ?1 AND envelope IS NOT NULL)",
                [closed_before.0],
            )?;
            let forgotten = transaction.execute(
                "UPDATE reports SET envelope = NULL, envelope_deleted_at = ?2
                 WHERE closed_at <= ?1 AND envelope IS NOT NULL",
                [closed_before.0, now.0],
            )?;
            Ok(u64::try_from(forgotten).unwrap_or(u64::MAX))
        })
        .await
    }
}

/// The columns [`team_report_from_row`] reads, in its order.
const TEAM_REPORT_COLUMNS: &str = "id, received_at, size, catalogue_version, status, closed_at, \
                                   envelope, envelope_sha256";

fn read_team_reports(
    connection: &Connection,
    school_id: &SchoolId,
    page: &ReportPage,
) -> rusqlite::Result<Vec<TeamReport>> {
    // Times are stored as signed 64-bit integers.
    let (after_time, after_id) = page.after.as_ref().map_or((i64::MAX, None), |cursor| {
        (
            i64::try_from(cursor.received_at.0).unwrap_or(i64::MAX),
            Some(cursor.report_id.as_str()),
        )
    });
    let mut reports = connection
        .prepare_cached(&format!(
            "SELECT {TEAM_REPORT_COLUMNS} FROM reports
             WHERE school_id = ?1 AND envelope IS NOT NULL
               AND (?3 IS NULL OR received_at < ?2 OR (received_at = ?2 AND id < ?3))
             ORDER BY received_at DESC, id DESC LIMIT ?4"
        ))?
        .query_map(
            params![school_id.as_str(), after_time, after_id, page.limit],
            team_report_from_row,
        )?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut changes = connection.prepare_cached(&format!(
        "SELECT {STATUS_CHANGE_COLUMNS} FROM report_status_changes
         WHERE report_id = ?1 ORDER BY recorded_at, id"
    ))?;
    for report in &mut reports {
        report.status_changes = changes
            .query_map([report.report_id.as_str()], status_change_from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
    }
    Ok(reports)
}

fn team_report_from_row(row: &Row<'_>) -> rusqlite::Result<TeamReport> {
    let digest: [u8; 32] = row.get(7)?;
    Ok(TeamReport {
        report_id: parsed(row, 0)?,
        received_at: UnixMillis(row.get(1)?),
        size: row.get(2)?,
        catalogue_version: CatalogueVersion::new(row.get::<_, String>(3)?),
        status: report_status(row, 4)?,
        closed_at: row.get::<_, Option<u64>>(5)?.map(UnixMillis),
        envelope: Envelope::from_bytes(row.get(6)?),
        envelope_sha256: Sha256Digest::from_bytes(digest),
        status_changes: Vec::new(),
    })
}

/// The columns [`status_change_from_row`] reads, in its order.
const STATUS_CHANGE_COLUMNS: &str =
    "id, report_id, coarse_status, recorded_at, envelope, envelope_sha256";

fn status_change_from_row(row: &Row<'_>) -> rusqlite::Result<StatusChange> {
    let digest: [u8; 32] = row.get(5)?;
    let coarse_status: String = row.get(2)?;
    Ok(StatusChange {
        change_id: parsed(row, 0)?,
        report_id: parsed(row, 1)?,
        coarse_status: coarse_status_from_text(&coarse_status)
            .ok_or_else(|| not_convertible(2, format!("coarse status {coarse_status:?}")))?,
        recorded_at: UnixMillis(row.get(3)?),
        envelope: Envelope::from_bytes(row.get(4)?),
        envelope_sha256: Sha256Digest::from_bytes(digest),
    })
}

/// Records `new` unless its change id is known (a retry or a conflict), on a report of its
/// school whose envelope is kept; the reporter's status only ever goes up, `closed_at` is set
/// once.
fn record_status_change(
    transaction: &Transaction<'_>,
    new: NewStatusChange,
) -> rusqlite::Result<StatusChangeOutcome> {
    let change = new.change;
    let report = transaction
        .query_row(
            "SELECT status, closed_at, envelope IS NULL FROM reports
             WHERE id = ?1 AND school_id = ?2",
            [change.report_id.as_str(), new.school_id.as_str()],
            |row| {
                Ok((
                    report_status(row, 0)?,
                    row.get::<_, Option<u64>>(1)?.map(UnixMillis),
                    row.get::<_, bool>(2)?,
                ))
            },
        )
        .optional()?;
    let Some((status, closed_at, forgotten)) = report else {
        return Ok(StatusChangeOutcome::ReportNotFound);
    };
    let earlier = transaction
        .query_row(
            "SELECT report_id, coarse_status, envelope_sha256, recorded_at
             FROM report_status_changes WHERE id = ?1",
            [change.change_id.as_str()],
            |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, [u8; 32]>(2)?,
                    UnixMillis(row.get(3)?),
                ))
            },
        )
        .optional()?;
    if let Some((report_id, coarse_status, digest, recorded_at)) = earlier {
        let identical = report_id == change.report_id.as_str()
            && coarse_status == coarse_status_text(change.coarse_status)
            && &digest == change.envelope_sha256.as_bytes();
        return Ok(if identical {
            StatusChangeOutcome::AlreadyRecorded(RecordedStatusChange {
                change: StatusChange {
                    recorded_at,
                    ..change
                },
                status,
                closed_at,
            })
        } else {
            StatusChangeOutcome::Conflict
        });
    }
    if forgotten {
        return Ok(StatusChangeOutcome::ReportForgotten);
    }
    transaction.execute(
        "INSERT INTO report_status_changes
             (id, report_id, coarse_status, envelope, envelope_sha256, recorded_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            change.change_id.as_str(),
            change.report_id.as_str(),
            coarse_status_text(change.coarse_status),
            change.envelope.as_bytes(),
            change.envelope_sha256.as_bytes(),
            change.recorded_at.0
        ],
    )?;
    let status = status.max(change.coarse_status.reporter_status());
    let closed_at =
        closed_at.or((change.coarse_status == CoarseStatus::Closed).then_some(change.recorded_at));
    transaction.execute(
        "UPDATE reports SET status = ?2, closed_at = ?3 WHERE id = ?1",
        params![
            change.report_id.as_str(),
            status_text(status),
            closed_at.map(|time| time.0)
        ],
    )?;
    Ok(StatusChangeOutcome::Recorded(RecordedStatusChange {
        change,
        status,
        closed_at,
    }))
}

/// Stores `new` unless its id is known: then it is a retry (same school, catalogue version and
/// envelope: the first receipt) or a conflict. The insert comes first and the earlier row is
/// read only when it finds one, so a new report (nearly every one) costs one statement.
fn store_report(
    transaction: &Transaction<'_>,
    new: NewReport,
) -> rusqlite::Result<SubmissionOutcome> {
    let envelope = new.envelope.as_bytes();
    let inserted = transaction
        .prepare_cached(
            "INSERT INTO reports (id, school_id, envelope, envelope_sha256, size,
                                  catalogue_version, received_at, status)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
             ON CONFLICT (id) DO NOTHING",
        )?
        .execute(params![
            new.receipt.report_id.as_str(),
            new.school_id.as_str(),
            envelope,
            new.receipt.envelope_sha256.as_bytes(),
            envelope.len(),
            new.catalogue_version.as_str(),
            new.receipt.received_at.0,
            status_text(new.receipt.status)
        ])?;
    if inserted == 1 {
        return Ok(SubmissionOutcome::Stored(new.receipt));
    }
    let (school_id, catalogue_version, receipt) = transaction
        .prepare_cached(&format!(
            "SELECT school_id, catalogue_version, {RECEIPT_COLUMNS}
             FROM reports WHERE id = ?1"
        ))?
        .query_row([new.receipt.report_id.as_str()], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                receipt_from_row(row, 2)?,
            ))
        })?;
    let identical = school_id == new.school_id.as_str()
        && catalogue_version == new.catalogue_version.as_str()
        && receipt.envelope_sha256 == new.receipt.envelope_sha256;
    Ok(if identical {
        SubmissionOutcome::AlreadyStored(receipt)
    } else {
        SubmissionOutcome::Conflict
    })
}

/// Finds a token with `query`, which selects the holder's id, school and the time it stopped
/// working (`NULL` while valid).
fn lookup_token<Id, T>(
    connection: &Connection,
    query: &str,
    token: SecretHash,
    credential: impl FnOnce(Id, SchoolId) -> T,
) -> rusqlite::Result<TokenLookup<T>>
where
    Id: TryFrom<String>,
    Id::Error: std::error::Error + Send + Sync + 'static,
{
    let found = connection
        .prepare_cached(query)?
        .query_row([token.as_bytes()], |row| {
            Ok((
                parsed::<Id>(row, 0)?,
                parsed::<SchoolId>(row, 1)?,
                row.get::<_, Option<u64>>(2)?,
            ))
        })
        .optional()?;
    Ok(match found {
        None => TokenLookup::Unknown,
        Some((_, _, Some(_))) => TokenLookup::Revoked,
        Some((id, school_id, None)) => TokenLookup::Valid(credential(id, school_id)),
    })
}

/// The columns [`member_from_row`] reads, in its order.
/// A set-up code's expiry, use, replacement (a renewal marks the member's earlier codes used
/// at the very time its new code is created) and whether its member was removed.
const SETUP_CODE_RECORD: &str = "SELECT c.expires_at, c.used_at,
        EXISTS (SELECT 1 FROM setup_codes n WHERE n.member_id = c.member_id
                AND n.code_hash <> c.code_hash AND n.created_at = c.used_at),
        EXISTS (SELECT 1 FROM team_members m WHERE m.id = c.member_id
                AND m.removed_at IS NOT NULL)
     FROM setup_codes c WHERE c.code_hash = ?1";

/// An enrolment code's expiry and revocation, in [`SETUP_CODE_RECORD`]'s columns.
const ENROLMENT_CODE_RECORD: &str = "SELECT expires_at, NULL, FALSE, revoked_at IS NOT NULL
     FROM enrolment_links WHERE code_hash = ?1";

const MEMBER_COLUMNS: &str = "id, display_name, public_key, fingerprint, added_at, removed_at";

fn member_from_row(row: &Row<'_>) -> rusqlite::Result<TeamMember> {
    Ok(TeamMember {
        id: parsed(row, 0)?,
        display_name: parsed(row, 1)?,
        public_key: parsed(row, 2)?,
        fingerprint: parsed(row, 3)?,
        added_at: UnixMillis(row.get(4)?),
        removed_at: row.get::<_, Option<u64>>(5)?.map(UnixMillis),
    })
}

/// The columns [`receipt_from_row`] reads, in its order.
const RECEIPT_COLUMNS: &str = "id, received_at, status, envelope_sha256";

fn receipt_from_row(row: &Row<'_>, first: usize) -> rusqlite::Result<ReportReceipt> {
    let digest: [u8; 32] = row.get(first + 3)?;
    Ok(ReportReceipt {
        report_id: parsed(row, first)?,
        received_at: UnixMillis(row.get(first + 1)?),
        status: report_status(row, first + 2)?,
        envelope_sha256: Sha256Digest::from_bytes(digest),
    })
}

fn report_status(row: &Row<'_>, index: usize) -> rusqlite::Result<ReportStatus> {
    let status: String = row.get(index)?;
    match status.as_str() {
        "received" => Ok(ReportStatus::Received),
        "acted_upon" => Ok(ReportStatus::ActedUpon),
        _ => Err(not_convertible(index, format!("status {status:?}"))),
    }
}

fn status_text(status: ReportStatus) -> &'static str {
    match status {
        ReportStatus::Received => "received",
        ReportStatus::ActedUpon => "acted_upon",
    }
}

/// A text column read into a validated domain type.
fn parsed<T>(row: &Row<'_>, index: usize) -> rusqlite::Result<T>
where
    T: TryFrom<String>,
    T::Error: std::error::Error + Send + Sync + 'static,
{
    let text: String = row.get(index)?;
    T::try_from(text)
        .map_err(|error| rusqlite::Error::FromSqlConversionFailure(index, Type::Text, error.into()))
}

fn not_convertible(index: usize, what: String) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(index, Type::Text, what.into())
}

/// Redeems a set-up code (see [`Store::redeem_setup_code`]).
fn redeem(
    transaction: &Transaction<'_>,
    redemption: &SetupRedemption,
) -> rusqlite::Result<SetupOutcome> {
    let code = transaction
        .query_row(
            "SELECT c.school_id, c.member_id, c.expires_at, c.used_at,
                EXISTS (SELECT 1 FROM team_members m WHERE m.id = c.member_id
                        AND m.removed_at IS NOT NULL)
             FROM setup_codes c WHERE c.code_hash = ?1",
            [redemption.code.as_bytes()],
            |row| {
                let record = CodeRecord {
                    expires_at: UnixMillis(row.get(2)?),
                    used: match row.get::<_, Option<u64>>(3)? {
                        None => CodeUse::Unused,
                        Some(_) => CodeUse::Redeemed,
                    },
                    revoked: row.get(4)?,
                };
                Ok((
                    parsed::<SchoolId>(row, 0)?,
                    row.get::<_, Option<String>>(1)?,
                    record,
                ))
            },
        )
        .optional()?;
    let Some((school_id, approved_member, record)) = code else {
        return Ok(SetupOutcome::Refused(CodeRefusal::Unknown));
    };
    if school_id != redemption.school_id {
        return Ok(SetupOutcome::Refused(CodeRefusal::Unknown));
    }
    if let Some(refusal) = code_refusal(&record, redemption.now) {
        return Ok(SetupOutcome::Refused(refusal));
    }
    let member = &redemption.member;
    match (approved_member, &redemption.founding) {
        (None, Some((founding, hash))) => {
            if head_number(transaction, &school_id)? != 0 {
                return Ok(SetupOutcome::ChainConflict);
            }
            if !upsert_member(transaction, &school_id, member)? {
                return Ok(SetupOutcome::MemberIdTaken);
            }
            append_version(transaction, &school_id, founding, hash, redemption.now)?;
        }
        (Some(member_id), None) if member_id == member.id.as_str() => {
            let approved = transaction.query_row(
                "SELECT public_key, signing_key, removed_at FROM team_members WHERE id = ?1",
                [&member_id],
                |row| {
                    Ok((
                        row.get::<_, String>(0)?,
                        row.get::<_, Option<String>>(1)?,
                        row.get::<_, Option<u64>>(2)?,
                    ))
                },
            )?;
            match approved {
                (_, _, Some(_)) => return Ok(SetupOutcome::Refused(CodeRefusal::Revoked)),
                (recipient, Some(signing_key), None)
                    if recipient == member.recipient.as_str()
                        && signing_key == member.signing_key.to_hex() => {}
                _ => return Ok(SetupOutcome::KeyMismatch),
            }
        }
        _ => return Ok(SetupOutcome::KeyMismatch),
    }
    transaction.execute(
        "UPDATE team_members SET token_hash = ?2 WHERE id = ?1",
        params![member.id.as_str(), redemption.token.as_bytes()],
    )?;
    transaction.execute(
        "UPDATE setup_codes SET used_at = ?2 WHERE code_hash = ?1",
        params![redemption.code.as_bytes(), redemption.now.0],
    )?;
    let (school, chain) = read_school_keys(transaction, &school_id)?;
    Ok(SetupOutcome::Redeemed { school, chain })
}

/// Appends a verified version and makes its change (see [`Store::append_chain`]). The only
/// refusal after a change comes first, so a refused append changes nothing.
fn append_to_chain(
    transaction: &Transaction<'_>,
    append: &ChainAppend,
) -> rusqlite::Result<AppendOutcome> {
    let school_id = &append.school_id;
    let number = append.version.version.number();
    if head_number(transaction, school_id)?.checked_add(1) != Some(number) {
        return Ok(AppendOutcome::Conflict);
    }
    let member_id = match &append.effect {
        MemberEffect::Add(member) | MemberEffect::ReRegister(member) => {
            if !upsert_member(transaction, school_id, member)? {
                return Ok(AppendOutcome::MemberIdTaken);
            }
            &member.id
        }
        MemberEffect::Remove(member_id) => {
            transaction.execute(
                "UPDATE team_members SET removed_at = ?3
                 WHERE id = ?1 AND school_id = ?2 AND removed_at IS NULL",
                params![member_id.as_str(), school_id.as_str(), append.now.0],
            )?;
            member_id
        }
    };
    if let Some((code, expires_at)) = &append.setup_code {
        transaction.execute(
            "UPDATE setup_codes SET used_at = ?2 WHERE member_id = ?1 AND used_at IS NULL",
            params![member_id.as_str(), append.now.0],
        )?;
        transaction.execute(
            "INSERT INTO setup_codes (code_hash, school_id, member_id, created_at, expires_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                code.as_bytes(),
                school_id.as_str(),
                member_id.as_str(),
                append.now.0,
                expires_at.0
            ],
        )?;
    }
    append_version(
        transaction,
        school_id,
        &append.version,
        &append.hash,
        append.now,
    )?;
    Ok(AppendOutcome::Appended {
        chain: read_chain(transaction, school_id)?,
    })
}

/// The number of the school's last version; 0 before its first.
fn head_number(connection: &Connection, school_id: &SchoolId) -> rusqlite::Result<u64> {
    connection.query_row(
        "SELECT COALESCE(MAX(number), 0) FROM team_chain WHERE school_id = ?1",
        [school_id.as_str()],
        |row| row.get(0),
    )
}

fn append_version(
    transaction: &Transaction<'_>,
    school_id: &SchoolId,
    version: &SignedVersion,
    hash: &Sha256Digest,
    now: UnixMillis,
) -> rusqlite::Result<()> {
    let json = version_to_json(version)
        .map_err(|error| rusqlite::Error::ToSqlConversionFailure(error.into()))?;
    transaction.execute(
        "INSERT INTO team_chain (school_id, number, signed, hash, appended_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            school_id.as_str(),
            version.version.number(),
            json,
            hash.to_hex(),
            now.0
        ],
    )?;
    Ok(())
}

fn read_chain(
    connection: &Connection,
    school_id: &SchoolId,
) -> rusqlite::Result<Vec<SignedVersion>> {
    connection
        .prepare_cached("SELECT signed FROM team_chain WHERE school_id = ?1 ORDER BY number")?
        .query_map([school_id.as_str()], |row| {
            let text: String = row.get(0)?;
            version_from_json(&text).map_err(|error| {
                rusqlite::Error::FromSqlConversionFailure(0, Type::Text, error.into())
            })
        })?
        .collect()
}

/// Makes `member` a current member of the school as the chain lists them, with no token yet:
/// a new row, or a row of the same school (a member added again, or re-registered) updated.
/// `false` when the id is another school's member's (nothing changed).
fn upsert_member(
    transaction: &Transaction<'_>,
    school_id: &SchoolId,
    member: &ChainMember,
) -> rusqlite::Result<bool> {
    let changed = transaction.execute(
        "INSERT INTO team_members
             (id, school_id, display_name, public_key, fingerprint, signing_key, added_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (id) DO UPDATE SET display_name = excluded.display_name,
             public_key = excluded.public_key, fingerprint = excluded.fingerprint,
             signing_key = excluded.signing_key, added_at = excluded.added_at,
             removed_at = NULL, token_hash = NULL
         WHERE team_members.school_id = excluded.school_id",
        params![
            member.id.as_str(),
            school_id.as_str(),
            member.display_name.as_str(),
            member.recipient.as_str(),
            crate::age_format::fingerprint(&member.recipient).as_str(),
            member.signing_key.to_hex(),
            member.added_at.0
        ],
    )?;
    Ok(changed == 1)
}

fn read_school_keys(
    connection: &Connection,
    school_id: &SchoolId,
) -> rusqlite::Result<(School, Vec<SignedVersion>)> {
    let school = connection.query_row(
        "SELECT id, name FROM schools WHERE id = ?1",
        [school_id.as_str()],
        |row| {
            Ok(School {
                id: parsed(row, 0)?,
                name: parsed(row, 1)?,
            })
        },
    )?;
    Ok((school, read_chain(connection, school_id)?))
}

fn open_blocking(data_dir: &Path) -> Result<SqliteStore, StoreError> {
    std::fs::create_dir_all(data_dir).map_err(|source| location(data_dir, source))?;
    let path = SqliteStore::database_path(data_dir);
    let mut connection = Connection::open(&path).map_err(|source| location(&path, source))?;
    configure(&connection).map_err(|source| location(&path, source))?;
    migrate(&mut connection)?;
    // Opened after the migration, so they see the whole schema; the writer keeps the WAL open.
    let readers = (0..READ_CONNECTIONS)
        .map(|_| open_reader(&path))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|source| backend("open a read-only connection", source))?;
    let checkpointer = open_checkpointer(&path)?;
    let (wake_checkpointer, woken) = mpsc::sync_channel(1);
    std::thread::Builder::new()
        .name("sqlite-checkpt".to_owned())
        .spawn(move || run_checkpointer(&checkpointer, &woken))
        .map_err(|source| backend("start the database checkpointer", source))?;
    // Replaces the automatic checkpoint. The hook (and with it the checkpointer's channel)
    // goes when the writer's connection closes, which ends the checkpointer.
    connection
        .wal_hook(Some(move |_: &mut rusqlite::hooks::Wal, pages| {
            if pages >= CHECKPOINT_PAGES {
                // Full: a wake-up is already pending.
                let _ = wake_checkpointer.try_send(());
            }
            Ok(())
        }))
        .map_err(|source| backend("hand checkpoints to the checkpointer", source))?;
    let (writes, queued) = mpsc::channel();
    std::thread::Builder::new()
        .name("sqlite-writer".to_owned())
        .spawn(move || run_writer(connection, &queued))
        .map_err(|source| backend("start the database writer", source))?;
    Ok(SqliteStore {
        writes,
        readers: Arc::new(ReaderPool::new(readers)),
    })
}

fn open_checkpointer(path: &Path) -> Result<Connection, StoreError> {
    let connection = Connection::open(path).map_err(|source| location(path, source))?;
    configure(&connection).map_err(|source| location(path, source))?;
    // Its own commits (none) must not start checkpoints of their own.
    connection
        .pragma_update(None, "wal_autocheckpoint", 0)
        .map_err(|source| backend("open the checkpointer's connection", source))?;
    Ok(connection)
}

/// Runs a passive checkpoint each time the writer says the WAL has grown; it copies what no
/// reader still needs and never blocks the writer. Ends when the writer's connection closes.
fn run_checkpointer(connection: &Connection, woken: &mpsc::Receiver<()>) {
    while woken.recv().is_ok() {
        match connection.wal_checkpoint_v2(None::<&str>, CheckpointMode::PASSIVE) {
            Ok(_) => {}
            // Another connection was checkpointing or resetting the WAL: the writer's next
            // commit asks again.
            Err(error) if error.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy) => {
                tracing::debug!(%error, "WAL checkpoint deferred");
            }
            Err(error) => {
                tracing::warn!(%error, "a WAL checkpoint failed; the next one will retry")
            }
        }
    }
}

fn open_reader(path: &Path) -> rusqlite::Result<Connection> {
    let connection = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    connection.busy_timeout(BUSY_TIMEOUT)?;
    Ok(connection)
}

fn configure(connection: &Connection) -> Result<(), BackendError> {
    if connection.is_readonly("main")? {
        return Err("the file is read-only".into());
    }
    connection.busy_timeout(BUSY_TIMEOUT)?;
    let journal_mode: String =
        connection.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))?;
    if !journal_mode.eq_ignore_ascii_case("wal") {
        return Err(format!("journal_mode stays {journal_mode:?}, WAL is needed").into());
    }
    connection.pragma_update(None, "synchronous", "FULL")?;
    connection.pragma_update(None, "foreign_keys", "ON")?;
    Ok(())
}

fn migrate(connection: &mut Connection) -> Result<(), StoreError> {
    let supported = MIGRATIONS.last().map_or(0, |migration| migration.version);
    connection
        .execute_batch(
            "CREATE TABLE IF NOT EXISTS schema_migrations (
                 version    INTEGER PRIMARY KEY NOT NULL,
                 applied_at TEXT NOT NULL
             ) STRICT",
        )
        .map_err(|source| backend("create schema_migrations", source))?;
    loop {
        // Immediate: a second server starting on the same file waits instead of racing.
        let transaction = connection
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|source| backend("start a migration", source))?;
        let current: u32 = transaction
            .query_row(
                "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
                [],
                |row| row.get(0),
            )
            .map_err(|source| backend("read the schema version", source))?;
        if current > supported {
            return Err(StoreError::SchemaTooNew {
                found: current,
                supported,
            });
        }
        let Some(migration) = MIGRATIONS
            .iter()
            .find(|migration| migration.version > current)
        else {
            return Ok(());
        };
        transaction
            .execute_batch(migration.sql)
            .and_then(|()| {
                transaction.execute(
                    "INSERT INTO schema_migrations (version, applied_at)
                     VALUES (?1, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
                    [migration.version],
                )
            })
            .and_then(|_| transaction.commit())
            .map_err(|source| backend("apply a database migration", source))?;
        tracing::info!(version = migration.version, "applied database migration");
    }
}

fn location(path: &Path, source: impl Into<BackendError>) -> StoreError {
    StoreError::Location {
        path: path.to_path_buf(),
        source: source.into(),
    }
}

fn backend(operation: &'static str, source: impl Into<BackendError>) -> StoreError {
    StoreError::Backend {
        operation,
        source: source.into(),
    }
}

#[cfg(test)]
mod tests {
    //! The writer's batches, run directly on a migrated database: one batch of writes must
    //! answer each write exactly as running them one after another would, and commit only what
    //! it answers as done.

    #![allow(
        clippy::unwrap_used,
        clippy::expect_used,
        reason = "a failed unwrap is a failed test"
    )]

    use prepoznaj_domain::{catalogue::CatalogueVersion, protocol::Envelope};
    use sha2::{Digest as _, Sha256};
    use tempfile::TempDir;

    use super::*;

    type Answer<T> = oneshot::Receiver<Result<T, StoreError>>;

    fn migrated() -> (TempDir, Connection) {
        let data_dir = TempDir::new().unwrap();
        let mut connection = Connection::open(SqliteStore::database_path(data_dir.path())).unwrap();
        configure(&connection).unwrap();
        migrate(&mut connection).unwrap();
        (data_dir, connection)
    }

    fn add_school(connection: &Connection, id_byte: u8) -> SchoolId {
        let id = SchoolId::new_v7(UnixMillis(1_764_230_400_000), [id_byte; 10]);
        connection
            .execute(
                "INSERT INTO schools (id, name, created_at) VALUES (?1, 'ОШ', 0)",
                [id.as_str()],
            )
            .unwrap();
        id
    }

    fn report_id(id_byte: u8) -> ReportUuid {
        ReportUuid::new_v7(UnixMillis(1_764_230_400_000), [id_byte; 10])
    }

    /// A report of `school` under `id` with `envelope`, received at `received_at`.
    fn report(school: &SchoolId, id: &ReportUuid, envelope: &[u8], received_at: u64) -> NewReport {
        NewReport {
            school_id: school.clone(),
            receipt: ReportReceipt {
                report_id: id.clone(),
                received_at: UnixMillis(received_at),
                status: ReportStatus::Received,
                envelope_sha256: Sha256Digest::from_bytes(Sha256::digest(envelope).into()),
            },
            envelope: Envelope::from_bytes(envelope.to_vec()),
            catalogue_version: CatalogueVersion::new("2021-r1"),
        }
    }

    fn queued<T, F>(work: F) -> (Box<dyn Write>, Answer<T>)
    where
        T: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> rusqlite::Result<T> + Send + 'static,
    {
        let (write, answer) = PendingWrite::new("test write", work);
        (Box::new(write), answer)
    }

    fn submission(new: NewReport) -> (Box<dyn Write>, Answer<SubmissionOutcome>) {
        queued(move |transaction| store_report(transaction, new))
    }

    fn answered<T>(mut answer: Answer<T>) -> Result<T, StoreError> {
        answer.try_recv().expect("every write is answered")
    }

    fn stored(connection: &Connection) -> Vec<(String, Vec<u8>, u64)> {
        connection
            .prepare("SELECT id, envelope, received_at FROM reports ORDER BY id")
            .unwrap()
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    }

    #[test]
    fn one_batch_answers_resends_and_conflicts_as_if_run_one_after_another() {
        let (_data_dir, mut connection) = migrated();
        let school = add_school(&connection, 1);
        let other_school = add_school(&connection, 2);
        let (first, second) = (report_id(10), report_id(11));
        let mut batch = Vec::new();
        let mut answers = Vec::new();
        for new in [
            report(&school, &first, b"first", 100),
            report(&school, &first, b"first", 200),
            report(&school, &first, b"another envelope", 300),
            report(&other_school, &first, b"first", 400),
            report(&school, &second, b"second", 500),
            report(&school, &second, b"second", 600),
        ] {
            let (write, answer) = submission(new);
            batch.push(write);
            answers.push(answer);
        }

        commit_batch(&mut connection, batch);

        let outcomes: Vec<SubmissionOutcome> = answers
            .into_iter()
            .map(|answer| answered(answer).unwrap())
            .collect();
        let receipt_at = |outcome: &SubmissionOutcome| match outcome {
            SubmissionOutcome::Stored(receipt) | SubmissionOutcome::AlreadyStored(receipt) => {
                Some(receipt.received_at.0)
            }
            SubmissionOutcome::Conflict => None,
        };
        assert!(matches!(outcomes[0], SubmissionOutcome::Stored(_)));
        assert!(
            matches!(outcomes[1], SubmissionOutcome::AlreadyStored(_)),
            "an identical resend in the same batch is a retry"
        );
        assert_eq!(receipt_at(&outcomes[1]), Some(100), "the first receipt");
        assert!(matches!(outcomes[2], SubmissionOutcome::Conflict));
        assert!(
            matches!(outcomes[3], SubmissionOutcome::Conflict),
            "the same envelope from another school"
        );
        assert!(matches!(outcomes[4], SubmissionOutcome::Stored(_)));
        assert_eq!(receipt_at(&outcomes[5]), Some(500));
        assert_eq!(
            stored(&connection),
            [
                (first.as_str().to_owned(), b"first".to_vec(), 100),
                (second.as_str().to_owned(), b"second".to_vec(), 500),
            ]
        );
    }

    #[test]
    fn a_failing_write_is_undone_and_answered_alone_and_the_rest_of_its_batch_commits() {
        let (_data_dir, mut connection) = migrated();
        let school = add_school(&connection, 1);
        let unknown_school = SchoolId::new_v7(UnixMillis(1_764_230_400_000), [9; 10]);
        let (before, foreign_key, half_done, panicking, after) = (
            report(&school, &report_id(10), b"before", 100),
            report(&unknown_school, &report_id(11), b"no such school", 100),
            report(&school, &report_id(12), b"half done", 100),
            report(&school, &report_id(13), b"panics", 100),
            report(&school, &report_id(14), b"after", 100),
        );
        let (first, first_answer) = submission(before);
        let (orphan, orphan_answer) = submission(foreign_key);
        let (failing, failing_answer) = queued(move |transaction| {
            store_report(transaction, half_done)?;
            transaction.execute("INSERT INTO no_such_table VALUES (1)", [])
        });
        let (panics, panic_answer) = queued(move |transaction| -> rusqlite::Result<()> {
            store_report(transaction, panicking)?;
            panic!("a bug in a write");
        });
        let (last, last_answer) = submission(after);

        commit_batch(&mut connection, vec![first, orphan, failing, panics, last]);

        assert!(matches!(
            answered(first_answer),
            Ok(SubmissionOutcome::Stored(_))
        ));
        assert!(matches!(
            answered(orphan_answer),
            Err(StoreError::Backend { .. })
        ));
        assert!(answered(failing_answer).is_err());
        let panicked = answered(panic_answer).unwrap_err();
        assert!(
            format!("{:?}", panicked).contains("a bug in a write"),
            "{panicked:?}"
        );
        assert!(matches!(
            answered(last_answer),
            Ok(SubmissionOutcome::Stored(_))
        ));
        let ids: Vec<String> = stored(&connection).into_iter().map(|row| row.0).collect();
        assert_eq!(
            ids,
            [report_id(10).as_str(), report_id(14).as_str()],
            "the failed writes left nothing, even what they wrote before failing"
        );
    }

    #[test]
    fn when_the_batch_is_rolled_back_every_write_in_it_gets_an_error_and_nothing_is_kept() {
        let (_data_dir, mut connection) = migrated();
        let school = add_school(&connection, 1);
        let (stored_first, first_answer) =
            submission(report(&school, &report_id(10), b"first", 100));
        // What SQLite does on a full disk or an I/O error: the whole transaction is gone.
        let (rollback, rollback_answer) =
            queued(|transaction| transaction.execute_batch("ROLLBACK"));
        let (never_run, never_run_answer) =
            submission(report(&school, &report_id(11), b"second", 100));

        commit_batch(&mut connection, vec![stored_first, rollback, never_run]);

        for error in [
            answered(first_answer).map(drop),
            answered(rollback_answer),
            answered(never_run_answer).map(drop),
        ] {
            assert!(
                matches!(error, Err(StoreError::Backend { .. })),
                "{error:?}"
            );
        }
        assert_eq!(stored(&connection), []);
    }

    #[test]
    fn a_batch_that_cannot_begin_answers_every_write_with_an_error() {
        let (data_dir, mut connection) = migrated();
        let school = add_school(&connection, 1);
        // Another writer (an operator's command, say) holds the write lock past our patience.
        let other = Connection::open(SqliteStore::database_path(data_dir.path())).unwrap();
        other.execute_batch("BEGIN IMMEDIATE").unwrap();
        connection.busy_timeout(Duration::ZERO).unwrap();
        let (write, answer) = submission(report(&school, &report_id(10), b"first", 100));

        commit_batch(&mut connection, vec![write]);

        assert!(matches!(answered(answer), Err(StoreError::Backend { .. })));
        other.execute_batch("ROLLBACK").unwrap();
        assert_eq!(stored(&connection), []);
    }

    #[tokio::test]
    async fn the_checkpointer_moves_a_growing_wal_into_the_database_file() {
        let data_dir = TempDir::new().unwrap();
        let store = SqliteStore::open(data_dir.path()).await.unwrap();
        let path = SqliteStore::database_path(data_dir.path());
        let school = add_school(&Connection::open(&path).unwrap(), 1);
        let database_file_size = || std::fs::metadata(&path).unwrap().len();
        let size_before = database_file_size();
        // 1,000 reports of 8 KiB, sent together: about 8 MiB, well over CHECKPOINT_PAGES pages
        // of WAL however the writer batches them.
        let mut submissions = tokio::task::JoinSet::new();
        for index in 0..1_000_u16 {
            let mut envelope = vec![0_u8; 8 * 1024];
            envelope[..2].copy_from_slice(&index.to_be_bytes());
            let mut id = [0_u8; 10];
            id[..2].copy_from_slice(&index.to_be_bytes());
            let id = ReportUuid::new_v7(UnixMillis(1_764_230_400_000), id);
            let new = report(&school, &id, &envelope, 100);
            let store = store.clone();
            submissions.spawn(async move { store.submit_report(new).await });
        }
        for outcome in submissions.join_all().await {
            assert!(matches!(outcome, Ok(SubmissionOutcome::Stored(_))));
        }

        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while database_file_size() < size_before + 4_000_000 {
            assert!(
                std::time::Instant::now() < deadline,
                "no checkpoint: the database file is still {} bytes",
                database_file_size()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}
