-- Foundation schema: responders own cases; every contact is filed into a case.
-- Invariants live here rather than in code wherever PostgreSQL can hold them.

-- The named people who own cases.
CREATE TABLE responders (
    id               uuid PRIMARY KEY,
    username         text NOT NULL UNIQUE,
    display_name     text NOT NULL,
    password_hash    text NOT NULL,
    phone            text,
    languages        text[] NOT NULL DEFAULT '{fi}',
    areas            text[] NOT NULL DEFAULT '{}',
    duty_status      text NOT NULL DEFAULT 'off'
                     CHECK (duty_status IN ('on_duty', 'away', 'off')),
    -- The responder who takes a case when nobody is on duty.
    is_backstop      boolean NOT NULL DEFAULT false,
    last_assigned_at timestamptz,
    created_at       timestamptz NOT NULL DEFAULT clock_timestamp()
);
-- At most one designated backstop; start-up refuses to run with none.
CREATE UNIQUE INDEX responders_single_backstop ON responders ((true)) WHERE is_backstop;

-- A resident as far as Batline knows them: a phone number for SMS, nothing more.
CREATE TABLE residents (
    id         uuid PRIMARY KEY,
    phone      text UNIQUE,
    language   text NOT NULL DEFAULT 'fi' CHECK (language IN ('fi', 'sv', 'en')),
    created_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE TABLE cases (
    id                 uuid PRIMARY KEY,
    tracking_code      text NOT NULL UNIQUE
                       CHECK (tracking_code ~ '^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$'),
    resident_id        uuid NOT NULL REFERENCES residents (id),
    -- Never unowned: a case row cannot exist without a named responder, and a
    -- responder who owns cases cannot be deleted (no ON DELETE action).
    owner_id           uuid NOT NULL REFERENCES responders (id),
    channel            text NOT NULL CHECK (channel IN ('sms', 'voice', 'chat', 'walk_in')),
    language           text NOT NULL CHECK (language IN ('fi', 'sv', 'en')),
    status             text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved')),
    opened_at          timestamptz NOT NULL,
    owner_assigned_at  timestamptz NOT NULL,
    first_response_at  timestamptz,
    resolved_at        timestamptz,
    resolution_summary text,
    CHECK ((status = 'resolved') = (resolved_at IS NOT NULL)),
    CHECK (status <> 'resolved' OR resolution_summary IS NOT NULL)
);
-- A resident's follow-up text joins their open case; two routers filing texts
-- from the same resident at once cannot open two.
CREATE UNIQUE INDEX cases_single_open_per_resident ON cases (resident_id) WHERE status = 'open';
CREATE INDEX cases_open_by_owner ON cases (owner_id) WHERE status = 'open';

-- What a channel adapter received, exactly as it arrived. The gateway writes
-- it; the router files it into a case and sets case_id.
CREATE TABLE intake (
    id          uuid PRIMARY KEY,
    channel     text NOT NULL CHECK (channel IN ('sms', 'voice', 'chat', 'walk_in')),
    -- Twilio's MessageSid and the like. Unique per channel, which is what makes
    -- a retried webhook harmless even when both copies arrive at once.
    provider_id text,
    sender      text NOT NULL,
    recipient   text,
    body        text NOT NULL,
    raw         jsonb NOT NULL,
    received_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    case_id     uuid REFERENCES cases (id),
    filed_at    timestamptz,
    UNIQUE (channel, provider_id),
    CHECK ((case_id IS NULL) = (filed_at IS NULL))
);
CREATE INDEX intake_unfiled ON intake (received_at) WHERE case_id IS NULL;

-- The conversation of a case, both directions, every channel.
CREATE TABLE messages (
    id              uuid PRIMARY KEY,
    case_id         uuid NOT NULL REFERENCES cases (id),
    direction       text NOT NULL CHECK (direction IN ('inbound', 'outbound')),
    channel         text NOT NULL CHECK (channel IN ('sms', 'voice', 'chat', 'walk_in')),
    -- resident: the resident wrote it; reply: a responder; auto_reply and
    -- notice: Batline itself on the owner's behalf.
    kind            text NOT NULL CHECK (kind IN ('resident', 'reply', 'auto_reply', 'notice')),
    body            text NOT NULL,
    author_id       uuid REFERENCES responders (id),
    intake_id       uuid UNIQUE REFERENCES intake (id),
    provider_id     text UNIQUE,
    -- Outbound only: pending -> sending -> sent -> delivered, or failed.
    delivery_status text CHECK (delivery_status IN
                        ('pending', 'sending', 'sent', 'delivered', 'undelivered', 'failed')),
    delivery_error  text,
    attempts        integer NOT NULL DEFAULT 0,
    created_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    CHECK ((direction = 'outbound') = (delivery_status IS NOT NULL))
);
CREATE INDEX messages_by_case ON messages (case_id, created_at);

-- The timeline of a case: what happened, who did it, exactly when.
CREATE TABLE case_events (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id    uuid NOT NULL REFERENCES cases (id),
    kind       text NOT NULL,
    actor_kind text NOT NULL CHECK (actor_kind IN ('system', 'responder', 'resident')),
    actor_id   uuid,
    at         timestamptz NOT NULL DEFAULT clock_timestamp(),
    data       jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX case_events_by_case ON case_events (case_id, id);

-- Transactional outbox: bus messages written in the same transaction as the
-- change they announce, published (with confirms) by a relay afterwards.
CREATE TABLE outbox (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    exchange    text NOT NULL CHECK (exchange IN ('work', 'events')),
    routing_key text NOT NULL,
    payload     jsonb NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT clock_timestamp()
);

-- Console sign-in sessions. Only a hash of the token is kept.
CREATE TABLE console_sessions (
    token_hash   bytea PRIMARY KEY,
    responder_id uuid NOT NULL REFERENCES responders (id) ON DELETE CASCADE,
    created_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
    expires_at   timestamptz NOT NULL
);
