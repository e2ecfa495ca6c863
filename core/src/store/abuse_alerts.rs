//! Abuse alerts: episodes in which a service refused new work for everyone
//! because the traffic looked like an attack. The gateway records them, the
//! console's lead page lists them.

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;
use uuid::Uuid;

use crate::Result;

/// The kind of an alert that new web chats were refused for everyone.
pub const CHAT_FLOOD: &str = "chat_flood";

/// An alert as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AbuseAlert {
    /// The episode.
    pub id: Uuid,
    /// What was refused ([`CHAT_FLOOD`]).
    pub kind: String,
    /// The threshold crossed, a minute.
    pub threshold: i32,
    /// Refusals in the episode, at least.
    pub refused: i64,
    /// When the first refusal was recorded.
    pub started_at: DateTime<Utc>,
    /// When the count was last brought up to date.
    pub last_at: DateTime<Utc>,
}

/// Records episode `id` with `refused` refusals so far: the first call
/// inserts it, the next ones bring its count and end up to date.
pub async fn record(e: impl PgExecutor<'_>, id: Uuid, kind: &str, threshold: u32, refused: u64) -> Result<()> {
    sqlx::query(
        "INSERT INTO abuse_alerts (id, kind, threshold, refused) VALUES ($1, $2, $3, $4)
         ON CONFLICT (id) DO UPDATE
            SET refused = GREATEST(abuse_alerts.refused, EXCLUDED.refused), last_at = clock_timestamp()",
    )
    .bind(id)
    .bind(kind)
    .bind(i32::try_from(threshold).unwrap_or(i32::MAX))
    .bind(i64::try_from(refused).unwrap_or(i64::MAX))
    .execute(e)
    .await?;
    Ok(())
}

/// The alerts whose episode went on after `since`, latest first, at most `limit`.
pub async fn since(e: impl PgExecutor<'_>, since: DateTime<Utc>, limit: i64) -> Result<Vec<AbuseAlert>> {
    Ok(sqlx::query_as("SELECT * FROM abuse_alerts WHERE last_at > $1 ORDER BY last_at DESC LIMIT $2")
        .bind(since)
        .bind(limit)
        .fetch_all(e)
        .await?)
}
