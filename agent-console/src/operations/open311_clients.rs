//! Open311 client applications: an admin issues each one an API key, shown
//! once, and may revoke it. Only the key's digest is stored.

use batline_core::{
    domain::Role,
    open311_keys,
    store::{self, open311::Client, responders::Responder},
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{http::error::ApiError, state::AppState};

/// Longest application name.
pub const MAX_NAME_CHARS: usize = 120;

/// Refuses anyone but an admin.
pub fn ensure_admin(me: &Responder) -> Result<(), ApiError> {
    if me.role == Role::Admin {
        Ok(())
    } else {
        Err(ApiError::Forbidden("only an admin can issue and revoke Open311 keys".into()))
    }
}

/// Body of `POST /api/v1/open311/clients`, and what the admin page's form gives.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewClient {
    /// What the application is called (1 to 120 characters).
    #[schema(min_length = 1, max_length = 120, pattern = "^[\\s\\S]*[^\\s\\x00-\\x1f\\x7f-\\x9f][\\s\\S]*$")]
    pub name: String,
}

/// A client with its new key: the only time the key is seen.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Issued {
    /// The client.
    pub client: Client,
    /// The key, to hand to the application's makers; not stored.
    pub api_key: String,
}

/// Issues a key to a new client application as `me`.
pub(crate) async fn issue_as(state: &AppState, me: &Responder, new: NewClient) -> Result<Issued, ApiError> {
    ensure_admin(me)?;
    let name = new.name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
        return Err(ApiError::Unprocessable(format!("the name needs 1 to {MAX_NAME_CHARS} characters")));
    }
    let api_key = open311_keys::new_key();
    let client = store::open311::add_client(
        &state.pool,
        name,
        &open311_keys::digest(&api_key),
        &open311_keys::hint(&api_key),
        me.id,
    )
    .await?;
    tracing::info!(client = %client.id, name = %client.name, by = %me.username, "Open311 key issued");
    Ok(Issued { client, api_key })
}

/// Revokes a client's key as `me`; 404 when there is no such client with
/// a key still valid.
pub(crate) async fn revoke_as(state: &AppState, me: &Responder, id: Uuid) -> Result<(), ApiError> {
    ensure_admin(me)?;
    if !store::open311::revoke_client(&state.pool, id, me.id).await? {
        return Err(batline_core::Error::NotFound("Open311 client with a valid key").into());
    }
    tracing::info!(client = %id, by = %me.username, "Open311 key revoked");
    Ok(())
}
