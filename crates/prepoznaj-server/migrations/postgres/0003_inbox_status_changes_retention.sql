-- Migration 0003: the team's inbox (PostgreSQL; the same schema as migrations/sqlite/).
-- Encrypted status changes on reports, the time a report was closed, and tombstones: a closed
-- report's envelope is deleted after the retention period and its row stays (id, school,
-- received time, digest, catalogue version, status, closed time), so a late resend from a
-- phone is still answered with its receipt and never stored again.
-- Applied once, inside a transaction, by src/store/postgres.rs; never edit after release, add 0004.

-- NULL once deleted by the retention job (then envelope_deleted_at is set); `size` stays the
-- size it was received with.
ALTER TABLE reports ALTER COLUMN envelope DROP NOT NULL;
-- 0002's `size … CHECK (size = octet_length(envelope))` names two columns: PostgreSQL called
-- it reports_check.
ALTER TABLE reports DROP CONSTRAINT reports_check;
-- The first `closed` change's time; never cleared.
ALTER TABLE reports ADD COLUMN closed_at BIGINT;
ALTER TABLE reports ADD COLUMN envelope_deleted_at BIGINT;
ALTER TABLE reports ADD CONSTRAINT reports_size_check
    CHECK (envelope IS NULL OR size = octet_length(envelope));
ALTER TABLE reports ADD CONSTRAINT reports_tombstone_check
    CHECK ((envelope IS NULL) = (envelope_deleted_at IS NOT NULL));
ALTER TABLE reports ADD CONSTRAINT reports_deleted_when_closed_check
    CHECK (envelope_deleted_at IS NULL OR closed_at IS NOT NULL);

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
    envelope        BYTEA NOT NULL,
    envelope_sha256 BYTEA NOT NULL,
    recorded_at     BIGINT NOT NULL
);

CREATE INDEX report_status_changes_by_report ON report_status_changes (report_id, recorded_at);

-- Envelopes are ciphertext: compressing them only costs time.
ALTER TABLE report_status_changes ALTER COLUMN envelope SET STORAGE EXTERNAL;
