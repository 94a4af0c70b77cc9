//! `/observe/:id`: the indicator checklist, one area at a time (`?area=…`, kept on reload) or
//! all areas at once (`?area=all`). Every answer and note is saved to IndexedDB the moment
//! it is given; there is no save button.
//!
//! Telemetry, in-page only: when an answer's save has committed (the IndexedDB transaction's
//! `complete`), the page records a User Timing measure [`AUTOSAVE_MEASURE`] from the answer's
//! `change` event (`Event.timeStamp`) to that moment, so the framework's work counts too.
//! It stays in the page's performance timeline (`performance.getEntriesByName`); nothing is
//! ever sent anywhere. `tests/bench/checklist.mjs` reads it for the autosave budget.

use std::sync::Arc;

use leptos::logging::warn;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_location, use_navigate, use_params_map, use_query_map};
use prepoznaj_domain::catalogue::{Catalogue, Indicator};
use prepoznaj_domain::locale::{Locale, fill};
use prepoznaj_domain::observation::{
    Answer, MAX_NOTE_CHARS, Note, NoteError, ObservationDraft, ObservationRecord,
};

use crate::clock::now;
use crate::components::guidance_link::{
    fragment_id, guidance_href, indicator_anchor, remember_place, reveal,
};
use crate::components::storage_error::{PageError, PageErrorView, storage_error_message};
use crate::content;
use crate::i18n::{Messages, messages_for, use_i18n, use_page_title};
use crate::storage::{StorageError, app_database, observations};

/// `?area=` value that shows every area.
pub const ALL_AREAS: &str = "all";

/// Whether the last save reached IndexedDB.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SaveState {
    Idle,
    Saved,
    Failed(StorageError),
}

/// Loads a draft and its catalogue; a finished observation is `Ok(None)` (read-only elsewhere).
pub async fn load_draft(id: &str) -> Result<Option<(ObservationDraft, Arc<Catalogue>)>, PageError> {
    let database = app_database().await?;
    let record = observations::load(&database, id)
        .await?
        .ok_or(PageError::NotFound)?;
    let ObservationRecord::Draft(draft) = record else {
        return Ok(None);
    };
    let catalogue = content::catalogue(draft.catalogue_version()).await?;
    Ok(Some((draft, catalogue)))
}

/// User Timing name of one answer's autosave: from the answer's `change` event to the commit.
pub const AUTOSAVE_MEASURE: &str = "prepoznaj:autosave";

/// Records [`AUTOSAVE_MEASURE`] from `event_time` (an `Event.timeStamp`) until now.
fn measure_autosave(event_time: f64) {
    crate::timing::measure_since(AUTOSAVE_MEASURE, event_time);
}

/// Saves `draft` and reports the outcome in `state`.
pub fn save_draft(draft: ObservationDraft, state: RwSignal<SaveState>) {
    save_draft_measured(draft, state, None);
}

/// Applies `edit` to the draft; when it succeeds, queues the write of the edited draft and only
/// then lets the views react, so the write is under way before they re-render. A refused edit
/// (an indicator this draft's catalogue lacks: a bug, not the person's doing) is logged.
fn edit_and_save<E: std::fmt::Display>(
    draft: RwSignal<ObservationDraft>,
    save_state: RwSignal<SaveState>,
    event_time: Option<f64>,
    edit: impl FnOnce(&mut ObservationDraft) -> Result<(), E>,
) {
    let edited = draft.update_untracked(|draft| match edit(draft) {
        Ok(()) => Some(draft.clone()),
        Err(error) => {
            warn!("the checklist refused an edit: {error}");
            None
        }
    });
    if let Some(edited) = edited {
        save_draft_measured(edited, save_state, event_time);
        draft.notify();
    }
}

/// [`save_draft`], recording [`AUTOSAVE_MEASURE`] from `event_time` once the save committed.
fn save_draft_measured(
    draft: ObservationDraft,
    state: RwSignal<SaveState>,
    event_time: Option<f64>,
) {
    leptos::task::spawn_local(async move {
        let result = match app_database().await {
            Ok(database) => observations::save(&database, &ObservationRecord::Draft(draft)).await,
            Err(error) => Err(error),
        };
        if let (Ok(()), Some(event_time)) = (&result, event_time) {
            measure_autosave(event_time);
        }
        state.set(match result {
            Ok(()) => SaveState::Saved,
            Err(error) => SaveState::Failed(error),
        });
    });
}

/// The checklist screen.
#[component]
pub fn ChecklistPage() -> impl IntoView {
    let i18n = use_i18n();
    use_page_title(|m| m.checklist_title);
    let params = use_params_map();
    let navigate = use_navigate();
    let id = move || params.with(|params| params.get("id").unwrap_or_default());
    let loaded =
        RwSignal::new(None::<Result<(RwSignal<ObservationDraft>, Arc<Catalogue>), PageError>>);
    Effect::new(move |_| {
        let id = id();
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            match load_draft(&id).await {
                Ok(Some((draft, catalogue))) => {
                    loaded.set(Some(Ok((RwSignal::new(draft), catalogue))))
                }
                // Finished: it cannot be edited, show its summary instead.
                Ok(None) => navigate(&format!("/observe/{id}/summary"), Default::default()),
                Err(error) => loaded.set(Some(Err(error))),
            }
        });
    });
    view! {
        <h1>{move || i18n.messages().checklist_title}</h1>
        {move || match loaded.get() {
            None => view! { <p role="status">{move || i18n.messages().observe_loading}</p> }.into_any(),
            Some(Err(error)) => view! { <PageErrorView error /> }.into_any(),
            Some(Ok((draft, catalogue))) => view! { <Checklist draft catalogue /> }.into_any(),
        }}
    }
}

#[component]
fn Checklist(draft: RwSignal<ObservationDraft>, catalogue: Arc<Catalogue>) -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    // Back from the guidance (its "back" link or the browser's back button), the address
    // names the indicator the person left from: bring it into view once it is rendered.
    if let Some(anchor) = fragment_id(&use_location().hash.get_untracked()) {
        request_animation_frame(move || reveal(&anchor, &anchor));
    }
    let save_state = RwSignal::new(SaveState::Idle);
    let id = draft.with_untracked(|draft| draft.id().as_str().to_owned());
    let area_ids: Vec<String> = catalogue
        .areas()
        .iter()
        .map(|area| area.id().as_str().to_owned())
        .collect();
    let first_area = area_ids.first().cloned().unwrap_or_default();
    let current_area = Memo::new(move |_| {
        query
            .with(|query| query.get("area"))
            .unwrap_or_else(|| first_area.clone())
    });
    let progress = {
        let catalogue = catalogue.clone();
        Memo::new(move |_| draft.with(|draft| draft.answers().progress(&catalogue)))
    };

    let area_links = {
        let catalogue = catalogue.clone();
        let id = id.clone();
        catalogue
            .areas()
            .iter()
            .enumerate()
            .map(|(index, area)| {
                let area_id = area.id().as_str().to_owned();
                let title = area.title().clone();
                let href = format!("/observe/{id}?area={area_id}");
                let is_current = {
                    let area_id = area_id.clone();
                    move || current_area.get() == area_id
                };
                view! {
                    <li>
                        <A href=href attr:class="area-link" attr:aria-current=move || is_current().then_some("step")>
                            <span>{move || title.get(i18n.locale()).into_owned()}</span>
                            <span class="area-link__progress">
                                {move || {
                                    progress.with(|progress| {
                                        progress
                                            .areas
                                            .get(index)
                                            .map(|area| format!("{}/{}", area.answered, area.total))
                                            .unwrap_or_default()
                                    })
                                }}
                            </span>
                        </A>
                    </li>
                }
            })
            .collect_view()
    };

    // The texts inside the list are taken once per build in the current locale, so a language
    // switch rebuilds the list (rare) instead of every text keeping a reactive effect of its
    // own (hundreds of them: the all-areas view must render within its budget).
    let guidance_rel = crate::app::link_rel("/guidance");
    let areas_view = {
        let catalogue = catalogue.clone();
        let id = id.clone();
        move || {
            let shown = current_area.get();
            // Where the guidance offers to come back to.
            let from = format!("/observe/{id}?area={shown}");
            let locale = i18n.locale();
            catalogue
                .areas()
                .iter()
                .filter(|area| shown == ALL_AREAS || area.id().as_str() == shown)
                .map(|area| {
                    let title = area.title().get(locale).into_owned();
                    let label = title.clone();
                    let indicators = area
                        .indicators()
                        .iter()
                        .map(|indicator| {
                            view! {
                                <IndicatorItem
                                    indicator
                                    from=&from
                                    locale
                                    guidance_rel
                                    catalogue=catalogue.clone()
                                    draft
                                    save_state
                                />
                            }
                        })
                        .collect_view();
                    view! {
                        <section class="area" aria-label=label>
                            <h2>{title}</h2>
                            {indicators}
                        </section>
                    }
                })
                .collect_view()
        }
    };

    let neighbour = move |step: isize| {
        let position = area_ids.iter().position(|area| *area == current_area.get());
        position
            .and_then(|position| position.checked_add_signed(step))
            .and_then(|position| area_ids.get(position).cloned())
    };
    let id_for_nav = id.clone();
    let area_nav = move || {
        let previous = neighbour(-1).map(|area| format!("/observe/{id_for_nav}?area={area}"));
        let next = neighbour(1).map(|area| format!("/observe/{id_for_nav}?area={area}"));
        view! {
            <div class="actions">
                {previous.map(|href| view! {
                    <A href=href attr:class="button">{move || i18n.messages().checklist_previous_area}</A>
                })}
                {next.map(|href| view! {
                    <A href=href attr:class="button">{move || i18n.messages().checklist_next_area}</A>
                })}
            </div>
        }
    };

    view! {
        <p class="progress" data-testid="checklist-progress">
            {move || progress.with(|progress| fill(
                i18n.messages().checklist_progress,
                &[("answered", &progress.answered.to_string()), ("total", &progress.total.to_string())],
            ))}
        </p>
        <nav class="areas" aria-label=move || i18n.messages().checklist_areas>
            <ul class="areas__list">
                {area_links}
                <li>
                    <A href=format!("/observe/{id}?area={ALL_AREAS}") attr:class="area-link">
                        {move || i18n.messages().checklist_all_areas}
                    </A>
                </li>
            </ul>
        </nav>
        <SaveStatus state=save_state />
        {areas_view}
        {area_nav}
        <A href=format!("/observe/{id}/summary") attr:class="button button--primary">
            {move || i18n.messages().checklist_to_summary}
        </A>
    }
}

/// "Saved on this phone", or what went wrong.
#[component]
pub fn SaveStatus(state: RwSignal<SaveState>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <p class="save-status" role="status" data-testid="save-status" data-state=move || match state.get() {
            SaveState::Idle => "idle",
            SaveState::Saved => "saved",
            SaveState::Failed(_) => "failed",
        }>
            {move || match state.get() {
                SaveState::Idle => String::new(),
                SaveState::Saved => i18n.messages().checklist_saved.to_owned(),
                SaveState::Failed(error) => storage_error_message(i18n.messages(), &error).to_owned(),
            }}
        </p>
    }
}

type AnswerLabel = fn(&'static Messages) -> &'static str;

const ANSWERS: [(Answer, &str, AnswerLabel); 3] = [
    (Answer::Observed, "observed", |m| m.answer_observed),
    (Answer::NotSure, "not-sure", |m| m.answer_not_sure),
    (Answer::NotObserved, "not-observed", |m| {
        m.answer_not_observed
    }),
];

fn note_error_message(messages: &'static Messages, error: &NoteError) -> String {
    match error {
        NoteError::LooksLikeJmbg => messages.note_looks_like_jmbg.to_owned(),
        _ => fill(
            messages.note_too_long,
            &[("max", &MAX_NOTE_CHARS.to_string())],
        ),
    }
}

/// One indicator: its text, the three answers, a note once answered, and its guidance link.
/// Texts are in `locale`, fixed for this build (the list is rebuilt when the language changes).
#[component]
fn IndicatorItem<'a>(
    indicator: &'a Indicator,
    /// This checklist's address (path and `?area=`), for the guidance's way back.
    from: &'a str,
    locale: Locale,
    guidance_rel: Option<&'static str>,
    catalogue: Arc<Catalogue>,
    draft: RwSignal<ObservationDraft>,
    save_state: RwSignal<SaveState>,
) -> impl IntoView + use<> {
    let messages = messages_for(locale);
    let indicator_id = indicator.id().clone();
    let dom_id = indicator_id.as_str().replace('.', "-");
    let anchor = indicator_anchor(&indicator_id);
    let guidance = guidance_href(indicator.guidance(), from, &indicator_id);
    let leave_for_guidance = {
        let anchor = anchor.clone();
        move |_| remember_place(&anchor)
    };
    let note_error = RwSignal::new(None::<NoteError>);
    // This indicator's entry alone: the views below re-run when it changes, not on every answer.
    let entry = {
        let indicator_id = indicator_id.clone();
        Memo::new(move |_| draft.with(|draft| draft.answers().get(&indicator_id).cloned()))
    };
    let answered = move || entry.with(|entry| entry.as_ref().map(|entry| entry.answer));
    // One listener for the three radios (`change` bubbles).
    let choose = {
        let catalogue = catalogue.clone();
        let indicator_id = indicator_id.clone();
        move |event: leptos::ev::Event| {
            let value = event_target_value(&event);
            let Some((answer, _, _)) = ANSWERS.iter().find(|(_, id, _)| *id == value) else {
                return;
            };
            edit_and_save(draft, save_state, Some(event.time_stamp()), |draft| {
                draft.answer(&catalogue, &indicator_id, *answer, now())
            });
        }
    };
    let radios = ANSWERS
        .iter()
        .map(|(answer, value, label)| {
            let answer = *answer;
            view! {
                <label class="answer">
                    <input
                        type="radio"
                        name=dom_id.clone()
                        value=*value
                        prop:checked=move || answered() == Some(answer)
                    />
                    <span>{label(messages)}</span>
                </label>
            }
        })
        .collect_view();
    let note_value = move || {
        entry.with(|entry| {
            entry
                .as_ref()
                .and_then(|entry| entry.note.as_ref().map(|note| note.as_str().to_owned()))
                .unwrap_or_default()
        })
    };
    let save_note = {
        let indicator_id = indicator_id.clone();
        move |event: leptos::ev::Event| {
            let input = event_target_value(&event);
            let note = if input.trim().is_empty() {
                Ok(None)
            } else {
                Note::parse(&input).map(Some)
            };
            match note {
                Err(error) => note_error.set(Some(error)),
                Ok(note) => {
                    note_error.set(None);
                    edit_and_save(draft, save_state, None, |draft| {
                        draft.set_note(&catalogue, &indicator_id, note, now())
                    });
                }
            }
        }
    };
    let note_id = format!("note-{dom_id}");
    let note_error_id = format!("note-error-{dom_id}");
    view! {
        <fieldset class="indicator" id=anchor tabindex="-1" data-testid="indicator" data-indicator=indicator_id.as_str().to_owned()>
            <legend class="indicator__text">{indicator.text().get(locale).into_owned()}</legend>
            {indicator.hint().map(|hint| view! { <p class="hint">{hint.get(locale).into_owned()}</p> })}
            <div class="answers" on:change=choose>{radios}</div>
            <Show when=move || answered().is_some()>
                <div class="field">
                    <label for=note_id.clone()>{messages.checklist_note}</label>
                    <textarea
                        id=note_id.clone()
                        rows="2"
                        maxlength=MAX_NOTE_CHARS.to_string()
                        aria-describedby=note_error_id.clone()
                        prop:value=note_value
                        on:change=save_note.clone()
                    ></textarea>
                    <p class="field__error" id=note_error_id.clone() role="alert">
                        {move || note_error.get().map(|error| note_error_message(messages, &error))}
                    </p>
                </div>
            </Show>
            // A plain link: `<A>` would add a memo and two effects per indicator for nothing.
            <a href=guidance class="indicator__guidance" rel=guidance_rel on:click=leave_for_guidance>
                {messages.checklist_guidance}
            </a>
        </fieldset>
    }
}
