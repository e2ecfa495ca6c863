//! Putting a responder's call-back through. The console places the call
//! to the responder's own phone (`Calls.json`); when they pick up, Twilio
//! asks `POST /twilio/voice/call-back?case=…` what to do, and Batline tells
//! them which case it is and dials the resident from the city's number, so
//! the resident sees Batline calling, not a private phone. How that dial
//! ended arrives at `POST /twilio/voice/call-back/dial?case=…`: talked means
//! the call-back task is done.

use axum::{
    extract::State,
    response::{IntoResponse, Response},
};
use batline_core::{
    bus::BusMessage,
    call_back,
    domain::{ActorKind, CallDirection, CaseStatus, event_kind},
    outbox::Outbox,
    store,
    texts::voice as say,
};

use super::{
    CaseQuery, lock_call_on, public_url, seconds,
    twiml::{self, Dial, Verb},
};
use crate::{error::ApiError, hand_on, http::extract::Query, signed_form::SignedForm, state::AppState};

/// How long the resident's phone rings on a call-back.
const RING_SECONDS: u32 = 30;

/// `POST /twilio/voice/call-back?case=…`: the responder picked up.
#[utoipa::path(
    post, path = "/twilio/voice/call-back", tag = "twilio",
    params(crate::http::params::TwilioSignature, super::CaseQuery),
    request_body(content = super::forms::CallBackWebhook, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "TwiML: the case's code to the responder and a `<Dial>` to the resident, or \
            `<Hangup/>` when the case is resolved", body = String, content_type = "text/xml"),
        (status = 400, description = "No `CallSid`, or `case` is not a UUID", body = crate::error::ErrorBody),
        (status = 404, description = "No such case, or the call is not on it", body = crate::error::ErrorBody),
        crate::http::responses::Signed,
        crate::http::responses::Internal,
    )
)]
pub async fn bridge(
    State(state): State<AppState>,
    Query(q): Query<CaseQuery>,
    SignedForm(form): SignedForm,
) -> Result<Response, ApiError> {
    let sid = form.require("CallSid")?;
    let mut tx = state.pool.begin().await.map_err(batline_core::Error::from)?;
    let call = lock_call_on(&mut tx, sid, q.case).await?;
    let case = store::cases::get(&mut *tx, q.case).await?.ok_or(batline_core::Error::NotFound("case"))?;
    tx.commit().await.map_err(batline_core::Error::from)?;
    if call.direction != CallDirection::CallBack || case.status != CaseStatus::Open {
        return Ok(twiml::Response::new().then(Verb::Hangup).into_response());
    }
    Ok(twiml::Response::new()
        .say(case.language, say::call_back_connecting(case.language, &case.tracking_code))
        .then(Verb::Dial(Dial {
            number: call.resident_phone,
            timeout: RING_SECONDS,
            action: public_url(&state, &format!("/twilio/voice/call-back/dial?case={}", case.id)),
            caller_id: Some(state.twilio_config.from_number.clone()),
            whisper_url: None,
        }))
        .into_response())
}

/// `POST /twilio/voice/call-back/dial?case=…`: how the call to the resident ended.
#[utoipa::path(
    post, operation_id = "call_back_dialled", path = "/twilio/voice/call-back/dial", tag = "twilio",
    params(crate::http::params::TwilioSignature, super::CaseQuery),
    request_body(content = super::forms::DialWebhook, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "TwiML: `<Hangup/>`, after telling the responder when the resident did not answer", body = String, content_type = "text/xml"),
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
    let talked = matches!(outcome, "completed" | "answered");
    let duration = seconds(&form, "DialCallDuration");
    let mut tx = state.pool.begin().await.map_err(batline_core::Error::from)?;
    let case = store::cases::lock(&mut tx, q.case).await?.ok_or(batline_core::Error::NotFound("case"))?;
    let call = lock_call_on(&mut tx, sid, q.case).await?;
    let mut ids = Vec::new();
    if store::calls::record_dial_outcome(&mut tx, sid, outcome, duration).await? {
        if talked {
            store::calls::mark_connected(&mut tx, sid).await?;
        }
        let data = serde_json::json!({ "call_sid": sid, "responder_id": call.responder_id, "seconds": duration });
        if talked {
            call_back::settle(&mut tx, case.id, sid).await?;
            ids = call_back::talked(&mut tx, &case, call.responder_id, event_kind::CALL_BACK_CONNECTED, data).await?;
        } else {
            let mut data = data;
            if let Some(map) = data.as_object_mut() {
                map.insert("dial_status".into(), serde_json::json!(outcome));
            }
            let kind = event_kind::CALL_BACK_UNANSWERED;
            store::events::append(&mut tx, case.id, kind, ActorKind::System, None, data).await?;
            let update = BusMessage::CaseUpdated { case_id: case.id, owner_id: case.owner_id, kind: kind.to_owned() };
            ids.push(Outbox::enqueue(&mut tx, &update).await?);
        }
    }
    tx.commit().await.map_err(batline_core::Error::from)?;
    hand_on::publish(&state, &ids).await;
    let mut response = twiml::Response::new();
    if !talked {
        response = response.say(case.language, say::call_back_unanswered(case.language));
    }
    Ok(response.then(Verb::Hangup).into_response())
}
