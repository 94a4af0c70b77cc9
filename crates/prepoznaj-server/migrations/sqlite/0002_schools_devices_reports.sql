-- Migration 0002: schools, their protection teams' public keys, staff devices, enrolment links,
-- team set-up codes and the encrypted reports.
-- Applied once, inside a transaction, by src/store/sqlite.rs; never edit after release, add 0003.
--
-- Times are milliseconds since 1970 (UTC). Ids are UUIDv7 text made by the server (reports: by
-- the phone). Tokens and codes are stored only as their SHA-256 (32-byte BLOBs). A report keeps
-- its age envelope and the least metadata: school, id, size, digest, catalogue version, received
-- time and status; not the device or anyone who sent it.

CREATE TABLE schools (
    id              TEXT PRIMARY KEY NOT NULL,
    name            TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    -- Grows by one with every change to the school's current members (keys or names).
    key_set_version INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE team_members (
    id           TEXT PRIMARY KEY NOT NULL,
    school_id    TEXT NOT NULL REFERENCES schools (id),
    display_name TEXT NOT NULL,
    public_key   TEXT NOT NULL,          -- age X25519 recipient, age1…
    fingerprint  TEXT NOT NULL,          -- derived from public_key, kept for reading back
    token_hash   BLOB UNIQUE,            -- NULL until the member redeems a set-up code
    added_at     INTEGER NOT NULL,
    removed_at   INTEGER
) STRICT;

CREATE UNIQUE INDEX team_members_current_key
    ON team_members (school_id, public_key) WHERE removed_at IS NULL;

CREATE TABLE setup_codes (
    code_hash  BLOB PRIMARY KEY NOT NULL,
    school_id  TEXT NOT NULL REFERENCES schools (id),
    -- NULL: sets up the school's first member with any key; otherwise only this approved member.
    member_id  TEXT REFERENCES team_members (id),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER
) STRICT, WITHOUT ROWID;

CREATE TABLE enrolment_links (
    id         TEXT PRIMARY KEY NOT NULL,
    school_id  TEXT NOT NULL REFERENCES schools (id),
    code_hash  BLOB NOT NULL UNIQUE,
    created_by TEXT NOT NULL REFERENCES team_members (id),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER
) STRICT;

CREATE TABLE devices (
    id                TEXT PRIMARY KEY NOT NULL,
    school_id         TEXT NOT NULL REFERENCES schools (id),
    enrolment_link_id TEXT NOT NULL REFERENCES enrolment_links (id),
    token_hash        BLOB NOT NULL UNIQUE,
    enrolled_at       INTEGER NOT NULL,
    revoked_at        INTEGER
) STRICT;

CREATE TABLE reports (
    id                TEXT PRIMARY KEY NOT NULL,
    school_id         TEXT NOT NULL REFERENCES schools (id),
    envelope          BLOB NOT NULL,
    envelope_sha256   BLOB NOT NULL,
    size              INTEGER NOT NULL CHECK (size = length(envelope)),
    catalogue_version TEXT NOT NULL,
    received_at       INTEGER NOT NULL,
    status            TEXT NOT NULL CHECK (status IN ('received', 'acted_upon'))
) STRICT;
