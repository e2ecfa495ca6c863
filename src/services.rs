//! Starting services. `batline up`, the single-service commands and the
//! test harness all go through here, so they cannot drift apart.

use std::{net::SocketAddr, sync::Arc, time::Duration};

use anyhow::Context;
use batline_core::{Config, bus::Bus, db};
use sqlx::PgPool;
use tokio::{net::TcpListener, task::JoinHandle};
use tokio_util::sync::CancellationToken;

/// How long start-up waits for RabbitMQ before saying it cannot reach it.
const BUS_WAIT: Duration = Duration::from_secs(15);

/// Connects to PostgreSQL (creating the database and migrating it) with a
/// message that says how to start it when it is not there.
pub async fn database(config: &Config) -> anyhow::Result<PgPool> {
    Ok(db::connect_and_migrate(&config.database_url, 20).await?)
}

/// Starts the bus supervisor and waits for the first connection, with a
/// message that says how to start RabbitMQ when it is not there.
pub async fn bus(config: &Config, shutdown: &CancellationToken) -> anyhow::Result<Bus> {
    let bus = Bus::start(&config.amqp_url, &config.bus_namespace, shutdown.clone());
    if bus.wait_connected(BUS_WAIT).await.is_err() {
        let shown = batline_core::bus::brokers(&config.amqp_url)
            .iter()
            .map(|url| batline_core::bus::broker_address(url))
            .collect::<Vec<_>>()
            .join(", ");
        anyhow::bail!(
            "cannot reach RabbitMQ at {shown} within {BUS_WAIT:?}. Is it running? On Debian or Ubuntu: \
             `sudo apt-get install rabbitmq-server` then `sudo rabbitmq-server -detached`; \
             or point AMQP_URL at your broker"
        );
    }
    Ok(bus)
}

/// Binds a listener with a message naming the setting when the port is taken.
pub async fn bind(addr: SocketAddr, setting: &str) -> anyhow::Result<TcpListener> {
    TcpListener::bind(addr).await.with_context(|| format!("cannot listen on {addr}; set {setting} to a free address"))
}

/// A started service's task.
pub type Service = JoinHandle<batline_core::Result<()>>;

/// A service's two listeners: its public one and its operations one
/// (`/metrics`, `/healthz`, `/readyz`; see `batline_core::ops_server`).
pub struct Listeners {
    /// Where it serves what it is for.
    pub public: TcpListener,
    /// Where it serves its operational data.
    pub ops: TcpListener,
}

impl Listeners {
    /// The gateway's, on `BATLINE_GATEWAY_ADDR` and `BATLINE_GATEWAY_OPS_ADDR`.
    pub async fn gateway(config: &Config) -> anyhow::Result<Listeners> {
        Ok(Listeners {
            public: bind(config.gateway_addr, "BATLINE_GATEWAY_ADDR").await?,
            ops: bind(config.gateway_ops_addr, "BATLINE_GATEWAY_OPS_ADDR").await?,
        })
    }

    /// The console's, on `BATLINE_CONSOLE_ADDR` and `BATLINE_CONSOLE_OPS_ADDR`.
    pub async fn console(config: &Config) -> anyhow::Result<Listeners> {
        Ok(Listeners {
            public: bind(config.console_addr, "BATLINE_CONSOLE_ADDR").await?,
            ops: bind(config.console_ops_addr, "BATLINE_CONSOLE_OPS_ADDR").await?,
        })
    }

    /// Where each is bound, port 0 resolved: `(public, ops)`.
    pub fn addresses(&self) -> anyhow::Result<(SocketAddr, SocketAddr)> {
        Ok((self.public.local_addr()?, self.ops.local_addr()?))
    }
}

/// Starts the gateway on `listeners`.
pub fn gateway(
    config: Arc<Config>,
    pool: PgPool,
    bus: Bus,
    listeners: Listeners,
    shutdown: CancellationToken,
) -> anyhow::Result<Service> {
    let state = batline_gateway::AppState::new(config, pool, bus)?;
    Ok(tokio::spawn(batline_gateway::run(state, listeners.public, listeners.ops, shutdown)))
}

/// Starts a router after checking that a backstop responder exists.
pub async fn router(
    config: Arc<Config>,
    pool: PgPool,
    bus: Bus,
    shutdown: CancellationToken,
) -> anyhow::Result<Service> {
    batline_router::ensure_backstop(&pool).await?;
    Ok(tokio::spawn(batline_router::run(config, pool, bus, shutdown)))
}

/// Starts the operations listener (`/metrics`, `/healthz`, `/readyz`) on
/// `listener`, for a process that runs the router alone and so has no other
/// server to start it.
pub fn router_metrics(pool: PgPool, bus: Bus, listener: TcpListener, shutdown: CancellationToken) -> Service {
    tokio::spawn(batline_core::ops_server::serve("router", listener, pool, bus, shutdown))
}

/// Starts the console on `listeners`.
pub fn console(
    config: Arc<Config>,
    pool: PgPool,
    bus: Bus,
    listeners: Listeners,
    shutdown: CancellationToken,
) -> anyhow::Result<Service> {
    let state = batline_console::AppState::new(config, pool, bus)?;
    Ok(tokio::spawn(batline_console::run(state, listeners.public, listeners.ops, shutdown)))
}

/// Resolves when the process is asked to stop (Ctrl-C or SIGTERM).
pub async fn stop_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = ctrl_c => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = ctrl_c.await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}
