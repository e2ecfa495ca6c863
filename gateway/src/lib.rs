//! The gateway: Batline's channel adapters. It persists what arrives (the
//! Twilio SMS and voice webhooks, the web chat), hands it to the router
//! through RabbitMQ, sends what the router and responders write back (the
//! SMS sender, the chat sockets), and serves public case tracking and the
//! public accountability page `/open`. It never
//! chooses a responder.
//!
//! The modules stand in layers, each using only those below it:
//!
//! - at the bottom, what every feature shares: [`error`] (the one error
//!   type and its HTTP mapping), [`http`] (extractors, page policies, the
//!   parameters and answers the OpenAPI document shares), [`lang`],
//!   [`rate_limit`], [`state`] (the handlers' shared state, which holds
//!   the chat's [`chat::Chat`] and `/open`'s [`open::figures::OpenCache`]:
//!   parts of those features that use no handler) and [`hand_on`];
//! - the features side by side: the Twilio webhooks ([`sms`], [`voice`],
//!   with [`signed_form`] and [`webhook_limit`] beneath them), [`email`]
//!   (its SMTP listener and sender), [`open311`],
//!   the public pages ([`track`], [`open`], [`area`]), the web [`chat`], and
//!   [`sender`] and [`openapi`] (`/metrics`, `/healthz` and `/readyz` are
//!   not here but on the operations listener, [`batline_core::ops_server`]);
//! - this file at the top: the route table, declared once for both the
//!   router and the OpenAPI document.

pub mod area;
pub mod chat;
pub mod email;
pub mod error;
pub mod hand_on;
pub mod http;
pub mod lang;
pub mod open;
pub mod open311;
pub mod openapi;
pub mod rate_limit;
pub mod sender;
pub mod signed_form;
pub mod sms;
pub mod state;
pub mod track;
pub mod voice;
pub mod webhook_limit;

use std::sync::Arc;

use axum::{Extension, Router, extract::DefaultBodyLimit, routing::get};
use batline_core::Result;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use utoipa_axum::{router::OpenApiRouter, routes};

pub use state::AppState;

/// Largest request body the gateway reads. A Twilio SMS webhook with ten
/// media attachments is under 8 KiB.
pub const BODY_LIMIT: usize = 64 * 1024;

/// The gateway's route table, each route declared once. A route with
/// `routes!` is also an operation of the OpenAPI document (its
/// `#[utoipa::path]` beside the handler says how); a plain `.route` is
/// left out of the document on purpose, as each says.
fn routes() -> OpenApiRouter<AppState> {
    let mut document = openapi::ApiDoc::openapi();
    document.merge(open311::schema::Open311Doc::openapi());
    OpenApiRouter::with_openapi(document)
        .routes(routes!(sms::inbound))
        .routes(routes!(sms::status))
        .routes(routes!(voice::answer::inbound))
        .routes(routes!(voice::answer::wait))
        .routes(routes!(voice::dial::dialled))
        .routes(routes!(voice::dial::whisper))
        .routes(routes!(voice::dial::recorded))
        .routes(routes!(voice::dial::recording_status))
        .routes(routes!(voice::status::status))
        .routes(routes!(voice::call_back::bridge))
        .routes(routes!(voice::call_back::dialled))
        .routes(routes!(track::case::api))
        .routes(routes!(track::access::chat_conversation))
        .routes(routes!(track::access::ask_code))
        .routes(routes!(track::access::confirm_code))
        .routes(routes!(chat::contact::ask))
        .routes(routes!(chat::contact::confirm))
        .routes(routes!(open::handlers::data_json))
        .routes(routes!(open::handlers::data_csv))
        .routes(routes!(open::handlers::schema))
        .routes(routes!(openapi::openapi_json))
        // Not in the document: the HTML pages are for people, not API
        // clients (and answer HTML, not the JSON error body).
        .route("/track", get(track::find::find))
        .route("/track/{code}", get(track::page::page))
        .route("/area", get(area::handlers::find).post(area::handlers::shared))
        .route("/open", get(open::handlers::page))
        .route("/open/detail", get(open::handlers::detail))
        .route("/chat", get(chat::page::page))
        // Nor the chat's script and the built-in assets: static files.
        .route("/chat/embed.js", get(chat::page::embed_script))
        .route("/assets/{name}", get(batline_web_assets::serve))
        // Open311's resources end in their format, which a route cannot
        // capture beside a parameter: `open311::schema` describes them.
        // The read-only files by name, so they answer other methods 405.
        .route("/open311/v2/discovery.json", get(open311::get_file))
        .route("/open311/v2/discovery.xml", get(open311::get_file))
        .route("/open311/v2/services.json", get(open311::get_file))
        .route("/open311/v2/services.xml", get(open311::get_file))
        .route("/open311/v2/{file}", get(open311::get_file).post(open311::post_file))
        .route("/open311/v2/{kind}/{file}", get(open311::get_one))
        // Nor the chat WebSocket: OpenAPI cannot describe its frames;
        // `docs/chat-protocol.md` does.
        .route("/chat/ws", get(chat::socket::upgrade))
}

/// The gateway's HTTP routes.
pub fn app(state: AppState) -> Router {
    let (router, document) = routes().split_for_parts();
    router
        // What `GET /openapi.json` serves.
        .layer(Extension(Arc::new(document)))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        // Before any handler reads a webhook's body or checks its signature:
        // see `webhook_limit` for why in that order.
        .layer(axum::middleware::from_fn_with_state(state.clone(), webhook_limit::limit))
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

/// How long a stopping gateway waits for its chat sockets to close.
const SOCKETS_CLOSE: std::time::Duration = std::time::Duration::from_secs(5);

/// Serves the gateway on `listener` and its operations listener
/// ([`batline_core::ops_server`]) on `ops`, and runs its SMS sender and
/// outbox relay, until `shutdown`. Then it drains: it stops accepting
/// connections, answers the requests in flight, tells every chat socket
/// to reconnect (elsewhere), and stops its consumers once their messages
/// in hand are done.
pub async fn run(state: AppState, listener: TcpListener, ops: TcpListener, shutdown: CancellationToken) -> Result<()> {
    run_with_smtp(state, listener, ops, None, shutdown).await
}

/// As [`run`], with the SMTP listener already bound (`smtp`), as a test
/// binds it to know its port; `None` binds `BATLINE_SMTP_LISTEN`, if set.
pub async fn run_with_smtp(
    state: AppState,
    listener: TcpListener,
    ops: TcpListener,
    smtp: Option<TcpListener>,
    shutdown: CancellationToken,
) -> Result<()> {
    let ops = tokio::spawn(batline_core::ops_server::serve(
        "gateway",
        ops,
        state.pool.clone(),
        state.bus.clone(),
        shutdown.clone(),
    ));
    let relay = state.outbox.spawn_relay(shutdown.clone());
    let sender = sender::spawn(state.clone(), shutdown.clone());
    let email = email::spawn(&state, smtp, shutdown.clone()).await?;
    let chat_delivery = chat::delivery::spawn(&state.bus, state.chat.hub.clone(), shutdown.clone());
    state.filing.clone().spawn_listener(state.pool.clone(), shutdown.clone());
    state.track_limit.clone().spawn_cleanup(shutdown.clone());
    state.webhook_limit.clone().spawn_cleanup(shutdown.clone());
    state.open_limit.clone().spawn_cleanup(shutdown.clone());
    state.open311_reads.clone().spawn_cleanup(shutdown.clone());
    state.open311_posts.clone().spawn_cleanup(shutdown.clone());
    state.chat.per_session.clone().spawn_cleanup(shutdown.clone());
    state.chat.admission.per_address.clone().spawn_cleanup(shutdown.clone());
    let (stop, chat_sockets) = (shutdown.clone(), state.chat.shutdown.clone());
    tokio::spawn(async move {
        // Upgraded sockets outlive the HTTP server's graceful shutdown; they
        // are told to close when the gateway stops.
        stop.cancelled().await;
        chat_sockets.cancel();
    });
    let sockets = state.chat.sockets.clone();
    // Client addresses feed the per-address rate limits.
    let service = app(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    let serve = axum::serve(listener, service).with_graceful_shutdown(shutdown.clone().cancelled_owned());
    if let Err(e) = serve.await {
        tracing::error!(error = %e, "gateway server failed");
        shutdown.cancel();
    }
    // Every chat socket finishes the frame in hand and is told to reconnect.
    sockets.close();
    if tokio::time::timeout(SOCKETS_CLOSE, sockets.wait()).await.is_err() {
        tracing::warn!(open = sockets.len(), "chat sockets still open after {SOCKETS_CLOSE:?}; stopping anyway");
    }
    // The operations listener answers until the bus closes, after this.
    drop(ops);
    let _ = tokio::join!(relay, sender, chat_delivery, futures_util::future::join_all(email));
    tracing::info!("gateway stopped");
    Ok(())
}

/// Fills in the security headers a handler did not set, on every answer
/// (see `batline_core::security_headers`).
async fn security_headers(mut response: axum::response::Response) -> axum::response::Response {
    batline_core::security_headers::fill(&mut response, http::csp::PAGE_CSP);
    response
}

/// Counts every response by status for `batline_http_requests_total`.
async fn count_response(request: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    let response = next.run(request).await;
    batline_core::metrics::http_response("gateway", response.status().as_u16());
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_is_openapi_3_1() {
        let json = serde_json::to_value(routes().split_for_parts().1).unwrap_or_default();
        assert_eq!(json["openapi"], "3.1.0");
        assert!(json["components"]["schemas"]["ErrorBody"].is_object());
    }
}
