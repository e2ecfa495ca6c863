-- The console web app: idle session timeouts and canned replies.

-- A session unused for BATLINE_SESSION_IDLE_MINUTES ends, whatever its
-- absolute expiry says.
ALTER TABLE console_sessions ADD COLUMN last_seen_at timestamptz NOT NULL DEFAULT clock_timestamp();

-- Ready-made replies a responder can pick and edit before sending, one row
-- per language. Retired ones are kept (archived) rather than deleted.
CREATE TABLE canned_replies (
    id         uuid PRIMARY KEY,
    language   text NOT NULL CHECK (language IN ('fi', 'sv', 'en')),
    title      text NOT NULL CHECK (length(title) BETWEEN 1 AND 80),
    body       text NOT NULL CHECK (length(body) BETWEEN 1 AND 1600),
    archived   boolean NOT NULL DEFAULT false,
    created_by uuid REFERENCES responders (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX canned_replies_language ON canned_replies (language) WHERE NOT archived;

-- A few that every line needs from day one; admins edit or retire them.
INSERT INTO canned_replies (id, language, title, body) VALUES
  ('7f0c1a52-0001-4a00-8000-000000000001', 'fi', 'Selvitän asiaa',
   'Kiitos viestistä. Selvitän asiaa ja palaan sinulle tänään.'),
  ('7f0c1a52-0001-4a00-8000-000000000002', 'sv', 'Jag utreder saken',
   'Tack för meddelandet. Jag utreder saken och återkommer till dig i dag.'),
  ('7f0c1a52-0001-4a00-8000-000000000003', 'en', 'Looking into it',
   'Thank you for your message. I am looking into this and will get back to you today.'),
  ('7f0c1a52-0001-4a00-8000-000000000004', 'fi', 'Välitetty korjattavaksi',
   'Ilmoitus on välitetty kaupungin korjaustiimille. Kerron, kun asia on korjattu.'),
  ('7f0c1a52-0001-4a00-8000-000000000005', 'sv', 'Skickat för åtgärd',
   'Anmälan har skickats till stadens reparationsteam. Jag meddelar när saken är åtgärdad.'),
  ('7f0c1a52-0001-4a00-8000-000000000006', 'en', 'Sent for repair',
   'Your report has gone to the city''s repair team. I will let you know once it is fixed.');
