//! Acknowledgement deadlines. A new owner must acknowledge a case within
//! their channel's window; if the window passes, the case moves to the next
//! candidate, the resident is told the new owner's name, and the miss goes on
//! the timeline (SLA reports count it).
//!
//! The deadline is a column of the case row, so it survives every router
//! restart. Every router sweeps for overdue cases and claims them with
//! `FOR UPDATE SKIP LOCKED`: several routers share the work and never handle
//! one case twice. Time comes from the router's [`Clock`](batline_core::clock::Clock).

use std::{sync::Arc, time::Duration};

use batline_core::{
    Result,
    bus::BusMessage,
    domain::{ActorKind, MessageKind, event_kind},
    outbound,
    outbox::Outbox,
    store::{self, cases::Case, messages::NewOutbound, responders::Needs},
    texts,
};
use sqlx::PgConnection;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::{Router, assign};

/// How often a router looks for overdue cases.
const SWEEP_EVERY: Duration = Duration::from_millis(250);
/// Cases handled per sweep transaction.
const BATCH: i64 = 50;

/// Sweeps until `shutdown`.
pub fn spawn(router: Arc<Router>, shutdown: CancellationToken) -> JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = tokio::time::sleep(SWEEP_EVERY) => {}
                _ = shutdown.cancelled() => break,
            }
            loop {
                match sweep(&router).await {
                    Ok(n) if n as i64 == BATCH => continue,
                    Ok(_) => break,
                    Err(e) => {
                        tracing::warn!(error = %e, "acknowledgement sweep failed; will retry");
                        break;
                    }
                }
            }
        }
    })
}

/// Moves every case whose acknowledgement deadline has passed; returns how many.
pub async fn sweep(router: &Router) -> Result<usize> {
    let now = router.clock.now();
    let mut tx = router.pool.begin().await?;
    let overdue = store::cases::claim_ack_overdue(&mut tx, now, BATCH).await?;
    let mut outbox_ids = Vec::new();
    for case in &overdue {
        outbox_ids.extend(move_on(router, &mut tx, case).await?);
    }
    tx.commit().await?;
    if !outbox_ids.is_empty()
        && let Err(e) = router.outbox.publish_now(&outbox_ids).await
    {
        tracing::debug!(error = %e, "left to the outbox relay");
        router.outbox.kick();
    }
    Ok(overdue.len())
}

async fn move_on(router: &Router, conn: &mut PgConnection, case: &Case) -> Result<Vec<i64>> {
    let missed_by = case.owner_id;
    store::events::append(
        conn,
        case.id,
        event_kind::ACK_MISSED,
        ActorKind::System,
        None,
        serde_json::json!({ "owner_id": missed_by, "due_at": case.ack_due_at }),
    )
    .await?;
    let needs = Needs {
        language: case.language,
        area: case.area.as_deref(),
        topic: case.topic.as_deref(),
        previous_owner: None,
    };
    let decision = assign::choose_owner(conn, &needs, &[missed_by]).await?;
    let due = router.clock.now() + router.config.ack_windows.for_channel(case.channel);
    store::cases::reassign(conn, case.id, decision.owner_id, due).await?;
    if decision.owner_id == missed_by {
        // Only the backstop is left and it already owns the case: it keeps
        // it with a fresh deadline, and the miss stays on the record.
        tracing::warn!(case_id = %case.id, "acknowledgement missed by the backstop; deadline renewed");
        return Ok(Vec::new());
    }
    store::responders::touch_last_assigned(conn, decision.owner_id).await?;
    let mut reason = decision.reason();
    if let Some(map) = reason.as_object_mut() {
        map.insert("previous_owner_id".into(), serde_json::json!(missed_by));
        map.insert("because".into(), serde_json::json!(event_kind::ACK_MISSED));
    }
    store::events::append(conn, case.id, event_kind::ASSIGNED, ActorKind::System, None, reason).await?;
    let body = texts::reassigned(case.language, &decision.owner_name, &case.tracking_code);
    let (_, send) = outbound::queue(
        conn,
        &NewOutbound {
            case_id: case.id,
            channel: case.channel,
            kind: MessageKind::Notice,
            body: &body,
            author_id: None,
        },
    )
    .await?;
    let assigned =
        Outbox::enqueue(conn, &BusMessage::CaseAssigned { case_id: case.id, owner_id: decision.owner_id }).await?;
    tracing::info!(case_id = %case.id, from = %missed_by, to = %decision.owner_name, "unacknowledged case moved on");
    Ok(vec![send, assigned])
}
