//! `GET /api/v1/reports/sla`: the SLA report behind the mayor's dashboard.
//! For cases opened in a period (Helsinki dates, both ends included), the
//! figures per area, topic, channel, responder or hour of day, as JSON or
//! as CSV with exactly the same rows and columns.

use axum::{
    Json,
    extract::{Query, State, rejection::QueryRejection},
    http::header::{CONTENT_DISPOSITION, CONTENT_TYPE},
    response::{IntoResponse, Response},
};
use batline_core::{
    roster::TZ,
    store::reports::{self, Grouping, ReportRow},
};
use chrono::{Duration, NaiveDate, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use crate::{AppState, auth::SignedIn, error::ApiError};

/// Longest period a report covers.
const MAX_DAYS: i64 = 366;

/// The query string.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportQuery {
    /// First day, `YYYY-MM-DD` (default: a week before `to`).
    from: Option<NaiveDate>,
    /// Last day, included (default: today, Helsinki).
    to: Option<NaiveDate>,
    /// The breakdown (default `area`).
    by: Option<Grouping>,
    /// `json` (default) or `csv`.
    format: Option<Format>,
}

/// The answer's format.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// `application/json`.
    Json,
    /// `text/csv`, one row per group.
    Csv,
}

/// The JSON answer.
#[derive(Debug, Serialize)]
pub struct Report {
    from: NaiveDate,
    to: NaiveDate,
    by: Grouping,
    rows: Vec<ReportRow>,
}

/// `GET /api/v1/reports/sla?from=&to=&by=&format=` (leads, the mayor, admins).
pub async fn sla(
    State(state): State<AppState>,
    SignedIn(me): SignedIn,
    query: Result<Query<ReportQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    if !me.role.may_reassign() {
        return Err(ApiError::Forbidden("the SLA report is for leads, the mayor and admins".into()));
    }
    let Query(q) = query.map_err(|e| {
        ApiError::Unprocessable(format!(
            "{e}; expected from, to (YYYY-MM-DD), by (area, topic, channel, responder, hour) and format (json, csv)"
        ))
    })?;
    let now = Utc::now();
    let to = q.to.unwrap_or_else(|| now.with_timezone(&TZ).date_naive());
    let from = q.from.unwrap_or(to - Duration::days(6));
    if from > to {
        return Err(ApiError::Unprocessable(format!("from ({from}) is after to ({to})")));
    }
    if (to - from).num_days() >= MAX_DAYS {
        return Err(ApiError::Unprocessable(format!("a report covers at most {MAX_DAYS} days")));
    }
    let start = midnight(from)?;
    let end = midnight(to + Duration::days(1))?;
    let by = q.by.unwrap_or(Grouping::Area);
    let rows = reports::sla_report(&state.pool, start, end, by, now).await?;
    match q.format.unwrap_or(Format::Json) {
        Format::Json => Ok(Json(Report { from, to, by, rows }).into_response()),
        Format::Csv => {
            let mut writer = csv::Writer::from_writer(Vec::new());
            for row in &rows {
                writer.serialize(row).map_err(|e| batline_core::Error::Invalid(format!("CSV: {e}")))?;
            }
            // An empty report still has its header, so a spreadsheet knows the columns.
            if rows.is_empty() {
                writer.write_record(CSV_COLUMNS).map_err(|e| batline_core::Error::Invalid(format!("CSV: {e}")))?;
            }
            let body = writer.into_inner().map_err(|e| batline_core::Error::Invalid(format!("CSV: {e}")))?;
            let by_name = serde_json::to_value(by).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
            let file = format!("attachment; filename=\"batline-sla-{by_name}-{from}-{to}.csv\"");
            Ok(([(CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()), (CONTENT_DISPOSITION, file)], body)
                .into_response())
        }
    }
}

/// The CSV header, as `csv` writes it from [`ReportRow`]'s fields.
const CSV_COLUMNS: [&str; 17] = [
    "group",
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
    "open",
    "open_age_p50",
    "satisfaction_avg",
    "satisfaction_answers",
];

/// Helsinki midnight starting `day`.
fn midnight(day: NaiveDate) -> Result<chrono::DateTime<Utc>, ApiError> {
    let local = day.and_hms_opt(0, 0, 0).ok_or_else(|| ApiError::Unprocessable(format!("{day} has no midnight")))?;
    TZ.from_local_datetime(&local)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| ApiError::Unprocessable(format!("{day} is out of range")))
}

/// The report rows as CSV, the header included even when there are none.
pub(crate) fn csv_rows(rows: &[ReportRow]) -> Result<Vec<u8>, ApiError> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    for row in rows {
        writer.serialize(row).map_err(|e| batline_core::Error::Invalid(format!("CSV: {e}")))?;
    }
    if rows.is_empty() {
        writer.write_record(CSV_COLUMNS).map_err(|e| batline_core::Error::Invalid(format!("CSV: {e}")))?;
    }
    Ok(writer.into_inner().map_err(|e| batline_core::Error::Invalid(format!("CSV: {e}")))?)
}
