//! Search across the guidance and the indicators: the index ([`GuidanceIndex`], built once
//! per locale from the texts shown in that locale) and the search box with its results
//! ([`GuidanceSearch`]).
//!
//! Matching is `prepoznaj_domain::search`'s: script- and diacritic-insensitive, so a Latin
//! query without diacritics finds Cyrillic text, and in Serbian the cases and forms of a word
//! find one another ("заштитом" finds "заштита"); results with every word as typed come
//! first. In Hungarian, the Serbian (Latin) texts are indexed too, so that a Serbian term
//! finds its section: such a result comes after the Hungarian ones and shows the Serbian
//! text, marked as Serbian. The texts are folded, split into words and stemmed once, when the index is built;
//! a keystroke folds and stems only the query. Matches are shown with `<mark>` built from the
//! snippet's segments, never from HTML strings. This module loads nothing and knows no
//! addresses beyond a section's `#anchor`.
//!
//! Telemetry, in-page only: each search records the User Timing measure [`SEARCH_MEASURE`]
//! (the query searched and its results made ready to show), and building an index
//! [`INDEX_MEASURE`]; `tests/bench/guidance.mjs` reads them.

use std::ops::Range;
use std::sync::Arc;

use leptos::prelude::*;
use prepoznaj_domain::catalogue::GuidanceId;
use prepoznaj_domain::locale::{Locale, fill};
use prepoznaj_domain::search::{SearchIndex, SearchQuery, Snippet, Stemming, snippet, snippet_at};

use crate::components::guidance_link::focus_element;
use crate::content::GuidanceContent;
use crate::i18n::use_i18n;
use crate::timing::{measure_since, now_ms};

/// The User Timing measure of one search (one keystroke's query).
pub const SEARCH_MEASURE: &str = "prepoznaj:guidance-search";
/// The User Timing measure of building one locale's index (once, at the first focus).
pub const INDEX_MEASURE: &str = "prepoznaj:guidance-index";

/// Characters of context each side of the first match in a result's excerpt.
const SNIPPET_CONTEXT_CHARS: usize = 60;

/// Results shown at first; the rest on request, so that a short query such as one letter
/// does not build dozens of results on every keystroke.
const RESULTS_SHOWN_FIRST: usize = 10;

/// Id of the search box (its label points at it).
const SEARCH_INPUT_ID: &str = "guidance--search";
/// Id of the search box's description.
const SEARCH_HELP_ID: &str = "guidance--search-help";

/// What one indexed text is: a section (title, then body) or an indicator (text, then hint).
#[derive(Debug, Clone)]
struct Entry {
    /// The section a hit links to.
    section: GuidanceId,
    /// The indicator's area title, or `None` for a section.
    area: Option<String>,
    /// Byte length of the head (title or indicator text) at the start of the indexed text;
    /// the body follows after one separating newline.
    head_len: usize,
    /// Its place in reading order (the same in every locale's index).
    position: usize,
}

/// One search result, ready to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuidanceHit {
    /// The section the result links to.
    pub section: GuidanceId,
    /// The indicator's area title, or `None` when the result is a section.
    pub area: Option<String>,
    /// The section title or the indicator text, whole, with its matches highlighted.
    pub head: Snippet,
    /// An excerpt of the section body or the indicator hint around its first match; for a
    /// section matched only by its title, the start of the body.
    pub body: Option<Snippet>,
    /// Whether every query word is here as typed (not only another form of it).
    pub exact: bool,
    /// The locale of the texts shown, when it is not the page's (a Serbian text found from a
    /// Hungarian page).
    pub lang: Option<Locale>,
}

/// The guidance sections and the catalogue's indicators in one locale, folded once (and for
/// a Hungarian page, in Serbian Latin too).
#[derive(Debug)]
pub struct GuidanceIndex {
    index: SearchIndex<Entry>,
    /// The Serbian index searched after the page's own, for Hungarian.
    serbian: Option<SearchIndex<Entry>>,
}

impl GuidanceIndex {
    /// Indexes every section (title and body) and every indicator (text and hint) in
    /// `locale`, in reading order: sections first, then indicators in catalogue order.
    #[must_use]
    pub fn new(content: &GuidanceContent, locale: Locale) -> GuidanceIndex {
        GuidanceIndex {
            index: index_in(content, locale),
            serbian: (locale == Locale::Hu).then(|| index_in(content, Locale::SrLatn)),
        }
    }

    /// The results for `query`: those with every word as typed first, then in reading
    /// order; none for an empty query.
    #[must_use]
    pub fn search(&self, query: &str) -> Vec<GuidanceHit> {
        let query = SearchQuery::new(query);
        let mut hits = hits_of(&self.index, &query, None);
        if let Some(serbian) = &self.serbian {
            let found: Vec<usize> = hits.iter().map(|(position, _)| *position).collect();
            hits.extend(
                hits_of(serbian, &query, Some(Locale::SrLatn))
                    .into_iter()
                    .filter(|(position, _)| !found.contains(position)),
            );
        }
        hits.into_iter().map(|(_, hit)| hit).collect()
    }
}

/// Every section and indicator of `content` in `locale`, indexed in reading order.
fn index_in(content: &GuidanceContent, locale: Locale) -> SearchIndex<Entry> {
    let mut index = SearchIndex::new(Stemming::for_locale(locale));
    for (position, text) in content
        .guidance
        .search_texts(&content.catalogue, locale)
        .into_iter()
        .enumerate()
    {
        let entry = Entry {
            section: text.section,
            area: text.area,
            head_len: text.head.len(),
            position,
        };
        let indexed = match text.body {
            Some(body) => format!("{}\n{body}", text.head),
            None => text.head,
        };
        index.push(entry, indexed);
    }
    index
}

/// The results of `query` in `index`, each with its place in reading order; `lang` is the
/// index's locale when it is not the page's.
fn hits_of(
    index: &SearchIndex<Entry>,
    query: &SearchQuery,
    lang: Option<Locale>,
) -> Vec<(usize, GuidanceHit)> {
    {
        index
            .search(query)
            .into_iter()
            .map(|hit| {
                let entry = hit.key;
                let (head, body) = hit.text.split_at(entry.head_len.min(hit.text.len()));
                let body = body.strip_prefix('\n').unwrap_or(body);
                let body_start = hit.text.len() - body.len();
                let head_ranges = ranges_within(&hit.ranges, 0..head.len());
                let body_ranges = ranges_within(&hit.ranges, body_start..hit.text.len());
                let body = if body.is_empty() || (entry.area.is_some() && body_ranges.is_empty()) {
                    None
                } else {
                    // Around the word as typed, when the body has it.
                    let anchor = ranges_within(&hit.exact_ranges, body_start..hit.text.len())
                        .first()
                        .map(|range| range.start);
                    Some(snippet_at(
                        body,
                        &body_ranges,
                        anchor,
                        SNIPPET_CONTEXT_CHARS,
                    ))
                };
                let position = entry.position;
                let hit = GuidanceHit {
                    section: entry.section.clone(),
                    area: entry.area.clone(),
                    // Context as long as the text: the whole head, never cut.
                    head: snippet(head, &head_ranges, head.len()),
                    body,
                    exact: hit.exact,
                    lang,
                };
                (position, hit)
            })
            .collect()
    }
}

/// The parts of `ranges` inside `within`, relative to its start.
fn ranges_within(ranges: &[Range<usize>], within: Range<usize>) -> Vec<Range<usize>> {
    ranges
        .iter()
        .filter(|range| range.start >= within.start && range.end <= within.end)
        .map(|range| range.start - within.start..range.end - within.start)
        .collect()
}

/// A snippet as text, with its matches in `<mark>`.
#[component]
pub fn SnippetText(snippet: Snippet) -> impl IntoView {
    let segments = snippet
        .segments
        .into_iter()
        .map(|segment| {
            if segment.highlighted {
                view! { <mark>{segment.text}</mark> }.into_any()
            } else {
                segment.text.into_any()
            }
        })
        .collect_view();
    view! {
        {snippet.cut_start.then_some("…")}
        {segments}
        {snippet.cut_end.then_some("…")}
    }
}

/// The id of the link of the result at `position`.
fn result_id(position: usize) -> String {
    format!("guidance--result-{position}")
}

/// The search box, the live count of results, and the results while there is a query.
/// Choosing a result clears the query (the full guidance returns) and calls `on_select`
/// with the section to show.
#[component]
pub fn GuidanceSearch(
    content: Arc<GuidanceContent>,
    query: RwSignal<String>,
    on_select: Callback<GuidanceId>,
) -> impl IntoView {
    let i18n = use_i18n();
    let content = StoredValue::new(content);
    // One index per locale, built when the search box first takes focus in that locale (or
    // at the first search), so that typing never waits for it.
    let indexes = StoredValue::new(Vec::<(Locale, Arc<GuidanceIndex>)>::new());
    let index_for = move |locale: Locale| {
        if let Some(index) = indexes.with_value(|indexes| {
            indexes
                .iter()
                .find(|(built, _)| *built == locale)
                .map(|(_, index)| index.clone())
        }) {
            return index;
        }
        let started = now_ms();
        let index = Arc::new(content.with_value(|content| GuidanceIndex::new(content, locale)));
        measure_since(INDEX_MEASURE, started);
        indexes.update_value(|indexes| indexes.push((locale, index.clone())));
        index
    };
    let hits = Memo::new(move |_| {
        let query = query.get();
        if query.trim().is_empty() {
            None
        } else {
            let index = index_for(i18n.locale());
            let started = now_ms();
            let hits = index.search(&query);
            measure_since(SEARCH_MEASURE, started);
            Some(hits)
        }
    });
    let status = move || {
        let messages = i18n.guidance();
        hits.with(|hits| match hits {
            None => String::new(),
            Some(hits) if hits.is_empty() => fill(
                messages.guidance_search_empty(),
                &[("query", query.get().trim())],
            ),
            Some(hits) => fill(
                messages.guidance_search_count(),
                &[("count", &hits.len().to_string())],
            ),
        })
    };
    let show_all = RwSignal::new(false);
    let set_query = move |value: String| {
        show_all.set(false);
        query.set(value);
    };
    let results = move || {
        let hits = hits.get()?;
        let messages = i18n.guidance();
        if hits.is_empty() {
            return Some(
                view! { <p class="guidance-search__empty">{messages.guidance_search_empty_help()}</p> }
                    .into_any(),
            );
        }
        let n_hits = hits.len();
        let n_shown = if show_all.get() {
            n_hits
        } else {
            n_hits.min(RESULTS_SHOWN_FIRST)
        };
        let items = hits
            .into_iter()
            .take(n_shown)
            .enumerate()
            .map(|(position, hit)| {
                let href = format!("#{}", hit.section.as_str());
                let section = hit.section.clone();
                let select = move |_| {
                    set_query(String::new());
                    on_select.run(section.clone());
                };
                let is_indicator = hit.area.is_some();
                let label = hit.area.map(|area| {
                    view! {
                        <span class="guidance-result__label">
                            {fill(messages.guidance_search_indicator(), &[("area", &area)])}
                        </span>
                    }
                });
                let lang = hit.lang.map(Locale::tag);
                let body = hit.body.map(|body| {
                    view! {
                        <span class="guidance-result__excerpt" lang=lang><SnippetText snippet=body /></span>
                    }
                });
                let class = if is_indicator {
                    "guidance-result guidance-result--indicator"
                } else {
                    "guidance-result"
                };
                view! {
                    <li class=class data-testid="guidance-result">
                        <a class="guidance-result__link" id=result_id(position) href=href on:click=select>
                            {label}
                            <span class="guidance-result__title" lang=lang><SnippetText snippet=hit.head /></span>
                            {body}
                        </a>
                    </li>
                }
            })
            .collect_view();
        let show_rest = (n_shown < n_hits).then(|| {
            let reveal_rest = move |_| {
                show_all.set(true);
                // The button goes away: focus moves to the first result it brought.
                request_animation_frame(move || focus_element(&result_id(n_shown)));
            };
            view! {
                <button type="button" class="button guidance-search__more" on:click=reveal_rest>
                    {fill(messages.guidance_search_show_all(), &[("count", &n_hits.to_string())])}
                </button>
            }
        });
        Some(
            view! {
                <ol class="guidance-results" data-testid="guidance-results">{items}</ol>
                {show_rest}
            }
            .into_any(),
        )
    };
    let clear = move |_| {
        set_query(String::new());
        focus_element(SEARCH_INPUT_ID);
    };
    // Results are already there; "search" on a phone's keyboard only closes the keyboard.
    let submit = |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let focused = document().active_element().and_then(|element| {
            wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(element).ok()
        });
        if let Some(focused) = focused
            && let Err(error) = focused.blur()
        {
            leptos::logging::warn!("cannot close the keyboard: {error:?}");
        }
    };
    view! {
        <form class="guidance-search" role="search" on:submit=submit>
            <label class="guidance-search__label" for=SEARCH_INPUT_ID>
                {move || i18n.guidance().guidance_search_label()}
            </label>
            <p class="guidance-search__help" id=SEARCH_HELP_ID>
                {move || i18n.guidance().guidance_search_help()}
            </p>
            <div class="guidance-search__row">
                <input
                    class="guidance-search__input"
                    id=SEARCH_INPUT_ID
                    type="search"
                    autocomplete="off"
                    spellcheck="false"
                    enterkeyhint="search"
                    aria-describedby=SEARCH_HELP_ID
                    prop:value=move || query.get()
                    on:focus=move |_| {
                        index_for(i18n.locale());
                    }
                    on:input=move |event| set_query(event_target_value(&event))
                />
                <Show when=move || !query.get().is_empty()>
                    <button type="button" class="button guidance-search__clear" on:click=clear>
                        <span aria-hidden="true">"×"</span>
                        <span class="visually-hidden">{move || i18n.guidance().guidance_search_clear()}</span>
                    </button>
                </Show>
            </div>
        </form>
        <p class="guidance-search__status" role="status" data-testid="guidance-search-status">
            {status}
        </p>
        <Show when=move || hits.with(Option::is_some)>
            <section class="guidance-search__results" aria-labelledby="guidance--results">
                <h2 id="guidance--results">{move || i18n.guidance().guidance_search_results()}</h2>
                {results}
            </section>
        </Show>
    }
}

#[cfg(test)]
mod tests {
    use prepoznaj_domain::catalogue::Catalogue;
    use prepoznaj_domain::guidance::Guidance;

    use super::*;

    fn shipped() -> GuidanceContent {
        let catalogue =
            Catalogue::parse(include_str!("../../public/content/catalogue/2026.1.json"));
        let guidance = Guidance::parse(include_str!("../../public/content/guidance/2026.1.json"));
        let (Ok(catalogue), Ok(guidance)) = (catalogue, guidance) else {
            panic!("the shipped content does not parse");
        };
        let Ok(links) = guidance.link(&catalogue) else {
            panic!("the shipped guidance does not fit its catalogue");
        };
        GuidanceContent {
            guidance,
            catalogue: Arc::new(catalogue),
            links,
        }
    }

    fn marked(snippet: &Snippet) -> Vec<&str> {
        snippet
            .segments
            .iter()
            .filter(|segment| segment.highlighted)
            .map(|segment| segment.text.as_str())
            .collect()
    }

    #[test]
    fn a_latin_query_finds_cyrillic_text() {
        let index = GuidanceIndex::new(&shipped(), Locale::SrCyrl);
        let hits = index.search("sumnja");
        assert!(!hits.is_empty());
        let found: Vec<&str> = hits
            .iter()
            .flat_map(|hit| {
                let mut marks = marked(&hit.head);
                marks.extend(hit.body.iter().flat_map(marked));
                marks
            })
            .collect();
        assert!(
            found.iter().any(|mark| mark.to_lowercase() == "сумња"),
            "{found:?}"
        );
    }

    #[test]
    fn diacritics_are_optional_in_both_serbian_scripts() {
        let content = shipped();
        for (locale, expected) in [(Locale::SrCyrl, "заштита"), (Locale::SrLatn, "zaštita")]
        {
            let hits = GuidanceIndex::new(&content, locale).search("zastita");
            let marks: Vec<String> = hits
                .iter()
                .flat_map(|hit| hit.body.iter().flat_map(marked))
                .map(str::to_lowercase)
                .collect();
            assert!(
                marks.iter().any(|mark| mark == expected),
                "{locale:?}: {marks:?}"
            );
        }
        let english = GuidanceIndex::new(&content, Locale::En).search("cafe");
        assert!(english.iter().any(|hit| hit.area.is_some()));
    }

    #[test]
    fn exact_hits_first_then_sections_before_indicators() {
        let content = shipped();
        for (locale, query) in [(Locale::En, "report"), (Locale::SrCyrl, "школа")] {
            let hits = GuidanceIndex::new(&content, locale).search(query);
            let first_loose = hits.iter().position(|hit| !hit.exact);
            assert!(
                first_loose.is_some_and(|first| first > 0),
                "{query}: both kinds"
            );
            assert!(
                hits.iter()
                    .skip_while(|hit| hit.exact)
                    .all(|hit| !hit.exact)
            );
            for exact in [true, false] {
                let rank: Vec<&GuidanceHit> =
                    hits.iter().filter(|hit| hit.exact == exact).collect();
                let first_indicator = rank.iter().position(|hit| hit.area.is_some());
                let last_section = rank.iter().rposition(|hit| hit.area.is_none());
                if let (Some(first_indicator), Some(last_section)) = (first_indicator, last_section)
                {
                    assert!(last_section < first_indicator, "{query} {exact}");
                }
            }
            for hit in &hits {
                assert!(content.guidance.section(&hit.section).is_some());
            }
        }
    }

    #[test]
    fn a_case_of_a_serbian_word_finds_and_marks_its_other_forms() {
        let index = GuidanceIndex::new(&shipped(), Locale::SrCyrl);
        let hits = index.search("заштитом");
        let marks: Vec<String> = hits
            .iter()
            .flat_map(|hit| {
                let mut marks = marked(&hit.head);
                marks.extend(hit.body.iter().flat_map(marked));
                marks
            })
            .map(str::to_lowercase)
            .collect();
        for form in ["заштита", "заштите", "заштиту"] {
            assert!(marks.iter().any(|mark| mark == form), "{form}: {marks:?}");
        }
        // The same results as the word typed in part, whatever their order.
        let results = |hits: &[GuidanceHit]| {
            let mut results: Vec<(String, Option<String>, String)> = hits
                .iter()
                .map(|hit| {
                    let head = hit
                        .head
                        .segments
                        .iter()
                        .map(|segment| segment.text.as_str());
                    (
                        hit.section.as_str().to_owned(),
                        hit.area.clone(),
                        head.collect(),
                    )
                })
                .collect();
            results.sort();
            results
        };
        assert_eq!(results(&hits), results(&index.search("zastit")));
    }

    #[test]
    fn a_title_match_shows_the_title_marked_and_the_start_of_the_body() {
        let hits = GuidanceIndex::new(&shipped(), Locale::En).search("forced begging");
        let Some(section) = hits
            .iter()
            .find(|hit| hit.section.as_str() == "forced-begging" && hit.area.is_none())
        else {
            panic!("the section titled Forced begging is not found");
        };
        assert_eq!(marked(&section.head), ["Forced", "begging"]);
        assert!(section.body.is_some());
    }

    #[test]
    fn an_empty_query_or_no_match_gives_nothing() {
        let index = GuidanceIndex::new(&shipped(), Locale::SrLatn);
        assert!(index.search("").is_empty());
        assert!(index.search("   ").is_empty());
        assert!(index.search("qqqxyz").is_empty());
    }

    #[test]
    fn in_hungarian_accents_fold_and_a_serbian_term_finds_the_same_section() {
        let index = GuidanceIndex::new(&shipped(), Locale::Hu);
        let section_hit = |query: &str| {
            index
                .search(query)
                .into_iter()
                .find(|hit| hit.section.as_str() == "forced-begging" && hit.area.is_none())
        };
        // Typed without its accents, the Hungarian term finds the Hungarian title.
        let Some(hungarian) = section_hit("kenyszerkoldultatas") else {
            panic!("the Hungarian term without accents finds nothing");
        };
        assert_eq!(hungarian.lang, None);
        assert!(
            marked(&hungarian.head)
                .iter()
                .any(|mark| mark.to_lowercase().starts_with("kényszerkoldultatás")),
            "{:?}",
            marked(&hungarian.head)
        );
        // The Serbian term finds the same section, shown in Serbian and marked so.
        let Some(serbian) = section_hit("prosjacenje") else {
            panic!("the Serbian term finds nothing on a Hungarian page");
        };
        assert_eq!(serbian.lang, Some(Locale::SrLatn));
        // A Hungarian result is never repeated by its Serbian twin.
        let hits = index.search("kenyszerkoldultatas");
        let sections: Vec<_> = hits
            .iter()
            .filter(|hit| hit.area.is_none())
            .map(|hit| hit.section.as_str())
            .collect();
        let unique: std::collections::BTreeSet<_> = sections.iter().collect();
        assert_eq!(sections.len(), unique.len());
        // Other languages search their own texts only.
        assert!(
            GuidanceIndex::new(&shipped(), Locale::En)
                .search("prosjacenje")
                .is_empty()
        );
    }
}
