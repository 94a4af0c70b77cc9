//! A key made to join the team, or restored on a new device, waiting on this device for the
//! set-up link another member makes for it: its fingerprint (what that member compares, read
//! aloud or side by side), both public keys (the age key reports are encrypted to, and the
//! signing key: `prepoznaj_domain::team_chain::MemberKeys`) as one text and QR code to hand
//! over, and what to do.

use leptos::prelude::*;
use prepoznaj_domain::team_chain::SigningPublicKey;
use prepoznaj_envelope::digest::key_fingerprint;

use crate::components::share_link::ShareLink;
use crate::i18n::{TeamMessageFn, use_i18n};
use crate::storage::team_key::TeamKey;

/// The first 16 hex digits of a signing key, in groups of four: what people compare besides
/// the age key's fingerprint.
#[must_use]
pub fn signing_key_short(key: &SigningPublicKey) -> String {
    let hex = key.to_hex();
    hex.as_bytes()
        .chunks(4)
        .take(4)
        .map(|chunk| String::from_utf8_lossy(chunk).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The waiting key. `instructions` says what the member asks the other member for.
#[component]
pub fn KeyAwaitingLink(key: TeamKey, instructions: TeamMessageFn) -> impl IntoView {
    let i18n = use_i18n();
    let fingerprint = key_fingerprint(&key.public_key).to_string();
    let keys = key.member_keys();
    let shared = keys.as_ref().map_or_else(
        || key.public_key.to_string(),
        prepoznaj_domain::team_chain::MemberKeys::to_text,
    );
    let signing = key.signing_key.as_ref().map(signing_key_short);
    view! {
        <section class="card" aria-labelledby="waiting-key-heading" data-testid="key-awaiting-link">
            <h2 id="waiting-key-heading">{move || i18n.team().waiting_heading()}</h2>
            <p>{move || instructions(i18n.team())}</p>
            <p>{move || i18n.team().key_fingerprint()} ":"</p>
            <p>
                <code class="fingerprint fingerprint--large" data-testid="waiting-fingerprint">{fingerprint}</code>
            </p>
            {signing.map(|signing| view! {
                <p>
                    {move || i18n.team().waiting_signing_key()} ": "
                    <code class="fingerprint" data-testid="waiting-signing-key">{signing}</code>
                </p>
            })}
            <p>{move || i18n.team().waiting_public_key()}</p>
            <ShareLink
                text=shared
                label=|m| m.waiting_public_key_label()
                qr_label=|m| m.waiting_public_key_qr()
                copy=|m| m.waiting_copy_key()
                testid="waiting-public-key"
            />
            <p class="hint">{move || i18n.team().waiting_open_link()}</p>
        </section>
    }
}
