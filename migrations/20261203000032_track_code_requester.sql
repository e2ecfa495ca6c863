-- A one-time code belongs to the browser that asked for it, not to anyone
-- who knows the tracking code (issue 17, item 8). Before this, wrong tries
-- from a stranger counted against the resident's code and five of them
-- burnt it. Now the code is found by the case and by the hash of a random
-- token the asking browser holds in a cookie, so a stranger's tries find
-- no code at all.
--
-- Codes live ten minutes; those issued before this migration have no
-- requester and could never be confirmed again, so they go.
DELETE FROM track_codes;
ALTER TABLE track_codes ADD COLUMN requester_hash bytea NOT NULL;
DROP INDEX track_codes_by_case;
CREATE INDEX track_codes_by_requester ON track_codes (case_id, requester_hash, created_at DESC);
-- The hourly cap per case still counts every code of the case.
CREATE INDEX track_codes_by_case ON track_codes (case_id, created_at DESC);
