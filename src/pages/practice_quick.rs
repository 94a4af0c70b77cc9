//! `/practice/quick`: quick practice for maintenance and support staff. Five short situations,
//! one at a time, each marked with the quick-mode signs (the same buttons as quick mode), then
//! checked: which signs the situation shows and why, and "192 first" when one is urgent. Each
//! situation is one stored attempt; nothing else is kept.

use std::collections::BTreeSet;
use std::sync::Arc;

use leptos::prelude::*;
use prepoznaj_domain::catalogue::{Catalogue, QuickSignId};
use prepoznaj_domain::locale::fill;
use prepoznaj_domain::practice::{QuickCase, QuickFeedback, quick_sign_urgent, score_quick};
use wasm_bindgen::JsCast;

use crate::components::localized::localized;
use crate::components::practice::{
    Loaded, PracticeBand, PracticeResult, record, schedule, today, with_practice,
};
use crate::content::PracticeContent;
use crate::i18n::{use_i18n, use_title};
use crate::pages::quick::SignIcon;

/// Id of the heading that takes focus when a situation or its feedback is shown.
const QUICK_HEADING_ID: &str = "practice-quick-heading";

/// The quick practice screen.
#[component]
pub fn PracticeQuickPage() -> impl IntoView {
    let i18n = use_i18n();
    use_title(|i18n| i18n.practice().practice_quick_title());
    view! {
        <PracticeBand />
        <h1>{move || i18n.practice().practice_quick_title()}</h1>
        {with_practice(|loaded| view! { <QuickRound loaded /> }.into_any())}
    }
}

/// Moves focus to the round's heading once the browser has drawn the change.
fn focus_heading() {
    request_animation_frame(|| {
        if let Some(heading) = document()
            .get_element_by_id(QUICK_HEADING_ID)
            .and_then(|element| element.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = heading.focus();
        }
    });
}

#[component]
fn QuickRound(loaded: Loaded) -> impl IntoView {
    let i18n = use_i18n();
    let content = loaded.content.clone();
    let attempts = StoredValue::new(loaded.attempts.clone());
    let round = RwSignal::new(pick(&content, &loaded.attempts));
    let index = RwSignal::new(0_usize);
    let chosen = RwSignal::new(BTreeSet::<QuickSignId>::new());
    let feedback = RwSignal::new(None::<QuickFeedback>);
    let right = RwSignal::new(0_usize);
    let not_saved = RwSignal::new(false);
    let total = move || round.with(Vec::len);
    let finished = move || index.get() >= total();
    let current = move || round.with(|round| round.get(index.get()).cloned());

    let check = move |_| {
        let Some(situation) = current() else {
            return;
        };
        if feedback.with_untracked(Option::is_some) {
            return;
        }
        let result = chosen.with_untracked(|chosen| score_quick(&situation, chosen));
        if result.is_right() {
            right.update(|right| *right += 1);
        }
        let is_right = result.is_right();
        feedback.set(Some(result));
        focus_heading();
        leptos::task::spawn_local(async move {
            let before = attempts.get_value();
            match record(
                before,
                situation.id(),
                true,
                is_right,
                Vec::new(),
                Vec::new(),
            )
            .await
            {
                Ok(after) => attempts.set_value(after),
                Err(error) => {
                    leptos::logging::warn!("the practice attempt was not saved: {error}");
                    not_saved.set(true);
                }
            }
        });
    };
    let next = move |_| {
        feedback.set(None);
        chosen.set(BTreeSet::new());
        index.update(|index| *index += 1);
        focus_heading();
    };
    let again = {
        let content = content.clone();
        move |_| {
            round.set(pick(&content, &attempts.get_value()));
            index.set(0);
            right.set(0);
            feedback.set(None);
            chosen.set(BTreeSet::new());
            focus_heading();
        }
    };

    let catalogue = content.catalogue.clone();
    let situation_view = move || {
        let situation = current()?;
        let practice = i18n.practice();
        let locale = i18n.locale();
        let buttons = catalogue
            .quick_signs()
            .iter()
            .map(|sign| {
                let id = sign.id().clone();
                let pressed = {
                    let id = id.clone();
                    move || chosen.with(|chosen| chosen.contains(&id))
                };
                let toggle = move |_| {
                    if feedback.with_untracked(Option::is_some) {
                        return;
                    }
                    chosen.update(|chosen| {
                        if !chosen.remove(&id) {
                            chosen.insert(id.clone());
                        }
                    });
                };
                view! {
                    <button
                        type="button"
                        class="quick-sign"
                        aria-pressed=move || pressed().to_string()
                        disabled=move || feedback.with(Option::is_some)
                        data-testid="practice-quick-sign"
                        data-sign=sign.id().as_str().to_owned()
                        on:click=toggle
                    >
                        <SignIcon icon=sign.icon() />
                        <span>{localized(sign.text(), locale)}</span>
                    </button>
                }
            })
            .collect_view();
        let heading = fill(
            practice.practice_quick_situation(),
            &[
                ("number", &(index.get() + 1).to_string()),
                ("total", &total().to_string()),
            ],
        );
        let result = feedback.get().map(|result| {
            view! {
                <QuickFeedbackView
                    catalogue=catalogue.clone()
                    situation=situation.clone()
                    result
                    not_saved
                />
            }
        });
        let checked = result.is_some();
        Some(view! {
            <h2 id=QUICK_HEADING_ID tabindex="-1">{heading}</h2>
            <p class="practice-case-text" data-testid="practice-quick-text">
                {localized(situation.text(), locale)}
            </p>
            <p class="hint">{practice.practice_quick_prompt()}</p>
            <div class="quick-signs">{buttons}</div>
            {(!checked)
                .then(|| {
                    view! {
                        <button type="button" class="button button--primary" on:click=check>
                            {practice.practice_quick_check()}
                        </button>
                    }
                })}
            {result}
            {checked
                .then(|| {
                    view! {
                        <button
                            type="button"
                            class="button button--primary"
                            on:click=next
                            data-testid="practice-quick-next"
                        >
                            {practice.practice_quick_next()}
                        </button>
                    }
                })}
        })
    };
    view! {
        {move || {
            if finished() {
                view! {
                    <h2 id=QUICK_HEADING_ID tabindex="-1" data-testid="practice-quick-done">
                        {move || i18n.practice().practice_quick_done().format(right.get() as u64)}
                    </h2>
                    <p class="practice-actions">
                        <button type="button" class="button button--primary" on:click=again.clone()>
                            {move || i18n.practice().practice_quick_again()}
                        </button>
                        <a class="button" href="/practice">
                            {move || i18n.practice().practice_back()}
                        </a>
                    </p>
                }
                .into_any()
            } else {
                situation_view.clone()().into_any()
            }
        }}
    }
}

/// The situations of a new round: due ones first, then new ones.
fn pick(
    content: &Arc<PracticeContent>,
    attempts: &[prepoznaj_domain::practice::Attempt],
) -> Vec<QuickCase> {
    content
        .set
        .quick_round(&schedule(attempts, true), today())
        .into_iter()
        .cloned()
        .collect()
}

#[component]
fn QuickFeedbackView(
    catalogue: Arc<Catalogue>,
    situation: QuickCase,
    result: QuickFeedback,
    not_saved: RwSignal<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    let urgent = situation.urgent(&catalogue);
    let why = situation.why().clone();
    let expected = move || {
        let locale = i18n.locale();
        let practice = i18n.practice();
        if situation.signs().is_empty() {
            return view! { <p>{practice.practice_quick_expected_none()}</p> }.into_any();
        }
        let items = situation
            .signs()
            .iter()
            .filter_map(|id| {
                let sign = catalogue.quick_sign(id)?;
                let urgent = quick_sign_urgent(&catalogue, id);
                Some(view! {
                    <li class=if urgent { "practice-sign practice-sign--urgent" } else { "practice-sign" }>
                        {localized(sign.text(), locale)}
                    </li>
                })
            })
            .collect_view();
        view! {
            <h3>{practice.practice_quick_expected()}</h3>
            <ul class="practice-signs" data-testid="practice-quick-expected">{items}</ul>
        }
        .into_any()
    };
    let right = result.is_right();
    view! {
        <section class="practice-feedback">
            <PracticeResult right not_saved />
            {urgent
                .then(|| {
                    view! {
                        <p class="notice notice--danger" data-testid="practice-192-first">
                            {move || i18n.practice().practice_first_192()}
                        </p>
                    }
                })}
            {expected}
            <p>{move || localized(&why, i18n.locale())}</p>
        </section>
    }
}
