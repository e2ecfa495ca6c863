//! The `SignedIn` extractor: the responder whose bearer token this is. A
//! session token is 32 random bytes, handed out once; the database keeps
//! only its SHA-256. With an identity provider configured, a JWT it issued
//! for this console is taken too (`oidc::accounts::bearer`).

use axum::{
    extract::FromRequestParts,
    http::{header::AUTHORIZATION, request::Parts},
};
use batline_core::store::{self, responders::Responder};
use sha2::{Digest, Sha256};

use crate::{http::error::ApiError, state::AppState};

/// A signed-in responder.
#[derive(Debug, Clone)]
pub struct SignedIn(pub Responder);

/// What the database keeps of a session token.
pub fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

fn bearer(parts: &Parts) -> Option<&str> {
    parts.headers.get(AUTHORIZATION)?.to_str().ok()?.strip_prefix("Bearer ").map(str::trim).filter(|t| !t.is_empty())
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = bearer(parts).ok_or(ApiError::Unauthenticated)?;
        // A JWT can only be the city's provider's (a session token is one
        // word): checked as `oidc::accounts::bearer` says.
        if let Some(provider) = state.oidc.as_deref()
            && crate::oidc::accounts::is_jwt(token)
        {
            return Ok(SignedIn(crate::oidc::accounts::bearer(provider, &state.pool, token).await?));
        }
        store::sessions::responder(
            &state.pool,
            &token_hash(token),
            state.config.session_idle,
            state.config.session_touch_every(),
        )
        .await?
        .map(SignedIn)
        .ok_or(ApiError::Unauthenticated)
    }
}
