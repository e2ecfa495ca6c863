//! Publishing what an operation wrote to the outbox, right after its commit.

use crate::state::AppState;

/// Publishes right away; what fails here the relay publishes later.
pub async fn publish(state: &AppState, ids: &[i64]) {
    if let Err(e) = state.outbox.publish_now(ids).await {
        tracing::warn!(error = %e, "left to the outbox relay");
        state.outbox.kick();
    }
}
