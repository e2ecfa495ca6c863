//! The transactional outbox's table. The relay that drains it is
//! [`crate::outbox`].

use sqlx::{PgConnection, PgExecutor};

use crate::Result;

/// A bus message waiting to be published.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OutboxRow {
    /// Order of writing.
    pub id: i64,
    /// Logical exchange: `work` or `events`.
    pub exchange: String,
    /// Routing key.
    pub routing_key: String,
    /// The JSON message.
    pub payload: serde_json::Value,
    /// The W3C trace context it was written in.
    pub traceparent: Option<String>,
}

/// Writes a message to publish once the surrounding transaction commits.
#[tracing::instrument(skip(conn, payload))]
pub async fn insert(
    conn: &mut PgConnection,
    exchange: &str,
    routing_key: &str,
    payload: &serde_json::Value,
    traceparent: Option<&str>,
) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO outbox (exchange, routing_key, payload, traceparent) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(exchange)
    .bind(routing_key)
    .bind(payload)
    .bind(traceparent)
    .fetch_one(conn)
    .await?)
}

/// Takes up to `limit` rows nobody else is publishing, oldest first (with
/// `only`, just those rows), deleting them in the same statement: they vanish
/// when the surrounding transaction commits and come back if it rolls back,
/// so the caller commits only once every row it took is published.
#[tracing::instrument(skip(conn))]
pub async fn take(conn: &mut PgConnection, only: Option<&[i64]>, limit: i64) -> Result<Vec<OutboxRow>> {
    Ok(sqlx::query_as(
        "DELETE FROM outbox WHERE id IN (
             SELECT id FROM outbox
             WHERE ($1::bigint[] IS NULL OR id = ANY ($1))
             ORDER BY id LIMIT $2
             FOR UPDATE SKIP LOCKED)
         RETURNING id, exchange, routing_key, payload, traceparent",
    )
    .bind(only)
    .bind(limit)
    .fetch_all(conn)
    .await?)
}

/// Lets the surrounding transaction commit without waiting for the WAL
/// flush. Only for transactions whose loss is harmless: if a crash forgets
/// an outbox delete, the row is published once more and consumers, being
/// idempotent, ignore it.
#[tracing::instrument(skip(conn))]
pub async fn relax_commit(conn: &mut PgConnection) -> Result<()> {
    sqlx::query("SET LOCAL synchronous_commit TO OFF").execute(conn).await?;
    Ok(())
}

/// Removes published rows.
#[tracing::instrument(skip(conn))]
pub async fn delete(conn: &mut PgConnection, ids: &[i64]) -> Result<()> {
    sqlx::query("DELETE FROM outbox WHERE id = ANY ($1)").bind(ids).execute(conn).await?;
    Ok(())
}

/// Rows waiting to be published.
#[tracing::instrument(skip(e))]
pub async fn depth(e: impl PgExecutor<'_>) -> Result<i64> {
    Ok(sqlx::query_scalar("SELECT count(*) FROM outbox").fetch_one(e).await?)
}
