//! Canned replies: admins add and archive them. Archived ones stay stored
//! but are no longer offered.

use batline_core::{
    domain::{Language, Role},
    store::{self, canned_replies::CannedReply, responders::Responder},
};
use serde::Deserialize;
use uuid::Uuid;

use crate::{http::error::ApiError, state::AppState};

/// Longest title.
pub const MAX_TITLE_CHARS: usize = 80;
/// Longest text: what one reply may hold.
pub const MAX_BODY_CHARS: usize = 1600;

/// Refuses anyone but an admin.
pub fn ensure_admin(me: &Responder) -> Result<(), ApiError> {
    if me.role == Role::Admin {
        Ok(())
    } else {
        Err(ApiError::Forbidden("only an admin can change canned replies".into()))
    }
}

/// Body of `POST /api/v1/canned-replies`, and what the admin page's form gives.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCannedReply {
    /// The language it is written in.
    pub language: Language,
    /// A short name to pick it by (1 to 80 characters).
    #[schema(min_length = 1, max_length = 80, pattern = "^[\\s\\S]*[^\\s\\x00-\\x1f\\x7f-\\x9f][\\s\\S]*$")]
    pub title: String,
    /// The text (1 to 1,600 characters).
    #[schema(min_length = 1, max_length = 1600, pattern = "^[\\s\\S]*[^\\s\\x00-\\x1f\\x7f-\\x9f][\\s\\S]*$")]
    pub body: String,
}

/// Adds a canned reply as `me` (the API and the admin page both come here).
pub(crate) async fn add_as(state: &AppState, me: &Responder, new: NewCannedReply) -> Result<CannedReply, ApiError> {
    ensure_admin(me)?;
    let (title, body) = (new.title.trim(), new.body.trim());
    if title.is_empty() || title.chars().count() > MAX_TITLE_CHARS {
        return Err(ApiError::Unprocessable(format!("the title needs 1 to {MAX_TITLE_CHARS} characters")));
    }
    if body.is_empty() || body.chars().count() > MAX_BODY_CHARS {
        return Err(ApiError::Unprocessable(format!("the text needs 1 to {MAX_BODY_CHARS} characters")));
    }
    let reply = store::canned_replies::insert(&state.pool, new.language, title, body, me.id).await?;
    tracing::info!(canned_reply = %reply.id, by = %me.username, "canned reply added");
    Ok(reply)
}

/// Archives a canned reply as `me`.
pub(crate) async fn archive_as(state: &AppState, me: &Responder, id: Uuid) -> Result<(), ApiError> {
    ensure_admin(me)?;
    if !store::canned_replies::archive(&state.pool, id).await? {
        return Err(batline_core::Error::NotFound("canned reply").into());
    }
    tracing::info!(canned_reply = %id, by = %me.username, "canned reply archived");
    Ok(())
}
