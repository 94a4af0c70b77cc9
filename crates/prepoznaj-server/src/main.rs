//! `prepoznaj-server`: read the configuration, start, serve until SIGINT or SIGTERM.
//!
//! Only wiring lives here; everything testable is in the library. Failures end as one line on
//! stderr and exit code 2 (configuration) or 1 (runtime), never a panic.

use std::process::ExitCode;

use prepoznaj_server::{Application, Config, StartupError, telemetry};

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => error.report(),
    }
}

async fn run() -> Result<(), StartupError> {
    let config = Config::from_command_line()?;
    telemetry::init(config.log.clone());
    let application = Application::build(config).await?;
    eprintln!(
        "prepoznaj-server {} listening on http://{} (data: {})",
        env!("CARGO_PKG_VERSION"),
        application.address(),
        application.database_path().display()
    );
    application.run_until_stopped().await
}
