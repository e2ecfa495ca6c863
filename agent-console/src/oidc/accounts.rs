//! Which responder a member of staff is: the one linked to their subject,
//! or at their first sign-in the one whose username is their
//! `preferred_username` or whose email address is their `email`, then
//! linked to the subject for good (a responder already linked to another
//! subject is refused, so a second account with the same name cannot take
//! theirs over). The role their groups give is written to the responder,
//! so every check in the console sees it. Also: bearer tokens for the JSON
//! API, checked the same way.

use batline_core::store::{self, responders::Responder};
use sqlx::PgPool;

use super::{
    Provider, Refusal,
    staff::{Staff, staff},
    tokens::{self, Kind},
};

/// A refusal, or the store failing.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Refused, and logged with its reason.
    #[error(transparent)]
    Refused(#[from] Refusal),
    /// PostgreSQL failed.
    #[error(transparent)]
    Core(#[from] batline_core::Error),
}

/// Logs a refusal of `what` (a sign-in, a bearer token, a logout) by its
/// reason, never with the token, and passes it on.
pub fn refused(what: &'static str, refusal: Refusal) -> Refusal {
    tracing::warn!(reason = refusal.code(), detail = %refusal, method = "oidc", "{what} refused");
    refusal
}

/// The responder `who` is, linked at their first sign-in, with the role
/// their groups give.
pub async fn responder_for(pool: &PgPool, who: &Staff) -> Result<Responder, Error> {
    let responder = match store::oidc::by_subject(pool, &who.subject).await? {
        Some(linked) => linked,
        None => {
            let by_name = match &who.username {
                Some(username) => store::responders::by_username(pool, username).await?,
                None => None,
            };
            let found = match (by_name, &who.email) {
                (Some(found), _) => Some(found),
                (None, Some(email)) => store::oidc::by_email(pool, email).await?,
                (None, None) => None,
            };
            let found = found.ok_or_else(|| refused("sign-in", Refusal::NoResponder))?;
            if !store::oidc::link_subject(pool, found.id, &who.subject).await? {
                return Err(refused("sign-in", Refusal::LinkedElsewhere).into());
            }
            tracing::info!(responder = %found.username, "linked to the city's account at first sign-in");
            found
        }
    };
    if responder.role == who.role {
        return Ok(responder);
    }
    tracing::info!(
        responder = %responder.username, from = %responder.role, to = %who.role,
        "role set from the city's groups"
    );
    Ok(store::oidc::set_role(pool, responder.id, who.role)
        .await?
        .ok_or_else(|| refused("sign-in", Refusal::NoResponder))?)
}

/// Whether a bearer token is a JWT (three dot-separated parts), which only
/// the provider issues: a console session token is one base64 word.
pub fn is_jwt(token: &str) -> bool {
    token.split('.').count() == 3
}

/// The responder a bearer token from the provider stands for: checked as an
/// ID token is (but for the nonce, there being no sign-in), mapped to a
/// role the same way; no session is made.
pub async fn bearer(provider: &Provider, pool: &PgPool, token: &str) -> Result<Responder, Error> {
    let claims = tokens::verify(provider, token, Kind::Bearer).await.map_err(|r| refused("bearer token", r))?;
    let who = staff(&provider.config, &claims).map_err(|r| refused("bearer token", r))?;
    responder_for(pool, &who).await
}
