//! The pool of read-only connections.

use std::{
    path::Path,
    sync::{Arc, Mutex},
};

use rusqlite::{Connection, OpenFlags};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::super::BackendError;
use super::BUSY_TIMEOUT;

/// Read-only connections, each lent to one query at a time.
#[derive(Debug)]
pub(super) struct ReaderPool {
    idle: Mutex<Vec<Connection>>,
    available: Arc<Semaphore>,
}

impl ReaderPool {
    pub(super) fn new(connections: Vec<Connection>) -> Self {
        Self {
            available: Arc::new(Semaphore::new(connections.len())),
            idle: Mutex::new(connections),
        }
    }

    /// Waits (without blocking a thread) for an idle connection.
    pub(super) async fn lease(pool: &Arc<Self>) -> Result<ReaderLease, BackendError> {
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
pub(super) struct ReaderLease {
    pool: Arc<ReaderPool>,
    connection: Option<Connection>,
    _permit: OwnedSemaphorePermit,
}

impl ReaderLease {
    pub(super) fn connection(&self) -> &Connection {
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

pub(super) fn open_reader(path: &Path) -> rusqlite::Result<Connection> {
    let connection = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    connection.busy_timeout(BUSY_TIMEOUT)?;
    Ok(connection)
}
