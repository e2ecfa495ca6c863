//! Dead letters kept for leads: the router's recorder writes them, the
//! console lists and retries them, `/metrics` counts the waiting ones.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use crate::Result;

/// A dead letter as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StoredDeadLetter {
    /// Stable id.
    pub id: Uuid,
    /// The queue it died in, without the namespace (`intake`, `routing`, `outbound.sms`).
    pub queue: String,
    /// The exchange it was published to, with the namespace.
    pub exchange: String,
    /// The routing key it was published with.
    pub routing_key: String,
    /// Why the broker dead-lettered it: `rejected`, `delivery_limit`, …
    pub reason: String,
    /// How often it died that way.
    pub deaths: i64,
    /// The message exactly as published.
    pub payload: Vec<u8>,
    /// When the broker dead-lettered it, else when it was recorded.
    pub died_at: DateTime<Utc>,
    /// When the recorder took it off the queue.
    pub recorded_at: DateTime<Utc>,
    /// When a lead sent it back on its route, if one did.
    pub retried_at: Option<DateTime<Utc>>,
    /// Who did.
    pub retried_by: Option<Uuid>,
}

/// A dead letter to record.
#[derive(Debug, Clone)]
pub struct NewDeadLetter<'a> {
    /// Identifies the message, so a redelivered dead letter is kept once.
    pub dedupe_key: &'a str,
    /// The queue it died in, without the namespace.
    pub queue: &'a str,
    /// The exchange it was published to.
    pub exchange: &'a str,
    /// Its routing key.
    pub routing_key: &'a str,
    /// Why it died.
    pub reason: &'a str,
    /// How often it died that way.
    pub deaths: i64,
    /// The message.
    pub payload: &'a [u8],
    /// When the broker dead-lettered it.
    pub died_at: DateTime<Utc>,
}

/// Records a dead letter; false when it was recorded before (a redelivery).
#[tracing::instrument(skip(e, new), fields(queue = new.queue, reason = new.reason))]
pub async fn insert(e: impl PgExecutor<'_>, new: &NewDeadLetter<'_>) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO dead_letters (id, dedupe_key, queue, exchange, routing_key, reason, deaths, payload, died_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (dedupe_key) DO NOTHING",
    )
    .bind(Uuid::new_v4())
    .bind(new.dedupe_key)
    .bind(new.queue)
    .bind(new.exchange)
    .bind(new.routing_key)
    .bind(new.reason)
    .bind(new.deaths)
    .bind(new.payload)
    .bind(new.died_at)
    .execute(e)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Dead letters newest first, at most `limit`; retried ones only when
/// `include_retried`.
#[tracing::instrument(skip(e))]
pub async fn list(e: impl PgExecutor<'_>, include_retried: bool, limit: i64) -> Result<Vec<StoredDeadLetter>> {
    Ok(sqlx::query_as(
        "SELECT id, queue, exchange, routing_key, reason, deaths, payload, died_at, recorded_at, retried_at, retried_by
         FROM dead_letters WHERE $1 OR retried_at IS NULL
         ORDER BY recorded_at DESC, id LIMIT $2",
    )
    .bind(include_retried)
    .bind(limit)
    .fetch_all(e)
    .await?)
}

/// Locks one dead letter for a retry, so two leads cannot send it twice.
#[tracing::instrument(skip(conn))]
pub async fn lock(conn: &mut PgConnection, id: Uuid) -> Result<Option<StoredDeadLetter>> {
    Ok(sqlx::query_as(
        "SELECT id, queue, exchange, routing_key, reason, deaths, payload, died_at, recorded_at, retried_at, retried_by
         FROM dead_letters WHERE id = $1 FOR UPDATE",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?)
}

/// Marks a dead letter as sent back on its route by `by`.
#[tracing::instrument(skip(conn))]
pub async fn mark_retried(conn: &mut PgConnection, id: Uuid, by: Uuid) -> Result<DateTime<Utc>> {
    Ok(sqlx::query_scalar(
        "UPDATE dead_letters SET retried_at = clock_timestamp(), retried_by = $2 WHERE id = $1 RETURNING retried_at",
    )
    .bind(id)
    .bind(by)
    .fetch_one(conn)
    .await?)
}

/// Dead letters not yet retried.
#[tracing::instrument(skip(e))]
pub async fn waiting_count(e: impl PgExecutor<'_>) -> Result<i64> {
    Ok(sqlx::query_scalar("SELECT count(*) FROM dead_letters WHERE retried_at IS NULL").fetch_one(e).await?)
}
