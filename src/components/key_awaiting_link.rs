//! A key made to join the team, or restored on a new device, waiting on this device for the
//! set-up link another member makes for it: its fingerprint (what that member compares, read
//! aloud or side by side), the public key as text and QR code to hand over, and what to do.

use leptos::prelude::*;
use prepoznaj_domain::protocol::AgeRecipient;
use prepoznaj_envelope::digest::key_fingerprint;

use crate::components::share_link::ShareLink;
use crate::i18n::{TeamMessageFn, use_i18n};

/// The waiting key. `instructions` says what the member asks the other member for.
#[component]
pub fn KeyAwaitingLink(public_key: AgeRecipient, instructions: TeamMessageFn) -> impl IntoView {
    let i18n = use_i18n();
    let fingerprint = key_fingerprint(&public_key).to_string();
    view! {
        <section class="card" aria-labelledby="waiting-key-heading" data-testid="key-awaiting-link">
            <h2 id="waiting-key-heading">{move || i18n.team().waiting_heading}</h2>
            <p>{move || instructions(i18n.team())}</p>
            <p>{move || i18n.team().key_fingerprint} ":"</p>
            <p>
                <code class="fingerprint fingerprint--large" data-testid="waiting-fingerprint">{fingerprint}</code>
            </p>
            <p>{move || i18n.team().waiting_public_key}</p>
            <ShareLink
                text=public_key.to_string()
                label=|m| m.waiting_public_key_label
                qr_label=|m| m.waiting_public_key_qr
                copy=|m| m.waiting_copy_key
                testid="waiting-public-key"
            />
            <p class="hint">{move || i18n.team().waiting_open_link}</p>
        </section>
    }
}
