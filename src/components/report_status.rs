//! Where one finished observation stands on its way to the team: waiting (and why the last try
//! failed), sending, received by the team, acted upon, or a problem with what to do. Read from
//! the sender's state, so it changes as the sender works.

use leptos::prelude::*;
use prepoznaj_domain::locale::fill;
use prepoznaj_domain::observation::Status;
use prepoznaj_domain::outbox::{QueuedReport, ReportState};
use prepoznaj_domain::protocol::{ReportStatus, ReportUuid};
use prepoznaj_domain::sync::RetryReason;

use crate::clock::now;
use crate::i18n::use_i18n;
use crate::sync::sender::use_sender;

/// What the line says, worked out from the observation's status and its outbox entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shown {
    NotEnrolled,
    Waiting(Option<RetryReason>),
    Sending,
    NeedsEnrolment,
    Received,
    ActedUpon,
    Rejected(&'static str),
}

fn shown(status: Status, queued: Option<&QueuedReport>) -> Option<Shown> {
    let Some(queued) = queued else {
        return match status {
            Status::Complete => Some(Shown::NotEnrolled),
            Status::Queued => Some(Shown::Waiting(None)),
            Status::Sent | Status::Forgotten => Some(Shown::Received),
            Status::Draft => None,
        };
    };
    Some(match &queued.state {
        ReportState::Waiting { .. } => Shown::Waiting(queued.last_failure),
        ReportState::InFlight { .. } => Shown::Sending,
        ReportState::NeedsEnrolment { .. } => Shown::NeedsEnrolment,
        ReportState::Delivered { receipt } => match receipt.status {
            ReportStatus::Received => Shown::Received,
            ReportStatus::ActedUpon => Shown::ActedUpon,
        },
        ReportState::Rejected { reason } => Shown::Rejected(reason.as_str()),
    })
}

/// The status line of the finished observation `report_id` (whose own status is `status`).
#[component]
pub fn ReportStatusLine(report_id: String, status: Signal<Status>) -> impl IntoView {
    let i18n = use_i18n();
    let sender = use_sender();
    let uuid = ReportUuid::parse(&report_id).ok();
    let queued = move || {
        let sender = sender?;
        let uuid = uuid.as_ref()?;
        sender.view().state.outbox.get(uuid).cloned()
    };
    let retry_id = ReportUuid::parse(&report_id).ok();
    move || {
        let queued = queued();
        let stale = queued.as_ref().is_some_and(|queued| queued.is_stale(now()));
        let shown = shown(status.get(), queued.as_ref())?;
        let team = i18n.team();
        let (text, key, warning) = match shown {
            Shown::NotEnrolled => (team.report_not_enrolled().to_owned(), "not-enrolled", true),
            Shown::Waiting(Some(RetryReason::Network)) => {
                (team.report_waiting_offline().to_owned(), "waiting", false)
            }
            Shown::Waiting(Some(RetryReason::Server | RetryReason::UnexpectedAnswer)) => {
                (team.report_waiting_server().to_owned(), "waiting", false)
            }
            Shown::Waiting(Some(RetryReason::DailyLimit)) => (
                team.report_waiting_daily_limit().to_owned(),
                "waiting",
                false,
            ),
            Shown::Waiting(Some(RetryReason::SchoolStorageFull)) => (
                team.report_waiting_school_full().to_owned(),
                "waiting",
                true,
            ),
            Shown::Waiting(_) => (team.report_waiting().to_owned(), "waiting", false),
            Shown::Sending => (team.report_sending().to_owned(), "sending", false),
            Shown::NeedsEnrolment => (
                team.report_needs_enrolment().to_owned(),
                "needs-enrolment",
                true,
            ),
            Shown::Received => (team.report_received().to_owned(), "received", false),
            Shown::ActedUpon => (team.report_acted_upon().to_owned(), "acted-upon", false),
            Shown::Rejected(code) => (
                fill(team.report_rejected(), &[("code", code)]),
                "rejected",
                true,
            ),
        };
        let retry = matches!(shown, Shown::Rejected(_))
            .then(|| sender.zip(retry_id.clone()))
            .flatten()
            .map(|(sender, report_id)| {
                view! {
                    <button
                        type="button"
                        class="button"
                        on:click=move |_| sender.retry_rejected(report_id.clone())
                    >
                        {move || i18n.team().report_try_again()}
                    </button>
                }
            });
        Some(view! {
            <p
                class="record__status"
                class:notice=warning
                class:notice--warning=warning
                data-testid="report-status"
                data-status=key
            >
                {text}
                {stale.then(|| view! { " · " {move || i18n.team().report_stale()} })}
            </p>
            {retry}
        })
    }
}
