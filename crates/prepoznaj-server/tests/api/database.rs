//! The embedded SQLite database: created on first start, in WAL mode, migrated once.

use rusqlite::Connection;
use tempfile::TempDir;

use crate::test_app::{TestApp, config, write_dist};

fn open(app_database: &std::path::Path) -> Connection {
    Connection::open(app_database).unwrap()
}

#[tokio::test]
async fn first_start_creates_the_database_under_the_data_dir_in_wal_mode() {
    let app = TestApp::spawn().await;

    assert_eq!(
        app.database_path,
        app.data_dir.path().join("data").join("prepoznaj.db")
    );
    assert!(app.database_path.is_file());
    let connection = open(&app.database_path);
    let journal_mode: String = connection
        .query_row("PRAGMA journal_mode", [], |row| row.get(0))
        .unwrap();
    assert_eq!(journal_mode, "wal");
    let versions: Vec<u32> = connection
        .prepare("SELECT version FROM schema_migrations ORDER BY version")
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(versions, [1, 2]);
    let created_at: String = connection
        .query_row(
            "SELECT value FROM server_meta WHERE key = 'created_at'",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert!(created_at.ends_with('Z'), "{created_at}");
}

#[tokio::test]
async fn restart_keeps_the_database_and_applies_no_migration_twice() {
    let data_dir = TempDir::new().unwrap();
    let dist = TempDir::new().unwrap();
    write_dist(dist.path());
    let first = prepoznaj_server::Application::build(config(data_dir.path(), dist.path()))
        .await
        .unwrap();
    let database_path = first.database_path().to_path_buf();
    let created_at = |connection: &Connection| -> String {
        connection
            .query_row(
                "SELECT value FROM server_meta WHERE key = 'created_at'",
                [],
                |row| row.get(0),
            )
            .unwrap()
    };
    let created_first = created_at(&open(&database_path));
    drop(first);

    let second = prepoznaj_server::Application::build(config(data_dir.path(), dist.path()))
        .await
        .unwrap();

    assert_eq!(second.database_path(), database_path);
    let connection = open(&database_path);
    assert_eq!(created_at(&connection), created_first);
    let migrations: u32 = connection
        .query_row("SELECT COUNT(*) FROM schema_migrations", [], |row| {
            row.get(0)
        })
        .unwrap();
    assert_eq!(migrations, 2);
}
