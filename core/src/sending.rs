//! The SMS sender's records of messages Twilio took, in groups
//! ([`crate::group_commit`]): each was a statement and a commit of its own
//! per message; under load, senders finishing at once now share one. A
//! group's statement is planned for each call (`messages::record_sent`); a
//! message alone is recorded by the single-row statement, planned once.
//!
//! The claim that marks a message `sending` before it is handed to Twilio
//! stays one statement per message. Grouped, it picks rows by `= ANY($1)`
//! in a join of four tables, which PostgreSQL's plan cache will not plan
//! generically (it prices a generic plan at ten array elements, against
//! groups of one or two), so it was planned anew on every call, about half
//! a millisecond, more than the shared commit saved. Forced to a generic
//! plan instead, it kept one made on the tables as they were at start-up
//! (empty, where autovacuum does not run) and took up to seconds a claim.

use sqlx::PgPool;
use uuid::Uuid;

use crate::{
    Result,
    group_commit::{GroupCommit, Grouping},
    outbound,
    store::messages,
};

/// A message the provider took: its id and the provider's id for it.
#[derive(Debug, Clone)]
pub struct Sent {
    /// The message.
    pub message_id: Uuid,
    /// The provider's id for it (Twilio's `sid`).
    pub provider_id: Option<String>,
}

/// Records messages `sent`, several to a statement under load; a group
/// that fails is recorded message by message, each retried for a while
/// ([`outbound::record_sent`]).
pub type SentRecords = GroupCommit<Records>;

/// Makes [`SentRecords`] writing into `pool`.
pub fn sent_records(pool: PgPool) -> SentRecords {
    GroupCommit::new(Records { pool })
}

/// Records of messages the provider took ([`messages::record_sent`]).
pub struct Records {
    pool: PgPool,
}

impl Grouping for Records {
    type Item = Sent;
    type Done = ();
    /// The senders' prefetch bounds how many wait at once anyway.
    const MOST: usize = 64;
    const WHAT: &'static str = "records of messages sent";

    async fn together(&self, sent: &[Sent]) -> Result<Vec<()>> {
        let ids: Vec<Uuid> = sent.iter().map(|s| s.message_id).collect();
        let provider_ids: Vec<Option<String>> = sent.iter().map(|s| s.provider_id.clone()).collect();
        messages::record_sent(&self.pool, &ids, &provider_ids).await?;
        Ok(vec![(); sent.len()])
    }

    async fn alone(&self, sent: &Sent) -> Result<()> {
        outbound::record_sent(&self.pool, sent.message_id, sent.provider_id.as_deref()).await
    }
}
