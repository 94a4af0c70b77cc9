//! The fields of the team-key forms: the member's name (set-up, joining, registering a waiting
//! key, recovery) and a new passphrase typed twice (a new key, a restored key). Element ids are
//! `<prefix>-name`, `<prefix>-passphrase` and so on, so two forms never share one.

use leptos::prelude::*;
use prepoznaj_domain::team_key::PassphraseError;

use crate::i18n::{TeamMessageFn, TeamMessages, use_i18n};

/// The message for a refused passphrase.
pub fn passphrase_message(
    messages: &'static TeamMessages,
    error: &PassphraseError,
) -> &'static str {
    match error {
        PassphraseError::TooShort { .. } => messages.setup_passphrase_short,
        PassphraseError::TooRepetitive { .. } => messages.setup_passphrase_repetitive,
        PassphraseError::Mismatch => messages.setup_passphrase_mismatch,
    }
}

/// The member's name as the team will see it; `invalid` shows why it was refused.
#[component]
pub fn DisplayNameField(
    prefix: &'static str,
    name: RwSignal<String>,
    invalid: RwSignal<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = format!("{prefix}-name");
    let error_id = format!("{prefix}-name-error");
    view! {
        <div class="field">
            <label for=id.clone()>{move || i18n.team().setup_display_name}</label>
            <input
                id=id
                type="text"
                autocomplete="name"
                aria-describedby=error_id.clone()
                aria-invalid=move || invalid.get().to_string()
                prop:value=move || name.get()
                on:input=move |event| name.set(event_target_value(&event))
            />
            <p class="field__error" id=error_id>
                {move || invalid.get().then(|| i18n.team().setup_display_name_invalid)}
            </p>
        </div>
    }
}

/// A new passphrase, labelled `label`, and the same typed again; `error` says why the pair was
/// refused.
#[component]
pub fn NewPassphraseFields(
    prefix: &'static str,
    label: TeamMessageFn,
    passphrase: RwSignal<String>,
    repeated: RwSignal<String>,
    error: RwSignal<Option<PassphraseError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = format!("{prefix}-passphrase");
    let repeat_id = format!("{prefix}-passphrase-repeat");
    let hint_id = format!("{prefix}-passphrase-hint");
    let error_id = format!("{prefix}-passphrase-error");
    let invalid = move || error.get().is_some().to_string();
    view! {
        <div class="field">
            <label for=id.clone()>{move || label(i18n.team())}</label>
            <p class="hint" id=hint_id.clone()>{move || i18n.team().setup_passphrase_hint}</p>
            <input
                id=id
                type="password"
                autocomplete="new-password"
                aria-describedby=format!("{hint_id} {error_id}")
                aria-invalid=invalid
                prop:value=move || passphrase.get()
                on:input=move |event| passphrase.set(event_target_value(&event))
            />
        </div>
        <div class="field">
            <label for=repeat_id.clone()>{move || i18n.team().setup_passphrase_repeat}</label>
            <input
                id=repeat_id
                type="password"
                autocomplete="new-password"
                aria-describedby=error_id.clone()
                aria-invalid=invalid
                prop:value=move || repeated.get()
                on:input=move |event| repeated.set(event_target_value(&event))
            />
            <p class="field__error" id=error_id role="alert">
                {move || error.get().map(|error| passphrase_message(i18n.team(), &error))}
            </p>
        </div>
    }
}
