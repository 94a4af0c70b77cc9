//! `/practice/record`: a printable record for the school's training file: how many cases were
//! done on this device, between which days, by area of signs. No score, no name typed in the
//! app (a line to write it by hand), and nothing sent: it is printed from the browser.

use leptos::prelude::*;
use prepoznaj_domain::locale::fill;
use prepoznaj_domain::practice::progress;

use crate::components::localized::localized;
use crate::components::practice::{Loaded, PracticeBand, day_text, with_practice};
use crate::i18n::{use_i18n, use_title};

/// The record screen.
#[component]
pub fn PracticeRecordPage() -> impl IntoView {
    let i18n = use_i18n();
    use_title(|i18n| i18n.practice().practice_record_title());
    view! {
        <PracticeBand />
        <h1>{move || i18n.practice().practice_record_title()}</h1>
        <p class="lead">{move || i18n.practice().practice_record_intro()}</p>
        {with_practice(|loaded| view! { <Record loaded /> }.into_any())}
    }
}

fn print() {
    if let Err(error) = window().print() {
        leptos::logging::warn!("cannot print: {error:?}");
    }
}

#[component]
fn Record(loaded: Loaded) -> impl IntoView {
    let i18n = use_i18n();
    let catalogue = loaded.content.catalogue.clone();
    let summary = progress(&loaded.content.set, &catalogue, &loaded.attempts);
    if summary.cases_done == 0 {
        return view! {
            <p data-testid="practice-record-empty">
                {move || i18n.practice().practice_record_empty()}
            </p>
            <a class="button" href="/practice">{move || i18n.practice().practice_back()}</a>
        }
        .into_any();
    }
    let (first, last) = (
        summary.first_day.unwrap_or_default(),
        summary.last_day.unwrap_or_default(),
    );
    let cases_done = summary.cases_done;
    let quick_done = summary.quick_done;
    let not_exploitation = summary.not_exploitation_done;
    let rows = move || {
        let locale = i18n.locale();
        summary
            .by_area
            .iter()
            .filter_map(|(area, count)| {
                let area = catalogue.areas().iter().find(|found| found.id() == area)?;
                Some(view! {
                    <tr>
                        <th scope="row">{localized(area.title(), locale)}</th>
                        <td>{count.to_string()}</td>
                    </tr>
                })
            })
            .collect_view()
    };
    view! {
        <section class="practice-record" data-testid="practice-record">
            <p data-testid="practice-record-summary">
                {move || i18n.practice().practice_record_summary().format(cases_done as u64)}
            </p>
            <p data-testid="practice-record-period">
                {move || {
                    let locale = i18n.locale();
                    fill(
                        i18n.practice().practice_record_period(),
                        &[("from", &day_text(first, locale)), ("to", &day_text(last, locale))],
                    )
                }}
            </p>
            <table class="practice-record__areas">
                <caption>{move || i18n.practice().practice_record_by_area()}</caption>
                <thead>
                    <tr>
                        <th scope="col">{move || i18n.practice().practice_record_area()}</th>
                        <th scope="col">{move || i18n.practice().practice_record_cases()}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
            <p>
                {move || {
                    fill(
                        i18n.practice().practice_record_not_exploitation(),
                        &[("count", &not_exploitation.to_string())],
                    )
                }}
            </p>
            {(quick_done > 0)
                .then(|| {
                    view! {
                        <p>
                            {move || {
                                fill(
                                    i18n.practice().practice_record_quick(),
                                    &[("count", &quick_done.to_string())],
                                )
                            }}
                        </p>
                    }
                })}
            <p class="practice-record__line">{move || i18n.practice().practice_record_name()}</p>
            <p class="practice-record__line">{move || i18n.practice().practice_record_signature()}</p>
        </section>
        <p class="practice-actions no-print">
            <button type="button" class="button button--primary" on:click=move |_| print()>
                {move || i18n.practice().practice_print()}
            </button>
            <a class="button" href="/practice">{move || i18n.practice().practice_back()}</a>
        </p>
    }
    .into_any()
}
