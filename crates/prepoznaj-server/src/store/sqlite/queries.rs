//! Every statement the backend runs inside a write or a read, and the rows they read back
//! (the operator's school commands run `store::school_sql`'s, shared with PostgreSQL).

use prepoznaj_domain::{
    catalogue::CatalogueVersion,
    link_check::{CodeRecord, CodeUse},
    observation::UnixMillis,
    protocol::{
        CoarseStatus, DeviceName, EnrolmentLink, Envelope, LinkDeviceCap, ReportReceipt,
        ReportStatus, School, SchoolId, Sha256Digest, StatusChange, TeamDevice, TeamEnrolmentLink,
        TeamMember, TeamMemberId, TeamReport,
    },
    team_chain::{ChainMember, SignedVersion},
};
use rusqlite::{Connection, OptionalExtension as _, Row, Transaction, params, types::Type};

use crate::credentials::SecretHash;
use crate::directory::{ExternalId, PlaceName, SchoolDetails};

use crate::store::{
    AdministrationMonth, AppendOutcome, ChainAppend, ImportOutcome, MemberEffect, MiddleDelays,
    NewReport, NewSchool, NewSetupLink, NewStatusChange, RecordedStatusChange, ReportCounts,
    ReportPage, SchoolContents, SchoolOverview, SchoolRows, SetupCodeRenewal, SetupLinkOutcome,
    SetupLinkRefusal, SetupOutcome, SetupRedemption, Statistics, StatisticsPeriod,
    StatusChangeOutcome, SubmissionOutcome, TokenLookup,
    rules::{
        self, DeviceWindow, DueReports, EarlierChange, ImportRule, QuotaRule, RedemptionRule,
        ReportState, SetupLinkRule, StatusChangeRule, StoredEnrolmentLink, StoredMemberKeys,
        StoredReport, StoredSetupCode, coarse_status_from_text, coarse_status_text, status_text,
    },
    school_sql, statistics_sql, version_from_json, version_to_json,
};

/// The columns [`team_report_from_row`] reads, in its order.
pub(super) const TEAM_REPORT_COLUMNS: &str = "id, received_at, size, catalogue_version, status, closed_at, \
                                   envelope, envelope_sha256";

pub(super) fn read_team_reports(
    connection: &Connection,
    school_id: &SchoolId,
    page: &ReportPage,
) -> rusqlite::Result<Vec<TeamReport>> {
    // Times are stored as signed 64-bit integers.
    let (after_time, after_id) = page.after.as_ref().map_or((i64::MAX, None), |cursor| {
        (
            i64::try_from(cursor.received_at.0).unwrap_or(i64::MAX),
            Some(cursor.report_id.as_str()),
        )
    });
    let mut reports = connection
        .prepare_cached(&format!(
            "SELECT {TEAM_REPORT_COLUMNS} FROM reports
             WHERE school_id = ?1 AND envelope IS NOT NULL
               AND (?3 IS NULL OR received_at < ?2 OR (received_at = ?2 AND id < ?3))
             ORDER BY received_at DESC, id DESC LIMIT ?4"
        ))?
        .query_map(
            params![school_id.as_str(), after_time, after_id, page.limit],
            team_report_from_row,
        )?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut changes = connection.prepare_cached(&format!(
        "SELECT {STATUS_CHANGE_COLUMNS} FROM report_status_changes
         WHERE report_id = ?1 ORDER BY recorded_at, id"
    ))?;
    for report in &mut reports {
        report.status_changes = changes
            .query_map([report.report_id.as_str()], status_change_from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
    }
    Ok(reports)
}

pub(super) fn team_report_from_row(row: &Row<'_>) -> rusqlite::Result<TeamReport> {
    let digest: [u8; 32] = row.get(7)?;
    Ok(TeamReport {
        report_id: parsed(row, 0)?,
        received_at: UnixMillis(row.get(1)?),
        size: row.get(2)?,
        catalogue_version: CatalogueVersion::new(row.get::<_, String>(3)?),
        status: report_status(row, 4)?,
        closed_at: row.get::<_, Option<u64>>(5)?.map(UnixMillis),
        deleted_after: None,
        envelope: Envelope::from_bytes(row.get(6)?),
        envelope_sha256: Sha256Digest::from_bytes(digest),
        status_changes: Vec::new(),
    })
}

/// The columns [`status_change_from_row`] reads, in its order.
pub(super) const STATUS_CHANGE_COLUMNS: &str =
    "id, report_id, coarse_status, recorded_at, envelope, envelope_sha256";

pub(super) fn status_change_from_row(row: &Row<'_>) -> rusqlite::Result<StatusChange> {
    let digest: [u8; 32] = row.get(5)?;
    Ok(StatusChange {
        change_id: parsed(row, 0)?,
        report_id: parsed(row, 1)?,
        coarse_status: coarse_status(row, 2)?,
        recorded_at: UnixMillis(row.get(3)?),
        envelope: Envelope::from_bytes(row.get(4)?),
        envelope_sha256: Sha256Digest::from_bytes(digest),
    })
}

/// Records `new` unless its change id is known (a retry or a conflict), on a report of its
/// school whose envelope is kept; the reporter's status only ever goes up, `closed_at` is set
/// once.
pub(super) fn record_status_change(
    transaction: &Transaction<'_>,
    new: NewStatusChange,
) -> rusqlite::Result<StatusChangeOutcome> {
    let change = new.change;
    let report = transaction
        .query_row(
            "SELECT status, closed_at, envelope IS NULL,
                 (SELECT COUNT(*) FROM report_status_changes c WHERE c.report_id = reports.id),
                 acted_upon_at
             FROM reports WHERE id = ?1 AND school_id = ?2",
            [change.report_id.as_str(), new.school_id.as_str()],
            |row| {
                Ok(ReportState {
                    status: report_status(row, 0)?,
                    closed_at: row.get::<_, Option<u64>>(1)?.map(UnixMillis),
                    forgotten: row.get(2)?,
                    changes: row.get(3)?,
                    acted_upon_at: row.get::<_, Option<u64>>(4)?.map(UnixMillis),
                })
            },
        )
        .optional()?;
    let earlier = transaction
        .query_row(
            "SELECT report_id, coarse_status, envelope_sha256, recorded_at
             FROM report_status_changes WHERE id = ?1",
            [change.change_id.as_str()],
            |row| {
                Ok(EarlierChange {
                    report_id: parsed(row, 0)?,
                    coarse_status: coarse_status(row, 1)?,
                    envelope_sha256: Sha256Digest::from_bytes(row.get(2)?),
                    recorded_at: UnixMillis(row.get(3)?),
                })
            },
        )
        .optional()?;
    let (status, closed_at, acted_upon_at) =
        match rules::status_change(report, earlier, &change, new.max_changes) {
            StatusChangeRule::Answer(outcome) => return Ok(outcome),
            StatusChangeRule::Record {
                status,
                closed_at,
                acted_upon_at,
            } => (status, closed_at, acted_upon_at),
        };
    transaction.execute(
        "INSERT INTO report_status_changes
             (id, report_id, coarse_status, envelope, envelope_sha256, recorded_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            change.change_id.as_str(),
            change.report_id.as_str(),
            coarse_status_text(change.coarse_status),
            change.envelope.as_bytes(),
            change.envelope_sha256.as_bytes(),
            change.recorded_at.0
        ],
    )?;
    transaction.execute(
        "UPDATE reports SET status = ?2, closed_at = ?3, acted_upon_at = ?4 WHERE id = ?1",
        params![
            change.report_id.as_str(),
            status_text(status),
            closed_at.map(|time| time.0),
            acted_upon_at.map(|time| time.0)
        ],
    )?;
    Ok(StatusChangeOutcome::Recorded(RecordedStatusChange {
        change,
        status,
        closed_at,
    }))
}

/// Stores `new` unless its id is known: then it is a retry (same school, catalogue version and
/// envelope: the first receipt) or a conflict, never counted against a quota. A new report is
/// stored if it fits its device's window and its school's space (`rules::report_quota`), and
/// counted in its device's window (the school's bytes are counted by the schema's triggers).
pub(super) fn store_report(
    transaction: &Transaction<'_>,
    new: NewReport,
) -> rusqlite::Result<SubmissionOutcome> {
    let earlier = transaction
        .prepare_cached(&format!(
            "SELECT school_id, catalogue_version, {RECEIPT_COLUMNS}
             FROM reports WHERE id = ?1"
        ))?
        .query_row([new.receipt.report_id.as_str()], |row| {
            Ok(StoredReport {
                school_id: parsed(row, 0)?,
                catalogue_version: CatalogueVersion::new(row.get::<_, String>(1)?),
                receipt: receipt_from_row(row, 2)?,
            })
        })
        .optional()?;
    if let Some(earlier) = earlier {
        return Ok(rules::resubmission(earlier, &new));
    }
    // A device the route authenticated always has its row; without one the window is empty.
    let window = transaction
        .prepare_cached(
            "SELECT quota_window_start, quota_window_reports FROM devices WHERE id = ?1",
        )?
        .query_row([new.device_id.as_str()], |row| {
            Ok(DeviceWindow {
                start: row.get::<_, Option<u64>>(0)?.map(UnixMillis),
                reports: row.get(1)?,
            })
        })
        .optional()?
        .unwrap_or_default();
    let stored: u64 = transaction
        .prepare_cached("SELECT stored_bytes FROM schools WHERE id = ?1")?
        .query_row([new.school_id.as_str()], |row| row.get(0))?;
    let envelope = new.envelope.as_bytes();
    let size = u64::try_from(envelope.len()).unwrap_or(u64::MAX);
    let window = match rules::report_quota(window, stored, size, new.quota, new.receipt.received_at)
    {
        QuotaRule::Refuse(outcome) => return Ok(outcome),
        QuotaRule::Store(window) => window,
    };
    transaction
        .prepare_cached(
            "INSERT INTO reports (id, school_id, envelope, envelope_sha256, size,
                                  catalogue_version, received_at, status)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?
        .execute(params![
            new.receipt.report_id.as_str(),
            new.school_id.as_str(),
            envelope,
            new.receipt.envelope_sha256.as_bytes(),
            envelope.len(),
            new.catalogue_version.as_str(),
            new.receipt.received_at.0,
            status_text(new.receipt.status)
        ])?;
    transaction
        .prepare_cached(
            "UPDATE devices SET quota_window_start = ?2, quota_window_reports = ?3,
                 reports_sent = reports_sent + 1
             WHERE id = ?1",
        )?
        .execute(params![
            new.device_id.as_str(),
            window.start.map(|start| start.0),
            window.reports
        ])?;
    Ok(SubmissionOutcome::Stored(new.receipt))
}

/// Finds a token with `query`, which selects the holder's id, school and the time it stopped
/// working (`NULL` while valid).
pub(super) fn lookup_token<Id, T>(
    connection: &Connection,
    query: &str,
    token: SecretHash,
    credential: impl FnOnce(Id, SchoolId, Option<UnixMillis>) -> T,
) -> rusqlite::Result<TokenLookup<T>>
where
    Id: TryFrom<String>,
    Id::Error: std::error::Error + Send + Sync + 'static,
{
    let found = connection
        .prepare_cached(query)?
        .query_row([token.as_bytes()], |row| {
            Ok((
                parsed::<Id>(row, 0)?,
                parsed::<SchoolId>(row, 1)?,
                row.get::<_, Option<u64>>(2)?,
                row.get::<_, Option<u64>>(3)?.map(UnixMillis),
            ))
        })
        .optional()?;
    Ok(match found {
        None => TokenLookup::Unknown,
        Some((_, _, Some(_), _)) => TokenLookup::Revoked,
        Some((id, school_id, None, last_seen_at)) => {
            TokenLookup::Valid(credential(id, school_id, last_seen_at))
        }
    })
}

/// A set-up code's expiry, use, replacement (a renewal marks the member's earlier codes used
/// at the very time its new code is created) and whether its member was removed.
pub(super) const SETUP_CODE_RECORD: &str = "SELECT c.expires_at, c.used_at,
        EXISTS (SELECT 1 FROM setup_codes n WHERE n.member_id = c.member_id
                AND n.code_hash <> c.code_hash AND n.created_at = c.used_at),
        EXISTS (SELECT 1 FROM team_members m WHERE m.id = c.member_id
                AND m.removed_at IS NOT NULL)
     FROM setup_codes c WHERE c.code_hash = ?1";

/// An enrolment link found by its code: id, school, and what [`enrolment_link_from_row`]
/// reads from column 2 on.
pub(super) const ENROLMENT_LINK_BY_CODE: &str = "SELECT l.id, l.school_id, l.expires_at,
        l.revoked_at IS NOT NULL, l.max_devices,
        (SELECT COUNT(*) FROM devices d WHERE d.enrolment_link_id = l.id)
     FROM enrolment_links l WHERE l.code_hash = ?1";

/// Reads a link's expiry, revocation, cap and enrolments from column 2 on.
pub(super) fn enrolment_link_from_row(row: &Row<'_>) -> rusqlite::Result<StoredEnrolmentLink> {
    Ok(StoredEnrolmentLink {
        expires_at: UnixMillis(row.get(2)?),
        revoked: row.get(3)?,
        max_devices: row.get(4)?,
        devices_enrolled: row.get(5)?,
    })
}

/// The school's enrolment links with their enrolments, newest first.
pub(super) fn read_enrolment_links(
    connection: &Connection,
    school_id: &SchoolId,
) -> rusqlite::Result<Vec<TeamEnrolmentLink>> {
    connection
        .prepare_cached(
            "SELECT l.id, l.created_at, l.expires_at, l.revoked_at, l.max_devices,
                    (SELECT COUNT(*) FROM devices d WHERE d.enrolment_link_id = l.id)
             FROM enrolment_links l WHERE l.school_id = ?1
             ORDER BY l.created_at DESC, l.id DESC",
        )?
        .query_map([school_id.as_str()], |row| {
            Ok(TeamEnrolmentLink {
                link: EnrolmentLink {
                    id: parsed(row, 0)?,
                    created_at: UnixMillis(row.get(1)?),
                    expires_at: UnixMillis(row.get(2)?),
                    revoked_at: row.get::<_, Option<u64>>(3)?.map(UnixMillis),
                    max_devices: parsed_cap(row, 4)?,
                },
                devices_enrolled: row.get(5)?,
            })
        })?
        .collect()
}

/// A link's stored cap, checked as the protocol's type.
pub(super) fn parsed_cap(row: &Row<'_>, index: usize) -> rusqlite::Result<LinkDeviceCap> {
    LinkDeviceCap::new(row.get(index)?).map_err(|error| {
        rusqlite::Error::FromSqlConversionFailure(index, Type::Integer, Box::new(error))
    })
}

/// The school's devices, newest enrolment first.
pub(super) fn read_devices(
    connection: &Connection,
    school_id: &SchoolId,
) -> rusqlite::Result<Vec<TeamDevice>> {
    connection
        .prepare_cached(
            "SELECT id, name, enrolled_at, last_seen_at, reports_sent, revoked_at
             FROM devices WHERE school_id = ?1
             ORDER BY enrolled_at DESC, id DESC",
        )?
        .query_map([school_id.as_str()], |row| {
            Ok(TeamDevice {
                id: parsed(row, 0)?,
                name: row
                    .get::<_, Option<String>>(1)?
                    .map(DeviceName::try_from)
                    .transpose()
                    .map_err(|error| {
                        rusqlite::Error::FromSqlConversionFailure(1, Type::Text, Box::new(error))
                    })?,
                enrolled_at: UnixMillis(row.get(2)?),
                last_seen_at: row.get::<_, Option<u64>>(3)?.map(UnixMillis),
                reports_sent: row.get(4)?,
                revoked_at: row.get::<_, Option<u64>>(5)?.map(UnixMillis),
            })
        })?
        .collect()
}

/// Reads a member from `school_sql::CURRENT_MEMBERS`' columns.
pub(super) fn member_from_row(row: &Row<'_>) -> rusqlite::Result<TeamMember> {
    Ok(TeamMember {
        id: parsed(row, 0)?,
        display_name: parsed(row, 1)?,
        public_key: parsed(row, 2)?,
        fingerprint: parsed(row, 3)?,
        added_at: UnixMillis(row.get(4)?),
        removed_at: row.get::<_, Option<u64>>(5)?.map(UnixMillis),
    })
}

/// The columns [`receipt_from_row`] reads, in its order.
pub(super) const RECEIPT_COLUMNS: &str = "id, received_at, status, envelope_sha256";

pub(super) fn receipt_from_row(row: &Row<'_>, first: usize) -> rusqlite::Result<ReportReceipt> {
    let digest: [u8; 32] = row.get(first + 3)?;
    Ok(ReportReceipt {
        report_id: parsed(row, first)?,
        received_at: UnixMillis(row.get(first + 1)?),
        status: report_status(row, first + 2)?,
        envelope_sha256: Sha256Digest::from_bytes(digest),
    })
}

pub(super) fn report_status(row: &Row<'_>, index: usize) -> rusqlite::Result<ReportStatus> {
    let status: String = row.get(index)?;
    rules::status_from_text(&status)
        .ok_or_else(|| not_convertible(index, format!("status {status:?}")))
}

pub(super) fn coarse_status(row: &Row<'_>, index: usize) -> rusqlite::Result<CoarseStatus> {
    let status: String = row.get(index)?;
    coarse_status_from_text(&status)
        .ok_or_else(|| not_convertible(index, format!("coarse status {status:?}")))
}

/// A text column read into a validated domain type.
pub(super) fn parsed<T>(row: &Row<'_>, index: usize) -> rusqlite::Result<T>
where
    T: TryFrom<String>,
    T::Error: std::error::Error + Send + Sync + 'static,
{
    let text: String = row.get(index)?;
    T::try_from(text)
        .map_err(|error| rusqlite::Error::FromSqlConversionFailure(index, Type::Text, error.into()))
}

pub(super) fn not_convertible(index: usize, what: String) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(index, Type::Text, what.into())
}

/// Redeems a set-up code (see [`Store::redeem_setup_code`]).
pub(super) fn redeem(
    transaction: &Transaction<'_>,
    redemption: &SetupRedemption,
) -> rusqlite::Result<SetupOutcome> {
    let code = transaction
        .query_row(
            "SELECT c.school_id, c.member_id, c.expires_at, c.used_at,
                EXISTS (SELECT 1 FROM team_members m WHERE m.id = c.member_id
                        AND m.removed_at IS NOT NULL)
             FROM setup_codes c WHERE c.code_hash = ?1",
            [redemption.code.as_bytes()],
            |row| {
                Ok(StoredSetupCode {
                    school_id: parsed(row, 0)?,
                    member_id: row
                        .get::<_, Option<String>>(1)?
                        .map(TeamMemberId::try_from)
                        .transpose()
                        .map_err(|error| {
                            rusqlite::Error::FromSqlConversionFailure(1, Type::Text, error.into())
                        })?,
                    record: CodeRecord {
                        expires_at: UnixMillis(row.get(2)?),
                        used: match row.get::<_, Option<u64>>(3)? {
                            None => CodeUse::Unused,
                            Some(_) => CodeUse::Redeemed,
                        },
                        revoked: row.get(4)?,
                        full: false,
                    },
                })
            },
        )
        .optional()?;
    let head = match &code {
        Some(code) => head_number(transaction, &code.school_id)?,
        None => 0,
    };
    let approved = match code.as_ref().and_then(|code| code.member_id.as_ref()) {
        Some(member_id) => transaction
            .query_row(
                "SELECT public_key, signing_key, removed_at IS NOT NULL
                 FROM team_members WHERE id = ?1",
                [member_id.as_str()],
                |row| {
                    Ok(StoredMemberKeys {
                        recipient: row.get(0)?,
                        signing_key: row.get(1)?,
                        removed: row.get(2)?,
                    })
                },
            )
            .optional()?,
        None => None,
    };
    let member = &redemption.member;
    match rules::redemption(
        code.as_ref(),
        head,
        approved.as_ref(),
        redemption.presented(),
    ) {
        RedemptionRule::Refuse(outcome) => return Ok(outcome),
        RedemptionRule::Found => {
            if !upsert_member(transaction, &redemption.school_id, member)? {
                return Ok(SetupOutcome::MemberIdTaken);
            }
            let Some((founding, hash)) = &redemption.founding else {
                unreachable!("the rules found a chain only with a founding version");
            };
            append_version(
                transaction,
                &redemption.school_id,
                founding,
                hash,
                redemption.now,
            )?;
        }
        RedemptionRule::Renew => {}
    }
    transaction.execute(
        "UPDATE team_members SET token_hash = ?2 WHERE id = ?1",
        params![member.id.as_str(), redemption.token.as_bytes()],
    )?;
    transaction.execute(
        "UPDATE setup_codes SET used_at = ?2 WHERE code_hash = ?1",
        params![redemption.code.as_bytes(), redemption.now.0],
    )?;
    let (school, chain) = read_school_keys(transaction, &redemption.school_id)?;
    Ok(SetupOutcome::Redeemed { school, chain })
}

/// Appends a verified version and makes its change (see [`Store::append_chain`]). The only
/// refusal after a change comes first, so a refused append changes nothing.
pub(super) fn append_to_chain(
    transaction: &Transaction<'_>,
    append: &ChainAppend,
) -> rusqlite::Result<AppendOutcome> {
    let school_id = &append.school_id;
    let number = append.version.version.number();
    if !rules::is_next_version(head_number(transaction, school_id)?, number) {
        return Ok(AppendOutcome::Conflict);
    }
    let member_id = match &append.effect {
        MemberEffect::Add(member) | MemberEffect::ReRegister(member) => {
            if !upsert_member(transaction, school_id, member)? {
                return Ok(AppendOutcome::MemberIdTaken);
            }
            &member.id
        }
        MemberEffect::Remove(member_id) => {
            transaction.execute(
                "UPDATE team_members SET removed_at = ?3
                 WHERE id = ?1 AND school_id = ?2 AND removed_at IS NULL",
                params![member_id.as_str(), school_id.as_str(), append.now.0],
            )?;
            member_id
        }
    };
    if let Some((code, expires_at)) = &append.setup_code {
        transaction.execute(
            "UPDATE setup_codes SET used_at = ?2 WHERE member_id = ?1 AND used_at IS NULL",
            params![member_id.as_str(), append.now.0],
        )?;
        transaction.execute(
            "INSERT INTO setup_codes (code_hash, school_id, member_id, created_at, expires_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                code.as_bytes(),
                school_id.as_str(),
                member_id.as_str(),
                append.now.0,
                expires_at.0
            ],
        )?;
    }
    append_version(
        transaction,
        school_id,
        &append.version,
        &append.hash,
        append.now,
    )?;
    Ok(AppendOutcome::Appended {
        chain: read_chain(transaction, school_id)?,
    })
}

/// The number of the school's last version; 0 before its first.
pub(super) fn head_number(connection: &Connection, school_id: &SchoolId) -> rusqlite::Result<u64> {
    connection.query_row(
        "SELECT COALESCE(MAX(number), 0) FROM team_chain WHERE school_id = ?1",
        [school_id.as_str()],
        |row| row.get(0),
    )
}

pub(super) fn append_version(
    transaction: &Transaction<'_>,
    school_id: &SchoolId,
    version: &SignedVersion,
    hash: &Sha256Digest,
    now: UnixMillis,
) -> rusqlite::Result<()> {
    let json = version_to_json(version)
        .map_err(|error| rusqlite::Error::ToSqlConversionFailure(error.into()))?;
    transaction.execute(
        "INSERT INTO team_chain (school_id, number, signed, hash, appended_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            school_id.as_str(),
            version.version.number(),
            json,
            hash.to_hex(),
            now.0
        ],
    )?;
    Ok(())
}

pub(super) fn read_chain(
    connection: &Connection,
    school_id: &SchoolId,
) -> rusqlite::Result<Vec<SignedVersion>> {
    connection
        .prepare_cached("SELECT signed FROM team_chain WHERE school_id = ?1 ORDER BY number")?
        .query_map([school_id.as_str()], |row| {
            let text: String = row.get(0)?;
            version_from_json(&text).map_err(|error| {
                rusqlite::Error::FromSqlConversionFailure(0, Type::Text, error.into())
            })
        })?
        .collect()
}

/// Makes `member` a current member of the school as the chain lists them, with no token yet:
/// a new row, or a row of the same school (a member added again, or re-registered) updated.
/// `false` when the id is another school's member's (nothing changed).
pub(super) fn upsert_member(
    transaction: &Transaction<'_>,
    school_id: &SchoolId,
    member: &ChainMember,
) -> rusqlite::Result<bool> {
    let changed = transaction.execute(
        "INSERT INTO team_members
             (id, school_id, display_name, public_key, fingerprint, signing_key, added_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (id) DO UPDATE SET display_name = excluded.display_name,
             public_key = excluded.public_key, fingerprint = excluded.fingerprint,
             signing_key = excluded.signing_key, added_at = excluded.added_at,
             removed_at = NULL, token_hash = NULL
         WHERE team_members.school_id = excluded.school_id",
        params![
            member.id.as_str(),
            school_id.as_str(),
            member.display_name.as_str(),
            member.recipient.as_str(),
            crate::age_format::fingerprint(&member.recipient).as_str(),
            member.signing_key.to_hex(),
            member.added_at.0
        ],
    )?;
    Ok(changed == 1)
}

pub(super) fn read_school_keys(
    connection: &Connection,
    school_id: &SchoolId,
) -> rusqlite::Result<(School, Vec<SignedVersion>)> {
    let school = connection.query_row(
        "SELECT id, name FROM schools WHERE id = ?1",
        [school_id.as_str()],
        |row| {
            Ok(School {
                id: parsed(row, 0)?,
                name: parsed(row, 1)?,
            })
        },
    )?;
    Ok((school, read_chain(connection, school_id)?))
}

/// The reports [`DueReports`] selects, with `?1` its `closed_by` and `?2` its
/// `unclosed_received_by`.
const DUE_REPORTS: &str = "envelope IS NOT NULL
    AND (closed_at <= ?1 OR (closed_at IS NULL AND received_at <= ?2))";

/// Forgets the reports `due` selects (see `Store::forget_reports`) and,
/// if there were any, gives their free pages back to the file system; returns how many.
pub(super) fn forget_reports(
    transaction: &Transaction<'_>,
    due: &DueReports,
) -> rusqlite::Result<u64> {
    let (closed_by, unclosed_received_by) = (due.closed_by.0, due.unclosed_received_by.0);
    transaction.execute(
        &format!(
            "DELETE FROM report_status_changes WHERE report_id IN
                 (SELECT id FROM reports WHERE {DUE_REPORTS})"
        ),
        params![closed_by, unclosed_received_by],
    )?;
    // The tombstone of a report never closed gets `now` as its closing time (see
    // `DueReports::now`).
    let forgotten = transaction.execute(
        &format!(
            "UPDATE reports SET envelope = NULL, envelope_deleted_at = ?3,
                 closed_at = COALESCE(closed_at, ?3)
             WHERE {DUE_REPORTS}"
        ),
        params![closed_by, unclosed_received_by, due.now.0],
    )?;
    if forgotten > 0 {
        // Moves pages from the file's end into the freed ones and truncates it at the commit:
        // each step of the pragma frees a page, so it is stepped to the end.
        let mut vacuum = transaction.prepare("PRAGMA incremental_vacuum")?;
        let mut steps = vacuum.query([])?;
        while steps.next()?.is_some() {}
    }
    Ok(u64::try_from(forgotten).unwrap_or(u64::MAX))
}

/// A nullable text column read into a validated domain type.
pub(super) fn optional_parsed<T>(row: &Row<'_>, index: usize) -> rusqlite::Result<Option<T>>
where
    T: TryFrom<String>,
    T::Error: std::error::Error + Send + Sync + 'static,
{
    row.get::<_, Option<String>>(index)?
        .map(|text| {
            T::try_from(text).map_err(|error| {
                rusqlite::Error::FromSqlConversionFailure(index, Type::Text, error.into())
            })
        })
        .transpose()
}

/// Adds a school and its founding code (see [`Store::create_school`]).
pub(super) fn insert_school(
    transaction: &Transaction<'_>,
    new: &NewSchool,
) -> rusqlite::Result<()> {
    let details = &new.details;
    transaction.execute(
        school_sql::INSERT_SCHOOL,
        params![
            new.school.id.as_str(),
            new.school.name.as_str(),
            new.created_at.0,
            details.municipality.as_ref().map(PlaceName::as_str),
            details
                .school_administration
                .as_ref()
                .map(PlaceName::as_str),
            details.external_id.as_ref().map(ExternalId::as_str)
        ],
    )?;
    transaction.execute(
        school_sql::INSERT_FOUNDING_CODE,
        params![
            new.setup_code.as_bytes(),
            new.school.id.as_str(),
            new.created_at.0,
            new.setup_expires_at.0
        ],
    )?;
    Ok(())
}

/// Adds a school unless its external id names one (see [`Store::import_school`]).
pub(super) fn import_school(
    transaction: &Transaction<'_>,
    new: &NewSchool,
) -> rusqlite::Result<ImportOutcome> {
    let external_id = new.details.external_id.as_ref();
    let existing = match external_id {
        Some(external_id) => transaction
            .query_row(
                school_sql::SCHOOL_BY_EXTERNAL_ID,
                [external_id.as_str()],
                |row| {
                    Ok(School {
                        id: parsed(row, 0)?,
                        name: parsed(row, 1)?,
                    })
                },
            )
            .optional()?,
        None => None,
    };
    match rules::import(external_id, existing) {
        ImportRule::AlreadyPresent(school) => Ok(ImportOutcome::AlreadyPresent(school)),
        ImportRule::Create => insert_school(transaction, new).map(|()| ImportOutcome::Created),
    }
}

pub(super) fn overview_from_row(row: &Row<'_>) -> rusqlite::Result<SchoolOverview> {
    Ok(SchoolOverview {
        school: School {
            id: parsed(row, 0)?,
            name: parsed(row, 1)?,
        },
        details: SchoolDetails {
            municipality: optional_parsed(row, 2)?,
            school_administration: optional_parsed(row, 3)?,
            external_id: optional_parsed(row, 4)?,
        },
        created_at: UnixMillis(row.get(5)?),
        team_members: row.get(6)?,
        devices_enrolled: row.get(7)?,
        reports_stored: row.get(8)?,
    })
}

/// See [`Store::school_contents`].
pub(super) fn read_school_contents(
    connection: &Connection,
    reference: &str,
) -> rusqlite::Result<Option<SchoolContents>> {
    let Some(overview) = connection
        .query_row(
            school_sql::SCHOOL_BY_REFERENCE,
            [reference],
            overview_from_row,
        )
        .optional()?
    else {
        return Ok(None);
    };
    let school_id = overview.school.id.as_str();
    let members = connection
        .prepare(school_sql::CURRENT_MEMBERS)?
        .query_map([school_id], member_from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let rows = connection.query_row(school_sql::SCHOOL_ROWS, [school_id], |row| {
        let mut counts = [0; 7];
        for (index, count) in counts.iter_mut().enumerate() {
            *count = row.get(index)?;
        }
        Ok(SchoolRows::from_counts(counts))
    })?;
    Ok(Some(SchoolContents {
        overview,
        members,
        rows,
    }))
}

/// See [`Store::new_setup_link`].
pub(super) fn new_setup_link(
    transaction: &Transaction<'_>,
    link: &NewSetupLink,
) -> rusqlite::Result<Option<SetupLinkOutcome>> {
    let school_id = link.school_id.as_str();
    let Some((current_members, head)) = transaction
        .query_row(school_sql::TEAM_STATE, [school_id], |row| {
            Ok((row.get::<_, u64>(0)?, row.get::<_, Option<String>>(1)?))
        })
        .optional()?
    else {
        return Ok(None);
    };
    let head = head
        .map(|text| {
            version_from_json(&text).map_err(|error| {
                rusqlite::Error::FromSqlConversionFailure(1, Type::Text, error.into())
            })
        })
        .transpose()?;
    let listed = head.as_ref().map(|head| head.version.members());
    let outcome = match rules::setup_link(listed, current_members, link.member_id.as_ref()) {
        SetupLinkRule::Refuse(refusal) => SetupLinkOutcome::Refused(refusal),
        SetupLinkRule::Founding => {
            transaction.execute(
                school_sql::RETIRE_FOUNDING_CODES,
                params![link.now.0, school_id],
            )?;
            transaction.execute(
                school_sql::INSERT_FOUNDING_CODE,
                params![
                    link.setup_code.as_bytes(),
                    school_id,
                    link.now.0,
                    link.expires_at.0
                ],
            )?;
            SetupLinkOutcome::Founding
        }
        SetupLinkRule::ForMember(member_id) => {
            let renewal = SetupCodeRenewal {
                school_id: link.school_id.clone(),
                member_id,
                setup_code: link.setup_code,
                now: link.now,
                expires_at: link.expires_at,
            };
            renew_setup_code(transaction, &renewal)?.map_or(
                SetupLinkOutcome::Refused(SetupLinkRefusal::NotAMember),
                SetupLinkOutcome::ForMember,
            )
        }
    };
    Ok(Some(outcome))
}

/// See [`Store::delete_school`].
pub(super) fn delete_school(
    transaction: &Transaction<'_>,
    school_id: &SchoolId,
) -> rusqlite::Result<Option<SchoolRows>> {
    let mut counts = [0; 8];
    for (statement, count) in school_sql::DELETE_SCHOOL.iter().zip(&mut counts) {
        let deleted = transaction.execute(statement, [school_id.as_str()])?;
        *count = u64::try_from(deleted).unwrap_or(u64::MAX);
    }
    Ok(SchoolRows::from_deleted(counts))
}

/// See [`Store::renew_setup_code`].
pub(super) fn renew_setup_code(
    transaction: &Transaction<'_>,
    renewal: &SetupCodeRenewal,
) -> rusqlite::Result<Option<TeamMember>> {
    let member = transaction
        .query_row(
            school_sql::CURRENT_MEMBER,
            [renewal.member_id.as_str(), renewal.school_id.as_str()],
            member_from_row,
        )
        .optional()?;
    let Some(member) = member else {
        return Ok(None);
    };
    transaction.execute(
        school_sql::RETIRE_MEMBER_CODES,
        params![renewal.now.0, renewal.member_id.as_str()],
    )?;
    transaction.execute(
        school_sql::INSERT_MEMBER_CODE,
        params![
            renewal.setup_code.as_bytes(),
            renewal.school_id.as_str(),
            renewal.member_id.as_str(),
            renewal.now.0,
            renewal.expires_at.0
        ],
    )?;
    Ok(Some(member))
}

/// What `stats` counts in `period`, read in one transaction so the three agree.
pub(super) fn read_statistics(
    connection: &Connection,
    period: StatisticsPeriod,
) -> rusqlite::Result<Statistics> {
    let transaction = connection.unchecked_transaction()?;
    let bounds = [period.from, period.until].map(|time| i64::try_from(time.0).unwrap_or(i64::MAX));
    let sql = statistics_sql::SQLITE;
    let cell = |row: &Row<'_>| -> rusqlite::Result<AdministrationMonth> {
        Ok(AdministrationMonth {
            administration: row.get(0)?,
            month: row.get(1)?,
        })
    };
    let reports = transaction
        .prepare(sql.reports)?
        .query_map(bounds, |row| {
            Ok((
                cell(row)?,
                ReportCounts {
                    received: row.get(2)?,
                    acted_upon: row.get(3)?,
                },
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let delays = transaction
        .prepare(sql.delays)?
        .query_map(bounds, |row| {
            Ok((
                cell(row)?,
                MiddleDelays {
                    timed: row.get(2)?,
                    lower_millis: row.get(3)?,
                    upper_millis: row.get(4)?,
                },
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let devices = transaction
        .prepare(sql.devices)?
        .query_map(bounds, |row| Ok((cell(row)?, row.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    transaction.commit()?;
    Ok(Statistics {
        reports,
        delays,
        devices,
    })
}
