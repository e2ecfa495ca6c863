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
    domain::{Channel, Language},
    figures::{Filter, Grouping, ReportRow, WeekdayHours},
    place::{Colouring, DistrictMap, MapFigure, Shade, district_anchor},
    roster::TZ,
    store::{self, events::HeardFigures},
};
use chrono::{Datelike, Duration, NaiveDate, Utc, Weekday};
use maud::{Markup, html};
use serde::Deserialize;

use super::{
    charts,
    city_lists::CityLists,
    failure::{failure, role_forbidden},
    i18n::{Ui, ui},
    layout::{self, Section},
    session::WebUser,
};
use crate::{http::error::ApiError, state::AppState};

/// Default period: the last four weeks.
const DEFAULT_DAYS: i64 = 28;
/// The share of SLA clocks met that the headline cards hold up against.
const TARGET_WITHIN_SLA: f64 = 0.9;
/// The satisfaction the headline card holds up against, of 5.
const TARGET_SATISFACTION: f64 = 4.0;

batline_core::texts! {
    /// The dashboard's words beyond the console's shared ones.
    struct Words;

    fn words;

    previous { fi: "Edellinen jakso", sv: "Föregående period", en: "Previous period" }
    target { fi: "Tavoite", sv: "Mål", en: "Target" }
    target_met { fi: "tavoite saavutettu", sv: "målet nått", en: "target met" }
    target_missed { fi: "alle tavoitteen", sv: "under målet", en: "below target" }
    heat_title { fi: "Yhteydenotot viikonpäivän ja tunnin mukaan", sv: "Kontakter per veckodag och timme", en: "Contacts by weekday and hour" }
    heat_hint {
        fi: "Avattujen asioiden määrä kunakin tuntina (Helsingin aikaa) koko jaksolta: tummempi on enemmän. Henkilöstön mitoitukseen.",
        sv: "Antal öppnade ärenden varje timme (Helsingforstid) under hela perioden: mörkare är fler. För bemanningen.",
        en: "Cases opened in each hour (Helsinki time) over the whole period: darker is more. For staffing.",
    }
    heat_table { fi: "Taulukkona", sv: "Som tabell", en: "As a table" }
    hour { fi: "Tunti", sv: "Timme", en: "Hour" }
    weekday { fi: "Viikonpäivä", sv: "Veckodag", en: "Weekday" }
    days: [&'static str; 7] {
        fi: ["ma", "ti", "ke", "to", "pe", "la", "su"],
        sv: ["mån", "tis", "ons", "tor", "fre", "lör", "sön"],
        en: ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
    }
    none { fi: "(ei tiedossa)", sv: "(okänt)", en: "(not known)" }
    hours_unit { fi: "t", sv: "h", en: "h" }
    days_unit { fi: "pv", sv: "d", en: "d" }
    heard_title { fi: "Automaattinen luokittelu", sv: "Automatisk klassificering", en: "Automatic classification" }
    heard_hint {
        fi: "Kuinka suuren osan asukkaan sanoista päätellyistä aiheista ja kaupunginosista vastaajat pitivät ennallaan jakson aikana.",
        sv: "Hur stor del av de ämnen och stadsdelar som lästes ur invånarens ord som svararna behöll under perioden.",
        en: "How much of the topics and districts read from the residents' words the responders kept in the period.",
    }
    topics_kept { fi: "Aihe pysyi", sv: "Ämnet behölls", en: "Topic kept" }
    areas_kept { fi: "Kaupunginosa pysyi", sv: "Stadsdelen behölls", en: "District kept" }
    map_colour { fi: "Kartan väri näyttää", sv: "Kartans färg visar", en: "The map's colour shows" }
    map_show { fi: "Näytä kartalla", sv: "Visa på kartan", en: "Show on the map" }
    map_no_cases { fi: "Ei tapauksia", sv: "Inga ärenden", en: "No cases" }
    map_withheld { fi: "Ei lukua", sv: "Ingen siffra", en: "No figure" }
    map_see_table {
        fi: "Samat luvut ovat taulukossa kartan alla; kaupunginosan nimi vie sen kaikkiin lukuihin erittelyssä.",
        sv: "Samma siffror finns i tabellen under kartan; stadsdelens namn leder till alla dess siffror i fördelningen.",
        en: "The same figures are in the table below the map; a district's name leads to all its figures in the breakdown.",
    }
    district { fi: "Kaupunginosa", sv: "Stadsdel", en: "District" }
    map_response { fi: "Ensimmäinen vastaus, mediaani", sv: "Första svar, median", en: "First response, median" }
    district_table { fi: "Kaupunginosien luvut", sv: "Stadsdelarnas siffror", en: "The districts' figures" }
}

/// A number with `decimals` places in the reader's convention: a decimal
/// comma in Finnish and Swedish.
fn number(lang: Language, value: f64, decimals: usize) -> String {
    let text = format!("{value:.decimals$}");
    if lang == Language::En { text } else { text.replace('.', ",") }
}

/// A week's label as dates, "23.11.–29.11.", from `2026-W48`.
fn week_label(group: &str) -> String {
    let parsed = group.split_once("-W").and_then(|(y, w)| Some((y.parse::<i32>().ok()?, w.parse::<u32>().ok()?)));
    let monday = parsed.and_then(|(y, w)| NaiveDate::from_isoywd_opt(y, w, Weekday::Mon));
    match monday {
        Some(monday) => {
            let sunday = monday + Duration::days(6);
            format!("{}.{}.–{}.{}.", monday.day(), monday.month(), sunday.day(), sunday.month())
        }
        None => group.to_owned(),
    }
}

/// A breakdown's group as the reader reads it: channels and "none" in
/// their language, topics and districts by the city's lists, hours as a span.
fn group_label(lang: Language, lists: &CityLists, by: Grouping, group: &str) -> String {
    let (t, w) = (ui(lang), words(lang));
    match by {
        _ if group == "(none)" || group.is_empty() => w.none.to_owned(),
        Grouping::Topic => lists.topic(group, lang).to_owned(),
        Grouping::Area => lists.district(group, lang).to_owned(),
        Grouping::Channel => group.parse::<Channel>().map_or_else(|_| group.to_owned(), |c| t.channel(c).to_owned()),
        Grouping::Hour => {
            group.parse::<u32>().map_or_else(|_| group.to_owned(), |h| format!("{h:02}–{:02}", (h + 1) % 24))
        }
        Grouping::Week => week_label(group),
        _ => group.to_owned(),
    }
}

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
    /// What the district map is coloured by: `cases`, `response` or `sla`.
    #[serde(default)]
    map: Option<String>,
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

/// Seconds as a person reads them: "45 s", "12 min", "3 h 20 min", "2 d 4 h"
/// (in Finnish "3 t 20 min", "2 pv 4 t").
pub fn duration(lang: Language, seconds: f64) -> String {
    let w = words(lang);
    let s = seconds.max(0.0).round() as i64;
    match s {
        0..60 => format!("{s} s"),
        60..3600 => format!("{} min", s / 60),
        3600..86_400 => format!("{} {} {} min", s / 3600, w.hours_unit, (s % 3600) / 60),
        _ => format!("{} {} {} {}", s / 86_400, w.days_unit, (s % 86_400) / 3600, w.hours_unit),
    }
}

fn opt_duration(lang: Language, seconds: Option<f64>) -> String {
    seconds.map_or_else(|| "–".to_owned(), |s| duration(lang, s))
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
        // The period of the same length just before, for comparison.
        let length = p.end - p.start;
        let before = Filter::period(p.start - length, p.start);
        let all = state.figures.report(&filter, Grouping::All, now).await?;
        let previous = state.figures.report(&before, Grouping::All, now).await?;
        let mut weeks = state.figures.report(&filter, Grouping::Week, now).await?;
        weeks.sort_by(|a, b| a.group.cmp(&b.group));
        let districts = state.figures.report(&filter, Grouping::Area, now).await?;
        let rows = state.figures.report(&filter, by, now).await?;
        let heat = state.figures.weekday_hours(&filter).await?;
        let heard = store::events::heard_figures(&state.pool, p.start, p.end).await?;
        let map = state.districts.get(|| DistrictMap::load(&state.pool)).await?;
        let lists = CityLists::load(&state.pool).await?;
        let shown = Shown {
            all: all.first(),
            previous: previous.first(),
            weeks: &weeks,
            districts: &districts,
            rows: &rows,
            heat: &heat,
            heard,
            map: Some(&*map).filter(|m| !m.is_empty()),
            map_figure: MapFigure::parse(q.map.as_deref()),
            lists: &lists,
        };
        Ok::<_, ApiError>(body(user.lang, &p, by, &shown))
    };
    match result.await {
        Ok(body) => {
            Html(layout::page(&user, Section::Dashboard, t.dash_title, None, body).into_string()).into_response()
        }
        Err(e) => failure(&user, e),
    }
}

/// The figures a dashboard shows.
struct Shown<'a> {
    all: Option<&'a ReportRow>,
    previous: Option<&'a ReportRow>,
    weeks: &'a [ReportRow],
    districts: &'a [ReportRow],
    rows: &'a [ReportRow],
    heat: &'a WeekdayHours,
    /// What filing heard and people corrected in the period.
    heard: HeardFigures,
    /// The districts to draw; `None` before the city's areas are loaded.
    map: Option<&'a DistrictMap>,
    /// What the map is coloured by.
    map_figure: MapFigure,
    /// The topics' and districts' names.
    lists: &'a CityLists,
}

/// "94 % (47 of 50)": the share of what filing heard that people kept.
fn kept(lang: Language, heard: i64, corrected: i64) -> String {
    if heard == 0 {
        return "–".to_owned();
    }
    let kept = heard - corrected.min(heard);
    // Whole numbers, far below f64's exact range.
    #[allow(clippy::cast_precision_loss)]
    let share = kept as f64 * 100.0 / heard as f64;
    let of = match lang {
        Language::Fi => "/",
        Language::Sv => "av",
        Language::En => "of",
    };
    format!("{} % ({kept} {of} {heard})", number(lang, share, 0))
}

/// A headline card: its name, the figure, the previous period's figure, and
/// whether it meets its target, if it has one.
fn card(
    w: &Words,
    name: &str,
    key: &str,
    value: String,
    previous: Option<String>,
    target: Option<(String, bool)>,
) -> Markup {
    let class = match &target {
        Some((_, true)) => "card met",
        Some((_, false)) => "card missed",
        None => "card",
    };
    html! {
        div class=(class) data-card=(key) {
            dt { (name) }
            dd data-figure=(key) { (value) }
            @if let Some((target, met)) = target {
                dd class="target" {
                    (w.target) " " (target) ": " strong { (if met { w.target_met } else { w.target_missed }) }
                }
            }
            @if let Some(previous) = previous {
                dd class="previous" { (w.previous) ": " (previous) }
            }
        }
    }
}

fn headline(lang: Language, all: &ReportRow, previous: Option<&ReportRow>) -> Markup {
    let t = ui(lang);
    let w = words(lang);
    let d = |s: Option<f64>| opt_duration(lang, s);
    let pct =
        |share: Option<f64>| share.map_or_else(|| "–".to_owned(), |s| format!("{} %", number(lang, s * 100.0, 0)));
    let pair = |a: String, b: String| format!("{a} / {b}");
    let sla_target = |share: Option<f64>| share.map(|s| (pct(Some(TARGET_WITHIN_SLA)), s >= TARGET_WITHIN_SLA));
    let satisfaction =
        |r: &ReportRow| r.satisfaction_avg.map_or_else(|| "–".to_owned(), |s| format!("{} / 5", number(lang, s, 1)));
    let prev = |f: &dyn Fn(&ReportRow) -> String| previous.map(f);
    html! {
        dl class="figures" id="headline" {
            (card(w, t.dash_cases, "cases", all.cases.to_string(), prev(&|r| r.cases.to_string()), None))
            (card(w, t.dash_time_to_owner, "time_to_owner", pair(d(all.time_to_owner_p50), d(all.time_to_owner_p90)),
                prev(&|r| pair(d(r.time_to_owner_p50), d(r.time_to_owner_p90))), None))
            (card(w, t.dash_first_response, "first_response", pair(d(all.first_response_p50), d(all.first_response_p90)),
                prev(&|r| pair(d(r.first_response_p50), d(r.first_response_p90))), None))
            (card(w, t.dash_resolution, "resolution", pair(d(all.resolution_p50), d(all.resolution_p90)),
                prev(&|r| pair(d(r.resolution_p50), d(r.resolution_p90))), None))
            (card(w, t.dash_within_sla, "first_response_within_sla", pct(all.first_response_within_sla),
                prev(&|r| pct(r.first_response_within_sla)), sla_target(all.first_response_within_sla)))
            (card(w, t.dash_within_sla_resolution, "resolution_within_sla", pct(all.resolution_within_sla),
                prev(&|r| pct(r.resolution_within_sla)), sla_target(all.resolution_within_sla)))
            (card(w, t.dash_missed_acks, "missed_acknowledgements", all.missed_acknowledgements.to_string(),
                prev(&|r| r.missed_acknowledgements.to_string()), None))
            (card(w, t.dash_handoffs, "handoffs", number(lang, all.handoffs_per_case, 2),
                prev(&|r| number(lang, r.handoffs_per_case, 2)), None))
            (card(w, t.dash_reopened, "reopened", all.reopened.to_string(), prev(&|r| r.reopened.to_string()), None))
            (card(w, t.dash_open, "open", all.open.to_string(), prev(&|r| r.open.to_string()), None))
            (card(w, t.dash_open_age, "open_age", d(all.open_age_p50), prev(&|r| d(r.open_age_p50)), None))
            (card(w, t.dash_satisfaction, "satisfaction",
                format!("{} ({} {})", satisfaction(all), all.satisfaction_answers, t.dash_answers),
                prev(&|r| satisfaction(r)),
                all.satisfaction_avg.map(|s| (format!("{} / 5", number(lang, TARGET_SATISFACTION, 1)), s >= TARGET_SATISFACTION))))
        }
    }
}

fn body(lang: Language, p: &Period, by: Grouping, shown: &Shown<'_>) -> Markup {
    let t = ui(lang);
    let w = words(lang);
    let d = |s: Option<f64>| opt_duration(lang, s);
    let pct =
        |share: Option<f64>| share.map_or_else(|| "–".to_owned(), |s| format!("{} %", number(lang, s * 100.0, 0)));
    let query = format!("from={}&to={}&by={}", p.from, p.to, by.as_str());
    let week_labels: Vec<String> = shown.weeks.iter().map(|w| week_label(&w.group)).collect();
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
            // The map keeps its figure when the period changes.
            input type="hidden" name="map" value=(shown.map_figure.as_str());
            button class="hds-button hds-button--primary" type="submit" { span class="hds-button__label" { (t.dash_show) } }
        }
        @match shown.all {
            None => p { (t.dash_no_cases) },
            Some(all) => {
                section aria-labelledby="headline-title" {
                    h2 id="headline-title" { (t.dash_headline) }
                    (headline(lang, all, shown.previous))
                    p class="hint" { (t.dash_median) " / " (t.dash_p90) ". " (w.previous) ": "
                        (p.from - (p.to - p.from) - Duration::days(1)) " – " (p.from - Duration::days(1)) }
                }
                section aria-labelledby="heard-title" {
                    h2 id="heard-title" { (w.heard_title) }
                    p class="hint" { (w.heard_hint) }
                    dl class="figures" {
                        div class="card" data-card="topics_kept" {
                            dt { (w.topics_kept) }
                            dd data-figure="topics_kept" { (kept(lang, shown.heard.topics_heard, shown.heard.topics_corrected)) }
                        }
                        div class="card" data-card="areas_kept" {
                            dt { (w.areas_kept) }
                            dd data-figure="areas_kept" { (kept(lang, shown.heard.areas_heard, shown.heard.areas_corrected)) }
                        }
                    }
                }
                section aria-labelledby="trends-title" class="charts" {
                    h2 id="trends-title" { (t.dash_trends) }
                    (charts::bars("chart-weeks", t.dash_cases_per_week, &shown.weeks.iter().map(|w| (week_label(&w.group), w.cases as f64)).collect::<Vec<_>>(), |v| format!("{v:.0}")))
                    (charts::lines(
                        "chart-first-response",
                        t.dash_first_response_per_week,
                        &week_labels,
                        &[
                            (t.dash_median, shown.weeks.iter().map(|w| minutes(w.first_response_p50)).collect()),
                            (t.dash_p90, shown.weeks.iter().map(|w| minutes(w.first_response_p90)).collect()),
                        ],
                        |v| format!("{} {}", number(lang, v, 0), t.dash_minutes),
                    ))
                }
                section aria-labelledby="heat-title" class="charts" {
                    h2 id="heat-title" { (w.heat_title) }
                    p class="hint" { (w.heat_hint) }
                    (charts::heat_map("chart-heat", w.heat_title, &w.days, shown.heat))
                    details {
                        summary { (w.heat_table) }
                        div class="table-scroll" tabindex="0" role="region" aria-label=(w.heat_title) {
                            table class="cases heat-table" id="heat-table" {
                                thead { tr {
                                    th scope="col" { (w.weekday) " \\ " (w.hour) }
                                    @for h in 0..24 { th scope="col" { (format!("{h:02}")) } }
                                } }
                                tbody {
                                    @for (day, counts) in w.days.iter().zip(shown.heat.iter()) {
                                        tr { th scope="row" { (day) } @for c in counts { td { (c) } } }
                                    }
                                }
                            }
                        }
                    }
                }
                section aria-labelledby="districts-title" class="charts" {
                    h2 id="districts-title" { (t.dash_districts) }
                    @match shown.map {
                        Some(map) => (district_map(lang, p, shown, map)),
                        None => (charts::bars("chart-districts", t.dash_cases_per_district, &shown.districts.iter().map(|d| (group_label(lang, shown.lists, Grouping::Area, &d.group), d.cases as f64)).collect::<Vec<_>>(), |v| format!("{v:.0}"))),
                    }
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
                                th scope="col" { (t.dash_within_sla) " / " (t.dash_within_sla_resolution) }
                                th scope="col" { (t.dash_missed_acks) }
                                th scope="col" { (t.dash_handoffs) }
                                th scope="col" { (t.dash_reopened) }
                                th scope="col" { (t.dash_open) }
                                th scope="col" { (t.dash_satisfaction) }
                            } }
                            tbody {
                                @for r in shown.rows {
                                    // A district's row is where the map and its table lead.
                                    tr data-group=(r.group) id=[(by == Grouping::Area).then(|| district_anchor(&r.group))] {
                                        th scope="row" { (group_label(lang, shown.lists, by, &r.group)) }
                                        td { (r.cases) }
                                        td { (d(r.time_to_owner_p50)) " / " (d(r.time_to_owner_p90)) }
                                        td { (d(r.first_response_p50)) " / " (d(r.first_response_p90)) }
                                        td { (d(r.resolution_p50)) " / " (d(r.resolution_p90)) }
                                        td { (pct(r.first_response_within_sla)) " / " (pct(r.resolution_within_sla)) }
                                        td { (r.missed_acknowledgements) }
                                        td { (number(lang, r.handoffs_per_case, 2)) }
                                        td { (r.reopened) }
                                        td { (r.open) }
                                        td { (r.satisfaction_avg.map_or_else(|| "–".to_owned(), |s| number(lang, s, 1))) }
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

/// A map figure's name, and its value in a report row.
fn map_column(lang: Language, figure: MapFigure) -> (&'static str, fn(&ReportRow) -> Option<f64>) {
    let t = ui(lang);
    match figure {
        // Whole numbers, far below f64's exact range.
        #[allow(clippy::cast_precision_loss)]
        MapFigure::Cases => (t.dash_cases, |r| Some(r.cases as f64)),
        MapFigure::Response => (words(lang).map_response, |r| r.first_response_p50),
        MapFigure::WithinTarget => (t.dash_within_sla, |r| r.first_response_within_sla),
    }
}

/// A figure of `figure`'s kind as the dashboard writes it.
fn map_value(lang: Language, figure: MapFigure, value: f64) -> String {
    match figure {
        MapFigure::Cases => format!("{value:.0}"),
        MapFigure::Response => duration(lang, value),
        MapFigure::WithinTarget => format!("{} %", number(lang, value * 100.0, 0)),
    }
}

/// The districts on a map coloured by the chosen figure, a form to choose
/// it, and the same figures in a table whose district names lead to the
/// district's row in the breakdown by district. Staff see every district,
/// however few its cases (only `/open` withholds).
fn district_map(lang: Language, p: &Period, shown: &Shown<'_>, map: &DistrictMap) -> Markup {
    let w = words(lang);
    let figure = shown.map_figure;
    let (title, pick) = map_column(lang, figure);
    let row = |code: &str| shown.districts.iter().find(|r| r.group == code);
    let shade = |code: &str| {
        let value = pick(row(code)?);
        Some(value.map_or(Shade::Withheld, |v| Shade::Shown(v, map_value(lang, figure, v))))
    };
    let label = |v: f64| map_value(lang, figure, v);
    let breakdown = format!("/dashboard?from={}&to={}&by=area&map={}", p.from, p.to, figure.as_str());
    let link = |code: &str| row(code).map(|_| format!("{breakdown}#{}", district_anchor(code)));
    let colouring = Colouring {
        id: "district-map",
        title,
        lang,
        shade: &shade,
        label: &label,
        link: &link,
        withheld: w.map_withheld,
        no_cases: w.map_no_cases,
        see_table: w.map_see_table,
    };
    html! {
        form method="get" action="/dashboard" class="actions filters map-figure" {
            input type="hidden" name="from" value=(p.from);
            input type="hidden" name="to" value=(p.to);
            div {
                label for="map-figure" { (w.map_colour) }
                select id="map-figure" name="map" {
                    @for f in MapFigure::ALL {
                        option value=(f.as_str()) selected[f == figure] { (map_column(lang, f).0) }
                    }
                }
            }
            button class="hds-button hds-button--secondary" type="submit" { span class="hds-button__label" { (w.map_show) } }
        }
        (map.render(&colouring))
        h3 id="district-table-title" { (w.district_table) }
        div class="table-scroll" tabindex="0" role="region" aria-labelledby="district-table-title" {
            table class="cases" id="district-table" {
                thead { tr {
                    th scope="col" { (w.district) }
                    @for f in MapFigure::ALL { th scope="col" { (map_column(lang, f).0) } }
                } }
                tbody {
                    @for r in shown.districts {
                        tr {
                            th scope="row" {
                                @if r.group == "(none)" || r.group.is_empty() {
                                    (w.none)
                                } @else {
                                    a href={ (breakdown) "#" (district_anchor(&r.group)) } { (map.name(&r.group, lang).unwrap_or(&r.group)) }
                                }
                            }
                            @for f in MapFigure::ALL {
                                td { (map_column(lang, f).1(r).map_or_else(|| "–".to_owned(), |v| map_value(lang, f, v))) }
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
        assert_eq!(duration(Language::En, 42.0), "42 s");
        assert_eq!(duration(Language::En, 754.0), "12 min");
        assert_eq!(duration(Language::En, 3.0 * 3600.0 + 20.0 * 60.0), "3 h 20 min");
        assert_eq!(duration(Language::En, 2.0 * 86_400.0 + 4.0 * 3600.0), "2 d 4 h");
        assert_eq!(duration(Language::Fi, 2.0 * 86_400.0 + 4.0 * 3600.0), "2 pv 4 t");
    }

    #[test]
    fn numbers_weeks_and_groups_read_in_the_readers_convention() {
        assert_eq!(number(Language::Fi, 0.25, 2), "0,25");
        assert_eq!(number(Language::Sv, 4.16, 1), "4,2");
        assert_eq!(number(Language::En, 4.16, 1), "4.2");
        assert_eq!(week_label("2026-W48"), "23.11.–29.11.");
        assert_eq!(week_label("2027-W01"), "4.1.–10.1.");
        assert_eq!(week_label("nonsense"), "nonsense");
        let lists = CityLists::default();
        assert_eq!(group_label(Language::Fi, &lists, Grouping::Channel, "walk_in"), "Asiointipiste");
        assert_eq!(group_label(Language::Fi, &lists, Grouping::Hour, "23"), "23–00");
        assert_eq!(group_label(Language::Fi, &lists, Grouping::Area, "(none)"), "(ei tiedossa)");
        assert_eq!(group_label(Language::Sv, &lists, Grouping::Topic, "snow"), "snow", "a code no list knows");
    }
}
