//! The transactional outbox. A service writes its bus messages into the
//! `outbox` table in the same transaction as the change they announce, so a
//! change is never committed without its message nor announced without being
//! committed. Rows are published afterwards with confirms, either at once by
//! the code that wrote them ([`Outbox::publish_now`]) or by the relay that
//! sweeps whatever is left, e.g. after RabbitMQ was down or a process died
//! between commit and publish. The relay takes rows with `FOR UPDATE SKIP
//! LOCKED`, so any number of processes can relay side by side, and only rows
//! a few seconds old (`SETTLE`): younger ones belong to their writer.
//!
//! Publishing at once is done in groups, like a database's group commit:
//! one task per process takes every row asked for while the previous group
//! was being published, reads those it was given only by id, publishes
//! them, answers its callers once the broker has confirmed and then has
//! them deleted, with whatever else it confirmed in the next 20 ms
//! (`DELETE_WINDOW`): at most two statements for the group, with no
//! transaction held open while the broker confirms. The hot paths (a webhook's intake, a
//! group of filings) hand over the rows they wrote as they wrote them
//! ([`Outbox::publish_written`]), so nothing is read back. Alone, a row
//! goes out as quickly as before; under load, one delete serves many
//! contacts.

use std::{
    sync::{Arc, OnceLock},
    time::Duration,
};

use sqlx::{PgConnection, PgPool};
use tokio::{
    sync::{Notify, mpsc, oneshot},
    task::JoinHandle,
};
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
/// How long a row is left to the process that wrote it before the relay
/// takes it: the writer publishes its rows at once ([`Outbox::publish_now`])
/// without locking them, so a relay taking young rows would publish them a
/// second time. Long beyond a publish's confirm even under load; a row whose
/// publish failed goes out this much later.
const SETTLE: Duration = Duration::from_secs(2);
/// How long rows confirmed by the group publisher wait to be deleted
/// together: under load one statement deletes what many groups published.
/// Far below [`SETTLE`], so the relay never takes them meanwhile.
const DELETE_WINDOW: Duration = Duration::from_millis(20);

/// Publishes what services wrote to the outbox.
#[derive(Clone)]
pub struct Outbox {
    rows: Rows,
    kick: Arc<Notify>,
    /// The group publisher's queue, started on first use (it needs a runtime).
    group: Arc<OnceLock<mpsc::UnboundedSender<GroupRequest>>>,
}

/// An outbox row not yet written ([`Outbox::row`]): exchange, routing key,
/// payload and the trace context it was made in.
pub type NewRow = (&'static str, String, serde_json::Value, Option<String>);

/// `row` as the statements that write it beside other rows take it.
pub fn borrowed(row: &NewRow) -> store::outbox::RowRef<'_> {
    (row.0, &row.1, &row.2, row.3.as_deref())
}

/// Rows to publish at once (by id, or as written), and where to say how it went.
type GroupRequest = (Wanted, oneshot::Sender<std::result::Result<(), String>>);

/// Rows a caller wants published: some known only by id, to be read; some
/// as their writer wrote them.
#[derive(Debug, Default)]
struct Wanted {
    ids: Vec<i64>,
    rows: Vec<store::outbox::OutboxRow>,
}

impl Wanted {
    fn len(&self) -> usize {
        self.ids.len() + self.rows.len()
    }

    fn extend(&mut self, more: Wanted) {
        self.ids.extend(more.ids);
        self.rows.extend(more.rows);
    }
}

impl Outbox {
    /// An outbox publishing through `bus`.
    pub fn new(pool: PgPool, bus: Bus) -> Self {
        Outbox { rows: Rows { pool, bus }, kick: Arc::new(Notify::new()), group: Arc::new(OnceLock::new()) }
    }

    /// Writes `msg` into the caller's transaction, with the current trace
    /// context; returns the row id.
    pub async fn enqueue(conn: &mut PgConnection, msg: &BusMessage) -> Result<i64> {
        Ok(Self::enqueue_written(conn, msg).await?.id)
    }

    /// As [`Outbox::enqueue`], returning the row as written, for
    /// [`Outbox::publish_written`].
    pub async fn enqueue_written(conn: &mut PgConnection, msg: &BusMessage) -> Result<store::outbox::OutboxRow> {
        let row = Self::row(msg)?;
        let (exchange, routing_key, payload, traceparent) = borrowed(&row);
        let id = store::outbox::insert(conn, exchange, routing_key, payload, traceparent).await?;
        Ok(store::outbox::OutboxRow::written(id, row))
    }

    /// Writes `msgs` into the caller's transaction in one statement, as
    /// [`Outbox::enqueue`] does one; returns their row ids in order.
    pub async fn enqueue_all(conn: &mut PgConnection, msgs: &[BusMessage]) -> Result<Vec<i64>> {
        let rows = msgs.iter().map(Self::row).collect::<Result<Vec<_>>>()?;
        Self::enqueue_rows(conn, &rows).await
    }

    /// Writes rows made earlier with [`Outbox::row`] into the caller's
    /// transaction in one statement; returns their ids in order.
    pub async fn enqueue_rows(conn: &mut PgConnection, rows: &[NewRow]) -> Result<Vec<i64>> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        store::outbox::insert_many(conn, rows).await
    }

    /// The row [`Outbox::enqueue`] writes for `msg`. Taken where the message
    /// is made, so a row written later, or by another task (the intake
    /// writer, a group of filings), still carries the trace of the request
    /// it belongs to.
    pub fn row(msg: &BusMessage) -> Result<NewRow> {
        let (exchange, key) = msg.route();
        let traceparent = TraceContext::current().map(|c| c.child().header());
        Ok((exchange.as_str(), key, serde_json::to_value(msg)?, traceparent))
    }

    /// Publishes the rows `ids` now (with whatever else this process is
    /// publishing at the moment), unless another process already is; waits
    /// for the confirms. On an error the rows not published stay for the relay.
    pub async fn publish_now(&self, ids: &[i64]) -> Result<()> {
        self.publish_group(Wanted { ids: ids.to_vec(), rows: Vec::new() }).await
    }

    /// As [`Outbox::publish_now`], for rows the caller has just written
    /// and committed and hands over as written, so they are not read back.
    pub async fn publish_written(&self, rows: Vec<store::outbox::OutboxRow>) -> Result<()> {
        self.publish_group(Wanted { ids: Vec::new(), rows }).await
    }

    /// Hands `wanted` to the group publisher and waits for the confirms.
    async fn publish_group(&self, wanted: Wanted) -> Result<()> {
        if wanted.len() == 0 {
            return Ok(());
        }
        let (reply, done) = oneshot::channel();
        let group = self.group.get_or_init(|| self.rows.clone().spawn_group_publisher());
        let stopped = || Error::Task("the outbox's group publisher has stopped".into());
        group.send((wanted, reply)).map_err(|_| stopped())?;
        done.await.map_err(|_| stopped())?.map_err(Error::BusUnavailable)
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
                if !outbox.rows.bus.is_connected() {
                    continue;
                }
                loop {
                    match outbox.rows.sweep().await {
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
}

/// What publishing needs: the table and the bus.
#[derive(Clone)]
struct Rows {
    pool: PgPool,
    bus: Bus,
}

impl Rows {
    /// Starts the task behind [`Outbox::publish_now`]. It holds no
    /// [`Outbox`], so it ends when the last one is dropped.
    fn spawn_group_publisher(self) -> mpsc::UnboundedSender<GroupRequest> {
        let (group, mut requests) = mpsc::unbounded_channel::<GroupRequest>();
        let deletions = self.clone().spawn_deleter();
        tokio::spawn(async move {
            while let Some((mut wanted, first)) = requests.recv().await {
                let mut waiting = vec![first];
                while wanted.len() < BATCH as usize
                    && let Ok((more, reply)) = requests.try_recv()
                {
                    wanted.extend(more);
                    waiting.push(reply);
                }
                let mut result = Ok(());
                let mut published = Vec::with_capacity(wanted.len());
                if let Err(e) = self.publish_these(wanted, &mut published).await {
                    result = Err(e.to_string());
                }
                // Confirmed is what the callers wait for; the delete only
                // spares the relay, so they are answered before it.
                for reply in waiting {
                    // A caller that stopped waiting (a timed-out webhook) needs no answer.
                    let _ = reply.send(result.clone());
                }
                if !published.is_empty() {
                    // A deleter that stopped leaves them to the relay.
                    let _ = deletions.send(published);
                }
            }
        });
        group
    }

    /// Starts the task deleting the rows the group publisher confirmed: it
    /// waits [`DELETE_WINDOW`] after the first, then deletes every one
    /// confirmed by then in one statement. It ends with the group publisher.
    fn spawn_deleter(self) -> mpsc::UnboundedSender<Vec<i64>> {
        let (deletions, mut confirmed) = mpsc::unbounded_channel::<Vec<i64>>();
        tokio::spawn(async move {
            while let Some(mut ids) = confirmed.recv().await {
                tokio::time::sleep(DELETE_WINDOW).await;
                while let Ok(more) = confirmed.try_recv() {
                    ids.extend(more);
                }
                for chunk in ids.chunks(BATCH as usize * 4) {
                    if let Err(e) = store::outbox::delete_published(&self.pool, chunk).await {
                        // Left for the relay, which publishes them once more.
                        tracing::warn!(error = %e, rows = chunk.len(), "could not delete published outbox rows");
                    }
                }
            }
        });
        deletions
    }

    /// Publishes the rows `wanted`, which their writers have just
    /// committed, reading those given only by id, adding those confirmed to
    /// `published` for the caller to delete. No transaction is held open
    /// while the broker confirms: the relay leaves rows this young alone
    /// ([`SETTLE`]), so nobody else publishes them meanwhile. Rows whose
    /// publish failed stay for the relay.
    async fn publish_these(&self, wanted: Wanted, published: &mut Vec<i64>) -> Result<()> {
        let mut rows = wanted.rows;
        let mut first_error = None;
        for ids in wanted.ids.chunks(BATCH as usize) {
            match store::outbox::rows(&self.pool, ids).await {
                Ok(read) => rows.extend(read),
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        // In the order written, as the relay publishes.
        rows.sort_by_key(|row| row.id);
        let (confirmed, publish_error) = self.publish_all(&rows).await;
        published.extend(confirmed);
        first_error.or(publish_error).map_or(Ok(()), Err)
    }

    /// The relay's sweep: takes rows left over for at least [`SETTLE`],
    /// publishes them concurrently and commits their deletion. Should any
    /// publish fail, the deletion is rolled back and only the confirmed rows
    /// are deleted, by [`store::outbox::delete_published`]; the rest stay
    /// for the next sweep.
    async fn sweep(&self) -> Result<usize> {
        let mut tx = store::outbox::begin_relaxed(&self.pool).await?;
        let mut rows = store::outbox::take_settled(&mut tx, SETTLE, BATCH).await?;
        if rows.is_empty() {
            return Ok(0);
        }
        // DELETE … RETURNING promises no order; publish in the order written.
        rows.sort_by_key(|row| row.id);
        let (published, first_error) = self.publish_all(&rows).await;
        let Some(e) = first_error else {
            tx.commit().await?;
            return Ok(published.len());
        };
        tx.rollback().await?;
        if published.is_empty() {
            return Err(e);
        }
        store::outbox::delete_published(&self.pool, &published).await?;
        tracing::warn!(error = %e, published = published.len(), "outbox published part of a batch");
        Ok(published.len())
    }

    /// Publishes `rows` concurrently, awaiting every confirm: the ids
    /// confirmed, and the first error if any publish failed.
    async fn publish_all(&self, rows: &[store::outbox::OutboxRow]) -> (Vec<i64>, Option<Error>) {
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
        (published, first_error)
    }
}
