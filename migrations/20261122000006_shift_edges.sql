-- Rosters drive duty: a router applies each shift's start (its people go on
-- duty) and end (they go off unless another running shift keeps them) once.
-- The flags make the edges durable and idempotent across router restarts.

ALTER TABLE shifts
    ADD COLUMN start_applied boolean NOT NULL DEFAULT false,
    ADD COLUMN end_applied   boolean NOT NULL DEFAULT false;

CREATE INDEX shifts_pending_start ON shifts (starts_at) WHERE NOT start_applied;
CREATE INDEX shifts_pending_end ON shifts (ends_at) WHERE NOT end_applied;
