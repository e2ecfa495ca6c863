//! Twilio's SMS webhooks: inbound messages and delivery status callbacks.
//!
//! An inbound message is stored, with its bus message in the outbox, in one
//! transaction; then published with the confirm awaited; only then does
//! Twilio get its 200. If RabbitMQ is down at that moment the 200 is still
//! safe to give, because the outbox relay publishes the row when the broker
//! is back: nothing answered 200 is ever lost.

use axum::{
    extract::State,
    http::{StatusCode, header::CONTENT_TYPE},
    response::IntoResponse,
};
use batline_core::{
    domain::{ActorKind, Channel, DeliveryStatus, event_kind},
    intake_writer::Stored,
    metrics,
    store::{self, intake::NewIntake},
    twilio::client::redact_phone,
};

use crate::{error::ApiError, hand_on, signed_form::SignedForm, state::AppState};

/// The TwiML that sends nothing back: Batline answers from the router, once
/// the case has a named owner.
const EMPTY_TWIML: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response/>";

fn twiml_ok() -> impl IntoResponse {
    (StatusCode::OK, [(CONTENT_TYPE, "text/xml; charset=utf-8")], EMPTY_TWIML)
}

/// `POST /twilio/sms`: a resident's text.
#[utoipa::path(
    post, operation_id = "sms_inbound", path = "/twilio/sms", tag = "twilio",
    params(crate::http::params::TwilioSignature),
    request_body(content = SmsWebhook, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "Stored (or a retry of one stored): the empty TwiML `<Response/>`; \
            Batline answers by SMS once the case has a named owner", body = String, content_type = "text/xml"),
        (status = 400, description = "No `MessageSid` or `From`, or the form is not UTF-8", body = crate::error::ErrorBody),
        crate::http::responses::Signed,
        crate::http::responses::WebhookFlood,
        crate::http::responses::Internal,
    )
)]
pub async fn inbound(
    State(state): State<AppState>,
    SignedForm(form): SignedForm,
) -> Result<impl IntoResponse, ApiError> {
    let message_sid = form.require("MessageSid")?.to_owned();
    let from = form.require("From")?.to_owned();
    let new = NewIntake {
        channel: Channel::Sms,
        provider_id: Some(message_sid.clone()),
        sender: from,
        recipient: form.get("To").map(str::to_owned),
        body: form.get("Body").unwrap_or_default().to_owned(),
        raw: form.to_json(),
    };

    let sender = redact_phone(&new.sender);
    let Some(Stored { intake_id, announcement }) = state.intake.store(new, None).await? else {
        tracing::info!(%message_sid, "retried webhook; already stored");
        return Ok(twiml_ok());
    };
    tracing::info!(%intake_id, %message_sid, from = %sender, "SMS stored");
    metrics::intake_stored(Channel::Sms);

    hand_on::publish_intake(&state, intake_id, announcement).await;
    Ok(twiml_ok())
}

/// `POST /twilio/sms/status`: Twilio reports how far an outbound SMS got.
#[utoipa::path(
    post, operation_id = "sms_status", path = "/twilio/sms/status", tag = "twilio",
    params(crate::http::params::TwilioSignature),
    request_body(content = SmsStatusWebhook, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 204, description = "Recorded (or a status the owner need not see)"),
        (status = 400, description = "No `MessageSid` or `MessageStatus`", body = crate::error::ErrorBody),
        crate::http::responses::Signed,
        crate::http::responses::Internal,
    )
)]
pub async fn status(
    State(state): State<AppState>,
    SignedForm(form): SignedForm,
) -> Result<impl IntoResponse, ApiError> {
    let sid = form.require("MessageSid")?;
    let status = match form.require("MessageStatus")? {
        "sent" => DeliveryStatus::Sent,
        "delivered" => DeliveryStatus::Delivered,
        "undelivered" => DeliveryStatus::Undelivered,
        "failed" => DeliveryStatus::Failed,
        // queued, accepted, sending, ...: nothing the owner needs to see.
        _ => return Ok(StatusCode::NO_CONTENT),
    };
    let error = form.get("ErrorCode").filter(|c| !c.is_empty()).map(|c| format!("Twilio error {c}"));
    let mut tx = state.pool.begin().await.map_err(batline_core::Error::from)?;
    let case_id = store::messages::apply_status_callback(&mut *tx, sid, status, error.as_deref()).await?;
    if let (Some(case_id), DeliveryStatus::Undelivered | DeliveryStatus::Failed) = (case_id, status) {
        store::events::append(
            &mut tx,
            case_id,
            event_kind::DELIVERY_FAILED,
            ActorKind::System,
            None,
            serde_json::json!({ "provider_id": sid, "status": status, "error": error }),
        )
        .await?;
    }
    tx.commit().await.map_err(batline_core::Error::from)?;
    Ok(StatusCode::NO_CONTENT)
}

// The forms, for the OpenAPI document only: the handlers read them field by
// field from the signed form, as the signature covers every field posted.

/// The form of `POST /twilio/sms` (Twilio posts more fields; all are kept).
#[derive(utoipa::ToSchema)]
#[allow(non_snake_case)]
pub struct SmsWebhook {
    /// Twilio's id of the message; a retried webhook with the same id is stored once.
    #[schema(min_length = 1, example = "SM0123456789abcdef0123456789abcdef")]
    pub MessageSid: String,
    /// The resident's number.
    #[schema(min_length = 1, example = "+358401234567")]
    pub From: String,
    /// Batline's number.
    pub To: Option<String>,
    /// The text.
    pub Body: Option<String>,
    /// Must be Batline's account when given.
    pub AccountSid: Option<String>,
}

/// The form of `POST /twilio/sms/status`.
#[derive(utoipa::ToSchema)]
#[allow(non_snake_case)]
pub struct SmsStatusWebhook {
    /// The outbound message's id.
    #[schema(min_length = 1)]
    pub MessageSid: String,
    /// `queued`, `sent`, `delivered`, `undelivered`, `failed`, …
    #[schema(min_length = 1, example = "delivered")]
    pub MessageStatus: String,
    /// Twilio's error code when delivery failed.
    pub ErrorCode: Option<String>,
    /// Must be Batline's account when given.
    pub AccountSid: Option<String>,
}
