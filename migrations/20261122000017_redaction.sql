-- Personal data of resolved cases is redacted after BATLINE_REDACT_AFTER_DAYS;
-- a case remembers when, so the sweep never does it twice and the figures
-- (times, counts, owners) stay for the SLA reports.
ALTER TABLE cases ADD COLUMN redacted_at timestamptz;
CREATE INDEX cases_awaiting_redaction ON cases (resolved_at) WHERE status = 'resolved' AND redacted_at IS NULL;
