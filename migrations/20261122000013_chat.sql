-- Web chat. A chat session is a resident who reached Batline from the
-- city's web pages: the browser keeps a random token (only its SHA-256 is
-- stored here) that resumes the same conversation after a reload or a
-- dropped connection.

CREATE TABLE chat_sessions (
    id           uuid PRIMARY KEY,
    token_hash   bytea NOT NULL UNIQUE,
    resident_id  uuid NOT NULL UNIQUE REFERENCES residents (id),
    language     text NOT NULL CHECK (language IN ('fi', 'sv', 'en')),
    -- The position of the session's latest message; see chat_seq below.
    last_seq     bigint NOT NULL DEFAULT 0 CHECK (last_seq >= 0),
    created_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
    last_seen_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

-- Every chat message gets the next position in its session's conversation.
-- The position is taken by updating the session row, whose lock is held
-- until the message's transaction commits, so positions become visible in
-- the order they were given: a socket that has sent everything up to N can
-- never later find a committed N-1 it skipped. Resuming is then "everything
-- after the last position the browser saw", with nothing lost or repeated.
ALTER TABLE messages
    ADD COLUMN chat_seq bigint,
    -- When the case's owner first opened the case after this inbound
    -- message arrived: the resident sees it as "read".
    ADD COLUMN read_at  timestamptz,
    ADD CHECK (read_at IS NULL OR direction = 'inbound');

CREATE FUNCTION messages_chat_seq() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE chat_sessions s
       SET last_seq = s.last_seq + 1
      FROM cases c
     WHERE c.id = NEW.case_id AND s.resident_id = c.resident_id
    RETURNING s.last_seq INTO NEW.chat_seq;
    RETURN NEW;
END
$$;

CREATE TRIGGER messages_chat_seq BEFORE INSERT ON messages
    FOR EACH ROW WHEN (NEW.channel = 'chat') EXECUTE FUNCTION messages_chat_seq();

CREATE INDEX messages_chat_seq ON messages (case_id, chat_seq) WHERE chat_seq IS NOT NULL;
-- (cases_by_resident, an earlier migration, serves the per-resident lookups.)

-- One-time codes that let a case's contact (the phone that texted or
-- called) read the whole conversation on the tracking page. Only hashes
-- are kept; a code is good for a few minutes and a few tries.
CREATE TABLE track_codes (
    id          uuid PRIMARY KEY,
    case_id     uuid NOT NULL REFERENCES cases (id),
    code_hash   bytea NOT NULL,
    attempts    integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    created_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz
);
CREATE INDEX track_codes_by_case ON track_codes (case_id, created_at DESC);

-- What a verified code is exchanged for: a browser cookie that shows that
-- case's conversation for a while. Only its hash is stored.
CREATE TABLE track_grants (
    token_hash  bytea PRIMARY KEY,
    case_id     uuid NOT NULL REFERENCES cases (id),
    expires_at  timestamptz NOT NULL
);
