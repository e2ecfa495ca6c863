//! Opening a session: a session token is 32 random bytes, handed out once;
//! the database keeps only its SHA-256 (`http::signed_in::token_hash`).

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use batline_core::{
    password,
    store::{self, responders::Responder},
};
use rand::RngCore;
use serde::Serialize;

use crate::{
    http::{error::ApiError, signed_in::token_hash},
    state::AppState,
};

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

/// Checks a username and password and opens a session; the API and the
/// browser sign-in both come through here.
pub async fn start_session(state: &AppState, username: &str, password: String) -> Result<Session, ApiError> {
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
