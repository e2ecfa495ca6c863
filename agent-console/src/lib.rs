//! The agent console: the responders' web app (`web`: sign-in, the live
//! inbox, case pages, hand-offs, the lead's view, administration), the JSON
//! API it shares its actions with, walk-in desks' tickets and their
//! printable page.
//!
//! Layers, top to bottom; a module imports only from layers below it:
//! - this file, which assembles the app;
//! - [`api`] (the JSON handlers, each route declared once for serving and
//!   the OpenAPI document) and [`web`] (the pages), side by side;
//! - [`operations`]: what a responder does (reply, resolve, hand off, ...),
//!   the same for both, knowing nothing of HTTP;
//! - [`http`]: the one error type and its HTTP mapping, the extractors, the
//!   shared answers; [`state`], [`live_feed`] and [`oidc`] (the city's
//!   identity provider) beside it;
//! - `batline_core`.

pub mod api;
pub mod http;
pub mod live_feed;
pub mod oidc;
pub mod operations;
pub mod state;
pub mod web;

use axum::{Router, extract::DefaultBodyLimit, routing::get};
use batline_core::Result;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tower_http::trace::TraceLayer;

pub use state::AppState;

/// The console's HTTP routes.
pub fn app(state: AppState) -> Router {
    Router::new()
        .merge(api::routes())
        // Not in the OpenAPI document, so plain axum routes: the printable
        // walk-in ticket and the pages (with their assets and the live
        // WebSocket, in `web::routes`) answer a browser with HTML or a
        // socket, not a client of the JSON API.
        .route("/walk-in/tickets/{id}", get(web::walk_in_ticket::page))
        .merge(web::routes())
        .layer(DefaultBodyLimit::max(http::BODY_LIMIT))
        .layer(axum::middleware::map_response(security_headers))
        .layer(axum::middleware::from_fn(count_response))
        .layer(TraceLayer::new_for_http())
        .layer(axum::middleware::from_fn(batline_core::trace_context::middleware))
        // Outermost: every limit and handler below counts the client behind
        // the city's proxies (`BATLINE_TRUSTED_PROXIES`), not the proxy.
        .layer(axum::middleware::from_fn_with_state(
            state.config.trusted_proxies.clone(),
            batline_core::client_address::resolve,
        ))
        .with_state(state)
}

/// Fills in the security headers a handler did not set, on every answer:
/// the pages' policy (`web::CSP`), nosniff, a referrer policy (see
/// `batline_core::security_headers`).
async fn security_headers(mut response: axum::response::Response) -> axum::response::Response {
    batline_core::security_headers::fill(&mut response, web::CSP);
    response
}

/// How long a stopping console waits for its live sockets to close.
const SOCKETS_CLOSE: std::time::Duration = std::time::Duration::from_secs(5);

/// Serves the console on `listener` and its operations listener
/// ([`batline_core::ops_server`]) on `ops`, and runs its outbox relay, until
/// `shutdown`. Then it drains: it stops accepting connections, answers the
/// requests in flight and tells every live socket to reconnect.
pub async fn run(state: AppState, listener: TcpListener, ops: TcpListener, shutdown: CancellationToken) -> Result<()> {
    let ops = tokio::spawn(batline_core::ops_server::serve(
        "console",
        ops,
        state.pool.clone(),
        state.bus.clone(),
        shutdown.clone(),
    ));
    let relay = state.outbox.spawn_relay(shutdown.clone());
    let live = state.live.spawn(&state.bus, &state.pool, shutdown.clone());
    state.filing.clone().spawn_listener(state.pool.clone(), shutdown.clone());
    state.sign_in_limit.clone().spawn_cleanup(shutdown.clone());
    state.sign_in_lockout.clone().spawn_cleanup(shutdown.clone());
    // Load the dashboard's figures now rather than on the mayor's first
    // click (a million cases take seconds); a failure here only means the
    // first report loads them instead.
    let figures = state.figures.clone();
    tokio::spawn(async move {
        if let Err(e) = figures.refresh().await {
            tracing::warn!(error = %e, "could not load the dashboard's figures yet; the first report will");
        }
    });
    let (pool, instance_id, live_sockets) = (state.pool.clone(), state.instance_id, state.live_sockets.clone());
    // Client addresses feed the sign-in rate limit.
    let service = app(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    let serve = axum::serve(listener, service).with_graceful_shutdown(shutdown.clone().cancelled_owned());
    if let Err(e) = serve.await {
        tracing::error!(error = %e, "console server failed");
        shutdown.cancel();
    }
    // Every live socket is told to reconnect, and closes its presence.
    live_sockets.stop.cancel();
    live_sockets.tasks.close();
    if tokio::time::timeout(SOCKETS_CLOSE, live_sockets.tasks.wait()).await.is_err() {
        tracing::warn!(
            open = live_sockets.tasks.len(),
            "live sockets still open after {SOCKETS_CLOSE:?}; stopping anyway"
        );
    }
    // The operations listener answers until the bus closes, after this.
    drop(ops);
    let _ = tokio::join!(relay, live);
    // Its browsers reconnect to another console: that is no departure.
    if let Err(e) = batline_core::store::presence::instance_stopped(&pool, instance_id).await {
        tracing::warn!(error = %e, "could not forget this console's live sockets; they expire by themselves");
    }
    tracing::info!("console stopped");
    Ok(())
}

/// Counts every response by status for `batline_http_requests_total`.
async fn count_response(request: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    let response = next.run(request).await;
    batline_core::metrics::http_response("console", response.status().as_u16());
    response
}
