//! What every part of the router works with: the settings, the database, the
//! outbox and the clock. It sits below everything else in the crate, so the
//! consumers, the channels and filing can all take it without importing the
//! layers above them.

use std::sync::Arc;

use batline_core::{Config, clock::Clock, outbox::Outbox, place::CityMap};
use sqlx::PgPool;

/// What the intake handler needs.
pub struct Router {
    /// Settings read at start-up.
    pub config: Arc<Config>,
    /// PostgreSQL.
    pub pool: PgPool,
    /// Publishes what filing writes to the outbox.
    pub outbox: Outbox,
    /// Deadlines are set and checked by this clock.
    pub clock: Arc<dyn Clock>,
    /// The city's districts and streets, loaded at start-up: filing finds
    /// the place a resident names in them.
    pub city: Arc<CityMap>,
}
