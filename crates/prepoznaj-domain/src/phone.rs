//! Telephone numbers as people in Serbia write them, checked and brought to E.164.
//!
//! Accepted forms: national numbers with the trunk `0` (`011 123 4567`, `011/123-4567`,
//! `063/123-456`, `0800 100 388`), international ones with `+` or `00`
//! (`+381 63 123456`, `00381 63 123456`, `+381 (0) 63 123 456`, `+381 063 123456`) and the
//! short numbers in [`SHORT_CODES`] (`192`, `116 111`), which stay short: their E.164 form and
//! `tel:` link are the bare digits. Spaces, `/`, `-`, `.` and parentheses may separate the
//! digits; anything else is refused. A `(0)` group after the country code is the trunk prefix
//! written out of habit and is dropped, for any country.
//!
//! **The Serbian rule** (national significant number, NSN: the digits after `0` or `+381`):
//!
//! | starts with | kind | NSN digits |
//! |---|---|---|
//! | `1`, `2`, `3` (area codes 10–39, such as 11, 21, 230) | geographic | 8–9 |
//! | `6` (60–69) | mobile | 8–9 |
//! | `7` (070x, 078x) | other non-geographic services | 8–9 |
//! | `800` | toll-free | 8–9 |
//!
//! Everything else (`4`, `5`, `9` including the `090x` premium numbers, `8` other than `800`)
//! is refused. **Limits:** the rule checks the first digits and the length, not whether the
//! area code or the subscriber number has been assigned, and it does not know that some area
//! codes allow only one of the two lengths. Numbers abroad (a country code other than 381)
//! are checked only for E.164 plausibility: 8 to 15 digits with the country code, which does
//! not start with 0.
//!
//! A national number without its trunk `0` is refused (it cannot be told from a short code)
//! unless it is one of the [`SHORT_CODES`]. This module does no IO.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Short numbers that are kept as they are: emergency services and helplines.
///
/// `112` (European emergency number), `192` (police), `193` (fire and rescue), `194`
/// (ambulance), `116 000` (missing children), `116 111` (children's helpline) and `19833`.
pub const SHORT_CODES: [&str; 7] = ["112", "192", "193", "194", "116000", "116111", "19833"];

/// Serbia's country calling code.
pub const SERBIA_COUNTRY_CODE: &str = "381";

/// The fewest digits of an international number, country code included.
const MIN_INTERNATIONAL_DIGITS: usize = 8;
/// The most digits E.164 allows, country code included.
const MAX_INTERNATIONAL_DIGITS: usize = 15;
/// Digits in a Serbian national significant number.
const MIN_NSN_DIGITS: usize = 8;
const MAX_NSN_DIGITS: usize = 9;

/// What kind of number a [`PhoneNumber`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PhoneKind {
    /// One of [`SHORT_CODES`].
    ShortCode,
    /// A Serbian fixed-line number with an area code.
    Geographic,
    /// A Serbian mobile number.
    Mobile,
    /// A Serbian `0800` number.
    TollFree,
    /// A Serbian non-geographic service number (`07x`).
    NonGeographic,
    /// A number in another country.
    Foreign,
}

/// Why a text is not a phone number; the app shows a translated explanation for each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    #[error("the phone number is empty")]
    Empty,
    #[error(
        "the phone number contains {0:?}; only digits, spaces, `/`, `-`, `.`, `(`, `)` and a leading `+` are allowed"
    )]
    InvalidCharacter(char),
    #[error("`+` may only stand at the start of the phone number")]
    MisplacedPlus,
    #[error("the phone number has too few digits")]
    TooShort,
    #[error("the phone number has too many digits")]
    TooLong,
    #[error("the number is not a known short number such as 192 or 116 111")]
    UnknownShortNumber,
    #[error("a serbian number must start with 0 and the area or mobile code, or with +381")]
    MissingTrunkPrefix,
    #[error("no serbian area, mobile or service code starts with these digits")]
    UnknownPrefix,
    #[error("a country code cannot start with 0")]
    InvalidCountryCode,
}

/// A checked phone number, kept in E.164 form (`+381111234567`) or as a short code (`192`).
///
/// Serialises as its E.164 string and deserialises through [`PhoneNumber::parse`], so stored
/// and imported numbers are checked again.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PhoneNumber {
    /// `+` and digits, or the digits of a short code.
    e164: String,
    kind: PhoneKind,
}

impl PhoneNumber {
    /// Reads a phone number written in any of the forms in the module documentation.
    ///
    /// # Errors
    /// [`PhoneError`] saying what is wrong with `input`.
    pub fn parse(input: &str) -> Result<PhoneNumber, PhoneError> {
        let written = Written::read(input.trim())?;
        let international = if written.plus {
            Some(0)
        } else if written.digits.starts_with("00") {
            Some(2)
        } else {
            None
        };
        match international {
            Some(prefix_length) => {
                let mut digits = written.digits;
                if let Some(trunk) = written.zero_group.filter(|&at| at > prefix_length) {
                    digits.remove(trunk);
                }
                international_number(&digits[prefix_length..])
            }
            None => national_number(&written.digits),
        }
    }

    /// `+` and digits, or the digits of a short code: `+381111234567`, `192`.
    #[must_use]
    pub fn e164(&self) -> &str {
        &self.e164
    }

    /// A `tel:` link: `tel:+381111234567`, `tel:192`.
    #[must_use]
    pub fn tel_uri(&self) -> String {
        format!("tel:{}", self.e164)
    }

    #[must_use]
    pub fn kind(&self) -> PhoneKind {
        self.kind
    }

    #[must_use]
    pub fn is_short_code(&self) -> bool {
        self.kind == PhoneKind::ShortCode
    }

    /// The number grouped for reading, in international form: `+381 11 123 4567`,
    /// `+381 63 123 456`, `+381 800 100 388`, `+44 207 946 0958`; short codes as they are
    /// dialled: `192`, `116 111`.
    ///
    /// Serbian numbers are split after the area, mobile or service code. Foreign numbers are
    /// split after the country code and then in threes, which is readable but not always
    /// how that country groups them.
    #[must_use]
    pub fn display(&self) -> String {
        match self.kind {
            // The 116 numbers are written in two halves; the others in one piece.
            PhoneKind::ShortCode if self.e164.len() == 6 => group_digits(&self.e164),
            PhoneKind::ShortCode => self.e164.clone(),
            PhoneKind::Foreign => {
                let digits = self.digits();
                let (country, rest) =
                    digits.split_at(country_code_length(digits).min(digits.len()));
                format!("+{country} {}", group_digits(rest))
            }
            _ => {
                let (code, subscriber) = self.serbian_parts();
                format!("+{SERBIA_COUNTRY_CODE} {code} {}", group_digits(subscriber))
            }
        }
    }

    /// Serbian numbers as they are dialled inside Serbia: `011 123 4567`, `063 123 456`,
    /// `0800 100 388`; other numbers as [`PhoneNumber::display`].
    #[must_use]
    pub fn display_national(&self) -> String {
        match self.kind {
            PhoneKind::ShortCode | PhoneKind::Foreign => self.display(),
            _ => {
                let (code, subscriber) = self.serbian_parts();
                format!("0{code} {}", group_digits(subscriber))
            }
        }
    }

    /// The digits without `+`.
    fn digits(&self) -> &str {
        self.e164.trim_start_matches('+')
    }

    /// The area, mobile or service code and the rest of a Serbian number.
    fn serbian_parts(&self) -> (&str, &str) {
        let nsn = self
            .digits()
            .strip_prefix(SERBIA_COUNTRY_CODE)
            .unwrap_or_default();
        let code_length = match self.kind {
            PhoneKind::Geographic
                if ["230", "280", "290", "390"]
                    .iter()
                    .any(|code| nsn.starts_with(code)) =>
            {
                3
            }
            PhoneKind::Mobile if nsn.starts_with("677") || nsn.starts_with("678") => 3,
            PhoneKind::TollFree | PhoneKind::NonGeographic => 3,
            _ => 2,
        };
        nsn.split_at(code_length.min(nsn.len()))
    }
}

impl fmt::Display for PhoneNumber {
    /// Same as [`PhoneNumber::display`].
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.display())
    }
}

impl FromStr for PhoneNumber {
    type Err = PhoneError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        PhoneNumber::parse(input)
    }
}

impl TryFrom<String> for PhoneNumber {
    type Error = PhoneError;

    fn try_from(input: String) -> Result<Self, Self::Error> {
        PhoneNumber::parse(&input)
    }
}

impl From<PhoneNumber> for String {
    fn from(number: PhoneNumber) -> String {
        number.e164
    }
}

/// The digits of what was typed, with what the separators told.
struct Written {
    digits: String,
    /// The number started with `+`.
    plus: bool,
    /// Where in `digits` a `(0)` group stands.
    zero_group: Option<usize>,
}

impl Written {
    fn read(input: &str) -> Result<Written, PhoneError> {
        let mut written = Written {
            digits: String::with_capacity(input.len()),
            plus: false,
            zero_group: None,
        };
        let mut group_start = None;
        for (index, character) in input.char_indices() {
            match character {
                '0'..='9' => written.digits.push(character),
                '+' if index == 0 => written.plus = true,
                '+' => return Err(PhoneError::MisplacedPlus),
                '(' => group_start = Some(written.digits.len()),
                ')' => {
                    if let Some(start) = group_start.take()
                        && written.digits.get(start..) == Some("0")
                    {
                        written.zero_group = Some(start);
                    }
                }
                '/' | '-' | '.' => {}
                _ if character.is_whitespace() => {}
                _ => return Err(PhoneError::InvalidCharacter(character)),
            }
        }
        if written.digits.is_empty() {
            return Err(if written.plus {
                PhoneError::TooShort
            } else {
                PhoneError::Empty
            });
        }
        Ok(written)
    }
}

/// The digits after `+` or `00`.
fn international_number(digits: &str) -> Result<PhoneNumber, PhoneError> {
    if digits.starts_with('0') {
        return Err(PhoneError::InvalidCountryCode);
    }
    if let Some(nsn) = digits.strip_prefix(SERBIA_COUNTRY_CODE) {
        // "+381 063 …": the trunk prefix written after the country code.
        let nsn = nsn.strip_prefix('0').unwrap_or(nsn);
        return serbian_number(nsn);
    }
    if digits.len() < MIN_INTERNATIONAL_DIGITS {
        return Err(PhoneError::TooShort);
    }
    if digits.len() > MAX_INTERNATIONAL_DIGITS {
        return Err(PhoneError::TooLong);
    }
    Ok(PhoneNumber {
        e164: format!("+{digits}"),
        kind: PhoneKind::Foreign,
    })
}

/// Digits written without `+` or `00`.
fn national_number(digits: &str) -> Result<PhoneNumber, PhoneError> {
    if let Some(nsn) = digits.strip_prefix('0') {
        return serbian_number(nsn);
    }
    if SHORT_CODES.contains(&digits) {
        return Ok(PhoneNumber {
            e164: digits.to_owned(),
            kind: PhoneKind::ShortCode,
        });
    }
    if digits.len() <= 6 {
        Err(PhoneError::UnknownShortNumber)
    } else {
        Err(PhoneError::MissingTrunkPrefix)
    }
}

/// A Serbian national significant number, checked against the table in the module docs.
fn serbian_number(nsn: &str) -> Result<PhoneNumber, PhoneError> {
    let kind = match nsn.as_bytes() {
        [] => return Err(PhoneError::TooShort),
        [b'1'..=b'3', ..] => PhoneKind::Geographic,
        [b'6', ..] => PhoneKind::Mobile,
        [b'7', ..] => PhoneKind::NonGeographic,
        [b'8'] | [b'8', b'0'] | [b'8', b'0', b'0', ..] => PhoneKind::TollFree,
        _ => return Err(PhoneError::UnknownPrefix),
    };
    if nsn.len() < MIN_NSN_DIGITS {
        return Err(PhoneError::TooShort);
    }
    if nsn.len() > MAX_NSN_DIGITS {
        return Err(PhoneError::TooLong);
    }
    Ok(PhoneNumber {
        e164: format!("+{SERBIA_COUNTRY_CODE}{nsn}"),
        kind,
    })
}

/// Digits of the country code at the start of `digits`: 1 for `1` and `7`, 2 for the
/// two-digit codes of the ITU list, otherwise 3.
fn country_code_length(digits: &str) -> usize {
    const TWO_DIGIT_CODES: [&str; 44] = [
        "20", "27", "30", "31", "32", "33", "34", "36", "39", "40", "41", "43", "44", "45", "46",
        "47", "48", "49", "51", "52", "53", "54", "55", "56", "57", "58", "60", "61", "62", "63",
        "64", "65", "66", "81", "82", "84", "86", "90", "91", "92", "93", "94", "95", "98",
    ];
    if digits.starts_with('1') || digits.starts_with('7') {
        1
    } else if TWO_DIGIT_CODES.iter().any(|code| digits.starts_with(code)) {
        2
    } else {
        3
    }
}

/// Groups digits in threes; a remainder of one makes the last group four long and a
/// remainder of two makes the first group two long: `123 4567`, `12 345`, `116 111`.
fn group_digits(digits: &str) -> String {
    if digits.len() <= 4 {
        return digits.to_owned();
    }
    let mut sizes = vec![3; digits.len() / 3];
    match digits.len() % 3 {
        1 => {
            if let Some(last) = sizes.last_mut() {
                *last = 4;
            }
        }
        2 => sizes.insert(0, 2),
        _ => {}
    }
    let mut grouped = String::with_capacity(digits.len() + sizes.len());
    let mut rest = digits;
    for size in sizes {
        let (group, after) = rest.split_at(size.min(rest.len()));
        if !grouped.is_empty() {
            grouped.push(' ');
        }
        grouped.push_str(group);
        rest = after;
    }
    grouped
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn e164(input: &str) -> Result<String, PhoneError> {
        PhoneNumber::parse(input).map(|number| number.e164().to_owned())
    }

    #[test]
    fn the_forms_people_write() {
        let cases = [
            ("011 123 4567", "+381111234567"),
            ("011/123-4567", "+381111234567"),
            ("(011) 123-45-67", "+381111234567"),
            ("011.123.4567", "+381111234567"),
            ("021 456 789", "+38121456789"),
            ("0230 21 234", "+38123021234"),
            ("063/123-456", "+38163123456"),
            ("063 1234567", "+381631234567"),
            ("+381 63 123456", "+38163123456"),
            ("+381 (0) 63 123 456", "+38163123456"),
            ("+381(0)11 123 4567", "+381111234567"),
            ("+381 063 123456", "+38163123456"),
            ("00381 63 123456", "+38163123456"),
            ("00381 (0)63 123456", "+38163123456"),
            ("0800 100 388", "+381800100388"),
            ("  0677 123 456 ", "+381677123456"),
            ("0700\u{a0}123\u{a0}456", "+381700123456"),
        ];
        for (input, expected) in cases {
            assert_eq!(e164(input).as_deref(), Ok(expected), "{input}");
        }
    }

    #[test]
    fn short_codes_stay_short() {
        for (input, expected) in [
            ("192", "192"),
            ("193", "193"),
            ("194", "194"),
            ("112", "112"),
            ("116 111", "116111"),
            ("116-000", "116000"),
            ("19833", "19833"),
        ] {
            let number = PhoneNumber::parse(input);
            assert_eq!(number.as_ref().map(PhoneNumber::e164), Ok(expected));
            assert!(number.is_ok_and(|number| number.is_short_code()), "{input}");
        }
        assert_eq!(e164("1234"), Err(PhoneError::UnknownShortNumber));
        assert_eq!(e164("116 222"), Err(PhoneError::UnknownShortNumber));
        assert_eq!(e164("+381 192"), Err(PhoneError::TooShort));
    }

    #[test]
    fn numbers_abroad() {
        assert_eq!(e164("+44 20 7946 0958").as_deref(), Ok("+442079460958"));
        assert_eq!(e164("+44 (0) 20 7946 0958").as_deref(), Ok("+442079460958"));
        assert_eq!(e164("0049 30 1234567").as_deref(), Ok("+49301234567"));
        assert_eq!(e164("+1 202 555 0123").as_deref(), Ok("+12025550123"));
        assert_eq!(e164("+387 33 12"), Err(PhoneError::TooShort));
        assert_eq!(e164("+49 1234 5678 9012 3456"), Err(PhoneError::TooLong));
        assert_eq!(e164("+0 123 456 789"), Err(PhoneError::InvalidCountryCode));
        assert_eq!(e164("000 123 456 789"), Err(PhoneError::InvalidCountryCode));
        let number = PhoneNumber::parse("+44 20 7946 0958");
        assert!(number.is_ok_and(|number| number.kind() == PhoneKind::Foreign));
    }

    #[test]
    fn refusals() {
        let cases = [
            ("", PhoneError::Empty),
            ("   ", PhoneError::Empty),
            ("()-/", PhoneError::Empty),
            ("+", PhoneError::TooShort),
            ("011 123 456a", PhoneError::InvalidCharacter('a')),
            (
                "063 123 456, 064 111 222",
                PhoneError::InvalidCharacter(','),
            ),
            ("011 123 4567 lok. 12", PhoneError::InvalidCharacter('l')),
            ("011_1234567", PhoneError::InvalidCharacter('_')),
            ("063 123 456 +1", PhoneError::MisplacedPlus),
            ("++381 63 123 456", PhoneError::MisplacedPlus),
            ("011 12345", PhoneError::TooShort),
            ("011 123 45678", PhoneError::TooLong),
            ("063 12345", PhoneError::TooShort),
            ("064 123 45678", PhoneError::TooLong),
            ("+381 63 12345678", PhoneError::TooLong),
            ("0", PhoneError::TooShort),
            ("050 123 456", PhoneError::UnknownPrefix),
            ("0900 123 456", PhoneError::UnknownPrefix),
            ("0810 123 456", PhoneError::UnknownPrefix),
            ("+381 45 123 456", PhoneError::UnknownPrefix),
            ("63 123 456", PhoneError::MissingTrunkPrefix),
            ("123 4567", PhoneError::MissingTrunkPrefix),
            ("381 63 123456", PhoneError::MissingTrunkPrefix),
        ];
        for (input, expected) in cases {
            assert_eq!(e164(input), Err(expected), "{input}");
        }
    }

    #[test]
    fn kinds() {
        let cases = [
            ("011 123 4567", PhoneKind::Geographic),
            ("063 123 456", PhoneKind::Mobile),
            ("0800 100 388", PhoneKind::TollFree),
            ("0700 123 456", PhoneKind::NonGeographic),
            ("192", PhoneKind::ShortCode),
            ("+43 1 234 5678", PhoneKind::Foreign),
        ];
        for (input, kind) in cases {
            assert_eq!(
                PhoneNumber::parse(input).map(|n| n.kind()),
                Ok(kind),
                "{input}"
            );
        }
    }

    #[test]
    fn display_and_links() {
        let cases = [
            ("011/123-4567", "+381 11 123 4567", "011 123 4567"),
            ("063 1234 56", "+381 63 123 456", "063 123 456"),
            ("063 1234567", "+381 63 123 4567", "063 123 4567"),
            ("021 456 789", "+381 21 456 789", "021 456 789"),
            ("0230 21 234", "+381 230 21 234", "0230 21 234"),
            ("0677 123 456", "+381 677 123 456", "0677 123 456"),
            ("0800100388", "+381 800 100 388", "0800 100 388"),
            ("116111", "116 111", "116 111"),
            ("19833", "19833", "19833"),
            ("192", "192", "192"),
            ("+442079460958", "+44 207 946 0958", "+44 207 946 0958"),
            ("+12025550123", "+1 202 555 0123", "+1 202 555 0123"),
            ("+38733123456", "+387 33 123 456", "+387 33 123 456"),
        ];
        for (input, international, national) in cases {
            let Ok(number) = PhoneNumber::parse(input) else {
                panic!("{input} does not parse");
            };
            assert_eq!(number.display(), international, "{input}");
            assert_eq!(number.to_string(), international, "{input}");
            assert_eq!(number.display_national(), national, "{input}");
        }
        let number = PhoneNumber::parse("011 123 4567");
        assert_eq!(
            number.map(|n| n.tel_uri()).as_deref(),
            Ok("tel:+381111234567")
        );
        assert_eq!(
            PhoneNumber::parse("192").map(|n| n.tel_uri()).as_deref(),
            Ok("tel:192")
        );
        assert_eq!(
            "063 123 456".parse::<PhoneNumber>().map(|n| n.kind()),
            Ok(PhoneKind::Mobile)
        );
    }

    #[test]
    fn serde_writes_e164_and_checks_on_read() {
        let Ok(number) = PhoneNumber::parse("+381 (0) 11 123 4567") else {
            panic!("does not parse");
        };
        assert_eq!(
            serde_json::to_string(&number).ok().as_deref(),
            Some("\"+381111234567\"")
        );
        assert_eq!(
            serde_json::from_str::<PhoneNumber>("\"+381111234567\"").ok(),
            Some(number)
        );
        assert_eq!(
            serde_json::from_str::<PhoneNumber>("\"116111\"")
                .ok()
                .map(|n| n.display()),
            Some("116 111".to_owned())
        );
        // Imported data is checked again, and may be written in any accepted form.
        assert!(serde_json::from_str::<PhoneNumber>("\"+381 45 123 456\"").is_err());
        assert!(serde_json::from_str::<PhoneNumber>("\"12\"").is_err());
        assert!(serde_json::from_str::<PhoneNumber>("\"011 123 4567\"").is_ok());
    }

    #[test]
    fn grouping() {
        assert_eq!(group_digits("1234"), "1234");
        assert_eq!(group_digits("12345"), "12 345");
        assert_eq!(group_digits("123456"), "123 456");
        assert_eq!(group_digits("1234567"), "123 4567");
        assert_eq!(group_digits("12345678"), "12 345 678");
        assert_eq!(group_digits("1234567890"), "123 456 7890");
    }

    proptest! {
        #[test]
        fn parse_never_panics(input in "\\PC{0,30}") {
            let _ = PhoneNumber::parse(&input);
        }

        #[test]
        fn parsing_is_stable(input in "[+]?[0-9 ()/.-]{0,20}") {
            if let Ok(number) = PhoneNumber::parse(&input) {
                // The stored, displayed and national forms all read back to the same number.
                for written in [number.e164().to_owned(), number.display(), number.display_national()] {
                    let read_back = PhoneNumber::parse(&written);
                    prop_assert_eq!(read_back.as_ref(), Ok(&number));
                }
                prop_assert!(number.e164().len() <= 16);
                prop_assert!(number.e164().trim_start_matches('+').bytes().all(|b| b.is_ascii_digit()));
            }
        }

        #[test]
        fn serbian_numbers_in_every_form(
            code in prop_oneof![Just("11"), Just("21"), Just("230"), Just("63"), Just("677"), Just("800")],
            subscriber in "[0-9]{5,7}",
        ) {
            let nsn = format!("{code}{subscriber}");
            let expected = if (8..=9).contains(&nsn.len()) {
                Ok(format!("+381{nsn}"))
            } else if nsn.len() < 8 {
                Err(PhoneError::TooShort)
            } else {
                Err(PhoneError::TooLong)
            };
            for written in [
                format!("0{code} {subscriber}"),
                format!("0{code}/{subscriber}"),
                format!("+381 {code} {subscriber}"),
                format!("+381 (0) {code} {subscriber}"),
                format!("00381{code}{subscriber}"),
            ] {
                prop_assert_eq!(&e164(&written), &expected, "{}", written);
            }
        }
    }
}
