//! Typed configuration from command-line flags and `PREPOZNAJ_*` environment variables
//! (a flag wins over its variable).
//!
//! Parsing only: whether the directories and the port are usable is checked by
//! [`crate::Application::build`], so tests can write a [`Config`] by hand. There are no secrets
//! yet; the first one must be wrapped in a type whose `Debug` redacts it.

use std::{net::IpAddr, path::PathBuf};

use clap::Parser;
use tracing_subscriber::filter::Targets;

use crate::StartupError;

/// Everything the operator can set.
#[derive(Debug, Clone, Parser)]
#[command(
    name = "prepoznaj-server",
    version,
    about = "Serves the Prepoznaj app and its API"
)]
pub struct Config {
    /// TCP port to listen on; 0 picks a free one.
    #[arg(long, env = "PREPOZNAJ_PORT", default_value_t = 8080)]
    pub port: u16,
    /// Address to listen on; 0.0.0.0 or :: exposes the server to the network.
    #[arg(long, env = "PREPOZNAJ_BIND", default_value = "127.0.0.1")]
    pub bind: IpAddr,
    /// Directory for the database file `prepoznaj.db`; created when missing.
    #[arg(long, env = "PREPOZNAJ_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,
    /// The built app (trunk's output, with `index.html`).
    #[arg(long, env = "PREPOZNAJ_DIST", default_value = "./dist")]
    pub dist: PathBuf,
    /// Log filter for stderr, e.g. `info` or `warn,prepoznaj_server=debug`.
    #[arg(long, env = "PREPOZNAJ_LOG", default_value = "info")]
    pub log: Targets,
}

impl Config {
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
