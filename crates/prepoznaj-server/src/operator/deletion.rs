//! `school delete <school> [--yes]`: says exactly what deleting the school deletes, asks for
//! the school's name to be typed (unless `--yes`), and deletes it all in one transaction.

use std::io::BufRead as _;

use super::print;
use crate::{
    StartupError,
    store::{SchoolContents, SchoolRows, Store},
};

/// Deletes the school after showing `contents` and, without `yes`, the typed confirmation.
pub(super) async fn run<S: Store>(
    store: &S,
    contents: &SchoolContents,
    yes: bool,
) -> Result<(), StartupError> {
    let school = &contents.overview.school;
    print(&format!(
        "Deleting {name} ({id}) deletes, for good:\n{rows}\
         Reports the team has not read yet are lost with it.\n",
        name = school.name,
        id = school.id,
        rows = describe(&contents.rows),
    ))?;
    if !yes {
        print("Type the school's name to delete it: ")?;
        let mut typed = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut typed)
            .map_err(StartupError::Input)?;
        if typed.trim() != school.name.as_str() {
            return Err(StartupError::NotConfirmed(school.name.to_string()));
        }
    }
    let deleted = store
        .delete_school(school.id.clone())
        .await
        .map_err(StartupError::Store)?
        .ok_or_else(|| StartupError::UnknownSchool(school.id.to_string()))?;
    tracing::info!(school = %school.id, "school deleted");
    print(&format!(
        "Deleted {name} ({id}):\n{rows}",
        name = school.name,
        id = school.id,
        rows = describe(&deleted),
    ))
}

/// One line per kind of row.
fn describe(rows: &SchoolRows) -> String {
    [
        ("team members (removed ones included)", rows.team_members),
        ("devices (revoked ones included)", rows.devices),
        ("enrolment links", rows.enrolment_links),
        ("set-up links", rows.setup_codes),
        ("key chain versions", rows.chain_versions),
        ("reports, with their envelopes", rows.reports),
        ("status changes", rows.status_changes),
    ]
    .iter()
    .map(|(what, count)| format!("  {what}: {count}\n"))
    .collect()
}
