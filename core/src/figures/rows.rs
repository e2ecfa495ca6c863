//! The grouped figures' shape: one row per area, topic, channel, responder,
//! hour of day or ISO week (or one row for everything), with the count each
//! figure rests on, so a public page can withhold figures resting on too
//! few cases, and the breach list. [`super::Figures`] computes them.

use serde::Serialize;

use crate::store::breaches::Breach;

/// What a report is broken down by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Deserialize, Serialize, utoipa::ToSchema)]
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
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, Serialize, utoipa::ToSchema)]
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

/// At most `limit` breaches and how many there are in all.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct BreachList {
    /// Breaches among the cases covered, in all.
    pub total: i64,
    /// The latest `limit` of them, latest deadline first.
    pub rows: Vec<Breach>,
}
