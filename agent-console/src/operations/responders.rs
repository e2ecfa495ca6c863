//! Responder administration: admins add and change responders, and reset
//! their passwords. The JSON API and the admin pages both come here.

use batline_core::{
    domain::{DutyStatus, Language, Role},
    password,
    responder_admin::{self, Unset},
    store::{
        self,
        responders::{NewResponder, Responder, ResponderPatch},
    },
};
use serde::Deserialize;
use uuid::Uuid;

use crate::{http::error::ApiError, state::AppState};

/// Refuses anyone but an admin.
pub fn ensure_admin(me: &Responder) -> Result<(), ApiError> {
    if me.role == Role::Admin { Ok(()) } else { Err(ApiError::Forbidden("only an admin can change responders".into())) }
}

/// Body of `POST /api/v1/responders`, and what the admin page's form gives.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddResponder {
    /// Sign-in name: 1 to 64 of the letters a-z, digits, `.`, `_` and `-`,
    /// starting with a letter or digit; kept in lower case, unique, and not
    /// reading like another (`0`/`o`, `1`/`l`, `rn`/`m`, `vv`/`w`).
    #[schema(min_length = 1, max_length = 64, pattern = "^\\s*[A-Za-z0-9][A-Za-z0-9._-]{0,63}\\s*$", example = "aino")]
    pub username: String,
    /// The name residents see (1 to 80 characters; nothing invisible, no
    /// bidirectional control, no space but the plain one).
    #[schema(
        min_length = 1,
        max_length = 80,
        pattern = "^[\\s\\S]*[^\\s\\x00-\\x1f\\x7f-\\x9f][\\s\\S]*$",
        example = "Aino"
    )]
    pub display_name: String,
    /// The initial password (10 characters at least).
    #[schema(min_length = 10)]
    pub password: String,
    /// Phone for call-backs, with the country code; blank for none.
    #[serde(default)]
    #[schema(
        pattern = "^[\\s\\x00-\\x1f\\x7f-\\x9f]*$|^[\\s\\x00-\\x1f\\x7f-\\x9f().-]*\\+[\\s\\x00-\\x1f\\x7f-\\x9f().-]*[1-9]([\\s\\x00-\\x1f\\x7f-\\x9f().-]*[0-9]){6,14}[\\s\\x00-\\x1f\\x7f-\\x9f().-]*$",
        example = "+358401234567"
    )]
    pub phone: Option<String>,
    /// Languages spoken (at least one).
    #[schema(min_items = 1)]
    pub languages: Vec<Language>,
    /// Districts, each at most 100 characters.
    #[serde(default)]
    #[schema(value_type = Vec<batline_core::store::responders::Skill>)]
    pub areas: Vec<String>,
    /// Topics, each at most 100 characters.
    #[serde(default)]
    #[schema(value_type = Vec<batline_core::store::responders::Skill>)]
    pub topics: Vec<String>,
    /// Open cases at most.
    #[serde(default = "default_capacity", deserialize_with = "batline_core::whole_number::i32")]
    #[schema(minimum = 0, maximum = 1000)]
    pub capacity: i32,
    /// Console role.
    #[serde(default = "default_role")]
    pub role: Role,
    /// Duty status to start with.
    #[serde(default = "default_duty")]
    pub duty_status: DutyStatus,
}

/// Capacity of a responder added without one.
pub fn default_capacity() -> i32 {
    10
}
fn default_role() -> Role {
    Role::Responder
}
fn default_duty() -> DutyStatus {
    DutyStatus::Off
}

/// Longest area or topic name.
const MAX_SKILL_CHARS: usize = 100;

/// Trimmed, without empty or repeated entries, each at most 100 characters.
fn skills(field: &str, values: Vec<String>) -> Result<Vec<String>, ApiError> {
    let mut out: Vec<String> = Vec::with_capacity(values.len());
    for value in values {
        let value = value.trim();
        if value.chars().count() > MAX_SKILL_CHARS {
            return Err(ApiError::Unprocessable(format!("each of {field} needs at most {MAX_SKILL_CHARS} characters")));
        }
        if !value.is_empty() && !out.iter().any(|v| v == value) {
            out.push(value.to_owned());
        }
    }
    Ok(out)
}

/// Refuses topics the service catalogue does not offer, except those in
/// `kept`: a responder keeps a topic retired after they were given it.
async fn offered_topics(state: &AppState, topics: &[String], kept: &[String]) -> Result<(), ApiError> {
    let unknown: Vec<String> =
        store::topics::not_offered(&state.pool, topics).await?.into_iter().filter(|t| !kept.contains(t)).collect();
    if unknown.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Unprocessable(format!(
            "topics {} are not in the service catalogue; choose from GET /api/v1/topics",
            unknown.join(", ")
        )))
    }
}

/// Reads `areas` as the city's districts (by code, Finnish or Swedish name),
/// keeping those in `kept` as they are; refuses names that are none.
async fn districts(state: &AppState, areas: Vec<String>, kept: &[String]) -> Result<Vec<String>, ApiError> {
    let mut conn = state.pool.acquire().await.map_err(batline_core::Error::from)?;
    let named = batline_core::districts::named(&mut conn, &areas, kept).await?;
    if named.unknown.is_empty() {
        Ok(named.codes)
    } else {
        Err(ApiError::Unprocessable(format!(
            "areas {} are not districts of the city; choose from GET /api/v1/districts",
            named.unknown.join(", ")
        )))
    }
}

/// A phone as E.164, or `None` for a blank one.
fn phone(value: Option<String>) -> Result<Option<String>, ApiError> {
    match value.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(p) => Ok(Some(batline_core::phone::from_form(p)?.into_string())),
    }
}

/// Checks a new password and hashes it off the async threads (Argon2 is slow on purpose).
async fn hash_password(plain: String) -> Result<String, ApiError> {
    if plain.chars().count() < 10 {
        return Err(ApiError::Unprocessable("the password needs at least 10 characters".into()));
    }
    Ok(tokio::task::spawn_blocking(move || password::hash(&plain))
        .await
        .map_err(|e| batline_core::Error::PasswordHash(e.to_string()))??)
}

/// Adds a responder as `me` (the API and the admin page both come here).
pub(crate) async fn add_as(state: &AppState, me: &Responder, body: AddResponder) -> Result<Responder, ApiError> {
    ensure_admin(me)?;
    if body.languages.is_empty() {
        return Err(ApiError::Unprocessable("a responder speaks at least one of fi, sv, en".into()));
    }
    let mut languages: Vec<Language> = Vec::with_capacity(body.languages.len());
    for language in body.languages {
        if !languages.contains(&language) {
            languages.push(language);
        }
    }
    let new_phone = phone(body.phone)?;
    let areas = districts(state, skills("areas", body.areas)?, &[]).await?;
    let topics = skills("topics", body.topics)?;
    offered_topics(state, &topics, &[]).await?;
    let password_hash = hash_password(body.password).await?;
    let new = NewResponder {
        // As sent: `responder_admin::add` trims and folds them, counting
        // their length as sent, as the schema does.
        username: body.username,
        display_name: body.display_name,
        password_hash,
        phone: new_phone,
        languages,
        areas,
        topics,
        capacity: body.capacity,
        duty_status: body.duty_status,
        is_backstop: false,
        role: body.role,
    };
    let added = responder_admin::add(&state.pool, &new).await?;
    tracing::info!(responder = %added.username, by = %me.username, "responder added");
    Ok(added)
}

/// Changes responder `id` as `me`: applies `patch` and empties what `unset` names.
pub(crate) async fn update_as(
    state: &AppState,
    me: &Responder,
    id: Uuid,
    mut patch: ResponderPatch,
    unset: Unset,
) -> Result<Responder, ApiError> {
    ensure_admin(me)?;
    if patch.languages.as_ref().is_some_and(Vec::is_empty) {
        return Err(ApiError::Unprocessable("a responder speaks at least one of fi, sv, en".into()));
    }
    patch.phone = phone(patch.phone)?;
    patch.topics = patch.topics.map(|t| skills("topics", t)).transpose()?;
    // What the responder has keeps: a retired topic or an area from before
    // the city's list goes only when it is taken away.
    let before = store::responders::get(&state.pool, id).await?;
    if let Some(areas) = patch.areas.take() {
        let kept = before.as_ref().map(|r| r.areas.as_slice()).unwrap_or_default();
        patch.areas = Some(districts(state, skills("areas", areas)?, kept).await?);
    }
    if let Some(topics) = &patch.topics {
        let kept = before.as_ref().map(|r| r.topics.as_slice()).unwrap_or_default();
        offered_topics(state, topics, kept).await?;
    }
    let updated = responder_admin::update_with(&state.pool, id, &patch, unset).await?;
    // Going off duty queued a hand-on in the outbox.
    state.outbox.kick();
    Ok(updated)
}

/// Gives responder `id` a new password as `me` (admins); their sessions end.
pub(crate) async fn reset_password_as(
    state: &AppState,
    me: &Responder,
    id: Uuid,
    password: String,
) -> Result<(), ApiError> {
    ensure_admin(me)?;
    let hash = hash_password(password).await?;
    responder_admin::reset_password(&state.pool, id, &hash).await?;
    tracing::info!(responder_id = %id, by = %me.username, "password reset");
    Ok(())
}
