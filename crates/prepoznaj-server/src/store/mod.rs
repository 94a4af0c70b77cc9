//! Persistence behind one trait, [`Store`], with one module per backend: [`sqlite`] (embedded,
//! the default) and [`postgres`] (one database shared by several server instances). Which one
//! a server uses is its [`Database`].
//!
//! This module and its children are the only code that knows SQL; routes hold a `Store` and never
//! see a connection. The trait grows one honest method at a time, as features need them.
//!
//! Every method that changes more than one row is one transaction: all of it or nothing, and
//! durable when it returns `Ok` (a backend must commit with its strongest durability). Secrets
//! arrive already hashed ([`SecretHash`]); a store never sees a token or a code. Ids and times
//! are made by the caller, so a backend holds no clock and no randomness, and the outcome enums
//! say every way an operation can be refused, for routes to map to errors.

pub mod postgres;
pub mod rules;
mod school_sql;
pub mod sqlite;
mod statistics_sql;

use std::{fmt, future::Future, path::PathBuf};

use prepoznaj_domain::{
    catalogue::CatalogueVersion,
    link_check::{CodeRecord, link_state},
    observation::UnixMillis,
    protocol::{
        Device, DeviceId, DeviceName, EnrolmentLink, EnrolmentLinkId, Envelope, LinkKind,
        LinkState, ReportCursor, ReportReceipt, ReportStatus, ReportUuid, School, SchoolId,
        Sha256Digest, StatusChange, TeamDevice, TeamEnrolmentLink, TeamMember, TeamMemberId,
        TeamReport,
    },
    team_chain::{ChainMember, SignedVersion},
};

use crate::{credentials::SecretHash, directory::SchoolDetails};

use self::{postgres::PostgresUrl, rules::DueReports, sqlite::SqliteStore};

/// A backend's own error (rusqlite, tokio-postgres), kept as the cause of a [`StoreError`].
pub type BackendError = Box<dyn std::error::Error + Send + Sync>;

/// Where the server keeps its data.
#[derive(Debug, Clone)]
pub enum Database {
    /// The SQLite file in this data directory.
    Sqlite { data_dir: PathBuf },
    /// A PostgreSQL database.
    Postgres(PostgresUrl),
}

/// The SQLite file's path, or the PostgreSQL URL without its password.
impl fmt::Display for Database {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Sqlite { data_dir } => {
                write!(
                    formatter,
                    "{}",
                    SqliteStore::database_path(data_dir).display()
                )
            }
            Self::Postgres(url) => write!(formatter, "{url}"),
        }
    }
}

/// What the server needs from a database.
pub trait Store: Clone + Send + Sync + 'static {
    /// Succeeds when the database answers a query against the migrated schema.
    fn health_check(&self) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Adds a school with no team yet and the one-time code that sets up its first member.
    fn create_school(
        &self,
        school: NewSchool,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Adds a school as [`Store::create_school`] does unless its external id names a school
    /// already (`rules::import`): then nothing is written. One transaction.
    fn import_school(
        &self,
        school: NewSchool,
    ) -> impl Future<Output = Result<ImportOutcome, StoreError>> + Send;

    /// Every school with its counts, oldest first.
    fn schools(&self) -> impl Future<Output = Result<Vec<SchoolOverview>, StoreError>> + Send;

    /// The school whose id, or else whose external id, is `reference`, with its current team
    /// members and the rows deleting it would delete. `None`: no such school.
    fn school_contents(
        &self,
        reference: String,
    ) -> impl Future<Output = Result<Option<SchoolContents>, StoreError>> + Send;

    /// A new one-time set-up code made by the operator, as `rules::setup_link` allows: the
    /// school's founding code again (earlier unused ones become used), or a code for a current
    /// member's existing keys (their earlier unused codes become used). `None`: no such school.
    fn new_setup_link(
        &self,
        link: NewSetupLink,
    ) -> impl Future<Output = Result<Option<SetupLinkOutcome>, StoreError>> + Send;

    /// Deletes the school and every row of it (status changes, reports with their envelopes,
    /// devices, enrolment links, set-up codes, its key chain, team members), in one
    /// transaction; returns what was deleted. `None`: no such school.
    fn delete_school(
        &self,
        school_id: SchoolId,
    ) -> impl Future<Output = Result<Option<SchoolRows>, StoreError>> + Send;

    /// Redeems a team set-up code: founds the school's key chain with its first member
    /// (version 1 appended only if the school has no version yet), or gives a member the chain
    /// lists their token. Marks the code used.
    fn redeem_setup_code(
        &self,
        redemption: SetupRedemption,
    ) -> impl Future<Output = Result<SetupOutcome, StoreError>> + Send;

    /// The school a set-up code is for, the member it was made for (none: the school's first
    /// member) and the school's key chain, read without changing anything. `None`: no such code.
    fn setup_code_target(
        &self,
        code: SecretHash,
    ) -> impl Future<Output = Result<Option<SetupTarget>, StoreError>> + Send;

    /// The school's key chain, from version 1 (empty before its first member set up).
    fn team_chain(
        &self,
        school_id: SchoolId,
    ) -> impl Future<Output = Result<Vec<SignedVersion>, StoreError>> + Send;

    /// Appends a verified version as the next after the school's last one (compare-and-set on
    /// its number) and makes the membership change it records, in one transaction.
    fn append_chain(
        &self,
        append: ChainAppend,
    ) -> impl Future<Output = Result<AppendOutcome, StoreError>> + Send;

    /// What is known of a set-up or enrolment code, read without changing anything (a link
    /// check): its expiry, whether it was redeemed or replaced by a newer code for the same
    /// member, and whether it was revoked (or its member removed). `None`: no such code.
    fn code_record(
        &self,
        kind: LinkKind,
        code: SecretHash,
    ) -> impl Future<Output = Result<Option<CodeRecord>, StoreError>> + Send;

    /// The team member holding this token.
    fn team_member_by_token(
        &self,
        token: SecretHash,
    ) -> impl Future<Output = Result<TokenLookup<TeamCredential>, StoreError>> + Send;

    /// A new one-time set-up code for a current member's existing key (a lost device): it
    /// replaces the member's earlier unused codes (they count as used). `None` if the school
    /// has no such current member.
    fn renew_setup_code(
        &self,
        renewal: SetupCodeRenewal,
    ) -> impl Future<Output = Result<Option<TeamMember>, StoreError>> + Send;

    /// Stores a new staff enrolment link.
    fn create_enrolment_link(
        &self,
        link: NewEnrolmentLink,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Revokes a link of this school (a second revocation keeps the first time); `None` if the
    /// school has no such link.
    fn revoke_enrolment_link(
        &self,
        school_id: SchoolId,
        link_id: EnrolmentLinkId,
        now: UnixMillis,
    ) -> impl Future<Output = Result<Option<EnrolmentLink>, StoreError>> + Send;

    /// Enrols a staff phone with an enrolment code.
    fn enrol_device(
        &self,
        device: NewDevice,
    ) -> impl Future<Output = Result<EnrolmentOutcome, StoreError>> + Send;

    /// The school's enrolment links with how many phones enrolled with each, newest first.
    fn enrolment_links(
        &self,
        school_id: SchoolId,
    ) -> impl Future<Output = Result<Vec<TeamEnrolmentLink>, StoreError>> + Send;

    /// The school's devices, revoked ones included, newest enrolment first.
    fn devices(
        &self,
        school_id: SchoolId,
    ) -> impl Future<Output = Result<Vec<TeamDevice>, StoreError>> + Send;

    /// Notes that the device used its token at `now` (the caller asked
    /// `rules::last_seen_due` first).
    fn device_seen(
        &self,
        device_id: DeviceId,
        now: UnixMillis,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The device holding this token.
    fn device_by_token(
        &self,
        token: SecretHash,
    ) -> impl Future<Output = Result<TokenLookup<DeviceCredential>, StoreError>> + Send;

    /// Revokes a device of this school (a second revocation keeps the first time); `None` if
    /// the school has no such device.
    fn revoke_device(
        &self,
        school_id: SchoolId,
        device_id: DeviceId,
        now: UnixMillis,
    ) -> impl Future<Output = Result<Option<Device>, StoreError>> + Send;

    /// The school and its key chain, from version 1.
    fn school_keys(
        &self,
        school_id: SchoolId,
    ) -> impl Future<Output = Result<(School, Vec<SignedVersion>), StoreError>> + Send;

    /// Stores a report unless its id is known: then it is a retry (same envelope and
    /// catalogue version in the same school: the first receipt) or a conflict.
    fn submit_report(
        &self,
        report: NewReport,
    ) -> impl Future<Output = Result<SubmissionOutcome, StoreError>> + Send;

    /// The receipt of a report of this school, with its current status.
    fn report_receipt(
        &self,
        school_id: SchoolId,
        report_id: ReportUuid,
    ) -> impl Future<Output = Result<Option<ReportReceipt>, StoreError>> + Send;

    /// The school's reports whose envelope is kept, newest first (by received time, then id),
    /// each with its status changes oldest first: at most `page.limit`, after `page.after`.
    /// `deleted_after` is `None`: the retention periods are the caller's.
    fn team_reports(
        &self,
        school_id: SchoolId,
        page: ReportPage,
    ) -> impl Future<Output = Result<Vec<TeamReport>, StoreError>> + Send;

    /// Stores a status change on a report of this school unless its id is known (then it is a
    /// retry, or a conflict), and updates what the reporter sees and the closing time.
    fn record_status_change(
        &self,
        change: NewStatusChange,
    ) -> impl Future<Output = Result<StatusChangeOutcome, StoreError>> + Send;

    /// The retention job's work, in one transaction: deletes the envelope and the status
    /// changes of every report [`DueReports`] selects and keeps its tombstone (the row without
    /// envelope, `envelope_deleted_at` = `due.now`). Returns how many reports. A backend that
    /// can make the deleted bytes unreadable in its own files does so before it returns.
    fn forget_reports(
        &self,
        due: DueReports,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;

    /// What `stats` counts of reports received, and phones enrolled, in `period`, per school
    /// administration and month; read in one transaction, without reading an envelope.
    fn statistics(
        &self,
        period: StatisticsPeriod,
    ) -> impl Future<Output = Result<Statistics, StoreError>> + Send;

    /// How many reports the database holds, with and without their envelopes (for metrics).
    fn report_totals(&self) -> impl Future<Output = Result<ReportTotals, StoreError>> + Send;

    /// Writes waiting for the database right now (for metrics).
    fn writes_waiting(&self) -> usize;
}

/// How many reports the database holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportTotals {
    /// With their envelopes.
    pub stored: u64,
    /// Tombstones: envelopes deleted by retention.
    pub forgotten: u64,
}

/// The times `stats` counts: at or after `from` and before `until`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatisticsPeriod {
    pub from: UnixMillis,
    pub until: UnixMillis,
}

/// One school administration's month: the administration as the schools name it (`None`: schools
/// without one), and the month in UTC as `YYYY-MM`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AdministrationMonth {
    pub administration: Option<String>,
    pub month: String,
}

/// What a store counts for `stats`, per administration and month, as its statements group it;
/// a month without any of a kind has no row of it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Statistics {
    pub reports: Vec<(AdministrationMonth, ReportCounts)>,
    pub delays: Vec<(AdministrationMonth, MiddleDelays)>,
    pub devices: Vec<(AdministrationMonth, u64)>,
}

/// Reports received in a month, forgotten ones included, and how many of them the team acted
/// upon (the reporter's status `acted_upon`: a change `acted_upon` or `closed`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReportCounts {
    pub received: u64,
    pub acted_upon: u64,
}

/// The delays from receipt to the first `acted_upon` or `closed` change of the reports acted
/// upon whose time of it is known (`timed` of them), sorted: the lower and upper middle one,
/// in milliseconds (the same one when `timed` is odd).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MiddleDelays {
    pub timed: u64,
    pub lower_millis: u64,
    pub upper_millis: u64,
}

/// Which of a school's reports to list: newest first, after the cursor if there is one.
#[derive(Debug, Clone)]
pub struct ReportPage {
    pub after: Option<ReportCursor>,
    pub limit: u16,
}

/// A checked status change from a member of `school_id`'s team; `change.recorded_at` is the
/// time it gets if it is new.
#[derive(Debug, Clone)]
pub struct NewStatusChange {
    pub school_id: SchoolId,
    pub change: StatusChange,
    /// Changes one report may have; a new one past it is refused.
    pub max_changes: u32,
}

/// A status change as stored and the report's state after it.
#[derive(Debug, Clone)]
pub struct RecordedStatusChange {
    pub change: StatusChange,
    pub status: ReportStatus,
    pub closed_at: Option<UnixMillis>,
}

/// What became of a [`NewStatusChange`].
#[derive(Debug, Clone)]
pub enum StatusChangeOutcome {
    Recorded(RecordedStatusChange),
    /// An identical earlier change (same report, status and envelope): as first stored.
    AlreadyRecorded(RecordedStatusChange),
    /// A different change under this change id.
    Conflict,
    /// No such report in the school.
    ReportNotFound,
    /// The report's envelope was deleted by the retention job.
    ReportForgotten,
    /// The report has as many changes as it may.
    TooManyChanges,
}

/// A school and the hash of its first team set-up code.
#[derive(Debug, Clone)]
pub struct NewSchool {
    pub school: School,
    pub details: SchoolDetails,
    pub created_at: UnixMillis,
    pub setup_code: SecretHash,
    pub setup_expires_at: UnixMillis,
}

/// What became of an imported school.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportOutcome {
    /// Created, with its founding set-up code.
    Created,
    /// A school with the same external id exists (this one, as stored); nothing was written.
    AlreadyPresent(School),
}

/// A school as the operator's list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchoolOverview {
    pub school: School,
    pub details: SchoolDetails,
    pub created_at: UnixMillis,
    /// Current members (not removed).
    pub team_members: u64,
    /// Enrolled phones not revoked.
    pub devices_enrolled: u64,
    /// Reports whose envelope is kept (not forgotten by retention).
    pub reports_stored: u64,
}

/// A school, its current team members, and every row of it.
#[derive(Debug, Clone)]
pub struct SchoolContents {
    pub overview: SchoolOverview,
    /// Oldest first.
    pub members: Vec<TeamMember>,
    pub rows: SchoolRows,
}

/// How many rows of each kind a school has, removed and revoked ones included: what deleting
/// it deletes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SchoolRows {
    pub team_members: u64,
    pub devices: u64,
    pub enrolment_links: u64,
    pub setup_codes: u64,
    pub chain_versions: u64,
    /// Reports, forgotten ones (tombstones) included; their envelopes go with them.
    pub reports: u64,
    pub status_changes: u64,
}

/// The operator asks for a new set-up code of `school_id`: the founding one (`member_id`
/// `None`) or one for a current member's existing keys.
#[derive(Debug, Clone)]
pub struct NewSetupLink {
    pub school_id: SchoolId,
    pub member_id: Option<TeamMemberId>,
    pub setup_code: SecretHash,
    pub now: UnixMillis,
    pub expires_at: UnixMillis,
}

/// What became of a [`NewSetupLink`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SetupLinkOutcome {
    /// The school's founding code: its first member founds its key chain with it.
    Founding,
    /// A code that registers this member's keys, as the chain lists them, on a new device.
    ForMember(TeamMember),
    Refused(SetupLinkRefusal),
}

/// Why the operator cannot have a set-up code: the team's members are in a key chain that
/// only members sign, so the server can add nobody to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetupLinkRefusal {
    /// The school has a team: only a link for one of its members' existing keys can be made.
    TeamExists,
    /// The member is not in the team's key chain as it stands.
    NotAMember,
    /// A member was named, and the school has no team yet.
    NoTeamYet,
    /// Members were set up before key chains and no chain was founded: nobody can sign one.
    ChainCannotContinue,
}

/// A set-up code presented with proof of the keys it is redeemed for (the route checked the
/// request's signature with `member.signing_key`, and a founding version).
#[derive(Debug, Clone)]
pub struct SetupRedemption {
    pub code: SecretHash,
    /// The school the code was for when the route read it ([`Store::setup_code_target`]).
    pub school_id: SchoolId,
    /// The member whose keys are redeemed: the founder as `founding` lists them, or the member
    /// as the chain's last version lists them.
    pub member: ChainMember,
    /// Version 1 of the school's chain, verified, with its hash: only for the school's first
    /// member.
    pub founding: Option<(SignedVersion, Sha256Digest)>,
    pub token: SecretHash,
    pub now: UnixMillis,
}

/// What [`Store::setup_code_target`] finds for a set-up code.
#[derive(Debug, Clone)]
pub struct SetupTarget {
    pub school: School,
    /// `None`: the code sets up the school's first member (founds its chain).
    pub member_id: Option<TeamMemberId>,
    pub chain: Vec<SignedVersion>,
}

/// What became of a [`SetupRedemption`].
#[derive(Debug, Clone)]
pub enum SetupOutcome {
    Redeemed {
        school: School,
        chain: Vec<SignedVersion>,
    },
    Refused(CodeRefusal),
    /// The member the code was made for no longer has these keys (or the code is for someone
    /// else than the founding version's member).
    KeyMismatch,
    /// The school's chain changed since the route read it (a founding version came first).
    ChainConflict,
    /// The member id belongs to a member of another school.
    MemberIdTaken,
}

/// A verified version to append, with the change it makes to the members table.
#[derive(Debug, Clone)]
pub struct ChainAppend {
    pub school_id: SchoolId,
    pub version: SignedVersion,
    pub hash: Sha256Digest,
    pub effect: MemberEffect,
    /// For an added or re-registered member: the hash of their new one-time set-up code and
    /// its expiry.
    pub setup_code: Option<(SecretHash, UnixMillis)>,
    pub now: UnixMillis,
}

/// How a version changes the members table.
#[derive(Debug, Clone)]
pub enum MemberEffect {
    /// A new member (no token until they redeem their set-up code).
    Add(ChainMember),
    /// The member leaves: their token and unused set-up codes stop working.
    Remove(TeamMemberId),
    /// The member's keys are replaced: their token ends, their unused set-up codes are
    /// replaced by the new one.
    ReRegister(ChainMember),
}

/// What became of a [`ChainAppend`].
#[derive(Debug, Clone)]
pub enum AppendOutcome {
    /// The whole chain, now ending with the appended version.
    Appended { chain: Vec<SignedVersion> },
    /// The school's last version is no longer the one before this version.
    Conflict,
    /// The member id belongs to a member of another school.
    MemberIdTaken,
}

/// Why a set-up or enrolment code does not work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeRefusal {
    Unknown,
    Expired,
    /// The link was revoked, or the member a set-up code was made for was removed.
    Revoked,
    /// A one-time set-up code that was already redeemed.
    Used,
    /// An enrolment link with which as many phones enrolled as it allows.
    Full,
}

/// Why a code whose record is `record` cannot be redeemed at `now`, if it cannot: the link
/// check's rule (`prepoznaj_domain::link_check`), so a check and a redemption never disagree. A
/// replaced set-up code is refused as used.
pub fn code_refusal(record: &CodeRecord, now: UnixMillis) -> Option<CodeRefusal> {
    match link_state(Some(record), now).state {
        LinkState::Valid => None,
        LinkState::Used | LinkState::Replaced => Some(CodeRefusal::Used),
        LinkState::Expired => Some(CodeRefusal::Expired),
        LinkState::Revoked => Some(CodeRefusal::Revoked),
        LinkState::Full => Some(CodeRefusal::Full),
        LinkState::Unknown => Some(CodeRefusal::Unknown),
    }
}

/// What a token turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenLookup<T> {
    Valid(T),
    /// It was valid, and its device or member has since been revoked or removed.
    Revoked,
    Unknown,
}

/// Who a valid team member token belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamCredential {
    pub member_id: TeamMemberId,
    pub school_id: SchoolId,
}

/// Who a valid device token belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceCredential {
    pub device_id: DeviceId,
    pub school_id: SchoolId,
    /// When the server last noted the device's use of its token.
    pub last_seen_at: Option<UnixMillis>,
}

/// A new set-up code for `member_id` of `school_id`, made at `now`.
#[derive(Debug, Clone)]
pub struct SetupCodeRenewal {
    pub school_id: SchoolId,
    pub member_id: TeamMemberId,
    pub setup_code: SecretHash,
    pub now: UnixMillis,
    pub expires_at: UnixMillis,
}

/// A new staff enrolment link of `created_by`'s school.
#[derive(Debug, Clone)]
pub struct NewEnrolmentLink {
    pub school_id: SchoolId,
    pub created_by: TeamMemberId,
    pub link: EnrolmentLink,
    pub code: SecretHash,
}

/// A phone presenting an enrolment code, with its new id and the hash of its new token.
#[derive(Debug, Clone)]
pub struct NewDevice {
    pub code: SecretHash,
    pub device: Device,
    pub name: Option<DeviceName>,
    pub token: SecretHash,
}

/// What became of a [`NewDevice`].
#[derive(Debug, Clone)]
pub enum EnrolmentOutcome {
    Enrolled {
        school: School,
        chain: Vec<SignedVersion>,
    },
    Refused(CodeRefusal),
}

/// A checked submission: the envelope and the least metadata kept with it, and the device
/// that sends it (counted against its quota, never stored with the report).
#[derive(Debug, Clone)]
pub struct NewReport {
    pub school_id: SchoolId,
    pub device_id: DeviceId,
    pub quota: ReportQuota,
    /// The receipt it gets if it is new (status `received`).
    pub receipt: ReportReceipt,
    pub envelope: Envelope,
    pub catalogue_version: CatalogueVersion,
}

/// What became of a [`NewReport`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubmissionOutcome {
    Stored(ReportReceipt),
    /// An identical earlier submission: its receipt.
    AlreadyStored(ReportReceipt),
    /// A different envelope (or another school) under this report id.
    Conflict,
    /// The device sent as many reports as it may in its 24-hour window; a place frees after
    /// `retry_after_ms`.
    DeviceLimitReached {
        retry_after_ms: u64,
    },
    /// The school's envelopes would take more than its limit.
    SchoolStorageFull,
}

/// What a submission may use: reports a device may send in 24 hours, bytes of envelopes its
/// school may store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportQuota {
    pub per_device_per_day: u32,
    pub school_bytes: u64,
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
    /// The database server cannot be reached, or refuses the login.
    #[error("cannot connect to the database")]
    Connect {
        #[source]
        source: BackendError,
    },
    /// The database server could lose a commit it acknowledged.
    #[error("the database server runs with {setting}=off; an acknowledged report could be lost")]
    NotDurable { setting: &'static str },
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

/// A stored version's JSON read back, for both backends.
///
/// # Errors
/// The JSON's error when the stored text is not a version (a damaged database).
pub fn version_from_json(text: &str) -> Result<SignedVersion, serde_json::Error> {
    serde_json::from_str(text)
}

/// A version as both backends store it.
///
/// # Errors
/// Never in practice (a version always serializes).
pub fn version_to_json(version: &SignedVersion) -> Result<String, serde_json::Error> {
    serde_json::to_string(version)
}

/// The protocol's view of a member the chain lists.
#[must_use]
pub fn team_member(member: &ChainMember) -> TeamMember {
    TeamMember {
        id: member.id.clone(),
        display_name: member.display_name.clone(),
        public_key: member.recipient.clone(),
        fingerprint: crate::age_format::fingerprint(&member.recipient),
        added_at: member.added_at,
        removed_at: None,
    }
}
