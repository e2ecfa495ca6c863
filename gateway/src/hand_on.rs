//! Handing a stored contact to the router. The intake row and its outbox
//! row are already committed when this runs, so the contact is safe; this
//! publishes right away (confirm awaited) to save the relay's poll, and
//! leaves the row to the outbox relay if RabbitMQ is down or slow.

use std::time::Duration;

use uuid::Uuid;

use crate::AppState;

/// How long a webhook waits for the broker before leaving the row to the
/// relay. Twilio gives us 15 s in all.
pub const PUBLISH_WAIT: Duration = Duration::from_secs(3);

/// Publishes the outbox row announcing `intake_id`.
pub async fn publish_intake(state: &AppState, intake_id: Uuid, outbox_id: i64) {
    match tokio::time::timeout(PUBLISH_WAIT, state.outbox.publish_now(&[outbox_id])).await {
        Ok(Ok(_)) => {}
        Ok(Err(e)) => {
            tracing::warn!(%intake_id, error = %e, "RabbitMQ refused the intake; the outbox relay will publish it")
        }
        Err(_) => tracing::warn!(%intake_id, "RabbitMQ is slow; the outbox relay will publish the intake"),
    }
}

/// Publishes outbox rows a webhook wrote (timeline updates for consoles);
/// what fails here the relay publishes later.
pub async fn publish(state: &AppState, ids: &[i64]) {
    if ids.is_empty() {
        return;
    }
    if let Err(e) = state.outbox.publish_now(ids).await {
        tracing::debug!(error = %e, "left to the outbox relay");
        state.outbox.kick();
    }
}
