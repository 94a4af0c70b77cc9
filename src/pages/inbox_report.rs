//! `/inbox/:id`: one report, decrypted in memory, with everything the observer recorded
//! (circumstances, the assessment and the indicators that led to it, the signs marked observed
//! and then not sure by area with their notes, the rest folded under their counts and opened
//! for printing, the catalogue's name), rendered with the catalogue version it names; the
//! team's decrypted history and its next step (seen, acted upon with what was done, closed);
//! Print (the print style sheet makes it a clean record) and "Forget this report".

use std::sync::Arc;

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map};
use prepoznaj_domain::assessment::assess;
use prepoznaj_domain::catalogue::{Catalogue, CatalogueVersion};
use prepoznaj_domain::locale::fill;
use prepoznaj_domain::observation::{Answers, Mode, Observation};
use prepoznaj_domain::protocol::{CoarseStatus, ErrorCode};
use prepoznaj_domain::status_note::{
    InboxStatus, Informed, MAX_STATUS_NOTE_CHARS, StatusNote, StatusNoteDraft, StatusNoteError,
};

use crate::clock::{format_time, now};
use crate::components::answered_indicators::{AnswerGroupView, MarkedIndicators, shown_groups};
use crate::components::assessment_view::AssessmentView;
use crate::components::confirm_dialog::ConfirmPrompt;
use crate::components::inbox_gate::InboxGate;
use crate::components::inbox_labels::{
    age_label, failure_reason, gender_label, informed_label, note_problem_reason, role_label,
    server_disagrees, setting_label, status_label,
};
use crate::components::storage_error::storage_error_message;
use crate::content;
use crate::i18n::{use_i18n, use_title};
use crate::inbox::reading::{HistoryEntry, InboxItem};
use crate::inbox::{ChangeError, use_inbox};
use crate::sync::api::ApiCallError;

/// The report page.
#[component]
pub fn InboxReportPage() -> impl IntoView {
    let i18n = use_i18n();
    use_title(|i18n| i18n.inbox().inbox_report_title());
    let params = use_params_map();
    let session = use_inbox();
    let id = move || params.with(|params| params.get("id").unwrap_or_default());
    let form = ActionForm::new();
    view! {
        <p class="no-print">
            <a href="/inbox" class="inbox-link">{move || i18n.inbox().inbox_back()}</a>
        </p>
        <h1>{move || i18n.inbox().inbox_report_title()}</h1>
        <InboxGate>
            {move || {
                if !session.is_read() {
                    return view! { <p role="status">{move || i18n.messages().observe_loading()}</p> }.into_any();
                }
                match session.item(&id()) {
                    None => view! {
                        <p class="notice" role="status" data-testid="inbox-report-missing">{move || i18n.inbox().inbox_report_missing()}</p>
                    }
                    .into_any(),
                    Some(item) => view! { <ReportView item form /> }.into_any(),
                }
            }}
        </InboxGate>
    }
}

/// What the actions hold: kept by the page, so that the report's view, drawn again after
/// each change, never drops what was typed or the last outcome.
#[derive(Debug, Clone, Copy)]
struct ActionForm {
    busy: RwSignal<bool>,
    outcome: RwSignal<Option<ChangeOutcome>>,
    informed: RwSignal<Vec<Informed>>,
    date: RwSignal<String>,
    note: RwSignal<String>,
    confirming_close: RwSignal<bool>,
    /// Whether opening the report has already tried to mark it seen.
    seen_tried: StoredValue<bool>,
}

impl ActionForm {
    fn new() -> Self {
        Self {
            busy: RwSignal::new(false),
            outcome: RwSignal::new(None),
            informed: RwSignal::new(Vec::new()),
            date: RwSignal::new(String::new()),
            note: RwSignal::new(String::new()),
            confirming_close: RwSignal::new(false),
            seen_tried: StoredValue::new(false),
        }
    }
}

#[component]
fn ReportView(item: InboxItem, form: ActionForm) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_inbox();
    let id = item.id.clone();
    // Opening a new report marks it seen (online; otherwise the button stays).
    if item.status == InboxStatus::New && item.observation.is_ok() && !form.seen_tried.get_value() {
        form.seen_tried.set_value(true);
        let id = id.clone();
        leptos::task::spawn_local(async move {
            if let Err(error) = session
                .record_change(&id, StatusNote::bare(CoarseStatus::Seen, now()))
                .await
            {
                leptos::logging::warn!("report {id} not marked seen: {error:?}");
            }
        });
    }
    let received_at = item.received_at;
    let received = move || format_time(received_at, i18n.locale().is_serbian());
    let status = item.status;
    let server_says = item.server_says;
    let body = match item.observation.clone() {
        Err(failure) => {
            let id = id.clone();
            view! {
                <p class="notice notice--warning" role="alert" data-testid="inbox-open-failed">
                    {move || fill(
                        i18n.inbox().inbox_open_failed(),
                        &[("date", &received()), ("id", &id), ("reason", failure_reason(i18n.inbox(), failure))],
                    )}
                </p>
            }
            .into_any()
        }
        Ok(observation) => view! {
            <Details observation=observation.clone() item=item.clone() />
            <Observed observation />
            <History history=item.history.clone() />
            <Actions id=id.clone() status form />
        }
        .into_any(),
    };
    let print = move |_| {
        if let Err(error) = window().print() {
            leptos::logging::warn!("cannot print: {error:?}");
        }
    };
    view! {
        <p data-testid="inbox-report-status" data-status=status.as_str()>
            {move || i18n.inbox().inbox_status()} ": " <strong>{move || status_label(i18n.inbox(), status)}</strong>
        </p>
        {server_says.map(|server_says| view! {
            <p class="notice notice--warning" data-testid="inbox-server-disagrees" data-status=server_says.as_str()>
                {move || server_disagrees(i18n.inbox(), server_says)}
            </p>
        })}
        {body}
        <div class="actions no-print">
            <button type="button" class="button" on:click=print>{move || i18n.inbox().inbox_print()}</button>
        </div>
        <Forget id />
    }
}

/// The circumstances and where the report came from.
#[component]
fn Details(observation: Observation, item: InboxItem) -> impl IntoView {
    let i18n = use_i18n();
    let context = observation.context().clone();
    let received_at = item.received_at;
    let completed_at = observation.completed_at();
    let version = observation.catalogue_version().clone();
    let reference = context
        .reference
        .as_ref()
        .map(|reference| reference.as_str().to_owned());
    let mode = observation.mode();
    let id = item.id.clone();
    view! {
        <section class="card" aria-labelledby="inbox-details-heading">
            <h2 id="inbox-details-heading">{move || i18n.inbox().inbox_details_heading()}</h2>
            <dl class="inbox-details">
                <dt>{move || i18n.inbox().inbox_report_id()}</dt>
                <dd><code>{id}</code></dd>
                <dt>{move || i18n.inbox().inbox_received()}</dt>
                <dd>{move || format_time(received_at, i18n.locale().is_serbian())}</dd>
                <dt>{move || i18n.inbox().inbox_completed()}</dt>
                <dd>{move || format_time(completed_at, i18n.locale().is_serbian())}</dd>
                <dt>{move || i18n.inbox().inbox_role()}</dt>
                <dd>{move || role_label(i18n.messages(), context.observer_role)}</dd>
                <dt>{move || i18n.inbox().inbox_setting()}</dt>
                <dd>{move || setting_label(i18n.messages(), context.setting)}</dd>
                <dt>{move || i18n.inbox().inbox_age()}</dt>
                <dd>{move || age_label(i18n.messages(), context.age_band)}</dd>
                <dt>{move || i18n.inbox().inbox_gender()}</dt>
                <dd>{move || gender_label(i18n.messages(), context.gender)}</dd>
                {reference.map(|reference| view! {
                    <dt>{move || i18n.inbox().inbox_reference()}</dt>
                    <dd>{reference}</dd>
                })}
                <dt>{move || i18n.inbox().inbox_mode()}</dt>
                <dd>{move || match mode {
                    Mode::Full => i18n.inbox().inbox_mode_full(),
                    Mode::Quick => i18n.inbox().inbox_mode_quick(),
                }}</dd>
                <dt>{move || i18n.inbox().inbox_catalogue_version()}</dt>
                <dd data-testid="inbox-catalogue-version"><CatalogueName version /></dd>
            </dl>
        </section>
    }
}

/// The name of the catalogue a report was made with ("Prepoznaj 2026.1, built on …"), so
/// that nobody reads its id as the Ministry's list; its id until the catalogue is read, and
/// if it cannot be, so an old report still says which list it used.
#[component]
fn CatalogueName(version: CatalogueVersion) -> impl IntoView {
    let i18n = use_i18n();
    let name = RwSignal::new(None);
    {
        let version = version.clone();
        leptos::task::spawn_local(async move {
            if let Ok(catalogue) = content::catalogue(&version).await {
                name.set(Some(catalogue.name().clone()));
            }
        });
    }
    let id = version.as_str().to_owned();
    move || {
        name.with(|name| {
            name.as_ref()
                .map_or_else(|| id.clone(), |name| name.get(i18n.locale()).into_owned())
        })
    }
}

/// The assessment and every answer, with the catalogue the report was made with.
#[component]
fn Observed(observation: Observation) -> impl IntoView {
    let i18n = use_i18n();
    let loaded = RwSignal::new(None::<Option<Arc<Catalogue>>>);
    let version = observation.catalogue_version().clone();
    {
        let version = version.clone();
        leptos::task::spawn_local(async move {
            loaded.set(Some(content::catalogue(&version).await.ok()));
        });
    }
    let observation = StoredValue::new(observation);
    move || match loaded.get() {
        None => {
            view! { <p role="status">{move || i18n.messages().observe_loading()}</p> }.into_any()
        }
        Some(None) => {
            let version = version.as_str().to_owned();
            view! {
                <p class="notice notice--warning" role="alert">
                    {move || fill(i18n.inbox().inbox_catalogue_unavailable(), &[("version", &version)])}
                </p>
            }
            .into_any()
        }
        Some(Some(catalogue)) => {
            let answers = observation.with_value(|observation| observation.answers().clone());
            let assessment = assess(&catalogue, &answers);
            view! {
                <AssessmentView assessment catalogue=catalogue.clone() />
                <section class="card" aria-labelledby="inbox-answers-heading">
                    <h2 id="inbox-answers-heading">{move || i18n.inbox().inbox_answers_heading()}</h2>
                    <MarkedIndicators
                        answers=answers.clone()
                        catalogue=catalogue.clone()
                        nothing_marked=|i18n| i18n.inbox().inbox_nothing_marked()
                    />
                    <NotMarked answers catalogue />
                </section>
            }
            .into_any()
        }
    }
}

/// The signs answered "not observed" and those left unanswered, folded under their counts
/// so the marked ones can be read first; opened for printing, so a printed record is whole.
#[component]
fn NotMarked(answers: Answers, catalogue: Arc<Catalogue>) -> impl IntoView {
    let i18n = use_i18n();
    let [_, _, not_observed, unanswered] = shown_groups(&answers, &catalogue);
    if not_observed.count() == 0 && unanswered.count() == 0 {
        return None;
    }
    let counts = (not_observed.count(), unanswered.count());
    let details = NodeRef::<leptos::html::Details>::new();
    open_for_printing(details);
    Some(view! {
        <details class="inbox-rest disclosure" data-testid="inbox-not-marked" node_ref=details>
            <summary>
                {move || fill(
                    i18n.inbox().inbox_not_marked_summary(),
                    &[("not_observed", &counts.0.to_string()), ("unanswered", &counts.1.to_string())],
                )}
            </summary>
            <AnswerGroupView group=not_observed />
            <AnswerGroupView group=unanswered />
        </details>
    })
}

/// Opens `details` while the page is printed (and closes it again after, if it was closed):
/// the print style sheet shows its content too, this covers browsers it cannot reach.
fn open_for_printing(details: NodeRef<leptos::html::Details>) {
    let opened_for_print = StoredValue::new(false);
    let before = window_event_listener_untyped("beforeprint", move |_| {
        if let Some(details) = details.get_untracked()
            && !details.has_attribute("open")
        {
            if let Err(error) = details.set_attribute("open", "") {
                leptos::logging::warn!("cannot open the folded answers for printing: {error:?}");
            }
            opened_for_print.set_value(true);
        }
    });
    let after = window_event_listener_untyped("afterprint", move |_| {
        if let Some(details) = details.get_untracked()
            && opened_for_print.get_value()
        {
            if let Err(error) = details.remove_attribute("open") {
                leptos::logging::warn!("cannot fold the answers again: {error:?}");
            }
            opened_for_print.set_value(false);
        }
    });
    on_cleanup(move || {
        before.remove();
        after.remove();
    });
}

/// The team's record, oldest first, decrypted.
#[component]
fn History(history: Vec<HistoryEntry>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="card" aria-labelledby="inbox-history-heading" data-testid="inbox-history">
            <h2 id="inbox-history-heading">{move || i18n.inbox().inbox_history_heading()}</h2>
            {if history.is_empty() {
                view! { <p>{move || i18n.inbox().inbox_history_empty()}</p> }.into_any()
            } else {
                view! {
                    <ol class="inbox-history">
                        {history.into_iter().map(|entry| view! { <HistoryItem entry /> }).collect_view()}
                    </ol>
                }
                .into_any()
            }}
        </section>
    }
}

#[component]
fn HistoryItem(entry: HistoryEntry) -> impl IntoView {
    let i18n = use_i18n();
    let status = InboxStatus::after([entry.coarse_status]);
    let when = entry.recorded_at;
    let verified = entry.note.is_ok();
    let detail = match entry.note {
        Err(problem) => view! {
            <p class="notice notice--warning" data-testid="inbox-history-unverified">
                {move || fill(i18n.inbox().inbox_history_unverified(), &[("reason", &note_problem_reason(i18n.inbox(), problem))])}
            </p>
        }
        .into_any(),
        Ok(trusted) => {
            let informed = trusted.note.informed.clone();
            let date = trusted.note.date;
            let text = trusted.note.note.clone();
            let author = trusted
                .author_name
                .map_or_else(|| trusted.author.as_str().to_owned(), |name| name.as_str().to_owned());
            view! {
                <p data-testid="inbox-history-author">{move || fill(i18n.inbox().inbox_history_by(), &[("name", &author)])}</p>
                {(!informed.is_empty()).then(|| view! {
                    <p>
                        {move || i18n.inbox().inbox_informed()} ": "
                        {move || informed.iter().map(|whom| informed_label(i18n.inbox(), *whom)).collect::<Vec<_>>().join(", ")}
                    </p>
                })}
                {date.map(|date| view! {
                    <p>{move || i18n.inbox().inbox_date()} ": " {move || date.long(i18n.locale())}</p>
                })}
                {text.map(|text| view! { <p class="inbox-history__note">{text}</p> })}
            }
            .into_any()
        }
    };
    view! {
        <li data-testid="inbox-history-entry" data-status=status.as_str() data-verified=verified.to_string()>
            <p>
                <strong>{move || status_label(i18n.inbox(), status)}</strong>
                " — "
                {move || match when {
                    Some(when) => format_time(when, i18n.locale().is_serbian()),
                    None => i18n.inbox().inbox_history_pending().to_owned(),
                }}
            </p>
            {detail}
        </li>
    }
}

/// What a change's sending came to, as shown under the actions.
#[derive(Debug, Clone, PartialEq)]
enum ChangeOutcome {
    Saved,
    Failed(ChangeError),
    Invalid(StatusNoteError),
}

/// The next step: seen, acted upon (what was done), closed.
#[component]
fn Actions(id: String, status: InboxStatus, form: ActionForm) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_inbox();
    let id = StoredValue::new(id);
    let ActionForm {
        busy,
        outcome,
        informed,
        date,
        note,
        confirming_close,
        ..
    } = form;
    let send = move |status_note: StatusNote| {
        busy.set(true);
        leptos::task::spawn_local(async move {
            let result = session.record_change(&id.get_value(), status_note).await;
            busy.set(false);
            // Sealed and kept or sent: the form is done with; otherwise it keeps the text.
            if matches!(result, Ok(()) | Err(ChangeError::Kept(_))) {
                informed.set(Vec::new());
                date.set(String::new());
                note.set(String::new());
            }
            outcome.set(Some(match result {
                Ok(()) => ChangeOutcome::Saved,
                Err(error) => ChangeOutcome::Failed(error),
            }));
        });
    };
    let act = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let draft = StatusNoteDraft {
            informed: informed.get_untracked(),
            date: date.get_untracked(),
            note: note.get_untracked(),
        };
        match StatusNote::acted_upon(&draft, now()) {
            Ok(status_note) => send(status_note),
            Err(error) => outcome.set(Some(ChangeOutcome::Invalid(error))),
        }
    };
    let outcome_text = move || {
        outcome.get().map(|outcome| {
            let messages = i18n.inbox();
            let (text, alert) = match outcome {
                ChangeOutcome::Saved => (messages.inbox_saved().to_owned(), false),
                ChangeOutcome::Invalid(StatusNoteError::NothingDone) => (messages.inbox_nothing_done().to_owned(), true),
                ChangeOutcome::Invalid(StatusNoteError::Date(_)) => (messages.inbox_bad_date().to_owned(), true),
                ChangeOutcome::Invalid(StatusNoteError::NoteTooLong { .. }) => {
                    (messages.inbox_note_too_long().format(MAX_STATUS_NOTE_CHARS as u64), true)
                }
                ChangeOutcome::Failed(ChangeError::NotSent(_)) => (messages.inbox_not_sent_offline().to_owned(), true),
                ChangeOutcome::Failed(ChangeError::Kept(_)) => (messages.inbox_kept().to_owned(), true),
                ChangeOutcome::Failed(ChangeError::Refused(ApiCallError::Refused { code: ErrorCode::TooManyStatusChanges, .. })) => {
                    (messages.inbox_too_many_changes().to_owned(), true)
                }
                ChangeOutcome::Failed(ChangeError::Refused(_)) => (messages.inbox_refused().to_owned(), true),
                ChangeOutcome::Failed(ChangeError::Seal) => (messages.inbox_seal_failed().to_owned(), true),
                ChangeOutcome::Failed(ChangeError::Storage(error)) => {
                    (storage_error_message(i18n.messages(), &error).to_owned(), true)
                }
            };
            if alert {
                view! { <p class="notice notice--warning" role="alert" data-testid="inbox-change-outcome">{text}</p> }.into_any()
            } else {
                view! { <p class="notice" role="status" data-testid="inbox-change-outcome">{text}</p> }.into_any()
            }
        })
    };
    view! {
        <section class="card no-print" aria-labelledby="inbox-actions-heading">
            <h2 id="inbox-actions-heading">{move || i18n.inbox().inbox_acted_heading()}</h2>
            {status.allows(CoarseStatus::Seen).then(|| view! {
                <div class="actions">
                    <button type="button" class="button" disabled=move || busy.get()
                        on:click=move |_| send(StatusNote::bare(CoarseStatus::Seen, now()))>
                        {move || i18n.inbox().inbox_mark_seen()}
                    </button>
                </div>
            })}
            {status.allows(CoarseStatus::ActedUpon).then(|| view! {
                <form class="form" data-testid="inbox-acted-form" on:submit=act>
                    <fieldset class="field">
                        <legend>{move || i18n.inbox().inbox_informed()}</legend>
                        {Informed::ALL.into_iter().enumerate().map(|(index, whom)| {
                            let field_id = format!("inbox-informed-{index}");
                            view! {
                                <div class="field--checkbox">
                                    <input
                                        type="checkbox"
                                        id=field_id.clone()
                                        prop:checked=move || informed.with(|chosen| chosen.contains(&whom))
                                        on:change=move |event| {
                                            let checked = event_target_checked(&event);
                                            informed.update(|chosen| {
                                                chosen.retain(|known| *known != whom);
                                                if checked {
                                                    chosen.push(whom);
                                                }
                                            });
                                        }
                                    />
                                    <label for=field_id>{move || informed_label(i18n.inbox(), whom)}</label>
                                </div>
                            }
                        }).collect_view()}
                    </fieldset>
                    <div class="field">
                        <label for="inbox-acted-date">{move || i18n.inbox().inbox_date()}</label>
                        <input id="inbox-acted-date" type="date" prop:value=move || date.get()
                            on:input=move |event| date.set(event_target_value(&event)) />
                    </div>
                    <div class="field">
                        <label for="inbox-acted-note">{move || i18n.inbox().inbox_note()}</label>
                        <textarea id="inbox-acted-note" rows="4" aria-describedby="inbox-acted-note-hint"
                            prop:value=move || note.get()
                            on:input=move |event| note.set(event_target_value(&event))></textarea>
                        <p id="inbox-acted-note-hint" class="hint">{move || i18n.inbox().inbox_note_hint()}</p>
                    </div>
                    <div class="actions">
                        <button type="submit" class="button button--primary" disabled=move || busy.get()>
                            {move || if busy.get() { i18n.inbox().inbox_saving() } else { i18n.inbox().inbox_acted_submit() }}
                        </button>
                    </div>
                </form>
            })}
            {status.allows(CoarseStatus::Closed).then(|| view! {
                <div class="actions">
                    <Show when=move || !confirming_close.get()>
                        <button type="button" class="button" disabled=move || busy.get()
                            on:click=move |_| confirming_close.set(true)>
                            {move || i18n.inbox().inbox_close()}
                        </button>
                    </Show>
                </div>
                <Show when=move || confirming_close.get()>
                    <ConfirmPrompt
                        label=Signal::derive(move || i18n.inbox().inbox_close().to_owned())
                        question=Signal::derive(move || i18n.inbox().inbox_close_confirm().to_owned())
                        confirm=Signal::derive(move || i18n.inbox().inbox_close_yes().to_owned())
                        on_confirm=move |()| {
                            confirming_close.set(false);
                            send(StatusNote::bare(CoarseStatus::Closed, now()));
                        }
                        on_cancel=move |()| confirming_close.set(false)
                    />
                </Show>
            })}
            {outcome_text}
        </section>
    }
}

/// "Forget this report on this device", after a confirmation.
#[component]
fn Forget(id: String) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_inbox();
    let navigate = use_navigate();
    let confirming = RwSignal::new(false);
    let failed = RwSignal::new(None::<crate::storage::StorageError>);
    let id = StoredValue::new(id);
    let navigate = StoredValue::new(navigate);
    view! {
        <div class="actions no-print">
            <Show when=move || !confirming.get()>
                <button type="button" class="button button--danger" on:click=move |_| confirming.set(true)>
                    {move || i18n.inbox().inbox_forget()}
                </button>
            </Show>
        </div>
        <Show when=move || confirming.get()>
            <div class="no-print">
                <ConfirmPrompt
                    label=Signal::derive(move || i18n.inbox().inbox_forget().to_owned())
                    question=Signal::derive(move || i18n.inbox().inbox_forget_confirm().to_owned())
                    confirm=Signal::derive(move || i18n.inbox().inbox_forget_yes().to_owned())
                    danger=true
                    on_confirm=move |()| {
                        leptos::task::spawn_local(async move {
                            match session.forget(&id.get_value()).await {
                                Ok(()) => navigate.with_value(|navigate| navigate("/inbox", Default::default())),
                                Err(error) => failed.set(Some(error)),
                            }
                            confirming.set(false);
                        });
                    }
                    on_cancel=move |()| confirming.set(false)
                />
            </div>
        </Show>
        {move || failed.get().map(|error| view! {
            <p class="notice notice--warning" role="alert">{storage_error_message(i18n.messages(), &error)}</p>
        })}
    }
}
