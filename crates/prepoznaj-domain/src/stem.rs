//! A light stemmer for Serbian, for search: it cuts the inflectional ending off a word so
//! that the cases of a noun or an adjective and the forms of a verb meet at one stem
//! ("заштита", "заштите", "заштиту", "заштитом" → `zastit`; "сумња", "сумњу" → `sumnj`;
//! "пријава", "пријавити", "пријави" → `prijav`).
//!
//! It works on words already folded by [`crate::search::fold`]: lower-case ASCII Latin, no
//! diacritics, Cyrillic transliterated, so both scripts stem alike. It knows only endings, no
//! dictionary: it removes the longest ending from its table that leaves a stem of at least
//! [`MIN_STEM`] letters with a vowel (or a syllabic `r`, as in `trg`). Endings that are also
//! the last letters of a common noun stem before a case ending (`-ite`, `-iti`, `-ate`, `-ati`,
//! `-ete`, `-eti`: "заштит-е" is not "зашт-ите") are cut only from words long enough to keep
//! [`MIN_VERB_STEM`] letters, so nouns keep their stem and longer verbs still lose the ending.
//!
//! **Limits**, by design of a light stemmer: sound changes inside the stem are not undone
//! (the fleeting `a` of "новац"/"новца", "посао"/"посла"; `k`/`c` of "знак"/"знаци";
//! suppletive "дете"/"деца"), so such forms stem apart; prefixes ("нај-", "не-") stay; a
//! word of one language can be cut as if it were Serbian (it is meant for Serbian text
//! only), and two unrelated words can share a stem ("дело", "делите"). Words with a digit or
//! any character outside `a`–`z` are returned whole. Search makes up for some of this by
//! also matching words that start with a stem of four letters or more.
//!
//! Pure: no IO, no state, no allocation (the stem is a prefix of the word).

/// The fewest letters a stem keeps: shorter words are returned whole.
pub const MIN_STEM: usize = 3;

/// The fewest letters a stem keeps when the ending cut is one of [`NOUN_LIKE_ENDINGS`].
pub const MIN_VERB_STEM: usize = 5;

/// Verb endings that are also a noun stem's last letters plus a case ending.
const NOUN_LIKE_ENDINGS: [&str; 6] = ["ite", "iti", "ate", "ati", "ete", "eti"];

/// Inflectional endings, folded (no diacritics), longest first: what [`stem`] may cut.
const ENDINGS: &[&str] = &[
    // Verbs: infinitives of -ovati/-ivati (kupovati, zapisivati), present forms and the
    // present participle of -ovati verbs (kupujemo, kupujete, kupujući), -ajući (pitajući).
    "ovati", "ivati", "ujemo", "ujete", "ajuci", "ujuci", //
    // Nouns and adjectives: plurals with -ov-/-ev- (gradovima), -ija nouns (policijama).
    "ovima", "evima", "ijama", //
    // Verbs: present of -ovati (kupujem, kupuješ).
    "ujem", "ujes", //
    // Nouns: -ija nouns (policijom, policijem).
    "ijom", "ijem", //
    // Three letters: cases (-ama, -ima, -oga, -ome, -omu, -ega, -emu, -ovi, -ova, -ove, -evi,
    // -eva, -eve, -ija, -ije, -iji, -iju), verbs (-ati, -iti, -eti, -uti, -amo, -imo, -emo,
    // -ate, -ite, -ete, -aju, -uje, -uju, -uci, -eci, past -ala/-ali/-alo/-ale, -ila/-ili/-ilo/
    // -ile, -ela/-eli/-elo/-ele).
    "ama", "ima", "oga", "ome", "omu", "ega", "emu", "ovi", "ova", "ove", "evi", "eva", "eve",
    "ija", "ije", "iji", "iju", "ati", "iti", "eti", "uti", "amo", "imo", "emo", "ate", "ite",
    "ete", "aju", "uje", "uju", "uci", "eci", "ala", "ali", "alo", "ale", "ila", "ili", "ilo",
    "ile", "ela", "eli", "elo", "ele", //
    // Two letters: cases (-om, -em, -og, -ih, -im, -oj), verbs (-am, -aš, -iš, -eš, past
    // -ao, -io, -eo).
    "om", "em", "og", "ih", "im", "oj", "am", "as", "is", "es", "ao", "io", "eo", //
    // One letter: cases and verb forms.
    "a", "e", "i", "o", "u",
];

/// The stem of a folded word: the word without its longest inflectional ending; the whole
/// word when it is short, when nothing in [`ENDINGS`] fits, or when it holds anything but
/// `a`–`z`. Never empty for a non-empty word.
#[must_use]
pub fn stem(word: &str) -> &str {
    if !word.bytes().all(|byte| byte.is_ascii_lowercase()) {
        return word;
    }
    ENDINGS
        .iter()
        .filter(|ending| word.ends_with(*ending))
        .map(|ending| (ending, &word[..word.len() - ending.len()]))
        .find(|(ending, stem)| {
            let min = if NOUN_LIKE_ENDINGS.contains(ending) {
                MIN_VERB_STEM
            } else {
                MIN_STEM
            };
            stem.len() >= min && stem.bytes().any(|byte| b"aeiour".contains(&byte))
        })
        .map_or(word, |(_, stem)| stem)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::fold;
    use crate::transliteration::to_latin;
    use proptest::prelude::*;

    fn stem_of(word: &str) -> String {
        stem(&fold(word)).to_owned()
    }

    #[test]
    fn endings_are_listed_longest_first_and_once() {
        assert!(
            ENDINGS
                .windows(2)
                .all(|pair| pair[0].len() >= pair[1].len())
        );
        for (index, ending) in ENDINGS.iter().enumerate() {
            assert!(!ENDINGS[index + 1..].contains(ending), "{ending} twice");
        }
        assert!(
            NOUN_LIKE_ENDINGS
                .iter()
                .all(|ending| ENDINGS.contains(ending))
        );
    }

    /// Every form on a line stems to the line's stem (the first word), in Cyrillic and in
    /// Latin.
    const PARADIGMS: [&str; 19] = [
        "zastit заштита заштите заштити заштиту заштитом заштитама zaštita",
        "sumnj сумња сумње сумњи сумњу сумњом сумњама sumnja",
        "skol школа школе школи школу школом школама škola",
        "polic полиција полиције полицији полицију полицијом policija",
        "trgovin трговина трговине трговини трговину трговином",
        "roditelj родитељ родитеља родитељу родитељем родитељи родитељима",
        "telefon телефон телефона телефону телефоном телефони телефонима",
        "direktor директор директора директору директором директори",
        "nasilj насиље насиља насиљу насиљем",
        "drustv друштво друштва друштву друштвом",
        "grad град града граду градом градови градова градовима",
        "socijaln социјални социјална социјално социјалног социјалнога социјалном",
        "socijaln социјалноме социјалнему социјалним социјалних социјалној социјалнима",
        "prijav пријава пријави пријавити пријавим пријавиш пријавимо пријавио пријавила",
        "obavest обавестити обавестите обавести обавестио обавестила",
        "pit питам питаш пита питамо питају питао питала питали",
        "kup куповати купујем купујеш купује купујемо купујете купују купујући",
        "vid видим видиш види видимо виде видео видела видели",
        "iskoriscav искоришћавати искоришћава искоришћавају искоришћавао",
    ];

    #[test]
    fn the_forms_of_a_word_share_its_stem() {
        for line in PARADIGMS {
            let mut words = line.split(' ');
            let expected = words.next().unwrap_or_default();
            for form in words {
                assert_eq!(stem_of(form), expected, "{form}");
                assert_eq!(stem_of(&to_latin(form)), expected, "{form} in Latin");
            }
        }
    }

    #[test]
    fn short_and_foreign_words_stay_whole() {
        for word in [
            "ko", "za", "je", "mup", "sos", "rad", "192", "0800", "covid19", "e-mail", "",
        ] {
            assert_eq!(stem(word), word);
        }
        // A stem keeps three letters and a vowel: "брак" is not cut to "br".
        assert_eq!(stem("braka"), "brak");
        assert_eq!(stem("trga"), "trg");
        assert_eq!(stem("tima"), "tim");
        // Nouns ending in -it keep it; long verbs lose -ite/-iti.
        assert_eq!(stem("zastite"), "zastit");
        assert_eq!(stem("pratite"), "pratit");
        assert_eq!(stem("koristite"), "korist");
    }

    proptest! {
        #[test]
        fn a_stem_is_a_non_empty_prefix_of_at_least_three_letters(word in "[a-z]{1,16}") {
            let stemmed = stem(&word);
            prop_assert!(!stemmed.is_empty());
            prop_assert!(word.starts_with(stemmed));
            prop_assert!(stemmed.len() >= MIN_STEM.min(word.len()));
            // A stem stemmed again stays a stem: a prefix, never below the minimum.
            let again = stem(stemmed);
            prop_assert!(stemmed.starts_with(again));
            prop_assert!(again.len() >= MIN_STEM.min(word.len()));
        }

        #[test]
        fn cyrillic_latin_and_capitals_stem_alike(word in "[а-шђјљњћџ]{1,14}") {
            let cyrillic = fold(&word);
            let latin = fold(&to_latin(&word));
            let capitals = fold(&word.to_uppercase());
            prop_assert_eq!(stem(&cyrillic), stem(&latin));
            prop_assert_eq!(stem(&cyrillic), stem(&capitals));
        }
    }
}
