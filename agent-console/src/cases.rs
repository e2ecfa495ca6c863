//! The responder's case API: my open cases, one case with its conversation
//! and timeline, reply, resolve. Every change is one transaction that also
//! writes its bus messages to the outbox.

use axum::{
    Json,
    extract::{State, rejection::JsonRejection},
    http::StatusCode,
};
use batline_core::{
    bus::BusMessage,
    domain::{ActorKind, CallBackStatus, CaseStatus, MessageKind, Role, event_kind},
    outbound,
    outbox::Outbox,
    store::{
        self,
        call_backs::CallBack,
        calls::Call,
        cases::{Case, CaseListItem},
        events::CaseEvent,
        messages::{Message, NewOutbound},
        responders::Responder,
    },
    texts,
};
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::{http::error::ApiError, http::extract::Path, http::signed_in::SignedIn, state::AppState};

/// Longest reply: Twilio's SMS body limit.
const MAX_REPLY_CHARS: usize = texts::SMS_MAX_CHARS;
/// Longest resolution summary; it goes to the resident with a greeting around it.
const MAX_SUMMARY_CHARS: usize = 1000;

/// `GET /api/v1/cases`: the signed-in responder's open cases. Desk staff
/// own none and read no conversations, so they are refused outright.
#[utoipa::path(get, operation_id = "my_cases", path = "/api/v1/cases", tag = "cases", responses(
    (status = 200, description = "My open cases", body = [CaseListItem]),
    (status = 403, description = "Desk staff own no cases", body = crate::http::error::ErrorBody),
    crate::http::responses::Signed,
))]
pub async fn mine(State(state): State<AppState>, SignedIn(me): SignedIn) -> Result<Json<Vec<CaseListItem>>, ApiError> {
    refuse_desk(&me)?;
    Ok(Json(store::cases::open_for_owner(&state.pool, me.id).await?))
}

fn refuse_desk(me: &Responder) -> Result<(), ApiError> {
    if me.role == Role::Desk {
        return Err(ApiError::Forbidden(
            "desk staff do not read case conversations; look a case up by its code at /api/v1/walk-in/cases/{code}"
                .into(),
        ));
    }
    Ok(())
}

/// One case with everything its owner needs.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CaseDetail {
    /// The case.
    #[serde(flatten)]
    case: CaseListItem,
    /// Its messages, oldest first.
    messages: Vec<Message>,
    /// Its timeline, oldest first.
    timeline: Vec<CaseEvent>,
    /// Phone calls on the case, in and out.
    calls: Vec<Call>,
    /// The call-back the owner still owes, if any.
    call_back: Option<CallBack>,
    /// The SLA clocks: first response and resolution.
    sla: Vec<batline_core::store::sla::SlaClock>,
}

/// `GET /api/v1/cases/{id}`. Desk staff never read a conversation, not
/// even one they somehow came to own: they see a case's public tracking
/// information through the walk-in API instead. They are refused before the
/// case is looked up, so the answer does not even say whether it exists.
#[utoipa::path(get, path = "/api/v1/cases/{id}", tag = "cases", params(("id" = Uuid, Path, description = "The case")), responses(
    (status = 200, description = "The case with its messages, timeline, calls, open call-back and SLA clocks", body = CaseDetail),
    (status = 403, description = "Desk staff, or another responder's case (leads, the mayor and admins see any)", body = crate::http::error::ErrorBody),
    (status = 404, description = "No such case", body = crate::http::error::ErrorBody),
    crate::http::responses::BadId,
    crate::http::responses::Signed,
))]
pub async fn detail(
    State(state): State<AppState>,
    SignedIn(me): SignedIn,
    Path(id): Path<Uuid>,
) -> Result<Json<CaseDetail>, ApiError> {
    refuse_desk(&me)?;
    let case = store::cases::list_item(&state.pool, id).await?.ok_or(batline_core::Error::NotFound("case"))?;
    if !me.role.may_reassign() {
        ensure_owner(&me, &case.case)?;
    }
    crate::chat_signals::mark_read(&state, &me, &case.case).await;
    let messages = store::messages::for_case(&state.pool, id).await?;
    let timeline = store::events::for_case(&state.pool, id).await?;
    let calls = store::calls::for_case(&state.pool, id).await?;
    let call_back = store::call_backs::open_for_case(&state.pool, id).await?;
    let sla = store::sla::clocks_for(&state.pool, id).await?;
    Ok(Json(CaseDetail { case, messages, timeline, calls, call_back, sla }))
}

fn ensure_owner(me: &Responder, case: &Case) -> Result<(), ApiError> {
    if case.owner_id == me.id {
        Ok(())
    } else {
        Err(ApiError::Forbidden(format!(
            "case {} belongs to another responder; only its owner can open or change it",
            case.tracking_code
        )))
    }
}

/// Locks a case the signed-in responder owns and that is still open.
pub(crate) async fn lock_own_open(conn: &mut PgConnection, me: &Responder, id: Uuid) -> Result<Case, ApiError> {
    let case = store::cases::lock(conn, id).await?.ok_or(batline_core::Error::NotFound("case"))?;
    ensure_owner(me, &case)?;
    if case.status != CaseStatus::Open {
        return Err(batline_core::Error::Conflict(format!("case {} is already resolved", case.tracking_code)).into());
    }
    Ok(case)
}

pub(crate) fn text_field(value: &str, field: &str, max: usize) -> Result<String, ApiError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(ApiError::Unprocessable(format!("{field} is empty")));
    }
    let count = value.chars().count();
    if count > max {
        return Err(ApiError::Unprocessable(format!("{field} has {count} characters; the most is {max}")));
    }
    Ok(value.to_owned())
}

/// Records the owner's acknowledgement once; true if this was the first.
pub(crate) async fn acknowledge_in(conn: &mut PgConnection, me: &Responder, case: &Case) -> Result<bool, ApiError> {
    let first = store::cases::acknowledge(conn, case.id).await?;
    if first {
        store::events::append(
            conn,
            case.id,
            event_kind::ACKNOWLEDGED,
            ActorKind::Responder,
            Some(me.id),
            serde_json::json!({}),
        )
        .await?;
    }
    Ok(first)
}

/// `POST /api/v1/cases/{id}/acknowledge`: the owner has the case in hand,
/// which stops its acknowledgement deadline. Acknowledging twice is harmless.
#[utoipa::path(post, path = "/api/v1/cases/{id}/acknowledge", tag = "cases", params(("id" = Uuid, Path, description = "The case")), responses(
    (status = 200, description = "Acknowledged (again is harmless)", body = Case),
    (status = 403, description = "Not my case", body = crate::http::error::ErrorBody),
    (status = 404, description = "No such case", body = crate::http::error::ErrorBody),
    (status = 409, description = "The case is resolved", body = crate::http::error::ErrorBody),
    crate::http::responses::BadId,
    crate::http::responses::Signed,
))]
pub async fn acknowledge(
    State(state): State<AppState>,
    SignedIn(me): SignedIn,
    Path(id): Path<Uuid>,
) -> Result<Json<Case>, ApiError> {
    Ok(Json(acknowledge_as(&state, &me, id).await?))
}

/// Acknowledges a case its owner has in hand.
pub(crate) async fn acknowledge_as(state: &AppState, me: &Responder, id: Uuid) -> Result<Case, ApiError> {
    let mut tx = state.pool.begin().await?;
    let case = lock_own_open(&mut tx, me, id).await?;
    let mut ids = Vec::new();
    if acknowledge_in(&mut tx, me, &case).await? {
        ids.push(Outbox::enqueue(&mut tx, &updated(&case, event_kind::ACKNOWLEDGED)).await?);
    }
    let case = store::cases::get(&mut *tx, id).await?.ok_or(batline_core::Error::NotFound("case"))?;
    tx.commit().await?;
    publish(state, &ids).await;
    Ok(case)
}

/// `POST /api/v1/cases/{id}/replies` body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct NewReply {
    /// The text (1 to 1,600 characters).
    #[schema(min_length = 1, max_length = 1600, pattern = "^[^\\x00]*[^\\s\\x00][^\\x00]*$")]
    body: String,
}

/// `POST /api/v1/cases/{id}/replies`: reply to the resident in the case's channel.
#[utoipa::path(post, path = "/api/v1/cases/{id}/replies", tag = "cases", params(("id" = Uuid, Path, description = "The case")), request_body = NewReply, responses(
    (status = 201, description = "Queued to the resident (SMS, or the chat); also acknowledges the case", body = Message),
    (status = 403, description = "Not my case", body = crate::http::error::ErrorBody),
    (status = 404, description = "No such case", body = crate::http::error::ErrorBody),
    (status = 409, description = "The case is resolved", body = crate::http::error::ErrorBody),
    crate::http::responses::JsonBody,
    crate::http::responses::Signed,
))]
pub async fn reply(
    State(state): State<AppState>,
    SignedIn(me): SignedIn,
    Path(id): Path<Uuid>,
    body: Result<Json<NewReply>, JsonRejection>,
) -> Result<(StatusCode, Json<Message>), ApiError> {
    let Json(body) = body?;
    Ok((StatusCode::CREATED, Json(reply_as(&state, &me, id, &body.body).await?)))
}

/// Replies to the resident in the case's channel.
pub(crate) async fn reply_as(state: &AppState, me: &Responder, id: Uuid, text: &str) -> Result<Message, ApiError> {
    let text = text_field(text, "body", MAX_REPLY_CHARS)?;
    let mut tx = state.pool.begin().await?;
    let case = lock_own_open(&mut tx, me, id).await?;
    let channel = outbound::resident_channel(case.channel);
    let (message, send) = outbound::queue(
        &mut tx,
        &NewOutbound { case_id: case.id, channel, kind: MessageKind::Reply, body: &text, author_id: Some(me.id) },
    )
    .await?;
    store::events::append(
        &mut tx,
        case.id,
        event_kind::REPLIED,
        ActorKind::Responder,
        Some(me.id),
        serde_json::json!({ "message_id": message.id, "channel": channel }),
    )
    .await?;
    // Replying is the clearest acknowledgement there is.
    acknowledge_in(&mut tx, me, &case).await?;
    batline_core::sla::first_response(&mut tx, case.id).await?;
    let ids = vec![send, Outbox::enqueue(&mut tx, &updated(&case, event_kind::REPLIED)).await?];
    tx.commit().await?;
    publish(state, &ids).await;
    Ok(message)
}

/// `POST /api/v1/cases/{id}/resolve` body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct Resolve {
    /// What was done, for the resident (1 to 1,000 characters).
    #[schema(min_length = 1, max_length = 1000, pattern = "^[^\\x00]*[^\\s\\x00][^\\x00]*$")]
    summary: String,
}

/// `POST /api/v1/cases/{id}/resolve`: resolve with a summary; the resident is told.
#[utoipa::path(post, path = "/api/v1/cases/{id}/resolve", tag = "cases", params(("id" = Uuid, Path, description = "The case")), request_body = Resolve, responses(
    (status = 200, description = "Resolved; the resident is told", body = Case),
    (status = 403, description = "Not my case", body = crate::http::error::ErrorBody),
    (status = 404, description = "No such case", body = crate::http::error::ErrorBody),
    (status = 409, description = "The case is resolved already", body = crate::http::error::ErrorBody),
    crate::http::responses::JsonBody,
    crate::http::responses::Signed,
))]
pub async fn resolve(
    State(state): State<AppState>,
    SignedIn(me): SignedIn,
    Path(id): Path<Uuid>,
    body: Result<Json<Resolve>, JsonRejection>,
) -> Result<Json<Case>, ApiError> {
    let Json(body) = body?;
    Ok(Json(resolve_as(&state, &me, id, &body.summary).await?))
}

/// Resolves a case with a summary and tells the resident.
pub(crate) async fn resolve_as(state: &AppState, me: &Responder, id: Uuid, summary: &str) -> Result<Case, ApiError> {
    let summary = text_field(summary, "summary", MAX_SUMMARY_CHARS)?;
    let mut tx = state.pool.begin().await?;
    let case = lock_own_open(&mut tx, me, id).await?;
    let resolved = store::cases::resolve(&mut tx, case.id, &summary)
        .await?
        .ok_or_else(|| batline_core::Error::Conflict(format!("case {} is already resolved", case.tracking_code)))?;
    batline_core::sla::resolved(&mut tx, case.id).await?;
    // Resolved is resolved: nobody owes a call on it any more.
    store::call_backs::close(&mut tx, case.id, CallBackStatus::Cancelled, None).await?;
    store::events::append(
        &mut tx,
        case.id,
        event_kind::RESOLVED,
        ActorKind::Responder,
        Some(me.id),
        serde_json::json!({ "summary": summary }),
    )
    .await?;
    let channel = outbound::resident_channel(case.channel);
    // Asked once per case: a case reopened and resolved again is not asked twice.
    let ask = case.satisfaction_asked_at.is_none();
    let notice = texts::resolved(case.language, &me.display_name, &case.tracking_code, &summary, ask);
    let message =
        NewOutbound { case_id: case.id, channel, kind: MessageKind::Notice, body: &notice, author_id: Some(me.id) };
    let mut ids = Vec::new();
    if let Some((_, send)) = outbound::queue_if_reachable(&mut tx, &message).await? {
        ids.push(send);
        if ask {
            store::cases::mark_satisfaction_asked(&mut tx, case.id).await?;
        }
    }
    ids.push(Outbox::enqueue(&mut tx, &updated(&case, event_kind::RESOLVED)).await?);
    tx.commit().await?;
    publish(state, &ids).await;
    Ok(resolved)
}

fn updated(case: &Case, kind: &str) -> BusMessage {
    BusMessage::CaseUpdated { case_id: case.id, owner_id: case.owner_id, kind: kind.to_owned() }
}

/// Publishes right away; what fails here the relay publishes later.
pub(crate) async fn publish(state: &AppState, ids: &[i64]) {
    if let Err(e) = state.outbox.publish_now(ids).await {
        tracing::warn!(error = %e, "left to the outbox relay");
        state.outbox.kick();
    }
}

/// Longest internal note.
const MAX_NOTE_CHARS: usize = 4000;

/// Adds an internal note to my case: staff see it on the timeline; the
/// resident never does (notes are not among the public event kinds).
pub(crate) async fn note_as(state: &AppState, me: &Responder, id: Uuid, text: &str) -> Result<(), ApiError> {
    let text = text_field(text, "note", MAX_NOTE_CHARS)?;
    let mut tx = state.pool.begin().await?;
    let case = store::cases::lock(&mut tx, id).await?.ok_or(batline_core::Error::NotFound("case"))?;
    ensure_owner(me, &case)?;
    store::events::append(
        &mut tx,
        case.id,
        event_kind::NOTE,
        ActorKind::Responder,
        Some(me.id),
        serde_json::json!({ "text": text }),
    )
    .await?;
    let ids = vec![Outbox::enqueue(&mut tx, &updated(&case, event_kind::NOTE)).await?];
    tx.commit().await?;
    publish(state, &ids).await;
    Ok(())
}

/// Opens a resolved case again with the same owner, who must acknowledge
/// it again (at once, when they are the one reopening). Its owner or a
/// lead may; the resident is told.
pub(crate) async fn reopen_as(state: &AppState, me: &Responder, id: Uuid, reason: &str) -> Result<Case, ApiError> {
    let reason = text_field(reason, "reason", MAX_SUMMARY_CHARS)?;
    let mut tx = state.pool.begin().await?;
    let case = store::cases::lock(&mut tx, id).await?.ok_or(batline_core::Error::NotFound("case"))?;
    if !me.role.may_reassign() {
        ensure_owner(me, &case)?;
    }
    let window = chrono::Duration::from_std(state.config.ack_windows.for_channel(case.channel))
        .map_err(|e| batline_core::Error::Config(format!("acknowledgement window: {e}")))?;
    let reopened = store::cases::reopen(&mut tx, case.id, chrono::Utc::now() + window)
        .await?
        .ok_or_else(|| batline_core::Error::Conflict(format!("case {} is open already", case.tracking_code)))?;
    batline_core::sla::reopened(&mut tx, case.id).await?;
    store::events::append(
        &mut tx,
        case.id,
        event_kind::REOPENED,
        ActorKind::Responder,
        Some(me.id),
        serde_json::json!({ "owner_id": case.owner_id, "reason": reason }),
    )
    .await?;
    if reopened.owner_id == me.id {
        acknowledge_in(&mut tx, me, &reopened).await?;
    }
    let owner = store::responders::get(&mut *tx, case.owner_id).await?.ok_or(batline_core::Error::NotFound("owner"))?;
    let notice = texts::reopened(case.language, &owner.display_name, &case.tracking_code);
    let message = NewOutbound {
        case_id: case.id,
        channel: outbound::resident_channel(case.channel),
        kind: MessageKind::Notice,
        body: &notice,
        author_id: Some(me.id),
    };
    let mut ids = Vec::new();
    if let Some((_, send)) = outbound::queue_if_reachable(&mut tx, &message).await? {
        ids.push(send);
    }
    ids.push(Outbox::enqueue(&mut tx, &updated(&case, event_kind::REOPENED)).await?);
    let case = store::cases::get(&mut *tx, case.id).await?.ok_or(batline_core::Error::NotFound("case"))?;
    tx.commit().await?;
    publish(state, &ids).await;
    Ok(case)
}

/// `POST /api/v1/cases/{id}/notes` body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct NewNote {
    /// The note (1 to 4,000 characters).
    #[schema(min_length = 1, max_length = 4000, pattern = "^[^\\x00]*[^\\s\\x00][^\\x00]*$")]
    text: String,
}

/// `POST /api/v1/cases/{id}/notes`: an internal note on my case (staff only).
#[utoipa::path(post, path = "/api/v1/cases/{id}/notes", tag = "cases", params(("id" = Uuid, Path, description = "The case")), request_body = NewNote, responses(
    (status = 201, description = "Noted on the timeline (never sent to the resident)"),
    (status = 403, description = "Desk staff, or not my case", body = crate::http::error::ErrorBody),
    (status = 404, description = "No such case", body = crate::http::error::ErrorBody),
    crate::http::responses::JsonBody,
    crate::http::responses::Signed,
))]
pub async fn add_note(
    State(state): State<AppState>,
    SignedIn(me): SignedIn,
    Path(id): Path<Uuid>,
    body: Result<Json<NewNote>, JsonRejection>,
) -> Result<StatusCode, ApiError> {
    refuse_desk(&me)?;
    let Json(body) = body?;
    note_as(&state, &me, id, &body.text).await?;
    Ok(StatusCode::CREATED)
}

/// `POST /api/v1/cases/{id}/reopen` body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct Reopen {
    /// Why (1 to 1,000 characters).
    #[schema(min_length = 1, max_length = 1000, pattern = "^[^\\x00]*[^\\s\\x00][^\\x00]*$")]
    reason: String,
}

/// `POST /api/v1/cases/{id}/reopen`: open a resolved case again (its owner or a lead).
#[utoipa::path(post, path = "/api/v1/cases/{id}/reopen", tag = "cases", params(("id" = Uuid, Path, description = "The case")), request_body = Reopen, responses(
    (status = 200, description = "Open again with the same owner; the resident is told", body = Case),
    (status = 403, description = "Desk staff, or another responder's case (leads, the mayor and admins may)", body = crate::http::error::ErrorBody),
    (status = 404, description = "No such case", body = crate::http::error::ErrorBody),
    (status = 409, description = "The case is open already", body = crate::http::error::ErrorBody),
    crate::http::responses::JsonBody,
    crate::http::responses::Signed,
))]
pub async fn reopen(
    State(state): State<AppState>,
    SignedIn(me): SignedIn,
    Path(id): Path<Uuid>,
    body: Result<Json<Reopen>, JsonRejection>,
) -> Result<Json<Case>, ApiError> {
    refuse_desk(&me)?;
    let Json(body) = body?;
    Ok(Json(reopen_as(&state, &me, id, &body.reason).await?))
}
