//! The transactional outbox. A service writes its bus messages into the
//! `outbox` table in the same transaction as the change they announce, so a
//! change is never committed without its message nor announced without being
//! committed. Rows are published afterwards with confirms, either at once by
//! the code that wrote them ([`Outbox::publish_now`]) or by the relay that
//! sweeps whatever is left, e.g. after RabbitMQ was down or a process died
//! between commit and publish. Rows are taken with `FOR UPDATE SKIP LOCKED`,
//! so any number of processes can relay side by side.

use std::{sync::Arc, time::Duration};

use sqlx::{PgConnection, PgPool};
use tokio::{sync::Notify, task::JoinHandle};
use tokio_util::sync::CancellationToken;

use crate::{
    Error, Result,
    bus::{Bus, BusMessage, Exchange},
    store,
    trace_context::TraceContext,
};

/// Rows published per sweep.
const BATCH: i64 = 256;
/// How often the relay looks for leftovers without being kicked.
const POLL: Duration = Duration::from_millis(500);

/// Publishes what services wrote to the outbox.
#[derive(Clone)]
pub struct Outbox {
    pool: PgPool,
    bus: Bus,
    kick: Arc<Notify>,
}

impl Outbox {
    /// An outbox publishing through `bus`.
    pub fn new(pool: PgPool, bus: Bus) -> Self {
        Outbox { pool, bus, kick: Arc::new(Notify::new()) }
    }

    /// Writes `msg` into the caller's transaction, with the current trace
    /// context; returns the row id.
    pub async fn enqueue(conn: &mut PgConnection, msg: &BusMessage) -> Result<i64> {
        let (exchange, key) = msg.route();
        let traceparent = TraceContext::current().map(|c| c.child().header());
        store::outbox::insert(conn, exchange.as_str(), &key, &serde_json::to_value(msg)?, traceparent.as_deref()).await
    }

    /// Publishes the rows `ids` now, unless another process already is.
    /// Returns how many this call published.
    pub async fn publish_now(&self, ids: &[i64]) -> Result<usize> {
        self.sweep(Some(ids)).await
    }

    /// Wakes the relay so it publishes without waiting for its next poll.
    pub fn kick(&self) {
        self.kick.notify_one();
    }

    /// Runs the relay until `shutdown`.
    pub fn spawn_relay(&self, shutdown: CancellationToken) -> JoinHandle<()> {
        let outbox = self.clone();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = outbox.kick.notified() => {}
                    _ = tokio::time::sleep(POLL) => {}
                    _ = shutdown.cancelled() => break,
                }
                if !outbox.bus.is_connected() {
                    continue;
                }
                loop {
                    match outbox.sweep(None).await {
                        Ok(n) if n as i64 == BATCH => continue,
                        Ok(_) => break,
                        Err(e) => {
                            tracing::warn!(error = %e, "outbox relay could not publish; will retry");
                            break;
                        }
                    }
                }
            }
        })
    }

    /// Takes rows, publishes them concurrently and commits their deletion.
    /// Should any publish fail, the deletion is rolled back and only the
    /// confirmed rows are deleted, in a second transaction; the rest stay
    /// for the relay.
    async fn sweep(&self, only: Option<&[i64]>) -> Result<usize> {
        let mut tx = self.pool.begin().await?;
        let mut rows = store::outbox::take(&mut tx, only, BATCH).await?;
        if rows.is_empty() {
            return Ok(0);
        }
        // DELETE … RETURNING promises no order; publish in the order written.
        rows.sort_by_key(|row| row.id);
        let results = futures_util::future::join_all(rows.iter().map(|row| async move {
            let exchange = Exchange::parse(&row.exchange).ok_or_else(|| {
                Error::Invalid(format!("outbox row {} names unknown exchange {:?}", row.id, row.exchange))
            })?;
            let payload = serde_json::to_vec(&row.payload)?;
            self.bus.publish_traced(exchange, &row.routing_key, &payload, row.traceparent.as_deref()).await?;
            Ok::<_, Error>(row.id)
        }))
        .await;
        let mut published = Vec::with_capacity(results.len());
        let mut first_error = None;
        for result in results {
            match result {
                Ok(id) => published.push(id),
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        let Some(e) = first_error else {
            store::outbox::relax_commit(&mut tx).await?;
            tx.commit().await?;
            return Ok(published.len());
        };
        tx.rollback().await?;
        if published.is_empty() {
            return Err(e);
        }
        let mut tx = self.pool.begin().await?;
        store::outbox::relax_commit(&mut tx).await?;
        store::outbox::delete(&mut tx, &published).await?;
        tx.commit().await?;
        tracing::warn!(error = %e, published = published.len(), "outbox published part of a batch");
        Ok(published.len())
    }
}
