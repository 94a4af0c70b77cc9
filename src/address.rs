//! The page's address: links that carry data or a code in the fragment (a contacts share
//! link, a team set-up or enrolment code), which browsers never send to a server.

use leptos::prelude::window;
use wasm_bindgen::JsValue;

/// The fragment of the page's address, without `#`.
#[must_use]
pub fn current_fragment() -> String {
    match window().location().hash() {
        Ok(hash) => hash.trim_start_matches('#').to_owned(),
        Err(error) => {
            leptos::logging::warn!("cannot read the address: {error:?}");
            String::new()
        }
    }
}

/// Replaces the address with `path` (no fragment) in the address bar and the page's history
/// entry, so a used code or imported data does not stay there.
pub fn clear_fragment(path: &str) {
    let cleared = window()
        .history()
        .and_then(|history| history.replace_state_with_url(&JsValue::NULL, "", Some(path)));
    if let Err(error) = cleared {
        leptos::logging::warn!("cannot clear the address: {error:?}");
    }
}
