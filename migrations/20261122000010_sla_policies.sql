-- SLA policies: targets for a human's first response (an auto-reply does
-- not count) and for resolution, per channel, topic and priority. A policy
-- is never edited: a change is a new version, and a case keeps the version
-- that was current when it opened.

ALTER TABLE cases
    ADD COLUMN priority text NOT NULL DEFAULT 'normal' CHECK (priority IN ('low', 'normal', 'high', 'urgent'));

CREATE TABLE sla_policies (
    id                     uuid PRIMARY KEY,
    -- What it covers; NULL matches anything.
    channel                text CHECK (channel IN ('sms', 'voice', 'chat', 'walk_in')),
    topic                  text,
    priority               text CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    version                integer NOT NULL CHECK (version >= 1),
    first_response_seconds integer NOT NULL CHECK (first_response_seconds > 0),
    resolution_seconds     integer NOT NULL CHECK (resolution_seconds > 0),
    -- The owner is warned when this share of a target has passed.
    warn_at_percent        integer NOT NULL DEFAULT 80 CHECK (warn_at_percent BETWEEN 1 AND 99),
    -- NULL: the clock runs around the clock. Otherwise weekly hours in
    -- Europe/Helsinki time, as walk_in_points.opening_hours, and the clock
    -- runs only while they are open.
    hours                  jsonb,
    valid_from             timestamptz NOT NULL DEFAULT clock_timestamp(),
    -- Set when a newer version replaces it.
    valid_to               timestamptz,
    created_by             uuid REFERENCES responders (id),
    CHECK (valid_to IS NULL OR valid_to >= valid_from)
);
CREATE UNIQUE INDEX sla_policies_current
    ON sla_policies (coalesce(channel, ''), coalesce(topic, ''), coalesce(priority, '')) WHERE valid_to IS NULL;
CREATE UNIQUE INDEX sla_policies_versions
    ON sla_policies (coalesce(channel, ''), coalesce(topic, ''), coalesce(priority, ''), version);

-- Each case's two SLA clocks, started with the policy current when it
-- opened. Deadlines live in the rows, so routers sweep them durably.
CREATE TABLE sla_clocks (
    case_id     uuid NOT NULL REFERENCES cases (id),
    target      text NOT NULL CHECK (target IN ('first_response', 'resolution')),
    policy_id   uuid NOT NULL REFERENCES sla_policies (id),
    started_at  timestamptz NOT NULL,
    warn_at     timestamptz NOT NULL,
    due_at      timestamptz NOT NULL,
    warned_at   timestamptz,
    breached_at timestamptz,
    met_at      timestamptz,
    PRIMARY KEY (case_id, target),
    CHECK (warn_at <= due_at)
);
CREATE INDEX sla_clocks_to_warn ON sla_clocks (warn_at) WHERE warned_at IS NULL AND met_at IS NULL;
CREATE INDEX sla_clocks_to_breach ON sla_clocks (due_at) WHERE breached_at IS NULL AND met_at IS NULL;

-- The line's default until an admin says otherwise: around the clock, a
-- human answer within 15 minutes (what the first SMS promises), resolved
-- within five days.
INSERT INTO sla_policies (id, version, first_response_seconds, resolution_seconds)
VALUES (gen_random_uuid(), 1, 900, 432000);
