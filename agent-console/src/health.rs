//! `GET /healthz` and `GET /readyz`, as on the gateway.

use axum::{Json, extract::State, http::StatusCode};
use batline_core::health::Readiness;

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
