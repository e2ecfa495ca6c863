//! Opening a session: a session token is 32 random bytes, handed out once;
//! the database keeps only its SHA-256 (`http::signed_in::token_hash`).
//!
//! **Failed sign-ins lock out a pair, not an account.** After
//! `BATLINE_SIGN_IN_LOCKOUT_AFTER` failures in a row for one username from
//! one client address (IPv6 by its /64), that pair waits `state::FIRST_LOCKOUT`,
//! doubling with each further failure up to
//! `BATLINE_SIGN_IN_LOCKOUT_MAX_MINUTES`; a success resets it. Keyed on the
//! account alone, anyone could keep a responder out of the console by
//! guessing wrong in their name; keyed on the pair, the responder signs in
//! from their own address as usual. The per-address limit
//! (`BATLINE_SIGN_IN_PER_MINUTE`) bounds how many names one address can
//! try. Unknown usernames are locked out alike, so the answer says nothing
//! about which names exist.

use std::net::IpAddr;

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

/// What failed sign-ins are counted by: the client's source (IPv6 by its
/// /64) and the username as typed, trimmed and lower-cased, so that case
/// and spaces do not make a new count.
fn lockout_key(client: IpAddr, username: &str) -> (IpAddr, String) {
    (batline_core::rate_limit::source(client), username.trim().to_lowercase())
}

/// Checks a username and password and opens a session; the API and the
/// browser sign-in both come through here, so both are subject to the
/// lockout of `client` and `username` (see the module's documentation).
pub async fn start_session(
    state: &AppState,
    client: IpAddr,
    username: &str,
    password: String,
) -> Result<Session, ApiError> {
    if !state.config.password_sign_in {
        tracing::info!(reason = "password_sign_in_off", "sign-in refused");
        return Err(ApiError::PasswordSignInOff);
    }
    let key = lockout_key(client, username);
    state.sign_in_lockout.check(&key).map_err(|wait| {
        tracing::info!(reason = "locked_out", method = "password", "sign-in refused");
        ApiError::SignInLocked(wait)
    })?;
    let result = check_password(state, username, password).await;
    match &result {
        Ok(_) => state.sign_in_lockout.succeed(&key),
        Err(ApiError::BadCredentials) => state.sign_in_lockout.fail(key),
        Err(_) => {}
    }
    if let Err(e) = &result {
        let reason = match e {
            ApiError::BadCredentials => "bad_credentials",
            _ => "error",
        };
        tracing::info!(reason, method = "password", "sign-in refused");
    }
    open_session(state, result?, None).await
}

/// The provider's account a session was opened through: its subject and,
/// when it names one, its session (`sid`), so back-channel logout can end it.
#[derive(Debug, Clone, Copy)]
pub struct ProviderAccount<'a> {
    /// `sub`.
    pub subject: &'a str,
    /// `sid`.
    pub sid: Option<&'a str>,
}

/// The responder `username` names, if `password` is theirs.
async fn check_password(state: &AppState, username: &str, password: String) -> Result<Responder, ApiError> {
    let responder = store::responders::by_username(&state.pool, username.trim()).await?;
    // Hash even for an unknown user, so timing does not reveal which names exist.
    let stored = responder.as_ref().map(|r| r.password_hash.clone()).unwrap_or_else(|| state.dummy_hash.clone());
    let ok = tokio::task::spawn_blocking(move || password::verify(&password, &stored))
        .await
        .map_err(|e| batline_core::Error::PasswordHash(e.to_string()))??;
    responder.filter(|_| ok).ok_or(ApiError::BadCredentials)
}

/// A new session for `responder`, signed in with a password (`account`
/// `None`) or through the city's provider: the same session either way.
pub async fn open_session(
    state: &AppState,
    responder: Responder,
    account: Option<ProviderAccount<'_>>,
) -> Result<Session, ApiError> {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let ttl = chrono::Duration::from_std(state.config.session_ttl)
        .map_err(|e| batline_core::Error::Config(format!("session length: {e}")))?;
    let expires_at = chrono::Utc::now() + ttl;
    let hash = token_hash(&token);
    match account {
        None => store::sessions::insert(&state.pool, &hash, responder.id, expires_at).await?,
        Some(account) => {
            store::sessions::insert_oidc(&state.pool, &hash, responder.id, expires_at, account.subject, account.sid)
                .await?;
        }
    }
    let method = if account.is_some() { "oidc" } else { "password" };
    tracing::info!(responder = %responder.username, role = %responder.role, method, "signed in");
    Ok(Session { token, expires_at, responder })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lockout_key_is_the_source_and_the_name_however_typed() -> Result<(), std::net::AddrParseError> {
        let (a, b) = ("2001:db8::1".parse()?, "2001:db8::ffff".parse()?);
        assert_eq!(lockout_key(a, " Aino "), lockout_key(b, "aino"));
        assert_ne!(lockout_key(a, "aino"), lockout_key("2001:db9::1".parse()?, "aino"));
        assert_ne!(lockout_key(a, "aino"), lockout_key(a, "eero"));
        Ok(())
    }
}
