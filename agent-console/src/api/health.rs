//! `GET /healthz`, `GET /readyz` and `GET /metrics`, as on the gateway.

use axum::{
    Json,
    extract::State,
    http::{StatusCode, header::CONTENT_TYPE},
    response::IntoResponse,
};
use batline_core::{health::Readiness, metrics};

use crate::state::AppState;

/// Liveness.
#[utoipa::path(get, path = "/healthz", tag = "operations", security(()),
    responses((status = 200, description = "The process answers", body = String, content_type = "text/plain", example = "ok")))]
pub async fn healthz() -> &'static str {
    "ok"
}

/// Readiness: 503 with the failing part named while not ready.
#[utoipa::path(get, path = "/readyz", tag = "operations", security(()), responses(
    (status = 200, description = "PostgreSQL answers and RabbitMQ is consumed", body = batline_core::health::Readiness),
    (status = 503, description = "Not ready: the part that is not is `false`", body = batline_core::health::Readiness),
))]
pub async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<Readiness>) {
    let readiness = Readiness::check(&state.pool, &state.bus).await;
    let status = if readiness.is_ready() { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (status, Json(readiness))
}

/// `GET /metrics`: the process's Prometheus metrics, with the outbox and
/// queue depths read now.
#[utoipa::path(get, path = "/metrics", tag = "operations", security(()), responses(
    (status = 200, description = "Prometheus text format, version 0.0.4", body = String, content_type = "text/plain"),
))]
pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    ([(CONTENT_TYPE, metrics::CONTENT_TYPE)], metrics::scrape(&state.pool, &state.bus).await)
}
