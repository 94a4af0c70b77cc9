//! How long a phone keeps the receipt of a report its team has. A receipt holds no answers
//! (see [`Status::Forgotten`]), only the date, the reference and the team's status, but even
//! that need not stay for ever: the person chooses how long (under the receipts on `/observe`),
//! and the sender deletes older receipts on its runs.

use crate::observation::{ObservationRecord, Status, UnixMillis};

const DAY_MS: u64 = 24 * 60 * 60 * 1000;

/// The periods a person can choose, in days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ReceiptRetention {
    Days30,
    #[default]
    Days90,
    Days180,
    Days365,
}

impl ReceiptRetention {
    /// Every choice, shortest first.
    pub const ALL: [Self; 4] = [Self::Days30, Self::Days90, Self::Days180, Self::Days365];

    #[must_use]
    pub fn days(self) -> u16 {
        match self {
            Self::Days30 => 30,
            Self::Days90 => 90,
            Self::Days180 => 180,
            Self::Days365 => 365,
        }
    }

    /// The choice of `days` days, if it is one.
    #[must_use]
    pub fn from_days(days: u16) -> Option<Self> {
        Self::ALL.into_iter().find(|choice| choice.days() == days)
    }

    /// Whether `record` is a receipt (the team has the report) that has been one for the whole
    /// period by `now`. A phone clock set back never makes a receipt expire early: its age is
    /// counted from when it became a receipt, and a receipt from the future is not expired.
    #[must_use]
    pub fn has_expired(self, record: &ObservationRecord, now: UnixMillis) -> bool {
        self.has_expired_at(record.status(), record.updated_at(), now)
    }

    /// [`ReceiptRetention::has_expired`] for a record known only by its status and the time of
    /// its last change (what a sealed record keeps in clear, so the sender decides while the
    /// app is locked).
    #[must_use]
    pub fn has_expired_at(self, status: Status, updated_at: UnixMillis, now: UnixMillis) -> bool {
        let period = u64::from(self.days()) * DAY_MS;
        status == Status::Forgotten
            && now
                .0
                .checked_sub(updated_at.0)
                .is_some_and(|age| age >= period)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly on purpose")]

    use super::*;
    use crate::catalogue::shipped_catalogue;
    use crate::observation::{
        Answer, Context, Mode, ObservationDraft, ObserverRole, ReportId, Setting,
    };

    /// An observation finished at 0 and moved on to `status`, the last step at `at`.
    fn finished_record(status: Status, at: UnixMillis) -> ObservationRecord {
        let catalogue = shipped_catalogue();
        let context = Context {
            setting: Setting::Classroom,
            age_band: None,
            gender: None,
            observer_role: ObserverRole::Teacher,
            reference: None,
        };
        let id = ReportId::new_v7(UnixMillis(0), [7; 10]);
        let mut draft = ObservationDraft::new(
            id,
            catalogue.version().clone(),
            Mode::Quick,
            context,
            UnixMillis(0),
        );
        let first = catalogue.indicators().next().unwrap().id().clone();
        draft
            .answer(&catalogue, &first, Answer::Observed, UnixMillis(0))
            .unwrap();
        let mut record =
            ObservationRecord::Finished(draft.complete(&catalogue, UnixMillis(0)).unwrap());
        for next in [Status::Queued, Status::Sent, Status::Forgotten] {
            if record.status() == status {
                break;
            }
            record.advance(next, at).unwrap();
        }
        record
    }

    #[test]
    fn only_receipts_older_than_the_period_expire() {
        let delivered_at = UnixMillis(1_000 * DAY_MS);
        let receipt = finished_record(Status::Forgotten, delivered_at);
        let retention = ReceiptRetention::Days30;
        let just_before = UnixMillis(delivered_at.0 + 30 * DAY_MS - 1);
        let at_the_end = UnixMillis(delivered_at.0 + 30 * DAY_MS);
        assert!(!retention.has_expired(&receipt, just_before));
        assert!(retention.has_expired(&receipt, at_the_end));
        assert!(!ReceiptRetention::Days90.has_expired(&receipt, at_the_end));
        assert!(
            !retention.has_expired(&receipt, UnixMillis(0)),
            "a clock set back never expires a receipt"
        );
        for status in [Status::Complete, Status::Queued, Status::Sent] {
            let waiting = finished_record(status, delivered_at);
            assert!(
                !retention.has_expired(&waiting, UnixMillis(u64::MAX)),
                "{status:?} is not a receipt"
            );
        }
    }

    #[test]
    fn every_choice_round_trips_through_its_days() {
        for choice in ReceiptRetention::ALL {
            assert_eq!(ReceiptRetention::from_days(choice.days()), Some(choice));
        }
        assert_eq!(ReceiptRetention::from_days(7), None);
        assert_eq!(ReceiptRetention::default().days(), 90);
    }
}
