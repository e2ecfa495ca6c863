//! The `/open` handlers: the two pages (the summary and the detail), the
//! open data as JSON and CSV, and the JSON Schema, each answering from one
//! computation per period (see [`super`] for why). A period that cannot be
//! shown is answered with the API's JSON error at the data addresses and to
//! a client that asks for JSON, and with a page in the reader's language
//! saying what to fix, the form keeping what they typed, to everyone else
//! (issue 18; the same pattern as `track::find`).

use std::{net::SocketAddr, sync::Arc};

use axum::{
    Json,
    extract::{ConnectInfo, State},
    http::{
        HeaderMap, HeaderValue, StatusCode,
        header::{
            ACCEPT, CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_SECURITY_POLICY, CONTENT_TYPE, RETRY_AFTER, VARY,
        },
    },
    response::{Html, IntoResponse, Response},
};
use batline_core::{
    domain::Language,
    figures::{Filter, Grouping, ReportRow, iso_weeks},
    place::MapFigure,
    roster::TZ,
};
use chrono::{NaiveDate, Utc};
use serde::Deserialize;

use super::{
    figures::{MIN_CASES, OpenData, csv, published, without_withheld_names},
    page::{self, CityView, Typed, View},
    period::{self, BadPeriod},
};
use crate::{error::ApiError, http::extract::Query, state::AppState};

/// What the pages and data may load: their own styles and nothing else (no
/// script at all), and no framing.
pub const CSP: &str =
    "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The query string of every `/open` address.
#[derive(Debug, Deserialize)]
pub struct OpenQuery {
    /// First day, `YYYY-MM-DD` (default: the Monday four weeks before this week's).
    from: Option<String>,
    /// Last day, included (default: last Sunday).
    to: Option<String>,
    /// `fi`, `sv` or `en` (the page only; default from Accept-Language, else Finnish).
    lang: Option<String>,
    /// What the summary's district map is coloured by: `cases` (the
    /// default), `response` or `sla` (the page only).
    map: Option<String>,
}

/// The period `q` asks for, read as [`period::read`] does against today in Helsinki.
fn period(q: &OpenQuery) -> Result<(NaiveDate, NaiveDate), BadPeriod> {
    period::read(q.from.as_deref(), q.to.as_deref(), Utc::now().with_timezone(&TZ).date_naive())
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
    let report = |by| state.figures.report(&filter, by, now);
    let summary = report(Grouping::All).await?.pop().unwrap_or_else(|| ReportRow::empty("all"));
    let mut weeks = report(Grouping::Week).await?;
    let by_week = iso_weeks(from, to)
        .into_iter()
        .map(|week| match weeks.iter().position(|r| r.group == week) {
            Some(i) => weeks.swap_remove(i),
            None => ReportRow::empty(week),
        })
        .collect();
    let show_responders = state.config.open.show_responders;
    let mut breakdowns = vec![
        report(Grouping::Area).await?,
        report(Grouping::Topic).await?,
        report(Grouping::Channel).await?,
        report(Grouping::Hour).await?,
        by_week,
    ];
    if show_responders {
        breakdowns.push(report(Grouping::Responder).await?);
    }
    // Every breakdown splits the same cases as the summary: withheld together.
    let (summary, tables) = published(&summary, &breakdowns);
    let mut tables = tables.into_iter();
    let mut next = || tables.next().unwrap_or_default();
    let data = OpenData {
        from,
        to,
        generated_at: now,
        min_cases: MIN_CASES,
        percentile_method: "percentile_cont",
        responders_shown: show_responders,
        summary,
        by_area: next(),
        by_topic: without_withheld_names(next()),
        by_channel: next(),
        by_hour: next(),
        by_week: next(),
        by_responder: show_responders.then(next),
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

/// True when the client asks for JSON and not for a page: its `Accept`
/// names `application/json` and not `text/html`. Browsers name
/// `text/html`; a script asking for JSON keeps getting the API's error body.
fn wants_json(headers: &HeaderMap) -> bool {
    let accept = headers.get(ACCEPT).and_then(|v| v.to_str().ok()).unwrap_or_default().to_ascii_lowercase();
    accept.contains("application/json") && !accept.contains("text/html")
}

/// `GET /open?from=&to=&lang=`: the summary page.
pub async fn page(
    State(state): State<AppState>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    Query(query): Query<OpenQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    answer_page(&state, client, &query, &headers, View::Summary).await
}

/// `GET /open/detail?from=&to=&lang=`: every figure of the period, in tables.
pub async fn detail(
    State(state): State<AppState>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    Query(query): Query<OpenQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    answer_page(&state, client, &query, &headers, View::Detail).await
}

/// One of the two pages for the period asked for, or the page saying what
/// to fix in it (400, the status the data endpoints give the same period),
/// or, past the per-address limit, a page saying when to try again (429
/// with `Retry-After`).
async fn answer_page(
    state: &AppState,
    client: SocketAddr,
    query: &OpenQuery,
    headers: &HeaderMap,
    view: View,
) -> Result<Response, ApiError> {
    let lang = language(query, headers);
    let typed = Typed { from: query.from.as_deref().unwrap_or_default(), to: query.to.as_deref().unwrap_or_default() };
    let mut response = match (state.open_limit.check(client.ip()), period(query)) {
        (Err(wait), _) if wants_json(headers) => return Err(ApiError::TooManyRequests(wait)),
        (Err(wait), _) => {
            let seconds = wait.as_secs().max(1);
            let page = page::render_too_many(lang, view, &typed, seconds);
            let mut response = (StatusCode::TOO_MANY_REQUESTS, Html(page)).into_response();
            response.headers_mut().insert(RETRY_AFTER, HeaderValue::from(seconds));
            response
        }
        (Ok(()), Ok((from, to))) => {
            let data = figures(state, from, to).await?;
            let districts = state.city.districts(&state.pool).await?;
            let topics = batline_core::store::topics::all(&state.pool).await?;
            let city = CityView {
                map: Some(&*districts).filter(|d| !d.is_empty()),
                figure: MapFigure::parse(query.map.as_deref()),
                topics: &topics,
            };
            Html(page::render(&data, lang, view, city)).into_response()
        }
        (Ok(()), Err(bad)) if wants_json(headers) => return Err(bad.into()),
        (Ok(()), Err(bad)) => {
            (StatusCode::BAD_REQUEST, Html(page::render_bad_period(lang, view, &typed, &bad))).into_response()
        }
    };
    public_headers(&mut response);
    // What to fix, or when to try again, is for this reader now only.
    if !response.status().is_success() {
        response.headers_mut().insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    // The same address answers in the browser's language, or JSON to a
    // client asking for it: a shared cache must keep them apart.
    response.headers_mut().insert(VARY, HeaderValue::from_static("accept-language, accept"));
    Ok(response)
}

/// `GET /open/data.json?from=&to=`: the open data as JSON.
#[utoipa::path(
    get, path = "/open/data.json", tag = "open data",
    params(crate::http::params::Period),
    responses(
        (status = 200, description = "The figures of the period (described by `/open/schema.json`)", body = OpenData),
        (status = 400, description = "`from` or `to` is not a date, `from` is after `to`, or the period is longer \
            than 366 days", body = crate::error::ErrorBody),
        crate::http::responses::RateLimited,
        crate::http::responses::Internal,
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
    params(crate::http::params::Period),
    responses(
        (status = 200, description = "The same figures as CSV: `dimension`, `group`, each figure (empty when \
            withheld), `withheld` (the withheld figures' names)", body = String, content_type = "text/csv",
            headers(("Content-Disposition" = String, description = "`attachment; filename=\"batline-open-FROM-TO.csv\"`"))),
        (status = 400, description = "`from` or `to` is not a date, `from` is after `to`, or the period is longer \
            than 366 days", body = crate::error::ErrorBody),
        crate::http::responses::RateLimited,
        crate::http::responses::Internal,
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

/// The JSON Schema of `/open/data.json`.
pub const SCHEMA: &str = include_str!("schema.json");

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
    use crate::open::figures::OpenRow;

    #[test]
    fn a_browser_gets_a_page_and_a_script_asking_for_json_gets_json() {
        let accept = |value: &'static str| {
            let mut headers = HeaderMap::new();
            headers.insert(ACCEPT, HeaderValue::from_static(value));
            headers
        };
        let chromium = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8";
        assert!(!wants_json(&accept(chromium)));
        assert!(!wants_json(&accept("*/*")) && !wants_json(&HeaderMap::new()), "curl gets the page");
        assert!(wants_json(&accept("application/json")));
        assert!(wants_json(&accept("Application/JSON, */*;q=0.1")));
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
