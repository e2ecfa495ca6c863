//! Signing in and out. A session token is 32 random bytes, handed out
//! once; the database keeps only its SHA-256 (see `http::signed_in`).

use axum::{
    Json,
    extract::{ConnectInfo, State},
    http::{StatusCode, header::AUTHORIZATION},
};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use batline_core::{
    password,
    store::{self, responders::Responder},
};
use rand::RngCore;
use serde::{Deserialize, Serialize};

use crate::{
    http::error::ApiError,
    http::signed_in::{SignedIn, token_hash},
    state::AppState,
};

/// `POST /api/v1/sessions` body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct SignIn {
    /// Sign-in name.
    #[schema(pattern = "^[^\\x00]*$", example = "aino")]
    username: String,
    /// Password.
    #[schema(pattern = "^[^\\x00]*$")]
    password: String,
}

/// A new session.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Session {
    /// The bearer token (the browser keeps it in a cookie).
    pub token: String,
    /// When the session ends at the latest (it also ends after a while unused).
    expires_at: chrono::DateTime<chrono::Utc>,
    /// Who signed in.
    responder: Responder,
}

/// `POST /api/v1/sessions`: sign in.
#[utoipa::path(
    post, path = "/api/v1/sessions", tag = "sessions", security(()),
    request_body = SignIn,
    responses(
        (status = 201, description = "Signed in", body = Session),
        (status = 401, description = "Wrong username or password (it does not say which)", body = crate::http::error::ErrorBody),
        (status = 429, description = "Too many sign-in attempts from this address; try again after `Retry-After` \
            seconds", body = crate::http::error::ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
        (status = 500, description = "Something failed on Batline's side (logged)", body = crate::http::error::ErrorBody),
        crate::http::responses::JsonBody,
    )
)]
pub async fn sign_in(
    State(state): State<AppState>,
    ConnectInfo(client): ConnectInfo<std::net::SocketAddr>,
    body: Result<Json<SignIn>, axum::extract::rejection::JsonRejection>,
) -> Result<(StatusCode, Json<Session>), ApiError> {
    state.sign_in_limit.check(client.ip()).map_err(ApiError::TooManyRequests)?;
    let Json(body) = body?;
    let session = start_session(&state, &body.username, body.password).await?;
    Ok((StatusCode::CREATED, Json(session)))
}

/// Checks a username and password and opens a session; the API and the
/// browser sign-in both come through here.
pub(crate) async fn start_session(state: &AppState, username: &str, password: String) -> Result<Session, ApiError> {
    let responder = store::responders::by_username(&state.pool, username.trim()).await?;
    // Hash even for an unknown user, so timing does not reveal which names exist.
    let stored = responder.as_ref().map(|r| r.password_hash.clone()).unwrap_or_else(|| state.dummy_hash.clone());
    let ok = tokio::task::spawn_blocking(move || password::verify(&password, &stored))
        .await
        .map_err(|e| batline_core::Error::PasswordHash(e.to_string()))??;
    let Some(responder) = responder.filter(|_| ok) else {
        return Err(ApiError::BadCredentials);
    };
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let ttl = chrono::Duration::from_std(state.config.session_ttl)
        .map_err(|e| batline_core::Error::Config(format!("session length: {e}")))?;
    let expires_at = chrono::Utc::now() + ttl;
    store::sessions::insert(&state.pool, &token_hash(&token), responder.id, expires_at).await?;
    tracing::info!(responder = %responder.username, "signed in");
    Ok(Session { token, expires_at, responder })
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
    store::sessions::delete(&state.pool, &token_hash(token.trim())).await?;
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
