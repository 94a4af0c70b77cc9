//! The operator's commands, `prepoznaj-server school …` and `stats`: `create` one school and
//! print its one-time team set-up link with a QR code drawn in the terminal; `import` a CSV list
//! of schools ([`import`]); `list` and `show` them ([`listing`]); make a `new-setup-link`
//! ([`setup_link`]); `delete` one ([`deletion`]); count reports and phones per school
//! administration and month, small counts hidden ([`stats`]). A set-up link must open the origin
//! staff phones use: `https://`, or `http://` only on this machine ([`checked_base_url`]); the
//! server checks its own `--base-url` by the same rules.
//!
//! They open the same database as the server (it may be running: SQLite's WAL lets both
//! write, and PostgreSQL serves any number of clients) and print to stdout. A set-up code is
//! printed (or written to the import's file) once and stored only as its hash; nothing here
//! prints a token, a code already stored or a report. What a command may do to a team is
//! decided in `store::rules`.

mod deletion;
pub mod import;
mod listing;
mod setup_link;
pub mod stats;

use std::io::Write as _;

use prepoznaj_domain::{
    observation::UnixMillis,
    protocol::{LinkValidDays, School, SchoolId, SchoolName, TEAM_SETUP_PATH, link},
};
use qrcode::{QrCode, render::unicode::Dense1x2};

use crate::{
    Config, StartupError,
    config::{Command, SchoolCommand, SchoolCreate, Stats},
    credentials::{new_id, new_secret, now},
    directory::SchoolDetails,
    startup::{OpenStore, open_store},
    store::{Database, NewSchool, SchoolContents, Store},
};

/// A school just created and the link that sets up its team.
#[derive(Debug, Clone)]
pub struct CreatedSchool {
    pub school: School,
    /// `<base-url>/team/setup#<code>`: the code is in it, so it is as secret as the code.
    pub setup_link: String,
    pub expires_at: UnixMillis,
}

/// Runs one operator command on the server's database.
///
/// # Errors
/// A bad argument, a database that cannot be opened or written, a file that cannot be read
/// or written, or stdout that cannot be written.
pub async fn run(command: Command, config: &Config) -> Result<(), StartupError> {
    let command = match command {
        Command::School(command) => command,
        Command::Stats(arguments) => {
            return print(&stats_text(&config.database()?, &arguments).await?);
        }
    };
    if let SchoolCommand::Create(arguments) = &command {
        let created =
            create_school(&config.database()?, config.base_url.as_deref(), arguments).await?;
        return print(&describe(&created, arguments));
    }
    // Checked before anything is read or opened, so a missing one is explained at once.
    let base_url = match &command {
        SchoolCommand::Import(_) | SchoolCommand::NewSetupLink(_) => {
            Some(checked_base_url(config.base_url.as_deref())?.to_owned())
        }
        _ => None,
    };
    let base_url = base_url.as_deref().unwrap_or_default();
    if let SchoolCommand::Import(arguments) = &command {
        // The file is read and checked before the database is opened or the output made.
        let rows = import::read_schools(&arguments.schools)?;
        return match open_store(&config.database()?).await? {
            OpenStore::Sqlite(store) => import::run(&store, rows, arguments, base_url).await,
            OpenStore::Postgres(store) => import::run(&store, rows, arguments, base_url).await,
        };
    }
    match open_store(&config.database()?).await? {
        OpenStore::Sqlite(store) => run_on(&store, &command, base_url).await,
        OpenStore::Postgres(store) => run_on(&store, &command, base_url).await,
    }
}

/// What `stats` prints for `database` (the period is checked before the database is opened).
///
/// # Errors
/// `--from` after `--to`, or a database that cannot be opened or read.
pub async fn stats_text(database: &Database, arguments: &Stats) -> Result<String, StartupError> {
    let period = stats::period(arguments.from, arguments.to)?;
    match open_store(database).await? {
        OpenStore::Sqlite(store) => stats::run(&store, period, arguments.format).await,
        OpenStore::Postgres(store) => stats::run(&store, period, arguments.format).await,
    }
}

/// The commands that read or change schools already there.
async fn run_on<S: Store>(
    store: &S,
    command: &SchoolCommand,
    base_url: &str,
) -> Result<(), StartupError> {
    match command {
        SchoolCommand::List(arguments) => {
            let schools = store.schools().await.map_err(StartupError::Store)?;
            print(&listing::list(&schools, arguments.format)?)
        }
        SchoolCommand::Show(arguments) => {
            let contents = find_school(store, &arguments.school).await?;
            print(&listing::show(&contents))
        }
        SchoolCommand::NewSetupLink(arguments) => {
            let contents = find_school(store, &arguments.school).await?;
            let made = setup_link::make(store, &contents, arguments, base_url).await?;
            print(&made)
        }
        SchoolCommand::Delete(arguments) => {
            let contents = find_school(store, &arguments.school).await?;
            deletion::run(store, &contents, arguments.yes).await
        }
        // Run by `run` itself: they check their input before the database is opened.
        SchoolCommand::Create(_) | SchoolCommand::Import(_) => Ok(()),
    }
}

/// The school whose id or external id is `reference`.
async fn find_school<S: Store>(store: &S, reference: &str) -> Result<SchoolContents, StartupError> {
    store
        .school_contents(reference.trim().to_owned())
        .await
        .map_err(StartupError::Store)?
        .ok_or_else(|| StartupError::UnknownSchool(reference.to_owned()))
}

/// Writes `text` to stdout.
fn print(text: &str) -> Result<(), StartupError> {
    std::io::stdout()
        .lock()
        .write_all(text.as_bytes())
        .map_err(StartupError::Output)
}

/// A new founding set-up code for `school`, valid for `valid_days` from now: its link and the
/// new school's row, made the same way by `school create` and `school import`.
fn new_school(
    name: SchoolName,
    details: SchoolDetails,
    valid_days: u16,
    base_url: &str,
) -> Result<(NewSchool, CreatedSchool), StartupError> {
    let valid_days = LinkValidDays::new(valid_days).map_err(StartupError::ValidDays)?;
    let school = School {
        id: new_id(SchoolId::new_v7).map_err(StartupError::Randomness)?,
        name,
    };
    let (code, code_hash) = new_secret().map_err(StartupError::Randomness)?;
    let created_at = now();
    let expires_at = valid_days.expiry(created_at);
    let new_school = NewSchool {
        school: school.clone(),
        details,
        created_at,
        setup_code: code_hash,
        setup_expires_at: expires_at,
    };
    let created = CreatedSchool {
        school,
        setup_link: link(base_url, TEAM_SETUP_PATH, &code),
        expires_at,
    };
    Ok((new_school, created))
}

/// Creates the school and its one-time set-up code in `database`; the link starts with
/// `base_url` (`--base-url`, required here).
///
/// # Errors
/// A bad name or base URL, or a database that cannot be opened or written.
pub async fn create_school(
    database: &Database,
    base_url: Option<&str>,
    arguments: &SchoolCreate,
) -> Result<CreatedSchool, StartupError> {
    let name = SchoolName::parse(&arguments.name).map_err(StartupError::SchoolName)?;
    let base_url = checked_base_url(base_url)?;
    let (new_school, created) = new_school(
        name,
        SchoolDetails::default(),
        arguments.valid_days,
        base_url,
    )?;
    match open_store(database).await? {
        OpenStore::Sqlite(store) => store.create_school(new_school).await,
        OpenStore::Postgres(store) => store.create_school(new_school).await,
    }
    .map_err(StartupError::Store)?;
    tracing::info!(school = %created.school.id, "school created");
    Ok(created)
}

/// An example of a usable `--base-url`, named in the messages that say how to fix one.
const EXAMPLE_BASE_URL: &str = "https://prepoznaj.example.rs";

/// Why `--base-url` (`PREPOZNAJ_BASE_URL`) cannot be the address people open the app at (for
/// the set-up link, or the server's own); each message says what to write instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BaseUrlError {
    /// Neither the flag nor the variable is set.
    #[error(
        "a set-up link needs the address staff phones open the app at: add --base-url {EXAMPLE_BASE_URL} (your server's https:// address) or set PREPOZNAJ_BASE_URL"
    )]
    Missing,
    /// Not `http(s)://` and a host, or with a query, fragment, user or whitespace.
    #[error(
        "--base-url {0:?} is not an http:// or https:// address without query or fragment: write it like --base-url {EXAMPLE_BASE_URL}"
    )]
    Malformed(String),
    /// `http://` for a host other than this machine: phones would get a link the app cannot
    /// work at (it needs a secure origin), and the code in it would travel in clear.
    #[error(
        "--base-url {given} uses http:// for another machine, where the app needs https://: use --base-url {https} (http:// is only for localhost, 127.0.0.0/8 and ::1)"
    )]
    PlainHttp { given: String, https: String },
}

/// `https://` and a host, or `http://` and a loopback host (`localhost`, `127.0.0.0/8`,
/// `::1`); no query, fragment, user or whitespace. Returned without a trailing `/`.
///
/// # Errors
/// [`BaseUrlError`] saying what to write instead.
pub fn checked_base_url(base_url: Option<&str>) -> Result<&str, BaseUrlError> {
    let base_url = base_url.ok_or(BaseUrlError::Missing)?;
    let malformed = || BaseUrlError::Malformed(base_url.to_owned());
    let (plain_http, rest) = match base_url.strip_prefix("https://") {
        Some(rest) => (false, rest),
        None => (
            true,
            base_url.strip_prefix("http://").ok_or_else(malformed)?,
        ),
    };
    let authority = rest.split('/').next().unwrap_or_default();
    let usable = !authority.is_empty()
        && !rest.contains(['?', '#'])
        && !authority.contains('@')
        && !rest.chars().any(char::is_whitespace);
    if !usable {
        return Err(malformed());
    }
    let trimmed = base_url.trim_end_matches('/');
    if plain_http && !is_loopback_host(authority) {
        return Err(BaseUrlError::PlainHttp {
            given: base_url.to_owned(),
            https: format!(
                "https://{}",
                trimmed.strip_prefix("http://").unwrap_or(trimmed)
            ),
        });
    }
    Ok(trimmed)
}

/// Whether the host of `authority` (`host`, `host:port`, `[v6]:port`) is this machine.
fn is_loopback_host(authority: &str) -> bool {
    let host = match authority.strip_prefix('[') {
        Some(bracketed) => bracketed.split(']').next().unwrap_or_default(),
        None => authority.split(':').next().unwrap_or_default(),
    };
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|address| address.is_loopback())
}

/// What `school create` prints: the school, the link, its validity and the QR code.
fn describe(created: &CreatedSchool, arguments: &SchoolCreate) -> String {
    // Light modules drawn as blocks: right on the usual light-on-dark terminal.
    let qr_code = QrCode::new(created.setup_link.as_bytes()).map_or_else(
        |_| "(the link is too long for a QR code)\n".to_owned(),
        |code| {
            code.render::<Dense1x2>()
                .dark_color(Dense1x2::Light)
                .light_color(Dense1x2::Dark)
                .quiet_zone(true)
                .build()
        },
    );
    format!(
        "School created: {name}\nSchool id: {id}\n\n\
         Team set-up link (one use, valid for {days} days):\n{link}\n\n{qr_code}\n\n\
         Give it only to the first member of the school's protection team, in person. Their \
         app makes their key and registers it; they add the other members from the app.\n",
        name = created.school.name,
        id = created.school.id,
        days = arguments.valid_days,
        link = created.setup_link,
    )
}

#[cfg(test)]
mod tests {
    use super::{BaseUrlError, checked_base_url};

    #[test]
    fn https_anywhere_and_http_only_on_this_machine() {
        for (given, expected) in [
            (
                "https://prepoznaj.example.rs/",
                "https://prepoznaj.example.rs",
            ),
            (
                "https://prepoznaj.example.rs:8443/app",
                "https://prepoznaj.example.rs:8443/app",
            ),
            ("http://localhost:8080", "http://localhost:8080"),
            ("http://LOCALHOST/", "http://LOCALHOST"),
            ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
            ("http://127.8.9.10", "http://127.8.9.10"),
            ("http://[::1]:8080/", "http://[::1]:8080"),
        ] {
            assert_eq!(checked_base_url(Some(given)), Ok(expected), "{given}");
        }
    }

    #[test]
    fn http_for_another_machine_is_refused_with_its_https_form() {
        for (given, https) in [
            (
                "http://prepoznaj.example.rs/",
                "https://prepoznaj.example.rs",
            ),
            ("http://192.168.1.20:8080", "https://192.168.1.20:8080"),
            ("http://[2001:db8::1]/", "https://[2001:db8::1]"),
            ("http://0.0.0.0:8080", "https://0.0.0.0:8080"),
            (
                "http://localhost.example.rs",
                "https://localhost.example.rs",
            ),
            ("http://128.0.0.1", "https://128.0.0.1"),
        ] {
            assert_eq!(
                checked_base_url(Some(given)),
                Err(BaseUrlError::PlainHttp {
                    given: given.to_owned(),
                    https: https.to_owned()
                }),
                "{given}"
            );
        }
    }

    #[test]
    fn missing_or_malformed_is_refused() {
        assert_eq!(checked_base_url(None), Err(BaseUrlError::Missing));
        for given in [
            "",
            "prepoznaj.example.rs",
            "ftp://prepoznaj.example.rs",
            "https://",
            "https:///path",
            "https://x.rs/?a#b",
            "https://user@x.rs",
            "https://x .rs",
        ] {
            assert_eq!(
                checked_base_url(Some(given)),
                Err(BaseUrlError::Malformed(given.to_owned())),
                "{given:?}"
            );
        }
    }
}
