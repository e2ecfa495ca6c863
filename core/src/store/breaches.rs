//! The details of SLA breaches the figures list, each with what the
//! dashboard needs to link to its case. Which clocks breached is worked out
//! in memory with the other figures ([`crate::figures`]), so the list and
//! the counts cannot disagree; this reads the details of the ones listed.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::PgExecutor;
use uuid::Uuid;

use crate::{
    Result,
    domain::{Channel, SlaTarget},
};

/// One breached SLA clock.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, Serialize, utoipa::ToSchema)]
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

/// The breached clocks `clocks` names (a case and a target each), in that
/// order: [`crate::figures::Figures::breaches`] picks them from memory and
/// this reads what the list shows of each. A clock that is not there is
/// left out.
#[tracing::instrument(skip(e, clocks), fields(clocks = clocks.len()))]
pub async fn breaches_of(e: impl PgExecutor<'_>, clocks: &[(Uuid, SlaTarget)]) -> Result<Vec<Breach>> {
    let case_ids: Vec<Uuid> = clocks.iter().map(|(id, _)| *id).collect();
    let targets: Vec<&str> = clocks.iter().map(|(_, target)| target.as_str()).collect();
    Ok(sqlx::query_as(
        "SELECT c.id AS case_id, c.tracking_code, k.target, c.opened_at, k.due_at, k.breached_at, k.met_at,
                r.id AS owner_id, r.display_name AS owner_name, c.area, c.topic, c.channel
         FROM unnest($1::uuid[], $2::text[]) WITH ORDINALITY AS want (case_id, target, n)
         JOIN cases c ON c.id = want.case_id
         JOIN sla_clocks k ON k.case_id = want.case_id AND k.target = want.target
         -- Who owned the case when the breach was recorded; for one not yet
         -- recorded (met late, or overdue before a sweep), the owner now.
         LEFT JOIN LATERAL (
             SELECT (e.data->>'owner_id')::uuid AS owner_id
             FROM case_events e
             WHERE e.case_id = c.id AND e.kind = 'sla_breached' AND e.data->>'target' = k.target
             ORDER BY e.id
             LIMIT 1
         ) at_breach ON true
         JOIN responders r ON r.id = coalesce(at_breach.owner_id, c.owner_id)
         ORDER BY want.n",
    )
    .bind(case_ids)
    .bind(targets)
    .fetch_all(e)
    .await?)
}
