//! The phone's outbox: the sync state machine over every report waiting to reach the school's
//! protection team, built on the pure decisions of [`crate::sync`].
//!
//! It decides which report to send next and what an answer means for it, and remembers that in
//! a value the app persists whole (it is `serde`-serialisable). It does no IO and reads no
//! clock and no randomness: the caller passes `now` and a jitter in `[0, 1)`, sends the
//! request, and records the answer. The app and the native fault-injection suite
//! (`crates/prepoznaj-server/tests/faults/`) drive the same code.
//!
//! A report's life:
//!
//! ```text
//! enqueue ─▶ Waiting ─begin─▶ InFlight ─record─▶ Delivered (receipt: received / acted upon)
//!              ▲  ▲              │  │  └─────────▶ Rejected (reason; shown, never blocks others)
//!              │  └── retry ─────┘  └─ 401 ─▶ NeedsEnrolment ─enrolled─▶ Waiting
//!              └──────────── after_restart (an answer that never came is a network error)
//! ```
//!
//! The app's sync loop, in short (persist the outbox after every change):
//!
//! ```
//! use prepoznaj_domain::{
//!     observation::UnixMillis,
//!     outbox::{Outbox, Step, Transition},
//!     protocol::{ReportUuid, Sha256Digest},
//!     sync::Attempt,
//! };
//! let now = UnixMillis(1_764_230_400_000); // Date.now()
//! let mut outbox = Outbox::new(); // or the one read back from IndexedDB, then `after_restart(now)`
//! let report_id = ReportUuid::new_v7(now, [7; 10]);
//! outbox.enqueue(report_id, Sha256Digest::from_bytes([1; 32]), now)?;
//! while let Some(due) = outbox.next_due(now) {
//!     let request = outbox.begin(&due.report_id, now)?;
//!     // Step::Submit: POST /api/v1/reports with the envelope whose SHA-256 is
//!     // `request.envelope_sha256`; Step::CheckStatus: GET /api/v1/reports/{id}/status.
//!     assert_eq!(request.step, Step::Submit);
//!     let answer = Attempt::NetworkError; // offline this time
//!     let jitter = 0.5; // Math.random()
//!     match outbox.record(&request.report_id, answer, now, jitter) {
//!         Transition::Delivered(_receipt) => { /* delete the local envelope */ }
//!         Transition::NeedsEnrolment => { /* ask to enrol; then `outbox.enrolled(now)` */ }
//!         Transition::Rejected(_reason) => { /* show the reason beside the report */ }
//!         Transition::CheckStatus | Transition::RetryAt { .. } | Transition::Ignored => {}
//!     }
//! }
//! // Then wake up at this time (or when the phone comes online) and loop again.
//! assert!(outbox.next_wake_at(now).is_some_and(|wake| wake > now));
//! # Ok::<(), prepoznaj_domain::outbox::OutboxError>(())
//! ```
//!
//! **Invariants** (property-tested below): a report leaves the outbox only through
//! [`Outbox::forget`] (or [`Outbox::reconcile`], once the phone no longer holds its envelope); only a receipt for this report (and, for a send, this envelope) delivers
//! it; a retryable answer never rejects it and there is no retry cap; a waiting report is due
//! again within [`MAX_RETRY_AFTER_MS`](crate::sync::MAX_RETRY_AFTER_MS) whatever the clock
//! does, unless the phone must enrol first; a rejected report never stops the others; a report
//! has at most one request in flight.

use serde::{Deserialize, Serialize};

use crate::observation::UnixMillis;
use crate::protocol::{ErrorCode, ReportReceipt, ReportStatus, ReportUuid, Sha256Digest};
use crate::sync::{Attempt, Outcome, RetryReason, Schedule, classify_send, classify_status};

/// Which request a report needs next.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// `POST /api/v1/reports` with the report's current envelope.
    Submit,
    /// `GET /api/v1/reports/{id}/status`: the server answered 409, it already holds another
    /// envelope under this id.
    CheckStatus,
}

/// Where one queued report is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ReportState {
    /// Not yet with the team; due at `schedule.next_attempt_at`.
    Waiting { step: Step, schedule: Schedule },
    /// A request is on its way; `sent` is the digest of the envelope it carries, `enrolment`
    /// the number of the enrolment whose token it carries.
    InFlight {
        step: Step,
        sent: Sha256Digest,
        schedule: Schedule,
        #[serde(default)]
        enrolment: u32,
    },
    /// The server did not know the phone's token (401): waits for [`Outbox::enrolled`].
    NeedsEnrolment { step: Step, schedule: Schedule },
    /// The team has it; the receipt says whether it was acted upon.
    Delivered { receipt: ReportReceipt },
    /// Refused for good, with the server's reason. Stays until the user dismisses it
    /// ([`Outbox::forget`]) or sends it again ([`Outbox::requeue`]).
    Rejected { reason: ErrorCode },
}

/// A report in the outbox: its id, the digest of its current envelope and where it is. The
/// envelope itself stays in the app's storage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueuedReport {
    pub report_id: ReportUuid,
    pub envelope_sha256: Sha256Digest,
    /// The phone's clock when it was queued (for the "waiting over a day" warning).
    pub queued_at: UnixMillis,
    /// Requests made for it so far, whatever their answer.
    pub attempts: u32,
    /// Why the last attempt failed, while it is waiting to be tried again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_failure: Option<RetryReason>,
    pub state: ReportState,
}

impl QueuedReport {
    /// Whether the team does not have it yet (waiting, in flight or held for enrolment).
    #[must_use]
    pub fn is_pending(&self) -> bool {
        matches!(
            self.state,
            ReportState::Waiting { .. }
                | ReportState::InFlight { .. }
                | ReportState::NeedsEnrolment { .. }
        )
    }

    /// Whether it is still pending after more than
    /// [`STALE_AFTER_MS`](crate::sync::STALE_AFTER_MS): shown with a warning.
    #[must_use]
    pub fn is_stale(&self, now: UnixMillis) -> bool {
        self.is_pending() && crate::sync::is_stale(self.queued_at, now)
    }
}

/// The request the app must make for a report, from [`Outbox::begin`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub report_id: ReportUuid,
    pub step: Step,
    /// For [`Step::Submit`]: the envelope to send must have this digest.
    pub envelope_sha256: Sha256Digest,
}

/// What [`Outbox::record`] did with an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transition {
    /// The team has the report: the app may delete its local copy of the envelope.
    Delivered(ReportReceipt),
    /// The server holds another envelope under this id: the status request is due at once.
    CheckStatus,
    /// Tried again at `at` (the phone's clock), for `reason`.
    RetryAt { at: UnixMillis, reason: RetryReason },
    /// The phone must enrol again; nothing is sent until [`Outbox::enrolled`].
    NeedsEnrolment,
    /// Refused for good: show the reason.
    Rejected(ErrorCode),
    /// The report had no request in flight (forgotten, or the answer came twice): nothing
    /// changed.
    Ignored,
}

/// Why an outbox operation was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OutboxError {
    #[error("report {0} is already in the outbox")]
    AlreadyQueued(ReportUuid),
    #[error("report {0} is not in the outbox")]
    NotQueued(ReportUuid),
    #[error("report {0} cannot be sent now: it is not waiting or not due")]
    NotDue(ReportUuid),
    #[error("report {0} is already with the team; its envelope cannot change")]
    AlreadyDelivered(ReportUuid),
    #[error("report {0} was not rejected")]
    NotRejected(ReportUuid),
}

/// What the sync screen shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct OutboxCounts {
    /// Not yet with the team (waiting, in flight or waiting for enrolment).
    pub waiting: usize,
    /// Of those, queued longer than [`STALE_AFTER_MS`](crate::sync::STALE_AFTER_MS).
    pub stale: usize,
    pub in_flight: usize,
    /// With the team, not yet marked as acted upon.
    pub received: usize,
    pub acted_upon: usize,
    pub rejected: usize,
}

impl OutboxCounts {
    /// Reports the team has (received or acted upon).
    #[must_use]
    pub fn delivered(&self) -> usize {
        self.received + self.acted_upon
    }
}

/// Every report the phone has queued and not forgotten, in the order they were queued.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Outbox {
    reports: Vec<QueuedReport>,
    /// Set by a 401, cleared by [`Outbox::enrolled`].
    #[serde(default)]
    needs_enrolment: bool,
    /// The phone's clock at the last delivery.
    #[serde(default)]
    last_delivery_at: Option<UnixMillis>,
    /// How many times [`Outbox::enrolled`] was called: a 401 to a request sent with an older
    /// token says nothing about the current one.
    #[serde(default)]
    enrolment: u32,
}

impl Outbox {
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Queues a report whose envelope has `envelope_sha256`; due at once.
    ///
    /// # Errors
    /// [`OutboxError::AlreadyQueued`] if the id is already in the outbox.
    pub fn enqueue(
        &mut self,
        report_id: ReportUuid,
        envelope_sha256: Sha256Digest,
        now: UnixMillis,
    ) -> Result<(), OutboxError> {
        if self.get(&report_id).is_some() {
            return Err(OutboxError::AlreadyQueued(report_id));
        }
        let waiting = if self.needs_enrolment {
            ReportState::NeedsEnrolment {
                step: Step::Submit,
                schedule: Schedule::new(now),
            }
        } else {
            ReportState::Waiting {
                step: Step::Submit,
                schedule: Schedule::new(now),
            }
        };
        self.reports.push(QueuedReport {
            report_id,
            envelope_sha256,
            queued_at: now,
            attempts: 0,
            last_failure: None,
            state: waiting,
        });
        Ok(())
    }

    /// The first report, in queue order, that should be sent at `now` and has nothing in
    /// flight; `None` while the phone must enrol. Call [`Outbox::begin`] to send it.
    #[must_use]
    pub fn next_due(&self, now: UnixMillis) -> Option<Request> {
        if self.needs_enrolment {
            return None;
        }
        self.reports.iter().find_map(|report| match report.state {
            ReportState::Waiting { step, schedule } if schedule.is_due(now) => Some(Request {
                report_id: report.report_id.clone(),
                step,
                envelope_sha256: report.envelope_sha256,
            }),
            _ => None,
        })
    }

    /// When the next report falls due: `now` if one is due already, `None` if nothing waits
    /// (or everything waits for enrolment). The app sets its timer with this.
    #[must_use]
    pub fn next_wake_at(&self, now: UnixMillis) -> Option<UnixMillis> {
        if self.needs_enrolment {
            return None;
        }
        self.reports
            .iter()
            .filter_map(|report| match report.state {
                ReportState::Waiting { schedule, .. } if schedule.is_due(now) => Some(now),
                ReportState::Waiting { schedule, .. } => Some(schedule.next_attempt_at),
                _ => None,
            })
            .min()
    }

    /// Marks the report as in flight and says which request to make.
    ///
    /// # Errors
    /// [`OutboxError::NotQueued`] for an unknown id, [`OutboxError::NotDue`] unless it is
    /// waiting and due at `now` (and the phone is enrolled).
    pub fn begin(
        &mut self,
        report_id: &ReportUuid,
        now: UnixMillis,
    ) -> Result<Request, OutboxError> {
        let (needs_enrolment, enrolment) = (self.needs_enrolment, self.enrolment);
        let report = self.get_mut(report_id)?;
        match report.state {
            ReportState::Waiting { step, schedule } if schedule.is_due(now) && !needs_enrolment => {
                report.attempts = report.attempts.saturating_add(1);
                report.state = ReportState::InFlight {
                    step,
                    sent: report.envelope_sha256,
                    schedule,
                    enrolment,
                };
                Ok(Request {
                    report_id: report.report_id.clone(),
                    step,
                    envelope_sha256: report.envelope_sha256,
                })
            }
            _ => Err(OutboxError::NotDue(report_id.clone())),
        }
    }

    /// Records the answer to the request in flight for `report_id` at `now`; `jitter` in
    /// `[0, 1)` spreads the retry.
    pub fn record(
        &mut self,
        report_id: &ReportUuid,
        attempt: Attempt<'_>,
        now: UnixMillis,
        jitter: f64,
    ) -> Transition {
        let current_enrolment = self.enrolment;
        let Ok(report) = self.get_mut(report_id) else {
            return Transition::Ignored;
        };
        let ReportState::InFlight {
            step,
            sent,
            schedule,
            enrolment,
        } = report.state
        else {
            return Transition::Ignored;
        };
        let outcome = match step {
            Step::Submit => classify_send(report_id, &sent, attempt),
            Step::CheckStatus => classify_status(report_id, attempt),
        };
        if outcome == Outcome::NotEnrolled && enrolment != current_enrolment {
            // Sent with the old token: try the new one at once.
            report.last_failure = Some(RetryReason::Reenrolled);
            report.state = ReportState::Waiting {
                step,
                schedule: Schedule {
                    next_attempt_at: now,
                    ..schedule
                },
            };
            if self.needs_enrolment {
                self.hold_for_enrolment();
            }
            return Transition::RetryAt {
                at: now,
                reason: RetryReason::Reenrolled,
            };
        }
        let (state, transition) = match outcome {
            Outcome::Delivered(receipt) => {
                report.last_failure = None;
                (
                    ReportState::Delivered {
                        receipt: receipt.clone(),
                    },
                    Transition::Delivered(receipt),
                )
            }
            Outcome::CheckStatus => (
                ReportState::Waiting {
                    step: Step::CheckStatus,
                    schedule: Schedule {
                        next_attempt_at: now,
                        ..schedule
                    },
                },
                Transition::CheckStatus,
            ),
            Outcome::NotEnrolled => (
                ReportState::NeedsEnrolment { step, schedule },
                Transition::NeedsEnrolment,
            ),
            Outcome::Retry {
                reason,
                retry_after_ms,
            } => {
                let schedule = schedule.after_failure(now, jitter, retry_after_ms);
                // A status request the server answers with 404 means it has no report under
                // this id after all: send the envelope again.
                let step = match (step, reason) {
                    (Step::CheckStatus, RetryReason::UnexpectedAnswer) => Step::Submit,
                    _ => step,
                };
                report.last_failure = Some(reason);
                (
                    ReportState::Waiting { step, schedule },
                    Transition::RetryAt {
                        at: schedule.next_attempt_at,
                        reason,
                    },
                )
            }
            Outcome::Rejected(code) => (
                ReportState::Rejected { reason: code },
                Transition::Rejected(code),
            ),
        };
        report.state = state;
        match transition {
            Transition::Delivered(_) => self.last_delivery_at = Some(now),
            Transition::NeedsEnrolment => self.needs_enrolment = true,
            _ => {}
        }
        if self.needs_enrolment {
            self.hold_for_enrolment();
        }
        transition
    }

    /// The phone has a valid token again: everything held for enrolment is due at `now`. A
    /// request still in flight with the old token that gets a 401 is simply sent again.
    pub fn enrolled(&mut self, now: UnixMillis) {
        self.needs_enrolment = false;
        self.enrolment = self.enrolment.wrapping_add(1);
        for report in &mut self.reports {
            if let ReportState::NeedsEnrolment { step, schedule } = report.state {
                report.state = ReportState::Waiting {
                    step,
                    schedule: Schedule {
                        next_attempt_at: now,
                        ..schedule
                    },
                };
            }
        }
    }

    /// The person asked to send now: every waiting report is due at `now`. Its backoff stays,
    /// so if this attempt fails too it waits as long as it would have.
    pub fn send_now(&mut self, now: UnixMillis) {
        for report in &mut self.reports {
            if let ReportState::Waiting { schedule, .. } = &mut report.state {
                schedule.next_attempt_at = schedule.next_attempt_at.min(now);
            }
        }
    }

    /// After the app was closed or reloaded: a request that was in flight never got its
    /// answer, so it counts as a network error and the report is due at once (the server
    /// recognises a resend by its id).
    pub fn after_restart(&mut self, now: UnixMillis) {
        for report in &mut self.reports {
            if let ReportState::InFlight { step, schedule, .. } = report.state {
                report.state = ReportState::Waiting {
                    step,
                    schedule: Schedule {
                        next_attempt_at: now,
                        ..schedule
                    },
                };
                report.last_failure = Some(RetryReason::Network);
            }
        }
        if self.needs_enrolment {
            self.hold_for_enrolment();
        }
    }

    /// The report was encrypted again (the team's keys changed) into an envelope with
    /// `envelope_sha256`. A request already in flight still carries the old one; if the server
    /// kept that, a later send of the new one gets 409 and the status request settles it.
    ///
    /// # Errors
    /// [`OutboxError::NotQueued`], or [`OutboxError::AlreadyDelivered`] once the team has it.
    pub fn replace_envelope(
        &mut self,
        report_id: &ReportUuid,
        envelope_sha256: Sha256Digest,
    ) -> Result<(), OutboxError> {
        let report = self.get_mut(report_id)?;
        if matches!(report.state, ReportState::Delivered { .. }) {
            return Err(OutboxError::AlreadyDelivered(report_id.clone()));
        }
        report.envelope_sha256 = envelope_sha256;
        Ok(())
    }

    /// Sends a rejected report again from the start (after the user fixed what was wrong, or
    /// the app was updated).
    ///
    /// # Errors
    /// [`OutboxError::NotQueued`], or [`OutboxError::NotRejected`] for any other state.
    pub fn requeue(&mut self, report_id: &ReportUuid, now: UnixMillis) -> Result<(), OutboxError> {
        let needs_enrolment = self.needs_enrolment;
        let report = self.get_mut(report_id)?;
        if !matches!(report.state, ReportState::Rejected { .. }) {
            return Err(OutboxError::NotRejected(report_id.clone()));
        }
        let step = Step::Submit;
        let schedule = Schedule::new(now);
        report.state = if needs_enrolment {
            ReportState::NeedsEnrolment { step, schedule }
        } else {
            ReportState::Waiting { step, schedule }
        };
        Ok(())
    }

    /// Updates a delivered report's receipt from a later status answer (to show "acted
    /// upon"). Returns the status now known, or `None` if the answer settles nothing.
    pub fn refresh_status(
        &mut self,
        report_id: &ReportUuid,
        attempt: Attempt<'_>,
    ) -> Option<ReportStatus> {
        let report = self.get_mut(report_id).ok()?;
        let ReportState::Delivered { receipt } = &mut report.state else {
            return None;
        };
        match classify_status(report_id, attempt) {
            Outcome::Delivered(fresh) => {
                receipt.status = fresh.status;
                Some(fresh.status)
            }
            _ => None,
        }
    }

    /// Brings the outbox in line with the envelopes the phone holds (`(report id, envelope
    /// digest, queued at)`, as stored beside the outbox): a new envelope is queued (due at
    /// once); a report re-encrypted into another envelope keeps its place with the new digest;
    /// a report not yet delivered whose envelope is gone (the person deleted the phone's data)
    /// leaves the outbox. Delivered reports stay: they are the receipts. Returns how many
    /// reports were added.
    pub fn reconcile<'a>(
        &mut self,
        envelopes: impl IntoIterator<Item = (&'a ReportUuid, Sha256Digest, UnixMillis)>,
    ) -> usize {
        let mut held = Vec::new();
        let mut added = 0;
        for (report_id, envelope_sha256, queued_at) in envelopes {
            held.push(report_id.clone());
            match self.get_mut(report_id) {
                Err(_) => {
                    if self
                        .enqueue(report_id.clone(), envelope_sha256, queued_at)
                        .is_ok()
                    {
                        added += 1;
                    }
                }
                Ok(report) => {
                    if report.envelope_sha256 != envelope_sha256
                        && !matches!(report.state, ReportState::Delivered { .. })
                    {
                        report.envelope_sha256 = envelope_sha256;
                    }
                }
            }
        }
        self.reports.retain(|report| {
            matches!(report.state, ReportState::Delivered { .. })
                || held.contains(&report.report_id)
        });
        added
    }

    /// Removes a report in any state and returns it (the user dismissed a rejected report, or
    /// the app deleted a delivered one's envelope). An answer still in flight for it is then
    /// [`Transition::Ignored`].
    ///
    /// # Errors
    /// [`OutboxError::NotQueued`].
    pub fn forget(&mut self, report_id: &ReportUuid) -> Result<QueuedReport, OutboxError> {
        let index = self
            .reports
            .iter()
            .position(|report| report.report_id == *report_id)
            .ok_or_else(|| OutboxError::NotQueued(report_id.clone()))?;
        Ok(self.reports.remove(index))
    }

    #[must_use]
    pub fn get(&self, report_id: &ReportUuid) -> Option<&QueuedReport> {
        self.reports
            .iter()
            .find(|report| report.report_id == *report_id)
    }

    /// Every report, in queue order.
    pub fn reports(&self) -> impl Iterator<Item = &QueuedReport> {
        self.reports.iter()
    }

    /// Whether a 401 stopped sending until the phone enrols again.
    #[must_use]
    pub fn needs_enrolment(&self) -> bool {
        self.needs_enrolment
    }

    /// The phone's clock when the last report reached the team.
    #[must_use]
    pub fn last_delivery_at(&self) -> Option<UnixMillis> {
        self.last_delivery_at
    }

    /// How many reports are where, for the sync screen.
    #[must_use]
    pub fn counts(&self, now: UnixMillis) -> OutboxCounts {
        let mut counts = OutboxCounts::default();
        for report in &self.reports {
            match &report.state {
                ReportState::Waiting { .. }
                | ReportState::InFlight { .. }
                | ReportState::NeedsEnrolment { .. } => {
                    counts.waiting += 1;
                    if matches!(report.state, ReportState::InFlight { .. }) {
                        counts.in_flight += 1;
                    }
                    if report.is_stale(now) {
                        counts.stale += 1;
                    }
                }
                ReportState::Delivered { receipt } => match receipt.status {
                    ReportStatus::Received => counts.received += 1,
                    ReportStatus::ActedUpon => counts.acted_upon += 1,
                },
                ReportState::Rejected { .. } => counts.rejected += 1,
            }
        }
        counts
    }

    fn get_mut(&mut self, report_id: &ReportUuid) -> Result<&mut QueuedReport, OutboxError> {
        self.reports
            .iter_mut()
            .find(|report| report.report_id == *report_id)
            .ok_or_else(|| OutboxError::NotQueued(report_id.clone()))
    }

    /// Moves every waiting report to [`ReportState::NeedsEnrolment`].
    fn hold_for_enrolment(&mut self) {
        for report in &mut self.reports {
            if let ReportState::Waiting { step, schedule } = report.state {
                report.state = ReportState::NeedsEnrolment { step, schedule };
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly on purpose")]

    use proptest::prelude::*;

    use super::*;
    use crate::sync::{MAX_BACKOFF_MS, MAX_RETRY_AFTER_MS};

    const START: UnixMillis = UnixMillis(1_764_230_400_000);
    const HOURS_48: u64 = 48 * 60 * 60 * 1_000;

    fn report_id(n: u8) -> ReportUuid {
        ReportUuid::new_v7(START, [n; 10])
    }

    fn digest(n: u8) -> Sha256Digest {
        Sha256Digest::from_bytes([n; 32])
    }

    fn receipt(report_id: &ReportUuid, digest: &Sha256Digest, status: ReportStatus) -> Vec<u8> {
        serde_json::to_vec(&crate::protocol::ReceiptResponse {
            receipt: ReportReceipt {
                report_id: report_id.clone(),
                received_at: START,
                status,
                envelope_sha256: *digest,
            },
            protocol: 1,
        })
        .unwrap()
    }

    fn answer(status: u16, body: &[u8]) -> Attempt<'_> {
        Attempt::Answer {
            status,
            body,
            retry_after_ms: None,
        }
    }

    fn outbox_with(n: u8) -> Outbox {
        let mut outbox = Outbox::new();
        for index in 0..n {
            outbox
                .enqueue(report_id(index), digest(index), START)
                .unwrap();
        }
        outbox
    }

    #[test]
    fn send_now_makes_a_backed_off_report_due_at_once() {
        let mut outbox = outbox_with(1);
        let id = report_id(0);
        outbox.begin(&id, START).unwrap();
        let Transition::RetryAt { at, .. } = outbox.record(&id, answer(503, b""), START, 0.99)
        else {
            panic!("not retried");
        };
        assert!(at > START);
        assert_eq!(outbox.next_due(START), None);
        outbox.send_now(START);
        assert_eq!(outbox.next_due(START).unwrap().report_id, id);
    }

    #[test]
    fn reconcile_follows_the_envelopes_the_phone_holds() {
        let mut outbox = outbox_with(2);
        let (first, second, third) = (report_id(0), report_id(1), report_id(2));
        // The first is delivered; the second's envelope disappears; a third arrives; the
        // first's envelope, already deleted, is not listed.
        outbox.begin(&first, START).unwrap();
        let right = receipt(&first, &digest(0), ReportStatus::Received);
        outbox.record(&first, answer(201, &right), START, 0.5);
        let later = UnixMillis(START.0 + 1_000);
        let added = outbox.reconcile([(&third, digest(3), later)]);
        assert_eq!(added, 1);
        assert!(outbox.get(&second).is_none(), "its envelope is gone");
        assert!(matches!(
            outbox.get(&first).unwrap().state,
            ReportState::Delivered { .. }
        ));
        assert_eq!(outbox.get(&third).unwrap().queued_at, later);
        assert_eq!(outbox.next_due(later).unwrap().report_id, third);
        // Re-encrypted: same place, new digest; reconciling again adds nothing.
        assert_eq!(outbox.reconcile([(&third, digest(9), later)]), 0);
        assert_eq!(outbox.next_due(later).unwrap().envelope_sha256, digest(9));
    }

    #[test]
    fn a_report_is_delivered_only_by_its_own_receipt() {
        let mut outbox = outbox_with(1);
        let id = report_id(0);
        let request = outbox.begin(&id, START).unwrap();
        assert_eq!(request.step, Step::Submit);
        assert_eq!(outbox.counts(START).in_flight, 1);
        // A receipt for another envelope is not delivery.
        let wrong = receipt(&id, &digest(9), ReportStatus::Received);
        assert!(matches!(
            outbox.record(&id, answer(201, &wrong), START, 0.5),
            Transition::RetryAt {
                reason: RetryReason::UnexpectedAnswer,
                ..
            }
        ));
        let later = outbox.next_wake_at(START).unwrap();
        outbox.begin(&id, later).unwrap();
        let right = receipt(&id, &digest(0), ReportStatus::Received);
        assert!(matches!(
            outbox.record(&id, answer(201, &right), later, 0.5),
            Transition::Delivered(_)
        ));
        assert_eq!(outbox.last_delivery_at(), Some(later));
        assert_eq!(outbox.counts(later).received, 1);
        assert_eq!(outbox.next_due(later), None);
        // The same answer again changes nothing.
        assert_eq!(
            outbox.record(&id, answer(201, &right), later, 0.5),
            Transition::Ignored
        );
    }

    #[test]
    fn failures_back_off_without_a_cap_and_a_restart_resends_at_once() {
        let mut outbox = outbox_with(1);
        let id = report_id(0);
        let mut now = START;
        for attempt in 1..=30_u32 {
            outbox.begin(&id, now).unwrap();
            let Transition::RetryAt { at, reason } =
                outbox.record(&id, answer(503, b""), now, 0.99)
            else {
                panic!("attempt {attempt} was not retried");
            };
            assert_eq!(reason, RetryReason::Server);
            assert!(at.0 - now.0 <= MAX_BACKOFF_MS);
            assert_eq!(outbox.next_due(now), None, "not due before its wait");
            now = at;
        }
        assert_eq!(outbox.get(&id).unwrap().attempts, 30);
        let a_day_later = UnixMillis(START.0 + crate::sync::STALE_AFTER_MS + 1);
        assert!(outbox.get(&id).unwrap().is_stale(a_day_later));
        assert_eq!(outbox.counts(a_day_later).stale, 1);
        outbox.begin(&id, now).unwrap();
        outbox.after_restart(now);
        assert_eq!(outbox.next_due(now).unwrap().report_id, id);
        assert_eq!(
            outbox.get(&id).unwrap().last_failure,
            Some(RetryReason::Network)
        );
    }

    #[test]
    fn a_rejected_report_keeps_its_reason_and_never_blocks_the_next() {
        let mut outbox = outbox_with(2);
        let first = report_id(0);
        outbox.begin(&first, START).unwrap();
        let refused = br#"{"code":"hash_mismatch","message":"no","protocol":1}"#;
        assert_eq!(
            outbox.record(&first, answer(400, refused), START, 0.0),
            Transition::Rejected(ErrorCode::HashMismatch)
        );
        assert_eq!(
            outbox.get(&first).unwrap().state,
            ReportState::Rejected {
                reason: ErrorCode::HashMismatch
            }
        );
        assert_eq!(outbox.next_due(START).unwrap().report_id, report_id(1));
        assert_eq!(outbox.counts(START).rejected, 1);
        outbox.requeue(&first, START).unwrap();
        assert_eq!(outbox.next_due(START).unwrap().report_id, first);
        assert!(outbox.forget(&first).is_ok());
        assert_eq!(outbox.get(&first), None);
    }

    #[test]
    fn a_conflict_is_settled_by_the_status_and_a_404_sends_again() {
        let mut outbox = outbox_with(1);
        let id = report_id(0);
        outbox.begin(&id, START).unwrap();
        assert_eq!(
            outbox.record(&id, answer(409, b""), START, 0.0),
            Transition::CheckStatus
        );
        let request = outbox.begin(&id, START).unwrap();
        assert_eq!(request.step, Step::CheckStatus);
        assert!(matches!(
            outbox.record(&id, answer(404, b""), START, 0.0),
            Transition::RetryAt { .. }
        ));
        let now = outbox.next_wake_at(START).unwrap();
        assert_eq!(outbox.begin(&id, now).unwrap().step, Step::Submit);
        outbox.record(&id, answer(409, b""), now, 0.0);
        outbox.begin(&id, now).unwrap();
        let theirs = receipt(&id, &digest(7), ReportStatus::ActedUpon);
        assert!(matches!(
            outbox.record(&id, answer(200, &theirs), now, 0.0),
            Transition::Delivered(receipt) if receipt.envelope_sha256 == digest(7)
        ));
        assert_eq!(outbox.counts(now).acted_upon, 1);
    }

    #[test]
    fn a_401_holds_every_report_until_the_phone_enrols_again() {
        let mut outbox = outbox_with(3);
        let (first, second) = (report_id(0), report_id(1));
        outbox.begin(&first, START).unwrap();
        outbox.begin(&second, START).unwrap();
        assert_eq!(
            outbox.record(&first, answer(401, b""), START, 0.0),
            Transition::NeedsEnrolment
        );
        assert!(outbox.needs_enrolment());
        assert_eq!(outbox.next_due(START), None);
        assert_eq!(outbox.next_wake_at(START), None);
        // The other request's answer still counts, and a failure waits for enrolment too.
        outbox.record(&second, Attempt::NetworkError, START, 0.0);
        outbox.enqueue(report_id(3), digest(3), START).unwrap();
        assert!(
            outbox
                .reports()
                .all(|report| matches!(report.state, ReportState::NeedsEnrolment { .. }))
        );
        assert_eq!(outbox.counts(START).waiting, 4);
        let later = UnixMillis(START.0 + 1_000);
        outbox.enrolled(later);
        assert_eq!(outbox.next_due(later).unwrap().report_id, first);
        assert_eq!(outbox.next_wake_at(later), Some(later));
    }

    #[test]
    fn a_401_to_the_old_token_after_enrolling_again_is_no_reason_to_stop() {
        let mut outbox = outbox_with(2);
        let (first, second) = (report_id(0), report_id(1));
        outbox.begin(&first, START).unwrap();
        outbox.begin(&second, START).unwrap();
        outbox.record(&first, answer(401, b""), START, 0.0);
        outbox.enrolled(START);
        assert_eq!(
            outbox.record(&second, answer(401, b""), START, 0.0),
            Transition::RetryAt {
                at: START,
                reason: RetryReason::Reenrolled
            }
        );
        assert!(!outbox.needs_enrolment());
        assert_eq!(outbox.next_due(START).unwrap().report_id, first);
        outbox.begin(&first, START).unwrap();
        assert_eq!(outbox.next_due(START).unwrap().report_id, second);
        // A 401 to the new token does stop sending.
        assert_eq!(
            outbox.record(&first, answer(401, b""), START, 0.0),
            Transition::NeedsEnrolment
        );
    }

    #[test]
    fn a_clock_jump_either_way_never_strands_a_report() {
        for jump in [-(HOURS_48 as i64), HOURS_48 as i64] {
            let mut outbox = outbox_with(1);
            let id = report_id(0);
            outbox.begin(&id, START).unwrap();
            outbox.record(&id, Attempt::NetworkError, START, 0.5);
            let jumped = UnixMillis(START.0.checked_add_signed(jump).unwrap());
            assert_eq!(outbox.next_due(jumped).unwrap().report_id, id, "{jump}");
        }
    }

    #[test]
    fn the_envelope_can_change_until_delivery_and_a_queued_id_is_not_queued_twice() {
        let mut outbox = outbox_with(1);
        let id = report_id(0);
        assert_eq!(
            outbox.enqueue(id.clone(), digest(5), START),
            Err(OutboxError::AlreadyQueued(id.clone()))
        );
        outbox.begin(&id, START).unwrap();
        outbox.replace_envelope(&id, digest(5)).unwrap();
        // The answer to the old envelope's send: the server kept that one, which delivers it.
        let old = receipt(&id, &digest(0), ReportStatus::Received);
        assert!(matches!(
            outbox.record(&id, answer(200, &old), START, 0.0),
            Transition::Delivered(_)
        ));
        assert_eq!(
            outbox.replace_envelope(&id, digest(6)),
            Err(OutboxError::AlreadyDelivered(id.clone()))
        );
    }

    #[test]
    fn a_later_status_shows_acted_upon() {
        let mut outbox = outbox_with(1);
        let id = report_id(0);
        outbox.begin(&id, START).unwrap();
        let received = receipt(&id, &digest(0), ReportStatus::Received);
        outbox.record(&id, answer(201, &received), START, 0.0);
        let acted = receipt(&id, &digest(0), ReportStatus::ActedUpon);
        assert_eq!(
            outbox.refresh_status(&id, answer(200, &acted)),
            Some(ReportStatus::ActedUpon)
        );
        assert_eq!(outbox.refresh_status(&id, Attempt::NetworkError), None);
        assert_eq!(outbox.counts(START).acted_upon, 1);
    }

    #[test]
    fn the_outbox_persists_as_json() {
        let mut outbox = outbox_with(2);
        outbox.begin(&report_id(0), START).unwrap();
        let json = serde_json::to_value(&outbox).unwrap();
        assert_eq!(json["reports"][0]["state"]["state"], "in_flight");
        assert_eq!(json["reports"][1]["state"]["step"], "submit");
        let back: Outbox = serde_json::from_value(json).unwrap();
        assert_eq!(back, outbox);
    }

    /// One thing that can happen to the outbox.
    #[derive(Debug, Clone)]
    enum Event {
        Enqueue,
        Wait(u64),
        /// The clock jumps by up to ±48 hours.
        Jump(i64),
        /// The next due report is sent and this answer comes back.
        Send(Answer),
        /// Two due reports are sent and their answers come back in the other order.
        SendTwo(Answer, Answer),
        Restart,
        Enrol,
        Forget(usize),
    }

    #[derive(Debug, Clone, Copy)]
    enum Answer {
        Network,
        Status(u16, Option<u64>),
        OwnReceipt,
        OtherReceipt,
        Rejection,
    }

    fn answer_strategy() -> impl Strategy<Value = Answer> {
        prop_oneof![
            Just(Answer::Network),
            (
                prop_oneof![
                    Just(401_u16),
                    Just(404),
                    Just(408),
                    Just(409),
                    Just(429),
                    Just(500),
                    Just(503)
                ],
                proptest::option::of(0_u64..10_000_000)
            )
                .prop_map(|(status, after)| Answer::Status(status, after)),
            Just(Answer::OwnReceipt),
            Just(Answer::OtherReceipt),
            Just(Answer::Rejection),
        ]
    }

    fn event_strategy() -> impl Strategy<Value = Event> {
        prop_oneof![
            2 => Just(Event::Enqueue),
            2 => (0_u64..2 * MAX_RETRY_AFTER_MS).prop_map(Event::Wait),
            1 => (-(HOURS_48 as i64)..=HOURS_48 as i64).prop_map(Event::Jump),
            5 => answer_strategy().prop_map(Event::Send),
            2 => (answer_strategy(), answer_strategy()).prop_map(|(a, b)| Event::SendTwo(a, b)),
            1 => Just(Event::Restart),
            1 => Just(Event::Enrol),
            1 => (0_usize..8).prop_map(Event::Forget),
        ]
    }

    /// The bytes of `answer` to `request`, and whether it is one a report may be rejected for
    /// or delivered by.
    fn body_of(answer: Answer, request: &Request) -> (u16, Vec<u8>, Option<u64>) {
        match answer {
            Answer::Network => (0, Vec::new(), None),
            Answer::Status(status, after) => (status, Vec::new(), after),
            Answer::OwnReceipt => (
                200,
                receipt(
                    &request.report_id,
                    &request.envelope_sha256,
                    ReportStatus::Received,
                ),
                None,
            ),
            Answer::OtherReceipt => (
                200,
                receipt(&report_id(200), &digest(200), ReportStatus::Received),
                None,
            ),
            Answer::Rejection => (
                400,
                br#"{"code":"not_an_age_envelope","message":"no","protocol":1}"#.to_vec(),
                None,
            ),
        }
    }

    /// Sends `request` with `answer`, noting which reports may now be rejected or delivered.
    fn answer_request(
        outbox: &mut Outbox,
        request: &Request,
        answer: Answer,
        now: UnixMillis,
        may_reject: &mut Vec<ReportUuid>,
        may_deliver: &mut Vec<ReportUuid>,
    ) {
        let (status, body, retry_after_ms) = body_of(answer, request);
        let attempt = if status == 0 {
            Attempt::NetworkError
        } else {
            Attempt::Answer {
                status,
                body: &body,
                retry_after_ms,
            }
        };
        match answer {
            Answer::Rejection => may_reject.push(request.report_id.clone()),
            // The issue's rule: any 4xx but these is a rejection, and 404 to a status request
            // means "send it again".
            Answer::Status(status, _)
                if !(matches!(status, 401 | 408 | 409 | 425 | 429 | 500..)
                    || status == 404 && request.step == Step::CheckStatus) =>
            {
                may_reject.push(request.report_id.clone());
            }
            Answer::OwnReceipt => may_deliver.push(request.report_id.clone()),
            _ => {}
        }
        outbox.record(&request.report_id, attempt, now, 0.37);
    }

    proptest! {
        #[test]
        fn no_sequence_of_events_loses_strands_or_wrongly_settles_a_report(
            events in proptest::collection::vec(event_strategy(), 1..60)
        ) {
            let mut outbox = Outbox::new();
            let mut now = START;
            let mut queued: Vec<ReportUuid> = Vec::new();
            let mut may_reject = Vec::new();
            let mut may_deliver = Vec::new();
            let mut next_id = 0_u8;
            for event in events {
                match event {
                    Event::Enqueue => {
                        let id = report_id(next_id);
                        outbox.enqueue(id.clone(), digest(next_id), now).unwrap();
                        queued.push(id);
                        next_id += 1;
                    }
                    Event::Wait(ms) => now = UnixMillis(now.0 + ms),
                    Event::Jump(ms) => now = UnixMillis(now.0.saturating_add_signed(ms)),
                    Event::Send(answer) => {
                        if let Some(due) = outbox.next_due(now) {
                            let request = outbox.begin(&due.report_id, now).unwrap();
                            answer_request(&mut outbox, &request, answer, now, &mut may_reject, &mut may_deliver);
                        }
                    }
                    Event::SendTwo(first, second) => {
                        let Some(one) = outbox.next_due(now) else { continue };
                        let one = outbox.begin(&one.report_id, now).unwrap();
                        prop_assert!(outbox.begin(&one.report_id, now).is_err(), "one request in flight per report");
                        let two = outbox.next_due(now).map(|due| outbox.begin(&due.report_id, now).unwrap());
                        if let Some(two) = two {
                            answer_request(&mut outbox, &two, second, now, &mut may_reject, &mut may_deliver);
                        }
                        answer_request(&mut outbox, &one, first, now, &mut may_reject, &mut may_deliver);
                    }
                    Event::Restart => outbox.after_restart(now),
                    Event::Enrol => outbox.enrolled(now),
                    Event::Forget(index) => {
                        if index < queued.len() {
                            let id = queued.remove(index);
                            outbox.forget(&id).unwrap();
                        }
                    }
                }

                // Nothing is lost: exactly the queued, unforgotten reports are there.
                let held: Vec<&ReportUuid> = outbox.reports().map(|report| &report.report_id).collect();
                prop_assert_eq!(held, queued.iter().collect::<Vec<_>>());
                // Only a rejection rejects and only a receipt for the report delivers.
                for report in outbox.reports() {
                    match report.state {
                        ReportState::Rejected { .. } => prop_assert!(may_reject.contains(&report.report_id)),
                        ReportState::Delivered { .. } => prop_assert!(may_deliver.contains(&report.report_id)),
                        _ => {}
                    }
                }
                // Nothing is stranded: unless the phone must enrol, a waiting report is due
                // within the longest wait, and the report due at the wake-up time is sent then.
                let waiting = outbox.reports().filter(|report| matches!(report.state, ReportState::Waiting { .. })).count();
                let any_due = outbox.reports().any(|report| matches!(report.state, ReportState::Waiting { schedule, .. } if schedule.is_due(now)));
                prop_assert_eq!(outbox.next_due(now).is_some(), any_due && !outbox.needs_enrolment(), "a due report is never blocked");
                if waiting > 0 && !outbox.needs_enrolment() {
                    let wake = outbox.next_wake_at(now).unwrap();
                    prop_assert!(wake >= now && wake.0 - now.0 <= MAX_RETRY_AFTER_MS);
                    prop_assert!(outbox.next_due(wake).is_some());
                }
                let counts = outbox.counts(now);
                prop_assert_eq!(counts.waiting + counts.received + counts.acted_upon + counts.rejected, queued.len());
                // What the app persists comes back the same.
                let json = serde_json::to_string(&outbox).unwrap();
                prop_assert_eq!(serde_json::from_str::<Outbox>(&json).unwrap(), outbox.clone());
            }

            // Once the phone is enrolled and the server answers, every report that was not
            // rejected reaches the team, however it got here.
            outbox.after_restart(now);
            outbox.enrolled(now);
            for _ in 0..2 * queued.len() + 1 {
                let Some(wake) = outbox.next_wake_at(now) else { break };
                now = wake;
                let due = outbox.next_due(now).unwrap();
                let request = outbox.begin(&due.report_id, now).unwrap();
                let body = receipt(&request.report_id, &request.envelope_sha256, ReportStatus::Received);
                outbox.record(&request.report_id, answer(200, &body), now, 0.5);
            }
            for report in outbox.reports() {
                prop_assert!(
                    matches!(report.state, ReportState::Delivered { .. } | ReportState::Rejected { .. }),
                    "{:?}", report
                );
            }
        }
    }
}
