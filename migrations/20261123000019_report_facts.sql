-- The dashboard and /open read their figures from an in-memory copy of one
-- row per case (batline_core::reports::Figures), refreshed on each request
-- with only the cases changed since the last refresh. For that, every figure
-- a report needs lives on the case row itself, and every change to a case row
-- is stamped with the transaction that made it.

-- The SLA deadlines of the case's two clocks (NULL when no policy fitted),
-- copied from sla_clocks when a clock starts; a clock's deadline never moves.
ALTER TABLE cases
    ADD COLUMN first_response_due_at timestamptz,
    ADD COLUMN resolution_due_at timestamptz,
    -- Acknowledgement deadlines missed, and hand-offs accepted: counted here
    -- as the ack_missed event and the accepted hand-off are written.
    ADD COLUMN acks_missed integer NOT NULL DEFAULT 0,
    ADD COLUMN handoffs_accepted integer NOT NULL DEFAULT 0,
    -- The transaction that last wrote the row. A reader that remembers the
    -- oldest transaction still running when it last read (its snapshot's
    -- xmin) finds every row changed since by `changed_by >= that xmin`,
    -- including rows of transactions that were running and committed later.
    ADD COLUMN changed_by xid8;

UPDATE cases c SET
    first_response_due_at = (SELECT k.due_at FROM sla_clocks k WHERE k.case_id = c.id AND k.target = 'first_response'),
    resolution_due_at = (SELECT k.due_at FROM sla_clocks k WHERE k.case_id = c.id AND k.target = 'resolution'),
    acks_missed = (SELECT count(*) FROM case_events e WHERE e.case_id = c.id AND e.kind = 'ack_missed'),
    handoffs_accepted = (SELECT count(*) FROM handoffs h WHERE h.case_id = c.id AND h.status = 'accepted'),
    changed_by = pg_current_xact_id();

ALTER TABLE cases
    ALTER COLUMN changed_by SET DEFAULT pg_current_xact_id(),
    ALTER COLUMN changed_by SET NOT NULL;
CREATE INDEX cases_by_changed_by ON cases (changed_by);

CREATE FUNCTION cases_stamp_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.changed_by := pg_current_xact_id();
    RETURN NEW;
END
$$;
CREATE TRIGGER cases_stamp_change BEFORE UPDATE ON cases FOR EACH ROW EXECUTE FUNCTION cases_stamp_change();

-- Triggers rather than code, so no writer (the router, the console, the
-- tests' known timelines, a hand-written fix) can forget. Each path that
-- fires them already holds the case row (the clocks start in the
-- transaction that opens the case; a missed acknowledgement and an accepted
-- hand-off lock the case first), so the lock order does not change.
CREATE FUNCTION sla_clocks_copy_due() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.target = 'first_response' THEN
        UPDATE cases SET first_response_due_at = NEW.due_at WHERE id = NEW.case_id;
    ELSIF NEW.target = 'resolution' THEN
        UPDATE cases SET resolution_due_at = NEW.due_at WHERE id = NEW.case_id;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER sla_clocks_copy_due AFTER INSERT ON sla_clocks FOR EACH ROW EXECUTE FUNCTION sla_clocks_copy_due();

CREATE FUNCTION case_events_count_ack_missed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE cases SET acks_missed = acks_missed + 1 WHERE id = NEW.case_id;
    RETURN NULL;
END
$$;
CREATE TRIGGER case_events_count_ack_missed AFTER INSERT ON case_events
FOR EACH ROW WHEN (NEW.kind = 'ack_missed') EXECUTE FUNCTION case_events_count_ack_missed();

CREATE FUNCTION handoffs_count_accepted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE cases SET handoffs_accepted = handoffs_accepted + 1 WHERE id = NEW.case_id;
    RETURN NULL;
END
$$;
CREATE TRIGGER handoffs_count_accepted_insert AFTER INSERT ON handoffs
FOR EACH ROW WHEN (NEW.status = 'accepted') EXECUTE FUNCTION handoffs_count_accepted();
CREATE TRIGGER handoffs_count_accepted_update AFTER UPDATE OF status ON handoffs
FOR EACH ROW WHEN (OLD.status <> 'accepted' AND NEW.status = 'accepted') EXECUTE FUNCTION handoffs_count_accepted();
