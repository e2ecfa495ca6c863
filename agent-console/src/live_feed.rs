//! The console's view of the events exchange. One subscription per console
//! process receives every case event (assigned, updated, SLA breached) and
//! fans it out to the browsers that process holds, through a broadcast
//! channel. Sockets that fall behind are told to resync rather than
//! silently missing events; so is everyone whenever the subscription
//! restarts after a lost connection.

use batline_core::bus::{Bus, BusMessage, Exchange};
use tokio::{sync::broadcast, task::JoinHandle};
use tokio_util::sync::CancellationToken;

/// Events buffered per socket before it counts as fallen behind.
const BUFFER: usize = 512;

/// What a console socket is told.
#[derive(Debug, Clone)]
pub enum LiveEvent {
    /// Something happened on a case.
    Case(BusMessage),
    /// Events may have been missed: fetch everything again.
    Resync,
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
    pub fn spawn(&self, bus: &Bus, shutdown: CancellationToken) -> JoinHandle<()> {
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
                let event = match serde_json::from_slice::<BusMessage>(&payload) {
                    Ok(msg) => Some(LiveEvent::Case(msg)),
                    Err(e) => {
                        tracing::warn!(error = %e, "an event on the bus is not a message the console knows");
                        None
                    }
                };
                if let Some(event) = event {
                    let _ = tx.send(event);
                }
                std::future::ready(())
            },
        )
    }
}
