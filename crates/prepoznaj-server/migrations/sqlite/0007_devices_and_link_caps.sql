-- Migration 0007: what a team sees of its staff phones and enrolment links, and a cap on the
-- phones one link enrols.
-- Applied once, inside a transaction, by src/store/sqlite/open.rs; never edit after release, add 0008.
--
-- A device keeps the label the phone gave itself when it enrolled (NULL for phones enrolled
-- before labels, or that sent none) and when it last used its token (noted at most once an
-- hour, decided in src/store/rules.rs; NULL until then). A link keeps how many phones may
-- enrol with it; links made before caps get the default, 50. Every enrolment counts, a phone
-- revoked since included, so a leaked link enrols at most its cap.

ALTER TABLE devices ADD COLUMN name TEXT;
ALTER TABLE devices ADD COLUMN last_seen_at INTEGER;

ALTER TABLE enrolment_links ADD COLUMN max_devices INTEGER NOT NULL DEFAULT 50
    CHECK (max_devices BETWEEN 1 AND 500);

CREATE INDEX devices_enrolment_link ON devices (enrolment_link_id);
CREATE INDEX devices_school ON devices (school_id);
CREATE INDEX enrolment_links_school ON enrolment_links (school_id);
