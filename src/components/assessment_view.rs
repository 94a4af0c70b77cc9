//! The outcome of an observation: the level and its advice, the signs that led to it, the
//! guardrails, and whom to contact. In immediate danger the call to 192 comes first.

use std::sync::Arc;

use leptos::prelude::*;
use leptos_router::components::A;
use prepoznaj_domain::assessment::{Assessment, Level};
use prepoznaj_domain::catalogue::{Catalogue, ContactId};

use crate::i18n::{Messages, use_i18n};

/// The `tel:` link of the police emergency number.
pub const POLICE_TEL: &str = "tel:192";

fn contact_name(messages: &'static Messages, contact: &ContactId) -> &'static str {
    match contact.as_str() {
        "police-192" => messages.contact_police_192,
        "school-team" => messages.contact_school_team,
        "social-care-centre" => messages.contact_social_care_centre,
        "centre-trafficking-victims" => messages.contact_centre_trafficking_victims,
        _ => messages.contact_school_psychologist,
    }
}

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
                            {move || i18n.messages().call_police}
                        </a>
                    }
                })}
            <h2 id="assessment-title">{move || title.get(i18n.locale()).into_owned()}</h2>
            <p>{move || advice.get(i18n.locale()).into_owned()}</p>
            {(!triggered.is_empty())
                .then(|| {
                    view! {
                        <p class="assessment__why">{move || i18n.messages().summary_why}</p>
                        <ul data-testid="triggered">
                            {triggered
                                .into_iter()
                                .map(|text| view! { <li>{move || text.get(i18n.locale()).into_owned()}</li> })
                                .collect_view()}
                        </ul>
                    }
                })}
        </section>
        <section class="card" aria-labelledby="guardrails-heading">
            <h2 id="guardrails-heading">{move || i18n.messages().summary_guardrails_heading}</h2>
            <ul data-testid="guardrails">
                {guardrails
                    .into_iter()
                    .map(|text| view! { <li>{move || text.get(i18n.locale()).into_owned()}</li> })
                    .collect_view()}
            </ul>
        </section>
        <section class="card" aria-labelledby="contacts-heading">
            <h2 id="contacts-heading">{move || i18n.messages().summary_contacts_heading}</h2>
            <ul class="contacts" data-testid="recommended-contacts">
                {contacts
                    .into_iter()
                    .map(|contact| {
                        let is_police = contact.as_str() == "police-192";
                        view! {
                            <li>
                                {if is_police {
                                    view! {
                                        <a class="button button--danger" href=POLICE_TEL>
                                            {move || contact_name(i18n.messages(), &contact)}
                                        </a>
                                    }
                                        .into_any()
                                } else {
                                    view! { <span>{move || contact_name(i18n.messages(), &contact)}</span> }
                                        .into_any()
                                }}
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
            <p class="hint">
                <A href="/contacts" attr:rel=crate::app::link_rel("/contacts")>{move || i18n.messages().contacts_see_all}</A>
            </p>
        </section>
    }
}
