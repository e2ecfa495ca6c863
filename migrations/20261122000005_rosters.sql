-- Duty rosters: shifts per area (or city-wide when area is NULL), each with
-- a lead. Times are stored as instants; the roster is written and read in
-- Europe/Helsinki local time, converted at the edges.

CREATE TABLE shifts (
    id        uuid PRIMARY KEY,
    area      text,
    starts_at timestamptz NOT NULL,
    ends_at   timestamptz NOT NULL,
    lead_id   uuid NOT NULL REFERENCES responders (id),
    CHECK (ends_at > starts_at)
);
CREATE INDEX shifts_by_time ON shifts (starts_at, ends_at);

CREATE TABLE shift_members (
    shift_id     uuid NOT NULL REFERENCES shifts (id) ON DELETE CASCADE,
    responder_id uuid NOT NULL REFERENCES responders (id),
    PRIMARY KEY (shift_id, responder_id)
);
