//! Persistence behind one trait, [`Store`], with one module per backend (only [`sqlite`] so far).
//!
//! This module and its children are the only code that knows SQL; routes hold a `Store` and never
//! see a connection. The trait grows one honest method at a time, as features need them.

pub mod sqlite;

use std::{future::Future, path::PathBuf};

/// A backend's own error (rusqlite, later sqlx), kept as the cause of a [`StoreError`].
pub type BackendError = Box<dyn std::error::Error + Send + Sync>;

/// What the server needs from a database.
pub trait Store: Clone + Send + Sync + 'static {
    /// Succeeds when the database answers a query against the migrated schema.
    fn health_check(&self) -> impl Future<Output = Result<(), StoreError>> + Send;
}

/// Why the store could not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database cannot be created or written at this location: the operator must fix it.
    #[error("cannot create or write {}", .path.display())]
    Location {
        path: PathBuf,
        #[source]
        source: BackendError,
    },
    /// The database was migrated by a newer server; running this one could damage it.
    #[error(
        "database schema version {found} is newer than this server's {supported}; upgrade the server"
    )]
    SchemaTooNew { found: u32, supported: u32 },
    /// A query, a migration or the worker running it failed.
    #[error("cannot {operation}")]
    Backend {
        operation: &'static str,
        #[source]
        source: BackendError,
    },
}
