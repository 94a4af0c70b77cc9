//! Prepoznaj's server: serves the built app from disk with cache rules that make updates safe,
//! and a small JSON API over a [`store::Store`].
//!
//! Entry points: [`Application::build`] turns a [`Config`] into a bound, migrated server;
//! [`Application::run_until_stopped`] serves it. [`startup::router`] assembles the same router
//! around any store, for tests. [`operator::run`] runs the operator's commands ([`Cli`]).

pub mod age_format;
pub mod client_address;
pub mod config;
pub mod credentials;
pub mod directory;
pub mod error;
pub mod metrics;
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

/// The allocator of every program that links the server: its binary, its tests and the intake
/// benchmark, so they measure one thing. Each report brings buffers of 8 to 16 KiB (the body,
/// the envelope's text and bytes), and one is freed on another thread (the writer); with
/// glibc's malloc, which consolidates its small-chunk bins before each such request, the
/// allocator took about a fifth of the request threads' user-space CPU in the intake benchmark.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
pub use error::{ApiError, StartupError};
pub use startup::Application;
