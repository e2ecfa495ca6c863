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

/// Stores a session opened through the city's provider for `responder_id`,
/// naming the provider's subject and session so back-channel logout can end it.
#[tracing::instrument(skip_all)]
pub async fn insert_oidc(
    e: impl PgExecutor<'_>,
    token_hash: &[u8],
    responder_id: Uuid,
    expires_at: DateTime<Utc>,
    subject: &str,
    sid: Option<&str>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO console_sessions (token_hash, responder_id, expires_at, oidc_subject, oidc_sid)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(token_hash)
    .bind(responder_id)
    .bind(expires_at)
    .bind(subject)
    .bind(sid)
    .execute(e)
    .await?;
    Ok(())
}

/// Ends the sessions a back-channel logout names: opened through the
/// provider for `subject` (when given) in its session `sid` (when given).
/// The caller gives at least one; returns how many ended.
#[tracing::instrument(skip(e))]
pub async fn delete_for_logout(e: impl PgExecutor<'_>, subject: Option<&str>, sid: Option<&str>) -> Result<u64> {
    if subject.is_none() && sid.is_none() {
        return Ok(0);
    }
    Ok(sqlx::query(
        "DELETE FROM console_sessions WHERE oidc_subject IS NOT NULL
           AND ($1::text IS NULL OR oidc_subject = $1) AND ($2::text IS NULL OR oidc_sid = $2)",
    )
    .bind(subject)
    .bind(sid)
    .execute(e)
    .await?
    .rows_affected())
}

/// The responder signed in with this token, if the session has neither
/// expired nor sat unused for `idle`. Using it restarts the idle timer and
/// counts as presence; the use is recorded only once the last one is
/// `touch_every` old, or older than the responder's last departure (a
/// console closed), which a request must outdate at once to make them
/// present again. A request in between writes nothing, so it costs no
/// commit and waits for no other request's row lock.
#[tracing::instrument(skip_all)]
pub async fn responder(
    e: impl PgExecutor<'_>,
    token_hash: &[u8],
    idle: std::time::Duration,
    touch_every: std::time::Duration,
) -> Result<Option<Responder>> {
    Ok(sqlx::query_as(
        "WITH s AS (
             SELECT token_hash, responder_id, last_seen_at FROM console_sessions
             WHERE token_hash = $1 AND expires_at > clock_timestamp()
               AND last_seen_at > clock_timestamp() - make_interval(secs => $2)
         ), touched AS (
             UPDATE console_sessions t SET last_seen_at = clock_timestamp()
             FROM s
             WHERE t.token_hash = s.token_hash
               AND (s.last_seen_at <= clock_timestamp() - make_interval(secs => $3)
                    OR EXISTS (SELECT 1 FROM console_departures d
                               WHERE d.responder_id = s.responder_id AND d.left_at >= s.last_seen_at))
         )
         SELECT r.* FROM s JOIN responders r ON r.id = s.responder_id",
    )
    .bind(token_hash)
    .bind(idle.as_secs_f64())
    .bind(touch_every.as_secs_f64())
    .fetch_optional(e)
    .await?)
}

/// Forgets sessions that have expired or gone idle, so the table does not
/// grow with every sign-in; returns how many went.
#[tracing::instrument(skip_all)]
pub async fn delete_stale(e: impl PgExecutor<'_>, idle: std::time::Duration) -> Result<u64> {
    Ok(sqlx::query(
        "DELETE FROM console_sessions
         WHERE expires_at <= clock_timestamp() OR last_seen_at <= clock_timestamp() - make_interval(secs => $1)",
    )
    .bind(idle.as_secs_f64())
    .execute(e)
    .await?
    .rows_affected())
}

/// Ends a session; returns whose it was, if it was one.
#[tracing::instrument(skip_all)]
pub async fn delete(e: impl PgExecutor<'_>, token_hash: &[u8]) -> Result<Option<Uuid>> {
    Ok(sqlx::query_scalar("DELETE FROM console_sessions WHERE token_hash = $1 RETURNING responder_id")
        .bind(token_hash)
        .fetch_optional(e)
        .await?)
}

/// True while the session neither expired nor went idle. Unlike
/// [`responder`] it does not count as use: a console tab left open with its
/// live socket must not keep a session alive forever.
#[tracing::instrument(skip_all)]
pub async fn still_valid(e: impl PgExecutor<'_>, token_hash: &[u8], idle: std::time::Duration) -> Result<bool> {
    Ok(sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM console_sessions WHERE token_hash = $1 AND expires_at > clock_timestamp()
                        AND last_seen_at > clock_timestamp() - make_interval(secs => $2))",
    )
    .bind(token_hash)
    .bind(idle.as_secs_f64())
    .fetch_one(e)
    .await?)
}

/// Ends every session of a responder (after their password was reset).
#[tracing::instrument(skip(e))]
pub async fn delete_for_responder(e: impl PgExecutor<'_>, responder_id: Uuid) -> Result<u64> {
    Ok(sqlx::query("DELETE FROM console_sessions WHERE responder_id = $1")
        .bind(responder_id)
        .execute(e)
        .await?
        .rows_affected())
}
