//! Roster shifts.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use crate::Result;

/// A shift with what coverage needs to know about the people on it.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct ShiftCover {
    /// The shift.
    pub id: Uuid,
    /// Its district, or `None` for city-wide.
    pub area: Option<String>,
    /// Start.
    pub starts_at: DateTime<Utc>,
    /// End.
    pub ends_at: DateTime<Utc>,
    /// Languages spoken by anyone on it (lead included).
    pub languages: Vec<String>,
}

/// Adds a shift with its lead and members, imported at `now`.
///
/// A shift already over at `now` is history: both its edges are stored as
/// applied, so the router never acts on them (its people are not taken off
/// duty, their cases not handed on). A shift running at `now` keeps its
/// start edge, so its people go on duty; its end, still ahead, is an order.
#[tracing::instrument(skip(conn, members))]
pub async fn insert(
    conn: &mut PgConnection,
    area: Option<&str>,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    lead_id: Uuid,
    members: &[Uuid],
    now: DateTime<Utc>,
) -> Result<Uuid> {
    let id = Uuid::new_v4();
    sqlx::query(
        "INSERT INTO shifts (id, area, starts_at, ends_at, lead_id, start_applied, end_applied)
         VALUES ($1, $2, $3, $4, $5, $4 <= $6, $4 <= $6)",
    )
    .bind(id)
    .bind(area)
    .bind(starts_at)
    .bind(ends_at)
    .bind(lead_id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO shift_members (shift_id, responder_id)
         SELECT $1, m FROM UNNEST($2::uuid[]) AS m ON CONFLICT DO NOTHING",
    )
    .bind(id)
    .bind(members)
    .execute(conn)
    .await?;
    Ok(id)
}

/// Shifts overlapping `[from, to)`, with their people's languages.
#[tracing::instrument(skip(e))]
pub async fn covering(e: impl PgExecutor<'_>, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Vec<ShiftCover>> {
    Ok(sqlx::query_as(
        "SELECT s.id, s.area, s.starts_at, s.ends_at,
                COALESCE((SELECT array_agg(DISTINCT l) FROM responders r, unnest(r.languages) l
                          WHERE r.id = s.lead_id
                             OR r.id IN (SELECT responder_id FROM shift_members m WHERE m.shift_id = s.id)),
                         '{}') AS languages
         FROM shifts s
         WHERE s.starts_at < $2 AND s.ends_at > $1
         ORDER BY s.starts_at",
    )
    .bind(from)
    .bind(to)
    .fetch_all(e)
    .await?)
}

/// Every district named by a shift or a responder.
#[tracing::instrument(skip(e))]
pub async fn known_areas(e: impl PgExecutor<'_>) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT a FROM (SELECT area AS a FROM shifts WHERE area IS NOT NULL
                        UNION SELECT unnest(areas) FROM responders) t
         ORDER BY a",
    )
    .fetch_all(e)
    .await?)
}

/// The lead of a shift running at `at` for `area` (`None`: city-wide), if
/// that lead is not off duty and has a role that owns cases (responder or
/// lead; see `Role::may_own_cases`). The most recently started shift wins.
#[tracing::instrument(skip(conn))]
pub async fn current_lead(
    conn: &mut PgConnection,
    area: Option<&str>,
    at: DateTime<Utc>,
) -> Result<Option<(Uuid, String)>> {
    Ok(sqlx::query_as(
        "SELECT r.id, r.display_name FROM shifts s JOIN responders r ON r.id = s.lead_id
         WHERE s.area IS NOT DISTINCT FROM $1 AND s.starts_at <= $2 AND s.ends_at > $2 AND r.duty_status <> 'off'
           AND r.role IN ('responder', 'lead')
         ORDER BY s.starts_at DESC LIMIT 1",
    )
    .bind(area)
    .bind(at)
    .fetch_optional(conn)
    .await?)
}

/// Which edge of a shift.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edge {
    /// Its people go on duty.
    Start,
    /// Its people go off duty unless another running shift keeps them.
    End,
}

/// Shifts whose `edge` has come by `now` but was not applied yet, locked;
/// rows another router holds are skipped. A start is claimed only while
/// its shift still runs: see [`retire_missed_starts`].
#[tracing::instrument(skip(conn))]
pub async fn claim_due_edges(conn: &mut PgConnection, edge: Edge, now: DateTime<Utc>, limit: i64) -> Result<Vec<Uuid>> {
    let sql = match edge {
        Edge::Start => {
            "SELECT id FROM shifts WHERE NOT start_applied AND starts_at <= $1 AND ends_at > $1
             ORDER BY starts_at LIMIT $2 FOR UPDATE SKIP LOCKED"
        }
        Edge::End => {
            "SELECT id FROM shifts WHERE NOT end_applied AND ends_at <= $1
             ORDER BY ends_at LIMIT $2 FOR UPDATE SKIP LOCKED"
        }
    };
    Ok(sqlx::query_scalar(sql).bind(now).bind(limit).fetch_all(conn).await?)
}

/// Marks applied, without acting, the starts of shifts over by `now` (the
/// router was down for the whole shift): putting people on duty only to
/// take them off again at once would hand their cases on for nothing.
/// Returns how many.
#[tracing::instrument(skip(conn))]
pub async fn retire_missed_starts(conn: &mut PgConnection, now: DateTime<Utc>) -> Result<u64> {
    Ok(sqlx::query(
        "UPDATE shifts SET start_applied = true
         WHERE id IN (SELECT id FROM shifts WHERE NOT start_applied AND ends_at <= $1 FOR UPDATE SKIP LOCKED)",
    )
    .bind(now)
    .execute(conn)
    .await?
    .rows_affected())
}

/// Marks an edge of a shift applied.
#[tracing::instrument(skip(conn))]
pub async fn mark_applied(conn: &mut PgConnection, id: Uuid, edge: Edge) -> Result<()> {
    let sql = match edge {
        Edge::Start => "UPDATE shifts SET start_applied = true WHERE id = $1",
        Edge::End => "UPDATE shifts SET end_applied = true WHERE id = $1",
    };
    sqlx::query(sql).bind(id).execute(conn).await?;
    Ok(())
}

/// The lead and members of a shift.
#[tracing::instrument(skip(conn))]
pub async fn people(conn: &mut PgConnection, id: Uuid) -> Result<Vec<Uuid>> {
    Ok(sqlx::query_scalar(
        "SELECT lead_id FROM shifts WHERE id = $1
         UNION SELECT responder_id FROM shift_members WHERE shift_id = $1",
    )
    .bind(id)
    .fetch_all(conn)
    .await?)
}

/// True when `responder_id` is on another shift running at `at`.
#[tracing::instrument(skip(conn))]
pub async fn on_other_running_shift(
    conn: &mut PgConnection,
    responder_id: Uuid,
    except: Uuid,
    at: DateTime<Utc>,
) -> Result<bool> {
    Ok(sqlx::query_scalar(
        "SELECT EXISTS (
             SELECT 1 FROM shifts s
             WHERE s.id <> $2 AND s.starts_at <= $3 AND s.ends_at > $3
               AND (s.lead_id = $1 OR EXISTS (SELECT 1 FROM shift_members m WHERE m.shift_id = s.id AND m.responder_id = $1)))",
    )
    .bind(responder_id)
    .bind(except)
    .bind(at)
    .fetch_one(conn)
    .await?)
}
