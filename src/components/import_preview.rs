//! What an import would do, before it does it: the contacts in the file or link, the ones on
//! this phone they would replace, and "Replace your school's contacts with these?".

use leptos::prelude::*;
use prepoznaj_domain::local_contacts::LocalContactList;
use prepoznaj_domain::locale::fill;

use crate::components::confirm_dialog::ConfirmPrompt;
use crate::components::local_contact_messages::role_label;
use crate::i18n::use_i18n;

/// The preview with its confirmation. Nothing is written here: `on_confirm` does that.
#[component]
pub fn ImportPreview(
    incoming: LocalContactList,
    current: LocalContactList,
    #[prop(into)] on_confirm: Callback<()>,
    #[prop(into)] on_cancel: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let n_incoming = incoming.len().to_string();
    let n_current = current.len().to_string();
    let question = {
        let n_incoming = n_incoming.clone();
        move || fill(i18n.contacts().import_question(), &[("count", &n_incoming)])
    };
    view! {
        <div class="import-preview" data-testid="import-preview">
            <p class="import-preview__label" id="import-incoming-label">
                {move || fill(i18n.contacts().import_new_heading(), &[("count", &n_incoming)])}
            </p>
            <LocalContactRows list=incoming labelledby="import-incoming-label" testid="import-incoming" />
            {if current.is_empty() {
                view! { <p class="hint">{move || i18n.contacts().import_current_empty()}</p> }.into_any()
            } else {
                view! {
                    <p class="import-preview__label" id="import-current-label">
                        {move || fill(i18n.contacts().import_current_heading(), &[("count", &n_current)])}
                    </p>
                    <LocalContactRows list=current labelledby="import-current-label" testid="import-current" />
                }
                    .into_any()
            }}
            <ConfirmPrompt
                label=question.clone()
                question
                confirm=move || i18n.contacts().import_confirm()
                on_confirm
                on_cancel
            />
        </div>
    }
}

/// A read-only list of the school's contacts: name, role, number.
#[component]
pub fn LocalContactRows(
    list: LocalContactList,
    labelledby: &'static str,
    testid: &'static str,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <ul class="local-contact-rows" aria-labelledby=labelledby data-testid=testid>
            {list
                .contacts()
                .iter()
                .map(|contact| {
                    let role = contact.role();
                    view! {
                        <li>
                            <span class="local-contact-rows__name">{contact.name().to_owned()}</span>
                            <span class="local-contact-rows__role">
                                {move || role_label(i18n.contacts(), role)}
                            </span>
                            <span class="local-contact-rows__number">{contact.phone().display()}</span>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}
