//! The state every console handler shares: settings, PostgreSQL, the bus,
//! the outbox, Twilio, the live feed, the sign-in limit and the figures.
//! At the bottom of the crate, so every layer may take it.

use std::sync::Arc;

use batline_core::{Config, Result, bus::Bus, outbox::Outbox, password, twilio::TwilioClient};
use sqlx::PgPool;

use crate::live_feed;

/// Shared state of every console handler.
/// The first wait of a sign-in lockout (`operations::sessions`); it
/// doubles with each failure after.
pub const FIRST_LOCKOUT: std::time::Duration = std::time::Duration::from_secs(30);

#[derive(Clone)]
pub struct AppState {
    /// Settings read at start-up.
    pub config: Arc<Config>,
    /// PostgreSQL.
    pub pool: PgPool,
    /// RabbitMQ.
    pub bus: Bus,
    /// Publishes what handlers write to the outbox.
    pub outbox: Outbox,
    /// A hash to check against when the username is unknown, so a failed
    /// sign-in takes as long either way.
    pub dummy_hash: String,
    /// Places call-backs; `None` when Twilio is not configured.
    pub twilio: Option<TwilioClient>,
    /// Case events for the browsers' live sockets.
    pub live: live_feed::LiveFeed,
    /// Sign-in attempts per client address.
    pub sign_in_limit: Arc<batline_core::rate_limit::PerAddress>,
    /// Failed sign-ins per (address source, username): see `operations::sessions`.
    pub sign_in_lockout: Arc<batline_core::rate_limit::Backoff<(std::net::IpAddr, String)>>,
    /// The dashboard's figures, held in memory once first asked for.
    pub figures: Arc<batline_core::figures::Figures>,
    /// This console process, among several: the live sockets it holds are
    /// registered under it (`store::presence`), and forgotten when it stops.
    pub instance_id: uuid::Uuid,
    /// The city's identity provider; `None` without `BATLINE_OIDC_ISSUER`.
    pub oidc: Option<Arc<crate::oidc::Provider>>,
    /// Told when sessions were ended from outside the browser (back-channel
    /// logout), so this process's live sockets recheck theirs at once
    /// rather than at their next heartbeat.
    pub sessions_ended: tokio::sync::broadcast::Sender<()>,
    /// The districts the dashboard's map draws, read once they are loaded.
    pub districts: Arc<batline_core::place::Loaded<batline_core::place::DistrictMap>>,
    /// The city's map, for finding an address a responder types.
    pub city: Arc<batline_core::place::Loaded<batline_core::place::CityMap>>,
    /// The router's "filed" notices, for walk-in visits the desk waits on.
    pub filing: Arc<batline_core::filing_notices::FilingNotices>,
    /// The browsers' live sockets this process holds.
    pub live_sockets: LiveSockets,
}

/// The browsers' live sockets of one console process: when it stops, each
/// is told to reconnect (to another console, through the proxy) and the
/// process waits until each has closed and forgotten its presence.
#[derive(Clone, Default)]
pub struct LiveSockets {
    /// Cancelled when the console stops.
    pub stop: tokio_util::sync::CancellationToken,
    /// Every socket's task.
    pub tasks: tokio_util::task::TaskTracker,
}

impl AppState {
    /// State for `config`.
    pub fn new(config: Arc<Config>, pool: PgPool, bus: Bus) -> Result<Self> {
        let outbox = Outbox::new(pool.clone(), bus.clone());
        let dummy_hash = password::hash("not a real password")?;
        let twilio = config.twilio.clone().map(TwilioClient::new).transpose()?;
        let per_minute = std::num::NonZeroU32::new(config.sign_in_per_minute)
            .ok_or_else(|| batline_core::Error::Config("BATLINE_SIGN_IN_PER_MINUTE must be at least 1".into()))?;
        let sign_in_limit = Arc::new(batline_core::rate_limit::PerAddress::per_minute(per_minute));
        let sign_in_lockout = Arc::new(batline_core::rate_limit::Backoff::new(
            config.sign_in_lockout_after,
            FIRST_LOCKOUT,
            config.sign_in_lockout_max,
        ));
        let figures = Arc::new(batline_core::figures::Figures::new(pool.clone()));
        let oidc = config.oidc.clone().map(crate::oidc::Provider::new).transpose()?.map(Arc::new);
        Ok(AppState {
            config,
            pool,
            bus,
            outbox,
            dummy_hash,
            twilio,
            live: live_feed::LiveFeed::default(),
            sign_in_limit,
            sign_in_lockout,
            figures,
            instance_id: uuid::Uuid::new_v4(),
            oidc,
            sessions_ended: tokio::sync::broadcast::channel(16).0,
            districts: Arc::default(),
            city: Arc::default(),
            filing: Arc::default(),
            live_sockets: LiveSockets::default(),
        })
    }
}
