//! `GET /healthz` (the process answers) and `GET /readyz` (PostgreSQL
//! answers, RabbitMQ is connected and every consumer is consuming).

use axum::{Json, extract::State, http::StatusCode};
use serde_json::{Value, json};

use crate::AppState;

/// Liveness.
pub async fn healthz() -> &'static str {
    "ok"
}

/// Readiness: 503 with the failing part named while not ready.
pub async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    let database = sqlx::query("SELECT 1").execute(&state.pool).await.is_ok();
    let bus = state.bus.is_ready();
    let status = if database && bus { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    let word = |ok: bool| if ok { "ok" } else { "unavailable" };
    (status, Json(json!({ "database": word(database), "bus": word(bus) })))
}
