//! Online/offline indicator, visible on every screen.

use leptos::prelude::*;

use crate::i18n::use_i18n;
use crate::pwa::use_pwa;

/// A small badge saying whether the phone is online; offline, it explains that work goes on.
#[component]
pub fn ConnectionStatus() -> impl IntoView {
    let i18n = use_i18n();
    let pwa = use_pwa();
    view! {
        <p
            class="connection-status"
            class:connection-status--offline=move || !pwa.online()
            role="status"
            data-testid="connection-status"
            data-online=move || pwa.online().to_string()
            title=move || (!pwa.online()).then(|| i18n.messages().status_offline_hint())
        >
            <span class="connection-status__dot" aria-hidden="true"></span>
            {move || {
                let messages = i18n.messages();
                if pwa.online() { messages.status_online() } else { messages.status_offline() }
            }}
        </p>
    }
}
