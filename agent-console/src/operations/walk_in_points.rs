//! Walk-in points: admins add them.

use batline_core::{
    domain::Role,
    opening_hours::OpeningHours,
    store::{self, responders::Responder, walk_in_points::WalkInPoint},
};
use serde::Deserialize;

use crate::{http::error::ApiError, state::AppState};

/// Body of `POST /api/v1/walk-in-points`, and what the admin page's form gives.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPoint {
    /// Its name, e.g. "Batcave Kallio" (1 to 200 characters, unique).
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = "^[\\s\\S]*[^\\s\\x00-\\x1f\\x7f-\\x9f][\\s\\S]*$",
        example = "Batcave Kallio"
    )]
    pub name: String,
    /// Its name as residents read it on SMS receipts and printed tickets,
    /// e.g. "Kallion asiointipiste" (at most 200 characters); default `name`.
    #[serde(default)]
    #[schema(max_length = 200, example = "Kallion asiointipiste")]
    pub public_name: Option<String>,
    /// Street address (1 to 200 characters).
    #[schema(min_length = 1, max_length = 200, pattern = "^[\\s\\S]*[^\\s\\x00-\\x1f\\x7f-\\x9f][\\s\\S]*$")]
    pub address: String,
    /// District (1 to 200 characters).
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = "^[\\s\\S]*[^\\s\\x00-\\x1f\\x7f-\\x9f][\\s\\S]*$",
        example = "Kallio"
    )]
    pub area: String,
    /// `{"mon": [["08:00", "16:00"]], ...}`, Helsinki time.
    #[serde(default)]
    pub opening_hours: OpeningHours,
}

/// Refuses anyone but an admin.
pub fn ensure_admin(me: &Responder) -> Result<(), ApiError> {
    if me.role == Role::Admin {
        Ok(())
    } else {
        Err(ApiError::Forbidden("only an admin can add walk-in points".into()))
    }
}

/// Adds a walk-in point as `me` (the API and the admin page both come here).
pub(crate) async fn add_as(state: &AppState, me: &Responder, body: NewPoint) -> Result<WalkInPoint, ApiError> {
    ensure_admin(me)?;
    for (field, value) in [("name", &body.name), ("address", &body.address), ("area", &body.area)] {
        if value.trim().is_empty() || value.chars().count() > 200 {
            return Err(ApiError::Unprocessable(format!("{field} needs 1 to 200 characters")));
        }
    }
    let public_name = match body.public_name.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        Some(p) if p.chars().count() > 200 => {
            return Err(ApiError::Unprocessable("public_name needs at most 200 characters".into()));
        }
        Some(p) => p,
        None => body.name.trim(),
    };
    let mut conn = state.pool.acquire().await.map_err(batline_core::Error::from)?;
    let area = batline_core::districts::code_of(&mut conn, body.area.trim()).await?.ok_or_else(|| {
        ApiError::Unprocessable(format!(
            "area {:?} is not one of the city's districts; choose one from GET /api/v1/districts",
            body.area.trim()
        ))
    })?;
    let point = store::walk_in_points::insert(
        &mut *conn,
        body.name.trim(),
        public_name,
        body.address.trim(),
        &area,
        &body.opening_hours,
    )
    .await
    .map_err(|e| match e {
        batline_core::Error::Database(ref db) if store::is_unique_violation(db, "walk_in_points_name_key") => {
            batline_core::Error::Conflict(format!("there is a walk-in point called {:?} already", body.name.trim()))
        }
        other => other,
    })?;
    tracing::info!(point = %point.name, by = %me.username, "walk-in point added");
    Ok(point)
}
