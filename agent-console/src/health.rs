//! `GET /healthz`, `GET /readyz` and `GET /metrics`, as on the gateway.

use axum::{
    Json,
    extract::State,
    http::{StatusCode, header::CONTENT_TYPE},
    response::IntoResponse,
};
use batline_core::{health::Readiness, metrics};

use crate::AppState;

/// Liveness.
pub async fn healthz() -> &'static str {
    "ok"
}

/// Readiness: 503 with the failing part named while not ready.
pub async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<Readiness>) {
    let readiness = Readiness::check(&state.pool, &state.bus).await;
    let status = if readiness.is_ready() { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (status, Json(readiness))
}

/// `GET /metrics`: the process's Prometheus metrics, with the outbox and
/// queue depths read now.
pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    ([(CONTENT_TYPE, metrics::CONTENT_TYPE)], metrics::scrape(&state.pool, &state.bus).await)
}
