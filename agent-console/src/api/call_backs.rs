//! `POST /api/v1/cases/{id}/call-backs`: the owner calls the resident back
//! (how, in `operations::call_backs`).

use axum::{Json, extract::State, http::StatusCode};
use batline_core::store::calls::Call;
use uuid::Uuid;

use crate::{
    http::{error::ApiError, extract::Path, signed_in::SignedIn},
    operations::call_backs::start_as,
    state::AppState,
};

/// Starts a call-back.
#[utoipa::path(post, path = "/api/v1/cases/{id}/call-backs", tag = "cases", params(("id" = Uuid, Path, description = "The case")), responses(
    (status = 201, description = "Batline is ringing my phone; then it dials the resident", body = Call),
    (status = 403, description = "Not my case", body = crate::http::error::ErrorBody),
    (status = 404, description = "No such case", body = crate::http::error::ErrorBody),
    (status = 409, description = "The case is resolved, I or the resident have no phone, or a call-back is \
        already ringing", body = crate::http::error::ErrorBody),
    (status = 502, description = "Twilio refused the call; `detail` gives its reason", body = crate::http::error::ErrorBody),
    (status = 503, description = "Twilio could not be reached or is not configured", body = crate::http::error::ErrorBody),
    crate::http::responses::BadId,
    crate::http::responses::Signed,
))]
pub async fn start(
    State(state): State<AppState>,
    SignedIn(me): SignedIn,
    Path(id): Path<Uuid>,
) -> Result<(StatusCode, Json<Call>), ApiError> {
    Ok((StatusCode::CREATED, Json(start_as(&state, &me, id).await?)))
}
