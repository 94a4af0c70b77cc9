//! A button that copies a text (a phone number, a link) to the clipboard and says so in a live
//! region next to it, or, where the browser offers no clipboard, what to do instead.

use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// What the last press of the button did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CopyOutcome {
    Copied,
    Unavailable,
}

/// Writes `text` to the clipboard. Fails where there is no clipboard (an insecure context, an
/// old browser) or the browser refuses (no permission, page not focused).
pub async fn write_to_clipboard(text: &str) -> Result<(), JsValue> {
    let navigator = web_sys::window()
        .ok_or_else(|| JsValue::from_str("no window"))?
        .navigator();
    let clipboard = js_sys::Reflect::get(&navigator, &JsValue::from_str("clipboard"))?;
    if clipboard.is_undefined() || clipboard.is_null() {
        return Err(JsValue::from_str("no clipboard"));
    }
    let clipboard: web_sys::Clipboard = clipboard.unchecked_into();
    JsFuture::from(clipboard.write_text(text)).await.map(|_| ())
}

/// The copy button and its status line. `describedby` names the element that says what is
/// copied (a contact's name), for screen readers.
#[component]
pub fn CopyButton(
    /// The text put on the clipboard.
    text: String,
    /// The button's text.
    #[prop(into)]
    label: TextProp,
    /// Said once the text is on the clipboard.
    #[prop(into)]
    copied: TextProp,
    /// Said when the browser cannot copy: how to copy by hand.
    #[prop(into)]
    unavailable: TextProp,
    #[prop(optional_no_strip)] describedby: Option<String>,
) -> impl IntoView {
    let outcome = RwSignal::new(None::<CopyOutcome>);
    let text = StoredValue::new(text);
    let copy = move |_| {
        // Cleared first, so that a second press is announced again.
        outcome.set(None);
        leptos::task::spawn_local(async move {
            let result = write_to_clipboard(&text.get_value()).await;
            outcome.set(Some(match result {
                Ok(()) => CopyOutcome::Copied,
                Err(error) => {
                    leptos::logging::warn!("cannot copy: {error:?}");
                    CopyOutcome::Unavailable
                }
            }));
        });
    };
    view! {
        <button type="button" class="button" aria-describedby=describedby on:click=copy>
            {move || label.get()}
        </button>
        <p
            class="copy-status"
            class:copy-status--warning=move || outcome.get() == Some(CopyOutcome::Unavailable)
            role="status"
            data-testid="copy-status"
        >
            {move || {
                outcome
                    .get()
                    .map(|outcome| match outcome {
                        CopyOutcome::Copied => copied.get(),
                        CopyOutcome::Unavailable => unavailable.get(),
                    })
            }}
        </p>
    }
}
