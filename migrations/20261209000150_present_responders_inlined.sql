-- present_responders was declared VOLATILE, so PostgreSQL ran it through
-- the SQL-function executor at every call and planned its body anew each
-- time: about 0.2 ms of every filing on the demo roster. Declared STABLE and
-- asked in FROM (`SELECT p FROM present_responders(…) AS p`), it is inlined
-- into the asking query, planned with it, and kept in that query's prepared
-- plan. Its reads then see the asking statement's snapshot, as a subquery
-- would; clock_timestamp() inside is still read as the query runs, so who
-- counts as present is what it was.
ALTER FUNCTION present_responders(interval, interval) STABLE;

CREATE OR REPLACE FUNCTION responder_present(rid uuid, present_window interval, grace interval) RETURNS boolean
    LANGUAGE sql VOLATILE
    AS $$
    SELECT rid IN (SELECT p FROM present_responders(present_window, grace) AS p)
$$;
