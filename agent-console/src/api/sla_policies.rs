//! SLA policies: leads, the mayor and admins read them; admins change them
//! (how a change makes a new version: `operations::sla_policies`).

use axum::{Json, extract::State, http::StatusCode};
use batline_core::store::{self, sla::SlaPolicy};

use crate::{
    http::{error::ApiError, extract, signed_in::SignedIn},
    operations::sla_policies::{NewPolicy, add_as, ensure_admin},
    state::AppState,
};

/// `GET /api/v1/sla-policies`: every version, current ones first.
#[utoipa::path(get, operation_id = "list_sla_policies", path = "/api/v1/sla-policies", tag = "administration", responses(
    (status = 200, description = "Every policy version, current ones first", body = [SlaPolicy]),
    (status = 403, description = "Not a lead, the mayor or an admin", body = crate::http::error::ErrorBody),
    crate::http::responses::Signed,
))]
pub async fn list(State(state): State<AppState>, SignedIn(me): SignedIn) -> Result<Json<Vec<SlaPolicy>>, ApiError> {
    if !me.role.may_reassign() {
        return Err(ApiError::Forbidden("SLA policies are for leads, the mayor and admins".into()));
    }
    Ok(Json(store::sla::all(&state.pool).await?))
}

/// `POST /api/v1/sla-policies` (admins): a new version for the scope.
#[utoipa::path(post, operation_id = "add_sla_policy", path = "/api/v1/sla-policies", tag = "administration", request_body = NewPolicy, responses(
    (status = 201, description = "The new version; it retired the current one of its scope", body = SlaPolicy),
    (status = 403, description = "Not an admin", body = crate::http::error::ErrorBody),
    (status = 409, description = "Another admin changed the same scope at that moment; try again", body = crate::http::error::ErrorBody),
    crate::http::responses::JsonBody,
    crate::http::responses::Signed,
))]
pub async fn add(
    State(state): State<AppState>,
    SignedIn(me): SignedIn,
    // Read only after the checks below, which answer first whatever was sent.
    body: Result<extract::Json<NewPolicy>, ApiError>,
) -> Result<(StatusCode, Json<SlaPolicy>), ApiError> {
    ensure_admin(&me)?;
    let extract::Json(body) = body?;
    Ok((StatusCode::CREATED, Json(add_as(&state, &me, body).await?)))
}
