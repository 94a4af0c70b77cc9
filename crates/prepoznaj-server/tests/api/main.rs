//! Server API tests: each test spawns the real application on port 0 with a fresh database
//! (SQLite, or PostgreSQL when `PREPOZNAJ_TEST_DATABASE_URL` is set) and a fixture `dist/`, and
//! talks to it over HTTP like a browser or an operator.
//!
//! One binary with modules, so it links once. Waits are on conditions with deadlines, never sleeps.

// Tests fail by panicking: unwrap/expect are how a test says "this must hold".
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failed unwrap is a failed test"
)]

mod bad_input;
mod canary;
mod cli;
mod database;
mod devices;
mod endpoints;
mod enrolment;
mod forgetting;
mod health;
mod inbox;
mod instances;
mod link_checks;
mod metrics;
mod openapi;
mod quotas;
mod report_batches;
mod reports;
mod school_commands;
mod security_headers;
mod static_files;
mod stats_command;
mod team_chain;
#[path = "../support/team_keys.rs"]
mod team_keys;
mod test_app;
mod test_database;
