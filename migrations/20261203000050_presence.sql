-- Presence: whether a responder is actually at their console, whatever their
-- duty flag says. Live channels go first to present responders, and a
-- missed acknowledgement moves a case only to someone present.
--
-- Three sightings decide, all stamped by PostgreSQL's clock so that the
-- machines of several consoles and routers never disagree about them:
-- an open live socket (console_sockets), a signed-in request within the
-- presence window (console_sessions.last_seen_at, written already by every
-- request), and when the responder last closed a console
-- (console_departures), which ends what earlier requests said.

-- Every open /live socket, by the console instance holding it. A socket
-- refreshes its row at every heartbeat; a console that died leaves rows
-- that simply expire.
CREATE TABLE console_sockets (
    id           uuid PRIMARY KEY,
    responder_id uuid NOT NULL REFERENCES responders (id) ON DELETE CASCADE,
    instance_id  uuid NOT NULL,
    opened_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
    expires_at   timestamptz NOT NULL
);

CREATE INDEX console_sockets_by_responder ON console_sockets (responder_id, expires_at);
CREATE INDEX console_sockets_by_instance ON console_sockets (instance_id);

-- When each responder last closed a live socket: requests before it no
-- longer make them present (they closed the console), requests after it do.
CREATE TABLE console_departures (
    responder_id uuid PRIMARY KEY REFERENCES responders (id) ON DELETE CASCADE,
    left_at      timestamptz NOT NULL
);

CREATE INDEX console_sessions_by_responder ON console_sessions (responder_id, last_seen_at);

-- Present now: a live socket open, or a console closed less than `grace`
-- ago (a page being replaced by the next one closes its socket just before
-- the next one opens its own), or a signed-in request within
-- `present_window` made after the last close.
CREATE FUNCTION responder_present(rid uuid, present_window interval, grace interval) RETURNS boolean
    LANGUAGE sql VOLATILE
    AS $$
    SELECT EXISTS (SELECT 1 FROM console_sockets s WHERE s.responder_id = rid AND s.expires_at > clock_timestamp())
        OR EXISTS (SELECT 1 FROM console_departures d WHERE d.responder_id = rid AND d.left_at > clock_timestamp() - grace)
        OR EXISTS (SELECT 1 FROM console_sessions s
                   LEFT JOIN console_departures d ON d.responder_id = s.responder_id
                   WHERE s.responder_id = rid AND s.expires_at > clock_timestamp()
                     AND s.last_seen_at > clock_timestamp() - present_window
                     AND (d.left_at IS NULL OR s.last_seen_at > d.left_at))
$$;

-- A case given to someone by the rules or by a lead is not announced to
-- the resident until its new owner takes it up (acknowledges, replies,
-- calls): a resident hears of an owner change only when a person has
-- taken the case over. Until then this names the owner the resident last
-- heard of (the chat's header and the tracking page show them); NULL means
-- the resident knows the current owner, as for every case until now.
ALTER TABLE cases ADD COLUMN announced_owner_id uuid REFERENCES responders (id);
