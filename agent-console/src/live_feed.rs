//! The console's view of the events exchange. One subscription per console
//! process receives every case event (assigned, updated, SLA breached) and
//! fans it out to the browsers that process holds, through a broadcast
//! channel. Sockets that fall behind are told to resync rather than
//! silently missing events; so is everyone whenever the subscription
//! restarts after a lost connection.

use batline_core::{
    bus::{Bus, BusMessage, Exchange},
    domain::event_kind,
    store,
};
use sqlx::PgPool;
use tokio::{sync::broadcast, task::JoinHandle};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

/// Events buffered per socket before it counts as fallen behind.
const BUFFER: usize = 512;

/// What a console socket is told.
#[derive(Debug, Clone)]
pub enum LiveEvent {
    /// Something happened on a case.
    Case {
        /// The event.
        msg: BusMessage,
        /// For a hand-off offer, whom it was made to: the event names only
        /// the owner, so the feed asks once for every socket it serves.
        offered_to: OfferedTo,
    },
    /// Events may have been missed: fetch everything again.
    Resync,
}

/// Whom a hand-off offer went to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OfferedTo {
    /// The event is not a hand-off offer.
    NotAnOffer,
    /// This colleague.
    Colleague(Uuid),
    /// The look-up failed; sockets alert rather than miss an offer.
    Unknown,
}

impl OfferedTo {
    async fn of(pool: &PgPool, msg: &BusMessage) -> OfferedTo {
        let BusMessage::CaseUpdated { case_id, kind, .. } = msg else {
            return OfferedTo::NotAnOffer;
        };
        if kind != event_kind::HANDOFF_OFFERED {
            return OfferedTo::NotAnOffer;
        }
        match store::handoffs::latest_offered_to(pool, *case_id).await {
            Ok(Some(to)) => OfferedTo::Colleague(to),
            Ok(None) => OfferedTo::NotAnOffer,
            Err(e) => {
                tracing::debug!(error = %e, "could not look up whom a hand-off was offered to");
                OfferedTo::Unknown
            }
        }
    }
}

/// The process-wide fan-out of case events.
#[derive(Clone)]
pub struct LiveFeed {
    tx: broadcast::Sender<LiveEvent>,
}

impl Default for LiveFeed {
    fn default() -> Self {
        LiveFeed { tx: broadcast::channel(BUFFER).0 }
    }
}

impl LiveFeed {
    /// A receiver for one socket.
    pub fn receiver(&self) -> broadcast::Receiver<LiveEvent> {
        self.tx.subscribe()
    }

    /// Sockets listening now.
    pub fn listeners(&self) -> usize {
        self.tx.receiver_count()
    }

    /// Subscribes to every case event on `bus` until `shutdown`.
    pub fn spawn(&self, bus: &Bus, pool: &PgPool, shutdown: CancellationToken) -> JoinHandle<()> {
        let pool = pool.clone();
        let on_start = self.tx.clone();
        let tx = self.tx.clone();
        bus.subscribe(
            Exchange::Events,
            "case.#",
            shutdown,
            move || {
                // No receivers is fine: nobody is looking.
                let _ = on_start.send(LiveEvent::Resync);
            },
            move |payload| {
                let (tx, pool) = (tx.clone(), pool.clone());
                async move {
                    let msg = match serde_json::from_slice::<BusMessage>(&payload) {
                        Ok(msg) => msg,
                        Err(e) => {
                            tracing::warn!(error = %e, "an event on the bus is not a message the console knows");
                            return;
                        }
                    };
                    let offered_to = OfferedTo::of(&pool, &msg).await;
                    let _ = tx.send(LiveEvent::Case { msg, offered_to });
                }
            },
        )
    }
}
