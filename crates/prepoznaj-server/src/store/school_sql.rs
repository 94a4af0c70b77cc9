//! The statements of the operator's school commands (create, import, list, show, new set-up
//! link, delete), written once for both backends: standard SQL with `$n` parameters, which
//! SQLite reads too (it numbers `$n` parameters in the order they first appear, so each
//! statement names `$1`, `$2`, … in that order). Each backend runs them and reads the rows.

/// Adds a school: id, name, created at, municipality, school administration, external id.
pub(super) const INSERT_SCHOOL: &str = "INSERT INTO schools
         (id, name, created_at, municipality, school_administration, external_id)
     VALUES ($1, $2, $3, $4, $5, $6)";

/// Adds a school's founding set-up code: code hash, school, created at, expires at.
pub(super) const INSERT_FOUNDING_CODE: &str =
    "INSERT INTO setup_codes (code_hash, school_id, member_id, created_at, expires_at)
     VALUES ($1, $2, NULL, $3, $4)";

/// Adds a member's set-up code: code hash, school, member, created at, expires at.
pub(super) const INSERT_MEMBER_CODE: &str =
    "INSERT INTO setup_codes (code_hash, school_id, member_id, created_at, expires_at)
     VALUES ($1, $2, $3, $4, $5)";

/// Marks a school's unused founding codes used: now, school.
pub(super) const RETIRE_FOUNDING_CODES: &str = "UPDATE setup_codes SET used_at = $1
     WHERE school_id = $2 AND member_id IS NULL AND used_at IS NULL";

/// Marks a member's unused set-up codes used: now, member.
pub(super) const RETIRE_MEMBER_CODES: &str =
    "UPDATE setup_codes SET used_at = $1 WHERE member_id = $2 AND used_at IS NULL";

/// The school with an external id: id, name.
pub(super) const SCHOOL_BY_EXTERNAL_ID: &str =
    "SELECT id, name FROM schools WHERE external_id = $1";

/// The columns an overview is read from, in this order: id, name, municipality, school
/// administration, external id, created at, current members, devices not revoked, reports
/// with their envelope.
macro_rules! overview_columns {
    () => {
        "s.id, s.name, s.municipality, s.school_administration, s.external_id, s.created_at,
         (SELECT COUNT(*) FROM team_members m WHERE m.school_id = s.id AND m.removed_at IS NULL),
         (SELECT COUNT(*) FROM devices d WHERE d.school_id = s.id AND d.revoked_at IS NULL),
         (SELECT COUNT(*) FROM reports r WHERE r.school_id = s.id AND r.envelope IS NOT NULL)"
    };
}

/// Every school's overview, oldest first (ids are time-ordered).
pub(super) const SCHOOLS: &str = concat!(
    "SELECT ",
    overview_columns!(),
    " FROM schools s ORDER BY s.created_at, s.id"
);

/// The overview of the school whose id, or else whose external id, is `$1`.
pub(super) const SCHOOL_BY_REFERENCE: &str = concat!(
    "SELECT ",
    overview_columns!(),
    " FROM schools s WHERE s.id = $1 OR s.external_id = $1
      ORDER BY CASE WHEN s.id = $1 THEN 0 ELSE 1 END LIMIT 1"
);

/// A school's current members, oldest first, in the columns each backend's `member_from_row`
/// reads.
pub(super) const CURRENT_MEMBERS: &str =
    "SELECT id, display_name, public_key, fingerprint, added_at, removed_at
     FROM team_members WHERE school_id = $1 AND removed_at IS NULL ORDER BY added_at, id";

/// One current member of a school, in [`CURRENT_MEMBERS`]' columns: member, school.
pub(super) const CURRENT_MEMBER: &str =
    "SELECT id, display_name, public_key, fingerprint, added_at, removed_at
     FROM team_members WHERE id = $1 AND school_id = $2 AND removed_at IS NULL";

/// Every row of a school, table by table in [`DELETE_SCHOOL`]'s order (the school itself
/// left out).
pub(super) const SCHOOL_ROWS: &str = "SELECT
     (SELECT COUNT(*) FROM report_status_changes c
      WHERE c.report_id IN (SELECT id FROM reports WHERE school_id = $1)),
     (SELECT COUNT(*) FROM reports WHERE school_id = $1),
     (SELECT COUNT(*) FROM devices WHERE school_id = $1),
     (SELECT COUNT(*) FROM enrolment_links WHERE school_id = $1),
     (SELECT COUNT(*) FROM setup_codes WHERE school_id = $1),
     (SELECT COUNT(*) FROM team_chain WHERE school_id = $1),
     (SELECT COUNT(*) FROM team_members WHERE school_id = $1)";

/// What a new set-up link is decided from, if the school exists: its current members and the
/// chain's last version as stored (`NULL`: no chain).
pub(super) const TEAM_STATE: &str = "SELECT
     (SELECT COUNT(*) FROM team_members m WHERE m.school_id = s.id AND m.removed_at IS NULL),
     (SELECT signed FROM team_chain c WHERE c.school_id = s.id ORDER BY number DESC LIMIT 1)
     FROM schools s WHERE s.id = $1";

/// Deletes a school, `$1`, in an order its foreign keys allow; each statement's count is a
/// field of [`super::SchoolRows`]: status changes, reports (their envelopes with them; the
/// school's stored bytes follow by trigger), devices, enrolment links, set-up codes, chain
/// versions, members, and last the school itself.
pub(super) const DELETE_SCHOOL: [&str; 8] = [
    "DELETE FROM report_status_changes
     WHERE report_id IN (SELECT id FROM reports WHERE school_id = $1)",
    "DELETE FROM reports WHERE school_id = $1",
    "DELETE FROM devices WHERE school_id = $1",
    "DELETE FROM enrolment_links WHERE school_id = $1",
    "DELETE FROM setup_codes WHERE school_id = $1",
    "DELETE FROM team_chain WHERE school_id = $1",
    "DELETE FROM team_members WHERE school_id = $1",
    "DELETE FROM schools WHERE id = $1",
];

impl super::SchoolRows {
    /// The rows [`DELETE_SCHOOL`]'s statements deleted, in their order; `None` if the school
    /// itself (the last) was not there.
    pub(super) fn from_deleted(counts: [u64; 8]) -> Option<Self> {
        let [rows @ .., schools] = counts;
        (schools == 1).then(|| Self::from_counts(rows))
    }

    /// From [`SCHOOL_ROWS`]'s columns, which are [`DELETE_SCHOOL`]'s tables in its order.
    pub(super) fn from_counts(counts: [u64; 7]) -> Self {
        let [
            status_changes,
            reports,
            devices,
            enrolment_links,
            setup_codes,
            chain_versions,
            team_members,
        ] = counts;
        Self {
            team_members,
            devices,
            enrolment_links,
            setup_codes,
            chain_versions,
            reports,
            status_changes,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SQLite numbers `$n` parameters by first appearance: each statement must name `$1`,
    /// `$2`, … in that order, or SQLite would bind them to the wrong places.
    #[test]
    fn every_statement_names_its_parameters_in_order() {
        let statements = [
            INSERT_SCHOOL,
            INSERT_FOUNDING_CODE,
            INSERT_MEMBER_CODE,
            RETIRE_FOUNDING_CODES,
            RETIRE_MEMBER_CODES,
            SCHOOL_BY_EXTERNAL_ID,
            SCHOOLS,
            SCHOOL_BY_REFERENCE,
            CURRENT_MEMBERS,
            CURRENT_MEMBER,
            SCHOOL_ROWS,
            TEAM_STATE,
        ]
        .into_iter()
        .chain(DELETE_SCHOOL);
        for statement in statements {
            let mut first_seen: Vec<u32> = Vec::new();
            for (index, _) in statement.match_indices('$') {
                let digits: String = statement[index + 1..]
                    .chars()
                    .take_while(char::is_ascii_digit)
                    .collect();
                let number = digits.parse().unwrap_or(0);
                if !first_seen.contains(&number) {
                    first_seen.push(number);
                }
            }
            let in_order: Vec<u32> = (1..).take(first_seen.len()).collect();
            assert_eq!(first_seen, in_order, "{statement}");
        }
    }
}
