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
use prepoznaj_domain::catalogue::{Catalogue, IndicatorId};
use prepoznaj_domain::locale::{Locale, fill};
use prepoznaj_domain::observation::{
    MAX_NOTE_CHARS, Note, NoteError, ObservationDraft, ObservationRecord,
};
use wasm_bindgen::JsCast;

use crate::clock::now;
use crate::components::guidance_link::{fragment_id, remember_place, reveal};
use crate::components::indicator_list::{
    ListTexts, answer_for_value, areas_html, dom_id_of, note_field_html, shown_areas,
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
    save_draft_measured(draft, state, None, || {});
}

/// Applies `edit` to the draft and writes the edited draft. The views that follow the draft
/// (progress, the note field) react once the write has settled, saved or not: the input the
/// person touched shows its new state at once by itself, and the page does no other rendering
/// work between the tap and the commit, so the answer is on disk as early as the phone allows.
/// A refused edit (an indicator this draft's catalogue lacks: a bug, not the person's doing)
/// is logged.
fn edit_and_save<E: std::fmt::Display>(
    draft: RwSignal<ObservationDraft>,
    save_state: RwSignal<SaveState>,
    event_time: Option<f64>,
    saved: impl FnOnce() + 'static,
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
        save_draft_measured(edited, save_state, event_time, move || {
            saved();
            draft.notify();
        });
    }
}

/// [`save_draft`], recording [`AUTOSAVE_MEASURE`] from `event_time` once the save committed;
/// then `settled` runs, saved or not.
fn save_draft_measured(
    draft: ObservationDraft,
    state: RwSignal<SaveState>,
    event_time: Option<f64>,
    settled: impl FnOnce() + 'static,
) {
    leptos::task::spawn_local(async move {
        let result = match app_database().await {
            Ok(database) => observations::save(&database, &ObservationRecord::Draft(draft)).await,
            Err(error) => Err(error),
        };
        if let (Ok(()), Some(event_time)) = (&result, event_time) {
            measure_autosave(event_time);
        }
        settled();
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

    // The indicators are built as one piece of HTML (see `components::indicator_list`: the
    // all-areas view must render within its budget) from the draft as it is when the area or
    // the language changes; from then on the inputs keep their own state and one listener on
    // the list saves every answer and note.
    let guidance_rel = crate::app::link_rel("/guidance");
    let list_html = {
        let catalogue = catalogue.clone();
        let id = id.clone();
        move || {
            let shown = current_area.get();
            // Where the guidance offers to come back to.
            let from = format!("/observe/{id}?area={shown}");
            let locale = i18n.locale();
            let texts = ListTexts {
                locale,
                messages: messages_for(locale),
                from: &from,
                guidance_rel,
            };
            draft.with_untracked(|draft| {
                areas_html(shown_areas(&catalogue, &shown, ALL_AREAS), draft, texts)
            })
        }
    };
    let on_change = {
        let catalogue = catalogue.clone();
        move |event: leptos::ev::Event| {
            list_changed(&event, draft, save_state, &catalogue, i18n.locale());
        }
    };
    let on_click = move |event: leptos::ev::MouseEvent| {
        // Leaving for the guidance: remember which indicator, for the way back.
        if let Some(indicator) = target_element(&event)
            .and_then(|target| target.closest("a.indicator__guidance").ok().flatten())
            .and_then(|link| link.closest("fieldset[data-indicator]").ok().flatten())
        {
            remember_place(&indicator.id());
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
        <div class="indicators" on:change=on_change on:click=on_click inner_html=list_html></div>
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

fn note_error_message(messages: &'static Messages, error: &NoteError) -> String {
    match error {
        NoteError::LooksLikeJmbg => messages.note_looks_like_jmbg.to_owned(),
        _ => fill(
            messages.note_too_long,
            &[("max", &MAX_NOTE_CHARS.to_string())],
        ),
    }
}

/// The element an event happened on.
fn target_element(event: &leptos::ev::Event) -> Option<web_sys::Element> {
    event
        .target()
        .and_then(|target| target.dyn_into::<web_sys::Element>().ok())
}

/// A radio or a note of the list changed: saves it. Once an answer is saved, its indicator's
/// note field is shown; a refused note shows why next to the field and is not saved.
fn list_changed(
    event: &leptos::ev::Event,
    draft: RwSignal<ObservationDraft>,
    save_state: RwSignal<SaveState>,
    catalogue: &Arc<Catalogue>,
    locale: Locale,
) {
    let Some(target) = target_element(event) else {
        return;
    };
    let Some(fieldset) = target.closest("fieldset[data-indicator]").ok().flatten() else {
        return;
    };
    let Some(indicator_id) = fieldset.get_attribute("data-indicator") else {
        return;
    };
    let indicator_id = IndicatorId::new(indicator_id);
    let value = event_target_value(event);
    match target.tag_name().as_str() {
        "INPUT" => {
            let Some(answer) = answer_for_value(&value) else {
                return;
            };
            let catalogue = catalogue.clone();
            let dom_id = dom_id_of(&indicator_id);
            let saved = move || {
                let has_field = fieldset.query_selector(".field").ok().flatten().is_some();
                if let (false, Ok(Some(answers))) = (has_field, fieldset.query_selector(".answers"))
                {
                    let mut field = String::new();
                    note_field_html(&mut field, &dom_id, None, messages_for(locale));
                    if let Err(error) = answers.insert_adjacent_html("afterend", &field) {
                        warn!("cannot show the note field: {error:?}");
                    }
                }
            };
            edit_and_save(
                draft,
                save_state,
                Some(event.time_stamp()),
                saved,
                |draft| draft.answer(&catalogue, &indicator_id, answer, now()),
            );
        }
        "TEXTAREA" => {
            let note = if value.trim().is_empty() {
                Ok(None)
            } else {
                Note::parse(&value).map(Some)
            };
            let explanation = match &note {
                Err(error) => note_error_message(messages_for(locale), error),
                Ok(_) => String::new(),
            };
            if let Ok(Some(error)) = fieldset.query_selector(".field__error") {
                error.set_text_content(Some(&explanation));
            }
            if let Ok(note) = note {
                let catalogue = catalogue.clone();
                edit_and_save(
                    draft,
                    save_state,
                    None,
                    || {},
                    |draft| draft.set_note(&catalogue, &indicator_id, note, now()),
                );
            }
        }
        _ => {}
    }
}
