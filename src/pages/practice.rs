//! `/practice`: what is due, the next case, quick practice, the record and the trainer's view,
//! this device's progress, and every case.

use leptos::prelude::*;
use prepoznaj_domain::locale::fill;
use prepoznaj_domain::practice::progress;

use crate::components::localized::localized;
use crate::components::practice::{Loaded, PracticeBand, day_text, schedule, today, with_practice};
use crate::i18n::{PracticeMessages, use_i18n, use_title};

/// Another practice screen, offered from the practice's home.
struct Mode {
    href: &'static str,
    title: fn(&'static PracticeMessages) -> &'static str,
    description: fn(&'static PracticeMessages) -> &'static str,
}

const MODES: [Mode; 3] = [
    Mode {
        href: "/practice/quick",
        title: |m| m.practice_quick_title(),
        description: |m| m.practice_quick_desc(),
    },
    Mode {
        href: "/practice/record",
        title: |m| m.practice_record_title(),
        description: |m| m.practice_record_desc(),
    },
    Mode {
        href: "/practice/facilitator",
        title: |m| m.practice_facilitator_title(),
        description: |m| m.practice_facilitator_desc(),
    },
];

/// The practice's home screen.
#[component]
pub fn PracticePage() -> impl IntoView {
    let i18n = use_i18n();
    use_title(|i18n| i18n.practice().practice_title());
    view! {
        <PracticeBand />
        <h1>{move || i18n.practice().practice_title()}</h1>
        <p class="lead">{move || i18n.practice().practice_intro()}</p>
        {with_practice(|loaded| view! { <PracticeHome loaded /> }.into_any())}
    }
}

#[component]
fn PracticeHome(loaded: Loaded) -> impl IntoView {
    let i18n = use_i18n();
    let set = &loaded.content.set;
    let catalogue = loaded.content.catalogue.clone();
    let day = today();
    let cases = schedule(&loaded.attempts, false);
    let due = cases.due(day).len();
    let next_due = cases
        .due_days()
        .into_iter()
        .find(|due_day| *due_day > cases.today(day));
    let ordered = set.cases_in_order(&cases, day);
    let next_href = ordered
        .first()
        .map(|case| format!("/practice/case/{}", case.id()));
    let total = set.cases().len();
    let summary = progress(set, &catalogue, &loaded.attempts);
    let unreviewed = set.unreviewed().clone();

    let due_view = move || {
        let practice = i18n.practice();
        if due > 0 {
            view! {
                <p class="practice-due" data-testid="practice-due">
                    {practice.practice_due().format(due as u64)}
                </p>
            }
            .into_any()
        } else {
            let next = next_due.map(|next| {
                fill(
                    practice.practice_next_due(),
                    &[("date", &day_text(next, i18n.locale()))],
                )
            });
            view! {
                <p class="practice-due practice-due--none">
                    {practice.practice_none_due()} " " {next}
                </p>
            }
            .into_any()
        }
    };
    let start_label = move || {
        if due > 0 {
            i18n.practice().practice_start_due()
        } else {
            i18n.practice().practice_start_next()
        }
    };
    let progress_view = {
        let catalogue = catalogue.clone();
        move || {
            let practice = i18n.practice();
            let locale = i18n.locale();
            if summary.cases_done == 0 {
                return view! { <p>{practice.practice_progress_none()}</p> }.into_any();
            }
            let missed = summary
                .most_missed
                .iter()
                .filter_map(|(id, count)| {
                    let indicator = catalogue.indicator(id)?;
                    Some(view! {
                        <li>
                            {localized(indicator.text(), locale)}
                            " "
                            <span class="practice-count">
                                "(" {practice.practice_missed_times().format(*count as u64)} ")"
                            </span>
                        </li>
                    })
                })
                .collect_view();
            view! {
                <p data-testid="practice-progress">
                    {fill(
                        practice.practice_progress_done(),
                        &[
                            ("done", &summary.cases_done.to_string()),
                            ("total", &total.to_string()),
                        ],
                    )}
                </p>
                {(!summary.most_missed.is_empty())
                    .then(|| {
                        view! {
                            <h3>{practice.practice_most_missed()}</h3>
                            <ul class="practice-missed">{missed}</ul>
                        }
                    })}
            }
            .into_any()
        }
    };
    let case_rows: Vec<_> = set
        .cases()
        .iter()
        .map(|case| {
            let state = cases.state(case.id()).copied();
            (case.clone(), state)
        })
        .collect();
    let today_counted = cases.today(day);
    let case_list = move || {
        let practice = i18n.practice();
        let locale = i18n.locale();
        case_rows
            .iter()
            .map(|(case, state)| {
                let status = match state {
                    None => practice.practice_case_new().to_owned(),
                    Some(state) if state.due <= today_counted => {
                        practice.practice_case_due_now().to_owned()
                    }
                    Some(state) => fill(
                        practice.practice_case_due_on(),
                        &[("date", &day_text(state.due, locale))],
                    ),
                };
                view! {
                    <li class="practice-case">
                        <a href=format!("/practice/case/{}", case.id()) data-testid="practice-case-link">
                            {localized(case.title(), locale)}
                        </a>
                        <span class="practice-case__meta">
                            {fill(practice.practice_case_age(), &[("age", &case.age().to_string())])}
                            " · "
                            {status}
                        </span>
                    </li>
                }
            })
            .collect_view()
    };
    view! {
        {loaded
            .storage_failed
            .then(|| {
                view! {
                    <p class="notice notice--warning" role="alert">
                        {move || i18n.practice().practice_storage_error()}
                    </p>
                }
            })}
        {move || {
            unreviewed
                .contains(i18n.locale())
                .then(|| view! { <p class="notice">{i18n.practice().practice_unreviewed()}</p> })
        }}
        <section class="practice-next" aria-labelledby="practice-next-heading">
            <h2 id="practice-next-heading" class="visually-hidden">
                {move || i18n.practice().practice_start_next()}
            </h2>
            {due_view}
            {next_href
                .map(|href| {
                    view! {
                        <a class="button button--primary" href=href data-testid="practice-start">
                            {start_label}
                        </a>
                    }
                })}
        </section>
        <ul class="tasks">
            {MODES
                .iter()
                .map(|mode| {
                    let (title, description) = (mode.title, mode.description);
                    view! {
                        <li>
                            <a href=mode.href class="task">
                                <span class="task__title">{move || title(i18n.practice())}</span>
                                <span class="task__description">
                                    {move || description(i18n.practice())}
                                </span>
                            </a>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
        <section aria-labelledby="practice-progress-heading">
            <h2 id="practice-progress-heading">
                {move || i18n.practice().practice_progress_heading()}
            </h2>
            {progress_view}
        </section>
        <section aria-labelledby="practice-cases-heading">
            <h2 id="practice-cases-heading">{move || i18n.practice().practice_cases_heading()}</h2>
            <ul class="practice-cases">{case_list}</ul>
        </section>
    }
}
