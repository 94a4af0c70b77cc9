//! `prepoznaj-server`: read the command line, then serve until SIGINT or SIGTERM, or run one
//! operator command (`school …`, `stats`).
//!
//! Only wiring lives here; everything testable is in the library. Failures end as one line on
//! stderr and exit code 2 (configuration) or 1 (runtime), never a panic.

use std::process::ExitCode;

use prepoznaj_server::{Application, Cli, StartupError, operator, telemetry};

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => error.report(),
    }
}

async fn run() -> Result<(), StartupError> {
    let Cli { config, command } = Cli::from_command_line()?;
    telemetry::init(config.log.clone());
    if let Some(command) = command {
        return operator::run(command, &config).await;
    }
    let application = Application::build(config).await?;
    application.announce();
    application.run_until_stopped().await
}
