//! Staff search: cases by the words of their messages, ranked, with the
//! matching words marked. Finding a case by its tracking code or its
//! resident's phone is an exact look-up (`cases::by_tracking_code`,
//! `cases::of_phone`); this is the full-text part.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::PgExecutor;
use uuid::Uuid;

use crate::{
    Result,
    domain::{CaseStatus, Channel, Language},
};

/// Marks the start of a matching word in [`Hit::snippet`]: a private-use
/// character, which no keyboard types and every renderer can replace.
pub const MARK_START: char = '\u{E000}';
/// Marks the end of a matching word.
pub const MARK_END: char = '\u{E001}';

/// A case whose messages match, with its best-matching message.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct Hit {
    /// The case.
    pub case_id: Uuid,
    /// Its tracking code.
    pub tracking_code: String,
    /// Open or resolved.
    pub status: CaseStatus,
    /// The channel of its first contact.
    pub channel: Channel,
    /// The language Batline speaks on it.
    pub language: Language,
    /// When it was opened.
    pub opened_at: DateTime<Utc>,
    /// Its owner's display name.
    pub owner_name: String,
    /// How well its best message matches (PostgreSQL's `ts_rank`).
    pub rank: f32,
    /// The best message's words around the match, each matching word
    /// between [`MARK_START`] and [`MARK_END`].
    pub snippet: String,
}

/// Cases whose messages match `words` (web-search syntax: words, "a
/// phrase", -not, or), best first, at most `limit`; only `owner`'s cases
/// when given (a responder sees only what they own).
#[tracing::instrument(skip(e, words))]
pub async fn cases_by_words(e: impl PgExecutor<'_>, words: &str, owner: Option<Uuid>, limit: i64) -> Result<Vec<Hit>> {
    Ok(sqlx::query_as(
        "WITH q AS (SELECT websearch_to_tsquery('finnish', $1) || websearch_to_tsquery('swedish', $1)
                           || websearch_to_tsquery('english', $1) AS query),
              best AS (
                SELECT DISTINCT ON (m.case_id) m.case_id, m.body, ts_rank(m.search_words, q.query) AS rank
                FROM messages m JOIN cases c ON c.id = m.case_id, q
                WHERE m.search_words @@ q.query AND ($2::uuid IS NULL OR c.owner_id = $2)
                ORDER BY m.case_id, rank DESC, m.created_at DESC)
         SELECT c.id AS case_id, c.tracking_code, c.status, c.channel, c.language, c.opened_at,
                r.display_name AS owner_name, best.rank,
                ts_headline(CASE c.language WHEN 'sv' THEN 'swedish'::regconfig
                                            WHEN 'en' THEN 'english'::regconfig
                                            ELSE 'finnish'::regconfig END,
                            best.body, q.query,
                            'StartSel=\u{E000}, StopSel=\u{E001}, MaxWords=24, MinWords=10, MaxFragments=2') AS snippet
         FROM best JOIN cases c ON c.id = best.case_id JOIN responders r ON r.id = c.owner_id, q
         ORDER BY best.rank DESC, c.opened_at DESC
         LIMIT $3",
    )
    .bind(words)
    .bind(owner)
    .bind(limit)
    .fetch_all(e)
    .await?)
}
