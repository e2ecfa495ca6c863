-- Roles, and hand-offs: an owner offers a case to a named colleague, who
-- accepts or declines; the owner stays owner until the colleague accepts.

ALTER TABLE responders
    ADD COLUMN role text NOT NULL DEFAULT 'responder'
        CHECK (role IN ('responder', 'desk', 'lead', 'mayor', 'admin'));

CREATE TABLE handoffs (
    id          uuid PRIMARY KEY,
    case_id     uuid NOT NULL REFERENCES cases (id),
    from_id     uuid NOT NULL REFERENCES responders (id),
    to_id       uuid NOT NULL REFERENCES responders (id),
    note        text NOT NULL,
    status      text NOT NULL DEFAULT 'offered'
                CHECK (status IN ('offered', 'accepted', 'declined', 'expired', 'withdrawn')),
    offered_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    -- Durable: a router sweeps offers past this time and leaves the case
    -- with its owner, who is told.
    expires_at  timestamptz NOT NULL,
    answered_at timestamptz,
    answer_note text,
    CHECK (from_id <> to_id),
    CHECK ((status = 'offered') = (answered_at IS NULL))
);
-- One open offer per case at a time.
CREATE UNIQUE INDEX handoffs_single_open_offer ON handoffs (case_id) WHERE status = 'offered';
CREATE INDEX handoffs_open_by_recipient ON handoffs (to_id) WHERE status = 'offered';
CREATE INDEX handoffs_due ON handoffs (expires_at) WHERE status = 'offered';
