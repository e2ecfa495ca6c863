//! The dead-letter recorder: moves every message off the namespace's
//! dead-letter queue into the `dead_letters` table, then acks it.
//!
//! Why a table rather than leaving them in the queue for a lead to peek at:
//! peeking (get, then nack with requeue) is racy with several readers,
//! cannot page or sort, and counts each look as a delivery; a row is
//! durable across broker rebuilds, listable and countable with SQL, and
//! carries who retried it and when. The ack follows the commit, and a
//! redelivered dead letter is recognised by its message id (or a digest),
//! so each is kept exactly once. Any router may record; they share the queue.

use batline_core::{
    Result,
    bus::{Names, dead_letter::DeadLetter},
    store::{self, dead_letters::NewDeadLetter},
};
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use sqlx::PgPool;

/// Records one dead letter. Returns true when it was new.
pub async fn record(pool: &PgPool, names: &Names, letter: &DeadLetter) -> Result<bool> {
    let death = &letter.death;
    let prefix = format!("{}.", names.namespace());
    let queue = death.queue.strip_prefix(&prefix).unwrap_or(&death.queue);
    let dedupe_key = dedupe_key(letter);
    let died_at = death
        .time
        .and_then(|t| i64::try_from(t).ok())
        .and_then(|t| DateTime::from_timestamp(t, 0))
        .unwrap_or_else(Utc::now);
    let new = NewDeadLetter {
        dedupe_key: &dedupe_key,
        queue,
        exchange: &death.exchange,
        routing_key: &death.routing_key,
        reason: &death.reason,
        deaths: death.count,
        payload: &letter.payload,
        died_at,
    };
    let inserted = store::dead_letters::insert(pool, &new).await?;
    if inserted {
        tracing::warn!(
            queue,
            routing_key = %death.routing_key,
            reason = %death.reason,
            bytes = letter.payload.len(),
            "a message was dead-lettered; recorded for the leads"
        );
    }
    Ok(inserted)
}

/// The publisher's message id when there is one (Batline sets one on every
/// publish); otherwise a digest of the message and its death, which is the
/// same on every redelivery.
fn dedupe_key(letter: &DeadLetter) -> String {
    if let Some(id) = letter.message_id.as_deref().filter(|id| !id.is_empty()) {
        return format!("id:{id}");
    }
    let death = &letter.death;
    let mut digest = Sha256::new();
    for part in [death.queue.as_bytes(), death.routing_key.as_bytes(), death.reason.as_bytes()] {
        digest.update((part.len() as u64).to_be_bytes());
        digest.update(part);
    }
    digest.update(death.time.unwrap_or_default().to_be_bytes());
    digest.update(&letter.payload);
    format!("sha256:{:x}", digest.finalize())
}

#[cfg(test)]
mod tests {
    use batline_core::bus::dead_letter::Death;

    use super::*;

    #[test]
    fn redeliveries_share_a_key_and_different_messages_do_not() {
        let death = Death { queue: "ns.intake".into(), reason: "rejected".into(), time: Some(1), ..Death::default() };
        let a = DeadLetter { payload: b"{}".to_vec(), message_id: None, death: death.clone() };
        let b = DeadLetter { payload: b"[]".to_vec(), message_id: None, death };
        assert_eq!(dedupe_key(&a), dedupe_key(&a.clone()));
        assert_ne!(dedupe_key(&a), dedupe_key(&b));
        let with_id = DeadLetter { message_id: Some("m-1".into()), ..a };
        assert_eq!(dedupe_key(&with_id), "id:m-1");
    }
}
