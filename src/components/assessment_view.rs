//! The outcome of an observation: the level and its advice, the signs that led to it, the
//! guardrails, and whom to contact, each with Call and Copy: the school's own route first,
//! then the numbers for consultation. In immediate danger the call to 192 comes first.

use std::sync::Arc;

use leptos::prelude::*;
use leptos_router::components::A;
use prepoznaj_domain::assessment::{Assessment, Level};
use prepoznaj_domain::catalogue::Catalogue;

use crate::components::localized::localized;
use crate::components::recommended_contacts::RecommendedContacts;
use crate::i18n::use_i18n;

/// The `tel:` link of the police emergency number.
pub const POLICE_TEL: &str = "tel:192";

/// The assessment of a set of answers.
#[component]
pub fn AssessmentView(assessment: Assessment, catalogue: Arc<Catalogue>) -> impl IntoView {
    let i18n = use_i18n();
    let level = assessment.level;
    let title = assessment.title.clone();
    let advice = assessment.advice.clone();
    let triggered: Vec<_> = assessment
        .triggered
        .iter()
        .filter_map(|id| {
            catalogue
                .indicator(id)
                .map(|indicator| indicator.text().clone())
        })
        .collect();
    let guardrails = assessment.guardrails.clone();
    let contacts = assessment.contacts.clone();
    let consult = assessment.consult.clone();
    view! {
        <section
            class="assessment"
            class:assessment--danger=level == Level::ImmediateDanger
            data-testid="assessment"
            data-level=level.as_str()
            aria-labelledby="assessment-title"
        >
            {(level == Level::ImmediateDanger)
                .then(|| {
                    view! {
                        <a class="button button--danger button--call" href=POLICE_TEL data-testid="call-police">
                            {move || i18n.messages().call_police()}
                        </a>
                    }
                })}
            <h2 id="assessment-title">{move || localized(&title, i18n.locale())}</h2>
            <p>{move || localized(&advice, i18n.locale())}</p>
            {(!triggered.is_empty())
                .then(|| {
                    view! {
                        <p class="assessment__why">{move || i18n.messages().summary_why()}</p>
                        <ul data-testid="triggered">
                            {triggered
                                .into_iter()
                                .map(|text| view! { <li>{move || localized(&text, i18n.locale())}</li> })
                                .collect_view()}
                        </ul>
                    }
                })}
        </section>
        <section class="card" aria-labelledby="guardrails-heading">
            <h2 id="guardrails-heading">{move || i18n.messages().summary_guardrails_heading()}</h2>
            <ul data-testid="guardrails">
                {guardrails
                    .into_iter()
                    .map(|text| view! { <li>{move || localized(&text, i18n.locale())}</li> })
                    .collect_view()}
            </ul>
        </section>
        <section class="card" aria-labelledby="contacts-heading">
            <h2 id="contacts-heading">{move || i18n.messages().summary_contacts_heading()}</h2>
            <RecommendedContacts contacts consult />
            <p class="hint">
                <A href="/contacts" attr:rel=crate::app::link_rel("/contacts")>{move || i18n.messages().contacts_see_all()}</A>
            </p>
        </section>
    }
}
