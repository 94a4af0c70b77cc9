//! The answers of an observation in the order a reader goes through them (the domain's
//! `Answers::groups`): the signs observed, then those the observer was not sure of, each group
//! by area in checklist order and each sign with its note. The summary shows these two; the
//! team's report view adds "not observed" and "not answered" folded below them.

use std::sync::Arc;

use leptos::prelude::*;
use prepoznaj_domain::catalogue::{Catalogue, LocalizedText};
use prepoznaj_domain::observation::{Answer, Answers};

use crate::components::localized::localized;
use crate::i18n::{I18n, use_i18n};

/// One sign as shown: its text and the observer's note.
#[derive(Debug, Clone)]
struct ShownIndicator {
    text: LocalizedText,
    note: Option<String>,
}

/// The signs of one answer (`None`: unanswered) by area, ready for the view.
#[derive(Debug, Clone)]
pub struct ShownGroup {
    answer: Option<Answer>,
    count: usize,
    areas: Vec<(LocalizedText, Vec<ShownIndicator>)>,
}

impl ShownGroup {
    /// How many signs the group holds.
    #[must_use]
    pub fn count(&self) -> usize {
        self.count
    }
}

/// Every indicator of `catalogue` in reading order: observed, not sure, not observed,
/// unanswered.
#[must_use]
pub fn shown_groups(answers: &Answers, catalogue: &Catalogue) -> [ShownGroup; 4] {
    answers.groups(catalogue).map(|group| ShownGroup {
        answer: group.answer,
        count: group.count(),
        areas: group
            .areas
            .into_iter()
            .map(|(area, indicators)| {
                let shown = indicators
                    .into_iter()
                    .map(|indicator| ShownIndicator {
                        text: indicator.text().clone(),
                        note: answers
                            .get(indicator.id())
                            .and_then(|entry| entry.note.as_ref())
                            .map(|note| note.as_str().to_owned()),
                    })
                    .collect();
                (area.title().clone(), shown)
            })
            .collect(),
    })
}

/// The signs marked observed, then not sure; `nothing_marked` when there are none.
#[component]
pub fn MarkedIndicators(
    answers: Answers,
    catalogue: Arc<Catalogue>,
    nothing_marked: fn(I18n) -> &'static str,
) -> impl IntoView {
    let i18n = use_i18n();
    let [observed, not_sure, ..] = shown_groups(&answers, &catalogue);
    if observed.count == 0 && not_sure.count == 0 {
        return view! { <p data-testid="nothing-marked">{move || nothing_marked(i18n)}</p> }
            .into_any();
    }
    view! {
        <AnswerGroupView group=observed />
        <AnswerGroupView group=not_sure />
    }
    .into_any()
}

/// One group under a heading with its answer and count, by area; nothing when it is empty.
#[component]
pub fn AnswerGroupView(group: ShownGroup) -> impl IntoView {
    let i18n = use_i18n();
    let ShownGroup {
        answer,
        count,
        areas,
    } = group;
    (count > 0).then(|| {
        view! {
            <section class="answer-group" data-testid="answer-group" data-group=answer_id(answer)>
                <h3>{move || answer_label(i18n, answer)} " (" {count} ")"</h3>
                {areas
                    .into_iter()
                    .map(|(title, shown)| {
                        view! {
                            <h4>{move || localized(&title, i18n.locale())}</h4>
                            <ul class="marked">
                                {shown
                                    .into_iter()
                                    .map(|ShownIndicator { text, note }| {
                                        view! {
                                            <li data-answer=answer_id(answer)>
                                                <span>{move || localized(&text, i18n.locale())}</span>
                                                {note.map(|note| view! { <p class="answer-note">{note}</p> })}
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ul>
                        }
                    })
                    .collect_view()}
            </section>
        }
    })
}

/// The words of an answer, or of none.
#[must_use]
fn answer_label(i18n: I18n, answer: Option<Answer>) -> &'static str {
    let messages = i18n.messages();
    match answer {
        Some(Answer::Observed) => messages.answer_observed(),
        Some(Answer::NotSure) => messages.answer_not_sure(),
        Some(Answer::NotObserved) => messages.answer_not_observed(),
        None => messages.answer_unanswered(),
    }
}

fn answer_id(answer: Option<Answer>) -> &'static str {
    match answer {
        Some(Answer::Observed) => "observed",
        Some(Answer::NotSure) => "not-sure",
        Some(Answer::NotObserved) => "not-observed",
        None => "unanswered",
    }
}
