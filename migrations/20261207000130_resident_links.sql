-- One resident across channels. Someone who texted from their phone and
-- later chats, or writes an email, is at first two residents to Batline.
-- When a responder sees they are one person, or the chat resident proves
-- the phone or address is theirs with a one-time code, the two are linked:
-- one resident keeps every address (phone, email, chat session) and every
-- case, and the other is left empty. Each link is recorded here, who and
-- why; the addresses themselves are not copied (redaction has one place to
-- clear them).
CREATE TABLE resident_links (
    id           uuid PRIMARY KEY,
    kept_id      uuid NOT NULL REFERENCES residents (id),
    absorbed_id  uuid NOT NULL REFERENCES residents (id),
    moved_phone  boolean NOT NULL,
    moved_email  boolean NOT NULL,
    moved_chat   boolean NOT NULL,
    -- The cases that changed resident, for a lead reading what happened.
    case_ids     uuid[] NOT NULL,
    -- The responder who linked them; NULL when the resident confirmed the
    -- address themselves with a one-time code.
    linked_by    uuid REFERENCES responders (id),
    reason       text NOT NULL CHECK (char_length(reason) BETWEEN 1 AND 1000),
    linked_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
    CHECK (kept_id <> absorbed_id)
);
CREATE INDEX resident_links_by_kept ON resident_links (kept_id);
CREATE INDEX resident_links_by_absorbed ON resident_links (absorbed_id);

-- Where an outbound message goes when that is not the resident's own phone
-- or address: the one-time code that proves an address a chat resident
-- gives is theirs goes to that address, before it is.
ALTER TABLE messages ADD COLUMN to_address text
    CHECK (to_address IS NULL OR (direction = 'outbound' AND char_length(to_address) BETWEEN 3 AND 254));

-- The one-time codes a chat resident confirms a phone or an email address
-- with. Only hashes are kept; a code is good for a few minutes and a few
-- tries. Redaction clears the address as it clears the resident's own.
CREATE TABLE contact_codes (
    id            uuid PRIMARY KEY,
    session_id    uuid NOT NULL REFERENCES chat_sessions (id),
    kind          text NOT NULL CHECK (kind IN ('phone', 'email')),
    address       text NOT NULL CHECK (char_length(address) BETWEEN 3 AND 254),
    code_hash     bytea NOT NULL,
    attempts      integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    created_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
    expires_at    timestamptz NOT NULL,
    confirmed_at  timestamptz,
    CHECK (expires_at > created_at)
);
CREATE INDEX contact_codes_by_session ON contact_codes (session_id, created_at DESC);
