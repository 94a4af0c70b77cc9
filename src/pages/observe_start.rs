//! `/observe/new`: the circumstances of a new observation. Never a name: the reference field
//! refuses anything that looks like a full name or a personal number, and says why.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use prepoznaj_domain::catalogue::CatalogueVersion;
use prepoznaj_domain::locale::fill;
use prepoznaj_domain::observation::{
    AgeBand, Context, Gender, Mode, ObservationDraft, ObservationRecord, ObserverRole, Setting,
};
use prepoznaj_domain::reference::{MAX_REFERENCE_CHARS, Reference, ReferenceError};

use crate::clock::{new_report_id, now};
use crate::components::choice_group::ChoiceGroup;
use crate::components::storage_error::{PageError, PageErrorView};
use crate::content;
use crate::i18n::{MessageFn, Messages, use_i18n, use_page_title};
use crate::storage::{StorageError, app_database, observations};

type Label = MessageFn;

pub(crate) const SETTINGS: [(Setting, &str, Label); 5] = [
    (Setting::Classroom, "classroom", |m| m.setting_classroom),
    (Setting::Schoolyard, "schoolyard", |m| m.setting_schoolyard),
    (Setting::HomeVisit, "home-visit", |m| m.setting_home_visit),
    (Setting::Online, "online", |m| m.setting_online),
    (Setting::Other, "other", |m| m.setting_other),
];

pub(crate) const ROLES: [(ObserverRole, &str, Label); 4] = [
    (ObserverRole::Teacher, "teacher", |m| m.role_teacher),
    (
        ObserverRole::PsychologistPedagogue,
        "psychologist-pedagogue",
        |m| m.role_psychologist_pedagogue,
    ),
    (
        ObserverRole::MaintenanceSupport,
        "maintenance-support",
        |m| m.role_maintenance_support,
    ),
    (ObserverRole::Other, "other", |m| m.role_other),
];

pub(crate) const AGE_BANDS: [(Option<AgeBand>, &str, Label); 5] = [
    (None, "", |m| m.age_unspecified),
    (Some(AgeBand::Under7), "under-7", |m| m.age_under_7),
    (Some(AgeBand::From7To10), "7-10", |m| m.age_7_10),
    (Some(AgeBand::From11To14), "11-14", |m| m.age_11_14),
    (Some(AgeBand::From15To18), "15-18", |m| m.age_15_18),
];

pub(crate) const GENDERS: [(Option<Gender>, &str, Label); 4] = [
    (None, "", |m| m.gender_unspecified),
    (Some(Gender::Girl), "girl", |m| m.gender_girl),
    (Some(Gender::Boy), "boy", |m| m.gender_boy),
    (Some(Gender::Other), "other", |m| m.gender_other),
];

/// The translated reason a reference was refused.
fn reference_error_message(messages: &'static Messages, error: &ReferenceError) -> String {
    match error {
        ReferenceError::TooLong { .. } => fill(
            messages.reference_too_long,
            &[("max", &MAX_REFERENCE_CHARS.to_string())],
        ),
        ReferenceError::LooksLikeJmbg => messages.reference_looks_like_jmbg.to_owned(),
        ReferenceError::LooksLikeName => messages.reference_looks_like_name.to_owned(),
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
    let database = app_database().await?;
    observations::save(&database, &ObservationRecord::Draft(draft)).await?;
    Ok(id)
}

/// The start form of a full observation.
#[component]
pub fn ObserveStartPage() -> impl IntoView {
    let i18n = use_i18n();
    use_page_title(|m| m.start_title);
    let navigate = use_navigate();
    let setting = RwSignal::new(Setting::Classroom);
    let role = RwSignal::new(ObserverRole::Teacher);
    let age_band = RwSignal::new(None::<AgeBand>);
    let gender = RwSignal::new(None::<Gender>);
    let reference_input = RwSignal::new(String::new());
    let reference_error = Memo::new(move |_| parse_reference(&reference_input.get()).err());
    let start_error = RwSignal::new(None::<PageError>);
    let busy = RwSignal::new(false);

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
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            let started = match content::current_catalogue().await {
                Ok(catalogue) => start_draft(catalogue.version().clone(), Mode::Full, context)
                    .await
                    .map_err(PageError::from),
                Err(error) => Err(PageError::from(error)),
            };
            match started {
                Ok(id) => navigate(&format!("/observe/{id}"), Default::default()),
                Err(error) => {
                    busy.set(false);
                    start_error.set(Some(error));
                }
            }
        });
    };

    view! {
        <h1>{move || i18n.messages().start_title}</h1>
        <p class="notice notice--warning">{move || i18n.messages().start_never_name}</p>
        <form class="form" on:submit=submit novalidate>
            <ChoiceGroup name="setting" legend=|m| m.start_setting choices=&SETTINGS selected=setting />
            <ChoiceGroup name="role" legend=|m| m.start_role choices=&ROLES selected=role />
            <div class="field">
                <label for="age-band">{move || i18n.messages().start_age_band}</label>
                <select
                    id="age-band"
                    on:change=move |event| {
                        let chosen = event_target_value(&event);
                        age_band.set(AGE_BANDS.iter().find(|(_, id, _)| *id == chosen).and_then(|(value, _, _)| *value));
                    }
                >
                    {AGE_BANDS
                        .iter()
                        .map(|(_, id, label)| {
                            let label = *label;
                            view! { <option value=*id>{move || label(i18n.messages())}</option> }
                        })
                        .collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="gender">{move || i18n.messages().start_gender}</label>
                <select
                    id="gender"
                    on:change=move |event| {
                        let chosen = event_target_value(&event);
                        gender.set(GENDERS.iter().find(|(_, id, _)| *id == chosen).and_then(|(value, _, _)| *value));
                    }
                >
                    {GENDERS
                        .iter()
                        .map(|(_, id, label)| {
                            let label = *label;
                            view! { <option value=*id>{move || label(i18n.messages())}</option> }
                        })
                        .collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="reference">{move || i18n.messages().start_reference}</label>
                <p class="hint" id="reference-hint">{move || i18n.messages().start_reference_hint}</p>
                <input
                    id="reference"
                    type="text"
                    autocomplete="off"
                    autocapitalize="off"
                    spellcheck="false"
                    aria-describedby="reference-hint reference-error"
                    aria-invalid=move || reference_error.get().is_some().to_string()
                    prop:value=move || reference_input.get()
                    on:input=move |event| reference_input.set(event_target_value(&event))
                />
                <p class="field__error" id="reference-error" role="alert">
                    {move || reference_error.get().map(|error| reference_error_message(i18n.messages(), &error))}
                </p>
            </div>
            {move || start_error.get().map(|error| view! { <PageErrorView error /> })}
            <button
                type="submit"
                class="button button--primary"
                disabled=move || busy.get() || reference_error.get().is_some()
            >
                {move || i18n.messages().start_submit}
            </button>
        </form>
    }
}
