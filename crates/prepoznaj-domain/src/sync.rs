//! The phone's sync decisions, as pure functions: what a server answer means for a queued
//! report, when to try again, and which reports are due. The app's sync code does the HTTP
//! and the IndexedDB writes; this module only decides, so that the same rules run in the
//! browser and in the native fault-injection tests.
//!
//! No clock and no randomness here: the caller passes `now` and a jitter in `[0, 1)`. The
//! state machine over the whole queue, built on these, is [`crate::outbox`].
//!
//! The rules:
//! - **No retry cap.** Network failures, 5xx, 408, 425 and 429 are tried again, with
//!   exponential backoff and jitter capped at [`MAX_BACKOFF_MS`] (or the server's
//!   `Retry-After`, if that is longer).
//! - A 2xx counts only with a receipt for *this* report and *this* envelope's SHA-256:
//!   anything else is retried, never taken as delivered.
//! - 409 means the server already holds a different envelope under this id (an earlier send
//!   whose answer was lost, encrypted again since): the team has the report, so the phone asks
//!   for its status and takes that receipt.
//! - 401 means the phone is not (or no longer) enrolled: the report stays queued until it is.
//! - A server's quota is a wait, never a rejection: 429 `device_daily_limit` (this phone's
//!   reports for the day) and 413 `school_storage_full` with `Retry-After` (the school's space)
//!   are tried again, with their own reason so the person is told which.
//! - Any other 4xx is a rejection for good: shown with its reason, and it never blocks the
//!   other reports.
//! - A clock that jumps (the issue's ±48 h) never strands a report: a wait longer than the
//!   longest possible backoff is treated as already over.

use crate::observation::UnixMillis;
use crate::protocol::{
    ApiErrorBody, ErrorCode, ReceiptResponse, ReportReceipt, ReportUuid, Sha256Digest,
};

/// The first retry waits about this long.
pub const BASE_BACKOFF_MS: u64 = 2_000;
/// No computed wait is longer than this (5 minutes).
pub const MAX_BACKOFF_MS: u64 = 5 * 60 * 1_000;
/// A server's `Retry-After` is honoured up to this (1 hour).
pub const MAX_RETRY_AFTER_MS: u64 = 60 * 60 * 1_000;
/// A report queued longer than this (24 hours) is shown with a warning.
pub const STALE_AFTER_MS: u64 = 24 * 60 * 60 * 1_000;

/// What came back from one attempt to send a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt<'a> {
    /// No HTTP answer: offline, connection reset, timeout, the server down.
    NetworkError,
    /// An HTTP answer, with its `Retry-After` in milliseconds where the server sent one.
    Answer {
        status: u16,
        body: &'a [u8],
        retry_after_ms: Option<u64>,
    },
}

/// Why a report is being tried again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RetryReason {
    /// No answer from the server.
    Network,
    /// The server had a problem (5xx) or asked to wait (408, 425, 429).
    Server,
    /// The server's limit of reports a day from one phone was reached (429
    /// `device_daily_limit`): sent again when the server says a place is free.
    DailyLimit,
    /// The school's space on the server is full (413 `school_storage_full` with
    /// `Retry-After`): sent again later, as closed reports are deleted.
    SchoolStorageFull,
    /// A 2xx without a receipt for this report and envelope.
    UnexpectedAnswer,
    /// A 401 to a request sent with the token the phone had before it enrolled again: the
    /// new token has not been tried yet (the outbox decides this, never [`classify_send`]).
    Reenrolled,
}

/// What one attempt means for the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The server holds exactly this envelope: the phone keeps the receipt and forgets the rest.
    Delivered(ReportReceipt),
    /// The server holds another envelope under this id: ask for the report's status.
    CheckStatus,
    /// The phone is not enrolled (or its token was revoked): keep it queued until it is.
    NotEnrolled,
    /// Try again after `retry_after_ms` at the earliest, if given.
    Retry {
        reason: RetryReason,
        retry_after_ms: Option<u64>,
    },
    /// Refused for good, with the server's code: show it, do not resend as is.
    Rejected(ErrorCode),
}

/// What the answer to sending `report_id` with envelope digest `sent` means.
#[must_use]
pub fn classify_send(report_id: &ReportUuid, sent: &Sha256Digest, attempt: Attempt<'_>) -> Outcome {
    classify(attempt, |receipt| {
        receipt.report_id == *report_id && receipt.envelope_sha256 == *sent
    })
}

/// What the answer to asking for `report_id`'s status (after a 409) means: any receipt for
/// this report settles it, whatever envelope the server kept.
#[must_use]
pub fn classify_status(report_id: &ReportUuid, attempt: Attempt<'_>) -> Outcome {
    match attempt {
        // Not there after all (e.g. stored under another school): send it again.
        Attempt::Answer { status: 404, .. } => retry(RetryReason::UnexpectedAnswer, None),
        _ => classify(attempt, |receipt| receipt.report_id == *report_id),
    }
}

/// The rules of the module doc; a 2xx is delivery only with a receipt `settles` accepts.
fn classify(attempt: Attempt<'_>, settles: impl Fn(&ReportReceipt) -> bool) -> Outcome {
    let Attempt::Answer {
        status,
        body,
        retry_after_ms,
    } = attempt
    else {
        return retry(RetryReason::Network, None);
    };
    match status {
        200 | 201 => match serde_json::from_slice::<ReceiptResponse>(body) {
            Ok(response) if settles(&response.receipt) => Outcome::Delivered(response.receipt),
            _ => retry(RetryReason::UnexpectedAnswer, None),
        },
        401 => Outcome::NotEnrolled,
        409 => Outcome::CheckStatus,
        429 | 413 => match (error_code(body), status) {
            (ErrorCode::DeviceDailyLimit, _) => retry(RetryReason::DailyLimit, retry_after_ms),
            // Temporary only with a Retry-After (RFC 9110): a body too large stays too large.
            (ErrorCode::SchoolStorageFull, 413) if retry_after_ms.is_some() => {
                retry(RetryReason::SchoolStorageFull, retry_after_ms)
            }
            (_, 429) => retry(RetryReason::Server, retry_after_ms),
            (code, _) => Outcome::Rejected(code),
        },
        408 | 425 | 500..=599 => retry(RetryReason::Server, retry_after_ms),
        400..=499 => Outcome::Rejected(error_code(body)),
        _ => retry(RetryReason::UnexpectedAnswer, retry_after_ms),
    }
}

fn retry(reason: RetryReason, retry_after_ms: Option<u64>) -> Outcome {
    Outcome::Retry {
        reason,
        retry_after_ms,
    }
}

fn error_code(body: &[u8]) -> ErrorCode {
    serde_json::from_slice::<ApiErrorBody>(body).map_or(ErrorCode::Unrecognised, |error| error.code)
}

/// How long to wait before attempt number `failed_attempts + 1`: exponential from
/// [`BASE_BACKOFF_MS`], capped at [`MAX_BACKOFF_MS`], with "equal jitter" (between half and
/// all of it, by `jitter` in `[0, 1)`), and never shorter than the server's `Retry-After`
/// (itself capped at [`MAX_RETRY_AFTER_MS`]).
#[must_use]
pub fn backoff_ms(failed_attempts: u32, jitter: f64, retry_after_ms: Option<u64>) -> u64 {
    // 2 s << 8 is already past the cap; a larger shift would overflow.
    let exponential =
        (BASE_BACKOFF_MS << failed_attempts.saturating_sub(1).min(8)).min(MAX_BACKOFF_MS);
    let jitter = if jitter.is_finite() {
        jitter.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let half = exponential / 2;
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss,
        reason = "half is at most 150,000 and jitter is in [0, 1]: the product fits and is not negative"
    )]
    let jittered = half + (half as f64 * jitter) as u64;
    jittered.max(retry_after_ms.unwrap_or(0).min(MAX_RETRY_AFTER_MS))
}

/// A queued report's place in the retry schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Schedule {
    /// Failed attempts so far.
    pub failed_attempts: u32,
    /// Not before this time (the phone's clock when it was computed, plus the wait).
    pub next_attempt_at: UnixMillis,
}

impl Schedule {
    /// A report just queued: due at once.
    #[must_use]
    pub fn new(now: UnixMillis) -> Schedule {
        Schedule {
            failed_attempts: 0,
            next_attempt_at: now,
        }
    }

    /// The schedule after a failed attempt at `now`.
    #[must_use]
    pub fn after_failure(
        self,
        now: UnixMillis,
        jitter: f64,
        retry_after_ms: Option<u64>,
    ) -> Schedule {
        let failed_attempts = self.failed_attempts.saturating_add(1);
        Schedule {
            failed_attempts,
            next_attempt_at: UnixMillis(now.0.saturating_add(backoff_ms(
                failed_attempts,
                jitter,
                retry_after_ms,
            ))),
        }
    }

    /// Whether the report should be sent at `now`. A wait longer than any schedule could have
    /// set means the clock went back: the report is due rather than stranded.
    #[must_use]
    pub fn is_due(self, now: UnixMillis) -> bool {
        now >= self.next_attempt_at
            || self.next_attempt_at.0 - now.0 > MAX_BACKOFF_MS.max(MAX_RETRY_AFTER_MS)
    }
}

/// Whether a report queued at `queued_at` has waited long enough at `now` to warn about. A
/// clock earlier than `queued_at` never warns.
#[must_use]
pub fn is_stale(queued_at: UnixMillis, now: UnixMillis) -> bool {
    now.0.saturating_sub(queued_at.0) > STALE_AFTER_MS
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn receipt_json(report: &ReportUuid, digest: &Sha256Digest) -> Vec<u8> {
        serde_json::to_vec(&serde_json::json!({
            "receipt": {
                "report_id": report,
                "received_at": 1_700_000_000_000_u64,
                "status": "received",
                "envelope_sha256": digest,
            },
            "protocol": 1,
        }))
        .unwrap_or_default()
    }

    fn ids() -> (ReportUuid, Sha256Digest, Sha256Digest) {
        let report: ReportUuid = serde_json::from_str("\"0192f3a4-5b6c-7d8e-9f01-23456789abcd\"")
            .unwrap_or_else(|error| panic!("report id: {error}"));
        let ours: Sha256Digest = serde_json::from_str(&format!("\"{}\"", "ab".repeat(32)))
            .unwrap_or_else(|error| panic!("digest: {error}"));
        let other: Sha256Digest = serde_json::from_str(&format!("\"{}\"", "cd".repeat(32)))
            .unwrap_or_else(|error| panic!("digest: {error}"));
        (report, ours, other)
    }

    fn answer(status: u16, body: &[u8]) -> Attempt<'_> {
        Attempt::Answer {
            status,
            body,
            retry_after_ms: None,
        }
    }

    #[test]
    fn only_a_receipt_for_this_report_and_envelope_is_delivery() {
        let (report, ours, other) = ids();
        let good = receipt_json(&report, &ours);
        for status in [200, 201] {
            assert!(matches!(
                classify_send(&report, &ours, answer(status, &good)),
                Outcome::Delivered(receipt) if receipt.report_id == report
            ));
        }
        let wrong_digest = receipt_json(&report, &other);
        for body in [&wrong_digest[..], b"", b"{}", b"<html>proxy</html>"] {
            assert_eq!(
                classify_send(&report, &ours, answer(200, body)),
                Outcome::Retry {
                    reason: RetryReason::UnexpectedAnswer,
                    retry_after_ms: None
                }
            );
        }
    }

    #[test]
    fn transient_answers_retry_and_permanent_ones_reject() {
        let (report, ours, _) = ids();
        assert_eq!(
            classify_send(&report, &ours, Attempt::NetworkError),
            Outcome::Retry {
                reason: RetryReason::Network,
                retry_after_ms: None
            }
        );
        for status in [408, 425, 429, 500, 502, 503, 504] {
            assert!(
                matches!(
                    classify_send(&report, &ours, answer(status, b"")),
                    Outcome::Retry {
                        reason: RetryReason::Server,
                        ..
                    }
                ),
                "{status}"
            );
        }
        assert_eq!(
            classify_send(&report, &ours, answer(401, b"")),
            Outcome::NotEnrolled
        );
        assert_eq!(
            classify_send(&report, &ours, answer(409, b"")),
            Outcome::CheckStatus
        );
        let refused = br#"{"code":"not_an_age_envelope","message":"no","protocol":1}"#;
        assert_eq!(
            classify_send(&report, &ours, answer(400, refused)),
            Outcome::Rejected(ErrorCode::NotAnAgeEnvelope)
        );
        assert_eq!(
            classify_send(&report, &ours, answer(413, b"not json")),
            Outcome::Rejected(ErrorCode::Unrecognised)
        );
    }

    #[test]
    fn retry_after_is_passed_on_and_honoured() {
        let (report, ours, _) = ids();
        let outcome = classify_send(
            &report,
            &ours,
            Attempt::Answer {
                status: 429,
                body: b"",
                retry_after_ms: Some(90_000),
            },
        );
        assert_eq!(
            outcome,
            Outcome::Retry {
                reason: RetryReason::Server,
                retry_after_ms: Some(90_000)
            }
        );
        assert!(backoff_ms(1, 0.0, Some(90_000)) >= 90_000);
        assert_eq!(backoff_ms(1, 0.0, Some(u64::MAX)), MAX_RETRY_AFTER_MS);
    }

    #[test]
    fn a_quota_is_a_wait_with_its_reason_and_a_body_too_large_is_not() {
        let (report, ours, _) = ids();
        let body = |code: &str| format!(r#"{{"code":"{code}","message":"","protocol":1}}"#);
        let with_wait = |status, body: &str| {
            classify_send(
                &report,
                &ours,
                Attempt::Answer {
                    status,
                    body: body.as_bytes(),
                    retry_after_ms: Some(3_600_000),
                },
            )
        };
        let wait = |reason| Outcome::Retry {
            reason,
            retry_after_ms: Some(3_600_000),
        };
        assert_eq!(
            with_wait(429, &body("device_daily_limit")),
            wait(RetryReason::DailyLimit)
        );
        assert_eq!(
            with_wait(413, &body("school_storage_full")),
            wait(RetryReason::SchoolStorageFull)
        );
        assert_eq!(
            with_wait(429, &body("rate_limited")),
            wait(RetryReason::Server)
        );
        assert_eq!(
            with_wait(413, &body("body_too_large")),
            Outcome::Rejected(ErrorCode::BodyTooLarge)
        );
        // Full without saying until when: the server does not expect it to pass.
        assert_eq!(
            classify_send(
                &report,
                &ours,
                answer(413, body("school_storage_full").as_bytes())
            ),
            Outcome::Rejected(ErrorCode::SchoolStorageFull)
        );
    }

    #[test]
    fn after_a_conflict_any_receipt_for_the_report_settles_it() {
        let (report, _, other) = ids();
        let stored_other = receipt_json(&report, &other);
        assert!(matches!(
            classify_status(&report, answer(200, &stored_other)),
            Outcome::Delivered(_)
        ));
        assert!(matches!(
            classify_status(&report, answer(404, b"")),
            Outcome::Retry { .. }
        ));
        assert_eq!(
            classify_status(&report, answer(401, b"")),
            Outcome::NotEnrolled
        );
    }

    #[test]
    fn backoff_doubles_from_two_seconds_up_to_five_minutes() {
        let full: Vec<u64> = (1..=10)
            .map(|attempt| backoff_ms(attempt, 1.0, None))
            .collect();
        assert_eq!(
            full,
            vec![
                2_000, 4_000, 8_000, 16_000, 32_000, 64_000, 128_000, 256_000, 300_000, 300_000
            ]
        );
        assert_eq!(backoff_ms(1, 0.0, None), 1_000);
        assert_eq!(backoff_ms(u32::MAX, 0.5, None), 225_000);
        assert_eq!(backoff_ms(3, f64::NAN, None), 4_000);
    }

    #[test]
    fn a_clock_jump_never_strands_a_report() {
        let queued = Schedule::new(UnixMillis(1_000_000_000));
        assert!(queued.is_due(UnixMillis(1_000_000_000)));
        let waiting = queued.after_failure(UnixMillis(1_000_000_000), 1.0, None);
        assert!(!waiting.is_due(UnixMillis(1_000_001_000)));
        assert!(waiting.is_due(UnixMillis(1_000_002_000)));
        // The phone's clock goes back 48 hours: the report is due, not stuck for two days.
        let back = UnixMillis(1_000_000_000 - 48 * 60 * 60 * 1_000);
        assert!(waiting.is_due(back));
        // And forward 48 hours: due too.
        assert!(waiting.is_due(UnixMillis(1_000_000_000 + 48 * 60 * 60 * 1_000)));
    }

    #[test]
    fn reports_waiting_over_a_day_are_stale_whatever_the_clock_did() {
        assert!(!is_stale(UnixMillis(0), UnixMillis(STALE_AFTER_MS)));
        assert!(is_stale(UnixMillis(0), UnixMillis(STALE_AFTER_MS + 1)));
        assert!(!is_stale(UnixMillis(5_000), UnixMillis(1_000)));
    }

    proptest! {
        #[test]
        fn backoff_stays_within_its_bounds(attempt in 0_u32..100, jitter in any::<f64>(), after in proptest::option::of(any::<u64>())) {
            let wait = backoff_ms(attempt, jitter, after);
            prop_assert!(wait >= BASE_BACKOFF_MS / 2);
            prop_assert!(wait <= MAX_BACKOFF_MS.max(MAX_RETRY_AFTER_MS));
            if after.is_none() {
                prop_assert!(wait <= MAX_BACKOFF_MS);
            }
        }

        #[test]
        fn a_failed_report_is_due_again_within_the_longest_wait(start in 0_u64..4_000_000_000_000, attempts in 0_u32..50, jitter in 0.0_f64..1.0) {
            let mut schedule = Schedule::new(UnixMillis(start));
            for _ in 0..attempts {
                schedule = schedule.after_failure(UnixMillis(start), jitter, None);
            }
            prop_assert!(schedule.is_due(UnixMillis(start + MAX_BACKOFF_MS)));
        }
    }
}
