//! The team's key chain on a team member's device: the history of the verified chain (who was
//! added, removed or registered a new device, when, signed by whom:
//! `prepoznaj_domain::team_device::history`), and the warning shown when the server's chain
//! does not verify from the version this device pinned, with the reason in plain words. The
//! device then keeps using its pinned version.

use leptos::prelude::*;
use prepoznaj_domain::locale::fill;
use prepoznaj_domain::team_chain::{ChainVersion, SignedVersion};
use prepoznaj_domain::team_device::{HistoryEntry, HistoryEvent, history};
use prepoznaj_envelope::chain::ChainError;

use crate::clock::format_time;
use crate::i18n::{TeamMessages, use_i18n};

/// Why a chain was refused, in plain words.
#[must_use]
pub fn chain_error_message(messages: &'static TeamMessages, error: &ChainError) -> String {
    let number = |text: &str, number: u64| fill(text, &[("number", &number.to_string())]);
    match error {
        ChainError::Empty => messages.chain_error_empty().to_owned(),
        ChainError::WrongSchool { number: at } => number(messages.chain_error_wrong_school(), *at),
        ChainError::BadSignature { number: at } => {
            number(messages.chain_error_bad_signature(), *at)
        }
        ChainError::SignerNotMember { number: at, .. } => {
            number(messages.chain_error_signer_not_member(), *at)
        }
        ChainError::Rollback { pinned, offered } => fill(
            messages.chain_error_rollback(),
            &[
                ("pinned", &pinned.to_string()),
                ("offered", &offered.to_string()),
            ],
        ),
        ChainError::Fork { number: at } => number(messages.chain_error_fork(), *at),
        ChainError::Replay { number: at } => number(messages.chain_error_replay(), *at),
        ChainError::Reordered { found, .. } => number(messages.chain_error_reordered(), *found),
        ChainError::Truncated { expected, .. } => {
            number(messages.chain_error_truncated(), *expected)
        }
        ChainError::BrokenLink { number: at } => number(messages.chain_error_broken_link(), *at),
        ChainError::Change { number: at, .. } => number(messages.chain_error_change(), *at),
        ChainError::Malformed { number: at } => number(messages.chain_error_malformed(), *at),
        ChainError::UnknownPin => messages.chain_error_unknown_pin().to_owned(),
    }
}

/// The warning for a chain that does not verify from this device's pin: what it means, then
/// why.
#[component]
pub fn ChainWarning(error: ChainError, pinned: Option<u64>) -> impl IntoView {
    let i18n = use_i18n();
    let reason = StoredValue::new(error);
    view! {
        <section class="notice notice--warning" role="alert" data-testid="chain-warning">
            <p>{move || i18n.team().chain_warning()}</p>
            {pinned.map(|pinned| view! {
                <p>{move || fill(i18n.team().chain_warning_pinned(), &[("version", &pinned.to_string())])}</p>
            })}
            <p data-testid="chain-warning-reason">
                {move || reason.with_value(|error| chain_error_message(i18n.team(), error))}
            </p>
        </section>
    }
}

/// One line of the history.
fn entry_text(messages: &'static TeamMessages, entry: &HistoryEntry) -> String {
    let template = match entry.event {
        HistoryEvent::Founded => messages.history_founded(),
        HistoryEvent::Added => messages.history_added(),
        HistoryEvent::Removed => messages.history_removed(),
        HistoryEvent::ReRegistered => messages.history_reregistered(),
    };
    fill(
        template,
        &[
            ("number", &entry.number.to_string()),
            ("name", &entry.member),
            ("signer", &entry.signer),
        ],
    )
}

/// The verified chain's history, newest first.
#[component]
pub fn ChainHistory(versions: Vec<SignedVersion>) -> impl IntoView {
    let i18n = use_i18n();
    let versions: Vec<ChainVersion> = versions.into_iter().map(|signed| signed.version).collect();
    let entries = history(&versions);
    let items = entries
        .into_iter()
        .map(|entry| {
            let at = entry.at;
            let entry = StoredValue::new(entry);
            view! {
                <li data-testid="history-entry">
                    <span data-testid="history-text">{move || entry.with_value(|entry| entry_text(i18n.team(), entry))}</span>
                    {at.map(|at| view! {
                        <br />
                        <span class="hint">{move || format_time(at, i18n.locale().is_serbian())}</span>
                    })}
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="card" aria-labelledby="history-heading">
            <h2 id="history-heading">{move || i18n.team().history_heading()}</h2>
            <p class="hint">{move || i18n.team().history_intro()}</p>
            <ol class="key-set__members" reversed data-testid="chain-history">{items}</ol>
        </section>
    }
}
