//! The RabbitMQ bus. lapin neither reconnects by itself nor always notices a
//! dead connection, so [`Bus`] owns a supervisor task that connects, declares
//! the topology, watches the connection (heartbeats plus a status poll) and
//! reconnects with capped back-off. Publishers and consumers borrow whatever
//! connection is live; while there is none, publishing fails fast with
//! [`Error::BusUnavailable`] and readiness is false.
//!
//! `AMQP_URL` may name several nodes of a RabbitMQ cluster, separated by
//! commas. The supervisor starts at one picked at random (so a fleet of
//! processes spreads over the nodes) and, when a connection is lost or
//! refused, goes on to the next one at once; only after every node has
//! refused does it back off. The queues are quorum queues, replicated on the
//! cluster's nodes, so any node serves them. lapin 2 has no host rotation of
//! its own, so the supervisor keeps the list: a loop over addresses beside
//! the reconnection, topology declaration and consumer restarts it already
//! does. Upgrading lapin two major versions for its own recovery would have
//! replaced that tested machinery, not the few lines the list needs.

pub mod consumer;
pub mod dead_letter;
pub mod message;
pub mod subscribe;
pub mod topology;

use std::{
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

use lapin::{
    BasicProperties, Channel, Connection, ConnectionProperties,
    options::{BasicPublishOptions, ConfirmSelectOptions, QueueDeclareOptions},
    publisher_confirm::Confirmation,
    types::FieldTable,
};
use tokio::sync::{Notify, watch};
use tokio_util::sync::CancellationToken;

pub use self::{
    message::{BusMessage, Exchange},
    topology::Names,
};
use crate::{
    Error, Result,
    trace_context::{self, TraceContext},
};

/// How long a publish may wait for the broker's confirm before it counts as failed.
const CONFIRM_TIMEOUT: Duration = Duration::from_secs(10);
/// Longest pause between reconnection attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(5);

/// A supervised connection to RabbitMQ, cheap to clone.
#[derive(Clone)]
pub struct Bus {
    inner: Arc<Inner>,
}

struct Inner {
    names: Names,
    live: watch::Sender<Option<Live>>,
    /// A publish failed on a channel that looked alive: reconnect now.
    reconnect: Notify,
    consumers_expected: AtomicUsize,
    consumers_live: AtomicUsize,
    /// Cancelled when the bus is to close: after the services using it
    /// have finished what they had in hand.
    stop: CancellationToken,
}

#[derive(Clone)]
struct Live {
    connection: Arc<Connection>,
    /// One confirm-mode channel shared by every publisher of the process;
    /// lapin tracks each publish's confirm separately.
    publisher: Channel,
}

impl Bus {
    /// Starts the supervisor for `amqp_url` (one node's URL, or several
    /// separated by commas) under `namespace`. Returns at once; use
    /// [`Bus::wait_connected`] to wait for the first connection.
    pub fn start(amqp_url: &str, namespace: &str, shutdown: CancellationToken) -> Bus {
        let (live, _) = watch::channel(None);
        let inner = Arc::new(Inner {
            names: Names::new(namespace),
            live,
            reconnect: Notify::new(),
            consumers_expected: AtomicUsize::new(0),
            consumers_live: AtomicUsize::new(0),
            stop: shutdown.clone(),
        });
        tokio::spawn(supervise(inner.clone(), brokers(amqp_url), shutdown));
        Bus { inner }
    }

    /// Resolves when the bus is told to close (its `shutdown`). A service
    /// stops its operations listener then, so `/readyz` answers through
    /// the whole drain.
    pub async fn closed(&self) {
        self.inner.stop.cancelled().await
    }

    /// The namespace's exchange and queue names.
    pub fn names(&self) -> &Names {
        &self.inner.names
    }

    /// True while a connection is up.
    pub fn is_connected(&self) -> bool {
        self.inner.live.borrow().is_some()
    }

    /// True while connected and every consumer started on this bus is consuming.
    pub fn is_ready(&self) -> bool {
        self.is_connected()
            && self.inner.consumers_live.load(Ordering::SeqCst) >= self.inner.consumers_expected.load(Ordering::SeqCst)
    }

    /// Waits until the bus is connected, or fails after `timeout`.
    pub async fn wait_connected(&self, timeout: Duration) -> Result<()> {
        let mut rx = self.inner.live.subscribe();
        tokio::time::timeout(timeout, rx.wait_for(Option::is_some))
            .await
            .map_err(|_| Error::BusUnavailable(format!("no connection to RabbitMQ within {timeout:?}")))?
            .map_err(|_| Error::BusUnavailable("the bus supervisor stopped".into()))?;
        Ok(())
    }

    /// Publishes `msg` on its route and waits for the broker's confirm.
    pub async fn publish(&self, msg: &BusMessage) -> Result<()> {
        let (exchange, key) = msg.route();
        self.publish_bytes(exchange, &key, &serde_json::to_vec(msg)?).await
    }

    /// The current connection, or an error while there is none.
    fn live(&self) -> Result<Live> {
        self.inner.live.borrow().clone().ok_or_else(|| Error::BusUnavailable("not connected to RabbitMQ".into()))
    }

    /// Publishes raw JSON and waits for the broker's confirm. Work messages
    /// are mandatory: a message no queue takes is an error, since lapin
    /// would otherwise report it as acked.
    pub async fn publish_bytes(&self, exchange: Exchange, routing_key: &str, payload: &[u8]) -> Result<()> {
        let traceparent = TraceContext::current().map(|c| c.child().header());
        self.publish_traced(exchange, routing_key, payload, traceparent.as_deref()).await
    }

    /// As [`Bus::publish_bytes`], with the `traceparent` to send along
    /// (the outbox stores the one its message was written under).
    pub async fn publish_traced(
        &self,
        exchange: Exchange,
        routing_key: &str,
        payload: &[u8],
        traceparent: Option<&str>,
    ) -> Result<()> {
        let live = self.live()?;
        let options = BasicPublishOptions { mandatory: exchange == Exchange::Work, ..Default::default() };
        // A fresh message id each time, so the router's dead-letter recorder
        // keeps a dead letter once however often it is redelivered to it.
        let mut properties = BasicProperties::default()
            .with_delivery_mode(2)
            .with_content_type("application/json".into())
            .with_message_id(uuid::Uuid::new_v4().to_string().into());
        if let Some(traceparent) = traceparent {
            let mut headers = FieldTable::default();
            headers.insert(trace_context::HEADER.into(), lapin::types::AMQPValue::LongString(traceparent.into()));
            properties = properties.with_headers(headers);
        }
        let name = self.inner.names.exchange(exchange);
        let outcome = tokio::time::timeout(CONFIRM_TIMEOUT, async {
            live.publisher.basic_publish(&name, routing_key, options, payload, properties).await?.await
        })
        .await;
        let confirmation = match outcome {
            Ok(Ok(c)) => c,
            Ok(Err(e)) => {
                self.inner.reconnect.notify_one();
                return Err(e.into());
            }
            Err(_) => {
                self.inner.reconnect.notify_one();
                return Err(Error::BusUnavailable(format!("no publisher confirm within {CONFIRM_TIMEOUT:?}")));
            }
        };
        match confirmation {
            Confirmation::Ack(None) => Ok(()),
            Confirmation::Ack(Some(returned)) => Err(Error::BusRefused(format!(
                "no queue is bound for {name}/{routing_key} ({} {})",
                returned.reply_code, returned.reply_text
            ))),
            Confirmation::Nack(_) => Err(Error::BusRefused(format!("the broker nacked {name}/{routing_key}"))),
            Confirmation::NotRequested => Err(Error::BusRefused("publisher confirms are off".into())),
        }
    }
}

impl Bus {
    /// Messages ready in each queue of the namespace, labelled as in
    /// [`Names::queues`], read with passive declares on a channel of their
    /// own: a passive declare of a missing queue closes its channel, and the
    /// publishers' channel must not go down with it.
    pub async fn queue_depths(&self) -> Result<Vec<(&'static str, u32)>> {
        let live = self.live()?;
        let channel = live.connection.create_channel().await?;
        let passive = QueueDeclareOptions { passive: true, durable: true, ..Default::default() };
        let mut depths = Vec::with_capacity(4);
        let mut outcome = Ok(());
        for (queue, label) in self.inner.names.queues() {
            match channel.queue_declare(&queue, passive, FieldTable::default()).await {
                Ok(declared) => depths.push((label, declared.message_count())),
                Err(e) => {
                    outcome = Err(e.into());
                    break;
                }
            }
        }
        if channel.status().connected() {
            let _ = channel.close(200, "queue depths read").await;
        }
        outcome.map(|()| depths)
    }
}

/// The nodes `AMQP_URL` names, each with a heartbeat: the URLs between its
/// commas, blanks trimmed and empty ones skipped.
pub fn brokers(amqp_url: &str) -> Vec<String> {
    amqp_url.split(',').map(str::trim).filter(|u| !u.is_empty()).map(with_heartbeat).collect()
}

/// Where the node behind `url` listens, `host:port`, for messages that must
/// not show the URL's password.
pub fn broker_address(url: &str) -> String {
    url::Url::parse(url)
        .map(|u| format!("{}:{}", u.host_str().unwrap_or("?"), u.port().unwrap_or(5672)))
        .unwrap_or_else(|_| "an address in AMQP_URL".into())
}

/// Adds a heartbeat to the URL unless it sets one, so a silently dead TCP
/// connection is noticed within seconds.
fn with_heartbeat(url: &str) -> String {
    if url.contains("heartbeat=") {
        url.to_owned()
    } else if url.contains('?') {
        format!("{url}&heartbeat=10")
    } else {
        format!("{url}?heartbeat=10")
    }
}

/// Opens a plain, unsupervised connection on the tokio runtime to the first
/// node of `amqp_url` that takes it. Services use [`Bus`]; tools and tests
/// that need raw AMQP use this.
pub async fn open_connection(amqp_url: &str) -> Result<Connection> {
    let mut last = Error::BusUnavailable("AMQP_URL names no RabbitMQ node".into());
    for url in brokers(amqp_url) {
        match open_one(&url).await {
            Ok(connection) => return Ok(connection),
            Err(e) => last = e,
        }
    }
    Err(last)
}

async fn open_one(url: &str) -> Result<Connection> {
    let properties = ConnectionProperties::default()
        .with_executor(tokio_executor_trait::Tokio::current())
        .with_reactor(tokio_reactor_trait::Tokio);
    tokio::time::timeout(Duration::from_secs(10), Connection::connect(url, properties))
        .await
        .map_err(|_| Error::BusUnavailable("connecting to RabbitMQ timed out".into()))?
        .map_err(Error::from)
}

async fn connect_once(url: &str, names: &Names) -> Result<(Connection, Channel)> {
    let connection = open_one(url).await?;
    let channel = connection.create_channel().await?;
    topology::declare(&channel, names).await?;
    channel.confirm_select(ConfirmSelectOptions::default()).await?;
    Ok((connection, channel))
}

/// Keeps a connection up until shutdown, to one of `brokers` at a time.
async fn supervise(inner: Arc<Inner>, brokers: Vec<String>, shutdown: CancellationToken) {
    if brokers.is_empty() {
        tracing::error!("AMQP_URL names no RabbitMQ node");
        return;
    }
    let initial = Duration::from_millis(100);
    let mut backoff = initial;
    let mut warned = false;
    let mut next = rand::random::<usize>() % brokers.len();
    // Nodes tried since the last connection that held.
    let mut refused = 0;
    loop {
        if shutdown.is_cancelled() {
            break;
        }
        let url = &brokers[next];
        next = (next + 1) % brokers.len();
        match connect_once(url, &inner.names).await {
            Ok((connection, publisher)) => {
                backoff = initial;
                warned = false;
                refused = 0;
                let died = Arc::new(Notify::new());
                let on_error = died.clone();
                connection.on_error(move |err| {
                    tracing::warn!(error = %err, "RabbitMQ connection failed");
                    on_error.notify_one();
                });
                let connection = Arc::new(connection);
                inner.live.send_replace(Some(Live { connection: connection.clone(), publisher: publisher.clone() }));
                tracing::info!(
                    namespace = inner.names.namespace(),
                    node = broker_address(url),
                    "connected to RabbitMQ"
                );
                let watch_status = async {
                    loop {
                        tokio::time::sleep(Duration::from_millis(500)).await;
                        if !connection.status().connected() || !publisher.status().connected() {
                            break;
                        }
                    }
                };
                tokio::select! {
                    _ = died.notified() => {}
                    _ = inner.reconnect.notified() => {}
                    _ = watch_status => {}
                    _ = shutdown.cancelled() => {}
                }
                inner.live.send_replace(None);
                let _ = tokio::time::timeout(Duration::from_secs(2), connection.close(200, "reconnecting")).await;
                if shutdown.is_cancelled() {
                    break;
                }
                tracing::warn!(node = broker_address(url), "RabbitMQ connection lost; reconnecting");
                // The node may be gone: the next one is tried at once.
                if brokers.len() > 1 {
                    continue;
                }
            }
            Err(e) => {
                refused += 1;
                // Another node may take the connection: no pause until
                // every one has refused.
                if refused % brokers.len() != 0 {
                    tracing::debug!(error = %e, node = broker_address(url), "RabbitMQ node refused; trying the next");
                    continue;
                }
                // Say it loudly once, then quietly while it stays down.
                if !warned {
                    tracing::warn!(error = %e, "cannot connect to RabbitMQ; retrying with back-off");
                    warned = true;
                } else {
                    tracing::debug!(error = %e, "still cannot connect to RabbitMQ");
                }
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(backoff) => {}
            _ = shutdown.cancelled() => break,
        }
        backoff = (backoff * 2).min(MAX_BACKOFF);
    }
    inner.live.send_replace(None);
}

/// Deletes every exchange and queue of `namespace` through a fresh
/// connection; test harnesses call it when they finish.
pub async fn delete_namespace(amqp_url: &str, namespace: &str) -> Result<()> {
    let connection = open_connection(amqp_url).await?;
    let channel = connection.create_channel().await?;
    topology::delete(&channel, &Names::new(namespace)).await?;
    connection.close(200, "namespace deleted").await?;
    Ok(())
}
