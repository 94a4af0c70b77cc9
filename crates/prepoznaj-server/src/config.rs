//! Typed configuration from command-line flags and `PREPOZNAJ_*` environment variables
//! (a flag wins over its variable): the server's [`Config`] and the operator's subcommands
//! ([`Command`]).
//!
//! Parsing only: whether the directories and the port are usable is checked by
//! [`crate::Application::build`], so tests can write a [`Config`] by hand. The one secret, a
//! password in `--database-url`, is a [`DatabaseUrl`], whose `Debug` redacts it.

use std::{fmt, net::IpAddr, path::PathBuf};

use clap::{Args, Parser, Subcommand};
use prepoznaj_domain::protocol::{DEFAULT_LINK_VALID_DAYS, MAX_LINK_VALID_DAYS};
use tracing_subscriber::filter::Targets;

use crate::{
    StartupError,
    store::{Database, postgres::PostgresUrl},
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
}

#[derive(Debug, Clone, Subcommand)]
pub enum SchoolCommand {
    /// Creates a school and prints the one-time link (and QR code) that sets up its
    /// protection team's first member.
    Create(SchoolCreate),
}

#[derive(Debug, Clone, Args)]
pub struct SchoolCreate {
    /// The school's name as its staff know it.
    #[arg(long)]
    pub name: String,
    /// Required: the address staff phones open the app at, such as
    /// https://prepoznaj.example.rs (http:// only for this machine: localhost, 127.0.0.0/8, ::1).
    /// Checked by the command, so that leaving it out is explained in one line.
    #[arg(long, env = "PREPOZNAJ_BASE_URL")]
    pub base_url: Option<String>,
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
    /// Log filter for stderr, e.g. `info` or `warn,prepoznaj_server=debug`.
    #[arg(long, env = "PREPOZNAJ_LOG", default_value = "info")]
    pub log: Targets,
}

/// Days a closed report's envelope is kept when the operator does not say.
pub const DEFAULT_REPORT_RETENTION_DAYS: u16 = 30;

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
