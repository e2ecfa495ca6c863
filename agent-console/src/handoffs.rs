//! Hand-offs and reassignment. An owner offers a case to a named colleague
//! with a note; the owner stays owner until the colleague accepts (taking it
//! is the acknowledgement). A decline or a lapse leaves it with the owner,
//! who sees why on the timeline. A lead may reassign directly.

use axum::{
    Json,
    extract::{State, rejection::JsonRejection},
    http::StatusCode,
};
use batline_core::{
    bus::BusMessage,
    domain::{ActorKind, CaseStatus, DutyStatus, HandoffStatus, Role, event_kind},
    outbox::Outbox,
    ownership::{self, Actor, NewOwner},
    store::{
        self,
        cases::Case,
        handoffs::{Handoff, OfferView},
        responders::Responder,
    },
};
use serde::Deserialize;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::{
    cases::{acknowledge_in, lock_own_open, publish, text_field},
    http::error::ApiError,
    http::extract::Path,
    http::signed_in::SignedIn,
    state::AppState,
};

/// Longest note on an offer or a reassignment.
const MAX_NOTE_CHARS: usize = 1000;

/// Body of an offer or a reassignment.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ToColleague {
    /// The colleague's username.
    #[schema(pattern = "^[^\\x00]*$", example = "mikko")]
    to: String,
    /// Why, for the colleague (1 to 1,000 characters).
    #[schema(min_length = 1, max_length = 1000, pattern = "^[^\\x00]*[^\\s\\x00][^\\x00]*$")]
    note: String,
}

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

/// `POST /api/v1/cases/{id}/handoffs`: offer my case to a colleague.
#[utoipa::path(post, path = "/api/v1/cases/{id}/handoffs", tag = "hand-offs",
    params(("id" = Uuid, Path, description = "The case")), request_body = ToColleague, responses(
    (status = 201, description = "Offered; I stay the owner until the colleague accepts", body = Handoff),
    (status = 403, description = "Not my case", body = crate::http::error::ErrorBody),
    (status = 404, description = "No such case", body = crate::http::error::ErrorBody),
    (status = 409, description = "The case is resolved, already has an open offer, or the colleague is off duty",
        body = crate::http::error::ErrorBody),
    crate::http::responses::JsonBody,
    crate::http::responses::Signed,
))]
pub async fn offer(
    State(state): State<AppState>,
    SignedIn(me): SignedIn,
    Path(id): Path<Uuid>,
    body: Result<Json<ToColleague>, JsonRejection>,
) -> Result<(StatusCode, Json<Handoff>), ApiError> {
    let Json(body) = body?;
    Ok((StatusCode::CREATED, Json(offer_as(&state, &me, id, &body.to, &body.note).await?)))
}

/// Offers my case to a colleague.
pub(crate) async fn offer_as(
    state: &AppState,
    me: &Responder,
    id: Uuid,
    to: &str,
    note: &str,
) -> Result<Handoff, ApiError> {
    let note = text_field(note, "note", MAX_NOTE_CHARS)?;
    let mut tx = state.pool.begin().await?;
    let case = lock_own_open(&mut tx, me, id).await?;
    let to = colleague(&mut tx, to).await?;
    if to.id == me.id {
        return Err(ApiError::Unprocessable("you already own this case".into()));
    }
    if to.duty_status == DutyStatus::Off {
        return Err(batline_core::Error::Conflict(format!(
            "{} is off duty; offer the case to someone on duty",
            to.display_name
        ))
        .into());
    }
    // Offering a case is handling it: the acknowledgement deadline stops.
    acknowledge_in(&mut tx, me, &case).await?;
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
    let ids = vec![Outbox::enqueue(&mut tx, &updated(case.id, case.owner_id, event_kind::HANDOFF_OFFERED)).await?];
    tx.commit().await?;
    publish(state, &ids).await;
    Ok(handoff)
}

/// `GET /api/v1/handoffs`: offers waiting for me.
#[utoipa::path(get, operation_id = "my_handoffs", path = "/api/v1/handoffs", tag = "hand-offs", responses(
    (status = 200, description = "Offers waiting for my answer", body = [OfferView]),
    crate::http::responses::Signed,
))]
pub async fn mine(State(state): State<AppState>, SignedIn(me): SignedIn) -> Result<Json<Vec<OfferView>>, ApiError> {
    Ok(Json(store::handoffs::open_for(&state.pool, me.id).await?))
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

/// `POST /api/v1/handoffs/{id}/accept`: take the case; I am its owner now.
#[utoipa::path(post, path = "/api/v1/handoffs/{id}/accept", tag = "hand-offs",
    params(("id" = Uuid, Path, description = "The offer")), responses(
    (status = 200, description = "I own the case now", body = Case),
    (status = 403, description = "The offer is for someone else", body = crate::http::error::ErrorBody),
    (status = 404, description = "No such offer", body = crate::http::error::ErrorBody),
    (status = 409, description = "The offer was already answered, or the case moved on or was resolved (the offer \
        is withdrawn)", body = crate::http::error::ErrorBody),
    crate::http::responses::BadId,
    crate::http::responses::Signed,
))]
pub async fn accept(
    State(state): State<AppState>,
    SignedIn(me): SignedIn,
    Path(id): Path<Uuid>,
) -> Result<Json<Case>, ApiError> {
    Ok(Json(accept_as(&state, &me, id).await?))
}

/// Accepts an offer made to me: I own the case now.
pub(crate) async fn accept_as(state: &AppState, me: &Responder, id: Uuid) -> Result<Case, ApiError> {
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

/// Body of a decline.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct Decline {
    /// Why not, for the owner (at most 1,000 characters).
    #[serde(default)]
    #[schema(max_length = 1000, pattern = "^[^\\x00]*$")]
    note: Option<String>,
}

/// `POST /api/v1/handoffs/{id}/decline`: say no; the owner keeps the case.
#[utoipa::path(post, path = "/api/v1/handoffs/{id}/decline", tag = "hand-offs",
    params(("id" = Uuid, Path, description = "The offer")), request_body = Decline, responses(
    (status = 200, description = "Declined; the owner keeps the case", body = Handoff),
    (status = 403, description = "The offer is for someone else", body = crate::http::error::ErrorBody),
    (status = 404, description = "No such offer", body = crate::http::error::ErrorBody),
    (status = 409, description = "The offer was already answered", body = crate::http::error::ErrorBody),
    crate::http::responses::JsonBody,
    crate::http::responses::Signed,
))]
pub async fn decline(
    State(state): State<AppState>,
    SignedIn(me): SignedIn,
    Path(id): Path<Uuid>,
    body: Result<Json<Decline>, JsonRejection>,
) -> Result<Json<Handoff>, ApiError> {
    let Json(body) = body?;
    Ok(Json(decline_as(&state, &me, id, body.note.as_deref()).await?))
}

/// Declines an offer made to me.
pub(crate) async fn decline_as(
    state: &AppState,
    me: &Responder,
    id: Uuid,
    note: Option<&str>,
) -> Result<Handoff, ApiError> {
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

/// `POST /api/v1/cases/{id}/reassign`: a lead gives a case to a named
/// responder directly, who then has the channel's window to acknowledge it.
#[utoipa::path(post, path = "/api/v1/cases/{id}/reassign", tag = "hand-offs",
    params(("id" = Uuid, Path, description = "The case")), request_body = ToColleague, responses(
    (status = 200, description = "The case has its new owner", body = Case),
    (status = 403, description = "Not a lead, the mayor or an admin", body = crate::http::error::ErrorBody),
    (status = 404, description = "No such case", body = crate::http::error::ErrorBody),
    (status = 409, description = "The case is resolved, or already theirs", body = crate::http::error::ErrorBody),
    crate::http::responses::JsonBody,
    crate::http::responses::Signed,
))]
pub async fn reassign(
    State(state): State<AppState>,
    SignedIn(me): SignedIn,
    Path(id): Path<Uuid>,
    body: Result<Json<ToColleague>, JsonRejection>,
) -> Result<Json<Case>, ApiError> {
    ensure_may_reassign(&me)?;
    let Json(body) = body?;
    Ok(Json(reassign_as(&state, &me, id, &body.to, &body.note).await?))
}

/// A lead gives a case to a named responder directly.
pub(crate) async fn reassign_as(
    state: &AppState,
    me: &Responder,
    id: Uuid,
    to: &str,
    note: &str,
) -> Result<Case, ApiError> {
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
    let window = chrono::Duration::from_std(state.config.ack_windows.for_channel(case.channel))
        .map_err(|e| batline_core::Error::Config(format!("acknowledgement window: {e}")))?;
    let reason = serde_json::json!({ "rule": "lead_reassigned", "lead_id": me.id, "note": note });
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
fn ensure_may_reassign(me: &Responder) -> Result<(), ApiError> {
    if me.role.may_reassign() {
        Ok(())
    } else {
        Err(ApiError::Forbidden("only a lead can reassign a case directly; offer a hand-off instead".into()))
    }
}
