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

/// A contact arriving at the gateway, for [`insert_arriving`].
#[derive(Debug, Clone, Copy)]
pub struct Arriving<'a> {
    /// The intake row's id, chosen by the caller.
    pub id: Uuid,
    /// The contact.
    pub new: &'a NewIntake,
    /// An inbound call to record beside it: (CallSid, the caller's phone,
    /// Twilio's `CallStatus`).
    pub call: Option<(&'a str, &'a str, &'a str)>,
    /// Its `IntakeArrived` outbox row: (exchange, routing key, payload,
    /// traceparent).
    pub announce: super::outbox::RowRef<'a>,
}

/// Stores several contacts in one statement, which commits on its own: the
/// intake rows, the calls beside them and the outbox rows announcing them.
/// Returns (intake id, outbox id) of those stored, in the order given. A
/// provider id already stored (a retried webhook), or repeated within
/// `rows`, is stored once: the first copy is, the others write nothing (no
/// call, no announcement). A concurrent duplicate waits here for the other
/// transaction, as with [`insert`]; a retried call's first call row stays
/// as it is.
#[tracing::instrument(skip_all, fields(rows = rows.len()))]
pub async fn insert_arriving(e: impl PgExecutor<'_>, rows: &[Arriving<'_>]) -> Result<Vec<(Uuid, i64)>> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let channels: Vec<&str> = rows.iter().map(|r| r.new.channel.as_str()).collect();
    let provider_ids: Vec<Option<&str>> = rows.iter().map(|r| r.new.provider_id.as_deref()).collect();
    let senders: Vec<&str> = rows.iter().map(|r| r.new.sender.as_str()).collect();
    let recipients: Vec<Option<&str>> = rows.iter().map(|r| r.new.recipient.as_deref()).collect();
    let bodies: Vec<&str> = rows.iter().map(|r| r.new.body.as_str()).collect();
    let raws: Vec<&serde_json::Value> = rows.iter().map(|r| &r.new.raw).collect();
    let calls: Vec<_> = rows.iter().filter_map(|r| r.call.map(|call| (r.id, call))).collect();
    let call_intakes: Vec<Uuid> = calls.iter().map(|(id, _)| *id).collect();
    let call_sids: Vec<&str> = calls.iter().map(|(_, (sid, _, _))| *sid).collect();
    let call_phones: Vec<&str> = calls.iter().map(|(_, (_, phone, _))| *phone).collect();
    let call_statuses: Vec<&str> = calls.iter().map(|(_, (_, _, status))| *status).collect();
    let exchanges: Vec<&str> = rows.iter().map(|r| r.announce.0).collect();
    let keys: Vec<&str> = rows.iter().map(|r| r.announce.1).collect();
    let payloads: Vec<&serde_json::Value> = rows.iter().map(|r| r.announce.2).collect();
    let traceparents: Vec<Option<&str>> = rows.iter().map(|r| r.announce.3).collect();
    let (stored, announced): (Vec<Uuid>, Vec<i64>) = sqlx::query_as(
        "WITH stored AS (
             INSERT INTO intake (id, channel, provider_id, sender, recipient, body, raw)
             SELECT id, channel, provider_id, sender, recipient, body, raw
             FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::jsonb[])
                  WITH ORDINALITY AS n (id, channel, provider_id, sender, recipient, body, raw, place)
             ORDER BY place
             ON CONFLICT (channel, provider_id) DO NOTHING
             RETURNING id
         ), calls AS (
             INSERT INTO calls (sid, direction, intake_id, resident_phone, status)
             SELECT sid, 'inbound', intake_id, resident_phone, status
             FROM unnest($8::uuid[], $9::text[], $10::text[], $11::text[]) AS c (intake_id, sid, resident_phone, status)
             WHERE intake_id IN (SELECT id FROM stored)
             ON CONFLICT (sid) DO NOTHING
         ), announced AS (
             INSERT INTO outbox (exchange, routing_key, payload, traceparent)
             SELECT exchange, routing_key, payload, traceparent
             FROM unnest($1::uuid[], $12::text[], $13::text[], $14::jsonb[], $15::text[])
                  WITH ORDINALITY AS a (intake_id, exchange, routing_key, payload, traceparent, place)
             WHERE intake_id IN (SELECT id FROM stored)
             ORDER BY place
             RETURNING id
         )
         SELECT ARRAY(SELECT id FROM stored), ARRAY(SELECT id FROM announced ORDER BY id)",
    )
    .bind(&ids)
    .bind(channels)
    .bind(provider_ids)
    .bind(senders)
    .bind(recipients)
    .bind(bodies)
    .bind(raws)
    .bind(call_intakes)
    .bind(call_sids)
    .bind(call_phones)
    .bind(call_statuses)
    .bind(exchanges)
    .bind(keys)
    .bind(payloads)
    .bind(traceparents)
    .fetch_one(e)
    .await?;
    // The outbox ids come from one sequence, drawn in the order the rows
    // are inserted, which is the order given: the n-th smallest belongs to
    // the n-th contact stored.
    let fresh = ids.into_iter().filter(|id| stored.contains(id));
    Ok(fresh.zip(announced).collect())
}

/// An intake row, locked so only one router files it.
#[tracing::instrument(skip(conn))]
pub async fn lock(conn: &mut PgConnection, id: Uuid) -> Result<Option<Intake>> {
    Ok(sqlx::query_as("SELECT * FROM intake WHERE id = $1 FOR UPDATE").bind(id).fetch_optional(conn).await?)
}

/// The intake rows of `ids` that exist, locked in id order (two groups
/// sharing a row cannot deadlock on each other), in that order: a group
/// of filings locks its rows in one round trip instead of one each.
#[tracing::instrument(skip(conn))]
pub async fn lock_many(conn: &mut PgConnection, ids: &[Uuid]) -> Result<Vec<Intake>> {
    Ok(sqlx::query_as("SELECT * FROM intake WHERE id = ANY($1) ORDER BY id FOR UPDATE")
        // Planned for each call with the ids it has, as it would be anyway
        // (a generic plan counts ten ids): never a plan cached for a table
        // still nearly empty, whatever the statistics say.
        .persistent(false)
        .bind(ids)
        .fetch_all(conn)
        .await?)
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

/// A contact that took longer than asked from receipt to a named owner.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SlowFiling {
    /// Its channel.
    pub channel: Channel,
    /// When the gateway (or the console, for a walk-in) stored it.
    pub received_at: DateTime<Utc>,
    /// When it was filed with an owner.
    pub filed_at: DateTime<Utc>,
}

/// The slowest contacts, at most `limit`, of those [`owner_latency`]
/// counts, that took more than `over_ms` from receipt to a named owner,
/// slowest first. The benchmark reads it to say where a tail came from.
#[tracing::instrument(skip(e))]
pub async fn slowest_filings(
    e: impl PgExecutor<'_>,
    since: DateTime<Utc>,
    sender_prefix: &str,
    chat_client_prefix: Option<&str>,
    over_ms: f64,
    limit: i64,
) -> Result<Vec<SlowFiling>> {
    Ok(sqlx::query_as(
        "SELECT channel, received_at, filed_at
         FROM intake
         WHERE received_at >= $1 AND filed_at IS NOT NULL
           AND (starts_with(sender, $2)
                OR channel = 'chat' AND starts_with(split_part(provider_id, ':', 2), $3))
           AND filed_at - received_at > make_interval(secs => $4 / 1000.0)
         ORDER BY filed_at - received_at DESC
         LIMIT $5",
    )
    .bind(since)
    .bind(sender_prefix)
    .bind(chat_client_prefix)
    .bind(over_ms)
    .bind(limit)
    .fetch_all(e)
    .await?)
}

/// The database's clock, which stamps intake; the benchmark measures from it.
#[tracing::instrument(skip(e))]
pub async fn db_now(e: impl PgExecutor<'_>) -> Result<DateTime<Utc>> {
    Ok(sqlx::query_scalar("SELECT clock_timestamp()").fetch_one(e).await?)
}

/// Tells waiters (`filing_notices`) that the contacts with provider ids
/// `keys` are filed, in one statement; delivered when the caller's
/// transaction commits.
#[tracing::instrument(skip(conn))]
pub async fn notify_filed(conn: &mut PgConnection, keys: &[&str]) -> Result<()> {
    sqlx::query("SELECT pg_notify($1, key) FROM unnest($2::text[]) AS key")
        .bind(crate::filing_notices::CHANNEL)
        .bind(keys)
        .execute(conn)
        .await?;
    Ok(())
}
