//! The transactional outbox's table. The relay that drains it is
//! [`crate::outbox`].

use std::time::Duration;

use sqlx::{PgConnection, PgExecutor, PgPool, Postgres, Transaction};

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

impl OutboxRow {
    /// Row `id` as it was written from `row` (exchange, routing key,
    /// payload, traceparent).
    pub fn written(id: i64, row: (&str, String, serde_json::Value, Option<String>)) -> Self {
        let (exchange, routing_key, payload, traceparent) = row;
        OutboxRow { id, exchange: exchange.to_owned(), routing_key, payload, traceparent }
    }
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

/// An outbox row as the statements that write one beside other rows take
/// it: (exchange, routing key, payload, traceparent).
pub type RowRef<'a> = (&'a str, &'a str, &'a serde_json::Value, Option<&'a str>);

/// Writes several messages in one statement, as [`insert`] does one;
/// returns their row ids in the order given. Each row is
/// (exchange, routing key, payload, traceparent).
#[tracing::instrument(skip_all, fields(rows = rows.len()))]
pub async fn insert_many(
    conn: &mut PgConnection,
    rows: &[(&str, String, serde_json::Value, Option<String>)],
) -> Result<Vec<i64>> {
    let exchanges: Vec<&str> = rows.iter().map(|r| r.0).collect();
    let keys: Vec<&str> = rows.iter().map(|r| r.1.as_str()).collect();
    let payloads: Vec<&serde_json::Value> = rows.iter().map(|r| &r.2).collect();
    let traceparents: Vec<Option<&str>> = rows.iter().map(|r| r.3.as_deref()).collect();
    let mut ids: Vec<i64> = sqlx::query_scalar(
        "INSERT INTO outbox (exchange, routing_key, payload, traceparent)
         SELECT exchange, routing_key, payload, traceparent
         FROM unnest($1::text[], $2::text[], $3::jsonb[], $4::text[])
              WITH ORDINALITY AS r (exchange, routing_key, payload, traceparent, place)
         ORDER BY place
         RETURNING id",
    )
    .bind(exchanges)
    .bind(keys)
    .bind(payloads)
    .bind(traceparents)
    .fetch_all(conn)
    .await?;
    // The ids come from one sequence, drawn in the order the rows are
    // inserted, which is the order given: the n-th smallest is the n-th row's.
    ids.sort_unstable();
    Ok(ids)
}

/// Rows `ids`, in the order written.
#[tracing::instrument(skip(e))]
pub async fn rows(e: impl PgExecutor<'_>, ids: &[i64]) -> Result<Vec<OutboxRow>> {
    Ok(sqlx::query_as(
        "SELECT id, exchange, routing_key, payload, traceparent FROM outbox WHERE id = ANY ($1) ORDER BY id",
    )
    .bind(ids)
    .fetch_all(e)
    .await?)
}

/// Takes up to `limit` rows written at least `settle` ago that nobody else
/// is publishing, oldest first, deleting them in the same statement: they
/// vanish when the surrounding transaction commits and come back if it
/// rolls back, so the caller commits only once every row it took is
/// published.
#[tracing::instrument(skip(conn))]
pub async fn take_settled(conn: &mut PgConnection, settle: Duration, limit: i64) -> Result<Vec<OutboxRow>> {
    Ok(sqlx::query_as(
        "DELETE FROM outbox WHERE id IN (
             SELECT id FROM outbox
             WHERE created_at <= clock_timestamp() - $1::interval
             ORDER BY id LIMIT $2
             FOR UPDATE SKIP LOCKED)
         RETURNING id, exchange, routing_key, payload, traceparent",
    )
    .bind(settle)
    .bind(limit)
    .fetch_all(conn)
    .await?)
}

/// Begins a transaction that commits without waiting for the WAL flush,
/// in one round trip (`BEGIN` and `SET LOCAL` as one simple query). Only for
/// transactions whose loss is harmless: if a crash forgets an outbox
/// delete, the row is published once more and consumers, being idempotent,
/// ignore it.
#[tracing::instrument(skip(pool))]
pub async fn begin_relaxed(pool: &PgPool) -> Result<Transaction<'static, Postgres>> {
    Ok(pool.begin_with("BEGIN; SET LOCAL synchronous_commit TO OFF").await?)
}

/// Removes published rows, in a statement of its own that commits without
/// waiting for the WAL flush: `set_config(…, true)` lasts to the end of the
/// statement's own transaction, its commit included. As with
/// [`begin_relaxed`], a delete a crash forgets only publishes a row again.
#[tracing::instrument(skip(e))]
pub async fn delete_published(e: impl PgExecutor<'_>, ids: &[i64]) -> Result<()> {
    sqlx::query(
        "DELETE FROM outbox
         WHERE id = ANY ($1)
           AND EXISTS (SELECT FROM (SELECT set_config('synchronous_commit', 'off', true)) AS relaxed)",
    )
    .bind(ids)
    .execute(e)
    .await?;
    Ok(())
}

/// Rows waiting to be published.
#[tracing::instrument(skip(e))]
pub async fn depth(e: impl PgExecutor<'_>) -> Result<i64> {
    Ok(sqlx::query_scalar("SELECT count(*) FROM outbox").fetch_one(e).await?)
}
