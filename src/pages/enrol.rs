//! `/enrol#<code>`: a staff member enrols their phone with the link their school's protection
//! team gave them. The phone gets a device token and the team's current keys (kept in
//! IndexedDB for the sender), shows the school and the keys' fingerprint (so a team member
//! can compare it on request), and seals every observation that was finished while it was
//! not enrolled. The link is checked with the server first (`components::checked_link`): an
//! expired, withdrawn or unknown link is refused before the phone is asked to enrol.

use leptos::prelude::*;
use prepoznaj_domain::locale::fill;
use prepoznaj_domain::protocol::{
    DeviceEnrolment, DeviceEnrolmentRequest, ENROL_PATH, LinkKind, Secret,
};

use crate::address::{clear_fragment, current_fragment};
use crate::clock::now;
use crate::components::api_error::{api_error_message, is_worth_retrying};
use crate::components::checked_link::CheckedLink;
use crate::components::key_set_view::KeySetView;
use crate::components::storage_error::storage_error_message;
use crate::i18n::{use_i18n, use_title};
use crate::sealing::{SealingError, seal_waiting};
use crate::storage::enrolment::{self, Enrolment};
use crate::storage::{StorageError, app_database};
use crate::sync::api::ApiCallError;
use crate::sync::client;
use crate::sync::sender::{Trigger, use_sender};

#[derive(Debug, Clone, PartialEq)]
enum State {
    Loading,
    NoCode,
    Ready,
    Enrolling,
    /// Enrolled just now (`sealed`: observations that were waiting), or before (`None`).
    Enrolled {
        enrolment: Box<Enrolment>,
        sealed: Option<usize>,
    },
    Failed(Failure),
}

#[derive(Debug, Clone, PartialEq)]
enum Failure {
    Api(ApiCallError),
    Storage(StorageError),
    Sealing,
}

/// The enrolment screen.
#[component]
pub fn EnrolPage() -> impl IntoView {
    let i18n = use_i18n();
    use_title(|i18n| i18n.team().enrol_title);
    let state = RwSignal::new(State::Loading);
    let code = current_fragment();
    leptos::task::spawn_local(async move {
        let existing = match app_database().await {
            Ok(database) => enrolment::load(&database).await,
            Err(error) => Err(error),
        };
        state.set(match existing {
            Err(error) => State::Failed(Failure::Storage(error)),
            // A new link on an enrolled phone enrols it again (after the team revoked it, say):
            // the new token replaces the old one and what waits is sent with it.
            Ok(Some(enrolment)) if code.is_empty() => State::Enrolled {
                enrolment: Box::new(enrolment),
                sealed: None,
            },
            Ok(Some(_)) => State::Ready,
            Ok(None) if code.is_empty() => State::NoCode,
            Ok(None) => State::Ready,
        });
    });
    let sender = use_sender();
    let enrol = move |_| {
        state.set(State::Enrolling);
        leptos::task::spawn_local(async move {
            state.set(
                match enrol_this_phone(Secret::new(current_fragment())).await {
                    Ok((enrolment, sealed)) => {
                        clear_fragment(ENROL_PATH);
                        // What was waiting for the enrolment goes now.
                        if let Some(sender) = sender {
                            sender.request(Trigger::Look);
                        }
                        State::Enrolled {
                            enrolment: Box::new(enrolment),
                            sealed: Some(sealed),
                        }
                    }
                    Err(failure) => State::Failed(failure),
                },
            );
        });
    };
    view! {
        <h1>{move || i18n.team().enrol_title}</h1>
        {move || match state.get() {
            State::Loading => view! { <p role="status">{move || i18n.messages().observe_loading}</p> }.into_any(),
            State::NoCode => view! { <p class="notice" role="status">{move || i18n.team().enrol_no_code}</p> }.into_any(),
            State::Ready => view! {
                <CheckedLink kind=LinkKind::Enrolment code=current_fragment()>
                    <p>{move || i18n.team().enrol_intro}</p>
                    <div class="actions">
                        <button type="button" class="button button--primary" on:click=enrol>
                            {move || i18n.team().enrol_button}
                        </button>
                    </div>
                </CheckedLink>
            }.into_any(),
            State::Enrolling => view! { <p class="notice" role="status">{move || i18n.team().enrol_working}</p> }.into_any(),
            State::Enrolled { enrolment, sealed } => {
                let school = enrolment.school.name.to_string();
                view! {
                    <p class="notice" role="status" data-testid="enrolled">
                        {move || {
                            let message = if sealed.is_some() { i18n.team().enrol_done } else { i18n.team().enrol_already };
                            fill(message, &[("school", &school)])
                        }}
                    </p>
                    {sealed.filter(|count| *count > 0).map(|count| view! {
                        <p data-testid="sealed-waiting">
                            {move || fill(i18n.team().enrol_sealed_waiting, &[("count", &count.to_string())])}
                        </p>
                    })}
                    <KeySetView key_set=enrolment.key_set.clone() />
                }.into_any()
            }
            State::Failed(failure) => {
                let retry = matches!(&failure, Failure::Api(error) if is_worth_retrying(error));
                let message = move || match &failure {
                    Failure::Api(error) => api_error_message(i18n.team(), error),
                    Failure::Storage(error) => storage_error_message(i18n.messages(), error),
                    Failure::Sealing => i18n.team().finish_seal_failed,
                };
                view! {
                    <p class="notice notice--warning" role="alert" data-testid="enrol-error">{message}</p>
                    <Show when=move || retry>
                        <button type="button" class="button button--primary" on:click=enrol>
                            {move || i18n.team().enrol_button}
                        </button>
                    </Show>
                }.into_any()
            }
        }}
    }
}

/// Enrols with `code`, saves the enrolment, then seals what was waiting. Returns the
/// enrolment and how many observations were sealed.
async fn enrol_this_phone(code: Secret) -> Result<(Enrolment, usize), Failure> {
    let database = app_database().await.map_err(Failure::Storage)?;
    let answer: DeviceEnrolment = client::enrol_device(&DeviceEnrolmentRequest {
        enrolment_code: code,
    })
    .await
    .map_err(Failure::Api)?;
    let enrolment = Enrolment {
        device_id: answer.device_id,
        device_token: answer.device_token,
        school: answer.school,
        key_set: answer.key_set,
        enrolled_at: now(),
    };
    enrolment::save(&database, &enrolment)
        .await
        .map_err(Failure::Storage)?;
    let sealed = seal_waiting(&database, &enrolment)
        .await
        .map_err(|error| match error {
            SealingError::Storage(error) => Failure::Storage(error),
            SealingError::Seal(message) => {
                leptos::logging::error!("cannot seal waiting observations: {message}");
                Failure::Sealing
            }
        })?;
    Ok((enrolment, sealed))
}
