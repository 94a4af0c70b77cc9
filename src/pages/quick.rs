//! `/quick` and `/quick/:id`: quick mode for maintenance and support staff. A few plain,
//! observable signs on one screen, then who to tell, with the call button. No reference is
//! needed; the result is an observation like any other (mode quick), saved at every tap.

use std::sync::Arc;

use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_params_map};
use prepoznaj_domain::assessment::assess;
use prepoznaj_domain::catalogue::{Catalogue, Icon, QuickSign};
use prepoznaj_domain::observation::{
    Context, Mode, ObservationDraft, ObservationRecord, ObserverRole, Setting,
};

use crate::app_lock::{LockState, unlocked_key, use_app_lock};
use crate::clock::now;
use crate::components::app_lock_gate::LockForms;
use crate::components::assessment_view::AssessmentView;
use crate::components::localized::localized;
use crate::components::storage_error::{PageError, PageErrorView};
use crate::content;
use crate::i18n::{use_i18n, use_page_title};
use crate::pages::checklist::{SaveState, SaveStatus, load_draft, save_draft};
use crate::pages::observe_start::start_draft;
use crate::sealing::{SealingError, store_finished};
use crate::storage::StorageError;
use crate::storage::app_database;
use crate::sync::sender::{Trigger, use_sender};

/// The draft of a quick observation, once the first sign is tapped.
type QuickState = (Option<RwSignal<ObservationDraft>>, Arc<Catalogue>);

/// The quick-mode screen.
#[component]
pub fn QuickPage() -> impl IntoView {
    let i18n = use_i18n();
    use_page_title(|m| m.quick_title());
    let params = use_params_map();
    let navigate = use_navigate();
    let loaded = RwSignal::new(None::<Result<QuickState, PageError>>);
    Effect::new(move |_| {
        let id = params.with(|params| params.get("id"));
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            let state = match id {
                None => content::current_catalogue()
                    .await
                    .map(|catalogue| (None, catalogue))
                    .map_err(PageError::from),
                Some(id) => match load_draft(&id).await {
                    Ok(Some((draft, catalogue))) => Ok((Some(RwSignal::new(draft)), catalogue)),
                    Ok(None) => {
                        navigate(
                            &format!("/observe/{id}/summary"),
                            NavigateOptions::default(),
                        );
                        return;
                    }
                    Err(error) => Err(error),
                },
            };
            loaded.set(Some(state));
        });
    });
    view! {
        <h1>{move || i18n.messages().quick_title()}</h1>
        <p class="lead">{move || i18n.messages().quick_intro()}</p>
        {move || match loaded.get() {
            None => view! { <p role="status">{move || i18n.messages().observe_loading()}</p> }.into_any(),
            Some(Err(error)) => view! { <PageErrorView error /> }.into_any(),
            Some(Ok((draft, catalogue))) => view! { <Quick draft catalogue /> }.into_any(),
        }}
    }
}

#[component]
fn Quick(draft: Option<RwSignal<ObservationDraft>>, catalogue: Arc<Catalogue>) -> impl IntoView {
    let i18n = use_i18n();
    let navigate = use_navigate();
    let draft = RwSignal::new(draft);
    let save_state = RwSignal::new(SaveState::Idle);
    let signs = catalogue
        .quick_signs()
        .iter()
        .map(|sign| {
            let navigate = navigate.clone();
            view! { <SignButton sign=sign.clone() catalogue=catalogue.clone() draft save_state navigate /> }
        })
        .collect_view();
    let who_to_tell = {
        let catalogue = catalogue.clone();
        move || {
            draft.get().map(|draft| {
                let assessment = draft.with(|draft| assess(&catalogue, draft.answers()));
                view! {
                    <h2>{move || i18n.messages().quick_who_to_tell()}</h2>
                    <AssessmentView assessment catalogue=catalogue.clone() />
                }
            })
        }
    };
    let sender = use_sender();
    let finish = {
        let catalogue = catalogue.clone();
        let navigate = navigate.clone();
        move |_| {
            let Some(draft) = draft.get_untracked() else {
                return;
            };
            let mut record = ObservationRecord::Draft(draft.get_untracked());
            if record.complete(&catalogue, now()).is_err() {
                return;
            }
            let navigate = navigate.clone();
            leptos::task::spawn_local(async move {
                let id = record.id().as_str().to_owned();
                let stored = match (unlocked_key(), app_database().await) {
                    (Ok(key), Ok(database)) => store_finished(&database, &key, record).await,
                    (Err(error), _) | (_, Err(error)) => Err(SealingError::Storage(error)),
                };
                match stored {
                    Ok(_) => {
                        if let Some(sender) = sender {
                            sender.request(Trigger::Send);
                        }
                        navigate(
                            &format!("/observe/{id}/summary"),
                            NavigateOptions::default(),
                        );
                    }
                    // Saved as complete all the same; the summary says it waits.
                    Err(SealingError::Seal(message)) => {
                        leptos::logging::error!("cannot seal the observation: {message}");
                        navigate(
                            &format!("/observe/{id}/summary"),
                            NavigateOptions::default(),
                        );
                    }
                    Err(SealingError::Storage(error)) => save_state.set(SaveState::Failed(error)),
                }
            });
        }
    };
    // Locked (or no lock yet): the signs and contacts are open, and the first thing to save
    // asks for the lock; once unlocked the person taps again.
    let needs_lock = Memo::new(move |_| {
        save_state.with(|state| *state == SaveState::Failed(StorageError::Locked))
    });
    if let Some(lock) = use_app_lock() {
        Effect::new(move |_| {
            if lock.state() == LockState::Unlocked && needs_lock.get_untracked() {
                save_state.set(SaveState::Idle);
            }
        });
    }
    view! {
        <div class="quick-signs">{signs}</div>
        <Show when=move || needs_lock.get() fallback=move || view! { <SaveStatus state=save_state /> }>
            <p class="notice" role="status" data-testid="quick-needs-lock">
                {move || i18n.lock().lock_quick_needs_lock()}
            </p>
            <LockForms />
        </Show>
        {who_to_tell}
        <Show when=move || draft.with(|draft| draft.is_some_and(|draft| draft.with(|draft| !draft.answers().is_empty())))>
            <button type="button" class="button button--primary" on:click=finish.clone()>
                {move || i18n.messages().summary_finish()}
            </button>
        </Show>
    }
}

#[component]
fn SignButton(
    sign: QuickSign,
    catalogue: Arc<Catalogue>,
    draft: RwSignal<Option<RwSignal<ObservationDraft>>>,
    save_state: RwSignal<SaveState>,
    navigate: impl Fn(&str, NavigateOptions) + Clone + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let text = sign.text().clone();
    let indicators = sign.indicators().to_vec();
    let chosen = move || {
        draft.with(|draft| {
            draft.is_some_and(|draft| draft.with(|draft| draft.quick_sign_chosen(&indicators)))
        })
    };
    let sign_id = sign.id().clone();
    let lock = use_app_lock();
    let toggle = move |_| {
        let catalogue = catalogue.clone();
        let sign_id = sign_id.clone();
        let navigate = navigate.clone();
        let existing = draft.get_untracked();
        leptos::task::spawn_local(async move {
            let current = match existing {
                Some(current) => current,
                None => {
                    let context = Context {
                        setting: Setting::Other,
                        age_band: None,
                        gender: None,
                        observer_role: ObserverRole::MaintenanceSupport,
                        reference: None,
                    };
                    let created = match start_draft(
                        catalogue.version().clone(),
                        Mode::Quick,
                        context,
                    )
                    .await
                    {
                        Ok(id) => id,
                        Err(error) => {
                            // Locked because the lock itself cannot be read: say why.
                            let error = match (error, lock.map(|lock| lock.state_untracked())) {
                                (StorageError::Locked, Some(LockState::Failed(cause))) => cause,
                                (error, _) => error,
                            };
                            save_state.set(SaveState::Failed(error));
                            return;
                        }
                    };
                    let Ok(Some((loaded, _))) = load_draft(&created).await else {
                        return;
                    };
                    let current = RwSignal::new(loaded);
                    draft.set(Some(current));
                    // Keep the draft on reload.
                    navigate(
                        &format!("/quick/{created}"),
                        NavigateOptions {
                            replace: true,
                            ..NavigateOptions::default()
                        },
                    );
                    current
                }
            };
            let mut changed = None;
            current.update(|observation| {
                let indicators = catalogue
                    .quick_sign(&sign_id)
                    .map(|sign| sign.indicators().to_vec())
                    .unwrap_or_default();
                let choose = !observation.quick_sign_chosen(&indicators);
                if observation
                    .set_quick_sign(&catalogue, &sign_id, choose, now())
                    .is_ok()
                {
                    changed = Some(observation.clone());
                }
            });
            if let Some(observation) = changed {
                save_draft(observation, save_state);
            }
        });
    };
    view! {
        <button
            type="button"
            class="quick-sign"
            aria-pressed=move || chosen().to_string()
            data-testid="quick-sign"
            on:click=toggle
        >
            <SignIcon icon=sign.icon() />
            <span>{move || localized(&text, i18n.locale())}</span>
        </button>
    }
}

/// A simple pictogram for a quick-mode sign (decorative: the text says it all).
#[component]
pub fn SignIcon(icon: Icon) -> impl IntoView {
    let path = match icon {
        Icon::Injury => "M10 3h4v7h7v4h-7v7h-4v-7H3v-4h7z",
        Icon::Tired => "M4 14h6v2H4zm10 0h6v2h-6zM6 8l3 3M18 8l-3 3M8 19h8",
        Icon::Scared => {
            "M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zM8 9h2v2H8zm6 0h2v2h-2zm-5 8a3 3 0 0 1 6 0z"
        }
        Icon::AdultWaiting => {
            "M9 2a3 3 0 1 1 0 6 3 3 0 0 1 0-6zM5 22V12a4 4 0 0 1 8 0v10zm12-8a2 2 0 1 1 0 4 2 2 0 0 1 0-4zm-2 8v-2a2 2 0 0 1 4 0v2z"
        }
        Icon::MoneyGifts => "M3 7h18v12H3zm9 3a3 3 0 1 0 0 6 3 3 0 0 0 0-6z",
        Icon::Phone => "M7 2h10v20H7zm3 16h4v2h-4z",
        Icon::Absent => "M4 4h16v16H4zm3 3v10h10V7z",
        Icon::Begging => "M4 14c4 0 6 2 8 2s4-2 8-2v4c-4 0-6 2-8 2s-4-2-8-2z",
        Icon::SaysSomething => "M3 4h18v12H8l-5 4z",
        Icon::Danger => "M12 2 1 21h22zm-1 7h2v6h-2zm0 8h2v2h-2z",
        Icon::TakenByForce => {
            "M7 2a2.5 2.5 0 1 1 0 5 2.5 2.5 0 0 1 0-5zM4 22V11a3 3 0 0 1 6 0v11zm6-9h6v2h-6zm8-3a2 2 0 1 1 0 4 2 2 0 0 1 0-4zm-2 12v-5a2 2 0 0 1 4 0v5z"
        }
        Icon::AfraidToGoHome => "M12 3 2 12h3v9h14v-9h3zm-2 11h4v7h-4z",
        Icon::SleepsAtSchool => {
            "M2 19V7h2v7h7v-4h9a2 2 0 0 1 2 2v7h-2v-3H4v3zm5-9a2 2 0 1 1 0 4 2 2 0 0 1 0-4z"
        }
        Icon::HandsMoney => {
            "M2 7h13v9H2zm6.5 2.5a2 2 0 1 0 0 4 2 2 0 0 0 0-4zM16 10h3V7l4 4.5-4 4.5v-3h-3z"
        }
    };
    view! {
        <svg class="quick-sign__icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
            <path d=path />
        </svg>
    }
}
