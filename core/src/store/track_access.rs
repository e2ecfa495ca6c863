//! Who may read a case's whole conversation on its tracking page besides
//! its owner: the resident who is the case's contact, proven by a one-time
//! code texted to the case's phone. Codes and the browser grants they are
//! exchanged for are stored only as SHA-256 hashes.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use crate::Result;

/// A one-time code as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TrackCode {
    /// Stable id.
    pub id: Uuid,
    /// SHA-256 of the code.
    pub code_hash: Vec<u8>,
    /// Wrong tries so far.
    pub attempts: i32,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
    /// When it was used, if it was.
    pub used_at: Option<DateTime<Utc>>,
}

/// Stores a new code for `case_id`, for the browser whose request token
/// hashes to `requester_hash`.
#[tracing::instrument(skip(conn, code_hash, requester_hash))]
pub async fn insert_code(
    conn: &mut PgConnection,
    case_id: Uuid,
    code_hash: &[u8],
    requester_hash: &[u8],
    expires_at: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO track_codes (id, case_id, code_hash, requester_hash, expires_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(Uuid::new_v4())
    .bind(case_id)
    .bind(code_hash)
    .bind(requester_hash)
    .bind(expires_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// Codes sent for `case_id` since `since`, to cap texts to one phone.
#[tracing::instrument(skip(e))]
pub async fn codes_sent_since(e: impl PgExecutor<'_>, case_id: Uuid, since: DateTime<Utc>) -> Result<i64> {
    Ok(sqlx::query_scalar("SELECT count(*) FROM track_codes WHERE case_id = $1 AND created_at >= $2")
        .bind(case_id)
        .bind(since)
        .fetch_one(e)
        .await?)
}

/// The newest code of `case_id` that the browser holding the request token
/// hashing to `requester_hash` asked for, locked so two tries cannot both
/// use it. Another browser's tries never find it.
#[tracing::instrument(skip(conn, requester_hash))]
pub async fn lock_latest_code(
    conn: &mut PgConnection,
    case_id: Uuid,
    requester_hash: &[u8],
) -> Result<Option<TrackCode>> {
    Ok(sqlx::query_as(
        "SELECT id, code_hash, attempts, expires_at, used_at FROM track_codes
         WHERE case_id = $1 AND requester_hash = $2 ORDER BY created_at DESC LIMIT 1 FOR UPDATE",
    )
    .bind(case_id)
    .bind(requester_hash)
    .fetch_optional(conn)
    .await?)
}

/// Counts a wrong try.
#[tracing::instrument(skip(conn))]
pub async fn count_attempt(conn: &mut PgConnection, id: Uuid) -> Result<()> {
    sqlx::query("UPDATE track_codes SET attempts = attempts + 1 WHERE id = $1").bind(id).execute(conn).await?;
    Ok(())
}

/// Marks a code used.
#[tracing::instrument(skip(conn))]
pub async fn mark_used(conn: &mut PgConnection, id: Uuid) -> Result<()> {
    sqlx::query("UPDATE track_codes SET used_at = clock_timestamp() WHERE id = $1").bind(id).execute(conn).await?;
    Ok(())
}

/// Stores a browser grant for `case_id` until `expires_at`.
#[tracing::instrument(skip(e, token_hash))]
pub async fn insert_grant(
    e: impl PgExecutor<'_>,
    token_hash: &[u8],
    case_id: Uuid,
    expires_at: DateTime<Utc>,
) -> Result<()> {
    sqlx::query("INSERT INTO track_grants (token_hash, case_id, expires_at) VALUES ($1, $2, $3)")
        .bind(token_hash)
        .bind(case_id)
        .bind(expires_at)
        .execute(e)
        .await?;
    Ok(())
}

/// True when `token_hash` grants `case_id` and has not expired.
#[tracing::instrument(skip(e, token_hash))]
pub async fn grant_valid(e: impl PgExecutor<'_>, token_hash: &[u8], case_id: Uuid) -> Result<bool> {
    Ok(sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM track_grants
                        WHERE token_hash = $1 AND case_id = $2 AND expires_at > clock_timestamp())",
    )
    .bind(token_hash)
    .bind(case_id)
    .fetch_one(e)
    .await?)
}
