//! The grouped figures: one row per area, topic, channel, responder, hour
//! of day or ISO week (or one row for everything), with the count each
//! figure rests on, so a public page can withhold figures resting on too
//! few cases.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::PgPool;

use super::{FILTER_SQL, Filter, bind_filter};
use crate::Result;

/// What a report is broken down by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Deserialize, Serialize)]
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
    /// The Helsinki hour of day the case opened, `00`–`23`.
    Hour,
    /// The ISO week (Helsinki time) the case opened, like `2026-W43`.
    Week,
    /// No breakdown: one row, `all`, for every case.
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
            Grouping::Week => "to_char(date_trunc('week', c.opened_at AT TIME ZONE 'Europe/Helsinki'), 'IYYY-\"W\"IW')",
            Grouping::All => "'all'",
        }
    }

    /// Hours and weeks read in time order; other groups largest first.
    fn order(self) -> &'static str {
        match self {
            Grouping::Hour | Grouping::Week => "\"group\"",
            _ => "cases DESC, \"group\"",
        }
    }

    /// The name used in URLs and file names.
    pub fn as_str(self) -> &'static str {
        match self {
            Grouping::Area => "area",
            Grouping::Topic => "topic",
            Grouping::Channel => "channel",
            Grouping::Responder => "responder",
            Grouping::Hour => "hour",
            Grouping::Week => "week",
            Grouping::All => "all",
        }
    }
}

/// One group's figures. Durations are seconds, percentiles `percentile_cont`
/// (see the module header); `None` where no case had one. Each figure is
/// followed or preceded by the count it rests on.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, Serialize)]
pub struct ReportRow {
    /// The group's value (an area, a topic, a channel, a responder's name, an hour, a week, `all`).
    pub group: String,
    /// Cases opened in the period.
    pub cases: i64,
    /// Median seconds from the first contact to a named owner (every case
    /// has one from its first second, so this rests on `cases`).
    pub time_to_owner_p50: Option<f64>,
    /// 90th percentile of the same.
    pub time_to_owner_p90: Option<f64>,
    /// Cases a human has responded to.
    pub responded: i64,
    /// Median seconds to a human's first response.
    pub first_response_p50: Option<f64>,
    /// 90th percentile of the same.
    pub first_response_p90: Option<f64>,
    /// Cases resolved (now; a reopened case counts once it is resolved again).
    pub resolved: i64,
    /// Median seconds from opening to resolution, of the resolved.
    pub resolution_p50: Option<f64>,
    /// 90th percentile of the same.
    pub resolution_p90: Option<f64>,
    /// First-response clocks decided: met, or breached.
    pub first_response_decided: i64,
    /// First-response clocks breached (deadline passed unmet, or met late).
    pub first_response_breaches: i64,
    /// Share of decided first-response clocks met in time (0–1).
    pub first_response_within_sla: Option<f64>,
    /// Resolution clocks decided.
    pub resolution_decided: i64,
    /// Resolution clocks breached.
    pub resolution_breaches: i64,
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

impl ReportRow {
    /// The CSV header: the field names above, in order.
    pub const COLUMNS: [&'static str; 23] = [
        "group",
        "cases",
        "time_to_owner_p50",
        "time_to_owner_p90",
        "responded",
        "first_response_p50",
        "first_response_p90",
        "resolved",
        "resolution_p50",
        "resolution_p90",
        "first_response_decided",
        "first_response_breaches",
        "first_response_within_sla",
        "resolution_decided",
        "resolution_breaches",
        "resolution_within_sla",
        "missed_acknowledgements",
        "handoffs_per_case",
        "reopened",
        "open",
        "open_age_p50",
        "satisfaction_avg",
        "satisfaction_answers",
    ];

    /// A group with no cases, as a chart shows a quiet week.
    pub fn empty(group: impl Into<String>) -> Self {
        ReportRow {
            group: group.into(),
            cases: 0,
            time_to_owner_p50: None,
            time_to_owner_p90: None,
            responded: 0,
            first_response_p50: None,
            first_response_p90: None,
            resolved: 0,
            resolution_p50: None,
            resolution_p90: None,
            first_response_decided: 0,
            first_response_breaches: 0,
            first_response_within_sla: None,
            resolution_decided: 0,
            resolution_breaches: 0,
            resolution_within_sla: None,
            missed_acknowledgements: 0,
            handoffs_per_case: 0.0,
            reopened: 0,
            open: 0,
            open_age_p50: None,
            satisfaction_avg: None,
            satisfaction_answers: 0,
        }
    }
}

/// The report's SQL for `by`; `$6` is the instant open cases' age is measured at.
fn sql(by: Grouping) -> String {
    format!(
        "WITH c AS (
             SELECT {group} AS grp, c.reopened_count > 0 AS reopened, c.satisfaction_score,
                    extract(epoch FROM c.owned_at - c.opened_at)::float8 AS to_owner,
                    extract(epoch FROM c.first_response_at - c.opened_at)::float8 AS to_response,
                    extract(epoch FROM c.resolved_at - c.opened_at)::float8 AS to_resolution,
                    CASE WHEN c.status = 'open' THEN extract(epoch FROM $6 - c.opened_at)::float8 END AS age,
                    coalesce(am.n, 0) AS acks_missed,
                    coalesce(h.n, 0) AS handoffs,
                    fr.met_at <= fr.due_at AS fr_met,
                    fr.breached_at IS NOT NULL OR fr.met_at > fr.due_at AS fr_breached,
                    rs.met_at <= rs.due_at AS rs_met,
                    rs.breached_at IS NOT NULL OR rs.met_at > rs.due_at AS rs_breached
             FROM cases c
             JOIN responders r ON r.id = c.owner_id
             LEFT JOIN sla_clocks fr ON fr.case_id = c.id AND fr.target = 'first_response'
             LEFT JOIN sla_clocks rs ON rs.case_id = c.id AND rs.target = 'resolution'
             LEFT JOIN (SELECT case_id, count(*) AS n FROM case_events WHERE kind = 'ack_missed' GROUP BY case_id) am
                    ON am.case_id = c.id
             LEFT JOIN (SELECT case_id, count(*) AS n FROM handoffs WHERE status = 'accepted' GROUP BY case_id) h
                    ON h.case_id = c.id
             WHERE {filter}
         ), g AS (
         SELECT grp::text AS \"group\",
                count(*) AS cases,
                -- One sort per measure gives both percentiles.
                percentile_cont('{{0.5,0.9}}'::float8[]) WITHIN GROUP (ORDER BY to_owner) AS to_owner_p,
                count(to_response) AS responded,
                percentile_cont('{{0.5,0.9}}'::float8[]) WITHIN GROUP (ORDER BY to_response) AS to_response_p,
                count(to_resolution) AS resolved,
                percentile_cont('{{0.5,0.9}}'::float8[]) WITHIN GROUP (ORDER BY to_resolution) AS to_resolution_p,
                count(*) FILTER (WHERE fr_met OR fr_breached) AS first_response_decided,
                count(*) FILTER (WHERE fr_breached) AS first_response_breaches,
                (count(*) FILTER (WHERE fr_met))::float8
                    / nullif(count(*) FILTER (WHERE fr_met OR fr_breached), 0) AS first_response_within_sla,
                count(*) FILTER (WHERE rs_met OR rs_breached) AS resolution_decided,
                count(*) FILTER (WHERE rs_breached) AS resolution_breaches,
                (count(*) FILTER (WHERE rs_met))::float8
                    / nullif(count(*) FILTER (WHERE rs_met OR rs_breached), 0) AS resolution_within_sla,
                coalesce(sum(acks_missed), 0)::bigint AS missed_acknowledgements,
                coalesce(sum(handoffs), 0)::float8 / count(*) AS handoffs_per_case,
                count(*) FILTER (WHERE reopened) AS reopened,
                count(age) AS open,
                percentile_cont(0.5) WITHIN GROUP (ORDER BY age) AS open_age_p50,
                avg(satisfaction_score)::float8 AS satisfaction_avg,
                count(satisfaction_score) AS satisfaction_answers
         FROM c
         GROUP BY grp
         )
         SELECT \"group\", cases,
                to_owner_p[1] AS time_to_owner_p50, to_owner_p[2] AS time_to_owner_p90,
                responded, to_response_p[1] AS first_response_p50, to_response_p[2] AS first_response_p90,
                resolved, to_resolution_p[1] AS resolution_p50, to_resolution_p[2] AS resolution_p90,
                first_response_decided, first_response_breaches, first_response_within_sla,
                resolution_decided, resolution_breaches, resolution_within_sla,
                missed_acknowledgements, handoffs_per_case, reopened, open, open_age_p50,
                satisfaction_avg, satisfaction_answers
         FROM g
         ORDER BY {order}",
        group = by.expression(),
        filter = FILTER_SQL,
        order = by.order(),
    )
}

/// The report for the cases `filter` covers, grouped by `by`. `now` dates
/// the open cases' age.
#[tracing::instrument(skip(pool))]
pub async fn sla_report(pool: &PgPool, filter: &Filter, by: Grouping, now: DateTime<Utc>) -> Result<Vec<ReportRow>> {
    let sql = sql(by);
    let mut tx = pool.begin().await?;
    roomy_sorts(&mut tx).await?;
    let rows = bind_filter(sqlx::query_as(&sql), filter).bind(now).fetch_all(&mut *tx).await?;
    tx.commit().await?;
    Ok(rows)
}

/// PostgreSQL's `EXPLAIN (ANALYZE, BUFFERS)` of [`sla_report`] with the
/// same arguments, one line per plan line: for the dashboard benchmark.
#[tracing::instrument(skip(pool))]
pub async fn explain_sla_report(
    pool: &PgPool,
    filter: &Filter,
    by: Grouping,
    now: DateTime<Utc>,
) -> Result<Vec<String>> {
    let sql = format!("EXPLAIN (ANALYZE, BUFFERS) {}", sql(by));
    let mut tx = pool.begin().await?;
    roomy_sorts(&mut tx).await?;
    let rows: Vec<(String,)> = bind_filter(sqlx::query_as(&sql), filter).bind(now).fetch_all(&mut *tx).await?;
    tx.commit().await?;
    Ok(rows.into_iter().map(|(line,)| line).collect())
}

/// Lets this transaction's sorts and hashes use 256 MB each: a year of a
/// big city is a million cases, whose percentile sorts and hash joins spill
/// to disk at the default 4 MB and then take several times as long. JIT is
/// off because compiling this plan costs about 0.3 s and saves less. Only
/// for the transaction, so nothing else is affected.
async fn roomy_sorts(tx: &mut sqlx::Transaction<'_, sqlx::Postgres>) -> Result<()> {
    sqlx::query("SELECT set_config('work_mem', '256MB', true), set_config('jit', 'off', true)")
        .execute(&mut **tx)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_csv_columns_are_the_serialised_fields_in_order() {
        let value = serde_json::to_value(ReportRow::empty("x")).unwrap_or_default();
        let keys: Vec<&str> = value.as_object().map(|o| o.keys().map(String::as_str).collect()).unwrap_or_default();
        // serde_json sorts keys unless preserve_order is on, so compare as sets and count.
        let mut sorted_columns = ReportRow::COLUMNS.to_vec();
        sorted_columns.sort_unstable();
        let mut sorted_keys = keys.clone();
        sorted_keys.sort_unstable();
        assert_eq!(sorted_columns, sorted_keys);
        let mut writer = csv::Writer::from_writer(Vec::new());
        assert!(writer.serialize(ReportRow::empty("x")).is_ok());
        let text = String::from_utf8(writer.into_inner().unwrap_or_default()).unwrap_or_default();
        assert_eq!(text.lines().next(), Some(ReportRow::COLUMNS.join(",").as_str()));
    }
}
