//! The links between the checklist and the guidance, in one place so that both sides agree.
//!
//! An indicator links to `/guidance?from=<checklist address>&indicator=<id>#<section>`. The
//! guidance accepts `from` only as an address of the checklist on this origin (no open
//! redirect) and offers "back to the checklist" to `<from>#<indicator anchor>`, where the
//! checklist brings that indicator into view. Content that appears after the page has loaded
//! is brought into view with [`reveal`], because the browser only scrolls to a `#fragment`
//! that is already in the document.
//!
//! This module renders the way back, moves focus and notes the place in the history; it
//! loads nothing.

use leptos::prelude::*;
use prepoznaj_domain::catalogue::{GuidanceId, IndicatorId};
use wasm_bindgen::JsCast;

use crate::app::link_rel;
use crate::i18n::use_i18n;

/// The guidance page.
pub const GUIDANCE_PATH: &str = "/guidance";
/// Query parameter naming the checklist address a guidance link was opened from.
pub const FROM_PARAM: &str = "from";
/// Query parameter naming the indicator a guidance link was opened from.
pub const INDICATOR_PARAM: &str = "indicator";
/// The only addresses `from` may name: the checklist of one observation.
const CHECKLIST_PREFIX: &str = "/observe/";

/// The id of an indicator's element in the checklist (`indicator-behaviour-absent-...`).
#[must_use]
pub fn indicator_anchor(indicator: &IndicatorId) -> String {
    format!("indicator-{}", indicator.as_str().replace('.', "-"))
}

/// The guidance for `section`, opened from the checklist address `from` (path and query) at
/// `indicator`.
#[must_use]
pub fn guidance_href(section: &GuidanceId, from: &str, indicator: &IndicatorId) -> String {
    format!(
        "{GUIDANCE_PATH}?{FROM_PARAM}={}&{INDICATOR_PARAM}={}#{}",
        encode_component(from),
        encode_component(indicator.as_str()),
        section.as_str(),
    )
}

/// `text` percent-encoded for a query value (as `encodeURIComponent` does), in Rust: the
/// checklist builds one link per indicator and should not cross into JavaScript for each.
fn encode_component(text: &str) -> String {
    let mut encoded = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&byte) {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

/// Where "back to the checklist" leads: `from` when it is a checklist address of this app
/// (a path under `/observe/`, with an optional query, no fragment), followed by the anchor
/// of `indicator` when that is a well-formed indicator id. `None` for anything else, so a
/// crafted link cannot send the person to another site.
#[must_use]
pub fn checklist_return_href(from: &str, indicator: Option<&str>) -> Option<String> {
    let acceptable = from.starts_with(CHECKLIST_PREFIX)
        && !from.contains('#')
        && !from.contains('\\')
        && !from.chars().any(|c| c.is_control() || c.is_whitespace());
    if !acceptable {
        return None;
    }
    let anchor = indicator
        .filter(|id| {
            !id.is_empty()
                && id
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
        })
        .map(|id| indicator_anchor(&IndicatorId::new(id)));
    Some(match anchor {
        Some(anchor) => format!("{from}#{anchor}"),
        None => from.to_owned(),
    })
}

/// Scrolls the element `target_id` into view and moves keyboard focus to `focus_id` (which
/// must be focusable, e.g. `tabindex="-1"`), so that a screen reader reads from there.
/// Does nothing when either is missing.
pub fn reveal(target_id: &str, focus_id: &str) {
    let Some(target) = document().get_element_by_id(target_id) else {
        return;
    };
    focus_element(focus_id);
    // After focusing, which only scrolls as far as needed: the target's top, below the
    // sticky header (its `scroll-margin-top`).
    target.scroll_into_view();
}

/// Moves keyboard focus to the element `id`, if it is there and can take focus.
pub fn focus_element(id: &str) {
    let element = document()
        .get_element_by_id(id)
        .and_then(|element| element.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(element) = element
        && let Err(error) = element.focus()
    {
        leptos::logging::warn!("cannot move focus to #{id}: {error:?}");
    }
}

/// "Back to the checklist", to an address made by [`checklist_return_href`].
#[component]
pub fn BackToChecklist(href: String) -> impl IntoView {
    let i18n = use_i18n();
    let rel = link_rel(&href);
    view! {
        <a class="button guidance-back" href=href rel=rel data-testid="back-to-checklist">
            {move || i18n.guidance().guidance_back_to_checklist()}
        </a>
    }
}

/// Before the checklist's guidance link leaves the page: adds `anchor` (the indicator's, see
/// [`indicator_anchor`]) to the checklist's own address in the history, so that the
/// browser's back button returns to that indicator even when the page is loaded afresh.
pub fn remember_place(anchor: &str) {
    let location = window().location();
    let remembered = location
        .pathname()
        .and_then(|path| Ok(format!("{path}{}#{anchor}", location.search()?)))
        .and_then(|here| {
            window().history()?.replace_state_with_url(
                &wasm_bindgen::JsValue::NULL,
                "",
                Some(&here),
            )
        });
    if let Err(error) = remembered {
        leptos::logging::warn!("cannot remember the place in the checklist: {error:?}");
    }
}

/// The element id a URL fragment (`#id`, as `Location::hash` gives it) names, if any.
#[must_use]
pub fn fragment_id(hash: &str) -> Option<String> {
    hash.strip_prefix('#')
        .filter(|id| !id.is_empty())
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn back_leads_only_to_the_checklist_of_this_app() {
        assert_eq!(
            checklist_return_href(
                "/observe/0190-ab?area=health",
                Some("health.unexplained-injuries")
            )
            .as_deref(),
            Some("/observe/0190-ab?area=health#indicator-health-unexplained-injuries")
        );
        assert_eq!(
            checklist_return_href("/observe/0190-ab", None).as_deref(),
            Some("/observe/0190-ab")
        );
        for from in [
            "",
            "/",
            "/observe",
            "/settings",
            "https://example.com/observe/1",
            "//example.com/observe/1",
            "/\\example.com",
            "javascript:alert(1)",
            " /observe/1",
            "/observe/1#x",
            "/observe/1\n",
            "/observerx/1",
        ] {
            assert_eq!(checklist_return_href(from, None), None, "{from:?}");
        }
    }

    #[test]
    fn the_link_into_the_guidance_carries_the_way_back() {
        assert_eq!(
            guidance_href(
                &GuidanceId::new("using-indicators"),
                "/observe/0190-ab?area=health",
                &IndicatorId::new("health.unexplained-injuries"),
            ),
            "/guidance?from=%2Fobserve%2F0190-ab%3Farea%3Dhealth\
             &indicator=health.unexplained-injuries#using-indicators"
        );
        assert_eq!(encode_component("a b&c=ђ#"), "a%20b%26c%3D%D1%92%23");
    }

    #[test]
    fn a_malformed_indicator_adds_no_anchor() {
        for indicator in ["", "Behaviour", "a\"b", "x#y", "a b"] {
            assert_eq!(
                checklist_return_href("/observe/1?area=all", Some(indicator)).as_deref(),
                Some("/observe/1?area=all"),
                "{indicator:?}"
            );
        }
    }

    #[test]
    fn only_a_nonempty_fragment_names_an_element() {
        assert_eq!(
            fragment_id("#school-procedure").as_deref(),
            Some("school-procedure")
        );
        assert_eq!(fragment_id("#"), None);
        assert_eq!(fragment_id(""), None);
    }

    #[test]
    fn indicator_anchors_are_plain_ids() {
        assert_eq!(
            indicator_anchor(&IndicatorId::new("behaviour.absent-without-reason")),
            "indicator-behaviour-absent-without-reason"
        );
    }
}
