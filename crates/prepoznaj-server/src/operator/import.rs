//! `school import <schools.csv> --output <links.csv>`: creates the schools of a CSV list that
//! are not there yet and writes one set-up link per school created to a new file.
//!
//! The list (UTF-8, RFC 4180 quoting) has the header
//! `name,municipality,school_administration,external_id` (only `name` is required; columns in
//! any order). It is read and checked whole before the database is opened: a row whose name or
//! other field breaks the rules is refused with its line number and the others go on.
//!
//! **One transaction per school.** Each school (row and founding code) is committed on its own
//! and its link written to the output file at once, so a failure or an interruption part-way
//! leaves every school committed so far with its link on disk, and running the same list
//! again creates only what is missing (a school with an external id is recognised by it,
//! `store::rules::import`). One transaction for the whole file would leave nothing half-made,
//! but a crash after its commit and before the file is written would lose every link, and the
//! codes exist only as hashes. The output file is created with mode 0600 and never written
//! over.

use std::{
    fs::{File, OpenOptions},
    io,
    os::unix::fs::OpenOptionsExt as _,
    path::{Path, PathBuf},
};

use prepoznaj_domain::protocol::{NameError, School, SchoolName};

use super::{listing::utc_time, new_school, print};
use crate::{
    StartupError,
    config::SchoolImport,
    directory::{ExternalId, ExternalIdError, PlaceName, SchoolDetails},
    store::{ImportOutcome, Store},
};

/// The columns a list may have; `name` is required.
const COLUMNS: [&str; 4] = [
    "name",
    "municipality",
    "school_administration",
    "external_id",
];

/// The output file's header.
const OUTPUT_HEADER: [&str; 5] = [
    "external_id",
    "name",
    "school_id",
    "setup_link",
    "expires_at",
];

/// Why the list of schools cannot be imported at all.
#[derive(Debug, thiserror::Error)]
pub enum ImportFileError {
    #[error("cannot read it")]
    Read(#[source] io::Error),
    #[error("its header is not CSV")]
    Header(#[source] csv::Error),
    #[error(
        "its header has the column {0:?}; the columns are name,municipality,school_administration,external_id"
    )]
    UnknownColumn(String),
    #[error("its header names the column {0:?} twice")]
    RepeatedColumn(String),
    #[error(
        "its header has no column \"name\"; the header is name,municipality,school_administration,external_id"
    )]
    NoNameColumn,
}

/// A row of the list, checked.
#[derive(Debug, Clone)]
pub struct SchoolRow {
    pub line: u64,
    pub name: SchoolName,
    pub details: SchoolDetails,
}

/// Why a row is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RowError {
    #[error("name: {0}")]
    Name(NameError),
    #[error("municipality: {0}")]
    Municipality(NameError),
    #[error("school_administration: {0}")]
    SchoolAdministration(NameError),
    #[error("external_id: {0}")]
    ExternalId(ExternalIdError),
    #[error("it has {found} fields; the header has {expected}")]
    FieldCount { found: usize, expected: usize },
    /// The CSV reader's description (invalid UTF-8, a quote left open).
    #[error("it is not a CSV row: {0}")]
    Malformed(String),
}

/// The list read whole: the rows to import and the rows refused, each with its line.
#[derive(Debug, Clone, Default)]
pub struct SchoolList {
    pub rows: Vec<SchoolRow>,
    pub refused: Vec<(u64, RowError)>,
}

/// Reads and checks the list at `path`.
///
/// # Errors
/// [`StartupError::ImportFile`] when the file cannot be read or its header is not the list's.
pub fn read_schools(path: &Path) -> Result<SchoolList, StartupError> {
    let failed = |source| StartupError::ImportFile {
        path: path.to_path_buf(),
        source,
    };
    let input = std::fs::read(path).map_err(|error| failed(ImportFileError::Read(error)))?;
    parse_schools(&input).map_err(failed)
}

/// Reads and checks a list (a few hundred kilobytes for a whole country, so read whole).
///
/// # Errors
/// A header that is not the list's.
pub fn parse_schools(input: &[u8]) -> Result<SchoolList, ImportFileError> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(input);
    let columns = column_indexes(reader.headers().map_err(ImportFileError::Header)?)?;
    // The line a record starts on, counted from its byte offset past the blank lines the
    // reader skipped (its own line count leaves them out).
    let line_of = |position: Option<&csv::Position>| {
        let start = position.map_or(0, csv::Position::byte);
        let start = usize::try_from(start)
            .unwrap_or(usize::MAX)
            .min(input.len());
        let blank = input[start..]
            .iter()
            .take_while(|byte| matches!(byte, b'\n' | b'\r'))
            .count();
        let newlines = input[..start + blank]
            .iter()
            .filter(|byte| **byte == b'\n')
            .count();
        1 + u64::try_from(newlines).unwrap_or(u64::MAX)
    };
    let mut list = SchoolList::default();
    for record in reader.records() {
        match record {
            Ok(record) => {
                let line = line_of(record.position());
                match checked_row(&record, &columns) {
                    Ok((name, details)) => list.rows.push(SchoolRow {
                        line,
                        name,
                        details,
                    }),
                    Err(error) => list.refused.push((line, error)),
                }
            }
            Err(error) => {
                let line = line_of(error.position());
                if let csv::ErrorKind::Io(_) = error.kind() {
                    return Err(ImportFileError::Read(io::Error::other(error)));
                }
                list.refused
                    .push((line, RowError::Malformed(error.to_string())));
            }
        }
    }
    Ok(list)
}

/// Where each of [`COLUMNS`] is in a row (`name` always is), and how many fields a row has.
struct Columns {
    at: [Option<usize>; 4],
    count: usize,
}

fn column_indexes(header: &csv::StringRecord) -> Result<Columns, ImportFileError> {
    let mut at = [None; 4];
    for (index, column) in header.iter().enumerate() {
        // A spreadsheet may save a byte-order mark in front.
        let column = column.trim_start_matches('\u{feff}').trim().to_lowercase();
        let known = COLUMNS
            .iter()
            .position(|known| *known == column)
            .ok_or_else(|| ImportFileError::UnknownColumn(column.clone()))?;
        if at[known].replace(index).is_some() {
            return Err(ImportFileError::RepeatedColumn(column));
        }
    }
    if at[0].is_none() {
        return Err(ImportFileError::NoNameColumn);
    }
    Ok(Columns {
        at,
        count: header.len(),
    })
}

fn checked_row(
    record: &csv::StringRecord,
    columns: &Columns,
) -> Result<(SchoolName, SchoolDetails), RowError> {
    if record.len() > columns.count {
        return Err(RowError::FieldCount {
            found: record.len(),
            expected: columns.count,
        });
    }
    // A short row (a spreadsheet drops trailing empty fields) has those fields empty.
    let field = |column: usize| {
        columns.at[column]
            .and_then(|index| record.get(index))
            .unwrap_or_default()
    };
    let name = SchoolName::parse(field(0)).map_err(RowError::Name)?;
    let details = SchoolDetails {
        municipality: PlaceName::parse_optional(field(1)).map_err(RowError::Municipality)?,
        school_administration: PlaceName::parse_optional(field(2))
            .map_err(RowError::SchoolAdministration)?,
        external_id: ExternalId::parse_optional(field(3)).map_err(RowError::ExternalId)?,
    };
    Ok((name, details))
}

/// What an import did.
#[derive(Debug, Default)]
struct Summary {
    created: u64,
    already_present: Vec<(u64, School)>,
}

/// Imports the checked `list`: creates the output file, then each school in its own
/// transaction, writing its link as soon as it is committed; prints the summary.
pub(super) async fn run<S: Store>(
    store: &S,
    list: SchoolList,
    arguments: &SchoolImport,
    base_url: &str,
) -> Result<(), StartupError> {
    let output = &arguments.output;
    let mut links = LinkFile::create(output)?;
    let mut summary = Summary::default();
    for row in list.rows {
        let external_id = row.details.external_id.clone();
        let (new, created) =
            new_school(row.name, row.details, arguments.valid_days.days, base_url)?;
        match store
            .import_school(new)
            .await
            .map_err(StartupError::Store)?
        {
            ImportOutcome::Created => {
                tracing::info!(school = %created.school.id, "school imported");
                summary.created += 1;
                links.write(&[
                    external_id.as_ref().map_or("", ExternalId::as_str),
                    created.school.name.as_str(),
                    created.school.id.as_str(),
                    &created.setup_link,
                    &utc_time(created.expires_at),
                ])?;
            }
            ImportOutcome::AlreadyPresent(school) => {
                summary.already_present.push((row.line, school));
            }
        }
    }
    links.finish(summary.created)?;
    print(&describe(&summary, &list.refused, arguments))
}

/// The summary `school import` prints.
fn describe(summary: &Summary, refused: &[(u64, RowError)], arguments: &SchoolImport) -> String {
    let mut text = format!(
        "Imported {}: created {}, already present {}, refused {}.\n",
        arguments.schools.display(),
        summary.created,
        summary.already_present.len(),
        refused.len()
    );
    for (line, school) in &summary.already_present {
        text.push_str(&format!(
            "Line {line}: already present (same external id): {} {}\n",
            school.id, school.name
        ));
    }
    for (line, error) in refused {
        text.push_str(&format!("Line {line}: refused: {error}\n"));
    }
    if summary.created == 0 {
        text.push_str("No school was created, so no file of set-up links was written.\n");
    } else {
        text.push_str(&format!(
            "\nThe set-up links of the schools created ({created}) are in {output} (readable only \
             by you). Each link is used once, for {days} days, by the first member of that \
             school's protection team: give it to them in person or over a channel only they \
             read, then delete the file.\n",
            created = summary.created,
            output = arguments.output.display(),
            days = arguments.valid_days.days,
        ));
    }
    text
}

/// The output file: created new with mode 0600, a row flushed as each school is committed,
/// synced at the end (or removed if no school was created).
struct LinkFile {
    path: PathBuf,
    writer: csv::Writer<File>,
}

impl LinkFile {
    fn create(path: &Path) -> Result<Self, StartupError> {
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)
            .map_err(|source| match source.kind() {
                io::ErrorKind::AlreadyExists => StartupError::OutputExists(path.to_path_buf()),
                _ => StartupError::OutputFile {
                    path: path.to_path_buf(),
                    source,
                },
            })?;
        let mut links = Self {
            path: path.to_path_buf(),
            writer: csv::Writer::from_writer(file),
        };
        links.write(&OUTPUT_HEADER)?;
        Ok(links)
    }

    fn failed(&self, source: impl Into<io::Error>) -> StartupError {
        StartupError::OutputFile {
            path: self.path.clone(),
            source: source.into(),
        }
    }

    /// Writes and flushes one row, so that it is on disk before the next school is made.
    fn write(&mut self, fields: &[&str]) -> Result<(), StartupError> {
        self.writer
            .write_record(fields)
            .map_err(|error| self.failed(error))?;
        self.writer.flush().map_err(|error| self.failed(error))
    }

    fn finish(self, created: u64) -> Result<(), StartupError> {
        let path = self.path.clone();
        let failed = |source| StartupError::OutputFile {
            path: path.clone(),
            source,
        };
        let file = self
            .writer
            .into_inner()
            .map_err(|error| failed(error.into_error()))?;
        if created == 0 {
            drop(file);
            return std::fs::remove_file(&path).map_err(failed);
        }
        file.sync_all().map_err(failed)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly on purpose")]

    use super::*;

    fn lines(list: &SchoolList) -> Vec<(u64, &str, Option<&str>)> {
        list.rows
            .iter()
            .map(|row| {
                (
                    row.line,
                    row.name.as_str(),
                    row.details.external_id.as_ref().map(ExternalId::as_str),
                )
            })
            .collect()
    }

    #[test]
    fn rows_are_read_with_their_lines_quotes_and_both_scripts() {
        let list = parse_schools(
            "\u{feff}name,municipality,school_administration,external_id\n\
             \"ОШ „Вук Караџић“, Нови Сад\",Нови Сад,Нови Сад,70001\n\
             OŠ \"Jovan Popović\",Beograd,Beograd,\n\
             \n\
             ОШ Бранко Радичевић,Ниш\n"
                .as_bytes(),
        )
        .unwrap();
        assert_eq!(
            lines(&list),
            [
                (2, "ОШ „Вук Караџић“, Нови Сад", Some("70001")),
                (3, "OŠ \"Jovan Popović\"", None),
                (5, "ОШ Бранко Радичевић", None),
            ]
        );
        assert!(list.refused.is_empty(), "{:?}", list.refused);
        let first = &list.rows[0].details;
        assert_eq!(first.municipality.as_ref().unwrap().as_str(), "Нови Сад");
        assert_eq!(list.rows[2].details.school_administration, None);
    }

    #[test]
    fn a_bad_row_is_refused_with_its_line_and_the_others_go_on() {
        let list = parse_schools(
            "external_id,name\n\
             1,\"  \"\n\
             2,ОШ 2\n\
             3 3,ОШ 3\n\
             4,ОШ 4,extra\n\
             5,ОШ 5\n"
                .as_bytes(),
        )
        .unwrap();
        assert_eq!(
            lines(&list),
            [(3, "ОШ 2", Some("2")), (6, "ОШ 5", Some("5"))]
        );
        assert_eq!(
            list.refused,
            [
                (2, RowError::Name(NameError::Empty)),
                (4, RowError::ExternalId(ExternalIdError::Whitespace)),
                (
                    5,
                    RowError::FieldCount {
                        found: 3,
                        expected: 2
                    }
                ),
            ]
        );
    }

    #[test]
    fn a_header_that_is_not_the_lists_is_refused_whole() {
        for (header, expected) in [
            ("name,town\n", "column \"town\""),
            ("municipality,external_id\n", "no column \"name\""),
            ("name,Name\n", "\"name\" twice"),
        ] {
            let error = parse_schools(header.as_bytes()).err().unwrap();
            assert!(error.to_string().contains(expected), "{header}: {error}");
        }
    }
}
