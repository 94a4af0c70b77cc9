//! The database a test's server keeps its data in, and a second way into it, as an operator's
//! `sqlite3` or `psql` would open it.
//!
//! SQLite unless `PREPOZNAJ_TEST_DATABASE_URL` names a PostgreSQL server (`scripts/test.sh` runs
//! the suite once each way, `scripts/postgres.sh` starts the server): then every test gets its
//! own fresh database there, created with a random name and dropped when the test ends. SQL in
//! tests is written once for both, with `$1`-style parameters (SQLite reads `$1` as the first).

use std::path::{Path, PathBuf};

use prepoznaj_domain::protocol::ReportUuid;
use prepoznaj_server::{
    config::DatabaseUrl,
    store::{Database, postgres::PostgresUrl},
};
use tokio_postgres::{Client, NoTls, SimpleQueryMessage, types::Type};

/// Names the PostgreSQL server (any database on it, as a user who may create databases).
pub const POSTGRES_VARIABLE: &str = "PREPOZNAJ_TEST_DATABASE_URL";

/// One test's database.
#[derive(Debug)]
pub struct TestDatabase {
    /// `--data-dir` (which the test owns and deletes): SQLite's `prepoznaj.db` is there;
    /// with PostgreSQL the server must leave it alone.
    data_dir: PathBuf,
    backend: Backend,
}

#[derive(Debug)]
enum Backend {
    Sqlite,
    Postgres {
        /// The server's URL as given, to drop the database at the end.
        admin_url: String,
        name: String,
        url: String,
    },
}

/// One column's value, as a test reads it back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SqlValue {
    Null,
    Integer(i64),
    Text(String),
    Bytes(Vec<u8>),
}

impl SqlValue {
    pub fn integer(&self) -> i64 {
        match self {
            Self::Integer(value) => *value,
            other => panic!("expected an integer, found {other:?}"),
        }
    }

    pub fn text(&self) -> &str {
        match self {
            Self::Text(value) => value,
            other => panic!("expected text, found {other:?}"),
        }
    }

    pub fn bytes(&self) -> &[u8] {
        match self {
            Self::Bytes(value) => value,
            other => panic!("expected bytes, found {other:?}"),
        }
    }
}

impl TestDatabase {
    /// A new, empty database: SQLite under `data_dir`, or a new PostgreSQL database.
    pub async fn fresh(data_dir: &Path) -> Self {
        let backend = match std::env::var(POSTGRES_VARIABLE) {
            Ok(admin_url) if !admin_url.is_empty() => {
                let mut random = [0_u8; 8];
                getrandom::getrandom(&mut random).unwrap();
                let name = format!("prepoznaj_test_{:016x}", u64::from_le_bytes(random));
                connect(&admin_url)
                    .await
                    .batch_execute(&format!("CREATE DATABASE {name}"))
                    .await
                    .unwrap();
                let url = with_database_name(&admin_url, &name);
                Backend::Postgres {
                    admin_url,
                    name,
                    url,
                }
            }
            _ => Backend::Sqlite,
        };
        Self {
            data_dir: data_dir.to_path_buf(),
            backend,
        }
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self.backend, Backend::Postgres { .. })
    }

    /// The database as the server's configuration names it.
    pub fn database(&self) -> Database {
        match &self.backend {
            Backend::Sqlite => Database::Sqlite {
                data_dir: self.data_dir.clone(),
            },
            Backend::Postgres { url, .. } => Database::Postgres(PostgresUrl::parse(url).unwrap()),
        }
    }

    /// `--database-url` for a [`prepoznaj_server::Config`]: none for SQLite.
    pub fn database_url(&self) -> Option<DatabaseUrl> {
        self.postgres_url()
            .map(|url| DatabaseUrl::from(url.to_owned()))
    }

    /// The PostgreSQL URL, with its password (for `DATABASE_URL`).
    pub fn postgres_url(&self) -> Option<&str> {
        match &self.backend {
            Backend::Sqlite => None,
            Backend::Postgres { url, .. } => Some(url),
        }
    }

    /// `--data-dir`.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Runs one statement with text parameters; returns the number of rows it changed.
    pub async fn execute(&self, sql: &str, parameters: &[&str]) -> u64 {
        match &self.backend {
            Backend::Sqlite => {
                let changed = self
                    .sqlite()
                    .execute(sql, rusqlite::params_from_iter(parameters))
                    .unwrap();
                u64::try_from(changed).unwrap()
            }
            Backend::Postgres { url, .. } => {
                let parameters: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> = parameters
                    .iter()
                    .map(|parameter| parameter as &(dyn tokio_postgres::types::ToSql + Sync))
                    .collect();
                connect(url).await.execute(sql, &parameters).await.unwrap()
            }
        }
    }

    /// Runs statements with no parameters and no results (DDL, for example).
    pub async fn batch_execute(&self, sql: &str) {
        match &self.backend {
            Backend::Sqlite => self.sqlite().execute_batch(sql).unwrap(),
            Backend::Postgres { url, .. } => connect(url).await.batch_execute(sql).await.unwrap(),
        }
    }

    /// The one row `sql` selects.
    pub async fn query_row(&self, sql: &str, parameters: &[&str]) -> Vec<SqlValue> {
        let mut rows = self.query(sql, parameters).await;
        assert_eq!(rows.len(), 1, "{sql}");
        rows.remove(0)
    }

    /// Every row `sql` selects.
    pub async fn query(&self, sql: &str, parameters: &[&str]) -> Vec<Vec<SqlValue>> {
        match &self.backend {
            Backend::Sqlite => {
                let connection = self.sqlite();
                let mut statement = connection.prepare(sql).unwrap();
                let columns = statement.column_count();
                statement
                    .query_map(rusqlite::params_from_iter(parameters), |row| {
                        (0..columns)
                            .map(|index| Ok(sqlite_value(row.get_ref(index)?)))
                            .collect()
                    })
                    .unwrap()
                    .collect::<Result<_, _>>()
                    .unwrap()
            }
            Backend::Postgres { url, .. } => {
                let parameters: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> = parameters
                    .iter()
                    .map(|parameter| parameter as &(dyn tokio_postgres::types::ToSql + Sync))
                    .collect();
                connect(url)
                    .await
                    .query(sql, &parameters)
                    .await
                    .unwrap()
                    .iter()
                    .map(|row| {
                        (0..row.len())
                            .map(|index| postgres_value(row, index))
                            .collect()
                    })
                    .collect()
            }
        }
    }

    /// The number of rows in `table`.
    pub async fn count(&self, table: &str) -> i64 {
        self.query_row(&format!("SELECT COUNT(*) FROM {table}"), &[])
            .await[0]
            .integer()
    }

    /// The envelope stored under `report_id`.
    pub async fn stored_envelope(&self, report_id: &ReportUuid) -> Vec<u8> {
        self.query_row(
            "SELECT envelope FROM reports WHERE id = $1",
            &[report_id.as_str()],
        )
        .await[0]
            .bytes()
            .to_vec()
    }

    /// Everything the database holds, named, to search for what must not be there: for
    /// SQLite every file of the database (with its WAL); for PostgreSQL every row of every
    /// table as PostgreSQL prints it, and every binary value as its bytes.
    pub async fn dump(&self) -> Vec<(String, Vec<u8>)> {
        match &self.backend {
            Backend::Sqlite => std::fs::read_dir(&self.data_dir)
                .unwrap()
                .map(|entry| {
                    let path = entry.unwrap().path();
                    (path.display().to_string(), std::fs::read(&path).unwrap())
                })
                .collect(),
            Backend::Postgres { url, .. } => {
                let client = connect(url).await;
                let columns = client
                    .query(
                        "SELECT table_name::text, column_name::text, data_type::text
                         FROM information_schema.columns WHERE table_schema = 'public'
                         ORDER BY table_name, ordinal_position",
                        &[],
                    )
                    .await
                    .unwrap();
                assert!(!columns.is_empty(), "the schema has tables");
                let mut dump = Vec::new();
                let mut tables: Vec<String> = columns.iter().map(|row| row.get(0)).collect();
                tables.dedup();
                for table in tables {
                    let mut printed = Vec::new();
                    for message in client
                        .simple_query(&format!("SELECT * FROM {table}"))
                        .await
                        .unwrap()
                    {
                        if let SimpleQueryMessage::Row(row) = message {
                            for index in 0..row.len() {
                                printed.extend(row.get(index).unwrap_or("NULL").bytes());
                                printed.push(b'\t');
                            }
                        }
                    }
                    dump.push((format!("table {table}"), printed));
                }
                for column in columns
                    .iter()
                    .filter(|row| row.get::<_, &str>(2) == "bytea")
                {
                    let (table, name): (&str, &str) = (column.get(0), column.get(1));
                    for row in client
                        .query(&format!("SELECT {name} FROM {table}"), &[])
                        .await
                        .unwrap()
                    {
                        if let Some(bytes) = row.get::<_, Option<Vec<u8>>>(0) {
                            dump.push((format!("{table}.{name}"), bytes));
                        }
                    }
                }
                dump
            }
        }
    }

    fn sqlite(&self) -> rusqlite::Connection {
        rusqlite::Connection::open(self.data_dir.join("prepoznaj.db")).unwrap()
    }
}

impl Drop for TestDatabase {
    /// Drops a PostgreSQL database, closing the connections the test's servers still hold.
    fn drop(&mut self) {
        let Backend::Postgres {
            admin_url, name, ..
        } = &self.backend
        else {
            return;
        };
        let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
        let admin_url = admin_url.clone();
        // Its own thread and runtime: drop cannot await, and the test's runtime may be the
        // one running this.
        let dropped = std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|error| error.to_string())?
                .block_on(async {
                    let (client, connection) = tokio_postgres::connect(&admin_url, NoTls).await?;
                    tokio::spawn(connection);
                    client.batch_execute(&sql).await
                })
                .map_err(|error| error.to_string())
        })
        .join();
        match dropped {
            Ok(Ok(())) => {}
            Ok(Err(error)) => eprintln!("cannot drop test database {name}: {error}"),
            Err(_) => eprintln!("cannot drop test database {name}: the dropping thread panicked"),
        }
    }
}

async fn connect(url: &str) -> Client {
    let (client, connection) = tokio_postgres::connect(url, NoTls).await.unwrap();
    tokio::spawn(connection);
    client
}

/// `url` with its database name (the path) replaced by `name`, keeping any `?options`.
fn with_database_name(url: &str, name: &str) -> String {
    let (base, options) = url
        .split_once('?')
        .map_or((url, None), |(base, options)| (base, Some(options)));
    let scheme_end = base.find("://").unwrap() + 3;
    let authority_end = base[scheme_end..]
        .find('/')
        .map_or(base.len(), |slash| scheme_end + slash);
    let mut renamed = format!("{}/{name}", &base[..authority_end]);
    if let Some(options) = options {
        renamed.push('?');
        renamed.push_str(options);
    }
    renamed
}

fn sqlite_value(value: rusqlite::types::ValueRef<'_>) -> SqlValue {
    use rusqlite::types::ValueRef;
    match value {
        ValueRef::Null => SqlValue::Null,
        ValueRef::Integer(value) => SqlValue::Integer(value),
        ValueRef::Text(text) => SqlValue::Text(String::from_utf8(text.to_vec()).unwrap()),
        ValueRef::Blob(bytes) => SqlValue::Bytes(bytes.to_vec()),
        ValueRef::Real(value) => panic!("no REAL columns in the schema: {value}"),
    }
}

fn postgres_value(row: &tokio_postgres::Row, index: usize) -> SqlValue {
    let column_type = row.columns()[index].type_().clone();
    let value = match column_type {
        Type::INT8 => row.get::<_, Option<i64>>(index).map(SqlValue::Integer),
        Type::INT4 => row
            .get::<_, Option<i32>>(index)
            .map(|value| SqlValue::Integer(value.into())),
        Type::TEXT | Type::VARCHAR => row.get::<_, Option<String>>(index).map(SqlValue::Text),
        Type::BYTEA => row.get::<_, Option<Vec<u8>>>(index).map(SqlValue::Bytes),
        other => panic!("a test reads a {other} column"),
    };
    value.unwrap_or(SqlValue::Null)
}
