//! Open311 client applications and their API keys (admins only).

use axum::{Json, extract::State, http::StatusCode};
use batline_core::store::{self, open311::Client};
use uuid::Uuid;

use crate::{
    http::{
        error::ApiError,
        extract::{self, Path},
        signed_in::SignedIn,
    },
    operations::open311_clients::{Issued, NewClient, ensure_admin, issue_as, revoke_as},
    state::AppState,
};

/// `GET /api/v1/open311/clients`: every client application, newest first.
#[utoipa::path(get, operation_id = "list_open311_clients", path = "/api/v1/open311/clients", tag = "administration", responses(
    (status = 200, description = "The client applications (their keys are never shown again)", body = [Client]),
    (status = 403, description = "Not an admin", body = crate::http::error::ErrorBody),
    crate::http::responses::Signed,
))]
pub async fn list(State(state): State<AppState>, SignedIn(me): SignedIn) -> Result<Json<Vec<Client>>, ApiError> {
    ensure_admin(&me)?;
    Ok(Json(store::open311::clients(&state.pool).await?))
}

/// `POST /api/v1/open311/clients`: issues a key to a new client application.
#[utoipa::path(post, operation_id = "issue_open311_key", path = "/api/v1/open311/clients", tag = "administration", request_body = NewClient, responses(
    (status = 201, description = "Issued: the key is in this answer and nowhere else", body = Issued),
    (status = 403, description = "Not an admin", body = crate::http::error::ErrorBody),
    crate::http::responses::JsonBody,
    crate::http::responses::Signed,
))]
pub async fn issue(
    State(state): State<AppState>,
    SignedIn(me): SignedIn,
    // Read only after the check below, which answers first whatever was sent.
    body: Result<extract::Json<NewClient>, ApiError>,
) -> Result<(StatusCode, Json<Issued>), ApiError> {
    ensure_admin(&me)?;
    let extract::Json(body) = body?;
    Ok((StatusCode::CREATED, Json(issue_as(&state, &me, body).await?)))
}

/// `POST /api/v1/open311/clients/{id}/revoke`: the key is refused from now on.
#[utoipa::path(post, path = "/api/v1/open311/clients/{id}/revoke", tag = "administration",
    params(("id" = Uuid, Path, description = "The client application")), responses(
    (status = 204, description = "Revoked"),
    (status = 403, description = "Not an admin", body = crate::http::error::ErrorBody),
    (status = 404, description = "No such client with a valid key", body = crate::http::error::ErrorBody),
    crate::http::responses::BadId,
    crate::http::responses::Signed,
))]
pub async fn revoke(
    State(state): State<AppState>,
    SignedIn(me): SignedIn,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    revoke_as(&state, &me, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
