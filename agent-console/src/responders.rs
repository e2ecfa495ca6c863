//! Responder administration: leads, the mayor and admins see everyone (who
//! is on duty, with what load); admins add and change responders.

use axum::{
    Json,
    extract::{Path, State, rejection::JsonRejection},
    http::StatusCode,
};
use batline_core::{
    domain::{DutyStatus, Language, Role},
    password, responder_admin,
    store::{
        self,
        responders::{NewResponder, Responder, ResponderPatch},
    },
};
use serde::Deserialize;
use uuid::Uuid;

use crate::{AppState, auth::SignedIn, error::ApiError};

fn ensure_admin(me: &Responder) -> Result<(), ApiError> {
    if me.role == Role::Admin { Ok(()) } else { Err(ApiError::Forbidden("only an admin can change responders".into())) }
}

/// `GET /api/v1/responders`: everyone, with duty status and load.
pub async fn list(State(state): State<AppState>, SignedIn(me): SignedIn) -> Result<Json<Vec<Responder>>, ApiError> {
    if !me.role.may_reassign() {
        return Err(ApiError::Forbidden("the responder list is for leads, the mayor and admins".into()));
    }
    Ok(Json(store::responders::list(&state.pool).await?))
}

/// Body of `POST /api/v1/responders`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AddResponder {
    username: String,
    display_name: String,
    password: String,
    #[serde(default)]
    phone: Option<String>,
    languages: Vec<Language>,
    #[serde(default)]
    areas: Vec<String>,
    #[serde(default)]
    topics: Vec<String>,
    #[serde(default = "default_capacity")]
    capacity: i32,
    #[serde(default = "default_role")]
    role: Role,
    #[serde(default = "default_duty")]
    duty_status: DutyStatus,
}

fn default_capacity() -> i32 {
    10
}
fn default_role() -> Role {
    Role::Responder
}
fn default_duty() -> DutyStatus {
    DutyStatus::Off
}

/// `POST /api/v1/responders`: add a responder (admins).
pub async fn add(
    State(state): State<AppState>,
    SignedIn(me): SignedIn,
    body: Result<Json<AddResponder>, JsonRejection>,
) -> Result<(StatusCode, Json<Responder>), ApiError> {
    ensure_admin(&me)?;
    let Json(body) = body?;
    if body.password.chars().count() < 10 {
        return Err(ApiError::Unprocessable("the password needs at least 10 characters".into()));
    }
    if body.languages.is_empty() {
        return Err(ApiError::Unprocessable("a responder speaks at least one of fi, sv, en".into()));
    }
    let plain = body.password;
    let password_hash = tokio::task::spawn_blocking(move || password::hash(&plain))
        .await
        .map_err(|e| batline_core::Error::PasswordHash(e.to_string()))??;
    let new = NewResponder {
        username: body.username.trim().to_owned(),
        display_name: body.display_name.trim().to_owned(),
        password_hash,
        phone: body.phone,
        languages: body.languages,
        areas: body.areas,
        topics: body.topics,
        capacity: body.capacity,
        duty_status: body.duty_status,
        is_backstop: false,
        role: body.role,
    };
    Ok((StatusCode::CREATED, Json(responder_admin::add(&state.pool, &new).await?)))
}

/// `PATCH /api/v1/responders/{id}`: change skills, capacity, role, duty or
/// the backstop designation (admins).
pub async fn update(
    State(state): State<AppState>,
    SignedIn(me): SignedIn,
    Path(id): Path<Uuid>,
    body: Result<Json<ResponderPatch>, JsonRejection>,
) -> Result<Json<Responder>, ApiError> {
    ensure_admin(&me)?;
    let Json(patch) = body?;
    let updated = responder_admin::update(&state.pool, id, &patch).await?;
    state.outbox.kick();
    Ok(Json(updated))
}
