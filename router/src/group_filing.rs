//! The intake consumer, filing in groups. Deliveries that arrive while a
//! group is being filed wait and are filed together in the next one: one
//! transaction and one commit for many contacts instead of one each, as the
//! gateway's intake writer groups webhooks. Under light load a group is one
//! delivery, filed at once; under heavy load the groups grow and the
//! per-contact cost of a transaction falls.
//!
//! Each contact stays on its own: should anything in a group fail, the whole
//! group is rolled back and every delivery in it is filed again alone, in a
//! transaction of its own ([`intake::file`]). One bad contact thus costs the
//! others one retry and nothing more, and its error (a poison message
//! dead-lettered, a transient fault retried in place) is its own. Each
//! delivery is acked only after the commit that filed it.
//!
//! A router process files a few groups at once ([`IN_FLIGHT`]), each in its
//! own transaction. Filings inside a group never wait for each other's
//! responder locks (a transaction does not block itself), so the six-person
//! demo roster no longer files one contact at a time behind one row lock. A
//! filing that would wait long for a lock another transaction holds fails
//! its group instead, and is filed alone, where waiting is safe.

use std::sync::Arc;

use batline_core::{
    Error, Result,
    bus::BusMessage,
    metrics, store,
    trace_context::{self, TraceContext},
};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc, oneshot};
use tracing::Instrument;
use uuid::Uuid;

use crate::{
    intake::{self, Announced, Filed, Filing},
    state::Router,
};

/// Most deliveries in one group. A filing's owner is locked under a
/// savepoint (`assign::choose_owner`); PostgreSQL keeps a transaction's
/// first 64 subtransactions in shared memory and beyond that makes every
/// other backend's snapshot dearer, so a group stays well below that.
const MOST: usize = 16;
/// Groups filed at once by one router process, each in its own transaction.
/// Measured on two cores (`batline-bench mixed`): one group at a time files
/// too few at once when responders are many; savepoints around each filing
/// cost as much as they saved. In the six-person demo four at once hold
/// each other's responders, so that one group in five is rolled back and
/// filed again alone; two at once roll back one in twelve and need a sixth
/// fewer statements per contact, but in the 200-responder city they filed
/// a seventh fewer contacts a second (2026-12-05), so four it stays.
const IN_FLIGHT: usize = 4;
/// How a group's transaction begins: a filing waits at most this long for a
/// row lock (see [`file_together`]). Long enough for the group holding the
/// responder to commit (a few milliseconds under load), short enough that
/// two groups each waiting for the other give up well before PostgreSQL's
/// deadlock check (a second). At 10 ms one filing in ten under mixed load
/// gave up on a wait that was about to end and was filed twice; at 40 ms
/// one in two hundred (2026-12-05, `batline-bench mixed`: a sixth fewer
/// statements a contact).
const BEGIN: &str = "BEGIN; SET LOCAL lock_timeout = '40ms'";

/// Files the intake consumer's deliveries in groups.
#[derive(Clone)]
pub struct GroupFiler {
    requests: mpsc::UnboundedSender<Request>,
}

/// One delivery waiting for a group: its intake row, the trace it belongs
/// to, and where to say what became of it (`None`: its group failed).
struct Request {
    intake_id: Uuid,
    trace: Option<TraceContext>,
    reply: oneshot::Sender<Option<Filed>>,
}

impl GroupFiler {
    /// Starts the task that files groups for `router`. It ends when the
    /// last [`GroupFiler`] is dropped.
    pub fn spawn(router: Arc<Router>) -> Self {
        let (requests, mut waiting) = mpsc::unbounded_channel::<Request>();
        let slots = Arc::new(Semaphore::new(IN_FLIGHT));
        tokio::spawn(async move {
            while let Some(first) = waiting.recv().await {
                // Taken before the group is gathered: while every slot is
                // busy, deliveries gather and the next group is larger.
                let Ok(slot) = slots.clone().acquire_owned().await else { break };
                let mut group = vec![first];
                while group.len() < MOST
                    && let Ok(more) = waiting.try_recv()
                {
                    group.push(more);
                }
                tokio::spawn(file_group(router.clone(), group, slot));
            }
        });
        GroupFiler { requests }
    }

    /// Handles one bus message from the intake queue: files it with
    /// whatever else is waiting, or alone if that group failed. Returns once
    /// its filing is committed.
    pub async fn handle(&self, router: &Router, payload: &[u8]) -> Result<()> {
        match serde_json::from_slice::<BusMessage>(payload)? {
            BusMessage::IntakeArrived { intake_id, .. } => {
                let filed = self.file(router, intake_id).await?;
                tracing::debug!(%intake_id, ?filed, "intake filed");
                Ok(())
            }
            other => Err(Error::Invalid(format!("the intake queue does not take {other:?}"))),
        }
    }

    /// Files intake row `intake_id` in a group; if the group fails (or the
    /// group task has stopped), alone.
    pub async fn file(&self, router: &Router, intake_id: Uuid) -> Result<Filed> {
        let (reply, answer) = oneshot::channel();
        let request = Request { intake_id, trace: TraceContext::current(), reply };
        if self.requests.send(request).is_ok()
            && let Ok(Some(filed)) = answer.await
        {
            return Ok(filed);
        }
        intake::file(router, intake_id).await
    }
}

/// Files `group` in one transaction and, once it is committed, frees its
/// `slot`, publishes what it announces and answers each request; if anything in
/// it failed, rolls it all back and answers `None`, so each is filed again
/// alone.
async fn file_group(router: Arc<Router>, group: Vec<Request>, slot: OwnedSemaphorePermit) {
    let outcome = file_together(&router, &group).await;
    drop(slot);
    metrics::filing_group(group.len(), outcome.is_ok());
    match outcome {
        Ok((filings, announced)) => {
            intake::announce(&router, &filings.iter().collect::<Vec<_>>(), announced).await;
            for (request, filing) in group.into_iter().zip(filings) {
                // A delivery whose handler stopped waiting (a channel
                // closed at shutdown) is redelivered and found filed.
                let _ = request.reply.send(Some(filing.filed));
            }
        }
        Err(e) => {
            // Expected under load (a lock waited on for too long), so not
            // worth a line at info; a contact that fails alone is logged
            // where it is dead-lettered or retried.
            tracing::debug!(error = %e, size = group.len(), "a group of filings failed; each is filed again alone");
            for request in group {
                let _ = request.reply.send(None);
            }
        }
    }
}

/// Files every request of `group` in one transaction, in order, each inside
/// the trace of the delivery it came in. Any error fails the group. A filing
/// waits at most 40 ms ([`BEGIN`]) for a row another transaction holds: two
/// groups each holding a responder the other wants would otherwise wait for
/// PostgreSQL's deadlock detector; alone, the filing may wait.
async fn file_together(router: &Router, group: &[Request]) -> Result<(Vec<Filing>, Announced)> {
    let mut tx = router.pool.begin_with(BEGIN).await?;
    // A larger group's rows locked in one round trip, not one each; a
    // group of one locks its row as a lone filing does, by a statement
    // PostgreSQL plans once (by `= ANY` it plans anew for each call).
    let ids: Vec<Uuid> = group.iter().map(|r| r.intake_id).collect();
    let mut locked = match ids.len() {
        1 => Vec::new(),
        _ => store::intake::lock_many(&mut tx, &ids).await?,
    };
    let mut filings = Vec::with_capacity(group.len());
    for request in group {
        let trace = request.trace.unwrap_or_else(TraceContext::new_root);
        let span = tracing::info_span!("filing", intake_id = %request.intake_id, trace_id = %trace.trace_id());
        let row = locked.iter().position(|i| i.id == request.intake_id).map(|at| locked.swap_remove(at));
        let filing = async {
            match row {
                Some(row) => intake::file_locked(router, &mut tx, row).await,
                // Not among those locked: alone in its group, delivered
                // twice into it (read again as the first filing left it:
                // filed), or missing, which fails the group and, alone, only
                // its own delivery.
                None => intake::file_in(router, &mut tx, request.intake_id).await,
            }
        };
        filings.push(trace_context::scope(trace, filing).instrument(span).await?);
    }
    // Every filing's notices in one statement: one round trip per group.
    let announced = intake::write_notices(&mut tx, &filings.iter().collect::<Vec<_>>()).await?;
    tx.commit().await?;
    Ok((filings, announced))
}
