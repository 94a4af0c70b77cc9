-- Migration 0005: what a device, a report and a school may use (PostgreSQL; the same schema as
-- migrations/sqlite/).
-- Applied once, inside a transaction, by src/store/postgres.rs; never edit after release, add 0006.
--
-- Counters only: a report still names no device. A device keeps how many reports it sent in
-- all and in its current 24-hour window (from the first report of the window); a school keeps
-- how many bytes of envelopes it stores, kept right by a trigger on every insert, deletion of an
-- envelope (retention) and deletion of a report, whichever code does it. The limits themselves
-- are the server's options, decided in src/store/rules.rs.

ALTER TABLE devices
    ADD COLUMN reports_sent BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN quota_window_start BIGINT,
    ADD COLUMN quota_window_reports BIGINT NOT NULL DEFAULT 0;

ALTER TABLE schools ADD COLUMN stored_bytes BIGINT NOT NULL DEFAULT 0;

UPDATE schools SET stored_bytes = COALESCE((
    SELECT SUM(size) FROM reports
    WHERE reports.school_id = schools.id AND reports.envelope IS NOT NULL
), 0);

CREATE FUNCTION reports_stored_bytes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' AND NEW.envelope IS NOT NULL THEN
        UPDATE schools SET stored_bytes = stored_bytes + NEW.size WHERE id = NEW.school_id;
    ELSIF TG_OP = 'UPDATE' AND OLD.envelope IS NOT NULL AND NEW.envelope IS NULL THEN
        UPDATE schools SET stored_bytes = stored_bytes - OLD.size WHERE id = OLD.school_id;
    ELSIF TG_OP = 'DELETE' AND OLD.envelope IS NOT NULL THEN
        UPDATE schools SET stored_bytes = stored_bytes - OLD.size WHERE id = OLD.school_id;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER reports_stored_bytes AFTER INSERT OR UPDATE OF envelope OR DELETE ON reports
    FOR EACH ROW EXECUTE FUNCTION reports_stored_bytes();
