//! Live delivery across gateway processes. A reply is stored first (that
//! is the delivery that counts: a resident who reconnects reads it from
//! PostgreSQL); its `chat_updated` notification then goes to every gateway
//! through its own exclusive queue, and the one holding the resident's
//! socket rings it. Typing signals travel the same way.

use std::sync::Arc;

use batline_core::bus::{Bus, BusMessage, Exchange, message::CHAT_BINDING};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::hub::Hub;

/// Subscribes this process to chat notifications until `shutdown`.
pub fn spawn(bus: &Bus, hub: Arc<Hub>, shutdown: CancellationToken) -> JoinHandle<()> {
    let on_bound = {
        let hub = hub.clone();
        // Whatever was published while this process had no queue is read
        // from PostgreSQL by every socket now.
        move || hub.ring_all()
    };
    bus.subscribe(Exchange::Events, CHAT_BINDING, shutdown, on_bound, move |payload| {
        handle(&hub, &payload);
        std::future::ready(())
    })
}

fn handle(hub: &Hub, payload: &[u8]) {
    match serde_json::from_slice::<BusMessage>(payload) {
        Ok(BusMessage::ChatUpdated { session_id }) => hub.ring(session_id, false),
        Ok(BusMessage::ChatTyping { session_id, .. }) => hub.ring(session_id, true),
        Ok(other) => tracing::debug!(?other, "not a chat notification; ignored"),
        Err(e) => tracing::warn!(error = %e, "unreadable chat notification; ignored"),
    }
}
