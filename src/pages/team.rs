//! `/team`: a protection-team member's page on their own device: their school, their key's
//! fingerprint, staff enrolment links (made with the member's token; each link expires and can
//! be revoked), the team's members as the server last said (`client::team_keys` on every
//! visit; offline, the last known set, saying so), adding a member, removing one, and a new
//! set-up link for a member who lost their device. A device whose token the server refuses says
//! that its member was removed (or set up elsewhere) and offers nothing more. A key whose
//! set-up link was refused is not shown as waiting to join: the page says what happened and
//! offers to delete the key (after a confirmation) or keep it for a new link.

use leptos::prelude::*;
use prepoznaj_domain::locale::fill;
use prepoznaj_domain::protocol::{
    AgeRecipient, ENROL_PATH, EnrolmentLinkCreated, EnrolmentLinkRequest, EnrolmentLinkRevoked,
    ErrorCode, KeySet, LinkKind, SchoolKeys, Secret, link,
};
use prepoznaj_envelope::digest::key_fingerprint;

use crate::clock::{format_time, now};
use crate::components::add_member::AddMember;
use crate::components::api_error::api_error_message;
use crate::components::checked_link::refusal_message;
use crate::components::confirm_dialog::ConfirmPrompt;
use crate::components::key_awaiting_link::KeyAwaitingLink;
use crate::components::share_link::{ShareLink, app_origin};
use crate::components::storage_error::storage_error_message;
use crate::components::team_members::TeamMembers;
use crate::i18n::{use_i18n, use_title};
use crate::pages::team_setup::TeamKeyLinks;
use crate::storage::team_key::{self, MembershipEnded, RefusedLink, TeamKey, TeamRegistration};
use crate::storage::{StorageError, app_database};
use crate::sync::api::ApiCallError;
use crate::sync::client;

/// The team page.
#[component]
pub fn TeamPage() -> impl IntoView {
    let i18n = use_i18n();
    use_title(|i18n| i18n.team().team_title);
    let loaded = RwSignal::new(None::<Result<Option<TeamKey>, StorageError>>);
    leptos::task::spawn_local(async move {
        loaded.set(Some(match app_database().await {
            Ok(database) => team_key::load(&database).await,
            Err(error) => Err(error),
        }));
    });
    view! {
        <h1>{move || i18n.team().team_title}</h1>
        {move || match loaded.get() {
            None => view! { <p role="status">{move || i18n.messages().observe_loading}</p> }.into_any(),
            Some(Err(error)) => view! {
                <p class="notice notice--warning" role="alert">{move || storage_error_message(i18n.messages(), &error)}</p>
            }.into_any(),
            Some(Ok(None)) => view! {
                <p class="notice" role="status">{move || i18n.team().team_no_key}</p>
                <TeamKeyLinks />
            }.into_any(),
            Some(Ok(Some(TeamKey { registration: None, refused_link: Some(refused), public_key, .. }))) => view! {
                <RefusedKey refused public_key loaded />
            }.into_any(),
            Some(Ok(Some(TeamKey { registration: None, public_key, .. }))) => view! {
                <KeyAwaitingLink public_key instructions=|m| m.team_waiting />
            }.into_any(),
            Some(Ok(Some(TeamKey { registration: Some(registration), public_key, .. }))) => {
                let fingerprint = key_fingerprint(&public_key).to_string();
                view! { <MemberView registration fingerprint /> }.into_any()
            }
        }}
    }
}

/// An unregistered key whose set-up link was refused: what happened, then "Keep it for a new
/// link" (it waits again, shown with its fingerprint) or "Delete this key" (after a
/// confirmation). `loaded` is the page's record of the key, updated after either.
#[component]
fn RefusedKey(
    refused: RefusedLink,
    public_key: AgeRecipient,
    loaded: RwSignal<Option<Result<Option<TeamKey>, StorageError>>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let confirming = RwSignal::new(false);
    let failed = RwSignal::new(None::<StorageError>);
    let fingerprint = key_fingerprint(&public_key).to_string();
    let change = move |delete: bool| {
        leptos::task::spawn_local(async move {
            let changed = match app_database().await {
                Ok(database) if delete => team_key::delete(&database).await,
                Ok(database) => team_key::save_refused_link(&database, None).await,
                Err(error) => Err(error),
            };
            let reloaded = match changed {
                Ok(()) => match app_database().await {
                    Ok(database) => team_key::load(&database).await,
                    Err(error) => Err(error),
                },
                Err(error) => {
                    failed.set(Some(error));
                    return;
                }
            };
            loaded.set(Some(reloaded));
        });
    };
    view! {
        <section class="card" aria-labelledby="refused-key-heading" data-testid="refused-key">
            <h2 id="refused-key-heading">{move || i18n.team().refused_key_heading}</h2>
            <p class="notice notice--warning" role="alert">
                {move || refusal_message(i18n.team(), LinkKind::TeamSetup, &refused, i18n.locale().is_serbian())}
            </p>
            <p>{move || i18n.team().refused_key_intro}</p>
            <p>
                {move || i18n.team().key_fingerprint} ": "
                <code class="fingerprint" data-testid="refused-fingerprint">{fingerprint}</code>
            </p>
            {move || if confirming.get() {
                view! {
                    <ConfirmPrompt
                        label=move || i18n.team().refused_key_delete
                        question=move || i18n.team().refused_key_delete_question
                        confirm=move || i18n.team().refused_key_delete
                        danger=true
                        on_confirm=move |()| change(true)
                        on_cancel=move |()| confirming.set(false)
                    />
                }.into_any()
            } else {
                view! {
                    <div class="actions">
                        <button type="button" class="button button--primary" on:click=move |_| change(false)>
                            {move || i18n.team().refused_key_keep}
                        </button>
                        <button type="button" class="button button--danger" on:click=move |_| confirming.set(true)>
                            {move || i18n.team().refused_key_delete}
                        </button>
                    </div>
                }.into_any()
            }}
            {move || failed.get().map(|error| view! {
                <p class="notice notice--warning" role="alert">{move || storage_error_message(i18n.messages(), &error)}</p>
            })}
        </section>
    }
}

/// How far the check of the key set with the server got on this visit.
#[derive(Debug, Clone, PartialEq)]
enum KeyCheck {
    Checking,
    Current,
    Offline,
    Failed(ApiCallError),
}

/// A registered member's tools, kept up to date with the server's key set.
#[component]
fn MemberView(registration: TeamRegistration, fingerprint: String) -> impl IntoView {
    let i18n = use_i18n();
    let token = registration.member_token.clone();
    let you = registration.member.id.clone();
    let school = registration.school.name.to_string();
    let registration = RwSignal::new(registration);
    let check = RwSignal::new(KeyCheck::Checking);
    let persist = move || {
        let current = registration.get_untracked();
        leptos::task::spawn_local(async move {
            let saved = match app_database().await {
                Ok(database) => team_key::save_registration(&database, &current).await,
                Err(error) => Err(error),
            };
            if let Err(error) = saved {
                leptos::logging::error!("cannot save the team's key set: {error:?}");
            }
        });
    };
    let key_set_changed = move |key_set: KeySet| {
        registration.update(|registration| {
            registration.key_set = key_set;
            registration.key_set_checked_at = Some(now());
        });
        persist();
    };
    {
        let token = token.clone();
        leptos::task::spawn_local(async move {
            let answer: Result<SchoolKeys, ApiCallError> = client::team_keys(&token).await;
            check.set(match answer {
                Ok(keys) => {
                    key_set_changed(keys.key_set);
                    KeyCheck::Current
                }
                Err(ApiCallError::Offline) => KeyCheck::Offline,
                Err(ApiCallError::Refused {
                    code: code @ (ErrorCode::TokenRevoked | ErrorCode::Unauthorized),
                    ..
                }) => {
                    let ended = if code == ErrorCode::TokenRevoked {
                        MembershipEnded::Removed
                    } else {
                        MembershipEnded::Replaced
                    };
                    registration.update(|registration| registration.ended = Some(ended));
                    persist();
                    KeyCheck::Current
                }
                Err(error) => KeyCheck::Failed(error),
            });
        });
    }
    let key_set =
        Signal::derive(move || registration.with(|registration| registration.key_set.clone()));
    let school_for_ended = school.clone();
    let check_line = move || {
        match check.get() {
        KeyCheck::Checking => Some(view! {
            <p class="hint" role="status">{move || i18n.team().team_checking}</p>
        }.into_any()),
        KeyCheck::Current => None,
        KeyCheck::Offline => {
            let known = registration.with_untracked(|registration| {
                registration.key_set_checked_at.unwrap_or(registration.registered_at)
            });
            Some(view! {
                <p class="notice" role="status" data-testid="members-offline">
                    {move || fill(i18n.team().team_offline, &[("date", &format_time(known, i18n.locale().is_serbian()))])}
                </p>
            }.into_any())
        }
        KeyCheck::Failed(error) => Some(view! {
            <p class="notice notice--warning" role="alert">{move || api_error_message(i18n.team(), &error)}</p>
        }.into_any()),
    }
    };
    // Only the end of the membership rebuilds the tools (a new key set must not reset them).
    let ended = Memo::new(move |_| registration.with(|registration| registration.ended));
    move || match ended.get() {
        Some(ended) => {
            let school = school_for_ended.clone();
            let message = move || {
                let text = match ended {
                    MembershipEnded::Removed => i18n.team().team_removed,
                    MembershipEnded::Replaced => i18n.team().team_replaced,
                };
                fill(text, &[("school", &school)])
            };
            view! { <p class="notice notice--warning" role="alert" data-testid="membership-ended">{message}</p> }.into_any()
        }
        None => {
            let school = school.clone();
            view! {
                <p class="notice" role="status" data-testid="team-member-of">
                    {move || fill(i18n.team().setup_done, &[("school", &school)])}
                </p>
                <p>
                    {move || i18n.team().key_fingerprint} ": "
                    <code class="fingerprint" data-testid="own-fingerprint">{fingerprint.clone()}</code>
                </p>
                <p><a href="/inbox" class="button button--primary" data-testid="open-inbox">{move || i18n.inbox().inbox_open}</a></p>
                {check_line}
                <EnrolmentLinkMaker token=token.clone() />
                <TeamMembers key_set you=you.clone() token=token.clone() on_changed=key_set_changed />
                <AddMember token=token.clone() on_changed=key_set_changed />
            }.into_any()
        }
    }
}

/// "Create a staff enrolment link", then the link with Copy and its QR code.
#[component]
fn EnrolmentLinkMaker(token: Secret) -> impl IntoView {
    let i18n = use_i18n();
    let state = RwSignal::new(None::<Result<EnrolmentLinkCreated, ApiCallError>>);
    let revoked = RwSignal::new(None::<Result<(), ApiCallError>>);
    let busy = RwSignal::new(false);
    let token = StoredValue::new(token);
    let revoke = move |_| {
        let Some(Ok(created)) = state.get_untracked() else {
            return;
        };
        busy.set(true);
        leptos::task::spawn_local(async move {
            let token = token.get_value();
            let answer: Result<EnrolmentLinkRevoked, _> =
                client::revoke_enrolment_link(&token, &created.link.id).await;
            revoked.set(Some(answer.map(|_| ())));
            busy.set(false);
        });
    };
    let create = move |_| {
        busy.set(true);
        revoked.set(None);
        leptos::task::spawn_local(async move {
            let token = token.get_value();
            let created =
                client::create_enrolment_link(&token, &EnrolmentLinkRequest::default()).await;
            state.set(Some(created));
            busy.set(false);
        });
    };
    view! {
        <section class="card" aria-labelledby="enrolment-link-heading">
            <h2 id="enrolment-link-heading">{move || i18n.team().link_create}</h2>
            <div class="actions">
                <button type="button" class="button button--primary" disabled=move || busy.get() on:click=create>
                    {move || if busy.get() { i18n.team().link_creating } else { i18n.team().link_create }}
                </button>
            </div>
            {move || state.get().map(|created| match created {
                Err(error) => view! {
                    <p class="notice notice--warning" role="alert">{move || api_error_message(i18n.team(), &error)}</p>
                }.into_any(),
                Ok(created) => {
                    let href = link(&app_origin(), ENROL_PATH, &created.enrolment_code);
                    let expires = created.link.expires_at;
                    view! {
                        <p>{move || fill(i18n.team().link_created, &[("date", &format_time(expires, i18n.locale().is_serbian()))])}</p>
                        <ShareLink
                            text=href
                            label=|m| m.link_create
                            qr_label=|m| m.link_qr_label
                            copy=|m| m.link_copy
                            testid="enrolment-link"
                        />
                        <div class="actions">
                            <button type="button" class="button" disabled=move || busy.get() || revoked.get() == Some(Ok(())) on:click=revoke>
                                {move || i18n.team().link_revoke}
                            </button>
                        </div>
                        {move || revoked.get().map(|answer| {
                            let message = move || match &answer {
                                Ok(()) => i18n.team().link_revoked,
                                Err(error) => api_error_message(i18n.team(), error),
                            };
                            view! { <p class="notice" role="status" data-testid="link-revoked">{message}</p> }
                        })}
                    }.into_any()
                }
            })}
        </section>
    }
}
