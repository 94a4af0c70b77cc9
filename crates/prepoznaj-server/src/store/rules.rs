//! The store's decisions, made once for both backends: a backend reads the rows a decision
//! needs, asks this module, and writes what it is told. Nothing here knows SQL, a connection
//! or a clock (times come from the caller, as everywhere in the store).
//!
//! What is decided here: a resent report versus a conflicting one; a status change that is new,
//! a resend, a conflict or refused, and the report's state after it (status only moves forward,
//! the first `closed_at` wins); whether a set-up code founds a school's chain, gives a member
//! their token, or is refused; whether a version is the next of its chain; which reports the
//! retention job forgets and when a kept one will be forgotten; how the status columns are
//! written as text; whether an imported school is new or already present; which set-up
//! code the operator may have for a school; what an enrolment link's row means for a check or
//! an enrolment (its cap of phones); and when a device's last use is noted again.

use prepoznaj_domain::{
    catalogue::CatalogueVersion,
    link_check::{CodeRecord, CodeUse},
    observation::UnixMillis,
    protocol::{
        CoarseStatus, ReportReceipt, ReportStatus, ReportUuid, School, SchoolId, Sha256Digest,
        StatusChange, TeamMemberId,
    },
    team_chain::ChainMember,
};

use super::{
    CodeRefusal, NewReport, RecordedStatusChange, ReportQuota, SetupLinkRefusal, SetupOutcome,
    SetupRedemption, StatusChangeOutcome, SubmissionOutcome, code_refusal,
};
use crate::directory::ExternalId;

/// A report stored earlier under a submission's id, as read back.
#[derive(Debug, Clone)]
pub struct StoredReport {
    pub school_id: SchoolId,
    pub catalogue_version: CatalogueVersion,
    pub receipt: ReportReceipt,
}

/// A submission whose id is taken: the same report sent again (same school, catalogue version
/// and envelope) gets the first receipt; anything else under that id is a conflict.
#[must_use]
pub fn resubmission(earlier: StoredReport, new: &NewReport) -> SubmissionOutcome {
    let identical = earlier.school_id == new.school_id
        && earlier.catalogue_version == new.catalogue_version
        && earlier.receipt.envelope_sha256 == new.receipt.envelope_sha256;
    if identical {
        SubmissionOutcome::AlreadyStored(earlier.receipt)
    } else {
        SubmissionOutcome::Conflict
    }
}

/// How long a device's window of reports lasts, from its first report.
pub const QUOTA_WINDOW_MS: u64 = 24 * 60 * 60 * 1000;

/// A device's current window of reports, as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DeviceWindow {
    /// When its first report was received; `None` before the device's first report.
    pub start: Option<UnixMillis>,
    pub reports: u32,
}

/// What to do with a new report (not a resend: a resend is never counted or refused).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QuotaRule {
    /// Answer this without storing the report.
    Refuse(SubmissionOutcome),
    /// Store it, and keep this as the device's window.
    Store(DeviceWindow),
}

/// How far after a report's arrival its device's window may start and still count it: reports
/// received moments apart may be stored out of order (by concurrent requests, batches or
/// server instances), and the later-stored one must not open a new window.
pub const WINDOW_SKEW_MS: u64 = 60 * 1000;

/// Decides whether a new report of `size` bytes, received `now`, fits the device's `window`
/// and the school's `stored` bytes. A window ends 24 hours after its first report; one that
/// starts more than [`WINDOW_SKEW_MS`] after `now` (the server's clock went back) ends at once.
/// The school's limit is checked with the report included, so a school never stores more
/// than its limit.
#[must_use]
pub fn report_quota(
    window: DeviceWindow,
    stored: u64,
    size: u64,
    quota: ReportQuota,
    now: UnixMillis,
) -> QuotaRule {
    let window = match window.start {
        Some(start)
            if start.0 <= now.0.saturating_add(WINDOW_SKEW_MS)
                && now.0.saturating_sub(start.0) < QUOTA_WINDOW_MS =>
        {
            window
        }
        _ => DeviceWindow {
            start: Some(now),
            reports: 0,
        },
    };
    if window.reports >= quota.per_device_per_day {
        let ends = window
            .start
            .map_or(now.0, |start| start.0 + QUOTA_WINDOW_MS);
        return QuotaRule::Refuse(SubmissionOutcome::DeviceLimitReached {
            retry_after_ms: ends - now.0,
        });
    }
    if stored.saturating_add(size) > quota.school_bytes {
        return QuotaRule::Refuse(SubmissionOutcome::SchoolStorageFull);
    }
    QuotaRule::Store(DeviceWindow {
        reports: window.reports + 1,
        ..window
    })
}

/// The report a status change is for, as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportState {
    pub status: ReportStatus,
    pub closed_at: Option<UnixMillis>,
    /// When its first change `acted_upon` or `closed` was recorded: kept when retention
    /// deletes the changes, for `stats`.
    pub acted_upon_at: Option<UnixMillis>,
    /// The retention job deleted its envelope.
    pub forgotten: bool,
    /// Status changes it has.
    pub changes: u32,
}

/// A status change stored earlier under the same change id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EarlierChange {
    pub report_id: ReportUuid,
    pub coarse_status: CoarseStatus,
    pub envelope_sha256: Sha256Digest,
    pub recorded_at: UnixMillis,
}

/// What to do with a status change.
#[derive(Debug, Clone)]
pub enum StatusChangeRule {
    /// Answer this without writing anything.
    Answer(StatusChangeOutcome),
    /// Store the change and give the report this state.
    Record {
        status: ReportStatus,
        closed_at: Option<UnixMillis>,
        acted_upon_at: Option<UnixMillis>,
    },
}

/// Decides a status change for `report` (`None`: not in the team's school), given the change
/// stored earlier under its id, if any, and the most changes a report may have. A resend is
/// recognised before a forgotten report or the limit refuses it, so a team member's retry
/// still gets its first answer.
#[must_use]
pub fn status_change(
    report: Option<ReportState>,
    earlier: Option<EarlierChange>,
    change: &StatusChange,
    max_changes: u32,
) -> StatusChangeRule {
    let Some(report) = report else {
        return StatusChangeRule::Answer(StatusChangeOutcome::ReportNotFound);
    };
    if let Some(earlier) = earlier {
        let identical = earlier.report_id == change.report_id
            && earlier.coarse_status == change.coarse_status
            && earlier.envelope_sha256 == change.envelope_sha256;
        return StatusChangeRule::Answer(if identical {
            StatusChangeOutcome::AlreadyRecorded(RecordedStatusChange {
                change: StatusChange {
                    recorded_at: earlier.recorded_at,
                    ..change.clone()
                },
                status: report.status,
                closed_at: report.closed_at,
            })
        } else {
            StatusChangeOutcome::Conflict
        });
    }
    if report.forgotten {
        return StatusChangeRule::Answer(StatusChangeOutcome::ReportForgotten);
    }
    if report.changes >= max_changes {
        return StatusChangeRule::Answer(StatusChangeOutcome::TooManyChanges);
    }
    StatusChangeRule::Record {
        // Only forward: a late "seen" never undoes "acted upon".
        status: report.status.max(change.coarse_status.reporter_status()),
        // The first closing is the one retention counts from.
        closed_at: report
            .closed_at
            .or((change.coarse_status == CoarseStatus::Closed).then_some(change.recorded_at)),
        // The first change past "seen" is when the team acted, whatever came after.
        acted_upon_at: report
            .acted_upon_at
            .or(
                (change.coarse_status.reporter_status() == ReportStatus::ActedUpon)
                    .then_some(change.recorded_at),
            ),
    }
}

const DAY_MILLIS: u64 = 24 * 60 * 60 * 1000;

/// How long a report's envelope and status changes are kept: `closed_days` after the team
/// closed it, or, if the team never closes it, `unclosed_days` after it was received.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    pub closed_days: u16,
    pub unclosed_days: u16,
}

/// The reports one run of the retention job at `now` forgets, as the backends' statements
/// select them: envelope still kept, and closed at or before `closed_by`, or never closed and
/// received at or before `unclosed_received_by`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DueReports {
    pub closed_by: UnixMillis,
    pub unclosed_received_by: UnixMillis,
    /// The tombstones' `envelope_deleted_at`. A never-closed report's tombstone also gets it as
    /// `closed_at`: the schema wants a closing time on every tombstone, and forgetting is the
    /// end of the team's work on it.
    pub now: UnixMillis,
}

impl Retention {
    /// What a run of the retention job at `now` forgets.
    #[must_use]
    pub fn due(self, now: UnixMillis) -> DueReports {
        let before = |days: u16| UnixMillis(now.0.saturating_sub(u64::from(days) * DAY_MILLIS));
        DueReports {
            closed_by: before(self.closed_days),
            unclosed_received_by: before(self.unclosed_days),
            now,
        }
    }

    /// From when a kept report is due: the first run at or after this time forgets it, unless
    /// the team closes it first (then it counts from the closing).
    #[must_use]
    pub fn deleted_after(
        self,
        received_at: UnixMillis,
        closed_at: Option<UnixMillis>,
    ) -> UnixMillis {
        let after = |time: UnixMillis, days: u16| {
            UnixMillis(time.0.saturating_add(u64::from(days) * DAY_MILLIS))
        };
        match closed_at {
            Some(closed_at) => after(closed_at, self.closed_days),
            None => after(received_at, self.unclosed_days),
        }
    }
}

impl DueReports {
    /// Whether a kept report received at `received_at` and closed at `closed_at` is among them:
    /// what the backends' `WHERE` says.
    #[must_use]
    pub fn includes(&self, received_at: UnixMillis, closed_at: Option<UnixMillis>) -> bool {
        match closed_at {
            Some(closed_at) => closed_at <= self.closed_by,
            None => received_at <= self.unclosed_received_by,
        }
    }
}

/// An enrolment link as stored, with the phones enrolled with it so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoredEnrolmentLink {
    pub expires_at: UnixMillis,
    pub revoked: bool,
    /// Every enrolment counts, a phone revoked since included.
    pub devices_enrolled: u64,
    pub max_devices: u16,
}

/// What a check or an enrolment makes of an enrolment link's row: full once as many phones
/// enrolled with it as its cap allows (a link check says `full`, an enrolment is refused with
/// `410 link_full`), through `prepoznaj_domain::link_check`, so the two never disagree.
#[must_use]
pub fn enrolment_record(link: StoredEnrolmentLink) -> CodeRecord {
    CodeRecord {
        expires_at: link.expires_at,
        used: CodeUse::Unused,
        revoked: link.revoked,
        full: link.devices_enrolled >= u64::from(link.max_devices),
    }
}

/// How often a device's use of its token is written down at most: once an hour, so the
/// intake pays one extra write per phone per hour and the team still sees "last seen" to the
/// hour.
pub const LAST_SEEN_INTERVAL_MS: u64 = 60 * 60 * 1000;

/// Whether a device last noted at `last_seen_at` (`None`: never) is noted again at `now`: an
/// hour or more apart, either way (a clock set back an hour or more notes it again, so a
/// wrong time in the future does not stick).
#[must_use]
pub fn last_seen_due(last_seen_at: Option<UnixMillis>, now: UnixMillis) -> bool {
    last_seen_at.is_none_or(|last| last.0.abs_diff(now.0) >= LAST_SEEN_INTERVAL_MS)
}

/// A set-up code as stored.
#[derive(Debug, Clone)]
pub struct StoredSetupCode {
    pub school_id: SchoolId,
    /// The member it was made for; `None`: the school's first member, who founds its chain.
    pub member_id: Option<TeamMemberId>,
    pub record: CodeRecord,
}

/// The keys of the member a set-up code was made for, as stored.
#[derive(Debug, Clone)]
pub struct StoredMemberKeys {
    pub recipient: String,
    /// Hex; `None` for a member stored before signing keys.
    pub signing_key: Option<String>,
    pub removed: bool,
}

/// What to do with a set-up code.
#[derive(Debug, Clone)]
pub enum RedemptionRule {
    /// Answer this without writing anything.
    Refuse(SetupOutcome),
    /// Add the founder and append version 1, then give them their token.
    Found,
    /// Give the member the code was made for their token.
    Renew,
}

/// What a redemption presents, as far as the rules care.
#[derive(Debug, Clone, Copy)]
pub struct Presented<'a> {
    /// The school the route read the code for.
    pub school_id: &'a SchoolId,
    /// The member whose keys are redeemed.
    pub member: &'a ChainMember,
    /// A founding version comes with it.
    pub founds: bool,
    pub now: UnixMillis,
}

impl SetupRedemption {
    /// What the rules look at.
    #[must_use]
    pub fn presented(&self) -> Presented<'_> {
        Presented {
            school_id: &self.school_id,
            member: &self.member,
            founds: self.founding.is_some(),
            now: self.now,
        }
    }
}

/// Decides a redemption of `code` (`None`: unknown), for a school whose chain's last version
/// is `head` (0: none yet), and `approved`, the keys of the member the code was made for.
#[must_use]
pub fn redemption(
    code: Option<&StoredSetupCode>,
    head: u64,
    approved: Option<&StoredMemberKeys>,
    redemption: Presented<'_>,
) -> RedemptionRule {
    let refuse = |refusal| RedemptionRule::Refuse(SetupOutcome::Refused(refusal));
    let Some(code) = code else {
        return refuse(CodeRefusal::Unknown);
    };
    // A code read for another school than the route saw is as good as unknown.
    if code.school_id != *redemption.school_id {
        return refuse(CodeRefusal::Unknown);
    }
    if let Some(refusal) = code_refusal(&code.record, redemption.now) {
        return refuse(refusal);
    }
    let member = redemption.member;
    match (&code.member_id, redemption.founds, approved) {
        (None, true, _) if head != 0 => RedemptionRule::Refuse(SetupOutcome::ChainConflict),
        (None, true, _) => RedemptionRule::Found,
        (Some(member_id), false, Some(approved)) if *member_id == member.id => {
            if approved.removed {
                refuse(CodeRefusal::Revoked)
            } else if approved.recipient == member.recipient.as_str()
                && approved.signing_key.as_deref() == Some(member.signing_key.to_hex().as_str())
            {
                RedemptionRule::Renew
            } else {
                RedemptionRule::Refuse(SetupOutcome::KeyMismatch)
            }
        }
        _ => RedemptionRule::Refuse(SetupOutcome::KeyMismatch),
    }
}

/// Whether version `number` comes right after the chain's last version `head` (0: none).
#[must_use]
pub fn is_next_version(head: u64, number: u64) -> bool {
    head.checked_add(1) == Some(number)
}

/// What to do with an imported school.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportRule {
    /// Create it with its founding set-up code.
    Create,
    /// Write nothing: this stored school has its external id.
    AlreadyPresent(School),
}

/// Decides an import of a school with `external_id`, given the school stored under that id
/// (`existing`; a backend looks only when there is an id). The same external id always means
/// the same school, whatever name the file gives it now, so importing a list again (or a list
/// naming a school twice) creates each school once; a school without an external id has
/// nothing to be recognised by and is always created.
#[must_use]
pub fn import(external_id: Option<&ExternalId>, existing: Option<School>) -> ImportRule {
    match (external_id, existing) {
        (Some(_), Some(existing)) => ImportRule::AlreadyPresent(existing),
        _ => ImportRule::Create,
    }
}

/// Which set-up code the operator may have for a school.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SetupLinkRule {
    /// The founding code again: the school's first member founds its key chain.
    Founding,
    /// A code for this member's keys as the chain lists them: redeemed only with those keys
    /// (restored from their recovery copy) and a request signed with their signing key.
    ForMember(TeamMemberId),
    Refuse(SetupLinkRefusal),
}

/// Decides what set-up code the operator may make for a school whose chain's last version
/// lists `head` (`None`: no chain yet) and which has `current_members` rows in its members
/// table, for `member` if named. The server can add nobody to a team (only a member's
/// signature adds one), so once a chain exists the only code it may make is for a member
/// already in it, which works only with that member's keys; members set up before key chains,
/// with no chain, can be continued by nobody.
#[must_use]
pub fn setup_link(
    head: Option<&[ChainMember]>,
    current_members: u64,
    member: Option<&TeamMemberId>,
) -> SetupLinkRule {
    match (head, member) {
        (None, _) if current_members > 0 => {
            SetupLinkRule::Refuse(SetupLinkRefusal::ChainCannotContinue)
        }
        (None, None) => SetupLinkRule::Founding,
        (None, Some(_)) => SetupLinkRule::Refuse(SetupLinkRefusal::NoTeamYet),
        (Some(_), None) => SetupLinkRule::Refuse(SetupLinkRefusal::TeamExists),
        (Some(listed), Some(member)) => {
            if listed.iter().any(|listed| listed.id == *member) {
                SetupLinkRule::ForMember(member.clone())
            } else {
                SetupLinkRule::Refuse(SetupLinkRefusal::NotAMember)
            }
        }
    }
}

/// A report's status as both backends store it.
#[must_use]
pub fn status_text(status: ReportStatus) -> &'static str {
    match status {
        ReportStatus::Received => "received",
        ReportStatus::ActedUpon => "acted_upon",
    }
}

/// Reads back what [`status_text`] wrote.
#[must_use]
pub fn status_from_text(text: &str) -> Option<ReportStatus> {
    [ReportStatus::Received, ReportStatus::ActedUpon]
        .into_iter()
        .find(|status| status_text(*status) == text)
}

/// A coarse status as both backends store it.
#[must_use]
pub fn coarse_status_text(status: CoarseStatus) -> &'static str {
    match status {
        CoarseStatus::Seen => "seen",
        CoarseStatus::ActedUpon => "acted_upon",
        CoarseStatus::Closed => "closed",
    }
}

/// Reads back what [`coarse_status_text`] wrote.
#[must_use]
pub fn coarse_status_from_text(text: &str) -> Option<CoarseStatus> {
    [
        CoarseStatus::Seen,
        CoarseStatus::ActedUpon,
        CoarseStatus::Closed,
    ]
    .into_iter()
    .find(|status| coarse_status_text(*status) == text)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly on purpose")]

    use prepoznaj_domain::{
        link_check::link_state,
        protocol::{AgeRecipient, DeviceId, DisplayName, Envelope, LinkState, StatusChangeId},
        team_chain::SigningPublicKey,
    };

    use super::*;

    const NOW: UnixMillis = UnixMillis(1_764_230_400_000);
    const DAY: u64 = 24 * 60 * 60 * 1000;
    const MAX_CHANGES: u32 = 5;
    const QUOTA: ReportQuota = ReportQuota {
        per_device_per_day: 3,
        school_bytes: 10_000,
    };

    fn school(byte: u8) -> SchoolId {
        SchoolId::new_v7(UnixMillis(1), [byte; 10])
    }

    fn digest(byte: u8) -> Sha256Digest {
        Sha256Digest::from_bytes([byte; 32])
    }

    fn report_id(byte: u8) -> ReportUuid {
        ReportUuid::new_v7(UnixMillis(2), [byte; 10])
    }

    fn new_report() -> NewReport {
        NewReport {
            school_id: school(1),
            device_id: DeviceId::new_v7(UnixMillis(5), [1; 10]),
            quota: QUOTA,
            receipt: ReportReceipt {
                report_id: report_id(1),
                received_at: NOW,
                status: ReportStatus::Received,
                envelope_sha256: digest(1),
            },
            envelope: Envelope::from_bytes(vec![1]),
            catalogue_version: CatalogueVersion::new("2026.1".to_owned()),
        }
    }

    #[test]
    fn a_taken_report_id_is_a_resend_only_for_the_same_school_catalogue_and_envelope() {
        let first = ReportReceipt {
            received_at: UnixMillis(NOW.0 - DAY),
            status: ReportStatus::ActedUpon,
            ..new_report().receipt
        };
        let same = StoredReport {
            school_id: school(1),
            catalogue_version: CatalogueVersion::new("2026.1".to_owned()),
            receipt: first.clone(),
        };
        let other_envelope = ReportReceipt {
            envelope_sha256: digest(2),
            ..first.clone()
        };
        let cases = [
            ("the same report", same.clone(), true),
            (
                "another school's",
                StoredReport {
                    school_id: school(2),
                    ..same.clone()
                },
                false,
            ),
            (
                "another catalogue version",
                StoredReport {
                    catalogue_version: CatalogueVersion::new("2021-r1".to_owned()),
                    ..same.clone()
                },
                false,
            ),
            (
                "another envelope",
                StoredReport {
                    receipt: other_envelope,
                    ..same
                },
                false,
            ),
        ];
        for (case, earlier, resend) in cases {
            match resubmission(earlier, &new_report()) {
                // The first receipt, with the status the team has given it since.
                SubmissionOutcome::AlreadyStored(receipt) => {
                    assert!(resend, "{case}");
                    assert_eq!(receipt, first, "{case}");
                }
                SubmissionOutcome::Conflict => assert!(!resend, "{case}"),
                other => panic!("{case}: {other:?}"),
            }
        }
    }

    fn change(coarse_status: CoarseStatus, digest_byte: u8) -> StatusChange {
        StatusChange {
            change_id: StatusChangeId::new_v7(UnixMillis(3), [7; 10]),
            report_id: report_id(1),
            coarse_status,
            recorded_at: NOW,
            envelope: Envelope::from_bytes(vec![digest_byte]),
            envelope_sha256: digest(digest_byte),
        }
    }

    fn report(status: ReportStatus, closed_at: Option<UnixMillis>) -> ReportState {
        ReportState {
            status,
            closed_at,
            acted_upon_at: None,
            forgotten: false,
            changes: 1,
        }
    }

    /// What a rule says, in a word, with the state it records or answers.
    fn summary(rule: &StatusChangeRule) -> (&'static str, Option<(ReportStatus, Option<u64>)>) {
        let state = |recorded: &RecordedStatusChange| {
            Some((recorded.status, recorded.closed_at.map(|time| time.0)))
        };
        match rule {
            StatusChangeRule::Record {
                status, closed_at, ..
            } => ("record", Some((*status, closed_at.map(|time| time.0)))),
            StatusChangeRule::Answer(StatusChangeOutcome::AlreadyRecorded(recorded)) => {
                ("resend", state(recorded))
            }
            StatusChangeRule::Answer(StatusChangeOutcome::Recorded(_)) => ("recorded?", None),
            StatusChangeRule::Answer(StatusChangeOutcome::Conflict) => ("conflict", None),
            StatusChangeRule::Answer(StatusChangeOutcome::ReportNotFound) => ("not found", None),
            StatusChangeRule::Answer(StatusChangeOutcome::ReportForgotten) => ("forgotten", None),
            StatusChangeRule::Answer(StatusChangeOutcome::TooManyChanges) => ("too many", None),
        }
    }

    #[test]
    fn status_changes_move_forward_close_once_and_are_recognised_when_resent() {
        use CoarseStatus::{ActedUpon, Closed, Seen};
        use ReportStatus::{ActedUpon as Acted, Received};
        let closed_before = Some(UnixMillis(NOW.0 - DAY));
        let earlier = |coarse_status, digest_byte, report_byte| EarlierChange {
            report_id: report_id(report_byte),
            coarse_status,
            envelope_sha256: digest(digest_byte),
            recorded_at: UnixMillis(NOW.0 - 5),
        };
        let forgotten = ReportState {
            forgotten: true,
            ..report(Acted, closed_before)
        };
        let full = ReportState {
            changes: MAX_CHANGES,
            ..report(Acted, None)
        };
        #[rustfmt::skip]
        let cases = [
            // (case, report, earlier change under the id, the change, expected)
            ("no such report", None, None, Seen, ("not found", None)),
            ("seen", Some(report(Received, None)), None, Seen, ("record", Some((Received, None)))),
            ("acted upon", Some(report(Received, None)), None, ActedUpon, ("record", Some((Acted, None)))),
            ("a late 'seen' never undoes 'acted upon'", Some(report(Acted, None)), None, Seen, ("record", Some((Acted, None)))),
            ("closed", Some(report(Received, None)), None, Closed, ("record", Some((Acted, Some(NOW.0))))),
            ("the first closing wins", Some(report(Acted, closed_before)), None, Closed, ("record", Some((Acted, closed_before.map(|t| t.0))))),
            ("reopened work keeps the closing", Some(report(Acted, closed_before)), None, ActedUpon, ("record", Some((Acted, closed_before.map(|t| t.0))))),
            ("the same change again", Some(report(Acted, None)), Some(earlier(ActedUpon, 1, 1)), ActedUpon, ("resend", Some((Acted, None)))),
            ("another status under the id", Some(report(Acted, None)), Some(earlier(Seen, 1, 1)), ActedUpon, ("conflict", None)),
            ("another envelope under the id", Some(report(Acted, None)), Some(earlier(ActedUpon, 2, 1)), ActedUpon, ("conflict", None)),
            ("another report under the id", Some(report(Acted, None)), Some(earlier(ActedUpon, 1, 2)), ActedUpon, ("conflict", None)),
            ("a forgotten report", Some(forgotten), None, Seen, ("forgotten", None)),
            ("a resend after the report was forgotten", Some(forgotten), Some(earlier(Closed, 1, 1)), Closed, ("resend", Some((Acted, closed_before.map(|t| t.0))))),
            ("one change past the limit", Some(full), None, Closed, ("too many", None)),
            ("a resend of a report at the limit", Some(full), Some(earlier(Closed, 1, 1)), Closed, ("resend", Some((Acted, None)))),
            ("the last change the limit allows", Some(ReportState { changes: MAX_CHANGES - 1, ..full }), None, Closed, ("record", Some((Acted, Some(NOW.0))))),
        ];
        for (case, report, earlier, coarse_status, expected) in cases {
            let rule = status_change(report, earlier, &change(coarse_status, 1), MAX_CHANGES);
            assert_eq!(summary(&rule), expected, "{case}");
            if let StatusChangeRule::Answer(StatusChangeOutcome::AlreadyRecorded(recorded)) = rule {
                assert_eq!(recorded.change.recorded_at, UnixMillis(NOW.0 - 5), "{case}");
            }
        }
    }

    #[test]
    fn the_time_a_report_was_first_acted_upon_is_kept_from_its_first_change_past_seen() {
        use CoarseStatus::{ActedUpon, Closed, Seen};
        use ReportStatus::{ActedUpon as Acted, Received};
        let before = Some(UnixMillis(NOW.0 - DAY));
        let acted_before = ReportState {
            acted_upon_at: before,
            ..report(Acted, None)
        };
        #[rustfmt::skip]
        let cases = [
            // (case, report, the change, expected time)
            ("seen is not acting", report(Received, None), Seen, None),
            ("acted upon", report(Received, None), ActedUpon, Some(NOW)),
            ("closed at once is acting too", report(Received, None), Closed, Some(NOW)),
            ("the first time stays", acted_before, ActedUpon, before),
            ("closing later keeps it", acted_before, Closed, before),
            ("a late seen keeps it", acted_before, Seen, before),
        ];
        for (case, report, coarse_status, expected) in cases {
            let rule = status_change(Some(report), None, &change(coarse_status, 1), MAX_CHANGES);
            let StatusChangeRule::Record { acted_upon_at, .. } = rule else {
                panic!("{case}: not recorded");
            };
            assert_eq!(acted_upon_at, expected, "{case}");
        }
    }

    #[test]
    fn a_report_is_forgotten_days_after_closing_or_after_arrival_if_never_closed() {
        let retention = Retention {
            closed_days: 30,
            unclosed_days: 180,
        };
        let received = UnixMillis(NOW.0 - 200 * DAY);
        let days_ago = |days: u64| Some(UnixMillis(NOW.0 - days * DAY));
        #[rustfmt::skip]
        let cases = [
            // (case, received at, closed at, due now, deleted after)
            ("open, 179 days", UnixMillis(NOW.0 - 179 * DAY), None, false, NOW.0 + DAY),
            ("open, a moment short of 180 days", UnixMillis(NOW.0 - 180 * DAY + 1), None, false, NOW.0 + 1),
            ("open, 180 days", UnixMillis(NOW.0 - 180 * DAY), None, true, NOW.0),
            ("open, 200 days", received, None, true, NOW.0 - 20 * DAY),
            ("closed 29 days ago", received, days_ago(29), false, NOW.0 + DAY),
            ("closed 30 days ago", received, days_ago(30), true, NOW.0),
            ("received long ago, closed late: counts from the closing", received, days_ago(1), false, NOW.0 + 29 * DAY),
            ("received today, closed today", NOW, Some(NOW), false, NOW.0 + 30 * DAY),
        ];
        let due = retention.due(NOW);
        assert_eq!(due.closed_by, UnixMillis(NOW.0 - 30 * DAY));
        assert_eq!(due.unclosed_received_by, UnixMillis(NOW.0 - 180 * DAY));
        assert_eq!(due.now, NOW);
        for (case, received_at, closed_at, due_now, deleted_after) in cases {
            assert_eq!(due.includes(received_at, closed_at), due_now, "{case}");
            let promised = retention.deleted_after(received_at, closed_at);
            assert_eq!(promised.0, deleted_after, "{case}");
            // The listing's promise and the job's choice agree: due exactly from that time.
            assert!(
                retention.due(promised).includes(received_at, closed_at),
                "{case}"
            );
            assert!(
                !retention
                    .due(UnixMillis(promised.0 - 1))
                    .includes(received_at, closed_at),
                "{case}"
            );
        }
        // Near the clock's ends nothing wraps around.
        let early = retention.due(UnixMillis(DAY));
        assert_eq!(
            (early.closed_by, early.unclosed_received_by),
            (UnixMillis(0), UnixMillis(0))
        );
        assert_eq!(
            retention.deleted_after(UnixMillis(u64::MAX - 1), None),
            UnixMillis(u64::MAX)
        );
    }

    fn member(id_byte: u8, key_byte: u8) -> ChainMember {
        ChainMember {
            id: TeamMemberId::new_v7(UnixMillis(4), [id_byte; 10]),
            display_name: DisplayName::parse("Члан тима").unwrap(),
            recipient: AgeRecipient::parse(
                "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p",
            )
            .unwrap(),
            signing_key: SigningPublicKey::from_bytes([key_byte; 32]),
            added_at: UnixMillis(4),
        }
    }

    fn code(member_id: Option<TeamMemberId>, used: CodeUse, expires_in: i64) -> StoredSetupCode {
        StoredSetupCode {
            school_id: school(1),
            member_id,
            record: CodeRecord {
                expires_at: UnixMillis(NOW.0.saturating_add_signed(expires_in)),
                used,
                revoked: false,
                full: false,
            },
        }
    }

    fn keys(of: &ChainMember, removed: bool) -> StoredMemberKeys {
        StoredMemberKeys {
            recipient: of.recipient.as_str().to_owned(),
            signing_key: Some(of.signing_key.to_hex()),
            removed,
        }
    }

    fn outcome(rule: &RedemptionRule) -> &'static str {
        match rule {
            RedemptionRule::Found => "found",
            RedemptionRule::Renew => "renew",
            RedemptionRule::Refuse(SetupOutcome::Refused(CodeRefusal::Unknown)) => "unknown",
            RedemptionRule::Refuse(SetupOutcome::Refused(CodeRefusal::Expired)) => "expired",
            RedemptionRule::Refuse(SetupOutcome::Refused(CodeRefusal::Revoked)) => "revoked",
            RedemptionRule::Refuse(SetupOutcome::Refused(CodeRefusal::Used)) => "used",
            RedemptionRule::Refuse(SetupOutcome::Refused(CodeRefusal::Full)) => "full",
            RedemptionRule::Refuse(SetupOutcome::KeyMismatch) => "key mismatch",
            RedemptionRule::Refuse(SetupOutcome::ChainConflict) => "chain conflict",
            RedemptionRule::Refuse(SetupOutcome::MemberIdTaken) => "member id taken",
            RedemptionRule::Refuse(SetupOutcome::Redeemed { .. }) => "redeemed?",
        }
    }

    /// (case, the code, the chain's head, the approved member's keys, the member presented,
    /// with a founding version, expected)
    type Case<'a> = (
        &'a str,
        Option<&'a StoredSetupCode>,
        u64,
        Option<&'a StoredMemberKeys>,
        &'a ChainMember,
        bool,
        &'a str,
    );

    #[test]
    fn a_set_up_code_founds_a_chain_renews_its_member_or_is_refused() {
        let founder = member(1, 1);
        let approved = member(2, 2);
        let same_id_other_key = member(2, 3);
        let founding_code = code(None, CodeUse::Unused, DAY as i64);
        let member_code = code(Some(approved.id.clone()), CodeUse::Unused, DAY as i64);
        let revoked_code = StoredSetupCode {
            record: CodeRecord {
                revoked: true,
                ..member_code.record
            },
            ..member_code.clone()
        };
        let other_school = StoredSetupCode {
            school_id: school(2),
            ..founding_code.clone()
        };
        let (approved_keys, removed_keys) = (keys(&approved, false), keys(&approved, true));
        #[rustfmt::skip]
        let cases: [Case<'_>; 13] = [
            ("an unknown code", None, 0, None, &founder, true, "unknown"),
            ("another school's code", Some(&other_school), 0, None, &founder, true, "unknown"),
            ("an expired code", Some(&code(None, CodeUse::Unused, -1)), 0, None, &founder, true, "expired"),
            ("a redeemed code", Some(&code(None, CodeUse::Redeemed, DAY as i64)), 0, None, &founder, true, "used"),
            ("a replaced code", Some(&code(None, CodeUse::Replaced, DAY as i64)), 0, None, &founder, true, "used"),
            ("a revoked link", Some(&revoked_code), 1, Some(&approved_keys), &approved, false, "revoked"),
            ("the first member founds the chain", Some(&founding_code), 0, None, &founder, true, "found"),
            ("a chain founded meanwhile", Some(&founding_code), 1, None, &founder, true, "chain conflict"),
            ("the founding code without a founding version", Some(&founding_code), 0, None, &founder, false, "key mismatch"),
            ("the member it was made for, with their keys", Some(&member_code), 3, Some(&approved_keys), &approved, false, "renew"),
            ("a member removed since", Some(&member_code), 3, Some(&removed_keys), &approved, false, "revoked"),
            ("the member's id with other keys", Some(&member_code), 3, Some(&approved_keys), &same_id_other_key, false, "key mismatch"),
            ("another member", Some(&member_code), 3, Some(&approved_keys), &founder, false, "key mismatch"),
        ];
        for (case, code, head, keys, member, founds, expected) in cases {
            let presented = Presented {
                school_id: &school(1),
                member,
                founds,
                now: NOW,
            };
            assert_eq!(
                outcome(&redemption(code, head, keys, presented)),
                expected,
                "{case}"
            );
        }
    }

    #[test]
    fn a_device_sends_its_quota_in_24_hours_and_a_school_stores_up_to_its_limit() {
        let at = |start: u64, reports| DeviceWindow {
            start: Some(UnixMillis(start)),
            reports,
        };
        let hour = DAY / 24;
        let wait = |retry_after_ms| {
            QuotaRule::Refuse(SubmissionOutcome::DeviceLimitReached { retry_after_ms })
        };
        let store = |start: u64, reports| QuotaRule::Store(at(start, reports));
        let full = QuotaRule::Refuse(SubmissionOutcome::SchoolStorageFull);
        #[rustfmt::skip]
        let cases = [
            // (case, window, school's stored bytes, size, expected)
            ("a device's first report opens its window", DeviceWindow::default(), 0, 100, store(NOW.0, 1)),
            ("within the window", at(NOW.0 - hour, 1), 0, 100, store(NOW.0 - hour, 2)),
            ("the last the quota allows", at(NOW.0 - hour, 2), 0, 100, store(NOW.0 - hour, 3)),
            ("one past it waits until the window ends", at(NOW.0 - hour, 3), 0, 100, wait(DAY - hour)),
            ("the window's last millisecond", at(NOW.0 - DAY + 1, 3), 0, 100, wait(1)),
            ("a window 24 hours old is over", at(NOW.0 - DAY, 3), 0, 100, store(NOW.0, 1)),
            ("a window starting after now (the clock went back) starts again", at(NOW.0 + hour, 3), 0, 100, store(NOW.0, 1)),
            ("a report received just before its window's first, stored after it, counts in it", at(NOW.0 + 5, 2), 0, 100, store(NOW.0 + 5, 3)),
            ("... and is refused when the window is full", at(NOW.0 + 5, 3), 0, 100, wait(DAY + 5)),
            ("a minute is the most stored out of order", at(NOW.0 + WINDOW_SKEW_MS + 1, 3), 0, 100, store(NOW.0, 1)),
            ("exactly filling the school's space", DeviceWindow::default(), 9_900, 100, store(NOW.0, 1)),
            ("one byte past it", DeviceWindow::default(), 9_901, 100, full.clone()),
            ("a device's limit is said before the school's", at(NOW.0, 3), 10_000, 100, wait(DAY)),
            ("a stored count past the limit (a lowered limit) still waits", at(NOW.0 - hour, 7), 0, 100, wait(DAY - hour)),
        ];
        for (case, window, stored, size, expected) in cases {
            assert_eq!(
                report_quota(window, stored, size, QUOTA, NOW),
                expected,
                "{case}"
            );
        }
    }

    #[test]
    fn an_external_id_already_stored_is_the_same_school_and_no_id_is_always_new() {
        let stored = School {
            id: school(1),
            name: prepoznaj_domain::protocol::SchoolName::parse("ОШ „Вук Караџић“").unwrap(),
        };
        let id = ExternalId::parse_optional("70123").unwrap().unwrap();
        #[rustfmt::skip]
        let cases = [
            // (case, the file's external id, the school stored under it, expected)
            ("a new external id", Some(&id), None, ImportRule::Create),
            ("an external id already stored (this run or an earlier one)", Some(&id), Some(stored.clone()), ImportRule::AlreadyPresent(stored.clone())),
            ("no external id", None, None, ImportRule::Create),
            ("no external id, whatever is stored", None, Some(stored), ImportRule::Create),
        ];
        for (case, external_id, existing, expected) in cases {
            assert_eq!(import(external_id, existing), expected, "{case}");
        }
    }

    #[test]
    fn the_operator_gets_a_founding_code_before_a_team_and_after_only_a_members_own() {
        use SetupLinkRefusal::{ChainCannotContinue, NoTeamYet, NotAMember, TeamExists};
        let (founder, other) = (member(1, 1), member(2, 2));
        let head = [founder.clone()];
        let for_founder = SetupLinkRule::ForMember(founder.id.clone());
        #[rustfmt::skip]
        let cases = [
            // (case, chain's last version's members, current member rows, member named, expected)
            ("no team yet", None, 0, None, SetupLinkRule::Founding),
            ("no team yet, a member named", None, 0, Some(&founder.id), SetupLinkRule::Refuse(NoTeamYet)),
            ("members from before key chains", None, 2, None, SetupLinkRule::Refuse(ChainCannotContinue)),
            ("members from before key chains, one named", None, 2, Some(&founder.id), SetupLinkRule::Refuse(ChainCannotContinue)),
            ("a team, nobody named", Some(head.as_slice()), 1, None, SetupLinkRule::Refuse(TeamExists)),
            ("a member of the team", Some(head.as_slice()), 1, Some(&founder.id), for_founder),
            ("someone the chain does not list", Some(head.as_slice()), 1, Some(&other.id), SetupLinkRule::Refuse(NotAMember)),
        ];
        for (case, head, current_members, named, expected) in cases {
            assert_eq!(setup_link(head, current_members, named), expected, "{case}");
        }
    }

    #[test]
    fn a_version_is_appended_only_right_after_the_last() {
        for (head, number, next) in [
            (0, 1, true),
            (1, 2, true),
            (0, 2, false),
            (2, 2, false),
            (3, 2, false),
            (u64::MAX, 0, false),
        ] {
            assert_eq!(is_next_version(head, number), next, "{head} then {number}");
        }
    }

    #[test]
    fn statuses_read_back_as_written_and_unknown_text_is_none() {
        for status in [ReportStatus::Received, ReportStatus::ActedUpon] {
            assert_eq!(status_from_text(status_text(status)), Some(status));
        }
        for status in [
            CoarseStatus::Seen,
            CoarseStatus::ActedUpon,
            CoarseStatus::Closed,
        ] {
            assert_eq!(
                coarse_status_from_text(coarse_status_text(status)),
                Some(status)
            );
        }
        assert_eq!(status_from_text("closed"), None);
        assert_eq!(coarse_status_from_text("received"), None);
    }

    #[test]
    fn an_enrolment_link_is_full_at_its_cap_and_a_check_and_an_enrolment_agree() {
        let link = |devices_enrolled, max_devices, revoked, expires_in: i64| StoredEnrolmentLink {
            expires_at: UnixMillis(NOW.0.saturating_add_signed(expires_in)),
            revoked,
            devices_enrolled,
            max_devices,
        };
        #[rustfmt::skip]
        let cases: [(&str, StoredEnrolmentLink, LinkState, Option<CodeRefusal>); 8] = [
            ("a new link", link(0, 50, false, 1), LinkState::Valid, None),
            ("one place left", link(49, 50, false, 1), LinkState::Valid, None),
            ("at its cap", link(50, 50, false, 1), LinkState::Full, Some(CodeRefusal::Full)),
            ("past its cap (a cap lowered by hand)", link(60, 50, false, 1), LinkState::Full, Some(CodeRefusal::Full)),
            ("a cap of one, used", link(1, 1, false, 1), LinkState::Full, Some(CodeRefusal::Full)),
            ("the largest cap, one place left", link(499, 500, false, 1), LinkState::Valid, None),
            ("full and revoked: revoked says more", link(50, 50, true, 1), LinkState::Revoked, Some(CodeRefusal::Revoked)),
            ("full and expired: expired says more", link(50, 50, false, 0), LinkState::Expired, Some(CodeRefusal::Expired)),
        ];
        for (case, stored, state, refusal) in cases {
            let record = enrolment_record(stored);
            assert_eq!(record.used, CodeUse::Unused, "{case}");
            assert_eq!(link_state(Some(&record), NOW).state, state, "{case}");
            assert_eq!(code_refusal(&record, NOW), refusal, "{case}");
        }
    }

    #[test]
    fn a_device_is_noted_as_seen_at_most_once_an_hour() {
        let minute = 60 * 1000;
        let at = |offset: i64| UnixMillis(NOW.0.saturating_add_signed(offset));
        #[rustfmt::skip]
        let cases: [(&str, Option<UnixMillis>, bool); 7] = [
            ("never seen", None, true),
            ("seen just now", Some(NOW), false),
            ("seen 59 minutes ago", Some(at(-59 * minute)), false),
            ("seen an hour ago", Some(at(-60 * minute)), true),
            ("seen yesterday", Some(at(-(DAY as i64))), true),
            ("noted 30 minutes ahead (the clock went back a little)", Some(at(30 * minute)), false),
            ("noted a day ahead (the clock went back a day)", Some(at(DAY as i64)), true),
        ];
        for (case, last_seen_at, due) in cases {
            assert_eq!(last_seen_due(last_seen_at, NOW), due, "{case}");
        }
    }
}
