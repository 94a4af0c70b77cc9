//! `/inbox`: the protection team's inbox on a team member's device. Unlocked with the
//! member's passphrase (`components::inbox_gate`), it lists the school's reports, newest first,
//! decrypted in memory (`crate::inbox`): received time, observer, setting, assessment, marked
//! signs and the team's status (from verified team notes only; when the server's coarse
//! statuses say otherwise, that is said too), urgent ones marked in words. A report that cannot be opened
//! is listed with the reason and never hides the others. Works offline with what this device
//! already downloaded; the inbox's one setting (when it locks itself) is here too.
//!
//! Junk that got through (a leaked enrolment link, say) is dismissed in bulk: the member
//! selects the reports, confirms, and each is recorded as acted upon ("dismissed: not a
//! genuine report") and closed, signed and sealed like any change made one by one.

use std::collections::BTreeSet;

use leptos::prelude::*;
use prepoznaj_domain::assessment::Level;
use prepoznaj_domain::locale::fill;
use prepoznaj_domain::protocol::{CoarseStatus, ErrorCode};
use prepoznaj_domain::status_note::{InboxStatus, StatusNote, StatusNoteDraft};
use wasm_bindgen::JsCast;

use crate::clock::{format_time, now};
use crate::components::api_error::api_error_message;
use crate::components::confirm_dialog::ConfirmPrompt;
use crate::components::inbox_gate::InboxGate;
use crate::components::inbox_labels::{
    failure_reason, level_label, role_label, server_disagrees, setting_label, status_label,
};
use crate::components::storage_error::storage_error_message;
use crate::html::escape_into;
use crate::i18n::{InboxMessages, Messages, use_i18n, use_title};
use crate::inbox::reading::InboxItem;
use crate::inbox::{ChangeError, ChangeSealing, Download, InboxSession, use_inbox};
use crate::preferences;
use crate::sync::api::ApiCallError;

/// The inbox page.
#[component]
pub fn InboxPage() -> impl IntoView {
    let i18n = use_i18n();
    use_title(|i18n| i18n.inbox().inbox_title());
    provide_context(Selection::default());
    view! {
        <h1>{move || i18n.inbox().inbox_title()}</h1>
        <InboxGate>
            <InboxToolbar />
            <BulkDismiss />
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
                {move || i18n.inbox().inbox_refresh()}
            </button>
        </div>
        <p role="status" data-testid="inbox-download">
            {move || match session.download_state() {
                Download::Idle | Download::Done => String::new(),
                Download::Running => i18n.inbox().inbox_downloading().to_owned(),
                Download::Failed(ApiCallError::Offline) => i18n.inbox().inbox_offline().to_owned(),
                Download::Failed(
                    error @ ApiCallError::Refused {
                        code: ErrorCode::Unauthorized | ErrorCode::TokenRevoked,
                        ..
                    },
                ) => api_error_message(i18n.team(), &error).to_owned(),
                Download::Failed(_) => i18n.inbox().inbox_download_failed().to_owned(),
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
    let selection = use_selection();
    // One listener for every row's box; the rows are drawn again only when the list changes,
    // never for a tick, so focus stays where it is.
    let on_change = move |event: leptos::ev::Event| {
        let Some(input) = event
            .target()
            .and_then(|target| target.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(id) = input.get_attribute("data-id") else {
            return;
        };
        let checked = input.checked();
        selection.selected.update(|selected| {
            if checked {
                selected.insert(id);
            } else {
                selected.remove(&id);
            }
        });
    };
    move || {
        let selecting = selection.selecting.get();
        session.with_items(|items| match items {
            None => view! { <p role="status">{move || i18n.messages().observe_loading()}</p> }
                .into_any(),
            Some(items) if items.is_empty() => {
                view! { <p data-testid="inbox-empty">{move || i18n.inbox().inbox_empty()}</p> }
                    .into_any()
            }
            Some(items) => {
                let labels = RowLabels {
                    inbox: i18n.inbox(),
                    messages: i18n.messages(),
                    serbian: i18n.locale().is_serbian(),
                };
                let count = fill(
                    labels.inbox.inbox_count(),
                    &[("count", &items.len().to_string())],
                );
                let mut rows = String::with_capacity(items.len() * 900);
                selection.selected.with_untracked(|selected| {
                    for item in items {
                        let select = (selecting && item.status != InboxStatus::Closed)
                            .then(|| selected.contains(&item.id));
                        row_html(&mut rows, item, labels, select);
                    }
                });
                view! {
                    <p role="status" data-testid="inbox-count">{count}</p>
                    <ul
                        class="inbox-list"
                        data-testid="inbox-list"
                        inner_html=rows
                        on:change=on_change
                    ></ul>
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

/// Appends one report's row (an `<li>`) to `html`, its texts escaped; with a box to select it
/// for dismissal when `select` says whether it is ticked.
fn row_html(html: &mut String, item: &InboxItem, labels: RowLabels, select: Option<bool>) {
    let RowLabels {
        inbox,
        messages,
        serbian,
    } = labels;
    let received = format_time(item.received_at, serbian);
    let select_box = |html: &mut String| {
        if let Some(checked) = select {
            html.push_str(
                r#"<input type="checkbox" class="inbox-select" data-testid="inbox-select" data-id=""#,
            );
            escape_into(html, &item.id);
            html.push_str(r#"" aria-label=""#);
            escape_into(
                html,
                &fill(inbox.inbox_select_report(), &[("date", &received)]),
            );
            html.push_str(if checked { r#"" checked>"# } else { r#"">"# });
        }
    };
    match &item.observation {
        Err(failure) => {
            html.push_str(r#"<li class="inbox-row inbox-row--failed" data-testid="inbox-report-failed" data-id=""#);
            escape_into(html, &item.id);
            html.push_str(r#"">"#);
            select_box(html);
            html.push_str(r#"<p class="notice notice--warning">"#);
            escape_into(
                html,
                &fill(
                    inbox.inbox_open_failed(),
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
            escape_into(html, inbox.inbox_report_title());
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
            html.push_str(r#"">"#);
            select_box(html);
            html.push_str(r#"<a class="inbox-row__link" href="/inbox/"#);
            escape_into(html, &item.id);
            html.push_str(r#"">"#);
            if urgent {
                html.push_str(r#"<strong class="inbox-urgent" data-testid="inbox-urgent">"#);
                escape_into(html, inbox.inbox_urgent());
                html.push_str("</strong> ");
            }
            html.push_str("<span>");
            escape_into(html, inbox.inbox_received());
            html.push(' ');
            escape_into(html, &received);
            html.push_str(r#"</span></a><dl class="inbox-row__facts">"#);
            let facts = [
                (
                    inbox.inbox_status(),
                    status_label(inbox, item.status),
                    r#" data-testid="inbox-status""#,
                ),
                (inbox.inbox_level(), level_label(inbox, item.level), ""),
                (
                    inbox.inbox_role(),
                    role_label(messages, context.observer_role),
                    "",
                ),
                (
                    inbox.inbox_setting(),
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
            if let Some(deleted_after) = item.deletion_warning {
                html.push_str(
                    r#"<p class="notice notice--warning" data-testid="inbox-deletion-warning">"#,
                );
                escape_into(
                    html,
                    &fill(
                        inbox.inbox_deletion_warning(),
                        &[("date", &format_time(deleted_after, serbian))],
                    ),
                );
                html.push_str("</p>");
            }
            html.push_str(r#"<p class="hint">"#);
            escape_into(
                html,
                &fill(inbox.inbox_marked(), &[("count", &item.marked.to_string())]),
            );
            html.push_str("</p></li>");
        }
    }
}

/// Which reports are selected for dismissal, and how the last dismissal went.
#[derive(Clone, Copy)]
struct Selection {
    selecting: RwSignal<bool>,
    selected: RwSignal<BTreeSet<String>>,
    confirming: RwSignal<bool>,
    progress: RwSignal<Option<Dismissal>>,
}

impl Default for Selection {
    fn default() -> Self {
        Self {
            selecting: RwSignal::new(false),
            selected: RwSignal::new(BTreeSet::new()),
            confirming: RwSignal::new(false),
            progress: RwSignal::new(None),
        }
    }
}

fn use_selection() -> Selection {
    use_context::<Selection>().unwrap_or_default()
}

/// A bulk dismissal under way or done: how many of `total` went which way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Dismissal {
    total: usize,
    dismissed: usize,
    /// Sealed and kept on this device, sent the next time the inbox reaches the server.
    kept: usize,
    failed: usize,
    running: bool,
}

impl Dismissal {
    fn record(&mut self, outcome: &Result<(), ChangeError>) {
        match outcome {
            Ok(()) => self.dismissed += 1,
            Err(ChangeError::Kept(_)) => self.kept += 1,
            Err(_) => self.failed += 1,
        }
    }
}

/// Records report `id` as dismissed: acted upon with `note`, then closed (a report is closed
/// only once it was acted upon). A change kept on this device to send later counts as made;
/// any other failure ends it.
async fn dismiss_one(
    session: InboxSession,
    sealing: &ChangeSealing,
    id: &str,
    note: &str,
) -> Result<(), ChangeError> {
    let mut kept = None;
    let mut keep = |outcome: Result<(), ChangeError>| match outcome {
        Ok(()) => Ok(()),
        Err(error @ ChangeError::Kept(_)) => {
            kept = Some(error);
            Ok(())
        }
        Err(error) => Err(error),
    };
    if session.allows(id, CoarseStatus::ActedUpon) && !session.allows(id, CoarseStatus::Closed) {
        let draft = StatusNoteDraft {
            note: note.to_owned(),
            ..StatusNoteDraft::default()
        };
        let acted = StatusNote::acted_upon(&draft, now()).map_err(|error| {
            leptos::logging::error!("the dismissal note is refused: {error}");
            ChangeError::Seal
        })?;
        keep(session.record_change_with(sealing, id, acted).await)?;
    }
    if session.allows(id, CoarseStatus::Closed) {
        keep(
            session
                .record_change_with(sealing, id, StatusNote::bare(CoarseStatus::Closed, now()))
                .await,
        )?;
    }
    kept.map_or(Ok(()), Err)
}

/// Selecting reports and dismissing them together, with a confirmation and the progress.
#[component]
fn BulkDismiss() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_inbox();
    let selection = use_selection();
    let Selection {
        selecting,
        selected,
        confirming,
        progress,
    } = selection;
    let has_reports =
        move || session.with_items(|items| items.is_some_and(|items| !items.is_empty()));
    let running =
        move || progress.with(|progress| progress.is_some_and(|progress| progress.running));
    let count = move || selected.with(BTreeSet::len);
    let dismiss = move |()| {
        confirming.set(false);
        let ids: Vec<String> = selected.get_untracked().into_iter().collect();
        let note = i18n.inbox().inbox_dismiss_note().to_owned();
        progress.set(Some(Dismissal {
            total: ids.len(),
            running: true,
            ..Dismissal::default()
        }));
        leptos::task::spawn_local(async move {
            // The team's keys are fetched and verified once for the whole run.
            let sealing = session.sealing_for_changes().await;
            for id in ids {
                let outcome = match &sealing {
                    Ok(sealing) => dismiss_one(session, sealing, &id, &note).await,
                    Err(error) => Err(error.clone()),
                };
                if outcome.is_ok() || matches!(outcome, Err(ChangeError::Kept(_))) {
                    selected.update(|selected| {
                        selected.remove(&id);
                    });
                }
                progress.update(|progress| {
                    if let Some(progress) = progress {
                        progress.record(&outcome);
                    }
                });
            }
            progress.update(|progress| {
                if let Some(progress) = progress {
                    progress.running = false;
                }
            });
            // What could not be dismissed stays selected, to be tried again or opened.
            if selected.with_untracked(BTreeSet::is_empty) {
                selecting.set(false);
            }
        });
    };
    let progress_text = move || {
        progress.get().map(|progress| {
            let messages = i18n.inbox();
            let done = progress.dismissed + progress.kept + progress.failed;
            if progress.running {
                return vec![fill(
                    messages.inbox_dismiss_progress(),
                    &[
                        ("count", &done.to_string()),
                        ("total", &progress.total.to_string()),
                    ],
                )];
            }
            let mut lines = vec![fill(
                messages.inbox_dismiss_done(),
                &[("count", &progress.dismissed.to_string())],
            )];
            if progress.kept > 0 {
                lines.push(fill(
                    messages.inbox_dismiss_kept(),
                    &[("count", &progress.kept.to_string())],
                ));
            }
            if progress.failed > 0 {
                lines.push(fill(
                    messages.inbox_dismiss_failed(),
                    &[("count", &progress.failed.to_string())],
                ));
            }
            lines
        })
    };
    view! {
        <Show when=has_reports>
            <div class="inbox-bulk no-print" data-testid="inbox-bulk">
                <Show
                    when=move || selecting.get()
                    fallback=move || view! {
                        <button
                            type="button"
                            class="button"
                            data-testid="inbox-select-start"
                            on:click=move |_| {
                                progress.set(None);
                                selecting.set(true);
                            }
                        >
                            {move || i18n.inbox().inbox_select_start()}
                        </button>
                    }
                >
                    <p class="hint">{move || i18n.inbox().inbox_select_hint()}</p>
                    <p role="status" data-testid="inbox-selected">
                        {move || fill(i18n.inbox().inbox_selected(), &[("count", &count().to_string())])}
                    </p>
                    <div class="actions">
                        <button
                            type="button"
                            class="button button--danger"
                            data-testid="inbox-dismiss"
                            disabled=move || count() == 0 || running() || confirming.get()
                            on:click=move |_| confirming.set(true)
                        >
                            {move || i18n.inbox().inbox_dismiss_selected()}
                        </button>
                        <button
                            type="button"
                            class="button"
                            data-testid="inbox-select-cancel"
                            disabled=running
                            on:click=move |_| {
                                confirming.set(false);
                                selected.set(BTreeSet::new());
                                selecting.set(false);
                            }
                        >
                            {move || i18n.inbox().inbox_select_cancel()}
                        </button>
                    </div>
                    <Show when=move || confirming.get()>
                        <ConfirmPrompt
                            label=Signal::derive(move || i18n.inbox().inbox_dismiss_label().to_owned())
                            question=Signal::derive(move || {
                                fill(i18n.inbox().inbox_dismiss_confirm(), &[("count", &count().to_string())])
                            })
                            confirm=Signal::derive(move || i18n.inbox().inbox_dismiss_yes().to_owned())
                            danger=true
                            on_confirm=dismiss
                            on_cancel=move |()| confirming.set(false)
                        />
                    </Show>
                </Show>
                <div role="status" data-testid="inbox-dismiss-progress">
                    {move || {
                        progress_text()
                            .unwrap_or_default()
                            .into_iter()
                            .map(|line| view! { <p>{line}</p> })
                            .collect_view()
                    }}
                </div>
            </div>
        </Show>
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
            <h2 id="inbox-settings-heading">{move || i18n.inbox().inbox_settings_heading()}</h2>
            <div class="field">
                <label for="inbox-lock-minutes">{move || i18n.inbox().inbox_lock_after()}</label>
                <select id="inbox-lock-minutes" on:change=on_change>
                    {preferences::INBOX_LOCK_CHOICES
                        .into_iter()
                        .map(|minutes| {
                            view! {
                                <option value=minutes.to_string() selected=move || chosen.get() == minutes>
                                    {move || i18n.inbox().inbox_minutes().format(u64::from(minutes))}
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
