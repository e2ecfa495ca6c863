//! Call-back tasks: a caller who reached nobody is owed a call by the case's
//! owner before a deadline. The deadline lives in the row, so it survives
//! restarts, and routers claim overdue rows with `FOR UPDATE SKIP LOCKED`.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use crate::{
    Result,
    domain::{CallBackReason, CallBackStatus},
};

/// A call-back task as stored.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct CallBack {
    /// Stable id.
    pub id: Uuid,
    /// The case; its owner is the one who must call.
    pub case_id: Uuid,
    /// The call that asked for it.
    pub call_sid: Option<String>,
    /// Why the caller is owed a call.
    pub reason: CallBackReason,
    /// Open, done or cancelled.
    pub status: CallBackStatus,
    /// When it was asked for.
    pub requested_at: DateTime<Utc>,
    /// When the current owner must have called by.
    pub due_at: DateTime<Utc>,
    /// Deadlines missed so far (each moved the case on).
    pub misses: i32,
    /// When it was done or cancelled.
    pub closed_at: Option<DateTime<Utc>>,
    /// The call-back call that reached the resident.
    pub done_call_sid: Option<String>,
}

/// Opens a call-back task for the case, unless one is open already (then
/// `None`: the resident is owed one call, not two).
#[tracing::instrument(skip(conn))]
pub async fn open(
    conn: &mut PgConnection,
    case_id: Uuid,
    call_sid: Option<&str>,
    reason: CallBackReason,
    requested_at: DateTime<Utc>,
    due_at: DateTime<Utc>,
) -> Result<Option<CallBack>> {
    Ok(sqlx::query_as(
        "INSERT INTO call_backs (id, case_id, call_sid, reason, requested_at, due_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (case_id) WHERE status = 'open' DO NOTHING
         RETURNING *",
    )
    .bind(Uuid::new_v4())
    .bind(case_id)
    .bind(call_sid)
    .bind(reason)
    .bind(requested_at)
    .bind(due_at)
    .fetch_optional(conn)
    .await?)
}

/// The case's open call-back task.
#[tracing::instrument(skip(e))]
pub async fn open_for_case(e: impl PgExecutor<'_>, case_id: Uuid) -> Result<Option<CallBack>> {
    Ok(sqlx::query_as("SELECT * FROM call_backs WHERE case_id = $1 AND status = 'open'")
        .bind(case_id)
        .fetch_optional(e)
        .await?)
}

/// Open tasks past their deadline, locked; rows another router holds are skipped.
#[tracing::instrument(skip(conn))]
pub async fn claim_overdue(conn: &mut PgConnection, now: DateTime<Utc>, limit: i64) -> Result<Vec<CallBack>> {
    Ok(sqlx::query_as(
        "SELECT * FROM call_backs WHERE status = 'open' AND due_at <= $1
         ORDER BY due_at LIMIT $2 FOR UPDATE SKIP LOCKED",
    )
    .bind(now)
    .bind(limit)
    .fetch_all(conn)
    .await?)
}

/// Gives the task a new deadline after a miss.
#[tracing::instrument(skip(conn))]
pub async fn postpone(conn: &mut PgConnection, id: Uuid, due_at: DateTime<Utc>) -> Result<()> {
    sqlx::query("UPDATE call_backs SET due_at = $2, misses = misses + 1 WHERE id = $1")
        .bind(id)
        .bind(due_at)
        .execute(conn)
        .await?;
    Ok(())
}

/// Closes the case's open task as done (with the call that reached the
/// resident) or cancelled. `None` when there was no open task.
#[tracing::instrument(skip(conn))]
pub async fn close(
    conn: &mut PgConnection,
    case_id: Uuid,
    status: CallBackStatus,
    done_call_sid: Option<&str>,
) -> Result<Option<CallBack>> {
    Ok(sqlx::query_as(
        "UPDATE call_backs SET status = $2, closed_at = clock_timestamp(), done_call_sid = $3
         WHERE case_id = $1 AND status = 'open'
         RETURNING *",
    )
    .bind(case_id)
    .bind(status)
    .bind(done_call_sid)
    .fetch_optional(conn)
    .await?)
}
