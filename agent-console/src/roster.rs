//! Roster administration: import shifts from CSV and check the coverage of
//! the coming days. For leads, the mayor and admins.

use axum::{
    Json,
    extract::{Query, State},
    http::{HeaderMap, StatusCode, header::CONTENT_TYPE},
};
use batline_core::{
    roster::{self, Gap},
    store::responders::Responder,
};
use serde::{Deserialize, Serialize};

use crate::{AppState, auth::SignedIn, error::ApiError};

fn ensure_lead(me: &Responder) -> Result<(), ApiError> {
    if me.role.may_reassign() {
        Ok(())
    } else {
        Err(ApiError::Forbidden("rosters are for leads, the mayor and admins".into()))
    }
}

/// Result of an import.
#[derive(Debug, Serialize)]
pub struct Imported {
    imported: usize,
}

/// `POST /api/v1/roster/import`: a `text/csv` roster (see `batline_core::roster`).
/// All rows or none: a bad row is named in a 422.
pub async fn import(
    State(state): State<AppState>,
    SignedIn(me): SignedIn,
    headers: HeaderMap,
    body: String,
) -> Result<(StatusCode, Json<Imported>), ApiError> {
    // Who asks comes before what they sent: a responder gets 403 either way.
    ensure_lead(&me)?;
    let csv = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("text/csv"));
    if !csv {
        return Err(ApiError::Unprocessable(
            "send the roster as text/csv with the header date,start,end,area,lead,members".into(),
        ));
    }
    let imported = import_as(&state, &me, &body).await?;
    Ok((StatusCode::CREATED, Json(Imported { imported })))
}

/// Imports a roster CSV as `me` (the API and the admin page both come
/// here); returns how many shifts it held.
pub(crate) async fn import_as(state: &AppState, me: &Responder, csv: &str) -> Result<usize, ApiError> {
    ensure_lead(me)?;
    let shifts = roster::parse_csv(csv)?;
    let imported = roster::import(&state.pool, &shifts).await?;
    tracing::info!(imported, by = %me.username, "roster imported");
    Ok(imported)
}

/// Query of the coverage check.
#[derive(Debug, Deserialize)]
pub struct CoverageQuery {
    days: Option<u32>,
}

/// `GET /api/v1/roster/coverage?days=7`: every stretch of the coming days
/// with nobody on duty for a language or an area.
pub async fn coverage(
    State(state): State<AppState>,
    SignedIn(me): SignedIn,
    Query(query): Query<CoverageQuery>,
) -> Result<Json<Vec<Gap>>, ApiError> {
    Ok(Json(coverage_as(&state, &me, query.days.unwrap_or(7)).await?))
}

/// The coverage gaps of the coming `days` (1 to 31), as `me`.
pub(crate) async fn coverage_as(state: &AppState, me: &Responder, days: u32) -> Result<Vec<Gap>, ApiError> {
    ensure_lead(me)?;
    if !(1..=31).contains(&days) {
        return Err(ApiError::Unprocessable("days must be between 1 and 31".into()));
    }
    Ok(roster::check(&state.pool, chrono::Utc::now(), days).await?)
}
