//! Signing in with the city's account, bearer tokens from the city's
//! provider, and back-channel logout: the steps between the provider
//! (`crate::oidc`) and the console's own sessions.
//!
//! A sign-in is begun by remembering a new `state` (only its hash), the
//! `nonce` and the PKCE verifier, and finished when the browser brings the
//! `state` back with a code: the `state` is used up as it is read (a replay
//! finds nothing), must be the one this browser was given (its cookie),
//! and younger than [`SIGN_IN_MAX_AGE`]. The ID token then decides who it
//! is: the responder linked to its subject, or at the first sign-in the one
//! whose username is the token's `preferred_username` or whose email
//! address is its `email`, who is then linked to the subject for good. The
//! role is the one the groups map to, written to the responder so every
//! check in the console sees it. The session is the same console session a
//! password opens ([`sessions::open_session`]).
//!
//! Every sign-in and refusal is logged with its reason; tokens, codes and
//! `state` never are.

use batline_core::store;
use sha2::{Digest, Sha256};

use super::sessions::{self, ProviderAccount, Session};
use crate::{
    http::error::ApiError,
    oidc::{
        Provider, Refusal,
        accounts::{refused, responder_for},
        staff::staff,
        tokens::{self, Kind},
    },
    state::AppState,
};

/// How long a sign-in may spend at the provider.
pub const SIGN_IN_MAX_AGE: std::time::Duration = std::time::Duration::from_secs(600);

/// What the database keeps of a `state`.
fn state_hash(state: &str) -> Vec<u8> {
    Sha256::digest(format!("batline-oidc-state:{state}").as_bytes()).to_vec()
}

/// Logs a refusal by its reason and makes it the crate's error.
fn refused_api(what: &'static str, refusal: Refusal) -> ApiError {
    ApiError::Oidc(refused(what, refusal))
}

fn provider(state: &AppState) -> Result<&Provider, ApiError> {
    state.oidc.as_deref().ok_or(ApiError::NoProvider)
}

/// A sign-in begun: where to send the browser and the `state` it must bring back.
#[derive(Debug)]
pub struct Begun {
    /// The provider's authorisation URL.
    pub url: url::Url,
    /// For the browser's cookie.
    pub state: String,
}

/// Begins a sign-in that ends at `next` (already checked to stay on the console).
pub async fn begin(state: &AppState, next: &str) -> Result<Begun, ApiError> {
    let provider = provider(state)?;
    let authorisation = provider.authorisation().await.map_err(|r| refused_api("sign-in", r))?;
    store::oidc::insert_sign_in(
        &state.pool,
        &state_hash(&authorisation.state),
        &authorisation.nonce,
        &authorisation.pkce_verifier,
        next,
    )
    .await?;
    if let Err(e) = store::oidc::delete_stale_sign_ins(&state.pool, SIGN_IN_MAX_AGE).await {
        tracing::warn!(error = %e, "could not delete abandoned sign-ins");
    }
    Ok(Begun { url: authorisation.url, state: authorisation.state })
}

/// What the provider sent the browser back with.
#[derive(Debug)]
pub struct Callback<'a> {
    /// `state` as the provider returned it.
    pub state: &'a str,
    /// `state` as this browser's cookie holds it.
    pub cookie_state: Option<&'a str>,
    /// `code`, or the provider's `error`.
    pub outcome: Result<&'a str, &'a str>,
}

/// Finishes a sign-in: the session and where the browser goes next.
pub async fn finish(state: &AppState, callback: Callback<'_>) -> Result<(Session, String), ApiError> {
    let provider = provider(state)?;
    // Used up first, whatever follows, so no `state` works twice.
    let pending = store::oidc::take_sign_in(&state.pool, &state_hash(callback.state), SIGN_IN_MAX_AGE).await?;
    let from_this_browser = callback.cookie_state.is_some_and(|c| c == callback.state);
    let pending = pending.filter(|_| from_this_browser).ok_or_else(|| refused_api("sign-in", Refusal::UnknownState))?;
    // The provider's error code, as much of it as an error code can be (it
    // comes through the browser, so it is logged only so far).
    let code = callback.outcome.map_err(|error| {
        let error = error.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '_').take(64).collect();
        refused_api("sign-in", Refusal::ProviderSaid(error))
    })?;
    let id_token = provider.exchange(code, &pending.pkce_verifier).await.map_err(|r| refused_api("sign-in", r))?;
    let claims = tokens::verify(provider, &id_token, Kind::IdToken { nonce: &pending.nonce })
        .await
        .map_err(|r| refused_api("sign-in", r))?;
    let who = staff(&provider.config, &claims).map_err(|r| refused_api("sign-in", r))?;
    let responder = responder_for(&state.pool, &who).await?;
    let account = ProviderAccount { subject: &who.subject, sid: who.sid.as_deref() };
    let session = sessions::open_session(state, responder, Some(account)).await?;
    Ok((session, pending.next))
}

/// Ends the console sessions a back-channel logout token names; returns how many.
pub async fn back_channel_logout(state: &AppState, logout_token: &str) -> Result<u64, ApiError> {
    let provider = provider(state)?;
    let claims = tokens::verify(provider, logout_token, Kind::Logout).await.map_err(|r| refused_api("logout", r))?;
    let text = |name: &str| claims.get(name).and_then(serde_json::Value::as_str).filter(|v| !v.is_empty());
    let ended = store::sessions::delete_for_logout(&state.pool, text("sub"), text("sid")).await?;
    // No receiver (no live socket open) is not a failure.
    let _ = state.sessions_ended.send(());
    tracing::info!(ended, method = "oidc", "signed out by the identity provider (back-channel logout)");
    Ok(ended)
}
