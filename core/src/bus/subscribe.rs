//! Per-process subscriptions to the events exchange: every process that
//! subscribes gets its own copy of each matching message (a gateway holding
//! chat sockets, a console pushing a live feed). The queue is server-named,
//! exclusive and auto-deleted, so it lives exactly as long as the
//! connection: a new one is declared and bound on every reconnection, and a
//! process that dies leaves nothing behind on the broker.
//!
//! What was published while a process had no queue is gone for it; the
//! subscriber is told each time its queue is bound again
//! ([`Bus::subscribe_notifying`]) so it can catch up from PostgreSQL, which
//! holds the truth. Messages are acked after the handler returns.

use std::{
    future::Future,
    sync::{Arc, atomic::Ordering},
    time::Duration,
};

use futures_util::StreamExt;
use lapin::{
    options::{BasicAckOptions, BasicConsumeOptions, BasicQosOptions, QueueBindOptions, QueueDeclareOptions},
    types::FieldTable,
};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::{Bus, Exchange, Live};
use crate::Result;

/// Messages a subscriber works on at once.
const PREFETCH: u16 = 64;

impl Bus {
    /// Subscribes this process to `binding_key` on `exchange` until
    /// `shutdown`, calling `handler` with each message's payload.
    pub fn subscribe<F, Fut>(
        &self,
        exchange: Exchange,
        binding_key: &str,
        shutdown: CancellationToken,
        handler: F,
    ) -> JoinHandle<()>
    where
        F: Fn(Vec<u8>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        self.subscribe_notifying(exchange, binding_key, shutdown, || {}, handler)
    }

    /// As [`Bus::subscribe`], and calls `on_bound` each time the queue is
    /// bound (at start and after every reconnection), when anything
    /// published while the process had no queue may have been missed.
    pub fn subscribe_notifying<B, F, Fut>(
        &self,
        exchange: Exchange,
        binding_key: &str,
        shutdown: CancellationToken,
        on_bound: B,
        handler: F,
    ) -> JoinHandle<()>
    where
        B: Fn() + Send + Sync + 'static,
        F: Fn(Vec<u8>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let bus = self.clone();
        let binding_key = binding_key.to_owned();
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
                let outcome = subscribe_on(&bus, &live, exchange, &binding_key, &shutdown, &on_bound, handler.clone());
                if let Err(e) = outcome.await {
                    tracing::warn!(binding_key, error = %e, "subscription stopped; resuming after reconnection");
                }
                if shutdown.is_cancelled() {
                    break;
                }
                // The same connection may still look alive for a moment after
                // a channel error; wait for the supervisor to notice.
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_millis(250)) => {}
                    _ = shutdown.cancelled() => break,
                }
            }
            bus.inner.consumers_expected.fetch_sub(1, Ordering::SeqCst);
        })
    }
}

async fn subscribe_on<B, F, Fut>(
    bus: &Bus,
    live: &Live,
    exchange: Exchange,
    binding_key: &str,
    shutdown: &CancellationToken,
    on_bound: &B,
    handler: Arc<F>,
) -> Result<()>
where
    B: Fn(),
    F: Fn(Vec<u8>) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let channel = live.connection.create_channel().await?;
    channel.basic_qos(PREFETCH, BasicQosOptions::default()).await?;
    let options = QueueDeclareOptions { exclusive: true, auto_delete: true, durable: false, ..Default::default() };
    let queue = channel.queue_declare("", options, FieldTable::default()).await?;
    let exchange_name = bus.inner.names.exchange(exchange);
    channel
        .queue_bind(
            queue.name().as_str(),
            &exchange_name,
            binding_key,
            QueueBindOptions::default(),
            FieldTable::default(),
        )
        .await?;
    let consumer =
        channel.basic_consume(queue.name().as_str(), "", BasicConsumeOptions::default(), FieldTable::default()).await?;
    bus.inner.consumers_live.fetch_add(1, Ordering::SeqCst);
    let _guard = super::consumer::LiveGuard(bus.clone());
    tracing::debug!(queue = queue.name().as_str(), binding_key, "subscribed");
    on_bound();
    consumer
        .take_until(shutdown.cancelled())
        .for_each_concurrent(usize::from(PREFETCH), |delivery| {
            let handler = handler.clone();
            async move {
                match delivery {
                    Ok(delivery) => {
                        handler(delivery.data.clone()).await;
                        if let Err(e) = delivery.ack(BasicAckOptions::default()).await {
                            tracing::debug!(error = %e, "ack of a subscription message failed");
                        }
                    }
                    Err(e) => tracing::warn!(binding_key, error = %e, "subscription delivery failed"),
                }
            }
        })
        .await;
    let _ = tokio::time::timeout(Duration::from_secs(2), channel.close(200, "subscriber stopping")).await;
    Ok(())
}
