//! `/open`: the city's public accountability figures. The same aggregates
//! as the mayor's dashboard (`batline_core::store::reports`) for a period,
//! by area, topic, channel, hour of day and ISO week, and by responder only
//! when the city turns that on (`BATLINE_OPEN_SHOW_RESPONDERS`). Never a
//! resident's data: no phone, no text, no tracking code, no case id.
//!
//! Any figure resting on fewer than [`MIN_CASES`] cases is withheld (`null`
//! with `withheld: true`), so no resident can be singled out: a group's
//! count with its group, a percentile with the cases it is taken over (a
//! p90 of four resolutions is withheld even in a group of ten), a share
//! with the clocks it is a share of, an average with the answers.
//!
//! The page (`GET /open`), the open data (`/open/data.json`, `/open/data.csv`)
//! and the JSON Schema (`/open/schema.json`; `docs/open-data.md` explains
//! it) answer from one computation per period, kept for a few minutes: a
//! year of a big city is a million cases, and the page is public.

use std::{
    collections::HashMap,
    net::SocketAddr,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use axum::{
    Json,
    extract::{ConnectInfo, State},
    http::{
        HeaderMap, HeaderValue,
        header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_SECURITY_POLICY, CONTENT_TYPE},
    },
    response::{IntoResponse, Response},
};
use batline_core::{
    domain::Language,
    roster::TZ,
    store::reports::{self, Filter, Grouping, ReportRow},
};
use chrono::{DateTime, Datelike, Duration as Days, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::{AppState, error::ApiError, extract::Query};

/// Figures resting on fewer cases than this are withheld.
pub const MIN_CASES: i64 = 5;
/// How long one period's figures are served before they are computed again.
const CACHE_FOR: Duration = Duration::from_secs(300);
/// Periods kept at once; the oldest goes first.
const CACHE_SIZE: usize = 32;
/// What the pages and data may load: their own styles and nothing else (no
/// script at all), and no framing.
pub const CSP: &str =
    "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// One published figure: its value, or `null` and `withheld: true`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Figure {
    /// The number (seconds, a share 0–1, a count, a score), or `null`.
    pub value: Option<f64>,
    /// True when it rests on fewer than [`MIN_CASES`] cases and is not shown.
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
    fn get(&self, key: Period) -> Option<Arc<OpenData>> {
        let periods = self.periods.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        periods.get(&key).filter(|(at, _)| at.elapsed() < CACHE_FOR).map(|(_, data)| data.clone())
    }

    fn put(&self, key: Period, data: Arc<OpenData>) {
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

/// The query string of every `/open` address.
#[derive(Debug, Deserialize)]
pub struct OpenQuery {
    /// First day, `YYYY-MM-DD` (default: the Monday four weeks before this week's).
    from: Option<String>,
    /// Last day, included (default: last Sunday).
    to: Option<String>,
    /// `fi`, `sv` or `en` (the page only; default from Accept-Language, else Finnish).
    lang: Option<String>,
}

/// The last four full ISO weeks before the one `today` is in.
pub fn last_four_weeks(today: NaiveDate) -> (NaiveDate, NaiveDate) {
    let monday = today - Days::days(i64::from(today.weekday().num_days_from_monday()));
    (monday - Days::days(28), monday - Days::days(1))
}

/// The period asked for, checked: real dates, in order, at most a year.
fn period(q: &OpenQuery) -> Result<(NaiveDate, NaiveDate), ApiError> {
    let parse = |field: &str, raw: &Option<String>| -> Result<Option<NaiveDate>, ApiError> {
        match raw.as_deref().filter(|s| !s.is_empty()) {
            None => Ok(None),
            Some(s) => s.parse().map(Some).map_err(|_| {
                ApiError::Core(batline_core::Error::Invalid(format!("{field} must be a date like 2026-10-19")))
            }),
        }
    };
    let (default_from, default_to) = last_four_weeks(Utc::now().with_timezone(&TZ).date_naive());
    let to = parse("to", &q.to)?.unwrap_or(default_to);
    let from = parse("from", &q.from)?.unwrap_or(if q.to.is_some() { to - Days::days(27) } else { default_from });
    // Validates order and length the same way the dashboard does.
    Filter::helsinki_days(from, to)?;
    Ok((from, to))
}

/// The page's language: `?lang=`, else the first of Accept-Language Batline speaks, else Finnish.
fn language(q: &OpenQuery, headers: &HeaderMap) -> Language {
    crate::lang::pick(q.lang.as_deref(), headers)
}

/// The published figures for `from`–`to`, from the cache or computed.
async fn figures(state: &AppState, from: NaiveDate, to: NaiveDate) -> Result<Arc<OpenData>, ApiError> {
    if let Some(data) = state.open_cache.get((from, to)) {
        return Ok(data);
    }
    let filter = Filter::helsinki_days(from, to)?;
    let now = Utc::now();
    let rows = |rows: Vec<ReportRow>| rows.iter().map(OpenRow::from_report).collect::<Vec<_>>();
    let report = |by| state.figures.report(&filter, by, now);
    let summary = report(Grouping::All).await?.pop().unwrap_or_else(|| ReportRow::empty("all"));
    let mut weeks = report(Grouping::Week).await?;
    let by_week = reports::iso_weeks(from, to)
        .into_iter()
        .map(|week| match weeks.iter().position(|r| r.group == week) {
            Some(i) => weeks.swap_remove(i),
            None => ReportRow::empty(week),
        })
        .collect();
    let show_responders = state.config.open.show_responders;
    let data = OpenData {
        from,
        to,
        generated_at: now,
        min_cases: MIN_CASES,
        percentile_method: "percentile_cont",
        responders_shown: show_responders,
        summary: OpenRow::from_report(&summary),
        by_area: rows(report(Grouping::Area).await?),
        by_topic: rows(report(Grouping::Topic).await?),
        by_channel: rows(report(Grouping::Channel).await?),
        by_hour: rows(report(Grouping::Hour).await?),
        by_week: rows(by_week),
        by_responder: match show_responders {
            true => Some(rows(report(Grouping::Responder).await?)),
            false => None,
        },
    };
    let data = Arc::new(data);
    state.open_cache.put((from, to), data.clone());
    Ok(data)
}

/// Headers every `/open` answer carries.
fn public_headers(response: &mut Response) {
    let headers = response.headers_mut();
    headers.insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("public, max-age=300"));
    headers.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    headers.insert("referrer-policy", HeaderValue::from_static("no-referrer"));
}

async fn checked(
    state: &AppState,
    client: SocketAddr,
    query: &OpenQuery,
) -> Result<(NaiveDate, NaiveDate, Arc<OpenData>), ApiError> {
    state.open_limit.check(client.ip()).map_err(ApiError::TooManyRequests)?;
    let (from, to) = period(query)?;
    Ok((from, to, figures(state, from, to).await?))
}

/// `GET /open?from=&to=&lang=`: the page.
pub async fn page(
    State(state): State<AppState>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    Query(query): Query<OpenQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let lang = language(&query, &headers);
    let (_, _, data) = checked(&state, client, &query).await?;
    let mut response = axum::response::Html(crate::open_page::render(&data, lang)).into_response();
    public_headers(&mut response);
    Ok(response)
}

/// `GET /open/data.json?from=&to=`: the open data as JSON.
#[utoipa::path(
    get, path = "/open/data.json", tag = "open data",
    params(crate::openapi::Period),
    responses(
        (status = 200, description = "The figures of the period (described by `/open/schema.json`)", body = OpenData),
        (status = 400, description = "`from` or `to` is not a date, `from` is after `to`, or the period is longer \
            than 366 days", body = crate::error::ErrorBody),
        crate::openapi::RateLimited,
        crate::openapi::Internal,
    )
)]
pub async fn data_json(
    State(state): State<AppState>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    Query(query): Query<OpenQuery>,
) -> Result<Response, ApiError> {
    let (_, _, data) = checked(&state, client, &query).await?;
    let mut response = Json(&*data).into_response();
    public_headers(&mut response);
    Ok(response)
}

/// `GET /open/data.csv?from=&to=`: the same figures, one row per group:
/// `dimension, group`, then each figure (empty when withheld), then
/// `withheld`, the names of the withheld figures separated by spaces.
#[utoipa::path(
    get, path = "/open/data.csv", tag = "open data",
    params(crate::openapi::Period),
    responses(
        (status = 200, description = "The same figures as CSV: `dimension`, `group`, each figure (empty when \
            withheld), `withheld` (the withheld figures' names)", body = String, content_type = "text/csv",
            headers(("Content-Disposition" = String, description = "`attachment; filename=\"batline-open-FROM-TO.csv\"`"))),
        (status = 400, description = "`from` or `to` is not a date, `from` is after `to`, or the period is longer \
            than 366 days", body = crate::error::ErrorBody),
        crate::openapi::RateLimited,
        crate::openapi::Internal,
    )
)]
pub async fn data_csv(
    State(state): State<AppState>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    Query(query): Query<OpenQuery>,
) -> Result<Response, ApiError> {
    let (from, to, data) = checked(&state, client, &query).await?;
    let body = csv(&data).map_err(|e| batline_core::Error::Invalid(format!("CSV: {e}")))?;
    let file = format!("attachment; filename=\"batline-open-{from}-{to}.csv\"");
    let mut response =
        ([(CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()), (CONTENT_DISPOSITION, file)], body).into_response();
    public_headers(&mut response);
    Ok(response)
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
            let mut record = vec![dimension.to_owned(), row.group.clone()];
            record.extend(figures.iter().map(|f| f.value.map(|v| v.to_string()).unwrap_or_default()));
            let withheld: Vec<&str> =
                OpenRow::FIGURES.iter().zip(&figures).filter(|(_, f)| f.withheld).map(|(name, _)| *name).collect();
            record.push(withheld.join(" "));
            writer.write_record(&record)?;
        }
    }
    writer.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

/// The JSON Schema of `/open/data.json`.
pub const SCHEMA: &str = include_str!("open_schema.json");

/// `GET /open/schema.json`.
#[utoipa::path(
    get, path = "/open/schema.json", tag = "open data",
    responses(
        (status = 200, description = "The JSON Schema (2020-12) of `/open/data.json`", body = Object,
            content_type = "application/schema+json"),
    )
)]
pub async fn schema() -> Response {
    let mut response = ([(CONTENT_TYPE, "application/schema+json")], SCHEMA).into_response();
    public_headers(&mut response);
    response
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

    #[test]
    fn the_default_period_is_the_last_four_full_weeks() {
        let day = |s: &str| s.parse::<NaiveDate>().unwrap_or_default();
        assert_eq!(last_four_weeks(day("2026-11-22")), (day("2026-10-19"), day("2026-11-15")));
        assert_eq!(last_four_weeks(day("2026-11-23")), (day("2026-10-26"), day("2026-11-22")));
    }

    #[test]
    fn the_schema_names_every_figure() {
        let schema: serde_json::Value = serde_json::from_str(SCHEMA).unwrap_or_default();
        let row = &schema["$defs"]["row"]["properties"];
        for name in OpenRow::FIGURES.iter().chain(&["group"]) {
            assert!(row.get(name).is_some(), "{name} is not in the schema");
        }
        let required = schema["required"].as_array().map(Vec::len).unwrap_or(0);
        assert!(required >= 11, "top-level fields are required");
    }
}
