//! Owing a resident a call, and settling it. A caller who reached nobody
//! (the owner's phone rang out, was busy, or the caller hung up first) is
//! owed a call back by the case's owner before a deadline; a call in which
//! the owner and the resident actually talked counts as the owner's first
//! response and acknowledgement. The gateway (Twilio's callbacks), the
//! router (a call filed after it ended) and the console share these
//! functions, so the timeline reads the same whichever noticed first.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::{
    Result,
    bus::BusMessage,
    domain::{ActorKind, CallBackReason, CallBackStatus, event_kind},
    outbox::Outbox,
    store::{self, call_backs::CallBack, cases::Case},
};

/// Opens a call-back task on `case` due `window` after `now`, with its
/// timeline event and a `case_updated` for the owner's console. When one is
/// open already the resident is owed one call, not two: the open task is
/// returned unchanged and no outbox row is written.
pub async fn request(
    conn: &mut PgConnection,
    case: &Case,
    call_sid: Option<&str>,
    reason: CallBackReason,
    now: DateTime<Utc>,
    window: std::time::Duration,
) -> Result<(CallBack, Vec<i64>)> {
    let window = chrono::Duration::from_std(window).unwrap_or(chrono::Duration::MAX);
    let due_at = now.checked_add_signed(window).unwrap_or(DateTime::<Utc>::MAX_UTC);
    // Two tries: the open task we collided with may be closed by another
    // transaction before we read it, and then ours can be inserted.
    for _ in 0..2 {
        if let Some(task) = store::call_backs::open(conn, case.id, call_sid, reason, now, due_at).await? {
            store::events::append(
                conn,
                case.id,
                event_kind::CALL_BACK_REQUESTED,
                ActorKind::System,
                None,
                serde_json::json!({
                    "call_sid": call_sid, "reason": reason, "due_at": due_at, "owner_id": case.owner_id,
                }),
            )
            .await?;
            let update = updated(case, event_kind::CALL_BACK_REQUESTED);
            return Ok((task, vec![Outbox::enqueue(conn, &update).await?]));
        }
        if let Some(task) = store::call_backs::open_for_case(&mut *conn, case.id).await? {
            return Ok((task, Vec::new()));
        }
    }
    Err(crate::Error::Conflict(format!("the call-back task of case {} keeps changing", case.tracking_code)))
}

/// Records that `responder` and the resident talked on `call_sid`: the
/// owner's first response and, if they own the case, their acknowledgement.
/// Returns the outbox rows to publish.
pub async fn talked(
    conn: &mut PgConnection,
    case: &Case,
    responder_id: Option<Uuid>,
    kind: &str,
    data: serde_json::Value,
) -> Result<Vec<i64>> {
    store::events::append(conn, case.id, kind, ActorKind::Responder, responder_id, data).await?;
    crate::sla::first_response(conn, case.id).await?;
    let mut ids = Vec::new();
    if responder_id == Some(case.owner_id) {
        if store::cases::acknowledge(conn, case.id).await? {
            store::events::append(
                conn,
                case.id,
                event_kind::ACKNOWLEDGED,
                ActorKind::Responder,
                responder_id,
                serde_json::json!({ "by": "phone" }),
            )
            .await?;
        }
        // Talking with the resident is taking the case up.
        if let Some(owner) = store::responders::get(&mut *conn, case.owner_id).await? {
            ids.extend(crate::ownership::taken_up(conn, case, &owner.display_name).await?);
        }
    }
    ids.push(Outbox::enqueue(conn, &updated(case, kind)).await?);
    Ok(ids)
}

/// Closes the case's open call-back as done by `call_sid`. `false` when none was open.
pub async fn settle(conn: &mut PgConnection, case_id: Uuid, call_sid: &str) -> Result<bool> {
    Ok(store::call_backs::close(conn, case_id, CallBackStatus::Done, Some(call_sid)).await?.is_some())
}

fn updated(case: &Case, kind: &str) -> BusMessage {
    BusMessage::CaseUpdated { case_id: case.id, owner_id: case.owner_id, kind: kind.to_owned() }
}
