//! `GET /api/v1/search?q=`: the console's search (`operations::search`) for
//! clients of the JSON API.

use axum::{Json, extract::State};
use serde::Deserialize;

use crate::{
    http::{error::ApiError, extract::Query, signed_in::SignedIn},
    operations::search::{self, Results},
    state::AppState,
};

/// The query of `GET /api/v1/search`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// A tracking code, a phone, or words to find in the messages (web-search
    /// syntax: "a phrase", -not, or), at most 200 characters.
    #[param(min_length = 1, max_length = 200, pattern = "^[\\s\\S]*[^\\s\\x00-\\x1f\\x7f-\\x9f][\\s\\S]*$")]
    q: String,
}

/// Finds cases as the signed-in person may: a responder their own, leads,
/// the mayor and admins every case, desk staff only by code or phone and
/// without the words.
#[utoipa::path(get, path = "/api/v1/search", tag = "cases", params(SearchParams), responses(
    (status = 200, description = "The cases found, best first", body = Results),
    (status = 400, description = "No `q`", body = crate::http::error::ErrorBody),
    (status = 422, description = "An empty or too long `q`", body = crate::http::error::ErrorBody),
    crate::http::responses::Signed,
))]
pub async fn search(
    State(state): State<AppState>,
    SignedIn(me): SignedIn,
    Query(params): Query<SearchParams>,
) -> Result<Json<Results>, ApiError> {
    Ok(Json(search::search(&state, &me, &params.q).await?))
}
