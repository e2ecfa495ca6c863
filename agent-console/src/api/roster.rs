//! Roster administration in the JSON API: import shifts from CSV and check
//! the coverage of the coming days (see `operations::roster`).

use axum::{
    Json,
    body::Bytes,
    extract::{State, rejection::BytesRejection},
    http::{HeaderMap, StatusCode, header::CONTENT_TYPE},
};
use batline_core::roster::Gap;
use serde::{Deserialize, Serialize};

use crate::{
    http::{error::ApiError, extract::Query, signed_in::SignedIn},
    operations::roster::{coverage_as, ensure_lead, import_as},
    state::AppState,
};

/// Result of an import.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Imported {
    /// Shifts imported.
    imported: usize,
}

/// `POST /api/v1/roster/import`: a `text/csv` roster (see `batline_core::roster`).
/// All rows or none: a bad row is named in a 422.
#[utoipa::path(post, path = "/api/v1/roster/import", tag = "administration",
    request_body(content = String, content_type = "text/csv", description = "`date,start,end,area,lead,members`, \
        one shift a row, Helsinki local time: `2026-11-23,08:00,16:00,Kallio,linnea,aino;mikko`"),
    responses(
        (status = 201, description = "Every row imported", body = Imported),
        (status = 400, description = "The body could not be read", body = crate::http::error::ErrorBody),
        (status = 403, description = "Not a lead, the mayor or an admin", body = crate::http::error::ErrorBody),
        (status = 413, description = "The body is larger than 64 KiB", body = crate::http::error::ErrorBody),
        (status = 422, description = "Not `text/csv`, not UTF-8, or a row that does not import (named, with why); \
            nothing was imported", body = crate::http::error::ErrorBody),
        crate::http::responses::Signed,
    )
)]
pub async fn import(
    State(state): State<AppState>,
    SignedIn(me): SignedIn,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<Imported>), ApiError> {
    // Who asks comes before what they sent: a responder gets 403 either way.
    ensure_lead(&me)?;
    let csv = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("text/csv"));
    if !csv {
        return Err(ApiError::Unprocessable(
            "send the roster as text/csv with the header date,start,end,area,lead,members".into(),
        ));
    }
    let body = body.map_err(|r| ApiError::Malformed(r.status(), r.body_text()))?;
    let body = std::str::from_utf8(&body)
        .map_err(|_| ApiError::Unprocessable("the roster is not UTF-8 text; save the CSV as UTF-8".into()))?;
    let imported = import_as(&state, &me, body).await?;
    Ok((StatusCode::CREATED, Json(Imported { imported })))
}

/// Query of the coverage check.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CoverageQuery {
    /// Days ahead to check, 1 to 31 (default 7).
    #[param(minimum = 1, maximum = 31)]
    days: Option<u32>,
}

/// `GET /api/v1/roster/coverage?days=7`: every stretch of the coming days
/// with nobody on duty for a language or an area.
#[utoipa::path(get, path = "/api/v1/roster/coverage", tag = "administration", params(CoverageQuery), responses(
    (status = 200, description = "Every stretch with nobody on a running shift who speaks a language, or no shift \
        for an area", body = [Gap]),
    (status = 400, description = "`days` is not a number", body = crate::http::error::ErrorBody),
    (status = 403, description = "Not a lead, the mayor or an admin", body = crate::http::error::ErrorBody),
    (status = 422, description = "`days` is not 1 to 31", body = crate::http::error::ErrorBody),
    crate::http::responses::Signed,
))]
pub async fn coverage(
    State(state): State<AppState>,
    SignedIn(me): SignedIn,
    Query(query): Query<CoverageQuery>,
) -> Result<Json<Vec<Gap>>, ApiError> {
    Ok(Json(coverage_as(&state, &me, query.days.unwrap_or(7)).await?))
}
