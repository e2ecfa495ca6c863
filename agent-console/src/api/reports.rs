//! The reports behind the mayor's SLA dashboard, for leads, the mayor and
//! admins. Every endpoint covers the cases opened in a period (Helsinki
//! dates, both ends included), optionally only one channel, topic or area,
//! and answers JSON, or with `format=csv` the same rows and columns as a
//! download:
//!
//! - `GET /api/v1/reports/sla`: the figures per area, topic, channel,
//!   responder, hour of day, ISO week, or `all` in one row;
//! - `GET /api/v1/reports/trends`: the figures per ISO week, every week of
//!   the period listed (a quiet week with zero cases);
//! - `GET /api/v1/reports/breaches`: the SLA breaches, latest deadline first;
//! - `GET /api/v1/reports/dashboard`: all of it in one JSON answer.
//!
//! Percentiles are `percentile_cont` (linear interpolation); see
//! `batline_core::store::reports`.

use axum::{
    Json,
    extract::State,
    http::header::{CONTENT_DISPOSITION, CONTENT_TYPE},
    response::{IntoResponse, Response},
};
use batline_core::{
    domain::Channel,
    figures::{BreachList, Filter, Grouping, ReportRow, iso_weeks},
    roster::TZ,
    store::breaches::Breach,
};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::{http::error::ApiError, http::extract::Query, http::signed_in::SignedIn, state::AppState};

/// Breaches listed when the query does not say.
const DEFAULT_BREACHES: i64 = 500;
/// Most breaches one answer lists (the total is always given).
const MAX_BREACHES: i64 = 10_000;
/// Longest topic or area name a filter takes.
const MAX_NAME: usize = 100;

/// The query string every report takes.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    /// First day, `YYYY-MM-DD` (default: six days before `to`).
    from: Option<NaiveDate>,
    /// Last day, included (default: today, Helsinki).
    to: Option<NaiveDate>,
    /// The breakdown of `sla` and `dashboard` (default `area`).
    by: Option<Grouping>,
    /// Only this channel.
    channel: Option<Channel>,
    /// Only this topic (1 to 100 characters).
    #[param(min_length = 1, max_length = 100, pattern = "^[\\s\\S]*[^\\s\\x00-\\x1f\\x7f-\\x9f][\\s\\S]*$")]
    topic: Option<String>,
    /// Only this area (1 to 100 characters).
    #[param(min_length = 1, max_length = 100, pattern = "^[\\s\\S]*[^\\s\\x00-\\x1f\\x7f-\\x9f][\\s\\S]*$")]
    area: Option<String>,
    /// Breaches listed by `breaches` and `dashboard` (default 500, at most 10 000).
    #[param(minimum = 1, maximum = 10_000)]
    limit: Option<i64>,
    /// `json` (default) or `csv`; `dashboard` is JSON only.
    format: Option<Format>,
}

/// The answer's format.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// `application/json`.
    Json,
    /// `text/csv`, one row per group or breach.
    Csv,
}

/// The period and filters an answer covers, echoed in every JSON answer.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Scope {
    /// First day covered (Helsinki).
    from: NaiveDate,
    /// Last day covered, included.
    to: NaiveDate,
    /// Only this channel.
    channel: Option<Channel>,
    /// Only this topic.
    topic: Option<String>,
    /// Only this area.
    area: Option<String>,
}

/// A query checked: who may ask, what it covers.
struct Checked {
    scope: Scope,
    filter: Filter,
    by: Grouping,
    limit: i64,
    format: Format,
    now: DateTime<Utc>,
}

fn check(
    me: &batline_core::store::responders::Responder,
    query: Result<Query<ReportQuery>, ApiError>,
) -> Result<Checked, ApiError> {
    if !me.role.may_reassign() {
        return Err(ApiError::Forbidden("the SLA reports are for leads, the mayor and admins".into()));
    }
    let Query(q) = query.map_err(|e| {
        let e = e.parts().2;
        ApiError::Unprocessable(format!(
            "{e}; expected from, to (YYYY-MM-DD), by (area, topic, channel, responder, hour, week, all), \
             channel (sms, voice, chat, walk_in), topic, area, limit and format (json, csv)"
        ))
    })?;
    let now = Utc::now();
    let to = q.to.unwrap_or_else(|| now.with_timezone(&TZ).date_naive());
    let from = q.from.unwrap_or(to - Duration::days(6));
    let name = |field: &str, value: Option<String>| match value {
        Some(v) if v.trim().is_empty() || v.chars().count() > MAX_NAME => {
            Err(ApiError::Unprocessable(format!("{field} must be 1-{MAX_NAME} characters")))
        }
        other => Ok(other),
    };
    let topic = name("topic", q.topic)?;
    let area = name("area", q.area)?;
    let limit = q.limit.unwrap_or(DEFAULT_BREACHES);
    if !(1..=MAX_BREACHES).contains(&limit) {
        return Err(ApiError::Unprocessable(format!("limit must be 1-{MAX_BREACHES}")));
    }
    let filter =
        Filter { channel: q.channel, topic: topic.clone(), area: area.clone(), ..Filter::helsinki_days(from, to)? };
    Ok(Checked {
        scope: Scope { from, to, channel: q.channel, topic, area },
        filter,
        by: q.by.unwrap_or(Grouping::Area),
        limit,
        format: q.format.unwrap_or(Format::Json),
        now,
    })
}

/// The JSON answer of `sla` and `trends`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Report {
    /// The period and filters covered.
    #[serde(flatten)]
    scope: Scope,
    /// The breakdown.
    by: Grouping,
    /// One row per group.
    rows: Vec<ReportRow>,
}

/// The JSON answer of `breaches`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Breaches {
    /// The period and filters covered.
    #[serde(flatten)]
    scope: Scope,
    /// The breaches and their total.
    #[serde(flatten)]
    list: BreachList,
}

/// `GET /api/v1/reports/sla?from=&to=&by=&channel=&topic=&area=&format=`.
#[utoipa::path(get, path = "/api/v1/reports/sla", tag = "reports", params(ReportQuery), responses(
    (status = 200, description = "The figures per `by`; with `format=csv` the same rows as a CSV download", content((Report = "application/json"), (String = "text/csv")),
        headers(("Content-Disposition" = String, description = "With `format=csv`: `attachment; filename=…`"))),
    (status = 403, description = "Not a lead, the mayor or an admin", body = crate::http::error::ErrorBody),
    (status = 422, description = "A parameter that does not parse or is out of range, `from` after `to`, a period \
        longer than 366 days, or an unknown parameter; `detail` says which", body = crate::http::error::ErrorBody),
    crate::http::responses::Signed,
))]
pub async fn sla(
    State(state): State<AppState>,
    SignedIn(me): SignedIn,
    query: Result<Query<ReportQuery>, ApiError>,
) -> Result<Response, ApiError> {
    let q = check(&me, query)?;
    let rows = state.figures.report(&q.filter, q.by, q.now).await?;
    match q.format {
        Format::Json => Ok(Json(Report { scope: q.scope, by: q.by, rows }).into_response()),
        Format::Csv => csv_download(&format!("sla-{}", q.by.as_str()), &q.scope, &ReportRow::COLUMNS, &rows),
    }
}

/// `GET /api/v1/reports/trends?from=&to=&channel=&topic=&area=&format=`:
/// one row per ISO week of the period, quiet weeks included.
#[utoipa::path(get, path = "/api/v1/reports/trends", tag = "reports", params(ReportQuery), responses(
    (status = 200, description = "The figures per ISO week, every week of the period; with `format=csv` as CSV", content((Report = "application/json"), (String = "text/csv")),
        headers(("Content-Disposition" = String, description = "With `format=csv`: `attachment; filename=…`"))),
    (status = 403, description = "Not a lead, the mayor or an admin", body = crate::http::error::ErrorBody),
    (status = 422, description = "A parameter that does not parse or is out of range, `from` after `to`, a period \
        longer than 366 days, or an unknown parameter; `detail` says which", body = crate::http::error::ErrorBody),
    crate::http::responses::Signed,
))]
pub async fn trends(
    State(state): State<AppState>,
    SignedIn(me): SignedIn,
    query: Result<Query<ReportQuery>, ApiError>,
) -> Result<Response, ApiError> {
    let q = check(&me, query)?;
    let rows = weekly(&state, &q).await?;
    match q.format {
        Format::Json => Ok(Json(Report { scope: q.scope, by: Grouping::Week, rows }).into_response()),
        Format::Csv => csv_download("trends", &q.scope, &ReportRow::COLUMNS, &rows),
    }
}

/// `GET /api/v1/reports/breaches?from=&to=&channel=&topic=&area=&limit=&format=`.
#[utoipa::path(get, path = "/api/v1/reports/breaches", tag = "reports", params(ReportQuery), responses(
    (status = 200, description = "The breaches, latest deadline first, and their total; with `format=csv` as CSV", content((Breaches = "application/json"), (String = "text/csv")),
        headers(("Content-Disposition" = String, description = "With `format=csv`: `attachment; filename=…`"))),
    (status = 403, description = "Not a lead, the mayor or an admin", body = crate::http::error::ErrorBody),
    (status = 422, description = "A parameter that does not parse or is out of range, `from` after `to`, a period \
        longer than 366 days, or an unknown parameter; `detail` says which", body = crate::http::error::ErrorBody),
    crate::http::responses::Signed,
))]
pub async fn breaches(
    State(state): State<AppState>,
    SignedIn(me): SignedIn,
    query: Result<Query<ReportQuery>, ApiError>,
) -> Result<Response, ApiError> {
    let q = check(&me, query)?;
    let list = state.figures.breaches(&q.filter, usize::try_from(q.limit).unwrap_or(0), q.now).await?;
    match q.format {
        Format::Json => Ok(Json(Breaches { scope: q.scope, list }).into_response()),
        Format::Csv => csv_download("breaches", &q.scope, &Breach::COLUMNS, &list.rows),
    }
}

/// The JSON answer of `dashboard`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Dashboard {
    /// The period and filters covered.
    #[serde(flatten)]
    scope: Scope,
    /// The breakdown of `rows`.
    by: Grouping,
    /// Every case covered, as one row (`group: "all"`).
    summary: ReportRow,
    /// The figures per `by`.
    rows: Vec<ReportRow>,
    /// Per ISO week, quiet weeks included.
    trends: Vec<ReportRow>,
    /// Per area, for the district chart.
    districts: Vec<ReportRow>,
    /// The latest breaches and their total.
    breaches: BreachList,
}

/// `GET /api/v1/reports/dashboard?from=&to=&by=&channel=&topic=&area=&limit=`:
/// what the dashboard page shows, in one answer.
#[utoipa::path(get, path = "/api/v1/reports/dashboard", tag = "reports", params(ReportQuery), responses(
    (status = 200, description = "Everything the dashboard shows, in one answer", body = Dashboard),
    (status = 403, description = "Not a lead, the mayor or an admin", body = crate::http::error::ErrorBody),
    (status = 422, description = "A parameter that does not parse or is out of range, `from` after `to`, a period \
        longer than 366 days, or an unknown parameter, or `format=csv`; `detail` says which", body = crate::http::error::ErrorBody),
    crate::http::responses::Signed,
))]
pub async fn dashboard(
    State(state): State<AppState>,
    SignedIn(me): SignedIn,
    query: Result<Query<ReportQuery>, ApiError>,
) -> Result<Response, ApiError> {
    let q = check(&me, query)?;
    if q.format == Format::Csv {
        return Err(ApiError::Unprocessable(
            "the dashboard bundle is JSON; each table has its CSV at /api/v1/reports/sla, trends and breaches".into(),
        ));
    }
    let summary =
        state.figures.report(&q.filter, Grouping::All, q.now).await?.pop().unwrap_or_else(|| ReportRow::empty("all"));
    let rows = state.figures.report(&q.filter, q.by, q.now).await?;
    let districts = match q.by {
        Grouping::Area => rows.clone(),
        _ => state.figures.report(&q.filter, Grouping::Area, q.now).await?,
    };
    let trends = weekly(&state, &q).await?;
    let breaches = state.figures.breaches(&q.filter, usize::try_from(q.limit).unwrap_or(0), q.now).await?;
    Ok(Json(Dashboard { scope: q.scope, by: q.by, summary, rows, trends, districts, breaches }).into_response())
}

/// The weekly rows with every week of the period present.
async fn weekly(state: &AppState, q: &Checked) -> Result<Vec<ReportRow>, ApiError> {
    let mut found = state.figures.report(&q.filter, Grouping::Week, q.now).await?;
    Ok(iso_weeks(q.scope.from, q.scope.to)
        .into_iter()
        .map(|week| match found.iter().position(|r| r.group == week) {
            Some(i) => found.swap_remove(i),
            None => ReportRow::empty(week),
        })
        .collect())
}

/// `rows` as a CSV attachment whose header is `columns`, also when empty.
fn csv_download<T: Serialize>(what: &str, scope: &Scope, columns: &[&str], rows: &[T]) -> Result<Response, ApiError> {
    let body = batline_core::csv_export::rows(columns, rows)?;
    let file = format!("attachment; filename=\"batline-{what}-{}-{}.csv\"", scope.from, scope.to);
    Ok(([(CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()), (CONTENT_DISPOSITION, file)], body).into_response())
}
