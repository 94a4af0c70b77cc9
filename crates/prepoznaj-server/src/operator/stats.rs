//! `stats`: what the server knows of its schools' use, per school administration and month,
//! without reading any report: reports received (month of receipt, UTC), the share the team
//! acted upon, the median days from receipt to acting upon, and phones enrolled that month.
//! Never a school's name or id: a row is an administration's month.
//!
//! The store counts ([`Store::statistics`]); everything decided about what is shown — small
//! cells, complements, times retention deleted — is decided here once, for both backends, and
//! tested as a table:
//! - a count under 5 (0 included) is shown as `<5`;
//! - the share acted upon is shown only when the reports acted upon and the reports not acted
//!   upon both number 5 or more (received × share would otherwise give back a count under 5);
//! - the median is shown only when it is of 5 or more reports acted upon, and when every report
//!   acted upon that month still has its status changes (retention deletes them with the
//!   envelope; a median of the rest would lean towards the slow ones): else `unknown`;
//! - no totals: no row or column is the sum of others, so no suppressed cell can be backed out
//!   by subtraction.

use std::{collections::BTreeMap, fmt, str::FromStr};

use prepoznaj_domain::observation::UnixMillis;
use serde::{Serialize, Serializer};

use crate::{
    StartupError,
    config::ListFormat,
    store::{AdministrationMonth, MiddleDelays, Statistics, StatisticsPeriod, Store},
};

use super::listing::{aligned, serialized};

/// Below this, a count is not shown, nor anything it could be worked out from.
const SMALLEST_SHOWN: u64 = 5;

const DAY_MILLIS: u64 = 24 * 60 * 60 * 1000;

/// A calendar month, `YYYY-MM`, from 1970-01 to 9999-12.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Month {
    year: u16,
    month: u8,
}

/// Why a `--from` or `--to` is not a month.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a month written YYYY-MM, from 1970-01 to 9999-12")]
pub struct MonthError(String);

impl FromStr for Month {
    type Err = MonthError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let error = || MonthError(text.to_owned());
        let (year, month) = text.split_once('-').ok_or_else(error)?;
        let digits = |part: &str, length: usize| {
            part.len() == length && part.bytes().all(|byte| byte.is_ascii_digit())
        };
        if !digits(year, 4) || !digits(month, 2) {
            return Err(error());
        }
        let year: u16 = year.parse().map_err(|_| error())?;
        let month: u8 = month.parse().map_err(|_| error())?;
        if year < 1970 || !(1..=12).contains(&month) {
            return Err(error());
        }
        Ok(Self { year, month })
    }
}

impl fmt::Display for Month {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{:04}-{:02}", self.year, self.month)
    }
}

impl Month {
    /// Its first millisecond, UTC.
    #[must_use]
    pub fn start(self) -> UnixMillis {
        // The 1st of a month that exists (a `Month` is checked when it is made).
        let days = prepoznaj_domain::date::CalendarDate::parse(&format!("{self}-01"))
            .map_or(0, prepoznaj_domain::date::CalendarDate::days_since_epoch);
        UnixMillis(u64::try_from(days).unwrap_or(0) * DAY_MILLIS)
    }

    /// The month after.
    #[must_use]
    pub fn next(self) -> Self {
        if self.month == 12 {
            Self {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Self {
                month: self.month + 1,
                ..self
            }
        }
    }
}

/// The times from the start of `from` to the end of `to` (each open when not given).
///
/// # Errors
/// [`StartupError::StatsPeriod`] when `from` is after `to`.
pub fn period(from: Option<Month>, to: Option<Month>) -> Result<StatisticsPeriod, StartupError> {
    if let (Some(from), Some(to)) = (from, to)
        && from > to
    {
        return Err(StartupError::StatsPeriod {
            from: from.to_string(),
            to: to.to_string(),
        });
    }
    Ok(StatisticsPeriod {
        from: from.map_or(UnixMillis(0), Month::start),
        until: to.map_or(UnixMillis(i64::MAX.unsigned_abs()), |to| to.next().start()),
    })
}

/// Runs `stats` on `store`: what it prints.
///
/// # Errors
/// The store cannot be read.
pub(super) async fn run<S: Store>(
    store: &S,
    period: StatisticsPeriod,
    format: ListFormat,
) -> Result<String, StartupError> {
    let statistics = store
        .statistics(period)
        .await
        .map_err(StartupError::Store)?;
    render(&rows(statistics), format)
}

/// What the store counted for one administration's month.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Figures {
    received: u64,
    acted_upon: u64,
    delays: MiddleDelays,
    devices: u64,
}

/// A value as `stats` shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shown {
    /// A count or a whole percentage.
    Whole(u64),
    /// Days, in tenths.
    Tenths(u64),
    /// A count under [`SMALLEST_SHOWN`].
    UnderFive,
    /// A share or median that would give back a count under [`SMALLEST_SHOWN`].
    Suppressed,
    /// Retention deleted the times it needs.
    Unknown,
}

impl fmt::Display for Shown {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Whole(value) => write!(formatter, "{value}"),
            Self::Tenths(value) => write!(formatter, "{}.{}", value / 10, value % 10),
            Self::UnderFive => formatter.write_str("<5"),
            Self::Suppressed => formatter.write_str("suppressed"),
            Self::Unknown => formatter.write_str("unknown"),
        }
    }
}

/// A number in JSON (and CSV) where there is one, else the marker's text.
impl Serialize for Shown {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Whole(value) => serializer.serialize_u64(*value),
            Self::Tenths(value) => serializer.serialize_f64(*value as f64 / 10.0),
            marker => serializer.collect_str(marker),
        }
    }
}

/// One row of `stats`, as CSV and JSON write it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
struct Row {
    /// `None`: schools without one.
    school_administration: Option<String>,
    /// Of receipt (reports) or enrolment (devices), UTC, `YYYY-MM`.
    month: String,
    reports_received: Shown,
    acted_upon_percent: Shown,
    median_days_to_acted_upon: Shown,
    devices_enrolled: Shown,
}

/// The CSV header, written by serde from [`Row`]'s fields (here for no rows).
const CSV_HEADER: [&str; 6] = [
    "school_administration",
    "month",
    "reports_received",
    "acted_upon_percent",
    "median_days_to_acted_upon",
    "devices_enrolled",
];

/// A count as shown.
fn count(value: u64) -> Shown {
    if value < SMALLEST_SHOWN {
        Shown::UnderFive
    } else {
        Shown::Whole(value)
    }
}

/// What is shown of one administration's month (the rules at the top of this module).
fn shown(figures: &Figures) -> [Shown; 4] {
    let not_acted_upon = figures.received.saturating_sub(figures.acted_upon);
    let acted_upon_percent = if figures.acted_upon.min(not_acted_upon) < SMALLEST_SHOWN {
        Shown::Suppressed
    } else {
        Shown::Whole((figures.acted_upon * 100 + figures.received / 2) / figures.received)
    };
    let delays = figures.delays;
    let median = if figures.acted_upon < SMALLEST_SHOWN {
        Shown::Suppressed
    } else if delays.timed < figures.acted_upon {
        Shown::Unknown
    } else {
        let median_millis = delays.lower_millis / 2
            + delays.upper_millis / 2
            + (delays.lower_millis % 2 + delays.upper_millis % 2) / 2;
        Shown::Tenths((median_millis * 10 + DAY_MILLIS / 2) / DAY_MILLIS)
    };
    [
        count(figures.received),
        acted_upon_percent,
        median,
        count(figures.devices),
    ]
}

/// The store's counts, joined per administration's month and shown; administrations in order
/// (schools without one last), months in order.
fn rows(statistics: Statistics) -> Vec<Row> {
    let mut joined: BTreeMap<(bool, AdministrationMonth), Figures> = BTreeMap::new();
    let key = |cell: AdministrationMonth| (cell.administration.is_none(), cell);
    for (cell, counts) in statistics.reports {
        let figures = joined.entry(key(cell)).or_default();
        figures.received = counts.received;
        figures.acted_upon = counts.acted_upon;
    }
    for (cell, delays) in statistics.delays {
        joined.entry(key(cell)).or_default().delays = delays;
    }
    for (cell, devices) in statistics.devices {
        joined.entry(key(cell)).or_default().devices = devices;
    }
    joined
        .into_iter()
        .map(|((_, cell), figures)| {
            let [received, acted_upon_percent, median, devices] = shown(&figures);
            Row {
                school_administration: cell.administration,
                month: cell.month,
                reports_received: received,
                acted_upon_percent,
                median_days_to_acted_upon: median,
                devices_enrolled: devices,
            }
        })
        .collect()
}

/// What `stats` prints of `rows`.
fn render(rows: &[Row], format: ListFormat) -> Result<String, StartupError> {
    if format != ListFormat::Table {
        return serialized(rows, &CSV_HEADER, format);
    }
    if rows.is_empty() {
        return Ok("No reports received and no phones enrolled in this period.\n".to_owned());
    }
    let header = [
        "administration",
        "month",
        "received",
        "acted upon %",
        "median days",
        "devices enrolled",
    ];
    let cells: Vec<[String; 6]> = rows
        .iter()
        .map(|row| {
            [
                row.school_administration
                    .clone()
                    .unwrap_or_else(|| "(none)".to_owned()),
                row.month.clone(),
                row.reports_received.to_string(),
                row.acted_upon_percent.to_string(),
                row.median_days_to_acted_upon.to_string(),
                row.devices_enrolled.to_string(),
            ]
        })
        .collect();
    Ok(aligned(header, &cells)
        + "\n<5: fewer than 5. suppressed: would give back a count under 5. unknown: retention \
           deleted the status changes of some reports acted upon that month.\n")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "test assertions")]

    use super::*;
    use crate::store::ReportCounts;

    fn month(text: &str) -> Month {
        text.parse().unwrap()
    }

    #[test]
    fn months_are_yyyy_mm_and_start_at_midnight_utc_on_the_first() {
        for (text, start) in [
            ("1970-01", 0),
            ("2000-02", 949_363_200_000),
            ("2000-03", 951_868_800_000),
            ("2026-12", 1_796_083_200_000),
            ("2027-01", 1_798_761_600_000),
        ] {
            assert_eq!(month(text).start(), UnixMillis(start), "{text}");
            assert_eq!(month(text).to_string(), text);
        }
        assert_eq!(month("2026-12").next(), month("2027-01"));
        assert_eq!(month("2026-01").next(), month("2026-02"));
        for bad in [
            "2026-1", "2026-13", "2026-00", "1969-12", "26-01", "2026/01", "+026-01", "",
        ] {
            assert_eq!(
                bad.parse::<Month>(),
                Err(MonthError(bad.to_owned())),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_period_runs_from_the_first_month_to_the_end_of_the_last() {
        let period = period(Some(month("2026-01")), Some(month("2026-03"))).unwrap();
        assert_eq!(period.from, month("2026-01").start());
        assert_eq!(period.until, month("2026-04").start());
        assert!(super::period(Some(month("2026-03")), Some(month("2026-02"))).is_err());
        let open = super::period(None, None).unwrap();
        assert_eq!(open.from, UnixMillis(0));
        assert!(open.until > month("9999-12").start());
    }

    fn delays(timed: u64, lower_days: f64, upper_days: f64) -> MiddleDelays {
        let millis = |days: f64| (days * DAY_MILLIS as f64) as u64;
        MiddleDelays {
            timed,
            lower_millis: millis(lower_days),
            upper_millis: millis(upper_days),
        }
    }

    #[test]
    fn small_counts_and_what_would_give_them_back_are_not_shown() {
        use Shown::{Suppressed as S, Tenths, UnderFive as U, Unknown, Whole};
        #[rustfmt::skip]
        let cases = [
            // (case, received, acted upon, delays, devices) -> shown
            ("nothing", 0, 0, MiddleDelays::default(), 0, [U, S, S, U]),
            ("four of each", 4, 4, delays(4, 1.0, 1.0), 4, [U, S, S, U]),
            ("five, all acted upon: 5 - 5 = 0 not", 5, 5, delays(5, 2.0, 2.0), 5,
             [Whole(5), S, Tenths(20), Whole(5)]),
            ("ten, five acted upon", 10, 5, delays(5, 2.0, 2.0), 12,
             [Whole(10), Whole(50), Tenths(20), Whole(12)]),
            ("nine, five acted upon: four not", 9, 5, delays(5, 0.5, 0.5), 0,
             [Whole(9), S, Tenths(5), U]),
            ("twelve, four acted upon", 12, 4, delays(4, 3.0, 3.0), 0,
             [Whole(12), S, S, U]),
            ("even number: the mean of the middle two", 20, 10, delays(10, 1.0, 2.0), 0,
             [Whole(20), Whole(50), Tenths(15), U]),
            ("a share rounds to a whole percent", 30, 7, delays(7, 0.04, 0.04), 0,
             [Whole(30), Whole(23), Tenths(0), U]),
            ("retention deleted one acted upon report's changes", 20, 10, delays(9, 1.0, 1.0), 0,
             [Whole(20), Whole(50), Unknown, U]),
            ("and all of them", 20, 10, MiddleDelays::default(), 7,
             [Whole(20), Whole(50), Unknown, Whole(7)]),
            ("a small number deleted is suppressed, not unknown", 20, 3, delays(2, 1.0, 1.0), 0,
             [Whole(20), S, S, U]),
        ];
        for (case, received, acted_upon, delays, devices, expected) in cases {
            let figures = Figures {
                received,
                acted_upon,
                delays,
                devices,
            };
            assert_eq!(shown(&figures), expected, "{case}");
        }
    }

    fn cell(administration: Option<&str>, month: &str) -> AdministrationMonth {
        AdministrationMonth {
            administration: administration.map(str::to_owned),
            month: month.to_owned(),
        }
    }

    fn statistics() -> Statistics {
        Statistics {
            reports: vec![
                (
                    cell(Some("Ниш"), "2026-02"),
                    ReportCounts {
                        received: 14,
                        acted_upon: 9,
                    },
                ),
                (
                    cell(None, "2026-01"),
                    ReportCounts {
                        received: 3,
                        acted_upon: 1,
                    },
                ),
                (
                    cell(Some("Београд"), "2026-01"),
                    ReportCounts {
                        received: 6,
                        acted_upon: 0,
                    },
                ),
            ],
            delays: vec![(cell(Some("Ниш"), "2026-02"), delays(9, 2.25, 2.25))],
            devices: vec![
                (cell(Some("Ниш"), "2026-01"), 8),
                (cell(Some("Ниш"), "2026-02"), 2),
            ],
        }
    }

    #[test]
    fn rows_join_reports_and_devices_per_administration_and_month_without_totals() {
        let csv = render(&rows(statistics()), ListFormat::Csv).unwrap();
        assert_eq!(
            csv,
            "school_administration,month,reports_received,acted_upon_percent,\
             median_days_to_acted_upon,devices_enrolled\n\
             Београд,2026-01,6,suppressed,suppressed,<5\n\
             Ниш,2026-01,<5,suppressed,suppressed,8\n\
             Ниш,2026-02,14,64,2.3,<5\n\
             ,2026-01,<5,suppressed,suppressed,<5\n"
        );
        let json: serde_json::Value =
            serde_json::from_str(&render(&rows(statistics()), ListFormat::Json).unwrap()).unwrap();
        assert_eq!(
            json[2],
            serde_json::json!({
                "school_administration": "Ниш",
                "month": "2026-02",
                "reports_received": 14,
                "acted_upon_percent": 64,
                "median_days_to_acted_upon": 2.3,
                "devices_enrolled": "<5",
            })
        );
        assert_eq!(json[3]["school_administration"], serde_json::Value::Null);
        let table = render(&rows(statistics()), ListFormat::Table).unwrap();
        assert!(table.contains("(none)"), "{table}");
        assert!(table.contains("median days"), "{table}");
    }

    #[test]
    fn no_rows_still_say_what_the_columns_are() {
        assert_eq!(
            render(&[], ListFormat::Csv).unwrap(),
            format!("{}\n", CSV_HEADER.join(","))
        );
        assert_eq!(render(&[], ListFormat::Json).unwrap(), "[]\n");
    }
}
