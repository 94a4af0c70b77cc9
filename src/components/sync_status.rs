//! The sync status line, on every screen once there is something to say: how many reports wait
//! to be sent, when the phone last reached the server, "Send now", and the warnings (the team's
//! keys changed in a way the phone could not verify; a report waiting more than a day; iOS
//! Safari outside the installed app, which may delete what waits).

use leptos::prelude::*;
use prepoznaj_domain::locale::fill;
use wasm_bindgen::JsCast;

use crate::clock::format_time;
use crate::html::escape_into;
use crate::i18n::{Messages, use_i18n};
use crate::pwa::needs_ios_install_hint;
use crate::sync::summary::{SyncSummary, keys_warning_html, use_sync_summary};

/// Where the observations (and their per-report status) are listed.
const OBSERVE_PATH: &str = "/observe";

/// `data-action` of the "Send now" button (the section's one listener looks for it).
const SEND_NOW_ACTION: &str = "send-now";

/// The status line; hidden on a phone that never finished an observation.
///
/// The skeleton is a view; its changing parts are written by one effect (text, and escaped
/// HTML for the button and the notices) with one delegated click listener. This is in the
/// shell's first load, where a reactive view per part cost about 5 KB (brotli) against a
/// 150 KiB budget; this costs a fraction of that. The headline keeps its node, so a screen
/// reader hears its live region change.
#[component]
pub fn SyncStatus() -> impl IntoView {
    let i18n = use_i18n();
    let summary = use_sync_summary()?;
    let ios_hint = needs_ios_install_hint();
    let section = NodeRef::<leptos::html::Section>::new();
    let headline = NodeRef::<leptos::html::Span>::new();
    let last = NodeRef::<leptos::html::Span>::new();
    let actions = NodeRef::<leptos::html::Div>::new();
    let notices = NodeRef::<leptos::html::Div>::new();
    Effect::new(move || {
        let (Some(section), Some(headline), Some(last), Some(actions), Some(notices)) = (
            section.get(),
            headline.get(),
            last.get(),
            actions.get(),
            notices.get(),
        ) else {
            return;
        };
        let state = summary.get();
        let running = summary.running();
        let storage_failed = summary.storage_failed();
        let messages = i18n.messages();
        let serbian = i18n.locale().is_serbian();
        section.set_hidden(!state.is_worth_showing());
        let attributes = section
            .set_attribute("aria-label", messages.sync_label())
            .and_then(|()| section.set_attribute("data-waiting", &state.waiting.to_string()));
        if let Err(error) = attributes {
            leptos::logging::warn!("sync status: {error:?}");
        }
        headline.set_text_content(Some(&headline_text(messages, &state, running)));
        last.set_text_content(Some(&match state.last_sync_at {
            Some(at) => fill(messages.sync_last(), &[("time", &format_time(at, serbian))]),
            None => messages.sync_never().to_owned(),
        }));
        actions.set_inner_html(&send_now_html(
            messages.sync_send_now(),
            state.waiting > 0,
            summary.send_now().is_some(),
            running,
        ));
        // The keys warning first, as the sender wrote it in this locale (escaped there), or
        // in the locale it has it in, marked as such.
        let locale = i18n.locale();
        let keys_warning = state
            .keys_refused
            .then(|| keys_warning_html(locale))
            .flatten()
            .map(|(written_in, html)| {
                if written_in == locale {
                    html
                } else {
                    format!("<div lang=\"{}\">{html}</div>", written_in.tag())
                }
            })
            .unwrap_or_default();
        notices.set_inner_html(&notices_html(
            keys_warning,
            messages,
            &state,
            ios_hint,
            storage_failed,
        ));
    });
    let on_click = move |event: leptos::ev::MouseEvent| {
        let on_send_now = event
            .target()
            .and_then(|target| target.dyn_into::<web_sys::Element>().ok())
            .and_then(|target| {
                target
                    .closest(&format!("[data-action={SEND_NOW_ACTION}]"))
                    .ok()
            })
            .flatten()
            .is_some();
        if let (true, Some(send_now)) = (on_send_now, summary.send_now()) {
            send_now.run(());
        }
    };
    Some(view! {
        <section class="sync-status" data-testid="sync-status" hidden node_ref=section on:click=on_click>
            <div class="sync-status__line">
                <p role="status" data-testid="sync-state">
                    <span node_ref=headline></span>
                    " "
                    <span class="hint" data-testid="sync-last" node_ref=last></span>
                </p>
                <div node_ref=actions></div>
            </div>
            <div node_ref=notices></div>
        </section>
    })
}

fn headline_text(messages: &Messages, state: &SyncSummary, running: bool) -> String {
    if running {
        messages.sync_sending().to_owned()
    } else if state.waiting > 0 {
        fill(
            messages.sync_waiting(),
            &[("count", &state.waiting.to_string())],
        )
    } else {
        messages.sync_all_sent().to_owned()
    }
}

/// "Send now": a button where this bundle sends, else a link to the observations (whose
/// bundle sends on start); nothing when nothing waits.
fn send_now_html(label: &str, waiting: bool, sends_here: bool, running: bool) -> String {
    let mut html = String::new();
    if !waiting {
        return html;
    }
    if sends_here {
        html.push_str(&format!(
            r#"<button type="button" class="button" data-testid="sync-send-now" data-action="{SEND_NOW_ACTION}"{}>"#,
            if running { " disabled" } else { "" }
        ));
        escape_into(&mut html, label);
        html.push_str("</button>");
    } else {
        html.push_str(&format!(
            r#"<a class="button" href="{OBSERVE_PATH}" rel="external" data-testid="sync-send-now">"#
        ));
        escape_into(&mut html, label);
        html.push_str("</a>");
    }
    html
}

/// The warnings and notes that apply, as escaped HTML, after `html` (the keys warning).
fn notices_html(
    mut html: String,
    messages: &Messages,
    state: &SyncSummary,
    ios_hint: bool,
    storage_failed: bool,
) -> String {
    let count = |count: usize, message: &str| fill(message, &[("count", &count.to_string())]);
    let rejected = count(state.rejected, messages.sync_rejected());
    let not_enrolled = count(state.not_enrolled, messages.sync_not_enrolled());
    // (test id, is a warning, applies, text)
    let notices: [(&str, bool, bool, &str); 6] = [
        ("sync-stale", true, state.stale > 0, messages.sync_stale()),
        (
            "sync-ios-install",
            true,
            ios_hint && state.waiting > 0,
            messages.sync_ios_install(),
        ),
        (
            "sync-needs-enrolment",
            true,
            state.needs_enrolment,
            messages.sync_needs_enrolment(),
        ),
        ("sync-rejected", true, state.rejected > 0, &rejected),
        (
            "sync-not-enrolled",
            false,
            state.not_enrolled > 0,
            &not_enrolled,
        ),
        (
            "sync-storage-failed",
            true,
            storage_failed,
            messages.sync_storage_failed(),
        ),
    ];
    for (test_id, warning, applies, text) in notices {
        if !applies {
            continue;
        }
        let class = if warning {
            "notice notice--warning"
        } else {
            "notice"
        };
        html.push_str(&format!(r#"<p class="{class}" data-testid="{test_id}">"#));
        escape_into(&mut html, text);
        html.push_str("</p>");
    }
    html
}
