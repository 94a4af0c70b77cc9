//! `/`: the three tasks, the emergency number, and installation.

use leptos::prelude::*;

use prepoznaj_domain::locale::fill;
use prepoznaj_domain::practice::local_day;

use crate::components::install_prompt::InstallPrompt;
use crate::i18n::{Messages, use_i18n, use_page_title};
use crate::page_link::PageLink;
use crate::preferences::practice_due_on;

/// A task offered on the home screen.
struct Task {
    href: &'static str,
    title: fn(&'static Messages) -> &'static str,
    description: fn(&'static Messages) -> &'static str,
}

const TASKS: [Task; 6] = [
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
        href: "/practice",
        title: |m| m.home_practice_title(),
        description: |m| m.home_practice_desc(),
    },
    Task {
        href: "/settings",
        title: |m| m.home_settings_title(),
        description: |m| m.home_settings_desc(),
    },
];

/// The practice's address: its task shows how many cases are due.
const PRACTICE_HREF: &str = "/practice";

/// How many practised cases are due again today: the home screen shows "Cases to practise: N"
/// on the practice task when there are some, and nothing otherwise (never a prompt). Read from
/// the due days practice leaves in the preferences, so the home screen loads no practice code.
fn practice_due() -> usize {
    let offset_minutes = -(js_sys::Date::new_0().get_timezone_offset() as i64);
    let today = local_day(js_sys::Date::now() as i64, offset_minutes);
    practice_due_on(today)
}

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
                    // Only the practice task has a count; the others' badge stays empty.
                    let due = if task.href == PRACTICE_HREF { practice_due() } else { 0 };
                    view! {
                        <li>
                            <PageLink href=task.href class="task">
                                <span class="task__title">{move || title(i18n.messages())}</span>
                                <span class="task__description">
                                    {move || description(i18n.messages())}
                                </span>
                                <span class="task__badge">
                                    {move || {
                                        if due == 0 {
                                            String::new()
                                        } else {
                                            fill(
                                                i18n.messages().home_practice_due(),
                                                &[("count", &due.to_string())],
                                            )
                                        }
                                    }}
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
