-- Migration 0001: the instance's own facts. Real tables arrive with the features that need them.
-- Applied once, inside a transaction, by src/store/sqlite.rs; never edit after release, add 0002.

CREATE TABLE server_meta (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
) STRICT;

INSERT INTO server_meta (key, value)
VALUES ('created_at', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
