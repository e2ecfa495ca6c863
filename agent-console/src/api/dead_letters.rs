//! Dead letters for leads: `GET /api/v1/dead-letters` lists the messages
//! the bus could not deliver (the router records each one off the
//! dead-letter queue into PostgreSQL, see `batline_router::dead_letters`),
//! and `POST /api/v1/dead-letters/{id}/retry` publishes one again on its
//! original route. Leads, the mayor and admins may look; leads and admins
//! may retry. Nothing here deletes a dead letter: a retried one stays, marked
//! with who retried it and when, and comes back as a new one if it fails again.

use axum::{
    Json,
    extract::{Query, State, rejection::QueryRejection},
};
use batline_core::store;
use serde::{Deserialize, Serialize};

use crate::{
    http::{error::ApiError, extract::Path, signed_in::SignedIn},
    operations::dead_letters::{DeadLetterView, retry_one},
    state::AppState,
};
use uuid::Uuid;

/// Dead letters listed when the query does not say.
const DEFAULT_LIMIT: i64 = 100;
/// Most dead letters one list returns.
const MAX_LIMIT: i64 = 1000;
/// `GET /api/v1/dead-letters` query.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Also list the ones already retried (default false).
    #[serde(default)]
    include_retried: bool,
    /// At most this many, newest first (default 100, at most 1000).
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<i64>,
}

/// The list and how many wait.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DeadLetterList {
    /// Dead letters not yet retried, all of them (not only those listed).
    pub waiting: i64,
    /// The dead letters, newest first.
    pub dead_letters: Vec<DeadLetterView>,
}

/// `GET /api/v1/dead-letters?include_retried=&limit=` (leads, the mayor, admins).
#[utoipa::path(get, operation_id = "list_dead_letters", path = "/api/v1/dead-letters", tag = "administration", params(ListQuery), responses(
    (status = 200, description = "The dead letters, newest first, and how many wait", body = DeadLetterList),
    (status = 403, description = "Not a lead, the mayor or an admin", body = crate::http::error::ErrorBody),
    (status = 422, description = "`include_retried` is not true or false, `limit` is not 1 to 1000, or an \
        unknown parameter", body = crate::http::error::ErrorBody),
    crate::http::responses::Signed,
))]
pub async fn list(
    State(state): State<AppState>,
    SignedIn(me): SignedIn,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Json<DeadLetterList>, ApiError> {
    if !me.role.may_reassign() {
        return Err(ApiError::Forbidden("dead letters are for leads, the mayor and admins".into()));
    }
    let Query(q) = query.map_err(|e| {
        ApiError::Unprocessable(format!("{e}; expected include_retried (true, false) and limit (1-{MAX_LIMIT})"))
    })?;
    let limit = q.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::Unprocessable(format!("limit must be 1 to {MAX_LIMIT}")));
    }
    let rows = store::dead_letters::list(&state.pool, q.include_retried, limit).await?;
    let waiting = store::dead_letters::waiting_count(&state.pool).await?;
    Ok(Json(DeadLetterList { waiting, dead_letters: rows.into_iter().map(DeadLetterView::from).collect() }))
}

/// `POST /api/v1/dead-letters/{id}/retry` (leads and admins).
#[utoipa::path(post, path = "/api/v1/dead-letters/{id}/retry", tag = "administration",
    params(("id" = Uuid, Path, description = "The dead letter")), responses(
    (status = 200, description = "Published again on its route (confirm awaited) and marked retried", body = DeadLetterView),
    (status = 403, description = "Not a lead or an admin", body = crate::http::error::ErrorBody),
    (status = 404, description = "No such dead letter", body = crate::http::error::ErrorBody),
    (status = 409, description = "It was already retried", body = crate::http::error::ErrorBody),
    (status = 422, description = "It did not come from a Batline work route, so it cannot be sent back", body = crate::http::error::ErrorBody),
    crate::http::responses::BadId,
    crate::http::responses::Signed,
))]
pub async fn retry(
    State(state): State<AppState>,
    SignedIn(me): SignedIn,
    Path(id): Path<Uuid>,
) -> Result<Json<DeadLetterView>, ApiError> {
    Ok(Json(retry_one(&state, id, &me).await?))
}
