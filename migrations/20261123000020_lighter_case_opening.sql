-- Opening a case is the busiest write of the line; two triggers made it
-- cost more statements than it needs (pg_stat_statements under
-- `batline bench-mixed`).
--
-- 1. A case's SLA deadlines are now written with the case, in the same
--    statement that starts its clocks (`store::cases::insert`), so the copy
--    trigger of migration 19 only updated the new case row twice more.
--    Clocks start nowhere else, and a clock's deadline never moves.
DROP TRIGGER sla_clocks_copy_due ON sla_clocks;
DROP FUNCTION sla_clocks_copy_due();

-- 2. The open-case counter now also restarts a new owner's idle time
--    (`last_assigned_at`, an assignment preference), which every path that
--    gives a case an owner used to do in a statement of its own, holding
--    the same responder row. An update that changes neither the owner nor
--    the status (a fresh deadline for the same owner) counts nothing,
--    instead of taking one off and adding it back.
CREATE OR REPLACE FUNCTION cases_track_open_cases() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.owner_id = NEW.owner_id AND OLD.status = NEW.status THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status = 'open' THEN
        UPDATE responders SET open_cases = open_cases - 1 WHERE id = OLD.owner_id;
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND OLD.owner_id <> NEW.owner_id) THEN
        UPDATE responders
        SET open_cases = open_cases + (NEW.status = 'open')::int, last_assigned_at = clock_timestamp()
        WHERE id = NEW.owner_id;
    ELSIF TG_OP = 'UPDATE' AND NEW.status = 'open' THEN
        UPDATE responders SET open_cases = open_cases + 1 WHERE id = NEW.owner_id;
    END IF;
    RETURN NULL;
END
$$;
