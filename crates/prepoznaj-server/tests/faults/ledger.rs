//! What the phone was told: every receipt it holds. After each kill of the server, and at the
//! end, the database must hold every one of them, with the same envelope digest.

use std::{collections::HashMap, path::Path, sync::Mutex};

use prepoznaj_domain::protocol::{ReportUuid, Sha256Digest};
use rusqlite::Connection;

#[derive(Debug, Default)]
pub struct Ledger {
    acknowledged: Mutex<Vec<(ReportUuid, Sha256Digest)>>,
    /// Acknowledged reports missing (or different) after a kill, described.
    lost: Mutex<Vec<String>>,
}

impl Ledger {
    pub fn acknowledge(&self, report_id: ReportUuid, digest: Sha256Digest) {
        self.acknowledged.lock().unwrap().push((report_id, digest));
    }

    /// Checks, with a connection of its own, that the database holds every report
    /// acknowledged before the check began. The list is taken before the database is read: a
    /// killed server's last answers can still arrive (its writer commits, its response goes
    /// out) while the check runs, and a report acknowledged after the read is checked at the
    /// next kill, not reported lost.
    pub fn check_acknowledged(&self, database: &Path) {
        let acknowledged = self.acknowledged.lock().unwrap().clone();
        let stored = stored_digests(database);
        let missing: Vec<String> = acknowledged
            .iter()
            .filter_map(|(report_id, digest)| match stored.get(report_id) {
                Some(found) if found == digest => None,
                Some(found) => Some(format!(
                    "acknowledged report {report_id} is stored with envelope {found:?}, \
                     not the acknowledged {digest:?}, after a restart"
                )),
                None => Some(format!(
                    "acknowledged report {report_id} not in the database after a restart \
                     ({} reports stored)",
                    stored.len()
                )),
            })
            .collect();
        self.lost.lock().unwrap().extend(missing);
    }

    /// Takes the losses found so far.
    pub fn take_lost(&self) -> Vec<String> {
        std::mem::take(&mut self.lost.lock().unwrap())
    }

    pub fn acknowledged(&self) -> usize {
        self.acknowledged.lock().unwrap().len()
    }
}

/// Every stored report's envelope digest, read as an operator's `sqlite3` would.
pub fn stored_digests(database: &Path) -> HashMap<ReportUuid, Sha256Digest> {
    let connection = Connection::open(database).unwrap();
    let mut statement = connection
        .prepare("SELECT id, envelope_sha256 FROM reports")
        .unwrap();
    statement
        .query_map([], |row| {
            let id: String = row.get(0)?;
            let digest: Vec<u8> = row.get(1)?;
            Ok((id, digest))
        })
        .unwrap()
        .map(|row| {
            let (id, digest) = row.unwrap();
            (
                ReportUuid::parse(&id).unwrap(),
                Sha256Digest::from_bytes(digest.try_into().unwrap()),
            )
        })
        .collect()
}
