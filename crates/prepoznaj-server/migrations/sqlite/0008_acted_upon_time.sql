-- Migration 0008: when the team first acted upon a report, kept on the report itself.
-- Applied once, inside a transaction, by src/store/sqlite/open.rs; never edit after release, add 0009.
--
-- `stats` counts the days from receipt to the first change `acted_upon` or `closed`. The
-- changes themselves are deleted with the envelope by retention, so the time is kept on the
-- report row (a number, nothing a change said), set once by the first such change (decided in
-- src/store/rules.rs). Reports whose changes retention already deleted stay NULL: `stats`
-- shows their month's median as unknown.

ALTER TABLE reports ADD COLUMN acted_upon_at INTEGER;

UPDATE reports SET acted_upon_at = (
    SELECT MIN(c.recorded_at) FROM report_status_changes c
    WHERE c.report_id = reports.id AND c.coarse_status IN ('acted_upon', 'closed')
);
