-- Routing engine, first part: capacity and skills for eligibility, and
-- durable acknowledgement deadlines.

ALTER TABLE responders
    ADD COLUMN capacity integer NOT NULL DEFAULT 10 CHECK (capacity >= 0),
    ADD COLUMN topics   text[] NOT NULL DEFAULT '{}';

ALTER TABLE cases
    ADD COLUMN area            text,
    ADD COLUMN topic           text,
    -- When the current owner acknowledged the case; reset on every new owner.
    ADD COLUMN acknowledged_at timestamptz,
    -- The current owner's acknowledgement deadline. It lives in the row, so
    -- it survives every router restart; routers claim due rows with
    -- FOR UPDATE SKIP LOCKED. NULL once acknowledged or resolved.
    ADD COLUMN ack_due_at      timestamptz;

CREATE INDEX cases_ack_due ON cases (ack_due_at) WHERE ack_due_at IS NOT NULL AND status = 'open';
-- For "the resident's previous responder".
CREATE INDEX cases_by_resident ON cases (resident_id, opened_at DESC);
