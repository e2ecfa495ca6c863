//! Canned replies: ready-made texts a responder picks on the case page and
//! edits before sending. Everyone who answers residents may read them (desk
//! staff never reply, so they may not); admins add and archive them.
//! Archived ones stay stored but are no longer offered.

use axum::{
    Json,
    extract::{State, rejection::JsonRejection},
    http::StatusCode,
};
use batline_core::{
    domain::{Language, Role},
    store::{self, canned_replies::CannedReply, responders::Responder},
};
use serde::Deserialize;
use uuid::Uuid;

use crate::{http::error::ApiError, http::extract::Path, http::signed_in::SignedIn, state::AppState};

/// Longest title.
pub const MAX_TITLE_CHARS: usize = 80;
/// Longest text: what one reply may hold.
pub const MAX_BODY_CHARS: usize = 1600;

fn ensure_admin(me: &Responder) -> Result<(), ApiError> {
    if me.role == Role::Admin {
        Ok(())
    } else {
        Err(ApiError::Forbidden("only an admin can change canned replies".into()))
    }
}

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

/// Body of `POST /api/v1/canned-replies`, and what the admin page's form gives.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCannedReply {
    /// The language it is written in.
    pub language: Language,
    /// A short name to pick it by (1 to 80 characters).
    #[schema(min_length = 1, max_length = 80, pattern = "^[^\\x00]*[^\\s\\x00][^\\x00]*$")]
    pub title: String,
    /// The text (1 to 1,600 characters).
    #[schema(min_length = 1, max_length = 1600, pattern = "^[^\\x00]*[^\\s\\x00][^\\x00]*$")]
    pub body: String,
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
    body: Result<Json<NewCannedReply>, JsonRejection>,
) -> Result<(StatusCode, Json<CannedReply>), ApiError> {
    ensure_admin(&me)?;
    let Json(body) = body?;
    Ok((StatusCode::CREATED, Json(add_as(&state, &me, body).await?)))
}

/// Adds a canned reply as `me` (the API and the admin page both come here).
pub(crate) async fn add_as(state: &AppState, me: &Responder, new: NewCannedReply) -> Result<CannedReply, ApiError> {
    ensure_admin(me)?;
    let (title, body) = (new.title.trim(), new.body.trim());
    if title.is_empty() || title.chars().count() > MAX_TITLE_CHARS {
        return Err(ApiError::Unprocessable(format!("the title needs 1 to {MAX_TITLE_CHARS} characters")));
    }
    if body.is_empty() || body.chars().count() > MAX_BODY_CHARS {
        return Err(ApiError::Unprocessable(format!("the text needs 1 to {MAX_BODY_CHARS} characters")));
    }
    let reply = store::canned_replies::insert(&state.pool, new.language, title, body, me.id).await?;
    tracing::info!(canned_reply = %reply.id, by = %me.username, "canned reply added");
    Ok(reply)
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

/// Archives a canned reply as `me`.
pub(crate) async fn archive_as(state: &AppState, me: &Responder, id: Uuid) -> Result<(), ApiError> {
    ensure_admin(me)?;
    if !store::canned_replies::archive(&state.pool, id).await? {
        return Err(batline_core::Error::NotFound("canned reply").into());
    }
    tracing::info!(canned_reply = %id, by = %me.username, "canned reply archived");
    Ok(())
}
