//! "Add a member" on the team page. The new member has made their key on their own device
//! (`/team/join`), which shows its public key and fingerprint. A current member enters the
//! name and the public key (pasted or typed: no camera needed), and this app shows the
//! fingerprint it computes from that key; only after they confirm it matches the new member's
//! screen does the approval go to the server. The answer's one-time set-up link (copy, QR)
//! registers the key on the new member's device. Nothing is taken from an address, so a link
//! cannot slip a key in.

use leptos::prelude::*;
use prepoznaj_domain::locale::fill;
use prepoznaj_domain::protocol::{
    AgeRecipient, DisplayName, ErrorCode, KeySet, Secret, TEAM_SETUP_PATH, TeamMemberAdded,
    TeamMemberRequest, link,
};
use prepoznaj_envelope::digest::key_fingerprint;

use crate::clock::format_time;
use crate::components::api_error::api_error_message;
use crate::components::share_link::{ShareLink, app_origin};
use crate::i18n::use_i18n;
use crate::pages::team_setup::TEAM_JOIN_PATH;
use crate::sync::api::ApiCallError;
use crate::sync::client;

/// The form, the fingerprint comparison and the set-up link. `on_changed` gets the key set
/// with the new member in it.
#[component]
pub fn AddMember(token: Secret, #[prop(into)] on_changed: Callback<KeySet>) -> impl IntoView {
    let i18n = use_i18n();
    let token = StoredValue::new(token);
    let name = RwSignal::new(String::new());
    let public_key = RwSignal::new(String::new());
    let name_error = RwSignal::new(false);
    let key_error = RwSignal::new(false);
    let checked = RwSignal::new(None::<TeamMemberRequest>);
    let matches = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let answer = RwSignal::new(None::<Result<TeamMemberAdded, ApiCallError>>);
    let edited = move || {
        checked.set(None);
        matches.set(false);
    };
    let check = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        answer.set(None);
        let display_name = DisplayName::parse(&name.get_untracked());
        let typed_key: String = public_key
            .get_untracked()
            .split_whitespace()
            .collect::<String>()
            .to_lowercase();
        let recipient = AgeRecipient::parse(&typed_key);
        name_error.set(display_name.is_err());
        key_error.set(recipient.is_err());
        matches.set(false);
        checked.set(match (display_name, recipient) {
            (Ok(display_name), Ok(public_key)) => Some(TeamMemberRequest {
                public_key,
                display_name,
            }),
            _ => None,
        });
    };
    let approve = move |_| {
        let Some(request) = checked.get_untracked() else {
            return;
        };
        busy.set(true);
        leptos::task::spawn_local(async move {
            let added: Result<TeamMemberAdded, _> =
                client::add_member(&token.get_value(), &request).await;
            if let Ok(added) = &added {
                on_changed.run(added.key_set.clone());
                checked.set(None);
                matches.set(false);
                name.set(String::new());
                public_key.set(String::new());
            }
            answer.set(Some(added));
            busy.set(false);
        });
    };
    let join_address = format!("{}{TEAM_JOIN_PATH}", app_origin());
    view! {
        <section class="card" aria-labelledby="add-member-heading">
            <h2 id="add-member-heading">{move || i18n.team().add_title}</h2>
            <p>{move || fill(i18n.team().add_intro, &[("address", &join_address)])}</p>
            <form class="form" on:submit=check novalidate data-testid="add-member-form">
                <div class="field">
                    <label for="add-member-name">{move || i18n.team().add_name}</label>
                    <input
                        id="add-member-name"
                        type="text"
                        autocomplete="off"
                        aria-describedby="add-member-name-error"
                        aria-invalid=move || name_error.get().to_string()
                        prop:value=move || name.get()
                        on:input=move |event| {
                            name.set(event_target_value(&event));
                            edited();
                        }
                    />
                    <p class="field__error" id="add-member-name-error">
                        {move || name_error.get().then(|| i18n.team().add_name_invalid)}
                    </p>
                </div>
                <div class="field">
                    <label for="add-member-key">{move || i18n.team().add_key}</label>
                    <textarea
                        id="add-member-key"
                        class="input--code"
                        rows="3"
                        autocomplete="off"
                        autocapitalize="none"
                        spellcheck="false"
                        aria-describedby="add-member-key-error"
                        aria-invalid=move || key_error.get().to_string()
                        prop:value=move || public_key.get()
                        on:input=move |event| {
                            public_key.set(event_target_value(&event));
                            edited();
                        }
                    ></textarea>
                    <p class="field__error" id="add-member-key-error" role="alert">
                        {move || key_error.get().then(|| i18n.team().add_key_invalid)}
                    </p>
                </div>
                <div class="actions">
                    <button type="submit" class="button">{move || i18n.team().add_check}</button>
                </div>
            </form>
            {move || checked.get().map(|request| {
                let fingerprint = key_fingerprint(&request.public_key).to_string();
                view! {
                    <div role="group" aria-labelledby="add-compare-heading" data-testid="add-member-compare">
                        <h3 id="add-compare-heading">{move || i18n.team().add_compare_heading}</h3>
                        <p>{move || i18n.team().add_compare}</p>
                        <p>
                            <code class="fingerprint fingerprint--large" data-testid="add-member-fingerprint">{fingerprint}</code>
                        </p>
                        <div class="field field--checkbox">
                            <input
                                id="add-member-match"
                                type="checkbox"
                                prop:checked=move || matches.get()
                                on:change=move |event| matches.set(event_target_checked(&event))
                            />
                            <label for="add-member-match">{move || i18n.team().add_match}</label>
                        </div>
                        <div class="actions">
                            <button
                                type="button"
                                class="button button--primary"
                                disabled=move || busy.get() || !matches.get()
                                on:click=approve
                            >
                                {move || i18n.team().add_approve}
                            </button>
                            <button type="button" class="button" on:click=move |_| edited()>
                                {move || i18n.messages().observe_cancel}
                            </button>
                        </div>
                    </div>
                }
            })}
            {move || answer.get().map(|answer| match answer {
                Err(error) => {
                    let message = move || match &error {
                        ApiCallError::Refused { code: ErrorCode::MemberExists, .. } => i18n.team().add_member_exists,
                        error => api_error_message(i18n.team(), error),
                    };
                    view! { <p class="notice notice--warning" role="alert" data-testid="add-member-error">{message}</p> }.into_any()
                }
                Ok(added) => {
                    let name = added.member.display_name.to_string();
                    let done_name = name.clone();
                    let href = link(&app_origin(), TEAM_SETUP_PATH, &added.setup_code);
                    let expires = added.setup_expires_at;
                    view! {
                        <p class="notice" role="status" data-testid="member-added">
                            {move || fill(i18n.team().add_done, &[("name", &done_name)])}
                        </p>
                        <p>
                            {move || fill(
                                i18n.team().add_link_created,
                                &[("name", &name), ("date", &format_time(expires, i18n.locale().is_serbian()))],
                            )}
                        </p>
                        <ShareLink
                            text=href
                            label=|m| m.member_setup_link_label
                            qr_label=|m| m.member_setup_link_qr
                            copy=|m| m.link_copy
                            testid="member-setup-link"
                        />
                    }.into_any()
                }
            })}
        </section>
    }
}
