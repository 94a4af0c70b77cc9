-- Migration 0005: what a device, a report and a school may use (the server's quotas).
-- Applied once, inside a transaction, by src/store/sqlite/open.rs; never edit after release, add 0006.
--
-- Counters only: a report still names no device. A device keeps how many reports it sent in
-- all and in its current 24-hour window (from the first report of the window); a school keeps
-- how many bytes of envelopes it stores, kept right by triggers on every insert, deletion of an
-- envelope (retention) and deletion of a report, whichever code does it. The limits themselves
-- are the server's options, decided in src/store/rules.rs.

ALTER TABLE devices ADD COLUMN reports_sent INTEGER NOT NULL DEFAULT 0;
ALTER TABLE devices ADD COLUMN quota_window_start INTEGER;
ALTER TABLE devices ADD COLUMN quota_window_reports INTEGER NOT NULL DEFAULT 0;

ALTER TABLE schools ADD COLUMN stored_bytes INTEGER NOT NULL DEFAULT 0;

UPDATE schools SET stored_bytes = (
    SELECT COALESCE(SUM(size), 0) FROM reports
    WHERE reports.school_id = schools.id AND reports.envelope IS NOT NULL
);

CREATE TRIGGER reports_stored_bytes_insert AFTER INSERT ON reports
WHEN NEW.envelope IS NOT NULL
BEGIN
    UPDATE schools SET stored_bytes = stored_bytes + NEW.size WHERE id = NEW.school_id;
END;

CREATE TRIGGER reports_stored_bytes_forget AFTER UPDATE OF envelope ON reports
WHEN OLD.envelope IS NOT NULL AND NEW.envelope IS NULL
BEGIN
    UPDATE schools SET stored_bytes = stored_bytes - OLD.size WHERE id = OLD.school_id;
END;

CREATE TRIGGER reports_stored_bytes_delete AFTER DELETE ON reports
WHEN OLD.envelope IS NOT NULL
BEGIN
    UPDATE schools SET stored_bytes = stored_bytes - OLD.size WHERE id = OLD.school_id;
END;
