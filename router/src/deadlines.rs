//! Durable deadlines, swept by every router:
//!
//! - Acknowledgement: a new owner must acknowledge within their channel's
//!   window; if it passes, the miss goes on the timeline (SLA reports count
//!   it) with the rule applied, and the case moves to an eligible responder
//!   present at their console. With nobody present it stays with its owner
//!   under a fresh deadline and the lead is alerted. The resident hears of
//!   a new owner only once that person takes the case up.
//! - Hand-off offers: an offer nobody answered lapses; the owner keeps the
//!   case and is told.
//! - Call-backs: a caller who reached nobody is owed a call by the owner
//!   before a deadline; if it passes, the case moves on by the rules like a
//!   missed acknowledgement and the new owner gets the task, with a new
//!   deadline.
//! - SLA clocks: when most of a target has passed the owner is warned;
//!   when all of it has, the breach goes on the timeline and is raised to
//!   the lead of a shift running for the case's area (or city-wide, or the
//!   backstop). A breach does not move the case: its owner still owns it.
//! - Shift edges: at a shift's start its people go on duty; at its end they
//!   go off (their open cases handed on) unless another running shift keeps
//!   them. Changes people make by hand between the edges stick. Edges in
//!   the past are history, not orders: a shift imported after it ended
//!   changes nothing, one imported while it runs puts its people on duty,
//!   and the start of a shift the router missed entirely is not applied.
//!
//! - Retention: personal data of cases resolved longer ago than
//!   `BATLINE_REDACT_AFTER_DAYS` is redacted (`batline_core::privacy`),
//!   checked once a minute.
//!
//! Deadlines are columns of their rows, so they survive every router
//! restart; routers claim due rows with `FOR UPDATE SKIP LOCKED`, sharing the
//! work without handling a row twice. Time comes from the router's clock.

use std::{sync::Arc, time::Duration};

use batline_core::{
    Result,
    assign::{
        self,
        move_on::{self, Moved},
    },
    bus::BusMessage,
    domain::{ActorKind, CallBackStatus, CaseStatus, DutyStatus, HandoffStatus, event_kind},
    metrics,
    outbox::Outbox,
    store::{self, call_backs::CallBack, shifts::Edge, sla::SlaClock},
};
use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::state::Router;

/// How often a router looks for due deadlines.
const SWEEP_EVERY: Duration = Duration::from_millis(250);
/// Rows handled per sweep transaction.
const BATCH: i64 = 50;

/// How often a router looks for cases due for redaction.
const REDACT_EVERY: Duration = Duration::from_secs(60);

/// Sweeps until `shutdown`.
pub fn spawn(router: Arc<Router>, shutdown: CancellationToken) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut redaction = tokio::time::interval(REDACT_EVERY);
        redaction.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = tokio::time::sleep(SWEEP_EVERY) => {}
                _ = redaction.tick() => {
                    if let Err(e) = redact(&router).await {
                        tracing::warn!(error = %e, "redaction sweep failed; will retry");
                    }
                    continue;
                }
                _ = shutdown.cancelled() => break,
            }
            loop {
                match sweep(&router).await {
                    Ok(n) if n as i64 >= BATCH => continue,
                    Ok(_) => break,
                    Err(e) => {
                        tracing::warn!(error = %e, "deadline sweep failed; will retry");
                        break;
                    }
                }
            }
        }
    })
}

/// Redacts the personal data of cases resolved before the retention period,
/// a batch at a time, until none is due.
pub async fn redact(router: &Router) -> Result<batline_core::privacy::Redacted> {
    let window = chrono::Duration::from_std(router.config.redact_after)
        .map_err(|e| batline_core::Error::Config(format!("BATLINE_REDACT_AFTER_DAYS: {e}")))?;
    let cutoff = router.clock.now() - window;
    let mut total = batline_core::privacy::Redacted::default();
    loop {
        let mut tx = router.pool.begin().await?;
        let done = batline_core::privacy::redact_due(&mut tx, cutoff, BATCH).await?;
        tx.commit().await?;
        total.add(done);
        if done.cases < BATCH as u64 {
            break;
        }
    }
    if total.cases > 0 {
        tracing::info!(
            cases = total.cases,
            residents = total.residents_forgotten,
            "personal data past retention redacted"
        );
    }
    Ok(total)
}

/// Handles every due deadline; returns how many rows it handled.
pub async fn sweep(router: &Router) -> Result<usize> {
    let overdue = move_unacknowledged(router).await?;
    let now = router.clock.now();
    let mut tx = router.pool.begin().await?;
    let mut outbox_ids = Vec::new();
    // Counted after the commit, so a sweep that rolls back counts nothing.
    let mut moves = Vec::new();
    let lapsed = store::handoffs::claim_expired(&mut tx, now, BATCH).await?;
    for offer in &lapsed {
        store::handoffs::close(&mut tx, offer.id, HandoffStatus::Expired, None).await?;
        store::events::append(
            &mut tx,
            offer.case_id,
            event_kind::HANDOFF_EXPIRED,
            ActorKind::System,
            None,
            serde_json::json!({ "handoff_id": offer.id, "to_id": offer.to_id }),
        )
        .await?;
        let update = BusMessage::CaseUpdated {
            case_id: offer.case_id,
            owner_id: offer.from_id,
            kind: event_kind::HANDOFF_EXPIRED.to_owned(),
        };
        outbox_ids.push(Outbox::enqueue(&mut tx, &update).await?);
    }
    let call_backs = store::call_backs::claim_overdue(&mut tx, now, BATCH).await?;
    let mut call_backs_missed = 0;
    for task in &call_backs {
        if let Some(moved) = call_back_missed(router, &mut tx, task).await? {
            call_backs_missed += 1;
            outbox_ids.extend(moved.outbox_ids.iter().copied());
            moves.push(moved);
        }
    }
    let warnings = store::sla::claim_warnings(&mut tx, now, BATCH).await?;
    for clock in &warnings {
        outbox_ids.extend(sla_warning(&mut tx, clock).await?);
    }
    let breaches = store::sla::claim_breaches(&mut tx, now, BATCH).await?;
    for clock in &breaches {
        outbox_ids.extend(sla_breached(&mut tx, clock, now).await?);
    }
    let mut edges = 0;
    // Past edges are history, not orders (a start missed for a whole shift
    // included); imports store the edges of shifts already over as applied.
    store::shifts::retire_missed_starts(&mut tx, now).await?;
    for edge in [Edge::Start, Edge::End] {
        for shift in store::shifts::claim_due_edges(&mut tx, edge, now, BATCH).await? {
            outbox_ids.extend(apply_edge(&mut tx, shift, edge, now).await?);
            edges += 1;
        }
    }
    tx.commit().await?;
    if call_backs_missed > 0 {
        metrics::call_backs_missed(call_backs_missed);
    }
    for clock in &warnings {
        metrics::sla(clock.target, "warning", 1);
    }
    for clock in &breaches {
        metrics::sla(clock.target, "breach", 1);
    }
    moves.iter().for_each(Moved::count);
    if !outbox_ids.is_empty()
        && let Err(e) = router.outbox.publish_now(&outbox_ids).await
    {
        tracing::debug!(error = %e, "left to the outbox relay");
        router.outbox.kick();
    }
    Ok(overdue + lapsed.len() + call_backs.len() + warnings.len() + breaches.len() + edges)
}

/// Moves on up to [`BATCH`] cases whose owner missed the acknowledgement
/// deadline, each in a transaction of its own: a move locks responders'
/// rows, and holding them for a whole batch would stall every filing that
/// wants one of them (after a burst, thousands of cases can fall due at once).
async fn move_unacknowledged(router: &Router) -> Result<usize> {
    let mut moved_cases = 0;
    while moved_cases < BATCH as usize {
        let now = router.clock.now();
        let mut tx = router.pool.begin().await?;
        let Some(case) = store::cases::claim_ack_overdue(&mut tx, now, 1).await?.pop() else {
            tx.commit().await?;
            break;
        };
        let now = router.clock.now();
        let window = router.config.ack_windows.for_channel(case.channel);
        let after = move_on::missed_acknowledgement(&mut tx, &case, now, window, router.config.presence_window).await?;
        tx.commit().await?;
        moved_cases += 1;
        metrics::acks_missed(1);
        after.count();
        if !after.outbox_ids().is_empty()
            && let Err(e) = router.outbox.publish_now(after.outbox_ids()).await
        {
            tracing::debug!(error = %e, "left to the outbox relay");
            router.outbox.kick();
        }
    }
    Ok(moved_cases)
}

async fn apply_edge(conn: &mut PgConnection, shift: uuid::Uuid, edge: Edge, now: DateTime<Utc>) -> Result<Vec<i64>> {
    let mut outbox_ids = Vec::new();
    for person in store::shifts::people(conn, shift).await? {
        let status = match edge {
            Edge::Start => DutyStatus::OnDuty,
            Edge::End if store::shifts::on_other_running_shift(conn, person, shift, now).await? => continue,
            Edge::End => DutyStatus::Off,
        };
        let Some(before) = store::responders::get(&mut *conn, person).await? else { continue };
        if before.duty_status == status {
            continue;
        }
        store::responders::set_duty_status(&mut *conn, person, status).await?;
        if status == DutyStatus::Off {
            outbox_ids.push(Outbox::enqueue(conn, &BusMessage::ResponderWentOff { responder_id: person }).await?);
        }
        tracing::info!(responder = %before.username, ?status, "roster changed duty");
    }
    store::shifts::mark_applied(conn, shift, edge).await?;
    Ok(outbox_ids)
}

/// Moves the case of an overdue call-back on; `None` when it was not missed
/// after all (the case is busy, to be taken next sweep, or closed).
async fn call_back_missed(router: &Router, conn: &mut PgConnection, task: &CallBack) -> Result<Option<Moved>> {
    // The task row is locked; a request on the case may hold the case and
    // wait for the task, so skip a busy case and take it on the next sweep.
    let Some(case) = store::cases::try_lock(conn, task.case_id).await? else {
        return Ok(None);
    };
    if case.status != CaseStatus::Open {
        store::call_backs::close(conn, case.id, CallBackStatus::Cancelled, None).await?;
        return Ok(None);
    }
    store::events::append(
        conn,
        case.id,
        event_kind::CALL_BACK_MISSED,
        ActorKind::System,
        None,
        serde_json::json!({ "owner_id": case.owner_id, "due_at": task.due_at, "misses": task.misses + 1 }),
    )
    .await?;
    let now = router.clock.now();
    let window = chrono::Duration::from_std(router.config.voice.call_back_window).unwrap_or(chrono::Duration::MAX);
    store::call_backs::postpone(conn, task.id, now + window).await?;
    let ack_due = now + router.config.ack_windows.for_channel(case.channel);
    move_on::move_by_rules(conn, &case, now, ack_due, event_kind::CALL_BACK_MISSED, router.config.presence_window)
        .await
        .map(Some)
}

async fn sla_warning(conn: &mut PgConnection, clock: &SlaClock) -> Result<Vec<i64>> {
    let Some(case) = store::cases::get(&mut *conn, clock.case_id).await? else { return Ok(Vec::new()) };
    store::events::append(
        conn,
        case.id,
        event_kind::SLA_WARNING,
        ActorKind::System,
        None,
        serde_json::json!({ "target": clock.target, "due_at": clock.due_at, "owner_id": case.owner_id }),
    )
    .await?;
    let update =
        BusMessage::CaseUpdated { case_id: case.id, owner_id: case.owner_id, kind: event_kind::SLA_WARNING.to_owned() };
    Ok(vec![Outbox::enqueue(conn, &update).await?])
}

async fn sla_breached(conn: &mut PgConnection, clock: &SlaClock, now: DateTime<Utc>) -> Result<Vec<i64>> {
    let Some(case) = store::cases::get(&mut *conn, clock.case_id).await? else { return Ok(Vec::new()) };
    let lead = assign::lead_for(conn, case.area.as_deref(), now).await?;
    let (lead_id, lead_name) = lead.map_or((None, None), |(id, name)| (Some(id), Some(name)));
    store::events::append(
        conn,
        case.id,
        event_kind::SLA_BREACHED,
        ActorKind::System,
        None,
        serde_json::json!({
            "target": clock.target, "due_at": clock.due_at, "owner_id": case.owner_id,
            "raised_to": lead_id, "raised_to_name": lead_name,
        }),
    )
    .await?;
    tracing::warn!(case_id = %case.id, target = %clock.target, "SLA breached");
    let breached = BusMessage::SlaBreached { case_id: case.id, owner_id: case.owner_id, lead_id, target: clock.target };
    Ok(vec![Outbox::enqueue(conn, &breached).await?])
}
