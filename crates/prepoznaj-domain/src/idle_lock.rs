//! When something unlocked is forgotten: once the person has not used the app for the chosen
//! number of minutes, on screen or in the background. Used by the team inbox (its passphrase-
//! unlocked key); written for any unlocked secret of the app.
//!
//! Time is read from two clocks and the caller passes both: the wall clock (`Date.now()`),
//! which keeps counting while the phone sleeps but can be set back (or forward) by anyone
//! holding the phone, and a monotonic clock (`performance.now()`), which nobody can set but
//! which may stand still while the phone sleeps. The idle time is the longer of the two
//! measures, and a clock that went back measures nothing, so setting the clock back never keeps
//! a secret unlocked longer than chosen; setting it forward only locks sooner. Pure: no clock is
//! read here.

use crate::observation::UnixMillis;

const MINUTE_MS: u64 = 60 * 1000;

/// One reading of both clocks, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Moment {
    /// The wall clock (milliseconds since the Unix epoch).
    pub wall: UnixMillis,
    /// A monotonic clock (milliseconds since any fixed origin, the same for every reading).
    pub monotonic_ms: u64,
}

/// What to do now about an unlocked secret last used at some moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdleDecision {
    /// The limit has passed: forget it now.
    Lock,
    /// Still within the limit: decide again after this many milliseconds (unless it is used
    /// meanwhile, which moves the deadline further away).
    CheckAgainIn(u64),
}

/// The rule "lock after this many minutes without use".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdleLock {
    limit_ms: u64,
}

impl IdleLock {
    /// Locks after `minutes` minutes without use.
    #[must_use]
    pub fn after_minutes(minutes: u32) -> Self {
        Self {
            limit_ms: u64::from(minutes) * MINUTE_MS,
        }
    }

    /// How long, in milliseconds, nothing has happened between `last_use` and `now`: the
    /// longer of the two clocks' measures; a clock that went back measures zero.
    #[must_use]
    pub fn idle_ms(last_use: Moment, now: Moment) -> u64 {
        let wall = now.wall.0.saturating_sub(last_use.wall.0);
        let monotonic = now.monotonic_ms.saturating_sub(last_use.monotonic_ms);
        wall.max(monotonic)
    }

    /// Whether a secret last used at `last_use` is to be forgotten at `now`, and if not, when
    /// to ask again.
    #[must_use]
    pub fn decide(self, last_use: Moment, now: Moment) -> IdleDecision {
        match self.limit_ms.checked_sub(Self::idle_ms(last_use, now)) {
            Some(remaining) if remaining > 0 => IdleDecision::CheckAgainIn(remaining),
            _ => IdleDecision::Lock,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR_MS: u64 = 60 * MINUTE_MS;

    /// A reading `wall` ms after a fixed day and `monotonic` ms after the page started.
    fn at(wall: u64, monotonic: u64) -> Moment {
        Moment {
            wall: UnixMillis(1_800_000_000_000 + wall),
            monotonic_ms: monotonic,
        }
    }

    #[test]
    fn decisions_follow_the_longer_clock_and_ignore_one_set_back() {
        let five = IdleLock::after_minutes(5);
        let last_use = at(HOUR_MS, 10 * HOUR_MS);
        let cases: [(&str, Moment, IdleDecision); 9] = [
            (
                "just used",
                last_use,
                IdleDecision::CheckAgainIn(5 * MINUTE_MS),
            ),
            (
                "a minute later on both clocks",
                at(HOUR_MS + MINUTE_MS, 10 * HOUR_MS + MINUTE_MS),
                IdleDecision::CheckAgainIn(4 * MINUTE_MS),
            ),
            (
                "a millisecond short of the limit",
                at(
                    HOUR_MS + 5 * MINUTE_MS - 1,
                    10 * HOUR_MS + 5 * MINUTE_MS - 1,
                ),
                IdleDecision::CheckAgainIn(1),
            ),
            (
                "exactly the limit",
                at(HOUR_MS + 5 * MINUTE_MS, 10 * HOUR_MS + 5 * MINUTE_MS),
                IdleDecision::Lock,
            ),
            (
                "the wall clock set back an hour, the limit passed on the monotonic one",
                at(6 * MINUTE_MS, 10 * HOUR_MS + 6 * MINUTE_MS),
                IdleDecision::Lock,
            ),
            (
                "the wall clock set back an hour, a minute passed on the monotonic one",
                at(MINUTE_MS, 10 * HOUR_MS + MINUTE_MS),
                IdleDecision::CheckAgainIn(4 * MINUTE_MS),
            ),
            (
                "the phone slept: the monotonic clock stood still, the wall clock went on",
                at(HOUR_MS + 20 * MINUTE_MS, 10 * HOUR_MS + MINUTE_MS),
                IdleDecision::Lock,
            ),
            (
                "the wall clock set forward a day: locks sooner, never later",
                at(HOUR_MS + 24 * HOUR_MS, 10 * HOUR_MS + MINUTE_MS),
                IdleDecision::Lock,
            ),
            (
                "both clocks behind the last use (readings from another origin)",
                at(0, 0),
                IdleDecision::CheckAgainIn(5 * MINUTE_MS),
            ),
        ];
        for (name, now, expected) in cases {
            assert_eq!(five.decide(last_use, now), expected, "{name}");
        }
    }

    #[test]
    fn every_choice_of_minutes_is_its_limit() {
        let start = at(0, 0);
        for minutes in [1_u32, 5, 15, 30] {
            let lock = IdleLock::after_minutes(minutes);
            let limit = u64::from(minutes) * MINUTE_MS;
            assert_eq!(
                lock.decide(start, at(limit - 1, limit - 1)),
                IdleDecision::CheckAgainIn(1),
                "{minutes} minutes"
            );
            assert_eq!(
                lock.decide(start, at(limit, 0)),
                IdleDecision::Lock,
                "{minutes} minutes"
            );
            assert_eq!(
                lock.decide(start, at(0, limit)),
                IdleDecision::Lock,
                "{minutes} minutes"
            );
        }
    }

    #[test]
    fn idle_time_is_the_longer_measure_and_never_negative() {
        let last_use = at(HOUR_MS, HOUR_MS);
        assert_eq!(IdleLock::idle_ms(last_use, at(HOUR_MS + 7, HOUR_MS + 3)), 7);
        assert_eq!(IdleLock::idle_ms(last_use, at(HOUR_MS + 3, HOUR_MS + 7)), 7);
        assert_eq!(IdleLock::idle_ms(last_use, at(0, HOUR_MS + 2)), 2);
        assert_eq!(IdleLock::idle_ms(last_use, at(0, 0)), 0);
    }
}
