//! The operator's school commands as the binary runs them on a deployment's database:
//! `school import` (idempotent by external id, links in a 0600 file), `school list`,
//! `school show`, `school new-setup-link` (never a way into a team) and `school delete`
//! (everything of one school, after the school's name is typed).

use std::{os::unix::fs::PermissionsExt as _, path::Path, process::Output};

use prepoznaj_domain::protocol::{School, SchoolId, SchoolName, TeamSetupResponse};
use serde_json::Value;
use tokio::{io::AsyncWriteExt as _, process::Command, time::timeout};

use crate::{
    cli::{DEADLINE, RunningServer, Scratch, server},
    inbox::change,
    team_keys::{MemberKeys, found_school_team, founding_school},
    test_app::{TestApp, client, code_of_link, report_for},
    test_database::TestDatabase,
};

const BASE_URL: &str = "https://prepoznaj.example.rs";

/// `prepoznaj-server school <arguments>` in `working_dir` on `database`.
fn school_command(database: &TestDatabase, working_dir: &Path, arguments: &[&str]) -> Command {
    let mut command = server(working_dir);
    command
        .args(["--data-dir", &database.data_dir().display().to_string()])
        .arg("school")
        .args(arguments);
    if let Some(url) = database.postgres_url() {
        command.env("DATABASE_URL", url);
    }
    command
}

/// Runs `command` to its end with `stdin` as its input (none: closed at once).
pub(crate) async fn run(mut command: Command, stdin: Option<&str>) -> Output {
    command.stdin(std::process::Stdio::piped());
    let mut child = command.spawn().unwrap();
    let mut input = child.stdin.take().unwrap();
    if let Some(text) = stdin {
        input.write_all(text.as_bytes()).await.unwrap();
    }
    drop(input);
    timeout(DEADLINE, child.wait_with_output())
        .await
        .expect("an operator command ends")
        .unwrap()
}

/// Runs `command`, which must succeed; returns its stdout.
pub(crate) async fn succeeds(command: Command, stdin: Option<&str>) -> String {
    let output = run(command, stdin).await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    String::from_utf8(output.stdout).unwrap()
}

/// Runs `command`, which must fail with `code` and one line naming `names`; returns stdout.
pub(crate) async fn fails(command: Command, stdin: Option<&str>, code: i32, names: &str) -> String {
    let output = run(command, stdin).await;
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(code), "{stderr}");
    let error: Vec<&str> = stderr
        .lines()
        .filter(|line| line.starts_with("prepoznaj-server: error: "))
        .collect();
    assert_eq!(error.len(), 1, "{stderr}");
    assert!(error[0].contains(names), "expected {names:?} in {stderr}");
    String::from_utf8(output.stdout).unwrap()
}

const SCHOOLS_CSV: &str = "name,municipality,school_administration,external_id\n\
\"ОШ „Вук Караџић“, Нови Сад\",Нови Сад,Нови Сад,70001\n\
OŠ \"Jovan Popović\",Beograd,Beograd,70002\n\
,Ниш,Ниш,70009\n\
ОШ „Бранко Радичевић“,Ниш,Ниш,70003\n";

/// The rows of a links file, header first.
fn csv_rows(path: &Path) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(path)
        .unwrap()
        .records()
        .map(|record| record.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

#[tokio::test]
async fn school_import_creates_each_school_once_and_writes_links_only_the_operator_can_read() {
    let scratch = Scratch::with_dist().await;
    let database = &scratch.database;
    let directory = scratch.path();
    std::fs::write(directory.join("schools.csv"), SCHOOLS_CSV).unwrap();
    let import = |output: &str| {
        school_command(
            database,
            directory,
            &[
                "import",
                "schools.csv",
                "--output",
                output,
                "--base-url",
                BASE_URL,
            ],
        )
    };

    let first = succeeds(import("links.csv"), None).await;
    assert!(
        first.contains("created 3, already present 0, refused 1."),
        "{first}"
    );
    assert!(
        first.contains("Line 4: refused: name: the name is empty"),
        "{first}"
    );
    let links = directory.join("links.csv");
    let mode = std::fs::metadata(&links).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    let rows = csv_rows(&links);
    assert_eq!(
        rows[0],
        [
            "external_id",
            "name",
            "school_id",
            "setup_link",
            "expires_at"
        ]
    );
    let imported: Vec<(&str, &str)> = rows[1..]
        .iter()
        .map(|row| (row[0].as_str(), row[1].as_str()))
        .collect();
    assert_eq!(
        imported,
        [
            ("70001", "ОШ „Вук Караџић“, Нови Сад"),
            ("70002", "OŠ \"Jovan Popović\""),
            ("70003", "ОШ „Бранко Радичевић“"),
        ]
    );
    for row in &rows[1..] {
        assert!(
            row[3].starts_with("https://prepoznaj.example.rs/team/setup#"),
            "{row:?}"
        );
        assert!(row[4].ends_with('Z'), "{row:?}");
    }

    // Again: nothing new, and no file; an existing file is never written over.
    let second = succeeds(import("links-again.csv"), None).await;
    assert!(
        second.contains("created 0, already present 3, refused 1."),
        "{second}"
    );
    assert!(
        second.contains(&format!(
            "Line 2: already present (same external id): {} ОШ „Вук Караџић“, Нови Сад",
            rows[1][2]
        )),
        "{second}"
    );
    assert!(!directory.join("links-again.csv").exists());
    let before = std::fs::read(&links).unwrap();
    fails(import("links.csv"), None, 2, "--output links.csv exists").await;
    assert_eq!(std::fs::read(&links).unwrap(), before);

    // One external id twice in one file: one school.
    std::fs::write(
        directory.join("twice.csv"),
        "external_id,name\n70004,ОШ 4\n70004,ОШ 4 (again)\n70001,ОШ 1\n",
    )
    .unwrap();
    let twice = succeeds(
        school_command(
            database,
            directory,
            &[
                "import",
                "twice.csv",
                "--output",
                "twice-links.csv",
                "--base-url",
                BASE_URL,
            ],
        ),
        None,
    )
    .await;
    assert!(
        twice.contains("created 1, already present 2, refused 0."),
        "{twice}"
    );

    // A link opens a set-up that works.
    let server = RunningServer::start(&scratch, &[]).await;
    let base_url = server.url("");
    let code = code_of_link(&rows[2][3]);
    let school = founding_school(&client(), &base_url, &code).await;
    assert_eq!(school.id.as_str(), rows[2][2]);
    let keys = MemberKeys::generate("Јована, психолог");
    let response = found_school_team(&client(), &base_url, &code, &school.id, &keys).await;
    assert_eq!(response.status(), 201);

    let listed = succeeds(
        school_command(database, directory, &["list", "--format", "json"]),
        None,
    )
    .await;
    let listed: Vec<Value> = serde_json::from_str(&listed).unwrap();
    let mut summary: Vec<(&str, &str, &str, i64)> = listed
        .iter()
        .map(|school| {
            (
                school["external_id"].as_str().unwrap(),
                school["name"].as_str().unwrap(),
                school["municipality"].as_str().unwrap_or("-"),
                school["team_members"].as_i64().unwrap(),
            )
        })
        .collect();
    // Schools made in the same millisecond may list in either order.
    summary.sort_unstable();
    assert_eq!(
        summary,
        [
            ("70001", "ОШ „Вук Караџић“, Нови Сад", "Нови Сад", 0),
            ("70002", "OŠ \"Jovan Popović\"", "Beograd", 1),
            ("70003", "ОШ „Бранко Радичевић“", "Ниш", 0),
            ("70004", "ОШ 4", "-", 0),
        ]
    );

    let shown = succeeds(
        school_command(database, directory, &["show", "70002"]),
        None,
    )
    .await;
    for expected in [
        "School: OŠ \"Jovan Popović\"",
        &format!("School id: {}", rows[2][2]),
        "Municipality: Beograd",
        "Team members: 1",
        &format!("Јована, психолог  fingerprint {}", keys_fingerprint(&keys)),
    ] {
        assert!(shown.contains(expected), "{expected:?} in {shown}");
    }
    assert!(!shown.contains(&code), "a set-up code is never shown");
    let (status, log) = server.stop().await;
    assert!(status.success(), "{log}");
}

/// The fingerprint the server shows for a member's key.
fn keys_fingerprint(keys: &MemberKeys) -> String {
    prepoznaj_server::age_format::fingerprint(&keys.recipient()).to_string()
}

#[tokio::test]
async fn school_import_needs_a_base_url_and_a_readable_list_before_it_touches_anything() {
    let scratch = Scratch::with_dist().await;
    let directory = scratch.path();
    std::fs::write(directory.join("bad.csv"), "naziv,opstina\nOŠ 1,Niš\n").unwrap();
    for (arguments, names) in [
        (
            vec!["import", "bad.csv", "--output", "out.csv"],
            "add --base-url",
        ),
        (
            vec![
                "import",
                "bad.csv",
                "--output",
                "out.csv",
                "--base-url",
                BASE_URL,
            ],
            "cannot import bad.csv: its header has the column \"naziv\"",
        ),
        (
            vec![
                "import",
                "missing.csv",
                "--output",
                "out.csv",
                "--base-url",
                BASE_URL,
            ],
            "cannot import missing.csv: cannot read it",
        ),
    ] {
        fails(
            school_command(&scratch.database, directory, &arguments),
            None,
            2,
            names,
        )
        .await;
    }
    assert!(!directory.join("out.csv").exists());
}

/// The rows of `school_id` in every table that holds a school's data.
async fn rows_of(database: &TestDatabase, school_id: &SchoolId) -> Vec<i64> {
    let mut counts = Vec::new();
    for sql in [
        "SELECT COUNT(*) FROM schools WHERE id = $1",
        "SELECT COUNT(*) FROM team_members WHERE school_id = $1",
        "SELECT COUNT(*) FROM devices WHERE school_id = $1",
        "SELECT COUNT(*) FROM enrolment_links WHERE school_id = $1",
        "SELECT COUNT(*) FROM setup_codes WHERE school_id = $1",
        "SELECT COUNT(*) FROM team_chain WHERE school_id = $1",
        "SELECT COUNT(*) FROM reports WHERE school_id = $1",
        "SELECT COUNT(*) FROM report_status_changes
         WHERE report_id IN (SELECT id FROM reports WHERE school_id = $1)",
    ] {
        counts.push(database.query_row(sql, &[school_id.as_str()]).await[0].integer());
    }
    counts
}

#[tokio::test]
async fn school_delete_removes_a_school_with_its_team_phones_and_reports_and_nothing_else() {
    let app = TestApp::spawn().await;
    let doomed = app.school_with_team().await;
    let phone = app.enrol(&doomed).await;
    let (report_id, _, body) = report_for(&doomed, b"the report");
    assert_eq!(app.submit(&phone, &body).await.status(), 201);
    let seen = app
        .team_post(
            &doomed,
            &format!("/api/v1/team/reports/{report_id}/status-changes"),
            &change(&doomed, "seen", b"seen"),
        )
        .await;
    assert_eq!(seen.status(), 201);
    let kept = app.school_with_team().await;
    let kept_phone = app.enrol(&kept).await;
    let (_, _, kept_body) = report_for(&kept, b"another school's report");
    assert_eq!(app.submit(&kept_phone, &kept_body).await.status(), 201);
    let doomed_id = doomed.setup.school.id.clone();
    let kept_id = kept.setup.school.id.clone();
    let everything = [1, 1, 1, 1, 1, 1, 1, 1];
    assert_eq!(rows_of(&app.database, &doomed_id).await, everything);
    let kept_before = rows_of(&app.database, &kept_id).await;
    let directory = app.data_dir.path();
    let delete = |yes: bool| {
        let mut arguments = vec!["delete", doomed_id.as_str()];
        if yes {
            arguments.push("--yes");
        }
        school_command(&app.database, directory, &arguments)
    };

    // Not confirmed: nothing is deleted.
    for typed in [None, Some("ОШ\n"), Some("the wrong school\n")] {
        let shown = fails(delete(false), typed, 1, "nothing was deleted").await;
        for expected in [
            "team members (removed ones included): 1",
            "devices (revoked ones included): 1",
            "enrolment links: 1",
            "reports, with their envelopes: 1",
            "status changes: 1",
            "Type the school's name to delete it",
        ] {
            assert!(shown.contains(expected), "{expected:?} in {shown}");
        }
    }
    assert_eq!(rows_of(&app.database, &doomed_id).await, everything);

    // Typed right, then --yes on the other (already gone) is refused.
    let deleted = succeeds(delete(false), Some("ОШ „Вук Караџић“\n")).await;
    assert!(
        deleted.contains(&format!("Deleted ОШ „Вук Караџић“ ({doomed_id})")),
        "{deleted}"
    );
    assert_eq!(rows_of(&app.database, &doomed_id).await, [0; 8]);
    assert_eq!(rows_of(&app.database, &kept_id).await, kept_before);
    fails(delete(true), None, 2, "no school has the id").await;

    // The deleted school's phone is unknown; the other school goes on.
    let (_, _, late) = report_for(&doomed, b"too late");
    assert_eq!(app.submit(&phone, &late).await.status(), 401);
    let (_, _, more) = report_for(&kept, b"more");
    assert_eq!(app.submit(&kept_phone, &more).await.status(), 201);
}

#[tokio::test]
async fn school_delete_with_yes_asks_nothing() {
    let app = TestApp::spawn().await;
    let (_, school) = app.create_school_for("ОШ 1").await;
    let deleted = succeeds(
        school_command(
            &app.database,
            app.data_dir.path(),
            &["delete", school.id.as_str(), "--yes"],
        ),
        None,
    )
    .await;
    assert!(!deleted.contains("Type the school's name"), "{deleted}");
    assert!(deleted.contains("set-up links: 1"), "{deleted}");
    assert_eq!(rows_of(&app.database, &school.id).await, [0; 8]);
}

/// `school new-setup-link <school> [--member <id>]`'s link code.
async fn new_setup_link(app: &TestApp, school: &School, member: Option<&str>) -> String {
    let mut arguments = vec!["new-setup-link", school.id.as_str(), "--base-url", BASE_URL];
    if let Some(member) = member {
        arguments.extend(["--member", member]);
    }
    let stdout = succeeds(
        school_command(&app.database, app.data_dir.path(), &arguments),
        None,
    )
    .await;
    let link = stdout
        .lines()
        .find(|line| line.starts_with(BASE_URL))
        .unwrap_or_else(|| panic!("no link in {stdout}"));
    code_of_link(link)
}

#[tokio::test]
async fn a_new_setup_link_refounds_a_school_without_a_team_and_never_adds_anyone_to_a_team() {
    let app = TestApp::spawn().await;
    let (first_code, school) = app.create_school_for("ОШ „Десанка Максимовић“").await;
    assert_eq!(
        school.name,
        SchoolName::parse("ОШ „Десанка Максимовић“").unwrap()
    );

    // No team yet: a new founding link, and the first no longer works.
    let code = new_setup_link(&app, &school, None).await;
    let founder = MemberKeys::generate("Марија");
    let founding = founder.founding(&school.id);
    let refused = app
        .set_up(&first_code, &school, &founder, Some(founding.signed()))
        .await;
    assert_eq!(refused.status(), 410);
    let response = app
        .set_up(&code, &school, &founder, Some(founding.signed()))
        .await;
    assert_eq!(response.status(), 201);
    let team = crate::test_app::Team::from_setup(response.json().await.unwrap(), founder);

    // A team: no link that lets anyone in, and the message says what the team can do.
    let command = |arguments: &[&str]| {
        let mut all = vec!["new-setup-link", school.id.as_str(), "--base-url", BASE_URL];
        all.extend(arguments);
        school_command(&app.database, app.data_dir.path(), &all)
    };
    for names in ["/team/recover", "--member", "school delete"] {
        fails(command(&[]), None, 2, names).await;
    }
    let stranger = MemberKeys::generate("Непознат");
    fails(
        command(&["--member", stranger.id.as_str()]),
        None,
        2,
        "is not a member",
    )
    .await;
    fails(
        command(&["--member", "nobody"]),
        None,
        2,
        "--member \"nobody\"",
    )
    .await;

    // A member who lost every device: a link only their restored keys can use.
    let code = new_setup_link(&app, &school, Some(team.keys.id.as_str())).await;
    let impostor = MemberKeys {
        id: team.keys.id.clone(),
        ..MemberKeys::generate("Марија")
    };
    assert_eq!(
        app.set_up(&code, &school, &impostor, None).await.status(),
        403
    );
    let restored = app.set_up(&code, &school, &team.keys, None).await;
    assert_eq!(restored.status(), 201);
    let restored: TeamSetupResponse = restored.json().await.unwrap();
    assert_eq!(restored.chain.len(), 1, "the chain is unchanged");
    let lost_device = app
        .get_authorized("/api/v1/team/keys", &team.member_token)
        .await;
    assert_eq!(lost_device.status(), 401, "the lost device's token ends");
}
