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

/// Adds a shift with its lead and members.
#[tracing::instrument(skip(conn, members))]
pub async fn insert(
    conn: &mut PgConnection,
    area: Option<&str>,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    lead_id: Uuid,
    members: &[Uuid],
) -> Result<Uuid> {
    let id = Uuid::new_v4();
    sqlx::query("INSERT INTO shifts (id, area, starts_at, ends_at, lead_id) VALUES ($1, $2, $3, $4, $5)")
        .bind(id)
        .bind(area)
        .bind(starts_at)
        .bind(ends_at)
        .bind(lead_id)
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
/// that lead is not off duty. The most recently started shift wins.
#[tracing::instrument(skip(conn))]
pub async fn current_lead(
    conn: &mut PgConnection,
    area: Option<&str>,
    at: DateTime<Utc>,
) -> Result<Option<(Uuid, String)>> {
    Ok(sqlx::query_as(
        "SELECT r.id, r.display_name FROM shifts s JOIN responders r ON r.id = s.lead_id
         WHERE s.area IS NOT DISTINCT FROM $1 AND s.starts_at <= $2 AND s.ends_at > $2 AND r.duty_status <> 'off'
         ORDER BY s.starts_at DESC LIMIT 1",
    )
    .bind(area)
    .bind(at)
    .fetch_optional(conn)
    .await?)
}
