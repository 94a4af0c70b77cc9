//! `/observe/:id/summary`: what was marked, the assessment with its next steps, and Finish.
//! A finished observation is shown read-only.

use std::sync::Arc;

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use prepoznaj_domain::assessment::assess;
use prepoznaj_domain::catalogue::Catalogue;
use prepoznaj_domain::observation::{CompleteError, ObservationRecord, Status};

use crate::app_lock::unlocked_key;
use crate::clock::now;
use crate::components::answered_indicators::MarkedIndicators;
use crate::components::assessment_view::AssessmentView;
use crate::components::confirm_dialog::ConfirmDialog;
use crate::components::report_status::ReportStatusLine;
use crate::components::storage_error::{PageError, PageErrorView, storage_error_message};
use crate::content;
use crate::i18n::{use_i18n, use_page_title};
use crate::sealing::{SealingError, store_finished};
use crate::storage::{StorageError, app_database, observations};
use crate::sync::sender::{Trigger, use_sender};

async fn load(id: &str) -> Result<(ObservationRecord, Arc<Catalogue>), PageError> {
    let key = unlocked_key()?;
    let database = app_database().await?;
    let record = observations::load(&database, Some(&key), id)
        .await?
        .ok_or(PageError::NotFound)?;
    let catalogue = content::catalogue(record.catalogue_version()).await?;
    Ok((record, catalogue))
}

/// The summary screen.
#[component]
pub fn SummaryPage() -> impl IntoView {
    let i18n = use_i18n();
    use_page_title(|m| m.summary_title());
    let params = use_params_map();
    let loaded =
        RwSignal::new(None::<Result<(RwSignal<ObservationRecord>, Arc<Catalogue>), PageError>>);
    Effect::new(move |_| {
        let id = params.with(|params| params.get("id").unwrap_or_default());
        leptos::task::spawn_local(async move {
            loaded.set(Some(
                load(&id)
                    .await
                    .map(|(record, catalogue)| (RwSignal::new(record), catalogue)),
            ));
        });
    });
    view! {
        <h1>{move || i18n.messages().summary_title()}</h1>
        {move || match loaded.get() {
            None => view! { <p role="status">{move || i18n.messages().observe_loading()}</p> }.into_any(),
            Some(Err(error)) => view! { <PageErrorView error /> }.into_any(),
            Some(Ok((record, catalogue))) => view! { <Summary record catalogue /> }.into_any(),
        }}
    }
}

/// Why finishing did not happen.
#[derive(Debug, Clone, PartialEq)]
enum FinishError {
    NothingAnswered,
    Storage(StorageError),
    /// Finished, but it could not be sealed for sending.
    Seal,
}

#[component]
fn Summary(record: RwSignal<ObservationRecord>, catalogue: Arc<Catalogue>) -> impl IntoView {
    let i18n = use_i18n();
    let id = record.with_untracked(|record| record.id().as_str().to_owned());
    let is_draft = move || record.with(|record| record.status() == Status::Draft);
    let confirming = RwSignal::new(false);
    let finish_error = RwSignal::new(None::<FinishError>);
    let assessment_view = {
        let catalogue = catalogue.clone();
        move || {
            let assessment = record.with(|record| assess(&catalogue, record.answers()));
            view! { <AssessmentView assessment catalogue=catalogue.clone() /> }
        }
    };
    let marked_view = {
        let answers = record.with_untracked(|record| record.answers().clone());
        view! {
            <MarkedIndicators
                answers
                catalogue=catalogue.clone()
                nothing_marked=|i18n| i18n.messages().summary_nothing_marked()
            />
        }
    };
    let finish_catalogue = StoredValue::new(catalogue.clone());
    let sender = use_sender();
    let status_id = StoredValue::new(id.clone());
    let finish = move |()| {
        let catalogue = finish_catalogue.get_value();
        {
            let mut finished = record.get_untracked();
            match finished.complete(&catalogue, now()) {
                Err(CompleteError::NothingAnswered) => {
                    confirming.set(false);
                    finish_error.set(Some(FinishError::NothingAnswered));
                }
                Err(error) => leptos::logging::error!("cannot finish: {error}"),
                Ok(()) => {
                    let finished_copy = finished.clone();
                    leptos::task::spawn_local(async move {
                        let stored = match (unlocked_key(), app_database().await) {
                            (Ok(key), Ok(database)) => {
                                store_finished(&database, &key, finished).await
                            }
                            (Err(error), _) | (_, Err(error)) => Err(SealingError::Storage(error)),
                        };
                        match stored {
                            Ok((stored, _)) => {
                                finish_error.set(None);
                                record.set(stored);
                                if let Some(sender) = sender {
                                    sender.request(Trigger::Send);
                                }
                            }
                            Err(SealingError::Storage(error)) => {
                                finish_error.set(Some(FinishError::Storage(error)));
                            }
                            Err(SealingError::Seal(message)) => {
                                // Saved as complete all the same (see `store_finished`).
                                leptos::logging::error!("cannot seal the observation: {message}");
                                finish_error.set(Some(FinishError::Seal));
                                record.set(finished_copy);
                            }
                        }
                        confirming.set(false);
                    });
                }
            }
        }
    };
    view! {
        {assessment_view}
        <section class="card" aria-labelledby="marked-heading">
            <h2 id="marked-heading">{move || i18n.messages().summary_marked_heading()}</h2>
            {marked_view}
        </section>
        {move || {
            finish_error
                .get()
                .map(|error| {
                    let messages = i18n.messages();
                    let text = match error {
                        FinishError::NothingAnswered => messages.summary_nothing_to_finish(),
                        FinishError::Storage(error) => storage_error_message(messages, &error),
                        FinishError::Seal => i18n.team().finish_seal_failed(),
                    };
                    view! { <p class="notice notice--warning" role="alert">{text}</p> }
                })
        }}
        <Show
            when=is_draft
            fallback=move || {
                view! {
                    <p class="notice" role="status" data-testid="finished">{move || i18n.messages().summary_finished()}</p>
                    <SendingStatus status=Signal::derive(move || record.with(ObservationRecord::status)) />
                    <Show when=move || record.with(|record| record.status() != Status::Complete)>
                        <ReportStatusLine
                            report_id=status_id.get_value()
                            status=Signal::derive(move || record.with(ObservationRecord::status))
                        />
                    </Show>
                }
            }
        >
            <div class="actions">
                <A href=format!("/observe/{id}") attr:class="button">{move || i18n.messages().summary_back()}</A>
                <Show when=move || !confirming.get()>
                    <button type="button" class="button button--primary" on:click=move |_| confirming.set(true)>
                        {move || i18n.messages().summary_finish()}
                    </button>
                </Show>
            </div>
            <Show when=move || confirming.get()>
                <ConfirmDialog
                    label=|m| m.summary_finish()
                    question=|m| m.summary_finish_confirm()
                    confirm=|m| m.summary_finish_yes()
                    on_confirm=finish
                    on_cancel=move |()| confirming.set(false)
                />
            </Show>
        </Show>
    }
}

/// A finished observation that waits for this phone to be enrolled, with how to do that.
#[component]
fn SendingStatus(status: Signal<Status>) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        match status.get() {
            Status::Complete => Some(
                view! {
                    <p class="notice notice--warning" role="status" data-testid="not-enrolled">
                        {move || i18n.team().finish_not_enrolled()}
                    </p>
                }
                .into_any(),
            ),
            // From here on the report's own status line says where it is.
            Status::Draft | Status::Queued | Status::Sent | Status::Forgotten => None,
        }
    }
}
