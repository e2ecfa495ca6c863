//! `POST /twilio/voice/status`: Twilio reports a call's progress (ringing,
//! in progress, completed, busy, ...), for calls in (configured on the
//! Batline number) and call-backs out (set when the call is placed). Each
//! change of status goes on the case's timeline once. An inbound caller who
//! hung up without ever talking to anyone is owed a call back; if the router
//! has not filed the call yet, it sees the final status when it does.

use axum::{extract::State, http::StatusCode};
use batline_core::{
    bus::BusMessage,
    call_back,
    domain::{ActorKind, CallBackReason, CallDirection, event_kind},
    outbox::Outbox,
    store::{self, calls::is_final_status},
};
use chrono::Utc;

use super::seconds;
use crate::{error::ApiError, hand_on, signed_form::SignedForm, state::AppState};

/// Longest CallStatus value Batline stores.
const MAX_STATUS_LEN: usize = 32;

/// `POST /twilio/voice/status`.
#[utoipa::path(
    post, operation_id = "voice_status", path = "/twilio/voice/status", tag = "twilio",
    params(crate::http::params::TwilioSignature),
    request_body(content = super::forms::CallStatusWebhook, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 204, description = "Recorded once on the case's timeline (a call Batline does not know is ignored)"),
        (status = 400, description = "No `CallSid`, or no or an overlong `CallStatus`", body = crate::error::ErrorBody),
        (status = 404, description = "The call's case is gone", body = crate::error::ErrorBody),
        crate::http::responses::Signed,
        crate::http::responses::Internal,
    )
)]
pub async fn status(State(state): State<AppState>, SignedForm(form): SignedForm) -> Result<StatusCode, ApiError> {
    let sid = form.require("CallSid")?;
    let status = form.require("CallStatus")?;
    if status.is_empty() || status.len() > MAX_STATUS_LEN {
        return Err(batline_core::Error::Invalid(format!("CallStatus {status:?} is not a Twilio call status")).into());
    }
    let duration = seconds(&form, "CallDuration");
    let mut tx = state.pool.begin().await.map_err(batline_core::Error::from)?;
    let Some(before) = store::calls::set_status(&mut tx, sid, status, duration).await? else {
        tx.commit().await.map_err(batline_core::Error::from)?;
        tracing::info!(call_sid = %sid, "status of a call Batline does not know; ignored");
        return Ok(StatusCode::NO_CONTENT);
    };
    let mut ids = Vec::new();
    if let Some(case_id) = before.case_id
        && before.status != status
    {
        let case = store::cases::get(&mut *tx, case_id).await?.ok_or(batline_core::Error::NotFound("case"))?;
        store::events::append(
            &mut tx,
            case_id,
            event_kind::CALL_STATUS,
            ActorKind::System,
            None,
            serde_json::json!({
                "call_sid": sid, "direction": before.direction, "status": status, "seconds": duration,
            }),
        )
        .await?;
        let update =
            BusMessage::CaseUpdated { case_id, owner_id: case.owner_id, kind: event_kind::CALL_STATUS.to_owned() };
        ids.push(Outbox::enqueue(&mut tx, &update).await?);
        let never_talked = before.connected_at.is_none() && before.dial_outcome.as_deref() != Some("completed");
        if before.direction == CallDirection::Inbound && is_final_status(status) && never_talked {
            let window = state.config.voice.call_back_window;
            let (_, more) =
                call_back::request(&mut tx, &case, Some(sid), CallBackReason::HungUp, Utc::now(), window).await?;
            ids.extend(more);
        }
    }
    tx.commit().await.map_err(batline_core::Error::from)?;
    hand_on::publish(&state, &ids).await;
    Ok(StatusCode::NO_CONTENT)
}
