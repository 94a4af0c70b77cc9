//! Search over the guidance and indicator texts that ignores script, diacritics and, in
//! Serbian, the inflection of words, with match ranges in the original text so the screen
//! can highlight them in its own script.
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
//! "podela" fold alike, as do "adjust" and "adust".
//!
//! **Words.** Folded text is split into words (runs of letters and digits). A query word
//! matches a text word that is
//! - the same word (an *exact* hit), or, with [`Stemming::Serbian`] (see [`crate::stem`]),
//! - a word with the same stem ("заштиту" finds "заштита", "заштитом"), or
//! - a word that starts with the query word's stem, when that stem has at least
//!   [`MIN_PREFIX`] letters ("заштитом" finds "заштитни"), or
//! - a word that starts with the query word itself, when it has at least [`MIN_PREFIX`]
//!   letters (a word being typed: "zast" finds "zaštita").
//!
//! So a query word of one to three letters finds only that word, or words with that stem:
//! "ко" does not find every word with "ko" in it. Common function words ("и", "за", "је",
//! "the", …: [`is_stop_word`]) are left out of a query: they would match nearly every text.
//! A text matches when every remaining query word matches one of its words (AND); a query
//! with no words left matches nothing. Texts where every query word has an exact hit come
//! first, then by the number of query words found only through a stem or prefix; within a
//! rank, the order the texts were added. Matches come back as byte ranges of the original
//! text, whole words, on character boundaries, sorted and merged where they overlap or touch.
//!
//! **Cost.** [`SearchIndex::push`] folds a text once and splits it into words; each distinct
//! word and its stem are kept once, in the index's vocabulary, so a keystroke never stems
//! the texts again. A search stems the query words, compares each with the vocabulary
//! (a few thousand words for the guidance and the indicators in one locale) and then walks
//! each text's word list once: O(query words × (vocabulary + words in the texts)).
//!
//! This module does no IO and keeps no state beyond the texts it is given.

use std::collections::HashMap;
use std::ops::Range;

use crate::locale::Locale;
use crate::stem::stem;
use crate::transliteration::latin_letters;

/// The search form of `text`: see the module documentation for the rules.
#[must_use]
pub fn fold(text: &str) -> String {
    fold_with_origins(text).folded
}

/// The fewest letters of a query word, or of its stem, that find longer words starting
/// with it.
pub const MIN_PREFIX: usize = 4;

/// Function words left out of a query (folded): Serbian prepositions, conjunctions,
/// particles, pronouns and forms of "to be", and their English counterparts. Sorted.
const STOP_WORDS: &[&str] = &[
    "a", "ako", "ali", "an", "and", "are", "as", "at", "be", "bez", "bi", "bila", "bilo", "bio",
    "biti", "by", "ce", "da", "do", "for", "from", "ga", "i", "ih", "ili", "im", "in", "is", "it",
    "iz", "je", "jer", "jos", "ju", "k", "kad", "kada", "kako", "kao", "ko", "kod", "koja", "koje",
    "koji", "li", "me", "mi", "mu", "na", "ne", "ni", "nije", "niti", "no", "not", "o", "od", "of",
    "on", "or", "pa", "po", "pre", "s", "sa", "sam", "samo", "se", "smo", "sta", "ste", "sto",
    "su", "ta", "te", "that", "the", "this", "ti", "to", "tu", "u", "v", "vec", "vise", "with",
    "za", "zasto", "zato",
];

/// Whether a folded word is a function word that a query leaves out.
#[must_use]
pub fn is_stop_word(folded_word: &str) -> bool {
    STOP_WORDS.binary_search(&folded_word).is_ok()
}

/// Whether words are matched through their stems as well.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stemming {
    /// Serbian texts: words meet at their stem ([`crate::stem::stem`]).
    Serbian,
    /// Other languages: a word matches itself, or longer words when typed in part.
    Off,
}

impl Stemming {
    /// The stemming for texts written in `locale`.
    #[must_use]
    pub fn for_locale(locale: Locale) -> Stemming {
        match locale {
            Locale::SrCyrl | Locale::SrLatn => Stemming::Serbian,
            Locale::En | Locale::Hu => Stemming::Off,
        }
    }

    fn stem(self, folded_word: &str) -> &str {
        match self {
            Stemming::Serbian => stem(folded_word),
            Stemming::Off => folded_word,
        }
    }
}

/// The words of a folded text: byte ranges of its runs of letters and digits.
fn word_ranges(folded: &str) -> impl Iterator<Item = Range<usize>> + '_ {
    let mut start = None;
    folded
        .char_indices()
        .chain(std::iter::once((folded.len(), ' ')))
        .filter_map(
            move |(at, character)| match (start, character.is_alphanumeric()) {
                (None, true) => {
                    start = Some(at);
                    None
                }
                (Some(begun), false) => {
                    start = None;
                    Some(begun..at)
                }
                _ => None,
            },
        )
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

    /// The original byte range behind a range of folded bytes (whole original characters).
    fn original_range(&self, folded: Range<usize>) -> Option<Range<usize>> {
        let first = self.origins.get(folded.start)?;
        let last = self.origins.get(folded.end.checked_sub(1)?)?;
        Some(first.start..last.end)
    }
}

/// A folded query: its distinct words in the order typed, function words left out.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SearchQuery {
    words: Vec<String>,
}

impl SearchQuery {
    /// Folds `query`, splits it into words and leaves out [`is_stop_word`]s and repeats.
    #[must_use]
    pub fn new(query: &str) -> SearchQuery {
        let folded = fold(query);
        let mut words: Vec<String> = Vec::new();
        for word in word_ranges(&folded).map(|range| &folded[range]) {
            if !is_stop_word(word) && !words.iter().any(|known| known == word) {
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

/// How a text word answers a query word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum WordMatch {
    None,
    /// Through the stem, or as a word that starts with the query word or its stem.
    Stem,
    /// The same word.
    Exact,
}

/// A query word ready to compare with the words of the texts.
struct QueryWord<'a> {
    word: &'a str,
    stem: &'a str,
    /// The stem, if long enough to find the words that start with it.
    stem_prefix: Option<&'a str>,
    /// The word, if long enough to find the words that start with it.
    word_prefix: Option<&'a str>,
}

impl<'a> QueryWord<'a> {
    fn new(stemming: Stemming, word: &'a str) -> QueryWord<'a> {
        let stem = stemming.stem(word);
        let long_enough = |part: &'a str| (part.chars().count() >= MIN_PREFIX).then_some(part);
        QueryWord {
            word,
            stem,
            stem_prefix: long_enough(stem),
            word_prefix: long_enough(word),
        }
    }

    /// How `text_word` answers this query word.
    fn answer(&self, text_word: &VocabularyWord) -> WordMatch {
        let starts_with =
            |prefix: Option<&str>| prefix.is_some_and(|p| text_word.word.starts_with(p));
        if text_word.word == self.word {
            WordMatch::Exact
        } else if text_word.stem() == self.stem
            || starts_with(self.stem_prefix)
            || starts_with(self.word_prefix)
        {
            WordMatch::Stem
        } else {
            WordMatch::None
        }
    }
}

/// A distinct folded word of an index and the length of its stem.
#[derive(Debug, Clone)]
struct VocabularyWord {
    word: String,
    stem_len: usize,
}

impl VocabularyWord {
    fn stem(&self) -> &str {
        &self.word[..self.stem_len]
    }
}

/// One indexed text: its key, its folded form and its words in order (vocabulary index and
/// byte range in the folded text).
#[derive(Debug, Clone)]
struct IndexedText<K> {
    key: K,
    text: FoldedText,
    words: Vec<(u32, Range<usize>)>,
}

/// Texts folded, split into words and stemmed once, each under a key the caller chooses (a
/// section id, say). Each text is matched on its own: to require the query's words across
/// several fields of one item, add the fields joined as one text.
#[derive(Debug, Clone)]
pub struct SearchIndex<K> {
    stemming: Stemming,
    vocabulary: Vec<VocabularyWord>,
    word_ids: HashMap<String, u32>,
    entries: Vec<IndexedText<K>>,
}

impl<K> SearchIndex<K> {
    #[must_use]
    pub fn new(stemming: Stemming) -> SearchIndex<K> {
        SearchIndex {
            stemming,
            vocabulary: Vec::new(),
            word_ids: HashMap::new(),
            entries: Vec::new(),
        }
    }

    /// Folds `text`, splits it into words, stems the words it has not seen yet and adds it
    /// under `key`.
    pub fn push(&mut self, key: K, text: impl Into<String>) {
        let text = FoldedText::new(text);
        let mut words = Vec::new();
        for range in word_ranges(text.folded()) {
            let word = &text.folded()[range.clone()];
            let id = match self.word_ids.get(word) {
                Some(id) => *id,
                None => {
                    let Ok(id) = u32::try_from(self.vocabulary.len()) else {
                        // Four billion distinct words: the rest of the text is not searchable.
                        break;
                    };
                    self.vocabulary.push(VocabularyWord {
                        word: word.to_owned(),
                        stem_len: self.stemming.stem(word).len(),
                    });
                    self.word_ids.insert(word.to_owned(), id);
                    id
                }
            };
            words.push((id, range));
        }
        self.entries.push(IndexedText { key, text, words });
    }

    #[must_use]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The texts that match `query`: those where every query word has an exact hit first,
    /// then by how many query words were found only through a stem or a prefix; in the order
    /// they were added within a rank. Empty for an empty query.
    #[must_use]
    pub fn search(&self, query: &SearchQuery) -> Vec<SearchHit<'_, K>> {
        if query.is_empty() {
            return Vec::new();
        }
        // How each distinct word of the texts answers each query word: once per keystroke.
        let answers: Vec<Vec<WordMatch>> = query
            .words
            .iter()
            .map(|query_word| {
                let query_word = QueryWord::new(self.stemming, query_word);
                self.vocabulary
                    .iter()
                    .map(|text_word| query_word.answer(text_word))
                    .collect()
            })
            .collect();
        let mut ranked: Vec<(usize, SearchHit<'_, K>)> = self
            .entries
            .iter()
            .filter_map(|entry| entry.hit(&answers))
            .collect();
        ranked.sort_by_key(|(rank, _)| *rank);
        ranked.into_iter().map(|(_, hit)| hit).collect()
    }
}

impl<K> IndexedText<K> {
    /// The hit for a query whose words answer as `answers` (per query word, per vocabulary
    /// word), with its rank: how many query words have no exact hit here.
    fn hit<'a>(&'a self, answers: &[Vec<WordMatch>]) -> Option<(usize, SearchHit<'a, K>)> {
        let mut ranges = Vec::new();
        let mut exact_ranges = Vec::new();
        let mut rank = 0;
        for answer in answers {
            let mut best = WordMatch::None;
            for (id, range) in &self.words {
                let found = answer.get(*id as usize).copied().unwrap_or(WordMatch::None);
                if found != WordMatch::None {
                    best = best.max(found);
                    let original = self.text.original_range(range.clone());
                    if found == WordMatch::Exact {
                        exact_ranges.extend(original.clone());
                    }
                    ranges.extend(original);
                }
            }
            match best {
                WordMatch::None => return None,
                WordMatch::Stem => rank += 1,
                WordMatch::Exact => {}
            }
        }
        Some((
            rank,
            SearchHit {
                key: &self.key,
                text: self.text.original(),
                ranges: merge(ranges),
                exact_ranges: merge(exact_ranges),
                exact: rank == 0,
            },
        ))
    }
}

/// One matching text of a [`SearchIndex`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchHit<'a, K> {
    pub key: &'a K,
    /// The original text.
    pub text: &'a str,
    /// Byte ranges of `text` that match (whole words), sorted and merged.
    pub ranges: Vec<Range<usize>>,
    /// The ranges among `ranges` that are a query word as typed (exact hits), sorted.
    pub exact_ranges: Vec<Range<usize>>,
    /// Whether every query word is found here as typed (not only through a stem or prefix).
    pub exact: bool,
}

impl<K> SearchHit<'_, K> {
    /// An excerpt around the first word as typed, or else the first match: see
    /// [`snippet_at`].
    #[must_use]
    pub fn snippet(&self, context_chars: usize) -> Snippet {
        let anchor = self.exact_ranges.first().map(|range| range.start);
        snippet_at(self.text, &self.ranges, anchor, context_chars)
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
    snippet_at(text, ranges, None, context_chars)
}

/// Like [`snippet`], but the excerpt is around the first of `ranges` that starts at or after
/// `anchor` (an exact hit, say), if there is one.
#[must_use]
pub fn snippet_at(
    text: &str,
    ranges: &[Range<usize>],
    anchor: Option<usize>,
    context_chars: usize,
) -> Snippet {
    let valid: Vec<Range<usize>> = merge(
        ranges
            .iter()
            .filter(|range| range.start < range.end && text.get((*range).clone()).is_some())
            .cloned()
            .collect(),
    );
    let around = anchor
        .and_then(|anchor| valid.iter().find(|range| range.start >= anchor))
        .or(valid.first());
    let (start, end) = match around {
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

    fn index<'a>(texts: impl IntoIterator<Item = &'a str>) -> SearchIndex<usize> {
        let mut index = SearchIndex::new(Stemming::Serbian);
        for (key, text) in texts.into_iter().enumerate() {
            index.push(key, text);
        }
        index
    }

    fn find(text: &str, query: &str) -> Option<Vec<Range<usize>>> {
        let index = index([text]);
        let hits = index.search(&SearchQuery::new(query));
        hits.first().map(|hit| hit.ranges.clone())
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
        assert_eq!(found("podjela", "podela"), ["podjela"]);
        assert_eq!(found("подјела", "podela"), ["подјела"]);
    }

    #[test]
    fn a_match_is_whole_words_of_whole_letters() {
        assert_eq!(found("љубав и кољено", "ljubav kolj"), ["љубав", "кољено"]);
        assert_eq!(found("коњ", "konj"), ["коњ"]);
        assert!(found("Straße", "strassen").is_empty());
        assert_eq!(found("die Straße.", "strasse"), ["Straße"]);
        // A combining accent stays with its letter; punctuation is not part of a word.
        assert_eq!(found("Cafe\u{301}!", "cafe"), ["Cafe\u{301}"]);
        assert_eq!(found("„Школа“, (МУП-а)", "mup skola"), ["Школа", "МУП"]);
    }

    #[test]
    fn short_query_words_find_only_themselves_and_long_ones_find_longer_words() {
        let text = "Kod kuće je dobro kao kod kolega";
        assert!(found(text, "ko").is_empty());
        assert!(found(text, "dob").is_empty());
        assert_eq!(found(text, "dobr"), ["dobro"]);
        assert_eq!(found(text, "kolega kuca"), ["kuće", "kolega"]);
        assert_eq!(found("МУП и СОС", "mup sos"), ["МУП", "СОС"]);
    }

    #[test]
    fn function_words_are_left_out_of_a_query() {
        assert!(SearchQuery::new("za je i ko").is_empty());
        assert_eq!(
            SearchQuery::new("Centar za socijalni rad").words(),
            ["centar", "socijalni", "rad"]
        );
        assert_eq!(
            found("Центар за социјални рад", "centar za rad"),
            ["Центар", "рад"]
        );
        assert!(
            STOP_WORDS.windows(2).all(|pair| pair[0] < pair[1]),
            "sorted and once"
        );
    }

    #[test]
    fn serbian_words_meet_at_their_stem_and_exact_hits_rank_first() {
        let index = index([
            "Заштиту пружа центар.",
            "Заштита деце је обавеза.",
            "Zaštitom se bavi tim.",
            "Заштитни број је 19833.",
            "Nešto sasvim drugo.",
        ]);
        let keys = |query: &str| -> Vec<usize> {
            index
                .search(&SearchQuery::new(query))
                .iter()
                .map(|hit| *hit.key)
                .collect()
        };
        // The exact word first, then the other forms in the order they were added.
        assert_eq!(keys("заштита"), [1, 0, 2, 3]);
        assert_eq!(keys("zastitu"), [0, 1, 2, 3]);
        assert_eq!(keys("ZAŠTITOM"), [2, 0, 1, 3]);
        assert_eq!(keys("zastit"), [0, 1, 2, 3]);
        let hits = index.search(&SearchQuery::new("zastita"));
        assert!(hits[0].exact && !hits[1].exact);
        // Without stemming (English), only the word itself and longer words typed in part.
        let mut english = SearchIndex::new(Stemming::Off);
        english.push(0, "The police were called");
        english.push(1, "A policy for schools");
        let keys = |query: &str| -> Vec<usize> {
            english
                .search(&SearchQuery::new(query))
                .iter()
                .map(|hit| *hit.key)
                .collect()
        };
        assert_eq!(keys("police"), [0]);
        assert_eq!(keys("polic"), [0, 1]);
        assert_eq!(keys("school"), [1]);
    }

    #[test]
    fn every_word_must_occur() {
        let text = "Дете често изостаје из школе без оправдања";
        assert_eq!(found(text, "izostaje skole"), ["изостаје", "школе"]);
        assert_eq!(find(text, "skole policija"), None);
        assert_eq!(found(text, "  школе   школе "), ["школе"]);
    }

    #[test]
    fn empty_queries_match_nothing() {
        let index = index(["било шта", ""]);
        for query in ["", "   ", "\t\n", "\u{ad}", "…", "-"] {
            let query = SearchQuery::new(query);
            assert!(query.is_empty());
            assert!(index.search(&query).is_empty());
        }
    }

    #[test]
    fn ranges_are_sorted_and_merged() {
        let text = "banana ana, banane";
        assert_eq!(find(text, "ana banana"), Some(vec![0..6, 7..10, 12..18]));
        assert_eq!(find(text, "banan bana"), Some(vec![0..6, 12..18]));
    }

    #[test]
    fn index_returns_hits_in_order_with_keys() {
        let mut index = SearchIndex::new(Stemming::Serbian);
        index.push((1, "title"), "Изостајање из школе");
        index.push((1, "body"), "Dete često izostaje");
        index.push((2, "title"), "Umor and exhaustion");
        assert_eq!(index.len(), 3);
        let hits = index.search(&SearchQuery::new("izostaj"));
        let keys: Vec<_> = hits.iter().map(|hit| *hit.key).collect();
        assert_eq!(keys, [(1, "title"), (1, "body")]);
        assert_eq!(&hits[0].text[hits[0].ranges[0].clone()], "Изостајање");
        assert!(index.search(&SearchQuery::new(" ")).is_empty());
        assert!(SearchIndex::<u8>::new(Stemming::Off).is_empty());
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
        let x = Range { start: 20, end: 21 };
        assert_eq!(render(&snippet(text, &[x], 5)), "…aaaaa[X]bbbbb…");
    }

    #[test]
    fn a_snippet_can_be_around_a_later_match() {
        let text = "заштиту пружа центар, а заштита је обавеза свих";
        let index = index([text]);
        let hits = index.search(&SearchQuery::new("заштита"));
        assert_eq!(
            render(&hits[0].snippet(100)),
            "[заштиту] пружа центар, а [заштита] је обавеза свих"
        );
        assert_eq!(render(&hits[0].snippet(8)), "…а [заштита] је…");
        assert_eq!(
            render(&snippet_at(text, &hits[0].ranges, Some(1000), 8)),
            "[заштиту] пружа…"
        );
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
        let index = index(["Ђачки дневник и ђак"]);
        let hits = index.search(&SearchQuery::new("djak"));
        assert_eq!(render(&hits[0].snippet(40)), "Ђачки дневник и [ђак]");
    }

    #[test]
    fn a_large_corpus_is_searched_quickly() {
        // About 200 KB, more than the guidance and the indicators in three locales.
        let paragraph = "Дете често изостаје из школе без оправдања, делује исцрпљено и \
                         прича о новом пријатељу који му купује скупе поклоне. ";
        let mut index = SearchIndex::new(Stemming::Serbian);
        for item in 0..200 {
            let text = paragraph.repeat(2);
            index.push(item, to_latin(&text));
            index.push(item, text);
        }
        let started = std::time::Instant::now();
        let mut hits = 0;
        for query in ["p", "po", "pok", "pokl", "poklone", "poklon skol", "xyz"] {
            hits += index.search(&SearchQuery::new(query)).len();
        }
        assert_eq!(hits, 3 * 400);
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
        fn every_word_and_long_prefix_finds_its_text_in_either_script(
            text in "[а-шА-ШђјљњћџЂЈЉЊЋЏa-zA-ZčćžšđŠĐé0-9 .,„“-]{0,40}",
            word_index in 0_usize..8,
            prefix_chars in 1_usize..12,
        ) {
            let words: Vec<&str> = text
                .split(|character: char| !character.is_alphanumeric())
                .filter(|word| !word.is_empty())
                .collect();
            prop_assume!(!words.is_empty());
            let word = words[word_index % words.len()];
            let prefix: String = word.chars().take(prefix_chars).collect();
            prop_assume!(prefix == word || fold(&prefix).chars().count() >= MIN_PREFIX);
            prop_assume!(!SearchQuery::new(&prefix).is_empty());
            prop_assert!(find(&text, &prefix).is_some());
            prop_assert!(find(&to_latin(&text), &to_latin(&prefix)).is_some());
            prop_assert!(find(&text, &to_latin(&prefix)).is_some());
        }

        #[test]
        fn ranges_are_whole_words_sorted_and_disjoint(
            text in "\\PC{0,60}",
            query in "\\PC{0,6}",
        ) {
            if let Some(ranges) = find(&text, &query) {
                prop_assert!(!ranges.is_empty());
                prop_assert!(valid_ranges(&text, &ranges));
                for range in &ranges {
                    let piece = fold(&text[range.clone()]);
                    prop_assert!(!piece.is_empty());
                    prop_assert!(piece.chars().all(char::is_alphanumeric), "{:?}", piece);
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
