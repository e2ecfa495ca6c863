//! Group commit for contacts arriving at the gateway. Each webhook or chat
//! message used to store its intake row and outbox row in a transaction of
//! its own: four round trips and a WAL flush per contact. Here one task per
//! process takes every contact waiting while the previous group was being
//! written and stores them together ([`crate::group_commit`]): one
//! statement (its own transaction) for the intake rows, calls and outbox
//! rows, one flush, as PostgreSQL itself groups WAL flushes. Alone, a
//! contact is written as quickly as before; under load, a group serves many.
//!
//! Each contact stays on its own: when a group's transaction fails (a body
//! PostgreSQL refuses, say), its contacts are written again one by one, so
//! only the bad one fails and the others are stored a moment later. A caller
//! hears back only once its contact is committed (or has failed), so the
//! answer it gives the resident or Twilio means what it meant before.

use sqlx::PgPool;
use uuid::Uuid;

use crate::{
    Result,
    bus::BusMessage,
    group_commit::{GroupCommit, Grouping},
    outbox::{self, NewRow, Outbox},
    store::{
        self,
        intake::{Arriving, NewIntake},
        outbox::OutboxRow,
    },
};

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
}

/// Writes contacts in groups; cheap to clone, one writer task per process.
#[derive(Clone)]
pub struct IntakeWriter {
    writes: GroupCommit<ArrivingContacts>,
}

impl IntakeWriter {
    /// A writer storing into `pool`.
    pub fn new(pool: PgPool) -> Self {
        IntakeWriter { writes: GroupCommit::new(ArrivingContacts { pool }) }
    }

    /// Stores `new` (with `call`, for a phone call) and its `IntakeArrived`
    /// outbox row, committed, with whatever else is waiting. `None` when its
    /// provider id was stored before: a retried webhook.
    pub async fn store(&self, new: NewIntake, call: Option<InboundCall>) -> Result<Option<Stored>> {
        let intake_id = Uuid::new_v4();
        let announce = Outbox::row(&BusMessage::IntakeArrived { intake_id, channel: new.channel })?;
        self.writes.write(Pending { intake_id, new, call, announce }).await
    }
}

/// The contacts' rows, written by [`GroupCommit`].
struct ArrivingContacts {
    pool: PgPool,
}

impl Grouping for ArrivingContacts {
    type Item = Pending;
    type Done = Option<Stored>;
    /// A group is whatever is waiting, so this bounds only a statement's
    /// size under a flood.
    const MOST: usize = 64;
    const WHAT: &'static str = "contacts arriving";

    /// The whole group in one statement (its own transaction).
    async fn together(&self, group: &[Pending]) -> Result<Vec<Option<Stored>>> {
        insert(&self.pool, group).await
    }

    /// One contact in a statement of its own.
    async fn alone(&self, pending: &Pending) -> Result<Option<Stored>> {
        Ok(insert(&self.pool, std::slice::from_ref(pending)).await?.into_iter().next().flatten())
    }
}

/// Inserts the intake rows, the calls beside them and the outbox rows of
/// those stored, in one statement.
async fn insert(pool: &PgPool, group: &[Pending]) -> Result<Vec<Option<Stored>>> {
    let rows: Vec<Arriving<'_>> = group
        .iter()
        .map(|p| Arriving {
            id: p.intake_id,
            new: &p.new,
            call: p.call.as_ref().map(|c| (c.sid.as_str(), c.from.as_str(), c.status.as_str())),
            announce: outbox::borrowed(&p.announce),
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
