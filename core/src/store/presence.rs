//! Presence: whether a responder is at their console now, whatever their
//! duty flag says. Present means a live socket open (a row here, refreshed
//! at every heartbeat), or a console closed less than [`CLOSE_GRACE`] ago,
//! or a signed-in request within `BATLINE_PRESENCE_SECONDS` made after the
//! last close (the sessions table records every request already, so
//! activity costs no extra write). The rule itself is the SQL function
//! `present_responders` (migration `20261208000140_present_responders.sql`):
//! the set of those present, which the router's candidates and the lead's
//! board read once a query, and which `responder_present` asks of one. Ask
//! it in `FROM` (`SELECT p FROM present_responders(…) AS p`): there it is
//! inlined into the query and planned with it (migration
//! `20261209000150_present_responders_inlined.sql`).
//!
//! Every time is PostgreSQL's clock: several consoles and routers on
//! several machines then never disagree about who was seen when.

use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;
use uuid::Uuid;

use crate::Result;

/// How long a console that closed its last socket still counts as present:
/// going from one console page to the next closes the old page's socket a
/// moment before the new page opens its own.
pub const CLOSE_GRACE: Duration = Duration::from_secs(5);

/// Records a live socket a console instance opened for a responder, valid
/// for `ttl` unless refreshed; clears away rows of sockets whose console
/// died without closing them.
#[tracing::instrument(skip(e))]
pub async fn socket_opened(
    e: impl PgExecutor<'_>,
    socket_id: Uuid,
    responder_id: Uuid,
    instance_id: Uuid,
    ttl: Duration,
) -> Result<()> {
    sqlx::query(
        "WITH stale AS (DELETE FROM console_sockets WHERE expires_at < clock_timestamp())
         INSERT INTO console_sockets (id, responder_id, instance_id, expires_at)
         VALUES ($1, $2, $3, clock_timestamp() + make_interval(secs => $4))",
    )
    .bind(socket_id)
    .bind(responder_id)
    .bind(instance_id)
    .bind(ttl.as_secs_f64())
    .execute(e)
    .await?;
    Ok(())
}

/// Keeps a live socket's row for another `ttl` (at every heartbeat).
#[tracing::instrument(skip(e))]
pub async fn socket_refreshed(e: impl PgExecutor<'_>, socket_id: Uuid, ttl: Duration) -> Result<()> {
    sqlx::query("UPDATE console_sockets SET expires_at = clock_timestamp() + make_interval(secs => $2) WHERE id = $1")
        .bind(socket_id)
        .bind(ttl.as_secs_f64())
        .execute(e)
        .await?;
    Ok(())
}

/// Forgets a closed socket and records the departure, in one statement:
/// requests made before it no longer count as presence.
#[tracing::instrument(skip(e))]
pub async fn socket_closed(e: impl PgExecutor<'_>, socket_id: Uuid) -> Result<()> {
    sqlx::query(
        "WITH gone AS (DELETE FROM console_sockets WHERE id = $1 RETURNING responder_id)
         INSERT INTO console_departures (responder_id, left_at)
         SELECT responder_id, clock_timestamp() FROM gone
         ON CONFLICT (responder_id) DO UPDATE SET left_at = EXCLUDED.left_at",
    )
    .bind(socket_id)
    .execute(e)
    .await?;
    Ok(())
}

/// Forgets every socket a console instance held, as it shuts down: its
/// browsers reconnect to another instance, which is not leaving.
#[tracing::instrument(skip(e))]
pub async fn instance_stopped(e: impl PgExecutor<'_>, instance_id: Uuid) -> Result<u64> {
    Ok(sqlx::query("DELETE FROM console_sockets WHERE instance_id = $1")
        .bind(instance_id)
        .execute(e)
        .await?
        .rows_affected())
}

/// Whether a responder is present now.
#[tracing::instrument(skip(e))]
pub async fn is_present(e: impl PgExecutor<'_>, responder_id: Uuid, window: Duration) -> Result<bool> {
    Ok(sqlx::query_scalar("SELECT responder_present($1, make_interval(secs => $2), make_interval(secs => $3))")
        .bind(responder_id)
        .bind(window.as_secs_f64())
        .bind(CLOSE_GRACE.as_secs_f64())
        .fetch_one(e)
        .await?)
}

/// What the lead's board shows of one responder's presence.
#[derive(Debug, Clone, Copy, serde::Serialize, sqlx::FromRow)]
pub struct Sighting {
    /// Present now.
    pub present: bool,
    /// A live socket is open now.
    pub console_open: bool,
    /// Their latest signed-in request, if any session is still valid.
    pub last_seen_at: Option<DateTime<Utc>>,
}
