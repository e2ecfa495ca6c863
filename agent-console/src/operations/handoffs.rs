//! Hand-offs and reassignment. An owner offers a case to a named colleague
//! with a note; the owner stays owner until the colleague accepts (taking it
//! is the acknowledgement). A decline or a lapse leaves it with the owner,
//! who sees why on the timeline. A lead may reassign directly.

use batline_core::{
    bus::BusMessage,
    domain::{ActorKind, CaseStatus, DutyStatus, HandoffStatus, Role, event_kind},
    outbox::Outbox,
    ownership::{self, Actor, NewOwner},
    store::{self, cases::Case, handoffs::Handoff, responders::Responder},
};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::{
    http::error::ApiError,
    operations::{
        cases::{acknowledge_in, lock_own_open},
        fields::text_field,
        outbox::publish,
    },
    state::AppState,
};

/// Longest note on an offer or a reassignment.
const MAX_NOTE_CHARS: usize = 1000;

/// The colleague a case may go to. Desk staff never own cases (they could
/// not read them), so they are refused here as the router never picks them.
async fn colleague(conn: &mut PgConnection, username: &str) -> Result<Responder, ApiError> {
    let to = store::responders::by_username(&mut *conn, username.trim()).await?.ok_or_else(|| {
        ApiError::Unprocessable(format!("there is no responder with the username {:?}", username.trim()))
    })?;
    if to.role == Role::Desk {
        return Err(ApiError::Unprocessable(format!(
            "{} works at a walk-in desk; desk staff do not own cases",
            to.display_name
        )));
    }
    Ok(to)
}

fn updated(case_id: Uuid, owner_id: Uuid, kind: &str) -> BusMessage {
    BusMessage::CaseUpdated { case_id, owner_id, kind: kind.to_owned() }
}

/// Offers my case to a colleague.
pub async fn offer_as(state: &AppState, me: &Responder, id: Uuid, to: &str, note: &str) -> Result<Handoff, ApiError> {
    let note = text_field(note, "note", MAX_NOTE_CHARS)?;
    let mut tx = state.pool.begin().await?;
    let case = lock_own_open(&mut tx, me, id).await?;
    let to = colleague(&mut tx, to).await?;
    if to.id == me.id {
        return Err(ApiError::Unprocessable("you already own this case".into()));
    }
    if store::responders::lock_duty(&mut tx, to.id).await? == Some(DutyStatus::Off) {
        return Err(batline_core::Error::Conflict(format!(
            "{} is off duty; offer the case to someone on duty",
            to.display_name
        ))
        .into());
    }
    // Offering a case is handling it: the acknowledgement deadline stops.
    let mut ids = acknowledge_in(&mut tx, me, &case).await?.outbox_ids;
    let expires_at = chrono::Utc::now()
        + chrono::Duration::from_std(state.config.handoff_window)
            .map_err(|e| batline_core::Error::Config(format!("hand-off window: {e}")))?;
    let handoff =
        store::handoffs::insert(&mut tx, case.id, me.id, to.id, &note, expires_at).await?.ok_or_else(|| {
            batline_core::Error::Conflict(format!("case {} already has an open hand-off offer", case.tracking_code))
        })?;
    store::events::append(
        &mut tx,
        case.id,
        event_kind::HANDOFF_OFFERED,
        ActorKind::Responder,
        Some(me.id),
        serde_json::json!({ "handoff_id": handoff.id, "to_id": to.id, "to_name": to.display_name, "note": note }),
    )
    .await?;
    ids.push(Outbox::enqueue(&mut tx, &updated(case.id, case.owner_id, event_kind::HANDOFF_OFFERED)).await?);
    tx.commit().await?;
    publish(state, &ids).await;
    Ok(handoff)
}

/// Locks an open offer made to me.
async fn lock_my_offer(conn: &mut PgConnection, me: &Responder, id: Uuid) -> Result<Handoff, ApiError> {
    let offer = store::handoffs::lock(conn, id).await?.ok_or(batline_core::Error::NotFound("hand-off offer"))?;
    if offer.to_id != me.id {
        return Err(ApiError::Forbidden("this hand-off offer is for someone else".into()));
    }
    if offer.status != HandoffStatus::Offered {
        return Err(batline_core::Error::Conflict(format!("this offer is already {}", offer.status)).into());
    }
    Ok(offer)
}

/// Accepts an offer made to me: I own the case now.
pub async fn accept_as(state: &AppState, me: &Responder, id: Uuid) -> Result<Case, ApiError> {
    let mut tx = state.pool.begin().await?;
    let offer = lock_my_offer(&mut tx, me, id).await?;
    let case = store::cases::lock(&mut tx, offer.case_id).await?.ok_or(batline_core::Error::NotFound("case"))?;
    if case.status != CaseStatus::Open || case.owner_id != offer.from_id {
        // The case was resolved or moved on since the offer: the offer is void.
        store::handoffs::close(&mut tx, offer.id, HandoffStatus::Withdrawn, None).await?;
        tx.commit().await?;
        return Err(batline_core::Error::Conflict(format!(
            "case {} was resolved or moved to someone else; the offer is withdrawn",
            case.tracking_code
        ))
        .into());
    }
    // Someone off duty is not there to own a case: going off duty withdraws
    // the offers made to them, and until it has, taking one is refused.
    if store::responders::lock_duty(&mut tx, me.id).await? == Some(DutyStatus::Off) {
        return Err(
            batline_core::Error::Conflict("you are off duty; go on duty to take a case offered to you".into()).into()
        );
    }
    store::handoffs::close(&mut tx, offer.id, HandoffStatus::Accepted, None).await?;
    store::events::append(
        &mut tx,
        case.id,
        event_kind::HANDOFF_ACCEPTED,
        ActorKind::Responder,
        Some(me.id),
        serde_json::json!({ "handoff_id": offer.id, "from_id": offer.from_id }),
    )
    .await?;
    let reason = serde_json::json!({ "rule": "handoff", "handoff_id": offer.id, "note": offer.note });
    let owner = NewOwner { id: me.id, name: &me.display_name };
    let ids = ownership::transfer(&mut tx, &case, owner, Actor::Responder(me.id), None, reason).await?;
    let case = store::cases::get(&mut *tx, case.id).await?.ok_or(batline_core::Error::NotFound("case"))?;
    tx.commit().await?;
    publish(state, &ids).await;
    Ok(case)
}

/// Declines an offer made to me.
pub async fn decline_as(state: &AppState, me: &Responder, id: Uuid, note: Option<&str>) -> Result<Handoff, ApiError> {
    let note = match note.map(str::trim).filter(|n| !n.is_empty()) {
        Some(n) => Some(text_field(n, "note", MAX_NOTE_CHARS)?),
        None => None,
    };
    let mut tx = state.pool.begin().await?;
    let offer = lock_my_offer(&mut tx, me, id).await?;
    store::handoffs::close(&mut tx, offer.id, HandoffStatus::Declined, note.as_deref()).await?;
    store::events::append(
        &mut tx,
        offer.case_id,
        event_kind::HANDOFF_DECLINED,
        ActorKind::Responder,
        Some(me.id),
        serde_json::json!({ "handoff_id": offer.id, "note": note }),
    )
    .await?;
    let ids =
        vec![Outbox::enqueue(&mut tx, &updated(offer.case_id, offer.from_id, event_kind::HANDOFF_DECLINED)).await?];
    let offer =
        store::handoffs::lock(&mut tx, offer.id).await?.ok_or(batline_core::Error::NotFound("hand-off offer"))?;
    tx.commit().await?;
    publish(state, &ids).await;
    Ok(offer)
}

/// A lead gives a case to a named responder directly.
pub async fn reassign_as(state: &AppState, me: &Responder, id: Uuid, to: &str, note: &str) -> Result<Case, ApiError> {
    ensure_may_reassign(me)?;
    let note = text_field(note, "note", MAX_NOTE_CHARS)?;
    let mut tx = state.pool.begin().await?;
    let case = store::cases::lock(&mut tx, id).await?.ok_or(batline_core::Error::NotFound("case"))?;
    if case.status != CaseStatus::Open {
        return Err(batline_core::Error::Conflict(format!("case {} is already resolved", case.tracking_code)).into());
    }
    let to = colleague(&mut tx, to).await?;
    if to.id == case.owner_id {
        return Err(batline_core::Error::Conflict(format!("{} already owns this case", to.display_name)).into());
    }
    if store::responders::lock_duty(&mut tx, to.id).await? == Some(DutyStatus::Off) {
        return Err(batline_core::Error::Conflict(format!(
            "{} is off duty; give the case to someone on duty",
            to.display_name
        ))
        .into());
    }
    let window = chrono::Duration::from_std(state.config.ack_windows.for_channel(case.channel))
        .map_err(|e| batline_core::Error::Config(format!("acknowledgement window: {e}")))?;
    // The resident hears of the new owner once they take the case up.
    let reason = serde_json::json!({
        "rule": "lead_reassigned", "lead_id": me.id, "note": note, "ack_within_seconds": window.num_seconds(),
    });
    let owner = NewOwner { id: to.id, name: &to.display_name };
    let ids =
        ownership::transfer(&mut tx, &case, owner, Actor::Responder(me.id), Some(chrono::Utc::now() + window), reason)
            .await?;
    let case = store::cases::get(&mut *tx, case.id).await?.ok_or(batline_core::Error::NotFound("case"))?;
    tx.commit().await?;
    publish(state, &ids).await;
    Ok(case)
}

/// Refuses responders and desk staff: only leads, the mayor and admins reassign directly.
pub fn ensure_may_reassign(me: &Responder) -> Result<(), ApiError> {
    if me.role.may_reassign() {
        Ok(())
    } else {
        Err(ApiError::Forbidden("only a lead can reassign a case directly; offer a hand-off instead".into()))
    }
}
