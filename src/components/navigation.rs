//! The bottom navigation bar: the app's main destinations, within reach of a thumb.

use crate::i18n::{Messages, use_i18n};
use crate::page_link::PageLink;
use leptos::prelude::*;

/// A destination of the main navigation.
struct Destination {
    href: &'static str,
    label: fn(&'static Messages) -> &'static str,
}

/// Home is reached through the app's name in the header, which keeps four roomy targets
/// on a 320 px screen.
const DESTINATIONS: [Destination; 4] = [
    Destination {
        href: "/observe",
        label: |m| m.nav_observe(),
    },
    Destination {
        href: "/guidance",
        label: |m| m.nav_guidance(),
    },
    Destination {
        href: "/contacts",
        label: |m| m.nav_contacts(),
    },
    Destination {
        href: "/settings",
        label: |m| m.nav_settings(),
    },
];

/// Main navigation; the current page's link carries `aria-current="page"`.
#[component]
pub fn Navigation() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <nav class="navigation" aria-label=move || i18n.messages().nav_label()>
            <ul class="navigation__list">
                {DESTINATIONS
                    .iter()
                    .map(|destination| {
                        let label = destination.label;
                        view! {
                            <li>
                                <PageLink href=destination.href class="navigation__link">
                                    {move || label(i18n.messages())}
                                </PageLink>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </nav>
    }
}
