//! `/practice/case/:id`: one case. The learner reads it, marks what they see with the same
//! list of signs as a real observation (the same areas, the same markup:
//! `components::indicator_list`), chooses the next step, and checks. The marks live in memory
//! only: nothing typed, no observation. The feedback names every sign found, missed and marked
//! without support, each with its reason and its guidance section; then the right step, the
//! rule that gives it, and "192 first" when the case is urgent. One attempt is stored.

use std::sync::Arc;

use leptos::html;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use prepoznaj_domain::assessment::Level;
use prepoznaj_domain::catalogue::{Catalogue, IndicatorId, LocalizedText};
use prepoznaj_domain::locale::fill;
use prepoznaj_domain::practice::{Case, Feedback, deciding_rule, practice_draft, score};
use wasm_bindgen::JsCast;

use crate::clock::now;
use crate::components::indicator_list::{ListTexts, answer_for_value, areas_html};
use crate::components::localized::localized;
use crate::components::practice::{
    Loaded, PracticeBand, PracticeResult, STEPS, guidance_href, record, rule_text, schedule,
    step_text, today, with_practice,
};
use crate::i18n::{messages_for, use_i18n, use_title};

/// Id of the feedback's heading, which takes focus once the answers are checked.
const FEEDBACK_HEADING_ID: &str = "practice-feedback-heading";

/// The case screen.
#[component]
pub fn PracticeCasePage() -> impl IntoView {
    use_title(|i18n| i18n.practice().practice_title());
    view! {
        <PracticeBand />
        {with_practice(|loaded| view! { <CaseOrMissing loaded /> }.into_any())}
    }
}

/// The case the address names, or why there is none.
#[component]
fn CaseOrMissing(loaded: Loaded) -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    move || {
        let id = params.with(|params| params.get("id")).unwrap_or_default();
        match loaded.content.set.case(&id).cloned() {
            Some(case) => view! { <CaseExercise loaded=loaded.clone() case /> }.into_any(),
            None => view! {
                <h1>{move || i18n.practice().practice_title()}</h1>
                <p class="notice notice--warning" role="alert">
                    {move || i18n.practice().practice_not_found()}
                </p>
                <a href="/practice">{move || i18n.practice().practice_back()}</a>
            }
            .into_any(),
        }
    }
}

#[component]
fn CaseExercise(loaded: Loaded, case: Case) -> impl IntoView {
    let i18n = use_i18n();
    let catalogue = loaded.content.catalogue.clone();
    let content = loaded.content.clone();
    let case = Arc::new(case);
    let draft = RwSignal::new(practice_draft(&catalogue));
    let step = RwSignal::new(None::<Level>);
    let step_missing = RwSignal::new(false);
    let feedback = RwSignal::new(None::<Feedback>);
    let not_saved = RwSignal::new(false);
    let next_href = RwSignal::new(None::<String>);
    let attempts = StoredValue::new(loaded.attempts.clone());
    let list = NodeRef::<html::Div>::new();
    let checked = move || feedback.with(Option::is_some);

    // The same list as the checklist's, every area, without note fields.
    let list_html = {
        let catalogue = catalogue.clone();
        let case_id = case.id().clone();
        move || {
            let locale = i18n.locale();
            let from = format!("/practice/case/{case_id}");
            let texts = ListTexts {
                locale,
                messages: messages_for(locale),
                from: &from,
                guidance_rel: Some("external"),
                notes: false,
            };
            draft.with_untracked(|draft| areas_html(catalogue.areas().iter(), draft, texts))
        }
    };
    let on_change = {
        let catalogue = catalogue.clone();
        move |event: leptos::ev::Event| {
            let Some(input) = event
                .target()
                .and_then(|target| target.dyn_into::<web_sys::HtmlInputElement>().ok())
            else {
                return;
            };
            let Some(answer) = answer_for_value(&input.value()) else {
                return;
            };
            let indicator = input
                .closest("[data-indicator]")
                .ok()
                .flatten()
                .and_then(|fieldset| fieldset.get_attribute("data-indicator"));
            if let Some(indicator) = indicator {
                draft.update(|draft| {
                    let _ = draft.answer(&catalogue, &IndicatorId::new(indicator), answer, now());
                });
            }
        }
    };
    let check = {
        let catalogue = catalogue.clone();
        let case = case.clone();
        let content = content.clone();
        move |_| {
            if checked() {
                return;
            }
            let Some(chosen) = step.get_untracked() else {
                step_missing.set(true);
                return;
            };
            step_missing.set(false);
            let result = draft
                .with_untracked(|draft| score(&catalogue, &case, draft.answers(), Some(chosen)));
            feedback.set(Some(result.clone()));
            request_animation_frame(|| {
                if let Some(heading) = document()
                    .get_element_by_id(FEEDBACK_HEADING_ID)
                    .and_then(|element| element.dyn_into::<web_sys::HtmlElement>().ok())
                {
                    let _ = heading.focus();
                }
            });
            let case = case.clone();
            let content = content.clone();
            leptos::task::spawn_local(async move {
                let before = attempts.get_value();
                let after = match record(
                    before.clone(),
                    case.id(),
                    false,
                    result.is_right(),
                    result.missed.clone(),
                    result.over_marked.clone(),
                )
                .await
                {
                    Ok(after) => after,
                    Err(error) => {
                        leptos::logging::warn!("the practice attempt was not saved: {error}");
                        not_saved.set(true);
                        before
                    }
                };
                let cases = schedule(&after, false);
                next_href.set(
                    content
                        .set
                        .cases_in_order(&cases, today())
                        .into_iter()
                        .find(|next| next.id() != case.id())
                        .map(|next| format!("/practice/case/{}", next.id())),
                );
                attempts.set_value(after);
            });
        }
    };

    let title = case.title().clone();
    let text = case.text().clone();
    let age = case.age();
    let steps = STEPS
        .iter()
        .map(|level| {
            let level = *level;
            view! {
                <label class="answer">
                    <input
                        type="radio"
                        name="practice-step"
                        value=level.as_str()
                        on:change=move |_| {
                            step.set(Some(level));
                            step_missing.set(false);
                        }
                    />
                    {move || step_text(i18n.practice(), level)}
                </label>
            }
        })
        .collect_view();
    let feedback_view = {
        let catalogue = catalogue.clone();
        let case = case.clone();
        move || {
            feedback.get().map(|result| {
                view! {
                    <FeedbackView
                        catalogue=catalogue.clone()
                        case=case.clone()
                        result
                        not_saved
                        next_href
                    />
                }
            })
        }
    };
    view! {
        <h1>{move || localized(&title, i18n.locale())}</h1>
        <p class="practice-case__meta">
            {move || fill(i18n.practice().practice_case_age(), &[("age", &age.to_string())])}
        </p>
        <section class="practice-case-text" aria-labelledby="practice-case-heading">
            <h2 id="practice-case-heading">{move || i18n.practice().practice_case_heading()}</h2>
            <p data-testid="practice-case-text">{move || localized(&text, i18n.locale())}</p>
        </section>
        <fieldset class="practice-answer" disabled=checked>
            <legend class="visually-hidden">{move || i18n.practice().practice_mark_heading()}</legend>
            <h2>{move || i18n.practice().practice_mark_heading()}</h2>
            <p class="hint">{move || i18n.practice().practice_mark_hint()}</p>
            <div class="indicator-list" node_ref=list on:change=on_change inner_html=list_html></div>
            <fieldset class="choice-group practice-steps">
                <legend>{move || i18n.practice().practice_step_heading()}</legend>
                <div class="answers">{steps}</div>
            </fieldset>
            <Show when=move || step_missing.get()>
                <p class="notice notice--warning" role="alert">
                    {move || i18n.practice().practice_choose_step()}
                </p>
            </Show>
            <button type="button" class="button button--primary" on:click=check>
                {move || i18n.practice().practice_check()}
            </button>
        </fieldset>
        {feedback_view}
    }
}

/// A sign of the feedback: its text, why, and its guidance section.
fn sign_item(
    catalogue: &Catalogue,
    id: &IndicatorId,
    why: Option<&LocalizedText>,
    fallback: &'static str,
    locale: prepoznaj_domain::locale::Locale,
    guidance_label: &'static str,
) -> impl IntoView + use<> {
    let text = catalogue
        .indicator(id)
        .map(|indicator| localized(indicator.text(), locale));
    let why = match why {
        Some(why) => localized(why, locale),
        None => fallback.into_any(),
    };
    let href = guidance_href(catalogue, id);
    view! {
        <li class="practice-sign" data-indicator=id.as_str().to_owned()>
            <p class="practice-sign__text">{text}</p>
            <p class="practice-sign__why">{why}</p>
            {href.map(|href| view! { <a href=href rel="external">{guidance_label}</a> })}
        </li>
    }
}

#[component]
fn FeedbackView(
    catalogue: Arc<Catalogue>,
    case: Arc<Case>,
    result: Feedback,
    not_saved: RwSignal<bool>,
    next_href: RwSignal<Option<String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let right = result.is_right();
    let urgent = result.expected == Level::ImmediateDanger;
    let rule = deciding_rule(&catalogue, &case).cloned();
    let lesson = case.lesson().clone();
    let lists = move || {
        let practice = i18n.practice();
        let locale = i18n.locale();
        let guidance = practice.practice_guidance_link();
        let list = |ids: &[IndicatorId],
                    why: &dyn Fn(&IndicatorId) -> Option<LocalizedText>,
                    fallback: &'static str,
                    empty: &'static str,
                    test_id: &'static str| {
            if ids.is_empty() {
                return view! { <p data-testid=test_id>{empty}</p> }.into_any();
            }
            let items = ids
                .iter()
                .map(|id| sign_item(&catalogue, id, why(id).as_ref(), fallback, locale, guidance))
                .collect_view();
            view! { <ul class="practice-signs" data-testid=test_id>{items}</ul> }.into_any()
        };
        let present = |id: &IndicatorId| case.why_present(id).cloned();
        let unsupported = |id: &IndicatorId| case.why_not_supported(id).cloned();
        view! {
            <h3>{practice.practice_found_heading()}</h3>
            {list(&result.found, &present, "", practice.practice_none_found(), "practice-found")}
            <h3>{practice.practice_missed_heading()}</h3>
            {list(&result.missed, &present, "", practice.practice_none_missed(), "practice-missed")}
            <h3>{practice.practice_over_heading()}</h3>
            {list(
                &result.over_marked,
                &unsupported,
                practice.practice_nothing_in_case(),
                practice.practice_none_over(),
                "practice-over",
            )}
        }
    };
    let step_view = move || {
        let practice = i18n.practice();
        let chosen = result.chosen.map(|chosen| {
            fill(
                practice.practice_chosen_step(),
                &[("step", step_text(practice, chosen))],
            )
        });
        view! {
            <h3>{practice.practice_step_heading()}</h3>
            {urgent
                .then(|| {
                    view! {
                        <p class="notice notice--danger" data-testid="practice-192-first">
                            {practice.practice_first_192()}
                        </p>
                    }
                })}
            <p>{chosen}</p>
            <p data-testid="practice-right-step">
                {fill(practice.practice_right_step(), &[("step", step_text(practice, result.expected))])}
            </p>
            <p>{rule_text(practice, rule.as_ref())}</p>
        }
    };
    view! {
        <section class="practice-feedback" aria-labelledby=FEEDBACK_HEADING_ID>
            <h2 id=FEEDBACK_HEADING_ID tabindex="-1">
                {move || i18n.practice().practice_feedback_heading()}
            </h2>
            <PracticeResult right not_saved />
            {lists}
            {step_view}
            <h3>{move || i18n.practice().practice_lesson_heading()}</h3>
            <p data-testid="practice-lesson">{move || localized(&lesson, i18n.locale())}</p>
            <p class="practice-actions">
                {move || {
                    next_href
                        .get()
                        .map(|href| {
                            view! {
                                <a class="button button--primary" href=href data-testid="practice-next">
                                    {move || i18n.practice().practice_next_case()}
                                </a>
                            }
                        })
                }}
                <a class="button" href="/practice">{move || i18n.practice().practice_back()}</a>
            </p>
        </section>
    }
}
