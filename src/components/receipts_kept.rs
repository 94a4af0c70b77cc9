//! "Keep receipts for …", under the receipts on `/observe`: how long this phone keeps the
//! receipt of a report its team has (the sender deletes older ones on its next run).

use leptos::prelude::*;
use prepoznaj_domain::receipts::ReceiptRetention;

use crate::components::storage_error::storage_error_message;
use crate::i18n::{TeamMessageFn, use_i18n};
use crate::preferences::{
    choice_signal, receipt_retention, recorded_receipt_retention, save_choice,
    save_receipt_retention,
};

/// The choices and their labels, shortest first.
const CHOICES: [(ReceiptRetention, TeamMessageFn); 4] = [
    (ReceiptRetention::Days30, |m| m.receipts_30()),
    (ReceiptRetention::Days90, |m| m.receipts_90()),
    (ReceiptRetention::Days180, |m| m.receipts_180()),
    (ReceiptRetention::Days365, |m| m.receipts_365()),
];

/// The choice, recorded on this device as soon as it is made; a failure to record it is said.
#[component]
pub fn ReceiptsKept() -> impl IntoView {
    let i18n = use_i18n();
    let current = choice_signal(receipt_retention(), recorded_receipt_retention());
    let failure = RwSignal::new(None);
    let on_change = move |event| {
        let chosen = event_target_value(&event)
            .parse()
            .ok()
            .and_then(ReceiptRetention::from_days);
        if let Some(chosen) = chosen {
            current.set(chosen);
            save_choice(save_receipt_retention(chosen), failure);
        }
    };
    view! {
        <div class="field" data-testid="receipt-retention">
            <label for="receipt-days">{move || i18n.team().receipts_keep()}</label>
            <select id="receipt-days" aria-describedby="receipt-days-hint" on:change=on_change>
                {CHOICES
                    .into_iter()
                    .map(|(choice, label)| {
                        view! {
                            <option value=choice.days().to_string() selected=move || current.get() == choice>
                                {move || label(i18n.team())}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
            <p class="hint" id="receipt-days-hint">{move || i18n.team().receipts_hint()}</p>
            {move || failure.get().map(|error| view! {
                <p class="field__error" role="alert">{storage_error_message(i18n.messages(), &error)}</p>
            })}
        </div>
    }
}
