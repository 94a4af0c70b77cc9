//! The contacts an assessment recommends, each with Call and Copy: the national ones from the
//! national contacts file, the school's own (its protection team, Centre for Social Work,
//! psychologist or pedagogue) from the contacts the school entered on this phone, and, where
//! it has not, a link to enter them. The police are always callable on 192, even if the
//! contacts file could not be read. The contacts for consultation (outside the school, for
//! when the team cannot be reached) come after the others, under their own heading: the
//! school's procedure goes through its team and principal first.

use std::cell::RefCell;
use std::sync::Arc;

use leptos::prelude::*;
use leptos_router::components::A;
use prepoznaj_domain::catalogue::ContactId;
use prepoznaj_domain::contacts::Directory;
use prepoznaj_domain::local_contacts::{LocalContact, LocalContactList, LocalRole};

use crate::components::phone_actions::PhoneActions;
use crate::components::storage_error::storage_error_message;
use crate::content;
use crate::i18n::{Messages, use_i18n};
use crate::pages::local_contacts::LOCAL_CONTACTS_PATH;
use crate::storage::{StorageError, app_database, local_contacts};

/// The police emergency number, dialled as it is.
const POLICE_NUMBER: &str = "192";
const POLICE_CONTACT: &str = "police-192";

thread_local! {
    /// The school's contacts as last read on this page, shown at once when the assessment is
    /// redrawn (every answer redraws it) while they are read again.
    static LAST_READ: RefCell<Option<LocalContactList>> = const { RefCell::new(None) };
}

/// The catalogue's name of a recommended contact.
fn contact_name(messages: &'static Messages, contact: &ContactId) -> &'static str {
    match contact.as_str() {
        "police-192" => messages.contact_police_192(),
        "school-team" => messages.contact_school_team(),
        "social-care-centre" => messages.contact_social_care_centre(),
        "centre-trafficking-victims" => messages.contact_centre_trafficking_victims(),
        _ => messages.contact_school_psychologist(),
    }
}

/// The roles of the school's own contacts that a catalogue contact stands for, most direct
/// first; empty for a national contact. The school team is its lead or, as the catalogue
/// says, the principal.
fn local_roles(contact: &ContactId) -> &'static [LocalRole] {
    match contact.as_str() {
        "school-team" => &[LocalRole::ProtectionTeamLead, LocalRole::Principal],
        "social-care-centre" => &[LocalRole::SocialCareCentre],
        "school-psychologist" => &[LocalRole::PsychologistOrPedagogue],
        _ => &[],
    }
}

/// The school's contacts in `roles`, in the order of `roles`, then of the list.
fn local_matches(list: &LocalContactList, roles: &[LocalRole]) -> Vec<LocalContact> {
    roles
        .iter()
        .flat_map(|role| {
            list.contacts()
                .iter()
                .filter(move |contact| contact.role() == *role)
        })
        .cloned()
        .collect()
}

/// The recommended contacts, in the assessment's order, then those for consultation.
#[component]
pub fn RecommendedContacts(contacts: Vec<ContactId>, consult: Vec<ContactId>) -> impl IntoView {
    let i18n = use_i18n();
    let national = RwSignal::new(None::<Arc<Directory>>);
    let local = RwSignal::new(LAST_READ.with(|last| last.borrow().clone()));
    let local_error = RwSignal::new(None::<StorageError>);
    leptos::task::spawn_local(async move {
        match content::national_contacts().await {
            Ok(directory) => national.set(Some(directory)),
            Err(error) => leptos::logging::warn!("{error}"),
        }
    });
    leptos::task::spawn_local(async move {
        let read = match app_database().await {
            Ok(database) => local_contacts::load(&database).await,
            Err(error) => Err(error),
        };
        match read {
            Ok(list) => {
                LAST_READ.with(|last| *last.borrow_mut() = Some(list.clone()));
                local.set(Some(list));
            }
            Err(error) => local_error.set(Some(error)),
        }
    });
    let consult = (!consult.is_empty()).then(|| {
        view! {
            <h3 id="consult-heading" data-testid="consult-heading">
                {move || i18n.contacts().summary_contacts_consult_heading()}
            </h3>
            <ContactList contacts=consult national local testid="consult-contacts" labelledby="consult-heading" />
        }
    });
    view! {
        <ContactList contacts national local testid="recommended-contacts" labelledby="contacts-heading" />
        {consult}
        {move || {
            local_error
                .get()
                .map(|error| {
                    view! {
                        <p class="notice notice--warning" role="alert">
                            {move || storage_error_message(i18n.messages(), &error)}
                        </p>
                    }
                })
        }}
    }
}

/// One list of recommended contacts, each with its numbers once they are read.
#[component]
fn ContactList(
    contacts: Vec<ContactId>,
    national: RwSignal<Option<Arc<Directory>>>,
    local: RwSignal<Option<LocalContactList>>,
    testid: &'static str,
    labelledby: &'static str,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <ul class="recommended-contacts" data-testid=testid aria-labelledby=labelledby>
            {contacts
                .into_iter()
                .map(|contact| {
                    let name_id = format!("recommended-{contact}");
                    let key = contact.to_string();
                    let roles = local_roles(&contact);
                    let label_contact = contact.clone();
                    let numbers = move || {
                        if !roles.is_empty() {
                            return local
                                .get()
                                .map(|list| view! { <LocalNumbers contacts=local_matches(&list, roles) /> }.into_any());
                        }
                        let found = national
                            .get()
                            .and_then(|directory| directory.contact(&contact).cloned());
                        match found {
                            Some(found) => Some(
                                view! {
                                    <PhoneActions
                                        number=found.number_display().to_owned()
                                        tel_href=found.tel_href()
                                        danger=found.id().as_str() == POLICE_CONTACT
                                        describedby=Some(name_id.clone())
                                    />
                                }
                                    .into_any(),
                            ),
                            None if contact.as_str() == POLICE_CONTACT => Some(
                                view! {
                                    <PhoneActions
                                        number=POLICE_NUMBER.to_owned()
                                        tel_href=format!("tel:{POLICE_NUMBER}")
                                        danger=true
                                        describedby=Some(name_id.clone())
                                    />
                                }
                                    .into_any(),
                            ),
                            None => None,
                        }
                    };
                    view! {
                        <li class="recommended-contact" data-testid="recommended-contact" data-contact=key.clone()>
                            <p class="recommended-contact__name" id=format!("recommended-{key}")>
                                {move || contact_name(i18n.messages(), &label_contact)}
                            </p>
                            {numbers}
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}

/// The school's own numbers for one recommended contact, or a link to enter them.
#[component]
fn LocalNumbers(contacts: Vec<LocalContact>) -> impl IntoView {
    let i18n = use_i18n();
    if contacts.is_empty() {
        return view! {
            <p class="hint">{move || i18n.contacts().summary_contact_missing()}</p>
            <A
                href=LOCAL_CONTACTS_PATH
                attr:rel=crate::app::link_rel(LOCAL_CONTACTS_PATH)
                attr:class="button"
            >
                {move || i18n.contacts().contacts_school_add()}
            </A>
        }
        .into_any();
    }
    contacts
        .into_iter()
        .enumerate()
        .map(|(index, contact)| {
            let name_id = format!("recommended-local-{}-{index}", contact.role().as_str());
            view! {
                <p class="recommended-contact__local" id=name_id.clone()>
                    {contact.name().to_owned()}
                </p>
                <PhoneActions
                    number=contact.phone().display()
                    tel_href=contact.phone().tel_uri()
                    describedby=Some(name_id)
                />
            }
        })
        .collect_view()
        .into_any()
}
