//! The city's districts, as cases, responders and walk-in points name them.

use axum::{Json, extract::State};
use batline_core::store::{self, areas::District};

use crate::{
    http::{error::ApiError, signed_in::SignedIn},
    state::AppState,
};

/// `GET /api/v1/districts`: every district by Finnish name (empty before the
/// city's areas are loaded with `batline areas load`).
#[utoipa::path(get, operation_id = "list_districts", path = "/api/v1/districts", tag = "administration", responses(
    (status = 200, description = "The districts with their Finnish and Swedish names", body = [District]),
    crate::http::responses::Signed,
))]
pub async fn list(State(state): State<AppState>, SignedIn(_): SignedIn) -> Result<Json<Vec<District>>, ApiError> {
    Ok(Json(store::areas::districts(&state.pool).await?))
}
