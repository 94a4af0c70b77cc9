//! The fields of the team-key forms: the member's name (set-up, joining, registering a waiting
//! key, recovery) and a new passphrase typed twice or generated (five random words of the EFF
//! short list, shown so the member can learn or write it down) for a new or restored key, and
//! another member's public keys as their device shows them. Element ids are `<prefix>-name`,
//! `<prefix>-passphrase` and so on, so two forms never share one.

use leptos::prelude::*;
use prepoznaj_domain::locale::fill;
use prepoznaj_domain::team_chain::MemberKeysError;
use prepoznaj_domain::team_key::PassphraseError;
use prepoznaj_envelope::identity::new_passphrase;

use crate::i18n::{TeamMessageFn, TeamMessages, use_i18n};

/// The message for a refused passphrase.
pub fn passphrase_message(messages: &'static TeamMessages, error: &PassphraseError) -> String {
    match error {
        PassphraseError::TooShort { .. } => messages.setup_passphrase_short().to_owned(),
        PassphraseError::TooRepetitive { .. } => messages.setup_passphrase_repetitive().to_owned(),
        PassphraseError::Weak { bits, min_bits } => fill(
            messages.setup_passphrase_weak(),
            &[("bits", &bits.to_string()), ("min", &min_bits.to_string())],
        ),
        PassphraseError::Mismatch => messages.setup_passphrase_mismatch().to_owned(),
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
            <label for=id.clone()>{move || i18n.team().setup_display_name()}</label>
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
                {move || invalid.get().then(|| i18n.team().setup_display_name_invalid())}
            </p>
        </div>
    }
}

/// A new passphrase, labelled `label`, and the same typed again, or a generated one filled in
/// both and shown; `error` says why the pair was refused.
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
    let suggested_id = format!("{prefix}-passphrase-suggested");
    let invalid = move || error.get().is_some().to_string();
    let suggested = RwSignal::new(None::<String>);
    let suggest = move |_| match new_passphrase() {
        Ok(words) => {
            passphrase.set(words.clone());
            repeated.set(words.clone());
            error.set(None);
            suggested.set(Some(words));
        }
        Err(failure) => leptos::logging::error!("no passphrase to suggest: {failure}"),
    };
    // Typing over the suggestion hides it.
    Effect::new(move || {
        let typed = passphrase.get();
        if suggested
            .get_untracked()
            .is_some_and(|words| words != typed)
        {
            suggested.set(None);
        }
    });
    view! {
        <div class="field">
            <label for=id.clone()>{move || label(i18n.team())}</label>
            <p class="hint" id=hint_id.clone()>{move || i18n.team().setup_passphrase_hint()}</p>
            <input
                id=id
                type="password"
                autocomplete="new-password"
                aria-describedby=format!("{hint_id} {error_id}")
                aria-invalid=invalid
                prop:value=move || passphrase.get()
                on:input=move |event| passphrase.set(event_target_value(&event))
            />
            <button type="button" class="button" on:click=suggest aria-controls=suggested_id.clone()>
                {move || i18n.team().setup_passphrase_suggest()}
            </button>
            <div id=suggested_id role="status">
                {move || suggested.get().map(|words| view! {
                    <p>{move || i18n.team().setup_passphrase_suggested()}</p>
                    <p class="recovery-passphrase"><code data-testid="suggested-passphrase">{words}</code></p>
                })}
            </div>
        </div>
        <div class="field">
            <label for=repeat_id.clone()>{move || i18n.team().setup_passphrase_repeat()}</label>
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

/// The message for keys that could not be read.
#[must_use]
pub fn member_keys_message(
    messages: &'static TeamMessages,
    error: MemberKeysError,
) -> &'static str {
    match error {
        MemberKeysError::Shape => messages.add_keys_shape(),
        MemberKeysError::Recipient => messages.add_keys_recipient(),
        MemberKeysError::SigningKey => messages.add_keys_signing(),
    }
}

/// The keys another member's device shows (`<age1…>:<64 hex digits>`, pasted or typed: no
/// camera needed), labelled `label`; `error` says what is wrong with them.
#[component]
pub fn MemberKeysField(
    prefix: &'static str,
    label: TeamMessageFn,
    text: RwSignal<String>,
    error: RwSignal<Option<MemberKeysError>>,
    #[prop(into)] on_edit: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = format!("{prefix}-keys");
    let error_id = format!("{prefix}-keys-error");
    view! {
        <div class="field">
            <label for=id.clone()>{move || label(i18n.team())}</label>
            <textarea
                id=id
                class="input--code"
                rows="4"
                autocomplete="off"
                autocapitalize="none"
                spellcheck="false"
                aria-describedby=error_id.clone()
                aria-invalid=move || error.get().is_some().to_string()
                prop:value=move || text.get()
                on:input=move |event| {
                    text.set(event_target_value(&event));
                    on_edit.run(());
                }
            ></textarea>
            <p class="field__error" id=error_id role="alert">
                {move || error.get().map(|error| member_keys_message(i18n.team(), error))}
            </p>
        </div>
    }
}
