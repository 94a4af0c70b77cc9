//! Prepoznaj's server: serves the built app from disk with cache rules that make updates safe,
//! and a small JSON API over a [`store::Store`].
//!
//! Entry points: [`Application::build`] turns a [`Config`] into a bound, migrated server;
//! [`Application::run_until_stopped`] serves it. [`startup::router`] assembles the same router
//! around any store, for tests. [`operator::run`] runs the operator's commands ([`Cli`]).

pub mod age_format;
pub mod config;
pub mod credentials;
pub mod error;
pub mod operator;
pub mod rate_limit;
pub mod retention;
pub mod routes;
pub mod security;
pub mod startup;
pub mod static_files;
pub mod store;
pub mod telemetry;

pub use config::{Cli, Config};
pub use error::{ApiError, StartupError};
pub use startup::Application;
