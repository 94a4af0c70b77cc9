//! Whether a set-up or enrolment link's code would work now: the one rule behind
//! `POST /api/v1/link-checks`, which the app asks before it asks the person for any work
//! (a passphrase, a key, a recovery copy), and behind the refusals of redeeming a code, so a
//! check and a redemption never disagree.
//!
//! A store reads the code's row into a [`CodeRecord`] and this decides; checking never changes
//! the record. The order is what helps the person most: a used or replaced link says so even
//! if it has also expired since (they may have used it themselves, or have a newer one), a
//! revoked link says so before its expiry does, and an expired one before being full (a full
//! link's end is still given: the team may want to know it). Nothing here does IO or reads a clock.

use crate::observation::UnixMillis;
use crate::protocol::{LinkCheck, LinkState, PROTOCOL_VERSION};

/// Whether a one-time code has been spent, and how.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeUse {
    /// Not redeemed (enrolment codes, which many phones share, are always this).
    Unused,
    /// Redeemed by the person it was for.
    Redeemed,
    /// Made unusable when a newer set-up code was made for the same member.
    Replaced,
}

/// What a store knows of a code, found by its hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeRecord {
    pub expires_at: UnixMillis,
    pub used: CodeUse,
    /// The link was revoked, or the member a set-up code was made for was removed.
    pub revoked: bool,
    /// An enrolment link with which as many phones enrolled as it allows (set-up codes:
    /// never).
    pub full: bool,
}

/// The answer to a check at `now` of a code whose record is `record` (`None`: no such code).
/// The expiry is given only when it helps: a valid link's end, an expired link's date.
#[must_use]
pub fn link_state(record: Option<&CodeRecord>, now: UnixMillis) -> LinkCheck {
    let (state, expires_at) = match record {
        None => (LinkState::Unknown, None),
        Some(record) => match record.used {
            CodeUse::Redeemed => (LinkState::Used, None),
            CodeUse::Replaced => (LinkState::Replaced, None),
            CodeUse::Unused if record.revoked => (LinkState::Revoked, None),
            CodeUse::Unused if now >= record.expires_at => {
                (LinkState::Expired, Some(record.expires_at))
            }
            CodeUse::Unused if record.full => (LinkState::Full, Some(record.expires_at)),
            CodeUse::Unused => (LinkState::Valid, Some(record.expires_at)),
        },
    };
    LinkCheck {
        state,
        expires_at,
        // The route names the school of a valid founding code; the record does not know it.
        founding_school: None,
        protocol: PROTOCOL_VERSION,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXPIRES: UnixMillis = UnixMillis(10_000);

    fn record(used: CodeUse, revoked: bool) -> CodeRecord {
        CodeRecord {
            expires_at: EXPIRES,
            used,
            revoked,
            full: false,
        }
    }

    fn full(revoked: bool) -> CodeRecord {
        CodeRecord {
            full: true,
            ..record(CodeUse::Unused, revoked)
        }
    }

    #[test]
    fn each_record_and_time_has_one_state() {
        use CodeUse::{Redeemed, Replaced, Unused};
        let before = UnixMillis(9_999);
        let at_expiry = EXPIRES;
        let table: [(
            Option<CodeRecord>,
            UnixMillis,
            LinkState,
            Option<UnixMillis>,
        ); 13] = [
            (None, before, LinkState::Unknown, None),
            (
                Some(record(Unused, false)),
                before,
                LinkState::Valid,
                Some(EXPIRES),
            ),
            (
                Some(record(Unused, false)),
                at_expiry,
                LinkState::Expired,
                Some(EXPIRES),
            ),
            (Some(record(Redeemed, false)), before, LinkState::Used, None),
            (
                Some(record(Redeemed, false)),
                at_expiry,
                LinkState::Used,
                None,
            ),
            (Some(record(Redeemed, true)), before, LinkState::Used, None),
            (
                Some(record(Replaced, false)),
                before,
                LinkState::Replaced,
                None,
            ),
            (
                Some(record(Replaced, true)),
                at_expiry,
                LinkState::Replaced,
                None,
            ),
            (Some(record(Unused, true)), before, LinkState::Revoked, None),
            (
                Some(record(Unused, true)),
                at_expiry,
                LinkState::Revoked,
                None,
            ),
            (Some(full(false)), before, LinkState::Full, Some(EXPIRES)),
            (
                Some(full(false)),
                at_expiry,
                LinkState::Expired,
                Some(EXPIRES),
            ),
            (Some(full(true)), before, LinkState::Revoked, None),
        ];
        for (record, now, state, expires_at) in table {
            let check = link_state(record.as_ref(), now);
            assert_eq!(
                (check.state, check.expires_at),
                (state, expires_at),
                "{record:?} at {now:?}"
            );
            assert_eq!(check.protocol, PROTOCOL_VERSION);
        }
    }
}
