//! The rows [`crate::figures::Figures`] keeps its in-memory copy from: one
//! per case, with everything a report needs on the case row itself
//! (migration 19), and only the cases changed since the caller last looked.

use chrono::{DateTime, Utc};
use futures_util::TryStreamExt;
use sqlx::PgPool;
use uuid::Uuid;

use crate::{Result, domain::Channel};

/// One case as the figures see it.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct CaseFact {
    /// The case.
    pub id: Uuid,
    /// Its owner now.
    pub owner_id: Uuid,
    /// The channel of its first contact.
    pub channel: Channel,
    /// Its topic, if known.
    pub topic: Option<String>,
    /// Its area (district), if known.
    pub area: Option<String>,
    /// Whether it is open.
    pub open: bool,
    /// When it opened.
    pub opened_at: DateTime<Utc>,
    /// When it first had a named owner.
    pub owned_at: DateTime<Utc>,
    /// A human's first response.
    pub first_response_at: Option<DateTime<Utc>>,
    /// Its (latest) resolution.
    pub resolved_at: Option<DateTime<Utc>>,
    /// The first-response clock's deadline, if a clock started.
    pub first_response_due_at: Option<DateTime<Utc>>,
    /// The resolution clock's deadline, if a clock started.
    pub resolution_due_at: Option<DateTime<Utc>>,
    /// Whether it was ever reopened.
    pub reopened: bool,
    /// The resident's satisfaction score, 1–5.
    pub satisfaction_score: Option<i32>,
    /// Acknowledgement deadlines missed.
    pub acks_missed: i32,
    /// Hand-offs accepted.
    pub handoffs_accepted: i32,
    /// Whether it was merged into another case (whose figures it is then).
    pub merged: bool,
}

/// Calls `each` with every case changed by a transaction at or after
/// `horizon` (0 for every case), streaming rather than collecting, and
/// returns the horizon to pass next time: the oldest transaction still
/// running when these rows were read. Rows a running transaction commits
/// later carry its id, which is at or after that horizon, so the next call
/// sees them; a row may come twice, never not at all.
#[tracing::instrument(skip(pool, each))]
pub async fn changed_since(pool: &PgPool, horizon: i64, mut each: impl FnMut(CaseFact)) -> Result<i64> {
    let mut tx = pool.begin().await?;
    // One snapshot for the horizon and the rows.
    sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY").execute(&mut *tx).await?;
    let next: i64 =
        sqlx::query_scalar("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint").fetch_one(&mut *tx).await?;
    {
        let mut rows = sqlx::query_as::<_, CaseFact>(
            "SELECT id, owner_id, channel, topic, area, status = 'open' AS open, opened_at, owned_at,
                    first_response_at, resolved_at, first_response_due_at, resolution_due_at,
                    reopened_count > 0 AS reopened, satisfaction_score, acks_missed, handoffs_accepted,
                    merged_into IS NOT NULL AS merged
             FROM cases
             WHERE changed_by >= $1::bigint::text::xid8",
        )
        .bind(horizon)
        .fetch(&mut *tx);
        while let Some(row) = rows.try_next().await? {
            each(row);
        }
    }
    tx.commit().await?;
    Ok(next)
}

/// Every responder's display name, for grouping by responder.
#[tracing::instrument(skip(pool))]
pub async fn responder_names(pool: &PgPool) -> Result<Vec<(Uuid, String)>> {
    Ok(sqlx::query_as("SELECT id, display_name FROM responders").fetch_all(pool).await?)
}
