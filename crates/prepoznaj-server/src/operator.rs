//! The operator's commands: `prepoznaj-server school create --name <school>` creates a school
//! and prints its one-time team set-up link with a QR code drawn in the terminal.
//!
//! They open the same database as the server (it may be running: SQLite's WAL lets both
//! write, and PostgreSQL serves any number of clients) and print to stdout. The set-up code is printed once and stored only as its hash.

use std::io::Write as _;

use prepoznaj_domain::{
    observation::UnixMillis,
    protocol::{LinkValidDays, School, SchoolId, SchoolName, TEAM_SETUP_PATH, link},
};
use qrcode::{QrCode, render::unicode::Dense1x2};

use crate::{
    Config, StartupError,
    config::{Command, SchoolCommand, SchoolCreate},
    credentials::{new_id, new_secret, now},
    startup::{OpenStore, open_store},
    store::{Database, NewSchool, Store},
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
/// A bad argument, a database that cannot be opened or written, or stdout that cannot be
/// written.
pub async fn run(command: Command, config: &Config) -> Result<(), StartupError> {
    match command {
        Command::School(SchoolCommand::Create(arguments)) => {
            let created = create_school(&config.database()?, &arguments).await?;
            std::io::stdout()
                .lock()
                .write_all(describe(&created, &arguments).as_bytes())
                .map_err(StartupError::Output)
        }
    }
}

/// Creates the school and its one-time set-up code in `database`.
///
/// # Errors
/// A bad name or base URL, or a database that cannot be opened or written.
pub async fn create_school(
    database: &Database,
    arguments: &SchoolCreate,
) -> Result<CreatedSchool, StartupError> {
    let name = SchoolName::parse(&arguments.name).map_err(StartupError::SchoolName)?;
    let base_url = checked_base_url(&arguments.base_url)?;
    let valid_days = LinkValidDays::new(arguments.valid_days).map_err(StartupError::ValidDays)?;
    let school = School {
        id: new_id(SchoolId::new_v7).map_err(StartupError::Randomness)?,
        name,
    };
    let (code, code_hash) = new_secret().map_err(StartupError::Randomness)?;
    let created_at = now();
    let expires_at = valid_days.expiry(created_at);
    let new_school = NewSchool {
        school: school.clone(),
        created_at,
        setup_code: code_hash,
        setup_expires_at: expires_at,
    };
    match open_store(database).await? {
        OpenStore::Sqlite(store) => store.create_school(new_school).await,
        OpenStore::Postgres(store) => store.create_school(new_school).await,
    }
    .map_err(StartupError::Store)?;
    tracing::info!(school = %school.id, "school created");
    Ok(CreatedSchool {
        school,
        setup_link: link(base_url, TEAM_SETUP_PATH, &code),
        expires_at,
    })
}

/// `http://` or `https://`, a host, and no query, fragment or whitespace.
fn checked_base_url(base_url: &str) -> Result<&str, StartupError> {
    let rest = base_url
        .strip_prefix("https://")
        .or_else(|| base_url.strip_prefix("http://"));
    let usable = rest.is_some_and(|rest| {
        !rest.is_empty()
            && !rest.starts_with('/')
            && !rest.contains(['?', '#'])
            && !rest.chars().any(char::is_whitespace)
    });
    if usable {
        Ok(base_url.trim_end_matches('/'))
    } else {
        Err(StartupError::BaseUrl(base_url.to_owned()))
    }
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
