//! Passphrases people can live with and attackers cannot guess: generated ones made of words
//! from a published word list, and a strength estimate that refuses weak chosen ones.
//!
//! # Word list
//! `passphrase/eff_short_wordlist_1.txt` is the Electronic Frontier Foundation's short word
//! list ("EFF's New Wordlists for Random Passphrases", Joseph Bonneau, 2016,
//! <https://www.eff.org/deeplinks/2016/07/new-wordlists-random-passphrases>; the file
//! `eff_short_wordlist_1.txt`), 1,296 short, distinct, easily typed English words, licensed
//! under CC BY 3.0 US (<https://creativecommons.org/licenses/by/3.0/us/>) — attribution:
//! Electronic Frontier Foundation. The dice numbers are dropped: one word a line, in the
//! list's order. Each word chosen at random adds log2(1296) ≈ 10.3 bits.
//!
//! # Strength estimate
//! A chosen passphrase is estimated with the published rule of NIST SP 800-63-1 (2011),
//! Appendix A, for user-chosen passwords: 4 bits for the first character, 2 bits each for
//! the 2nd to 8th, 1.5 bits each for the 9th to 20th, 1 bit each after that, and 6 bits more
//! when it has both upper-case and non-letter characters (no dictionary bonus: the app carries
//! no dictionary). Before counting, runs of one character count once and a passphrase that
//! repeats a shorter part counts as that part. A passphrase made only of words of the list
//! counts 10.3 bits for each different word when that is more. This module does no random
//! numbers: the caller gives the random bytes.

/// The EFF short word list (see the module documentation for its source and licence).
const EFF_SHORT_WORDLIST: &str = include_str!("passphrase/eff_short_wordlist_1.txt");

/// Words in the list.
pub const WORD_LIST_LEN: usize = 1296;

/// Words in a passphrase the app suggests for locking the key on a device.
pub const GENERATED_WORDS: usize = 5;

/// Words in the recovery passphrase that locks the recovery file.
pub const RECOVERY_WORDS: usize = 6;

/// The weakest estimate accepted, in bits: a generated passphrase (51 bits) passes, and so
/// does a chosen sentence of about 30 characters (or 23 with capitals and digits or signs).
pub const MIN_STRENGTH_BITS: u32 = 45;

/// Tenths of a bit one random word of the list adds (log2(1296) = 10.34).
const WORD_TENTH_BITS: u32 = 103;

/// Random bytes per generated word.
const BYTES_PER_WORD: usize = 4;

/// The words of the list, in order.
pub fn words() -> impl Iterator<Item = &'static str> {
    EFF_SHORT_WORDLIST
        .lines()
        .map(str::trim)
        .filter(|word| !word.is_empty())
}

/// A passphrase of `N / 4` words of the list, separated by spaces, chosen by the caller's
/// cryptographically random bytes (four a word; the modulo bias of 2^32 over 1,296 is below
/// one in three million).
#[must_use]
pub fn generated_passphrase<const N: usize>(random: [u8; N]) -> String {
    let chosen: Vec<&str> = random
        .chunks_exact(BYTES_PER_WORD)
        .filter_map(|chunk| {
            let value = chunk
                .iter()
                .fold(0_u32, |value, byte| (value << 8) | u32::from(*byte));
            let index = usize::try_from(value).unwrap_or_default() % WORD_LIST_LEN;
            words().nth(index)
        })
        .collect();
    chosen.join(" ")
}

/// A recovery passphrase as typed back: case and the spaces around and between the words do
/// not matter.
#[must_use]
pub fn normalised_words(typed: &str) -> String {
    typed
        .split_whitespace()
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

/// The estimated strength of `passphrase` in whole bits (see the module documentation).
#[must_use]
pub fn estimated_strength_bits(passphrase: &str) -> u32 {
    word_list_tenth_bits(passphrase).max(character_tenth_bits(passphrase)) / 10
}

/// 10.3 bits for each different word when every word is one of the list's; else 0.
fn word_list_tenth_bits(passphrase: &str) -> u32 {
    let mut typed: Vec<String> = passphrase
        .split_whitespace()
        .map(str::to_lowercase)
        .collect();
    if typed.is_empty()
        || !typed
            .iter()
            .all(|word| words().any(|listed| listed == word))
    {
        return 0;
    }
    typed.sort_unstable();
    typed.dedup();
    u32::try_from(typed.len())
        .unwrap_or(u32::MAX)
        .saturating_mul(WORD_TENTH_BITS)
}

/// NIST SP 800-63-1 Appendix A, in tenths of a bit, of the passphrase reduced to its shortest
/// repeated part with runs of one character counted once.
fn character_tenth_bits(passphrase: &str) -> u32 {
    let mut reduced: Vec<char> = passphrase.chars().collect();
    reduced.dedup();
    let reduced = shortest_repeated_part(&reduced);
    let length_bits: u32 = (1..=reduced.len())
        .map(|position| match position {
            1 => 40,
            2..=8 => 20,
            9..=20 => 15,
            _ => 10,
        })
        .sum();
    let has_upper = reduced.iter().any(|character| character.is_uppercase());
    let has_non_letter = reduced.iter().any(|character| !character.is_alphabetic());
    length_bits + if has_upper && has_non_letter { 60 } else { 0 }
}

/// The shortest part that `characters` repeats (itself when it repeats none).
fn shortest_repeated_part(characters: &[char]) -> &[char] {
    (1..characters.len())
        .find(|&period| {
            characters
                .iter()
                .zip(&characters[period..])
                .all(|(a, b)| a == b)
                && characters.len() >= 2 * period
        })
        .map_or(characters, |period| &characters[..period])
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly on purpose")]

    use super::*;

    #[test]
    fn the_list_is_the_eff_short_list_of_1296_distinct_words() {
        let listed: Vec<&str> = words().collect();
        assert_eq!(listed.len(), WORD_LIST_LEN);
        assert_eq!(listed[..3], ["acid", "acorn", "acre"]);
        assert_eq!(listed[WORD_LIST_LEN - 1], "zoom");
        let mut distinct = listed.clone();
        distinct.sort_unstable();
        distinct.dedup();
        assert_eq!(distinct.len(), WORD_LIST_LEN);
    }

    #[test]
    fn generated_passphrases_are_list_words_chosen_by_the_random_bytes() {
        let zeros = generated_passphrase([0_u8; 4 * GENERATED_WORDS]);
        assert_eq!(zeros, "acid acid acid acid acid");
        let mut random = [0_u8; 4 * RECOVERY_WORDS];
        for (index, byte) in random.iter_mut().enumerate() {
            *byte = u8::try_from(index * 37 % 256).unwrap();
        }
        let generated = generated_passphrase(random);
        assert_eq!(generated.split(' ').count(), RECOVERY_WORDS);
        assert!(
            generated
                .split(' ')
                .all(|word| words().any(|listed| listed == word))
        );
        // The last word of the list is reachable: 1295 = 0x50F.
        assert_eq!(generated_passphrase([0, 0, 5, 15]), "zoom");
    }

    #[test]
    fn five_different_generated_words_are_strong_enough_and_repeated_ones_are_not() {
        assert!(estimated_strength_bits("acid acorn acre acts afar") >= MIN_STRENGTH_BITS);
        assert_eq!(estimated_strength_bits("acid acorn acre acts afar"), 51);
        assert!(estimated_strength_bits("ACID  Acorn acre acts afar") >= MIN_STRENGTH_BITS);
        assert!(estimated_strength_bits("acid acid acid acid acid") < MIN_STRENGTH_BITS);
        assert!(estimated_strength_bits("acid acorn acre acts") < MIN_STRENGTH_BITS);
    }

    #[test]
    fn chosen_passphrases_need_length_and_repeats_count_once() {
        // NIST SP 800-63-1 Appendix A: 4 + 7 × 2 + 12 × 1.5 + 5 × 1.
        assert_eq!(estimated_strength_bits("crveni krov na brdu sedam"), 41);
        assert!(estimated_strength_bits("crveni krov na brdu sedam") < MIN_STRENGTH_BITS);
        assert!(
            estimated_strength_bits("plava reka ispod starog mosta kod crkve") >= MIN_STRENGTH_BITS
        );
        // Capitals and a digit or sign: 6 bits more.
        assert_eq!(estimated_strength_bits("Crveni krov na brdu 7!"), 44);
        assert!(estimated_strength_bits(&"a".repeat(64)) < 5);
        assert_eq!(
            estimated_strength_bits("lozinka1lozinka1lozinka1lozinka1lozinka1"),
            estimated_strength_bits("lozinka1")
        );
        assert!(estimated_strength_bits("зелена ливада у мају") < MIN_STRENGTH_BITS);
    }

    #[test]
    fn recovery_words_read_back_whatever_the_case_and_spacing() {
        assert_eq!(
            normalised_words("  Acid\tACORN  acre \n"),
            "acid acorn acre"
        );
    }
}
