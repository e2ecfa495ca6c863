//! The router's only HTTP listener, for `batline router` running alone:
//! `GET /metrics` (the process's Prometheus metrics, see
//! [`batline_core::metrics`]), `GET /healthz` (the process answers) and
//! `GET /readyz` (PostgreSQL answers, RabbitMQ is connected and every
//! consumer is consuming; 503 naming the failing part otherwise), on
//! `BATLINE_ROUTER_METRICS_ADDR`. `batline up` does not start it: there the
//! gateway's and the console's `/metrics` already show the router's numbers,
//! since the recorder is per process.

use axum::{
    Json, Router,
    extract::State,
    http::{StatusCode, header::CONTENT_TYPE},
    response::IntoResponse,
    routing::get,
};
use batline_core::{Result, bus::Bus, health::Readiness, metrics};
use sqlx::PgPool;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

#[derive(Clone)]
struct MetricsState {
    pool: PgPool,
    bus: Bus,
}

/// The listener's routes.
pub fn app(pool: PgPool, bus: Bus) -> Router {
    Router::new()
        .route("/metrics", get(scrape))
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .with_state(MetricsState { pool, bus })
}

/// Serves [`app`] on `listener` until `shutdown`.
pub async fn serve(listener: TcpListener, pool: PgPool, bus: Bus, shutdown: CancellationToken) -> Result<()> {
    let serve = axum::serve(listener, app(pool, bus)).with_graceful_shutdown(shutdown.clone().cancelled_owned());
    if let Err(e) = serve.await {
        tracing::error!(error = %e, "router metrics listener failed");
        shutdown.cancel();
    }
    Ok(())
}

async fn scrape(State(state): State<MetricsState>) -> impl IntoResponse {
    ([(CONTENT_TYPE, metrics::CONTENT_TYPE)], metrics::scrape(&state.pool, &state.bus).await)
}

async fn readyz(State(state): State<MetricsState>) -> (StatusCode, Json<Readiness>) {
    let readiness = Readiness::check(&state.pool, &state.bus).await;
    let status = if readiness.is_ready() { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (status, Json(readiness))
}
