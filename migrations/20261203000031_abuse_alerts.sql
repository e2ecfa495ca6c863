-- Abuse alerts for leads: an episode in which a service took the traffic
-- for an attack and refused new work for everyone (so far: new web chats
-- over BATLINE_CHAT_NEW_ALARM_PER_MINUTE). The gateway writes one row per
-- episode and brings its count up to date now and then; the lead page
-- lists the recent ones. Services meet only in PostgreSQL, so this table
-- is how the gateway tells the console.
CREATE TABLE abuse_alerts (
    id          uuid PRIMARY KEY,
    -- What was refused: chat_flood.
    kind        text NOT NULL CHECK (kind IN ('chat_flood')),
    -- The threshold crossed, a minute (the setting's value at the time).
    threshold   integer NOT NULL CHECK (threshold > 0),
    -- Refusals in the episode, as last written (at least this many).
    refused     bigint NOT NULL CHECK (refused >= 0),
    started_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    last_at     timestamptz NOT NULL DEFAULT clock_timestamp()
);

-- What the lead page reads: the latest episodes.
CREATE INDEX abuse_alerts_recent ON abuse_alerts (last_at DESC);
