//! "Keep receipts for …", under the receipts on `/observe`: how long this phone keeps the
//! receipt of a report its team has (the sender deletes older ones on its next run).

use leptos::prelude::*;
use prepoznaj_domain::receipts::ReceiptRetention;

use crate::i18n::{TeamMessageFn, use_i18n};
use crate::preferences::{receipt_retention, save_receipt_retention};

/// The choices and their labels, shortest first.
const CHOICES: [(ReceiptRetention, TeamMessageFn); 4] = [
    (ReceiptRetention::Days30, |m| m.receipts_30),
    (ReceiptRetention::Days90, |m| m.receipts_90),
    (ReceiptRetention::Days180, |m| m.receipts_180),
    (ReceiptRetention::Days365, |m| m.receipts_365),
];

/// The choice, remembered on this device as soon as it is made.
#[component]
pub fn ReceiptsKept() -> impl IntoView {
    let i18n = use_i18n();
    let current = receipt_retention();
    let on_change = move |event| {
        let chosen = event_target_value(&event)
            .parse()
            .ok()
            .and_then(ReceiptRetention::from_days);
        if let Some(chosen) = chosen {
            save_receipt_retention(chosen);
        }
    };
    view! {
        <div class="field" data-testid="receipt-retention">
            <label for="receipt-days">{move || i18n.team().receipts_keep}</label>
            <select id="receipt-days" aria-describedby="receipt-days-hint" on:change=on_change>
                {CHOICES
                    .into_iter()
                    .map(|(choice, label)| {
                        view! {
                            <option value=choice.days().to_string() selected=choice == current>
                                {move || label(i18n.team())}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
            <p class="hint" id="receipt-days-hint">{move || i18n.team().receipts_hint}</p>
        </div>
    }
}
