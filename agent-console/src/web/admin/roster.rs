//! `/admin/roster`: import shifts from CSV (pasted into a text area: a file
//! upload would be multipart, which the CSRF check does not read), the
//! shifts of the coming days, and the coverage check over them.

use crate::http::extract::Form;
use axum::{
    extract::{Query, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use batline_core::{roster::Gap, store};
use chrono::{Duration, Utc};
use maud::html;
use serde::Deserialize;

use super::{
    frame::{Fields, flash, forbidden_unless_admin, number, number_input, refused, respond, submit},
    roster_problems,
    texts::texts,
};
use crate::{
    http::error::ApiError,
    operations::roster,
    state::AppState,
    web::{city_lists::CityLists, failure::failure, inbox::when, layout::Flash, layout::csrf_field, session::WebUser},
};

/// Longest CSV the text area takes: a form is sent percent-encoded, where a
/// comma or a line break takes three bytes or more, and the whole body must
/// stay under the 64 KiB limit (about 400 shifts fit).
const CSV_MAX_CHARS: usize = 20_000;

/// Days ahead shown unless the page asks for more or fewer.
const DEFAULT_DAYS: u32 = 7;

/// `?days=…&done=…`.
#[derive(Debug, Default, Deserialize)]
pub struct RosterQuery {
    #[serde(default)]
    days: Option<String>,
    #[serde(default)]
    done: Option<String>,
}

/// `GET /admin/roster`.
pub async fn page(State(state): State<AppState>, user: WebUser, Query(query): Query<RosterQuery>) -> Response {
    let t = texts(user.lang);
    let days = match query.days.as_deref().map(|d| number::<u32>(t, t.coverage_days, d)).transpose() {
        Ok(days) => days.unwrap_or(DEFAULT_DAYS),
        Err(e) => {
            let (status, _, detail) = e.parts();
            return render(&state, &user, status, Some(Flash::Failed(detail)), DEFAULT_DAYS, String::new()).await;
        }
    };
    render(&state, &user, StatusCode::OK, flash(query.done.as_deref(), t), days, String::new()).await
}

async fn render(
    state: &AppState,
    user: &WebUser,
    status: StatusCode,
    flash: Option<Flash>,
    days: u32,
    csv: String,
) -> Response {
    if let Some(denied) = forbidden_unless_admin(user) {
        return denied;
    }
    let (mut status, mut flash, mut days) = (status, flash, days);
    let gaps = match roster::coverage_as(state, &user.me, days).await {
        Ok(gaps) => Ok(gaps),
        Err(e) if e.parts().0 == StatusCode::UNPROCESSABLE_ENTITY => {
            // Days out of range: say so, and show the default stretch instead.
            (status, flash, days) = (StatusCode::UNPROCESSABLE_ENTITY, Some(Flash::Failed(e.parts().2)), DEFAULT_DAYS);
            roster::coverage_as(state, &user.me, days).await
        }
        Err(e) => Err(e),
    };
    let now = Utc::now();
    let shifts = store::shifts::covering(&state.pool, now, now + Duration::days(i64::from(days))).await;
    let lists = CityLists::load(&state.pool).await;
    let (gaps, shifts, lists) = match (gaps, shifts, lists) {
        (Ok(gaps), Ok(shifts), Ok(lists)) => (gaps, shifts, lists),
        (Err(e), _, _) => return failure(user, e),
        (_, Err(e), _) | (_, _, Err(e)) => return failure(user, e.into()),
    };
    let t = texts(user.lang);
    let gap_kind = |gap: &Gap| if gap.kind == "language" { t.gap_language } else { t.gap_area };
    // A gap names a language by its code, an area by the district's name.
    let gap_value = |gap: &Gap| {
        if gap.kind == "language" { gap.value.clone() } else { lists.district(&gap.value, user.lang).to_owned() }
    };
    let body = html! {
        h1 { (t.roster_title) }
        form class="panel admin-form" method="post" action="/admin/roster" {
            h2 { (t.import_title) }
            (csrf_field(user))
            div class="field" {
                label for="csv" { (t.csv_label) }
                p class="hint" id="csv-hint" { (t.csv_hint) }
                textarea id="csv" name="csv" class="csv" rows="8" required maxlength=(CSV_MAX_CHARS) aria-describedby="csv-hint"
                    placeholder="date,start,end,area,lead,members" { (csv) }
            }
            (submit(t.import_button, true))
        }
        form class="admin-inline" method="get" action="/admin/roster" {
            (number_input("days", "days", t.coverage_days, &days.to_string(), 1, 31, true))
            (submit(t.show, false))
        }
        section aria-labelledby="upcoming-title" {
            h2 id="upcoming-title" { (t.upcoming_title) }
            @if shifts.is_empty() {
                p { (t.no_upcoming) }
            } @else {
                div class="table-scroll" role="region" aria-labelledby="upcoming-title" tabindex="0" {
                    table class="cases" {
                        thead { tr {
                            th scope="col" { (t.col_area) }
                            th scope="col" { (t.col_starts) }
                            th scope="col" { (t.col_ends) }
                            th scope="col" { (t.col_languages) }
                        } }
                        tbody {
                            @for shift in &shifts {
                                tr data-shift {
                                    td { (shift.area.as_deref().map_or(t.city_wide, |a| lists.district(a, user.lang))) }
                                    td { (when(shift.starts_at)) }
                                    td { (when(shift.ends_at)) }
                                    td { (shift.languages.join(", ")) }
                                }
                            }
                        }
                    }
                }
            }
        }
        section aria-labelledby="coverage-title" {
            h2 id="coverage-title" { (t.coverage_title) }
            @if gaps.is_empty() {
                p { (t.no_gaps) }
            } @else {
                p { (t.gaps_intro) }
                div class="table-scroll" role="region" aria-labelledby="coverage-title" tabindex="0" {
                    table class="cases" {
                        thead { tr {
                            th scope="col" { (t.col_gap) }
                            th scope="col" { (t.col_from) }
                            th scope="col" { (t.col_to) }
                        } }
                        tbody {
                            @for gap in &gaps {
                                tr data-gap=(gap.kind) {
                                    td { (gap_kind(gap)) ": " (gap_value(gap)) }
                                    td { (when(gap.from)) }
                                    td { (when(gap.to)) }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    respond(user, status, "/admin/roster", t.roster_title, flash.as_ref(), body)
}

/// `POST /admin/roster`: import the pasted CSV.
pub async fn import(
    State(state): State<AppState>,
    user: WebUser,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    if let Some(denied) = forbidden_unless_admin(&user) {
        return denied;
    }
    let csv = Fields::new(pairs).text("csv");
    match roster::import_as(&state, &user.me, &csv).await {
        Ok(_) => Redirect::to("/admin/roster?done=roster_imported").into_response(),
        Err(ApiError::Core(batline_core::Error::Roster(problem))) => {
            let flash = Flash::Failed(roster_problems::say(user.lang, &problem));
            render(&state, &user, StatusCode::UNPROCESSABLE_ENTITY, Some(flash), DEFAULT_DAYS, csv).await
        }
        Err(e) => {
            refused(&user, e, |status, flash| render(&state, &user, status, Some(flash), DEFAULT_DAYS, csv)).await
        }
    }
}
