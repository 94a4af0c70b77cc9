//! `/team/setup#<code>`: a protection-team member registers their key with a one-time set-up
//! link. The first member's link comes from the operator (`prepoznaj-server school create`):
//! the key is made here (`components::new_team_key`: passphrase, key made and locked, recovery
//! copy saved and proven), its locked form saved to IndexedDB, and only then its public key
//! registered. A member who made their key to join (`/team/join`) or restored it on a new
//! device (`/team/recover`) opens the link another member made for that key: the key already
//! on this device is registered, never a second one. The team page (`/team`) follows.
//!
//! Before either, the link is checked with the server (`components::checked_link`): a used,
//! replaced, expired, revoked or unknown link is refused before any passphrase is asked or key
//! made. A refusal for a key already waiting here (at the check or at registration) is kept
//! with it, so that `/team` offers to delete that key or keep it for a new link.

use leptos::prelude::*;
use prepoznaj_domain::protocol::{
    DisplayName, Envelope, LinkKind, Secret, TEAM_SETUP_PATH, TeamSetupRequest, TeamSetupResponse,
};
use prepoznaj_envelope::digest::key_fingerprint;
use prepoznaj_envelope::identity::LOCK_WORK_FACTOR;

use crate::address::{clear_fragment, current_fragment};
use crate::clock::now;
use crate::components::api_error::{api_error_message, is_worth_retrying};
use crate::components::checked_link::{CheckedLink, refusal_of};
use crate::components::key_form_fields::DisplayNameField;
use crate::components::new_team_key::{NewKey, NewTeamKey};
use crate::components::storage_error::storage_error_message;
use crate::i18n::{TeamMessageFn, use_i18n, use_title};
use crate::storage::team_key::{self, RefusedLink, TeamKey, TeamRegistration};
use crate::storage::{StorageError, app_database};
use crate::sync::api::ApiCallError;
use crate::sync::client;

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
}

/// The set-up screen.
#[component]
pub fn TeamSetupPage() -> impl IntoView {
    let i18n = use_i18n();
    use_title(|i18n| i18n.team().setup_title);
    let step = RwSignal::new(Step::Loading);
    let code = current_fragment();
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
        step.set(Step::Registering);
        leptos::task::spawn_local(async move {
            step.set(match register_stored_key(display_name).await {
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
        step.set(Step::Registering);
        leptos::task::spawn_local(async move {
            match save_new_key(&new_key).await {
                Ok(()) => register(None),
                Err(error) => step.set(Step::Failed(Failure::Storage(error))),
            }
        });
    };
    view! {
        <h1>{move || i18n.team().setup_title}</h1>
        {move || match step.get() {
            Step::Loading => view! { <p role="status">{move || i18n.messages().observe_loading}</p> }.into_any(),
            Step::NoCode => view! {
                {notice(|m| m.setup_no_code)}
                <TeamKeyLinks />
            }.into_any(),
            Step::AlreadySetUp => view! {
                <p class="notice" role="status">{move || i18n.team().team_already_set_up}</p>
                <p><a class="button" href=TEAM_PATH>{move || i18n.team().team_open_team}</a></p>
            }.into_any(),
            Step::NewKey => view! {
                <CheckedLink kind=LinkKind::TeamSetup code=current_fragment()>
                    <p>{move || i18n.team().setup_intro}</p>
                    <NewTeamKey finish=|m| m.setup_register on_ready=on_new_key />
                </CheckedLink>
            }.into_any(),
            Step::ExistingKey(key) => view! {
                <CheckedLink
                    kind=LinkKind::TeamSetup
                    code=current_fragment()
                    on_refused=keep_refusal
                    refused_also=|| view! { <KeyKeptHint /> }
                >
                    <ExistingKeyStep key=(*key).clone() on_register=register />
                </CheckedLink>
            }.into_any(),
            Step::Registering => view! { <p class="notice" role="status">{move || i18n.team().setup_registering}</p> }.into_any(),
            Step::Failed(failure) => {
                let retry = matches!(&failure, Failure::Api(error) if is_worth_retrying(error));
                let refused = matches!(&failure, Failure::Api(error) if refusal_of(error).is_some());
                let message = move || failure_message(&failure);
                view! {
                    <p class="notice notice--warning" role="alert" data-testid="setup-error">{message}</p>
                    <Show when=move || refused>
                        <KeyKeptHint />
                    </Show>
                    <Show when=move || retry>
                        <button type="button" class="button button--primary" on:click=move |_| register(None)>
                            {move || i18n.team().setup_register}
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
            <a class="button" href=TEAM_JOIN_PATH>{move || i18n.team().join_title}</a>
            <a class="button" href=TEAM_RECOVER_PATH>{move || i18n.team().recover_title}</a>
        </div>
    }
}

/// Where to decide about a key that waits on this device for a link that was refused.
#[component]
fn KeyKeptHint() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <p class="hint" data-testid="key-kept-hint">
            {move || i18n.team().link_check_key_kept} " "
            <a href=TEAM_PATH>{move || i18n.team().team_open_team}</a>
        </p>
    }
}

/// The key already on this device, with its fingerprint and name, ready to register.
#[component]
fn ExistingKeyStep(
    key: TeamKey,
    on_register: impl Fn(Option<DisplayName>) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let fingerprint = key_fingerprint(&key.public_key).to_string();
    let name = RwSignal::new(
        key.display_name
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default(),
    );
    let name_error = RwSignal::new(false);
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        match DisplayName::parse(&name.get_untracked()) {
            Ok(display_name) => on_register(Some(display_name)),
            Err(_) => name_error.set(true),
        }
    };
    view! {
        <p>{move || i18n.team().setup_existing_key}</p>
        <p>
            {move || i18n.team().key_fingerprint} ": "
            <code class="fingerprint" data-testid="own-fingerprint">{fingerprint}</code>
        </p>
        <form class="form card" on:submit=submit novalidate data-testid="register-form">
            <DisplayNameField prefix="setup" name invalid=name_error />
            <div class="actions">
                <button type="submit" class="button button--primary">{move || i18n.team().setup_register}</button>
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
        created_at: now(),
        display_name: Some(new_key.display_name.clone()),
        registration: None,
        refused_link: None,
    };
    team_key::save(&database, &key).await
}

/// Registers the key saved on this device with the link's code (under `display_name`, or the
/// name saved with the key) and saves the registration.
async fn register_stored_key(display_name: Option<DisplayName>) -> Result<(), Failure> {
    let database = app_database().await.map_err(Failure::Storage)?;
    let mut key = team_key::load(&database)
        .await
        .map_err(Failure::Storage)?
        .ok_or(Failure::Storage(StorageError::NotSaved))?;
    let display_name = display_name
        .or_else(|| key.display_name.clone())
        .ok_or(Failure::Storage(StorageError::NotSaved))?;
    let answer: TeamSetupResponse = client::team_setup(&TeamSetupRequest {
        setup_code: Secret::new(current_fragment()),
        public_key: key.public_key.clone(),
        display_name: display_name.clone(),
    })
    .await
    .map_err(Failure::Api)?;
    key.display_name = Some(display_name);
    key.refused_link = None;
    key.registration = Some(TeamRegistration {
        school: answer.school,
        member: answer.member,
        member_token: answer.member_token,
        key_set: answer.key_set,
        registered_at: now(),
        key_set_checked_at: None,
        ended: None,
    });
    team_key::save(&database, &key)
        .await
        .map_err(Failure::Storage)
}
