//! The retention job: a closed report's envelope and its status changes are deleted once the
//! report has been closed for the retention period (`--report-retention-days`), leaving a
//! tombstone, so that a phone's late resend is answered with its receipt and never stored
//! again.
//!
//! [`forget_closed_reports`] is one run at a given time: the caller's clock, as everywhere in
//! the store, so tests run it at any moment they like. [`Job`] runs it every [`RUN_EVERY`] on
//! the server's clock while the server serves. Nothing here decides what a report's status is.

use std::{fmt, future::Future, pin::Pin, time::Duration};

use prepoznaj_domain::observation::UnixMillis;

use crate::{
    StartupError,
    credentials::now,
    startup::{OpenStore, open_store},
    store::{Database, Store, StoreError},
};

/// How often the job runs. An envelope outlives its period by at most this much.
pub const RUN_EVERY: Duration = Duration::from_secs(60 * 60);

const DAY_MILLIS: u64 = 24 * 60 * 60 * 1000;

/// Forgets the reports closed at least `retention_days` before `now`; returns how many.
///
/// # Errors
/// The store's, when the transaction fails (then nothing was forgotten).
pub async fn forget_closed_reports<S: Store>(
    store: &S,
    retention_days: u16,
    now: UnixMillis,
) -> Result<u64, StoreError> {
    let closed_before = UnixMillis(now.0.saturating_sub(u64::from(retention_days) * DAY_MILLIS));
    store.forget_closed_reports(closed_before, now).await
}

/// [`forget_closed_reports`] on the database the configuration names, as an operator's
/// command or a test would run it beside a server.
///
/// # Errors
/// A database that cannot be opened, or a failed run.
pub async fn forget_closed_reports_in(
    database: &Database,
    retention_days: u16,
    now: UnixMillis,
) -> Result<u64, StartupError> {
    match open_store(database).await? {
        OpenStore::Sqlite(store) => forget_closed_reports(&store, retention_days, now).await,
        OpenStore::Postgres(store) => forget_closed_reports(&store, retention_days, now).await,
    }
    .map_err(StartupError::Store)
}

/// The job as it runs in the server: at start, then every [`RUN_EVERY`], never ending. A
/// failed run is logged and retried at the next tick.
pub struct Job(Pin<Box<dyn Future<Output = ()> + Send>>);

impl Job {
    pub fn new<S: Store>(store: S, retention_days: u16) -> Self {
        Self(Box::pin(async move {
            let mut ticks = tokio::time::interval(RUN_EVERY);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticks.tick().await;
                match forget_closed_reports(&store, retention_days, now()).await {
                    Ok(0) => tracing::debug!("retention: no closed report to forget"),
                    Ok(forgotten) => {
                        tracing::info!(forgotten, "retention: closed reports forgotten")
                    }
                    Err(error) => tracing::error!(
                        error = %crate::error::one_line(&error),
                        "retention: the job failed; it runs again in an hour"
                    ),
                }
            }
        }))
    }

    /// Runs forever; drop (or abort the task) to stop.
    pub async fn run(self) {
        self.0.await;
    }
}

impl fmt::Debug for Job {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("retention::Job")
    }
}
