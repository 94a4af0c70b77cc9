-- Migration 0003: the team's inbox. Encrypted status changes on reports, the time a report was
-- closed, and tombstones: a closed report's envelope is deleted after the retention period and
-- its row stays (id, school, received time, digest, catalogue version, status, closed time), so
-- a late resend from a phone is still answered with its receipt and never stored again.
-- Applied once, inside a transaction, by src/store/sqlite.rs; never edit after release, add 0004.
--
-- SQLite cannot drop NOT NULL from a column: `reports` is rebuilt (nothing refers to it yet).

CREATE TABLE reports_0003 (
    id                  TEXT PRIMARY KEY NOT NULL,
    school_id           TEXT NOT NULL REFERENCES schools (id),
    -- NULL once deleted by the retention job (then envelope_deleted_at is set).
    envelope            BLOB,
    envelope_sha256     BLOB NOT NULL,
    -- The envelope's size when it was received; kept in the tombstone.
    size                INTEGER NOT NULL,
    catalogue_version   TEXT NOT NULL,
    received_at         INTEGER NOT NULL,
    -- What the reporter sees: acted_upon once a change acted_upon or closed exists.
    status              TEXT NOT NULL CHECK (status IN ('received', 'acted_upon')),
    -- The first `closed` change's time; never cleared.
    closed_at           INTEGER,
    envelope_deleted_at INTEGER,
    CHECK (envelope IS NULL OR size = length(envelope)),
    CHECK ((envelope IS NULL) = (envelope_deleted_at IS NOT NULL)),
    CHECK (envelope_deleted_at IS NULL OR closed_at IS NOT NULL)
) STRICT;

INSERT INTO reports_0003 (id, school_id, envelope, envelope_sha256, size, catalogue_version,
                          received_at, status)
SELECT id, school_id, envelope, envelope_sha256, size, catalogue_version, received_at, status
FROM reports;

DROP TABLE reports;
ALTER TABLE reports_0003 RENAME TO reports;

-- The team's inbox, newest first.
CREATE INDEX reports_by_school ON reports (school_id, received_at, id);
-- The retention job's candidates: closed, envelope still there.
CREATE INDEX reports_closed ON reports (closed_at) WHERE envelope IS NOT NULL;

-- A team member's step on a report: the coarse status (all the server learns) and the detail
-- as an age envelope encrypted to the team. Not who made it: that is inside the envelope.
-- Deleted with the report's envelope.
CREATE TABLE report_status_changes (
    id              TEXT PRIMARY KEY NOT NULL,          -- UUIDv7 made on the team's device
    report_id       TEXT NOT NULL REFERENCES reports (id),
    coarse_status   TEXT NOT NULL CHECK (coarse_status IN ('seen', 'acted_upon', 'closed')),
    envelope        BLOB NOT NULL,
    envelope_sha256 BLOB NOT NULL,
    recorded_at     INTEGER NOT NULL
) STRICT;

CREATE INDEX report_status_changes_by_report ON report_status_changes (report_id, recorded_at);
