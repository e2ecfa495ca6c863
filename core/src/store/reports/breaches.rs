//! The SLA breaches among a period's cases, latest deadline first, each
//! with what the dashboard needs to link to its case.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::PgExecutor;
use uuid::Uuid;

use super::{FILTER_SQL, Filter, bind_filter};
use crate::{
    Result,
    domain::{Channel, SlaTarget},
};

/// One breached SLA clock.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, Serialize)]
pub struct Breach {
    /// The case.
    pub case_id: Uuid,
    /// Its tracking code.
    pub tracking_code: String,
    /// Which target was missed.
    pub target: SlaTarget,
    /// When the case opened.
    pub opened_at: DateTime<Utc>,
    /// The deadline that passed: the moment the target was missed.
    pub due_at: DateTime<Utc>,
    /// When a router recorded the breach and raised it to a lead; `None`
    /// when the target was met late, or is overdue, before any router swept it.
    pub breached_at: Option<DateTime<Utc>>,
    /// When the target was finally met, if it has been.
    pub met_at: Option<DateTime<Utc>>,
    /// Who owned the case when it breached (the owner the breach was
    /// recorded against; for a late-met clock never swept, the case's owner now).
    pub owner_id: Uuid,
    /// Their display name.
    pub owner_name: String,
    /// The case's area.
    pub area: Option<String>,
    /// The case's topic.
    pub topic: Option<String>,
    /// The channel of its first contact.
    pub channel: Channel,
}

impl Breach {
    /// The CSV header: the field names above, in order.
    pub const COLUMNS: [&'static str; 12] = [
        "case_id",
        "tracking_code",
        "target",
        "opened_at",
        "due_at",
        "breached_at",
        "met_at",
        "owner_id",
        "owner_name",
        "area",
        "topic",
        "channel",
    ];
}

/// At most `limit` breaches and how many there are in all.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BreachList {
    /// Breaches among the cases covered, in all.
    pub total: i64,
    /// The latest `limit` of them, latest deadline first.
    pub rows: Vec<Breach>,
}

#[derive(sqlx::FromRow)]
struct Counted {
    #[sqlx(flatten)]
    breach: Breach,
    total: i64,
}

/// The breached clocks (deadline passed unmet by `now`, or met late) of the
/// cases `filter` covers: the `limit` with the latest deadlines, and the total.
#[tracing::instrument(skip(e))]
pub async fn breaches(e: impl PgExecutor<'_>, filter: &Filter, limit: i64, now: DateTime<Utc>) -> Result<BreachList> {
    let sql = format!(
        "WITH b AS (
             SELECT c.id AS case_id, c.tracking_code, k.target, c.opened_at, k.due_at, k.breached_at, k.met_at,
                    c.owner_id AS owner_now, c.area, c.topic, c.channel, count(*) OVER () AS total
             FROM cases c
             JOIN sla_clocks k ON k.case_id = c.id
             -- Recorded, met late, or overdue and not yet swept (the last
             -- arm is the sweep's own partial index, sla_clocks_to_breach).
             WHERE {FILTER_SQL}
               AND (k.breached_at IS NOT NULL OR k.met_at > k.due_at
                    OR (k.breached_at IS NULL AND k.met_at IS NULL AND k.due_at <= $7))
             ORDER BY k.due_at DESC, c.id, k.target
             LIMIT $6
         )
         SELECT b.case_id, b.tracking_code, b.target, b.opened_at, b.due_at, b.breached_at, b.met_at,
                r.id AS owner_id, r.display_name AS owner_name, b.area, b.topic, b.channel, b.total
         FROM b
         LEFT JOIN LATERAL (
             SELECT (e.data->>'owner_id')::uuid AS owner_id
             FROM case_events e
             WHERE e.case_id = b.case_id AND e.kind = 'sla_breached' AND e.data->>'target' = b.target
             ORDER BY e.id
             LIMIT 1
         ) at_breach ON true
         JOIN responders r ON r.id = coalesce(at_breach.owner_id, b.owner_now)
         ORDER BY b.due_at DESC, b.case_id, b.target"
    );
    let rows: Vec<Counted> = bind_filter(sqlx::query_as(&sql), filter).bind(limit).bind(now).fetch_all(e).await?;
    let total = rows.first().map_or(0, |r| r.total);
    Ok(BreachList { total, rows: rows.into_iter().map(|r| r.breach).collect() })
}
