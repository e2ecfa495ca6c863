//! Phone calls, keyed by Twilio's CallSid. Twilio reports a call in several
//! requests (the webhook, the dial action, status callbacks) that may arrive
//! late or twice; each write here is shaped so that a repeat changes nothing.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use crate::{
    Result,
    domain::{ActorKind, CallDirection, event_kind},
};

/// A call as stored.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Call {
    /// Twilio's CallSid.
    pub sid: String,
    /// Who started it.
    pub direction: CallDirection,
    /// The case, once the router filed the call.
    pub case_id: Option<Uuid>,
    /// The intake row of an inbound call.
    #[serde(skip)]
    pub intake_id: Option<Uuid>,
    /// The resident's number.
    #[serde(skip)]
    pub resident_phone: String,
    /// Who was dialled, or who called back.
    pub responder_id: Option<Uuid>,
    /// Twilio's latest CallStatus.
    pub status: String,
    /// How the `<Dial>` to a responder ended.
    pub dial_outcome: Option<String>,
    /// When a responder and the resident started talking.
    pub connected_at: Option<DateTime<Utc>>,
    /// When the call ended.
    pub ended_at: Option<DateTime<Utc>>,
    /// Its length as Twilio reported it.
    pub duration_seconds: Option<i32>,
    /// When Batline first heard of it.
    pub created_at: DateTime<Utc>,
}

/// Twilio's CallStatus values after which a call is over.
pub fn is_final_status(status: &str) -> bool {
    matches!(status, "completed" | "busy" | "failed" | "no-answer" | "canceled")
}

/// Records a call-back a responder started.
#[tracing::instrument(skip(conn, resident_phone))]
pub async fn insert_call_back(
    conn: &mut PgConnection,
    sid: &str,
    case_id: Uuid,
    resident_phone: &str,
    responder_id: Uuid,
    status: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO calls (sid, direction, case_id, resident_phone, responder_id, status)
         VALUES ($1, 'call_back', $2, $3, $4, $5)
         ON CONFLICT (sid) DO NOTHING",
    )
    .bind(sid)
    .bind(case_id)
    .bind(resident_phone)
    .bind(responder_id)
    .bind(status)
    .execute(conn)
    .await?;
    Ok(())
}

/// A call, locked for the rest of the transaction.
#[tracing::instrument(skip(conn))]
pub async fn lock(conn: &mut PgConnection, sid: &str) -> Result<Option<Call>> {
    Ok(sqlx::query_as("SELECT * FROM calls WHERE sid = $1 FOR UPDATE").bind(sid).fetch_optional(conn).await?)
}

/// The call of an inbound intake row, locked.
#[tracing::instrument(skip(conn))]
pub async fn lock_by_intake(conn: &mut PgConnection, intake_id: Uuid) -> Result<Option<Call>> {
    Ok(sqlx::query_as("SELECT * FROM calls WHERE intake_id = $1 FOR UPDATE")
        .bind(intake_id)
        .fetch_optional(conn)
        .await?)
}

/// Files an inbound call into its case.
#[tracing::instrument(skip(conn))]
pub async fn link_case(conn: &mut PgConnection, sid: &str, case_id: Uuid) -> Result<()> {
    sqlx::query("UPDATE calls SET case_id = $2, updated_at = clock_timestamp() WHERE sid = $1")
        .bind(sid)
        .bind(case_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Notes whose phone Batline rings for the caller, with the `call_dialled`
/// event `data` on the case's timeline and the outbox row `update` telling
/// consoles, in one statement. Returns the outbox row's id; `None`, having
/// written nothing, when that was noted already (Twilio asked for the same
/// instructions twice).
#[tracing::instrument(skip(e, data, update))]
pub async fn dial(
    e: impl PgExecutor<'_>,
    sid: &str,
    responder_id: Uuid,
    case_id: Uuid,
    data: &serde_json::Value,
    update: super::outbox::RowRef<'_>,
) -> Result<Option<i64>> {
    let (exchange, routing_key, payload, traceparent) = update;
    Ok(sqlx::query_scalar(
        "WITH dialled AS (
             UPDATE calls SET responder_id = $2, updated_at = clock_timestamp()
             WHERE sid = $1 AND responder_id IS DISTINCT FROM $2
             RETURNING sid
         ), event AS (
             INSERT INTO case_events (case_id, kind, actor_kind, actor_id, data)
             SELECT $3, $9, $10, NULL, $4 FROM dialled
         )
         INSERT INTO outbox (exchange, routing_key, payload, traceparent)
         SELECT $5, $6, $7, $8 FROM dialled
         RETURNING id",
    )
    .bind(sid)
    .bind(responder_id)
    .bind(case_id)
    .bind(data)
    .bind(exchange)
    .bind(routing_key)
    .bind(payload)
    .bind(traceparent)
    .bind(event_kind::CALL_DIALLED)
    .bind(ActorKind::System)
    .fetch_optional(e)
    .await?)
}

/// Where an inbound call goes: its case and the case's owner, once the
/// router has filed it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CallRoute {
    /// The case.
    pub case_id: Uuid,
    /// Its code.
    pub tracking_code: String,
    /// The language Batline speaks on it.
    pub language: crate::domain::Language,
    /// The owner.
    pub owner_id: Uuid,
    /// Their name, as the caller hears it.
    pub owner_name: String,
    /// The phone Batline rings.
    pub owner_phone: Option<String>,
}

/// The route of a filed call; `None` while the router has not filed it.
#[tracing::instrument(skip(e))]
pub async fn route(e: impl PgExecutor<'_>, sid: &str) -> Result<Option<CallRoute>> {
    Ok(sqlx::query_as(
        "SELECT c.id AS case_id, c.tracking_code, c.language, c.owner_id,
                r.display_name AS owner_name, r.phone AS owner_phone
         FROM calls k
         JOIN cases c ON c.id = k.case_id
         JOIN responders r ON r.id = c.owner_id
         WHERE k.sid = $1",
    )
    .bind(sid)
    .fetch_optional(e)
    .await?)
}

/// Records how a `<Dial>` ended, once: `false` when it had been recorded
/// already (a retried action callback).
#[tracing::instrument(skip(conn))]
pub async fn record_dial_outcome(
    conn: &mut PgConnection,
    sid: &str,
    outcome: &str,
    duration_seconds: Option<i32>,
) -> Result<bool> {
    let updated = sqlx::query(
        "UPDATE calls
         SET dial_outcome = $2, duration_seconds = COALESCE($3, duration_seconds), updated_at = clock_timestamp()
         WHERE sid = $1 AND dial_outcome IS NULL",
    )
    .bind(sid)
    .bind(outcome)
    .bind(duration_seconds)
    .execute(conn)
    .await?;
    Ok(updated.rows_affected() == 1)
}

/// Records that a responder and the resident started talking on the call,
/// once: `false` when that was known already.
#[tracing::instrument(skip(conn))]
pub async fn mark_connected(conn: &mut PgConnection, sid: &str) -> Result<bool> {
    let updated = sqlx::query(
        "UPDATE calls SET connected_at = clock_timestamp(), updated_at = clock_timestamp()
         WHERE sid = $1 AND connected_at IS NULL",
    )
    .bind(sid)
    .execute(conn)
    .await?;
    Ok(updated.rows_affected() == 1)
}

/// Stores Twilio's latest CallStatus. Returns the call as it was before,
/// or `None` for a call Batline does not know.
#[tracing::instrument(skip(conn))]
pub async fn set_status(
    conn: &mut PgConnection,
    sid: &str,
    status: &str,
    duration_seconds: Option<i32>,
) -> Result<Option<Call>> {
    let Some(before) = lock(&mut *conn, sid).await? else {
        return Ok(None);
    };
    sqlx::query(
        "UPDATE calls
         SET status = $2,
             duration_seconds = COALESCE($3, duration_seconds),
             ended_at = CASE WHEN $4 THEN COALESCE(ended_at, clock_timestamp()) ELSE ended_at END,
             updated_at = clock_timestamp()
         WHERE sid = $1",
    )
    .bind(sid)
    .bind(status)
    .bind(duration_seconds)
    .bind(is_final_status(status))
    .execute(conn)
    .await?;
    Ok(Some(before))
}

/// The calls of a case, oldest first.
#[tracing::instrument(skip(e))]
pub async fn for_case(e: impl PgExecutor<'_>, case_id: Uuid) -> Result<Vec<Call>> {
    Ok(sqlx::query_as("SELECT * FROM calls WHERE case_id = $1 ORDER BY created_at").bind(case_id).fetch_all(e).await?)
}

/// A call-back of the case that has not ended and was started after `since`:
/// a second click on "call back" while the phone is still ringing.
#[tracing::instrument(skip(e))]
pub async fn call_back_in_progress(e: impl PgExecutor<'_>, case_id: Uuid, since: DateTime<Utc>) -> Result<bool> {
    Ok(sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM calls
                        WHERE case_id = $1 AND direction = 'call_back' AND ended_at IS NULL
                          AND dial_outcome IS NULL AND created_at > $2)",
    )
    .bind(case_id)
    .bind(since)
    .fetch_one(e)
    .await?)
}
