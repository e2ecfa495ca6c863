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

use super::{
    Bus, Live,
    dead_letter::{DeadLetter, Death},
};
use crate::{
    Result, metrics,
    trace_context::{self, TraceContext},
};

/// What a consumer does with a message its handler fails on for good.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OnPoison {
    /// Reject it, so the broker moves it to the dead-letter queue.
    DeadLetter,
    /// Keep retrying it in place: for the dead-letter queue itself, where a
    /// rejected message would be gone for good.
    RetryInPlace,
}

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
        self.consume_with(queue, prefetch, shutdown, OnPoison::DeadLetter, move |delivery: &Delivery| {
            handler(delivery.data.clone())
        })
    }

    /// Consumes the namespace's dead-letter queue until `shutdown`, giving
    /// `handler` each message with what the broker recorded about its death.
    /// A handler failure of any kind is retried in place: a dead letter is
    /// acked only once `handler` has kept it.
    pub fn consume_dead_letters<F, Fut>(&self, prefetch: u16, shutdown: CancellationToken, handler: F) -> JoinHandle<()>
    where
        F: Fn(DeadLetter) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<()>> + Send + 'static,
    {
        let queue = self.names().dead_letter_queue();
        self.consume_with(queue, prefetch, shutdown, OnPoison::RetryInPlace, move |delivery: &Delivery| {
            handler(DeadLetter {
                payload: delivery.data.clone(),
                message_id: delivery.properties.message_id().as_ref().map(|id| id.as_str().to_owned()),
                death: Death::from_headers(delivery.properties.headers().as_ref()),
            })
        })
    }

    fn consume_with<F, Fut>(
        &self,
        queue: String,
        prefetch: u16,
        shutdown: CancellationToken,
        on_poison: OnPoison,
        handler: F,
    ) -> JoinHandle<()>
    where
        F: Fn(&Delivery) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<()>> + Send + 'static,
    {
        let handler = Arc::new(handler);
        // Metrics name queues without the namespace, as `Names::queues` does.
        let prefix = format!("{}.", self.names().namespace());
        let metric_label: Arc<str> = queue.strip_prefix(&prefix).unwrap_or(&queue).into();
        let label = queue.clone();
        self.on_every_connection(label, shutdown.clone(), move |bus, live| {
            let (queue, shutdown, handler) = (queue.clone(), shutdown.clone(), handler.clone());
            let metric_label = metric_label.clone();
            async move { consume_on(&bus, &live, &queue, &metric_label, prefetch, &shutdown, on_poison, handler).await }
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

#[allow(clippy::too_many_arguments)]
async fn consume_on<F, Fut>(
    bus: &Bus,
    live: &Live,
    queue: &str,
    metric_label: &Arc<str>,
    prefetch: u16,
    shutdown: &CancellationToken,
    on_poison: OnPoison,
    handler: Arc<F>,
) -> Result<()>
where
    F: Fn(&Delivery) -> Fut + Send + Sync + 'static,
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
                    Ok(delivery) => handle(delivery, handler.as_ref(), shutdown, metric_label, on_poison).await,
                    Err(e) => tracing::warn!(queue, error = %e, "delivery failed"),
                }
            }
        })
        .await;
    // Closing returns whatever was prefetched but not started to the queue.
    let _ = tokio::time::timeout(Duration::from_secs(2), channel.close(200, "consumer stopping")).await;
    Ok(())
}

async fn handle<F, Fut>(
    delivery: Delivery,
    handler: &F,
    shutdown: &CancellationToken,
    metric_label: &Arc<str>,
    on_poison: OnPoison,
) where
    F: Fn(&Delivery) -> Fut,
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
        let outcome = trace_context::scope(trace, handler(&delivery)).instrument(span.clone()).await;
        match outcome {
            Ok(()) => {
                if let Err(e) = delivery.ack(BasicAckOptions::default()).await {
                    // The effect is committed; the redelivery that follows is a no-op.
                    tracing::warn!(error = %e, "ack failed; the message will be redelivered and skipped");
                }
                return;
            }
            Err(e) if shutdown.is_cancelled() && (e.is_transient() || on_poison == OnPoison::RetryInPlace) => {
                tracing::info!(error = %e, "shutting down; returning the message to the queue");
                let _ = delivery.nack(BasicNackOptions { requeue: true, ..Default::default() }).await;
                return;
            }
            Err(e) if e.is_transient() || on_poison == OnPoison::RetryInPlace => {
                if e.is_transient() {
                    tracing::warn!(error = %e, retry_in = ?backoff, "transient failure handling a message");
                } else {
                    tracing::error!(error = %e, retry_in = ?backoff, "cannot keep a dead letter; retrying");
                }
                tokio::select! {
                    _ = tokio::time::sleep(backoff) => {}
                    _ = shutdown.cancelled() => {}
                }
                backoff = (backoff * 2).min(Duration::from_secs(5));
            }
            Err(e) => {
                tracing::error!(error = %e, "message cannot be handled; moving it to the dead-letter queue");
                match delivery.reject(BasicRejectOptions { requeue: false }).await {
                    Ok(()) => metrics::dead_lettered(metric_label),
                    // The channel is gone, so the broker redelivers the
                    // message; it comes back here and is rejected again.
                    Err(e) => tracing::warn!(error = %e, "could not reject the message; it will be redelivered"),
                }
                return;
            }
        }
    }
}
