//! Duty changes. When a responder goes off duty, a router hands every open
//! case of theirs on by the assignment rules, so nothing is left behind. Until
//! then the cases stay theirs: never unowned, not even for a moment.
//! Idempotent: a redelivery finds no open cases left (or the responder back
//! on duty) and does nothing.

use batline_core::{
    Error, Result,
    assign::move_on::{self, Moved},
    bus::BusMessage,
    domain::{DutyStatus, event_kind},
    store,
};

use crate::state::Router;

/// Handles one message from the routing queue.
pub async fn handle(router: &Router, payload: &[u8]) -> Result<()> {
    match serde_json::from_slice::<BusMessage>(payload)? {
        BusMessage::ResponderWentOff { responder_id } => hand_on(router, responder_id).await.map(|_| ()),
        other => Err(Error::Invalid(format!("the routing queue does not take {other:?}"))),
    }
}

/// Hands on the open cases of `responder_id` if they are still off duty;
/// returns how many moved.
#[tracing::instrument(skip(router))]
pub async fn hand_on(router: &Router, responder_id: uuid::Uuid) -> Result<usize> {
    let mut tx = router.pool.begin().await?;
    let Some(responder) = store::responders::get(&mut *tx, responder_id).await? else {
        return Err(Error::NotFound("responder"));
    };
    if responder.duty_status != DutyStatus::Off {
        tx.commit().await?;
        return Ok(0);
    }
    let cases = store::cases::lock_open_for_owner(&mut tx, responder_id).await?;
    let mut outbox_ids = Vec::new();
    let mut moves = Vec::new();
    for case in &cases {
        let now = router.clock.now();
        let due = now + router.config.ack_windows.for_channel(case.channel);
        let moved =
            move_on::move_by_rules(&mut tx, case, now, due, event_kind::DUTY_CHANGED, router.config.presence_window)
                .await?;
        outbox_ids.extend(moved.outbox_ids.iter().copied());
        moves.push(moved);
    }
    tx.commit().await?;
    moves.iter().for_each(Moved::count);
    if !outbox_ids.is_empty()
        && let Err(e) = router.outbox.publish_now(&outbox_ids).await
    {
        tracing::debug!(error = %e, "left to the outbox relay");
        router.outbox.kick();
    }
    Ok(cases.len())
}
