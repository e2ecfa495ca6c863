//! Dead letters as leads see them, and sending one back: the messages the
//! bus could not deliver (the router records each one off the dead-letter
//! queue into PostgreSQL, see `batline_router::dead_letters`). Nothing here
//! deletes a dead letter: a retried one stays, marked with who retried it
//! and when, and comes back as a new one if it fails again.

use batline_core::{
    bus::Exchange,
    domain::Role,
    store::{self, dead_letters::StoredDeadLetter, responders::Responder},
};
use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use crate::{http::error::ApiError, state::AppState};

/// Most of a payload shown: Batline's own messages are a few hundred bytes,
/// and a list must stay small whatever someone published to the exchange.
const MAX_PAYLOAD_SHOWN: usize = 64 * 1024;

/// A dead letter as leads see it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DeadLetterView {
    /// Its id, for retrying.
    pub id: Uuid,
    /// The queue it died in: `intake`, `routing` or `outbound.sms`.
    pub queue: String,
    /// The routing key a retry publishes it with.
    pub routing_key: String,
    /// `rejected` (a consumer could not handle it), `delivery_limit`
    /// (delivered too often without an ack), `expired`, `maxlen` or `unknown`.
    pub reason: String,
    /// How often it died that way.
    pub deaths: i64,
    /// The message as text (invalid UTF-8 replaced), whatever it was; cut
    /// at 64 KiB.
    pub payload: String,
    /// The message parsed, when it is JSON and was not cut.
    pub payload_json: Option<serde_json::Value>,
    /// The message's whole length in bytes.
    pub payload_bytes: usize,
    /// Whether `payload` was cut (a retry still sends all of it).
    pub payload_truncated: bool,
    /// When the broker gave up on it.
    pub died_at: DateTime<Utc>,
    /// When it was recorded.
    pub recorded_at: DateTime<Utc>,
    /// When it was retried, if it was.
    pub retried_at: Option<DateTime<Utc>>,
    /// Who retried it.
    pub retried_by: Option<Uuid>,
}

impl From<StoredDeadLetter> for DeadLetterView {
    fn from(d: StoredDeadLetter) -> Self {
        DeadLetterView {
            id: d.id,
            queue: d.queue,
            routing_key: d.routing_key,
            reason: d.reason,
            deaths: d.deaths,
            payload_json: (d.payload.len() <= MAX_PAYLOAD_SHOWN)
                .then(|| serde_json::from_slice(&d.payload).ok())
                .flatten(),
            payload: String::from_utf8_lossy(&d.payload[..d.payload.len().min(MAX_PAYLOAD_SHOWN)]).into_owned(),
            payload_bytes: d.payload.len(),
            payload_truncated: d.payload.len() > MAX_PAYLOAD_SHOWN,
            died_at: d.died_at,
            recorded_at: d.recorded_at,
            retried_at: d.retried_at,
            retried_by: d.retried_by,
        }
    }
}

/// Publishes dead letter `id` again on its original route, with the
/// broker's confirm awaited, and marks it retried by `me`. The row stays
/// locked meanwhile, so two leads clicking at once publish it once. The API
/// and the lead's web page share this.
pub async fn retry_one(state: &AppState, id: Uuid, me: &Responder) -> Result<DeadLetterView, ApiError> {
    if !matches!(me.role, Role::Lead | Role::Admin) {
        return Err(ApiError::Forbidden("only a lead or an admin can retry a dead letter".into()));
    }
    let mut tx = state.pool.begin().await?;
    let Some(letter) = store::dead_letters::lock(&mut tx, id).await? else {
        return Err(batline_core::Error::NotFound("dead letter").into());
    };
    if let Some(at) = letter.retried_at {
        return Err(batline_core::Error::Conflict(format!("this dead letter was already retried at {at}")).into());
    }
    // Only work messages are dead-lettered (events go to per-process queues
    // without a dead-letter exchange); anything else came from outside.
    if letter.exchange != state.bus.names().exchange(Exchange::Work) || letter.routing_key.is_empty() {
        return Err(ApiError::Unprocessable(format!(
            "this dead letter came from exchange {:?} with routing key {:?}, not a Batline work route; \
             it cannot be sent back",
            letter.exchange, letter.routing_key
        )));
    }
    state.bus.publish_bytes(Exchange::Work, &letter.routing_key, &letter.payload).await?;
    // Should the commit fail now, the message is out once more and the row
    // still waits; a second retry is harmless, as every consumer is idempotent.
    let retried_at = store::dead_letters::mark_retried(&mut tx, id, me.id).await?;
    tx.commit().await?;
    tracing::info!(dead_letter = %id, routing_key = %letter.routing_key, by = %me.username, "dead letter retried");
    let mut view = DeadLetterView::from(letter);
    view.retried_at = Some(retried_at);
    view.retried_by = Some(me.id);
    Ok(view)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored(payload: Vec<u8>) -> StoredDeadLetter {
        StoredDeadLetter {
            id: Uuid::nil(),
            queue: "intake".into(),
            exchange: "batline.work".into(),
            routing_key: "intake.sms".into(),
            reason: "rejected".into(),
            deaths: 1,
            payload,
            died_at: Utc::now(),
            recorded_at: Utc::now(),
            retried_at: None,
            retried_by: None,
        }
    }

    #[test]
    fn shows_json_parsed_and_cuts_what_is_too_long() {
        let small = DeadLetterView::from(stored(br#"{"type":"x"}"#.to_vec()));
        assert_eq!(small.payload_json, Some(serde_json::json!({ "type": "x" })));
        assert_eq!((small.payload_bytes, small.payload_truncated), (12, false));

        let mut big = b"\"".to_vec();
        big.extend(std::iter::repeat_n(b'a', MAX_PAYLOAD_SHOWN + 10));
        big.push(b'"');
        let view = DeadLetterView::from(stored(big));
        assert!(view.payload_truncated);
        assert_eq!(view.payload.len(), MAX_PAYLOAD_SHOWN);
        assert_eq!(view.payload_bytes, MAX_PAYLOAD_SHOWN + 12);
        assert_eq!(view.payload_json, None, "a cut payload is not parsed");

        let binary = DeadLetterView::from(stored(vec![0xff, b'{']));
        assert_eq!(binary.payload, "\u{fffd}{");
        assert_eq!(binary.payload_json, None);
    }
}
