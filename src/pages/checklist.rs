//! `/observe/:id`: the indicator checklist, one area at a time (`?area=…`, kept on reload) or
//! all areas at once (`?area=all`). Every answer and note is saved to IndexedDB the moment
//! it is given; there is no save button.

use std::sync::Arc;

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};
use prepoznaj_domain::catalogue::{Catalogue, Indicator};
use prepoznaj_domain::locale::fill;
use prepoznaj_domain::observation::{
    Answer, MAX_NOTE_CHARS, Note, NoteError, ObservationDraft, ObservationRecord,
};

use crate::clock::now;
use crate::components::storage_error::{PageError, PageErrorView, storage_error_message};
use crate::content;
use crate::i18n::{Messages, use_i18n, use_page_title};
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

/// Saves `draft` and reports the outcome in `state`.
pub fn save_draft(draft: ObservationDraft, state: RwSignal<SaveState>) {
    leptos::task::spawn_local(async move {
        let result = match app_database().await {
            Ok(database) => observations::save(&database, &ObservationRecord::Draft(draft)).await,
            Err(error) => Err(error),
        };
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

    let areas_view = {
        let catalogue = catalogue.clone();
        move || {
            let shown = current_area.get();
            catalogue
                .areas()
                .iter()
                .filter(|area| shown == ALL_AREAS || area.id().as_str() == shown)
                .map(|area| {
                    let title = area.title().clone();
                    let label = title.clone();
                    let indicators = area
                        .indicators()
                        .iter()
                        .map(|indicator| {
                            view! {
                                <IndicatorItem
                                    indicator=indicator.clone()
                                    catalogue=catalogue.clone()
                                    draft
                                    save_state
                                />
                            }
                        })
                        .collect_view();
                    view! {
                        <section class="area" aria-label=move || label.get(i18n.locale()).into_owned()>
                            <h2>{move || title.get(i18n.locale()).into_owned()}</h2>
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

#[component]
fn IndicatorItem(
    indicator: Indicator,
    catalogue: Arc<Catalogue>,
    draft: RwSignal<ObservationDraft>,
    save_state: RwSignal<SaveState>,
) -> impl IntoView {
    let i18n = use_i18n();
    let indicator_id = indicator.id().clone();
    let dom_id = indicator_id.as_str().replace('.', "-");
    let text = indicator.text().clone();
    let hint = indicator.hint().cloned();
    let guidance = format!("/guidance#{}", indicator.guidance().as_str());
    let note_error = RwSignal::new(None::<NoteError>);
    let answered = {
        let indicator_id = indicator_id.clone();
        move || draft.with(|draft| draft.answers().answer(&indicator_id))
    };
    let radios = ANSWERS
        .iter()
        .map(|(answer, value, label)| {
            let (answer, label) = (*answer, *label);
            let catalogue = catalogue.clone();
            let indicator_id = indicator_id.clone();
            let answered = answered.clone();
            let choose = move |_| {
                let mut changed = None;
                draft.update(|draft| {
                    if draft
                        .answer(&catalogue, &indicator_id, answer, now())
                        .is_ok()
                    {
                        changed = Some(draft.clone());
                    }
                });
                if let Some(draft) = changed {
                    save_draft(draft, save_state);
                }
            };
            view! {
                <label class="answer">
                    <input
                        type="radio"
                        name=dom_id.clone()
                        value=*value
                        prop:checked=move || answered() == Some(answer)
                        on:change=choose
                    />
                    <span>{move || label(i18n.messages())}</span>
                </label>
            }
        })
        .collect_view();
    let note_value = {
        let indicator_id = indicator_id.clone();
        move || {
            draft.with(|draft| {
                draft
                    .answers()
                    .get(&indicator_id)
                    .and_then(|entry| entry.note.as_ref().map(|note| note.as_str().to_owned()))
                    .unwrap_or_default()
            })
        }
    };
    let save_note = {
        let catalogue = catalogue.clone();
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
                    let mut changed = None;
                    draft.update(|draft| {
                        if draft
                            .set_note(&catalogue, &indicator_id, note, now())
                            .is_ok()
                        {
                            changed = Some(draft.clone());
                        }
                    });
                    if let Some(draft) = changed {
                        save_draft(draft, save_state);
                    }
                }
            }
        }
    };
    let note_id = format!("note-{dom_id}");
    let note_error_id = format!("note-error-{dom_id}");
    let answered_for_note = answered.clone();
    view! {
        <fieldset class="indicator" data-testid="indicator" data-indicator=indicator_id.as_str().to_owned()>
            <legend class="indicator__text">{move || text.get(i18n.locale()).into_owned()}</legend>
            {hint.map(|hint| view! { <p class="hint">{move || hint.get(i18n.locale()).into_owned()}</p> })}
            <div class="answers">{radios}</div>
            <Show when=move || answered_for_note().is_some()>
                <div class="field">
                    <label for=note_id.clone()>{move || i18n.messages().checklist_note}</label>
                    <textarea
                        id=note_id.clone()
                        rows="2"
                        maxlength=MAX_NOTE_CHARS.to_string()
                        aria-describedby=note_error_id.clone()
                        prop:value=note_value.clone()
                        on:change=save_note.clone()
                    ></textarea>
                    <p class="field__error" id=note_error_id.clone() role="alert">
                        {move || note_error.get().map(|error| note_error_message(i18n.messages(), &error))}
                    </p>
                </div>
            </Show>
            <A href=guidance.clone() attr:class="indicator__guidance" attr:rel=crate::app::link_rel("/guidance")>
                {move || i18n.messages().checklist_guidance}
            </A>
        </fieldset>
    }
}
