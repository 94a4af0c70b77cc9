//! The team's members as a member sees them on their team page, from the key chain version
//! this device verified (never from the server's word): the version and the key set's
//! fingerprint, each member's name, key fingerprint (computed here from the key) and the date
//! they were added; for every other member "Remove" (after a confirmation saying what it
//! changes; never for the last member) and a new set-up link for a member who lost their
//! device. Both are signed on this device: a removal is the chain's next version; for a lost
//! device, the member pastes the keys the new device shows and compares the fingerprint:
//! the same keys as the chain's (restored from the recovery file) get a new set-up link, new
//! keys are registered by the chain's next version, which also gives the link.

use leptos::prelude::*;
use prepoznaj_domain::locale::fill;
use prepoznaj_domain::observation::UnixMillis;
use prepoznaj_domain::protocol::{ErrorCode, KeySet, Secret, TeamMember};
use prepoznaj_domain::team_chain::{ChainMember, MemberChange, MemberKeys, MemberKeysError};
use prepoznaj_envelope::digest::{key_fingerprint, key_set_fingerprint};

use crate::clock::{format_time, now};
use crate::components::add_member::{
    ChangeFailure, MemberSetupLink, append_change, change_failure_message,
};
use crate::components::confirm_dialog::ConfirmPrompt;
use crate::components::key_awaiting_link::signing_key_short;
use crate::components::key_form_fields::MemberKeysField;
use crate::i18n::{I18n, use_i18n};
use crate::pages::team::{signer_of, use_team};
use crate::sync::api::ApiCallError;
use crate::sync::client;

/// A member's new set-up link: for whom, the code, until when.
#[derive(Debug, Clone, PartialEq)]
struct NewSetupLink {
    name: String,
    code: Secret,
    expires_at: UnixMillis,
}

/// What the last action on a member gave.
#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    Removed(String),
    NewSetupLink(NewSetupLink),
    Failed(ChangeFailure),
}

/// The members list, from `key_set` (the verified head's); this device's member is marked.
#[component]
pub fn TeamMembers(key_set: Signal<KeySet>) -> impl IntoView {
    let i18n = use_i18n();
    let team = use_team();
    let you = team.you;
    let confirming = RwSignal::new(None::<TeamMember>);
    let renewing = RwSignal::new(None::<TeamMember>);
    let outcome = RwSignal::new(None::<Outcome>);
    let busy = RwSignal::new(false);
    let remove = move |removed: TeamMember| {
        confirming.set(None);
        team.with_signer(move |key, member| {
            let removed = removed.clone();
            busy.set(true);
            outcome.set(None);
            leptos::task::spawn_local(async move {
                let answer = append_change(
                    team,
                    &key,
                    &member,
                    MemberChange::Remove(removed.id.clone()),
                )
                .await;
                outcome.set(Some(match answer {
                    Ok(_) => Outcome::Removed(removed.display_name.to_string()),
                    Err(failure) => Outcome::Failed(failure),
                }));
                busy.set(false);
            });
        });
    };
    let renew = move |(lost, keys): (TeamMember, MemberKeys)| {
        renewing.set(None);
        team.with_signer(move |key, member| {
            let (lost, keys) = (lost.clone(), keys.clone());
            busy.set(true);
            outcome.set(None);
            leptos::task::spawn_local(async move {
                let listed = team.head.with_untracked(|head| {
                    head.as_ref()
                        .and_then(|head| head.version().member(&lost.id).cloned())
                });
                let name = lost.display_name.to_string();
                let answer = match listed {
                    // The same keys (restored from the recovery file): a new link for them.
                    Some(listed)
                        if listed.recipient == keys.recipient
                            && listed.signing_key == keys.signing_key =>
                    {
                        client::renew_setup_code(&member.token, signer_of(&key, &member), &lost.id)
                            .await
                            .map(|renewed| NewSetupLink {
                                name,
                                code: renewed.setup_code,
                                expires_at: renewed.setup_expires_at,
                            })
                            .map_err(ChangeFailure::Api)
                    }
                    Some(listed) => {
                        let change = MemberChange::ReRegister(ChainMember {
                            recipient: keys.recipient,
                            signing_key: keys.signing_key,
                            added_at: now(),
                            ..listed
                        });
                        append_change(team, &key, &member, change)
                            .await
                            .and_then(|appended| {
                                appended
                                    .setup
                                    .map(|setup| NewSetupLink {
                                        name,
                                        code: setup.setup_code,
                                        expires_at: setup.setup_expires_at,
                                    })
                                    .ok_or(ChangeFailure::Api(ApiCallError::Server { status: 0 }))
                            })
                    }
                    None => Err(ChangeFailure::NoChain),
                };
                outcome.set(Some(match answer {
                    Ok(link) => Outcome::NewSetupLink(link),
                    Err(failure) => Outcome::Failed(failure),
                }));
                busy.set(false);
            });
        });
    };
    let members = move || {
        key_set.with(|key_set| {
            let removable = key_set.keys.len() > 1;
            key_set
                .keys
                .iter()
                .map(|member| {
                    let is_you = you.with_value(|you| you == &member.id);
                    view! { <MemberItem member=member.clone() is_you removable busy renewing confirming /> }
                })
                .collect_view()
        })
    };
    let version = move || key_set.with(|key_set| key_set.version.to_string());
    let fingerprint = move || key_set.with(|key_set| key_set_fingerprint(key_set).to_string());
    view! {
        <section class="card key-set" aria-labelledby="members-heading">
            <h2 id="members-heading">{move || i18n.team().members_heading()}</h2>
            <p data-testid="key-set-version">{move || fill(i18n.team().members_version(), &[("version", &version())])}</p>
            <p>{move || i18n.team().key_set_fingerprint()} ":"</p>
            <p>
                <code class="fingerprint fingerprint--large" data-testid="key-set-fingerprint">{fingerprint}</code>
            </p>
            <p class="hint">{move || i18n.team().key_set_hint()}</p>
            <ul class="key-set__members" data-testid="members">{members}</ul>
            {move || confirming.get().map(|member| {
                let name = member.display_name.to_string();
                let question = fill(i18n.team().member_remove_question(), &[("name", &name)]);
                view! {
                    <ConfirmPrompt
                        label=move || i18n.team().member_remove_label()
                        question
                        confirm=move || i18n.team().member_remove_confirm()
                        danger=true
                        on_confirm=move |()| remove(member.clone())
                        on_cancel=move |()| confirming.set(None)
                    />
                }
            })}
            {move || renewing.get().map(|lost| view! { <LostDeviceForm lost on_confirm=renew on_cancel=move |()| renewing.set(None) /> })}
            {move || outcome.get().map(|outcome| outcome_view(i18n, outcome))}
        </section>
    }
}

/// One member with their fingerprint, date and (for others) actions.
#[component]
fn MemberItem(
    member: TeamMember,
    is_you: bool,
    removable: bool,
    busy: RwSignal<bool>,
    renewing: RwSignal<Option<TeamMember>>,
    confirming: RwSignal<Option<TeamMember>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let name = member.display_name.to_string();
    let fingerprint = key_fingerprint(&member.public_key).to_string();
    let added = member.added_at;
    let actions = (!is_you).then(|| {
        let for_renew = member.clone();
        let for_remove = member.clone();
        let name_renew = name.clone();
        let name_remove = name.clone();
        view! {
            <div class="actions">
                <button type="button" class="button" disabled=move || busy.get() on:click=move |_| renewing.set(Some(for_renew.clone()))>
                    {move || fill(i18n.team().member_renew(), &[("name", &name_renew)])}
                </button>
                {removable.then(|| view! {
                    <button
                        type="button"
                        class="button button--danger"
                        disabled=move || busy.get()
                        on:click=move |_| confirming.set(Some(for_remove.clone()))
                    >
                        {move || fill(i18n.team().member_remove(), &[("name", &name_remove)])}
                    </button>
                })}
            </div>
        }
    });
    view! {
        <li data-testid="member">
            <span data-testid="member-name">{name}</span>
            {is_you.then(|| view! { " (" {move || i18n.team().team_you()} ")" })}
            <br />
            <code class="fingerprint" data-testid="member-fingerprint">{fingerprint}</code>
            <br />
            <span class="hint">
                {move || fill(i18n.team().member_added_on(), &[("date", &format_time(added, i18n.locale().is_serbian()))])}
            </span>
            {actions}
        </li>
    }
}

fn outcome_view(i18n: I18n, outcome: Outcome) -> AnyView {
    match outcome {
        Outcome::Removed(name) => view! {
            <p class="notice" role="status" data-testid="member-removed">
                {move || fill(i18n.team().member_removed(), &[("name", &name)])}
            </p>
        }
        .into_any(),
        Outcome::Failed(failure) => {
            let message = move || match &failure {
                ChangeFailure::Api(ApiCallError::Refused {
                    code: ErrorCode::LastTeamMember,
                    ..
                }) => i18n.team().member_last(),
                failure => change_failure_message(failure),
            };
            view! { <p class="notice notice--warning" role="alert" data-testid="member-error">{message}</p> }
                .into_any()
        }
        Outcome::NewSetupLink(renewed) => {
            let heading_name = renewed.name.clone();
            view! {
                <div class="card" role="group" aria-labelledby="renewed-heading">
                    <h3 id="renewed-heading">{move || fill(i18n.team().member_renew_heading(), &[("name", &heading_name)])}</h3>
                    <MemberSetupLink
                        name=renewed.name
                        code=renewed.code
                        expires_at=renewed.expires_at
                        message=|m| m.member_renew_created()
                        testid="renewed-setup-link"
                    />
                </div>
            }
            .into_any()
        }
    }
}

/// A lost device: the keys the member's new device shows, then the fingerprint compared
/// before anything is signed.
#[component]
fn LostDeviceForm(
    lost: TeamMember,
    on_confirm: impl Fn((TeamMember, MemberKeys)) + Copy + Send + Sync + 'static,
    on_cancel: impl Fn(()) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let name = lost.display_name.to_string();
    let lost = StoredValue::new(lost);
    let text = RwSignal::new(String::new());
    let error = RwSignal::new(None::<MemberKeysError>);
    let checked = RwSignal::new(None::<MemberKeys>);
    let matches = RwSignal::new(false);
    let edited = move || {
        checked.set(None);
        matches.set(false);
    };
    let check = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let keys = MemberKeys::parse(&text.get_untracked());
        error.set(keys.as_ref().err().copied());
        matches.set(false);
        checked.set(keys.ok());
    };
    let heading_name = name.clone();
    view! {
        <div class="card" role="group" aria-labelledby="lost-device-heading" data-testid="lost-device-form">
            <h3 id="lost-device-heading">{move || fill(i18n.team().member_renew_heading(), &[("name", &heading_name)])}</h3>
            <p>{move || fill(i18n.team().lost_intro(), &[("name", &name)])}</p>
            <form class="form" on:submit=check novalidate>
                <MemberKeysField prefix="lost-device" label=|m| m.lost_keys() text error on_edit=move |()| edited() />
                <div class="actions">
                    <button type="submit" class="button">{move || i18n.team().add_check()}</button>
                    <button type="button" class="button" on:click=move |_| on_cancel(())>
                        {move || i18n.messages().observe_cancel()}
                    </button>
                </div>
            </form>
            {move || checked.get().map(|keys| {
                let fingerprint = key_fingerprint(&keys.recipient).to_string();
                let signing = signing_key_short(&keys.signing_key);
                let keys = StoredValue::new(keys);
                view! {
                    <p>{move || i18n.team().add_compare()}</p>
                    <p>
                        <code class="fingerprint fingerprint--large" data-testid="lost-device-fingerprint">{fingerprint}</code>
                    </p>
                    <p>
                        {move || i18n.team().waiting_signing_key()} ": "
                        <code class="fingerprint">{signing}</code>
                    </p>
                    <div class="field field--checkbox">
                        <input
                            id="lost-device-match"
                            type="checkbox"
                            prop:checked=move || matches.get()
                            on:change=move |event| matches.set(event_target_checked(&event))
                        />
                        <label for="lost-device-match">{move || i18n.team().add_match()}</label>
                    </div>
                    <div class="actions">
                        <button
                            type="button"
                            class="button button--primary"
                            disabled=move || !matches.get()
                            on:click=move |_| on_confirm((lost.get_value(), keys.get_value()))
                        >
                            {move || i18n.team().lost_approve()}
                        </button>
                    </div>
                }
            })}
        </div>
    }
}
