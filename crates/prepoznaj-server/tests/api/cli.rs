//! The `prepoznaj-server` binary as an operator meets it: one clear line and a non-zero exit on
//! bad configuration, a start-up line, request logs, and a clean stop on SIGTERM.

use std::{path::Path, process::Stdio, time::Duration};

use tempfile::TempDir;
use tokio::{
    io::{AsyncBufReadExt, AsyncReadExt, BufReader},
    process::Command,
    time::timeout,
};

use crate::test_app::{client, write_dist};

/// Generous: the binary is already built, start-up takes milliseconds.
const DEADLINE: Duration = Duration::from_secs(30);

/// The binary with a clean environment and a scratch working directory, so neither the
/// developer's `PREPOZNAJ_*` variables nor the repository's `./dist` leak in.
fn server(working_dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_prepoznaj-server"));
    for variable in [
        "PREPOZNAJ_PORT",
        "PREPOZNAJ_BIND",
        "PREPOZNAJ_DATA_DIR",
        "PREPOZNAJ_DIST",
        "PREPOZNAJ_LOG",
    ] {
        command.env_remove(variable);
    }
    command
        .current_dir(working_dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    command
}

/// Runs the binary, which must exit on its own, and checks the operator sees exactly one line.
async fn assert_fails_with_one_line(mut command: Command, expected_code: i32, names: &str) {
    let output = timeout(DEADLINE, command.output())
        .await
        .expect("the server should exit on bad configuration")
        .unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();

    assert_eq!(output.status.code(), Some(expected_code), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("prepoznaj-server: error: "), "{stderr}");
    assert!(stderr.contains(names), "expected {names:?} in {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(output.stdout.is_empty());
}

/// A scratch directory holding a valid `dist/`.
fn scratch_with_dist() -> TempDir {
    let scratch = TempDir::new().unwrap();
    write_dist(&scratch.path().join("dist"));
    scratch
}

#[tokio::test]
async fn unparseable_port_flag_or_variable_is_one_line_exit_2() {
    let scratch = scratch_with_dist();

    let mut flag = server(scratch.path());
    flag.args(["--port", "banana"]);
    assert_fails_with_one_line(flag, 2, "banana").await;

    let mut variable = server(scratch.path());
    variable.env("PREPOZNAJ_PORT", "banana");
    assert_fails_with_one_line(variable, 2, "--port").await;
}

#[tokio::test]
async fn missing_dist_is_one_line_exit_2() {
    let scratch = TempDir::new().unwrap();

    let mut command = server(scratch.path());
    command.args(["--port", "0", "--dist", "./dist"]);

    assert_fails_with_one_line(command, 2, "--dist ./dist").await;
    assert!(
        !scratch.path().join("data").exists(),
        "nothing is created on a bad start"
    );
}

#[tokio::test]
async fn dist_without_index_is_one_line_exit_2() {
    let scratch = TempDir::new().unwrap();
    std::fs::create_dir(scratch.path().join("dist")).unwrap();

    let mut command = server(scratch.path());
    command.args(["--port", "0"]);

    assert_fails_with_one_line(command, 2, "--dist ./dist has no index.html").await;
}

#[tokio::test]
async fn data_dir_that_cannot_be_created_is_one_line_exit_2() {
    let scratch = scratch_with_dist();
    std::fs::write(scratch.path().join("a-file"), b"not a directory").unwrap();

    let mut command = server(scratch.path());
    command.args(["--port", "0", "--data-dir", "a-file/data"]);

    assert_fails_with_one_line(command, 2, "--data-dir a-file/data").await;
}

#[tokio::test]
async fn port_in_use_is_one_line_exit_2() {
    let scratch = scratch_with_dist();
    let occupied = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = occupied.local_addr().unwrap().port().to_string();

    let mut command = server(scratch.path());
    command.args(["--port", &port]);

    assert_fails_with_one_line(command, 2, &format!("cannot listen on 127.0.0.1:{port}")).await;
}

#[tokio::test]
async fn serves_after_announcing_itself_and_stops_cleanly_on_sigterm() {
    let scratch = scratch_with_dist();
    let mut child = server(scratch.path())
        .args(["--port", "0"])
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());

    // Wait for the start-up line, which names the address actually bound.
    let mut log = String::new();
    let announcement = timeout(DEADLINE, async {
        loop {
            let mut line = String::new();
            assert_ne!(
                stderr.read_line(&mut line).await.unwrap(),
                0,
                "exited early: {log}"
            );
            log.push_str(&line);
            if line.contains(" listening on ") {
                return line;
            }
        }
    })
    .await
    .expect("the server should announce itself");
    let version = env!("CARGO_PKG_VERSION");
    let address = announcement
        .strip_prefix(&format!("prepoznaj-server {version} listening on http://"))
        .and_then(|rest| rest.strip_suffix(" (data: ./data/prepoznaj.db)\n"))
        .unwrap_or_else(|| panic!("unexpected start-up line: {announcement:?}"))
        .to_owned();
    assert!(address.starts_with("127.0.0.1:"), "{address}");
    assert!(scratch.path().join("data/prepoznaj.db").is_file());

    let health = client()
        .get(format!("http://{address}/api/health?token=not-logged"))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);

    let pid = child.id().unwrap().to_string();
    let kill = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert!(kill.success());
    let status = timeout(DEADLINE, child.wait())
        .await
        .expect("the server should stop on SIGTERM")
        .unwrap();
    stderr.read_to_string(&mut log).await.unwrap();

    assert!(status.success(), "{status:?}: {log}");
    assert!(
        log.contains("method=GET path=/api/health status=200"),
        "{log}"
    );
    assert!(!log.contains("not-logged"), "queries are not logged: {log}");
    assert!(log.contains("SIGTERM"), "{log}");
    assert!(!log.contains("panicked"), "{log}");
}
