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
    types::FieldTable,
};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::{Bus, Live};
use crate::Result;

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
        let bus = self.clone();
        let handler = Arc::new(handler);
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
                if let Err(e) = consume_on(&bus, &live, &queue, prefetch, &shutdown, handler.clone()).await {
                    tracing::warn!(queue, error = %e, "consumer stopped; resuming after reconnection");
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
pub(super) struct LiveGuard(pub(super) Bus);

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
    bus.inner.consumers_live.fetch_add(1, Ordering::SeqCst);
    let _guard = LiveGuard(bus.clone());
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
    let mut backoff = Duration::from_millis(100);
    loop {
        match handler(delivery.data.clone()).await {
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
