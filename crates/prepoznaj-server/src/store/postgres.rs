//! PostgreSQL backend, chosen when `--database-url` (`DATABASE_URL`) names a database: for
//! deployments where several server instances share one database.
//!
//! Correctness across instances comes from the database, never from a lock in this process:
//! every write is one `SERIALIZABLE` transaction, retried from the start when PostgreSQL
//! reports a serialization failure, a deadlock or a unique key taken by a concurrent
//! transaction, so each outcome (a code redeemed once, a member added once) is what SQLite's
//! one-writer-at-a-time gives. A report is the exception that scales: one `INSERT … ON
//! CONFLICT DO NOTHING` on its id decides "stored" or "already there" at `READ COMMITTED`, so
//! reports to different ids never conflict. Reads run in one read-only snapshot.
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
        CoarseStatus, Device, DeviceId, EnrolmentLink, EnrolmentLinkId, Envelope, LinkKind,
        ReportReceipt, ReportStatus, ReportUuid, School, SchoolId, Sha256Digest, StatusChange,
        TeamMember, TeamMemberId, TeamReport,
    },
    team_chain::{ChainMember, SignedVersion},
};

use crate::credentials::SecretHash;

use super::{
    AppendOutcome, BackendError, ChainAppend, CodeRefusal, DeviceCredential, EnrolmentOutcome,
    MemberEffect, NewDevice, NewEnrolmentLink, NewReport, NewSchool, NewStatusChange,
    RecordedStatusChange, ReportPage, SetupCodeRenewal, SetupOutcome, SetupRedemption, SetupTarget,
    StatusChangeOutcome, Store, StoreError, SubmissionOutcome, TeamCredential, TokenLookup,
    coarse_status_from_text, coarse_status_text, code_refusal, version_from_json, version_to_json,
};

/// The columns [`member_from_row`] reads, in its order.
macro_rules! member_columns {
    () => {
        "id, display_name, public_key, fingerprint, added_at, removed_at"
    };
}

/// The columns [`receipt_from_row`] reads, in its order.
macro_rules! receipt_columns {
    () => {
        "id, received_at, status, envelope_sha256"
    };
}

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
        sql: include_str!("../../migrations/postgres/0001_init.sql"),
    },
    Migration {
        version: 2,
        sql: include_str!("../../migrations/postgres/0002_schools_devices_reports.sql"),
    },
    Migration {
        version: 3,
        sql: include_str!("../../migrations/postgres/0003_inbox_status_changes_retention.sql"),
    },
    Migration {
        version: 4,
        sql: include_str!("../../migrations/postgres/0004_team_chain.sql"),
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
}

impl fmt::Debug for PostgresStore {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("PostgresStore")
            .field("status", &self.pool.status())
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
    /// `READ COMMITTED`: a write whose outcome one unique key decides (`ON CONFLICT`), so
    /// writes of other keys never conflict with it.
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
        let store = Self { pool };
        let mut client = store
            .pool
            .get()
            .await
            .map_err(|source| StoreError::Connect {
                source: source.into(),
            })?;
        check_durability(&client).await?;
        migrate(&mut client).await?;
        Ok(store)
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
            Box::pin(async move {
                execute(
                    transaction,
                    "INSERT INTO schools (id, name, created_at) VALUES ($1, $2, $3)",
                    &[
                        &new.school.id.as_str(),
                        &new.school.name.as_str(),
                        &millis(new.created_at),
                    ],
                )
                .await?;
                execute(
                    transaction,
                    "INSERT INTO setup_codes (code_hash, school_id, member_id, created_at, expires_at)
                     VALUES ($1, $2, NULL, $3, $4)",
                    &[
                        &hash(&new.setup_code),
                        &new.school.id.as_str(),
                        &millis(new.created_at),
                        &millis(new.setup_expires_at),
                    ],
                )
                .await?;
                Ok(())
            })
        })
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
                    "SELECT id, school_id, removed_at FROM team_members WHERE token_hash = $1",
                    token,
                    |member_id, school_id| TeamCredential {
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
                             (id, school_id, code_hash, created_by, created_at, expires_at)
                         VALUES ($1, $2, $3, $4, $5, $6)",
                        &[
                            &new.link.id.as_str(),
                            &new.school_id.as_str(),
                            &hash(&new.code),
                            &new.created_by.as_str(),
                            &millis(new.link.created_at),
                            &millis(new.link.expires_at),
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
                         RETURNING id, created_at, expires_at, revoked_at",
                        &[&link_id.as_str(), &school_id.as_str(), &millis(*now)],
                    )
                    .await?;
                    row.map(|row| {
                        Ok(EnrolmentLink {
                            id: parsed(&row, 0)?,
                            created_at: unix_millis(&row, 1)?,
                            expires_at: unix_millis(&row, 2)?,
                            revoked_at: optional_unix_millis(&row, 3)?,
                        })
                    })
                    .transpose()
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
                    "SELECT id, school_id, revoked_at FROM devices WHERE token_hash = $1",
                    token,
                    |device_id, school_id| DeviceCredential {
                        device_id,
                        school_id,
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
        self.run("store a report", Access::Insert, new, |transaction, new| {
            Box::pin(submit(transaction, new))
        })
        .await
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

    async fn forget_closed_reports(
        &self,
        closed_before: UnixMillis,
        now: UnixMillis,
    ) -> Result<u64, StoreError> {
        self.run(
            "forget closed reports",
            Access::Write,
            (closed_before, now),
            |transaction, (closed_before, now)| {
                Box::pin(async move {
                    execute(
                        transaction,
                        "DELETE FROM report_status_changes WHERE report_id IN
                             (SELECT id FROM reports
                              WHERE closed_at <= $1 AND envelope IS NOT NULL)",
                        &[&millis(*closed_before)],
                    )
                    .await?;
                    Ok(execute(
                        transaction,
                        "UPDATE reports SET envelope = NULL, envelope_deleted_at = $2
                         WHERE closed_at <= $1 AND envelope IS NOT NULL",
                        &[&millis(*closed_before), &millis(*now)],
                    )
                    .await?)
                })
            },
        )
        .await
    }
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
        envelope: Envelope::from_bytes(row.try_get(6)?),
        envelope_sha256: digest(row, 7)?,
        status_changes: Vec::new(),
    })
}

fn status_change_from_row(row: &Row) -> Result<StatusChange, BackendError> {
    let coarse_status: &str = row.try_get(2)?;
    Ok(StatusChange {
        change_id: parsed(row, 0)?,
        report_id: parsed(row, 1)?,
        coarse_status: coarse_status_from_text(coarse_status)
            .ok_or_else(|| format!("unknown coarse status {coarse_status:?}"))?,
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
        "SELECT status, closed_at, envelope IS NULL FROM reports WHERE id = $1 AND school_id = $2",
        &[&change.report_id.as_str(), &new.school_id.as_str()],
    )
    .await?;
    let Some(report) = report else {
        return Ok(StatusChangeOutcome::ReportNotFound);
    };
    let status = report_status(report.try_get(0)?)?;
    let closed_at = optional_unix_millis(&report, 1)?;
    let forgotten: bool = report.try_get(2)?;
    let earlier = query_opt(
        transaction,
        "SELECT report_id, coarse_status, envelope_sha256, recorded_at
         FROM report_status_changes WHERE id = $1",
        &[&change.change_id.as_str()],
    )
    .await?;
    if let Some(earlier) = earlier {
        let identical = earlier.try_get::<_, &str>(0)? == change.report_id.as_str()
            && earlier.try_get::<_, &str>(1)? == coarse_status_text(change.coarse_status)
            && digest(&earlier, 2)? == change.envelope_sha256;
        return Ok(if identical {
            StatusChangeOutcome::AlreadyRecorded(RecordedStatusChange {
                change: StatusChange {
                    recorded_at: unix_millis(&earlier, 3)?,
                    ..change.clone()
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
    let status = status.max(change.coarse_status.reporter_status());
    let closed_at =
        closed_at.or((change.coarse_status == CoarseStatus::Closed).then_some(change.recorded_at));
    execute(
        transaction,
        "UPDATE reports SET status = $2, closed_at = $3 WHERE id = $1",
        &[
            &change.report_id.as_str(),
            &status_text(status),
            &closed_at.map(millis),
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
    let Some(code) = code else {
        return Ok(SetupOutcome::Refused(CodeRefusal::Unknown));
    };
    let school_id: SchoolId = parsed(&code, 0)?;
    let approved_member: Option<String> = code.try_get(1)?;
    let record = CodeRecord {
        expires_at: unix_millis(&code, 2)?,
        used: match optional_unix_millis(&code, 3)? {
            None => CodeUse::Unused,
            Some(_) => CodeUse::Redeemed,
        },
        revoked: code.try_get(4)?,
    };
    if school_id != redemption.school_id {
        return Ok(SetupOutcome::Refused(CodeRefusal::Unknown));
    }
    if let Some(refusal) = code_refusal(&record, redemption.now) {
        return Ok(SetupOutcome::Refused(refusal));
    }
    let member = &redemption.member;
    match (approved_member, &redemption.founding) {
        (None, Some((founding, digest))) => {
            if head_number(transaction, &school_id).await? != 0 {
                return Ok(SetupOutcome::ChainConflict);
            }
            if !upsert_member(transaction, &school_id, member).await? {
                return Ok(SetupOutcome::MemberIdTaken);
            }
            append_version(transaction, &school_id, founding, digest, redemption.now).await?;
        }
        (Some(member_id), None) if member_id == member.id.as_str() => {
            let approved = query_one(
                transaction,
                "SELECT public_key, signing_key, removed_at FROM team_members WHERE id = $1",
                &[&member_id],
            )
            .await?;
            if approved.try_get::<_, Option<i64>>(2)?.is_some() {
                return Ok(SetupOutcome::Refused(CodeRefusal::Revoked));
            }
            let same_keys = approved.try_get::<_, &str>(0)? == member.recipient.as_str()
                && approved.try_get::<_, Option<String>>(1)? == Some(member.signing_key.to_hex());
            if !same_keys {
                return Ok(SetupOutcome::KeyMismatch);
            }
        }
        _ => return Ok(SetupOutcome::KeyMismatch),
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
    let (school, chain) = read_school_keys(transaction, &school_id).await?;
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
    if head_number(transaction, school_id).await?.checked_add(1) != Some(number) {
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
        concat!(
            "SELECT ",
            member_columns!(),
            " FROM team_members WHERE id = $1 AND school_id = $2 AND removed_at IS NULL"
        ),
        &[&renewal.member_id.as_str(), &renewal.school_id.as_str()],
    )
    .await?;
    let Some(member) = member else {
        return Ok(None);
    };
    execute(
        transaction,
        "UPDATE setup_codes SET used_at = $2 WHERE member_id = $1 AND used_at IS NULL",
        &[&renewal.member_id.as_str(), &millis(renewal.now)],
    )
    .await?;
    execute(
        transaction,
        "INSERT INTO setup_codes (code_hash, school_id, member_id, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5)",
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
/// enrolment code's expiry and revocation in the same columns.
async fn code_record(
    transaction: &Transaction<'_>,
    kind: LinkKind,
    code: &SecretHash,
) -> Result<Option<CodeRecord>, BackendError> {
    let sql = match kind {
        LinkKind::TeamSetup => {
            "SELECT c.expires_at, c.used_at,
                EXISTS (SELECT 1 FROM setup_codes n WHERE n.member_id = c.member_id
                        AND n.code_hash <> c.code_hash AND n.created_at = c.used_at),
                EXISTS (SELECT 1 FROM team_members m WHERE m.id = c.member_id
                        AND m.removed_at IS NOT NULL)
             FROM setup_codes c WHERE c.code_hash = $1"
        }
        LinkKind::Enrolment => {
            "SELECT expires_at, NULL::BIGINT, FALSE, revoked_at IS NOT NULL
             FROM enrolment_links WHERE code_hash = $1"
        }
    };
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
    }))
}

async fn enrol(
    transaction: &Transaction<'_>,
    new: &NewDevice,
) -> Result<EnrolmentOutcome, BackendError> {
    let link = query_opt(
        transaction,
        "SELECT id, school_id, expires_at, revoked_at FROM enrolment_links WHERE code_hash = $1",
        &[&hash(&new.code)],
    )
    .await?;
    let Some(link) = link else {
        return Ok(EnrolmentOutcome::Refused(CodeRefusal::Unknown));
    };
    let link_id: String = link.try_get(0)?;
    let school_id: SchoolId = parsed(&link, 1)?;
    let record = CodeRecord {
        expires_at: unix_millis(&link, 2)?,
        used: CodeUse::Unused,
        revoked: link.try_get::<_, Option<i64>>(3)?.is_some(),
    };
    if let Some(refusal) = code_refusal(&record, new.device.enrolled_at) {
        return Ok(EnrolmentOutcome::Refused(refusal));
    }
    execute(
        transaction,
        "INSERT INTO devices (id, school_id, enrolment_link_id, token_hash, enrolled_at)
         VALUES ($1, $2, $3, $4, $5)",
        &[
            &new.device.id.as_str(),
            &school_id.as_str(),
            &link_id,
            &hash(&new.token),
            &millis(new.device.enrolled_at),
        ],
    )
    .await?;
    let (school, chain) = read_school_keys(transaction, &school_id).await?;
    Ok(EnrolmentOutcome::Enrolled { school, chain })
}

/// Stores the report unless its id is taken. `ON CONFLICT DO NOTHING` waits for a concurrent
/// insert of the same id to commit or roll back; the `SELECT` after it, in a new `READ
/// COMMITTED` snapshot, then sees the report that won and compares.
async fn submit(
    transaction: &Transaction<'_>,
    new: &NewReport,
) -> Result<SubmissionOutcome, BackendError> {
    let envelope = new.envelope.as_bytes();
    let inserted = execute(
        transaction,
        "INSERT INTO reports (id, school_id, envelope, envelope_sha256, size,
                              catalogue_version, received_at, status)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (id) DO NOTHING",
        &[
            &new.receipt.report_id.as_str(),
            &new.school_id.as_str(),
            &envelope,
            &new.receipt.envelope_sha256.as_bytes().as_slice(),
            &i64::try_from(envelope.len())?,
            &new.catalogue_version.as_str(),
            &millis(new.receipt.received_at),
            &status_text(new.receipt.status),
        ],
    )
    .await?;
    if inserted == 1 {
        return Ok(SubmissionOutcome::Stored(new.receipt.clone()));
    }
    let earlier = query_one(
        transaction,
        concat!(
            "SELECT school_id, catalogue_version, ",
            receipt_columns!(),
            " FROM reports WHERE id = $1"
        ),
        &[&new.receipt.report_id.as_str()],
    )
    .await?;
    let receipt = receipt_from_row(&earlier, 2)?;
    let identical = earlier.try_get::<_, &str>(0)? == new.school_id.as_str()
        && earlier.try_get::<_, &str>(1)? == new.catalogue_version.as_str()
        && receipt.envelope_sha256 == new.receipt.envelope_sha256;
    Ok(if identical {
        SubmissionOutcome::AlreadyStored(receipt)
    } else {
        SubmissionOutcome::Conflict
    })
}

/// Finds a token with `query`, which selects the holder's id, school and the time it stopped
/// working (`NULL` while valid).
async fn lookup_token<Id, T>(
    transaction: &Transaction<'_>,
    query: &str,
    token: &SecretHash,
    credential: impl FnOnce(Id, SchoolId) -> T,
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
    match text {
        "received" => Ok(ReportStatus::Received),
        "acted_upon" => Ok(ReportStatus::ActedUpon),
        other => Err(format!("unknown report status {other:?}").into()),
    }
}

fn digest(row: &Row, index: usize) -> Result<Sha256Digest, BackendError> {
    let bytes: [u8; 32] = row
        .try_get::<_, &[u8]>(index)?
        .try_into()
        .map_err(|_| "a stored envelope digest is not 32 bytes")?;
    Ok(Sha256Digest::from_bytes(bytes))
}

fn status_text(status: ReportStatus) -> &'static str {
    match status {
        ReportStatus::Received => "received",
        ReportStatus::ActedUpon => "acted_upon",
    }
}

/// A text column read into a validated domain type.
fn parsed<T>(row: &Row, index: usize) -> Result<T, BackendError>
where
    T: TryFrom<String>,
    T::Error: std::error::Error + Send + Sync + 'static,
{
    Ok(T::try_from(row.try_get::<_, String>(index)?)?)
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
