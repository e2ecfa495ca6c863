//! The gateway: Batline's channel adapters. It persists what arrives (the
//! Twilio SMS and voice webhooks, the web chat), hands it to the router
//! through RabbitMQ, sends what the router and responders write back (the
//! SMS sender, the chat sockets), and serves public case tracking and the
//! public accountability page `/open`. It never
//! chooses a responder.

pub mod chat;
pub mod error;
pub mod extract;
pub mod hand_on;
pub mod health;
pub mod lang;
pub mod open_data;
pub mod open_page;
pub mod openapi;
pub mod rate_limit;
pub mod sender;
pub mod signed_form;
pub mod sms;
pub mod track;
pub mod track_access;
pub mod track_page;
pub mod voice;
pub mod webhook_limit;

use std::sync::Arc;

use axum::{
    Router,
    extract::DefaultBodyLimit,
    routing::{get, post},
};
use batline_core::{
    Config, Result,
    bus::Bus,
    config::TwilioConfig,
    outbox::Outbox,
    twilio::{TwilioClient, client::RetryPolicy},
};
use sqlx::PgPool;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tower_http::trace::TraceLayer;

/// What the gateway's pages may load: their own scripts, styles and
/// images (HDS draws icons as `data:` SVGs), nothing inline and nothing
/// from elsewhere. The chat page adds who may frame it ([`chat_page_csp`]).
macro_rules! page_sources {
    () => {
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; \
         base-uri 'none'; form-action 'self'"
    };
}

/// The policy of every gateway answer that sets none itself: the page
/// sources, and never framed.
pub const PAGE_CSP: &str = concat!(page_sources!(), "; frame-ancestors 'none'");

/// The chat page's policy: the page sources, framed only by the gateway's
/// own pages and the city sites in `BATLINE_CHAT_ORIGINS`.
pub fn chat_page_csp(config: &Config) -> String {
    format!("{}; {}", page_sources!(), chat::origin::frame_ancestors(config))
}

/// Largest request body the gateway reads. A Twilio SMS webhook with ten
/// media attachments is under 8 KiB.
pub const BODY_LIMIT: usize = 64 * 1024;

/// Shared state of every gateway handler.
#[derive(Clone)]
pub struct AppState {
    /// Settings read at start-up.
    pub config: Arc<Config>,
    /// The Twilio account (checked present at start-up).
    pub twilio_config: Arc<TwilioConfig>,
    /// PostgreSQL.
    pub pool: PgPool,
    /// RabbitMQ.
    pub bus: Bus,
    /// Publishes what handlers write to the outbox.
    pub outbox: Outbox,
    /// Sends SMS.
    pub twilio: TwilioClient,
    /// Limits tracking look-ups per client address.
    pub track_limit: Arc<rate_limit::PerAddress>,
    /// Limits Twilio webhooks per source (see [`webhook_limit`]).
    pub webhook_limit: Arc<rate_limit::PerAddress>,
    /// Limits `/open` requests per client address.
    pub open_limit: Arc<rate_limit::PerAddress>,
    /// The `/open` figures of recently asked periods.
    pub open_cache: Arc<open_data::OpenCache>,
    /// The figures `/open` publishes, held in memory once first asked for.
    pub figures: Arc<batline_core::figures::Figures>,
    /// The web chat's sockets and limits.
    pub chat: Arc<chat::Chat>,
}

impl AppState {
    /// State for `config`; fails if Twilio is not configured.
    pub fn new(config: Arc<Config>, pool: PgPool, bus: Bus) -> Result<Self> {
        Self::with_retry(config, pool, bus, RetryPolicy::default())
    }

    /// As [`AppState::new`] with the Twilio client's retry policy given.
    pub fn with_retry(config: Arc<Config>, pool: PgPool, bus: Bus, retry: RetryPolicy) -> Result<Self> {
        let twilio_config = Arc::new(config.twilio()?.clone());
        let twilio = TwilioClient::with_retry((*twilio_config).clone(), retry)?;
        let outbox = Outbox::new(pool.clone(), bus.clone());
        let per_minute = std::num::NonZeroU32::new(config.track_per_minute)
            .ok_or_else(|| batline_core::Error::Config("BATLINE_TRACK_PER_MINUTE must be at least 1".into()))?;
        let track_limit = Arc::new(rate_limit::PerAddress::per_minute(per_minute));
        let webhook_per_minute = std::num::NonZeroU32::new(config.webhook_per_minute)
            .ok_or_else(|| batline_core::Error::Config("BATLINE_WEBHOOK_PER_MINUTE must be at least 1".into()))?;
        let webhook_limit = Arc::new(rate_limit::PerAddress::per_minute(webhook_per_minute));
        let open_per_minute = std::num::NonZeroU32::new(config.open.per_minute)
            .ok_or_else(|| batline_core::Error::Config("BATLINE_OPEN_PER_MINUTE must be at least 1".into()))?;
        let open_limit = Arc::new(rate_limit::PerAddress::per_minute(open_per_minute));
        let open_cache = Arc::new(open_data::OpenCache::default());
        let figures = Arc::new(batline_core::figures::Figures::new(pool.clone()));
        let chat = Arc::new(chat::Chat::new(&config)?);
        Ok(AppState {
            config,
            twilio_config,
            pool,
            bus,
            outbox,
            twilio,
            track_limit,
            webhook_limit,
            open_limit,
            open_cache,
            figures,
            chat,
        })
    }
}

/// The gateway's HTTP routes.
pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/twilio/sms", post(sms::inbound))
        .route("/twilio/sms/status", post(sms::status))
        .route("/twilio/voice", post(voice::answer::inbound))
        .route("/twilio/voice/wait", post(voice::answer::wait))
        .route("/twilio/voice/dial", post(voice::dial::dialled))
        .route("/twilio/voice/whisper", post(voice::dial::whisper))
        .route("/twilio/voice/recorded", post(voice::dial::recorded))
        .route("/twilio/voice/recording", post(voice::dial::recording_status))
        .route("/twilio/voice/status", post(voice::status::status))
        .route("/twilio/voice/call-back", post(voice::call_back::bridge))
        .route("/twilio/voice/call-back/dial", post(voice::call_back::dialled))
        .route("/api/v1/track/{code}", get(track::api))
        .route("/api/v1/track/{code}/conversation", get(track_access::chat_conversation))
        .route("/track/{code}", get(track::page))
        .route("/open", get(open_data::page))
        .route("/open/data.json", get(open_data::data_json))
        .route("/open/data.csv", get(open_data::data_csv))
        .route("/open/schema.json", get(open_data::schema))
        .route("/track/{code}/contact", post(track_access::ask_code))
        .route("/track/{code}/contact/confirm", post(track_access::confirm_code))
        .route("/chat", get(chat::page::page))
        .route("/chat/embed.js", get(chat::page::embed_script))
        .route("/chat/ws", get(chat::socket::upgrade))
        .route("/assets/{name}", get(batline_web_assets::serve))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(health::metrics))
        .route("/openapi.json", get(openapi::openapi_json))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        // Before any handler reads a webhook's body or checks its signature:
        // see `webhook_limit` for why in that order.
        .layer(axum::middleware::from_fn_with_state(state.clone(), webhook_limit::limit))
        .layer(axum::middleware::map_response(security_headers))
        .layer(axum::middleware::from_fn(count_response))
        .layer(TraceLayer::new_for_http())
        .layer(axum::middleware::from_fn(batline_core::trace_context::middleware))
        .with_state(state)
}

/// Serves the gateway on `listener` and runs its SMS sender and outbox relay
/// until `shutdown`.
pub async fn run(state: AppState, listener: TcpListener, shutdown: CancellationToken) -> Result<()> {
    let relay = state.outbox.spawn_relay(shutdown.clone());
    let sender = sender::spawn(state.clone(), shutdown.clone());
    let chat_delivery = chat::delivery::spawn(&state.bus, state.chat.hub.clone(), shutdown.clone());
    state.track_limit.clone().spawn_cleanup(shutdown.clone());
    state.webhook_limit.clone().spawn_cleanup(shutdown.clone());
    state.open_limit.clone().spawn_cleanup(shutdown.clone());
    state.chat.per_session.clone().spawn_cleanup(shutdown.clone());
    let (stop, chat_sockets) = (shutdown.clone(), state.chat.shutdown.clone());
    tokio::spawn(async move {
        // Upgraded sockets outlive the HTTP server's graceful shutdown; they
        // are told to close when the gateway stops.
        stop.cancelled().await;
        chat_sockets.cancel();
    });
    // Client addresses feed the per-address rate limits.
    let service = app(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    let serve = axum::serve(listener, service).with_graceful_shutdown(shutdown.clone().cancelled_owned());
    if let Err(e) = serve.await {
        tracing::error!(error = %e, "gateway server failed");
        shutdown.cancel();
    }
    let _ = tokio::join!(relay, sender, chat_delivery);
    tracing::info!("gateway stopped");
    Ok(())
}

/// Fills in the security headers a handler did not set, on every answer
/// (see `batline_core::security_headers`).
async fn security_headers(mut response: axum::response::Response) -> axum::response::Response {
    batline_core::security_headers::fill(&mut response, PAGE_CSP);
    response
}

/// Counts every response by status for `batline_http_requests_total`.
async fn count_response(request: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    let response = next.run(request).await;
    batline_core::metrics::http_response("gateway", response.status().as_u16());
    response
}
