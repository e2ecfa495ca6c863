//! Per-process subscriptions to the events exchange. Unlike work queues,
//! where one consumer of many takes each message, every console process
//! must see every case event to push it to the browsers it holds. Each
//! subscription is a server-named, exclusive, auto-delete queue: it lives
//! exactly as long as the connection, so nothing piles up for a process
//! that is gone.
//!
//! Events are notifications, not work: a process that was disconnected has
//! missed some, so `on_start` runs each time the subscription is (re)made
//! and callers resync from the database there.

use std::{future::Future, sync::Arc};

use futures_util::StreamExt;
use lapin::{
    options::{BasicConsumeOptions, QueueBindOptions, QueueDeclareOptions},
    types::FieldTable,
};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::{Bus, Exchange, consumer::LiveGuard};

impl Bus {
    /// Receives every message published on `exchange` whose routing key
    /// matches `binding` (`#` for all), calling `handler` with each payload
    /// in order, until `shutdown`. `on_start` runs whenever the
    /// subscription starts or restarts after a lost connection.
    pub fn subscribe<H, S, Fut>(
        &self,
        exchange: Exchange,
        binding: &str,
        shutdown: CancellationToken,
        on_start: S,
        handler: H,
    ) -> JoinHandle<()>
    where
        H: Fn(Vec<u8>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
        S: Fn() + Send + Sync + 'static,
    {
        let handler = Arc::new(handler);
        let on_start = Arc::new(on_start);
        let binding = binding.to_owned();
        let label = format!("subscription {binding}");
        self.on_every_connection(label, shutdown.clone(), move |bus, live| {
            let (handler, on_start, binding, shutdown) =
                (handler.clone(), on_start.clone(), binding.clone(), shutdown.clone());
            async move {
                let channel = live.connection.create_channel().await?;
                let exclusive = QueueDeclareOptions { exclusive: true, auto_delete: true, ..Default::default() };
                let queue = channel.queue_declare("", exclusive, FieldTable::default()).await?;
                let exchange = bus.names().exchange(exchange);
                channel
                    .queue_bind(
                        queue.name().as_str(),
                        &exchange,
                        &binding,
                        QueueBindOptions::default(),
                        FieldTable::default(),
                    )
                    .await?;
                // No acks: a notification lost with the connection is made up
                // for by on_start's resync, and acking would only cost a round trip.
                let no_ack = BasicConsumeOptions { no_ack: true, ..Default::default() };
                let mut deliveries =
                    channel.basic_consume(queue.name().as_str(), "", no_ack, FieldTable::default()).await?;
                let _guard = LiveGuard::new(&bus);
                on_start();
                loop {
                    let delivery = tokio::select! {
                        d = deliveries.next() => d,
                        _ = shutdown.cancelled() => break,
                    };
                    match delivery {
                        Some(Ok(delivery)) => handler(delivery.data).await,
                        Some(Err(e)) => return Err(e.into()),
                        None => break,
                    }
                }
                if channel.status().connected() {
                    let _ = channel.close(200, "subscription ended").await;
                }
                Ok(())
            }
        })
    }
}
