//! `/`: the three tasks, the emergency number, and installation.

use leptos::prelude::*;

use crate::components::install_prompt::InstallPrompt;
use crate::i18n::{Messages, use_i18n, use_page_title};
use crate::page_link::PageLink;

/// A task offered on the home screen.
struct Task {
    href: &'static str,
    title: fn(&'static Messages) -> &'static str,
    description: fn(&'static Messages) -> &'static str,
}

const TASKS: [Task; 5] = [
    Task {
        href: "/observe",
        title: |m| m.home_observe_title(),
        description: |m| m.home_observe_desc(),
    },
    Task {
        href: "/quick",
        title: |m| m.home_quick_title(),
        description: |m| m.home_quick_desc(),
    },
    Task {
        href: "/guidance",
        title: |m| m.home_guidance_title(),
        description: |m| m.home_guidance_desc(),
    },
    Task {
        href: "/contacts",
        title: |m| m.home_contacts_title(),
        description: |m| m.home_contacts_desc(),
    },
    Task {
        href: "/settings",
        title: |m| m.home_settings_title(),
        description: |m| m.home_settings_desc(),
    },
];

/// Home screen.
#[component]
pub fn HomePage() -> impl IntoView {
    let i18n = use_i18n();
    use_page_title(|m| m.home_title());
    view! {
        <h1>{move || i18n.messages().home_title()}</h1>
        <p class="lead">{move || i18n.messages().home_intro()}</p>
        <section class="emergency" aria-labelledby="emergency-text">
            <p id="emergency-text">{move || i18n.messages().home_emergency()}</p>
            <a class="button button--danger" href="tel:192">
                {move || i18n.messages().home_emergency_call()}
            </a>
        </section>
        <ul class="tasks">
            {TASKS
                .iter()
                .map(|task| {
                    let (title, description) = (task.title, task.description);
                    view! {
                        <li>
                            <PageLink href=task.href class="task">
                                <span class="task__title">{move || title(i18n.messages())}</span>
                                <span class="task__description">
                                    {move || description(i18n.messages())}
                                </span>
                            </PageLink>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
        <InstallPrompt />
    }
}
