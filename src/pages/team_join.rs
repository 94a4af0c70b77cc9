//! `/team/join`: a new protection-team member makes their key on their own device (the same
//! steps as the first member's set-up: name, passphrase, key made and locked, recovery copy
//! saved and proven). The locked keys are saved unregistered, and the page shows both public
//! keys (the age key and the signing key, as one text and QR code) and the fingerprint for a current member to add on their team page, comparing
//! the fingerprint before approving. The set-up link that member gets back is opened here and
//! registers this key (`/team/setup`).

use leptos::prelude::*;

use crate::components::key_awaiting_link::KeyAwaitingLink;
use crate::components::new_team_key::{NewKey, NewTeamKey};
use crate::components::storage_error::storage_error_message;
use crate::i18n::{use_i18n, use_title};
use crate::pages::team_setup::{TEAM_PATH, save_new_key};
use crate::storage::team_key::{self, TeamKey};
use crate::storage::{StorageError, app_database};

#[derive(Debug, Clone, PartialEq)]
enum Step {
    Loading,
    Registered,
    NewKey,
    Saving,
    /// The key saved on this device, waiting for a set-up link.
    Waiting(Box<TeamKey>),
    Failed(StorageError),
}

/// The joining screen.
#[component]
pub fn TeamJoinPage() -> impl IntoView {
    let i18n = use_i18n();
    use_title(|i18n| i18n.team().join_title());
    let step = RwSignal::new(Step::Loading);
    let show_stored = move || {
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
                Ok(Some(key)) => Step::Waiting(Box::new(key)),
                Ok(None) => Step::NewKey,
            });
        });
    };
    show_stored();
    let on_ready = move |new_key: NewKey| {
        step.set(Step::Saving);
        leptos::task::spawn_local(async move {
            match save_new_key(&new_key).await {
                Ok(()) => show_stored(),
                Err(error) => step.set(Step::Failed(error)),
            }
        });
    };
    view! {
        <h1>{move || i18n.team().join_title()}</h1>
        {move || match step.get() {
            Step::Loading | Step::Saving => view! { <p role="status">{move || i18n.messages().observe_loading()}</p> }.into_any(),
            Step::Registered => view! {
                <p class="notice" role="status">{move || i18n.team().team_already_set_up()}</p>
                <p><a class="button" href=TEAM_PATH>{move || i18n.team().team_open_team()}</a></p>
            }.into_any(),
            Step::NewKey => view! {
                <p>{move || i18n.team().join_intro()}</p>
                <NewTeamKey finish=|m| m.join_save_key() on_ready />
            }.into_any(),
            Step::Waiting(key) => view! {
                <KeyAwaitingLink key=*key instructions=|m| m.join_waiting() />
            }.into_any(),
            Step::Failed(error) => view! {
                <p class="notice notice--warning" role="alert" data-testid="setup-error">
                    {move || storage_error_message(i18n.messages(), &error)}
                </p>
            }.into_any(),
        }}
    }
}
