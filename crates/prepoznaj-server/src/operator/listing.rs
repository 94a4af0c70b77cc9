//! `school list` (a table, CSV or JSON) and `school show`: what the operator may see of
//! schools, their teams and their use. Counts and public facts only: never a token, a code
//! or anything of a report but how many.

use prepoznaj_domain::date::CalendarDate;
use prepoznaj_domain::observation::UnixMillis;
use serde::Serialize;

use crate::{
    StartupError,
    config::ListFormat,
    directory::{ExternalId, PlaceName},
    store::{SchoolContents, SchoolOverview},
};

/// A school as `school list --format csv|json` writes it.
#[derive(Debug, Serialize)]
struct Listed<'a> {
    id: &'a str,
    name: &'a str,
    municipality: Option<&'a str>,
    school_administration: Option<&'a str>,
    external_id: Option<&'a str>,
    /// RFC 3339, UTC.
    created_at: String,
    team_members: u64,
    devices_enrolled: u64,
    reports_stored: u64,
}

impl<'a> Listed<'a> {
    fn of(overview: &'a SchoolOverview) -> Self {
        let details = &overview.details;
        Self {
            id: overview.school.id.as_str(),
            name: overview.school.name.as_str(),
            municipality: details.municipality.as_ref().map(PlaceName::as_str),
            school_administration: details
                .school_administration
                .as_ref()
                .map(PlaceName::as_str),
            external_id: details.external_id.as_ref().map(ExternalId::as_str),
            created_at: utc_time(overview.created_at),
            team_members: overview.team_members,
            devices_enrolled: overview.devices_enrolled,
            reports_stored: overview.reports_stored,
        }
    }
}

/// What `school list` prints.
///
/// # Errors
/// Never in practice (the CSV and JSON writers write to memory).
pub(super) fn list(schools: &[SchoolOverview], format: ListFormat) -> Result<String, StartupError> {
    let listed: Vec<Listed<'_>> = schools.iter().map(Listed::of).collect();
    if format != ListFormat::Table {
        return serialized(&listed, &CSV_HEADER, format);
    }
    let header = [
        "id",
        "name",
        "municipality",
        "administration",
        "external id",
        "created",
        "members",
        "devices",
        "reports",
    ];
    let rows: Vec<[String; 9]> = listed
        .iter()
        .map(|school| {
            [
                school.id.to_owned(),
                school.name.to_owned(),
                school.municipality.unwrap_or("-").to_owned(),
                school.school_administration.unwrap_or("-").to_owned(),
                school.external_id.unwrap_or("-").to_owned(),
                school.created_at.clone(),
                school.team_members.to_string(),
                school.devices_enrolled.to_string(),
                school.reports_stored.to_string(),
            ]
        })
        .collect();
    Ok(aligned(header, &rows) + &format!("Schools: {}\n", rows.len()))
}

/// `rows` as JSON (an array) or CSV (a header from the fields' names, `header` when there are
/// no rows to take it from); a table is each command's own.
///
/// # Errors
/// Never in practice (the CSV and JSON writers write to memory).
pub(super) fn serialized<T: Serialize>(
    rows: &[T],
    header: &[&str],
    format: ListFormat,
) -> Result<String, StartupError> {
    let output = |error: String| StartupError::Output(std::io::Error::other(error));
    if format == ListFormat::Json {
        return serde_json::to_string_pretty(rows)
            .map(|json| json + "\n")
            .map_err(|error| output(error.to_string()));
    }
    let mut writer = csv::Writer::from_writer(Vec::new());
    for row in rows {
        writer
            .serialize(row)
            .map_err(|error| output(error.to_string()))?;
    }
    if rows.is_empty() {
        writer
            .write_record(header)
            .map_err(|error| output(error.to_string()))?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|error| output(error.to_string()))?;
    String::from_utf8(bytes).map_err(|error| output(error.to_string()))
}

/// The CSV header, written by serde from [`Listed`]'s fields (here for an empty list).
const CSV_HEADER: [&str; 9] = [
    "id",
    "name",
    "municipality",
    "school_administration",
    "external_id",
    "created_at",
    "team_members",
    "devices_enrolled",
    "reports_stored",
];

/// Aligned columns under `header`, one row a line.
pub(super) fn aligned<const N: usize>(header: [&str; N], rows: &[[String; N]]) -> String {
    let header = header.map(str::to_owned);
    let mut widths = [0; N];
    for row in std::iter::once(&header).chain(rows) {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut text = String::new();
    for row in std::iter::once(&header).chain(rows) {
        let cells: Vec<String> = row
            .iter()
            .zip(widths)
            .map(|(cell, width)| {
                let padding = width - cell.chars().count();
                format!("{cell}{}", " ".repeat(padding))
            })
            .collect();
        text.push_str(cells.join("  ").trim_end());
        text.push('\n');
    }
    text
}

/// What `school show` prints.
pub(super) fn show(contents: &SchoolContents) -> String {
    let overview = &contents.overview;
    let school = Listed::of(overview);
    let rows = &contents.rows;
    let mut text = format!(
        "School: {name}\nSchool id: {id}\nExternal id: {external_id}\nMunicipality: \
         {municipality}\nSchool administration: {administration}\nCreated: {created}\n\
         Devices enrolled: {devices} (of {all_devices} ever enrolled)\nEnrolment links: \
         {links}\nReports stored: {reports}\nTeam members: {members}\n",
        name = school.name,
        id = school.id,
        external_id = school.external_id.unwrap_or("-"),
        municipality = school.municipality.unwrap_or("-"),
        administration = school.school_administration.unwrap_or("-"),
        created = school.created_at,
        devices = school.devices_enrolled,
        all_devices = rows.devices,
        links = rows.enrolment_links,
        reports = school.reports_stored,
        members = contents.members.len(),
    );
    for member in &contents.members {
        text.push_str(&format!(
            "  {name}  fingerprint {fingerprint}  member id {id}  added {added}\n",
            name = member.display_name,
            fingerprint = member.fingerprint,
            id = member.id,
            added = utc_time(member.added_at),
        ));
    }
    if contents.members.is_empty() {
        text.push_str("  (no team yet: `school new-setup-link` makes a new founding link)\n");
    }
    text
}

/// `time` as RFC 3339 in UTC to the second, such as `2026-05-04T09:30:00Z`.
pub(super) fn utc_time(time: UnixMillis) -> String {
    let seconds = time.0 / 1000;
    let (days, second_of_day) = (seconds / 86_400, seconds % 86_400);
    let date = i64::try_from(days)
        .ok()
        .and_then(CalendarDate::from_days_since_epoch)
        .map_or_else(|| "9999-12-31".to_owned(), |date| date.to_string());
    format!(
        "{date}T{:02}:{:02}:{:02}Z",
        second_of_day / 3600,
        second_of_day % 3600 / 60,
        second_of_day % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_rfc_3339_in_utc() {
        for (millis, expected) in [
            (0, "1970-01-01T00:00:00Z"),
            (951_782_400_000, "2000-02-29T00:00:00Z"),
            (1_764_230_400_999, "2025-11-27T08:00:00Z"),
            (4_107_542_399_000, "2100-02-28T23:59:59Z"),
        ] {
            assert_eq!(utc_time(UnixMillis(millis)), expected, "{millis}");
        }
    }
}
