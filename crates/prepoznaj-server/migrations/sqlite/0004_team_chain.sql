-- Migration 0004: the team's key chain. Every version as its signer's device sent it (the
-- signed JSON, which the server verified before storing it), its number and hash; the members
-- table stays the server's index of who holds which token, and gains each member's signing key.
-- Applied once, inside a transaction, by src/store/sqlite.rs; never edit after release, add 0005.
--
-- A version is appended only as the next number after the school's last one (compare-and-set
-- inside the transaction that also makes the membership change it records): the primary key
-- makes a fork impossible even if that check were skipped.

CREATE TABLE team_chain (
    school_id   TEXT NOT NULL REFERENCES schools (id),
    number      INTEGER NOT NULL CHECK (number >= 1),
    signed      TEXT NOT NULL,           -- the SignedVersion as JSON
    hash        TEXT NOT NULL,           -- SHA-256 of the version's signing bytes, lowercase hex
    appended_at INTEGER NOT NULL,
    PRIMARY KEY (school_id, number)
) STRICT, WITHOUT ROWID;

-- The member's Ed25519 signing public key (64 hex digits) as the chain lists it; NULL for a
-- member set up before the chain (such a team can change nothing until it has a chain).
ALTER TABLE team_members ADD COLUMN signing_key TEXT;
