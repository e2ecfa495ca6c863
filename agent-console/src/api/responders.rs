//! Responder administration: leads, the mayor and admins see everyone (who
//! is on duty, with what load); admins add and change responders (the rules
//! in `operations::responders`).

use axum::{Json, extract::State, http::StatusCode};
use batline_core::{
    responder_admin::Unset,
    store::{
        self,
        responders::{Responder, ResponderPatch},
    },
};
use uuid::Uuid;

use crate::{
    http::{
        error::ApiError,
        extract::{self, Path},
        signed_in::SignedIn,
    },
    operations::responders::{AddResponder, add_as, ensure_admin, update_as},
    state::AppState,
};

/// `GET /api/v1/responders`: everyone, with duty status and load.
#[utoipa::path(get, operation_id = "list_responders", path = "/api/v1/responders", tag = "administration", responses(
    (status = 200, description = "Every responder", body = [Responder]),
    (status = 403, description = "Not a lead, the mayor or an admin", body = crate::http::error::ErrorBody),
    crate::http::responses::Signed,
))]
pub async fn list(State(state): State<AppState>, SignedIn(me): SignedIn) -> Result<Json<Vec<Responder>>, ApiError> {
    if !me.role.may_reassign() {
        return Err(ApiError::Forbidden("the responder list is for leads, the mayor and admins".into()));
    }
    Ok(Json(store::responders::list(&state.pool).await?))
}

/// `POST /api/v1/responders`: add a responder (admins).
#[utoipa::path(post, operation_id = "add_responder", path = "/api/v1/responders", tag = "administration", request_body = AddResponder, responses(
    (status = 201, description = "Added", body = Responder),
    (status = 403, description = "Not an admin", body = crate::http::error::ErrorBody),
    (status = 409, description = "The username is taken, in any case, or reads like one taken", body = crate::http::error::ErrorBody),
    crate::http::responses::JsonBody,
    crate::http::responses::Signed,
))]
pub async fn add(
    State(state): State<AppState>,
    SignedIn(me): SignedIn,
    // Read only after the checks below, which answer first whatever was sent.
    body: Result<extract::Json<AddResponder>, ApiError>,
) -> Result<(StatusCode, Json<Responder>), ApiError> {
    ensure_admin(&me)?;
    let extract::Json(body) = body?;
    Ok((StatusCode::CREATED, Json(add_as(&state, &me, body).await?)))
}

/// `PATCH /api/v1/responders/{id}`: change skills, capacity, role, duty or
/// the backstop designation (admins).
#[utoipa::path(patch, path = "/api/v1/responders/{id}", tag = "administration",
    params(("id" = Uuid, Path, description = "The responder")), request_body = ResponderPatch, responses(
    (status = 200, description = "The responder as now stored", body = Responder),
    (status = 403, description = "Not an admin", body = crate::http::error::ErrorBody),
    (status = 404, description = "No such responder", body = crate::http::error::ErrorBody),
    (status = 409, description = "Undesignating the backstop (designate another instead, which moves the role)",
        body = crate::http::error::ErrorBody),
    crate::http::responses::JsonBody,
    crate::http::responses::Signed,
))]
pub async fn update(
    State(state): State<AppState>,
    SignedIn(me): SignedIn,
    Path(id): Path<Uuid>,
    // Read only after the checks below, which answer first whatever was sent.
    body: Result<extract::Json<ResponderPatch>, ApiError>,
) -> Result<Json<Responder>, ApiError> {
    ensure_admin(&me)?;
    let extract::Json(patch) = body?;
    Ok(Json(update_as(&state, &me, id, patch, Unset::default()).await?))
}
