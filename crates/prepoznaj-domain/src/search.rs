//! Script- and diacritic-insensitive search over the guidance and indicator texts, with
//! match ranges in the original text so the screen can highlight them in its own script.
//!
//! [`fold`] maps text to a search form: lower case, Serbian Cyrillic transliterated to Latin
//! (through [`crate::transliteration`]), diacritics dropped (`č`, `ć` → `c`, `š` → `s`,
//! `ž` → `z`, `é` → `e`, …), typographic quotes, dashes and ellipses made plain, runs of
//! white space collapsed to one space, and invisible characters (soft hyphen, zero-width
//! space, combining marks) dropped. So "sumnja" finds "сумња", "СУМЊА" finds "sumnja" and
//! "zastita" finds "zaštita" and "заштита".
//!
//! **`đ` and `dj`.** People type `đ` as "dj" or as "d". Both the text and the query fold
//! `đ` (and `ђ`) to `d` *and* fold the pair `dj` (and `дј`) to `d`, so "djak", "dak", "đak"
//! and "ђак" all find one another. The price is a few harmless extra hits: "podjela" and
//! "podela" fold alike, as do "adjust" and "adust". Because the same function folds text and
//! query, a word or any prefix of a word always finds itself; only a query that starts
//! between a `d` and its `j` ("jak" in "djak") can miss.
//!
//! A query is split into words; a text matches when it contains every word (AND). An empty or
//! white-space query matches nothing. Matches come back as byte ranges of the original text,
//! on character boundaries, sorted and merged where they overlap or touch. A match that starts
//! or ends inside one character's expansion (the `j` of `љ` → `lj`) covers the whole
//! character.
//!
//! **Cost.** [`FoldedText::new`] folds a text once: O(n) time and one range (two `usize`,
//! 8 bytes on wasm32) per folded byte, so about 1.2 MB for 150 KB of text. A search folds
//! only the query and scans each folded text once per query word with `str::match_indices`:
//! O(words × n). For the guidance plus 62 indicators in three locales (about 150 KB) that is
//! a few hundred kilobytes of byte comparisons per keystroke: well under the 16 ms of a frame
//! even on a slow phone (an unoptimised native build folds 200 KB and runs seven searches
//! over it in about 30 ms, see `a_large_corpus_is_searched_quickly`).
//!
//! This module does no IO and keeps no state beyond the folded texts it is given.

use std::ops::Range;

use crate::transliteration::latin_letters;

/// The search form of `text`: see the module documentation for the rules.
#[must_use]
pub fn fold(text: &str) -> String {
    fold_with_origins(text).folded
}

/// A text folded once for searching, with a map from folded to original positions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoldedText {
    original: String,
    folded: String,
    /// For each byte of `folded`, the byte range of the original character(s) it came from.
    origins: Vec<Range<usize>>,
}

impl FoldedText {
    /// Folds `original`; O(n).
    #[must_use]
    pub fn new(original: impl Into<String>) -> FoldedText {
        let original = original.into();
        let Folded { folded, origins } = fold_with_origins(&original);
        FoldedText {
            original,
            folded,
            origins,
        }
    }

    /// The text as given.
    #[must_use]
    pub fn original(&self) -> &str {
        &self.original
    }

    /// The text's search form.
    #[must_use]
    pub fn folded(&self) -> &str {
        &self.folded
    }

    /// The byte ranges of the original text that match `query`, sorted and merged; `None`
    /// when the query is empty or one of its words does not occur. O(words × n).
    #[must_use]
    pub fn find(&self, query: &SearchQuery) -> Option<Vec<Range<usize>>> {
        if query.is_empty() {
            return None;
        }
        let mut ranges = Vec::new();
        for word in &query.words {
            let before = ranges.len();
            for (at, found) in self.folded.match_indices(word.as_str()) {
                ranges.extend(self.original_range(at..at + found.len()));
            }
            if ranges.len() == before {
                return None;
            }
        }
        Some(merge(ranges))
    }

    /// Whether the text contains every word of `query`; an empty query matches nothing.
    #[must_use]
    pub fn matches(&self, query: &SearchQuery) -> bool {
        !query.is_empty()
            && query
                .words
                .iter()
                .all(|word| self.folded.contains(word.as_str()))
    }

    /// The original byte range behind a range of folded bytes (whole original characters).
    fn original_range(&self, folded: Range<usize>) -> Option<Range<usize>> {
        let first = self.origins.get(folded.start)?;
        let last = self.origins.get(folded.end.checked_sub(1)?)?;
        Some(first.start..last.end)
    }
}

/// A folded query: its distinct words, in the order typed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SearchQuery {
    words: Vec<String>,
}

impl SearchQuery {
    /// Folds `query` and splits it into words at white space.
    #[must_use]
    pub fn new(query: &str) -> SearchQuery {
        let mut words: Vec<String> = Vec::new();
        for word in fold(query).split(' ').filter(|word| !word.is_empty()) {
            if !words.iter().any(|known| known == word) {
                words.push(word.to_owned());
            }
        }
        SearchQuery { words }
    }

    /// Whether the query has no words (and so matches nothing).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// The folded words.
    #[must_use]
    pub fn words(&self) -> &[String] {
        &self.words
    }
}

/// Texts folded once, each under a key the caller chooses (an indicator id and a field,
/// say). Each text is matched on its own: to require the query's words across several
/// fields of one item, add the fields joined as one text.
#[derive(Debug, Clone)]
pub struct SearchIndex<K> {
    entries: Vec<(K, FoldedText)>,
}

impl<K> Default for SearchIndex<K> {
    fn default() -> Self {
        SearchIndex {
            entries: Vec::new(),
        }
    }
}

impl<K> SearchIndex<K> {
    #[must_use]
    pub fn new() -> SearchIndex<K> {
        SearchIndex::default()
    }

    /// Folds `text` and adds it under `key`.
    pub fn push(&mut self, key: K, text: impl Into<String>) {
        self.entries.push((key, FoldedText::new(text)));
    }

    #[must_use]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The texts that match `query`, in the order they were added; empty for an empty query.
    #[must_use]
    pub fn search(&self, query: &SearchQuery) -> Vec<SearchHit<'_, K>> {
        self.entries
            .iter()
            .filter_map(|(key, text)| {
                text.find(query).map(|ranges| SearchHit {
                    key,
                    text: text.original(),
                    ranges,
                })
            })
            .collect()
    }
}

impl<K, T: Into<String>> FromIterator<(K, T)> for SearchIndex<K> {
    fn from_iter<I: IntoIterator<Item = (K, T)>>(entries: I) -> Self {
        SearchIndex {
            entries: entries
                .into_iter()
                .map(|(key, text)| (key, FoldedText::new(text)))
                .collect(),
        }
    }
}

/// One matching text of a [`SearchIndex`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchHit<'a, K> {
    pub key: &'a K,
    /// The original text.
    pub text: &'a str,
    /// Byte ranges of `text` that match, sorted and merged.
    pub ranges: Vec<Range<usize>>,
}

impl<K> SearchHit<'_, K> {
    /// An excerpt around the first match: see [`snippet`].
    #[must_use]
    pub fn snippet(&self, context_chars: usize) -> Snippet {
        snippet(self.text, &self.ranges, context_chars)
    }
}

/// A short excerpt of a text, split into plain and highlighted parts.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Snippet {
    pub segments: Vec<SnippetSegment>,
    /// Text before the excerpt was left out (show "…" in front).
    pub cut_start: bool,
    /// Text after the excerpt was left out (show "…" after it).
    pub cut_end: bool,
}

/// A piece of a [`Snippet`]; highlighted pieces are matches (`<mark>`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnippetSegment {
    pub text: String,
    pub highlighted: bool,
}

/// An excerpt of `text` around the first of `ranges`: the match, then up to `context_chars`
/// characters each side, shortened to the nearest word boundary where there is one inside
/// that context (a single long word is cut inside). Further matches inside the excerpt are
/// highlighted too. Without ranges, the excerpt is the start of the text. Ranges that are not
/// valid character ranges of `text` are ignored.
#[must_use]
pub fn snippet(text: &str, ranges: &[Range<usize>], context_chars: usize) -> Snippet {
    let valid: Vec<Range<usize>> = merge(
        ranges
            .iter()
            .filter(|range| range.start < range.end && text.get((*range).clone()).is_some())
            .cloned()
            .collect(),
    );
    let (start, end) = match valid.first() {
        Some(first) => (
            excerpt_start(text, first.start, context_chars),
            excerpt_end(text, first.end, context_chars),
        ),
        None => {
            let start = text.len() - text.trim_start().len();
            (
                start,
                excerpt_end(text, start, context_chars.saturating_mul(2)),
            )
        }
    };
    let mut segments = Vec::new();
    let mut position = start;
    for range in &valid {
        let highlight_start = range.start.max(start);
        let highlight_end = range.end.min(end);
        if highlight_start >= highlight_end {
            continue;
        }
        push_segment(&mut segments, text, position..highlight_start, false);
        push_segment(&mut segments, text, highlight_start..highlight_end, true);
        position = highlight_end;
    }
    push_segment(&mut segments, text, position..end, false);
    Snippet {
        segments,
        cut_start: text
            .get(..start)
            .is_some_and(|before| !before.trim().is_empty()),
        cut_end: text
            .get(end..)
            .is_some_and(|after| !after.trim().is_empty()),
    }
}

fn push_segment(
    segments: &mut Vec<SnippetSegment>,
    text: &str,
    range: Range<usize>,
    highlighted: bool,
) {
    if let Some(part) = text.get(range).filter(|part| !part.is_empty()) {
        segments.push(SnippetSegment {
            text: part.to_owned(),
            highlighted,
        });
    }
}

/// Where an excerpt whose match starts at `anchor` begins: `context_chars` characters before
/// it, moved forward to the start of a word if one starts before the match, and past white
/// space.
fn excerpt_start(text: &str, anchor: usize, context_chars: usize) -> usize {
    let before = text.get(..anchor).unwrap_or_default();
    let limit = before
        .char_indices()
        .rev()
        .nth(context_chars.saturating_sub(1))
        .map_or(0, |(index, _)| index);
    let limit = if context_chars == 0 { anchor } else { limit };
    let at_word_start = limit == 0 || before[..limit].ends_with(char::is_whitespace);
    let start = if at_word_start {
        limit
    } else {
        // Skip the cut word: start after the first white space inside the context.
        before[limit..]
            .char_indices()
            .find(|(_, character)| character.is_whitespace())
            .map_or(limit, |(offset, _)| limit + offset)
    };
    // Leading white space is never shown.
    start + (before[start..].len() - before[start..].trim_start().len())
}

/// Where an excerpt whose match ends at `anchor` ends: `context_chars` characters after it,
/// moved back to the end of a word if one ends after the match.
fn excerpt_end(text: &str, anchor: usize, context_chars: usize) -> usize {
    let after = text.get(anchor..).unwrap_or_default();
    let limit = after
        .char_indices()
        .nth(context_chars)
        .map_or(after.len(), |(index, _)| index);
    let at_word_end = limit == after.len() || after[limit..].starts_with(char::is_whitespace);
    let end = if at_word_end {
        limit
    } else {
        after[..limit]
            .char_indices()
            .rev()
            .find(|(_, character)| character.is_whitespace())
            .map_or(limit, |(offset, _)| offset)
    };
    anchor + after[..end].trim_end().len()
}

/// Sorts ranges and merges those that overlap or touch.
fn merge(mut ranges: Vec<Range<usize>>) -> Vec<Range<usize>> {
    ranges.sort_by_key(|range| (range.start, range.end));
    let mut merged: Vec<Range<usize>> = Vec::with_capacity(ranges.len());
    for range in ranges {
        match merged.last_mut() {
            Some(last) if range.start <= last.end => last.end = last.end.max(range.end),
            _ => merged.push(range),
        }
    }
    merged
}

/// A folded text and, per folded byte, the original range it came from.
struct Folded {
    folded: String,
    origins: Vec<Range<usize>>,
}

impl Folded {
    fn push(&mut self, character: char, origin: Range<usize>) {
        self.folded.push(character);
        for _ in 0..character.len_utf8() {
            self.origins.push(origin.clone());
        }
    }

    /// Makes the folded characters of the last original character also cover `end` (for
    /// dropped characters such as combining marks, and for the `j` of a folded `dj`).
    fn extend_last(&mut self, end: usize) {
        let Some(last_end) = self.origins.last().map(|origin| origin.end) else {
            return;
        };
        for origin in self.origins.iter_mut().rev() {
            if origin.end != last_end {
                break;
            }
            origin.end = end;
        }
    }
}

fn fold_with_origins(text: &str) -> Folded {
    let mut folded = Folded {
        folded: String::with_capacity(text.len()),
        origins: Vec::with_capacity(text.len()),
    };
    // Whether the last folded character is a `d` that may still swallow a following `j`.
    let mut open_d = false;
    for (start, character) in text.char_indices() {
        let origin = start..start + character.len_utf8();
        if character.is_whitespace() {
            if folded.folded.ends_with(' ') {
                folded.extend_last(origin.end);
            } else {
                folded.push(' ', origin);
            }
            open_d = false;
            continue;
        }
        let length_before = folded.folded.len();
        for lower in character.to_lowercase() {
            fold_lower(lower, &mut |plain| {
                if plain == 'j' && open_d {
                    open_d = false;
                } else {
                    open_d = plain == 'd';
                    folded.push(plain, origin.clone());
                }
            });
        }
        if folded.folded.len() == length_before {
            // Dropped, or a `j` swallowed by `d`: it belongs to the character before.
            folded.extend_last(origin.end);
        }
    }
    folded
}

/// Characters that fold to nothing.
fn is_dropped(character: char) -> bool {
    matches!(character, '\u{0300}'..='\u{036f}' | '\u{00ad}' | '\u{200b}'..='\u{200d}' | '\u{2060}' | '\u{feff}')
}

/// Folds one lower-case character, giving the plain characters to `push`.
fn fold_lower(character: char, push: &mut impl FnMut(char)) {
    if let Some((first, second)) = latin_letters(character) {
        fold_latin(first, push);
        if let Some(second) = second {
            fold_latin(second, push);
        }
    } else {
        fold_latin(character, push);
    }
}

fn fold_latin(character: char, push: &mut impl FnMut(char)) {
    let plain = match character {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => 'a',
        'ç' | 'ć' | 'č' | 'ĉ' | 'ċ' => 'c',
        'ď' | 'đ' | 'ð' => 'd',
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' => 'e',
        'ĝ' | 'ğ' | 'ġ' | 'ģ' => 'g',
        'ì' | 'í' | 'î' | 'ï' | 'ĩ' | 'ī' | 'ĭ' | 'į' | 'ı' => 'i',
        'ķ' => 'k',
        'ĺ' | 'ļ' | 'ľ' | 'ŀ' | 'ł' => 'l',
        'ñ' | 'ń' | 'ņ' | 'ň' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ŏ' | 'ő' => 'o',
        'ŕ' | 'ŗ' | 'ř' => 'r',
        'ś' | 'ŝ' | 'ş' | 'š' | 'ș' => 's',
        'ţ' | 'ť' | 'ț' => 't',
        'ù' | 'ú' | 'û' | 'ü' | 'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' => 'u',
        'ý' | 'ÿ' => 'y',
        'ź' | 'ż' | 'ž' => 'z',
        '‘' | '’' | '‚' | '‛' | '′' => '\'',
        '“' | '”' | '„' | '‟' | '«' | '»' | '″' => '"',
        '‐' | '‑' | '‒' | '–' | '—' | '―' | '−' => '-',
        'ß' => return push_all("ss", push),
        'æ' => return push_all("ae", push),
        'œ' => return push_all("oe", push),
        '…' => return push_all("...", push),
        _ if is_dropped(character) => return,
        other => other,
    };
    push(plain);
}

fn push_all(plain: &str, push: &mut impl FnMut(char)) {
    plain.chars().for_each(push);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transliteration::to_latin;
    use proptest::prelude::*;

    fn find(text: &str, query: &str) -> Option<Vec<Range<usize>>> {
        FoldedText::new(text).find(&SearchQuery::new(query))
    }

    fn found<'a>(text: &'a str, query: &str) -> Vec<&'a str> {
        find(text, query)
            .unwrap_or_default()
            .into_iter()
            .map(|range| &text[range])
            .collect()
    }

    #[test]
    fn folding_examples() {
        assert_eq!(fold("СУМЊА"), "sumnja");
        assert_eq!(fold("Заштита деце"), "zastita dece");
        assert_eq!(fold("Zaštita  \t\n DECE"), "zastita dece");
        assert_eq!(
            fold("Ћуприја, чича, џеп, жаба"),
            "cuprija, cica, dzep, zaba"
        );
        assert_eq!(fold("Ђак, đak, djak, dak"), "dak, dak, dak, dak");
        assert_eq!(fold("Café naïve Ærø Straße"), "cafe naive aero strasse");
        assert_eq!(
            fold("„Школа“ — ‘sigurna’ … “place”"),
            "\"skola\" - 'sigurna' ... \"place\""
        );
        // Decomposed accents, soft hyphens and zero-width spaces disappear.
        assert_eq!(fold("Cafe\u{301} za\u{ad}šti\u{200b}ta"), "cafe zastita");
        assert_eq!(fold("İstanbul"), "istanbul");
    }

    #[test]
    fn latin_finds_cyrillic_and_the_reverse() {
        assert_eq!(found("Постоји сумња на трговину", "sumnja"), ["сумња"]);
        assert_eq!(found("Postoji sumnja na trgovinu", "СУМЊА"), ["sumnja"]);
        assert_eq!(found("Заштита деце", "zastita"), ["Заштита"]);
        assert_eq!(found("Zaštita dece", "zastita"), ["Zaštita"]);
        assert_eq!(found("zastita dece", "заштита"), ["zastita"]);
        assert_eq!(found("ZAŠTITA", "Zaštita"), ["ZAŠTITA"]);
    }

    #[test]
    fn dj_and_d_both_find_dj_letter() {
        for text in ["ђак", "Ђак", "đak", "Đak", "djak", "DJAK"] {
            for query in ["djak", "dak", "đak", "ђак", "Дјак"] {
                assert_eq!(found(text, query), [text], "{query} in {text}");
            }
        }
        // The merged `dj` is highlighted whole.
        assert_eq!(found("podjela", "d"), ["dj"]);
        assert_eq!(found("подјела", "podela"), ["подјела"]);
    }

    #[test]
    fn a_match_inside_an_expansion_covers_the_whole_letter() {
        // `љ` folds to `lj`: a match on `j` alone covers `љ`.
        assert_eq!(found("љубав", "j"), ["љ"]);
        assert_eq!(found("кољено", "olj"), ["ољ"]);
        assert_eq!(found("коњ", "n"), ["њ"]);
        assert!(found("Straße", "sss").is_empty());
        assert_eq!(found("Straße", "as"), ["aß"]);
        assert_eq!(found("a … b", ".."), ["…"]);
        // A combining accent stays with its letter.
        assert_eq!(found("Cafe\u{301}!", "cafe"), ["Cafe\u{301}"]);
    }

    #[test]
    fn every_word_must_occur() {
        let text = "Дете често изостаје из школе без оправдања";
        assert_eq!(found(text, "skole izostaje"), ["изостаје", "школе"]);
        assert_eq!(find(text, "skole policija"), None);
        assert_eq!(found(text, "  школе   школе "), ["школе"]);
    }

    #[test]
    fn empty_queries_match_nothing() {
        let text = FoldedText::new("било шта");
        for query in ["", "   ", "\t\n", "\u{ad}"] {
            let query = SearchQuery::new(query);
            assert!(query.is_empty());
            assert_eq!(text.find(&query), None);
            assert!(!text.matches(&query));
        }
    }

    #[test]
    fn ranges_are_sorted_and_merged() {
        let text = "ana banana";
        assert_eq!(find(text, "an na"), Some(vec![0..3, 5..10]));
        assert_eq!(
            find(text, "banana ban"),
            Some(vec![Range { start: 4, end: 10 }])
        );
    }

    #[test]
    fn matches_agrees_with_find() {
        let text = FoldedText::new("Сиви аутомобил после часа");
        for query in ["auto sivi", "auto plavi", "časa", ""] {
            let query = SearchQuery::new(query);
            assert_eq!(text.matches(&query), text.find(&query).is_some());
        }
    }

    #[test]
    fn index_returns_hits_in_order_with_keys() {
        let index: SearchIndex<(u32, &str)> = [
            ((1, "title"), "Изостајање из школе"),
            ((1, "body"), "Dete često izostaje"),
            ((2, "title"), "Umor and exhaustion"),
        ]
        .into_iter()
        .collect();
        assert_eq!(index.len(), 3);
        let hits = index.search(&SearchQuery::new("izostaj"));
        let keys: Vec<_> = hits.iter().map(|hit| *hit.key).collect();
        assert_eq!(keys, [(1, "title"), (1, "body")]);
        assert_eq!(&hits[0].text[hits[0].ranges[0].clone()], "Изостај");
        assert!(index.search(&SearchQuery::new(" ")).is_empty());
        assert!(SearchIndex::<u8>::new().is_empty());
    }

    fn render(snippet: &Snippet) -> String {
        let mut rendered = String::new();
        if snippet.cut_start {
            rendered.push('…');
        }
        for segment in &snippet.segments {
            if segment.highlighted {
                rendered.push('[');
                rendered.push_str(&segment.text);
                rendered.push(']');
            } else {
                rendered.push_str(&segment.text);
            }
        }
        if snippet.cut_end {
            rendered.push('…');
        }
        rendered
    }

    #[test]
    fn snippet_cuts_at_word_boundaries_around_the_first_match() {
        let text = "Наставница је приметила да дете често изостаје из школе без оправдања и да \
                    га после часова чека непознат одрасли у аутомобилу.";
        let ranges = find(text, "izostaje skole").unwrap_or_default();
        assert_eq!(
            render(&snippet(text, &ranges, 20)),
            "…да дете често [изостаје] из [школе] без…"
        );
        assert_eq!(
            render(&snippet(text, &ranges, 1000)),
            "Наставница је приметила да дете често [изостаје] из [школе] без оправдања и да \
             га после часова чека непознат одрасли у аутомобилу."
        );
    }

    #[test]
    fn snippet_without_cuts_and_at_the_edges() {
        let text = "sumnja na kraju";
        let ranges = find(text, "sumnja").unwrap_or_default();
        let excerpt = snippet(text, &ranges, 3);
        assert_eq!(render(&excerpt), "[sumnja] na…");
        assert!(!excerpt.cut_start);
        let ranges = find(text, "kraju").unwrap_or_default();
        assert_eq!(render(&snippet(text, &ranges, 4)), "…na [kraju]");
        assert_eq!(render(&snippet(text, &ranges, 0)), "…[kraju]");
    }

    #[test]
    fn snippet_cuts_a_long_word_inside() {
        let text = "aaaaaaaaaaaaaaaaaaaaXbbbbbbbbbbbbbbbbbbbb";
        let ranges = find(text, "x").unwrap_or_default();
        assert_eq!(render(&snippet(text, &ranges, 5)), "…aaaaa[X]bbbbb…");
    }

    #[test]
    fn snippet_without_matches_is_the_start_of_the_text() {
        let text = "  jedan dva tri četiri pet šest";
        assert_eq!(render(&snippet(text, &[], 5)), "jedan dva…");
        assert_eq!(render(&snippet("", &[], 5)), "");
        // Invalid ranges are ignored rather than trusted.
        assert_eq!(render(&snippet("ђак", &[1..2, 0..99], 5)), "ђак");
    }

    #[test]
    fn hit_snippet_highlights_in_the_original_script() {
        let index: SearchIndex<u8> = [(0, "Ђачки дневник и ђак")].into_iter().collect();
        let hits = index.search(&SearchQuery::new("djak"));
        assert_eq!(render(&hits[0].snippet(40)), "Ђачки дневник и [ђак]");
    }

    #[test]
    fn a_large_corpus_is_searched_quickly() {
        // About 200 KB, more than the guidance and the indicators in three locales.
        let paragraph = "Дете често изостаје из школе без оправдања, делује исцрпљено и \
                         прича о новом пријатељу који му купује скупе поклоне. ";
        let mut index = SearchIndex::new();
        for item in 0..200 {
            let text = paragraph.repeat(2);
            index.push(item, to_latin(&text));
            index.push(item, text);
        }
        let started = std::time::Instant::now();
        let mut hits = 0;
        for query in ["p", "po", "pok", "pokl", "poklone", "poklone sk", "xyz"] {
            hits += index.search(&SearchQuery::new(query)).len();
        }
        assert_eq!(hits, 6 * 400);
        // Seven keystrokes over the whole corpus, unoptimised and on a shared machine: a
        // generous bound that still catches an accidental quadratic scan.
        assert!(started.elapsed() < std::time::Duration::from_secs(3));
    }

    fn valid_ranges(text: &str, ranges: &[Range<usize>]) -> bool {
        ranges.iter().all(|range| text.get(range.clone()).is_some())
            && ranges.windows(2).all(|pair| pair[0].end < pair[1].start)
    }

    proptest! {
        #[test]
        fn folding_ignores_the_script(text in "[а-шА-ШђјљњћџЂЈЉЊЋЏ a-zčćžšđ.,-]{0,40}") {
            prop_assert_eq!(fold(&to_latin(&text)), fold(&text));
        }

        #[test]
        fn every_word_and_prefix_finds_its_text(
            text in "[а-шА-ШђјљњћџЂЈЉЊЋЏa-zA-ZčćžšđŠĐé0-9 .,„“\u{301}-]{0,40}",
            word_index in 0_usize..8,
            prefix_chars in 1_usize..12,
        ) {
            let words: Vec<&str> = text.split_whitespace().collect();
            prop_assume!(!words.is_empty());
            let word = words[word_index % words.len()];
            let prefix: String = word.chars().take(prefix_chars).collect();
            let query = SearchQuery::new(&prefix);
            prop_assume!(!query.is_empty());
            let folded = FoldedText::new(text.as_str());
            let ranges = folded.find(&query);
            prop_assert!(ranges.is_some());
            let latin = FoldedText::new(to_latin(&text));
            prop_assert!(latin.find(&SearchQuery::new(&to_latin(&prefix))).is_some());
            prop_assert!(folded.find(&SearchQuery::new(&to_latin(&prefix))).is_some());
        }

        #[test]
        fn ranges_are_char_boundaries_sorted_and_disjoint(
            text in "\\PC{0,60}",
            query in "\\PC{0,6}",
        ) {
            if let Some(ranges) = find(&text, &query) {
                prop_assert!(!ranges.is_empty());
                prop_assert!(valid_ranges(&text, &ranges));
                for range in &ranges {
                    // Every highlighted piece folds to something that holds a query word.
                    let piece = fold(&text[range.clone()]);
                    let holds_a_word = SearchQuery::new(&query)
                        .words()
                        .iter()
                        .any(|word| piece.contains(word.as_str()));
                    prop_assert!(holds_a_word, "{:?} in {:?}", piece, query);
                }
            }
        }

        #[test]
        fn snippets_are_pieces_of_the_text(
            text in "[а-ш a-zčš.,\n]{0,120}",
            query in "[а-ш a-zčš]{0,4}",
            context in 0_usize..30,
        ) {
            let ranges = find(&text, &query).unwrap_or_default();
            let excerpt = snippet(&text, &ranges, context);
            let joined: String = excerpt.segments.iter().map(|s| s.text.as_str()).collect();
            prop_assert!(text.contains(&joined));
            if !ranges.is_empty() {
                let first = &text[ranges[0].clone()];
                prop_assert!(excerpt.segments.iter().any(|s| s.highlighted && s.text == first));
            }
            prop_assert!(excerpt.segments.iter().all(|s| !s.text.is_empty()));
        }
    }
}
