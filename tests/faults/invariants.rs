//! What must hold after every scenario: each accepted contact in exactly
//! one case, every open case owned by a named responder, no resident
//! answered twice, everything filed within 10 s of the last recovery, the
//! outbox drained, nothing dead-lettered. Printed as counts, then asserted.

use std::{collections::HashMap, time::Duration};

use batline_test_kit::twilio_sandbox::TwilioSandbox;
use chrono::{DateTime, Utc};
use sqlx::PgPool;
use uuid::Uuid;

use super::driver;

/// How long after the last recovery every contact must have an owner.
pub const ASSIGNED_WITHIN: Duration = Duration::from_secs(10);

/// Whether the scenario's faults must have made some senders retry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Faults {
    /// The faults cut services off, so some attempt must have failed: if
    /// none did, the faults missed.
    ReachedSenders,
    /// The faults were meant to stay out of the senders' sight (a broker
    /// node lost while the others serve).
    MayBeUnseen,
}

/// The invariants, printed as counts and then asserted.
pub async fn check(
    pool: &PgPool,
    sandbox: &TwilioSandbox,
    accepted: &driver::Accepted,
    last_recovery: DateTime<Utc>,
    faults: Faults,
) -> anyhow::Result<()> {
    // Every accepted contact: one intake row, filed into a case, one message.
    let mut placements: Vec<(String, Option<Uuid>, i64)> = Vec::new();
    for (channel, sids) in [("sms", &accepted.sms), ("voice", &accepted.voice), ("email", &accepted.email)] {
        placements.extend(
            sqlx::query_as::<_, (String, Option<Uuid>, i64)>(
                "SELECT i.provider_id, i.case_id, (SELECT count(*) FROM messages m WHERE m.intake_id = i.id)
                 FROM intake i WHERE i.channel = $1 AND i.provider_id = ANY ($2)",
            )
            .bind(channel)
            .bind(sids)
            .fetch_all(pool)
            .await?,
        );
    }
    placements.extend(
        sqlx::query_as::<_, (String, Option<Uuid>, i64)>(
            "SELECT t.id::text, i.case_id, (SELECT count(*) FROM messages m WHERE m.intake_id = i.id)
             FROM walk_in_tickets t JOIN intake i ON i.id = t.intake_id WHERE t.id = ANY ($1)",
        )
        .bind(&accepted.walk_in)
        .fetch_all(pool)
        .await?,
    );
    // An Open311 request's provider id is its client's id and its key; a
    // chat message's, its session's id and its own.
    for (channel, keys) in [("open311", &accepted.open311), ("chat", &accepted.chat)] {
        placements.extend(
            sqlx::query_as::<_, (String, Option<Uuid>, i64)>(
                "SELECT i.provider_id, i.case_id, (SELECT count(*) FROM messages m WHERE m.intake_id = i.id)
                 FROM intake i WHERE i.channel = $1 AND split_part(i.provider_id, ':', 2) = ANY ($2)",
            )
            .bind(channel)
            .bind(keys)
            .fetch_all(pool)
            .await?,
        );
    }
    let accepted_total = accepted.total();
    let in_one_case = placements.iter().filter(|(_, case, messages)| case.is_some() && *messages == 1).count();
    let stored = count(pool, "SELECT count(*) FROM intake").await?;
    let cases = count(pool, "SELECT count(*) FROM cases").await?;

    let open = count(pool, "SELECT count(*) FROM cases WHERE status = 'open'").await?;
    let unowned = count(
        pool,
        "SELECT count(*) FROM cases c WHERE c.status = 'open'
         AND NOT EXISTS (SELECT 1 FROM responders r WHERE r.id = c.owner_id AND r.display_name <> '')",
    )
    .await?;

    let auto_replies = count(pool, "SELECT count(*) FROM messages WHERE kind = 'auto_reply'").await?;
    let twice_in_db = count(
        pool,
        "SELECT count(*) FROM (SELECT c.resident_id FROM messages m JOIN cases c ON c.id = m.case_id
         WHERE m.kind = 'auto_reply' GROUP BY c.resident_id HAVING count(*) > 1) AS twice",
    )
    .await?;
    let mut texted: HashMap<String, usize> = HashMap::new();
    for sms in sandbox.sent() {
        *texted.entry(sms.to).or_default() += 1;
    }
    let twice_texted = texted.values().filter(|n| **n > 1).count();

    // A contact stored before the last recovery must be filed within 10 s
    // of it; one that arrived later, within 10 s of arriving.
    let (late, before, backlog_filed): (i64, i64, Option<DateTime<Utc>>) = sqlx::query_as(
        "SELECT count(*) FILTER (WHERE filed_at > greatest(received_at, $1) + make_interval(secs => $2)),
                count(*) FILTER (WHERE received_at <= $1),
                max(filed_at) FILTER (WHERE received_at <= $1)
         FROM intake",
    )
    .bind(last_recovery)
    .bind(ASSIGNED_WITHIN.as_secs_f64())
    .fetch_one(pool)
    .await?;
    let backlog_cleared = backlog_filed.map_or(0.0, |t| (t - last_recovery).num_milliseconds() as f64 / 1000.0);
    let outbox = count(pool, "SELECT count(*) FROM outbox").await?;
    let dead_letters = count(pool, "SELECT count(*) FROM dead_letters").await?;

    // The summary: a contact is lost when it has no case; duplicated when
    // it was stored or filed more than once, or its resident was answered
    // twice.
    let lost = placements.iter().filter(|(_, case, _)| case.is_none()).count()
        + accepted_total.saturating_sub(placements.len());
    let filed_twice = placements.iter().filter(|(_, _, messages)| *messages > 1).count();
    let duplicated =
        filed_twice + (stored as usize).saturating_sub(accepted_total) + twice_in_db as usize + twice_texted;
    say!("summary: accepted {accepted_total}, lost {lost}, duplicated {duplicated}, ownerless {unowned}");
    say!(
        "counts:\n  \
         accepted contacts: {accepted_total} (sms {}, voice {}, walk-in {}, open311 {}, email {}, chat {}); driver retries {}, \
         call hold rounds {}\n  \
         stored contacts: {stored}; in exactly one case: {in_one_case} of {accepted_total}; cases: {cases}\n  \
         open cases: {open}; without a named owner: {unowned}\n  \
         auto-replies: {auto_replies}; residents with two or more in the database: {twice_in_db}; \
         numbers the Twilio sandbox texted: {} ({} SMS), of them twice or more: {twice_texted}\n  \
         stored before the last recovery: {before}, the last of them filed {backlog_cleared:.1} s after it; \
         filed later than 10 s after the last recovery (or after arriving): {late}\n  \
         outbox rows left: {outbox}; dead letters: {dead_letters}",
        accepted.sms.len(),
        accepted.voice.len(),
        accepted.walk_in.len(),
        accepted.open311.len(),
        accepted.email.len(),
        accepted.chat.len(),
        accepted.retries,
        accepted.hold_rounds,
        texted.len(),
        texted.values().sum::<usize>(),
    );

    anyhow::ensure!(
        placements.len() == accepted_total,
        "{} accepted contacts have no intake row",
        accepted_total - placements.len()
    );
    anyhow::ensure!(
        in_one_case == accepted_total,
        "{} accepted contacts are not in exactly one case",
        accepted_total - in_one_case
    );
    anyhow::ensure!(stored as usize == accepted_total, "{stored} contacts stored for {accepted_total} accepted");
    anyhow::ensure!(unowned == 0, "{unowned} open cases have no named owner");
    anyhow::ensure!(twice_in_db == 0 && twice_texted == 0, "a resident got two auto-replies");
    anyhow::ensure!(late == 0, "{late} contacts were assigned more than 10 s after the last recovery");
    anyhow::ensure!(outbox == 0, "{outbox} outbox rows were never published");
    anyhow::ensure!(dead_letters == 0, "{dead_letters} messages were dead-lettered by transient faults");
    anyhow::ensure!(
        faults == Faults::MayBeUnseen || accepted.retries > 0,
        "no attempt failed: the faults did not reach the senders"
    );
    Ok(())
}

pub async fn count(pool: &PgPool, sql: &str) -> anyhow::Result<i64> {
    Ok(sqlx::query_scalar(sql).fetch_one(pool).await?)
}

pub async fn filed(pool: &PgPool) -> anyhow::Result<i64> {
    count(pool, "SELECT count(*) FROM intake WHERE case_id IS NOT NULL").await
}

/// Polls `check` every 100 ms until it holds, or fails after `timeout`.
/// Errors count as "not yet": the database may be restarting.
pub async fn wait_for<F, Fut>(what: &str, timeout: Duration, mut check: F) -> anyhow::Result<()>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<bool>>,
{
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        if matches!(check().await, Ok(true)) {
            return Ok(());
        }
        anyhow::ensure!(tokio::time::Instant::now() < deadline, "timed out after {timeout:?} waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
