//! Walk-in points (Batcaves).

use serde::Serialize;
use sqlx::{PgExecutor, types::Json};
use uuid::Uuid;

use crate::{Result, opening_hours::OpeningHours};

/// A walk-in point as stored.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct WalkInPoint {
    /// Stable id.
    pub id: Uuid,
    /// The city's own name for it, e.g. "Batcave Kallio", seen by staff.
    pub name: String,
    /// What residents read (SMS receipts, printed tickets), e.g. "Kallion
    /// asiointipiste".
    pub public_name: String,
    /// Street address.
    pub address: String,
    /// District.
    pub area: String,
    /// Weekly opening hours, Helsinki time.
    #[schema(value_type = OpeningHours)]
    pub opening_hours: Json<OpeningHours>,
}

/// Adds a walk-in point.
#[tracing::instrument(skip(e, hours))]
pub async fn insert(
    e: impl PgExecutor<'_>,
    name: &str,
    public_name: &str,
    address: &str,
    area: &str,
    hours: &OpeningHours,
) -> Result<WalkInPoint> {
    Ok(sqlx::query_as(
        "INSERT INTO walk_in_points (id, name, public_name, address, area, opening_hours)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING *",
    )
    .bind(Uuid::new_v4())
    .bind(name)
    .bind(public_name)
    .bind(address)
    .bind(area)
    .bind(Json(hours))
    .fetch_one(e)
    .await?)
}

/// Every walk-in point, by name.
#[tracing::instrument(skip(e))]
pub async fn list(e: impl PgExecutor<'_>) -> Result<Vec<WalkInPoint>> {
    Ok(sqlx::query_as("SELECT * FROM walk_in_points ORDER BY name").fetch_all(e).await?)
}

/// A walk-in point by name.
#[tracing::instrument(skip(e))]
pub async fn by_name(e: impl PgExecutor<'_>, name: &str) -> Result<Option<WalkInPoint>> {
    Ok(sqlx::query_as("SELECT * FROM walk_in_points WHERE name = $1").bind(name).fetch_optional(e).await?)
}

/// A walk-in point by id.
#[tracing::instrument(skip(e))]
pub async fn get(e: impl PgExecutor<'_>, id: Uuid) -> Result<Option<WalkInPoint>> {
    Ok(sqlx::query_as("SELECT * FROM walk_in_points WHERE id = $1").bind(id).fetch_optional(e).await?)
}
