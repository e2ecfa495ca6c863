//! The service catalogue: every signed-in person reads it; admins add,
//! rename (a new version) and retire topics.

use axum::{Json, extract::State, http::StatusCode};
use batline_core::store::{self, topics::Topic};

use crate::{
    http::{
        error::ApiError,
        extract::{self, Path},
        signed_in::SignedIn,
    },
    operations::topics::{ChangedTopic, NewTopic, add_as, change_as, ensure_admin},
    state::AppState,
};

/// `GET /api/v1/topics`: the catalogue, retired topics too (marked), in its order.
#[utoipa::path(get, operation_id = "list_topics", path = "/api/v1/topics", tag = "administration", responses(
    (status = 200, description = "The topics with their current names", body = [Topic]),
    crate::http::responses::Signed,
))]
pub async fn list(State(state): State<AppState>, SignedIn(_): SignedIn) -> Result<Json<Vec<Topic>>, ApiError> {
    Ok(Json(store::topics::all(&state.pool).await?))
}

/// `POST /api/v1/topics` (admins).
#[utoipa::path(post, operation_id = "add_topic", path = "/api/v1/topics", tag = "administration", request_body = NewTopic, responses(
    (status = 201, description = "Added", body = Topic),
    (status = 403, description = "Not an admin", body = crate::http::error::ErrorBody),
    (status = 409, description = "A topic has that code already", body = crate::http::error::ErrorBody),
    (status = 422, description = "A bad code, name or description", body = crate::http::error::ErrorBody),
    crate::http::responses::JsonBody,
    crate::http::responses::Signed,
))]
pub async fn add(
    State(state): State<AppState>,
    SignedIn(me): SignedIn,
    // Read only after the checks below, which answer first whatever was sent.
    body: Result<extract::Json<NewTopic>, ApiError>,
) -> Result<(StatusCode, Json<Topic>), ApiError> {
    ensure_admin(&me)?;
    let extract::Json(body) = body?;
    Ok((StatusCode::CREATED, Json(add_as(&state, &me, &body).await?)))
}

/// `PUT /api/v1/topics/{code}` (admins): new names as a new version, or retire it.
#[utoipa::path(put, operation_id = "change_topic", path = "/api/v1/topics/{code}", tag = "administration",
    params(("code" = String, Path, description = "The topic's code")), request_body = ChangedTopic, responses(
    (status = 200, description = "Changed", body = Topic),
    (status = 403, description = "Not an admin", body = crate::http::error::ErrorBody),
    (status = 404, description = "No such topic", body = crate::http::error::ErrorBody),
    (status = 422, description = "A bad name or description", body = crate::http::error::ErrorBody),
    crate::http::responses::JsonBody,
    crate::http::responses::Signed,
))]
pub async fn change(
    State(state): State<AppState>,
    SignedIn(me): SignedIn,
    Path(code): Path<String>,
    // Read only after the checks below, which answer first whatever was sent.
    body: Result<extract::Json<ChangedTopic>, ApiError>,
) -> Result<Json<Topic>, ApiError> {
    ensure_admin(&me)?;
    let extract::Json(body) = body?;
    Ok(Json(change_as(&state, &me, &code, &body.text(), body.retired).await?))
}
