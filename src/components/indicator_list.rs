//! The checklist's indicators, built as one piece of HTML and parsed by the browser at once,
//! with one listener for all of them (events bubble to the list).
//!
//! Why not a view per indicator: the all-areas view holds every indicator of the catalogue, and
//! building it element by element (several thousand calls from WebAssembly into the DOM, and
//! reactive effects for each) took most of its render budget on a slow phone. The markup here
//! is the same a view would make (same ids, roles, labels and test ids); what changes after it
//! is built is small and explicit: the radios keep their own checked state, a note field is
//! added once its indicator's answer is saved, and a refused note shows its reason.
//!
//! Every text is escaped ([`escape`]); the texts come from the app's own catalogue, but a
//! catalogue is data and must not be able to inject markup.

use leptos::prelude::{request_animation_frame, set_timeout};
use prepoznaj_domain::catalogue::{Area, Catalogue, Indicator, IndicatorId};
use prepoznaj_domain::locale::Locale;
use prepoznaj_domain::observation::{Answer, MAX_NOTE_CHARS, ObservationDraft};

use crate::components::guidance_link::{guidance_href, indicator_anchor};
use crate::components::localized::localized_into;
use crate::html::escape_into;
use crate::i18n::Messages;

/// A message of the table.
type Label = fn(&'static Messages) -> &'static str;

/// The three answers: the value of each radio and its label.
pub const ANSWERS: [(Answer, &str, Label); 3] = [
    (Answer::Observed, "observed", |m| m.answer_observed()),
    (Answer::NotSure, "not-sure", |m| m.answer_not_sure()),
    (Answer::NotObserved, "not-observed", |m| {
        m.answer_not_observed()
    }),
];

/// The answer a radio's `value` names.
#[must_use]
pub fn answer_for_value(value: &str) -> Option<Answer> {
    ANSWERS
        .iter()
        .find(|(_, id, _)| *id == value)
        .map(|(answer, _, _)| *answer)
}

/// What the list is built from, fixed for one build (another area or language rebuilds it).
#[derive(Debug, Clone, Copy)]
pub struct ListTexts<'a> {
    pub locale: Locale,
    pub messages: &'static Messages,
    /// This checklist's address (path and `?area=`), for the guidance's way back.
    pub from: &'a str,
    /// `rel` of the guidance links (another bundle: a full page load).
    pub guidance_rel: Option<&'static str>,
    /// Whether an answered indicator gets its note field (not in practice, where nothing
    /// typed is kept).
    pub notes: bool,
}

/// The `id` suffix of an indicator's inputs (`behaviour.absent` → `behaviour-absent`).
#[must_use]
pub fn dom_id(indicator: &Indicator) -> String {
    dom_id_of(indicator.id())
}

/// The `id` suffix of the inputs of the indicator with this id.
#[must_use]
pub fn dom_id_of(indicator: &IndicatorId) -> String {
    indicator.as_str().replace('.', "-")
}

/// The id of an indicator's note field.
#[must_use]
pub fn note_id(dom_id: &str) -> String {
    format!("note-{dom_id}")
}

/// The id of the element that explains why an indicator's note was refused.
#[must_use]
pub fn note_error_id(dom_id: &str) -> String {
    format!("note-error-{dom_id}")
}

/// The HTML of `areas` of `catalogue` with the answers and notes of `draft`.
#[must_use]
pub fn areas_html<'c>(
    areas: impl Iterator<Item = &'c Area>,
    draft: &ObservationDraft,
    texts: ListTexts<'_>,
) -> String {
    let mut html = String::with_capacity(64 * 1024);
    for area in areas {
        let title = area.title().get(texts.locale);
        html.push_str("<section class=\"area\" aria-label=\"");
        escape_into(&mut html, &title);
        html.push_str("\"><h2>");
        escape_into(&mut html, &title);
        html.push_str("</h2>");
        for indicator in area.indicators() {
            indicator_html(&mut html, indicator, draft, texts);
        }
        html.push_str("</section>");
    }
    html
}

/// One indicator: its text, the three answers, a note field once it is answered, and its
/// guidance link.
fn indicator_html(
    html: &mut String,
    indicator: &Indicator,
    draft: &ObservationDraft,
    texts: ListTexts<'_>,
) {
    let id = indicator.id();
    let dom_id = dom_id(indicator);
    let entry = draft.answers().get(id);
    let answered = entry.map(|entry| entry.answer);
    let messages = texts.messages;

    html.push_str("<fieldset class=\"indicator\" id=\"");
    escape_into(html, &indicator_anchor(id));
    html.push_str("\" tabindex=\"-1\" data-testid=\"indicator\" data-indicator=\"");
    escape_into(html, id.as_str());
    html.push_str("\"><legend class=\"indicator__text\">");
    localized_into(html, indicator.text(), texts.locale);
    html.push_str("</legend>");
    if let Some(hint) = indicator.hint() {
        html.push_str("<p class=\"hint\">");
        localized_into(html, hint, texts.locale);
        html.push_str("</p>");
    }
    html.push_str("<div class=\"answers\">");
    for (answer, value, label) in ANSWERS {
        html.push_str("<label class=\"answer\"><input type=\"radio\" name=\"");
        escape_into(html, &dom_id);
        html.push_str("\" value=\"");
        html.push_str(value);
        html.push('"');
        if answered == Some(answer) {
            html.push_str(" checked");
        }
        html.push('>');
        escape_into(html, label(messages));
        html.push_str("</label>");
    }
    html.push_str("</div>");

    if answered.is_some() && texts.notes {
        let note = entry.and_then(|entry| entry.note.as_ref());
        note_field_html(html, &dom_id, note.map(|note| note.as_str()), messages);
    }

    html.push_str("<a class=\"indicator__guidance\" href=\"");
    escape_into(
        html,
        &guidance_href(indicator.guidance(), texts.from, indicator.id()),
    );
    html.push('"');
    if let Some(rel) = texts.guidance_rel {
        html.push_str(" rel=\"");
        escape_into(html, rel);
        html.push('"');
    }
    html.push('>');
    escape_into(html, messages.checklist_guidance());
    html.push_str("</a></fieldset>");
}

/// The note field of the indicator whose inputs are named `dom_id` (see [`dom_id`]), holding
/// `note`. It follows the answers, once the indicator is answered.
pub fn note_field_html(
    html: &mut String,
    dom_id: &str,
    note: Option<&str>,
    messages: &'static Messages,
) {
    let note_id = note_id(dom_id);
    let note_error_id = note_error_id(dom_id);
    html.push_str("<div class=\"field\"><label for=\"");
    escape_into(html, &note_id);
    html.push_str("\">");
    escape_into(html, messages.checklist_note());
    html.push_str("</label><textarea id=\"");
    escape_into(html, &note_id);
    html.push_str("\" rows=\"2\" maxlength=\"");
    html.push_str(&MAX_NOTE_CHARS.to_string());
    html.push_str("\" aria-describedby=\"");
    escape_into(html, &note_error_id);
    html.push_str("\">");
    // A newline right after `<textarea>` is dropped by the parser: keep a note's own.
    html.push('\n');
    if let Some(note) = note {
        escape_into(html, note);
    }
    html.push_str("</textarea><p class=\"field__error\" id=\"");
    escape_into(html, &note_error_id);
    html.push_str("\" role=\"alert\"></p></div>");
}

/// Class of the wrapper in which indicators far from the screen are not yet laid out.
const FIRST_SCREEN_CLASS: &str = "indicators__first-screen";

/// `html` (a long list) drawn first with only the indicators near the screen laid out, then,
/// once that frame is on screen, with every indicator at its real size. The first frame of
/// the all-areas view stays within its budget; the rest is laid out in the next task, before
/// the person can scroll far (indicators below the screen change size, nothing on it moves).
#[must_use]
pub fn laid_out_after_first_screen(html: String) -> String {
    request_animation_frame(|| set_timeout(lay_out_every_indicator, std::time::Duration::ZERO));
    let mut wrapped = String::with_capacity(html.len() + 64);
    wrapped.push_str("<div class=\"");
    wrapped.push_str(FIRST_SCREEN_CLASS);
    wrapped.push_str("\">");
    wrapped.push_str(&html);
    wrapped.push_str("</div>");
    wrapped
}

/// Ends [`laid_out_after_first_screen`]'s first screen: every indicator gets its real size.
fn lay_out_every_indicator() {
    let Some(document) = web_sys::window().and_then(|window| window.document()) else {
        return;
    };
    let selector = format!(".{FIRST_SCREEN_CLASS}");
    while let Ok(Some(element)) = document.query_selector(&selector) {
        if let Err(error) = element.class_list().remove_1(FIRST_SCREEN_CLASS) {
            leptos::logging::warn!("cannot lay out the indicators: {error:?}");
            return;
        }
    }
}

/// The catalogue's areas that `shown` (an area id, or `all`) names.
pub fn shown_areas<'c>(
    catalogue: &'c Catalogue,
    shown: &'c str,
    all: &'c str,
) -> impl Iterator<Item = &'c Area> {
    catalogue
        .areas()
        .iter()
        .filter(move |area| shown == all || area.id().as_str() == shown)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        let mut html = String::new();
        escape_into(&mut html, r#"<b>"Tom" & 'Jerry'</b>"#);
        assert_eq!(
            html,
            "&lt;b&gt;&quot;Tom&quot; &amp; &#39;Jerry&#39;&lt;/b&gt;"
        );
    }

    #[test]
    fn every_answer_value_is_recognised() {
        for (answer, value, _) in ANSWERS {
            assert_eq!(answer_for_value(value), Some(answer));
        }
        assert_eq!(answer_for_value("maybe"), None);
    }
}
