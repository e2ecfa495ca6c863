-- Email: a resident who writes to the line's address reaches a named owner
-- as one who texts. The resident is known by their address as by their
-- phone; each email's Message-ID is its provider id (intake and messages),
-- which is what threads a reply into its case and files a resend once.

ALTER TABLE cases DROP CONSTRAINT cases_channel_check,
    ADD CONSTRAINT cases_channel_check CHECK (channel IN ('sms', 'voice', 'chat', 'walk_in', 'open311', 'email'));
ALTER TABLE intake DROP CONSTRAINT intake_channel_check,
    ADD CONSTRAINT intake_channel_check CHECK (channel IN ('sms', 'voice', 'chat', 'walk_in', 'open311', 'email'));
ALTER TABLE messages DROP CONSTRAINT messages_channel_check,
    ADD CONSTRAINT messages_channel_check CHECK (channel IN ('sms', 'voice', 'chat', 'walk_in', 'open311', 'email'));
ALTER TABLE sla_policies DROP CONSTRAINT sla_policies_channel_check,
    ADD CONSTRAINT sla_policies_channel_check CHECK (channel IN ('sms', 'voice', 'chat', 'walk_in', 'open311', 'email'));

-- Stored as the address's lower-case form, so "Anna@Example.FI" and
-- "anna@example.fi" are one resident.
ALTER TABLE residents ADD COLUMN email text UNIQUE
    CHECK (email = lower(email) AND email LIKE '%_@_%' AND char_length(email) <= 254);

-- What an email carried besides its words, kept within the listener's
-- size limit and shown to the case's owner as downloads (never rendered
-- as a page: an attachment may be anything). Redaction deletes them.
CREATE TABLE email_attachments (
    id           uuid PRIMARY KEY,
    intake_id    uuid NOT NULL REFERENCES intake (id),
    ordinal      int NOT NULL CHECK (ordinal >= 0),
    file_name    text NOT NULL CHECK (char_length(file_name) BETWEEN 1 AND 255),
    content_type text NOT NULL CHECK (char_length(content_type) BETWEEN 1 AND 255),
    content      bytea NOT NULL,
    UNIQUE (intake_id, ordinal)
);

-- How far Batline has read a mailbox over IMAP (BATLINE_IMAP_URL): the
-- mailbox's UIDVALIDITY and the last UID taken. A message is taken once
-- whatever the restarts; if the server renumbers the mailbox (a new
-- UIDVALIDITY), Batline reads it again from the start and the Message-IDs
-- already stored file nothing twice.
CREATE TABLE imap_positions (
    mailbox      text PRIMARY KEY CHECK (char_length(mailbox) BETWEEN 1 AND 500),
    uid_validity bigint NOT NULL CHECK (uid_validity >= 0),
    last_uid     bigint NOT NULL CHECK (last_uid >= 0),
    updated_at   timestamptz NOT NULL DEFAULT clock_timestamp()
);
