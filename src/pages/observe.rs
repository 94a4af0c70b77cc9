//! `/observe`: start a new observation (full or quick) and the observations kept on this
//! phone, with their progress: resume or delete (after confirmation).

use std::collections::HashMap;
use std::sync::Arc;

use leptos::prelude::*;
use leptos_router::components::A;
use prepoznaj_domain::catalogue::Catalogue;
use prepoznaj_domain::locale::fill;
use prepoznaj_domain::observation::{Mode, ObservationRecord, Status};

use crate::app_lock::unlocked_key;
use crate::clock::format_time;
use crate::components::app_lock_gate::AutoLockSetting;
use crate::components::confirm_dialog::ConfirmDialog;
use crate::components::receipts_kept::ReceiptsKept;
use crate::components::report_status::ReportStatusLine;
use crate::components::storage_error::{PageError, PageErrorView, storage_error_message};
use crate::content;
use crate::i18n::{use_i18n, use_page_title};
use crate::storage::{StorageError, app_database, observations, sync_state};
use crate::sync::sender::use_sender;

/// Everything the list shows.
#[derive(Debug, Clone)]
struct Listing {
    records: Vec<ObservationRecord>,
    catalogues: HashMap<String, Arc<Catalogue>>,
}

async fn load_listing() -> Result<Listing, PageError> {
    let key = unlocked_key()?;
    let database = app_database().await?;
    let records = observations::list(&database, Some(&key)).await?;
    let mut catalogues = HashMap::new();
    for record in &records {
        let version = record.catalogue_version();
        if !catalogues.contains_key(version.as_str()) {
            // Without its catalogue a draft still lists; only its progress is unknown.
            if let Ok(catalogue) = content::catalogue(version).await {
                catalogues.insert(version.as_str().to_owned(), catalogue);
            }
        }
    }
    Ok(Listing {
        records,
        catalogues,
    })
}

/// The observations screen.
#[component]
pub fn ObservePage() -> impl IntoView {
    let i18n = use_i18n();
    use_page_title(|m| m.observe_title());
    let listing = RwSignal::new(None::<Result<Listing, PageError>>);
    let reload = move || {
        leptos::task::spawn_local(async move {
            listing.set(Some(load_listing().await));
        });
    };
    reload();
    // A report reaching the team turns its observation into a receipt: list again then.
    if let Some(sender) = use_sender() {
        Effect::new(move |delivered_before: Option<usize>| {
            let delivered = sender.view().counts().delivered();
            if delivered_before.is_some_and(|before| before != delivered) {
                reload();
            }
            delivered
        });
    }
    let list_view = move || match listing.get() {
        None => {
            view! { <p role="status">{move || i18n.messages().observe_loading()}</p> }.into_any()
        }
        Some(Err(error)) => view! { <PageErrorView error=error /> }.into_any(),
        Some(Ok(listing)) => {
            let (drafts, finished): (Vec<_>, Vec<_>) = listing
                .records
                .iter()
                .cloned()
                .partition(|record| record.status() == Status::Draft);
            let catalogues = listing.catalogues.clone();
            view! {
                <section aria-labelledby="drafts-heading">
                    <h2 id="drafts-heading">{move || i18n.messages().observe_drafts_heading()}</h2>
                    {if drafts.is_empty() {
                        view! { <p class="hint">{move || i18n.messages().observe_drafts_empty()}</p> }
                            .into_any()
                    } else {
                        view! {
                            <ul class="records" data-testid="drafts">
                                {drafts
                                    .into_iter()
                                    .map(|record| {
                                        let catalogue = catalogues
                                            .get(record.catalogue_version().as_str())
                                            .cloned();
                                        view! { <RecordItem record catalogue on_deleted=reload /> }
                                    })
                                    .collect_view()}
                            </ul>
                        }
                            .into_any()
                    }}
                </section>
                {(!finished.is_empty())
                    .then(|| {
                        view! {
                            <section aria-labelledby="finished-heading">
                                <h2 id="finished-heading">
                                    {move || i18n.messages().observe_finished_heading()}
                                </h2>
                                <ul class="records" data-testid="finished">
                                    {finished
                                        .into_iter()
                                        .map(|record| {
                                            view! {
                                                <RecordItem record catalogue=None on_deleted=reload />
                                            }
                                        })
                                        .collect_view()}
                                </ul>
                                <ReceiptsKept />
                            </section>
                        }
                    })}
            }
                .into_any()
        }
    };
    view! {
        <h1>{move || i18n.messages().observe_title()}</h1>
        <div class="actions">
            <A href="/observe/new" attr:class="button button--primary">
                {move || i18n.messages().observe_start_full()}
            </A>
            <A href="/quick" attr:class="button">
                {move || i18n.messages().observe_start_quick()}
            </A>
        </div>
        {list_view}
        <AutoLockSetting />
    }
}

/// One observation in the list, with its actions.
#[component]
fn RecordItem(
    record: ObservationRecord,
    catalogue: Option<Arc<Catalogue>>,
    on_deleted: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = record.id().as_str().to_owned();
    let status = record.status();
    // The team has it: only the receipt is left (no answers to open).
    let is_receipt = sync_state::is_receipt(&record);
    let mode = match &record {
        ObservationRecord::Draft(draft) => draft.mode(),
        ObservationRecord::Finished(observation) => observation.mode(),
    };
    let updated_at = record.updated_at();
    let progress = catalogue.map(|catalogue| record.answers().progress(&catalogue));
    let confirming = RwSignal::new(false);
    let error = RwSignal::new(None::<StorageError>);
    let href = if status == Status::Draft {
        format!("/observe/{id}")
    } else {
        format!("/observe/{id}/summary")
    };
    let delete = {
        let id = id.clone();
        move |()| {
            let id = id.clone();
            leptos::task::spawn_local(async move {
                let result = match app_database().await {
                    Ok(database) => observations::delete(&database, &id).await,
                    Err(failure) => Err(failure),
                };
                match result {
                    Ok(()) => on_deleted(),
                    Err(failure) => error.set(Some(failure)),
                }
            });
        }
    };
    view! {
        <li class="record card" data-testid="record" data-id=id.clone()>
            <p class="record__title">
                {move || {
                    let messages = i18n.messages();
                    if mode == Mode::Quick { messages.observe_quick_label() } else { messages.observe_full_label() }
                }}
            </p>
            {progress
                .map(|progress| {
                    view! {
                        <p class="record__progress">
                            {move || fill(
                                i18n.messages().observe_progress(),
                                &[
                                    ("answered", &progress.answered.to_string()),
                                    ("total", &progress.total.to_string()),
                                ],
                            )}
                        </p>
                    }
                })}
            {(status != Status::Draft)
                .then(|| {
                    view! {
                        <ReportStatusLine report_id=id.clone() status=Signal::stored(status) />
                    }
                })}
            {is_receipt
                .then(|| view! { <p class="hint">{move || i18n.team().report_receipt()}</p> })}
            <p class="hint">
                {move || fill(
                    i18n.messages().observe_updated(),
                    &[("time", &format_time(updated_at, i18n.locale().is_serbian()))],
                )}
            </p>
            <div class="actions">
                {(!is_receipt)
                    .then(|| {
                        view! {
                            <A href=href attr:class="button button--primary">
                                {move || {
                                    let messages = i18n.messages();
                                    if status == Status::Draft {
                                        messages.observe_resume()
                                    } else {
                                        messages.observe_open()
                                    }
                                }}
                            </A>
                        }
                    })}
                <Show when=move || !confirming.get()>
                    <button type="button" class="button" on:click=move |_| confirming.set(true)>
                        {move || i18n.messages().observe_delete()}
                    </button>
                </Show>
            </div>
            <Show when=move || confirming.get()>
                <ConfirmDialog
                    label=|m| m.observe_delete()
                    question=|m| m.observe_delete_confirm()
                    confirm=|m| m.observe_delete_yes()
                    danger=true
                    on_confirm=delete.clone()
                    on_cancel=move |()| confirming.set(false)
                />
            </Show>
            {move || {
                error
                    .get()
                    .map(|failure| {
                        view! {
                            <p class="notice notice--warning" role="alert">
                                {storage_error_message(i18n.messages(), &failure)}
                            </p>
                        }
                    })
            }}
        </li>
    }
}
