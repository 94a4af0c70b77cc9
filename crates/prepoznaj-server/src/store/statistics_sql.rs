//! The statements of `prepoznaj-server stats`, written once for both backends: standard SQL
//! with `$1` (from, inclusive) and `$2` (until, exclusive) in milliseconds, grouped by school
//! administration and month. Only the month of a time differs between the dialects, so each
//! statement is a macro given that expression (`{time}` is the column, UTC, as `YYYY-MM`).
//!
//! Counts and times only: nothing here reads an envelope, a school's name or its id.

/// The month of `r.received_at`, `d.enrolled_at` and so on, as SQLite writes it.
macro_rules! sqlite_month {
    ($time:literal) => {
        concat!("strftime('%Y-%m', ", $time, " / 1000, 'unixepoch')")
    };
}

/// The month of a time, as PostgreSQL writes it.
macro_rules! postgres_month {
    ($time:literal) => {
        concat!(
            "to_char(to_timestamp(",
            $time,
            " / 1000) AT TIME ZONE 'UTC', 'YYYY-MM')"
        )
    };
}

/// Reports received per administration and month, and how many of them have moved past
/// `received` (the reporter's `acted_upon`: a change `acted_upon` or `closed`). Tombstones count:
/// they keep their received time and status.
macro_rules! reports_received {
    ($month:ident) => {
        concat!(
            "SELECT s.school_administration, ",
            $month!("r.received_at"),
            ", COUNT(*), COUNT(*) FILTER (WHERE r.status = 'acted_upon')
             FROM reports r JOIN schools s ON s.id = r.school_id
             WHERE r.received_at >= $1 AND r.received_at < $2
             GROUP BY 1, 2"
        )
    };
}

/// Per administration and month: how many reports acted upon have the time of their first
/// `acted_upon` or `closed` change (kept on the report when retention deletes the changes;
/// missing only for reports whose changes were deleted before migration 0008 kept it), and the
/// lower and upper middle of their delays from receipt, in milliseconds (the same row when the
/// number is odd): the median is their mean.
macro_rules! acted_upon_delays {
    ($month:ident) => {
        concat!(
            "WITH acted AS (
                 SELECT s.school_administration AS administration, ",
            $month!("r.received_at"),
            " AS month,
                        r.acted_upon_at - r.received_at AS delay
                 FROM reports r JOIN schools s ON s.id = r.school_id
                 WHERE r.received_at >= $1 AND r.received_at < $2
                   AND r.status = 'acted_upon'
             ),
             ranked AS (
                 SELECT administration, month,
                        -- A clock set back between receipt and change: no time, not negative.
                        CASE WHEN delay < 0 THEN 0 ELSE delay END AS delay,
                        ROW_NUMBER() OVER (PARTITION BY administration, month ORDER BY delay)
                            AS position,
                        COUNT(*) OVER (PARTITION BY administration, month) AS timed
                 FROM acted WHERE delay IS NOT NULL
             )
             SELECT administration, month, MAX(timed), MIN(delay), MAX(delay)
             FROM ranked WHERE position IN ((timed + 1) / 2, (timed + 2) / 2)
             GROUP BY 1, 2"
        )
    };
}

/// Phones enrolled per administration and month of enrolment (revoked ones included: they
/// were enrolled that month).
macro_rules! devices_enrolled {
    ($month:ident) => {
        concat!(
            "SELECT s.school_administration, ",
            $month!("d.enrolled_at"),
            ", COUNT(*)
             FROM devices d JOIN schools s ON s.id = d.school_id
             WHERE d.enrolled_at >= $1 AND d.enrolled_at < $2
             GROUP BY 1, 2"
        )
    };
}

/// The statements in one dialect.
#[derive(Debug, Clone, Copy)]
pub(super) struct StatisticsSql {
    pub reports: &'static str,
    pub delays: &'static str,
    pub devices: &'static str,
}

pub(super) const SQLITE: StatisticsSql = StatisticsSql {
    reports: reports_received!(sqlite_month),
    delays: acted_upon_delays!(sqlite_month),
    devices: devices_enrolled!(sqlite_month),
};

pub(super) const POSTGRES: StatisticsSql = StatisticsSql {
    reports: reports_received!(postgres_month),
    delays: acted_upon_delays!(postgres_month),
    devices: devices_enrolled!(postgres_month),
};
