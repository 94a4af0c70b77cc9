//! The answered indicators of an observation, grouped by area in checklist order, each with
//! its answer and note: the summary shows the marked ones (observed, not sure), the team's
//! report view every answer given.

use std::sync::Arc;

use leptos::prelude::*;
use prepoznaj_domain::catalogue::Catalogue;
use prepoznaj_domain::observation::{Answer, Answers};

use crate::i18n::use_i18n;

/// The answers of `answers` that `catalogue` lists, by area; with `include_not_observed`
/// also those answered "not observed".
#[component]
pub fn AnsweredIndicators(
    answers: Answers,
    catalogue: Arc<Catalogue>,
    #[prop(optional)] include_not_observed: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let groups: Vec<_> = catalogue
        .areas()
        .iter()
        .filter_map(|area| {
            let shown: Vec<_> = area
                .indicators()
                .iter()
                .filter_map(|indicator| {
                    let entry = answers.get(indicator.id())?;
                    (include_not_observed || entry.answer != Answer::NotObserved).then(|| {
                        (
                            indicator.text().clone(),
                            entry.answer,
                            entry.note.as_ref().map(|note| note.as_str().to_owned()),
                        )
                    })
                })
                .collect();
            (!shown.is_empty()).then(|| (area.title().clone(), shown))
        })
        .collect();
    if groups.is_empty() {
        return view! { <p>{move || i18n.messages().summary_nothing_marked}</p> }.into_any();
    }
    groups
        .into_iter()
        .map(|(title, shown)| {
            view! {
                <h3>{move || title.get(i18n.locale()).into_owned()}</h3>
                <ul class="marked">
                    {shown
                        .into_iter()
                        .map(|(text, answer, note)| {
                            view! {
                                <li data-answer=move || answer_id(answer)>
                                    <span>{move || text.get(i18n.locale()).into_owned()}</span>
                                    " — "
                                    <strong>
                                        {move || {
                                            let messages = i18n.messages();
                                            match answer {
                                                Answer::Observed => messages.answer_observed,
                                                Answer::NotSure => messages.answer_not_sure,
                                                Answer::NotObserved => messages.answer_not_observed,
                                            }
                                        }}
                                    </strong>
                                    {note.map(|note| view! { <p class="hint">{note}</p> })}
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            }
        })
        .collect_view()
        .into_any()
}

fn answer_id(answer: Answer) -> &'static str {
    match answer {
        Answer::Observed => "observed",
        Answer::NotSure => "not-sure",
        Answer::NotObserved => "not-observed",
    }
}
