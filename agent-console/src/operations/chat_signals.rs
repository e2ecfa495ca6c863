//! What a web-chat resident sees of their responder besides replies: that
//! the owner is typing, and when the owner has read their messages (marked
//! when the owner opens the case). Both reach the resident's socket through
//! the bus, whichever gateway process holds it.

use batline_core::{
    bus::BusMessage,
    domain::{CaseStatus, Channel},
    outbox::Outbox,
    store::{self, cases::Case, responders::Responder},
};
use uuid::Uuid;

use crate::{http::error::ApiError, operations::outbox::publish, state::AppState};

/// The owner is typing a reply on open chat case `id`: the resident's chat
/// shows it for a while.
pub async fn typing_as(state: &AppState, me: &Responder, id: Uuid) -> Result<(), ApiError> {
    let case = store::cases::get(&state.pool, id).await?.ok_or(batline_core::Error::NotFound("case"))?;
    if case.owner_id != me.id {
        return Err(ApiError::Forbidden(format!("case {} belongs to another responder", case.tracking_code)));
    }
    if case.channel != Channel::Chat || case.status != CaseStatus::Open {
        return Err(batline_core::Error::Conflict(format!(
            "case {} is not an open chat; only chat residents see typing",
            case.tracking_code
        ))
        .into());
    }
    let session_id =
        store::chat::session_for_case(&state.pool, id).await?.ok_or(batline_core::Error::NotFound("chat session"))?;
    // Ephemeral, so not through the outbox: a typing signal published late
    // would be wrong. The confirm is still awaited.
    state.bus.publish(&BusMessage::ChatTyping { session_id, responder_id: me.id }).await?;
    Ok(())
}

/// The owner opened `case`: the resident's chat messages on it are read.
/// Called by `GET /api/v1/cases/{id}`; a failure here is logged and does
/// not keep the owner from their case.
pub async fn mark_read(state: &AppState, me: &Responder, case: &Case) {
    if case.owner_id != me.id || case.channel != Channel::Chat {
        return;
    }
    if let Err(e) = try_mark_read(state, case.id).await {
        tracing::warn!(error = %e, case_id = %case.id, "could not mark chat messages read");
    }
}

async fn try_mark_read(state: &AppState, case_id: Uuid) -> batline_core::Result<()> {
    let mut tx = state.pool.begin().await?;
    if store::chat::mark_read(&mut *tx, case_id).await? == 0 {
        return Ok(());
    }
    let Some(session_id) = store::chat::session_for_case(&mut *tx, case_id).await? else {
        return Ok(());
    };
    let id = Outbox::enqueue(&mut tx, &BusMessage::ChatUpdated { session_id }).await?;
    tx.commit().await?;
    publish(state, &[id]).await;
    Ok(())
}
