-- Staff search reads what people wrote: residents' messages and responders'
-- replies. Batline's own texts (auto-replies, notices) name the owner and
-- the tracking code in the same words on every case, so searching a
-- responder's name found every case they were ever given; and they are half
-- of all messages, each stemmed three times on insert and again on every
-- delivery update (PostgreSQL recomputes a stored generated column whenever
-- the row is updated). For them the column is now NULL: one CASE, no
-- stemming, no words in the index.
ALTER TABLE messages DROP COLUMN search_words;
ALTER TABLE messages ADD COLUMN search_words tsvector GENERATED ALWAYS AS (
    CASE WHEN kind IN ('resident', 'reply') THEN
        to_tsvector('finnish', body) || to_tsvector('swedish', body) || to_tsvector('english', body)
    END
) STORED;
CREATE INDEX messages_search_words ON messages USING gin (search_words);
