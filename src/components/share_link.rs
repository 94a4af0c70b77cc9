//! A link or a key handed to another person: the text (read-only, selectable), a Copy button
//! and its QR code. Used for staff enrolment links, a new member's set-up link and a new
//! member's public key.

use leptos::prelude::*;

use crate::components::copy_button::CopyButton;
use crate::components::qr_code::{QrCode, QrSymbol};
use crate::i18n::{TeamMessageFn, use_i18n};

/// The text with Copy and its QR code. `label` names the text field and `qr_label` the code,
/// for screen readers; `testid` is the text field's `data-testid`.
#[component]
pub fn ShareLink(
    text: String,
    label: TeamMessageFn,
    qr_label: TeamMessageFn,
    copy: TeamMessageFn,
    testid: &'static str,
) -> impl IntoView {
    let i18n = use_i18n();
    let symbol = QrSymbol::encode(&text);
    view! {
        <input
            class="share-link"
            type="text"
            readonly
            aria-label=move || label(i18n.team())
            prop:value=text.clone()
            data-testid=testid
        />
        <div class="phone-actions">
            <CopyButton
                text
                label=move || copy(i18n.team())
                copied=move || i18n.team().link_copied()
                unavailable=move || i18n.team().link_copy_unavailable()
            />
        </div>
        {symbol.map(|symbol| view! {
            <figure class="share-qr">
                <QrCode symbol label=move || qr_label(i18n.team()) />
            </figure>
        })}
    }
}

/// The app's origin, for links to its pages (empty, so the link is relative, if unreadable).
#[must_use]
pub fn app_origin() -> String {
    window().location().origin().unwrap_or_else(|error| {
        // The link is then relative: still right when opened on this server.
        leptos::logging::warn!("cannot read the origin: {error:?}");
        String::new()
    })
}
