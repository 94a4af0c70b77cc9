//! A labelled group of radio buttons (the observation's start form, Settings).

use leptos::prelude::*;

use crate::i18n::{MessageFn, use_i18n};

/// A labelled group of radio buttons choosing one of `choices` into `selected`.
#[component]
pub fn ChoiceGroup<T>(
    name: &'static str,
    legend: MessageFn,
    choices: &'static [(T, &'static str, MessageFn)],
    selected: RwSignal<T>,
) -> impl IntoView
where
    T: Copy + PartialEq + Send + Sync + 'static,
{
    let i18n = use_i18n();
    view! {
        <fieldset class="choice-group">
            <legend>{move || legend(i18n.messages())}</legend>
            {choices
                .iter()
                .map(|(value, id, label)| {
                    let (value, label) = (*value, *label);
                    view! {
                        <label class="choice">
                            <input
                                type="radio"
                                name=name
                                value=*id
                                prop:checked=move || selected.get() == value
                                on:change=move |_| selected.set(value)
                            />
                            <span>{move || label(i18n.messages())}</span>
                        </label>
                    }
                })
                .collect_view()}
        </fieldset>
    }
}
