//! Readiness of a service's dependencies, reported by its operations
//! listener's `/readyz` ([`crate::ops_server`]).

use serde::Serialize;
use sqlx::PgPool;

use crate::bus::Bus;

/// Whether each dependency is usable right now, and whether the service
/// is stopping.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Readiness {
    /// The service was asked to stop (SIGTERM) and is finishing what it
    /// has in hand: a proxy sends it nothing new.
    pub draining: bool,
    /// PostgreSQL answers a query.
    pub database: bool,
    /// RabbitMQ is connected and every consumer of this process is consuming.
    pub bus: bool,
}

impl Readiness {
    /// Checks both; `draining` says whether the service is stopping.
    pub async fn check(pool: &PgPool, bus: &Bus, draining: bool) -> Self {
        let database = sqlx::query("SELECT 1").execute(pool).await.is_ok();
        Readiness { draining, database, bus: bus.is_ready() }
    }

    /// True when everything is usable and the service is not stopping.
    pub fn is_ready(&self) -> bool {
        !self.draining && self.database && self.bus
    }
}
