//! `/contacts`: whom to call. The school's own contacts first (entered on this phone; there is
//! no national directory of Centres for Social Work), then the national numbers from the
//! contacts file, each with what it is for, when it answers, that the call is free where a
//! source says so, what was checked and when, how sure we are of it and its sources as links.
//! A number is never hidden for being uncertain: the card says how sure we are. A line whose
//! purpose no source confirms is shown without a Call button, and says why.

use std::sync::Arc;

use leptos::prelude::*;
use leptos_router::components::A;
use prepoznaj_domain::contacts::{Confidence, Directory, NationalContact, Verification};
use prepoznaj_domain::local_contacts::LocalContactList;
use prepoznaj_domain::locale::fill;

use crate::components::contact_card::ContactCard;
use crate::components::local_contact_messages::role_label;
use crate::components::localized::localized;
use crate::components::source_citation::SourceCitation;
use crate::components::storage_error::{PageError, PageErrorView};
use crate::content::{self, ContentError};
use crate::i18n::{ContactsMessages, use_i18n, use_page_title};
use crate::pages::local_contacts::LOCAL_CONTACTS_PATH;
use crate::storage::{StorageError, app_database, local_contacts};

/// The address of this page.
pub const CONTACTS_PATH: &str = "/contacts";

/// The contacts screen.
#[component]
pub fn ContactsPage() -> impl IntoView {
    let i18n = use_i18n();
    use_page_title(|m| m.contacts_title());
    let local = RwSignal::new(None::<Result<LocalContactList, StorageError>>);
    let national = RwSignal::new(None::<Result<Arc<Directory>, ContentError>>);
    leptos::task::spawn_local(async move {
        let read = match app_database().await {
            Ok(database) => local_contacts::load(&database).await,
            Err(error) => Err(error),
        };
        local.set(Some(read));
    });
    leptos::task::spawn_local(async move {
        national.set(Some(content::national_contacts().await));
    });
    view! {
        <h1>{move || i18n.messages().contacts_title()}</h1>
        <p>{move || i18n.contacts().contacts_intro()}</p>
        <section class="contacts-section" aria-labelledby="school-contacts-heading" data-testid="school-contacts">
            <h2 id="school-contacts-heading">{move || i18n.contacts().contacts_school_heading()}</h2>
            {move || match local.get() {
                None => view! { <p role="status">{move || i18n.contacts().contacts_loading()}</p> }.into_any(),
                Some(Err(error)) => {
                    view! { <PageErrorView error=PageError::Storage(error) /> }
                        .into_any()
                }
                Some(Ok(list)) if list.is_empty() => {
                    view! {
                        <p class="notice" data-testid="school-contacts-empty">
                            {move || i18n.contacts().contacts_school_empty()}
                        </p>
                        <A href=LOCAL_CONTACTS_PATH attr:class="button button--primary contacts-section__action">
                            {move || i18n.contacts().contacts_school_add()}
                        </A>
                    }
                        .into_any()
                }
                Some(Ok(list)) => view! { <SchoolContacts list /> }.into_any(),
            }}
        </section>
        <section class="contacts-section" aria-labelledby="national-contacts-heading" data-testid="national-contacts">
            <h2 id="national-contacts-heading">{move || i18n.contacts().contacts_national_heading()}</h2>
            {move || match national.get() {
                None => view! { <p role="status">{move || i18n.contacts().contacts_loading()}</p> }.into_any(),
                Some(Err(_)) => {
                    view! {
                        <p class="notice notice--warning" role="alert">
                            {move || i18n.contacts().contacts_national_unavailable()}
                        </p>
                    }
                        .into_any()
                }
                Some(Ok(directory)) => {
                    directory
                        .contacts()
                        .iter()
                        .map(|contact| view! { <NationalContactCard contact=contact.clone() /> })
                        .collect_view()
                        .into_any()
                }
            }}
        </section>
    }
}

/// The school's own contacts, in its order, and the way to change them.
#[component]
fn SchoolContacts(list: LocalContactList) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        {list
            .contacts()
            .iter()
            .enumerate()
            .map(|(index, contact)| {
                let role = contact.role();
                view! {
                    <ContactCard
                        id=format!("school-contact-{index}")
                        name=contact.name().to_owned()
                        role=move || role_label(i18n.contacts(), role)
                        number=contact.phone().display()
                        tel_href=contact.phone().tel_uri()
                    />
                }
            })
            .collect_view()}
        <A href=LOCAL_CONTACTS_PATH attr:class="button contacts-section__action">
            {move || i18n.contacts().contacts_school_edit()}
        </A>
    }
}

/// What was checked and how, with `{date}` for the day: "Checked against published sources on
/// {date}; not called."
fn checked_text(messages: &'static ContactsMessages, verification: Verification) -> &'static str {
    match verification {
        Verification::ArchivedSources => messages.contact_checked_archived_sources(),
        Verification::OperatorWebsite => messages.contact_checked_operator_website(),
        Verification::PhoneCall => messages.contact_checked_phone_call(),
    }
}

/// One national contact: Call (unless its purpose is unconfirmed) and Copy, what it is for,
/// hours, that the call is free (only with the source that says so), what was checked and
/// when, and, folded away, how sure we are and the sources as links.
#[component]
fn NationalContactCard(contact: NationalContact) -> impl IntoView {
    let i18n = use_i18n();
    let id = format!("national-{}", contact.id());
    let name = contact.name().clone();
    let purpose = contact.purpose().clone();
    let hours = contact.hours().cloned();
    let free_source = contact.free_call_source().cloned();
    let confidence = contact.confidence();
    let note = contact.confidence_note().cloned();
    let last_verified = contact.last_verified();
    let verified_by = contact.verified_by();
    let sources = contact.sources().to_vec();
    let unsure = confidence < Confidence::High;
    let callable = contact.purpose_confirmed();
    view! {
        <ContactCard
            id=id
            name={
                let name = name.clone();
                move || name.get(i18n.locale()).into_owned()
            }
            name_view=ViewFn::from(move || localized(&name, i18n.locale()))
            number=contact.number_display().to_owned()
            tel_href=contact.tel_href()
            danger=contact.id().as_str() == "police-192"
        >
            {(!callable)
                .then(|| {
                    view! {
                        <p class="contact-card__no-call" data-testid="contact-no-call">
                            {move || i18n.contacts().contact_no_call()}
                        </p>
                    }
                })}
            <p class="contact-card__purpose">{move || localized(&purpose, i18n.locale())}</p>
            <dl class="contact-card__facts">
                <div>
                    <dt>{move || i18n.contacts().contact_hours()}</dt>
                    <dd data-testid="contact-hours">
                        {move || match &hours {
                            Some(hours) => localized(hours, i18n.locale()),
                            None => i18n.contacts().contact_unknown().into_any(),
                        }}
                    </dd>
                </div>
                {free_source
                    .map(|source| {
                        let href = source.url().to_owned();
                        let title = source.title().clone();
                        view! {
                            <div>
                                <dt>{move || i18n.contacts().contact_cost()}</dt>
                                <dd data-testid="contact-cost">
                                    {move || i18n.contacts().contact_free()} " "
                                    {move || i18n.contacts().contact_free_source()} " "
                                    <a
                                        href=href
                                        target="_blank"
                                        rel="noopener noreferrer"
                                        data-testid="contact-free-source"
                                    >
                                        {move || localized(&title, i18n.locale())}
                                    </a>
                                </dd>
                            </div>
                        }
                    })}
                <div>
                    <dt>{move || i18n.contacts().contact_last_verified()}</dt>
                    <dd data-testid="last-verified">
                        {move || {
                            let locale = i18n.locale();
                            fill(
                                checked_text(i18n.contacts(), verified_by),
                                &[("date", &last_verified.long(locale))],
                            )
                        }}
                    </dd>
                </div>
            </dl>
            {unsure
                .then(|| {
                    view! {
                        <p class="contact-card__confidence" data-confidence=format!("{confidence:?}").to_lowercase()>
                            {move || {
                                let messages = i18n.contacts();
                                if confidence == Confidence::Low {
                                    messages.contact_confidence_low()
                                } else {
                                    messages.contact_confidence_medium()
                                }
                            }}
                        </p>
                    }
                })}
            <details class="contact-card__details disclosure">
                <summary>
                    {move || {
                        let messages = i18n.contacts();
                        if unsure { messages.contact_details_unsure() } else { messages.contact_details() }
                    }}
                </summary>
                {note.map(|note| view! { <p data-testid="confidence-note">{move || localized(&note, i18n.locale())}</p> })}
                <p class="contact-card__sources-label">{move || i18n.contacts().contact_sources()}</p>
                <ul class="contact-card__sources" data-testid="sources">
                    {move || {
                        let locale = i18n.locale();
                        sources
                            .iter()
                            .map(|source| {
                                view! {
                                    <li data-testid="contact-source">
                                        <SourceCitation source=source.clone() locale />
                                    </li>
                                }
                            })
                            .collect_view()
                    }}
                </ul>
            </details>
        </ContactCard>
    }
}
