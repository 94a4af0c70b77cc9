//! The app lock of a staff phone, as rules without cryptography: which PIN or passphrase a
//! person may choose ([`LockSecret`]), how long the unlock screen waits after wrong tries
//! ([`WrongTries`]), the auto-lock choices ([`AutoLock`]) and when the app locks itself
//! ([`should_lock`]). The keys and the sealing are `prepoznaj_envelope::vault`'s.
//!
//! **Secrets.** A PIN is at least [`MIN_PIN_DIGITS`] digits, not one that people pick first
//! (one digit repeated, a straight run up or down, a short group repeated: `111111`,
//! `123456`, `987654`, `121212`, `123123`). Anything that is not all digits is a passphrase of
//! at least [`MIN_PASSPHRASE_CHARS`] characters, NIST SP 800-63B's minimum for a secret the
//! person chooses; it must use more than two different characters. Leading and trailing
//! spaces (a phone keyboard's autocorrect adds them) are not part of the secret.
//!
//! **Wrong tries.** The first [`FREE_WRONG_TRIES`] cost nothing, then each waits longer, up to
//! [`MAX_WAIT_MS`]; the lock never wipes anything. A clock set back never makes the wait
//! longer than the try's own delay.

use crate::observation::UnixMillis;

/// The fewest digits of a PIN.
pub const MIN_PIN_DIGITS: usize = 6;
/// The fewest characters of a passphrase (NIST SP 800-63B, a memorised secret the person
/// chooses).
pub const MIN_PASSPHRASE_CHARS: usize = 8;
/// Wrong tries that cost no wait.
pub const FREE_WRONG_TRIES: u32 = 5;
/// The longest wait between tries.
pub const MAX_WAIT_MS: u64 = 15 * MINUTE_MS;
const MINUTE_MS: u64 = 60 * 1_000;
const SECOND_MS: u64 = 1_000;

/// The waits after the 6th, 7th, … wrong try; the last one repeats.
const WAITS_MS: [u64; 5] = [
    30 * SECOND_MS,
    MINUTE_MS,
    2 * MINUTE_MS,
    5 * MINUTE_MS,
    MAX_WAIT_MS,
];

/// Whether a secret is a PIN or a passphrase (the set-up screen says which rules apply).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretKind {
    Pin,
    Passphrase,
}

/// A PIN or passphrase that passed the rules, as the lock uses it (trimmed).
#[derive(Clone, PartialEq, Eq)]
pub struct LockSecret(String);

impl std::fmt::Debug for LockSecret {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("LockSecret(…)")
    }
}

/// Why a new secret was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LockSecretError {
    #[error("a PIN needs at least {MIN_PIN_DIGITS} digits; this one has {0}")]
    PinTooShort(usize),
    #[error("this PIN is one that is guessed first (repeated or in a row)")]
    PinTooSimple,
    #[error("a passphrase needs at least {MIN_PASSPHRASE_CHARS} characters; this one has {0}")]
    PassphraseTooShort(usize),
    #[error("this passphrase repeats one or two characters")]
    PassphraseTooSimple,
    #[error("the two entries differ")]
    Mismatch,
}

impl LockSecret {
    /// Checks a new secret and its repetition.
    ///
    /// # Errors
    /// [`LockSecretError`] naming the first rule it breaks; [`LockSecretError::Mismatch`]
    /// only once the first entry is acceptable.
    pub fn new(typed: &str, repeated: &str) -> Result<Self, LockSecretError> {
        let secret = normalised(typed);
        match kind(secret) {
            SecretKind::Pin => {
                if secret.len() < MIN_PIN_DIGITS {
                    return Err(LockSecretError::PinTooShort(secret.len()));
                }
                if is_simple_pin(secret) {
                    return Err(LockSecretError::PinTooSimple);
                }
            }
            SecretKind::Passphrase => {
                let length = secret.chars().count();
                if length < MIN_PASSPHRASE_CHARS {
                    return Err(LockSecretError::PassphraseTooShort(length));
                }
                let mut distinct: Vec<char> = secret.to_lowercase().chars().collect();
                distinct.sort_unstable();
                distinct.dedup();
                if distinct.len() <= 2 {
                    return Err(LockSecretError::PassphraseTooSimple);
                }
            }
        }
        if normalised(repeated) != secret {
            return Err(LockSecretError::Mismatch);
        }
        Ok(Self(secret.to_owned()))
    }

    /// The secret as the lock uses it.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    #[must_use]
    pub fn kind(&self) -> SecretKind {
        kind(&self.0)
    }
}

/// A secret typed to unlock, as the lock uses it: the same trimming as [`LockSecret::new`].
#[must_use]
pub fn normalised(typed: &str) -> &str {
    typed.trim()
}

/// PIN (digits only, none empty) or passphrase.
#[must_use]
pub fn kind(secret: &str) -> SecretKind {
    if !secret.is_empty() && secret.bytes().all(|byte| byte.is_ascii_digit()) {
        SecretKind::Pin
    } else {
        SecretKind::Passphrase
    }
}

/// One digit repeated, a straight run (up or down, by one), or a group of two or three
/// digits repeated: the PINs tried first.
fn is_simple_pin(pin: &str) -> bool {
    let digits: Vec<i8> = pin.bytes().map(|byte| (byte - b'0') as i8).collect();
    let steps: Vec<i8> = digits.windows(2).map(|pair| pair[1] - pair[0]).collect();
    let straight = steps.iter().all(|&step| step == steps[0]) && steps[0].abs() <= 1;
    let repeated_group = [2, 3].into_iter().any(|period| {
        digits.len().is_multiple_of(period)
            && digits
                .iter()
                .enumerate()
                .all(|(index, digit)| *digit == digits[index % period])
    });
    straight || repeated_group
}

/// Wrong tries since the last unlock, and when the last one was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct WrongTries {
    pub count: u32,
    #[serde(default)]
    pub last_at: Option<UnixMillis>,
}

impl WrongTries {
    /// After one more wrong try at `now`.
    #[must_use]
    pub fn after_wrong_try(self, now: UnixMillis) -> Self {
        Self {
            count: self.count.saturating_add(1),
            last_at: Some(now),
        }
    }

    /// The wait the last wrong try set (zero for the first [`FREE_WRONG_TRIES`]).
    #[must_use]
    pub fn delay_ms(self) -> u64 {
        let Some(beyond) = self.count.checked_sub(FREE_WRONG_TRIES + 1) else {
            return 0;
        };
        let index = usize::try_from(beyond).unwrap_or(usize::MAX);
        WAITS_MS[index.min(WAITS_MS.len() - 1)]
    }

    /// How long the person must still wait at `now` before trying again (zero: now). A clock
    /// set back (`now` before the last try) waits the try's own delay, never longer.
    #[must_use]
    pub fn wait_ms(self, now: UnixMillis) -> u64 {
        let delay = self.delay_ms();
        let Some(last_at) = self.last_at else {
            return 0;
        };
        match now.0.checked_sub(last_at.0) {
            Some(elapsed) => delay.saturating_sub(elapsed),
            None => delay,
        }
    }

    /// The record as it should be kept at `now`: a last try in the future (the clock was set
    /// back) is moved to `now`, so the wait counts from a time the clock has seen.
    #[must_use]
    pub fn rebased(self, now: UnixMillis) -> Self {
        Self {
            last_at: self.last_at.map(|last_at| last_at.min(now)),
            ..self
        }
    }
}

/// How long the app may go without use (in the background or idle) before it locks itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AutoLock {
    Minutes1,
    Minutes2,
    #[default]
    Minutes5,
    Minutes10,
    Minutes15,
    Minutes30,
}

impl AutoLock {
    /// Every choice, shortest first.
    pub const ALL: [Self; 6] = [
        Self::Minutes1,
        Self::Minutes2,
        Self::Minutes5,
        Self::Minutes10,
        Self::Minutes15,
        Self::Minutes30,
    ];

    #[must_use]
    pub fn minutes(self) -> u32 {
        match self {
            Self::Minutes1 => 1,
            Self::Minutes2 => 2,
            Self::Minutes5 => 5,
            Self::Minutes10 => 10,
            Self::Minutes15 => 15,
            Self::Minutes30 => 30,
        }
    }

    /// The choice of `minutes`, if it is one.
    #[must_use]
    pub fn from_minutes(minutes: u32) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|choice| choice.minutes() == minutes)
    }

    #[must_use]
    pub fn ms(self) -> u64 {
        u64::from(self.minutes()) * MINUTE_MS
    }
}

/// Whether the unlocked app locks itself at `now`: it has not been used for the chosen time
/// (`last_activity`: the last tap or key), or has been in the background for it
/// (`hidden_since`). A clock that went back past either time locks it: how long it was away
/// cannot be known, and locking loses nothing.
#[must_use]
pub fn should_lock(
    now: UnixMillis,
    last_activity: UnixMillis,
    hidden_since: Option<UnixMillis>,
    timeout: AutoLock,
) -> bool {
    let too_long = |since: UnixMillis| {
        now.0
            .checked_sub(since.0)
            .is_none_or(|elapsed| elapsed >= timeout.ms())
    };
    too_long(last_activity) || hidden_since.is_some_and(too_long)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly on purpose")]

    use super::*;

    #[test]
    fn secrets_follow_the_rules() {
        let cases: &[(&str, &str, Result<SecretKind, LockSecretError>)] = &[
            ("204817", "204817", Ok(SecretKind::Pin)),
            (" 204817 ", "204817", Ok(SecretKind::Pin)),
            ("20481", "20481", Err(LockSecretError::PinTooShort(5))),
            ("", "", Err(LockSecretError::PassphraseTooShort(0))),
            ("111111", "111111", Err(LockSecretError::PinTooSimple)),
            ("123456", "123456", Err(LockSecretError::PinTooSimple)),
            ("654321", "654321", Err(LockSecretError::PinTooSimple)),
            (
                "0123456789",
                "0123456789",
                Err(LockSecretError::PinTooSimple),
            ),
            ("121212", "121212", Err(LockSecretError::PinTooSimple)),
            ("123123", "123123", Err(LockSecretError::PinTooSimple)),
            ("135791", "135791", Ok(SecretKind::Pin)),
            ("1234567", "1234567", Err(LockSecretError::PinTooSimple)),
            ("12345678", "12345679", Err(LockSecretError::PinTooSimple)),
            ("204817", "204818", Err(LockSecretError::Mismatch)),
            ("липа цвета", "липа цвета", Ok(SecretKind::Passphrase)),
            (
                "kratka",
                "kratka",
                Err(LockSecretError::PassphraseTooShort(6)),
            ),
            (
                "ababababab",
                "ababababab",
                Err(LockSecretError::PassphraseTooSimple),
            ),
            (
                "aaaaAAAA",
                "aaaaAAAA",
                Err(LockSecretError::PassphraseTooSimple),
            ),
            ("2048-17-x", "2048-17-x", Ok(SecretKind::Passphrase)),
            ("школа 2024", "школа 2025", Err(LockSecretError::Mismatch)),
        ];
        for (typed, repeated, expected) in cases {
            let got = LockSecret::new(typed, repeated).map(|secret| secret.kind());
            assert_eq!(&got, expected, "{typed:?} / {repeated:?}");
        }
        let secret = LockSecret::new(" 204817\n", "204817").unwrap();
        assert_eq!(secret.as_str(), "204817");
        assert_eq!(normalised(" 204817\n"), secret.as_str());
        assert_eq!(format!("{secret:?}"), "LockSecret(…)");
    }

    #[test]
    fn wrong_tries_wait_longer_after_five_and_never_past_the_cap() {
        let at = UnixMillis(1_000_000);
        let expected_delays: [(u32, u64); 12] = [
            (0, 0),
            (1, 0),
            (5, 0),
            (6, 30 * SECOND_MS),
            (7, MINUTE_MS),
            (8, 2 * MINUTE_MS),
            (9, 5 * MINUTE_MS),
            (10, 15 * MINUTE_MS),
            (11, 15 * MINUTE_MS),
            (100, MAX_WAIT_MS),
            (u32::MAX - 1, MAX_WAIT_MS),
            (u32::MAX, MAX_WAIT_MS),
        ];
        for (count, delay) in expected_delays {
            let tries = WrongTries {
                count,
                last_at: Some(at),
            };
            assert_eq!(tries.delay_ms(), delay, "{count} wrong tries");
            assert_eq!(tries.wait_ms(at), delay);
            assert_eq!(tries.wait_ms(UnixMillis(at.0 + delay)), 0);
        }
        let mut tries = WrongTries::default();
        for _ in 0..6 {
            tries = tries.after_wrong_try(at);
        }
        assert_eq!(tries.count, 6);
        assert_eq!(
            tries.wait_ms(UnixMillis(at.0 + 10 * SECOND_MS)),
            20 * SECOND_MS
        );
        assert_eq!(
            WrongTries {
                count: u32::MAX,
                last_at: None
            }
            .after_wrong_try(at)
            .count,
            u32::MAX
        );
    }

    #[test]
    fn a_clock_set_back_never_waits_longer_than_the_delay() {
        let tries = WrongTries {
            count: 7,
            last_at: Some(UnixMillis(10 * MINUTE_MS)),
        };
        // A year back: one minute, as the try asked.
        assert_eq!(tries.wait_ms(UnixMillis(0)), MINUTE_MS);
        let rebased = tries.rebased(UnixMillis(0));
        assert_eq!(rebased.last_at, Some(UnixMillis(0)));
        assert_eq!(rebased.wait_ms(UnixMillis(MINUTE_MS)), 0);
        // A clock that did not go back keeps the record as it is.
        assert_eq!(tries.rebased(UnixMillis(11 * MINUTE_MS)), tries);
    }

    #[test]
    fn auto_lock_choices_go_from_one_to_thirty_minutes_five_by_default() {
        assert_eq!(AutoLock::default().minutes(), 5);
        assert_eq!(AutoLock::ALL.map(AutoLock::minutes), [1, 2, 5, 10, 15, 30]);
        for choice in AutoLock::ALL {
            assert_eq!(AutoLock::from_minutes(choice.minutes()), Some(choice));
        }
        assert_eq!(AutoLock::from_minutes(0), None);
        assert_eq!(AutoLock::from_minutes(31), None);
        assert_eq!(AutoLock::Minutes2.ms(), 120_000);
    }

    #[test]
    fn the_app_locks_after_the_chosen_time_idle_or_hidden_and_when_the_clock_went_back() {
        let minute = MINUTE_MS;
        let t = |minutes: u64| UnixMillis(100 * minute + minutes * minute);
        let five = AutoLock::Minutes5;
        let cases: &[(UnixMillis, UnixMillis, Option<UnixMillis>, AutoLock, bool)] = &[
            // Used a moment ago, on screen.
            (t(0), t(0), None, five, false),
            (t(4), t(0), None, five, false),
            // Idle for the whole time on screen.
            (t(5), t(0), None, five, true),
            (t(6), t(0), None, five, true),
            // Hidden for less, then for the whole time.
            (t(7), t(3), Some(t(3)), five, false),
            (t(8), t(3), Some(t(3)), five, true),
            // A shorter choice.
            (t(1), t(0), None, AutoLock::Minutes1, true),
            (t(29), t(0), None, AutoLock::Minutes30, false),
            // The clock went back past the last activity or the hiding: locked.
            (t(0), t(1), None, five, true),
            (t(2), t(1), Some(t(3)), five, true),
        ];
        for (index, &(now, last_activity, hidden_since, timeout, expected)) in
            cases.iter().enumerate()
        {
            assert_eq!(
                should_lock(now, last_activity, hidden_since, timeout),
                expected,
                "case {index}"
            );
        }
    }
}
