//! Duty changes. When a responder goes off duty, a router hands every open
//! case of theirs on by the assignment rules, so nothing is left behind. Until
//! then the cases stay theirs: never unowned, not even for a moment. Open
//! hand-off offers to or by them are withdrawn first: nobody off duty
//! answers one, and a case they offered is moving on anyway.
//! Idempotent: a redelivery finds no open cases left (or the responder back
//! on duty) and does nothing.

use batline_core::{
    Error, Result,
    assign::move_on::{self, Moved},
    bus::BusMessage,
    domain::{ActorKind, DutyStatus, event_kind},
    outbox::Outbox,
    store,
};
use sqlx::PgConnection;

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
    // Offers first: an accept locks its offer before the case, so taking
    // them in that order too never waits in a circle.
    let mut outbox_ids = withdraw_offers(&mut tx, responder_id).await?;
    let cases = store::cases::lock_open_for_owner(&mut tx, responder_id).await?;
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

/// Withdraws the open offers made to or by a responder who went off duty,
/// each on its case's timeline; returns the outbox rows telling the consoles.
async fn withdraw_offers(conn: &mut PgConnection, responder_id: uuid::Uuid) -> Result<Vec<i64>> {
    let mut updates = Vec::new();
    for withdrawn in store::handoffs::withdraw_involving(conn, responder_id).await? {
        let offer = withdrawn.handoff;
        store::events::append(
            conn,
            offer.case_id,
            event_kind::HANDOFF_WITHDRAWN,
            ActorKind::System,
            None,
            serde_json::json!({
                "handoff_id": offer.id, "from_id": offer.from_id, "to_id": offer.to_id,
                "to_name": withdrawn.to_name, "because": event_kind::DUTY_CHANGED,
            }),
        )
        .await?;
        updates.push(BusMessage::CaseUpdated {
            case_id: offer.case_id,
            owner_id: offer.from_id,
            kind: event_kind::HANDOFF_WITHDRAWN.to_owned(),
        });
    }
    Outbox::enqueue_all(conn, &updates).await
}
