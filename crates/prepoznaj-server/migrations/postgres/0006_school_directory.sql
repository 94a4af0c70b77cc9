-- Migration 0006: where a school is and how the operator's own list names it, for deployments
-- that serve a School Administration or the whole country (`school import`) (PostgreSQL; the
-- same schema as migrations/sqlite/).
-- Applied once, inside a transaction, by src/store/postgres.rs; never edit after release, add 0007.
--
-- Schools created before this migration keep NULL in all three. An external id (the Ministry's
-- or the administration's number for the school) names at most one school, so importing the
-- same list twice creates each school once; NULLs never collide.

ALTER TABLE schools
    ADD COLUMN municipality TEXT,
    ADD COLUMN school_administration TEXT,
    ADD COLUMN external_id TEXT;

CREATE UNIQUE INDEX schools_external_id ON schools (external_id);
