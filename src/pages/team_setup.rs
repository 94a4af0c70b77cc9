//! `/team/setup#<code>[.<school>]`: a protection-team member registers their keys with a
//! one-time set-up link. The first member's link comes from the operator (`prepoznaj-server
//! school create`): the keys are made here (`components::new_team_key`: passphrase, age key and
//! signing key made and locked, recovery copy saved and proven), saved to IndexedDB, and only
//! then registered, with the team's key chain's version 1 made and signed here (the link check
//! names the school of a first member's link). A member who made their keys to join
//! (`/team/join`) or restored them on a new device (`/team/recover`) opens the link another
//! member made for them (it names the school, `prepoznaj_domain::team_device`): the keys
//! already on this device are registered (unlocked with the passphrase to sign the request),
//! never a second pair. Every set-up request is signed with the signing key being registered.
//! The chain the server answers with is verified here and must list this device's keys;
//! otherwise the device refuses the registration and says why. Its head is kept as the
//! device's pin. The team page (`/team`) follows.
//!
//! Before either, the link is checked with the server (`components::checked_link`): a used,
//! replaced, expired, revoked or unknown link is refused before any passphrase is asked or key
//! made. A refusal for a key already waiting here (at the check or at registration) is kept
//! with it, so that `/team` offers to delete that key or keep it for a new link.

use std::sync::Arc;

use leptos::prelude::*;
use prepoznaj_domain::protocol::{
    DisplayName, Envelope, LinkKind, TEAM_SETUP_PATH, TeamMemberId, TeamSetupRequest,
    TeamSetupResponse,
};
use prepoznaj_domain::team_chain::ChainMember;
use prepoznaj_domain::team_device::parse_setup_fragment;
use prepoznaj_envelope::chain::{ChainError, found_chain, verify_chain};
use prepoznaj_envelope::digest::key_fingerprint;
use prepoznaj_envelope::identity::{LOCK_WORK_FACTOR, TeamIdentity, UnlockError};
use prepoznaj_envelope::signing::ChainSigningKey;

use crate::address::{clear_fragment, current_fragment};
use crate::clock::{now, random_bytes};
use crate::components::api_error::{api_error_message, is_worth_retrying};
use crate::components::checked_link::{CheckedLink, refusal_of};
use crate::components::inbox_gate::CurrentPassphraseField;
use crate::components::key_form_fields::DisplayNameField;
use crate::components::new_team_key::{NewKey, NewTeamKey};
use crate::components::storage_error::storage_error_message;
use crate::components::team_chain::chain_error_message;
use crate::i18n::{TeamMessageFn, use_i18n, use_title};
use crate::storage::team_key::{self, RefusedLink, TeamKey, TeamRegistration};
use crate::storage::{StorageError, app_database};
use crate::sync::api::ApiCallError;
use crate::sync::client::{self, TeamSigner};

/// The address of the team page, shown once set-up is done.
pub const TEAM_PATH: &str = "/team";
/// The page where a new member makes their key to join a team.
pub const TEAM_JOIN_PATH: &str = "/team/join";
/// The page where a member restores their key from its recovery copy on a new device.
pub const TEAM_RECOVER_PATH: &str = "/team/recover";

/// Where the member is in the set-up.
#[derive(Debug, Clone, PartialEq)]
enum Step {
    Loading,
    NoCode,
    AlreadySetUp,
    NewKey,
    /// A key made to join or restored waits on this device for this link.
    ExistingKey(Box<TeamKey>),
    Registering,
    Failed(Failure),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Failure {
    Api(ApiCallError),
    Storage(StorageError),
    /// The link names no school and the server does not either (a member's link cut short).
    IncompleteLink,
    /// The chain the server answered with does not verify.
    Chain(ChainError),
    /// The verified chain does not list this device's keys for this member.
    NotListed,
    /// The key on this device has no signing key (made before signing keys existed).
    NoSigningKey,
}

/// The set-up screen.
#[component]
pub fn TeamSetupPage() -> impl IntoView {
    let i18n = use_i18n();
    use_title(|i18n| i18n.team().setup_title());
    let step = RwSignal::new(Step::Loading);
    let code = current_fragment();
    // The signing key, in memory only, for the registration and a retry.
    let signing_key = StoredValue::new(None::<Arc<ChainSigningKey>>);
    leptos::task::spawn_local(async move {
        let existing = match app_database().await {
            Ok(database) => team_key::load(&database).await,
            Err(error) => Err(error),
        };
        step.set(match existing {
            Err(error) => Step::Failed(Failure::Storage(error)),
            Ok(Some(TeamKey {
                registration: Some(_),
                ..
            })) => Step::AlreadySetUp,
            Ok(_) if code.is_empty() => Step::NoCode,
            Ok(Some(key)) => Step::ExistingKey(Box::new(key)),
            Ok(None) => Step::NewKey,
        });
    });
    let keep_refusal = move |refused: RefusedLink| {
        leptos::task::spawn_local(async move {
            let saved = match app_database().await {
                Ok(database) => team_key::save_refused_link(&database, Some(refused)).await,
                Err(error) => Err(error),
            };
            if let Err(error) = saved {
                leptos::logging::error!("cannot keep the refused link with the key: {error:?}");
            }
        });
    };
    let register = move |display_name: Option<DisplayName>| {
        let Some(key) = signing_key.get_value() else {
            return;
        };
        step.set(Step::Registering);
        leptos::task::spawn_local(async move {
            step.set(match register_stored_key(&key, display_name).await {
                Ok(()) => {
                    // The code is used: off the address bar, then on to the team page.
                    clear_fragment(TEAM_SETUP_PATH);
                    if let Err(error) = window().location().replace(TEAM_PATH) {
                        leptos::logging::warn!("cannot open the team page: {error:?}");
                    }
                    return;
                }
                Err(failure) => {
                    if let Failure::Api(error) = &failure
                        && let Some(refused) = refusal_of(error)
                    {
                        keep_refusal(refused);
                    }
                    Step::Failed(failure)
                }
            });
        });
    };
    let on_new_key = move |new_key: NewKey| {
        signing_key.set_value(Some(new_key.signing_key.clone()));
        step.set(Step::Registering);
        leptos::task::spawn_local(async move {
            match save_new_key(&new_key).await {
                Ok(()) => register(None),
                Err(error) => step.set(Step::Failed(Failure::Storage(error))),
            }
        });
    };
    let on_unlocked = move |(key, display_name): (Arc<ChainSigningKey>, DisplayName)| {
        signing_key.set_value(Some(key));
        register(Some(display_name));
    };
    let link_code = parse_setup_fragment(&current_fragment())
        .0
        .expose()
        .to_owned();
    let existing_code = link_code.clone();
    view! {
        <h1>{move || i18n.team().setup_title()}</h1>
        {move || match step.get() {
            Step::Loading => view! { <p role="status">{move || i18n.messages().observe_loading()}</p> }.into_any(),
            Step::NoCode => view! {
                {notice(|m| m.setup_no_code())}
                <TeamKeyLinks />
            }.into_any(),
            Step::AlreadySetUp => view! {
                <p class="notice" role="status">{move || i18n.team().team_already_set_up()}</p>
                <p><a class="button" href=TEAM_PATH>{move || i18n.team().team_open_team()}</a></p>
            }.into_any(),
            Step::NewKey => view! {
                <CheckedLink kind=LinkKind::TeamSetup code=link_code.clone()>
                    <p>{move || i18n.team().setup_intro()}</p>
                    <NewTeamKey finish=|m| m.setup_register() on_ready=on_new_key />
                </CheckedLink>
            }.into_any(),
            Step::ExistingKey(key) => view! {
                <CheckedLink
                    kind=LinkKind::TeamSetup
                    code=existing_code.clone()
                    on_refused=keep_refusal
                    refused_also=|| view! { <KeyKeptHint /> }
                >
                    <ExistingKeyStep key=(*key).clone() on_unlocked />
                </CheckedLink>
            }.into_any(),
            Step::Registering => view! { <p class="notice" role="status">{move || i18n.team().setup_registering()}</p> }.into_any(),
            Step::Failed(failure) => {
                let retry = matches!(&failure, Failure::Api(error) if is_worth_retrying(error));
                let refused = matches!(&failure, Failure::Api(error) if refusal_of(error).is_some());
                let detail = match &failure {
                    Failure::Chain(error) => Some(error.clone()),
                    _ => None,
                };
                let message = move || failure_message(&failure);
                view! {
                    <p class="notice notice--warning" role="alert" data-testid="setup-error">{message}</p>
                    {detail.map(|error| view! {
                        <p class="hint" data-testid="setup-chain-error">{move || chain_error_message(i18n.team(), &error)}</p>
                    })}
                    <Show when=move || refused>
                        <KeyKeptHint />
                    </Show>
                    <Show when=move || retry>
                        <button type="button" class="button button--primary" on:click=move |_| register(None)>
                            {move || i18n.team().setup_register()}
                        </button>
                    </Show>
                }.into_any()
            }
        }}
    }
}

/// The translated message for a failed step.
pub fn failure_message(failure: &Failure) -> &'static str {
    let i18n = use_i18n();
    match failure {
        Failure::Api(error) => api_error_message(i18n.team(), error),
        Failure::Storage(error) => storage_error_message(i18n.messages(), error),
        Failure::IncompleteLink => i18n.team().setup_link_incomplete(),
        Failure::Chain(_) => i18n.team().setup_chain_unverified(),
        Failure::NotListed => i18n.team().setup_not_listed(),
        Failure::NoSigningKey => i18n.team().setup_no_signing_key(),
    }
}

/// A notice in the team's messages.
pub fn notice(message: TeamMessageFn) -> impl IntoView {
    let i18n = use_i18n();
    view! { <p class="notice" role="status">{move || message(i18n.team())}</p> }
}

/// Where to go with no key on this device: join a team, or restore a key on a new device.
#[component]
pub fn TeamKeyLinks() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="actions">
            <a class="button" href=TEAM_JOIN_PATH>{move || i18n.team().join_title()}</a>
            <a class="button" href=TEAM_RECOVER_PATH>{move || i18n.team().recover_title()}</a>
        </div>
    }
}

/// Where to decide about a key that waits on this device for a link that was refused.
#[component]
fn KeyKeptHint() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <p class="hint" data-testid="key-kept-hint">
            {move || i18n.team().link_check_key_kept()} " "
            <a href=TEAM_PATH>{move || i18n.team().team_open_team()}</a>
        </p>
    }
}

/// The key already on this device, with its fingerprint and name, ready to register once its
/// passphrase unlocks the signing key that signs the registration.
#[component]
fn ExistingKeyStep(
    key: TeamKey,
    on_unlocked: impl Fn((Arc<ChainSigningKey>, DisplayName)) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let fingerprint = key_fingerprint(&key.public_key).to_string();
    let locked = StoredValue::new(key.locked_identity.clone());
    let passphrase = NodeRef::<leptos::html::Input>::new();
    let unlock_failure = RwSignal::new(None::<&'static str>);
    let busy = RwSignal::new(false);
    let name = RwSignal::new(
        key.display_name
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default(),
    );
    let name_error = RwSignal::new(false);
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let display_name = DisplayName::parse(&name.get_untracked());
        name_error.set(display_name.is_err());
        let (Ok(display_name), Some(input)) = (display_name, passphrase.get_untracked()) else {
            return;
        };
        busy.set(true);
        unlock_failure.set(None);
        // Let "Unlocking…" paint before the key derivation takes the thread.
        set_timeout(
            move || {
                let opened = locked.with_value(|locked| {
                    TeamIdentity::unlock_with_signing_key(locked.as_bytes(), &input.value())
                });
                busy.set(false);
                match opened {
                    Ok((_, Some(signing_key))) => {
                        input.set_value("");
                        on_unlocked((Arc::new(signing_key), display_name));
                    }
                    Ok((_, None)) => unlock_failure.set(Some(i18n.team().setup_no_signing_key())),
                    Err(UnlockError::WrongPassphrase) => {
                        unlock_failure.set(Some(i18n.inbox().inbox_wrong_passphrase()));
                    }
                    Err(UnlockError::Damaged(detail)) => {
                        leptos::logging::error!("the locked key is damaged: {detail}");
                        unlock_failure.set(Some(i18n.inbox().inbox_key_damaged()));
                    }
                }
            },
            std::time::Duration::ZERO,
        );
    };
    view! {
        <p>{move || i18n.team().setup_existing_key()}</p>
        <p>
            {move || i18n.team().key_fingerprint()} ": "
            <code class="fingerprint" data-testid="own-fingerprint">{fingerprint}</code>
        </p>
        <form class="form card" on:submit=submit novalidate data-testid="register-form">
            <DisplayNameField prefix="setup" name invalid=name_error />
            <CurrentPassphraseField prefix="setup-existing" input=passphrase error=unlock_failure />
            <div class="actions">
                <button type="submit" class="button button--primary" disabled=move || busy.get()>
                    {move || if busy.get() { i18n.inbox().inbox_unlocking() } else { i18n.team().setup_register() }}
                </button>
            </div>
        </form>
    }
}

/// Saves a new key, locked and not yet registered.
pub async fn save_new_key(new_key: &NewKey) -> Result<(), StorageError> {
    let database = app_database().await?;
    let key = TeamKey {
        locked_identity: Envelope::from_bytes(new_key.locked.clone()),
        work_factor: LOCK_WORK_FACTOR,
        public_key: new_key.identity.recipient(),
        signing_key: Some(new_key.signing_key.public_key()),
        created_at: now(),
        display_name: Some(new_key.display_name.clone()),
        registration: None,
        refused_link: None,
    };
    team_key::save(&database, &key).await
}

/// Registers the keys saved on this device with the link's code (under `display_name`, or the
/// name saved with the key): a school's first member founds the key chain with version 1, an
/// added member's keys must be the ones the chain lists. The answer's chain is verified and
/// must list this device's keys for the member it names; then the registration is saved with
/// its head as the pin.
async fn register_stored_key(
    signing_key: &ChainSigningKey,
    display_name: Option<DisplayName>,
) -> Result<(), Failure> {
    let database = app_database().await.map_err(Failure::Storage)?;
    let mut key = team_key::load(&database)
        .await
        .map_err(Failure::Storage)?
        .ok_or(Failure::Storage(StorageError::NotSaved))?;
    let display_name = display_name
        .or_else(|| key.display_name.clone())
        .ok_or(Failure::Storage(StorageError::NotSaved))?;
    let signing_public = signing_key.public_key();
    if key.signing_key.is_some_and(|saved| saved != signing_public) {
        return Err(Failure::NoSigningKey);
    }
    let (setup_code, linked_school) = parse_setup_fragment(&current_fragment());
    let check = client::check_link(LinkKind::TeamSetup, setup_code.expose())
        .await
        .map_err(Failure::Api)?;
    let (school, founding) = match check.founding_school {
        Some(school) => {
            let founder = ChainMember {
                id: TeamMemberId::new_v7(now(), random_bytes()),
                display_name: display_name.clone(),
                recipient: key.public_key.clone(),
                signing_key: signing_public,
                added_at: now(),
            };
            let founding =
                found_chain(school.id.clone(), vec![founder], signing_key).map_err(|error| {
                    leptos::logging::error!("cannot found the key chain: {error}");
                    Failure::Storage(StorageError::NotSaved)
                })?;
            (school.id, Some(founding.signed().clone()))
        }
        None => (linked_school.ok_or(Failure::IncompleteLink)?, None),
    };
    let request = TeamSetupRequest {
        setup_code,
        public_key: key.public_key.clone(),
        signing_key: signing_public,
        display_name: display_name.clone(),
        founding,
    };
    let signer = TeamSigner {
        key: signing_key,
        school: &school,
        member: None,
    };
    let answer: TeamSetupResponse = client::team_setup(&request, signer)
        .await
        .map_err(Failure::Api)?;
    let head = verify_chain(None, &answer.chain).map_err(Failure::Chain)?;
    if head.school() != &answer.school.id || head.school() != &school {
        return Err(Failure::Chain(ChainError::WrongSchool {
            number: head.number(),
        }));
    }
    let listed = head
        .version()
        .member(&answer.member.id)
        .is_some_and(|member| {
            member.recipient == key.public_key && member.signing_key == signing_public
        });
    if !listed {
        return Err(Failure::NotListed);
    }
    key.display_name = Some(display_name);
    key.signing_key = Some(signing_public);
    key.refused_link = None;
    key.registration = Some(TeamRegistration {
        school: answer.school,
        member: answer.member,
        member_token: answer.member_token,
        pin: Some(head.signed().clone()),
        registered_at: now(),
        pin_checked_at: None,
        ended: None,
    });
    team_key::save(&database, &key)
        .await
        .map_err(Failure::Storage)
}
