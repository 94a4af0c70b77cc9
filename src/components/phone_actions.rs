//! Call and Copy for one phone number: a large `tel:` link that starts the call in the phone's
//! dialler, and a button that copies the number. A number without a `tel:` link (a line whose
//! purpose no source confirms) gets Copy only.

use leptos::prelude::*;
use prepoznaj_domain::locale::fill;

use crate::components::copy_button::CopyButton;
use crate::i18n::use_i18n;

/// "Call 192" and "Copy number". `number` is shown and copied as people write it; `tel_href`
/// dials the E.164 form (`tel:+381…`), a freephone number in national format
/// (`tel:0800…`) or the short code (`tel:192`); without it there is no Call link.
/// `describedby` names the element that says whom the number reaches.
#[component]
pub fn PhoneActions(
    number: String,
    #[prop(into)] tel_href: Option<String>,
    /// Styles the call as the emergency one (the police).
    #[prop(optional)]
    danger: bool,
    #[prop(optional_no_strip)] describedby: Option<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    let call_class = if danger {
        "button button--danger phone-actions__call"
    } else {
        "button button--primary phone-actions__call"
    };
    let call_text = {
        let number = number.clone();
        move || fill(i18n.contacts().contact_call(), &[("number", &number)])
    };
    let call = tel_href.map(|tel_href| {
        let describedby = describedby.clone();
        view! {
            <a class=call_class href=tel_href aria-describedby=describedby>
                {call_text}
            </a>
        }
    });
    view! {
        <div class="phone-actions">
            {call}
            <CopyButton
                text=number
                label=move || i18n.contacts().contact_copy()
                copied=move || i18n.contacts().contact_copied()
                unavailable=move || i18n.contacts().contact_copy_unavailable()
                describedby=describedby
            />
        </div>
    }
}
