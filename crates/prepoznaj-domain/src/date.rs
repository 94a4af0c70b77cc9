//! Calendar dates as content files write them (`2026-11-27`): when the guidance was updated,
//! when a contact was last verified.
//!
//! A [`CalendarDate`] is a day in the Gregorian calendar with no time and no time zone; it
//! only exists checked (real month, real day, leap years included). This module reads no
//! clock and does no date arithmetic; it formats a date for reading in each locale.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::locale::Locale;
use crate::transliteration::to_latin;

/// Month names in Serbian Cyrillic, as a date is written in running text ("27. новембар 2026.").
pub(crate) const SERBIAN_MONTHS: [&str; 12] = [
    "јануар",
    "фебруар",
    "март",
    "април",
    "мај",
    "јун",
    "јул",
    "август",
    "септембар",
    "октобар",
    "новембар",
    "децембар",
];

/// Month names in English.
pub(crate) const HUNGARIAN_MONTHS: [&str; 12] = [
    "január",
    "február",
    "március",
    "április",
    "május",
    "június",
    "július",
    "augusztus",
    "szeptember",
    "október",
    "november",
    "december",
];

pub(crate) const ENGLISH_MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// A checked calendar date, written `YYYY-MM-DD` in files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CalendarDate {
    // Field order is the sort order.
    year: u16,
    month: u8,
    day: u8,
}

/// Why a text is not a calendar date.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarDateError {
    #[error("`{text}` is not a date written as yyyy-mm-dd")]
    Format { text: String },
    #[error("`{text}` has no month {month}")]
    Month { text: String, month: u8 },
    #[error("`{text}` has no day {day} in its month")]
    Day { text: String, day: u8 },
}

impl CalendarDate {
    /// Parses `YYYY-MM-DD` (four, two and two digits).
    ///
    /// # Errors
    /// When the text is not in that shape, or names a month or day that does not exist.
    pub fn parse(text: &str) -> Result<CalendarDate, CalendarDateError> {
        let format_error = || CalendarDateError::Format {
            text: text.to_owned(),
        };
        let bytes = text.as_bytes();
        let shaped = bytes.len() == 10
            && bytes.iter().enumerate().all(|(index, byte)| match index {
                4 | 7 => *byte == b'-',
                _ => byte.is_ascii_digit(),
            });
        if !shaped {
            return Err(format_error());
        }
        let number = |range: std::ops::Range<usize>| {
            text.get(range)
                .and_then(|digits| digits.parse::<u16>().ok())
                .ok_or_else(format_error)
        };
        let year = number(0..4)?;
        let month = u8::try_from(number(5..7)?).map_err(|_| format_error())?;
        let day = u8::try_from(number(8..10)?).map_err(|_| format_error())?;
        if !(1..=12).contains(&month) {
            return Err(CalendarDateError::Month {
                text: text.to_owned(),
                month,
            });
        }
        if day == 0 || day > days_in_month(year, month) {
            return Err(CalendarDateError::Day {
                text: text.to_owned(),
                day,
            });
        }
        Ok(CalendarDate { year, month, day })
    }

    /// The date `days` days after 1 January 1970 (before it, for a negative number); the
    /// calendar's algorithm from Howard Hinnant's `civil_from_days`. `None` outside years
    /// 0–9999.
    #[must_use]
    pub fn from_days_since_epoch(days: i64) -> Option<CalendarDate> {
        let shifted = days.checked_add(719_468)?;
        let era = shifted.div_euclid(146_097);
        let day_of_era = shifted.rem_euclid(146_097);
        let year_of_era =
            (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
        let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
        let shifted_month = (5 * day_of_year + 2) / 153;
        let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
        let month = if shifted_month < 10 {
            shifted_month + 3
        } else {
            shifted_month - 9
        };
        let year = year_of_era + era * 400 + i64::from(month <= 2);
        Some(CalendarDate {
            year: u16::try_from(year).ok().filter(|year| *year <= 9999)?,
            month: u8::try_from(month).ok()?,
            day: u8::try_from(day).ok()?,
        })
    }

    /// Days since 1 January 1970 (negative before it): the inverse of
    /// [`CalendarDate::from_days_since_epoch`].
    #[must_use]
    pub fn days_since_epoch(self) -> i64 {
        let year = i64::from(self.year) - i64::from(self.month <= 2);
        let era = year.div_euclid(400);
        let year_of_era = year.rem_euclid(400);
        let month = i64::from(self.month);
        let day_of_year = (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5
            + i64::from(self.day)
            - 1;
        let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
        era * 146_097 + day_of_era - 719_468
    }

    #[must_use]
    pub fn year(self) -> u16 {
        self.year
    }

    /// 1 for January.
    #[must_use]
    pub fn month(self) -> u8 {
        self.month
    }

    #[must_use]
    pub fn day(self) -> u8 {
        self.day
    }

    /// The date as a reader expects it in running text: `27. новембар 2026.`,
    /// `27. novembar 2026.`, `27 November 2026`.
    #[must_use]
    pub fn long(self, locale: Locale) -> String {
        let index = usize::from(self.month.saturating_sub(1));
        match locale {
            Locale::SrCyrl | Locale::SrLatn => {
                let month = SERBIAN_MONTHS.get(index).copied().unwrap_or_default();
                let written = format!("{}. {month} {}.", self.day, self.year);
                if locale == Locale::SrLatn {
                    to_latin(&written)
                } else {
                    written
                }
            }
            Locale::En => {
                let month = ENGLISH_MONTHS.get(index).copied().unwrap_or_default();
                format!("{} {month} {}", self.day, self.year)
            }
            Locale::Hu => {
                let month = HUNGARIAN_MONTHS.get(index).copied().unwrap_or_default();
                format!("{}. {month} {}.", self.year, self.day)
            }
        }
    }
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl fmt::Display for CalendarDate {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            formatter,
            "{:04}-{:02}-{:02}",
            self.year, self.month, self.day
        )
    }
}

impl TryFrom<String> for CalendarDate {
    type Error = CalendarDateError;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        CalendarDate::parse(&text)
    }
}

impl From<CalendarDate> for String {
    fn from(date: CalendarDate) -> String {
        date.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> CalendarDate {
        match CalendarDate::parse(text) {
            Ok(date) => date,
            Err(error) => panic!("{text}: {error}"),
        }
    }

    #[test]
    fn days_since_the_epoch_name_the_calendar_day() {
        for (days, text) in [
            (0, "1970-01-01"),
            (-1, "1969-12-31"),
            (59, "1970-03-01"),
            (11_016, "2000-02-29"),
            (20_794, "2026-12-07"),
            (20_819, "2027-01-01"),
        ] {
            assert_eq!(CalendarDate::from_days_since_epoch(days), Some(date(text)));
            assert_eq!(date(text).days_since_epoch(), days, "{text}");
        }
        assert_eq!(CalendarDate::from_days_since_epoch(i64::MAX), None);
    }

    proptest::proptest! {
        #[test]
        fn every_day_number_round_trips(days in -700_000_i64..2_900_000) {
            let date = CalendarDate::from_days_since_epoch(days);
            proptest::prop_assert!(date.is_some());
            if let Some(date) = date {
                proptest::prop_assert_eq!(date.days_since_epoch(), days);
                proptest::prop_assert_eq!(CalendarDate::parse(&date.to_string()), Ok(date));
            }
        }
    }

    #[test]
    fn a_date_round_trips_through_its_text_and_json() {
        let updated = date("2026-11-27");
        assert_eq!(
            (updated.year(), updated.month(), updated.day()),
            (2026, 11, 27)
        );
        assert_eq!(updated.to_string(), "2026-11-27");
        let json = serde_json::to_string(&updated).ok();
        assert_eq!(json.as_deref(), Some("\"2026-11-27\""));
        let back: Result<CalendarDate, _> = serde_json::from_str("\"2026-11-27\"");
        assert_eq!(back.ok(), Some(updated));
    }

    #[test]
    fn dates_sort_by_year_month_day() {
        assert!(date("2025-12-31") < date("2026-01-01"));
        assert!(date("2026-02-03") < date("2026-10-01"));
    }

    #[test]
    fn malformed_dates_are_refused() {
        for text in [
            "",
            "2026-1-27",
            "27.11.2026.",
            "2026-11-27 (archived)",
            "２０２６-11-27",
            "2026/11/27",
        ] {
            assert!(
                matches!(
                    CalendarDate::parse(text),
                    Err(CalendarDateError::Format { .. })
                ),
                "{text}"
            );
        }
        assert!(serde_json::from_str::<CalendarDate>("\"2026-13-01\"").is_err());
    }

    #[test]
    fn months_and_days_must_exist() {
        assert_eq!(
            CalendarDate::parse("2026-13-01"),
            Err(CalendarDateError::Month {
                text: "2026-13-01".into(),
                month: 13
            })
        );
        assert!(matches!(
            CalendarDate::parse("2026-00-10"),
            Err(CalendarDateError::Month { month: 0, .. })
        ));
        assert!(matches!(
            CalendarDate::parse("2026-04-31"),
            Err(CalendarDateError::Day { day: 31, .. })
        ));
        assert!(matches!(
            CalendarDate::parse("2026-02-29"),
            Err(CalendarDateError::Day { day: 29, .. })
        ));
        assert!(CalendarDate::parse("2024-02-29").is_ok());
        assert!(CalendarDate::parse("2000-02-29").is_ok());
        assert!(CalendarDate::parse("1900-02-29").is_err());
        assert!(CalendarDate::parse("2026-05-00").is_err());
    }

    #[test]
    fn the_long_form_follows_the_locale() {
        let updated = date("2026-11-27");
        assert_eq!(updated.long(Locale::SrCyrl), "27. новембар 2026.");
        assert_eq!(updated.long(Locale::SrLatn), "27. novembar 2026.");
        assert_eq!(updated.long(Locale::En), "27 November 2026");
        assert_eq!(date("2024-02-01").long(Locale::En), "1 February 2024");
        assert_eq!(updated.long(Locale::Hu), "2026. november 27.");
    }
}
