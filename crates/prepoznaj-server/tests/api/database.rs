//! The database, SQLite or PostgreSQL: created and migrated on first start, once; set up so an
//! acknowledged write survives a crash; refused when a newer server has migrated it.

use prepoznaj_server::{Application, StartupError, error::one_line, store::StoreError};
use tempfile::TempDir;

use crate::{
    test_app::{TestApp, config, write_dist},
    test_database::TestDatabase,
};

async fn created_at(database: &TestDatabase) -> String {
    database
        .query_row(
            "SELECT value FROM server_meta WHERE key = 'created_at'",
            &[],
        )
        .await[0]
        .text()
        .to_owned()
}

async fn migrations(database: &TestDatabase) -> Vec<i64> {
    database
        .query(
            "SELECT version FROM schema_migrations ORDER BY version",
            &[],
        )
        .await
        .iter()
        .map(|row| row[0].integer())
        .collect()
}

/// A database under a fresh directory, and a `dist/`.
async fn fresh() -> (TestDatabase, TempDir) {
    let scratch = TempDir::new().unwrap();
    write_dist(&scratch.path().join("dist"));
    let database = TestDatabase::fresh(&scratch.path().join("data")).await;
    (database, scratch)
}

#[tokio::test]
async fn first_start_creates_and_migrates_the_database() {
    let app = TestApp::spawn().await;

    assert_eq!(migrations(&app.database).await, [1, 2, 3, 4, 5, 6, 7, 8]);
    let created_at = created_at(&app.database).await;
    assert!(created_at.ends_with('Z'), "{created_at}");
    let sqlite_file = app.data_dir.path().join("data").join("prepoznaj.db");
    if app.database.is_postgres() {
        assert!(
            !app.database.data_dir().exists(),
            "with PostgreSQL nothing is written under --data-dir"
        );
    } else {
        assert!(sqlite_file.is_file());
    }
}

#[tokio::test]
async fn the_database_is_set_up_so_an_acknowledged_write_survives_a_crash() {
    let (database, scratch) = fresh().await;
    let dist = scratch.path().join("dist");
    if !database.is_postgres() {
        drop(Application::build(config(&database, &dist)).await.unwrap());
        let journal_mode = database.query_row("PRAGMA journal_mode", &[]).await;
        assert_eq!(journal_mode[0].text(), "wal");
        return;
    }
    // PostgreSQL flushes each commit before answering unless told not to: a database told
    // not to is refused.
    let set = |value: &str| {
        format!(
            "DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET synchronous_commit = {value}', \
             current_database()); END $$"
        )
    };
    database.batch_execute(&set("off")).await;

    let refused = Application::build(config(&database, &dist))
        .await
        .unwrap_err();

    assert!(
        matches!(
            refused,
            StartupError::Store(StoreError::NotDurable {
                setting: "synchronous_commit"
            })
        ),
        "{refused:?}"
    );
    assert!(
        one_line(&refused).contains("synchronous_commit=off"),
        "{}",
        one_line(&refused)
    );
    database.batch_execute(&set("on")).await;
    Application::build(config(&database, &dist)).await.unwrap();
}

#[tokio::test]
async fn restart_keeps_the_database_and_applies_no_migration_twice() {
    let (database, scratch) = fresh().await;
    let dist = scratch.path().join("dist");
    let first = Application::build(config(&database, &dist)).await.unwrap();
    let created_first = created_at(&database).await;
    drop(first);

    let second = Application::build(config(&database, &dist)).await.unwrap();

    assert_eq!(
        second.database().to_string(),
        database.database().to_string()
    );
    assert_eq!(created_at(&database).await, created_first);
    assert_eq!(migrations(&database).await, [1, 2, 3, 4, 5, 6, 7, 8]);
}

#[tokio::test]
async fn a_database_migrated_by_a_newer_server_is_refused() {
    let (database, scratch) = fresh().await;
    let dist = scratch.path().join("dist");
    drop(Application::build(config(&database, &dist)).await.unwrap());
    database
        .execute(
            "INSERT INTO schema_migrations (version, applied_at)
             VALUES (9, '2030-01-01T00:00:00Z')",
            &[],
        )
        .await;

    let refused = Application::build(config(&database, &dist))
        .await
        .unwrap_err();

    assert!(
        matches!(
            refused,
            StartupError::Store(StoreError::SchemaTooNew {
                found: 9,
                supported: 8
            })
        ),
        "{refused:?}"
    );
    assert_eq!(refused.exit_code(), 1);
    assert_eq!(
        migrations(&database).await,
        [1, 2, 3, 4, 5, 6, 7, 8, 9],
        "nothing was changed"
    );
}
