//! The retention job: a report's envelope and its status changes are deleted once the report
//! has been closed for `--report-retention-days`, or, if the team never closed it, once it was
//! received `--unclosed-report-retention-days` ago ([`Retention`], decided in
//! `store::rules`). Its row stays as a tombstone, so that a phone's late resend is answered with
//! its receipt and never stored again. The store makes the deleted bytes unreadable in its own
//! files where it can (SQLite: see `store::sqlite`).
//!
//! [`forget_reports`] is one run at a given time: the caller's clock, as everywhere in the
//! store, so tests run it at any moment they like. [`Job`] runs it every [`RUN_EVERY`] on the
//! server's clock while the server serves. Nothing here decides what a report's status is.

use std::{fmt, future::Future, pin::Pin, time::Duration};

use prepoznaj_domain::observation::UnixMillis;

use crate::{
    StartupError,
    credentials::now,
    startup::{OpenStore, open_store},
    store::{Database, Store, StoreError, rules::Retention},
};

/// How often the job runs. An envelope outlives its period by at most this much.
pub const RUN_EVERY: Duration = Duration::from_secs(60 * 60);

/// Forgets the reports due under `retention` at `now` (closed and never-closed ones, in one
/// transaction); returns how many.
///
/// # Errors
/// The store's, when the transaction fails (then nothing was forgotten), or when the deleted
/// bytes could not be cleared from its files (then the reports are forgotten, and the next
/// run clears them).
pub async fn forget_reports<S: Store>(
    store: &S,
    retention: Retention,
    now: UnixMillis,
) -> Result<u64, StoreError> {
    store.forget_reports(retention.due(now)).await
}

/// [`forget_reports`] on the database the configuration names, as an operator's command or a
/// test would run it beside a server.
///
/// # Errors
/// A database that cannot be opened, or a failed run.
pub async fn forget_reports_in(
    database: &Database,
    retention: Retention,
    now: UnixMillis,
) -> Result<u64, StartupError> {
    match open_store(database).await? {
        OpenStore::Sqlite(store) => forget_reports(&store, retention, now).await,
        OpenStore::Postgres(store) => forget_reports(&store, retention, now).await,
    }
    .map_err(StartupError::Store)
}

/// The job as it runs in the server: at start, then every [`RUN_EVERY`], never ending. A
/// failed run is logged and retried at the next tick.
pub struct Job(Pin<Box<dyn Future<Output = ()> + Send>>);

impl Job {
    pub fn new<S: Store>(store: S, retention: Retention) -> Self {
        Self(Box::pin(async move {
            let mut ticks = tokio::time::interval(RUN_EVERY);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticks.tick().await;
                match forget_reports(&store, retention, now()).await {
                    Ok(0) => tracing::debug!("retention: no report to forget"),
                    Ok(forgotten) => tracing::info!(forgotten, "retention: reports forgotten"),
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
