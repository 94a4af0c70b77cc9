//! SQLite backend, the default: one file `<data-dir>/prepoznaj.db` in WAL mode with
//! `synchronous=FULL`, foreign keys on and a busy timeout, migrated when opened.
//!
//! rusqlite blocks, so every call runs on tokio's blocking pool, never on a runtime worker.
//! Migrations are the files in `migrations/sqlite/`, embedded at build time and applied in order,
//! each in its own immediate transaction recorded in `schema_migrations`.
//!
//! One connection behind a lock serves every request, and every write is its own immediate
//! transaction, so each acknowledged write costs one WAL fsync. That is simple and correct;
//! past roughly one commit per fsync (about a thousand a second on an NVMe disk) the report
//! throughput target needs group commit: a writer task that takes the submissions waiting in a
//! channel, stores them in one transaction and answers each after the commit.

use std::{
    path::{Path, PathBuf},
    sync::{Arc, Mutex},
    time::Duration,
};

use prepoznaj_domain::{
    observation::UnixMillis,
    protocol::{
        Device, DeviceId, EnrolmentLink, EnrolmentLinkId, KeySet, ReportReceipt, ReportStatus,
        ReportUuid, School, SchoolId, Sha256Digest, TeamMember, TeamMemberId,
    },
};
use rusqlite::{
    Connection, OptionalExtension as _, Row, Transaction, TransactionBehavior, params, types::Type,
};
use tokio::task::spawn_blocking;

use crate::credentials::SecretHash;

use super::{
    ApprovalOutcome, BackendError, CodeRefusal, DeviceCredential, EnrolmentOutcome, MemberApproval,
    NewDevice, NewEnrolmentLink, NewReport, NewSchool, RemovalOutcome, SetupOutcome,
    SetupRedemption, Store, StoreError, SubmissionOutcome, TeamCredential, TokenLookup,
};

/// File name of the database inside the data directory.
pub const DATABASE_FILE_NAME: &str = "prepoznaj.db";

/// How long a statement waits for another connection's lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

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
];

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
        F: FnOnce(&mut Connection) -> rusqlite::Result<T> + Send + 'static,
    {
        let connection = Arc::clone(&self.connection);
        spawn_blocking(move || {
            let mut connection = connection
                .lock()
                .map_err(|_| backend(operation, "connection poisoned by an earlier panic"))?;
            query(&mut connection).map_err(|source| backend(operation, source))
        })
        .await
        .map_err(|source| backend(operation, source))?
    }

    /// Runs `work` in one immediate transaction, committed (and fsynced) before it returns.
    async fn write<T, F>(&self, operation: &'static str, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> rusqlite::Result<T> + Send + 'static,
    {
        self.call(operation, |connection| {
            let transaction =
                connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let result = work(&transaction)?;
            transaction.commit()?;
            Ok(result)
        })
        .await
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
            let code = transaction
                .query_row(
                    "SELECT school_id, member_id, expires_at, used_at
                     FROM setup_codes WHERE code_hash = ?1",
                    [redemption.code.as_bytes()],
                    |row| {
                        Ok((
                            parsed::<SchoolId>(row, 0)?,
                            row.get::<_, Option<String>>(1)?,
                            row.get::<_, u64>(2)?,
                            row.get::<_, Option<u64>>(3)?,
                        ))
                    },
                )
                .optional()?;
            let Some((school_id, approved_member, expires_at, used_at)) = code else {
                return Ok(SetupOutcome::Refused(CodeRefusal::Unknown));
            };
            if used_at.is_some() {
                return Ok(SetupOutcome::Refused(CodeRefusal::Used));
            }
            if redemption.now.0 >= expires_at {
                return Ok(SetupOutcome::Refused(CodeRefusal::Expired));
            }
            let candidate = &redemption.candidate;
            let member_id = match approved_member {
                None => {
                    if current_key_exists(transaction, &school_id, candidate)? {
                        return Ok(SetupOutcome::MemberExists);
                    }
                    insert_member(transaction, &school_id, candidate)?;
                    candidate.id.as_str().to_owned()
                }
                Some(member_id) => {
                    let approved = transaction.query_row(
                        "SELECT public_key, removed_at FROM team_members WHERE id = ?1",
                        [&member_id],
                        |row| Ok((row.get::<_, String>(0)?, row.get::<_, Option<u64>>(1)?)),
                    )?;
                    match approved {
                        (_, Some(_)) => return Ok(SetupOutcome::Refused(CodeRefusal::Revoked)),
                        (key, None) if key != candidate.public_key.as_str() => {
                            return Ok(SetupOutcome::KeyMismatch);
                        }
                        _ => {}
                    }
                    transaction.execute(
                        "UPDATE team_members SET display_name = ?2 WHERE id = ?1",
                        params![member_id, candidate.display_name.as_str()],
                    )?;
                    member_id
                }
            };
            transaction.execute(
                "UPDATE team_members SET token_hash = ?2 WHERE id = ?1",
                params![member_id, redemption.token.as_bytes()],
            )?;
            transaction.execute(
                "UPDATE setup_codes SET used_at = ?2 WHERE code_hash = ?1",
                params![redemption.code.as_bytes(), redemption.now.0],
            )?;
            bump_key_set_version(transaction, &school_id)?;
            let member = transaction.query_row(
                &format!("SELECT {MEMBER_COLUMNS} FROM team_members WHERE id = ?1"),
                [&member_id],
                member_from_row,
            )?;
            let (school, key_set) = read_school_keys(transaction, &school_id)?;
            Ok(SetupOutcome::Redeemed {
                school,
                member,
                key_set,
            })
        })
        .await
    }

    async fn team_member_by_token(
        &self,
        token: SecretHash,
    ) -> Result<TokenLookup<TeamCredential>, StoreError> {
        self.call("look up a team member token", move |connection| {
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

    async fn approve_team_member(
        &self,
        approval: MemberApproval,
    ) -> Result<ApprovalOutcome, StoreError> {
        self.write("approve a team member", move |transaction| {
            let member = &approval.member;
            if current_key_exists(transaction, &approval.school_id, member)? {
                return Ok(ApprovalOutcome::MemberExists);
            }
            insert_member(transaction, &approval.school_id, member)?;
            transaction.execute(
                "INSERT INTO setup_codes (code_hash, school_id, member_id, created_at, expires_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    approval.setup_code.as_bytes(),
                    approval.school_id.as_str(),
                    member.id.as_str(),
                    member.added_at.0,
                    approval.setup_expires_at.0
                ],
            )?;
            bump_key_set_version(transaction, &approval.school_id)?;
            let (_, key_set) = read_school_keys(transaction, &approval.school_id)?;
            Ok(ApprovalOutcome::Approved { key_set })
        })
        .await
    }

    async fn remove_team_member(
        &self,
        school_id: SchoolId,
        member_id: TeamMemberId,
        now: UnixMillis,
    ) -> Result<RemovalOutcome, StoreError> {
        self.write("remove a team member", move |transaction| {
            let current: u64 = transaction.query_row(
                "SELECT COUNT(*) FROM team_members WHERE school_id = ?1 AND removed_at IS NULL",
                [school_id.as_str()],
                |row| row.get(0),
            )?;
            let member = transaction
                .query_row(
                    &format!(
                        "SELECT {MEMBER_COLUMNS} FROM team_members
                         WHERE id = ?1 AND school_id = ?2 AND removed_at IS NULL"
                    ),
                    [member_id.as_str(), school_id.as_str()],
                    member_from_row,
                )
                .optional()?;
            let Some(mut member) = member else {
                return Ok(RemovalOutcome::NotFound);
            };
            if current <= 1 {
                return Ok(RemovalOutcome::LastMember);
            }
            transaction.execute(
                "UPDATE team_members SET removed_at = ?2 WHERE id = ?1",
                params![member_id.as_str(), now.0],
            )?;
            bump_key_set_version(transaction, &school_id)?;
            member.removed_at = Some(now);
            let (_, key_set) = read_school_keys(transaction, &school_id)?;
            Ok(RemovalOutcome::Removed { member, key_set })
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
            if revoked_at.is_some() {
                return Ok(EnrolmentOutcome::Refused(CodeRefusal::Revoked));
            }
            if new.device.enrolled_at.0 >= expires_at {
                return Ok(EnrolmentOutcome::Refused(CodeRefusal::Expired));
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
            let (school, key_set) = read_school_keys(transaction, &school_id)?;
            Ok(EnrolmentOutcome::Enrolled { school, key_set })
        })
        .await
    }

    async fn device_by_token(
        &self,
        token: SecretHash,
    ) -> Result<TokenLookup<DeviceCredential>, StoreError> {
        self.call("look up a device token", move |connection| {
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

    async fn school_keys(&self, school_id: SchoolId) -> Result<(School, KeySet), StoreError> {
        self.call("read a school's keys", move |connection| {
            read_school_keys(connection, &school_id)
        })
        .await
    }

    async fn submit_report(&self, new: NewReport) -> Result<SubmissionOutcome, StoreError> {
        self.write("store a report", move |transaction| {
            let earlier = transaction
                .query_row(
                    &format!(
                        "SELECT school_id, catalogue_version, {RECEIPT_COLUMNS}
                         FROM reports WHERE id = ?1"
                    ),
                    [new.receipt.report_id.as_str()],
                    |row| {
                        Ok((
                            row.get::<_, String>(0)?,
                            row.get::<_, String>(1)?,
                            receipt_from_row(row, 2)?,
                        ))
                    },
                )
                .optional()?;
            if let Some((school_id, catalogue_version, receipt)) = earlier {
                let identical = school_id == new.school_id.as_str()
                    && catalogue_version == new.catalogue_version.as_str()
                    && receipt.envelope_sha256 == new.receipt.envelope_sha256;
                return Ok(if identical {
                    SubmissionOutcome::AlreadyStored(receipt)
                } else {
                    SubmissionOutcome::Conflict
                });
            }
            let envelope = new.envelope.as_bytes();
            transaction.execute(
                "INSERT INTO reports (id, school_id, envelope, envelope_sha256, size,
                                      catalogue_version, received_at, status)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    new.receipt.report_id.as_str(),
                    new.school_id.as_str(),
                    envelope,
                    new.receipt.envelope_sha256.as_bytes(),
                    envelope.len(),
                    new.catalogue_version.as_str(),
                    new.receipt.received_at.0,
                    status_text(new.receipt.status)
                ],
            )?;
            Ok(SubmissionOutcome::Stored(new.receipt))
        })
        .await
    }

    async fn report_receipt(
        &self,
        school_id: SchoolId,
        report_id: ReportUuid,
    ) -> Result<Option<ReportReceipt>, StoreError> {
        self.call("read a report's receipt", move |connection| {
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
        .query_row(query, [token.as_bytes()], |row| {
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
    let status: String = row.get(first + 2)?;
    Ok(ReportReceipt {
        report_id: parsed(row, first)?,
        received_at: UnixMillis(row.get(first + 1)?),
        status: match status.as_str() {
            "received" => ReportStatus::Received,
            "acted_upon" => ReportStatus::ActedUpon,
            _ => return Err(not_convertible(first + 2, format!("status {status:?}"))),
        },
        envelope_sha256: Sha256Digest::from_bytes(digest),
    })
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

fn current_key_exists(
    transaction: &Transaction<'_>,
    school_id: &SchoolId,
    member: &TeamMember,
) -> rusqlite::Result<bool> {
    transaction.query_row(
        "SELECT EXISTS (SELECT 1 FROM team_members
                        WHERE school_id = ?1 AND public_key = ?2 AND removed_at IS NULL)",
        [school_id.as_str(), member.public_key.as_str()],
        |row| row.get(0),
    )
}

fn insert_member(
    transaction: &Transaction<'_>,
    school_id: &SchoolId,
    member: &TeamMember,
) -> rusqlite::Result<()> {
    transaction.execute(
        "INSERT INTO team_members (id, school_id, display_name, public_key, fingerprint, added_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            member.id.as_str(),
            school_id.as_str(),
            member.display_name.as_str(),
            member.public_key.as_str(),
            member.fingerprint.as_str(),
            member.added_at.0
        ],
    )?;
    Ok(())
}

fn bump_key_set_version(
    transaction: &Transaction<'_>,
    school_id: &SchoolId,
) -> rusqlite::Result<()> {
    transaction.execute(
        "UPDATE schools SET key_set_version = key_set_version + 1 WHERE id = ?1",
        [school_id.as_str()],
    )?;
    Ok(())
}

fn read_school_keys(
    connection: &Connection,
    school_id: &SchoolId,
) -> rusqlite::Result<(School, KeySet)> {
    let (school, version) = connection.query_row(
        "SELECT id, name, key_set_version FROM schools WHERE id = ?1",
        [school_id.as_str()],
        |row| {
            Ok((
                School {
                    id: parsed(row, 0)?,
                    name: parsed(row, 1)?,
                },
                row.get::<_, u64>(2)?,
            ))
        },
    )?;
    let keys = connection
        .prepare_cached(&format!(
            "SELECT {MEMBER_COLUMNS} FROM team_members
             WHERE school_id = ?1 AND removed_at IS NULL ORDER BY added_at, id"
        ))?
        .query_map([school_id.as_str()], member_from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok((school, KeySet { version, keys }))
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
