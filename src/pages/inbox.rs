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
use crate::html::escape_into;
use crate::i18n::{InboxMessages, Messages, use_i18n, use_title};
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
///
/// The rows are one piece of HTML in the current locale (a language switch draws the list
/// again), as the checklist's indicators (`components::indicator_list`): two hundred rows built
/// element by element took about 140 ms at 4× CPU after unlocking, a quarter of the budget
/// (`tests/bench/unlock.mjs`). The markup is the one a view would make; every text is escaped.
#[component]
fn InboxList() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_inbox();
    move || {
        session.with_items(|items| match items {
            None => {
                view! { <p role="status">{move || i18n.messages().observe_loading}</p> }.into_any()
            }
            Some(items) if items.is_empty() => {
                view! { <p data-testid="inbox-empty">{move || i18n.inbox().inbox_empty}</p> }
                    .into_any()
            }
            Some(items) => {
                let labels = RowLabels {
                    inbox: i18n.inbox(),
                    messages: i18n.messages(),
                    serbian: i18n.locale().is_serbian(),
                };
                let count = fill(
                    labels.inbox.inbox_count,
                    &[("count", &items.len().to_string())],
                );
                let mut rows = String::with_capacity(items.len() * 900);
                for item in items {
                    row_html(&mut rows, item, labels);
                }
                view! {
                    <p role="status" data-testid="inbox-count">{count}</p>
                    <ul class="inbox-list" data-testid="inbox-list" inner_html=rows></ul>
                }
                .into_any()
            }
        })
    }
}

/// The texts of one locale that every row uses.
#[derive(Clone, Copy)]
struct RowLabels {
    inbox: &'static InboxMessages,
    messages: &'static Messages,
    serbian: bool,
}

/// Appends one report's row (an `<li>`) to `html`, its texts escaped.
fn row_html(html: &mut String, item: &InboxItem, labels: RowLabels) {
    let RowLabels {
        inbox,
        messages,
        serbian,
    } = labels;
    let received = format_time(item.received_at, serbian);
    match &item.observation {
        Err(failure) => {
            html.push_str(r#"<li class="inbox-row inbox-row--failed" data-testid="inbox-report-failed" data-id=""#);
            escape_into(html, &item.id);
            html.push_str(r#""><p class="notice notice--warning">"#);
            escape_into(
                html,
                &fill(
                    inbox.inbox_open_failed,
                    &[
                        ("date", &received),
                        ("id", &item.id),
                        ("reason", failure_reason(inbox, *failure)),
                    ],
                ),
            );
            html.push_str(r#"</p><a class="inbox-link" href="/inbox/"#);
            escape_into(html, &item.id);
            html.push_str(r#"">"#);
            escape_into(html, inbox.inbox_report_title);
            html.push_str("</a></li>");
        }
        Ok(observation) => {
            let context = observation.context();
            let urgent = item.level == Some(Level::ImmediateDanger);
            html.push_str(if urgent {
                r#"<li class="inbox-row inbox-row--urgent" data-testid="inbox-report" data-id=""#
            } else {
                r#"<li class="inbox-row" data-testid="inbox-report" data-id=""#
            });
            escape_into(html, &item.id);
            html.push_str(r#"" data-status=""#);
            escape_into(html, item.status.as_str());
            html.push_str(r#"" data-level=""#);
            escape_into(html, item.level.map_or("", Level::as_str));
            html.push_str(r#""><a class="inbox-row__link" href="/inbox/"#);
            escape_into(html, &item.id);
            html.push_str(r#"">"#);
            if urgent {
                html.push_str(r#"<strong class="inbox-urgent" data-testid="inbox-urgent">"#);
                escape_into(html, inbox.inbox_urgent);
                html.push_str("</strong> ");
            }
            html.push_str("<span>");
            escape_into(html, inbox.inbox_received);
            html.push(' ');
            escape_into(html, &received);
            html.push_str(r#"</span></a><dl class="inbox-row__facts">"#);
            let facts = [
                (
                    inbox.inbox_status,
                    status_label(inbox, item.status),
                    r#" data-testid="inbox-status""#,
                ),
                (inbox.inbox_level, level_label(inbox, item.level), ""),
                (
                    inbox.inbox_role,
                    role_label(messages, context.observer_role),
                    "",
                ),
                (
                    inbox.inbox_setting,
                    setting_label(messages, context.setting),
                    "",
                ),
            ];
            for (term, value, test_id) in facts {
                html.push_str("<div><dt>");
                escape_into(html, term);
                html.push_str("</dt><dd");
                html.push_str(test_id);
                html.push('>');
                escape_into(html, value);
                html.push_str("</dd></div>");
            }
            html.push_str("</dl>");
            if let Some(server_says) = item.server_says {
                html.push_str(r#"<p class="notice notice--warning" data-testid="inbox-server-disagrees" data-status=""#);
                escape_into(html, server_says.as_str());
                html.push_str(r#"">"#);
                escape_into(html, &server_disagrees(inbox, server_says));
                html.push_str("</p>");
            }
            html.push_str(r#"<p class="hint">"#);
            escape_into(
                html,
                &fill(inbox.inbox_marked, &[("count", &item.marked.to_string())]),
            );
            html.push_str("</p></li>");
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
