-- Who is present, as one set. The candidate query asks it of every
-- responder on duty at once; calling responder_present once a row (a
-- volatile function, which PostgreSQL never inlines) cost a 200-responder
-- city about 2 ms of every filing. Present means what it meant (migration
-- 20261203000050): a live socket open, or a console closed less than
-- `grace` ago, or a signed-in request within `present_window` made after
-- the last close.
CREATE FUNCTION present_responders(present_window interval, grace interval) RETURNS SETOF uuid
    LANGUAGE sql VOLATILE
    AS $$
    SELECT s.responder_id FROM console_sockets s WHERE s.expires_at > clock_timestamp()
    UNION
    SELECT d.responder_id FROM console_departures d WHERE d.left_at > clock_timestamp() - grace
    UNION
    SELECT s.responder_id FROM console_sessions s
    LEFT JOIN console_departures d ON d.responder_id = s.responder_id
    WHERE s.expires_at > clock_timestamp()
      AND s.last_seen_at > clock_timestamp() - present_window
      AND (d.left_at IS NULL OR s.last_seen_at > d.left_at)
$$;

-- One responder's presence is asked of the same set, so the two can never
-- disagree.
CREATE OR REPLACE FUNCTION responder_present(rid uuid, present_window interval, grace interval) RETURNS boolean
    LANGUAGE sql VOLATILE
    AS $$
    SELECT rid IN (SELECT present_responders(present_window, grace))
$$;
