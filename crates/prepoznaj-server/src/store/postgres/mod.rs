//! PostgreSQL backend, chosen when `--database-url` (`DATABASE_URL`) names a database: for
//! deployments where several server instances share one database.
//!
//! Correctness across instances comes from the database, never from a lock in this process:
//! every write is one `SERIALIZABLE` transaction, retried from the start when PostgreSQL
//! reports a serialization failure, a deadlock or a unique key taken by a concurrent
//! transaction, so each outcome (a code redeemed once, a member added once) is what SQLite's
//! one-writer-at-a-time gives. Reports are the exception that scales: they are group-committed
//! at `READ COMMITTED` (`intake`), where one `INSERT … ON CONFLICT DO NOTHING` on its id decides
//! "stored" or "already there" and row locks keep the quotas' counts right. Reads run in one
//! read-only snapshot.
//!
//! A commit returns after PostgreSQL has flushed it (`synchronous_commit` not `off`); the
//! store refuses to start on a server running with `fsync=off`. Migrations are the files in
//! `migrations/postgres/`, embedded at build time and applied in order under an advisory lock,
//! each in its own transaction recorded in `schema_migrations`, so instances starting together
//! apply each once. Connections are plain TCP or Unix sockets without TLS: keep the database on
//! loopback, a Unix socket or a private network.

use std::{fmt, future::Future, pin::Pin, time::Duration};

use deadpool_postgres::{
    Manager, ManagerConfig, Object, Pool, RecyclingMethod, Runtime, Transaction,
    tokio_postgres::{
        self, IsolationLevel, NoTls, Row,
        config::Host,
        error::SqlState,
        types::{FromSqlOwned, ToSql},
    },
};
use prepoznaj_domain::{
    catalogue::CatalogueVersion,
    link_check::{CodeRecord, CodeUse},
    observation::UnixMillis,
    protocol::{
        CoarseStatus, Device, DeviceId, DeviceName, EnrolmentLink, EnrolmentLinkId, Envelope,
        LinkDeviceCap, LinkKind, ReportReceipt, ReportStatus, ReportUuid, School, SchoolId,
        Sha256Digest, StatusChange, TeamDevice, TeamEnrolmentLink, TeamMember, TeamMemberId,
        TeamReport,
    },
    team_chain::{ChainMember, SignedVersion},
};

use crate::{
    credentials::SecretHash,
    directory::{ExternalId, PlaceName, SchoolDetails},
};

use super::{
    AdministrationMonth, AppendOutcome, BackendError, ChainAppend, CodeRefusal, DeviceCredential,
    EnrolmentOutcome, ImportOutcome, MemberEffect, MiddleDelays, NewDevice, NewEnrolmentLink,
    NewReport, NewSchool, NewSetupLink, NewStatusChange, RecordedStatusChange, ReportCounts,
    ReportPage, ReportTotals, SchoolContents, SchoolOverview, SchoolRows, SetupCodeRenewal,
    SetupLinkOutcome, SetupLinkRefusal, SetupOutcome, SetupRedemption, SetupTarget, Statistics,
    StatisticsPeriod, StatusChangeOutcome, Store, StoreError, SubmissionOutcome, TeamCredential,
    TokenLookup, code_refusal,
    rules::{
        self, DueReports, EarlierChange, ImportRule, RedemptionRule, ReportState, SetupLinkRule,
        StatusChangeRule, StoredEnrolmentLink, StoredMemberKeys, StoredSetupCode,
        coarse_status_from_text, coarse_status_text, status_text,
    },
    school_sql, statistics_sql, version_from_json, version_to_json,
};

/// The columns [`receipt_from_row`] reads, in its order.
macro_rules! receipt_columns {
    () => {
        "id, received_at, status, envelope_sha256"
    };
}

// After `receipt_columns!`, which it uses.
mod intake;

/// Connections kept open per server instance.
const POOL_SIZE: usize = 16;

/// How long opening a connection, or waiting for a free one, may take before a request fails.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Attempts of one write transaction before a conflict is reported as a failure.
const MAX_ATTEMPTS: u32 = 20;

/// The advisory lock migrations hold (any fixed number: "prepoznaj" as ASCII, truncated).
const MIGRATION_LOCK: i64 = 0x7072_6570_6f7a_6e61;

struct Migration {
    version: i32,
    sql: &'static str,
}

/// Every migration, in order; versions are contiguous from 1.
const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        sql: include_str!("../../../migrations/postgres/0001_init.sql"),
    },
    Migration {
        version: 2,
        sql: include_str!("../../../migrations/postgres/0002_schools_devices_reports.sql"),
    },
    Migration {
        version: 3,
        sql: include_str!("../../../migrations/postgres/0003_inbox_status_changes_retention.sql"),
    },
    Migration {
        version: 4,
        sql: include_str!("../../../migrations/postgres/0004_team_chain.sql"),
    },
    Migration {
        version: 5,
        sql: include_str!("../../../migrations/postgres/0005_quotas.sql"),
    },
    Migration {
        version: 6,
        sql: include_str!("../../../migrations/postgres/0006_school_directory.sql"),
    },
    Migration {
        version: 7,
        sql: include_str!("../../../migrations/postgres/0007_devices_and_link_caps.sql"),
    },
    Migration {
        version: 8,
        sql: include_str!("../../../migrations/postgres/0008_acted_upon_time.sql"),
    },
];

/// A `postgres://` or `postgresql://` URL, checked. `Debug` and `Display` never show the
/// password.
#[derive(Clone)]
pub struct PostgresUrl(Box<tokio_postgres::Config>);

/// Why a database URL cannot be used; never quotes the URL, which may hold a password.
#[derive(Debug, thiserror::Error)]
pub enum PostgresUrlError {
    #[error("it must start with postgres:// or postgresql://")]
    Scheme,
    #[error("it does not parse")]
    Invalid(#[source] tokio_postgres::Error),
}

impl PostgresUrl {
    /// Checks the scheme and parses the URL as libpq does.
    ///
    /// # Errors
    /// Another scheme, or a URL libpq would refuse.
    pub fn parse(url: &str) -> Result<Self, PostgresUrlError> {
        if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
            return Err(PostgresUrlError::Scheme);
        }
        url.parse()
            .map(|config| Self(Box::new(config)))
            .map_err(PostgresUrlError::Invalid)
    }

    /// The database's name, if the URL gives one.
    pub fn database_name(&self) -> Option<&str> {
        self.0.get_dbname()
    }
}

impl fmt::Debug for PostgresUrl {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        // tokio-postgres's own Debug shows the password as `_`.
        self.0.fmt(formatter)
    }
}

/// `postgresql://user@host:port/database`, without the password and options.
impl fmt::Display for PostgresUrl {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("postgresql://")?;
        if let Some(user) = self.0.get_user() {
            write!(formatter, "{user}@")?;
        }
        let ports = self.0.get_ports();
        for (index, host) in self.0.get_hosts().iter().enumerate() {
            if index > 0 {
                formatter.write_str(",")?;
            }
            match host {
                Host::Tcp(name) if name.contains(':') => write!(formatter, "[{name}]")?,
                Host::Tcp(name) => formatter.write_str(name)?,
                Host::Unix(path) => write!(formatter, "{}", path.display())?,
            }
            if let Some(port) = ports.get(index).or(ports.first()) {
                write!(formatter, ":{port}")?;
            }
        }
        write!(formatter, "/{}", self.0.get_dbname().unwrap_or_default())
    }
}

/// A migrated PostgreSQL database behind a small connection pool.
#[derive(Clone)]
pub struct PostgresStore {
    pool: Pool,
    intake: intake::Intake,
}

impl fmt::Debug for PostgresStore {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("PostgresStore")
            .field("status", &self.pool.status())
            .field("reports_waiting", &self.intake.waiting())
            .finish_non_exhaustive()
    }
}

/// A step of work inside one transaction: borrows the transaction and its input.
type Work<'t, T> = Pin<Box<dyn Future<Output = Result<T, BackendError>> + Send + 't>>;

/// How a transaction runs.
#[derive(Debug, Clone, Copy)]
enum Access {
    /// `SERIALIZABLE`: a write whose outcome depends on what it read.
    Write,
    /// `READ COMMITTED`: a write that reads nothing to decide (a device's last use), so it
    /// never needs to see a snapshot that concurrent writes could invalidate. Reports, the
    /// other such writes, are batched in `intake`.
    Insert,
    /// One consistent read-only snapshot.
    Read,
}

impl PostgresStore {
    /// Connects, checks the server is durable, and migrates the database.
    ///
    /// # Errors
    /// [`StoreError::Connect`] when the database cannot be reached or refuses the login,
    /// [`StoreError::SchemaTooNew`], or a failed check or migration.
    pub async fn connect(url: &PostgresUrl) -> Result<Self, StoreError> {
        let mut config = (*url.0).clone();
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        config.application_name("prepoznaj-server");
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(CONNECT_TIMEOUT))
            .create_timeout(Some(CONNECT_TIMEOUT))
            .build()
            .map_err(|source| backend("build the connection pool", source))?;
        let mut client = pool.get().await.map_err(|source| StoreError::Connect {
            source: source.into(),
        })?;
        check_durability(&client).await?;
        migrate(&mut client).await?;
        let intake = intake::Intake::start(&pool);
        Ok(Self { pool, intake })
    }

    /// Runs `work` with `input` in one transaction, retried from the start while PostgreSQL
    /// reports a conflict with a concurrent transaction.
    async fn run<I, T, F>(
        &self,
        operation: &'static str,
        access: Access,
        input: I,
        work: F,
    ) -> Result<T, StoreError>
    where
        I: Sync,
        T: Send,
        F: for<'t> Fn(&'t Transaction<'t>, &'t I) -> Work<'t, T> + Sync,
    {
        let mut client = self
            .pool
            .get()
            .await
            .map_err(|source| backend(operation, source))?;
        let mut attempt = 1;
        loop {
            let outcome = async {
                let transaction = match access {
                    Access::Write => client
                        .build_transaction()
                        .isolation_level(IsolationLevel::Serializable),
                    Access::Insert => client
                        .build_transaction()
                        .isolation_level(IsolationLevel::ReadCommitted),
                    Access::Read => client
                        .build_transaction()
                        .isolation_level(IsolationLevel::RepeatableRead)
                        .read_only(true),
                }
                .start()
                .await?;
                let result = work(&transaction, &input).await?;
                transaction.commit().await?;
                Ok::<_, BackendError>(result)
            }
            .await;
            match outcome {
                Err(error) if attempt < MAX_ATTEMPTS && is_conflict(&error) => {
                    tracing::debug!(operation, attempt, %error, "retrying after a conflict");
                    attempt += 1;
                }
                other => return other.map_err(|source| backend(operation, source)),
            }
        }
    }
}

/// A serialization failure, a deadlock, or a unique key a concurrent transaction took: trying
/// again sees the other transaction's outcome.
fn is_conflict(error: &BackendError) -> bool {
    error
        .downcast_ref::<tokio_postgres::Error>()
        .and_then(tokio_postgres::Error::code)
        .is_some_and(|code| {
            [
                SqlState::T_R_SERIALIZATION_FAILURE,
                SqlState::T_R_DEADLOCK_DETECTED,
                SqlState::UNIQUE_VIOLATION,
            ]
            .contains(code)
        })
}

impl Store for PostgresStore {
    async fn health_check(&self) -> Result<(), StoreError> {
        self.run("check the database", Access::Read, (), |transaction, ()| {
            Box::pin(async move {
                transaction
                    .query_one("SELECT MAX(version) FROM schema_migrations", &[])
                    .await?;
                Ok(())
            })
        })
        .await
    }

    async fn create_school(&self, new: NewSchool) -> Result<(), StoreError> {
        self.run("create a school", Access::Write, new, |transaction, new| {
            Box::pin(insert_school(transaction, new))
        })
        .await
    }

    async fn import_school(&self, new: NewSchool) -> Result<ImportOutcome, StoreError> {
        self.run("import a school", Access::Write, new, |transaction, new| {
            Box::pin(import_school(transaction, new))
        })
        .await
    }

    async fn schools(&self) -> Result<Vec<SchoolOverview>, StoreError> {
        self.run("list the schools", Access::Read, (), |transaction, ()| {
            Box::pin(async move {
                let statement = transaction.prepare_cached(school_sql::SCHOOLS).await?;
                transaction
                    .query(&statement, &[])
                    .await?
                    .iter()
                    .map(overview_from_row)
                    .collect()
            })
        })
        .await
    }

    async fn school_contents(
        &self,
        reference: String,
    ) -> Result<Option<SchoolContents>, StoreError> {
        self.run(
            "read a school",
            Access::Read,
            reference,
            |transaction, reference| Box::pin(read_school_contents(transaction, reference)),
        )
        .await
    }

    async fn new_setup_link(
        &self,
        link: NewSetupLink,
    ) -> Result<Option<SetupLinkOutcome>, StoreError> {
        self.run(
            "make a set-up code",
            Access::Write,
            link,
            |transaction, link| Box::pin(new_setup_link(transaction, link)),
        )
        .await
    }

    async fn delete_school(&self, school_id: SchoolId) -> Result<Option<SchoolRows>, StoreError> {
        self.run(
            "delete a school",
            Access::Write,
            school_id,
            |transaction, school_id| {
                Box::pin(async move {
                    let mut counts = [0; 8];
                    for (statement, count) in school_sql::DELETE_SCHOOL.iter().zip(&mut counts) {
                        *count = execute(transaction, statement, &[&school_id.as_str()]).await?;
                    }
                    Ok(SchoolRows::from_deleted(counts))
                })
            },
        )
        .await
    }

    async fn redeem_setup_code(
        &self,
        redemption: SetupRedemption,
    ) -> Result<SetupOutcome, StoreError> {
        self.run(
            "redeem a set-up code",
            Access::Write,
            redemption,
            |transaction, redemption| Box::pin(redeem(transaction, redemption)),
        )
        .await
    }

    async fn setup_code_target(&self, code: SecretHash) -> Result<Option<SetupTarget>, StoreError> {
        self.run(
            "read a set-up code's school",
            Access::Read,
            code,
            |transaction, code| Box::pin(setup_code_target(transaction, code)),
        )
        .await
    }

    async fn team_chain(&self, school_id: SchoolId) -> Result<Vec<SignedVersion>, StoreError> {
        self.run(
            "read a team's key chain",
            Access::Read,
            school_id,
            |transaction, school_id| Box::pin(read_chain(transaction, school_id)),
        )
        .await
    }

    async fn append_chain(&self, append: ChainAppend) -> Result<AppendOutcome, StoreError> {
        self.run(
            "append to a team's key chain",
            Access::Write,
            append,
            |transaction, append| Box::pin(append_to_chain(transaction, append)),
        )
        .await
    }

    async fn code_record(
        &self,
        kind: LinkKind,
        code: SecretHash,
    ) -> Result<Option<CodeRecord>, StoreError> {
        self.run(
            "check a link's code",
            Access::Read,
            (kind, code),
            |transaction, (kind, code)| Box::pin(code_record(transaction, *kind, code)),
        )
        .await
    }

    async fn team_member_by_token(
        &self,
        token: SecretHash,
    ) -> Result<TokenLookup<TeamCredential>, StoreError> {
        self.run(
            "look up a team member token",
            Access::Read,
            token,
            |transaction, token| {
                Box::pin(lookup_token(
                    transaction,
                    "SELECT id, school_id, removed_at, NULL::BIGINT FROM team_members
                     WHERE token_hash = $1",
                    token,
                    |member_id, school_id, _| TeamCredential {
                        member_id,
                        school_id,
                    },
                ))
            },
        )
        .await
    }

    async fn renew_setup_code(
        &self,
        renewal: SetupCodeRenewal,
    ) -> Result<Option<TeamMember>, StoreError> {
        self.run(
            "renew a set-up code",
            Access::Write,
            renewal,
            |transaction, renewal| Box::pin(renew_setup_code(transaction, renewal)),
        )
        .await
    }

    async fn create_enrolment_link(&self, new: NewEnrolmentLink) -> Result<(), StoreError> {
        self.run(
            "create an enrolment link",
            Access::Write,
            new,
            |transaction, new| {
                Box::pin(async move {
                    execute(
                        transaction,
                        "INSERT INTO enrolment_links
                             (id, school_id, code_hash, created_by, created_at, expires_at,
                              max_devices)
                         VALUES ($1, $2, $3, $4, $5, $6, $7)",
                        &[
                            &new.link.id.as_str(),
                            &new.school_id.as_str(),
                            &hash(&new.code),
                            &new.created_by.as_str(),
                            &millis(new.link.created_at),
                            &millis(new.link.expires_at),
                            &i32::from(new.link.max_devices.devices()),
                        ],
                    )
                    .await?;
                    Ok(())
                })
            },
        )
        .await
    }

    async fn revoke_enrolment_link(
        &self,
        school_id: SchoolId,
        link_id: EnrolmentLinkId,
        now: UnixMillis,
    ) -> Result<Option<EnrolmentLink>, StoreError> {
        self.run(
            "revoke an enrolment link",
            Access::Write,
            (school_id, link_id, now),
            |transaction, (school_id, link_id, now)| {
                Box::pin(async move {
                    let row = query_opt(
                        transaction,
                        "UPDATE enrolment_links SET revoked_at = COALESCE(revoked_at, $3)
                         WHERE id = $1 AND school_id = $2
                         RETURNING id, created_at, expires_at, revoked_at, max_devices",
                        &[&link_id.as_str(), &school_id.as_str(), &millis(*now)],
                    )
                    .await?;
                    row.map(|row| link_from_row(&row)).transpose()
                })
            },
        )
        .await
    }

    async fn enrol_device(&self, new: NewDevice) -> Result<EnrolmentOutcome, StoreError> {
        self.run("enrol a device", Access::Write, new, |transaction, new| {
            Box::pin(enrol(transaction, new))
        })
        .await
    }

    async fn enrolment_links(
        &self,
        school_id: SchoolId,
    ) -> Result<Vec<TeamEnrolmentLink>, StoreError> {
        self.run(
            "list a school's enrolment links",
            Access::Read,
            school_id,
            |transaction, school_id| Box::pin(read_enrolment_links(transaction, school_id)),
        )
        .await
    }

    async fn devices(&self, school_id: SchoolId) -> Result<Vec<TeamDevice>, StoreError> {
        self.run(
            "list a school's devices",
            Access::Read,
            school_id,
            |transaction, school_id| Box::pin(read_devices(transaction, school_id)),
        )
        .await
    }

    async fn device_seen(&self, device_id: DeviceId, now: UnixMillis) -> Result<(), StoreError> {
        self.run(
            "note a device's last use",
            Access::Insert,
            (device_id, now),
            |transaction, (device_id, now)| {
                Box::pin(async move {
                    execute(
                        transaction,
                        "UPDATE devices SET last_seen_at = $2 WHERE id = $1",
                        &[&device_id.as_str(), &millis(*now)],
                    )
                    .await?;
                    Ok(())
                })
            },
        )
        .await
    }

    async fn device_by_token(
        &self,
        token: SecretHash,
    ) -> Result<TokenLookup<DeviceCredential>, StoreError> {
        self.run(
            "look up a device token",
            Access::Read,
            token,
            |transaction, token| {
                Box::pin(lookup_token(
                    transaction,
                    "SELECT id, school_id, revoked_at, last_seen_at FROM devices
                     WHERE token_hash = $1",
                    token,
                    |device_id, school_id, last_seen_at| DeviceCredential {
                        device_id,
                        school_id,
                        last_seen_at,
                    },
                ))
            },
        )
        .await
    }

    async fn revoke_device(
        &self,
        school_id: SchoolId,
        device_id: DeviceId,
        now: UnixMillis,
    ) -> Result<Option<Device>, StoreError> {
        self.run(
            "revoke a device",
            Access::Write,
            (school_id, device_id, now),
            |transaction, (school_id, device_id, now)| {
                Box::pin(async move {
                    let row = query_opt(
                        transaction,
                        "UPDATE devices SET revoked_at = COALESCE(revoked_at, $3)
                         WHERE id = $1 AND school_id = $2
                         RETURNING id, enrolled_at, revoked_at",
                        &[&device_id.as_str(), &school_id.as_str(), &millis(*now)],
                    )
                    .await?;
                    row.map(|row| {
                        Ok(Device {
                            id: parsed(&row, 0)?,
                            enrolled_at: unix_millis(&row, 1)?,
                            revoked_at: optional_unix_millis(&row, 2)?,
                        })
                    })
                    .transpose()
                })
            },
        )
        .await
    }

    async fn school_keys(
        &self,
        school_id: SchoolId,
    ) -> Result<(School, Vec<SignedVersion>), StoreError> {
        self.run(
            "read a school's keys",
            Access::Read,
            school_id,
            |transaction, school_id| Box::pin(read_school_keys(transaction, school_id)),
        )
        .await
    }

    async fn submit_report(&self, new: NewReport) -> Result<SubmissionOutcome, StoreError> {
        self.intake.submit(new).await
    }

    async fn report_receipt(
        &self,
        school_id: SchoolId,
        report_id: ReportUuid,
    ) -> Result<Option<ReportReceipt>, StoreError> {
        self.run(
            "read a report's receipt",
            Access::Read,
            (school_id, report_id),
            |transaction, (school_id, report_id)| {
                Box::pin(async move {
                    let row = query_opt(
                        transaction,
                        concat!(
                            "SELECT ",
                            receipt_columns!(),
                            " FROM reports WHERE id = $1 AND school_id = $2"
                        ),
                        &[&report_id.as_str(), &school_id.as_str()],
                    )
                    .await?;
                    row.map(|row| receipt_from_row(&row, 0)).transpose()
                })
            },
        )
        .await
    }

    async fn team_reports(
        &self,
        school_id: SchoolId,
        page: ReportPage,
    ) -> Result<Vec<TeamReport>, StoreError> {
        self.run(
            "list a school's reports",
            Access::Read,
            (school_id, page),
            |transaction, (school_id, page)| {
                Box::pin(read_team_reports(transaction, school_id, page))
            },
        )
        .await
    }

    async fn record_status_change(
        &self,
        new: NewStatusChange,
    ) -> Result<StatusChangeOutcome, StoreError> {
        self.run(
            "record a status change",
            Access::Write,
            new,
            |transaction, new| Box::pin(record_status_change(transaction, new)),
        )
        .await
    }

    async fn forget_reports(&self, due: DueReports) -> Result<u64, StoreError> {
        self.run("forget reports", Access::Write, due, |transaction, due| {
            Box::pin(async move {
                let due_parameters: [&(dyn ToSql + Sync); 2] =
                    [&millis(due.closed_by), &millis(due.unclosed_received_by)];
                execute(
                    transaction,
                    &format!(
                        "DELETE FROM report_status_changes WHERE report_id IN
                                 (SELECT id FROM reports WHERE {DUE_REPORTS})"
                    ),
                    &due_parameters,
                )
                .await?;
                // The tombstone of a report never closed gets `now` as its closing time
                // (see `DueReports::now`).
                Ok(execute(
                    transaction,
                    &format!(
                        "UPDATE reports SET envelope = NULL, envelope_deleted_at = $3,
                                 closed_at = COALESCE(closed_at, $3)
                             WHERE {DUE_REPORTS}"
                    ),
                    &[due_parameters[0], due_parameters[1], &millis(due.now)],
                )
                .await?)
            })
        })
        .await
    }

    async fn statistics(&self, period: StatisticsPeriod) -> Result<Statistics, StoreError> {
        self.run(
            "count reports and devices per month",
            Access::Read,
            period,
            |transaction, period| Box::pin(read_statistics(transaction, *period)),
        )
        .await
    }

    async fn report_totals(&self) -> Result<ReportTotals, StoreError> {
        self.run("count the reports", Access::Read, (), |transaction, ()| {
            Box::pin(async move {
                let row = query_one(
                    transaction,
                    "SELECT COUNT(*) FILTER (WHERE envelope IS NOT NULL),
                            COUNT(*) FILTER (WHERE envelope IS NULL)
                     FROM reports",
                    &[],
                )
                .await?;
                Ok(ReportTotals {
                    stored: u64::try_from(row.try_get::<_, i64>(0)?)?,
                    forgotten: u64::try_from(row.try_get::<_, i64>(1)?)?,
                })
            })
        })
        .await
    }

    fn writes_waiting(&self) -> usize {
        self.intake.waiting() + self.pool.status().waiting
    }
}

/// What `stats` counts in `period`, in the caller's read-only snapshot.
async fn read_statistics(
    transaction: &Transaction<'_>,
    period: StatisticsPeriod,
) -> Result<Statistics, BackendError> {
    let (from, until) = (millis(period.from), millis(period.until));
    let sql = statistics_sql::POSTGRES;
    let count = |row: &Row, index: usize| -> Result<u64, BackendError> {
        Ok(u64::try_from(row.try_get::<_, i64>(index)?)?)
    };
    let cell = |row: &Row| -> Result<AdministrationMonth, BackendError> {
        Ok(AdministrationMonth {
            administration: row.try_get(0)?,
            month: row.try_get(1)?,
        })
    };
    let mut statistics = Statistics::default();
    for row in query(transaction, sql.reports, &[&from, &until]).await? {
        let counts = ReportCounts {
            received: count(&row, 2)?,
            acted_upon: count(&row, 3)?,
        };
        statistics.reports.push((cell(&row)?, counts));
    }
    for row in query(transaction, sql.delays, &[&from, &until]).await? {
        let delays = MiddleDelays {
            timed: count(&row, 2)?,
            lower_millis: count(&row, 3)?,
            upper_millis: count(&row, 4)?,
        };
        statistics.delays.push((cell(&row)?, delays));
    }
    for row in query(transaction, sql.devices, &[&from, &until]).await? {
        statistics.devices.push((cell(&row)?, count(&row, 2)?));
    }
    Ok(statistics)
}

/// The reports [`DueReports`] selects, with `$1` its `closed_by` and `$2` its
/// `unclosed_received_by`.
const DUE_REPORTS: &str = "envelope IS NOT NULL
    AND (closed_at <= $1 OR (closed_at IS NULL AND received_at <= $2))";

/// Adds a school and its founding code (see [`Store::create_school`]).
async fn insert_school(transaction: &Transaction<'_>, new: &NewSchool) -> Result<(), BackendError> {
    let details = &new.details;
    execute(
        transaction,
        school_sql::INSERT_SCHOOL,
        &[
            &new.school.id.as_str(),
            &new.school.name.as_str(),
            &millis(new.created_at),
            &details.municipality.as_ref().map(PlaceName::as_str),
            &details
                .school_administration
                .as_ref()
                .map(PlaceName::as_str),
            &details.external_id.as_ref().map(ExternalId::as_str),
        ],
    )
    .await?;
    execute(
        transaction,
        school_sql::INSERT_FOUNDING_CODE,
        &[
            &hash(&new.setup_code),
            &new.school.id.as_str(),
            &millis(new.created_at),
            &millis(new.setup_expires_at),
        ],
    )
    .await?;
    Ok(())
}

/// Adds a school unless its external id names one (see [`Store::import_school`]). Two
/// imports of one id at once: the second's insert meets the unique index, is retried, and
/// then finds the first's school.
async fn import_school(
    transaction: &Transaction<'_>,
    new: &NewSchool,
) -> Result<ImportOutcome, BackendError> {
    let external_id = new.details.external_id.as_ref();
    let existing = match external_id {
        Some(external_id) => query_opt(
            transaction,
            school_sql::SCHOOL_BY_EXTERNAL_ID,
            &[&external_id.as_str()],
        )
        .await?
        .map(|row| {
            Ok::<_, BackendError>(School {
                id: parsed(&row, 0)?,
                name: parsed(&row, 1)?,
            })
        })
        .transpose()?,
        None => None,
    };
    match rules::import(external_id, existing) {
        ImportRule::AlreadyPresent(school) => Ok(ImportOutcome::AlreadyPresent(school)),
        ImportRule::Create => {
            insert_school(transaction, new).await?;
            Ok(ImportOutcome::Created)
        }
    }
}

fn overview_from_row(row: &Row) -> Result<SchoolOverview, BackendError> {
    let count =
        |index| -> Result<u64, BackendError> { Ok(u64::try_from(row.try_get::<_, i64>(index)?)?) };
    Ok(SchoolOverview {
        school: School {
            id: parsed(row, 0)?,
            name: parsed(row, 1)?,
        },
        details: SchoolDetails {
            municipality: optional_parsed(row, 2)?,
            school_administration: optional_parsed(row, 3)?,
            external_id: optional_parsed(row, 4)?,
        },
        created_at: unix_millis(row, 5)?,
        team_members: count(6)?,
        devices_enrolled: count(7)?,
        reports_stored: count(8)?,
    })
}

/// See [`Store::school_contents`].
async fn read_school_contents(
    transaction: &Transaction<'_>,
    reference: &str,
) -> Result<Option<SchoolContents>, BackendError> {
    let Some(overview) = query_opt(transaction, school_sql::SCHOOL_BY_REFERENCE, &[&reference])
        .await?
        .map(|row| overview_from_row(&row))
        .transpose()?
    else {
        return Ok(None);
    };
    let school_id = overview.school.id.as_str();
    let statement = transaction
        .prepare_cached(school_sql::CURRENT_MEMBERS)
        .await?;
    let members = transaction
        .query(&statement, &[&school_id])
        .await?
        .iter()
        .map(member_from_row)
        .collect::<Result<Vec<_>, _>>()?;
    let row = query_one(transaction, school_sql::SCHOOL_ROWS, &[&school_id]).await?;
    let mut counts = [0; 7];
    for (index, count) in counts.iter_mut().enumerate() {
        *count = u64::try_from(row.try_get::<_, i64>(index)?)?;
    }
    Ok(Some(SchoolContents {
        overview,
        members,
        rows: SchoolRows::from_counts(counts),
    }))
}

/// See [`Store::new_setup_link`].
async fn new_setup_link(
    transaction: &Transaction<'_>,
    link: &NewSetupLink,
) -> Result<Option<SetupLinkOutcome>, BackendError> {
    let school_id = link.school_id.as_str();
    let Some(state) = query_opt(transaction, school_sql::TEAM_STATE, &[&school_id]).await? else {
        return Ok(None);
    };
    let current_members = u64::try_from(state.try_get::<_, i64>(0)?)?;
    let head = state
        .try_get::<_, Option<&str>>(1)?
        .map(version_from_json)
        .transpose()?;
    let listed = head.as_ref().map(|head| head.version.members());
    let outcome = match rules::setup_link(listed, current_members, link.member_id.as_ref()) {
        SetupLinkRule::Refuse(refusal) => SetupLinkOutcome::Refused(refusal),
        SetupLinkRule::Founding => {
            execute(
                transaction,
                school_sql::RETIRE_FOUNDING_CODES,
                &[&millis(link.now), &school_id],
            )
            .await?;
            execute(
                transaction,
                school_sql::INSERT_FOUNDING_CODE,
                &[
                    &hash(&link.setup_code),
                    &school_id,
                    &millis(link.now),
                    &millis(link.expires_at),
                ],
            )
            .await?;
            SetupLinkOutcome::Founding
        }
        SetupLinkRule::ForMember(member_id) => {
            let renewal = SetupCodeRenewal {
                school_id: link.school_id.clone(),
                member_id,
                setup_code: link.setup_code,
                now: link.now,
                expires_at: link.expires_at,
            };
            renew_setup_code(transaction, &renewal).await?.map_or(
                SetupLinkOutcome::Refused(SetupLinkRefusal::NotAMember),
                SetupLinkOutcome::ForMember,
            )
        }
    };
    Ok(Some(outcome))
}

async fn read_team_reports(
    transaction: &Transaction<'_>,
    school_id: &SchoolId,
    page: &ReportPage,
) -> Result<Vec<TeamReport>, BackendError> {
    let (after_time, after_id) = page.after.as_ref().map_or((i64::MAX, None), |cursor| {
        (millis(cursor.received_at), Some(cursor.report_id.as_str()))
    });
    let statement = transaction
        .prepare_cached(
            "SELECT id, received_at, size, catalogue_version, status, closed_at, envelope,
                    envelope_sha256
             FROM reports
             WHERE school_id = $1 AND envelope IS NOT NULL
               AND ($3::text IS NULL OR received_at < $2 OR (received_at = $2 AND id < $3))
             ORDER BY received_at DESC, id DESC LIMIT $4",
        )
        .await?;
    let mut reports = transaction
        .query(
            &statement,
            &[
                &school_id.as_str(),
                &after_time,
                &after_id,
                &i64::from(page.limit),
            ],
        )
        .await?
        .iter()
        .map(team_report_from_row)
        .collect::<Result<Vec<_>, _>>()?;
    let report_ids: Vec<&str> = reports
        .iter()
        .map(|report| report.report_id.as_str())
        .collect();
    let statement = transaction
        .prepare_cached(
            "SELECT id, report_id, coarse_status, recorded_at, envelope, envelope_sha256
             FROM report_status_changes WHERE report_id = ANY($1)
             ORDER BY recorded_at, id",
        )
        .await?;
    let changes = transaction
        .query(&statement, &[&report_ids])
        .await?
        .iter()
        .map(status_change_from_row)
        .collect::<Result<Vec<_>, _>>()?;
    for change in changes {
        if let Some(report) = reports
            .iter_mut()
            .find(|report| report.report_id == change.report_id)
        {
            report.status_changes.push(change);
        }
    }
    Ok(reports)
}

fn team_report_from_row(row: &Row) -> Result<TeamReport, BackendError> {
    Ok(TeamReport {
        report_id: parsed(row, 0)?,
        received_at: unix_millis(row, 1)?,
        size: u64::try_from(row.try_get::<_, i64>(2)?)?,
        catalogue_version: CatalogueVersion::new(row.try_get::<_, String>(3)?),
        status: report_status(row.try_get(4)?)?,
        closed_at: optional_unix_millis(row, 5)?,
        deleted_after: None,
        envelope: Envelope::from_bytes(row.try_get(6)?),
        envelope_sha256: digest(row, 7)?,
        status_changes: Vec::new(),
    })
}

fn status_change_from_row(row: &Row) -> Result<StatusChange, BackendError> {
    Ok(StatusChange {
        change_id: parsed(row, 0)?,
        report_id: parsed(row, 1)?,
        coarse_status: coarse_status(row.try_get(2)?)?,
        recorded_at: unix_millis(row, 3)?,
        envelope: Envelope::from_bytes(row.try_get(4)?),
        envelope_sha256: digest(row, 5)?,
    })
}

/// Records `new` unless its change id is known (a retry or a conflict), on a report of its
/// school whose envelope is kept; the reporter's status only ever goes up, `closed_at` is set
/// once. Serializable: two changes to one report never both see the old status.
async fn record_status_change(
    transaction: &Transaction<'_>,
    new: &NewStatusChange,
) -> Result<StatusChangeOutcome, BackendError> {
    let change = &new.change;
    let report = query_opt(
        transaction,
        "SELECT status, closed_at, envelope IS NULL,
             (SELECT COUNT(*) FROM report_status_changes c WHERE c.report_id = reports.id),
             acted_upon_at
         FROM reports WHERE id = $1 AND school_id = $2",
        &[&change.report_id.as_str(), &new.school_id.as_str()],
    )
    .await?;
    let report = report
        .map(|report| {
            Ok::<_, BackendError>(ReportState {
                status: report_status(report.try_get(0)?)?,
                closed_at: optional_unix_millis(&report, 1)?,
                forgotten: report.try_get(2)?,
                changes: u32::try_from(report.try_get::<_, i64>(3)?)?,
                acted_upon_at: optional_unix_millis(&report, 4)?,
            })
        })
        .transpose()?;
    let earlier = query_opt(
        transaction,
        "SELECT report_id, coarse_status, envelope_sha256, recorded_at
         FROM report_status_changes WHERE id = $1",
        &[&change.change_id.as_str()],
    )
    .await?
    .map(|earlier| {
        Ok::<_, BackendError>(EarlierChange {
            report_id: parsed(&earlier, 0)?,
            coarse_status: coarse_status(earlier.try_get(1)?)?,
            envelope_sha256: digest(&earlier, 2)?,
            recorded_at: unix_millis(&earlier, 3)?,
        })
    })
    .transpose()?;
    let (status, closed_at, acted_upon_at) =
        match rules::status_change(report, earlier, change, new.max_changes) {
            StatusChangeRule::Answer(outcome) => return Ok(outcome),
            StatusChangeRule::Record {
                status,
                closed_at,
                acted_upon_at,
            } => (status, closed_at, acted_upon_at),
        };
    execute(
        transaction,
        "INSERT INTO report_status_changes
             (id, report_id, coarse_status, envelope, envelope_sha256, recorded_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
        &[
            &change.change_id.as_str(),
            &change.report_id.as_str(),
            &coarse_status_text(change.coarse_status),
            &change.envelope.as_bytes(),
            &change.envelope_sha256.as_bytes().as_slice(),
            &millis(change.recorded_at),
        ],
    )
    .await?;
    execute(
        transaction,
        "UPDATE reports SET status = $2, closed_at = $3, acted_upon_at = $4 WHERE id = $1",
        &[
            &change.report_id.as_str(),
            &status_text(status),
            &closed_at.map(millis),
            &acted_upon_at.map(millis),
        ],
    )
    .await?;
    Ok(StatusChangeOutcome::Recorded(RecordedStatusChange {
        change: change.clone(),
        status,
        closed_at,
    }))
}

async fn redeem(
    transaction: &Transaction<'_>,
    redemption: &SetupRedemption,
) -> Result<SetupOutcome, BackendError> {
    let code = query_opt(
        transaction,
        "SELECT c.school_id, c.member_id, c.expires_at, c.used_at,
            EXISTS (SELECT 1 FROM team_members m WHERE m.id = c.member_id
                    AND m.removed_at IS NOT NULL)
         FROM setup_codes c WHERE c.code_hash = $1",
        &[&hash(&redemption.code)],
    )
    .await?;
    let code = code
        .map(|code| {
            Ok::<_, BackendError>(StoredSetupCode {
                school_id: parsed(&code, 0)?,
                member_id: code
                    .try_get::<_, Option<String>>(1)?
                    .map(TeamMemberId::try_from)
                    .transpose()?,
                record: CodeRecord {
                    expires_at: unix_millis(&code, 2)?,
                    used: match optional_unix_millis(&code, 3)? {
                        None => CodeUse::Unused,
                        Some(_) => CodeUse::Redeemed,
                    },
                    revoked: code.try_get(4)?,
                    full: false,
                },
            })
        })
        .transpose()?;
    let head = match &code {
        Some(code) => head_number(transaction, &code.school_id).await?,
        None => 0,
    };
    let approved = match code.as_ref().and_then(|code| code.member_id.as_ref()) {
        Some(member_id) => query_opt(
            transaction,
            "SELECT public_key, signing_key, removed_at IS NOT NULL
             FROM team_members WHERE id = $1",
            &[&member_id.as_str()],
        )
        .await?
        .map(|approved| {
            Ok::<_, BackendError>(StoredMemberKeys {
                recipient: approved.try_get(0)?,
                signing_key: approved.try_get(1)?,
                removed: approved.try_get(2)?,
            })
        })
        .transpose()?,
        None => None,
    };
    let member = &redemption.member;
    match rules::redemption(
        code.as_ref(),
        head,
        approved.as_ref(),
        redemption.presented(),
    ) {
        RedemptionRule::Refuse(outcome) => return Ok(outcome),
        RedemptionRule::Found => {
            if !upsert_member(transaction, &redemption.school_id, member).await? {
                return Ok(SetupOutcome::MemberIdTaken);
            }
            let Some((founding, digest)) = &redemption.founding else {
                unreachable!("the rules found a chain only with a founding version");
            };
            append_version(
                transaction,
                &redemption.school_id,
                founding,
                digest,
                redemption.now,
            )
            .await?;
        }
        RedemptionRule::Renew => {}
    }
    execute(
        transaction,
        "UPDATE team_members SET token_hash = $2 WHERE id = $1",
        &[&member.id.as_str(), &hash(&redemption.token)],
    )
    .await?;
    execute(
        transaction,
        "UPDATE setup_codes SET used_at = $2 WHERE code_hash = $1",
        &[&hash(&redemption.code), &millis(redemption.now)],
    )
    .await?;
    let (school, chain) = read_school_keys(transaction, &redemption.school_id).await?;
    Ok(SetupOutcome::Redeemed { school, chain })
}

async fn setup_code_target(
    transaction: &Transaction<'_>,
    code: &SecretHash,
) -> Result<Option<SetupTarget>, BackendError> {
    let found = query_opt(
        transaction,
        "SELECT school_id, member_id FROM setup_codes WHERE code_hash = $1",
        &[&hash(code)],
    )
    .await?;
    let Some(found) = found else {
        return Ok(None);
    };
    let school_id: SchoolId = parsed(&found, 0)?;
    let member_id = found
        .try_get::<_, Option<String>>(1)?
        .map(TeamMemberId::try_from)
        .transpose()?;
    let (school, chain) = read_school_keys(transaction, &school_id).await?;
    Ok(Some(SetupTarget {
        school,
        member_id,
        chain,
    }))
}

/// Appends a verified version and makes its change (see [`Store::append_chain`]).
async fn append_to_chain(
    transaction: &Transaction<'_>,
    append: &ChainAppend,
) -> Result<AppendOutcome, BackendError> {
    let school_id = &append.school_id;
    let number = append.version.version.number();
    if !rules::is_next_version(head_number(transaction, school_id).await?, number) {
        return Ok(AppendOutcome::Conflict);
    }
    let member_id = match &append.effect {
        MemberEffect::Add(member) | MemberEffect::ReRegister(member) => {
            if !upsert_member(transaction, school_id, member).await? {
                return Ok(AppendOutcome::MemberIdTaken);
            }
            &member.id
        }
        MemberEffect::Remove(member_id) => {
            execute(
                transaction,
                "UPDATE team_members SET removed_at = $3
                 WHERE id = $1 AND school_id = $2 AND removed_at IS NULL",
                &[
                    &member_id.as_str(),
                    &school_id.as_str(),
                    &millis(append.now),
                ],
            )
            .await?;
            member_id
        }
    };
    if let Some((code, expires_at)) = &append.setup_code {
        execute(
            transaction,
            "UPDATE setup_codes SET used_at = $2 WHERE member_id = $1 AND used_at IS NULL",
            &[&member_id.as_str(), &millis(append.now)],
        )
        .await?;
        execute(
            transaction,
            "INSERT INTO setup_codes (code_hash, school_id, member_id, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5)",
            &[
                &hash(code),
                &school_id.as_str(),
                &member_id.as_str(),
                &millis(append.now),
                &millis(*expires_at),
            ],
        )
        .await?;
    }
    append_version(
        transaction,
        school_id,
        &append.version,
        &append.hash,
        append.now,
    )
    .await?;
    Ok(AppendOutcome::Appended {
        chain: read_chain(transaction, school_id).await?,
    })
}

/// The number of the school's last version; 0 before its first.
async fn head_number(
    transaction: &Transaction<'_>,
    school_id: &SchoolId,
) -> Result<u64, BackendError> {
    let number: i64 = query_one(
        transaction,
        "SELECT COALESCE(MAX(number), 0) FROM team_chain WHERE school_id = $1",
        &[&school_id.as_str()],
    )
    .await?
    .try_get(0)?;
    Ok(u64::try_from(number)?)
}

async fn append_version(
    transaction: &Transaction<'_>,
    school_id: &SchoolId,
    version: &SignedVersion,
    digest: &Sha256Digest,
    now: UnixMillis,
) -> Result<(), BackendError> {
    let number = i64::try_from(version.version.number())?;
    execute(
        transaction,
        "INSERT INTO team_chain (school_id, number, signed, hash, appended_at)
         VALUES ($1, $2, $3, $4, $5)",
        &[
            &school_id.as_str(),
            &number,
            &version_to_json(version)?,
            &digest.to_hex(),
            &millis(now),
        ],
    )
    .await?;
    Ok(())
}

async fn read_chain(
    transaction: &Transaction<'_>,
    school_id: &SchoolId,
) -> Result<Vec<SignedVersion>, BackendError> {
    let statement = transaction
        .prepare_cached("SELECT signed FROM team_chain WHERE school_id = $1 ORDER BY number")
        .await?;
    transaction
        .query(&statement, &[&school_id.as_str()])
        .await?
        .iter()
        .map(|row| Ok(version_from_json(row.try_get::<_, &str>(0)?)?))
        .collect()
}

/// Makes `member` a current member of the school as the chain lists them, with no token yet:
/// a new row, or a row of the same school (a member added again, or re-registered) updated.
/// `false` when the id is another school's member's (nothing changed).
async fn upsert_member(
    transaction: &Transaction<'_>,
    school_id: &SchoolId,
    member: &ChainMember,
) -> Result<bool, BackendError> {
    let changed = execute(
        transaction,
        "INSERT INTO team_members
             (id, school_id, display_name, public_key, fingerprint, signing_key, added_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (id) DO UPDATE SET display_name = excluded.display_name,
             public_key = excluded.public_key, fingerprint = excluded.fingerprint,
             signing_key = excluded.signing_key, added_at = excluded.added_at,
             removed_at = NULL, token_hash = NULL
         WHERE team_members.school_id = excluded.school_id",
        &[
            &member.id.as_str(),
            &school_id.as_str(),
            &member.display_name.as_str(),
            &member.recipient.as_str(),
            &crate::age_format::fingerprint(&member.recipient).as_str(),
            &member.signing_key.to_hex(),
            &millis(member.added_at),
        ],
    )
    .await?;
    Ok(changed == 1)
}

async fn renew_setup_code(
    transaction: &Transaction<'_>,
    renewal: &SetupCodeRenewal,
) -> Result<Option<TeamMember>, BackendError> {
    let member = query_opt(
        transaction,
        school_sql::CURRENT_MEMBER,
        &[&renewal.member_id.as_str(), &renewal.school_id.as_str()],
    )
    .await?;
    let Some(member) = member else {
        return Ok(None);
    };
    execute(
        transaction,
        school_sql::RETIRE_MEMBER_CODES,
        &[&millis(renewal.now), &renewal.member_id.as_str()],
    )
    .await?;
    execute(
        transaction,
        school_sql::INSERT_MEMBER_CODE,
        &[
            &hash(&renewal.setup_code),
            &renewal.school_id.as_str(),
            &renewal.member_id.as_str(),
            &millis(renewal.now),
            &millis(renewal.expires_at),
        ],
    )
    .await?;
    member_from_row(&member).map(Some)
}

/// A set-up code's expiry, use, replacement (a renewal marks the member's earlier codes used
/// at the very time its new code is created) and whether its member was removed; an
/// enrolment code's as `rules::enrolment_record` reads its link.
async fn code_record(
    transaction: &Transaction<'_>,
    kind: LinkKind,
    code: &SecretHash,
) -> Result<Option<CodeRecord>, BackendError> {
    if kind == LinkKind::Enrolment {
        return Ok(enrolment_link_by_code(transaction, code)
            .await?
            .map(|(_, _, link)| rules::enrolment_record(link)));
    }
    let sql = "SELECT c.expires_at, c.used_at,
            EXISTS (SELECT 1 FROM setup_codes n WHERE n.member_id = c.member_id
                    AND n.code_hash <> c.code_hash AND n.created_at = c.used_at),
            EXISTS (SELECT 1 FROM team_members m WHERE m.id = c.member_id
                    AND m.removed_at IS NOT NULL)
         FROM setup_codes c WHERE c.code_hash = $1";
    let Some(row) = query_opt(transaction, sql, &[&hash(code)]).await? else {
        return Ok(None);
    };
    let used = match (optional_unix_millis(&row, 1)?, row.try_get::<_, bool>(2)?) {
        (None, _) => CodeUse::Unused,
        (Some(_), false) => CodeUse::Redeemed,
        (Some(_), true) => CodeUse::Replaced,
    };
    Ok(Some(CodeRecord {
        expires_at: unix_millis(&row, 0)?,
        used,
        revoked: row.try_get(3)?,
        full: false,
    }))
}

/// The enrolment link with this code: its id, school, and what the rules need of it.
async fn enrolment_link_by_code(
    transaction: &Transaction<'_>,
    code: &SecretHash,
) -> Result<Option<(String, SchoolId, StoredEnrolmentLink)>, BackendError> {
    let Some(row) = query_opt(
        transaction,
        "SELECT l.id, l.school_id, l.expires_at, l.revoked_at IS NOT NULL, l.max_devices,
                (SELECT COUNT(*) FROM devices d WHERE d.enrolment_link_id = l.id)
         FROM enrolment_links l WHERE l.code_hash = $1",
        &[&hash(code)],
    )
    .await?
    else {
        return Ok(None);
    };
    let link = StoredEnrolmentLink {
        expires_at: unix_millis(&row, 2)?,
        revoked: row.try_get(3)?,
        max_devices: u16::try_from(row.try_get::<_, i32>(4)?)?,
        devices_enrolled: u64::try_from(row.try_get::<_, i64>(5)?)?,
    };
    Ok(Some((row.try_get(0)?, parsed(&row, 1)?, link)))
}

/// A link from `id, created_at, expires_at, revoked_at, max_devices`.
fn link_from_row(row: &Row) -> Result<EnrolmentLink, BackendError> {
    Ok(EnrolmentLink {
        id: parsed(row, 0)?,
        created_at: unix_millis(row, 1)?,
        expires_at: unix_millis(row, 2)?,
        revoked_at: optional_unix_millis(row, 3)?,
        max_devices: LinkDeviceCap::new(u16::try_from(row.try_get::<_, i32>(4)?)?)?,
    })
}

async fn read_enrolment_links(
    transaction: &Transaction<'_>,
    school_id: &SchoolId,
) -> Result<Vec<TeamEnrolmentLink>, BackendError> {
    let statement = transaction
        .prepare_cached(
            "SELECT l.id, l.created_at, l.expires_at, l.revoked_at, l.max_devices,
                    (SELECT COUNT(*) FROM devices d WHERE d.enrolment_link_id = l.id)
             FROM enrolment_links l WHERE l.school_id = $1
             ORDER BY l.created_at DESC, l.id DESC",
        )
        .await?;
    transaction
        .query(&statement, &[&school_id.as_str()])
        .await?
        .iter()
        .map(|row| {
            Ok(TeamEnrolmentLink {
                link: link_from_row(row)?,
                devices_enrolled: u64::try_from(row.try_get::<_, i64>(5)?)?,
            })
        })
        .collect()
}

async fn read_devices(
    transaction: &Transaction<'_>,
    school_id: &SchoolId,
) -> Result<Vec<TeamDevice>, BackendError> {
    let statement = transaction
        .prepare_cached(
            "SELECT id, name, enrolled_at, last_seen_at, reports_sent, revoked_at
             FROM devices WHERE school_id = $1
             ORDER BY enrolled_at DESC, id DESC",
        )
        .await?;
    transaction
        .query(&statement, &[&school_id.as_str()])
        .await?
        .iter()
        .map(|row| {
            Ok(TeamDevice {
                id: parsed(row, 0)?,
                name: optional_parsed(row, 1)?,
                enrolled_at: unix_millis(row, 2)?,
                last_seen_at: optional_unix_millis(row, 3)?,
                reports_sent: u64::try_from(row.try_get::<_, i64>(4)?)?,
                revoked_at: optional_unix_millis(row, 5)?,
            })
        })
        .collect()
}

async fn enrol(
    transaction: &Transaction<'_>,
    new: &NewDevice,
) -> Result<EnrolmentOutcome, BackendError> {
    let Some((link_id, school_id, link)) = enrolment_link_by_code(transaction, &new.code).await?
    else {
        return Ok(EnrolmentOutcome::Refused(CodeRefusal::Unknown));
    };
    let record = rules::enrolment_record(link);
    if let Some(refusal) = code_refusal(&record, new.device.enrolled_at) {
        return Ok(EnrolmentOutcome::Refused(refusal));
    }
    execute(
        transaction,
        "INSERT INTO devices (id, school_id, enrolment_link_id, token_hash, enrolled_at, name)
         VALUES ($1, $2, $3, $4, $5, $6)",
        &[
            &new.device.id.as_str(),
            &school_id.as_str(),
            &link_id,
            &hash(&new.token),
            &millis(new.device.enrolled_at),
            &new.name.as_ref().map(DeviceName::as_str),
        ],
    )
    .await?;
    let (school, chain) = read_school_keys(transaction, &school_id).await?;
    Ok(EnrolmentOutcome::Enrolled { school, chain })
}

/// Stores the report unless its id is taken (a resend or a conflict, never counted against a
/// quota), if it fits its device's window and its school's space (`rules::report_quota`). The
/// device's row is locked first, so one device's submissions are counted one at a time; the
/// school's bytes are counted by the schema's trigger. `ON CONFLICT DO NOTHING` waits for a
/// concurrent insert of the same id to commit or roll back; the `SELECT` after it, in a new
/// `READ COMMITTED` snapshot, then sees the report that won and compares.
/// Finds a token with `query`, which selects the holder's id, school, the time it stopped
/// working (`NULL` while valid) and when it was last noted in use (a device's; `NULL`).
async fn lookup_token<Id, T>(
    transaction: &Transaction<'_>,
    query: &str,
    token: &SecretHash,
    credential: impl FnOnce(Id, SchoolId, Option<UnixMillis>) -> T,
) -> Result<TokenLookup<T>, BackendError>
where
    Id: TryFrom<String>,
    Id::Error: std::error::Error + Send + Sync + 'static,
{
    let Some(row) = query_opt(transaction, query, &[&hash(token)]).await? else {
        return Ok(TokenLookup::Unknown);
    };
    if row.try_get::<_, Option<i64>>(2)?.is_some() {
        return Ok(TokenLookup::Revoked);
    }
    Ok(TokenLookup::Valid(credential(
        parsed(&row, 0)?,
        parsed(&row, 1)?,
        optional_unix_millis(&row, 3)?,
    )))
}

fn member_from_row(row: &Row) -> Result<TeamMember, BackendError> {
    Ok(TeamMember {
        id: parsed(row, 0)?,
        display_name: parsed(row, 1)?,
        public_key: parsed(row, 2)?,
        fingerprint: parsed(row, 3)?,
        added_at: unix_millis(row, 4)?,
        removed_at: optional_unix_millis(row, 5)?,
    })
}

fn receipt_from_row(row: &Row, first: usize) -> Result<ReportReceipt, BackendError> {
    Ok(ReportReceipt {
        report_id: parsed(row, first)?,
        received_at: unix_millis(row, first + 1)?,
        status: report_status(row.try_get(first + 2)?)?,
        envelope_sha256: digest(row, first + 3)?,
    })
}

fn report_status(text: &str) -> Result<ReportStatus, BackendError> {
    rules::status_from_text(text).ok_or_else(|| format!("unknown report status {text:?}").into())
}

fn coarse_status(text: &str) -> Result<CoarseStatus, BackendError> {
    coarse_status_from_text(text).ok_or_else(|| format!("unknown coarse status {text:?}").into())
}

fn digest(row: &Row, index: usize) -> Result<Sha256Digest, BackendError> {
    let bytes: [u8; 32] = row
        .try_get::<_, &[u8]>(index)?
        .try_into()
        .map_err(|_| "a stored envelope digest is not 32 bytes")?;
    Ok(Sha256Digest::from_bytes(bytes))
}

/// A text column read into a validated domain type.
fn parsed<T>(row: &Row, index: usize) -> Result<T, BackendError>
where
    T: TryFrom<String>,
    T::Error: std::error::Error + Send + Sync + 'static,
{
    Ok(T::try_from(row.try_get::<_, String>(index)?)?)
}

/// A nullable text column read into a validated domain type.
fn optional_parsed<T>(row: &Row, index: usize) -> Result<Option<T>, BackendError>
where
    T: TryFrom<String>,
    T::Error: std::error::Error + Send + Sync + 'static,
{
    Ok(row
        .try_get::<_, Option<String>>(index)?
        .map(T::try_from)
        .transpose()?)
}

/// Times are `BIGINT` milliseconds; [`UnixMillis`] is unsigned.
fn millis(time: UnixMillis) -> i64 {
    i64::try_from(time.0).unwrap_or(i64::MAX)
}

fn unix_millis(row: &Row, index: usize) -> Result<UnixMillis, BackendError> {
    Ok(UnixMillis(u64::try_from(row.try_get::<_, i64>(index)?)?))
}

fn optional_unix_millis(row: &Row, index: usize) -> Result<Option<UnixMillis>, BackendError> {
    row.try_get::<_, Option<i64>>(index)?
        .map(|time| Ok(UnixMillis(u64::try_from(time)?)))
        .transpose()
}

fn hash(secret: &SecretHash) -> &[u8] {
    secret.as_bytes()
}

async fn read_school_keys(
    transaction: &Transaction<'_>,
    school_id: &SchoolId,
) -> Result<(School, Vec<SignedVersion>), BackendError> {
    let school = query_one(
        transaction,
        "SELECT id, name FROM schools WHERE id = $1",
        &[&school_id.as_str()],
    )
    .await?;
    let school = School {
        id: parsed(&school, 0)?,
        name: parsed(&school, 1)?,
    };
    Ok((school, read_chain(transaction, school_id).await?))
}

type Parameters<'p> = [&'p (dyn ToSql + Sync)];

/// Runs a statement (prepared once per connection) and returns the rows it changed.
async fn execute(
    transaction: &Transaction<'_>,
    sql: &str,
    parameters: &Parameters<'_>,
) -> Result<u64, tokio_postgres::Error> {
    let statement = transaction.prepare_cached(sql).await?;
    transaction.execute(&statement, parameters).await
}

async fn query_opt(
    transaction: &Transaction<'_>,
    sql: &str,
    parameters: &Parameters<'_>,
) -> Result<Option<Row>, tokio_postgres::Error> {
    let statement = transaction.prepare_cached(sql).await?;
    transaction.query_opt(&statement, parameters).await
}

async fn query(
    transaction: &Transaction<'_>,
    sql: &str,
    parameters: &Parameters<'_>,
) -> Result<Vec<Row>, tokio_postgres::Error> {
    let statement = transaction.prepare_cached(sql).await?;
    transaction.query(&statement, parameters).await
}

async fn query_one(
    transaction: &Transaction<'_>,
    sql: &str,
    parameters: &Parameters<'_>,
) -> Result<Row, tokio_postgres::Error> {
    let statement = transaction.prepare_cached(sql).await?;
    transaction.query_one(&statement, parameters).await
}

/// Refuses a server that could lose a commit it acknowledged.
async fn check_durability(client: &Object) -> Result<(), StoreError> {
    for (setting, unsafe_value) in [("fsync", "off"), ("synchronous_commit", "off")] {
        let value: String = show(client, setting)
            .await
            .map_err(|source| backend("read the server's durability settings", source))?;
        if value == unsafe_value {
            return Err(StoreError::NotDurable { setting });
        }
    }
    Ok(())
}

async fn show<T: FromSqlOwned>(client: &Object, setting: &str) -> Result<T, BackendError> {
    Ok(client
        .query_one("SELECT current_setting($1)", &[&setting])
        .await?
        .try_get(0)?)
}

async fn migrate(client: &mut Object) -> Result<(), StoreError> {
    let supported = MIGRATIONS.last().map_or(0, |migration| migration.version);
    loop {
        let transaction = client
            .transaction()
            .await
            .map_err(|source| backend("start a migration", source))?;
        // Held until this transaction ends: a second server starting now waits here.
        transaction
            .execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
            .await
            .map_err(|source| backend("lock the schema for migration", source))?;
        transaction
            .batch_execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations (
                     version    INTEGER PRIMARY KEY NOT NULL,
                     applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
                 )",
            )
            .await
            .map_err(|source| backend("create schema_migrations", source))?;
        let current: i32 = transaction
            .query_one(
                "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
                &[],
            )
            .await
            .and_then(|row| row.try_get(0))
            .map_err(|source| backend("read the schema version", source))?;
        if current > supported {
            return Err(StoreError::SchemaTooNew {
                found: current.unsigned_abs(),
                supported: supported.unsigned_abs(),
            });
        }
        let Some(migration) = MIGRATIONS
            .iter()
            .find(|migration| migration.version > current)
        else {
            return transaction
                .commit()
                .await
                .map_err(|source| backend("read the schema version", source));
        };
        transaction
            .batch_execute(migration.sql)
            .await
            .map_err(|source| backend("apply a database migration", source))?;
        transaction
            .execute(
                "INSERT INTO schema_migrations (version) VALUES ($1)",
                &[&migration.version],
            )
            .await
            .map_err(|source| backend("apply a database migration", source))?;
        transaction
            .commit()
            .await
            .map_err(|source| backend("apply a database migration", source))?;
        tracing::info!(version = migration.version, "applied database migration");
    }
}

fn backend(operation: &'static str, source: impl Into<BackendError>) -> StoreError {
    StoreError::Backend {
        operation,
        source: source.into(),
    }
}
