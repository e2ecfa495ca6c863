//! Readiness of a service's dependencies, reported by its operations
//! listener's `/readyz` ([`crate::ops_server`]).

use serde::Serialize;
use sqlx::PgPool;

use crate::bus::Bus;

/// Whether each dependency is usable right now.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Readiness {
    /// PostgreSQL answers a query.
    pub database: bool,
    /// RabbitMQ is connected and every consumer of this process is consuming.
    pub bus: bool,
}

impl Readiness {
    /// Checks both.
    pub async fn check(pool: &PgPool, bus: &Bus) -> Self {
        let database = sqlx::query("SELECT 1").execute(pool).await.is_ok();
        Readiness { database, bus: bus.is_ready() }
    }

    /// True when everything is usable.
    pub fn is_ready(&self) -> bool {
        self.database && self.bus
    }
}
