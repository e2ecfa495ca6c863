//! Walk-in points: everyone signed in can list them; admins add them.

use axum::{Json, extract::State, http::StatusCode};
use batline_core::store::{self, walk_in_points::WalkInPoint};

use crate::{
    http::{error::ApiError, extract, signed_in::SignedIn},
    operations::walk_in_points::{NewPoint, add_as, ensure_admin},
    state::AppState,
};

/// `GET /api/v1/walk-in-points`.
#[utoipa::path(get, operation_id = "list_walk_in_points", path = "/api/v1/walk-in-points", tag = "walk-in", responses(
    (status = 200, description = "The walk-in points with their opening hours", body = [WalkInPoint]),
    crate::http::responses::Signed,
))]
pub async fn list(State(state): State<AppState>, SignedIn(_): SignedIn) -> Result<Json<Vec<WalkInPoint>>, ApiError> {
    Ok(Json(store::walk_in_points::list(&state.pool).await?))
}

/// `POST /api/v1/walk-in-points` (admins).
#[utoipa::path(post, operation_id = "add_walk_in_point", path = "/api/v1/walk-in-points", tag = "walk-in", request_body = NewPoint, responses(
    (status = 201, description = "Added", body = WalkInPoint),
    (status = 403, description = "Not an admin", body = crate::http::error::ErrorBody),
    (status = 409, description = "A walk-in point has that name already", body = crate::http::error::ErrorBody),
    crate::http::responses::JsonBody,
    crate::http::responses::Signed,
))]
pub async fn add(
    State(state): State<AppState>,
    SignedIn(me): SignedIn,
    // Read only after the checks below, which answer first whatever was sent.
    body: Result<extract::Json<NewPoint>, ApiError>,
) -> Result<(StatusCode, Json<WalkInPoint>), ApiError> {
    ensure_admin(&me)?;
    let extract::Json(body) = body?;
    Ok((StatusCode::CREATED, Json(add_as(&state, &me, body).await?)))
}
