//! What every practice screen shares: the "nothing is sent" band, loading the practice set
//! with this device's attempts, recording an attempt, and the words for steps and rules.

use std::sync::Arc;

use leptos::prelude::*;
use prepoznaj_domain::assessment::{Level, Rule};
use prepoznaj_domain::catalogue::{Catalogue, IndicatorId, Role};
use prepoznaj_domain::date::CalendarDate;
use prepoznaj_domain::locale::{Locale, fill};
use prepoznaj_domain::practice::{Attempt, CaseId, Schedule, local_day};

use crate::clock::now;
use crate::content::{self, ContentError, PracticeContent};
use crate::i18n::{PracticeMessages, use_i18n};
use crate::storage::{StorageError, app_database, practice as stored};

/// The band on every practice screen: this is practice, and nothing leaves the phone.
#[component]
pub fn PracticeBand() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <p class="practice-band" role="note" data-testid="practice-band">
            {move || i18n.practice().practice_band()}
        </p>
    }
}

/// Today as a local calendar day (days since 1970), from the device's clock and time zone.
#[must_use]
pub fn today() -> i64 {
    let offset_minutes = -(js_sys::Date::new_0().get_timezone_offset() as i64);
    local_day(i64::try_from(now().0).unwrap_or(i64::MAX), offset_minutes)
}

/// A local day as a reader writes it in `locale`.
#[must_use]
pub fn day_text(day: i64, locale: Locale) -> String {
    CalendarDate::from_days_since_epoch(day)
        .map(|date| date.long(locale))
        .unwrap_or_default()
}

/// The practice set and this device's attempts, as a practice screen starts with them.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub content: Arc<PracticeContent>,
    pub attempts: Vec<Attempt>,
    /// The attempts could not be read: the screen says so and goes on without them.
    pub storage_failed: bool,
}

/// What a practice screen shows below its heading: "loading", why the practice set cannot be
/// shown, or `render` of the set and this device's attempts once they are loaded.
pub fn with_practice(render: fn(Loaded) -> AnyView) -> impl IntoView {
    let i18n = use_i18n();
    let loaded = RwSignal::new(None::<Result<Loaded, ContentError>>);
    leptos::task::spawn_local(async move {
        loaded.set(Some(load().await));
    });
    move || match loaded.get() {
        None => {
            view! { <p role="status">{move || i18n.practice().practice_loading()}</p> }.into_any()
        }
        Some(Err(error)) => {
            let message = move || match error {
                ContentError::Unavailable(_) => i18n.practice().practice_unavailable(),
                ContentError::Damaged(_) => i18n.practice().practice_damaged(),
            };
            view! { <p class="notice notice--warning" role="alert">{message}</p> }.into_any()
        }
        Some(Ok(loaded)) => render(loaded),
    }
}

/// Whether a case or situation was done right, and whether its attempt could not be saved.
#[component]
pub fn PracticeResult(right: bool, not_saved: RwSignal<bool>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <p
            class=if right { "notice notice--success" } else { "notice notice--warning" }
            role="status"
            data-testid="practice-result"
        >
            {move || {
                if right {
                    i18n.practice().practice_result_right()
                } else {
                    i18n.practice().practice_result_wrong()
                }
            }}
        </p>
        <Show when=move || not_saved.get()>
            <p class="notice notice--warning" role="alert">
                {move || i18n.practice().practice_storage_error()}
            </p>
        </Show>
    }
}

/// Loads the practice set (precached) and the attempts stored on this device.
pub async fn load() -> Result<Loaded, ContentError> {
    let content = content::current_practice().await?;
    let attempts = match app_database().await {
        Ok(database) => stored::attempts(&database).await,
        Err(error) => Err(error),
    };
    Ok(match attempts {
        Ok(attempts) => Loaded {
            content,
            attempts,
            storage_failed: false,
        },
        Err(error) => {
            leptos::logging::warn!("the practice attempts cannot be read: {error}");
            Loaded {
                content,
                attempts: Vec::new(),
                storage_failed: true,
            }
        }
    })
}

/// The schedule of the cases (quick situations left out), or of the quick situations.
#[must_use]
pub fn schedule(attempts: &[Attempt], quick: bool) -> Schedule {
    Schedule::replay(attempts.iter().filter(|attempt| attempt.quick == quick))
}

/// Stores one attempt, then the cases' due days for the home screen; returns the attempts
/// with it added. The attempt is made from the schedule the stored attempts give.
pub async fn record(
    mut attempts: Vec<Attempt>,
    case: &CaseId,
    quick: bool,
    right: bool,
    missed: Vec<IndicatorId>,
    over_marked: Vec<IndicatorId>,
) -> Result<Vec<Attempt>, StorageError> {
    let mut kind_schedule = schedule(&attempts, quick);
    let day = kind_schedule.record(case, today(), right);
    let attempt = Attempt {
        id: Attempt::next_id(&attempts),
        case: case.clone(),
        day,
        right,
        quick,
        missed,
        over_marked,
    };
    let database = app_database().await?;
    stored::record(&database, &attempt).await?;
    attempts.push(attempt);
    let cases = schedule(&attempts, false);
    crate::preferences::save_practice_due_days(&cases.due_days()).await?;
    Ok(attempts)
}

/// The words for next step `level`, as the learner chooses it.
#[must_use]
pub fn step_text(messages: &'static PracticeMessages, level: Level) -> &'static str {
    match level {
        Level::ImmediateDanger => messages.practice_step_immediate_danger(),
        Level::InformToday => messages.practice_step_inform_today(),
        Level::KeepObserving => messages.practice_step_keep_observing(),
        Level::NothingMarked => messages.practice_step_nothing_marked(),
    }
}

/// The steps as offered, the most urgent first.
pub const STEPS: [Level; 4] = [
    Level::ImmediateDanger,
    Level::InformToday,
    Level::KeepObserving,
    Level::NothingMarked,
];

/// The rule that gives a case its step, in words (`None`: the case shows no sign).
#[must_use]
pub fn rule_text(messages: &'static PracticeMessages, rule: Option<&Rule>) -> String {
    let Some(rule) = rule else {
        return messages.practice_rule_none().to_owned();
    };
    match rule.role {
        Some(Role::Urgent) => messages.practice_rule_urgent().to_owned(),
        Some(Role::Strong) => messages.practice_rule_strong().to_owned(),
        Some(Role::Supporting) => fill(
            messages.practice_rule_supporting(),
            &[
                ("count", &rule.at_least.to_string()),
                ("areas", &rule.areas_at_least.unwrap_or(1).to_string()),
            ],
        ),
        None => messages.practice_rule_any().to_owned(),
    }
}

/// The guidance section an indicator of `catalogue` points to, as a link from practice.
#[must_use]
pub fn guidance_href(catalogue: &Catalogue, indicator: &IndicatorId) -> Option<String> {
    catalogue.indicator(indicator).map(|found| {
        crate::components::guidance_link::guidance_href(found.guidance(), "/practice", indicator)
    })
}
