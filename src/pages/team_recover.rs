//! `/team/recover`: a protection-team member who lost their device restores their key on a
//! new one from the recovery copy made at set-up: the recovery file (chosen with a file input;
//! an age file opened with the recovery passphrase printed with the code, or a plaintext file
//! from before recovery files were locked) or the printable code (typed; spaces, dashes, group
//! numbers and case do not matter; a mistake is named by the groups it is in). They choose a
//! new passphrase; the key and the signing key (the recovery file's or the code's, or a new one
//! when the copy has none, as an older code of the age key alone, which the page then says
//! another member must register) are saved locked with it, unregistered. Another member then
//! makes a "new set-up link (lost phone)" for them on the team page; opening it here registers
//! this same key again (`/team/setup`) and ends the lost device's access.

use std::sync::Arc;

use leptos::html;
use leptos::prelude::*;
use prepoznaj_domain::locale::fill;
use prepoznaj_domain::protocol::{DisplayName, Envelope};
use prepoznaj_domain::team_key::{
    CodePart, PassphraseError, RecoveryCodeError, check_new_passphrase,
};
use prepoznaj_envelope::identity::{LOCK_WORK_FACTOR, RecoveryError, TeamIdentity, UnlockError};
use prepoznaj_envelope::signing::ChainSigningKey;

use crate::clock::now;
use crate::components::key_awaiting_link::KeyAwaitingLink;
use crate::components::key_form_fields::{DisplayNameField, NewPassphraseFields};
use crate::components::storage_error::storage_error_message;
use crate::download::read_file_bytes;
use crate::i18n::{TeamMessages, use_i18n, use_title};
use crate::pages::team_setup::TEAM_PATH;
use crate::storage::team_key::{self, TeamKey};
use crate::storage::{StorageError, app_database};

#[derive(Debug, Clone, PartialEq)]
enum Step {
    Loading,
    Registered,
    Form,
    Working,
    /// The key saved on this device, waiting for a set-up link; `true` when the copy had no
    /// signing key, so this device made a new one.
    Waiting(Box<TeamKey>, bool),
    Failed(StorageError),
}

/// Why the recovery copy was not read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CopyProblem {
    FileUnreadable,
    Missing,
    Length,
    Character,
    Mistake,
    /// A checksum mismatch in one part of the code.
    MistakeIn(CodePart),
    RecoveryPassphrase,
}

fn copy_problem_message(messages: &'static TeamMessages, problem: CopyProblem) -> String {
    let message = match problem {
        CopyProblem::FileUnreadable => messages.recover_file_unreadable(),
        CopyProblem::Missing => messages.recover_missing(),
        CopyProblem::Length => messages.recover_code_length(),
        CopyProblem::Character => messages.recover_code_character(),
        CopyProblem::Mistake => messages.recover_code_mistake(),
        CopyProblem::MistakeIn(part) => {
            let (first, last) = part.groups();
            return fill(
                messages.recover_code_mistake_groups(),
                &[("first", &first.to_string()), ("last", &last.to_string())],
            );
        }
        CopyProblem::RecoveryPassphrase => messages.recover_file_passphrase_wrong(),
    };
    message.to_owned()
}

fn copy_problem(error: &RecoveryError) -> CopyProblem {
    match error {
        RecoveryError::NotFound => CopyProblem::Missing,
        RecoveryError::Code(RecoveryCodeError::Length { .. }) => CopyProblem::Length,
        RecoveryError::Code(RecoveryCodeError::Character { .. }) => CopyProblem::Character,
        RecoveryError::Code(RecoveryCodeError::Checksum { part }) => CopyProblem::MistakeIn(*part),
        RecoveryError::Checksum => CopyProblem::Mistake,
    }
}

/// A restored key and the signing key its recovery copy carried, if any.
type Restored = (TeamIdentity, Option<ChainSigningKey>);

/// The keys in the recovery copy: a recovery file (`file`, an age file opened with
/// `recovery_passphrase`, or an older plaintext one) or else the typed `code`.
fn restore(
    file: Option<&[u8]>,
    recovery_passphrase: &str,
    code: &str,
) -> Result<Restored, CopyProblem> {
    match file {
        Some(file) if TeamIdentity::is_age_file(file) => {
            TeamIdentity::from_recovery_file(file, recovery_passphrase).map_err(|error| match error
            {
                UnlockError::WrongPassphrase => CopyProblem::RecoveryPassphrase,
                UnlockError::Damaged(_) => CopyProblem::FileUnreadable,
            })
        }
        Some(file) => std::str::from_utf8(file)
            .map_err(|_| CopyProblem::FileUnreadable)
            .and_then(|text| {
                TeamIdentity::from_recovery(text).map_err(|error| copy_problem(&error))
            }),
        None => TeamIdentity::from_recovery(code).map_err(|error| copy_problem(&error)),
    }
}

/// The recovery screen.
#[component]
pub fn TeamRecoverPage() -> impl IntoView {
    let i18n = use_i18n();
    use_title(|i18n| i18n.team().recover_title());
    let step = RwSignal::new(Step::Loading);
    leptos::task::spawn_local(async move {
        let existing = match app_database().await {
            Ok(database) => team_key::load(&database).await,
            Err(error) => Err(error),
        };
        step.set(match existing {
            Err(error) => Step::Failed(error),
            Ok(Some(TeamKey {
                registration: Some(_),
                ..
            })) => Step::Registered,
            Ok(Some(key)) => Step::Waiting(Box::new(key), false),
            Ok(None) => Step::Form,
        });
    });
    view! {
        <h1>{move || i18n.team().recover_title()}</h1>
        {move || match step.get() {
            Step::Loading => view! { <p role="status">{move || i18n.messages().observe_loading()}</p> }.into_any(),
            Step::Registered => view! {
                <p class="notice" role="status">{move || i18n.team().team_already_set_up()}</p>
                <p><a class="button" href=TEAM_PATH>{move || i18n.team().team_open_team()}</a></p>
            }.into_any(),
            Step::Form => view! { <RecoverForm step /> }.into_any(),
            Step::Working => view! { <p class="notice" role="status">{move || i18n.team().recover_working()}</p> }.into_any(),
            Step::Waiting(key, new_signing_key) => view! {
                <p class="notice" role="status" data-testid="recovered">{move || i18n.team().recover_done()}</p>
                {new_signing_key.then(|| view! {
                    <p class="notice notice--warning" data-testid="recovered-new-signing-key">
                        {move || i18n.team().recover_new_signing_key()}
                    </p>
                })}
                <KeyAwaitingLink key=*key instructions=|m| m.recover_waiting() />
            }.into_any(),
            Step::Failed(error) => view! {
                <p class="notice notice--warning" role="alert" data-testid="setup-error">
                    {move || storage_error_message(i18n.messages(), &error)}
                </p>
            }.into_any(),
        }}
    }
}

#[component]
fn RecoverForm(step: RwSignal<Step>) -> impl IntoView {
    let i18n = use_i18n();
    let file_input = NodeRef::<html::Input>::new();
    let file_bytes = RwSignal::new(None::<Vec<u8>>);
    let code = RwSignal::new(String::new());
    let recovery_passphrase = RwSignal::new(String::new());
    let opening = RwSignal::new(false);
    let name = RwSignal::new(String::new());
    let passphrase = RwSignal::new(String::new());
    let repeated = RwSignal::new(String::new());
    let copy_error = RwSignal::new(None::<CopyProblem>);
    let name_error = RwSignal::new(false);
    let passphrase_error = RwSignal::new(None::<PassphraseError>);
    let choose = move |_| {
        let Some(input) = file_input.get_untracked() else {
            return;
        };
        leptos::task::spawn_local(async move {
            match read_file_bytes(&input).await {
                Ok(bytes) => {
                    copy_error.set(None);
                    file_bytes.set(bytes);
                }
                Err(error) => {
                    leptos::logging::warn!("cannot read the chosen file: {error:?}");
                    file_bytes.set(None);
                    copy_error.set(Some(CopyProblem::FileUnreadable));
                }
            }
        });
    };
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if opening.get_untracked() {
            return;
        }
        let display_name = DisplayName::parse(&name.get_untracked());
        name_error.set(display_name.is_err());
        let checked = check_new_passphrase(&passphrase.get_untracked(), &repeated.get_untracked());
        passphrase_error.set(checked.clone().err());
        opening.set(true);
        // Opening a recovery file is a key derivation: let "opening" paint first.
        request_animation_frame(move || {
            set_timeout(
                move || {
                    let restored = file_bytes.with_untracked(|file| {
                        restore(
                            file.as_deref(),
                            &recovery_passphrase.get_untracked(),
                            &code.get_untracked(),
                        )
                    });
                    opening.set(false);
                    copy_error.set(restored.as_ref().err().copied());
                    let (Ok(restored), Ok(display_name), Ok(())) =
                        (restored, display_name, checked)
                    else {
                        return;
                    };
                    step.set(Step::Working);
                    let secret = passphrase.get_untracked();
                    let new_signing_key = restored.1.is_none();
                    let restored = Arc::new(restored);
                    // Let the status paint before the key derivation takes the main thread.
                    request_animation_frame(move || {
                        set_timeout(
                            move || {
                                leptos::task::spawn_local(async move {
                                    step.set(
                                        match save_restored(&restored, &secret, display_name).await
                                        {
                                            Ok(key) => {
                                                Step::Waiting(Box::new(key), new_signing_key)
                                            }
                                            Err(error) => Step::Failed(error),
                                        },
                                    );
                                });
                            },
                            std::time::Duration::ZERO,
                        );
                    });
                },
                std::time::Duration::ZERO,
            );
        });
    };
    view! {
        <p>{move || i18n.team().recover_intro()}</p>
        <form class="form card" on:submit=submit novalidate data-testid="recover-form">
            <fieldset class="choice-group recovery-copy">
                <legend>{move || i18n.team().recover_copy_legend()}</legend>
                <div class="field">
                    <label for="recover-file">{move || i18n.team().recover_file()}</label>
                    <input
                        id="recover-file"
                        type="file"
                        accept=".age,.txt,application/octet-stream,text/plain"
                        node_ref=file_input
                        aria-describedby="recover-copy-error"
                        on:change=choose
                    />
                    <p class="hint" role="status">
                        {move || file_bytes.with(Option::is_some).then(|| i18n.team().recover_file_read())}
                    </p>
                </div>
                <div class="field">
                    <label for="recover-file-passphrase">{move || i18n.team().recover_file_passphrase()}</label>
                    <p class="hint" id="recover-file-passphrase-hint">{move || i18n.team().recover_file_passphrase_hint()}</p>
                    <input
                        id="recover-file-passphrase"
                        type="text"
                        autocomplete="off"
                        autocapitalize="none"
                        spellcheck="false"
                        aria-describedby="recover-file-passphrase-hint recover-copy-error"
                        prop:value=move || recovery_passphrase.get()
                        on:input=move |event| recovery_passphrase.set(event_target_value(&event))
                    />
                </div>
                <div class="field">
                    <label for="recover-code">{move || i18n.team().recover_code()}</label>
                    <p class="hint" id="recover-code-hint">{move || i18n.team().recover_code_hint()}</p>
                    <textarea
                        id="recover-code"
                        class="input--code"
                        rows="4"
                        autocomplete="off"
                        autocapitalize="characters"
                        spellcheck="false"
                        aria-describedby="recover-code-hint recover-copy-error"
                        aria-invalid=move || copy_error.get().is_some().to_string()
                        prop:value=move || code.get()
                        on:input=move |event| code.set(event_target_value(&event))
                    ></textarea>
                </div>
                <p class="hint" role="status">
                    {move || opening.get().then(|| i18n.team().recover_file_opening())}
                </p>
                <p class="field__error" id="recover-copy-error" role="alert">
                    {move || copy_error.get().map(|problem| copy_problem_message(i18n.team(), problem))}
                </p>
            </fieldset>
            <DisplayNameField prefix="recover" name invalid=name_error />
            <NewPassphraseFields
                prefix="recover"
                label=|m| m.recover_passphrase()
                passphrase
                repeated
                error=passphrase_error
            />
            <div class="actions">
                <button type="submit" class="button button--primary">{move || i18n.team().recover_button()}</button>
            </div>
        </form>
    }
}

/// Locks the restored key (and signing key) with the new passphrase, checks that it opens, and saves it
/// unregistered.
async fn save_restored(
    (identity, signing_key): &Restored,
    passphrase: &str,
    display_name: DisplayName,
) -> Result<TeamKey, StorageError> {
    // A copy without a signing key (an older code of the age key alone): a new one, registered
    // again by another member with the keys this device then shows.
    let new_signing_key;
    let signing_key = match signing_key {
        Some(signing_key) => signing_key,
        None => {
            new_signing_key = ChainSigningKey::generate().map_err(|error| {
                leptos::logging::error!("no signing key: {error}");
                StorageError::NotSaved
            })?;
            &new_signing_key
        }
    };
    let locked = identity.lock_with_signing_key(signing_key, passphrase, LOCK_WORK_FACTOR);
    match TeamIdentity::unlock_with_signing_key(&locked, passphrase) {
        Ok((opened, Some(opened_signing)))
            if opened.recipient() == identity.recipient()
                && opened_signing.public_key() == signing_key.public_key() => {}
        other => {
            leptos::logging::error!("the restored key does not open: {other:?}");
            return Err(StorageError::NotSaved);
        }
    }
    let key = TeamKey {
        locked_identity: Envelope::from_bytes(locked),
        work_factor: LOCK_WORK_FACTOR,
        public_key: identity.recipient(),
        signing_key: Some(signing_key.public_key()),
        created_at: now(),
        display_name: Some(display_name),
        registration: None,
        refused_link: None,
    };
    let database = app_database().await?;
    team_key::save(&database, &key).await?;
    Ok(key)
}
