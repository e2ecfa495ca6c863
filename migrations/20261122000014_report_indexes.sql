-- The mayor's dashboard and the public /open page read a year of cases in
-- one query; these make that fast (batline bench-dashboard measures it).

-- When the case first had a named owner. A case row cannot exist without
-- its owner (owner_id is NOT NULL), so the instant the row is inserted is
-- that moment: the default records it with no code involved. Before this
-- column the report took the first filing of the case's intake, which is
-- what existing rows are given.
ALTER TABLE cases ADD COLUMN owned_at timestamptz;
UPDATE cases c
SET owned_at = coalesce((SELECT min(i.filed_at) FROM intake i WHERE i.case_id = c.id), c.owner_assigned_at);
ALTER TABLE cases
    ALTER COLUMN owned_at SET DEFAULT clock_timestamp(),
    ALTER COLUMN owned_at SET NOT NULL;

-- Reports cover the cases opened in a period.
CREATE INDEX cases_by_opened_at ON cases (opened_at);
-- Missed acknowledgements and accepted hand-offs per case: small partial
-- indexes a report aggregates whole instead of probing once per case.
CREATE INDEX case_events_ack_missed ON case_events (case_id) WHERE kind = 'ack_missed';
CREATE INDEX handoffs_accepted ON handoffs (case_id) WHERE status = 'accepted';
-- The breach list: breached clocks, latest deadline first.
CREATE INDEX sla_clocks_breached ON sla_clocks (due_at DESC) WHERE breached_at IS NOT NULL OR met_at > due_at;
