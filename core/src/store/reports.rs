//! The figures of the SLA report: how fast and how well the line answered,
//! for cases opened in a period, grouped by one dimension. One query per
//! report; the grouping expression comes from a fixed list, never from input.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::PgExecutor;

use crate::Result;

/// What a report is broken down by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Grouping {
    /// The case's district.
    Area,
    /// The case's topic.
    Topic,
    /// The channel of the first contact.
    Channel,
    /// The case's current owner.
    Responder,
    /// The Helsinki hour of day the case opened (0–23).
    Hour,
    /// The ISO week (Helsinki) the case opened, e.g. `2026-W47`: the trends.
    Week,
    /// Everything as one group, `all`: the headline figures.
    All,
}

impl Grouping {
    /// The SQL expression grouped by; cases without a value group as "(none)".
    fn expression(self) -> &'static str {
        match self {
            Grouping::Area => "coalesce(c.area, '(none)')",
            Grouping::Topic => "coalesce(c.topic, '(none)')",
            Grouping::Channel => "c.channel",
            Grouping::Responder => "r.display_name",
            Grouping::Hour => "lpad(extract(hour FROM c.opened_at AT TIME ZONE 'Europe/Helsinki')::int::text, 2, '0')",
            Grouping::Week => "to_char(c.opened_at AT TIME ZONE 'Europe/Helsinki', 'IYYY-\"W\"IW')",
            Grouping::All => "'all'",
        }
    }
}

/// One group's figures. Durations are seconds; `None` where no case had one.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct ReportRow {
    /// The group's value (an area, a topic, a channel, a responder's name, an hour).
    pub group: String,
    /// Cases opened in the period.
    pub cases: i64,
    /// Median seconds from the first contact to a named owner.
    pub time_to_owner_p50: Option<f64>,
    /// 90th percentile of the same.
    pub time_to_owner_p90: Option<f64>,
    /// Median seconds to a human's first response.
    pub first_response_p50: Option<f64>,
    /// 90th percentile of the same.
    pub first_response_p90: Option<f64>,
    /// Median seconds to resolution, of the resolved.
    pub resolution_p50: Option<f64>,
    /// 90th percentile of the same.
    pub resolution_p90: Option<f64>,
    /// Share of decided first-response clocks met in time (0–1).
    pub first_response_within_sla: Option<f64>,
    /// Share of decided resolution clocks met in time (0–1).
    pub resolution_within_sla: Option<f64>,
    /// Acknowledgement deadlines missed.
    pub missed_acknowledgements: i64,
    /// Accepted hand-offs per case.
    pub handoffs_per_case: f64,
    /// Cases reopened at least once.
    pub reopened: i64,
    /// Cases still open.
    pub open: i64,
    /// Median age in seconds of the cases still open.
    pub open_age_p50: Option<f64>,
    /// Average satisfaction score (1–5), of those who answered.
    pub satisfaction_avg: Option<f64>,
    /// How many answered.
    pub satisfaction_answers: i64,
}

/// The report for cases opened in `[from, to)`, grouped by `by`, largest
/// groups first. `now` dates the open cases' age.
#[tracing::instrument(skip(e))]
pub async fn sla_report(
    e: impl PgExecutor<'_>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    by: Grouping,
    now: DateTime<Utc>,
) -> Result<Vec<ReportRow>> {
    let sql = format!(
        "WITH c AS (
             SELECT c.*, {group} AS grp,
                    (SELECT min(i.filed_at) FROM intake i WHERE i.case_id = c.id) AS first_owned_at,
                    (SELECT count(*) FROM case_events e WHERE e.case_id = c.id AND e.kind = 'ack_missed') AS acks_missed,
                    (SELECT count(*) FROM handoffs h WHERE h.case_id = c.id AND h.status = 'accepted') AS handoffs,
                    fr.met_at AS fr_met, fr.due_at AS fr_due, fr.breached_at AS fr_breached,
                    rs.met_at AS rs_met, rs.due_at AS rs_due, rs.breached_at AS rs_breached
             FROM cases c
             JOIN responders r ON r.id = c.owner_id
             LEFT JOIN sla_clocks fr ON fr.case_id = c.id AND fr.target = 'first_response'
             LEFT JOIN sla_clocks rs ON rs.case_id = c.id AND rs.target = 'resolution'
             WHERE c.opened_at >= $1 AND c.opened_at < $2
         )
         SELECT grp::text AS \"group\",
                count(*) AS cases,
                percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM first_owned_at - opened_at)::float8) AS time_to_owner_p50,
                percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM first_owned_at - opened_at)::float8) AS time_to_owner_p90,
                percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM first_response_at - opened_at)::float8) AS first_response_p50,
                percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM first_response_at - opened_at)::float8) AS first_response_p90,
                percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM resolved_at - opened_at)::float8) AS resolution_p50,
                percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM resolved_at - opened_at)::float8) AS resolution_p90,
                (count(*) FILTER (WHERE fr_met <= fr_due))::float8
                    / nullif(count(*) FILTER (WHERE fr_met IS NOT NULL OR fr_breached IS NOT NULL), 0)
                    AS first_response_within_sla,
                (count(*) FILTER (WHERE rs_met <= rs_due))::float8
                    / nullif(count(*) FILTER (WHERE rs_met IS NOT NULL OR rs_breached IS NOT NULL), 0)
                    AS resolution_within_sla,
                coalesce(sum(acks_missed), 0)::bigint AS missed_acknowledgements,
                coalesce(sum(handoffs), 0)::float8 / count(*) AS handoffs_per_case,
                count(*) FILTER (WHERE reopened_count > 0) AS reopened,
                count(*) FILTER (WHERE status = 'open') AS open,
                percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM $3 - opened_at)::float8)
                    FILTER (WHERE status = 'open') AS open_age_p50,
                avg(satisfaction_score)::float8 AS satisfaction_avg,
                count(satisfaction_score) AS satisfaction_answers
         FROM c
         GROUP BY grp
         ORDER BY count(*) DESC, grp",
        group = by.expression()
    );
    Ok(sqlx::query_as(&sql).bind(from).bind(to).bind(now).fetch_all(e).await?)
}
