-- Phone calls. Every call Twilio tells Batline about, a resident calling in
-- or a responder calling back, is a row keyed by Twilio's CallSid; a call
-- that did not reach a human leaves a call-back task with a durable deadline.

CREATE TABLE calls (
    sid              text PRIMARY KEY,
    direction        text NOT NULL CHECK (direction IN ('inbound', 'call_back')),
    -- NULL until the router files an inbound call into a case.
    case_id          uuid REFERENCES cases (id),
    intake_id        uuid UNIQUE REFERENCES intake (id),
    resident_phone   text NOT NULL,
    -- Who was dialled (inbound) or who called back.
    responder_id     uuid REFERENCES responders (id),
    -- Twilio's latest CallStatus for the call.
    status           text NOT NULL,
    -- How the <Dial> to a responder ended (completed, busy, no-answer, ...),
    -- set once: a retried action callback changes nothing.
    dial_outcome     text,
    -- When a responder and the resident were actually talking.
    connected_at     timestamptz,
    ended_at         timestamptz,
    duration_seconds integer CHECK (duration_seconds >= 0),
    created_at       timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at       timestamptz NOT NULL DEFAULT clock_timestamp(),
    CHECK (direction = 'inbound' OR case_id IS NOT NULL)
);
CREATE INDEX calls_by_case ON calls (case_id, created_at);

-- The owner must call the resident back by due_at. A router sweeps open
-- tasks past their deadline and moves the case on by the routing rules, as
-- for a missed acknowledgement; the task stays open for the new owner.
CREATE TABLE call_backs (
    id            uuid PRIMARY KEY,
    case_id       uuid NOT NULL REFERENCES cases (id),
    -- The call that asked for it.
    call_sid      text REFERENCES calls (sid),
    reason        text NOT NULL CHECK (reason IN ('no_answer', 'busy', 'failed', 'hung_up', 'unreachable')),
    status        text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'cancelled')),
    requested_at  timestamptz NOT NULL,
    due_at        timestamptz NOT NULL,
    misses        integer NOT NULL DEFAULT 0,
    closed_at     timestamptz,
    -- The call-back call that reached the resident.
    done_call_sid text REFERENCES calls (sid),
    CHECK ((status = 'open') = (closed_at IS NULL))
);
-- One open call-back per case: a second unanswered call adds to the case's
-- timeline, not to the owner's to-do list.
CREATE UNIQUE INDEX call_backs_single_open ON call_backs (case_id) WHERE status = 'open';
CREATE INDEX call_backs_due ON call_backs (due_at) WHERE status = 'open';

-- A voice message left for the owner is a message of the case, with its recording.
ALTER TABLE messages
    ADD COLUMN recording_url     text,
    ADD COLUMN recording_seconds integer CHECK (recording_seconds >= 0);
