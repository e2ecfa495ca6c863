//! Supervised consumers. A consumer survives reconnections: when its
//! connection dies it waits for the supervisor's next one and consumes again.
//!
//! Acknowledgement rules: the handler's effect is committed before the ack;
//! a transient failure (database or broker briefly away) is retried in place
//! with back-off rather than requeued, so an outage does not burn through the
//! queue's delivery limit; anything else is rejected to the dead-letter queue,
//! where a lead can see it.

use std::{
    future::Future,
    sync::{Arc, atomic::Ordering},
    time::Duration,
};

use futures_util::StreamExt;
use lapin::{
    message::Delivery,
    options::{BasicAckOptions, BasicConsumeOptions, BasicNackOptions, BasicQosOptions, BasicRejectOptions},
    types::{AMQPValue, FieldTable},
};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

use super::{Bus, Live};
use crate::{
    Result,
    trace_context::{self, TraceContext},
};

impl Bus {
    /// Consumes `queue` until `shutdown`, running `handler` on up to
    /// `prefetch` messages at once. On shutdown it stops pulling, lets the
    /// messages in hand finish, and leaves the rest for redelivery.
    pub fn consume<F, Fut>(
        &self,
        queue: String,
        prefetch: u16,
        shutdown: CancellationToken,
        handler: F,
    ) -> JoinHandle<()>
    where
        F: Fn(Vec<u8>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<()>> + Send + 'static,
    {
        let handler = Arc::new(handler);
        let label = queue.clone();
        self.on_every_connection(label, shutdown.clone(), move |bus, live| {
            let (queue, shutdown, handler) = (queue.clone(), shutdown.clone(), handler.clone());
            async move { consume_on(&bus, &live, &queue, prefetch, &shutdown, handler).await }
        })
    }

    /// Runs `session` on each connection the supervisor makes, until
    /// `shutdown`: when a connection dies, `session` ends (or fails) and runs
    /// again on the next one. Counts towards readiness like a consumer.
    pub(super) fn on_every_connection<S, Fut>(
        &self,
        label: String,
        shutdown: CancellationToken,
        session: S,
    ) -> JoinHandle<()>
    where
        S: Fn(Bus, Live) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<()>> + Send + 'static,
    {
        let bus = self.clone();
        bus.inner.consumers_expected.fetch_add(1, Ordering::SeqCst);
        tokio::spawn(async move {
            let mut live_rx = bus.inner.live.subscribe();
            loop {
                let live = tokio::select! {
                    live = live_rx.wait_for(Option::is_some) => match live {
                        Ok(live) => live.clone(),
                        Err(_) => break,
                    },
                    _ = shutdown.cancelled() => break,
                };
                let Some(live) = live else { continue };
                if let Err(e) = session(bus.clone(), live).await {
                    tracing::warn!(consumer = label, error = %e, "consumer stopped; resuming after reconnection");
                }
                if shutdown.is_cancelled() {
                    break;
                }
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_millis(250)) => {}
                    _ = shutdown.cancelled() => break,
                }
            }
            bus.inner.consumers_expected.fetch_sub(1, Ordering::SeqCst);
        })
    }
}

/// Decrements the live-consumer count however the consumer ends.
pub(super) struct LiveGuard(Bus);

impl LiveGuard {
    /// Counts one more live consumer until the guard drops.
    pub(super) fn new(bus: &Bus) -> Self {
        bus.inner.consumers_live.fetch_add(1, Ordering::SeqCst);
        LiveGuard(bus.clone())
    }
}

impl Drop for LiveGuard {
    fn drop(&mut self) {
        self.0.inner.consumers_live.fetch_sub(1, Ordering::SeqCst);
    }
}

async fn consume_on<F, Fut>(
    bus: &Bus,
    live: &Live,
    queue: &str,
    prefetch: u16,
    shutdown: &CancellationToken,
    handler: Arc<F>,
) -> Result<()>
where
    F: Fn(Vec<u8>) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<()>> + Send + 'static,
{
    let channel = live.connection.create_channel().await?;
    channel.basic_qos(prefetch, BasicQosOptions::default()).await?;
    let consumer = channel.basic_consume(queue, "", BasicConsumeOptions::default(), FieldTable::default()).await?;
    let _guard = LiveGuard::new(bus);
    tracing::debug!(queue, "consuming");
    consumer
        .take_until(shutdown.cancelled())
        .for_each_concurrent(usize::from(prefetch), |delivery| {
            let handler = handler.clone();
            async move {
                match delivery {
                    Ok(delivery) => handle(delivery, handler.as_ref(), shutdown).await,
                    Err(e) => tracing::warn!(queue, error = %e, "delivery failed"),
                }
            }
        })
        .await;
    // Closing returns whatever was prefetched but not started to the queue.
    let _ = tokio::time::timeout(Duration::from_secs(2), channel.close(200, "consumer stopping")).await;
    Ok(())
}

async fn handle<F, Fut>(delivery: Delivery, handler: &F, shutdown: &CancellationToken)
where
    F: Fn(Vec<u8>) -> Fut,
    Fut: Future<Output = Result<()>>,
{
    // Continue the trace the publisher started (a new one if it sent none),
    // so everything logged while handling carries its trace_id.
    let traceparent =
        delivery.properties.headers().as_ref().and_then(|h| h.inner().get(trace_context::HEADER)).and_then(
            |v| match v {
                AMQPValue::LongString(s) => std::str::from_utf8(s.as_bytes()).ok().map(str::to_owned),
                _ => None,
            },
        );
    let trace = TraceContext::continue_from(traceparent.as_deref());
    let span = tracing::info_span!("message", trace_id = %trace.trace_id(), routing_key = %delivery.routing_key);
    let mut backoff = Duration::from_millis(100);
    loop {
        let outcome = trace_context::scope(trace, handler(delivery.data.clone())).instrument(span.clone()).await;
        match outcome {
            Ok(()) => {
                if let Err(e) = delivery.ack(BasicAckOptions::default()).await {
                    // The effect is committed; the redelivery that follows is a no-op.
                    tracing::warn!(error = %e, "ack failed; the message will be redelivered and skipped");
                }
                return;
            }
            Err(e) if e.is_transient() && !shutdown.is_cancelled() => {
                tracing::warn!(error = %e, retry_in = ?backoff, "transient failure handling a message");
                tokio::select! {
                    _ = tokio::time::sleep(backoff) => {}
                    _ = shutdown.cancelled() => {}
                }
                backoff = (backoff * 2).min(Duration::from_secs(5));
            }
            Err(e) if e.is_transient() => {
                tracing::info!(error = %e, "shutting down; returning the message to the queue");
                let _ = delivery.nack(BasicNackOptions { requeue: true, ..Default::default() }).await;
                return;
            }
            Err(e) => {
                tracing::error!(error = %e, "message cannot be handled; moving it to the dead-letter queue");
                let _ = delivery.reject(BasicRejectOptions { requeue: false }).await;
                return;
            }
        }
    }
}
