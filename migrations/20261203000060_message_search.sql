-- Staff search (the console's /search): the words of every message, stemmed
-- by PostgreSQL's own Finnish, Swedish and English configurations, so that
-- "katuvalo" finds "katuvalot" and "lamps" finds "lamp" whatever language
-- the resident wrote in. Generated, so it follows the body when retention
-- blanks it, and indexed with GIN for the @@ match.
ALTER TABLE messages ADD COLUMN search_words tsvector GENERATED ALWAYS AS (
    to_tsvector('finnish', body) || to_tsvector('swedish', body) || to_tsvector('english', body)
) STORED;
CREATE INDEX messages_search_words ON messages USING gin (search_words);
