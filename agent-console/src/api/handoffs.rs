//! Hand-offs and reassignment in the JSON API: offer, my offers, accept,
//! decline, a lead's reassignment. The rules are in `operations::handoffs`,
//! shared with the pages.

use axum::{Json, extract::State, http::StatusCode};
use batline_core::store::{
    self,
    cases::Case,
    handoffs::{Handoff, OfferView},
};
use serde::Deserialize;
use uuid::Uuid;

use crate::{
    http::{
        error::ApiError,
        extract::{self, Path},
        signed_in::SignedIn,
    },
    operations::handoffs::{accept_as, decline_as, ensure_may_reassign, offer_as, reassign_as},
    state::AppState,
};

/// Body of an offer or a reassignment.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ToColleague {
    /// The colleague's username.
    #[schema(example = "mikko")]
    to: String,
    /// Why, for the colleague (1 to 1,000 characters).
    #[schema(min_length = 1, max_length = 1000, pattern = "^[\\s\\S]*[^\\s\\x00-\\x1f\\x7f-\\x9f][\\s\\S]*$")]
    note: String,
}

/// `POST /api/v1/cases/{id}/handoffs`: offer my case to a colleague.
#[utoipa::path(post, path = "/api/v1/cases/{id}/handoffs", tag = "hand-offs",
    params(("id" = Uuid, Path, description = "The case")), request_body = ToColleague, responses(
    (status = 201, description = "Offered; I stay the owner until the colleague accepts", body = Handoff),
    (status = 403, description = "Not my case", body = crate::http::error::ErrorBody),
    (status = 404, description = "No such case", body = crate::http::error::ErrorBody),
    (status = 409, description = "The case is resolved, already has an open offer, or the colleague is off duty",
        body = crate::http::error::ErrorBody),
    crate::http::responses::JsonBody,
    crate::http::responses::Signed,
))]
pub async fn offer(
    State(state): State<AppState>,
    SignedIn(me): SignedIn,
    Path(id): Path<Uuid>,
    extract::Json(body): extract::Json<ToColleague>,
) -> Result<(StatusCode, Json<Handoff>), ApiError> {
    Ok((StatusCode::CREATED, Json(offer_as(&state, &me, id, &body.to, &body.note).await?)))
}

/// `GET /api/v1/handoffs`: offers waiting for me.
#[utoipa::path(get, operation_id = "my_handoffs", path = "/api/v1/handoffs", tag = "hand-offs", responses(
    (status = 200, description = "Offers waiting for my answer", body = [OfferView]),
    crate::http::responses::Signed,
))]
pub async fn mine(State(state): State<AppState>, SignedIn(me): SignedIn) -> Result<Json<Vec<OfferView>>, ApiError> {
    Ok(Json(store::handoffs::open_for(&state.pool, me.id).await?))
}

/// `POST /api/v1/handoffs/{id}/accept`: take the case; I am its owner now.
#[utoipa::path(post, path = "/api/v1/handoffs/{id}/accept", tag = "hand-offs",
    params(("id" = Uuid, Path, description = "The offer")), responses(
    (status = 200, description = "I own the case now", body = Case),
    (status = 403, description = "The offer is for someone else", body = crate::http::error::ErrorBody),
    (status = 404, description = "No such offer", body = crate::http::error::ErrorBody),
    (status = 409, description = "The offer was already answered, or the case moved on or was resolved (the offer \
        is withdrawn)", body = crate::http::error::ErrorBody),
    crate::http::responses::BadId,
    crate::http::responses::Signed,
))]
pub async fn accept(
    State(state): State<AppState>,
    SignedIn(me): SignedIn,
    Path(id): Path<Uuid>,
) -> Result<Json<Case>, ApiError> {
    Ok(Json(accept_as(&state, &me, id).await?))
}

/// Body of a decline.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct Decline {
    /// Why not, for the owner (at most 1,000 characters).
    #[serde(default)]
    #[schema(max_length = 1000)]
    note: Option<String>,
}

/// `POST /api/v1/handoffs/{id}/decline`: say no; the owner keeps the case.
#[utoipa::path(post, path = "/api/v1/handoffs/{id}/decline", tag = "hand-offs",
    params(("id" = Uuid, Path, description = "The offer")), request_body = Decline, responses(
    (status = 200, description = "Declined; the owner keeps the case", body = Handoff),
    (status = 403, description = "The offer is for someone else", body = crate::http::error::ErrorBody),
    (status = 404, description = "No such offer", body = crate::http::error::ErrorBody),
    (status = 409, description = "The offer was already answered", body = crate::http::error::ErrorBody),
    crate::http::responses::JsonBody,
    crate::http::responses::Signed,
))]
pub async fn decline(
    State(state): State<AppState>,
    SignedIn(me): SignedIn,
    Path(id): Path<Uuid>,
    extract::Json(body): extract::Json<Decline>,
) -> Result<Json<Handoff>, ApiError> {
    Ok(Json(decline_as(&state, &me, id, body.note.as_deref()).await?))
}

/// `POST /api/v1/cases/{id}/reassign`: a lead gives a case to a named
/// responder directly, who then has the channel's window to acknowledge it.
#[utoipa::path(post, path = "/api/v1/cases/{id}/reassign", tag = "hand-offs",
    params(("id" = Uuid, Path, description = "The case")), request_body = ToColleague, responses(
    (status = 200, description = "The case has its new owner", body = Case),
    (status = 403, description = "Not a lead, the mayor or an admin", body = crate::http::error::ErrorBody),
    (status = 404, description = "No such case", body = crate::http::error::ErrorBody),
    (status = 409, description = "The case is resolved, or already theirs", body = crate::http::error::ErrorBody),
    crate::http::responses::JsonBody,
    crate::http::responses::Signed,
))]
pub async fn reassign(
    State(state): State<AppState>,
    SignedIn(me): SignedIn,
    Path(id): Path<Uuid>,
    // Read only after the checks below, which answer first whatever was sent.
    body: Result<extract::Json<ToColleague>, ApiError>,
) -> Result<Json<Case>, ApiError> {
    ensure_may_reassign(&me)?;
    let extract::Json(body) = body?;
    Ok(Json(reassign_as(&state, &me, id, &body.to, &body.note).await?))
}
