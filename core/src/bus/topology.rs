//! Exchanges and queues, all prefixed by the bus namespace. Declaring is
//! idempotent, so every service declares the whole topology when it
//! connects and any of them may start first.
//!
//! Queues are quorum queues: replicated when RabbitMQ runs as a cluster, and
//! they count deliveries, so a message that keeps failing is dead-lettered
//! after [`DELIVERY_LIMIT`] attempts instead of looping forever.

use lapin::{
    Channel, ExchangeKind,
    options::{
        ExchangeDeclareOptions, ExchangeDeleteOptions, QueueBindOptions, QueueDeclareOptions, QueueDeleteOptions,
    },
    types::{AMQPValue, FieldTable},
};

use crate::{Result, bus::message::Exchange};

/// Deliveries of one message before it goes to the dead-letter queue.
pub const DELIVERY_LIMIT: i32 = 10;

/// The names of everything in one namespace.
#[derive(Debug, Clone)]
pub struct Names {
    namespace: String,
}

impl Names {
    /// Names under `namespace`.
    pub fn new(namespace: &str) -> Self {
        Names { namespace: namespace.to_owned() }
    }

    /// The namespace itself.
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// The real exchange name of a logical exchange.
    pub fn exchange(&self, exchange: Exchange) -> String {
        format!("{}.{}", self.namespace, exchange.as_str())
    }

    /// Where rejected and over-delivered messages go.
    pub fn dead_letter_exchange(&self) -> String {
        format!("{}.dead", self.namespace)
    }

    /// Contacts waiting to be filed by a router.
    pub fn intake_queue(&self) -> String {
        format!("{}.intake", self.namespace)
    }

    /// Routing work other than intake (duty changes), for any router.
    pub fn routing_queue(&self) -> String {
        format!("{}.routing", self.namespace)
    }

    /// Outbound SMS waiting for a sender.
    pub fn outbound_sms_queue(&self) -> String {
        format!("{}.outbound.sms", self.namespace)
    }

    /// Outbound email waiting for a sender.
    pub fn outbound_email_queue(&self) -> String {
        format!("{}.outbound.email", self.namespace)
    }

    /// Dead letters, kept for a lead to inspect.
    pub fn dead_letter_queue(&self) -> String {
        format!("{}.dead-letters", self.namespace)
    }

    /// Every queue of the namespace with its label in metrics: the name
    /// without the namespace, so dashboards work across deployments.
    pub fn queues(&self) -> [(String, &'static str); 5] {
        [
            (self.intake_queue(), "intake"),
            (self.routing_queue(), "routing"),
            (self.outbound_sms_queue(), "outbound.sms"),
            (self.outbound_email_queue(), "outbound.email"),
            (self.dead_letter_queue(), "dead-letters"),
        ]
    }

    /// The metric labels of [`Names::queues`].
    pub fn queue_labels(&self) -> [&'static str; 5] {
        self.queues().map(|(_, label)| label)
    }

    fn work_queues(&self) -> [(String, &'static str); 4] {
        [
            (self.intake_queue(), "intake.*"),
            (self.routing_queue(), "routing.*"),
            (self.outbound_sms_queue(), "outbound.sms"),
            (self.outbound_email_queue(), "outbound.email"),
        ]
    }
}

fn durable_exchange() -> ExchangeDeclareOptions {
    ExchangeDeclareOptions { durable: true, ..Default::default() }
}

fn durable_queue() -> QueueDeclareOptions {
    QueueDeclareOptions { durable: true, ..Default::default() }
}

fn quorum_args(dead_letter_exchange: Option<&str>) -> FieldTable {
    let mut args = FieldTable::default();
    args.insert("x-queue-type".into(), AMQPValue::LongString("quorum".into()));
    if let Some(dlx) = dead_letter_exchange {
        args.insert("x-delivery-limit".into(), AMQPValue::LongInt(DELIVERY_LIMIT));
        args.insert("x-dead-letter-exchange".into(), AMQPValue::LongString(dlx.into()));
    }
    args
}

/// Declares every exchange, queue and binding of the namespace.
pub async fn declare(channel: &Channel, names: &Names) -> Result<()> {
    for exchange in [Exchange::Work, Exchange::Events] {
        channel
            .exchange_declare(&names.exchange(exchange), ExchangeKind::Topic, durable_exchange(), FieldTable::default())
            .await?;
    }
    let dlx = names.dead_letter_exchange();
    channel.exchange_declare(&dlx, ExchangeKind::Fanout, durable_exchange(), FieldTable::default()).await?;
    channel.queue_declare(&names.dead_letter_queue(), durable_queue(), quorum_args(None)).await?;
    channel
        .queue_bind(&names.dead_letter_queue(), &dlx, "", QueueBindOptions::default(), FieldTable::default())
        .await?;

    let work = names.exchange(Exchange::Work);
    for (queue, key) in names.work_queues() {
        channel.queue_declare(&queue, durable_queue(), quorum_args(Some(&dlx))).await?;
        channel.queue_bind(&queue, &work, key, QueueBindOptions::default(), FieldTable::default()).await?;
    }
    Ok(())
}

/// Deletes every exchange and queue of the namespace; test harnesses use it
/// to leave nothing behind on a shared broker.
pub async fn delete(channel: &Channel, names: &Names) -> Result<()> {
    let mut queues: Vec<String> = names.work_queues().into_iter().map(|(q, _)| q).collect();
    queues.push(names.dead_letter_queue());
    for queue in queues {
        channel.queue_delete(&queue, QueueDeleteOptions::default()).await?;
    }
    for exchange in [names.exchange(Exchange::Work), names.exchange(Exchange::Events), names.dead_letter_exchange()] {
        channel.exchange_delete(&exchange, ExchangeDeleteOptions::default()).await?;
    }
    Ok(())
}
