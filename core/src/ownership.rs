//! Changing a case's owner. Whoever decides (the router's rules, a
//! colleague accepting a hand-off, a lead), the change is the same: the new
//! owner and deadline on the case, an `assigned` event with the reason, the
//! resident told the new owner's name, and a `case_assigned` bus message.
//! One function, so no path forgets a step.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::{
    Result,
    bus::BusMessage,
    domain::{ActorKind, MessageKind, event_kind},
    outbound,
    outbox::Outbox,
    store::{self, cases::Case, messages::NewOutbound},
    texts,
};

/// The new owner.
#[derive(Debug, Clone, Copy)]
pub struct NewOwner<'a> {
    /// Their id.
    pub id: Uuid,
    /// Their display name, for the resident.
    pub name: &'a str,
}

/// Who made the change.
#[derive(Debug, Clone, Copy)]
pub enum Actor {
    /// The router's rules.
    System,
    /// A responder (accepting a hand-off, a lead reassigning).
    Responder(Uuid),
}

/// Gives `case` to `owner`. `ack_due_at` is the new owner's deadline, or
/// `None` when taking it is itself the acknowledgement (accepting a
/// hand-off). Returns the outbox rows to publish after commit.
pub async fn transfer(
    conn: &mut PgConnection,
    case: &Case,
    owner: NewOwner<'_>,
    actor: Actor,
    ack_due_at: Option<DateTime<Utc>>,
    reason: serde_json::Value,
) -> Result<Vec<i64>> {
    store::cases::reassign(conn, case.id, owner.id, ack_due_at).await?;
    let mut reason = reason;
    if let Some(map) = reason.as_object_mut() {
        map.insert("owner_id".into(), serde_json::json!(owner.id));
        map.insert("owner_name".into(), serde_json::json!(owner.name));
        map.insert("previous_owner_id".into(), serde_json::json!(case.owner_id));
    }
    let (actor_kind, actor_id) = match actor {
        Actor::System => (ActorKind::System, None),
        Actor::Responder(id) => (ActorKind::Responder, Some(id)),
    };
    store::events::append(conn, case.id, event_kind::ASSIGNED, actor_kind, actor_id, reason).await?;
    let body = texts::reassigned(case.language, owner.name, &case.tracking_code);
    let notice = NewOutbound {
        case_id: case.id,
        channel: outbound::resident_channel(case.channel),
        kind: MessageKind::Notice,
        body: &body,
        author_id: None,
    };
    let mut ids = Vec::new();
    if let Some((_, send)) = outbound::queue_if_reachable(conn, &notice).await? {
        ids.push(send);
    }
    ids.push(
        Outbox::enqueue(
            conn,
            &BusMessage::CaseAssigned { case_id: case.id, owner_id: owner.id, previous_owner_id: Some(case.owner_id) },
        )
        .await?,
    );
    Ok(ids)
}
