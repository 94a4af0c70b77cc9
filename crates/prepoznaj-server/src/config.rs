//! Typed configuration from command-line flags and `PREPOZNAJ_*` environment variables
//! (a flag wins over its variable): the server's [`Config`] and the operator's subcommands
//! ([`Command`]).
//!
//! Parsing only: whether the directories and the port are usable is checked by
//! [`crate::Application::build`], so tests can write a [`Config`] by hand. The one secret, a
//! password in `--database-url`, is a [`DatabaseUrl`], whose `Debug` redacts it.

use std::{
    fmt,
    net::{IpAddr, SocketAddr},
    path::PathBuf,
};

use clap::{Args, Parser, Subcommand, ValueEnum};
use prepoznaj_domain::protocol::{DEFAULT_LINK_VALID_DAYS, MAX_LINK_VALID_DAYS};
use tracing_subscriber::filter::Targets;

use crate::client_address::Cidr;
use crate::{
    StartupError,
    operator::{self, BaseUrlError, stats::Month},
    store::{Database, postgres::PostgresUrl, rules::Retention},
};

/// The command line: serve (no subcommand) or run an operator command.
#[derive(Debug, Clone, Parser)]
#[command(
    name = "prepoznaj-server",
    version,
    about = "Serves the Prepoznaj app and its API"
)]
pub struct Cli {
    #[command(flatten)]
    pub config: Config,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Operator commands; they use the same database as the server and may run beside it.
#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Schools and their protection teams.
    #[command(subcommand)]
    School(SchoolCommand),
    /// Per school administration and month (UTC): reports received, the share acted upon, the
    /// median days to acting upon and phones enrolled that month, with counts under 5 hidden.
    /// Reads no report and names no school.
    ///
    /// Columns: the school administration; the month (of receipt; of enrolment for devices);
    /// reports received (those retention deleted included); the percent acted upon (reports
    /// whose status moved past received: a change acted upon or closed); the median days from
    /// receipt to the first acted-upon or closed change; devices enrolled (phones enrolled in
    /// that month, revoked ones included, not phones active at its end). A count under 5 shows
    /// as <5; a share or median that would give one back as suppressed; a median whose times
    /// retention deleted as unknown. No totals. See the README.
    Stats(Stats),
}

/// `stats`: which months, and how to print them.
#[derive(Debug, Clone, Args)]
pub struct Stats {
    /// The first month to count, YYYY-MM (UTC); from the first report when not given.
    #[arg(long, value_name = "YYYY-MM")]
    pub from: Option<Month>,
    /// The last month to count, YYYY-MM (UTC); to the last report when not given.
    #[arg(long, value_name = "YYYY-MM")]
    pub to: Option<Month>,
    /// How to print the rows.
    #[arg(long, value_enum, default_value_t)]
    pub format: ListFormat,
}

#[derive(Debug, Clone, Subcommand)]
pub enum SchoolCommand {
    /// Creates a school and prints the one-time link (and QR code) that sets up its
    /// protection team's first member.
    Create(SchoolCreate),
    /// Creates the schools of a CSV file (name,municipality,school_administration,external_id)
    /// that are not there yet, and writes their set-up links to a new file only you can read.
    Import(SchoolImport),
    /// Lists the schools with their teams, phones and reports (counts only).
    List(SchoolList),
    /// Shows one school: its details, its team's members and fingerprints, and counts.
    Show(SchoolShow),
    /// A new one-time set-up link: the founding one for a school without a team, or one for
    /// a member's existing keys (restored from their recovery copy) when the whole team lost
    /// its devices.
    NewSetupLink(SchoolNewSetupLink),
    /// Deletes a school and everything of it (team, phones, links, reports), after showing
    /// what and asking for the school's name.
    Delete(SchoolDelete),
}

/// `--valid-days`: days a set-up link stays usable.
#[derive(Debug, Clone, Copy, Args)]
pub struct ValidDays {
    /// Days the set-up link stays usable.
    #[arg(
        long = "valid-days",
        default_value_t = DEFAULT_LINK_VALID_DAYS,
        value_parser = clap::value_parser!(u16).range(1..=i64::from(MAX_LINK_VALID_DAYS))
    )]
    pub days: u16,
}

#[derive(Debug, Clone, Args)]
pub struct SchoolImport {
    /// The schools, as CSV with the header name,municipality,school_administration,external_id
    /// (UTF-8; external_id may be empty, or the column left out).
    pub schools: PathBuf,
    /// The file to write the new set-up links to (external_id,name,school_id,setup_link,
    /// expires_at); created readable only by you, never overwritten.
    #[arg(long)]
    pub output: PathBuf,
    #[command(flatten)]
    pub valid_days: ValidDays,
}

/// How a list is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum ListFormat {
    /// Aligned columns for reading.
    #[default]
    Table,
    Csv,
    Json,
}

#[derive(Debug, Clone, Args)]
pub struct SchoolList {
    #[arg(long, value_enum, default_value_t)]
    pub format: ListFormat,
}

#[derive(Debug, Clone, Args)]
pub struct SchoolShow {
    /// The school's id, or its external id.
    pub school: String,
}

#[derive(Debug, Clone, Args)]
pub struct SchoolNewSetupLink {
    /// The school's id, or its external id.
    pub school: String,
    /// For a school with a team: the member (id, as `school show` lists them) who restored
    /// their keys from their recovery copy on a new device; the link works only with those keys.
    #[arg(long)]
    pub member: Option<String>,
    #[command(flatten)]
    pub valid_days: ValidDays,
}

#[derive(Debug, Clone, Args)]
pub struct SchoolDelete {
    /// The school's id, or its external id.
    pub school: String,
    /// Delete without asking for the school's name.
    #[arg(long)]
    pub yes: bool,
}

#[derive(Debug, Clone, Args)]
pub struct SchoolCreate {
    /// The school's name as its staff know it.
    #[arg(long)]
    pub name: String,
    /// Days the set-up link stays usable.
    #[arg(
        long,
        default_value_t = DEFAULT_LINK_VALID_DAYS,
        value_parser = clap::value_parser!(u16).range(1..=i64::from(MAX_LINK_VALID_DAYS))
    )]
    pub valid_days: u16,
}

/// Everything the operator can set for the server.
#[derive(Debug, Clone, Args)]
pub struct Config {
    /// TCP port to listen on; 0 picks a free one.
    #[arg(long, env = "PREPOZNAJ_PORT", default_value_t = 8080)]
    pub port: u16,
    /// Address to listen on; 0.0.0.0 or :: exposes the server to the network.
    #[arg(long, env = "PREPOZNAJ_BIND", default_value = "127.0.0.1")]
    pub bind: IpAddr,
    /// Directory for the SQLite database file `prepoznaj.db`; created when missing. Unused
    /// with --database-url.
    #[arg(
        long,
        env = "PREPOZNAJ_DATA_DIR",
        default_value = "./data",
        global = true
    )]
    pub data_dir: PathBuf,
    /// A PostgreSQL database to use instead of SQLite, for several server instances sharing
    /// one database: postgres://user:password@host:port/database (no TLS: use loopback, a Unix
    /// socket or a private network).
    #[arg(long, env = "DATABASE_URL", hide_env_values = true, global = true)]
    pub database_url: Option<DatabaseUrl>,
    /// The address people open the app at, such as https://prepoznaj.example.rs (http:// only
    /// for this machine: localhost, 127.0.0.0/8, ::1). Serving: https:// makes every response
    /// carry Strict-Transport-Security. `school create`: required, for its set-up link (checked
    /// by the command, so that leaving it out is explained in one line).
    #[arg(long, env = "PREPOZNAJ_BASE_URL", global = true)]
    pub base_url: Option<String>,
    /// The built app (trunk's output, with `index.html`).
    #[arg(long, env = "PREPOZNAJ_DIST", default_value = "./dist")]
    pub dist: PathBuf,
    /// Days a closed report's envelope and its status changes are kept after closing; then
    /// the retention job (hourly) deletes them and keeps only a tombstone.
    #[arg(
        long,
        env = "PREPOZNAJ_REPORT_RETENTION_DAYS",
        default_value_t = DEFAULT_REPORT_RETENTION_DAYS,
        value_parser = clap::value_parser!(u16).range(1..=3650)
    )]
    pub report_retention_days: u16,
    /// Days a report the team never closes is kept after it was received; then the retention
    /// job deletes it as it does a closed one. The team's listing says when, for every report.
    #[arg(
        long,
        env = "PREPOZNAJ_UNCLOSED_REPORT_RETENTION_DAYS",
        default_value_t = DEFAULT_UNCLOSED_REPORT_RETENTION_DAYS,
        value_parser = clap::value_parser!(u16).range(1..=3650)
    )]
    pub unclosed_report_retention_days: u16,
    /// A reverse proxy whose `Forwarded` / `X-Forwarded-For` headers name the client, as an
    /// address or block (`10.0.0.0/8`, `192.0.2.10`, `fd00::/8`); repeat it for several. The
    /// per-client limits then count the client, not the proxy. From any other connection those
    /// headers are ignored (anyone can send them).
    #[arg(
        long = "trusted-proxy",
        env = "PREPOZNAJ_TRUSTED_PROXIES",
        value_name = "CIDR",
        value_delimiter = ','
    )]
    pub trusted_proxies: Vec<Cidr>,
    #[command(flatten)]
    pub quotas: Quotas,
    /// Where to serve `GET /metrics` (Prometheus' text format), e.g. `127.0.0.1:9100`: a
    /// listener of its own, never the app's. Off when not given.
    #[arg(long, env = "PREPOZNAJ_METRICS_BIND", value_name = "ADDRESS:PORT")]
    pub metrics_bind: Option<SocketAddr>,
    /// Log filter for stderr, e.g. `info` or `warn,prepoznaj_server=debug`.
    #[arg(long, env = "PREPOZNAJ_LOG", default_value = "info")]
    pub log: Targets,
}

/// What one phone, one report and one school may use. A refusal names the limit and, where it
/// passes, when to try again; a phone keeps the report and sends it then.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::Args)]
pub struct Quotas {
    /// Reports one enrolled phone may send in 24 hours (from the first of them); the next is
    /// refused with 429 `device_daily_limit` and `Retry-After` until a place frees.
    #[arg(
        long,
        env = "PREPOZNAJ_REPORTS_PER_DEVICE_PER_DAY",
        default_value_t = Quotas::DEFAULT.reports_per_device_per_day,
        value_parser = clap::value_parser!(u32).range(1..=100_000)
    )]
    pub reports_per_device_per_day: u32,
    /// Status changes the team may record on one report; more are refused with 429
    /// `too_many_status_changes`.
    #[arg(
        long,
        env = "PREPOZNAJ_STATUS_CHANGES_PER_REPORT",
        default_value_t = Quotas::DEFAULT.status_changes_per_report,
        value_parser = clap::value_parser!(u32).range(1..=100_000)
    )]
    pub status_changes_per_report: u32,
    /// MiB of envelopes one school may store; a report past it is refused with 413
    /// `school_storage_full` and `Retry-After` (space frees as closed reports are deleted).
    #[arg(
        long,
        env = "PREPOZNAJ_SCHOOL_STORAGE_MIB",
        default_value_t = Quotas::DEFAULT.school_storage_mib,
        value_parser = clap::value_parser!(u32).range(1..=1_048_576)
    )]
    pub school_storage_mib: u32,
}

impl Quotas {
    /// The limits when the operator does not say: 50 reports a phone a day is far more than a
    /// school sees in a year (the action that started this project counted one or two), and
    /// stops a script with a leaked enrolment link at 50.
    pub const DEFAULT: Self = Self {
        reports_per_device_per_day: 50,
        status_changes_per_report: 100,
        school_storage_mib: 256,
    };

    /// The school's limit in bytes.
    #[must_use]
    pub fn school_bytes(&self) -> u64 {
        u64::from(self.school_storage_mib) * 1024 * 1024
    }
}

impl Default for Quotas {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// Days a closed report's envelope is kept when the operator does not say.
pub const DEFAULT_REPORT_RETENTION_DAYS: u16 = 30;

/// Days a never-closed report's envelope is kept when the operator does not say.
pub const DEFAULT_UNCLOSED_REPORT_RETENTION_DAYS: u16 = 180;

/// `--database-url` as given: not checked yet, and never printed (it may hold a password).
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl(String);

impl From<String> for DatabaseUrl {
    fn from(url: String) -> Self {
        Self(url)
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("DatabaseUrl(<redacted>)")
    }
}

impl Config {
    /// PostgreSQL if `--database-url` (`DATABASE_URL`) is set and not empty, else SQLite under
    /// `--data-dir`.
    ///
    /// # Errors
    /// A database URL that is not a usable `postgres://` URL.
    pub fn database(&self) -> Result<Database, StartupError> {
        match &self.database_url {
            Some(DatabaseUrl(url)) if !url.is_empty() => PostgresUrl::parse(url)
                .map(Database::Postgres)
                .map_err(StartupError::DatabaseUrl),
            _ => Ok(Database::Sqlite {
                data_dir: self.data_dir.clone(),
            }),
        }
    }

    /// How long reports are kept: `--report-retention-days` after closing,
    /// `--unclosed-report-retention-days` after arrival for a report never closed.
    pub fn retention(&self) -> Retention {
        Retention {
            closed_days: self.report_retention_days,
            unclosed_days: self.unclosed_report_retention_days,
        }
    }

    /// `--base-url` (`PREPOZNAJ_BASE_URL`) as [`operator::checked_base_url`] checks it (without
    /// a trailing `/`); `None` when not given.
    ///
    /// # Errors
    /// Not an `http(s)://` address, or `http://` for another machine.
    pub fn checked_base_url(&self) -> Result<Option<&str>, BaseUrlError> {
        self.base_url
            .as_deref()
            .map(|base_url| operator::checked_base_url(Some(base_url)))
            .transpose()
    }
}

impl Cli {
    /// Reads the process's flags and environment.
    ///
    /// `--help` and `--version` print to stdout and exit the process with status 0, as clap does.
    pub fn from_command_line() -> Result<Self, StartupError> {
        match Self::try_parse() {
            Ok(config) => Ok(config),
            Err(error) if !error.use_stderr() => error.exit(),
            Err(error) => Err(StartupError::Arguments(error)),
        }
    }
}
