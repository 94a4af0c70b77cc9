//! A protection-team member's key as people handle it: the passphrase rules and the printable
//! recovery code. The key itself (an age X25519 identity) is made and used by the
//! `prepoznaj-envelope` crate; this module only checks and formats text, so it does no
//! cryptography, reads no clock and makes no random numbers.
//!
//! # Recovery code
//! An age identity is written `AGE-SECRET-KEY-1` followed by 58 bech32 characters (the 32 key
//! bytes and a six-character checksum). The recovery code is those 58 characters, upper case,
//! in [`RECOVERY_GROUPS`] numbered groups of four (the last has two), so it can be printed,
//! read and typed back. The bech32 alphabet has no `1`, `b`, `i` or `o`, and its checksum
//! catches typing mistakes when the key is read back.

use std::fmt;

use crate::passphrase::{MIN_STRENGTH_BITS, estimated_strength_bits};

/// What every age X25519 secret key starts with.
pub const SECRET_KEY_PREFIX: &str = "AGE-SECRET-KEY-1";

/// Characters after [`SECRET_KEY_PREFIX`].
const KEY_DATA_CHARS: usize = 58;

/// Characters per group of the recovery code.
const GROUP_CHARS: usize = 4;

/// Groups of the recovery code.
pub const RECOVERY_GROUPS: usize = KEY_DATA_CHARS.div_ceil(GROUP_CHARS);

/// bech32's data alphabet, upper case.
const BECH32_UPPER: &[u8] = b"QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L";

/// The shortest passphrase accepted, in characters.
pub const MIN_PASSPHRASE_CHARS: usize = 12;

/// Why a recovery code was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecoveryCodeError {
    #[error("a recovery code has {expected} characters; this has {found}")]
    Length { expected: usize, found: usize },
    #[error("`{character}` is not a character a recovery code uses")]
    Character { character: char },
}

/// The printable form of a team member's secret key. `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct RecoveryCode(String);

impl RecoveryCode {
    /// The code of an age secret key (`AGE-SECRET-KEY-1…`).
    ///
    /// # Errors
    /// [`RecoveryCodeError`] unless `secret_key` is shaped like an age X25519 secret key.
    pub fn from_secret_key(secret_key: &str) -> Result<Self, RecoveryCodeError> {
        let data = secret_key
            .trim()
            .strip_prefix(SECRET_KEY_PREFIX)
            .unwrap_or(secret_key);
        Self::parse(data)
    }

    /// A code as a person typed it: either case, with or without the `AGE-SECRET-KEY-1`
    /// prefix, spaces, dashes, line breaks and group numbers like `3.` ignored.
    ///
    /// # Errors
    /// [`RecoveryCodeError`] for a character the code cannot have or a wrong length.
    pub fn parse(typed: &str) -> Result<Self, RecoveryCodeError> {
        let upper = typed.trim().to_uppercase();
        let without_prefix = upper.strip_prefix(SECRET_KEY_PREFIX).unwrap_or(&upper);
        let mut data = String::with_capacity(KEY_DATA_CHARS);
        for line_part in without_prefix.split_whitespace() {
            // "3." or "3)" before a group is its number, as printed.
            if line_part.ends_with(['.', ')'])
                && line_part[..line_part.len() - 1]
                    .bytes()
                    .all(|byte| byte.is_ascii_digit())
            {
                continue;
            }
            for character in line_part.chars() {
                match character {
                    '-' => {}
                    character
                        if character.is_ascii() && BECH32_UPPER.contains(&(character as u8)) =>
                    {
                        data.push(character);
                    }
                    character => return Err(RecoveryCodeError::Character { character }),
                }
            }
        }
        let found = data.chars().count();
        if found == KEY_DATA_CHARS {
            Ok(Self(data))
        } else {
            Err(RecoveryCodeError::Length {
                expected: KEY_DATA_CHARS,
                found,
            })
        }
    }

    /// The numbered groups, in order (four characters each, the last two).
    #[must_use]
    pub fn groups(&self) -> Vec<&str> {
        (0..RECOVERY_GROUPS)
            .map(|group| {
                let start = group * GROUP_CHARS;
                &self.0[start..(start + GROUP_CHARS).min(KEY_DATA_CHARS)]
            })
            .collect()
    }

    /// Whether `typed` is group `index` (0-based): either case, spaces ignored.
    #[must_use]
    pub fn group_matches(&self, index: usize, typed: &str) -> bool {
        let typed: String = typed
            .chars()
            .filter(|character| !character.is_whitespace())
            .collect();
        self.groups()
            .get(index)
            .is_some_and(|group| typed.eq_ignore_ascii_case(group))
    }

    /// The secret key again, as age reads it.
    #[must_use]
    pub fn secret_key(&self) -> String {
        format!("{SECRET_KEY_PREFIX}{}", self.0)
    }

    /// The code as printed: numbered groups, four to a line.
    #[must_use]
    pub fn printable(&self) -> String {
        self.groups()
            .chunks(4)
            .enumerate()
            .map(|(line, groups)| {
                groups
                    .iter()
                    .enumerate()
                    .map(|(column, group)| format!("{}. {group}", line * 4 + column + 1))
                    .collect::<Vec<_>>()
                    .join("   ")
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

impl fmt::Debug for RecoveryCode {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("RecoveryCode(redacted)")
    }
}

/// Two different groups (0-based) to ask back, chosen by the caller's random bytes.
#[must_use]
pub fn groups_to_verify(random: [u8; 2]) -> [usize; 2] {
    let first = usize::from(random[0]) % RECOVERY_GROUPS;
    let offset = 1 + usize::from(random[1]) % (RECOVERY_GROUPS - 1);
    [first, (first + offset) % RECOVERY_GROUPS]
}

/// Why a passphrase was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PassphraseError {
    #[error("the passphrase has {length} characters; at least {min} are needed")]
    TooShort { length: usize, min: usize },
    #[error("the passphrase uses fewer than {min} different characters")]
    TooRepetitive { min: usize },
    #[error("the passphrase is estimated at {bits} bits; at least {min_bits} are needed")]
    Weak { bits: u32, min_bits: u32 },
    #[error("the two passphrases differ")]
    Mismatch,
}

/// The fewest different characters a passphrase must use.
const MIN_DISTINCT_CHARS: usize = 6;

/// Checks a new passphrase and its repetition: at least [`MIN_PASSPHRASE_CHARS`] characters
/// (several words are easiest to remember), not one or a few characters repeated, and
/// estimated at [`MIN_STRENGTH_BITS`] or more (`crate::passphrase`).
///
/// # Errors
/// [`PassphraseError`] naming the first rule it breaks.
pub fn check_new_passphrase(passphrase: &str, repeated: &str) -> Result<(), PassphraseError> {
    let length = passphrase.chars().count();
    if length < MIN_PASSPHRASE_CHARS {
        return Err(PassphraseError::TooShort {
            length,
            min: MIN_PASSPHRASE_CHARS,
        });
    }
    let mut distinct: Vec<char> = passphrase.to_lowercase().chars().collect();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() < MIN_DISTINCT_CHARS {
        return Err(PassphraseError::TooRepetitive {
            min: MIN_DISTINCT_CHARS,
        });
    }
    let bits = estimated_strength_bits(passphrase);
    if bits < MIN_STRENGTH_BITS {
        return Err(PassphraseError::Weak {
            bits,
            min_bits: MIN_STRENGTH_BITS,
        });
    }
    if passphrase != repeated {
        return Err(PassphraseError::Mismatch);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly on purpose")]

    use super::*;

    // Shaped like an age secret key (the checksum is not checked here).
    const KEY: &str = "AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX";

    #[test]
    fn the_code_is_the_keys_data_in_numbered_groups_and_reads_back() {
        let code = RecoveryCode::from_secret_key(KEY).unwrap();
        let groups = code.groups();
        assert_eq!(groups.len(), RECOVERY_GROUPS);
        assert_eq!(groups.len(), 15);
        assert_eq!(groups[0], "GFPY");
        assert_eq!(groups[14].len(), 2);
        assert_eq!(code.secret_key(), KEY);
        assert!(code.printable().starts_with("1. GFPY   2. YSJZ"));
        assert_eq!(code.printable().lines().count(), 4);
        assert_eq!(RecoveryCode::parse(&code.printable()).unwrap(), code);
        assert_eq!(RecoveryCode::parse(&KEY.to_lowercase()).unwrap(), code);
        assert_eq!(
            RecoveryCode::parse(&groups.join("-")).unwrap(),
            code,
            "dashes between groups"
        );
        assert_eq!(format!("{code:?}"), "RecoveryCode(redacted)");
    }

    #[test]
    fn a_mistyped_code_says_what_is_wrong() {
        assert_eq!(
            RecoveryCode::parse("GFPY YSJZ"),
            Err(RecoveryCodeError::Length {
                expected: 58,
                found: 8
            })
        );
        assert_eq!(
            RecoveryCode::parse(&KEY.replace('G', "B")),
            Err(RecoveryCodeError::Character { character: 'B' })
        );
    }

    #[test]
    fn groups_are_checked_one_by_one_ignoring_case_and_spaces() {
        let code = RecoveryCode::from_secret_key(KEY).unwrap();
        assert!(code.group_matches(0, " gf py "));
        assert!(!code.group_matches(0, "YSJZ"));
        assert!(!code.group_matches(RECOVERY_GROUPS, ""));
    }

    #[test]
    fn the_groups_to_verify_are_two_different_ones() {
        for first in 0..=255_u8 {
            for second in [0, 1, 13, 14, 200, 255] {
                let [a, b] = groups_to_verify([first, second]);
                assert_ne!(a, b);
                assert!(a < RECOVERY_GROUPS && b < RECOVERY_GROUPS);
            }
        }
    }

    #[test]
    fn passphrases_must_be_long_and_varied_and_typed_twice_the_same() {
        assert_eq!(
            check_new_passphrase("кратка", "кратка"),
            Err(PassphraseError::TooShort {
                length: 6,
                min: MIN_PASSPHRASE_CHARS
            })
        );
        assert_eq!(
            check_new_passphrase("abababababababab", "abababababababab"),
            Err(PassphraseError::TooRepetitive { min: 6 })
        );
        assert_eq!(
            check_new_passphrase("зелена ливада у мају", "зелена ливада у мају"),
            Err(PassphraseError::Weak {
                bits: 36,
                min_bits: MIN_STRENGTH_BITS
            }),
            "four short words someone chose are guessed too easily"
        );
        let sentence = "зелена ливада у мају крај старе цркве";
        assert_eq!(
            check_new_passphrase(sentence, "зелена ливада у мају крај старе цркве."),
            Err(PassphraseError::Mismatch)
        );
        assert_eq!(check_new_passphrase(sentence, sentence), Ok(()));
        assert_eq!(
            check_new_passphrase("acid acorn acre acts afar", "acid acorn acre acts afar"),
            Ok(()),
            "five words of the list, as the app suggests"
        );
    }
}
