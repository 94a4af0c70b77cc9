//! `/team/setup#<code>`: a protection-team member's first visit, from the set-up link the
//! operator printed (`prepoznaj-server school create`). In order: their name and a passphrase
//! (typed twice; the rules are explained and checked by `prepoznaj_domain::team_key`), the key
//! made on this device and locked with the passphrase, a recovery copy (a file and a printable
//! code) they must save, a check that they did (two groups of the code typed back from their
//! copy), the locked key saved to IndexedDB, and only then the public key registered with the
//! server. The team page (`/team`) follows.
//!
//! Telemetry, in-page only: User Timing measures [`LOCK_MEASURE`] (locking the new key) and
//! [`UNLOCK_MEASURE`] (opening it again with the passphrase, which is also the check that the
//! stored key opens before anyone depends on it).

use std::sync::Arc;

use leptos::prelude::*;
use prepoznaj_domain::locale::fill;
use prepoznaj_domain::protocol::{
    DisplayName, Envelope, Secret, TEAM_SETUP_PATH, TeamSetupRequest, TeamSetupResponse,
};
use prepoznaj_domain::team_key::{PassphraseError, check_new_passphrase, groups_to_verify};
use prepoznaj_envelope::identity::{LOCK_WORK_FACTOR, TeamIdentity};

use crate::address::{clear_fragment, current_fragment};
use crate::clock::{now, random_bytes};
use crate::components::api_error::{api_error_message, is_worth_retrying};
use crate::components::storage_error::storage_error_message;
use crate::download::download_text;
use crate::i18n::{TeamMessageFn, use_i18n, use_title};
use crate::storage::team_key::{self, TeamKey, TeamRegistration};
use crate::storage::{StorageError, app_database};
use crate::sync::api::{ApiCallError, post_json};
use crate::timing::{measure_since, now_ms};

/// User Timing name of locking a new key with the passphrase.
pub const LOCK_MEASURE: &str = "prepoznaj:lock";
/// User Timing name of unlocking it again.
pub const UNLOCK_MEASURE: &str = "prepoznaj:unlock";

/// The address of the team page, shown once set-up is done.
pub const TEAM_PATH: &str = "/team";

const SETUP_API: &str = "/api/v1/team/setup";
const RECOVERY_FILE_NAME: &str = "prepoznaj-team-key.txt";

/// Where the member is in the set-up.
#[derive(Debug, Clone, PartialEq)]
enum Step {
    Loading,
    NoCode,
    AlreadySetUp,
    Passphrase,
    Working,
    Recovery,
    Verify,
    Registering,
    Failed(Failure),
}

#[derive(Debug, Clone, PartialEq)]
enum Failure {
    Api(ApiCallError),
    Storage(StorageError),
}

/// What the steps share: the link's code, the new key and its locked form.
#[derive(Clone)]
struct Setup {
    code: Secret,
    display_name: DisplayName,
    identity: Arc<TeamIdentity>,
    locked: Vec<u8>,
}

/// The set-up screen.
#[component]
pub fn TeamSetupPage() -> impl IntoView {
    let i18n = use_i18n();
    use_title(|i18n| i18n.team().setup_title);
    let step = RwSignal::new(Step::Loading);
    let setup = StoredValue::new(None::<Setup>);
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
            Ok(_) => Step::Passphrase,
        });
    });
    let register = move || {
        let Some(current) = setup.get_value() else {
            return;
        };
        step.set(Step::Registering);
        leptos::task::spawn_local(async move {
            step.set(match register_key(current).await {
                Ok(()) => {
                    // The code is used: off the address bar, then on to the team page.
                    clear_fragment(TEAM_SETUP_PATH);
                    if let Err(error) = window().location().replace(TEAM_PATH) {
                        leptos::logging::warn!("cannot open the team page: {error:?}");
                    }
                    return;
                }
                Err(failure) => Step::Failed(failure),
            });
        });
    };
    view! {
        <h1>{move || i18n.team().setup_title}</h1>
        {move || match step.get() {
            Step::Loading => view! { <p role="status">{move || i18n.messages().observe_loading}</p> }.into_any(),
            Step::NoCode => notice(|m| m.setup_no_code).into_any(),
            Step::AlreadySetUp => view! {
                <p class="notice" role="status">{move || i18n.team().team_already_set_up}</p>
                <p><a class="button" href=TEAM_PATH>{move || i18n.team().team_open_team}</a></p>
            }.into_any(),
            Step::Passphrase => view! { <PassphraseStep step setup /> }.into_any(),
            Step::Working => view! { <p class="notice" role="status">{move || i18n.team().setup_working}</p> }.into_any(),
            Step::Recovery => view! { <RecoveryStep step setup /> }.into_any(),
            Step::Verify => view! { <VerifyStep setup on_verified=register /> }.into_any(),
            Step::Registering => view! { <p class="notice" role="status">{move || i18n.team().setup_registering}</p> }.into_any(),
            Step::Failed(failure) => {
                let retry = matches!(&failure, Failure::Api(error) if is_worth_retrying(error))
                    && setup.with_value(Option::is_some);
                let message = move || match &failure {
                    Failure::Api(error) => api_error_message(i18n.team(), error),
                    Failure::Storage(error) => storage_error_message(i18n.messages(), error),
                };
                view! {
                    <p class="notice notice--warning" role="alert" data-testid="setup-error">{message}</p>
                    <Show when=move || retry>
                        <button type="button" class="button button--primary" on:click=move |_| register()>
                            {move || i18n.team().setup_register}
                        </button>
                    </Show>
                }.into_any()
            }
        }}
    }
}

fn notice(message: TeamMessageFn) -> impl IntoView {
    let i18n = use_i18n();
    view! { <p class="notice" role="status">{move || message(i18n.team())}</p> }
}

/// Saves the locked key, registers its public key and saves the registration.
async fn register_key(setup: Setup) -> Result<(), Failure> {
    let database = app_database().await.map_err(Failure::Storage)?;
    let public_key = setup.identity.recipient();
    let mut key = TeamKey {
        locked_identity: Envelope::from_bytes(setup.locked.clone()),
        work_factor: LOCK_WORK_FACTOR,
        public_key: public_key.clone(),
        created_at: now(),
        registration: None,
    };
    team_key::save(&database, &key)
        .await
        .map_err(Failure::Storage)?;
    let answer: TeamSetupResponse = post_json(
        SETUP_API,
        &TeamSetupRequest {
            setup_code: setup.code.clone(),
            public_key,
            display_name: setup.display_name.clone(),
        },
        None,
    )
    .await
    .map_err(Failure::Api)?;
    key.registration = Some(TeamRegistration {
        school: answer.school,
        member: answer.member,
        member_token: answer.member_token,
        key_set: answer.key_set,
        registered_at: now(),
    });
    team_key::save(&database, &key)
        .await
        .map_err(Failure::Storage)
}

/// The message for a refused passphrase.
fn passphrase_message(
    messages: &'static crate::i18n::TeamMessages,
    error: &PassphraseError,
) -> &'static str {
    match error {
        PassphraseError::TooShort { .. } => messages.setup_passphrase_short,
        PassphraseError::TooRepetitive { .. } => messages.setup_passphrase_repetitive,
        PassphraseError::Mismatch => messages.setup_passphrase_mismatch,
    }
}

#[component]
fn PassphraseStep(step: RwSignal<Step>, setup: StoredValue<Option<Setup>>) -> impl IntoView {
    let i18n = use_i18n();
    let name = RwSignal::new(String::new());
    let passphrase = RwSignal::new(String::new());
    let repeated = RwSignal::new(String::new());
    let name_error = RwSignal::new(false);
    let passphrase_error = RwSignal::new(None::<PassphraseError>);
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let display_name = DisplayName::parse(&name.get_untracked());
        name_error.set(display_name.is_err());
        let checked = check_new_passphrase(&passphrase.get_untracked(), &repeated.get_untracked());
        passphrase_error.set(checked.clone().err());
        let (Ok(display_name), Ok(())) = (display_name, checked) else {
            return;
        };
        step.set(Step::Working);
        let code = Secret::new(current_fragment());
        let secret = passphrase.get_untracked();
        // Let the "creating your key" status paint before the work (a fraction of a second)
        // takes the main thread.
        request_animation_frame(move || {
            set_timeout(
                move || {
                    let identity = TeamIdentity::generate();
                    let started = now_ms();
                    let locked = identity.lock(&secret, LOCK_WORK_FACTOR);
                    measure_since(LOCK_MEASURE, started);
                    let started = now_ms();
                    let opened = TeamIdentity::unlock(&locked, &secret);
                    measure_since(UNLOCK_MEASURE, started);
                    match opened {
                        Ok(opened) if opened.recipient() == identity.recipient() => {
                            setup.set_value(Some(Setup {
                                code,
                                display_name,
                                identity: Arc::new(identity),
                                locked,
                            }));
                            step.set(Step::Recovery);
                        }
                        other => {
                            leptos::logging::error!("the new key does not open: {other:?}");
                            step.set(Step::Failed(Failure::Storage(StorageError::NotSaved)));
                        }
                    }
                },
                std::time::Duration::ZERO,
            );
        });
    };
    view! {
        <p>{move || i18n.team().setup_intro}</p>
        <form class="form card" on:submit=submit novalidate data-testid="passphrase-form">
            <div class="field">
                <label for="setup-name">{move || i18n.team().setup_display_name}</label>
                <input
                    id="setup-name"
                    type="text"
                    autocomplete="name"
                    aria-describedby="setup-name-error"
                    aria-invalid=move || name_error.get().to_string()
                    prop:value=move || name.get()
                    on:input=move |event| name.set(event_target_value(&event))
                />
                <p class="field__error" id="setup-name-error">
                    {move || name_error.get().then(|| i18n.team().setup_display_name_invalid)}
                </p>
            </div>
            <div class="field">
                <label for="setup-passphrase">{move || i18n.team().setup_passphrase}</label>
                <p class="hint" id="setup-passphrase-hint">{move || i18n.team().setup_passphrase_hint}</p>
                <input
                    id="setup-passphrase"
                    type="password"
                    autocomplete="new-password"
                    aria-describedby="setup-passphrase-hint setup-passphrase-error"
                    aria-invalid=move || passphrase_error.get().is_some().to_string()
                    prop:value=move || passphrase.get()
                    on:input=move |event| passphrase.set(event_target_value(&event))
                />
            </div>
            <div class="field">
                <label for="setup-passphrase-repeat">{move || i18n.team().setup_passphrase_repeat}</label>
                <input
                    id="setup-passphrase-repeat"
                    type="password"
                    autocomplete="new-password"
                    aria-describedby="setup-passphrase-error"
                    aria-invalid=move || passphrase_error.get().is_some().to_string()
                    prop:value=move || repeated.get()
                    on:input=move |event| repeated.set(event_target_value(&event))
                />
                <p class="field__error" id="setup-passphrase-error" role="alert">
                    {move || passphrase_error.get().map(|error| passphrase_message(i18n.team(), &error))}
                </p>
            </div>
            <div class="actions">
                <button type="submit" class="button button--primary">{move || i18n.team().setup_start}</button>
            </div>
        </form>
    }
}

#[component]
fn RecoveryStep(step: RwSignal<Step>, setup: StoredValue<Option<Setup>>) -> impl IntoView {
    let i18n = use_i18n();
    let Some(current) = setup.get_value() else {
        return ().into_any();
    };
    let downloaded = RwSignal::new(false);
    let saved = RwSignal::new(false);
    let download_failed = RwSignal::new(false);
    let groups: Vec<String> = current
        .identity
        .recovery_code()
        .groups()
        .into_iter()
        .map(str::to_owned)
        .collect();
    let identity = current.identity.clone();
    let download = move |_| {
        let title = i18n.team().setup_recovery_heading;
        match download_text(
            RECOVERY_FILE_NAME,
            "text/plain",
            &identity.recovery_file(title),
        ) {
            Ok(()) => {
                download_failed.set(false);
                downloaded.set(true);
            }
            Err(error) => {
                leptos::logging::warn!("cannot download the recovery file: {error:?}");
                download_failed.set(true);
            }
        }
    };
    let print = move |_| {
        if let Err(error) = window().print() {
            leptos::logging::warn!("cannot print: {error:?}");
        }
    };
    view! {
        <p class="notice" role="status">{move || i18n.team().setup_created_key}</p>
        <section class="card" aria-labelledby="recovery-heading">
            <h2 id="recovery-heading">{move || i18n.team().setup_recovery_heading}</h2>
            <p>{move || i18n.team().setup_recovery_intro}</p>
            <h3 id="recovery-code-heading">{move || i18n.team().setup_recovery_code}</h3>
            <ol class="recovery-code" aria-labelledby="recovery-code-heading" data-testid="recovery-code">
                {groups.into_iter().map(|group| view! { <li><code>{group}</code></li> }).collect_view()}
            </ol>
            <div class="actions no-print">
                <button type="button" class="button" on:click=download data-testid="download-recovery">
                    {move || i18n.team().setup_download}
                </button>
                <button type="button" class="button" on:click=print>
                    {move || i18n.team().setup_print}
                </button>
            </div>
            <p class="hint" role="status">
                {move || downloaded.get().then(|| i18n.team().setup_downloaded)}
            </p>
            <Show when=move || download_failed.get()>
                <p class="notice notice--warning" role="alert">{move || i18n.messages().storage_failed}</p>
            </Show>
            <div class="field field--checkbox no-print">
                <input
                    id="recovery-saved"
                    type="checkbox"
                    prop:checked=move || saved.get()
                    on:change=move |event| saved.set(event_target_checked(&event))
                />
                <label for="recovery-saved">{move || i18n.team().setup_recovery_saved}</label>
            </div>
            <div class="actions no-print">
                <button
                    type="button"
                    class="button button--primary"
                    disabled=move || !(downloaded.get() && saved.get())
                    on:click=move |_| step.set(Step::Verify)
                >
                    {move || i18n.team().setup_continue}
                </button>
            </div>
        </section>
    }
    .into_any()
}

#[component]
fn VerifyStep(
    setup: StoredValue<Option<Setup>>,
    on_verified: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let [first, second] = groups_to_verify(random_bytes());
    let typed_first = RwSignal::new(String::new());
    let typed_second = RwSignal::new(String::new());
    let wrong = RwSignal::new(false);
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let matches = setup.with_value(|setup| {
            setup.as_ref().is_some_and(|setup| {
                let code = setup.identity.recovery_code();
                code.group_matches(first, &typed_first.get_untracked())
                    && code.group_matches(second, &typed_second.get_untracked())
            })
        });
        wrong.set(!matches);
        if matches {
            on_verified();
        }
    };
    let field = move |index: usize, typed: RwSignal<String>| {
        let id = format!("verify-group-{}", index + 1);
        view! {
            <div class="field">
                <label for=id.clone()>
                    {move || fill(i18n.team().setup_verify_group, &[("number", &(index + 1).to_string())])}
                </label>
                <input
                    id=id
                    type="text"
                    class="input--code"
                    autocomplete="off"
                    autocapitalize="characters"
                    spellcheck="false"
                    maxlength="8"
                    aria-describedby="verify-error"
                    aria-invalid=move || wrong.get().to_string()
                    prop:value=move || typed.get()
                    on:input=move |event| typed.set(event_target_value(&event))
                />
            </div>
        }
    };
    view! {
        <section class="card" aria-labelledby="verify-heading">
            <h2 id="verify-heading">{move || i18n.team().setup_verify_heading}</h2>
            <p>{move || i18n.team().setup_verify_intro}</p>
            <form class="form" on:submit=submit novalidate data-testid="verify-form">
                {field(first, typed_first)}
                {field(second, typed_second)}
                <p class="field__error" id="verify-error" role="alert">
                    {move || wrong.get().then(|| i18n.team().setup_verify_wrong)}
                </p>
                <div class="actions">
                    <button type="submit" class="button button--primary">{move || i18n.team().setup_register}</button>
                </div>
            </form>
        </section>
    }
}
