//! SLA policies (versioned) and each case's SLA clocks.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use crate::{
    Result,
    domain::{Channel, Priority, SlaTarget},
};

/// A policy version as stored.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct SlaPolicy {
    /// This version's id; a case's clocks point at it.
    pub id: Uuid,
    /// The channel it covers, or any.
    pub channel: Option<Channel>,
    /// The topic it covers, or any.
    pub topic: Option<String>,
    /// The priority it covers, or any.
    pub priority: Option<Priority>,
    /// 1 for the first policy of its scope, then counting up.
    pub version: i32,
    /// Target for a human's first response.
    pub first_response_seconds: i32,
    /// Target for resolution.
    pub resolution_seconds: i32,
    /// Share of a target after which the owner is warned.
    pub warn_at_percent: i32,
    /// Weekly hours the clock runs in (Helsinki time); `None`: always.
    #[schema(value_type = Option<crate::opening_hours::OpeningHours>)]
    pub hours: Option<serde_json::Value>,
    /// When this version took effect.
    pub valid_from: DateTime<Utc>,
    /// When a newer version replaced it.
    pub valid_to: Option<DateTime<Utc>>,
    /// The admin who made it.
    pub created_by: Option<Uuid>,
}

/// A new policy version.
#[derive(Debug, Clone)]
pub struct NewSlaPolicy {
    /// Channel covered, or any.
    pub channel: Option<Channel>,
    /// Topic covered, or any.
    pub topic: Option<String>,
    /// Priority covered, or any.
    pub priority: Option<Priority>,
    /// First-response target.
    pub first_response_seconds: i32,
    /// Resolution target.
    pub resolution_seconds: i32,
    /// Warning threshold, percent.
    pub warn_at_percent: i32,
    /// Weekly hours, or always.
    pub hours: Option<serde_json::Value>,
    /// Who made it.
    pub created_by: Option<Uuid>,
}

/// The current policy version fitting a new case's channel, topic and
/// priority (a `NULL` in the policy matches anything), priority weighing
/// most, then topic; with whether the topic counts. A topic `heard` in the
/// resident's words counts only while the catalogue still offers it (an
/// admin may have retired it); one the channel gave counts as given. A topic
/// that does not count is as none. `None` when no policy fits.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Fitting {
    /// The policy.
    #[sqlx(flatten)]
    pub policy: SlaPolicy,
    /// Whether the topic counted (always, for none).
    pub topic_counts: bool,
}

/// See [`Fitting`]: the topic's check and the policy's look-up in one
/// statement, since a new case needs both before its owner is locked.
#[tracing::instrument(skip(e))]
pub async fn current_for(
    e: impl PgExecutor<'_>,
    channel: Channel,
    topic: Option<&str>,
    heard: bool,
    priority: Priority,
) -> Result<Option<Fitting>> {
    Ok(sqlx::query_as(
        "WITH counted AS (
             SELECT $2::text AS code
             WHERE NOT $4 OR EXISTS (SELECT 1 FROM topics WHERE code = $2 AND retired_at IS NULL)
         )
         SELECT p.*, EXISTS (SELECT 1 FROM counted) AS topic_counts
         FROM sla_policies p
         WHERE valid_to IS NULL
           AND (channel IS NULL OR channel = $1)
           AND (topic IS NULL OR topic = (SELECT code FROM counted))
           AND (priority IS NULL OR priority = $3)
         ORDER BY (channel IS NOT NULL)::int + (topic IS NOT NULL)::int + (priority IS NOT NULL)::int DESC,
                  priority IS NOT NULL DESC, topic IS NOT NULL DESC
         LIMIT 1",
    )
    .bind(channel)
    .bind(topic)
    .bind(priority)
    .bind(heard)
    .fetch_optional(e)
    .await?)
}

/// Ends the current version of the policy for exactly this scope, if there
/// is one, and returns its version number. Locks it, so two admins saving
/// at once get versions n+1 and n+2, not two n+1.
#[tracing::instrument(skip(conn))]
pub async fn retire_current(
    conn: &mut PgConnection,
    channel: Option<Channel>,
    topic: Option<&str>,
    priority: Option<Priority>,
) -> Result<Option<i32>> {
    Ok(sqlx::query_scalar(
        "UPDATE sla_policies SET valid_to = clock_timestamp()
         WHERE id = (SELECT id FROM sla_policies
                     WHERE valid_to IS NULL AND channel IS NOT DISTINCT FROM $1
                       AND topic IS NOT DISTINCT FROM $2 AND priority IS NOT DISTINCT FROM $3
                     FOR UPDATE)
         RETURNING version",
    )
    .bind(channel)
    .bind(topic)
    .bind(priority)
    .fetch_optional(conn)
    .await?)
}

/// The highest version ever stored for exactly this scope (a retired
/// scope can be taken up again).
#[tracing::instrument(skip(conn))]
pub async fn latest_version(
    conn: &mut PgConnection,
    channel: Option<Channel>,
    topic: Option<&str>,
    priority: Option<Priority>,
) -> Result<i32> {
    Ok(sqlx::query_scalar(
        "SELECT coalesce(max(version), 0) FROM sla_policies
         WHERE channel IS NOT DISTINCT FROM $1 AND topic IS NOT DISTINCT FROM $2 AND priority IS NOT DISTINCT FROM $3",
    )
    .bind(channel)
    .bind(topic)
    .bind(priority)
    .fetch_one(conn)
    .await?)
}

/// Stores a policy version.
#[tracing::instrument(skip(conn))]
pub async fn insert(conn: &mut PgConnection, new: &NewSlaPolicy, version: i32) -> Result<SlaPolicy> {
    Ok(sqlx::query_as(
        "INSERT INTO sla_policies (id, channel, topic, priority, version, first_response_seconds,
                                   resolution_seconds, warn_at_percent, hours, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         RETURNING *",
    )
    .bind(Uuid::new_v4())
    .bind(new.channel)
    .bind(&new.topic)
    .bind(new.priority)
    .bind(version)
    .bind(new.first_response_seconds)
    .bind(new.resolution_seconds)
    .bind(new.warn_at_percent)
    .bind(&new.hours)
    .bind(new.created_by)
    .fetch_one(conn)
    .await?)
}

/// Every version, current ones first, newest first.
#[tracing::instrument(skip(e))]
pub async fn all(e: impl PgExecutor<'_>) -> Result<Vec<SlaPolicy>> {
    Ok(sqlx::query_as(
        "SELECT * FROM sla_policies ORDER BY valid_to IS NULL DESC, channel, topic, priority, version DESC",
    )
    .fetch_all(e)
    .await?)
}

/// A case's SLA clock.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct SlaClock {
    /// The case.
    pub case_id: Uuid,
    /// What it measures.
    pub target: SlaTarget,
    /// The policy version it runs by.
    pub policy_id: Uuid,
    /// When it started (the case's first contact).
    pub started_at: DateTime<Utc>,
    /// When the owner is warned.
    pub warn_at: DateTime<Utc>,
    /// The deadline.
    pub due_at: DateTime<Utc>,
    /// When the warning went out.
    pub warned_at: Option<DateTime<Utc>>,
    /// When the breach was recorded.
    pub breached_at: Option<DateTime<Utc>>,
    /// When the target was met.
    pub met_at: Option<DateTime<Utc>>,
}

/// A new case's SLA clocks, as planned before the case is written: the
/// policy that fits it and each target's warning and deadline. A target
/// whose policy hours are never open has no clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewClocks {
    /// The policy version the clocks run by.
    pub policy_id: Uuid,
    /// The first-response clock, if it can run.
    pub first_response: Option<ClockTimes>,
    /// The resolution clock, if it can run.
    pub resolution: Option<ClockTimes>,
}

/// When a clock warns its owner and when it is breached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClockTimes {
    /// The warning.
    pub warn_at: DateTime<Utc>,
    /// The deadline.
    pub due_at: DateTime<Utc>,
}

/// Stops a case's clock as met (the first met time stands), at the instant
/// the case records: its first response or resolution, so the breach list
/// (from the clocks) and the figures (from the case) agree to the microsecond.
#[tracing::instrument(skip(conn))]
pub async fn mark_met(conn: &mut PgConnection, case_id: Uuid, target: SlaTarget) -> Result<()> {
    sqlx::query(
        "UPDATE sla_clocks k
         SET met_at = coalesce(CASE k.target WHEN 'first_response' THEN c.first_response_at ELSE c.resolved_at END,
                               clock_timestamp())
         FROM cases c
         WHERE c.id = k.case_id AND k.case_id = $1 AND k.target = $2 AND k.met_at IS NULL",
    )
    .bind(case_id)
    .bind(target)
    .execute(conn)
    .await?;
    Ok(())
}

/// Sets a met clock running again (a reopened case is not resolved after
/// all); it keeps its deadline, so one already past is breached by the next
/// sweep.
#[tracing::instrument(skip(conn))]
pub async fn resume(conn: &mut PgConnection, case_id: Uuid, target: SlaTarget) -> Result<()> {
    sqlx::query("UPDATE sla_clocks SET met_at = NULL WHERE case_id = $1 AND target = $2")
        .bind(case_id)
        .bind(target)
        .execute(conn)
        .await?;
    Ok(())
}

/// Running clocks past their warning time and not yet warned, locked, and
/// marked warned; rows another router holds are skipped.
#[tracing::instrument(skip(conn))]
pub async fn claim_warnings(conn: &mut PgConnection, now: DateTime<Utc>, limit: i64) -> Result<Vec<SlaClock>> {
    Ok(sqlx::query_as(
        "UPDATE sla_clocks SET warned_at = $1
         WHERE (case_id, target) IN (
             SELECT case_id, target FROM sla_clocks
             WHERE warned_at IS NULL AND met_at IS NULL AND breached_at IS NULL AND warn_at <= $1
             ORDER BY warn_at LIMIT $2 FOR UPDATE SKIP LOCKED)
         RETURNING *",
    )
    .bind(now)
    .bind(limit)
    .fetch_all(conn)
    .await?)
}

/// Running clocks past their deadline, locked, and marked breached.
#[tracing::instrument(skip(conn))]
pub async fn claim_breaches(conn: &mut PgConnection, now: DateTime<Utc>, limit: i64) -> Result<Vec<SlaClock>> {
    Ok(sqlx::query_as(
        "UPDATE sla_clocks SET breached_at = $1
         WHERE (case_id, target) IN (
             SELECT case_id, target FROM sla_clocks
             WHERE breached_at IS NULL AND met_at IS NULL AND due_at <= $1
             ORDER BY due_at LIMIT $2 FOR UPDATE SKIP LOCKED)
         RETURNING *",
    )
    .bind(now)
    .bind(limit)
    .fetch_all(conn)
    .await?)
}

/// A case's clocks.
#[tracing::instrument(skip(e))]
pub async fn clocks_for(e: impl PgExecutor<'_>, case_id: Uuid) -> Result<Vec<SlaClock>> {
    Ok(sqlx::query_as("SELECT * FROM sla_clocks WHERE case_id = $1 ORDER BY target").bind(case_id).fetch_all(e).await?)
}

/// The running (unmet) clocks of a responder's open cases, for their inbox.
#[tracing::instrument(skip(e))]
pub async fn running_for_owner(e: impl PgExecutor<'_>, owner_id: Uuid) -> Result<Vec<SlaClock>> {
    Ok(sqlx::query_as(
        "SELECT k.* FROM sla_clocks k JOIN cases c ON c.id = k.case_id
         WHERE c.owner_id = $1 AND c.status = 'open' AND k.met_at IS NULL
         ORDER BY k.due_at",
    )
    .bind(owner_id)
    .fetch_all(e)
    .await?)
}
