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
//! **Forgotten reports leave the files.** Every writing connection runs with
//! `secure_delete` (deleted content is overwritten with zeros) and the database with
//! incremental auto-vacuum (converted once by a `VACUUM` at open if it was made without). A
//! retention run that forgot something runs `incremental_vacuum` in its own write, then asks
//! the checkpointer for a truncating checkpoint and answers only after it, so the WAL's older
//! page images of the envelopes are gone too (see `open::run_checkpointer` for why there).
//!
//! **Reads use a pool** of [`READ_CONNECTIONS`] read-only connections, on tokio's blocking pool
//! except token checks (see `SqliteStore::read_here`), so token checks, receipts and keys
//! never queue behind a commit. WAL readers see only
//! committed data, and a write is answered after its commit, so a read that follows an answer
//! sees that write.
//!
//! Where things are: this file holds [`SqliteStore`] and its [`Store`] methods (each one read
//! or write, with its query when it is short); `open` the connections' settings, the
//! migrations and the checkpointer; `writer` the group commit; `readers` the read-only
//! pool; `queries` the longer statements and the rows they read back. Decisions are not made
//! here but in `store::rules`.

mod open;
mod queries;
mod readers;
#[cfg(test)]
mod tests;
mod writer;

use self::{
    open::{Checkpoint, open_blocking},
    queries::{
        ENROLMENT_LINK_BY_CODE, RECEIPT_COLUMNS, SETUP_CODE_RECORD, append_to_chain, delete_school,
        enrolment_link_from_row, forget_reports, import_school, insert_school, lookup_token,
        new_setup_link, overview_from_row, parsed, parsed_cap, read_chain, read_devices,
        read_enrolment_links, read_school_contents, read_school_keys, read_statistics,
        read_team_reports, receipt_from_row, record_status_change, redeem, renew_setup_code,
        store_report,
    },
    readers::ReaderPool,
    writer::{PendingWrite, Write},
};
use std::{
    path::{Path, PathBuf},
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicUsize, Ordering},
        mpsc,
    },
    time::Duration,
};

use prepoznaj_domain::{
    link_check::{CodeRecord, CodeUse},
    observation::UnixMillis,
    protocol::{
        Device, DeviceId, DeviceName, EnrolmentLink, EnrolmentLinkId, LinkKind, ReportReceipt,
        ReportUuid, School, SchoolId, TeamDevice, TeamEnrolmentLink, TeamMember, TeamMemberId,
        TeamReport,
    },
    team_chain::SignedVersion,
};
use rusqlite::{Connection, OptionalExtension as _, Transaction, params, types::Type};
use tokio::{sync::oneshot, task::spawn_blocking};

use crate::credentials::SecretHash;

use super::{
    AppendOutcome, BackendError, ChainAppend, CodeRefusal, DeviceCredential, EnrolmentOutcome,
    ImportOutcome, NewDevice, NewEnrolmentLink, NewReport, NewSchool, NewSetupLink,
    NewStatusChange, ReportPage, ReportTotals, SchoolContents, SchoolOverview, SchoolRows,
    SetupCodeRenewal, SetupLinkOutcome, SetupOutcome, SetupRedemption, SetupTarget, Statistics,
    StatisticsPeriod, StatusChangeOutcome, Store, StoreError, SubmissionOutcome, TeamCredential,
    TokenLookup, code_refusal,
    rules::{self, DueReports},
    school_sql,
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

/// A migrated SQLite database shared by all requests: the writer thread's queue, the pool
/// of read-only connections and the checkpointer's queue. The writer thread ends when the
/// last clone is dropped.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    writes: mpsc::Sender<Box<dyn Write>>,
    /// Writes sent to the writer and not yet taken into a batch.
    waiting: Arc<AtomicUsize>,
    readers: Arc<ReaderPool>,
    checkpoints: mpsc::SyncSender<Checkpoint>,
    /// The WAL may still hold page images of forgotten envelopes: a purge deleted something
    /// and its truncating checkpoint has not succeeded yet.
    wal_holds_forgotten: Arc<AtomicBool>,
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

    /// Has the checkpointer copy every WAL frame into the database file and truncate the WAL
    /// (see [`Checkpoint::Truncate`]); answers once it has.
    async fn truncate_wal(&self) -> Result<(), StoreError> {
        const OPERATION: &str = "truncate the WAL after forgetting reports";
        let (answer, answered) = oneshot::channel();
        let checkpoints = self.checkpoints.clone();
        // Blocks while a passive checkpoint is queued; that one runs first.
        spawn_blocking(move || checkpoints.send(Checkpoint::Truncate(answer)))
            .await
            .map_err(|source| backend(OPERATION, source))?
            .map_err(|_| backend(OPERATION, "the checkpointer has stopped"))?;
        answered
            .await
            .map_err(|_| backend(OPERATION, "the checkpointer stopped before answering"))?
            .map_err(|source| backend(OPERATION, source))
    }

    /// Runs `work` in the writer's next batch; answers after that batch is committed (and
    /// fsynced). `work` runs in its own savepoint: its error undoes only its own changes.
    async fn write<T, F>(&self, operation: &'static str, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> rusqlite::Result<T> + Send + 'static,
    {
        let (write, answer) = PendingWrite::new(operation, work);
        self.waiting.fetch_add(1, Ordering::Relaxed);
        self.writes.send(Box::new(write)).map_err(|_| {
            self.waiting.fetch_sub(1, Ordering::Relaxed);
            backend(operation, "the database writer has stopped")
        })?;
        answer
            .await
            .map_err(|_| backend(operation, "the database writer stopped before answering"))?
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
            insert_school(transaction, &new)
        })
        .await
    }

    async fn import_school(&self, new: NewSchool) -> Result<ImportOutcome, StoreError> {
        self.write("import a school", move |transaction| {
            import_school(transaction, &new)
        })
        .await
    }

    async fn schools(&self) -> Result<Vec<SchoolOverview>, StoreError> {
        self.read("list the schools", |connection| {
            connection
                .prepare(school_sql::SCHOOLS)?
                .query_map([], overview_from_row)?
                .collect()
        })
        .await
    }

    async fn school_contents(
        &self,
        reference: String,
    ) -> Result<Option<SchoolContents>, StoreError> {
        self.read("read a school", move |connection| {
            read_school_contents(connection, &reference)
        })
        .await
    }

    async fn new_setup_link(
        &self,
        link: NewSetupLink,
    ) -> Result<Option<SetupLinkOutcome>, StoreError> {
        self.write("make a set-up code", move |transaction| {
            new_setup_link(transaction, &link)
        })
        .await
    }

    async fn delete_school(&self, school_id: SchoolId) -> Result<Option<SchoolRows>, StoreError> {
        self.write("delete a school", move |transaction| {
            delete_school(transaction, &school_id)
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
            if kind == LinkKind::Enrolment {
                return connection
                    .query_row(ENROLMENT_LINK_BY_CODE, [code.as_bytes()], |row| {
                        enrolment_link_from_row(row).map(rules::enrolment_record)
                    })
                    .optional();
            }
            connection
                .query_row(SETUP_CODE_RECORD, [code.as_bytes()], |row| {
                    let used = match (row.get::<_, Option<u64>>(1)?, row.get::<_, bool>(2)?) {
                        (None, _) => CodeUse::Unused,
                        (Some(_), false) => CodeUse::Redeemed,
                        (Some(_), true) => CodeUse::Replaced,
                    };
                    Ok(CodeRecord {
                        expires_at: UnixMillis(row.get(0)?),
                        used,
                        revoked: row.get(3)?,
                        full: false,
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
                "SELECT id, school_id, removed_at, NULL FROM team_members WHERE token_hash = ?1",
                token,
                |member_id, school_id, _| TeamCredential {
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
            renew_setup_code(transaction, &renewal)
        })
        .await
    }

    async fn create_enrolment_link(&self, new: NewEnrolmentLink) -> Result<(), StoreError> {
        self.write("create an enrolment link", move |transaction| {
            transaction.execute(
                "INSERT INTO enrolment_links
                     (id, school_id, code_hash, created_by, created_at, expires_at, max_devices)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    new.link.id.as_str(),
                    new.school_id.as_str(),
                    new.code.as_bytes(),
                    new.created_by.as_str(),
                    new.link.created_at.0,
                    new.link.expires_at.0,
                    new.link.max_devices.devices()
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
                     RETURNING id, created_at, expires_at, revoked_at, max_devices",
                    params![link_id.as_str(), school_id.as_str(), now.0],
                    |row| {
                        Ok(EnrolmentLink {
                            id: parsed(row, 0)?,
                            created_at: UnixMillis(row.get(1)?),
                            expires_at: UnixMillis(row.get(2)?),
                            revoked_at: row.get::<_, Option<u64>>(3)?.map(UnixMillis),
                            max_devices: parsed_cap(row, 4)?,
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
                .query_row(ENROLMENT_LINK_BY_CODE, [new.code.as_bytes()], |row| {
                    Ok((
                        row.get::<_, String>(0)?,
                        parsed::<SchoolId>(row, 1)?,
                        enrolment_link_from_row(row)?,
                    ))
                })
                .optional()?;
            let Some((link_id, school_id, link)) = link else {
                return Ok(EnrolmentOutcome::Refused(CodeRefusal::Unknown));
            };
            let record = rules::enrolment_record(link);
            if let Some(refusal) = code_refusal(&record, new.device.enrolled_at) {
                return Ok(EnrolmentOutcome::Refused(refusal));
            }
            transaction.execute(
                "INSERT INTO devices
                     (id, school_id, enrolment_link_id, token_hash, enrolled_at, name)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    new.device.id.as_str(),
                    school_id.as_str(),
                    link_id,
                    new.token.as_bytes(),
                    new.device.enrolled_at.0,
                    new.name.as_ref().map(DeviceName::as_str)
                ],
            )?;
            let (school, chain) = read_school_keys(transaction, &school_id)?;
            Ok(EnrolmentOutcome::Enrolled { school, chain })
        })
        .await
    }

    async fn enrolment_links(
        &self,
        school_id: SchoolId,
    ) -> Result<Vec<TeamEnrolmentLink>, StoreError> {
        self.read("list a school's enrolment links", move |connection| {
            read_enrolment_links(connection, &school_id)
        })
        .await
    }

    async fn devices(&self, school_id: SchoolId) -> Result<Vec<TeamDevice>, StoreError> {
        self.read("list a school's devices", move |connection| {
            read_devices(connection, &school_id)
        })
        .await
    }

    async fn device_seen(&self, device_id: DeviceId, now: UnixMillis) -> Result<(), StoreError> {
        self.write("note a device's last use", move |transaction| {
            transaction.execute(
                "UPDATE devices SET last_seen_at = ?2 WHERE id = ?1",
                params![device_id.as_str(), now.0],
            )?;
            Ok(())
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
                "SELECT id, school_id, revoked_at, last_seen_at FROM devices WHERE token_hash = ?1",
                token,
                |device_id, school_id, last_seen_at| DeviceCredential {
                    device_id,
                    school_id,
                    last_seen_at,
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

    async fn forget_reports(&self, due: DueReports) -> Result<u64, StoreError> {
        let forgotten = self
            .write("forget reports", move |transaction| {
                forget_reports(transaction, &due)
            })
            .await?;
        if forgotten > 0 {
            self.wal_holds_forgotten.store(true, Ordering::SeqCst);
        }
        // Also after a run that found nothing, if an earlier run's truncation failed.
        if self.wal_holds_forgotten.load(Ordering::SeqCst) {
            self.truncate_wal().await?;
            self.wal_holds_forgotten.store(false, Ordering::SeqCst);
        }
        Ok(forgotten)
    }

    async fn statistics(&self, period: StatisticsPeriod) -> Result<Statistics, StoreError> {
        self.read("count reports and devices per month", move |connection| {
            read_statistics(connection, period)
        })
        .await
    }

    async fn report_totals(&self) -> Result<ReportTotals, StoreError> {
        self.read("count the reports", |connection| {
            connection.query_row(
                "SELECT COUNT(*) FILTER (WHERE envelope IS NOT NULL),
                        COUNT(*) FILTER (WHERE envelope IS NULL)
                 FROM reports",
                [],
                |row| {
                    Ok(ReportTotals {
                        stored: row.get(0)?,
                        forgotten: row.get(1)?,
                    })
                },
            )
        })
        .await
    }

    fn writes_waiting(&self) -> usize {
        self.waiting.load(Ordering::Relaxed)
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
