-- The dashboard counts what filing heard and what people corrected in a
-- period (the classifier's accuracy in real use): a partial index keeps that
-- a scan of those two kinds of event in the period, not of every event.
CREATE INDEX case_events_classifications ON case_events (at) WHERE kind IN ('auto_classified', 'classified');
