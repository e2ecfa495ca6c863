-- Open311 GeoReport v2: a city app's report is a contact like any other.
-- Client applications post with an API key an admin issued; each request
-- is stored as intake with its structured fields beside it, and opens a
-- case of its own.

ALTER TABLE cases DROP CONSTRAINT cases_channel_check,
    ADD CONSTRAINT cases_channel_check CHECK (channel IN ('sms', 'voice', 'chat', 'walk_in', 'open311'));
ALTER TABLE intake DROP CONSTRAINT intake_channel_check,
    ADD CONSTRAINT intake_channel_check CHECK (channel IN ('sms', 'voice', 'chat', 'walk_in', 'open311'));
ALTER TABLE messages DROP CONSTRAINT messages_channel_check,
    ADD CONSTRAINT messages_channel_check CHECK (channel IN ('sms', 'voice', 'chat', 'walk_in', 'open311'));
ALTER TABLE sla_policies DROP CONSTRAINT sla_policies_channel_check,
    ADD CONSTRAINT sla_policies_channel_check CHECK (channel IN ('sms', 'voice', 'chat', 'walk_in', 'open311'));

-- A client application allowed to post requests. Only the key's SHA-256 is
-- kept: the key is shown once, when it is issued. A revoked client's key
-- is refused from then on; its requests stay.
CREATE TABLE open311_clients (
    id         uuid PRIMARY KEY,
    name       text NOT NULL CHECK (btrim(name) <> '' AND char_length(name) <= 120),
    key_sha256 bytea NOT NULL UNIQUE CHECK (octet_length(key_sha256) = 32),
    -- The key's last four characters, so an admin can tell keys apart.
    key_hint   text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    created_by uuid REFERENCES responders (id),
    revoked_at timestamptz,
    revoked_by uuid REFERENCES responders (id)
);

-- What an Open311 request said, beside its intake row (which keeps every
-- field exactly as posted). `number` is its public service_request_id,
-- published once the request is filed into a case; until then the client
-- holds the intake id as its token.
CREATE TABLE open311_requests (
    intake_id    uuid PRIMARY KEY REFERENCES intake (id),
    number       bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    client_id    uuid NOT NULL REFERENCES open311_clients (id),
    service_code text NOT NULL,
    title        text,
    description  text NOT NULL,
    lat          double precision CHECK (lat BETWEEN -90 AND 90),
    lon          double precision CHECK (lon BETWEEN -180 AND 180),
    address      text,
    media_url    text,
    CHECK ((lat IS NULL) = (lon IS NULL))
);
CREATE INDEX open311_requests_by_service ON open311_requests (service_code);
