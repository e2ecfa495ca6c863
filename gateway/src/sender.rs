//! The SMS sender: consumes `SendMessage` for SMS and hands each message to
//! Twilio exactly once at most. A message is marked `sending` (committed)
//! before the REST call, so a redelivery after a crash in the middle finds it
//! there and reports the delivery as uncertain to the owner instead of
//! texting the resident twice. Every failure lands on the case timeline.

use batline_core::{
    Error, Result,
    bus::BusMessage,
    domain::{Channel, DeliveryStatus},
    outbound,
    sending::Sent,
    store, texts,
};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use crate::state::AppState;

/// Starts consuming the outbound SMS queue.
pub fn spawn(state: AppState, shutdown: CancellationToken) -> JoinHandle<()> {
    let bus = state.bus.clone();
    let prefetch = state.config.prefetch;
    bus.consume(bus.names().outbound_sms_queue(), prefetch, shutdown, move |payload| {
        let state = state.clone();
        async move { handle(&state, &payload).await }
    })
}

async fn handle(state: &AppState, payload: &[u8]) -> Result<()> {
    match serde_json::from_slice::<BusMessage>(payload)? {
        BusMessage::SendMessage { message_id, channel: Channel::Sms } => send(state, message_id).await,
        other => Err(Error::Invalid(format!("the SMS sender does not take {other:?}"))),
    }
}

#[tracing::instrument(skip(state))]
async fn send(state: &AppState, message_id: Uuid) -> Result<()> {
    // The usual case, a message still pending to a resident with a phone, is
    // claimed in one statement; anything else (a redelivery, a sender that
    // stopped mid-way, no phone) is sorted out under the message's lock.
    let (message, envelope, phone) = match store::messages::start_sending(&state.pool, message_id).await? {
        Some(claimed) => {
            let phone = claimed.envelope.phone.clone().ok_or(Error::NotFound("phone"))?;
            (claimed.message, claimed.envelope, phone)
        }
        None => match claim_under_lock(state, message_id).await? {
            Some(claimed) => claimed,
            None => return Ok(()),
        },
    };

    let callback = format!("{}/twilio/sms/status", state.config.public_url.as_str().trim_end_matches('/'));
    // Stored as written; sent with the city's name (and a reply's author)
    // in front, since an SMS has no page around it to say who it is from.
    let body =
        texts::sms_body(&state.config.city_name, envelope.language, envelope.reply_author.as_deref(), &message.body);
    match state.twilio.send_sms(&phone, &body, Some(&callback)).await {
        Ok(sent) => {
            let record = Sent { message_id: message.id, provider_id: Some(sent.sid.clone()) };
            // With other senders' records under load (`sending`).
            state.sent_records.write(record).await?;
            tracing::info!(%message_id, sid = %sent.sid, "SMS handed to Twilio");
        }
        Err(e) => {
            tracing::warn!(%message_id, error = %e, "SMS could not be sent");
            let mut tx = state.pool.begin().await?;
            outbound::mark_failed(&mut tx, &message, &e.to_string()).await?;
            tx.commit().await?;
            state.outbox.kick();
        }
    }
    Ok(())
}

/// Claims a message [`store::messages::start_sending`] did not: with the
/// message locked, one found `sending` is marked failed as uncertain (its
/// sender stopped mid-way), one already sent or failed is left be, and a
/// pending one to a resident without a phone fails with the reason. Returns
/// the message to send, its envelope and the phone, if any.
async fn claim_under_lock(
    state: &AppState,
    message_id: Uuid,
) -> Result<Option<(store::messages::Message, store::messages::SmsEnvelope, String)>> {
    let mut tx = state.pool.begin().await?;
    let uncertain = "delivery uncertain: the sender stopped while handing this message to Twilio; \
                     check with the resident before sending it again";
    let Some(message) = outbound::claim(&mut tx, message_id, uncertain).await? else {
        tx.commit().await?;
        state.outbox.kick();
        return Ok(None);
    };
    let envelope = store::messages::sms_envelope(&mut *tx, message.id).await?.ok_or(Error::NotFound("case"))?;
    let Some(phone) = envelope.phone.clone() else {
        outbound::mark_failed(&mut tx, &message, "the resident has no phone number to text").await?;
        tx.commit().await?;
        state.outbox.kick();
        return Ok(None);
    };
    store::messages::set_delivery(&mut *tx, message.id, DeliveryStatus::Sending, None, None).await?;
    tx.commit().await?;
    Ok(Some((message, envelope, phone)))
}
