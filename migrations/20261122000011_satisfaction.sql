-- Resident satisfaction: after resolution the resident is asked once, in
-- their channel, whether it was solved (1-5). "No" or a low score reopens
-- the case with the same owner.

ALTER TABLE cases
    ADD COLUMN satisfaction_asked_at timestamptz,
    ADD COLUMN satisfaction_score    integer CHECK (satisfaction_score BETWEEN 1 AND 5),
    ADD COLUMN satisfaction_at       timestamptz,
    ADD COLUMN reopened_count        integer NOT NULL DEFAULT 0 CHECK (reopened_count >= 0),
    ADD CHECK ((satisfaction_score IS NULL) = (satisfaction_at IS NULL));

CREATE INDEX cases_awaiting_satisfaction ON cases (resident_id, resolved_at DESC)
    WHERE status = 'resolved' AND satisfaction_asked_at IS NOT NULL AND satisfaction_score IS NULL;
