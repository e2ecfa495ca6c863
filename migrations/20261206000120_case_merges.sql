-- Two open cases that are one matter (the same person's SMS and email about
-- one thing, say) merged into one: the other case is closed as merged into
-- the surviving one, whose page shows both threads in order and where its
-- tracking code leads. A lead can undo it.
ALTER TABLE cases ADD COLUMN merged_into uuid REFERENCES cases (id),
    ADD CONSTRAINT cases_merged_is_closed CHECK (merged_into IS NULL OR status = 'resolved'),
    ADD CONSTRAINT cases_not_merged_into_itself CHECK (merged_into IS DISTINCT FROM id);
CREATE INDEX cases_merged_into ON cases (merged_into) WHERE merged_into IS NOT NULL;
-- A resident's merged cases, for filing their follow-ups: empty for almost
-- every resident, so the look-up costs next to nothing.
CREATE INDEX cases_merged_by_resident ON cases (resident_id) WHERE merged_into IS NOT NULL;
