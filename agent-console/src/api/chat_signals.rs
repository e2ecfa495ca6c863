//! `POST /api/v1/cases/{id}/typing`: the owner is typing (see
//! `operations::chat_signals`, which also marks a chat read).

use axum::{extract::State, http::StatusCode};
use uuid::Uuid;

use crate::{
    http::{error::ApiError, extract::Path, signed_in::SignedIn},
    operations::chat_signals::typing_as,
    state::AppState,
};

/// `POST /api/v1/cases/{id}/typing`: the owner is typing a reply. Send it
/// every few seconds while typing; the resident's chat shows it for a while.
/// Only for open chat cases (409 otherwise), and only by the owner.
#[utoipa::path(post, path = "/api/v1/cases/{id}/typing", tag = "cases", params(("id" = Uuid, Path, description = "The case")), responses(
    (status = 204, description = "The resident's chat shows that I am typing"),
    (status = 403, description = "Not my case", body = crate::http::error::ErrorBody),
    (status = 404, description = "No such case, or its chat session is gone", body = crate::http::error::ErrorBody),
    (status = 409, description = "Not an open chat case", body = crate::http::error::ErrorBody),
    crate::http::responses::BadId,
    crate::http::responses::Signed,
))]
pub async fn typing(
    State(state): State<AppState>,
    SignedIn(me): SignedIn,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    typing_as(&state, &me, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
