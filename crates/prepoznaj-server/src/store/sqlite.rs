//! SQLite backend, the default: one file `<data-dir>/prepoznaj.db` in WAL mode with
//! `synchronous=FULL`, foreign keys on and a busy timeout, migrated when opened.
//!
//! rusqlite blocks, so every call runs on tokio's blocking pool, never on a runtime worker.
//! Migrations are the files in `migrations/sqlite/`, embedded at build time and applied in order,
//! each in its own immediate transaction recorded in `schema_migrations`.

use std::{
    path::{Path, PathBuf},
    sync::{Arc, Mutex},
    time::Duration,
};

use rusqlite::{Connection, TransactionBehavior};
use tokio::task::spawn_blocking;

use super::{BackendError, Store, StoreError};

/// File name of the database inside the data directory.
pub const DATABASE_FILE_NAME: &str = "prepoznaj.db";

/// How long a statement waits for another connection's lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

struct Migration {
    version: u32,
    sql: &'static str,
}

/// Every migration, in order; versions are contiguous from 1.
const MIGRATIONS: &[Migration] = &[Migration {
    version: 1,
    sql: include_str!("../../migrations/sqlite/0001_init.sql"),
}];

/// A migrated SQLite database shared by all requests.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    connection: Arc<Mutex<Connection>>,
}

impl SqliteStore {
    /// Where the database lives for a given data directory.
    pub fn database_path(data_dir: &Path) -> PathBuf {
        data_dir.join(DATABASE_FILE_NAME)
    }

    /// Creates the data directory and the database if missing, configures it and migrates it.
    pub async fn open(data_dir: &Path) -> Result<Self, StoreError> {
        let data_dir = data_dir.to_path_buf();
        let connection = spawn_blocking(move || open_blocking(&data_dir))
            .await
            .map_err(|source| backend("open the database", source))??;
        Ok(Self {
            connection: Arc::new(Mutex::new(connection)),
        })
    }

    /// Runs `query` on the blocking pool with the connection.
    async fn call<T, F>(&self, operation: &'static str, query: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
    {
        let connection = Arc::clone(&self.connection);
        spawn_blocking(move || {
            let connection = connection
                .lock()
                .map_err(|_| backend(operation, "connection poisoned by an earlier panic"))?;
            query(&connection).map_err(|source| backend(operation, source))
        })
        .await
        .map_err(|source| backend(operation, source))?
    }
}

impl Store for SqliteStore {
    async fn health_check(&self) -> Result<(), StoreError> {
        self.call("check the database", |connection| {
            connection.query_row("SELECT MAX(version) FROM schema_migrations", [], |row| {
                row.get::<_, Option<u32>>(0)
            })
        })
        .await
        .map(drop)
    }
}

fn open_blocking(data_dir: &Path) -> Result<Connection, StoreError> {
    std::fs::create_dir_all(data_dir).map_err(|source| location(data_dir, source))?;
    let path = SqliteStore::database_path(data_dir);
    let mut connection = Connection::open(&path).map_err(|source| location(&path, source))?;
    configure(&connection).map_err(|source| location(&path, source))?;
    migrate(&mut connection)?;
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
