//! Changing a case's owner. Whoever decides (the router's rules, a
//! colleague accepting a hand-off, a lead), the change is the same: the new
//! owner and deadline on the case, an `assigned` event with the reason, and
//! a `case_assigned` bus message. One function, so no path forgets a step.
//!
//! The resident hears of an owner change only when a person has taken the
//! case over: at once when a colleague accepts a hand-off (taking it is the
//! acknowledgement), otherwise when the new owner first takes it up
//! (acknowledges, replies, offers it on or talks on the phone,
//! [`taken_up`]). A case moved by the rules while nobody acknowledged it
//! does not send the resident a name that may never answer.

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
    let mut ids = Vec::new();
    if ack_due_at.is_none() {
        ids.extend(announce(conn, case, owner.name).await?);
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

/// The case's owner took it up (acknowledged it, replied, offered it on,
/// talked with the resident): if the resident has not heard of this owner
/// yet, they are told now, once. Returns the outbox rows to publish.
/// Idempotent: the flag is cleared in the caller's transaction.
pub async fn taken_up(conn: &mut PgConnection, case: &Case, owner_name: &str) -> Result<Vec<i64>> {
    if !store::cases::take_unannounced(&mut *conn, case.id).await? {
        return Ok(Vec::new());
    }
    announce(conn, case, owner_name).await
}

/// Tells the resident who handles their case now, in its channel.
async fn announce(conn: &mut PgConnection, case: &Case, owner_name: &str) -> Result<Vec<i64>> {
    let body = texts::reassigned(case.language, owner_name, &case.tracking_code);
    let notice = NewOutbound {
        case_id: case.id,
        channel: outbound::resident_channel(case.channel),
        kind: MessageKind::Notice,
        body: &body,
        author_id: None,
        to_address: None,
    };
    Ok(outbound::queue_if_reachable(conn, &notice).await?.and_then(|(_, send)| send).into_iter().collect())
}
