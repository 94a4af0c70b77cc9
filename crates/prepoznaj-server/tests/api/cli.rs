//! The `prepoznaj-server` binary as an operator meets it: one clear line and a non-zero exit on
//! bad configuration, a start-up line, request logs, and a clean stop on SIGTERM. Tests that
//! serve use the test's database ([`Scratch`]); the others need none.

use std::{path::Path, process::Stdio, time::Duration};

use prepoznaj_server::store::postgres::PostgresUrl;
use tempfile::TempDir;
use tokio::{
    io::{AsyncBufReadExt, AsyncReadExt, BufReader},
    process::{Child, ChildStderr, Command},
    time::timeout,
};

use crate::{
    test_app::{client, code_of_link, header, write_dist},
    test_database::{POSTGRES_VARIABLE, TestDatabase},
};

/// Generous: the binary is already built, start-up takes milliseconds.
pub const DEADLINE: Duration = Duration::from_secs(30);

/// The binary with a clean environment and a scratch working directory, so neither the
/// developer's `PREPOZNAJ_*` or `DATABASE_URL` variables nor the repository's `./dist` leak in.
/// Its database is SQLite under `./data`.
pub fn server(working_dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_prepoznaj-server"));
    for variable in [
        "PREPOZNAJ_PORT",
        "PREPOZNAJ_BIND",
        "PREPOZNAJ_DATA_DIR",
        "PREPOZNAJ_DIST",
        "PREPOZNAJ_LOG",
        "PREPOZNAJ_BASE_URL",
        "DATABASE_URL",
        POSTGRES_VARIABLE,
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
pub fn scratch_with_dist() -> TempDir {
    let scratch = TempDir::new().unwrap();
    write_dist(&scratch.path().join("dist"));
    scratch
}

/// A scratch working directory with a valid `dist/` and the test's database: SQLite under
/// `./data`, or a fresh PostgreSQL database.
#[derive(Debug)]
pub struct Scratch {
    /// Declared before `dir`, so a PostgreSQL database is dropped first.
    pub database: TestDatabase,
    pub dir: TempDir,
}

impl Scratch {
    pub async fn with_dist() -> Self {
        let dir = scratch_with_dist();
        let database = TestDatabase::fresh(&dir.path().join("data")).await;
        Self { database, dir }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// [`server`] in this directory, on this database.
    pub fn server(&self) -> Command {
        let mut command = server(self.path());
        if let Some(url) = self.database.postgres_url() {
            command.env("DATABASE_URL", url);
        }
        command
    }

    /// The database as the start-up line names it.
    fn announced_database(&self) -> String {
        announced_database(&self.database)
    }
}

/// `database` as the start-up line of a server started in its scratch directory names it.
pub fn announced_database(database: &TestDatabase) -> String {
    database.postgres_url().map_or_else(
        || "./data/prepoznaj.db".to_owned(),
        |url| PostgresUrl::parse(url).unwrap().to_string(),
    )
}

/// The binary serving from a scratch directory, with everything it wrote to stderr so far.
#[derive(Debug)]
pub struct RunningServer {
    child: Child,
    stderr: BufReader<ChildStderr>,
    /// `127.0.0.1:<port>`, as announced.
    pub address: String,
    pub log: String,
}

impl RunningServer {
    /// Starts `prepoznaj-server --port 0 <arguments>` and waits for its start-up line.
    pub async fn start(scratch: &Scratch, arguments: &[&str]) -> Self {
        Self::start_command(scratch.server(), &scratch.announced_database(), arguments).await
    }

    /// Starts the server as `command` runs it, in a scratch directory with a dist, on the
    /// database it announces as `database` (see [`announced_database`]); on port 0.
    pub async fn start_command(mut command: Command, database: &str, arguments: &[&str]) -> Self {
        let mut child = command
            .args(["--port", "0"])
            .args(arguments)
            .spawn()
            .unwrap();
        let mut stderr = BufReader::new(child.stderr.take().unwrap());
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
            .and_then(|rest| rest.strip_suffix(&format!(" (data: {database})\n")))
            .unwrap_or_else(|| panic!("unexpected start-up line: {announcement:?}"))
            .to_owned();
        Self {
            child,
            stderr,
            address,
            log,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    /// Sends SIGKILL, as a crash or `kill -9` would (no shutdown, no checkpoint), and waits
    /// for the process to end.
    pub async fn kill(mut self) {
        self.child.start_kill().unwrap();
        timeout(DEADLINE, self.child.wait())
            .await
            .expect("a killed process ends")
            .unwrap();
    }

    /// Sends SIGTERM, waits for the exit and returns its status with the whole log.
    pub async fn stop(mut self) -> (std::process::ExitStatus, String) {
        let pid = self.child.id().unwrap().to_string();
        let kill = std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap();
        assert!(kill.success());
        let status = timeout(DEADLINE, self.child.wait())
            .await
            .expect("the server should stop on SIGTERM")
            .unwrap();
        self.stderr.read_to_string(&mut self.log).await.unwrap();
        (status, self.log)
    }
}

/// Runs `prepoznaj-server school create` in the scratch directory and returns its stdout.
pub async fn school_create(scratch: &Scratch, arguments: &[&str]) -> String {
    let output = timeout(
        DEADLINE,
        scratch
            .server()
            .args(["school", "create"])
            .args(arguments)
            .output(),
    )
    .await
    .expect("school create should finish")
    .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    String::from_utf8(output.stdout).unwrap()
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
async fn a_trusted_proxy_that_is_not_an_address_is_one_line_exit_2() {
    let scratch = scratch_with_dist();

    let mut flag = server(scratch.path());
    flag.args([
        "--port",
        "0",
        "--trusted-proxy",
        "10.0.0.0/8",
        "--trusted-proxy",
        "proxy.local",
    ]);
    assert_fails_with_one_line(flag, 2, "proxy.local").await;

    let mut variable = server(scratch.path());
    variable.env("PREPOZNAJ_TRUSTED_PROXIES", "127.0.0.1,10.0.0.0/33");
    assert_fails_with_one_line(variable, 2, "10.0.0.0/33").await;
}

#[tokio::test]
async fn an_unclosed_report_retention_out_of_range_is_one_line_exit_2() {
    let scratch = scratch_with_dist();

    let mut flag = server(scratch.path());
    flag.args(["--port", "0", "--unclosed-report-retention-days", "0"]);
    assert_fails_with_one_line(flag, 2, "--unclosed-report-retention-days").await;

    let mut variable = server(scratch.path());
    variable.args(["--port", "0"]);
    variable.env("PREPOZNAJ_UNCLOSED_REPORT_RETENTION_DAYS", "3651");
    assert_fails_with_one_line(variable, 2, "--unclosed-report-retention-days").await;
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
async fn a_database_url_that_cannot_be_used_is_one_line_exit_2_without_its_password() {
    let scratch = scratch_with_dist();
    let closed_port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();

    let mut unreachable = server(scratch.path());
    unreachable.args(["--port", "0"]).env(
        "DATABASE_URL",
        format!("postgresql://prepoznaj:hunter2-secret@127.0.0.1:{closed_port}/prepoznaj"),
    );
    let names =
        format!("--database-url postgresql://prepoznaj@127.0.0.1:{closed_port}/prepoznaj cannot");
    assert_fails_with_one_line(unreachable, 2, &names).await;

    for url in [
        "mysql://prepoznaj:hunter2-secret@127.0.0.1/prepoznaj",
        "postgresql://prepoznaj:hunter2-secret@127.0.0.1:port/prepoznaj",
    ] {
        let mut command = server(scratch.path());
        command.args(["--port", "0", "--database-url", url]);
        let output = timeout(DEADLINE, command.output()).await.unwrap().unwrap();
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.contains("--database-url (DATABASE_URL) is not a usable PostgreSQL URL"),
            "{stderr}"
        );
        assert!(
            !stderr.contains("hunter2"),
            "the password is printed: {stderr}"
        );
    }
    assert!(
        !scratch.path().join("data").exists(),
        "with a database URL nothing is created under --data-dir"
    );
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
    let scratch = Scratch::with_dist().await;
    let server = RunningServer::start(&scratch, &[]).await;
    assert!(
        server.address.starts_with("127.0.0.1:"),
        "{}",
        server.address
    );
    assert_eq!(
        scratch.path().join("data/prepoznaj.db").is_file(),
        !scratch.database.is_postgres(),
        "SQLite's file, and only for SQLite"
    );

    let health = client()
        .get(server.url("/api/health?token=not-logged"))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);

    let (status, log) = server.stop().await;
    assert!(status.success(), "{status:?}: {log}");
    assert!(
        log.contains("method=GET path=/api/health status=200"),
        "{log}"
    );
    assert!(!log.contains("not-logged"), "queries are not logged: {log}");
    assert!(log.contains("SIGTERM"), "{log}");
    assert!(!log.contains("panicked"), "{log}");
}

#[tokio::test]
async fn serves_with_an_http_base_url_on_this_machine_without_strict_transport_security() {
    let scratch = Scratch::with_dist().await;
    let server = RunningServer::start(&scratch, &["--base-url", "http://localhost:8080"]).await;

    let page = client().get(server.url("/")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(header(&page, "strict-transport-security"), None);

    let (status, log) = server.stop().await;
    assert!(status.success(), "{status:?}: {log}");
}

#[tokio::test]
async fn school_create_prints_a_one_time_set_up_link_and_its_qr_code() {
    let scratch = Scratch::with_dist().await;
    let stdout = school_create(
        &scratch,
        &[
            "--name",
            "ОШ „Вук Караџић“",
            "--base-url",
            "https://prepoznaj.example.rs/",
        ],
    )
    .await;

    assert!(
        stdout.contains("School created: ОШ „Вук Караџић“"),
        "{stdout}"
    );
    let link = stdout
        .lines()
        .find(|line| line.starts_with("https://"))
        .unwrap_or_else(|| panic!("no link in {stdout}"));
    assert!(
        link.starts_with("https://prepoznaj.example.rs/team/setup#"),
        "{link}"
    );
    assert_eq!(code_of_link(link).len(), 43);
    assert!(
        stdout.contains('\u{2580}') || stdout.contains('\u{2584}'),
        "{stdout}"
    );

    // The server started on the same database takes the code, once.
    let server = RunningServer::start(&scratch, &[]).await;
    let code = code_of_link(link);
    let base_url = server.url("");
    let school = crate::team_keys::founding_school(&client(), &base_url, &code).await;
    for expected in [201, 410] {
        let keys = crate::team_keys::MemberKeys::generate("Марија");
        let response =
            crate::team_keys::found_school_team(&client(), &base_url, &code, &school.id, &keys)
                .await;
        assert_eq!(response.status(), expected);
    }
    let (status, log) = server.stop().await;
    assert!(status.success(), "{log}");
}

#[tokio::test]
async fn school_create_refuses_a_bad_base_url_or_name_in_one_line() {
    let scratch = scratch_with_dist();

    for (arguments, names) in [
        (
            ["--name", "ОШ", "--base-url", "prepoznaj.example.rs"],
            "--base-url",
        ),
        (
            ["--name", "ОШ", "--base-url", "https://x.rs/?a#b"],
            "--base-url",
        ),
        (["--name", "  ", "--base-url", "https://x.rs"], "--name"),
    ] {
        let mut command = server(scratch.path());
        command.args(["school", "create"]).args(arguments);
        assert_fails_with_one_line(command, 2, names).await;
    }
}

#[tokio::test]
async fn school_create_without_a_base_url_says_how_to_give_one_in_one_line() {
    let scratch = scratch_with_dist();
    let mut command = server(scratch.path());
    command.args(["school", "create", "--name", "ОШ"]);
    assert_fails_with_one_line(
        command,
        2,
        "add --base-url https://prepoznaj.example.rs (your server's https:// address) or set PREPOZNAJ_BASE_URL",
    )
    .await;
    assert!(
        !scratch.path().join("data").exists(),
        "no school is created without a base URL"
    );
}

#[tokio::test]
async fn serving_and_school_create_refuse_http_for_another_machine_and_name_the_https_address() {
    let scratch = scratch_with_dist();
    let serve = ["--port", "0"].as_slice();
    let school_create = ["school", "create", "--name", "ОШ"].as_slice();
    for arguments in [serve, school_create] {
        for (flag, variable) in [
            (Some("http://school.example.rs"), None),
            (None, Some("http://school.example.rs")),
        ] {
            let mut command = server(scratch.path());
            command.args(arguments);
            if let Some(flag) = flag {
                command.args(["--base-url", flag]);
            }
            if let Some(variable) = variable {
                command.env("PREPOZNAJ_BASE_URL", variable);
            }
            assert_fails_with_one_line(
                command,
                2,
                "--base-url http://school.example.rs uses http:// for another machine, where the app needs https://: use --base-url https://school.example.rs",
            )
            .await;
        }
    }
    assert!(
        !scratch.path().join("data").exists(),
        "nothing is created on a bad start"
    );
}

#[tokio::test]
async fn school_create_takes_http_on_this_machine_and_the_variable() {
    let scratch = Scratch::with_dist().await;
    for (arguments, variable, expected) in [
        (
            vec!["--name", "ОШ 1", "--base-url", "http://127.0.0.1:8080"],
            None,
            "http://127.0.0.1:8080/team/setup#",
        ),
        (
            vec!["--name", "ОШ 2"],
            Some("http://[::1]:8080/"),
            "http://[::1]:8080/team/setup#",
        ),
        (
            vec!["--name", "ОШ 3"],
            Some("https://prepoznaj.example.rs"),
            "https://prepoznaj.example.rs/team/setup#",
        ),
    ] {
        let mut command = scratch.server();
        command.args(["school", "create"]).args(&arguments);
        if let Some(variable) = variable {
            command.env("PREPOZNAJ_BASE_URL", variable);
        }
        let output = timeout(DEADLINE, command.output()).await.unwrap().unwrap();
        let stdout = String::from_utf8(output.stdout).unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(
            stdout.lines().any(|line| line.starts_with(expected)),
            "{expected} in {stdout}"
        );
    }
}
