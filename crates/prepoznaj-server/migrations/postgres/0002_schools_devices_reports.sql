-- Migration 0002: schools, their protection teams' public keys, staff devices, enrolment links,
-- team set-up codes and the encrypted reports (PostgreSQL; the same schema as migrations/sqlite/).
-- Applied once, inside a transaction, by src/store/postgres.rs; never edit after release, add 0003.
--
-- Times are milliseconds since 1970 (UTC). Ids are UUIDv7 text made by the server (reports: by
-- the phone). Tokens and codes are stored only as their SHA-256 (32-byte BYTEA). A report keeps
-- its age envelope and the least metadata: school, id, size, digest, catalogue version, received
-- time and status; not the device or anyone who sent it.

CREATE TABLE schools (
    id              TEXT PRIMARY KEY NOT NULL,
    name            TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    -- Grows by one with every change to the school's current members (keys or names).
    key_set_version BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE team_members (
    id           TEXT PRIMARY KEY NOT NULL,
    school_id    TEXT NOT NULL REFERENCES schools (id),
    display_name TEXT NOT NULL,
    public_key   TEXT NOT NULL,          -- age X25519 recipient, age1…
    fingerprint  TEXT NOT NULL,          -- derived from public_key, kept for reading back
    token_hash   BYTEA UNIQUE,           -- NULL until the member redeems a set-up code
    added_at     BIGINT NOT NULL,
    removed_at   BIGINT
);

CREATE UNIQUE INDEX team_members_current_key
    ON team_members (school_id, public_key) WHERE removed_at IS NULL;

CREATE TABLE setup_codes (
    code_hash  BYTEA PRIMARY KEY NOT NULL,
    school_id  TEXT NOT NULL REFERENCES schools (id),
    -- NULL: sets up the school's first member with any key; otherwise only this approved member.
    member_id  TEXT REFERENCES team_members (id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT
);

CREATE TABLE enrolment_links (
    id         TEXT PRIMARY KEY NOT NULL,
    school_id  TEXT NOT NULL REFERENCES schools (id),
    code_hash  BYTEA NOT NULL UNIQUE,
    created_by TEXT NOT NULL REFERENCES team_members (id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT
);

CREATE TABLE devices (
    id                TEXT PRIMARY KEY NOT NULL,
    school_id         TEXT NOT NULL REFERENCES schools (id),
    enrolment_link_id TEXT NOT NULL REFERENCES enrolment_links (id),
    token_hash        BYTEA NOT NULL UNIQUE,
    enrolled_at       BIGINT NOT NULL,
    revoked_at        BIGINT
);

CREATE TABLE reports (
    id                TEXT PRIMARY KEY NOT NULL,
    school_id         TEXT NOT NULL REFERENCES schools (id),
    envelope          BYTEA NOT NULL,
    envelope_sha256   BYTEA NOT NULL,
    size              BIGINT NOT NULL CHECK (size = octet_length(envelope)),
    catalogue_version TEXT NOT NULL,
    received_at       BIGINT NOT NULL,
    status            TEXT NOT NULL CHECK (status IN ('received', 'acted_upon'))
);

-- Envelopes are ciphertext: compressing them only costs time.
ALTER TABLE reports ALTER COLUMN envelope SET STORAGE EXTERNAL;
