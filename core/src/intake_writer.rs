//! Group commit for contacts arriving at the gateway. Each webhook or chat
//! message used to store its intake row and outbox row in a transaction of
//! its own: four round trips and a WAL flush per contact. Here one task per
//! process takes every contact waiting while the previous group was being
//! written and stores them together: one statement (its own transaction)
//! for the intake rows, calls and outbox rows, one flush, as PostgreSQL
//! itself groups WAL flushes. Alone, a
//! contact is written as quickly as before; under load, a group serves many.
//!
//! Each contact stays on its own: when a group's transaction fails (a body
//! PostgreSQL refuses, say), its contacts are written again one by one, so
//! only the bad one fails and the others are stored a moment later. A caller
//! hears back only once its contact is committed (or has failed), so the
//! answer it gives the resident or Twilio means what it meant before.

use std::sync::{Arc, OnceLock};

use sqlx::PgPool;
use tokio::sync::{mpsc, oneshot};
use uuid::Uuid;

use crate::{
    Error, Result,
    bus::BusMessage,
    outbox::{NewRow, Outbox},
    store::{
        self,
        intake::{Arriving, NewIntake},
        outbox::OutboxRow,
    },
};

/// Contacts written in one transaction at most. A group is whatever is
/// waiting, so this bounds only a statement's size under a flood.
const GROUP: usize = 64;

/// An inbound call to record beside its intake row (the voice webhook).
#[derive(Debug, Clone)]
pub struct InboundCall {
    /// Twilio's CallSid.
    pub sid: String,
    /// The caller's number.
    pub from: String,
    /// Twilio's `CallStatus`.
    pub status: String,
}

/// A contact committed, with the outbox row announcing it to the router.
#[derive(Debug, Clone)]
pub struct Stored {
    /// The intake row.
    pub intake_id: Uuid,
    /// Its `IntakeArrived` outbox row as written, for
    /// [`Outbox::publish_written`].
    pub announcement: OutboxRow,
}

/// One contact waiting to be written.
struct Pending {
    intake_id: Uuid,
    new: NewIntake,
    call: Option<InboundCall>,
    /// The `IntakeArrived` row, made by the caller so it carries the
    /// caller's trace.
    announce: NewRow,
    reply: oneshot::Sender<Result<Option<Stored>>>,
}

/// Writes contacts in groups; cheap to clone, one writer task per process.
#[derive(Clone)]
pub struct IntakeWriter {
    pool: PgPool,
    /// The writer task's queue, started on first use (it needs a runtime).
    queue: Arc<OnceLock<mpsc::UnboundedSender<Pending>>>,
}

impl IntakeWriter {
    /// A writer storing into `pool`.
    pub fn new(pool: PgPool) -> Self {
        IntakeWriter { pool, queue: Arc::new(OnceLock::new()) }
    }

    /// Stores `new` (with `call`, for a phone call) and its `IntakeArrived`
    /// outbox row, committed, with whatever else is waiting. `None` when its
    /// provider id was stored before: a retried webhook.
    pub async fn store(&self, new: NewIntake, call: Option<InboundCall>) -> Result<Option<Stored>> {
        let intake_id = Uuid::new_v4();
        let announce = Outbox::row(&BusMessage::IntakeArrived { intake_id, channel: new.channel })?;
        let (reply, answer) = oneshot::channel();
        let queue = self.queue.get_or_init(|| spawn_writer(self.pool.clone()));
        let stopped = || Error::Task("the intake writer has stopped".into());
        queue.send(Pending { intake_id, new, call, announce, reply }).map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

/// Starts the task behind [`IntakeWriter::store`]. It ends when the last
/// writer is dropped.
fn spawn_writer(pool: PgPool) -> mpsc::UnboundedSender<Pending> {
    let (queue, mut waiting) = mpsc::unbounded_channel::<Pending>();
    tokio::spawn(async move {
        while let Some(first) = waiting.recv().await {
            let mut group = vec![first];
            while group.len() < GROUP
                && let Ok(next) = waiting.try_recv()
            {
                group.push(next);
            }
            write(&pool, group).await;
        }
    });
    queue
}

/// Writes `group` in one transaction, or, should that fail, each contact
/// in a transaction of its own; answers every caller.
async fn write(pool: &PgPool, group: Vec<Pending>) {
    let outcome = if group.len() == 1 { Err(None) } else { write_together(pool, &group).await.map_err(Some) };
    match outcome {
        Ok(stored) => {
            for (pending, stored) in group.into_iter().zip(stored) {
                // A caller that stopped waiting needs no answer; its contact is stored.
                let _ = pending.reply.send(Ok(stored));
            }
        }
        Err(e) => {
            if let Some(e) = e {
                tracing::warn!(error = %e, contacts = group.len(), "a group of contacts failed; storing them one by one");
            }
            for pending in group {
                let result = write_alone(pool, &pending).await;
                let _ = pending.reply.send(result);
            }
        }
    }
}

/// The whole group in one statement (its own transaction); what each
/// contact got, in order.
async fn write_together(pool: &PgPool, group: &[Pending]) -> Result<Vec<Option<Stored>>> {
    insert(pool, group.iter()).await
}

/// One contact in a statement of its own.
async fn write_alone(pool: &PgPool, pending: &Pending) -> Result<Option<Stored>> {
    Ok(insert(pool, std::iter::once(pending)).await?.into_iter().next().flatten())
}

/// Inserts the intake rows, the calls beside them and the outbox rows of
/// those stored, in one statement.
async fn insert<'a>(pool: &PgPool, group: impl Iterator<Item = &'a Pending>) -> Result<Vec<Option<Stored>>> {
    let group: Vec<&Pending> = group.collect();
    let rows: Vec<Arriving<'_>> = group
        .iter()
        .map(|p| Arriving {
            id: p.intake_id,
            new: &p.new,
            call: p.call.as_ref().map(|c| (c.sid.as_str(), c.from.as_str(), c.status.as_str())),
            announce: (p.announce.0, p.announce.1.as_str(), &p.announce.2, p.announce.3.as_deref()),
        })
        .collect();
    let stored = store::intake::insert_arriving(pool, &rows).await?;
    Ok(group
        .iter()
        .map(|p| {
            stored.iter().find(|(intake_id, _)| *intake_id == p.intake_id).map(|(intake_id, outbox_id)| Stored {
                intake_id: *intake_id,
                announcement: OutboxRow::written(*outbox_id, p.announce.clone()),
            })
        })
        .collect())
}
