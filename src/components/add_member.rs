//! "Add a member" on the team page. The new member has made their keys on their own device
//! (`/team/join`), which shows both public keys as one text (`<age1…>:<signing key>`, with
//! a QR code) and the fingerprint. A current member enters the name and that text (pasted or
//! typed: no camera needed), and this app shows the fingerprint it computes from the keys;
//! only after they confirm it matches the new member's screen is the next version of the
//! team's key chain made and signed on this device (the key unlocked, asked for if locked) and
//! sent. The answer's chain is verified before it is shown; its one-time set-up link (copy, QR)
//! registers the keys on the new member's device. Nothing is taken from an address, so a link
//! cannot slip a key in.

use leptos::prelude::*;
use prepoznaj_domain::locale::fill;
use prepoznaj_domain::observation::UnixMillis;
use prepoznaj_domain::protocol::{
    ChainAppendRequest, ChainAppended, DisplayName, ErrorCode, Secret, TeamMemberId,
};
use prepoznaj_domain::team_chain::{
    ChainMember, ChainVersionError, MemberChange, MemberKeys, MemberKeysError, NextVersionError,
};
use prepoznaj_domain::team_device::member_setup_link;
use prepoznaj_envelope::chain::{SignError, sign_next_version};
use prepoznaj_envelope::digest::key_fingerprint;
use prepoznaj_envelope::signing::ChainSigningKey;

use crate::clock::{format_time, now, random_bytes};
use crate::components::api_error::api_error_message;
use crate::components::key_awaiting_link::signing_key_short;
use crate::components::key_form_fields::MemberKeysField;
use crate::components::share_link::{ShareLink, app_origin};
use crate::i18n::{TeamMessageFn, use_i18n};
use crate::inbox::SessionMember;
use crate::pages::team::{TeamContext, signer_of, use_team};
use crate::pages::team_setup::TEAM_JOIN_PATH;
use crate::sync::api::ApiCallError;
use crate::sync::client;

/// Why a change to the team was not made.
#[derive(Debug, Clone, PartialEq)]
pub enum ChangeFailure {
    Api(ApiCallError),
    /// The change cannot be made on the verified chain (the keys are a member's already).
    Sign(SignError),
    /// This device has no verified chain version to sign the next one on.
    NoChain,
}

/// The message for a failed team change.
#[must_use]
pub fn change_failure_message(failure: &ChangeFailure) -> &'static str {
    let i18n = use_i18n();
    match failure {
        ChangeFailure::Api(ApiCallError::Refused {
            code: ErrorCode::MemberExists,
            ..
        }) => i18n.team().add_member_exists(),
        ChangeFailure::Api(error) => api_error_message(i18n.team(), error),
        ChangeFailure::Sign(SignError::NotAMember) => i18n.team().error_signature_invalid(),
        ChangeFailure::Sign(SignError::Next(NextVersionError::Version(
            ChainVersionError::NoMembers,
        ))) => i18n.team().member_last(),
        ChangeFailure::Sign(_) => i18n.team().add_member_exists(),
        ChangeFailure::NoChain => i18n.team().chain_warning(),
    }
}

/// Makes `change` as the next version of the team's chain on this device's verified head,
/// signs it with `key` and sends it; the answer's chain is taken (verified) by `team`. A
/// conflict (another version came first) fetches and verifies the chain again.
///
/// # Errors
/// [`ChangeFailure`] naming why nothing changed.
pub async fn append_change(
    team: TeamContext,
    key: &ChainSigningKey,
    member: &SessionMember,
    change: MemberChange,
) -> Result<ChainAppended, ChangeFailure> {
    let head = team.head.get_untracked().ok_or(ChangeFailure::NoChain)?;
    let version = sign_next_version(&head, change, key).map_err(ChangeFailure::Sign)?;
    let request = ChainAppendRequest {
        version: version.signed().clone(),
    };
    match client::append_chain(&member.token, signer_of(key, member), &request).await {
        Ok(appended) => {
            team.take_chain(appended.chain.clone());
            Ok(appended)
        }
        Err(error) => {
            if matches!(
                error,
                ApiCallError::Refused {
                    code: ErrorCode::ChainConflict,
                    ..
                }
            ) {
                team.refresh();
            }
            Err(ChangeFailure::Api(error))
        }
    }
}

/// A member's one-time set-up link (naming the school, `member_setup_link`): what it is for,
/// until when (`message` with `{name}` and `{date}`), and the link with Copy and its QR code.
#[component]
pub fn MemberSetupLink(
    name: String,
    code: Secret,
    expires_at: UnixMillis,
    message: TeamMessageFn,
    testid: &'static str,
) -> impl IntoView {
    let i18n = use_i18n();
    let team = use_team();
    let href = member_setup_link(&app_origin(), &code, &team.school.get_value());
    view! {
        <p>
            {move || fill(
                message(i18n.team()),
                &[("name", &name), ("date", &format_time(expires_at, i18n.locale().is_serbian()))],
            )}
        </p>
        <ShareLink
            text=href
            label=|m| m.member_setup_link_label()
            qr_label=|m| m.member_setup_link_qr()
            copy=|m| m.link_copy()
            testid
        />
    }
}

/// What the member entered, checked.
#[derive(Debug, Clone, PartialEq)]
struct Checked {
    display_name: DisplayName,
    keys: MemberKeys,
}

/// The form, the fingerprint comparison and the set-up link.
#[component]
pub fn AddMember() -> impl IntoView {
    let i18n = use_i18n();
    let team = use_team();
    let name = RwSignal::new(String::new());
    let keys_text = RwSignal::new(String::new());
    let name_error = RwSignal::new(false);
    let keys_error = RwSignal::new(None::<MemberKeysError>);
    let checked = RwSignal::new(None::<Checked>);
    let matches = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let answer = RwSignal::new(None::<Result<(String, ChainAppended), ChangeFailure>>);
    let edited = move || {
        checked.set(None);
        matches.set(false);
    };
    let check = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        answer.set(None);
        let display_name = DisplayName::parse(&name.get_untracked());
        let keys = MemberKeys::parse(&keys_text.get_untracked());
        name_error.set(display_name.is_err());
        keys_error.set(keys.as_ref().err().copied());
        matches.set(false);
        checked.set(match (display_name, keys) {
            (Ok(display_name), Ok(keys)) => Some(Checked { display_name, keys }),
            _ => None,
        });
    };
    let approve = move |_| {
        let Some(entered) = checked.get_untracked() else {
            return;
        };
        team.with_signer(move |key, member| {
            let entered = entered.clone();
            busy.set(true);
            leptos::task::spawn_local(async move {
                let new_member = ChainMember {
                    id: TeamMemberId::new_v7(now(), random_bytes()),
                    display_name: entered.display_name.clone(),
                    recipient: entered.keys.recipient.clone(),
                    signing_key: entered.keys.signing_key,
                    added_at: now(),
                };
                let added = append_change(team, &key, &member, MemberChange::Add(new_member))
                    .await
                    .map(|appended| (entered.display_name.to_string(), appended));
                if added.is_ok() {
                    checked.set(None);
                    matches.set(false);
                    name.set(String::new());
                    keys_text.set(String::new());
                }
                answer.set(Some(added));
                busy.set(false);
            });
        });
    };
    let join_address = format!("{}{TEAM_JOIN_PATH}", app_origin());
    view! {
        <section class="card" aria-labelledby="add-member-heading">
            <h2 id="add-member-heading">{move || i18n.team().add_title()}</h2>
            <p>{move || fill(i18n.team().add_intro(), &[("address", &join_address)])}</p>
            <form class="form" on:submit=check novalidate data-testid="add-member-form">
                <div class="field">
                    <label for="add-member-name">{move || i18n.team().add_name()}</label>
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
                        {move || name_error.get().then(|| i18n.team().add_name_invalid())}
                    </p>
                </div>
                <MemberKeysField prefix="add-member" label=|m| m.add_key() text=keys_text error=keys_error on_edit=move |()| edited() />
                <div class="actions">
                    <button type="submit" class="button">{move || i18n.team().add_check()}</button>
                </div>
            </form>
            {move || checked.get().map(|entered| {
                let fingerprint = key_fingerprint(&entered.keys.recipient).to_string();
                let signing = signing_key_short(&entered.keys.signing_key);
                view! {
                    <div role="group" aria-labelledby="add-compare-heading" data-testid="add-member-compare">
                        <h3 id="add-compare-heading">{move || i18n.team().add_compare_heading()}</h3>
                        <p>{move || i18n.team().add_compare()}</p>
                        <p>
                            <code class="fingerprint fingerprint--large" data-testid="add-member-fingerprint">{fingerprint}</code>
                        </p>
                        <p>
                            {move || i18n.team().waiting_signing_key()} ": "
                            <code class="fingerprint" data-testid="add-member-signing-key">{signing}</code>
                        </p>
                        <div class="field field--checkbox">
                            <input
                                id="add-member-match"
                                type="checkbox"
                                prop:checked=move || matches.get()
                                on:change=move |event| matches.set(event_target_checked(&event))
                            />
                            <label for="add-member-match">{move || i18n.team().add_match()}</label>
                        </div>
                        <div class="actions">
                            <button
                                type="button"
                                class="button button--primary"
                                disabled=move || busy.get() || !matches.get()
                                on:click=approve
                            >
                                {move || i18n.team().add_approve()}
                            </button>
                            <button type="button" class="button" on:click=move |_| edited()>
                                {move || i18n.messages().observe_cancel()}
                            </button>
                        </div>
                    </div>
                }
            })}
            {move || answer.get().map(|answer| match answer {
                Err(failure) => view! {
                    <p class="notice notice--warning" role="alert" data-testid="add-member-error">
                        {move || change_failure_message(&failure)}
                    </p>
                }.into_any(),
                Ok((name, appended)) => {
                    let done_name = name.clone();
                    let setup = appended.setup.map(|setup| view! {
                        <MemberSetupLink
                            name=name.clone()
                            code=setup.setup_code
                            expires_at=setup.setup_expires_at
                            message=|m| m.add_link_created()
                            testid="member-setup-link"
                        />
                    });
                    view! {
                        <p class="notice" role="status" data-testid="member-added">
                            {move || fill(i18n.team().add_done(), &[("name", &done_name)])}
                        </p>
                        {setup}
                    }.into_any()
                }
            })}
        </section>
    }
}
