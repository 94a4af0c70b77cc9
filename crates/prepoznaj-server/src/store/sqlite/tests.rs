//! The writer's batches, run directly on a migrated database: one batch of writes must
//! answer each write exactly as running them one after another would, and commit only what
//! it answers as done.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failed unwrap is a failed test"
)]

use prepoznaj_domain::{
    catalogue::CatalogueVersion,
    protocol::{DeviceId, Envelope, ReportStatus, Sha256Digest},
};
use sha2::{Digest as _, Sha256};
use tempfile::TempDir;

use tokio::sync::oneshot;

use super::*;
use super::{
    open::{configure, migrate},
    writer::commit_batch,
};
use crate::store::ReportQuota;

type Answer<T> = oneshot::Receiver<Result<T, StoreError>>;

fn migrated() -> (TempDir, Connection) {
    let data_dir = TempDir::new().unwrap();
    let mut connection = Connection::open(SqliteStore::database_path(data_dir.path())).unwrap();
    configure(&connection).unwrap();
    migrate(&mut connection).unwrap();
    (data_dir, connection)
}

fn add_school(connection: &Connection, id_byte: u8) -> SchoolId {
    let id = SchoolId::new_v7(UnixMillis(1_764_230_400_000), [id_byte; 10]);
    connection
        .execute(
            "INSERT INTO schools (id, name, created_at) VALUES (?1, 'ОШ', 0)",
            [id.as_str()],
        )
        .unwrap();
    id
}

fn report_id(id_byte: u8) -> ReportUuid {
    ReportUuid::new_v7(UnixMillis(1_764_230_400_000), [id_byte; 10])
}

/// A report of `school` under `id` with `envelope`, received at `received_at`.
fn report(school: &SchoolId, id: &ReportUuid, envelope: &[u8], received_at: u64) -> NewReport {
    NewReport {
        school_id: school.clone(),
        device_id: DeviceId::new_v7(UnixMillis(1_764_230_400_000), [0xd0; 10]),
        quota: ReportQuota {
            per_device_per_day: 1_000,
            school_bytes: 1 << 30,
        },
        receipt: ReportReceipt {
            report_id: id.clone(),
            received_at: UnixMillis(received_at),
            status: ReportStatus::Received,
            envelope_sha256: Sha256Digest::from_bytes(Sha256::digest(envelope).into()),
        },
        envelope: Envelope::from_bytes(envelope.to_vec()),
        catalogue_version: CatalogueVersion::new("2021-r1"),
    }
}

fn queued<T, F>(work: F) -> (Box<dyn Write>, Answer<T>)
where
    T: Send + 'static,
    F: FnOnce(&Transaction<'_>) -> rusqlite::Result<T> + Send + 'static,
{
    let (write, answer) = PendingWrite::new("test write", work);
    (Box::new(write), answer)
}

fn submission(new: NewReport) -> (Box<dyn Write>, Answer<SubmissionOutcome>) {
    queued(move |transaction| store_report(transaction, new))
}

fn answered<T>(mut answer: Answer<T>) -> Result<T, StoreError> {
    answer.try_recv().expect("every write is answered")
}

fn stored(connection: &Connection) -> Vec<(String, Vec<u8>, u64)> {
    connection
        .prepare("SELECT id, envelope, received_at FROM reports ORDER BY id")
        .unwrap()
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
}

#[test]
fn one_batch_answers_resends_and_conflicts_as_if_run_one_after_another() {
    let (_data_dir, mut connection) = migrated();
    let school = add_school(&connection, 1);
    let other_school = add_school(&connection, 2);
    let (first, second) = (report_id(10), report_id(11));
    let mut batch = Vec::new();
    let mut answers = Vec::new();
    for new in [
        report(&school, &first, b"first", 100),
        report(&school, &first, b"first", 200),
        report(&school, &first, b"another envelope", 300),
        report(&other_school, &first, b"first", 400),
        report(&school, &second, b"second", 500),
        report(&school, &second, b"second", 600),
    ] {
        let (write, answer) = submission(new);
        batch.push(write);
        answers.push(answer);
    }

    commit_batch(&mut connection, batch);

    let outcomes: Vec<SubmissionOutcome> = answers
        .into_iter()
        .map(|answer| answered(answer).unwrap())
        .collect();
    let receipt_at = |outcome: &SubmissionOutcome| match outcome {
        SubmissionOutcome::Stored(receipt) | SubmissionOutcome::AlreadyStored(receipt) => {
            Some(receipt.received_at.0)
        }
        SubmissionOutcome::Conflict
        | SubmissionOutcome::DeviceLimitReached { .. }
        | SubmissionOutcome::SchoolStorageFull => None,
    };
    assert!(matches!(outcomes[0], SubmissionOutcome::Stored(_)));
    assert!(
        matches!(outcomes[1], SubmissionOutcome::AlreadyStored(_)),
        "an identical resend in the same batch is a retry"
    );
    assert_eq!(receipt_at(&outcomes[1]), Some(100), "the first receipt");
    assert!(matches!(outcomes[2], SubmissionOutcome::Conflict));
    assert!(
        matches!(outcomes[3], SubmissionOutcome::Conflict),
        "the same envelope from another school"
    );
    assert!(matches!(outcomes[4], SubmissionOutcome::Stored(_)));
    assert_eq!(receipt_at(&outcomes[5]), Some(500));
    assert_eq!(
        stored(&connection),
        [
            (first.as_str().to_owned(), b"first".to_vec(), 100),
            (second.as_str().to_owned(), b"second".to_vec(), 500),
        ]
    );
}

#[test]
fn a_failing_write_is_undone_and_answered_alone_and_the_rest_of_its_batch_commits() {
    let (_data_dir, mut connection) = migrated();
    let school = add_school(&connection, 1);
    let unknown_school = SchoolId::new_v7(UnixMillis(1_764_230_400_000), [9; 10]);
    let (before, foreign_key, half_done, panicking, after) = (
        report(&school, &report_id(10), b"before", 100),
        report(&unknown_school, &report_id(11), b"no such school", 100),
        report(&school, &report_id(12), b"half done", 100),
        report(&school, &report_id(13), b"panics", 100),
        report(&school, &report_id(14), b"after", 100),
    );
    let (first, first_answer) = submission(before);
    let (orphan, orphan_answer) = submission(foreign_key);
    let (failing, failing_answer) = queued(move |transaction| {
        store_report(transaction, half_done)?;
        transaction.execute("INSERT INTO no_such_table VALUES (1)", [])
    });
    let (panics, panic_answer) = queued(move |transaction| -> rusqlite::Result<()> {
        store_report(transaction, panicking)?;
        panic!("a bug in a write");
    });
    let (last, last_answer) = submission(after);

    commit_batch(&mut connection, vec![first, orphan, failing, panics, last]);

    assert!(matches!(
        answered(first_answer),
        Ok(SubmissionOutcome::Stored(_))
    ));
    assert!(matches!(
        answered(orphan_answer),
        Err(StoreError::Backend { .. })
    ));
    assert!(answered(failing_answer).is_err());
    let panicked = answered(panic_answer).unwrap_err();
    assert!(
        format!("{:?}", panicked).contains("a bug in a write"),
        "{panicked:?}"
    );
    assert!(matches!(
        answered(last_answer),
        Ok(SubmissionOutcome::Stored(_))
    ));
    let ids: Vec<String> = stored(&connection).into_iter().map(|row| row.0).collect();
    assert_eq!(
        ids,
        [report_id(10).as_str(), report_id(14).as_str()],
        "the failed writes left nothing, even what they wrote before failing"
    );
}

#[test]
fn when_the_batch_is_rolled_back_every_write_in_it_gets_an_error_and_nothing_is_kept() {
    let (_data_dir, mut connection) = migrated();
    let school = add_school(&connection, 1);
    let (stored_first, first_answer) = submission(report(&school, &report_id(10), b"first", 100));
    // What SQLite does on a full disk or an I/O error: the whole transaction is gone.
    let (rollback, rollback_answer) = queued(|transaction| transaction.execute_batch("ROLLBACK"));
    let (never_run, never_run_answer) = submission(report(&school, &report_id(11), b"second", 100));

    commit_batch(&mut connection, vec![stored_first, rollback, never_run]);

    for error in [
        answered(first_answer).map(drop),
        answered(rollback_answer),
        answered(never_run_answer).map(drop),
    ] {
        assert!(
            matches!(error, Err(StoreError::Backend { .. })),
            "{error:?}"
        );
    }
    assert_eq!(stored(&connection), []);
}

#[test]
fn a_batch_that_cannot_begin_answers_every_write_with_an_error() {
    let (data_dir, mut connection) = migrated();
    let school = add_school(&connection, 1);
    // Another writer (an operator's command, say) holds the write lock past our patience.
    let other = Connection::open(SqliteStore::database_path(data_dir.path())).unwrap();
    other.execute_batch("BEGIN IMMEDIATE").unwrap();
    connection.busy_timeout(Duration::ZERO).unwrap();
    let (write, answer) = submission(report(&school, &report_id(10), b"first", 100));

    commit_batch(&mut connection, vec![write]);

    assert!(matches!(answered(answer), Err(StoreError::Backend { .. })));
    other.execute_batch("ROLLBACK").unwrap();
    assert_eq!(stored(&connection), []);
}

#[tokio::test]
async fn the_checkpointer_moves_a_growing_wal_into_the_database_file() {
    let data_dir = TempDir::new().unwrap();
    let store = SqliteStore::open(data_dir.path()).await.unwrap();
    let path = SqliteStore::database_path(data_dir.path());
    let school = add_school(&Connection::open(&path).unwrap(), 1);
    let database_file_size = || std::fs::metadata(&path).unwrap().len();
    let size_before = database_file_size();
    // 1,000 reports of 8 KiB, sent together: about 8 MiB, well over CHECKPOINT_PAGES pages
    // of WAL however the writer batches them.
    let mut submissions = tokio::task::JoinSet::new();
    for index in 0..1_000_u16 {
        let mut envelope = vec![0_u8; 8 * 1024];
        envelope[..2].copy_from_slice(&index.to_be_bytes());
        let mut id = [0_u8; 10];
        id[..2].copy_from_slice(&index.to_be_bytes());
        let id = ReportUuid::new_v7(UnixMillis(1_764_230_400_000), id);
        let new = report(&school, &id, &envelope, 100);
        let store = store.clone();
        submissions.spawn(async move { store.submit_report(new).await });
    }
    for outcome in submissions.join_all().await {
        assert!(matches!(outcome, Ok(SubmissionOutcome::Stored(_))));
    }

    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while database_file_size() < size_before + 4_000_000 {
        assert!(
            std::time::Instant::now() < deadline,
            "no checkpoint: the database file is still {} bytes",
            database_file_size()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn auto_vacuum(path: &Path) -> i64 {
    Connection::open(path)
        .unwrap()
        .pragma_query_value(None, "auto_vacuum", |row| row.get(0))
        .unwrap()
}

#[tokio::test]
async fn a_new_database_and_one_made_before_incremental_vacuum_both_use_it_and_keep_their_rows() {
    let new = TempDir::new().unwrap();
    drop(SqliteStore::open(new.path()).await.unwrap());
    assert_eq!(auto_vacuum(&SqliteStore::database_path(new.path())), 2);

    // As an older server left it: WAL, no auto-vacuum, migrated, with a school in it.
    let older = TempDir::new().unwrap();
    let path = SqliteStore::database_path(older.path());
    let mut connection = Connection::open(&path).unwrap();
    connection
        .pragma_update(None, "journal_mode", "WAL")
        .unwrap();
    migrate(&mut connection).unwrap();
    let school = add_school(&connection, 1);
    drop(connection);
    assert_eq!(auto_vacuum(&path), 0);

    let store = SqliteStore::open(older.path()).await.unwrap();

    assert_eq!(auto_vacuum(&path), 2);
    let (kept, _) = store.school_keys(school.clone()).await.unwrap();
    assert_eq!(kept.id, school);
}
