//! The optional short reference a staff member gives an observation, such as `7b-3`, and
//! the check that keeps a child's name or personal number (JMBG) out of it.
//!
//! The checks are deliberately simple and err on the side of refusing: two or more
//! capitalised words look like a name, 13 digits (with or without spaces, dashes, dots or
//! slashes between them) look like a JMBG. Errors never repeat the refused text, since it
//! may be personal data. This module does no IO and stores nothing.

use serde::{Deserialize, Serialize};

/// The longest reference accepted, in characters.
pub const MAX_REFERENCE_CHARS: usize = 24;

/// Digits in a JMBG (the Serbian personal identification number).
pub const JMBG_DIGITS: usize = 13;

/// A short reference that does not look like a name or a JMBG, trimmed.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Reference(String);

/// Why a reference was refused; the app shows a translated explanation for each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ReferenceError {
    #[error("the reference is empty")]
    Empty,
    #[error("the reference has {length} characters; at most {max} are allowed")]
    TooLong { length: usize, max: usize },
    #[error("the reference looks like a personal number (jmbg)")]
    LooksLikeJmbg,
    #[error("the reference looks like a person's name")]
    LooksLikeName,
}

impl Reference {
    /// Checks what the staff member typed; surrounding white space is dropped.
    ///
    /// # Errors
    /// [`ReferenceError`] saying why the text cannot be a reference.
    pub fn parse(input: &str) -> Result<Reference, ReferenceError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(ReferenceError::Empty);
        }
        if contains_jmbg(trimmed) {
            return Err(ReferenceError::LooksLikeJmbg);
        }
        if looks_like_name(trimmed) {
            return Err(ReferenceError::LooksLikeName);
        }
        let length = trimmed.chars().count();
        if length > MAX_REFERENCE_CHARS {
            return Err(ReferenceError::TooLong {
                length,
                max: MAX_REFERENCE_CHARS,
            });
        }
        Ok(Reference(trimmed.to_owned()))
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Reference {
    type Error = ReferenceError;

    fn try_from(input: String) -> Result<Self, Self::Error> {
        Reference::parse(&input)
    }
}

impl From<Reference> for String {
    fn from(reference: Reference) -> String {
        reference.0
    }
}

/// Whether `text` holds 13 or more digits in a row, allowing one space, dash, dot or slash
/// between groups of digits ("0101990 710012", "010-199-071-001-2").
pub(crate) fn contains_jmbg(text: &str) -> bool {
    let mut digits = 0;
    let mut after_separator = false;
    for character in text.chars() {
        if character.is_ascii_digit() {
            digits += 1;
            after_separator = false;
            if digits >= JMBG_DIGITS {
                return true;
            }
        } else if is_digit_separator(character) && digits > 0 && !after_separator {
            after_separator = true;
        } else {
            digits = 0;
            after_separator = false;
        }
    }
    false
}

fn is_digit_separator(character: char) -> bool {
    character.is_whitespace() || matches!(character, '-' | '–' | '.' | '/')
}

/// Two or more capitalised words of at least two letters, in any script and in any case
/// ("Марко Марковић", "Ana Jovanović", "ANA JOVANOVIC", "AnaJovanović").
fn looks_like_name(text: &str) -> bool {
    let mut capitalised_words = 0;
    let mut word_length = 0;
    let mut word_capitalised = false;
    let mut previous_lowercase = false;
    let mut finish_word = |word_length: usize, word_capitalised: bool| {
        if word_capitalised && word_length >= 2 {
            capitalised_words += 1;
        }
    };
    for character in text.chars() {
        if !character.is_alphabetic() {
            finish_word(word_length, word_capitalised);
            word_length = 0;
            previous_lowercase = false;
            continue;
        }
        let starts_word = word_length == 0 || (previous_lowercase && character.is_uppercase());
        if starts_word {
            finish_word(word_length, word_capitalised);
            word_length = 0;
            word_capitalised = character.is_uppercase();
        }
        word_length += 1;
        previous_lowercase = character.is_lowercase();
    }
    finish_word(word_length, word_capitalised);
    capitalised_words >= 2
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_short_codes() {
        for good in [
            "7b-3",
            "Ученик А",
            "dvorište 12.3",
            "U1",
            "  7б  ",
            "Марко",
            "ученик 4",
            // A known limit: a name typed all in lower case is not recognised.
            "ana jovanovic",
            "2024-11-03 7b",
            "012 345 678 901",
        ] {
            assert!(Reference::parse(good).is_ok(), "{good:?} was refused");
        }
        assert_eq!(
            Reference::parse("  7б  ").map(String::from),
            Ok("7б".to_owned())
        );
    }

    #[test]
    fn refuses_personal_numbers() {
        for jmbg in [
            "0101990710012",
            "0101990 710012",
            "010-199-071-001-2",
            "ученик 0101990710012",
            "01.01.990.71001.2",
            "01019907100123",
        ] {
            assert_eq!(
                Reference::parse(jmbg),
                Err(ReferenceError::LooksLikeJmbg),
                "{jmbg:?}"
            );
        }
    }

    #[test]
    fn refuses_names() {
        for name in [
            "Марко Марковић",
            "Ana Jovanović",
            "ANA JOVANOVIC",
            "МАРКО МАРКОВИЋ",
            "AnaJovanović",
            "Ana Petrović-Jovanović",
            "7b Ana Jovanović",
            "Ђорђе Џаковић",
            "Ljiljana Njegić",
        ] {
            assert_eq!(
                Reference::parse(name),
                Err(ReferenceError::LooksLikeName),
                "{name:?}"
            );
        }
    }

    #[test]
    fn refuses_empty_and_long_input() {
        assert_eq!(Reference::parse("   "), Err(ReferenceError::Empty));
        assert_eq!(
            Reference::parse("dvorište kod fiskulturne sale"),
            Err(ReferenceError::TooLong {
                length: 29,
                max: MAX_REFERENCE_CHARS
            })
        );
        // Characters are counted, not bytes: 24 Cyrillic letters fit.
        assert!(Reference::parse(&"ш".repeat(24)).is_ok());
    }

    #[test]
    fn errors_do_not_repeat_the_input() {
        let error = Reference::parse("Ana Jovanović").err();
        assert!(error.is_some_and(|error| !error.to_string().contains("Ana")));
    }

    #[test]
    fn deserialising_checks_too() {
        let refused: Result<Reference, _> = serde_json::from_str("\"Ana Jovanović\"");
        assert!(refused.is_err());
        let accepted: Result<Reference, _> = serde_json::from_str("\"7b-3\"");
        assert_eq!(accepted.ok().map(String::from), Some("7b-3".to_owned()));
    }

    proptest::proptest! {
        #[test]
        fn any_thirteen_digits_are_refused(
            digits in "[0-9]{13}",
            separator in proptest::sample::select(vec!["", " ", "-", "."]),
        ) {
            let (date, rest) = digits.split_at(7);
            let jmbg = format!("{date}{separator}{rest}");
            proptest::prop_assert_eq!(Reference::parse(&jmbg), Err(ReferenceError::LooksLikeJmbg));
        }

        #[test]
        fn accepted_references_are_short_and_trimmed(input in "\\PC{0,40}") {
            if let Ok(reference) = Reference::parse(&input) {
                proptest::prop_assert!(reference.as_str().chars().count() <= MAX_REFERENCE_CHARS);
                proptest::prop_assert_eq!(reference.as_str(), reference.as_str().trim());
                proptest::prop_assert!(!contains_jmbg(reference.as_str()));
            }
        }
    }
}
