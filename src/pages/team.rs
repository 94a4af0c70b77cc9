//! `/team`: a protection-team member's page on their own device: their school, their key's
//! fingerprint, staff enrolment links (each pins the team's key chain version this device
//! verified; each link expires, enrols at most the phones chosen when it is made, and can be
//! revoked, there or from the list of links), the school's staff phones (each can be revoked
//! from the list), the team's members and the chain's
//! history as this device verified them (the server's chain is fetched on every visit and
//! verified from the version this device pinned; one that does not verify is flagged with
//! the reason, and the device keeps its pinned version), adding a member, removing one, and
//! a new set-up link for a member who lost their device. Every change is signed on this
//! device with the member's unlocked signing key: if the key is locked, the passphrase is
//! asked for right there and the change goes on after unlocking. A device whose token the server refuses says
//! that its member was removed (or set up elsewhere) and offers nothing more. A key whose
//! set-up link was refused is not shown as waiting to join: the page says what happened and
//! offers to delete the key (after a confirmation) or keep it for a new link.

use std::rc::Rc;

use leptos::prelude::*;
use prepoznaj_domain::locale::fill;
use prepoznaj_domain::protocol::{
    AgeRecipient, DEFAULT_LINK_DEVICES, EnrolmentLinkCreated, EnrolmentLinkRequest,
    EnrolmentLinkRevoked, ErrorCode, KeySet, LinkDeviceCap, LinkKind, SchoolId, Secret,
    TeamMemberId, enrolment_link,
};
use prepoznaj_domain::team_chain::SignedVersion;
use prepoznaj_envelope::chain::VerifiedVersion;
use prepoznaj_envelope::digest::key_fingerprint;
use prepoznaj_envelope::signing::ChainSigningKey;

use crate::clock::{format_time, now};
use crate::components::add_member::AddMember;
use crate::components::api_error::api_error_message;
use crate::components::checked_link::refusal_message;
use crate::components::confirm_dialog::ConfirmPrompt;
use crate::components::enrolment_links::EnrolmentLinks;
use crate::components::inbox_gate::UnlockForm;
use crate::components::key_awaiting_link::KeyAwaitingLink;
use crate::components::share_link::{ShareLink, app_origin};
use crate::components::storage_error::storage_error_message;
use crate::components::team_chain::{ChainHistory, ChainWarning};
use crate::components::team_devices::TeamDevices;
use crate::components::team_members::TeamMembers;
use crate::i18n::{use_i18n, use_title};
use crate::inbox::{InboxSession, SessionMember, use_inbox};
use crate::pages::team_setup::TeamKeyLinks;
use crate::storage::team_key::{self, MembershipEnded, RefusedLink, TeamKey, TeamRegistration};
use crate::storage::{StorageError, app_database};
use crate::sync::api::ApiCallError;
use crate::sync::client::{self, TeamSigner};
use crate::sync::team_inbox::{ChainProblem, check_chain, verify_team_chain};

/// The team page.
#[component]
pub fn TeamPage() -> impl IntoView {
    let i18n = use_i18n();
    use_title(|i18n| i18n.team().team_title());
    let loaded = RwSignal::new(None::<Result<Option<TeamKey>, StorageError>>);
    leptos::task::spawn_local(async move {
        loaded.set(Some(match app_database().await {
            Ok(database) => team_key::load(&database).await,
            Err(error) => Err(error),
        }));
    });
    view! {
        <h1>{move || i18n.team().team_title()}</h1>
        {move || match loaded.get() {
            None => view! { <p role="status">{move || i18n.messages().observe_loading()}</p> }.into_any(),
            Some(Err(error)) => view! {
                <p class="notice notice--warning" role="alert">{move || storage_error_message(i18n.messages(), &error)}</p>
            }.into_any(),
            Some(Ok(None)) => view! {
                <p class="notice" role="status">{move || i18n.team().team_no_key()}</p>
                <TeamKeyLinks />
            }.into_any(),
            Some(Ok(Some(TeamKey { registration: None, refused_link: Some(refused), public_key, .. }))) => view! {
                <RefusedKey refused public_key loaded />
            }.into_any(),
            Some(Ok(Some(key @ TeamKey { registration: None, .. }))) => view! {
                <KeyAwaitingLink key instructions=|m| m.team_waiting() />
            }.into_any(),
            Some(Ok(Some(key @ TeamKey { registration: Some(_), .. }))) => {
                view! { <MemberView key /> }.into_any()
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
            <h2 id="refused-key-heading">{move || i18n.team().refused_key_heading()}</h2>
            <p class="notice notice--warning" role="alert">
                {move || refusal_message(i18n.team(), LinkKind::TeamSetup, &refused, i18n.locale().is_serbian())}
            </p>
            <p>{move || i18n.team().refused_key_intro()}</p>
            <p>
                {move || i18n.team().key_fingerprint()} ": "
                <code class="fingerprint" data-testid="refused-fingerprint">{fingerprint}</code>
            </p>
            {move || if confirming.get() {
                view! {
                    <ConfirmPrompt
                        label=move || i18n.team().refused_key_delete()
                        question=move || i18n.team().refused_key_delete_question()
                        confirm=move || i18n.team().refused_key_delete()
                        danger=true
                        on_confirm=move |()| change(true)
                        on_cancel=move |()| confirming.set(false)
                    />
                }.into_any()
            } else {
                view! {
                    <div class="actions">
                        <button type="button" class="button button--primary" on:click=move |_| change(false)>
                            {move || i18n.team().refused_key_keep()}
                        </button>
                        <button type="button" class="button button--danger" on:click=move |_| confirming.set(true)>
                            {move || i18n.team().refused_key_delete()}
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

/// What a registered member's tools share: who they are, the chain as this device verified
/// it, and the one way to sign a change ([`TeamContext::with_signer`]). Provided by the
/// member view for the add-member and members components.
#[derive(Debug, Clone, Copy)]
pub struct TeamContext {
    pub token: StoredValue<Secret>,
    pub school: StoredValue<SchoolId>,
    pub you: StoredValue<TeamMemberId>,
    /// The latest version this device verified (`None` only for a registration from before
    /// key chains whose chain has not verified).
    pub head: RwSignal<Option<VerifiedVersion>>,
    /// The whole chain, when the server's last answer verified.
    pub versions: RwSignal<Option<Vec<SignedVersion>>>,
    pub problem: RwSignal<Option<ChainProblem>>,
    pub checking: RwSignal<bool>,
    /// Counts changes to the school's links and phones made on this page: the lists of links
    /// and phones load again on each.
    pub lists_changed: RwSignal<u32>,
    registration: RwSignal<TeamRegistration>,
    /// A change waits for the passphrase.
    unlock_requested: RwSignal<bool>,
    pending: StoredValue<Option<Rc<dyn Fn()>>, LocalStorage>,
    /// The unlocked key has no signing key (made before signing keys existed).
    no_signing_key: RwSignal<bool>,
    session: InboxSession,
}

/// The context of [`MemberView`].
#[must_use]
pub fn use_team() -> TeamContext {
    expect_context::<TeamContext>()
}

impl TeamContext {
    /// Runs `action` with the unlocked signing key and its member; when the key is locked,
    /// asks for the passphrase first and runs it once unlocked.
    pub fn with_signer(&self, action: impl Fn(Rc<ChainSigningKey>, SessionMember) + 'static) {
        let session = self.session;
        let no_signing_key = self.no_signing_key;
        let run = move || match session.signer() {
            Some((key, member)) => {
                no_signing_key.set(false);
                action(key, member);
            }
            None => no_signing_key.set(true),
        };
        if session.is_unlocked_now() {
            run();
        } else {
            self.pending.set_value(Some(Rc::new(run)));
            self.unlock_requested.set(true);
        }
    }

    /// Takes a chain the server answered a change with: verified from this device's latest
    /// verified version, it becomes the pin; otherwise the warning says why.
    pub fn take_chain(&self, chain: Vec<SignedVersion>) {
        let pin = self.head.get_untracked();
        let school = self.school.get_value();
        match verify_team_chain(pin.as_ref(), &school, &chain) {
            Ok(head) => {
                self.registration.update(|registration| {
                    registration.pin = Some(head.signed().clone());
                    registration.pin_checked_at = Some(now());
                });
                self.persist();
                self.head.set(Some(head));
                self.versions.set(Some(chain));
                self.problem.set(None);
            }
            Err(error) => self.problem.set(Some(ChainProblem::Unverified(error))),
        }
    }

    /// Fetches the server's chain and verifies it from the pin.
    pub fn refresh(&self) {
        let context = *self;
        context.checking.set(true);
        leptos::task::spawn_local(async move {
            let mut registration = context.registration.get_untracked();
            let checked = check_chain(&mut registration).await;
            if let Some(ChainProblem::NotFetched(ApiCallError::Refused {
                code: code @ (ErrorCode::TokenRevoked | ErrorCode::Unauthorized),
                ..
            })) = &checked.problem
            {
                registration.ended = Some(if *code == ErrorCode::TokenRevoked {
                    MembershipEnded::Removed
                } else {
                    MembershipEnded::Replaced
                });
                context.registration.set(registration);
                context.persist();
                context.checking.set(false);
                return;
            }
            context.registration.set(registration);
            context.head.set(checked.head);
            if checked.versions.is_some() {
                context.versions.set(checked.versions);
            }
            context.problem.set(checked.problem);
            context.checking.set(false);
        });
    }

    fn persist(&self) {
        let current = self.registration.get_untracked();
        leptos::task::spawn_local(async move {
            let saved = match app_database().await {
                Ok(database) => team_key::save_registration(&database, &current).await,
                Err(error) => Err(error),
            };
            if let Err(error) = saved {
                leptos::logging::error!("cannot save the team registration: {error:?}");
            }
        });
    }
}

/// A team request's signer from the unlocked key and its member.
#[must_use]
pub fn signer_of<'a>(key: &'a ChainSigningKey, member: &'a SessionMember) -> TeamSigner<'a> {
    TeamSigner {
        key,
        school: &member.school,
        member: Some(&member.member),
    }
}

/// A registered member's tools, on the chain as this device verified it.
#[component]
fn MemberView(key: TeamKey) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_inbox();
    let Some(registration) = key.registration.clone() else {
        return ().into_any();
    };
    let fingerprint = key_fingerprint(&key.public_key).to_string();
    let school = registration.school.name.to_string();
    let context = TeamContext {
        token: StoredValue::new(registration.member_token.clone()),
        school: StoredValue::new(registration.school.id.clone()),
        you: StoredValue::new(registration.member.id.clone()),
        head: RwSignal::new(registration.pin.clone().map(VerifiedVersion::restore_own)),
        versions: RwSignal::new(None),
        problem: RwSignal::new(None),
        checking: RwSignal::new(true),
        lists_changed: RwSignal::new(0),
        registration: RwSignal::new(registration),
        unlock_requested: RwSignal::new(false),
        pending: StoredValue::new_local(None),
        no_signing_key: RwSignal::new(false),
        session,
    };
    provide_context(context);
    context.refresh();
    // A change that waited for the passphrase goes on once the key is unlocked.
    Effect::new(move || {
        if session.is_unlocked()
            && let Some(action) = context.pending.try_update_value(Option::take).flatten()
        {
            context.unlock_requested.set(false);
            action();
        }
    });
    let key = StoredValue::new(key);
    let key_set = Signal::derive(move || {
        context.head.with(|head| {
            head.as_ref().map_or_else(
                || KeySet {
                    version: 0,
                    keys: Vec::new(),
                },
                VerifiedVersion::key_set,
            )
        })
    });
    let check_line = move || {
        if context.checking.get() {
            return Some(
                view! { <p class="hint" role="status">{move || i18n.team().team_checking()}</p> }
                    .into_any(),
            );
        }
        match context.problem.get()? {
            ChainProblem::NotFetched(ApiCallError::Offline) => {
                let known = context.registration.with_untracked(|registration| {
                    registration.pin_checked_at.unwrap_or(registration.registered_at)
                });
                Some(view! {
                    <p class="notice" role="status" data-testid="members-offline">
                        {move || fill(i18n.team().team_offline(), &[("date", &format_time(known, i18n.locale().is_serbian()))])}
                    </p>
                }.into_any())
            }
            ChainProblem::NotFetched(error) => Some(view! {
                <p class="notice notice--warning" role="alert">{move || api_error_message(i18n.team(), &error)}</p>
            }.into_any()),
            ChainProblem::Unverified(error) => {
                let pinned = context.head.with_untracked(|head| head.as_ref().map(VerifiedVersion::number));
                Some(view! { <ChainWarning error pinned /> }.into_any())
            }
        }
    };
    let unlock_prompt = move || {
        context.unlock_requested.get().then(|| view! {
            <section class="card" aria-labelledby="sign-unlock-heading" data-testid="sign-unlock">
                <h2 id="sign-unlock-heading">{move || i18n.team().sign_unlock_heading()}</h2>
                <p>{move || i18n.team().sign_unlock_intro()}</p>
                <UnlockForm key=key.get_value() />
                <div class="actions">
                    <button type="button" class="button" on:click=move |_| {
                        context.pending.set_value(None);
                        context.unlock_requested.set(false);
                    }>
                        {move || i18n.messages().observe_cancel()}
                    </button>
                </div>
            </section>
        })
    };
    let no_signing_key = move || {
        context.no_signing_key.get().then(|| view! {
            <p class="notice notice--warning" role="alert">{move || i18n.team().setup_no_signing_key()}</p>
        })
    };
    let history = move || {
        context
            .versions
            .get()
            .map(|versions| view! { <ChainHistory versions /> })
    };
    // Only the end of the membership rebuilds the tools (a new chain must not reset them).
    let ended = Memo::new(move |_| context.registration.with(|registration| registration.ended));
    let tools = move || match ended.get() {
        Some(ended) => {
            let school = school.clone();
            let message = move || {
                let text = match ended {
                    MembershipEnded::Removed => i18n.team().team_removed(),
                    MembershipEnded::Replaced => i18n.team().team_replaced(),
                };
                fill(text, &[("school", &school)])
            };
            view! { <p class="notice notice--warning" role="alert" data-testid="membership-ended">{message}</p> }.into_any()
        }
        None => {
            let school = school.clone();
            view! {
                <p class="notice" role="status" data-testid="team-member-of">
                    {move || fill(i18n.team().setup_done(), &[("school", &school)])}
                </p>
                <p>
                    {move || i18n.team().key_fingerprint()} ": "
                    <code class="fingerprint" data-testid="own-fingerprint">{fingerprint.clone()}</code>
                </p>
                <p><a href="/inbox" class="button button--primary" data-testid="open-inbox">{move || i18n.inbox().inbox_open()}</a></p>
                {check_line}
                {unlock_prompt}
                {no_signing_key}
                <EnrolmentLinkMaker />
                <EnrolmentLinks />
                <TeamDevices />
                <TeamMembers key_set />
                <AddMember />
                {history}
            }.into_any()
        }
    };
    view! { {tools} }.into_any()
}

/// "Create a staff enrolment link" (signed) for at most the phones chosen (50 unless changed),
/// then the link, pinning the verified chain version, with Copy and its QR code.
#[component]
fn EnrolmentLinkMaker() -> impl IntoView {
    let i18n = use_i18n();
    let team = use_team();
    let state = RwSignal::new(None::<Result<String, ApiCallError>>);
    let created_link = RwSignal::new(None::<EnrolmentLinkCreated>);
    let revoked = RwSignal::new(None::<Result<(), ApiCallError>>);
    let busy = RwSignal::new(false);
    let max_devices = RwSignal::new(DEFAULT_LINK_DEVICES.to_string());
    let max_devices_invalid = RwSignal::new(false);
    let revoke = move |_| {
        let Some(created) = created_link.get_untracked() else {
            return;
        };
        team.with_signer(move |key, member| {
            let created = created.clone();
            busy.set(true);
            leptos::task::spawn_local(async move {
                let answer: Result<EnrolmentLinkRevoked, _> = client::revoke_enrolment_link(
                    &member.token,
                    signer_of(&key, &member),
                    &created.link.id,
                )
                .await;
                revoked.set(Some(answer.map(|_| ())));
                busy.set(false);
                team.lists_changed.update(|changes| *changes += 1);
            });
        });
    };
    let create = move |_| {
        let Some(pin) = team.head.get_untracked().map(|head| head.hash()) else {
            return;
        };
        let cap = max_devices.with_untracked(|text| {
            text.trim()
                .parse::<u16>()
                .ok()
                .and_then(|devices| LinkDeviceCap::new(devices).ok())
        });
        max_devices_invalid.set(cap.is_none());
        let Some(cap) = cap else {
            return;
        };
        team.with_signer(move |key, member| {
            busy.set(true);
            revoked.set(None);
            leptos::task::spawn_local(async move {
                let created = client::create_enrolment_link(
                    &member.token,
                    signer_of(&key, &member),
                    &EnrolmentLinkRequest {
                        max_devices: cap,
                        ..EnrolmentLinkRequest::default()
                    },
                )
                .await;
                state.set(Some(created.as_ref().map_err(Clone::clone).map(
                    |created| enrolment_link(&app_origin(), &created.enrolment_code, &pin),
                )));
                created_link.set(created.ok());
                busy.set(false);
                team.lists_changed.update(|changes| *changes += 1);
            });
        });
    };
    view! {
        <section class="card" aria-labelledby="enrolment-link-heading">
            <h2 id="enrolment-link-heading">{move || i18n.team().link_create()}</h2>
            <div class="field">
                <label for="link-max-devices">{move || i18n.team().link_max_devices_label()}</label>
                <input
                    id="link-max-devices"
                    class="input"
                    type="number"
                    inputmode="numeric"
                    min="1"
                    max="500"
                    aria-describedby="link-max-devices-hint"
                    aria-invalid=move || max_devices_invalid.get().to_string()
                    prop:value=move || max_devices.get()
                    on:input=move |event| max_devices.set(event_target_value(&event))
                />
                <p id="link-max-devices-hint" class="hint">{move || i18n.team().link_max_devices_hint()}</p>
            </div>
            {move || max_devices_invalid.get().then(|| view! {
                <p class="notice notice--warning" role="alert" data-testid="link-max-devices-invalid">{move || i18n.team().link_max_devices_invalid()}</p>
            })}
            <div class="actions">
                <button
                    type="button"
                    class="button button--primary"
                    disabled=move || busy.get() || team.head.with(Option::is_none)
                    on:click=create
                >
                    {move || if busy.get() { i18n.team().link_creating() } else { i18n.team().link_create() }}
                </button>
            </div>
            {move || state.get().map(|created| match created {
                Err(error) => view! {
                    <p class="notice notice--warning" role="alert">{move || api_error_message(i18n.team(), &error)}</p>
                }.into_any(),
                Ok(href) => {
                    let expires = created_link.with_untracked(|created| created.as_ref().map(|created| created.link.expires_at));
                    view! {
                        {expires.map(|expires| view! {
                            <p>{move || fill(i18n.team().link_created(), &[("date", &format_time(expires, i18n.locale().is_serbian()))])}</p>
                        })}
                        <ShareLink
                            text=href
                            label=|m| m.link_create()
                            qr_label=|m| m.link_qr_label()
                            copy=|m| m.link_copy()
                            testid="enrolment-link"
                        />
                        <div class="actions">
                            <button type="button" class="button" disabled=move || busy.get() || revoked.get() == Some(Ok(())) on:click=revoke>
                                {move || i18n.team().link_revoke()}
                            </button>
                        </div>
                        {move || revoked.get().map(|answer| {
                            let message = move || match &answer {
                                Ok(()) => i18n.team().link_revoked(),
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
