-- Walk-in tickets: a desk registers a resident's visit at a Batcave. The
-- ticket is stored with its intake row in one transaction; the router files
-- the intake into a case like any other contact, so the ticket's case is
-- always intake.case_id (never copied here, never out of step).

CREATE TABLE walk_in_tickets (
    -- A v4 UUID: the printable ticket page is addressed by it (see the
    -- console's walk_in module for why that is enough to open the page).
    id              uuid PRIMARY KEY,
    point_id        uuid NOT NULL REFERENCES walk_in_points (id),
    -- The desk person who registered it.
    desk_id         uuid NOT NULL REFERENCES responders (id),
    -- The client's Idempotency-Key, per desk person: a retried POST with the
    -- same key finds this row instead of opening a second case. Two retries
    -- at once cannot both insert (the unique constraint decides).
    idempotency_key text CHECK (length(idempotency_key) BETWEEN 1 AND 200),
    intake_id       uuid NOT NULL UNIQUE REFERENCES intake (id),
    -- The language the ticket is printed in.
    language        text NOT NULL CHECK (language IN ('fi', 'sv', 'en')),
    created_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    UNIQUE (desk_id, idempotency_key)
);
CREATE INDEX walk_in_tickets_by_point ON walk_in_tickets (point_id, created_at);
