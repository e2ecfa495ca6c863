-- The trace context a bus message was written in, so the relay publishes it
-- with the same `traceparent` the writer would have.
ALTER TABLE outbox ADD COLUMN traceparent text;
