//! Moving a case on by the assignment rules: when its owner goes off duty
//! or misses a call-back ([`move_by_rules`]), or misses the acknowledgement
//! deadline ([`missed_acknowledgement`], which moves it only to someone
//! present at their console).

use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::PgConnection;

use super::{Decision, Rule, choose_owner, choose_present};
use crate::{
    Result,
    bus::BusMessage,
    domain::{ActorKind, Channel, event_kind},
    metrics,
    outbox::Outbox,
    ownership::{self, Actor, NewOwner},
    store::{self, cases::Case, responders::Needs},
};

/// What the case asks of its next owner: no previous-responder preference
/// (the resident's responder is the one leaving it); the walk-in point is
/// still preferred for a walk-in case.
async fn needs_of<'a>(conn: &mut PgConnection, case: &'a Case, presence_window: Duration) -> Result<Needs<'a>> {
    let at_point = match case.channel {
        Channel::WalkIn => store::walk_in_tickets::point_for_case(&mut *conn, case.id).await?,
        _ => None,
    };
    Ok(Needs {
        language: case.language,
        area: case.area.as_deref(),
        topic: case.topic.as_deref(),
        previous_owner: None,
        at_point,
        // Whoever takes a case moved on answers a resident who has waited
        // already: those at their console first, whatever the channel.
        prefer_present: true,
        presence_window,
    })
}

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
    presence_window: Duration,
) -> Result<Moved> {
    let needs = needs_of(conn, case, presence_window).await?;
    let decision = choose_owner(conn, &needs, &[case.owner_id], now).await?;
    if decision.owner_id == case.owner_id {
        store::cases::reassign(conn, case.id, case.owner_id, Some(ack_due_at)).await?;
        tracing::warn!(case_id = %case.id, because, "nobody else can take the case; its owner keeps it");
        return Ok(Moved { outbox_ids: Vec::new(), rule: None });
    }
    transfer(conn, case, decision, now, ack_due_at, because).await
}

/// What [`missed_acknowledgement`] did.
#[derive(Debug, Clone)]
#[must_use]
pub enum AfterMiss {
    /// Someone present took it over (still to acknowledge).
    Moved(Moved),
    /// Nobody eligible was present: the owner keeps it with a fresh
    /// deadline and the lead is alerted; the outbox rows to publish.
    Stayed(Vec<i64>),
}

impl AfterMiss {
    /// Outbox rows to publish after commit.
    pub fn outbox_ids(&self) -> &[i64] {
        match self {
            AfterMiss::Moved(moved) => &moved.outbox_ids,
            AfterMiss::Stayed(ids) => ids,
        }
    }

    /// Counts the assignment, if any; call after the transaction commits.
    pub fn count(&self) {
        if let AfterMiss::Moved(moved) = self {
            moved.count();
        }
    }
}

/// The owner of `case` missed its acknowledgement deadline, within the
/// caller's transaction. The miss goes on the timeline with the window and
/// the rule applied; the case moves to an eligible responder present at
/// their console (who must acknowledge within `ack_window`), or, with
/// nobody present, stays with its owner under a fresh deadline and the lead
/// of a shift running for its area (else city-wide, else the backstop) is
/// alerted. Moving it to someone away would only bounce it on a window
/// later while nobody answers.
pub async fn missed_acknowledgement(
    conn: &mut PgConnection,
    case: &Case,
    now: DateTime<Utc>,
    ack_window: Duration,
    presence_window: Duration,
) -> Result<AfterMiss> {
    let due = now + ack_window;
    let needs = needs_of(conn, case, presence_window).await?;
    let owner_name = store::responders::get(&mut *conn, case.owner_id).await?.map(|r| r.display_name);
    let mut miss = serde_json::json!({
        "owner_id": case.owner_id,
        "owner_name": owner_name,
        "due_at": case.ack_due_at,
        "window_seconds": ack_window.as_secs(),
    });
    match choose_present(conn, &needs, &[case.owner_id]).await? {
        Ok(decision) => {
            if let Some(map) = miss.as_object_mut() {
                map.insert("outcome".into(), serde_json::json!("moved"));
                map.insert("to_name".into(), serde_json::json!(decision.owner_name));
            }
            record_miss(conn, case, miss).await?;
            Ok(AfterMiss::Moved(transfer(conn, case, decision, now, due, event_kind::ACK_MISSED).await?))
        }
        Err(considered) => {
            let lead = super::lead_for(conn, case.area.as_deref(), now).await?;
            let (lead_id, lead_name) = lead.map_or((None, None), |(id, name)| (Some(id), Some(name)));
            if let Some(map) = miss.as_object_mut() {
                map.insert("outcome".into(), serde_json::json!("stayed"));
                map.insert("raised_to".into(), serde_json::json!(lead_id));
                map.insert("raised_to_name".into(), serde_json::json!(lead_name));
                map.insert("considered".into(), serde_json::json!(considered));
            }
            record_miss(conn, case, miss).await?;
            store::cases::reassign(conn, case.id, case.owner_id, Some(due)).await?;
            tracing::warn!(case_id = %case.id, "acknowledgement missed and nobody eligible is present; the owner keeps the case");
            let alert = BusMessage::NobodyPresent { case_id: case.id, owner_id: case.owner_id, lead_id };
            Ok(AfterMiss::Stayed(vec![Outbox::enqueue(conn, &alert).await?]))
        }
    }
}

async fn record_miss(conn: &mut PgConnection, case: &Case, data: serde_json::Value) -> Result<()> {
    store::events::append(conn, case.id, event_kind::ACK_MISSED, ActorKind::System, None, data).await?;
    Ok(())
}

async fn transfer(
    conn: &mut PgConnection,
    case: &Case,
    decision: Decision,
    now: DateTime<Utc>,
    ack_due_at: DateTime<Utc>,
    because: &str,
) -> Result<Moved> {
    let mut reason = decision.reason();
    if let Some(map) = reason.as_object_mut() {
        map.insert("because".into(), serde_json::json!(because));
        map.insert("ack_within_seconds".into(), serde_json::json!((ack_due_at - now).num_seconds()));
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
