//! Moving a case on by the assignment rules, when its owner misses a
//! deadline or goes off duty.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;

use super::{Rule, choose_owner};
use crate::{
    Result,
    domain::Channel,
    metrics,
    ownership::{self, Actor, NewOwner},
    store::{self, cases::Case, responders::Needs},
};

/// Moves `case` away from its owner to whoever the rules pick among the
/// others, within the caller's transaction. If nobody else can take it
/// (only the backstop is left and already owns it), the owner keeps it with
/// a fresh deadline.
pub async fn move_by_rules(
    conn: &mut PgConnection,
    case: &Case,
    now: DateTime<Utc>,
    ack_due_at: DateTime<Utc>,
    because: &str,
) -> Result<Moved> {
    // A walk-in case moving on still prefers someone at the resident's Batcave.
    let at_point = match case.channel {
        Channel::WalkIn => store::walk_in_tickets::point_for_case(&mut *conn, case.id).await?,
        _ => None,
    };
    let needs = Needs {
        language: case.language,
        area: case.area.as_deref(),
        topic: case.topic.as_deref(),
        previous_owner: None,
        at_point,
    };
    let decision = choose_owner(conn, &needs, &[case.owner_id], now).await?;
    if decision.owner_id == case.owner_id {
        store::cases::reassign(conn, case.id, case.owner_id, Some(ack_due_at)).await?;
        tracing::warn!(case_id = %case.id, because, "nobody else can take the case; its owner keeps it");
        return Ok(Moved { outbox_ids: Vec::new(), rule: None });
    }
    let mut reason = decision.reason();
    if let Some(map) = reason.as_object_mut() {
        map.insert("because".into(), serde_json::json!(because));
    }
    let owner = NewOwner { id: decision.owner_id, name: &decision.owner_name };
    tracing::info!(case_id = %case.id, to = %decision.owner_name, because, "case moved on");
    let outbox_ids = ownership::transfer(conn, case, owner, Actor::System, Some(ack_due_at), reason).await?;
    Ok(Moved { outbox_ids, rule: Some(decision.rule) })
}

/// What [`move_by_rules`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct Moved {
    /// Outbox rows to publish after commit.
    pub outbox_ids: Vec<i64>,
    /// The rule that chose the new owner; `None` when the owner kept the case.
    pub rule: Option<Rule>,
}

impl Moved {
    /// Counts the assignment, if any; call after the transaction commits.
    pub fn count(&self) {
        if let Some(rule) = self.rule {
            metrics::assigned(rule.label());
        }
    }
}
