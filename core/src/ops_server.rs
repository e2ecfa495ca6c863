//! The operations listener every service runs on an address of its own:
//! `GET /metrics` (the process's Prometheus metrics, see [`crate::metrics`]),
//! `GET /healthz` (the process answers) and `GET /readyz` (PostgreSQL
//! answers, RabbitMQ is connected and every consumer is consuming; 503
//! naming the failing part otherwise, and 503 with `draining` from the
//! moment the service is asked to stop, while it finishes what it has in
//! hand: a proxy's health check then sends it nothing new).
//!
//! Apart from the public servers because what it shows is operational
//! detail the internet has no business reading: live intake counts,
//! rejected webhooks (an attacker's feedback), queue depths, whether the
//! database is down. The gateway serves it on `BATLINE_GATEWAY_OPS_ADDR`,
//! the console on `BATLINE_CONSOLE_OPS_ADDR`, a lone router on
//! `BATLINE_ROUTER_METRICS_ADDR`; each defaults to loopback, and the public
//! servers answer 404 for these paths.

use axum::{
    Json, Router,
    extract::State,
    http::{StatusCode, header::CONTENT_TYPE},
    response::IntoResponse,
    routing::get,
};
use sqlx::PgPool;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::{Result, bus::Bus, health::Readiness, metrics};

/// The paths the operations listener answers, and only it.
pub const PATHS: [&str; 3] = ["/metrics", "/healthz", "/readyz"];

#[derive(Clone)]
struct OpsState {
    pool: PgPool,
    bus: Bus,
    draining: CancellationToken,
}

/// The listener's routes, reading readiness and queue depths through
/// `pool` and `bus`, the service's own; `/readyz` says "draining" once
/// `shutdown` is cancelled.
pub fn app(pool: PgPool, bus: Bus, shutdown: CancellationToken) -> Router {
    Router::new()
        .route("/metrics", get(scrape))
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .with_state(OpsState { pool, bus, draining: shutdown })
}

/// Serves [`app`] on `listener`, saying at start where it listens (so a
/// listener on port 0 can be found in the log). `service` names the
/// service in the log lines. It answers through the service's drain
/// (from `shutdown` on, `/readyz` is 503) and stops when the service's bus
/// closes, after everything else. A listener that fails stops the whole
/// service, as its public server failing would: a service nobody can see
/// into must not run on quietly.
pub async fn serve(
    service: &'static str,
    listener: TcpListener,
    pool: PgPool,
    bus: Bus,
    shutdown: CancellationToken,
) -> Result<()> {
    match listener.local_addr() {
        Ok(addr) => {
            tracing::info!(service, %addr, "operations listener (/metrics, /healthz, /readyz) on http://{addr}")
        }
        Err(e) => tracing::warn!(service, error = %e, "operations listener started; its address is unknown"),
    }
    let closed = bus.clone();
    let serve = axum::serve(listener, app(pool, bus, shutdown.clone()))
        .with_graceful_shutdown(async move { closed.closed().await });
    if let Err(e) = serve.await {
        tracing::error!(service, error = %e, "operations listener failed");
        shutdown.cancel();
    }
    Ok(())
}

async fn scrape(State(state): State<OpsState>) -> impl IntoResponse {
    ([(CONTENT_TYPE, metrics::CONTENT_TYPE)], metrics::scrape(&state.pool, &state.bus).await)
}

async fn readyz(State(state): State<OpsState>) -> (StatusCode, Json<Readiness>) {
    let readiness = Readiness::check(&state.pool, &state.bus, state.draining.is_cancelled()).await;
    let status = if readiness.is_ready() { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (status, Json(readiness))
}
