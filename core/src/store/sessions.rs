//! Console sign-in sessions. Tokens are random; only their SHA-256 is kept,
//! so a leaked table does not let anyone sign in.

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;
use uuid::Uuid;

use crate::{Result, store::responders::Responder};

/// Stores a session for `responder_id`.
#[tracing::instrument(skip_all)]
pub async fn insert(
    e: impl PgExecutor<'_>,
    token_hash: &[u8],
    responder_id: Uuid,
    expires_at: DateTime<Utc>,
) -> Result<()> {
    sqlx::query("INSERT INTO console_sessions (token_hash, responder_id, expires_at) VALUES ($1, $2, $3)")
        .bind(token_hash)
        .bind(responder_id)
        .bind(expires_at)
        .execute(e)
        .await?;
    Ok(())
}

/// The responder signed in with this token, if the session is still valid.
#[tracing::instrument(skip_all)]
pub async fn responder(e: impl PgExecutor<'_>, token_hash: &[u8]) -> Result<Option<Responder>> {
    Ok(sqlx::query_as(
        "SELECT r.* FROM console_sessions s JOIN responders r ON r.id = s.responder_id
         WHERE s.token_hash = $1 AND s.expires_at > clock_timestamp()",
    )
    .bind(token_hash)
    .fetch_optional(e)
    .await?)
}

/// Ends a session.
#[tracing::instrument(skip_all)]
pub async fn delete(e: impl PgExecutor<'_>, token_hash: &[u8]) -> Result<()> {
    sqlx::query("DELETE FROM console_sessions WHERE token_hash = $1").bind(token_hash).execute(e).await?;
    Ok(())
}
