//! One contact as a card: its name, whom it reaches, the number in large type (selectable, to
//! copy by hand), Call and Copy, and whatever the caller adds below (what the line is for,
//! hours, sources).

use leptos::prelude::*;

use crate::components::phone_actions::PhoneActions;

/// A contact card. `id` must be unique on the page: the card's heading gets `{id}-name`, which
/// labels the card and describes its buttons.
#[component]
pub fn ContactCard(
    id: String,
    #[prop(into)] name: TextProp,
    /// The name as a view, when parts of it are in another language (a Serbian name on a
    /// Hungarian page, marked with its `lang`); `name` otherwise.
    #[prop(optional)]
    name_view: Option<ViewFn>,
    /// Whom the number reaches, for the school's own contacts ("Social Care Centre").
    #[prop(optional, into)]
    role: Option<TextProp>,
    /// The number as people write it: shown and copied.
    number: String,
    /// The `tel:` link; `None` shows no Call button.
    #[prop(into)]
    tel_href: Option<String>,
    /// Styles the call as the emergency one (the police).
    #[prop(optional)]
    danger: bool,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    let heading_id = format!("{id}-name");
    let describedby = Some(heading_id.clone());
    view! {
        <article
            class="contact-card"
            class:contact-card--danger=danger
            aria-labelledby=heading_id.clone()
            data-testid="contact-card"
        >
            <h3 class="contact-card__name" id=heading_id.clone()>
                {match name_view {
                    Some(view) => (move || view.run()).into_any(),
                    None => (move || name.get()).into_any(),
                }}
            </h3>
            {role.map(|role| view! { <p class="contact-card__role">{move || role.get()}</p> })}
            <p class="contact-card__number">{number.clone()}</p>
            <PhoneActions number tel_href danger describedby />
            {children.map(|children| children())}
        </article>
    }
}
