//! Signing in and out. A session token is 32 random bytes, handed out
//! once; the database keeps only its SHA-256 (see `http::signed_in`).

use axum::{
    Json,
    extract::{ConnectInfo, State},
    http::{StatusCode, header::AUTHORIZATION},
};
use batline_core::store::{self, responders::Responder};
use serde::Deserialize;

use crate::{
    http::{
        error::ApiError,
        extract,
        signed_in::{SignedIn, token_hash},
    },
    operations::sessions::{Session, start_session},
    state::AppState,
};

/// `POST /api/v1/sessions` body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct SignIn {
    /// Sign-in name.
    #[schema(example = "aino")]
    username: String,
    /// Password.
    password: String,
}

/// `POST /api/v1/sessions`: sign in.
#[utoipa::path(
    post, path = "/api/v1/sessions", tag = "sessions", security(()),
    request_body = SignIn,
    responses(
        (status = 201, description = "Signed in", body = Session),
        (status = 401, description = "Wrong username or password (it does not say which)", body = crate::http::error::ErrorBody),
        (status = 403, description = "Signing in with a password is switched off (`password_sign_in_off`): sign in with the city's account", body = crate::http::error::ErrorBody),
        (status = 429, description = "Too many sign-in attempts from this address, or too many failed ones for this \
            username from it; try again after `Retry-After` seconds", body = crate::http::error::ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
        (status = 500, description = "Something failed on Batline's side (logged)", body = crate::http::error::ErrorBody),
        crate::http::responses::JsonBody,
    )
)]
pub async fn sign_in(
    State(state): State<AppState>,
    ConnectInfo(client): ConnectInfo<std::net::SocketAddr>,
    // Read only after the checks below, which answer first whatever was sent.
    body: Result<extract::Json<SignIn>, ApiError>,
) -> Result<(StatusCode, Json<Session>), ApiError> {
    state.sign_in_limit.check(client.ip()).map_err(ApiError::TooManyRequests)?;
    let extract::Json(body) = body?;
    let session = start_session(&state, client.ip(), &body.username, body.password).await?;
    Ok((StatusCode::CREATED, Json(session)))
}

/// `DELETE /api/v1/sessions`: sign out.
///
/// The token to end is the bearer token; ending one that already ended
/// (or never was) is not an error, so signing out is safe to repeat.
#[utoipa::path(
    delete, path = "/api/v1/sessions", tag = "sessions", security(()),
    params(("Authorization" = String, Header, description = "`Bearer <token>`: the session to end")),
    responses(
        (status = 204, description = "The session has ended"),
        (status = 401, description = "No `Authorization: Bearer` token", body = crate::http::error::ErrorBody),
        (status = 500, description = "Something failed on Batline's side (logged)", body = crate::http::error::ErrorBody),
    )
)]
pub async fn sign_out(State(state): State<AppState>, parts: axum::http::HeaderMap) -> Result<StatusCode, ApiError> {
    let token = parts
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or(ApiError::Unauthenticated)?;
    if let Some(responder_id) = store::sessions::delete(&state.pool, &token_hash(token.trim())).await? {
        tracing::info!(%responder_id, "signed out");
    }
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/v1/me`.
#[utoipa::path(get, path = "/api/v1/me", tag = "sessions", responses(
    (status = 200, description = "The signed-in responder", body = Responder),
    crate::http::responses::Signed,
))]
pub async fn me(SignedIn(me): SignedIn) -> Json<Responder> {
    Json(me)
}
