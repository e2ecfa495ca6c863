//! The shared state of every gateway handler: settings, the pool, the bus,
//! the Twilio client, the rate limits, and the shares of `/open` and the
//! chat. Features read it; it knows no handler.

use std::sync::Arc;

use batline_core::{
    Config, Result,
    bus::Bus,
    config::TwilioConfig,
    intake_writer::IntakeWriter,
    outbox::Outbox,
    sending::{self, SentRecords},
    twilio::{TwilioClient, client::RetryPolicy},
};
use sqlx::PgPool;

use crate::{area::city::CityCell, chat, open::figures::OpenCache, rate_limit};

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
    /// Stores arriving contacts, several to a transaction under load.
    pub intake: IntakeWriter,
    /// Sends SMS.
    pub twilio: TwilioClient,
    /// Records what Twilio took for the SMS sender, several to a commit
    /// under load.
    pub sent_records: SentRecords,
    /// Limits tracking look-ups per client address.
    pub track_limit: Arc<rate_limit::PerAddress>,
    /// Limits Twilio webhooks per source (see `webhook_limit`).
    pub webhook_limit: Arc<rate_limit::PerAddress>,
    /// Limits `/open` requests per client address.
    pub open_limit: Arc<rate_limit::PerAddress>,
    /// Limits Open311 reads per client address.
    pub open311_reads: Arc<rate_limit::PerAddress>,
    /// Limits Open311 posts per client application.
    pub open311_posts: Arc<rate_limit::PerKey<uuid::Uuid>>,
    /// The `/open` figures of recently asked periods.
    pub open_cache: Arc<OpenCache>,
    /// The figures `/open` publishes, held in memory once first asked for.
    pub figures: Arc<batline_core::figures::Figures>,
    /// The web chat's sockets and limits.
    pub chat: Arc<chat::Chat>,
    /// The city's districts and streets, read once first needed (`/area`).
    pub city: Arc<CityCell>,
    /// The router's "filed" notices, for calls held until they have an owner.
    pub filing: Arc<batline_core::filing_notices::FilingNotices>,
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
        let open311_per_minute = std::num::NonZeroU32::new(config.open311_per_minute)
            .ok_or_else(|| batline_core::Error::Config("BATLINE_OPEN311_PER_MINUTE must be at least 1".into()))?;
        let open311_reads = Arc::new(rate_limit::PerAddress::per_minute(open311_per_minute));
        let open311_posts = Arc::new(rate_limit::PerKey::per_minute(open311_per_minute));
        let open_cache = Arc::new(OpenCache::default());
        let figures = Arc::new(batline_core::figures::Figures::new(pool.clone()));
        let chat = Arc::new(chat::Chat::new(&config)?);
        let intake = IntakeWriter::new(pool.clone());
        let sent_records = sending::sent_records(pool.clone());
        Ok(AppState {
            config,
            twilio_config,
            pool,
            bus,
            outbox,
            intake,
            twilio,
            sent_records,
            track_limit,
            webhook_limit,
            open_limit,
            open311_reads,
            open311_posts,
            open_cache,
            figures,
            chat,
            city: Arc::new(CityCell::default()),
            filing: Arc::default(),
        })
    }
}
