//! One-time codes with which a chat resident proves that a phone or an
//! email address they gave is theirs (`migrations/…_resident_links.sql`).

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use crate::Result;

/// A code as stored (its hash only).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ContactCode {
    /// Stable id.
    pub id: Uuid,
    /// `phone` or `email`.
    pub kind: String,
    /// The phone (E.164) or the address (stored form) it confirms.
    pub address: String,
    /// SHA-256 of the code.
    pub code_hash: Vec<u8>,
    /// Wrong tries so far.
    pub attempts: i32,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
    /// When it was used.
    pub confirmed_at: Option<DateTime<Utc>>,
}

/// Records a code sent to `address` for chat session `session_id`.
#[tracing::instrument(skip(conn, address, code_hash))]
pub async fn insert(
    conn: &mut PgConnection,
    session_id: Uuid,
    kind: &str,
    address: &str,
    code_hash: &[u8],
    expires_at: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO contact_codes (id, session_id, kind, address, code_hash, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(Uuid::new_v4())
    .bind(session_id)
    .bind(kind)
    .bind(address)
    .bind(code_hash)
    .bind(expires_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// How many codes session `session_id` was sent since `since`.
#[tracing::instrument(skip(e))]
pub async fn sent_since(e: impl PgExecutor<'_>, session_id: Uuid, since: DateTime<Utc>) -> Result<i64> {
    Ok(sqlx::query_scalar("SELECT count(*) FROM contact_codes WHERE session_id = $1 AND created_at >= $2")
        .bind(session_id)
        .bind(since)
        .fetch_one(e)
        .await?)
}

/// The newest code of session `session_id`, locked.
#[tracing::instrument(skip(conn))]
pub async fn lock_latest(conn: &mut PgConnection, session_id: Uuid) -> Result<Option<ContactCode>> {
    Ok(sqlx::query_as(
        "SELECT id, kind, address, code_hash, attempts, expires_at, confirmed_at FROM contact_codes
          WHERE session_id = $1 ORDER BY created_at DESC LIMIT 1 FOR UPDATE",
    )
    .bind(session_id)
    .fetch_optional(conn)
    .await?)
}

/// Counts a wrong try.
#[tracing::instrument(skip(conn))]
pub async fn count_attempt(conn: &mut PgConnection, id: Uuid) -> Result<()> {
    sqlx::query("UPDATE contact_codes SET attempts = attempts + 1 WHERE id = $1").bind(id).execute(conn).await?;
    Ok(())
}

/// Marks a code used.
#[tracing::instrument(skip(conn))]
pub async fn mark_confirmed(conn: &mut PgConnection, id: Uuid) -> Result<()> {
    sqlx::query("UPDATE contact_codes SET confirmed_at = clock_timestamp() WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Deletes the codes (and so the addresses) of resident `resident_id`'s
/// chat session: part of forgetting them.
#[tracing::instrument(skip(conn))]
pub async fn forget_for_resident(conn: &mut PgConnection, resident_id: Uuid) -> Result<u64> {
    Ok(sqlx::query(
        "DELETE FROM contact_codes WHERE session_id IN (SELECT id FROM chat_sessions WHERE resident_id = $1)",
    )
    .bind(resident_id)
    .execute(conn)
    .await?
    .rows_affected())
}
