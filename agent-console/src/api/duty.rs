//! A responder's duty status. Going off duty asks a router to hand their open
//! cases on by the assignment rules; until it has, they remain the owner.

use axum::{Json, extract::State};
use batline_core::{
    domain::DutyStatus,
    responder_admin,
    store::responders::{Responder, ResponderPatch},
};
use serde::Deserialize;

use crate::{http::error::ApiError, http::extract, http::signed_in::SignedIn, state::AppState};

/// Body of `PUT /api/v1/me/duty`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct SetDuty {
    /// `on_duty`, `away` (keeps cases, takes no new ones) or `off` (hands them on).
    status: DutyStatus,
}

/// `PUT /api/v1/me/duty`: on duty, away (keeps cases, takes no new ones) or off.
#[utoipa::path(put, path = "/api/v1/me/duty", tag = "sessions", request_body = SetDuty, responses(
    (status = 200, description = "My duty status changed; going off hands my open cases on", body = Responder),
    crate::http::responses::JsonBody,
    crate::http::responses::Signed,
))]
pub async fn set(
    State(state): State<AppState>,
    SignedIn(me): SignedIn,
    extract::Json(body): extract::Json<SetDuty>,
) -> Result<Json<Responder>, ApiError> {
    let patch = ResponderPatch { duty_status: Some(body.status), ..ResponderPatch::default() };
    let me = responder_admin::update(&state.pool, me.id, &patch).await?;
    state.outbox.kick();
    Ok(Json(me))
}
