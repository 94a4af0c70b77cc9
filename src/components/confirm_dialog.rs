//! An inline confirmation before something that cannot be undone (delete, finish, replace).

use leptos::prelude::*;

use crate::i18n::{MessageFn, use_i18n};

/// "Are you sure?" with a confirming button and Cancel, in the shell's messages. `danger`
/// styles the confirming button for destructive actions.
#[component]
pub fn ConfirmDialog(
    /// The action's name, for screen readers.
    label: MessageFn,
    /// The question, saying what cannot be undone.
    question: MessageFn,
    /// The confirming button's text.
    confirm: MessageFn,
    #[prop(optional)] danger: bool,
    #[prop(into)] on_confirm: Callback<()>,
    #[prop(into)] on_cancel: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <ConfirmPrompt
            label=move || label(i18n.messages())
            question=move || question(i18n.messages())
            confirm=move || confirm(i18n.messages())
            danger
            on_confirm
            on_cancel
        />
    }
}

/// The same confirmation with texts from anywhere: a bundle's own messages, or a question
/// that names what it is about ("Remove “Ana Petrović”?").
#[component]
pub fn ConfirmPrompt(
    /// The action's name, for screen readers.
    #[prop(into)]
    label: TextProp,
    /// The question, saying what cannot be undone.
    #[prop(into)]
    question: TextProp,
    /// The confirming button's text.
    #[prop(into)]
    confirm: TextProp,
    #[prop(optional)] danger: bool,
    #[prop(into)] on_confirm: Callback<()>,
    #[prop(into)] on_cancel: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let confirm_class = if danger {
        "button button--danger"
    } else {
        "button button--primary"
    };
    view! {
        <div class="confirm" role="alertdialog" aria-label=move || label.get()>
            <p>{move || question.get()}</p>
            <div class="actions">
                <button type="button" class=confirm_class on:click=move |_| on_confirm.run(())>
                    {move || confirm.get()}
                </button>
                <button type="button" class="button" on:click=move |_| on_cancel.run(())>
                    {move || i18n.messages().observe_cancel()}
                </button>
            </div>
        </div>
    }
}
