//! The responder's case API: my open cases, one case with its conversation
//! and timeline, reply, resolve, note, reopen. The changes themselves are
//! in `operations::cases`, shared with the case page.

use axum::{Json, extract::State, http::StatusCode};
use batline_core::store::{
    self,
    call_backs::CallBack,
    calls::Call,
    cases::{Case, CaseListItem},
    events::CaseEvent,
    messages::Message,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{
    http::{
        error::ApiError,
        extract::{self, Path},
        signed_in::SignedIn,
    },
    operations::{
        cases::{
            Classification, acknowledge_as, classify_as, ensure_owner, note_as, refuse_desk, reopen_as, reply_as,
            resolve_as,
        },
        chat_signals,
        links::link_as,
        merges::{merge_as, unmerge_as},
    },
    state::AppState,
};

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
    chat_signals::mark_read(&state, &me, &case.case).await;
    let messages = store::messages::for_case(&state.pool, id).await?;
    let timeline = store::events::for_case(&state.pool, id).await?;
    let calls = store::calls::for_case(&state.pool, id).await?;
    let call_back = store::call_backs::open_for_case(&state.pool, id).await?;
    let sla = store::sla::clocks_for(&state.pool, id).await?;
    Ok(Json(CaseDetail { case, messages, timeline, calls, call_back, sla }))
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

/// `POST /api/v1/cases/{id}/replies` body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct NewReply {
    /// The text (1 to 1,600 characters).
    #[schema(min_length = 1, max_length = 1600, pattern = "^[\\s\\S]*[^\\s\\x00-\\x1f\\x7f-\\x9f][\\s\\S]*$")]
    body: String,
    /// The channel to answer in: one the resident has (their phone `sms`,
    /// `email`, `chat`, or `open311` on a city-app request). By default the
    /// channel they last wrote in.
    #[serde(default)]
    channel: Option<batline_core::domain::Channel>,
}

/// `POST /api/v1/cases/{id}/replies`: reply to the resident, by default in
/// the channel they last wrote in.
#[utoipa::path(post, path = "/api/v1/cases/{id}/replies", tag = "cases", params(("id" = Uuid, Path, description = "The case")), request_body = NewReply, responses(
    (status = 201, description = "Queued to the resident (SMS, email, the chat, or the Open311 request); also acknowledges the case", body = Message),
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
    extract::Json(body): extract::Json<NewReply>,
) -> Result<(StatusCode, Json<Message>), ApiError> {
    Ok((StatusCode::CREATED, Json(reply_as(&state, &me, id, &body.body, body.channel).await?)))
}

/// `POST /api/v1/cases/{id}/resolve` body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct Resolve {
    /// What was done, for the resident (1 to 1,000 characters).
    #[schema(min_length = 1, max_length = 1000, pattern = "^[\\s\\S]*[^\\s\\x00-\\x1f\\x7f-\\x9f][\\s\\S]*$")]
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
    extract::Json(body): extract::Json<Resolve>,
) -> Result<Json<Case>, ApiError> {
    Ok(Json(resolve_as(&state, &me, id, &body.summary).await?))
}

/// `POST /api/v1/cases/{id}/notes` body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct NewNote {
    /// The note (1 to 4,000 characters).
    #[schema(min_length = 1, max_length = 4000, pattern = "^[\\s\\S]*[^\\s\\x00-\\x1f\\x7f-\\x9f][\\s\\S]*$")]
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
    // Read only after the checks below, which answer first whatever was sent.
    body: Result<extract::Json<NewNote>, ApiError>,
) -> Result<StatusCode, ApiError> {
    refuse_desk(&me)?;
    let extract::Json(body) = body?;
    note_as(&state, &me, id, &body.text).await?;
    Ok(StatusCode::CREATED)
}

/// `POST /api/v1/cases/{id}/reopen` body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct Reopen {
    /// Why (1 to 1,000 characters).
    #[schema(min_length = 1, max_length = 1000, pattern = "^[\\s\\S]*[^\\s\\x00-\\x1f\\x7f-\\x9f][\\s\\S]*$")]
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
    // Read only after the checks below, which answer first whatever was sent.
    body: Result<extract::Json<Reopen>, ApiError>,
) -> Result<Json<Case>, ApiError> {
    refuse_desk(&me)?;
    let extract::Json(body) = body?;
    Ok(Json(reopen_as(&state, &me, id, &body.reason).await?))
}

/// `POST /api/v1/cases/{id}/merge` body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct Merge {
    /// The tracking code of the open case this one is merged into.
    #[schema(min_length = 8, max_length = 20, example = "K7QD-4M2X")]
    into: String,
    /// Why they are one matter (1 to 1,000 characters), on both timelines.
    #[schema(min_length = 1, max_length = 1000, pattern = "^[\\s\\S]*[^\\s\\x00-\\x1f\\x7f-\\x9f][\\s\\S]*$")]
    reason: String,
}

/// `POST /api/v1/cases/{id}/merge`: close this open case as merged into
/// another open case (its owner, owning both; or a lead).
#[utoipa::path(post, path = "/api/v1/cases/{id}/merge", tag = "cases", params(("id" = Uuid, Path, description = "The case merged away")), request_body = Merge, responses(
    (status = 200, description = "Merged: the surviving case, whose page shows both threads", body = Case),
    (status = 403, description = "Desk staff, or not the owner of both (leads may)", body = crate::http::error::ErrorBody),
    (status = 404, description = "No such case", body = crate::http::error::ErrorBody),
    (status = 409, description = "The same case, or one of them is not open", body = crate::http::error::ErrorBody),
    crate::http::responses::JsonBody,
    crate::http::responses::Signed,
))]
pub async fn merge(
    State(state): State<AppState>,
    SignedIn(me): SignedIn,
    Path(id): Path<Uuid>,
    body: Result<extract::Json<Merge>, ApiError>,
) -> Result<Json<Case>, ApiError> {
    refuse_desk(&me)?;
    let extract::Json(body) = body?;
    Ok(Json(merge_as(&state, &me, id, &body.into, &body.reason).await?))
}

/// `POST /api/v1/cases/{id}/link` body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct Link {
    /// The tracking code of a case (open or not) whose resident is the same
    /// person as this case's.
    #[schema(min_length = 8, max_length = 20, example = "K7QD-4M2X")]
    with: String,
    /// How the responder knows (1 to 1,000 characters), on both timelines.
    #[schema(min_length = 1, max_length = 1000, pattern = "^[\\s\\S]*[^\\s\\x00-\\x1f\\x7f-\\x9f][\\s\\S]*$")]
    reason: String,
}

/// `POST /api/v1/cases/{id}/link`: this case's resident and the other
/// case's are one person: one resident from now on, known by every phone,
/// email address and chat either had, with every case of both. Refused
/// when they cannot be one (two different phones, two open cases: merge
/// those first).
#[utoipa::path(post, path = "/api/v1/cases/{id}/link", tag = "cases", params(("id" = Uuid, Path, description = "The case")), request_body = Link, responses(
    (status = 200, description = "Linked: the case as it is now", body = Case),
    (status = 403, description = "Desk staff, or not the case's owner (leads may)", body = crate::http::error::ErrorBody),
    (status = 404, description = "No such case", body = crate::http::error::ErrorBody),
    (status = 409, description = "They cannot be one resident; `detail` says why", body = crate::http::error::ErrorBody),
    crate::http::responses::JsonBody,
    crate::http::responses::Signed,
))]
pub async fn link(
    State(state): State<AppState>,
    SignedIn(me): SignedIn,
    Path(id): Path<Uuid>,
    body: Result<extract::Json<Link>, ApiError>,
) -> Result<Json<Case>, ApiError> {
    refuse_desk(&me)?;
    let extract::Json(body) = body?;
    Ok(Json(link_as(&state, &me, id, &body.with, &body.reason).await?))
}

/// `POST /api/v1/cases/{id}/unmerge`: undo a merge: the case is open on its
/// own again with its owner (a lead, the mayor or an admin).
#[utoipa::path(post, path = "/api/v1/cases/{id}/unmerge", tag = "cases", params(("id" = Uuid, Path, description = "The merged case")), request_body = Reopen, responses(
    (status = 200, description = "Open on its own again; its owner acknowledges it again", body = Case),
    (status = 403, description = "Not a lead, the mayor or an admin", body = crate::http::error::ErrorBody),
    (status = 404, description = "No such case", body = crate::http::error::ErrorBody),
    (status = 409, description = "Not merged, or its resident has another open case now", body = crate::http::error::ErrorBody),
    crate::http::responses::JsonBody,
    crate::http::responses::Signed,
))]
pub async fn unmerge(
    State(state): State<AppState>,
    SignedIn(me): SignedIn,
    Path(id): Path<Uuid>,
    body: Result<extract::Json<Reopen>, ApiError>,
) -> Result<Json<Case>, ApiError> {
    refuse_desk(&me)?;
    let extract::Json(body) = body?;
    Ok(Json(unmerge_as(&state, &me, id, &body.reason).await?))
}

/// `PUT /api/v1/cases/{id}/classification` body: what the case is about,
/// where, and how urgent.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct NewClassification {
    /// A topic code of the service catalogue (`GET /api/v1/topics`), or null.
    #[schema(max_length = 32)]
    topic: Option<String>,
    /// The district (`GET /api/v1/districts`), or null.
    #[schema(min_length = 1, max_length = 80, pattern = "^[\\s\\S]*[^\\s\\x00-\\x1f\\x7f-\\x9f][\\s\\S]*$")]
    area: Option<String>,
    /// How urgent.
    priority: batline_core::domain::Priority,
}

/// `PUT /api/v1/cases/{id}/classification`: set the topic, area and
/// priority (the owner or a lead); it goes on the timeline.
#[utoipa::path(put, path = "/api/v1/cases/{id}/classification", tag = "cases", params(("id" = Uuid, Path, description = "The case")), request_body = NewClassification, responses(
    (status = 200, description = "Classified (or already so)", body = Case),
    (status = 403, description = "Desk staff, or another responder's case (leads, the mayor and admins may)", body = crate::http::error::ErrorBody),
    (status = 404, description = "No such case", body = crate::http::error::ErrorBody),
    (status = 422, description = "Not a topic of the catalogue, or an empty or too long area", body = crate::http::error::ErrorBody),
    crate::http::responses::JsonBody,
    crate::http::responses::Signed,
))]
pub async fn classify(
    State(state): State<AppState>,
    SignedIn(me): SignedIn,
    Path(id): Path<Uuid>,
    // Read only after the checks below, which answer first whatever was sent.
    body: Result<extract::Json<NewClassification>, ApiError>,
) -> Result<Json<Case>, ApiError> {
    refuse_desk(&me)?;
    let extract::Json(body) = body?;
    let wanted = Classification { topic: body.topic.as_deref(), area: body.area.as_deref(), priority: body.priority };
    Ok(Json(classify_as(&state, &me, id, wanted).await?))
}
