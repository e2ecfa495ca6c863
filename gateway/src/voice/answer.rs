//! `POST /twilio/voice` and its hold loop `POST /twilio/voice/wait`.
//!
//! The call is stored (intake row, call row and outbox row in one
//! transaction) and handed to the router; then the webhook waits up to
//! `BATLINE_VOICE_WAIT_MS` for the router to file it. With an owner named,
//! the caller hears who it is and Batline dials them; without, a short hold
//! and a `<Redirect>` back to `/twilio/voice/wait`, which does the same
//! again. Storing is idempotent on the CallSid, so the redirect also
//! retries a store that failed: a database hiccup costs the caller a few
//! seconds of hold, never the call.

use std::time::Duration;

use axum::{
    extract::State,
    response::{IntoResponse, Response},
};
use batline_core::{
    bus::BusMessage,
    domain::{CallBackReason, Channel, Language, event_kind},
    filing_notices::Expected,
    intake_writer::{InboundCall, Stored},
    outbox::{self, Outbox},
    store::{self, calls::CallRoute, intake::NewIntake, outbox::OutboxRow},
    texts::voice as say,
    twilio::{client::redact_phone, form::Form},
};
use serde::Deserialize;

use super::twiml::{self, Dial, Verb};
use crate::{
    error::ApiError, hand_on, http::extract::Query, signed_form::SignedForm, state::AppState, voice::public_url,
};

/// What a contact stores for a call; the call itself is the message.
const CALL_BODY: &str = "Phone call";

/// Seconds of silence in each hold round.
const HOLD_PAUSE_SECONDS: u32 = 2;

/// The hold loop's query string.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Attempt {
    /// Hold rounds so far.
    #[serde(default)]
    #[param(minimum = 0, maximum = 4_294_967_295_u32)]
    pub attempt: u32,
}

/// `POST /twilio/voice`: a resident calls.
#[utoipa::path(
    post, operation_id = "voice_inbound", path = "/twilio/voice", tag = "twilio",
    params(crate::http::params::TwilioSignature),
    request_body(content = super::forms::VoiceWebhook, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "TwiML: who handles the case and a `<Dial>` to them, or a short hold and a \
            `<Redirect>` to `/twilio/voice/wait` (also when Batline could not store the call yet)", body = String, content_type = "text/xml"),
        (status = 400, description = "No `CallSid` or `From`", body = crate::error::ErrorBody),
        crate::http::responses::Signed,
        crate::http::responses::WebhookFlood,
    )
)]
pub async fn inbound(State(state): State<AppState>, SignedForm(form): SignedForm) -> Response {
    answer(&state, &form, 0).await
}

/// `POST /twilio/voice/wait?attempt=N`: Twilio comes back after a hold.
#[utoipa::path(
    post, path = "/twilio/voice/wait", tag = "twilio",
    params(crate::http::params::TwilioSignature, Attempt),
    request_body(content = super::forms::VoiceWebhook, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "TwiML, as for `/twilio/voice`", body = String, content_type = "text/xml"),
        (status = 400, description = "No `CallSid` or `From`, or `attempt` is not a count", body = crate::error::ErrorBody),
        crate::http::responses::Signed,
    )
)]
pub async fn wait(State(state): State<AppState>, Query(q): Query<Attempt>, SignedForm(form): SignedForm) -> Response {
    answer(&state, &form, q.attempt).await
}

async fn answer(state: &AppState, form: &Form, attempt: u32) -> Response {
    match try_answer(state, form, attempt).await {
        Ok(twiml) => twiml.into_response(),
        Err(e) if e.is_server_error() => {
            // Never drop the caller over our own fault: hold and come back.
            tracing::error!(error = %e, source = ?e, attempt, "could not answer a call yet; holding");
            hold(state, Language::default(), attempt).into_response()
        }
        Err(e) => e.into_response(),
    }
}

async fn try_answer(state: &AppState, form: &Form, attempt: u32) -> Result<twiml::Response, ApiError> {
    let sid = form.require("CallSid")?;
    let from = form.require("From")?;
    let to = form.get("To");
    // Subscribed before the call is handed on, so a call stored now is not
    // looked for before the router's notice.
    let expected = state.filing.expect(sid);
    let stored_now = store_call(state, form, sid, from, to).await?;
    let expected = stored_now.then_some(expected);

    if let Some(route) = wait_for_route(state, expected, sid, state.config.voice.answer_wait).await? {
        return connect(state, sid, &route).await;
    }
    let line = to.and_then(|to| state.config.voice.line_language(to));
    let language = match line {
        Some(lang) => lang,
        None => store::residents::language_by_phone(&state.pool, from).await?.unwrap_or_default(),
    };
    tracing::info!(call_sid = %sid, attempt, "no owner named yet; holding the caller");
    Ok(hold(state, language, attempt))
}

/// Stores the call once, whichever of the webhook and its redirects gets
/// here first, and hands it on; `false` when it was stored before.
async fn store_call(state: &AppState, form: &Form, sid: &str, from: &str, to: Option<&str>) -> Result<bool, ApiError> {
    let new = NewIntake {
        channel: Channel::Voice,
        provider_id: Some(sid.to_owned()),
        sender: from.to_owned(),
        recipient: to.map(str::to_owned),
        body: CALL_BODY.to_owned(),
        raw: form.to_json(),
    };
    let status = form.get("CallStatus").unwrap_or("ringing");
    let call = InboundCall { sid: sid.to_owned(), from: from.to_owned(), status: status.to_owned() };
    let Some(Stored { intake_id, announcement }) = state.intake.store(new, Some(call)).await? else {
        return Ok(false);
    };
    tracing::info!(%intake_id, call_sid = %sid, from = %redact_phone(from), "call stored");
    batline_core::metrics::intake_stored(Channel::Voice);
    hand_on::publish_intake(state, intake_id, announcement).await;
    Ok(true)
}

/// How often a held call looks for its route itself, in case the router's
/// notice was lost.
const ROUTE_FALLBACK: Duration = Duration::from_millis(250);

/// The call's route once the router has filed it (told by its notice,
/// `batline_core::filing_notices`, `expected` when the call was handed on
/// just now), or `None` after `wait`.
async fn wait_for_route(
    state: &AppState,
    expected: Option<Expected>,
    sid: &str,
    wait: Duration,
) -> Result<Option<CallRoute>, ApiError> {
    let pool = &state.pool;
    let look = || store::calls::route(pool, sid);
    Ok(state.filing.wait(expected, sid, wait, ROUTE_FALLBACK, look).await?)
}

fn hold(state: &AppState, language: Language, attempt: u32) -> twiml::Response {
    let text = if attempt == 0 {
        say::hold(language, &state.config.city_name)
    } else {
        say::still_holding(language).to_owned()
    };
    let mut response = twiml::Response::new();
    // Speak on the first round and every fifth after it; in between, quiet.
    if attempt.is_multiple_of(5) {
        response = response.say(language, text);
    }
    response.then(Verb::Pause { seconds: HOLD_PAUSE_SECONDS }).then(Verb::Redirect {
        url: public_url(state, &format!("/twilio/voice/wait?attempt={}", attempt.saturating_add(1))),
    })
}

/// Rings the owner, or, if they have no phone to ring, goes straight to
/// the call-back promise.
async fn connect(state: &AppState, sid: &str, route: &CallRoute) -> Result<twiml::Response, ApiError> {
    let Some(phone) = route.owner_phone.as_deref() else {
        return super::dial::unanswered(state, sid, route.case_id, "unreachable", CallBackReason::Unreachable).await;
    };
    let update = Outbox::row(&BusMessage::CaseUpdated {
        case_id: route.case_id,
        owner_id: route.owner_id,
        kind: event_kind::CALL_DIALLED.to_owned(),
    })?;
    let data = serde_json::json!({ "call_sid": sid, "responder_id": route.owner_id, "owner_name": route.owner_name });
    let written =
        store::calls::dial(&state.pool, sid, route.owner_id, route.case_id, &data, outbox::borrowed(&update)).await?;
    if let Some(id) = written {
        hand_on::publish_written(state, OutboxRow::written(id, update)).await;
    }
    let case = route.case_id;
    Ok(twiml::Response::new()
        .say(route.language, say::connecting(route.language, &state.config.city_name, &route.owner_name))
        .then(Verb::Dial(Dial {
            number: phone.to_owned(),
            timeout: state.config.voice.dial_timeout_seconds,
            action: public_url(state, &format!("/twilio/voice/dial?case={case}")),
            caller_id: None,
            whisper_url: Some(public_url(state, &format!("/twilio/voice/whisper?case={case}&call={sid}"))),
        })))
}
