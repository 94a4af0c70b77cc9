//! `/practice/facilitator`: a trainer's view for a staff meeting. One case in large type for a
//! shared screen; the room discusses it, then the trainer reveals the answers one step at a
//! time: each sign with why, the signs the case does not support, the next step with its rule
//! (192 first when urgent), and the lesson. Nothing is recorded.

use std::sync::Arc;

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use prepoznaj_domain::assessment::Level;
use prepoznaj_domain::catalogue::Catalogue;
use prepoznaj_domain::locale::fill;
use prepoznaj_domain::practice::{Case, deciding_rule};

use crate::components::localized::localized;
use crate::components::practice::{Loaded, PracticeBand, rule_text, step_text, with_practice};
use crate::i18n::{use_i18n, use_title};

/// The trainer's screen.
#[component]
pub fn PracticeFacilitatorPage() -> impl IntoView {
    let i18n = use_i18n();
    use_title(|i18n| i18n.practice().practice_facilitator_title());
    view! {
        <PracticeBand />
        <h1>{move || i18n.practice().practice_facilitator_title()}</h1>
        <p class="lead no-print">{move || i18n.practice().practice_facilitator_intro()}</p>
        {with_practice(|loaded| view! { <Facilitator loaded /> }.into_any())}
    }
}

#[component]
fn Facilitator(loaded: Loaded) -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let content = loaded.content.clone();
    let first = query
        .with_untracked(|query| query.get("case"))
        .filter(|id| content.set.case(id).is_some())
        .or_else(|| {
            content
                .set
                .cases()
                .first()
                .map(|case| case.id().to_string())
        })
        .unwrap_or_default();
    let chosen = RwSignal::new(first);
    let revealed = RwSignal::new(0_usize);
    let options = {
        let content = content.clone();
        move || {
            let locale = i18n.locale();
            content
                .set
                .cases()
                .iter()
                .map(|case| {
                    let id = case.id().to_string();
                    let selected = chosen.get_untracked() == id;
                    view! {
                        <option value=id selected=selected>
                            {case.title().get(locale).into_owned()}
                        </option>
                    }
                })
                .collect_view()
        }
    };
    let shown = move || {
        let case = content.set.case(&chosen.get()).cloned()?;
        Some(view! {
            <CaseOnScreen catalogue=content.catalogue.clone() case=Arc::new(case) revealed />
        })
    };
    view! {
        <div class="field practice-select no-print">
            <label for="facilitator-case">{move || i18n.practice().practice_facilitator_choose()}</label>
            <select
                id="facilitator-case"
                on:change=move |event| {
                    chosen.set(event_target_value(&event));
                    revealed.set(0);
                }
            >
                {options}
            </select>
        </div>
        {shown}
    }
}

/// What the next click reveals, after `revealed` steps of a case with `signs` signs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reveal {
    Sign,
    NotSupported,
    Step,
    Lesson,
    Done,
}

fn next_reveal(revealed: usize, signs: usize) -> Reveal {
    match revealed.checked_sub(signs) {
        None => Reveal::Sign,
        Some(0) => Reveal::NotSupported,
        Some(1) => Reveal::Step,
        Some(2) => Reveal::Lesson,
        Some(_) => Reveal::Done,
    }
}

#[component]
fn CaseOnScreen(
    catalogue: Arc<Catalogue>,
    case: Arc<Case>,
    revealed: RwSignal<usize>,
) -> impl IntoView {
    let i18n = use_i18n();
    let signs = case.signs().len();
    let rule = deciding_rule(&catalogue, &case).cloned();
    let level = case.level();
    let step = move || next_reveal(revealed.get(), signs);
    let shown_signs = {
        let case = case.clone();
        let catalogue = catalogue.clone();
        move || {
            let locale = i18n.locale();
            case.signs()
                .iter()
                .take(revealed.get())
                .map(|sign| sign_view(&catalogue, &sign.indicator, &sign.why, locale))
                .collect_view()
        }
    };
    let not_supported = {
        let case = case.clone();
        let catalogue = catalogue.clone();
        move || {
            (revealed.get() > signs).then(|| {
                let locale = i18n.locale();
                let items = case
                    .not_supported()
                    .iter()
                    .map(|sign| sign_view(&catalogue, &sign.indicator, &sign.why, locale))
                    .collect_view();
                view! {
                    <h3>{i18n.practice().practice_over_heading()}</h3>
                    <ul class="practice-signs">{items}</ul>
                }
            })
        }
    };
    let step_view = move || {
        (revealed.get() > signs + 1).then(|| {
            let practice = i18n.practice();
            view! {
                <h3>{practice.practice_step_heading()}</h3>
                {(level == Level::ImmediateDanger)
                    .then(|| view! { <p class="notice notice--danger">{practice.practice_first_192()}</p> })}
                <p data-testid="facilitator-step">
                    {fill(practice.practice_right_step(), &[("step", step_text(practice, level))])}
                </p>
                <p>{rule_text(practice, rule.as_ref())}</p>
            }
        })
    };
    let lesson = {
        let case = case.clone();
        move || {
            (revealed.get() > signs + 2).then(|| {
                view! {
                    <h3>{i18n.practice().practice_lesson_heading()}</h3>
                    <p>{localized(case.lesson(), i18n.locale())}</p>
                }
            })
        }
    };
    let button_label = move || {
        let practice = i18n.practice();
        match step() {
            Reveal::Sign => practice.practice_facilitator_reveal_sign(),
            Reveal::NotSupported => practice.practice_facilitator_reveal_not_supported(),
            Reveal::Step => practice.practice_facilitator_reveal_step(),
            Reveal::Lesson => practice.practice_facilitator_reveal_lesson(),
            Reveal::Done => practice.practice_facilitator_start_over(),
        }
    };
    let on_click = move |_| {
        if step() == Reveal::Done {
            revealed.set(0);
        } else {
            revealed.update(|revealed| *revealed += 1);
        }
    };
    let title = case.title().clone();
    let text = case.text().clone();
    let age = case.age();
    view! {
        <article class="facilitator" aria-live="polite">
            <h2>{move || localized(&title, i18n.locale())}</h2>
            <p class="practice-case__meta">
                {move || fill(i18n.practice().practice_case_age(), &[("age", &age.to_string())])}
            </p>
            <p class="facilitator__text" data-testid="facilitator-text">
                {move || localized(&text, i18n.locale())}
            </p>
            <Show when=move || { revealed.get() > 0 }>
                <h3>{move || i18n.practice().practice_facilitator_signs_heading()}</h3>
            </Show>
            <ul class="practice-signs" data-testid="facilitator-signs">{shown_signs}</ul>
            {not_supported}
            {step_view}
            {lesson}
        </article>
        <p class="no-print">
            <button type="button" class="button button--primary" on:click=on_click data-testid="facilitator-reveal">
                {button_label}
            </button>
        </p>
    }
}

fn sign_view(
    catalogue: &Catalogue,
    id: &prepoznaj_domain::catalogue::IndicatorId,
    why: &prepoznaj_domain::catalogue::LocalizedText,
    locale: prepoznaj_domain::locale::Locale,
) -> impl IntoView + use<> {
    let text = catalogue
        .indicator(id)
        .map(|indicator| localized(indicator.text(), locale));
    view! {
        <li class="practice-sign">
            <p class="practice-sign__text">{text}</p>
            <p class="practice-sign__why">{localized(why, locale)}</p>
        </li>
    }
}
