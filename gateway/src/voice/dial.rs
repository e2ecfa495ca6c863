//! How a ring to the owner ended, and what follows.
//!
//! - `POST /twilio/voice/dial?case=…`: the `<Dial>` action. Answered: the
//!   owner and the caller talked, which is the owner's first response and
//!   acknowledgement. Busy, no answer, failed: the caller is owed a call
//!   back; they hear who will call and by when, and may leave a message.
//! - `POST /twilio/voice/recorded?case=…`: the `<Record>` action.
//! - `POST /twilio/voice/recording?case=…`: the recording status callback.
//! - `POST /twilio/voice/whisper?case=…`: what the owner hears on picking
//!   up, before the caller is put through.

use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use batline_core::{
    bus::BusMessage,
    call_back,
    domain::{ActorKind, CallBackReason, event_kind},
    outbox::Outbox,
    store::{self, calls::Call, cases::Case},
    texts::voice as say,
};
use chrono::Utc;
use serde::Deserialize;
use uuid::Uuid;

use super::{
    CaseQuery, lock_call_on, public_url, seconds,
    twiml::{self, Record, Verb},
};
use crate::{error::ApiError, hand_on, http::extract::Query, signed_form::SignedForm, state::AppState};

/// Longest voice message, seconds.
const MAX_MESSAGE_SECONDS: u32 = 120;
/// Silence that ends a voice message, seconds.
const MESSAGE_SILENCE_SECONDS: u32 = 5;

/// `POST /twilio/voice/dial?case=…`.
#[utoipa::path(
    post, operation_id = "voice_dialled", path = "/twilio/voice/dial", tag = "twilio",
    params(crate::http::params::TwilioSignature, super::CaseQuery),
    request_body(content = super::forms::DialWebhook, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "TwiML: hang up after a talk; else who will call back, by when, and a \
            `<Record>` for a voice message", body = String, content_type = "text/xml"),
        (status = 400, description = "No `CallSid` or `DialCallStatus`, or `case` is not a UUID", body = crate::error::ErrorBody),
        (status = 404, description = "No such case, or the call is not on it", body = crate::error::ErrorBody),
        crate::http::responses::Signed,
        crate::http::responses::Internal,
    )
)]
pub async fn dialled(
    State(state): State<AppState>,
    Query(q): Query<CaseQuery>,
    SignedForm(form): SignedForm,
) -> Result<Response, ApiError> {
    let sid = form.require("CallSid")?;
    let outcome = form.require("DialCallStatus")?;
    let reason = match outcome {
        "completed" | "answered" => None,
        "busy" => Some(CallBackReason::Busy),
        "failed" => Some(CallBackReason::Failed),
        "canceled" => Some(CallBackReason::HungUp),
        _ => Some(CallBackReason::NoAnswer),
    };
    let Some(reason) = reason else {
        connected(&state, sid, q.case, seconds(&form, "DialCallDuration")).await?;
        return Ok(twiml::Response::new().then(Verb::Hangup).into_response());
    };
    let twiml = unanswered(&state, sid, q.case, outcome, reason).await?;
    // A caller who hung up hears nothing more; the call-back is owed all the same.
    if reason == CallBackReason::HungUp {
        return Ok(twiml::Response::new().then(Verb::Hangup).into_response());
    }
    Ok(twiml.into_response())
}

async fn connected(state: &AppState, sid: &str, case_id: Uuid, duration: Option<i32>) -> Result<(), ApiError> {
    let mut tx = state.pool.begin().await.map_err(batline_core::Error::from)?;
    let case = lock_case(&mut tx, case_id).await?;
    let call = lock_call_on(&mut tx, sid, case_id).await?;
    store::calls::record_dial_outcome(&mut tx, sid, "completed", duration).await?;
    // Normally the whisper marked the answer already; this covers a
    // whisper request that never arrived.
    let ids = mark_talking(&mut tx, &case, &call).await?;
    tx.commit().await.map_err(batline_core::Error::from)?;
    hand_on::publish(state, &ids).await;
    Ok(())
}

/// The owner and the caller are talking on `sid`: their first response and
/// acknowledgement, and any call-back owed from an earlier call settled.
/// Once per call.
async fn mark_talking(conn: &mut sqlx::PgConnection, case: &Case, call: &Call) -> Result<Vec<i64>, ApiError> {
    let sid = call.sid.as_str();
    if !store::calls::mark_connected(conn, sid).await? {
        return Ok(Vec::new());
    }
    let responder = call.responder_id;
    let data = serde_json::json!({ "call_sid": sid, "responder_id": responder });
    let ids = call_back::talked(conn, case, responder, event_kind::CALL_CONNECTED, data).await?;
    call_back::settle(conn, case.id, sid).await?;
    Ok(ids)
}

/// Records that the owner's phone did not connect (`outcome` as Twilio
/// said it), owes the caller a call back, and answers with the promise and
/// a chance to leave a message. Also used when the owner has no phone.
pub(crate) async fn unanswered(
    state: &AppState,
    sid: &str,
    case_id: Uuid,
    outcome: &str,
    reason: CallBackReason,
) -> Result<twiml::Response, ApiError> {
    let mut tx = state.pool.begin().await.map_err(batline_core::Error::from)?;
    let case = lock_case(&mut tx, case_id).await?;
    lock_call_on(&mut tx, sid, case_id).await?;
    let mut ids = Vec::new();
    if store::calls::record_dial_outcome(&mut tx, sid, outcome, None).await? {
        store::events::append(
            &mut tx,
            case.id,
            event_kind::CALL_UNANSWERED,
            ActorKind::System,
            None,
            serde_json::json!({ "call_sid": sid, "dial_status": outcome, "owner_id": case.owner_id }),
        )
        .await?;
    }
    let window = state.config.voice.call_back_window;
    let (task, more) = call_back::request(&mut tx, &case, Some(sid), reason, Utc::now(), window).await?;
    ids.extend(more);
    let owner = owner_name(&mut tx, &case).await?;
    tx.commit().await.map_err(batline_core::Error::from)?;
    hand_on::publish(state, &ids).await;

    let lang = case.language;
    let by = say::spoken_time(lang, task.due_at, Utc::now());
    let id = case.id;
    Ok(twiml::Response::new()
        .say(lang, say::no_answer(lang, &owner, &by))
        .then(Verb::Record(Record {
            action: public_url(state, &format!("/twilio/voice/recorded?case={id}")),
            status_callback: public_url(state, &format!("/twilio/voice/recording?case={id}")),
            max_length: MAX_MESSAGE_SECONDS,
            timeout: MESSAGE_SILENCE_SECONDS,
        }))
        // Reached only when the caller said nothing: Twilio skips to the
        // next verb instead of calling the action.
        .say(lang, say::no_message(lang, &owner, &by))
        .then(Verb::Hangup))
}

/// `POST /twilio/voice/recorded?case=…`: the caller finished their message.
#[utoipa::path(
    post, path = "/twilio/voice/recorded", tag = "twilio",
    params(crate::http::params::TwilioSignature, super::CaseQuery),
    request_body(content = super::forms::RecordedWebhook, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "TwiML: the message was saved (or none was left), who calls back and by when", body = String, content_type = "text/xml"),
        (status = 400, description = "No `CallSid`, or `case` is not a UUID", body = crate::error::ErrorBody),
        (status = 404, description = "No such case, or the call is not on it", body = crate::error::ErrorBody),
        crate::http::responses::Signed,
        crate::http::responses::Internal,
    )
)]
pub async fn recorded(
    State(state): State<AppState>,
    Query(q): Query<CaseQuery>,
    SignedForm(form): SignedForm,
) -> Result<Response, ApiError> {
    let sid = form.require("CallSid")?;
    let seconds = seconds(&form, "RecordingDuration");
    let recording = match (form.get("RecordingSid"), form.get("RecordingUrl")) {
        (Some(rsid), Some(url)) if !rsid.is_empty() && !url.is_empty() && seconds != Some(0) => Some((rsid, url)),
        _ => None,
    };
    let mut tx = state.pool.begin().await.map_err(batline_core::Error::from)?;
    let case = lock_case(&mut tx, q.case).await?;
    lock_call_on(&mut tx, sid, q.case).await?;
    let mut ids = Vec::new();
    if let Some((rsid, url)) = recording {
        ids = attach(&mut tx, &case, sid, rsid, url, seconds).await?;
    }
    let owner = owner_name(&mut tx, &case).await?;
    let due = store::call_backs::open_for_case(&mut *tx, case.id).await?.map(|t| t.due_at);
    tx.commit().await.map_err(batline_core::Error::from)?;
    hand_on::publish(&state, &ids).await;

    let lang = case.language;
    let due = due.unwrap_or_else(|| Utc::now() + state.config.voice.call_back_window);
    let by = say::spoken_time(lang, due, Utc::now());
    let text =
        if recording.is_some() { say::message_saved(lang, &owner, &by) } else { say::no_message(lang, &owner, &by) };
    Ok(twiml::Response::new().say(lang, text).then(Verb::Hangup).into_response())
}

/// `POST /twilio/voice/recording?case=…`: Twilio stored the recording.
#[utoipa::path(
    post, path = "/twilio/voice/recording", tag = "twilio",
    params(crate::http::params::TwilioSignature, super::CaseQuery),
    request_body(content = super::forms::RecordingStatusWebhook, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 204, description = "Attached to the case once, however often Twilio reports it"),
        (status = 400, description = "A completed recording without `CallSid`, `RecordingSid` or `RecordingUrl`, \
            or `case` is not a UUID", body = crate::error::ErrorBody),
        (status = 404, description = "No such case, or the call is not on it", body = crate::error::ErrorBody),
        crate::http::responses::Signed,
        crate::http::responses::Internal,
    )
)]
pub async fn recording_status(
    State(state): State<AppState>,
    Query(q): Query<CaseQuery>,
    SignedForm(form): SignedForm,
) -> Result<StatusCode, ApiError> {
    if form.get("RecordingStatus").is_some_and(|s| s != "completed") {
        return Ok(StatusCode::NO_CONTENT);
    }
    let sid = form.require("CallSid")?;
    let rsid = form.require("RecordingSid")?;
    let url = form.require("RecordingUrl")?;
    let seconds = seconds(&form, "RecordingDuration");
    if seconds == Some(0) {
        return Ok(StatusCode::NO_CONTENT);
    }
    let mut tx = state.pool.begin().await.map_err(batline_core::Error::from)?;
    let case = lock_case(&mut tx, q.case).await?;
    lock_call_on(&mut tx, sid, q.case).await?;
    let ids = attach(&mut tx, &case, sid, rsid, url, seconds).await?;
    tx.commit().await.map_err(batline_core::Error::from)?;
    hand_on::publish(&state, &ids).await;
    Ok(StatusCode::NO_CONTENT)
}

/// The whisper's query string.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WhisperQuery {
    /// The case.
    pub case: Uuid,
    /// The caller's CallSid (the whisper request itself carries the
    /// responder's leg).
    pub call: String,
}

/// `POST /twilio/voice/whisper?case=…&call=…`: the owner picked up. Twilio
/// fetches this the moment they answer, before putting the caller through,
/// so it is when the talking starts: the acknowledgement cannot lapse
/// during a long conversation waiting for the dial to end.
#[utoipa::path(
    post, path = "/twilio/voice/whisper", tag = "twilio",
    params(crate::http::params::TwilioSignature, WhisperQuery),
    request_body(content = super::forms::AnyWebhook, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "TwiML: the case's code, said to the owner", body = String, content_type = "text/xml"),
        (status = 400, description = "`case` is not a UUID or `call` is missing", body = crate::error::ErrorBody),
        (status = 404, description = "No such case, or the call is not on it", body = crate::error::ErrorBody),
        crate::http::responses::Signed,
        crate::http::responses::Internal,
    )
)]
pub async fn whisper(
    State(state): State<AppState>,
    Query(q): Query<WhisperQuery>,
    SignedForm(_form): SignedForm,
) -> Result<Response, ApiError> {
    let mut tx = state.pool.begin().await.map_err(batline_core::Error::from)?;
    let case = lock_case(&mut tx, q.case).await?;
    let call = lock_call_on(&mut tx, &q.call, q.case).await?;
    let ids = mark_talking(&mut tx, &case, &call).await?;
    tx.commit().await.map_err(batline_core::Error::from)?;
    hand_on::publish(&state, &ids).await;
    Ok(twiml::Response::new().say(case.language, say::whisper(case.language, &case.tracking_code)).into_response())
}

/// Attaches a voice message to the case; the timeline and the owner's
/// console hear of it once, however often Twilio reports it.
async fn attach(
    conn: &mut sqlx::PgConnection,
    case: &Case,
    call_sid: &str,
    recording_sid: &str,
    url: &str,
    seconds: Option<i32>,
) -> Result<Vec<i64>, ApiError> {
    let body = say::voicemail_body(seconds);
    let (message_id, created) =
        store::messages::attach_recording(conn, case.id, recording_sid, &body, url, seconds).await?;
    if !created {
        return Ok(Vec::new());
    }
    store::events::append(
        conn,
        case.id,
        event_kind::VOICEMAIL,
        ActorKind::Resident,
        None,
        serde_json::json!({ "call_sid": call_sid, "message_id": message_id, "recording_url": url, "seconds": seconds }),
    )
    .await?;
    let update =
        BusMessage::CaseUpdated { case_id: case.id, owner_id: case.owner_id, kind: event_kind::VOICEMAIL.to_owned() };
    Ok(vec![Outbox::enqueue(conn, &update).await?])
}

async fn lock_case(conn: &mut sqlx::PgConnection, id: Uuid) -> Result<Case, ApiError> {
    Ok(store::cases::lock(conn, id).await?.ok_or(batline_core::Error::NotFound("case"))?)
}

async fn owner_name(conn: &mut sqlx::PgConnection, case: &Case) -> Result<String, ApiError> {
    let owner = store::responders::get(&mut *conn, case.owner_id).await?;
    Ok(owner.map(|o| o.display_name).unwrap_or_default())
}
