//! Handing a stored contact to the router. The intake row and its outbox
//! row are already committed when this runs, so the contact is safe; this
//! publishes right away (confirm awaited) to save the relay's poll, and
//! leaves the row to the outbox relay if RabbitMQ is down or slow.

use std::{
    sync::atomic::{AtomicU64, Ordering},
    time::Duration,
};

use batline_core::store::outbox::OutboxRow;
use uuid::Uuid;

use crate::state::AppState;

/// How long a webhook waits for the broker before leaving the row to the
/// relay. Twilio gives us 15 s in all.
pub const PUBLISH_WAIT: Duration = Duration::from_secs(3);

/// Publishes `announcement`, the outbox row announcing `intake_id`, as it
/// was written (it is not read back).
pub async fn publish_intake(state: &AppState, intake_id: Uuid, announcement: OutboxRow) {
    if let Some(n) = state.config.fault_exit_after_store {
        crash_after_store(n, intake_id);
    }
    match tokio::time::timeout(PUBLISH_WAIT, state.outbox.publish_written(vec![announcement])).await {
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

/// Publishes `row`, an outbox row a webhook wrote (a timeline update for
/// consoles), as it was written; what fails here the relay publishes later.
pub async fn publish_written(state: &AppState, row: OutboxRow) {
    if let Err(e) = state.outbox.publish_written(vec![row]).await {
        tracing::debug!(error = %e, "left to the outbox relay");
        state.outbox.kick();
    }
}

/// The test-only fault hook `BATLINE_FAULT_EXIT_AFTER_STORE`: aborts the
/// process once `n` contacts have been committed, between the commit and
/// the publish, the moment a crash would do most harm. The count is per
/// process, not per `AppState`: it is the process that dies.
fn crash_after_store(n: u64, intake_id: Uuid) {
    static STORED: AtomicU64 = AtomicU64::new(0);
    if STORED.fetch_add(1, Ordering::SeqCst) + 1 >= n {
        tracing::error!(%intake_id, "BATLINE_FAULT_EXIT_AFTER_STORE: aborting between storing and publishing");
        std::process::abort();
    }
}
