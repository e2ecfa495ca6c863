//! Canned replies: ready-made texts a responder picks on the case page and
//! edits before sending. Everyone who answers residents may read them (desk
//! staff never reply, so they may not); admins add and archive them.
//! Archived ones stay stored but are no longer offered.

use axum::{Json, extract::State, http::StatusCode};
use batline_core::{
    domain::Role,
    store::{self, canned_replies::CannedReply},
};
use uuid::Uuid;

use crate::{
    http::{
        error::ApiError,
        extract::{self, Path},
        signed_in::SignedIn,
    },
    operations::canned_replies::{NewCannedReply, add_as, archive_as, ensure_admin},
    state::AppState,
};

/// `GET /api/v1/canned-replies`: every reply still offered, by language and title.
#[utoipa::path(get, operation_id = "list_canned_replies", path = "/api/v1/canned-replies", tag = "cases", responses(
    (status = 200, description = "The canned replies on offer", body = [CannedReply]),
    (status = 403, description = "Desk staff do not reply to residents", body = crate::http::error::ErrorBody),
    crate::http::responses::Signed,
))]
pub async fn list(State(state): State<AppState>, SignedIn(me): SignedIn) -> Result<Json<Vec<CannedReply>>, ApiError> {
    if me.role == Role::Desk {
        return Err(ApiError::Forbidden("desk staff do not reply to residents".into()));
    }
    Ok(Json(store::canned_replies::active(&state.pool).await?))
}

/// `POST /api/v1/canned-replies` (admins).
#[utoipa::path(post, operation_id = "add_canned_reply", path = "/api/v1/canned-replies", tag = "administration", request_body = NewCannedReply, responses(
    (status = 201, description = "Added", body = CannedReply),
    (status = 403, description = "Not an admin", body = crate::http::error::ErrorBody),
    crate::http::responses::JsonBody,
    crate::http::responses::Signed,
))]
pub async fn add(
    State(state): State<AppState>,
    SignedIn(me): SignedIn,
    // Read only after the checks below, which answer first whatever was sent.
    body: Result<extract::Json<NewCannedReply>, ApiError>,
) -> Result<(StatusCode, Json<CannedReply>), ApiError> {
    ensure_admin(&me)?;
    let extract::Json(body) = body?;
    Ok((StatusCode::CREATED, Json(add_as(&state, &me, body).await?)))
}

/// `POST /api/v1/canned-replies/{id}/archive` (admins): no longer offered.
/// 404 if there is no such reply still offered.
#[utoipa::path(post, path = "/api/v1/canned-replies/{id}/archive", tag = "administration",
    params(("id" = Uuid, Path, description = "The canned reply")), responses(
    (status = 204, description = "No longer offered"),
    (status = 403, description = "Not an admin", body = crate::http::error::ErrorBody),
    (status = 404, description = "No such canned reply still offered", body = crate::http::error::ErrorBody),
    crate::http::responses::BadId,
    crate::http::responses::Signed,
))]
pub async fn archive(
    State(state): State<AppState>,
    SignedIn(me): SignedIn,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    archive_as(&state, &me, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
