-- Migration 0001: the instance's own facts (PostgreSQL; the same schema as migrations/sqlite/).
-- Applied once, inside a transaction, by src/store/postgres.rs; never edit after release, add 0002.

CREATE TABLE server_meta (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);

INSERT INTO server_meta (key, value)
VALUES ('created_at', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'));
