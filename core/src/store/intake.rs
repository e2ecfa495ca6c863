//! Intake: what a channel adapter received, stored before anything else
//! happens to it. The gateway inserts; the router files it into a case.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use crate::{Result, domain::Channel};

/// One received contact.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Intake {
    /// Stable id; the bus message carries only this.
    pub id: Uuid,
    /// Where it came from.
    pub channel: Channel,
    /// The provider's id (Twilio's MessageSid), unique per channel.
    pub provider_id: Option<String>,
    /// Who sent it (a phone number for SMS).
    pub sender: String,
    /// Which Batline number it was sent to.
    pub recipient: Option<String>,
    /// What the resident wrote.
    pub body: String,
    /// Every parameter exactly as the provider sent it.
    pub raw: serde_json::Value,
    /// When the gateway stored it.
    pub received_at: DateTime<Utc>,
    /// The case it was filed into, once filed.
    pub case_id: Option<Uuid>,
    /// When it was filed.
    pub filed_at: Option<DateTime<Utc>>,
}

/// What the gateway stores.
#[derive(Debug, Clone)]
pub struct NewIntake {
    /// Where it came from.
    pub channel: Channel,
    /// The provider's id, if the channel has one.
    pub provider_id: Option<String>,
    /// Who sent it.
    pub sender: String,
    /// Which Batline number it went to.
    pub recipient: Option<String>,
    /// What the resident wrote.
    pub body: String,
    /// Every parameter as received.
    pub raw: serde_json::Value,
}

/// Stores a contact. `None` when the provider id was already stored: a
/// retried webhook. A concurrent duplicate waits here for the first copy's
/// transaction, so exactly one of them gets `Some`.
#[tracing::instrument(skip_all, fields(channel = %new.channel, provider_id = ?new.provider_id))]
pub async fn insert(conn: &mut PgConnection, new: &NewIntake) -> Result<Option<Uuid>> {
    Ok(sqlx::query_scalar(
        "INSERT INTO intake (id, channel, provider_id, sender, recipient, body, raw)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (channel, provider_id) DO NOTHING
         RETURNING id",
    )
    .bind(Uuid::new_v4())
    .bind(new.channel)
    .bind(&new.provider_id)
    .bind(&new.sender)
    .bind(&new.recipient)
    .bind(&new.body)
    .bind(&new.raw)
    .fetch_optional(conn)
    .await?)
}

/// Stores several contacts in one statement, each with the id given; returns
/// the ids of those stored. A provider id already stored (a retried webhook),
/// or repeated within `rows`, is stored once: the first copy's id is
/// returned and the others' are not. A concurrent duplicate waits here for
/// the other transaction, as with [`insert`].
#[tracing::instrument(skip_all, fields(rows = rows.len()))]
pub async fn insert_many(conn: &mut PgConnection, rows: &[(Uuid, &NewIntake)]) -> Result<Vec<Uuid>> {
    let ids: Vec<Uuid> = rows.iter().map(|(id, _)| *id).collect();
    let channels: Vec<&str> = rows.iter().map(|(_, n)| n.channel.as_str()).collect();
    let provider_ids: Vec<Option<&str>> = rows.iter().map(|(_, n)| n.provider_id.as_deref()).collect();
    let senders: Vec<&str> = rows.iter().map(|(_, n)| n.sender.as_str()).collect();
    let recipients: Vec<Option<&str>> = rows.iter().map(|(_, n)| n.recipient.as_deref()).collect();
    let bodies: Vec<&str> = rows.iter().map(|(_, n)| n.body.as_str()).collect();
    let raws: Vec<&serde_json::Value> = rows.iter().map(|(_, n)| &n.raw).collect();
    Ok(sqlx::query_scalar(
        "INSERT INTO intake (id, channel, provider_id, sender, recipient, body, raw)
         SELECT id, channel, provider_id, sender, recipient, body, raw
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::jsonb[])
              WITH ORDINALITY AS n (id, channel, provider_id, sender, recipient, body, raw, place)
         ORDER BY place
         ON CONFLICT (channel, provider_id) DO NOTHING
         RETURNING id",
    )
    .bind(ids)
    .bind(channels)
    .bind(provider_ids)
    .bind(senders)
    .bind(recipients)
    .bind(bodies)
    .bind(raws)
    .fetch_all(conn)
    .await?)
}

/// An intake row, locked so only one router files it.
#[tracing::instrument(skip(conn))]
pub async fn lock(conn: &mut PgConnection, id: Uuid) -> Result<Option<Intake>> {
    Ok(sqlx::query_as("SELECT * FROM intake WHERE id = $1 FOR UPDATE").bind(id).fetch_optional(conn).await?)
}

/// An intake row by its provider id.
#[tracing::instrument(skip(e))]
pub async fn by_provider_id(e: impl PgExecutor<'_>, channel: Channel, provider_id: &str) -> Result<Option<Intake>> {
    Ok(sqlx::query_as("SELECT * FROM intake WHERE channel = $1 AND provider_id = $2")
        .bind(channel)
        .bind(provider_id)
        .fetch_optional(e)
        .await?)
}

/// How many contacts are stored but not yet filed into a case.
#[tracing::instrument(skip(e))]
pub async fn unfiled_count(e: impl PgExecutor<'_>) -> Result<i64> {
    Ok(sqlx::query_scalar("SELECT count(*) FROM intake WHERE case_id IS NULL").fetch_one(e).await?)
}

/// Receipt-to-named-owner figures for contacts received at or after a time.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OwnerLatency {
    /// Contacts filed.
    pub filed: i64,
    /// Median milliseconds from receipt to filing with an owner.
    pub p50_ms: Option<f64>,
    /// 99th percentile of the same.
    pub p99_ms: Option<f64>,
    /// First receipt.
    pub first_received: Option<DateTime<Utc>>,
    /// Last filing.
    pub last_filed: Option<DateTime<Utc>>,
}

/// Latency from receipt to a named owner for contacts received at or after
/// `since` whose sender starts with `sender_prefix`, and chat messages whose
/// `client_id` starts with `chat_client_prefix` (a chat's sender is its
/// session, which the resident never sees). The benchmark reads it.
#[tracing::instrument(skip(e))]
pub async fn owner_latency(
    e: impl PgExecutor<'_>,
    since: DateTime<Utc>,
    sender_prefix: &str,
    chat_client_prefix: Option<&str>,
) -> Result<OwnerLatency> {
    Ok(sqlx::query_as(
        "SELECT count(*) AS filed,
                percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS p50_ms,
                percentile_cont(0.99) WITHIN GROUP (ORDER BY ms) AS p99_ms,
                min(received_at) AS first_received,
                max(filed_at) AS last_filed
         FROM (SELECT received_at, filed_at,
                      (extract(epoch FROM (filed_at - received_at)) * 1000)::float8 AS ms
               FROM intake
               WHERE received_at >= $1 AND filed_at IS NOT NULL
                 AND (starts_with(sender, $2)
                      OR channel = 'chat' AND starts_with(split_part(provider_id, ':', 2), $3))) t",
    )
    .bind(since)
    .bind(sender_prefix)
    .bind(chat_client_prefix)
    .fetch_one(e)
    .await?)
}

/// The database's clock, which stamps intake; the benchmark measures from it.
#[tracing::instrument(skip(e))]
pub async fn db_now(e: impl PgExecutor<'_>) -> Result<DateTime<Utc>> {
    Ok(sqlx::query_scalar("SELECT clock_timestamp()").fetch_one(e).await?)
}

/// Tells waiters (`filing_notices`) that the contact with provider id
/// `key` is filed; delivered when the caller's transaction commits.
#[tracing::instrument(skip(conn))]
pub async fn notify_filed(conn: &mut PgConnection, key: &str) -> Result<()> {
    sqlx::query("SELECT pg_notify($1, $2)").bind(crate::filing_notices::CHANNEL).bind(key).execute(conn).await?;
    Ok(())
}
