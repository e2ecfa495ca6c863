//! `GET /dashboard`: the participation mayor's SLA dashboard (leads and
//! admins see it too). For a chosen period: the headline figures, weekly
//! trends, cases per district, and the figures broken down by area, topic,
//! channel, responder or hour of day, with CSV and JSON downloads of
//! exactly the table shown. Every figure comes from the same report query
//! the JSON API answers with (`api::reports::sla`).

use axum::{
    extract::{Query, State},
    http::header::{CONTENT_DISPOSITION, CONTENT_TYPE},
    response::{Html, IntoResponse, Response},
};
use batline_core::{
    figures::{Filter, Grouping, ReportRow},
    roster::TZ,
};
use chrono::{Duration, NaiveDate, Utc};
use maud::{Markup, html};
use serde::Deserialize;

use super::{
    charts,
    failure::{failure, role_forbidden},
    i18n::{Ui, ui},
    layout::{self, Section},
    session::WebUser,
};
use crate::{http::error::ApiError, state::AppState};

/// Default period: the last four weeks.
const DEFAULT_DAYS: i64 = 28;

/// The dashboard's query string (a GET form, so a view can be bookmarked).
#[derive(Debug, Default, Deserialize)]
pub struct DashboardQuery {
    #[serde(default)]
    from: Option<NaiveDate>,
    #[serde(default)]
    to: Option<NaiveDate>,
    #[serde(default)]
    by: Option<Grouping>,
    /// For downloads: `csv` or `json`.
    #[serde(default)]
    format: Option<String>,
}

/// A period in Helsinki dates and the instants it spans.
struct Period {
    from: NaiveDate,
    to: NaiveDate,
    start: chrono::DateTime<Utc>,
    end: chrono::DateTime<Utc>,
}

fn period(q: &DashboardQuery) -> Result<Period, ApiError> {
    let to = q.to.unwrap_or_else(|| Utc::now().with_timezone(&TZ).date_naive());
    let from = q.from.unwrap_or(to - Duration::days(DEFAULT_DAYS - 1));
    let days = Filter::helsinki_days(from, to)?;
    Ok(Period { from, to, start: days.from, end: days.to })
}

fn may_see(user: &WebUser) -> bool {
    user.me.role.may_reassign()
}

fn grouping_name(t: &Ui, by: Grouping) -> &'static str {
    match by {
        Grouping::Area => t.dash_by_area,
        Grouping::Topic => t.dash_by_topic,
        Grouping::Channel => t.dash_by_channel,
        Grouping::Responder => t.dash_by_responder,
        Grouping::Hour | Grouping::Week | Grouping::All => t.dash_by_hour,
    }
}

/// Seconds as a person reads them: "45 s", "12 min", "3 h 20 min", "2 d 4 h".
pub fn duration(seconds: f64) -> String {
    let s = seconds.max(0.0).round() as i64;
    match s {
        0..60 => format!("{s} s"),
        60..3600 => format!("{} min", s / 60),
        3600..86_400 => format!("{} h {} min", s / 3600, (s % 3600) / 60),
        _ => format!("{} d {} h", s / 86_400, (s % 86_400) / 3600),
    }
}

fn opt_duration(seconds: Option<f64>) -> String {
    seconds.map_or_else(|| "–".to_owned(), duration)
}

fn percent(share: Option<f64>) -> String {
    share.map_or_else(|| "–".to_owned(), |s| format!("{:.0} %", s * 100.0))
}

/// `GET /dashboard`.
pub async fn page(State(state): State<AppState>, user: WebUser, Query(q): Query<DashboardQuery>) -> Response {
    if !may_see(&user) {
        return role_forbidden(&user);
    }
    let t = ui(user.lang);
    let result = async {
        let p = period(&q)?;
        let by = match q.by {
            Some(Grouping::Week | Grouping::All) | None => Grouping::Area,
            Some(by) => by,
        };
        let now = Utc::now();
        let filter = Filter::period(p.start, p.end);
        let all = state.figures.report(&filter, Grouping::All, now).await?;
        let mut weeks = state.figures.report(&filter, Grouping::Week, now).await?;
        weeks.sort_by(|a, b| a.group.cmp(&b.group));
        let districts = state.figures.report(&filter, Grouping::Area, now).await?;
        let rows = state.figures.report(&filter, by, now).await?;
        Ok::<_, ApiError>(body(t, &p, by, all.first(), &weeks, &districts, &rows))
    };
    match result.await {
        Ok(body) => {
            Html(layout::page(&user, Section::Dashboard, t.dash_title, None, body).into_string()).into_response()
        }
        Err(e) => failure(&user, e),
    }
}

fn body(
    t: &Ui,
    p: &Period,
    by: Grouping,
    all: Option<&ReportRow>,
    weeks: &[ReportRow],
    districts: &[ReportRow],
    rows: &[ReportRow],
) -> Markup {
    let query = format!("from={}&to={}&by={}", p.from, p.to, by.as_str());
    let week_labels: Vec<String> = weeks.iter().map(|w| w.group.clone()).collect();
    let minutes = |s: Option<f64>| s.map(|s| s / 60.0);
    html! {
        h1 { (t.dash_title) }
        form method="get" action="/dashboard" class="actions filters" {
            div { label for="from" { (t.dash_from) } input type="date" id="from" name="from" value=(p.from) required; }
            div { label for="to" { (t.dash_to) } input type="date" id="to" name="to" value=(p.to) required; }
            div {
                label for="by" { (t.dash_by) }
                select id="by" name="by" {
                    @for g in [Grouping::Area, Grouping::Topic, Grouping::Channel, Grouping::Responder, Grouping::Hour] {
                        option value=(g.as_str()) selected[g == by] { (grouping_name(t, g)) }
                    }
                }
            }
            button class="hds-button hds-button--primary" type="submit" { span class="hds-button__label" { (t.dash_show) } }
        }
        @match all {
            None => p { (t.dash_no_cases) },
            Some(all) => {
                section aria-labelledby="headline-title" {
                    h2 id="headline-title" { (t.dash_headline) }
                    dl class="figures" id="headline" {
                        div { dt { (t.dash_cases) } dd data-figure="cases" { (all.cases) } }
                        div { dt { (t.dash_time_to_owner) } dd { (opt_duration(all.time_to_owner_p50)) " / " (opt_duration(all.time_to_owner_p90)) } }
                        div { dt { (t.dash_first_response) } dd { (opt_duration(all.first_response_p50)) " / " (opt_duration(all.first_response_p90)) } }
                        div { dt { (t.dash_resolution) } dd { (opt_duration(all.resolution_p50)) " / " (opt_duration(all.resolution_p90)) } }
                        div { dt { (t.dash_within_sla) } dd { (percent(all.first_response_within_sla)) " / " (percent(all.resolution_within_sla)) } }
                        div { dt { (t.dash_missed_acks) } dd { (all.missed_acknowledgements) } }
                        div { dt { (t.dash_handoffs) } dd { (format!("{:.2}", all.handoffs_per_case)) } }
                        div { dt { (t.dash_reopened) } dd { (all.reopened) } }
                        div { dt { (t.dash_open) } dd { (all.open) } }
                        div { dt { (t.dash_open_age) } dd { (opt_duration(all.open_age_p50)) } }
                        div { dt { (t.dash_satisfaction) } dd { (all.satisfaction_avg.map_or_else(|| "–".to_owned(), |s| format!("{s:.1} / 5"))) " (" (all.satisfaction_answers) " " (t.dash_answers) ")" } }
                    }
                    p class="hint" { (t.dash_median) " / " (t.dash_p90) }
                }
                section aria-labelledby="trends-title" class="charts" {
                    h2 id="trends-title" { (t.dash_trends) }
                    (charts::bars("chart-weeks", t.dash_cases_per_week, &weeks.iter().map(|w| (w.group.clone(), w.cases as f64)).collect::<Vec<_>>(), |v| format!("{v:.0}")))
                    (charts::lines(
                        "chart-first-response",
                        t.dash_first_response_per_week,
                        &week_labels,
                        &[
                            (t.dash_median, weeks.iter().map(|w| minutes(w.first_response_p50)).collect()),
                            (t.dash_p90, weeks.iter().map(|w| minutes(w.first_response_p90)).collect()),
                        ],
                        |v| format!("{v:.0} {}", t.dash_minutes),
                    ))
                }
                section aria-labelledby="districts-title" class="charts" {
                    h2 id="districts-title" { (t.dash_districts) }
                    (charts::bars("chart-districts", t.dash_cases_per_district, &districts.iter().map(|d| (d.group.clone(), d.cases as f64)).collect::<Vec<_>>(), |v| format!("{v:.0}")))
                }
                section aria-labelledby="breakdown-title" {
                    h2 id="breakdown-title" { (t.dash_breakdown) ": " (grouping_name(t, by)) }
                    p class="actions" {
                        a href={ "/dashboard/export?" (query) "&format=csv" } download { (t.dash_export) " CSV" }
                        a href={ "/dashboard/export?" (query) "&format=json" } download { (t.dash_export) " JSON" }
                    }
                    div class="table-scroll" tabindex="0" role="region" aria-labelledby="breakdown-title" {
                        table class="cases" id="breakdown" {
                            thead { tr {
                                th scope="col" { (t.dash_group) }
                                th scope="col" { (t.dash_cases) }
                                th scope="col" { (t.dash_time_to_owner) }
                                th scope="col" { (t.dash_first_response) }
                                th scope="col" { (t.dash_resolution) }
                                th scope="col" { (t.dash_within_sla) }
                                th scope="col" { (t.dash_missed_acks) }
                                th scope="col" { (t.dash_handoffs) }
                                th scope="col" { (t.dash_reopened) }
                                th scope="col" { (t.dash_open) }
                                th scope="col" { (t.dash_satisfaction) }
                            } }
                            tbody {
                                @for r in rows {
                                    tr data-group=(r.group) {
                                        th scope="row" { (r.group) }
                                        td { (r.cases) }
                                        td { (opt_duration(r.time_to_owner_p50)) " / " (opt_duration(r.time_to_owner_p90)) }
                                        td { (opt_duration(r.first_response_p50)) " / " (opt_duration(r.first_response_p90)) }
                                        td { (opt_duration(r.resolution_p50)) " / " (opt_duration(r.resolution_p90)) }
                                        td { (percent(r.first_response_within_sla)) " / " (percent(r.resolution_within_sla)) }
                                        td { (r.missed_acknowledgements) }
                                        td { (format!("{:.2}", r.handoffs_per_case)) }
                                        td { (r.reopened) }
                                        td { (r.open) }
                                        td { (r.satisfaction_avg.map_or_else(|| "–".to_owned(), |s| format!("{s:.1}"))) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// `GET /dashboard/export?from&to&by&format=csv|json`: the breakdown table
/// shown, as a download.
pub async fn export(State(state): State<AppState>, user: WebUser, Query(q): Query<DashboardQuery>) -> Response {
    if !may_see(&user) {
        return role_forbidden(&user);
    }
    let result = async {
        let p = period(&q)?;
        let by = q.by.unwrap_or(Grouping::Area);
        let rows = state.figures.report(&Filter::period(p.start, p.end), by, Utc::now()).await?;
        let name = format!("batline-sla-{}-{}-{}", by.as_str(), p.from, p.to);
        match q.format.as_deref() {
            Some("json") => {
                let body = serde_json::to_vec_pretty(
                    &serde_json::json!({ "from": p.from, "to": p.to, "by": by, "rows": rows }),
                )
                .map_err(batline_core::Error::from)?;
                Ok(download("application/json", &format!("{name}.json"), body))
            }
            Some("csv") | None => {
                Ok(download("text/csv; charset=utf-8", &format!("{name}.csv"), crate::http::csv::csv_rows(&rows)?))
            }
            Some(other) => Err(ApiError::Unprocessable(format!("format {other:?}: use csv or json"))),
        }
    };
    match result.await {
        Ok(response) => response,
        Err(e) => failure(&user, e),
    }
}

fn download(content_type: &str, file: &str, body: Vec<u8>) -> Response {
    let disposition = format!("attachment; filename=\"{file}\"");
    ([(CONTENT_TYPE, content_type.to_owned()), (CONTENT_DISPOSITION, disposition)], body).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration(42.0), "42 s");
        assert_eq!(duration(754.0), "12 min");
        assert_eq!(duration(3.0 * 3600.0 + 20.0 * 60.0), "3 h 20 min");
        assert_eq!(duration(2.0 * 86_400.0 + 4.0 * 3600.0), "2 d 4 h");
    }
}
