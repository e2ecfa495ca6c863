//! The email sender: consumes `SendMessage` for email and hands each message
//! to the city's relay (`BATLINE_SMTP_RELAY`) at most once, as the SMS
//! sender hands texts to Twilio: marked `sending` (committed, with its
//! Message-ID) before the relay is called, so a redelivery after a crash in
//! the middle is reported to the owner as uncertain instead of mailing the
//! resident twice. A relay that is briefly away is tried a few times; a
//! refusal, or a relay away for longer, lands on the case's timeline.

use std::time::Duration;

use batline_core::{
    Error, Result,
    bus::BusMessage,
    config::EmailConfig,
    domain::{Channel, DeliveryStatus, MessageKind},
    outbound, store,
};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use secrecy::ExposeSecret;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use super::compose::{self, Answer};
use crate::state::AppState;

/// The relay connection, shared by every delivery.
pub type Relay = AsyncSmtpTransport<Tokio1Executor>;

/// Tries at the relay before the failure goes on the timeline.
const ATTEMPTS: u32 = 3;

/// The relay `BATLINE_SMTP_RELAY` names.
pub fn relay(email: &EmailConfig) -> Result<Relay> {
    Ok(AsyncSmtpTransport::<Tokio1Executor>::from_url(email.smtp_relay.expose_secret())
        .map_err(|e| Error::Config(format!("BATLINE_SMTP_RELAY: {e}")))?
        .timeout(Some(Duration::from_secs(30)))
        .build())
}

/// Starts consuming the outbound email queue.
pub fn spawn(state: AppState, relay: Relay, shutdown: CancellationToken) -> JoinHandle<()> {
    let bus = state.bus.clone();
    let prefetch = state.config.prefetch;
    bus.consume(bus.names().outbound_email_queue(), prefetch, shutdown, move |payload| {
        let (state, relay) = (state.clone(), relay.clone());
        async move {
            match serde_json::from_slice::<BusMessage>(&payload)? {
                BusMessage::SendMessage { message_id, channel: Channel::Email } => {
                    send(&state, &relay, message_id).await
                }
                other => Err(Error::Invalid(format!("the email sender does not take {other:?}"))),
            }
        }
    })
}

#[tracing::instrument(skip(state, relay))]
async fn send(state: &AppState, relay: &Relay, message_id: Uuid) -> Result<()> {
    let email = state.config.email.as_ref().ok_or_else(|| Error::Config("email is not configured".into()))?;
    let mut tx = state.pool.begin().await?;
    let uncertain = "delivery uncertain: the sender stopped while handing this email to the mail server; \
                     check with the resident before sending it again";
    let Some(message) = outbound::claim(&mut tx, message_id, uncertain).await? else {
        tx.commit().await?;
        state.outbox.kick();
        return Ok(());
    };
    let envelope = store::email::envelope(&mut *tx, message.id).await?.ok_or(Error::NotFound("case"))?;
    let Some(to) = envelope.email.clone() else {
        outbound::mark_failed(&mut tx, &message, "the resident has no email address to write to").await?;
        tx.commit().await?;
        state.outbox.kick();
        return Ok(());
    };
    let thread = store::email::thread(&mut *tx, message.case_id).await?;
    // Batline's Message-ID for it: its own id at the line's domain, so a
    // reply's In-Reply-To finds the case (`store::email::case_of_thread`).
    let own_id = format!("{}@{}", message.id, email.from_domain());
    store::messages::set_delivery(&mut *tx, message.id, DeliveryStatus::Sending, Some(&own_id), None).await?;
    tx.commit().await?;

    let references: Vec<String> = thread.iter().map(|(id, _)| id.clone()).filter(|id| *id != own_id).collect();
    let in_reply_to = thread.iter().rev().find(|(_, inbound)| *inbound).map(|(id, _)| id.as_str());
    let track_url = state.config.tracking_url(&envelope.tracking_code);
    let answer = Answer {
        from: &email.from,
        city: state.config.city_name.in_language(envelope.language),
        to: &to,
        language: envelope.language,
        tracking_code: &envelope.tracking_code,
        subject: envelope.subject.as_deref(),
        author: envelope.reply_author.as_deref(),
        body: &message.body,
        track_url: &track_url,
        message_id: &own_id,
        references: &references,
        in_reply_to,
        automatic: message.kind != MessageKind::Reply,
    };
    let outcome = match compose::message(&answer) {
        Ok(mail) => hand_over(relay, &mail).await,
        Err(e) => Err(e),
    };
    match outcome {
        Ok(()) => {
            outbound::record_sent(&state.pool, message.id, None).await?;
            tracing::info!(%message_id, "email handed to the relay");
        }
        Err(reason) => {
            tracing::warn!(%message_id, %reason, "email could not be sent");
            let mut tx = state.pool.begin().await?;
            outbound::mark_failed(&mut tx, &message, &reason).await?;
            tx.commit().await?;
            state.outbox.kick();
        }
    }
    Ok(())
}

/// Hands `mail` to the relay, trying again while the relay says "later" or
/// cannot be reached; a refusal is final at once.
async fn hand_over(relay: &Relay, mail: &lettre::Message) -> std::result::Result<(), String> {
    let mut wait = Duration::from_secs(1);
    for attempt in 1..=ATTEMPTS {
        match relay.send(mail.clone()).await {
            Ok(_) => return Ok(()),
            Err(e) if e.is_permanent() => return Err(format!("the mail server refused the email: {e}")),
            Err(e) if attempt == ATTEMPTS => return Err(format!("the mail server could not be reached: {e}")),
            Err(e) => {
                tracing::info!(error = %e, attempt, "the mail server is away; trying again");
                tokio::time::sleep(wait).await;
                wait *= 4;
            }
        }
    }
    Err("the mail server could not be reached".to_owned())
}
