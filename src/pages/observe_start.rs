//! `/observe/new`: the circumstances of a new observation. Never a name: the reference field
//! refuses anything that looks like a full name or a personal number, and says why.
//!
//! The form is kept as it is filled in (`storage::start_form`): a choice at once, the reference
//! while it is typed (`crate::unsaved`), so a browser killed before Start brings it back. A
//! refused reference is not kept. Start makes it a draft and forgets the form, in one write.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use prepoznaj_domain::catalogue::CatalogueVersion;
use prepoznaj_domain::observation::{
    AgeBand, Context, Gender, Mode, ObservationDraft, ObservationRecord, ObserverRole, Setting,
};
use prepoznaj_domain::reference::{MAX_REFERENCE_CHARS, Reference, ReferenceError};

use crate::app_lock::unlocked_key;
use crate::clock::{new_report_id, now};
use crate::components::choice_group::ChoiceGroup;
use crate::components::storage_error::{PageError, PageErrorView};
use crate::content;
use crate::i18n::{MessageFn, Messages, use_i18n, use_page_title};
use crate::pages::checklist::{SaveState, SaveStatus};
use crate::storage::{StorageError, app_database, observations, start_form};
use crate::unsaved::{SAVE_AFTER_TYPING, save_when_leaving};

type Label = MessageFn;

pub(crate) const SETTINGS: [(Setting, &str, Label); 5] = [
    (Setting::Classroom, "classroom", |m| m.setting_classroom()),
    (Setting::Schoolyard, "schoolyard", |m| {
        m.setting_schoolyard()
    }),
    (Setting::HomeVisit, "home-visit", |m| m.setting_home_visit()),
    (Setting::Online, "online", |m| m.setting_online()),
    (Setting::Other, "other", |m| m.setting_other()),
];

pub(crate) const ROLES: [(ObserverRole, &str, Label); 4] = [
    (ObserverRole::Teacher, "teacher", |m| m.role_teacher()),
    (
        ObserverRole::PsychologistPedagogue,
        "psychologist-pedagogue",
        |m| m.role_psychologist_pedagogue(),
    ),
    (
        ObserverRole::MaintenanceSupport,
        "maintenance-support",
        |m| m.role_maintenance_support(),
    ),
    (ObserverRole::Other, "other", |m| m.role_other()),
];

pub(crate) const AGE_BANDS: [(Option<AgeBand>, &str, Label); 5] = [
    (None, "", |m| m.age_unspecified()),
    (Some(AgeBand::Under7), "under-7", |m| m.age_under_7()),
    (Some(AgeBand::From7To10), "7-10", |m| m.age_7_10()),
    (Some(AgeBand::From11To14), "11-14", |m| m.age_11_14()),
    (Some(AgeBand::From15To18), "15-18", |m| m.age_15_18()),
];

pub(crate) const GENDERS: [(Option<Gender>, &str, Label); 4] = [
    (None, "", |m| m.gender_unspecified()),
    (Some(Gender::Girl), "girl", |m| m.gender_girl()),
    (Some(Gender::Boy), "boy", |m| m.gender_boy()),
    (Some(Gender::Other), "other", |m| m.gender_other()),
];

/// The translated reason a reference was refused.
fn reference_error_message(messages: &'static Messages, error: &ReferenceError) -> String {
    match error {
        ReferenceError::TooLong { .. } => messages
            .reference_too_long()
            .format(MAX_REFERENCE_CHARS as u64),
        ReferenceError::LooksLikeJmbg => messages.reference_looks_like_jmbg().to_owned(),
        ReferenceError::LooksLikeName => messages.reference_looks_like_name().to_owned(),
        ReferenceError::Empty => String::new(),
    }
}

/// Checks the reference field: empty is fine (no reference), anything else must parse.
fn parse_reference(input: &str) -> Result<Option<Reference>, ReferenceError> {
    if input.trim().is_empty() {
        return Ok(None);
    }
    Reference::parse(input).map(Some)
}

/// Creates and stores a new draft on catalogue `version`, returning its id.
pub async fn start_draft(
    version: CatalogueVersion,
    mode: Mode,
    context: Context,
) -> Result<String, StorageError> {
    let draft = ObservationDraft::new(new_report_id(), version, mode, context, now());
    let id = draft.id().as_str().to_owned();
    let key = unlocked_key()?;
    let database = app_database().await?;
    observations::save(&database, Some(&key), &ObservationRecord::Draft(draft)).await?;
    Ok(id)
}

/// Stores a new full observation's draft, made from the start form, and forgets the form;
/// returns the draft's id.
async fn start_from_form(
    version: CatalogueVersion,
    context: Context,
) -> Result<String, StorageError> {
    let draft = ObservationDraft::new(new_report_id(), version, Mode::Full, context, now());
    let id = draft.id().as_str().to_owned();
    let key = unlocked_key()?;
    let database = app_database().await?;
    start_form::start(&database, &key, &ObservationRecord::Draft(draft)).await?;
    Ok(id)
}

/// The start form's fields.
#[derive(Clone, Copy)]
struct StartFields {
    setting: RwSignal<Setting>,
    role: RwSignal<ObserverRole>,
    age_band: RwSignal<Option<AgeBand>>,
    gender: RwSignal<Option<Gender>>,
    reference_input: RwSignal<String>,
}

impl StartFields {
    /// The circumstances as filled in, with the reference if it passes the checks.
    fn context(self) -> Context {
        Context {
            setting: self.setting.get_untracked(),
            age_band: self.age_band.get_untracked(),
            gender: self.gender.get_untracked(),
            observer_role: self.role.get_untracked(),
            reference: parse_reference(&self.reference_input.get_untracked())
                .ok()
                .flatten(),
        }
    }

    /// Fills the form in as it was kept.
    fn restore(self, context: Context) {
        self.setting.set(context.setting);
        self.role.set(context.observer_role);
        self.age_band.set(context.age_band);
        self.gender.set(context.gender);
        self.reference_input.set(
            context
                .reference
                .map(|reference| reference.as_str().to_owned())
                .unwrap_or_default(),
        );
    }
}

/// Keeps the start form on the phone as it is filled in: [`KeptForm::save`] writes it now,
/// [`KeptForm::typed`] after typing pauses.
#[derive(Clone, Copy)]
struct KeptForm {
    fields: StartFields,
    state: RwSignal<SaveState>,
    /// The save that waits for typing to pause.
    waiting: StoredValue<Option<TimeoutHandle>>,
    /// Writes under way: "saved" only once none is and none waits.
    writing: StoredValue<u32>,
    /// Set once Start is pressed: from then on the form is the draft's business.
    started: StoredValue<bool>,
}

impl KeptForm {
    fn save(self) {
        if let Some(timer) = self.waiting.try_update_value(Option::take).flatten() {
            timer.clear();
        }
        if self.started.try_get_value() != Some(false) {
            return;
        }
        let context = self.fields.context();
        // Taken now: a save as the screen is left for the lock still has it.
        let key = unlocked_key();
        self.writing.try_update_value(|writing| *writing += 1);
        leptos::task::spawn_local(async move {
            let result = match (key, app_database().await) {
                (Ok(key), Ok(database)) => start_form::save(&database, &key, &context).await,
                (Err(error), _) | (_, Err(error)) => Err(error),
            };
            self.writing.try_update_value(|writing| *writing -= 1);
            let settled = self.writing.try_get_value() == Some(0)
                && self.waiting.try_with_value(Option::is_none) == Some(true);
            self.state.try_update(|state| match result {
                Err(error) => *state = SaveState::Failed(error),
                Ok(()) if settled => *state = SaveState::Saved,
                Ok(()) => {}
            });
        });
    }

    fn typed(self) {
        if let Some(timer) = self.waiting.try_update_value(Option::take).flatten() {
            timer.clear();
        }
        match set_timeout_with_handle(move || self.save(), SAVE_AFTER_TYPING) {
            Ok(timer) => {
                self.waiting.set_value(Some(timer));
                self.state.set(SaveState::Pending);
            }
            Err(_) => self.save(),
        }
    }

    /// Saves now what waits for typing to pause, if anything does.
    fn save_waiting(self) {
        if self.waiting.try_with_value(Option::is_some) == Some(true) {
            self.save();
        }
    }
}

/// The start form of a full observation.
#[component]
pub fn ObserveStartPage() -> impl IntoView {
    let i18n = use_i18n();
    use_page_title(|m| m.start_title());
    let navigate = use_navigate();
    let setting = RwSignal::new(Setting::Classroom);
    let role = RwSignal::new(ObserverRole::Teacher);
    let age_band = RwSignal::new(None::<AgeBand>);
    let gender = RwSignal::new(None::<Gender>);
    let reference_input = RwSignal::new(String::new());
    let reference_error = Memo::new(move |_| parse_reference(&reference_input.get()).err());
    let start_error = RwSignal::new(None::<PageError>);
    let busy = RwSignal::new(false);
    let kept = KeptForm {
        fields: StartFields {
            setting,
            role,
            age_band,
            gender,
            reference_input,
        },
        state: RwSignal::new(SaveState::Idle),
        waiting: StoredValue::new(None),
        writing: StoredValue::new(0),
        started: StoredValue::new(false),
    };
    leptos::task::spawn_local(async move {
        let kept_form = match (unlocked_key(), app_database().await) {
            (Ok(key), Ok(database)) => start_form::load(&database, &key).await,
            (Err(error), _) | (_, Err(error)) => Err(error),
        };
        match kept_form {
            // Unless the person has begun filling it in meanwhile.
            Ok(Some(context)) if kept.state.get_untracked() == SaveState::Idle => {
                kept.fields.restore(context);
            }
            Ok(_) => {}
            Err(error) => kept.state.set(SaveState::Failed(error)),
        }
    });
    // A choice is kept at once (the first run only subscribes).
    Effect::new(move |subscribed: Option<()>| {
        setting.track();
        role.track();
        age_band.track();
        gender.track();
        if subscribed.is_some() {
            kept.save();
        }
    });
    save_when_leaving(move || kept.save_waiting());

    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let Ok(reference) = parse_reference(&reference_input.get_untracked()) else {
            return;
        };
        let context = Context {
            setting: setting.get_untracked(),
            age_band: age_band.get_untracked(),
            gender: gender.get_untracked(),
            observer_role: role.get_untracked(),
            reference,
        };
        busy.set(true);
        kept.started.set_value(true);
        if let Some(timer) = kept.waiting.try_update_value(Option::take).flatten() {
            timer.clear();
        }
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            let started = match content::current_catalogue().await {
                Ok(catalogue) => start_from_form(catalogue.version().clone(), context)
                    .await
                    .map_err(PageError::from),
                Err(error) => Err(PageError::from(error)),
            };
            match started {
                Ok(id) => navigate(&format!("/observe/{id}"), Default::default()),
                Err(error) => {
                    busy.set(false);
                    kept.started.set_value(false);
                    start_error.set(Some(error));
                }
            }
        });
    };

    view! {
        <h1>{move || i18n.messages().start_title()}</h1>
        <p class="notice notice--warning">{move || i18n.messages().start_never_name()}</p>
        <form class="form" on:submit=submit novalidate>
            <ChoiceGroup name="setting" legend=|m| m.start_setting() choices=&SETTINGS selected=setting />
            <ChoiceGroup name="role" legend=|m| m.start_role() choices=&ROLES selected=role />
            <div class="field">
                <label for="age-band">{move || i18n.messages().start_age_band()}</label>
                <select
                    id="age-band"
                    on:change=move |event| {
                        let chosen = event_target_value(&event);
                        age_band.set(AGE_BANDS.iter().find(|(_, id, _)| *id == chosen).and_then(|(value, _, _)| *value));
                    }
                >
                    {AGE_BANDS
                        .iter()
                        .map(|(value, id, label)| {
                            let label = *label;
                            let value = *value;
                            view! { <option value=*id selected=move || age_band.get() == value>{move || label(i18n.messages())}</option> }
                        })
                        .collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="gender">{move || i18n.messages().start_gender()}</label>
                <select
                    id="gender"
                    on:change=move |event| {
                        let chosen = event_target_value(&event);
                        gender.set(GENDERS.iter().find(|(_, id, _)| *id == chosen).and_then(|(value, _, _)| *value));
                    }
                >
                    {GENDERS
                        .iter()
                        .map(|(value, id, label)| {
                            let label = *label;
                            let value = *value;
                            view! { <option value=*id selected=move || gender.get() == value>{move || label(i18n.messages())}</option> }
                        })
                        .collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="reference">{move || i18n.messages().start_reference()}</label>
                <p class="hint" id="reference-hint">{move || i18n.messages().start_reference_hint()}</p>
                <input
                    id="reference"
                    type="text"
                    autocomplete="off"
                    autocapitalize="off"
                    spellcheck="false"
                    aria-describedby="reference-hint reference-error"
                    aria-invalid=move || reference_error.get().is_some().to_string()
                    prop:value=move || reference_input.get()
                    on:input=move |event| {
                        reference_input.set(event_target_value(&event));
                        kept.typed();
                    }
                />
                <p class="field__error" id="reference-error" role="alert">
                    {move || reference_error.get().map(|error| reference_error_message(i18n.messages(), &error))}
                </p>
            </div>
            <SaveStatus state=kept.state />
            {move || start_error.get().map(|error| view! { <PageErrorView error /> })}
            <button
                type="submit"
                class="button button--primary"
                disabled=move || busy.get() || reference_error.get().is_some()
            >
                {move || i18n.messages().start_submit()}
            </button>
        </form>
    }
}
