//! A protection-team member's key as people handle it: the passphrase rules and the printable
//! recovery code. The key itself (an age X25519 identity) is made and used by the
//! `prepoznaj-envelope` crate; this module only checks and formats text, so it does no
//! cryptography, reads no clock and makes no random numbers.
//!
//! # Recovery code
//! The code carries both of a member's secret keys, so the printed code alone restores them
//! fully. It has two parts of 58 characters of bech32's alphabet, each with its own bech32
//! checksum (BIP 173/350, the `bech32` crate), each in [`GROUPS_PER_PART`] numbered groups of
//! four (the last has two), numbered on from 1 to [`RECOVERY_GROUPS`]:
//! - groups 1–15, the age key: an age identity is written `AGE-SECRET-KEY-1` followed by 58
//!   bech32 characters (the 32 key bytes and age's own six-character checksum); the part is
//!   those characters, upper case, as every code printed before the signing key was added;
//! - groups 16–30, the chain signing key: its 32 secret bytes (the Ed25519 seed) in bech32m
//!   under the human-readable part [`SIGNING_PART_HRP`], which is not printed.
//!
//! The alphabet has no `1`, `b`, `i` or `o`; each checksum catches any one wrong character
//! and any two swapped ones in its part, and says which part has the mistake. An older code
//! (the first part only) still reads: it restores the age key, and the device then needs a
//! new signing key that another member registers.

use std::fmt;

use bech32::primitives::decode::CheckedHrpstring;
use bech32::{Bech32, Bech32m, Hrp};

use crate::passphrase::{MIN_STRENGTH_BITS, estimated_strength_bits};

/// What every age X25519 secret key starts with.
pub const SECRET_KEY_PREFIX: &str = "AGE-SECRET-KEY-1";

/// The human-readable part of age secret keys (bech32, lower case).
const AGE_HRP: &str = "age-secret-key-";

/// The human-readable part of the code's signing-key part (bech32m), in its checksum only.
pub const SIGNING_PART_HRP: &str = "prepoznaj-sign-";

/// Characters of each part: 52 for 32 bytes, 6 of checksum.
const PART_CHARS: usize = 58;

/// Characters per group of the recovery code.
const GROUP_CHARS: usize = 4;

/// Groups of each part of the recovery code.
pub const GROUPS_PER_PART: usize = PART_CHARS.div_ceil(GROUP_CHARS);

/// Groups of the recovery code (both parts).
pub const RECOVERY_GROUPS: usize = 2 * GROUPS_PER_PART;

/// Groups printed on one line.
const GROUPS_PER_LINE: usize = 5;

/// bech32's data alphabet, upper case.
const BECH32_UPPER: &[u8] = b"QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L";

/// The shortest passphrase accepted, in characters.
pub const MIN_PASSPHRASE_CHARS: usize = 12;

/// Which part of the recovery code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodePart {
    /// Groups 1–15: the age key, which opens reports.
    AgeKey,
    /// Groups 16–30: the signing key, which signs team changes.
    SigningKey,
}

impl CodePart {
    /// The first and last group (1-based, as printed) of this part.
    #[must_use]
    pub const fn groups(self) -> (usize, usize) {
        match self {
            Self::AgeKey => (1, GROUPS_PER_PART),
            Self::SigningKey => (GROUPS_PER_PART + 1, RECOVERY_GROUPS),
        }
    }
}

/// Why a recovery code was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecoveryCodeError {
    #[error("a recovery code has {expected} characters; this has {found}")]
    Length { expected: usize, found: usize },
    #[error("`{character}` is not a character a recovery code uses")]
    Character { character: char },
    #[error("the recovery code has a mistake in groups {first} to {last}", first = part.groups().0, last = part.groups().1)]
    Checksum { part: CodePart },
}

/// The printable form of a team member's secret keys. `Debug` never shows them.
#[derive(Clone, PartialEq, Eq)]
pub struct RecoveryCode {
    /// The age key's part: 58 upper-case characters.
    age: String,
    /// The signing key's part (58 upper-case characters); `None` in an older code.
    signing: Option<String>,
}

impl RecoveryCode {
    /// The code of an age secret key (`AGE-SECRET-KEY-1…`) and a chain signing key's 32
    /// secret bytes.
    ///
    /// # Errors
    /// [`RecoveryCodeError`] unless `secret_key` is an age X25519 secret key.
    pub fn from_keys(
        secret_key: &str,
        signing_secret: &[u8; 32],
    ) -> Result<Self, RecoveryCodeError> {
        let age = Self::from_secret_key(secret_key)?.age;
        let signing =
            bech32::encode_upper::<Bech32m>(Hrp::parse_unchecked(SIGNING_PART_HRP), signing_secret)
                .map_err(|_| RecoveryCodeError::Checksum {
                    part: CodePart::SigningKey,
                })?;
        let signing = signing
            .get(SIGNING_PART_HRP.len() + 1..)
            .filter(|data| data.len() == PART_CHARS)
            .ok_or(RecoveryCodeError::Checksum {
                part: CodePart::SigningKey,
            })?
            .to_owned();
        Ok(Self {
            age,
            signing: Some(signing),
        })
    }

    /// The older code of an age secret key alone (`AGE-SECRET-KEY-1…`).
    ///
    /// # Errors
    /// [`RecoveryCodeError`] unless `secret_key` is an age X25519 secret key.
    pub fn from_secret_key(secret_key: &str) -> Result<Self, RecoveryCodeError> {
        let data = secret_key
            .trim()
            .strip_prefix(SECRET_KEY_PREFIX)
            .unwrap_or(secret_key);
        let code = Self::parse(data)?;
        if code.signing.is_some() {
            return Err(RecoveryCodeError::Length {
                expected: PART_CHARS,
                found: 2 * PART_CHARS,
            });
        }
        Ok(code)
    }

    /// A code as a person typed it: either case, with or without the `AGE-SECRET-KEY-1`
    /// prefix, spaces, dashes, line breaks and group numbers like `3.` ignored. Both parts,
    /// or the age key's part alone (an older code).
    ///
    /// # Errors
    /// [`RecoveryCodeError`] for a character the code cannot have, a wrong length, or a part
    /// whose checksum does not match (a mistyped character).
    pub fn parse(typed: &str) -> Result<Self, RecoveryCodeError> {
        let upper = typed.trim().to_uppercase();
        let without_prefix = upper.strip_prefix(SECRET_KEY_PREFIX).unwrap_or(&upper);
        let mut data = String::with_capacity(2 * PART_CHARS);
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
        let found = data.len();
        if found != PART_CHARS && found != 2 * PART_CHARS {
            return Err(RecoveryCodeError::Length {
                expected: 2 * PART_CHARS,
                found,
            });
        }
        let (age, signing) = data.split_at(PART_CHARS);
        checked_bytes::<Bech32>(AGE_HRP, age).ok_or(RecoveryCodeError::Checksum {
            part: CodePart::AgeKey,
        })?;
        let signing = if signing.is_empty() {
            None
        } else {
            checked_bytes::<Bech32m>(SIGNING_PART_HRP, signing).ok_or(
                RecoveryCodeError::Checksum {
                    part: CodePart::SigningKey,
                },
            )?;
            Some(signing.to_owned())
        };
        Ok(Self {
            age: age.to_owned(),
            signing,
        })
    }

    /// Whether the code carries the signing key (an older code does not).
    #[must_use]
    pub fn has_signing_key(&self) -> bool {
        self.signing.is_some()
    }

    /// The numbered groups, in order: four characters each, the last of each part two.
    #[must_use]
    pub fn groups(&self) -> Vec<&str> {
        std::iter::once(self.age.as_str())
            .chain(self.signing.as_deref())
            .flat_map(|part| {
                (0..GROUPS_PER_PART).map(move |group| {
                    let start = group * GROUP_CHARS;
                    &part[start..(start + GROUP_CHARS).min(PART_CHARS)]
                })
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

    /// The age secret key again, as age reads it.
    #[must_use]
    pub fn secret_key(&self) -> String {
        format!("{SECRET_KEY_PREFIX}{}", self.age)
    }

    /// The signing key's 32 secret bytes; `None` for an older code.
    #[must_use]
    pub fn signing_secret(&self) -> Option<[u8; 32]> {
        let bytes = checked_bytes::<Bech32m>(SIGNING_PART_HRP, self.signing.as_deref()?)?;
        bytes.try_into().ok()
    }

    /// The code as printed: numbered groups, five to a line, each part on its own lines.
    #[must_use]
    pub fn printable(&self) -> String {
        self.groups()
            .chunks(GROUPS_PER_LINE)
            .enumerate()
            .map(|(line, groups)| {
                groups
                    .iter()
                    .enumerate()
                    .map(|(column, group)| {
                        format!("{}. {group}", line * GROUPS_PER_LINE + column + 1)
                    })
                    .collect::<Vec<_>>()
                    .join("   ")
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// The bytes of a part (upper case, without its human-readable part) whose checksum under
/// `hrp` and checksum `Ck` matches, and which holds 32 of them.
fn checked_bytes<Ck: bech32::Checksum>(hrp: &str, part: &str) -> Option<Vec<u8>> {
    let text = format!("{hrp}1{}", part.to_ascii_lowercase());
    let checked = CheckedHrpstring::new::<Ck>(&text).ok()?;
    let bytes: Vec<u8> = checked.byte_iter().collect();
    (bytes.len() == 32).then_some(bytes)
}

impl fmt::Debug for RecoveryCode {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("RecoveryCode(redacted)")
    }
}

/// Two groups (0-based) to ask back, one of each part (so both were written down), chosen by
/// the caller's random bytes.
#[must_use]
pub fn groups_to_verify(random: [u8; 2]) -> [usize; 2] {
    [
        usize::from(random[0]) % GROUPS_PER_PART,
        GROUPS_PER_PART + usize::from(random[1]) % GROUPS_PER_PART,
    ]
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

    /// An age secret key of 32 bytes `fill`, as age writes it.
    fn age_key(fill: u8) -> String {
        bech32::encode_upper::<Bech32>(Hrp::parse_unchecked(AGE_HRP), &[fill; 32]).unwrap()
    }

    const SIGNING: [u8; 32] = [0x5a; 32];

    /// The golden code of [`age_key`]`(7)` and [`SIGNING`]: what a printed page shows. Both
    /// checksums were computed with the Python reference code of BIP 173 and BIP 350.
    const GOLDEN: &str = "\
1. QURS   2. WPC8   3. QURS   4. WPC8   5. QURS
6. WPC8   7. QURS   8. WPC8   9. QURS   10. WPC8
11. QURS   12. WPC8   13. QURS   14. KMP3   15. 2K
16. TFD9   17. 5KJ6   18. TFD9   19. 5KJ6   20. TFD9
21. 5KJ6   22. TFD9   23. 5KJ6   24. TFD9   25. 5KJ6
26. TFD9   27. 5KJ6   28. TFDQ   29. 6UYH   30. Q5";

    fn code() -> RecoveryCode {
        RecoveryCode::from_keys(&age_key(7), &SIGNING).unwrap()
    }

    #[test]
    fn the_code_is_both_keys_in_numbered_groups_and_reads_back() {
        let code = code();
        let groups = code.groups();
        assert_eq!(groups.len(), RECOVERY_GROUPS);
        assert_eq!(groups.len(), 30);
        assert_eq!(
            groups[14].len(),
            2,
            "the age key's part ends with a group of two"
        );
        assert_eq!(groups[29].len(), 2, "so does the signing key's");
        assert_eq!(code.printable(), GOLDEN);
        assert_eq!(code.secret_key(), age_key(7));
        assert_eq!(code.signing_secret(), Some(SIGNING));
        assert!(code.has_signing_key());
        assert_eq!(format!("{code:?}"), "RecoveryCode(redacted)");
    }

    #[test]
    fn spaces_dashes_case_and_group_numbers_do_not_matter() {
        let code = code();
        let groups = code.groups();
        for typed in [
            GOLDEN.to_owned(),
            GOLDEN.to_lowercase(),
            groups.join(""),
            groups.join("-"),
            groups.join(" - ").to_lowercase(),
            groups
                .iter()
                .enumerate()
                .map(|(index, group)| format!("{}) {group}\n", index + 1))
                .collect(),
            format!("{}{}", age_key(7), groups[15..].join(" ")),
        ] {
            assert_eq!(RecoveryCode::parse(&typed), Ok(code.clone()), "{typed}");
        }
    }

    proptest::proptest! {
        #[test]
        fn any_two_keys_read_back_from_the_printed_code(
            age_bytes in proptest::array::uniform32(proptest::num::u8::ANY),
            signing in proptest::array::uniform32(proptest::num::u8::ANY),
        ) {
            let age = bech32::encode_upper::<Bech32>(Hrp::parse_unchecked(AGE_HRP), &age_bytes).unwrap();
            let code = RecoveryCode::from_keys(&age, &signing).unwrap();
            let read = RecoveryCode::parse(&code.printable().to_lowercase()).unwrap();
            proptest::prop_assert_eq!(read.secret_key(), age);
            proptest::prop_assert_eq!(read.signing_secret(), Some(signing));
            proptest::prop_assert_eq!(read.groups().len(), RECOVERY_GROUPS);
        }
    }

    #[test]
    fn an_older_code_of_the_age_key_alone_still_reads() {
        let older = RecoveryCode::from_secret_key(&age_key(7)).unwrap();
        assert_eq!(older.groups(), code().groups()[..GROUPS_PER_PART]);
        assert!(!older.has_signing_key());
        assert_eq!(older.signing_secret(), None);
        let printed: String = GOLDEN.lines().take(3).collect::<Vec<_>>().join("\n");
        assert_eq!(RecoveryCode::parse(&printed), Ok(older.clone()));
        assert_eq!(
            RecoveryCode::parse(&age_key(7).to_lowercase()),
            Ok(older.clone())
        );
        assert_eq!(older.secret_key(), age_key(7));
        assert_eq!(older.printable(), printed);
    }

    /// The 116 characters of the code, changed by `edit`.
    fn edited(edit: impl Fn(&mut Vec<char>)) -> String {
        let mut characters: Vec<char> = code().groups().concat().chars().collect();
        edit(&mut characters);
        characters.into_iter().collect()
    }

    fn part_of(index: usize) -> CodePart {
        if index < PART_CHARS {
            CodePart::AgeKey
        } else {
            CodePart::SigningKey
        }
    }

    #[test]
    fn every_single_wrong_character_is_caught_and_its_part_named() {
        for index in 0..2 * PART_CHARS {
            for replacement in BECH32_UPPER.iter().map(|&byte| char::from(byte)) {
                let typed = edited(|characters| characters[index] = replacement);
                if typed == code().groups().concat() {
                    continue;
                }
                assert_eq!(
                    RecoveryCode::parse(&typed),
                    Err(RecoveryCodeError::Checksum {
                        part: part_of(index)
                    }),
                    "character {index} typed as {replacement}"
                );
            }
        }
    }

    #[test]
    fn every_two_swapped_characters_are_caught() {
        for index in 0..2 * PART_CHARS - 1 {
            let typed = edited(|characters| characters.swap(index, index + 1));
            if typed == code().groups().concat() {
                continue;
            }
            let caught = RecoveryCode::parse(&typed);
            assert!(
                matches!(caught, Err(RecoveryCodeError::Checksum { .. })),
                "characters {index} and {} swapped: {caught:?}",
                index + 1
            );
        }
    }

    #[test]
    fn a_mistyped_code_says_what_is_wrong() {
        let code = code();
        let groups = code.groups();
        assert_eq!(
            RecoveryCode::parse("GFPY YSJZ"),
            Err(RecoveryCodeError::Length {
                expected: 116,
                found: 8
            })
        );
        assert_eq!(
            RecoveryCode::parse(&groups[..29].join(" ")),
            Err(RecoveryCodeError::Length {
                expected: 116,
                found: 114
            }),
            "a group left out"
        );
        assert_eq!(
            RecoveryCode::parse(&GOLDEN.replace('Q', "B")),
            Err(RecoveryCodeError::Character { character: 'B' })
        );
        assert_eq!(
            RecoveryCodeError::Checksum {
                part: CodePart::SigningKey
            }
            .to_string(),
            "the recovery code has a mistake in groups 16 to 30"
        );
    }

    #[test]
    fn groups_are_checked_one_by_one_ignoring_case_and_spaces() {
        let code = code();
        assert!(code.group_matches(0, " qu rs "));
        assert!(!code.group_matches(0, "WPC8"));
        assert!(code.group_matches(29, "q5"));
        assert!(!code.group_matches(RECOVERY_GROUPS, ""));
    }

    #[test]
    fn one_group_of_each_part_is_asked_back() {
        for first in 0..=255_u8 {
            for second in [0, 1, 13, 14, 200, 255] {
                let [a, b] = groups_to_verify([first, second]);
                assert!(a < GROUPS_PER_PART, "{a}");
                assert!((GROUPS_PER_PART..RECOVERY_GROUPS).contains(&b), "{b}");
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
