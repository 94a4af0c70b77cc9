//! `/inbox`: the protection team's inbox on a team member's device. Unlocked with the
//! member's passphrase (`components::inbox_gate`), it lists the school's reports, newest first,
//! decrypted in memory (`crate::inbox`): received time, observer, setting, assessment, marked
//! signs and the team's status (from verified team notes only; when the server's coarse
//! statuses say otherwise, that is said too), urgent ones marked in words. A report that cannot be opened
//! is listed with the reason and never hides the others. Works offline with what this device
//! already downloaded; the inbox's one setting (when it locks itself) is here too.

use leptos::prelude::*;
use prepoznaj_domain::assessment::Level;
use prepoznaj_domain::locale::fill;
use prepoznaj_domain::protocol::ErrorCode;

use crate::clock::format_time;
use crate::components::api_error::api_error_message;
use crate::components::inbox_gate::InboxGate;
use crate::components::inbox_labels::{
    failure_reason, level_label, role_label, server_disagrees, setting_label, status_label,
};
use crate::components::storage_error::storage_error_message;
use crate::i18n::{use_i18n, use_title};
use crate::inbox::reading::InboxItem;
use crate::inbox::{Download, use_inbox};
use crate::preferences;
use crate::sync::api::ApiCallError;

/// The inbox page.
#[component]
pub fn InboxPage() -> impl IntoView {
    let i18n = use_i18n();
    use_title(|i18n| i18n.inbox().inbox_title);
    view! {
        <h1>{move || i18n.inbox().inbox_title}</h1>
        <InboxGate>
            <InboxToolbar />
            <InboxList />
        </InboxGate>
        <InboxSettings />
    }
}

/// "Check for new reports" and what the last check found.
#[component]
fn InboxToolbar() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_inbox();
    let refresh = move |_| {
        leptos::task::spawn_local(async move { session.refresh().await });
    };
    view! {
        <div class="actions no-print">
            <button
                type="button"
                class="button"
                disabled=move || session.download_state() == Download::Running
                on:click=refresh
            >
                {move || i18n.inbox().inbox_refresh}
            </button>
        </div>
        <p role="status" data-testid="inbox-download">
            {move || match session.download_state() {
                Download::Idle | Download::Done => String::new(),
                Download::Running => i18n.inbox().inbox_downloading.to_owned(),
                Download::Failed(ApiCallError::Offline) => i18n.inbox().inbox_offline.to_owned(),
                Download::Failed(
                    error @ ApiCallError::Refused {
                        code: ErrorCode::Unauthorized | ErrorCode::TokenRevoked,
                        ..
                    },
                ) => api_error_message(i18n.team(), &error).to_owned(),
                Download::Failed(_) => i18n.inbox().inbox_download_failed.to_owned(),
                Download::Storage(error) => storage_error_message(i18n.messages(), &error).to_owned(),
            }}
        </p>
    }
}

/// The decrypted reports, newest first.
#[component]
fn InboxList() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_inbox();
    move || match session.items() {
        None => view! { <p role="status">{move || i18n.messages().observe_loading}</p> }.into_any(),
        Some(items) if items.is_empty() => {
            view! { <p data-testid="inbox-empty">{move || i18n.inbox().inbox_empty}</p> }.into_any()
        }
        Some(items) => {
            let count = items.len().to_string();
            view! {
                <p role="status" data-testid="inbox-count">{move || fill(i18n.inbox().inbox_count, &[("count", &count)])}</p>
                <ul class="inbox-list" data-testid="inbox-list">
                    {items.into_iter().map(|item| view! { <InboxRow item /> }).collect_view()}
                </ul>
            }
            .into_any()
        }
    }
}

#[component]
fn InboxRow(item: InboxItem) -> impl IntoView {
    let i18n = use_i18n();
    let href = format!("/inbox/{}", item.id);
    let received_at = item.received_at;
    let received = move || format_time(received_at, i18n.locale().is_serbian());
    let id = item.id.clone();
    match item.observation {
        Err(failure) => view! {
            <li class="inbox-row inbox-row--failed" data-testid="inbox-report-failed" data-id=item.id.clone()>
                <p class="notice notice--warning">
                    {move || fill(
                        i18n.inbox().inbox_open_failed,
                        &[("date", &received()), ("id", &id), ("reason", failure_reason(i18n.inbox(), failure))],
                    )}
                </p>
                <a href=href class="inbox-link">{move || i18n.inbox().inbox_report_title}</a>
            </li>
        }
        .into_any(),
        Ok(observation) => {
            let context = observation.context().clone();
            let level = item.level;
            let urgent = level == Some(Level::ImmediateDanger);
            let status = item.status;
            let server_says = item.server_says;
            let marked = item.marked.to_string();
            view! {
                <li
                    class="inbox-row"
                    class:inbox-row--urgent=urgent
                    data-testid="inbox-report"
                    data-id=id
                    data-status=status.as_str()
                    data-level=level.map_or("", Level::as_str)
                >
                    <a href=href class="inbox-row__link">
                        {urgent.then(|| view! {
                            <strong class="inbox-urgent" data-testid="inbox-urgent">{move || i18n.inbox().inbox_urgent}</strong>
                            " "
                        })}
                        <span>{move || i18n.inbox().inbox_received} " " {received}</span>
                    </a>
                    <dl class="inbox-row__facts">
                        <div>
                            <dt>{move || i18n.inbox().inbox_status}</dt>
                            <dd data-testid="inbox-status">{move || status_label(i18n.inbox(), status)}</dd>
                        </div>
                        <div>
                            <dt>{move || i18n.inbox().inbox_level}</dt>
                            <dd>{move || level_label(i18n.inbox(), level)}</dd>
                        </div>
                        <div>
                            <dt>{move || i18n.inbox().inbox_role}</dt>
                            <dd>{move || role_label(i18n.messages(), context.observer_role)}</dd>
                        </div>
                        <div>
                            <dt>{move || i18n.inbox().inbox_setting}</dt>
                            <dd>{move || setting_label(i18n.messages(), context.setting)}</dd>
                        </div>
                    </dl>
                    {server_says.map(|server_says| view! {
                        <p class="notice notice--warning" data-testid="inbox-server-disagrees" data-status=server_says.as_str()>
                            {move || server_disagrees(i18n.inbox(), server_says)}
                        </p>
                    })}
                    <p class="hint">{move || fill(i18n.inbox().inbox_marked, &[("count", &marked)])}</p>
                </li>
            }
            .into_any()
        }
    }
}

/// When the inbox locks itself: after how many minutes without use.
#[component]
fn InboxSettings() -> impl IntoView {
    let i18n = use_i18n();
    let chosen = preferences::choice_signal(
        preferences::inbox_lock_minutes(),
        preferences::recorded_inbox_lock_minutes(),
    );
    let failure = RwSignal::new(None);
    let on_change = move |event: leptos::ev::Event| {
        if let Ok(minutes) = event_target_value(&event).parse::<u32>() {
            chosen.set(minutes);
            preferences::save_choice(preferences::save_inbox_lock_minutes(minutes), failure);
        }
    };
    view! {
        <section class="card no-print" aria-labelledby="inbox-settings-heading">
            <h2 id="inbox-settings-heading">{move || i18n.inbox().inbox_settings_heading}</h2>
            <div class="field">
                <label for="inbox-lock-minutes">{move || i18n.inbox().inbox_lock_after}</label>
                <select id="inbox-lock-minutes" on:change=on_change>
                    {preferences::INBOX_LOCK_CHOICES
                        .into_iter()
                        .map(|minutes| {
                            view! {
                                <option value=minutes.to_string() selected=move || chosen.get() == minutes>
                                    {move || i18n.inbox().inbox_minutes.format(u64::from(minutes))}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
                {move || failure.get().map(|error| view! {
                    <p class="field__error" role="alert">{storage_error_message(i18n.messages(), &error)}</p>
                })}
            </div>
        </section>
    }
}
