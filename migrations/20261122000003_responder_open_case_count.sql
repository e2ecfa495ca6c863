-- Each responder's open-case count, kept exact by a trigger on cases, so
-- assignment reads one column instead of counting every open case of every
-- candidate (issue 3 plans for 50 000 open cases). Lock order stays
-- case row, then responder row, in every path that changes ownership.

ALTER TABLE responders ADD COLUMN open_cases integer NOT NULL DEFAULT 0 CHECK (open_cases >= 0);

UPDATE responders r
SET open_cases = (SELECT count(*) FROM cases c WHERE c.owner_id = r.id AND c.status = 'open');

CREATE FUNCTION cases_track_open_cases() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status = 'open' THEN
        UPDATE responders SET open_cases = open_cases - 1 WHERE id = OLD.owner_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status = 'open' THEN
        UPDATE responders SET open_cases = open_cases + 1 WHERE id = NEW.owner_id;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER cases_open_cases
AFTER INSERT OR DELETE OR UPDATE OF owner_id, status ON cases
FOR EACH ROW EXECUTE FUNCTION cases_track_open_cases();
