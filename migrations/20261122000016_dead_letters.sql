-- Dead letters: messages the bus could not deliver to a working consumer
-- (rejected as unprocessable, or delivered too often without an ack). The
-- router moves each one off the broker's dead-letter queue into this table
-- before acking it, so none is lost with a broker and leads can list,
-- count and retry them.
CREATE TABLE dead_letters (
    id           uuid PRIMARY KEY,
    -- The publisher's message id, or a digest of the message and its death
    -- when it had none: a redelivery of the same dead letter is recorded once.
    dedupe_key   text NOT NULL UNIQUE,
    -- The queue it died in, without the bus namespace (intake, routing, outbound.sms).
    queue        text NOT NULL,
    exchange     text NOT NULL,
    routing_key  text NOT NULL,
    -- rejected, delivery_limit, expired, maxlen or unknown.
    reason       text NOT NULL,
    deaths       bigint NOT NULL CHECK (deaths >= 0),
    payload      bytea NOT NULL,
    -- When the broker dead-lettered it (to the second), else when it was recorded.
    died_at      timestamptz NOT NULL,
    recorded_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    retried_at   timestamptz,
    retried_by   uuid REFERENCES responders (id) ON DELETE SET NULL,
    CHECK (retried_by IS NULL OR retried_at IS NOT NULL)
);

-- What a lead's list and the batline_dead_letters gauge read.
CREATE INDEX dead_letters_waiting ON dead_letters (recorded_at) WHERE retried_at IS NULL;
