//! What `/open` publishes for a period: each figure with whether it is
//! withheld, the rows of each breakdown, their CSV form, and the cache of
//! recently asked periods. No handler and no markup: the handlers compute
//! and serve these, the page renders them.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

pub use batline_core::figures::MIN_CASES;
use batline_core::{
    csv_export::text_cell,
    figures::{ReportRow, suppress},
};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

/// How long one period's figures are served before they are computed again.
const CACHE_FOR: Duration = Duration::from_secs(300);
/// Periods kept at once; the oldest goes first.
const CACHE_SIZE: usize = 32;

/// One published figure: its value, or `null` and `withheld: true`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Figure {
    /// The number (seconds, a share 0–1, a count, a score), or `null`.
    pub value: Option<f64>,
    /// True when it rests on fewer than [`MIN_CASES`] cases, or its row is
    /// withheld so that another row's withheld count cannot be worked out,
    /// and is not shown.
    pub withheld: bool,
}

impl Figure {
    /// `value` if `basis` (the cases it rests on) is at least [`MIN_CASES`].
    fn resting_on(basis: i64, value: Option<f64>) -> Self {
        if basis < MIN_CASES { Figure { value: None, withheld: true } } else { Figure { value, withheld: false } }
    }
}

/// One group's published figures.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct OpenRow {
    /// The area, topic, channel, hour (`00`–`23`), ISO week (`2026-W43`),
    /// responder's name, or `all`.
    pub group: String,
    /// Cases opened.
    pub cases: Figure,
    /// Median seconds from first contact to a named owner.
    pub time_to_owner_p50: Figure,
    /// 90th percentile of the same.
    pub time_to_owner_p90: Figure,
    /// Median seconds to a human's first response.
    pub first_response_p50: Figure,
    /// 90th percentile of the same.
    pub first_response_p90: Figure,
    /// Median seconds to resolution.
    pub resolution_p50: Figure,
    /// 90th percentile of the same.
    pub resolution_p90: Figure,
    /// Share of decided first-response targets met (0–1).
    pub first_response_within_sla: Figure,
    /// Share of decided resolution targets met (0–1).
    pub resolution_within_sla: Figure,
    /// Acknowledgement deadlines missed.
    pub missed_acknowledgements: Figure,
    /// Accepted hand-offs per case.
    pub handoffs_per_case: Figure,
    /// Cases reopened after the resident said it was not solved.
    pub reopened: Figure,
    /// Cases resolved.
    pub resolved: Figure,
    /// Cases still open.
    pub open: Figure,
    /// Median age in seconds of the cases still open.
    pub open_age_p50: Figure,
    /// Average satisfaction (1–5) of the residents who answered.
    pub satisfaction_avg: Figure,
}

impl OpenRow {
    /// The CSV columns after `dimension` and `group`, in order.
    pub const FIGURES: [&'static str; 16] = [
        "cases",
        "time_to_owner_p50",
        "time_to_owner_p90",
        "first_response_p50",
        "first_response_p90",
        "resolution_p50",
        "resolution_p90",
        "first_response_within_sla",
        "resolution_within_sla",
        "missed_acknowledgements",
        "handoffs_per_case",
        "reopened",
        "resolved",
        "open",
        "open_age_p50",
        "satisfaction_avg",
    ];

    /// The published form of a report row: each figure checked against what it rests on.
    pub fn from_report(row: &ReportRow) -> Self {
        let n = row.cases;
        let count = |v: i64| Figure::resting_on(n, Some(v as f64));
        OpenRow {
            group: row.group.clone(),
            cases: count(row.cases),
            time_to_owner_p50: Figure::resting_on(n, row.time_to_owner_p50),
            time_to_owner_p90: Figure::resting_on(n, row.time_to_owner_p90),
            first_response_p50: Figure::resting_on(row.responded, row.first_response_p50),
            first_response_p90: Figure::resting_on(row.responded, row.first_response_p90),
            resolution_p50: Figure::resting_on(row.resolved, row.resolution_p50),
            resolution_p90: Figure::resting_on(row.resolved, row.resolution_p90),
            first_response_within_sla: Figure::resting_on(row.first_response_decided, row.first_response_within_sla),
            resolution_within_sla: Figure::resting_on(row.resolution_decided, row.resolution_within_sla),
            missed_acknowledgements: count(row.missed_acknowledgements),
            handoffs_per_case: Figure::resting_on(n, Some(row.handoffs_per_case)),
            reopened: count(row.reopened),
            resolved: count(row.resolved),
            open: count(row.open),
            open_age_p50: Figure::resting_on(row.open, row.open_age_p50),
            satisfaction_avg: Figure::resting_on(row.satisfaction_answers, row.satisfaction_avg),
        }
    }

    /// A row of `group` with every figure withheld.
    pub fn withheld(group: &str) -> Self {
        OpenRow::from_report(&ReportRow::empty(group))
    }

    /// The figures in [`OpenRow::FIGURES`] order.
    pub fn figures(&self) -> [Figure; 16] {
        [
            self.cases,
            self.time_to_owner_p50,
            self.time_to_owner_p90,
            self.first_response_p50,
            self.first_response_p90,
            self.resolution_p50,
            self.resolution_p90,
            self.first_response_within_sla,
            self.resolution_within_sla,
            self.missed_acknowledgements,
            self.handoffs_per_case,
            self.reopened,
            self.resolved,
            self.open,
            self.open_age_p50,
            self.satisfaction_avg,
        ]
    }
}

/// The published rows of the period's total (`summary`) and of each of its
/// `breakdowns`: each figure checked against what it rests on, and whole
/// rows withheld, beyond those resting on too few cases, so that no withheld
/// count can be worked out from the total and the counts shown
/// ([`batline_core::figures::suppress`], the one place that decides).
pub fn published(summary: &ReportRow, breakdowns: &[Vec<ReportRow>]) -> (OpenRow, Vec<Vec<OpenRow>>) {
    let counts: Vec<Vec<i64>> = breakdowns.iter().map(|rows| rows.iter().map(|r| r.cases).collect()).collect();
    let counts: Vec<&[i64]> = counts.iter().map(Vec::as_slice).collect();
    let suppression = suppress(summary.cases, &counts, MIN_CASES);
    let row =
        |r: &ReportRow, withheld: bool| if withheld { OpenRow::withheld(&r.group) } else { OpenRow::from_report(r) };
    let tables = breakdowns
        .iter()
        .zip(&suppression.breakdowns)
        .map(|(rows, withheld)| rows.iter().zip(withheld).map(|(r, w)| row(r, *w)).collect())
        .collect();
    (row(summary, suppression.total), tables)
}

/// The one group a breakdown of typed names shows for all its withheld groups.
pub const WITHHELD_GROUP: &str = "(withheld)";

/// A breakdown whose group names were typed by someone (topics: a walk-in's
/// topic is free text) without the names of the groups whose count is
/// withheld: a name resting on fewer than [`MIN_CASES`] cases could single
/// out the resident who gave it, or publish whatever was typed. Those groups
/// become one row, [`WITHHELD_GROUP`], every figure withheld, at the end.
pub fn without_withheld_names(rows: Vec<OpenRow>) -> Vec<OpenRow> {
    let (withheld, mut shown): (Vec<_>, Vec<_>) = rows.into_iter().partition(|row| row.cases.withheld);
    if !withheld.is_empty() {
        shown.push(OpenRow::withheld(WITHHELD_GROUP));
    }
    shown
}

/// Everything `/open` publishes for a period.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OpenData {
    /// First day covered (Helsinki).
    pub from: NaiveDate,
    /// Last day covered, included.
    pub to: NaiveDate,
    /// When the figures were computed.
    pub generated_at: DateTime<Utc>,
    /// Figures resting on fewer cases than this are withheld.
    pub min_cases: i64,
    /// How percentiles are computed.
    #[schema(value_type = String, example = "percentile_cont")]
    pub percentile_method: &'static str,
    /// Whether the city publishes figures per responder.
    pub responders_shown: bool,
    /// Every case of the period.
    pub summary: OpenRow,
    /// Per area (district).
    pub by_area: Vec<OpenRow>,
    /// Per topic.
    pub by_topic: Vec<OpenRow>,
    /// Per channel.
    pub by_channel: Vec<OpenRow>,
    /// Per Helsinki hour of day the case opened.
    pub by_hour: Vec<OpenRow>,
    /// Per ISO week, every week of the period.
    pub by_week: Vec<OpenRow>,
    /// Per responder, by name; only when the city turns it on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by_responder: Option<Vec<OpenRow>>,
}

impl OpenData {
    /// Each breakdown with its name, as the CSV's `dimension` column says it.
    pub fn tables(&self) -> Vec<(&'static str, Vec<&OpenRow>)> {
        let mut tables = vec![
            ("all", vec![&self.summary]),
            ("area", self.by_area.iter().collect()),
            ("topic", self.by_topic.iter().collect()),
            ("channel", self.by_channel.iter().collect()),
            ("hour", self.by_hour.iter().collect()),
            ("week", self.by_week.iter().collect()),
        ];
        if let Some(rows) = &self.by_responder {
            tables.push(("responder", rows.iter().collect()));
        }
        tables
    }
}

/// A period: its first and last day.
type Period = (NaiveDate, NaiveDate);

/// Recently computed periods, each with when it was computed.
#[derive(Default)]
pub struct OpenCache {
    periods: Mutex<HashMap<Period, (Instant, Arc<OpenData>)>>,
}

impl OpenCache {
    /// The figures of `key`, if computed within the last few minutes.
    pub fn get(&self, key: Period) -> Option<Arc<OpenData>> {
        let periods = self.periods.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        periods.get(&key).filter(|(at, _)| at.elapsed() < CACHE_FOR).map(|(_, data)| data.clone())
    }

    /// Keeps `data` for `key`, dropping the oldest period when full.
    pub fn put(&self, key: Period, data: Arc<OpenData>) {
        let mut periods = self.periods.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        periods.retain(|_, (at, _)| at.elapsed() < CACHE_FOR);
        if periods.len() >= CACHE_SIZE
            && let Some(oldest) = periods.iter().min_by_key(|(_, (at, _))| *at).map(|(k, _)| *k)
        {
            periods.remove(&oldest);
        }
        periods.insert(key, (Instant::now(), data));
    }
}

/// The CSV form of `data`.
pub fn csv(data: &OpenData) -> Result<Vec<u8>, csv::Error> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["dimension", "group"];
    header.extend(OpenRow::FIGURES);
    header.push("withheld");
    writer.write_record(&header)?;
    for (dimension, rows) in data.tables() {
        for row in rows {
            let figures = row.figures();
            let mut record = vec![text_cell(dimension).into_owned(), text_cell(&row.group).into_owned()];
            record.extend(figures.iter().map(|f| f.value.map(|v| v.to_string()).unwrap_or_default()));
            let withheld: Vec<&str> =
                OpenRow::FIGURES.iter().zip(&figures).filter(|(_, f)| f.withheld).map(|(name, _)| *name).collect();
            record.push(withheld.join(" "));
            writer.write_record(&record)?;
        }
    }
    writer.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(cases: i64, resolved: i64, answers: i64) -> ReportRow {
        ReportRow {
            cases,
            responded: cases,
            resolved,
            time_to_owner_p50: Some(2.0),
            first_response_p50: Some(60.0),
            resolution_p90: Some(3600.0),
            first_response_decided: cases,
            first_response_within_sla: Some(1.0),
            satisfaction_avg: Some(4.0),
            satisfaction_answers: answers,
            ..ReportRow::empty("Kallio")
        }
    }

    #[test]
    fn withheld_topics_become_one_group_without_their_names() {
        let typed =
            |name: &str, cases| OpenRow::from_report(&ReportRow { group: name.into(), ..row(cases, cases, cases) });
        let rows = vec![typed("Kallion katuvalot", 9), typed("Matin ovi", 1), typed("=cmd", 4), typed("puistot", 5)];
        let shown = without_withheld_names(rows);
        let groups: Vec<&str> = shown.iter().map(|r| r.group.as_str()).collect();
        assert_eq!(groups, ["Kallion katuvalot", "puistot", WITHHELD_GROUP]);
        assert!(shown[2].figures().iter().all(|f| f.withheld && f.value.is_none()));
        let all_shown = without_withheld_names(vec![typed("puistot", 5)]);
        assert_eq!(all_shown.len(), 1, "no withheld group when nothing is withheld");
    }

    #[test]
    fn a_withheld_count_is_not_the_total_minus_the_others() {
        // Issue 17's day: 49 cases, chat 32, SMS 15, walk-in 2.
        let channel = |name: &str, cases| ReportRow { group: name.into(), ..row(cases, cases, cases) };
        let (summary, tables) =
            published(&row(49, 49, 49), &[vec![channel("chat", 32), channel("sms", 15), channel("walk_in", 2)]]);
        assert_eq!(summary.cases.value, Some(49.0));
        let shown: Vec<(&str, Option<f64>)> = tables[0].iter().map(|r| (r.group.as_str(), r.cases.value)).collect();
        assert_eq!(shown, [("chat", Some(32.0)), ("sms", None), ("walk_in", None)]);
        assert!(tables[0][1].figures().iter().all(|f| f.withheld && f.value.is_none()), "the whole SMS row goes");
        assert_eq!(tables[0][1].group, "sms", "the group is still listed");
    }

    #[test]
    fn figures_resting_on_fewer_than_five_cases_are_withheld() {
        let small = OpenRow::from_report(&row(4, 4, 4));
        assert!(small.figures().iter().all(|f| f.withheld && f.value.is_none()), "{small:?}");
        // Ten cases, but only four resolved and three answers: those figures go.
        let mixed = OpenRow::from_report(&row(10, 4, 3));
        assert_eq!(mixed.cases, Figure { value: Some(10.0), withheld: false });
        assert_eq!(mixed.first_response_p50, Figure { value: Some(60.0), withheld: false });
        assert!(mixed.resolution_p90.withheld && mixed.resolution_p90.value.is_none());
        assert!(mixed.satisfaction_avg.withheld);
        assert!(mixed.open_age_p50.withheld, "no open cases: nothing to show");
        let full = OpenRow::from_report(&row(5, 5, 5));
        assert!(!full.resolution_p90.withheld && !full.satisfaction_avg.withheld);
    }
}
