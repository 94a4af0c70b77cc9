//! An inline confirmation before something that cannot be undone (delete, finish).

use leptos::prelude::*;

use crate::i18n::{MessageFn, use_i18n};

/// "Are you sure?" with a confirming button and Cancel. `danger` styles the confirming button
/// for destructive actions.
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
    let confirm_class = if danger {
        "button button--danger"
    } else {
        "button button--primary"
    };
    view! {
        <div class="confirm" role="alertdialog" aria-label=move || label(i18n.messages())>
            <p>{move || question(i18n.messages())}</p>
            <div class="actions">
                <button type="button" class=confirm_class on:click=move |_| on_confirm.run(())>
                    {move || confirm(i18n.messages())}
                </button>
                <button type="button" class="button" on:click=move |_| on_cancel.run(())>
                    {move || i18n.messages().observe_cancel}
                </button>
            </div>
        </div>
    }
}
