//! Opening the database: its connections' settings, the migrations and the checkpointer.

use std::{
    path::Path,
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicUsize},
        mpsc,
    },
};

use rusqlite::{Connection, TransactionBehavior, wal::CheckpointMode};
use tokio::sync::oneshot;

use super::{
    BUSY_TIMEOUT, CHECKPOINT_PAGES, READ_CONNECTIONS, SqliteStore, backend, location,
    readers::{ReaderPool, open_reader},
    writer::run_writer,
};
use crate::store::{BackendError, StoreError};

struct Migration {
    version: u32,
    sql: &'static str,
}

/// Every migration, in order; versions are contiguous from 1.
const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        sql: include_str!("../../../migrations/sqlite/0001_init.sql"),
    },
    Migration {
        version: 2,
        sql: include_str!("../../../migrations/sqlite/0002_schools_devices_reports.sql"),
    },
    Migration {
        version: 3,
        sql: include_str!("../../../migrations/sqlite/0003_inbox_status_changes_retention.sql"),
    },
    Migration {
        version: 4,
        sql: include_str!("../../../migrations/sqlite/0004_team_chain.sql"),
    },
    Migration {
        version: 5,
        sql: include_str!("../../../migrations/sqlite/0005_quotas.sql"),
    },
    Migration {
        version: 6,
        sql: include_str!("../../../migrations/sqlite/0006_school_directory.sql"),
    },
    Migration {
        version: 7,
        sql: include_str!("../../../migrations/sqlite/0007_devices_and_link_caps.sql"),
    },
    Migration {
        version: 8,
        sql: include_str!("../../../migrations/sqlite/0008_acted_upon_time.sql"),
    },
];

/// Opens (creating and migrating as needed) the database in `data_dir` and starts the writer
/// and the checkpointer.
pub(super) fn open_blocking(data_dir: &Path) -> Result<SqliteStore, StoreError> {
    std::fs::create_dir_all(data_dir).map_err(|source| location(data_dir, source))?;
    let path = SqliteStore::database_path(data_dir);
    let mut connection = Connection::open(&path).map_err(|source| location(&path, source))?;
    configure(&connection).map_err(|source| location(&path, source))?;
    use_incremental_vacuum(&connection)?;
    migrate(&mut connection)?;
    // Opened after the migration, so they see the whole schema; the writer keeps the WAL open.
    let readers = (0..READ_CONNECTIONS)
        .map(|_| open_reader(&path))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|source| backend("open a read-only connection", source))?;
    let checkpointer = open_checkpointer(&path)?;
    let (checkpoints, woken) = mpsc::sync_channel(1);
    std::thread::Builder::new()
        .name("sqlite-checkpt".to_owned())
        .spawn(move || run_checkpointer(&checkpointer, &woken))
        .map_err(|source| backend("start the database checkpointer", source))?;
    // Replaces the automatic checkpoint. The hook's sender goes when the writer's connection
    // closes and the store's with the last store; then the checkpointer ends.
    let wake_checkpointer = checkpoints.clone();
    connection
        .wal_hook(Some(move |_: &mut rusqlite::hooks::Wal, pages| {
            if pages >= CHECKPOINT_PAGES {
                // Full: a checkpoint is already pending.
                let _ = wake_checkpointer.try_send(Checkpoint::Passive);
            }
            Ok(())
        }))
        .map_err(|source| backend("hand checkpoints to the checkpointer", source))?;
    let (writes, queued) = mpsc::channel();
    let waiting = Arc::new(AtomicUsize::new(0));
    let taken = Arc::clone(&waiting);
    std::thread::Builder::new()
        .name("sqlite-writer".to_owned())
        .spawn(move || run_writer(connection, &queued, &taken))
        .map_err(|source| backend("start the database writer", source))?;
    Ok(SqliteStore {
        writes,
        waiting,
        readers: Arc::new(ReaderPool::new(readers)),
        checkpoints,
        wal_holds_forgotten: Arc::new(AtomicBool::new(false)),
    })
}

pub(super) fn open_checkpointer(path: &Path) -> Result<Connection, StoreError> {
    let connection = Connection::open(path).map_err(|source| location(path, source))?;
    configure(&connection).map_err(|source| location(path, source))?;
    // Its own commits (none) must not start checkpoints of their own.
    connection
        .pragma_update(None, "wal_autocheckpoint", 0)
        .map_err(|source| backend("open the checkpointer's connection", source))?;
    Ok(connection)
}

/// What the checkpointer is asked to do.
#[derive(Debug)]
pub(super) enum Checkpoint {
    /// The WAL has grown: copy what no reader still needs, never blocking the writer.
    Passive,
    /// Reports were forgotten: copy every frame into the database file and truncate the WAL
    /// to zero bytes, so the page images that held their envelopes leave it; then answer.
    Truncate(oneshot::Sender<rusqlite::Result<()>>),
}

/// Runs the checkpoints the writer and the retention job ask for. Ends when the writer's
/// connection and every store are gone.
///
/// A truncating checkpoint runs here, never in the writer's batch: a connection inside a
/// transaction may not checkpoint (SQLite answers `SQLITE_LOCKED`), and the purge's zeroed
/// pages must be committed before the WAL is copied and cut. Here it waits (busy timeout) for
/// the writer's current batch and for readers on older snapshots, then holds the write lock
/// while it copies the WAL, so writes wait that long: only after a retention run that forgot
/// something (hourly at most).
pub(super) fn run_checkpointer(connection: &Connection, woken: &mpsc::Receiver<Checkpoint>) {
    while let Ok(checkpoint) = woken.recv() {
        match checkpoint {
            Checkpoint::Passive => {
                match connection.wal_checkpoint_v2(None::<&str>, CheckpointMode::PASSIVE) {
                    Ok(_) => {}
                    // Another connection was checkpointing or resetting the WAL: the writer's
                    // next commit asks again.
                    Err(error)
                        if error.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy) =>
                    {
                        tracing::debug!(%error, "WAL checkpoint deferred");
                    }
                    Err(error) => {
                        tracing::warn!(%error, "a WAL checkpoint failed; the next one will retry")
                    }
                }
            }
            Checkpoint::Truncate(answer) => {
                let truncated = connection
                    .wal_checkpoint_v2(None::<&str>, CheckpointMode::TRUNCATE)
                    .map(drop);
                // The retention run may have been dropped; its next run asks again.
                let _ = answer.send(truncated);
            }
        }
    }
}

pub(super) fn configure(connection: &Connection) -> Result<(), BackendError> {
    if connection.is_readonly("main")? {
        return Err("the file is read-only".into());
    }
    connection.busy_timeout(BUSY_TIMEOUT)?;
    // Deleted rows are overwritten with zeros, not just unlinked: a forgotten envelope must not
    // stay readable in a free page or a page's free space.
    connection.pragma_update(None, "secure_delete", "ON")?;
    // Free pages can be given back to the file system (`PRAGMA incremental_vacuum` after a
    // purge). Takes effect only on a database with no table yet, so before WAL mode writes
    // the first page; an older database is converted by `use_incremental_vacuum`.
    connection.pragma_update(None, "auto_vacuum", "INCREMENTAL")?;
    let journal_mode: String =
        connection.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))?;
    if !journal_mode.eq_ignore_ascii_case("wal") {
        return Err(format!("journal_mode stays {journal_mode:?}, WAL is needed").into());
    }
    connection.pragma_update(None, "synchronous", "FULL")?;
    connection.pragma_update(None, "foreign_keys", "ON")?;
    Ok(())
}

/// `auto_vacuum`'s value for incremental vacuum.
const INCREMENTAL_VACUUM: i64 = 2;

/// Makes a database created before incremental auto-vacuum use it: a one-time `VACUUM`, which
/// rewrites the whole file (it needs as much free disk space again), outside any transaction
/// and before the writer starts. A new database already has it from [`configure`].
pub(super) fn use_incremental_vacuum(connection: &Connection) -> Result<(), StoreError> {
    let auto_vacuum = |connection: &Connection| {
        connection
            .pragma_query_value(None, "auto_vacuum", |row| row.get::<_, i64>(0))
            .map_err(|source| backend("read the database's auto_vacuum", source))
    };
    if auto_vacuum(connection)? == INCREMENTAL_VACUUM {
        return Ok(());
    }
    tracing::info!(
        "converting the database to incremental auto-vacuum (a one-time VACUUM, so that \
         forgotten reports can leave the file)"
    );
    connection
        .execute_batch("VACUUM")
        .map_err(|source| backend("convert the database to incremental auto-vacuum", source))?;
    match auto_vacuum(connection)? {
        INCREMENTAL_VACUUM => {
            tracing::info!("the database now uses incremental auto-vacuum");
            Ok(())
        }
        other => Err(backend(
            "convert the database to incremental auto-vacuum",
            format!("auto_vacuum is still {other} after VACUUM"),
        )),
    }
}

pub(super) fn migrate(connection: &mut Connection) -> Result<(), StoreError> {
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
