//! Serbian Cyrillic → Serbian Latin transliteration.
//!
//! Serbian text is written once, in Cyrillic; Latin is always derived from it with
//! [`to_latin`], so the two scripts cannot drift. The mapping is one-to-one per letter
//! (љ→lj, њ→nj, џ→dž are digraphs in Latin). The reverse is ambiguous ("konjunkcija",
//! "nadživeti"), so Latin text is never transliterated back and never written by hand.
//!
//! Everything that is not a Serbian Cyrillic letter (Latin words, digits, punctuation,
//! placeholders such as `{count}`) passes through unchanged.

/// Transliterates Serbian Cyrillic text to Serbian Latin.
///
/// Capitalisation of the digraphs follows the surrounding word: `Љубав` → `Ljubav`,
/// `ЉУБАВ` → `LJUBAV`, and a lone capital `Џ` in an all-caps word stays all-caps.
#[must_use]
pub fn to_latin(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut latin = String::with_capacity(text.len());
    for (index, &letter) in chars.iter().enumerate() {
        match latin_for(letter) {
            None => latin.push(letter),
            Some(Latin::Single(replacement)) => latin.push(replacement),
            Some(Latin::Digraph(capital, lower_second, upper_second)) => {
                latin.push(capital);
                let previous = index.checked_sub(1).and_then(|i| chars.get(i)).copied();
                let next = chars.get(index + 1).copied();
                latin.push(if digraph_in_capitals(previous, next) {
                    upper_second
                } else {
                    lower_second
                });
            }
            Some(Latin::LowerDigraph(first, second)) => {
                latin.push(first);
                latin.push(second);
            }
        }
    }
    latin
}

/// Whether `text` contains at least one Serbian Cyrillic letter.
#[must_use]
pub fn has_cyrillic(text: &str) -> bool {
    text.chars().any(|letter| latin_for(letter).is_some())
}

/// The Latin letters for one Serbian Cyrillic letter, in the case of the Cyrillic letter's
/// first Latin letter (`љ` → `('l', Some('j'))`, `Љ` → `('L', Some('j'))`); `None` for
/// anything else. Used by [`crate::search`], which lower-cases first and so needs no
/// capitalisation rule.
pub(crate) fn latin_letters(letter: char) -> Option<(char, Option<char>)> {
    match latin_for(letter)? {
        Latin::Single(single) => Some((single, None)),
        Latin::Digraph(first, second, _) | Latin::LowerDigraph(first, second) => {
            Some((first, Some(second)))
        }
    }
}

/// What one Cyrillic letter becomes in Latin.
enum Latin {
    Single(char),
    /// An upper-case digraph: the capital first letter, and the second letter in lower and in
    /// upper case.
    Digraph(char, char, char),
    /// A lower-case digraph.
    LowerDigraph(char, char),
}

/// A capital digraph is written all in capitals when the word around it is in capitals:
/// the next letter is a capital, or there is no next letter and the previous one is a capital.
fn digraph_in_capitals(previous: Option<char>, next: Option<char>) -> bool {
    match next.and_then(letter_case) {
        Some(capital) => capital,
        None => previous.and_then(letter_case).unwrap_or(false),
    }
}

/// For a letter of a Serbian word (Cyrillic, or ASCII in a Latin word), whether it is a capital;
/// `None` for anything else. Decided from code points, without Unicode's case tables, which
/// would cost the app's first load more than the transliteration itself.
fn letter_case(letter: char) -> Option<bool> {
    match letter {
        '\u{400}'..='\u{42F}' => Some(true),
        '\u{430}'..='\u{45F}' => Some(false),
        _ if letter.is_ascii_alphabetic() => Some(letter.is_ascii_uppercase()),
        _ => None,
    }
}

fn latin_for(letter: char) -> Option<Latin> {
    let single = match letter {
        'а' => 'a',
        'б' => 'b',
        'в' => 'v',
        'г' => 'g',
        'д' => 'd',
        'ђ' => 'đ',
        'е' => 'e',
        'ж' => 'ž',
        'з' => 'z',
        'и' => 'i',
        'ј' => 'j',
        'к' => 'k',
        'л' => 'l',
        'м' => 'm',
        'н' => 'n',
        'о' => 'o',
        'п' => 'p',
        'р' => 'r',
        'с' => 's',
        'т' => 't',
        'ћ' => 'ć',
        'у' => 'u',
        'ф' => 'f',
        'х' => 'h',
        'ц' => 'c',
        'ч' => 'č',
        'ш' => 'š',
        'А' => 'A',
        'Б' => 'B',
        'В' => 'V',
        'Г' => 'G',
        'Д' => 'D',
        'Ђ' => 'Đ',
        'Е' => 'E',
        'Ж' => 'Ž',
        'З' => 'Z',
        'И' => 'I',
        'Ј' => 'J',
        'К' => 'K',
        'Л' => 'L',
        'М' => 'M',
        'Н' => 'N',
        'О' => 'O',
        'П' => 'P',
        'Р' => 'R',
        'С' => 'S',
        'Т' => 'T',
        'Ћ' => 'Ć',
        'У' => 'U',
        'Ф' => 'F',
        'Х' => 'H',
        'Ц' => 'C',
        'Ч' => 'Č',
        'Ш' => 'Š',
        'љ' => return Some(Latin::LowerDigraph('l', 'j')),
        'њ' => return Some(Latin::LowerDigraph('n', 'j')),
        'џ' => return Some(Latin::LowerDigraph('d', 'ž')),
        'Љ' => return Some(Latin::Digraph('L', 'j', 'J')),
        'Њ' => return Some(Latin::Digraph('N', 'j', 'J')),
        'Џ' => return Some(Latin::Digraph('D', 'ž', 'Ž')),
        _ => return None,
    };
    Some(Latin::Single(single))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_lower_case_letter_of_the_alphabet() {
        let cyrillic = "абвгдђежзијклљмнњопрстћуфхцчџш";
        assert_eq!(to_latin(cyrillic), "abvgdđežzijklljmnnjoprstćufhcčdžš");
    }

    #[test]
    fn every_capital_letter_alone_before_lower_case() {
        let pairs = [
            ("Аа", "Aa"),
            ("Бб", "Bb"),
            ("Вв", "Vv"),
            ("Гг", "Gg"),
            ("Дд", "Dd"),
            ("Ђђ", "Đđ"),
            ("Ее", "Ee"),
            ("Жж", "Žž"),
            ("Зз", "Zz"),
            ("Ии", "Ii"),
            ("Јј", "Jj"),
            ("Кк", "Kk"),
            ("Лл", "Ll"),
            ("Љљ", "Ljlj"),
            ("Мм", "Mm"),
            ("Нн", "Nn"),
            ("Њњ", "Njnj"),
            ("Оо", "Oo"),
            ("Пп", "Pp"),
            ("Рр", "Rr"),
            ("Сс", "Ss"),
            ("Тт", "Tt"),
            ("Ћћ", "Ćć"),
            ("Уу", "Uu"),
            ("Фф", "Ff"),
            ("Хх", "Hh"),
            ("Цц", "Cc"),
            ("Чч", "Čč"),
            ("Џџ", "Dždž"),
            ("Шш", "Šš"),
        ];
        for (cyrillic, latin) in pairs {
            assert_eq!(to_latin(cyrillic), latin, "{cyrillic}");
        }
    }

    #[test]
    fn all_capitals_alphabet() {
        let cyrillic = "АБВГДЂЕЖЗИЈКЛЉМНЊОПРСТЋУФХЦЧЏШ";
        assert_eq!(to_latin(cyrillic), "ABVGDĐEŽZIJKLLJMNNJOPRSTĆUFHCČDŽŠ");
    }

    #[test]
    fn digraph_capitalisation_follows_the_word() {
        assert_eq!(to_latin("Љубав"), "Ljubav");
        assert_eq!(to_latin("ЉУБАВ"), "LJUBAV");
        assert_eq!(to_latin("Његош"), "Njegoš");
        assert_eq!(to_latin("ЊЕГОШ"), "NJEGOŠ");
        assert_eq!(to_latin("Џеп"), "Džep");
        assert_eq!(to_latin("ЏЕП"), "DŽEP");
        // Digraph at the end of an all-caps word, and a lone capital letter.
        assert_eq!(to_latin("КОЊ"), "KONJ");
        assert_eq!(to_latin("Љ"), "Lj");
        assert_eq!(to_latin("Џ."), "Dž.");
        // Next to a digit or punctuation, the other side decides.
        assert_eq!(to_latin("ЉУ2"), "LJU2");
        assert_eq!(to_latin("Њ-Е"), "Nj-E");
        assert_eq!(to_latin("А Љ"), "A Lj");
        assert_eq!(to_latin("АЉ"), "ALJ");
    }

    #[test]
    fn sentence_with_latin_words_numbers_and_punctuation_is_untouched_outside_cyrillic() {
        assert_eq!(
            to_latin("Позовите 192 (полиција) или SOS линију ASTRA: +381 11 785 0000!"),
            "Pozovite 192 (policija) ili SOS liniju ASTRA: +381 11 785 0000!"
        );
        assert_eq!(to_latin("{answered} од {total}"), "{answered} od {total}");
        assert_eq!(
            to_latin("Zaštita — already Latin"),
            "Zaštita — already Latin"
        );
    }

    #[test]
    fn real_phrases() {
        assert_eq!(to_latin("Ново запажање"), "Novo zapažanje");
        assert_eq!(to_latin("Смернице"), "Smernice");
        assert_eq!(
            to_latin("Ђачки дневник, џемпер, ћуприја"),
            "Đački dnevnik, džemper, ćuprija"
        );
        assert_eq!(to_latin("ЗАШТИТА ДЕЦЕ"), "ZAŠTITA DECE");
    }

    #[test]
    fn detects_cyrillic() {
        assert!(has_cyrillic("сумња"));
        assert!(!has_cyrillic("sumnja 192"));
    }

    proptest::proptest! {
        #[test]
        fn text_without_cyrillic_is_unchanged(text in "[ -~čćžšđČĆŽŠĐ\n]{0,64}") {
            proptest::prop_assert_eq!(to_latin(&text), text);
        }

        #[test]
        fn latin_output_never_contains_cyrillic(text in "[а-шА-ШђјљњћџЂЈЉЊЋЏ 0-9.,]{0,64}") {
            proptest::prop_assert!(!has_cyrillic(&to_latin(&text)));
        }
    }
}
