//! The routing engine. It consumes intake from RabbitMQ, files each contact
//! into a case (a new one, or the resident's open one) and, for a new case,
//! names its owner in the same transaction, so no case exists for even a
//! moment without one. Several router processes can run side by side: row
//! locks in PostgreSQL decide who files what, and RabbitMQ spreads the work.
//!
//! Layers, top to bottom, each using only those below it:
//! - this file: [`run`] starts the consumers;
//! - the consumers: [`group_filing`] (intake, filed many to a transaction),
//!   [`deadlines`], [`duty`], [`dead_letters`] (a lone router's `/metrics`,
//!   `/healthz` and `/readyz` are [`batline_core::ops_server`]'s);
//! - [`intake`]: filing one intake row (the dispatcher);
//! - [`channels`]: what differs per channel (SMS, voice, chat, walk-in);
//! - [`filing`]: the steps every channel files with;
//! - [`state`]: the [`Router`] they all take;
//! - `batline_core`, where assignment ([`batline_core::assign`]) and the
//!   SQL ([`batline_core::store`]) live.

pub mod channels;
pub mod dead_letters;
pub mod deadlines;
pub mod duty;
pub mod filing;
pub mod group_filing;
pub mod intake;
pub mod state;

use std::sync::Arc;

use batline_core::{
    Config, Error, Result,
    bus::Bus,
    clock::{Clock, SystemClock},
    outbox::Outbox,
    place::CityMap,
    store,
};
use group_filing::GroupFiler;
use sqlx::PgPool;
use tokio_util::sync::CancellationToken;

pub use state::Router;

/// Refuses to route without a designated backstop: it is what guarantees an
/// owner when nobody is on duty.
pub async fn ensure_backstop(pool: &PgPool) -> Result<()> {
    match store::responders::backstop(pool).await? {
        Some(_) => Ok(()),
        None => Err(Error::NoBackstop),
    }
}

/// Runs the router until `shutdown`: the intake and routing consumers,
/// the dead-letter recorder, the deadline sweep and the outbox relay.
pub async fn run(config: Arc<Config>, pool: PgPool, bus: Bus, shutdown: CancellationToken) -> Result<()> {
    run_with_clock(config, pool, bus, Arc::new(SystemClock), shutdown).await
}

/// As [`run`], with deadlines on `clock` (tests move it by hand).
pub async fn run_with_clock(
    config: Arc<Config>,
    pool: PgPool,
    bus: Bus,
    clock: Arc<dyn Clock>,
    shutdown: CancellationToken,
) -> Result<()> {
    ensure_backstop(&pool).await?;
    let outbox = Outbox::new(pool.clone(), bus.clone());
    let relay = outbox.spawn_relay(shutdown.clone());
    let prefetch = config.prefetch;
    // The map as loaded now: `batline areas load` takes effect for filing
    // when the routers restart.
    let city = Arc::new(CityMap::load(&pool).await?);
    tracing::info!(empty = city.is_empty(), "the city's map is loaded");
    let router = Arc::new(Router { config, pool, outbox, clock, city });
    let sweeper = deadlines::spawn(router.clone(), shutdown.clone());
    let (pool, names) = (router.pool.clone(), bus.names().clone());
    let recorder = bus.consume_dead_letters(prefetch, shutdown.clone(), move |letter| {
        let (pool, names) = (pool.clone(), names.clone());
        async move { dead_letters::record(&pool, &names, &letter).await.map(|_| ()) }
    });
    let for_routing = router.clone();
    let routing = bus.consume(bus.names().routing_queue(), prefetch, shutdown.clone(), move |payload| {
        let router = for_routing.clone();
        async move { duty::handle(&router, &payload).await }
    });
    let group = GroupFiler::spawn(router.clone());
    let consumer = bus.consume(bus.names().intake_queue(), prefetch, shutdown.clone(), move |payload| {
        let (router, group) = (router.clone(), group.clone());
        async move { group.handle(&router, &payload).await }
    });
    let _ = tokio::join!(relay, consumer, routing, recorder, sweeper);
    tracing::info!("router stopped");
    Ok(())
}
