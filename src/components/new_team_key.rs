//! Making a protection-team member's key on this device, the steps the first member's set-up
//! (`/team/setup`) and a new member joining (`/team/join`) share: their name and a passphrase
//! (typed twice, or a generated one; weak ones are refused by `prepoznaj_domain::team_key`),
//! the age key and the chain signing key made and locked together with the passphrase, a recovery copy they must save (a printable
//! code of both keys, groups 1–15 the age key and 16–30 the signing key, and a recovery file locked with a generated recovery passphrase shown only here and
//! printed with the code, which holds both keys), and a check that they did (two groups of the code, one of each
//! key, typed back from their copy). The page decides what happens to the key then; this component neither stores
//! nor registers it.
//!
//! Telemetry, in-page only: User Timing measures [`LOCK_MEASURE`] (locking the new key) and
//! [`UNLOCK_MEASURE`] (opening it again with the passphrase, which is also the check that the
//! locked key opens before anyone depends on it).

use std::sync::Arc;

use leptos::prelude::*;
use prepoznaj_domain::locale::fill;
use prepoznaj_domain::protocol::DisplayName;
use prepoznaj_domain::team_key::{
    GROUPS_PER_PART, PassphraseError, check_new_passphrase, groups_to_verify,
};
use prepoznaj_envelope::identity::{LOCK_WORK_FACTOR, TeamIdentity, new_recovery_passphrase};
use prepoznaj_envelope::signing::ChainSigningKey;

use crate::clock::random_bytes;
use crate::components::key_form_fields::{DisplayNameField, NewPassphraseFields};
use crate::download::download_bytes;
use crate::i18n::{TeamMessageFn, use_i18n};
use crate::timing::{measure_since, now_ms};

/// User Timing name of locking a new key with the passphrase.
pub const LOCK_MEASURE: &str = "prepoznaj:lock";
/// User Timing name of unlocking it again.
pub const UNLOCK_MEASURE: &str = "prepoznaj:unlock";

/// The recovery file: an age file, which the `age` CLI opens with the recovery passphrase.
const RECOVERY_FILE_NAME: &str = "prepoznaj-team-key.age";

/// A key just made, its locked form, and the name its member gave; its recovery copy saved and
/// proven.
#[derive(Debug, Clone)]
pub struct NewKey {
    pub display_name: DisplayName,
    pub identity: Arc<TeamIdentity>,
    /// The chain signing key made with it.
    pub signing_key: Arc<ChainSigningKey>,
    /// Both keys locked with the passphrase at [`LOCK_WORK_FACTOR`] (an age file).
    pub locked: Vec<u8>,
}

/// Where the member is in making the key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Passphrase,
    Working,
    Recovery,
    Verify,
    Done,
    Failed,
}

/// The steps from name and passphrase to a proven recovery copy; then `on_ready` gets the key.
/// `finish` is the last step's button ("Register my key", "Save my key").
#[component]
pub fn NewTeamKey(
    finish: TeamMessageFn,
    #[prop(into)] on_ready: Callback<NewKey>,
) -> impl IntoView {
    let i18n = use_i18n();
    let step = RwSignal::new(Step::Passphrase);
    let made = StoredValue::new(None::<NewKey>);
    let verified = move || {
        if let Some(key) = made.get_value() {
            step.set(Step::Done);
            on_ready.run(key);
        }
    };
    move || match step.get() {
        Step::Passphrase => view! { <PassphraseStep step made /> }.into_any(),
        Step::Working => {
            view! { <p class="notice" role="status">{move || i18n.team().setup_working()}</p> }
                .into_any()
        }
        Step::Recovery => view! { <RecoveryStep step made /> }.into_any(),
        Step::Verify => view! { <VerifyStep made finish on_verified=verified /> }.into_any(),
        Step::Done => ().into_any(),
        Step::Failed => failed_notice().into_any(),
    }
}

/// The key could not be made or its recovery copy prepared.
fn failed_notice() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <p class="notice notice--warning" role="alert" data-testid="setup-error">{move || i18n.messages().storage_failed()}</p>
    }
}

#[component]
fn PassphraseStep(step: RwSignal<Step>, made: StoredValue<Option<NewKey>>) -> impl IntoView {
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
        let secret = passphrase.get_untracked();
        // Let the "creating your key" status paint before the work (a fraction of a second)
        // takes the main thread.
        request_animation_frame(move || {
            set_timeout(
                move || {
                    let identity = TeamIdentity::generate();
                    let signing_key = match ChainSigningKey::generate() {
                        Ok(signing_key) => signing_key,
                        Err(error) => {
                            leptos::logging::error!("no signing key: {error}");
                            step.set(Step::Failed);
                            return;
                        }
                    };
                    let started = now_ms();
                    let locked =
                        identity.lock_with_signing_key(&signing_key, &secret, LOCK_WORK_FACTOR);
                    measure_since(LOCK_MEASURE, started);
                    let started = now_ms();
                    let opened = TeamIdentity::unlock_with_signing_key(&locked, &secret);
                    measure_since(UNLOCK_MEASURE, started);
                    match opened {
                        Ok((opened, Some(opened_signing)))
                            if opened.recipient() == identity.recipient()
                                && opened_signing.public_key() == signing_key.public_key() =>
                        {
                            made.set_value(Some(NewKey {
                                display_name,
                                identity: Arc::new(identity),
                                signing_key: Arc::new(signing_key),
                                locked,
                            }));
                            step.set(Step::Recovery);
                        }
                        other => {
                            leptos::logging::error!("the new key does not open: {other:?}");
                            step.set(Step::Failed);
                        }
                    }
                },
                std::time::Duration::ZERO,
            );
        });
    };
    view! {
        <p>{move || i18n.team().setup_intro()}</p>
        <form class="form card" on:submit=submit novalidate data-testid="passphrase-form">
            <DisplayNameField prefix="setup" name invalid=name_error />
            <NewPassphraseFields
                prefix="setup"
                label=|m| m.setup_passphrase()
                passphrase
                repeated
                error=passphrase_error
            />
            <div class="actions">
                <button type="submit" class="button button--primary">{move || i18n.team().setup_start()}</button>
            </div>
        </form>
    }
}

#[component]
fn RecoveryStep(step: RwSignal<Step>, made: StoredValue<Option<NewKey>>) -> impl IntoView {
    let i18n = use_i18n();
    let Some(current) = made.get_value() else {
        return ().into_any();
    };
    let recovery_passphrase = match new_recovery_passphrase() {
        Ok(words) => words,
        Err(error) => {
            leptos::logging::error!("no recovery passphrase: {error}");
            return failed_notice().into_any();
        }
    };
    let downloaded = RwSignal::new(false);
    let saved = RwSignal::new(false);
    let download_failed = RwSignal::new(false);
    let groups: Vec<String> = current
        .identity
        .recovery_code(&current.signing_key)
        .groups()
        .into_iter()
        .map(str::to_owned)
        .collect();
    let signing_groups = groups.get(GROUPS_PER_PART..).unwrap_or_default().to_vec();
    let age_groups = groups.get(..GROUPS_PER_PART).unwrap_or_default().to_vec();
    let identity = current.identity.clone();
    let signing_key = current.signing_key.clone();
    let file_passphrase = recovery_passphrase.clone();
    let download = move |_| {
        let file = identity.recovery_file(Some(&signing_key), &file_passphrase, LOCK_WORK_FACTOR);
        match download_bytes(RECOVERY_FILE_NAME, "application/octet-stream", &file) {
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
        <p class="notice" role="status">{move || i18n.team().setup_created_key()}</p>
        <section class="card" aria-labelledby="recovery-heading">
            <h2 id="recovery-heading">{move || i18n.team().setup_recovery_heading()}</h2>
            <p>{move || i18n.team().setup_recovery_intro()}</p>
            <h3 id="recovery-code-heading">{move || i18n.team().setup_recovery_code()}</h3>
            <div data-testid="recovery-code">
                <p id="recovery-code-age">{move || i18n.team().setup_recovery_code_age()}</p>
                <ol class="recovery-code" aria-labelledby="recovery-code-heading recovery-code-age">
                    {age_groups.into_iter().map(|group| view! { <li><code>{group}</code></li> }).collect_view()}
                </ol>
                <p id="recovery-code-signing">{move || i18n.team().setup_recovery_code_signing()}</p>
                <ol
                    class="recovery-code"
                    start=GROUPS_PER_PART + 1
                    aria-labelledby="recovery-code-heading recovery-code-signing"
                >
                    {signing_groups.into_iter().map(|group| view! { <li><code>{group}</code></li> }).collect_view()}
                </ol>
            </div>
            <h3 id="recovery-passphrase-heading">{move || i18n.team().setup_recovery_passphrase()}</h3>
            <p id="recovery-passphrase-intro">{move || i18n.team().setup_recovery_passphrase_intro()}</p>
            <p
                class="recovery-passphrase"
                aria-labelledby="recovery-passphrase-heading"
                aria-describedby="recovery-passphrase-intro"
            >
                <code data-testid="recovery-passphrase">{recovery_passphrase}</code>
            </p>
            <div class="actions no-print">
                <button type="button" class="button" on:click=download data-testid="download-recovery">
                    {move || i18n.team().setup_download()}
                </button>
                <button type="button" class="button" on:click=print>
                    {move || i18n.team().setup_print()}
                </button>
            </div>
            <p class="hint" role="status">
                {move || downloaded.get().then(|| i18n.team().setup_downloaded())}
            </p>
            <Show when=move || download_failed.get()>
                <p class="notice notice--warning" role="alert">{move || i18n.messages().storage_failed()}</p>
            </Show>
            <div class="field field--checkbox no-print">
                <input
                    id="recovery-saved"
                    type="checkbox"
                    prop:checked=move || saved.get()
                    on:change=move |event| saved.set(event_target_checked(&event))
                />
                <label for="recovery-saved">{move || i18n.team().setup_recovery_saved()}</label>
            </div>
            <div class="actions no-print">
                <button
                    type="button"
                    class="button button--primary"
                    disabled=move || !(downloaded.get() && saved.get())
                    on:click=move |_| step.set(Step::Verify)
                >
                    {move || i18n.team().setup_continue()}
                </button>
            </div>
        </section>
    }
    .into_any()
}

#[component]
fn VerifyStep(
    made: StoredValue<Option<NewKey>>,
    finish: TeamMessageFn,
    on_verified: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let [first, second] = groups_to_verify(random_bytes());
    let typed_first = RwSignal::new(String::new());
    let typed_second = RwSignal::new(String::new());
    let wrong = RwSignal::new(false);
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let matches = made.with_value(|made| {
            made.as_ref().is_some_and(|made| {
                let code = made.identity.recovery_code(&made.signing_key);
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
                    {move || fill(i18n.team().setup_verify_group(), &[("number", &(index + 1).to_string())])}
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
            <h2 id="verify-heading">{move || i18n.team().setup_verify_heading()}</h2>
            <p>{move || i18n.team().setup_verify_intro()}</p>
            <form class="form" on:submit=submit novalidate data-testid="verify-form">
                {field(first, typed_first)}
                {field(second, typed_second)}
                <p class="field__error" id="verify-error" role="alert">
                    {move || wrong.get().then(|| i18n.team().setup_verify_wrong())}
                </p>
                <div class="actions">
                    <button type="submit" class="button button--primary">{move || finish(i18n.team())}</button>
                </div>
            </form>
        </section>
    }
}
