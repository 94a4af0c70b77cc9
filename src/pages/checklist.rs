//! `/observe/:id`: the indicator checklist, one area at a time (`?area=…`, kept on reload) or
//! all areas at once (`?area=all`). Every answer and note is saved to IndexedDB the moment
//! it is given; there is no save button.
//!
//! An answer is taken when the finger (or mouse button) is released on it (`pointerup`), not
//! when the browser's `click` and `change` follow: on a touch screen they come tens of
//! milliseconds later on a slow phone, time in which the answer was not yet on disk. A
//! keyboard's answer arrives as `change`.
//!
//! A note is saved while it is typed (`crate::unsaved`): [`SAVE_AFTER_TYPING`] after the last
//! keystroke, and at once when an answer is given, the field is left, the area changes, or the
//! page is hidden, unloaded or left. Leaving the field is not enough on its own: a finger's
//! answer does not move focus (its `touchend` is cancelled).
//!
//! Telemetry, in-page only: when an answer's save has committed (the IndexedDB transaction's
//! `complete`), the page records a User Timing measure [`AUTOSAVE_MEASURE`] from the tap's
//! `pointerup` (or the keyboard's `change`; `Event.timeStamp`) to that moment, so the
//! framework's work counts too.
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
    Answer, MAX_NOTE_CHARS, Note, NoteError, ObservationDraft, ObservationRecord,
};
use wasm_bindgen::JsCast;

use crate::app_lock::unlocked_key;
use crate::clock::now;
use crate::components::guidance_link::{fragment_id, remember_place, reveal};
use crate::components::indicator_list::{
    ListTexts, answer_for_value, areas_html, dom_id_of, laid_out_after_first_screen,
    note_field_html, shown_areas,
};
use crate::components::localized::localized;
use crate::components::storage_error::{PageError, PageErrorView, storage_error_message};
use crate::content;
use crate::i18n::{Messages, messages_for, use_i18n, use_page_title};
use crate::storage::{StorageError, app_database, observations};
use crate::unsaved::{SAVE_AFTER_TYPING, save_when_leaving};

/// The longest a tapped answer waits for its save before it is shown anyway.
const SHOW_ANSWER_AT_MOST_AFTER: std::time::Duration = std::time::Duration::from_millis(100);

/// `?area=` value that shows every area.
pub const ALL_AREAS: &str = "all";

/// Whether the last save reached IndexedDB.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SaveState {
    Idle,
    /// Something typed is not on disk yet (a note waiting for its save, or being written).
    Pending,
    Saved,
    Failed(StorageError),
}

/// Loads a draft and its catalogue; a finished observation is `Ok(None)` (read-only elsewhere).
pub async fn load_draft(id: &str) -> Result<Option<(ObservationDraft, Arc<Catalogue>)>, PageError> {
    let key = unlocked_key()?;
    let database = app_database().await?;
    let record = observations::load(&database, Some(&key), id)
        .await?
        .ok_or(PageError::NotFound)?;
    let ObservationRecord::Draft(draft) = record else {
        return Ok(None);
    };
    let catalogue = content::catalogue(draft.catalogue_version()).await?;
    Ok(Some((draft, catalogue)))
}

/// User Timing name of one answer's autosave: from the tap (or `change`) to the commit.
pub const AUTOSAVE_MEASURE: &str = "prepoznaj:autosave";

/// Records [`AUTOSAVE_MEASURE`] from `event_time` (an `Event.timeStamp`) until now.
fn measure_autosave(event_time: f64) {
    crate::timing::measure_since(AUTOSAVE_MEASURE, event_time);
}

/// Saves `draft` and reports the outcome in `state`.
pub fn save_draft(draft: ObservationDraft, state: RwSignal<SaveState>) {
    save_draft_measured(draft, None, move |result| {
        state.set(match result {
            Ok(()) => SaveState::Saved,
            Err(error) => SaveState::Failed(error),
        });
    });
}

/// Applies `edit` to the draft and writes the edited draft. The views that follow the draft
/// (progress, the note field) react once the write has settled, saved or not: the input the
/// person touched shows its new state at once by itself, and the page does no other rendering
/// work between the tap and the commit, so the answer is on disk as early as the phone allows.
/// The save status says "saved" once no write is under way and no note waits for its save.
/// A refused edit (an indicator this draft's catalogue lacks: a bug, not the person's doing)
/// is logged.
fn edit_and_save<E: std::fmt::Display>(
    list: &ListState,
    event_time: Option<f64>,
    saved: impl FnOnce() + 'static,
    edit: impl FnOnce(&mut ObservationDraft) -> Result<(), E>,
) {
    let draft = list.draft;
    // `try_`: a note's last save may run as the page is being left.
    let edited = draft.try_update_untracked(|draft| match edit(draft) {
        Ok(()) => Some(draft.clone()),
        Err(error) => {
            warn!("the checklist refused an edit: {error}");
            None
        }
    });
    let Some(Some(edited)) = edited else {
        return;
    };
    let (save_state, writing, pending_note) = (list.save_state, list.writing, list.pending_note);
    writing.try_update_value(|writing| *writing += 1);
    save_draft_measured(edited, event_time, move |result| {
        saved();
        if !draft.is_disposed() {
            draft.notify();
        }
        writing.try_update_value(|writing| *writing -= 1);
        let settled = writing.try_get_value() == Some(0)
            && pending_note.try_with_value(Option::is_none) == Some(true);
        save_state.try_update(|state| match result {
            Err(error) => *state = SaveState::Failed(error),
            Ok(()) if settled => *state = SaveState::Saved,
            Ok(()) => {}
        });
    });
}

/// Writes `draft`, recording [`AUTOSAVE_MEASURE`] from `event_time` once the save committed;
/// then `settled` runs with the outcome.
fn save_draft_measured(
    draft: ObservationDraft,
    event_time: Option<f64>,
    settled: impl FnOnce(Result<(), StorageError>) + 'static,
) {
    // Taken now: a save as the screen is left for the lock still has it.
    let key = unlocked_key();
    leptos::task::spawn_local(async move {
        let result = match (key, app_database().await) {
            (Ok(key), Ok(database)) => {
                observations::save(&database, Some(&key), &ObservationRecord::Draft(draft)).await
            }
            (Err(error), _) | (_, Err(error)) => Err(error),
        };
        if let (Ok(()), Some(event_time)) = (&result, event_time) {
            measure_autosave(event_time);
        }
        settled(result);
    });
}

/// The checklist screen.
#[component]
pub fn ChecklistPage() -> impl IntoView {
    let i18n = use_i18n();
    use_page_title(|m| m.checklist_title());
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
        <h1>{move || i18n.messages().checklist_title()}</h1>
        {move || match loaded.get() {
            None => view! { <p role="status">{move || i18n.messages().observe_loading()}</p> }.into_any(),
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
    let returning_to = fragment_id(&use_location().hash.get_untracked());
    let returning = returning_to.is_some();
    if let Some(anchor) = returning_to {
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
                            <span>{move || localized(&title, i18n.locale())}</span>
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
    let list = Arc::new(ListState {
        draft,
        save_state,
        catalogue: catalogue.clone(),
        pending_note: StoredValue::new_local(None),
        writing: StoredValue::new(0),
    });
    let guidance_rel = crate::app::link_rel("/guidance");
    let list_html = {
        let catalogue = catalogue.clone();
        let id = id.clone();
        let list = list.clone();
        move || {
            let shown = current_area.get();
            // The fields are about to be replaced: a note waiting for its save goes into the
            // draft (and to disk) first, so the new fields show it.
            save_pending_note(&list, i18n.locale());
            // Where the guidance offers to come back to.
            let from = format!("/observe/{id}?area={shown}");
            let locale = i18n.locale();
            let texts = ListTexts {
                locale,
                messages: messages_for(locale),
                from: &from,
                guidance_rel,
                notes: true,
            };
            let html = draft.with_untracked(|draft| {
                areas_html(shown_areas(&catalogue, &shown, ALL_AREAS), draft, texts)
            });
            // Back to an indicator, the page scrolls to it at once: lay everything out first.
            if shown == ALL_AREAS && !returning {
                laid_out_after_first_screen(html)
            } else {
                html
            }
        }
    };
    let on_change = {
        let list = list.clone();
        move |event: leptos::ev::Event| {
            list_changed(&event, &list, i18n.locale());
        }
    };
    let on_input = {
        let list = list.clone();
        move |event: leptos::ev::Event| {
            if let Some(field) =
                target_element(&event).filter(|target| target.tag_name() == "TEXTAREA")
            {
                note_typed(field, &list, i18n.locale());
            }
        }
    };
    {
        let list = list.clone();
        save_when_leaving(move || save_pending_note(&list, i18n.locale()));
    }
    // A finger's tap answered here: its `touchend` (which follows the `pointerup`) is
    // cancelled, so the browser makes no click of it; the answer is chosen already, and the
    // click's work (focus, a frame) would only delay the commit.
    let touch_answered = StoredValue::new(false);
    let on_pointerup = {
        move |event: leptos::ev::PointerEvent| {
            save_pending_note(&list, i18n.locale());
            let answered = answer_tapped(&event, &list, i18n.locale());
            touch_answered.set_value(answered && event.pointer_type() == "touch");
        }
    };
    let on_touchend = move |event: leptos::ev::TouchEvent| {
        if touch_answered.get_value() {
            touch_answered.set_value(false);
            event.prevent_default();
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
                    <A href=href attr:class="button">{move || i18n.messages().checklist_previous_area()}</A>
                })}
                {next.map(|href| view! {
                    <A href=href attr:class="button" attr:data-testid="checklist-next-area">
                        {move || i18n.messages().checklist_next_area()}
                    </A>
                })}
            </div>
        }
    };

    view! {
        <p class="progress" data-testid="checklist-progress">
            {move || progress.with(|progress| fill(
                i18n.messages().checklist_progress(),
                &[("answered", &progress.answered.to_string()), ("total", &progress.total.to_string())],
            ))}
        </p>
        <nav class="areas" aria-label=move || i18n.messages().checklist_areas()>
            <ul class="areas__list">
                {area_links}
                <li>
                    <A href=format!("/observe/{id}?area={ALL_AREAS}") attr:class="area-link">
                        {move || i18n.messages().checklist_all_areas()}
                    </A>
                </li>
            </ul>
        </nav>
        <SaveStatus state=save_state />
        <div class="indicators" on:pointerup=on_pointerup on:touchend=on_touchend on:change=on_change on:input=on_input on:click=on_click inner_html=list_html></div>
        {area_nav}
        <A href=format!("/observe/{id}/summary") attr:class="button button--primary">
            {move || i18n.messages().checklist_to_summary()}
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
            SaveState::Pending => "pending",
            SaveState::Saved => "saved",
            SaveState::Failed(_) => "failed",
        }>
            {move || match state.get() {
                SaveState::Idle | SaveState::Pending => String::new(),
                SaveState::Saved => i18n.messages().checklist_saved().to_owned(),
                SaveState::Failed(error) => storage_error_message(i18n.messages(), &error).to_owned(),
            }}
        </p>
    }
}

fn note_error_message(messages: &'static Messages, error: &NoteError) -> String {
    match error {
        NoteError::LooksLikeJmbg => messages.note_looks_like_jmbg().to_owned(),
        _ => messages.note_too_long().format(MAX_NOTE_CHARS as u64),
    }
}

/// The element an event happened on.
fn target_element(event: &leptos::ev::Event) -> Option<web_sys::Element> {
    event
        .target()
        .and_then(|target| target.dyn_into::<web_sys::Element>().ok())
}

/// The indicator (its fieldset and id) an element of the list belongs to.
fn indicator_of(element: &web_sys::Element) -> Option<(web_sys::Element, IndicatorId)> {
    let fieldset = element.closest("fieldset[data-indicator]").ok().flatten()?;
    let id = fieldset.get_attribute("data-indicator")?;
    Some((fieldset, IndicatorId::new(id)))
}

/// A tap released on an answer's label or radio: saves the answer now and checks the radio;
/// `true` if it did. A finger's `click` is cancelled (see `on_touchend`); a mouse's finds the
/// radio checked and fires no `change`.
/// Only a primary press released where it began counts (a finger that slid off, or a mouse
/// dragged to another answer, chooses nothing, as with `click`); a scroll cancels the pointer
/// and sends no `pointerup` at all.
fn answer_tapped(event: &leptos::ev::PointerEvent, list: &ListState, locale: Locale) -> bool {
    if event.button() != 0 || !event.is_primary() {
        return false;
    }
    let Some(label) =
        target_element(event).and_then(|target| target.closest("label.answer").ok().flatten())
    else {
        return false;
    };
    let released_on_it = web_sys::window()
        .and_then(|window| window.document())
        .and_then(|document| {
            document.element_from_point(event.client_x() as f32, event.client_y() as f32)
        })
        .is_some_and(|under| label.contains(Some(&under)));
    let Some(radio) = label
        .query_selector("input[type=radio]")
        .ok()
        .flatten()
        .and_then(|radio| radio.dyn_into::<web_sys::HtmlInputElement>().ok())
    else {
        return false;
    };
    if !released_on_it || radio.checked() || radio.disabled() {
        return false;
    }
    let (Some(answer), Some((fieldset, indicator_id))) =
        (answer_for_value(&radio.value()), indicator_of(&radio))
    else {
        return false;
    };
    // A finger's answer shows once it is saved, or after [`SHOW_ANSWER_AT_MOST_AFTER`] if the
    // phone is slower: drawing it at once would put a frame between the tap and the commit (the
    // browser draws before it delivers the write's answer). A mouse's click follows at once, and
    // would check the radio itself and save the answer a second time: check it now.
    let to_check = if event.pointer_type() == "touch" {
        let later = radio.clone();
        set_timeout(move || later.set_checked(true), SHOW_ANSWER_AT_MOST_AFTER);
        Some(radio)
    } else {
        radio.set_checked(true);
        None
    };
    save_answer(
        AnswerGiven {
            fieldset,
            indicator_id,
            answer,
            event_time: event.time_stamp(),
            radio: to_check,
        },
        list,
        locale,
    );
    true
}

/// What the list's events change: the draft, its save status, and its catalogue.
struct ListState {
    draft: RwSignal<ObservationDraft>,
    save_state: RwSignal<SaveState>,
    catalogue: Arc<Catalogue>,
    /// A note typed and not saved yet.
    pending_note: StoredValue<Option<PendingNote>, LocalStorage>,
    /// Writes under way.
    writing: StoredValue<u32>,
}

/// A note field typed in, with the timer that will save it.
struct PendingNote {
    field: web_sys::Element,
    timer: TimeoutHandle,
}

/// A note typed: saves it [`SAVE_AFTER_TYPING`] after the last keystroke. A note typed in another
/// field and not saved yet is saved at once.
fn note_typed(field: web_sys::Element, list: &Arc<ListState>, locale: Locale) {
    if let Some(other) = take_pending_note(list)
        && other != field
    {
        save_note(&other, list, locale);
    }
    let later = list.clone();
    match set_timeout_with_handle(move || save_pending_note(&later, locale), SAVE_AFTER_TYPING) {
        Ok(timer) => {
            list.pending_note
                .set_value(Some(PendingNote { field, timer }));
            if list.save_state.get_untracked() != SaveState::Pending {
                list.save_state.set(SaveState::Pending);
            }
        }
        Err(error) => {
            warn!("no timer for the note's save, saving it now: {error:?}");
            save_note(&field, list, locale);
        }
    }
}

/// The note field waiting for its save, if any, its timer stopped.
fn take_pending_note(list: &ListState) -> Option<web_sys::Element> {
    let pending = list.pending_note.try_update_value(Option::take).flatten()?;
    pending.timer.clear();
    Some(pending.field)
}

/// Saves the note waiting for its save, if any, now.
fn save_pending_note(list: &ListState, locale: Locale) {
    if let Some(field) = take_pending_note(list) {
        save_note(&field, list, locale);
    }
}

/// One answer as the person gave it.
struct AnswerGiven {
    fieldset: web_sys::Element,
    indicator_id: IndicatorId,
    answer: Answer,
    /// When it was given (`Event.timeStamp`).
    event_time: f64,
    /// The radio to check once the answer is saved (not yet checked: a tap's answer).
    radio: Option<web_sys::HtmlInputElement>,
}

/// Saves an answer; once it is saved, its indicator's note field is shown.
fn save_answer(given: AnswerGiven, list: &ListState, locale: Locale) {
    let AnswerGiven {
        fieldset,
        indicator_id,
        answer,
        event_time,
        radio,
    } = given;
    let catalogue = list.catalogue.clone();
    let dom_id = dom_id_of(&indicator_id);
    let saved = move || {
        if let Some(radio) = radio {
            radio.set_checked(true);
        }
        let has_field = fieldset.query_selector(".field").ok().flatten().is_some();
        if let (false, Ok(Some(answers))) = (has_field, fieldset.query_selector(".answers")) {
            let mut field = String::new();
            note_field_html(&mut field, &dom_id, None, messages_for(locale));
            if let Err(error) = answers.insert_adjacent_html("afterend", &field) {
                warn!("cannot show the note field: {error:?}");
            }
        }
    };
    edit_and_save(list, Some(event_time), saved, |draft| {
        draft.answer(&catalogue, &indicator_id, answer, now())
    });
}

/// A radio (by keyboard) or a note of the list changed: saves it.
fn list_changed(event: &leptos::ev::Event, list: &ListState, locale: Locale) {
    let Some(target) = target_element(event) else {
        return;
    };
    match target.tag_name().as_str() {
        "INPUT" => {
            save_pending_note(list, locale);
            let Some((fieldset, indicator_id)) = indicator_of(&target) else {
                return;
            };
            let Some(answer) = answer_for_value(&event_target_value(event)) else {
                return;
            };
            let given = AnswerGiven {
                fieldset,
                indicator_id,
                answer,
                event_time: event.time_stamp(),
                radio: None,
            };
            save_answer(given, list, locale);
        }
        "TEXTAREA" => {
            // The field was left: it is saved now, and so is another one still waiting.
            if let Some(other) = take_pending_note(list)
                && other != target
            {
                save_note(&other, list, locale);
            }
            save_note(&target, list, locale);
        }
        _ => {}
    }
}

/// Saves what note field `field` holds. A refused note shows why next to the field and is not
/// saved.
fn save_note(field: &web_sys::Element, list: &ListState, locale: Locale) {
    let Some((fieldset, indicator_id)) = indicator_of(field) else {
        return;
    };
    let Some(value) = field
        .dyn_ref::<web_sys::HtmlTextAreaElement>()
        .map(web_sys::HtmlTextAreaElement::value)
    else {
        return;
    };
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
    match note {
        Ok(note) => {
            let catalogue = list.catalogue.clone();
            edit_and_save(
                list,
                None,
                || {},
                |draft| draft.set_note(&catalogue, &indicator_id, note, now()),
            );
        }
        // Nothing more to write: the status says what the rest of the draft is.
        Err(_) if list.writing.try_get_value() == Some(0) => {
            list.save_state.try_update(|state| {
                if *state == SaveState::Pending {
                    *state = SaveState::Saved;
                }
            });
        }
        Err(_) => {}
    }
}
