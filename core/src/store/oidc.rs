//! Staff sign-in with the city's account (OpenID Connect): sign-ins under
//! way, and the link between a responder and the provider's subject. The
//! sessions themselves are console sessions ([`super::sessions`]).

use sqlx::PgExecutor;
use uuid::Uuid;

use crate::{Result, domain::Role, store::responders::Responder};

/// What a sign-in under way keeps until the browser comes back.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PendingSignIn {
    /// The `nonce` the ID token must carry.
    pub nonce: String,
    /// The PKCE code verifier the token request sends.
    pub pkce_verifier: String,
    /// Where the browser goes once signed in (already checked to stay on the console).
    pub next: String,
}

/// Remembers a sign-in under way by the hash of its `state`.
#[tracing::instrument(skip_all)]
pub async fn insert_sign_in(
    e: impl PgExecutor<'_>,
    state_hash: &[u8],
    nonce: &str,
    pkce_verifier: &str,
    next: &str,
) -> Result<()> {
    sqlx::query("INSERT INTO oidc_sign_ins (state_hash, nonce, pkce_verifier, next) VALUES ($1, $2, $3, $4)")
        .bind(state_hash)
        .bind(nonce)
        .bind(pkce_verifier)
        .bind(next)
        .execute(e)
        .await?;
    Ok(())
}

/// Uses up the sign-in of `state_hash` begun less than `max_age` ago:
/// deleted as it is read, so a `state` works once, however often it is sent.
#[tracing::instrument(skip_all)]
pub async fn take_sign_in(
    e: impl PgExecutor<'_>,
    state_hash: &[u8],
    max_age: std::time::Duration,
) -> Result<Option<PendingSignIn>> {
    Ok(sqlx::query_as(
        "WITH taken AS (DELETE FROM oidc_sign_ins WHERE state_hash = $1 RETURNING *)
         SELECT nonce, pkce_verifier, next FROM taken
         WHERE created_at > clock_timestamp() - make_interval(secs => $2)",
    )
    .bind(state_hash)
    .bind(max_age.as_secs_f64())
    .fetch_optional(e)
    .await?)
}

/// Forgets sign-ins abandoned at the provider; returns how many went.
#[tracing::instrument(skip_all)]
pub async fn delete_stale_sign_ins(e: impl PgExecutor<'_>, max_age: std::time::Duration) -> Result<u64> {
    Ok(sqlx::query("DELETE FROM oidc_sign_ins WHERE created_at <= clock_timestamp() - make_interval(secs => $1)")
        .bind(max_age.as_secs_f64())
        .execute(e)
        .await?
        .rows_affected())
}

/// The responder linked to the provider's subject `sub`.
#[tracing::instrument(skip(e))]
pub async fn by_subject(e: impl PgExecutor<'_>, sub: &str) -> Result<Option<Responder>> {
    Ok(sqlx::query_as("SELECT * FROM responders WHERE oidc_subject = $1").bind(sub).fetch_optional(e).await?)
}

/// The responder with this email address (any case).
#[tracing::instrument(skip_all)]
pub async fn by_email(e: impl PgExecutor<'_>, email: &str) -> Result<Option<Responder>> {
    Ok(sqlx::query_as("SELECT * FROM responders WHERE email IS NOT NULL AND lower(email) = lower($1)")
        .bind(email.trim())
        .fetch_optional(e)
        .await?)
}

/// Links a responder to the subject `sub`, unless already linked to one;
/// true when it is now linked to `sub`.
#[tracing::instrument(skip(e))]
pub async fn link_subject(e: impl PgExecutor<'_>, responder_id: Uuid, sub: &str) -> Result<bool> {
    Ok(sqlx::query(
        "UPDATE responders SET oidc_subject = $2 WHERE id = $1 AND (oidc_subject IS NULL OR oidc_subject = $2)",
    )
    .bind(responder_id)
    .bind(sub)
    .execute(e)
    .await?
    .rows_affected()
        == 1)
}

/// Gives a responder the role the provider's groups map to; returns them as now stored.
#[tracing::instrument(skip(e))]
pub async fn set_role(e: impl PgExecutor<'_>, responder_id: Uuid, role: Role) -> Result<Option<Responder>> {
    Ok(sqlx::query_as("UPDATE responders SET role = $2 WHERE id = $1 RETURNING *")
        .bind(responder_id)
        .bind(role)
        .fetch_optional(e)
        .await?)
}

/// Sets the address a responder is linked by at their first sign-in with
/// the city's account (`None` clears it).
#[tracing::instrument(skip_all)]
pub async fn set_email(e: impl PgExecutor<'_>, responder_id: Uuid, email: Option<&str>) -> Result<bool> {
    Ok(sqlx::query("UPDATE responders SET email = $2 WHERE id = $1")
        .bind(responder_id)
        .bind(email.map(str::trim))
        .execute(e)
        .await?
        .rows_affected()
        == 1)
}
