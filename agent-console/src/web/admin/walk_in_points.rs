//! `/admin/walk-in-points`: the Batcaves with their opening hours, and
//! adding one. Hours are typed as people write them (`mon-fri
//! 08:00-16:00, sat 10:00-14:00`, Helsinki time) and shown the same way.

use crate::http::extract::Form;
use axum::{
    extract::{Query, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use batline_core::{opening_hours::OpeningHours, store};
use maud::html;

use super::{
    frame::{Done, Fields, forbidden_unless_admin, hours_text, refused, respond, submit, text_input},
    texts::texts,
};
use crate::{
    operations::walk_in_points::{self, NewPoint},
    state::AppState,
    web::{city_lists::CityLists, failure::failure, layout::Flash, layout::csrf_field, session::WebUser},
};

/// What was typed into the form.
#[derive(Debug, Default)]
struct Draft {
    name: String,
    public_name: String,
    address: String,
    area: String,
    hours: String,
}

/// `GET /admin/walk-in-points`.
pub async fn page(State(state): State<AppState>, user: WebUser, Query(done): Query<Done>) -> Response {
    let flash = done.flash(texts(user.lang));
    render(&state, &user, StatusCode::OK, flash, Draft::default()).await
}

async fn render(state: &AppState, user: &WebUser, status: StatusCode, flash: Option<Flash>, draft: Draft) -> Response {
    if let Some(denied) = forbidden_unless_admin(user) {
        return denied;
    }
    let loaded = async {
        let points = store::walk_in_points::list(&state.pool).await?;
        Ok::<_, batline_core::Error>((points, CityLists::load(&state.pool).await?))
    };
    let (points, lists) = match loaded.await {
        Ok(loaded) => loaded,
        Err(e) => return failure(user, e.into()),
    };
    let t = texts(user.lang);
    let districts = lists.districts_by_name(user.lang);
    let body = html! {
        h1 { (t.points_title) }
        @if points.is_empty() {
            p { (t.no_points) }
        } @else {
            div class="table-scroll" role="region" aria-label=(t.points_title) tabindex="0" {
                table class="cases" {
                    caption class="visually-hidden" { (t.points_title) }
                    thead { tr {
                        th scope="col" { (t.col_name) }
                        th scope="col" { (t.col_public_name) }
                        th scope="col" { (t.col_address) }
                        th scope="col" { (t.col_area) }
                        th scope="col" { (t.col_hours) }
                    } }
                    tbody {
                        @for point in &points {
                            @let hours = hours_text(&point.opening_hours);
                            tr data-point=(point.name) {
                                td { (point.name) }
                                td { (point.public_name) }
                                td { (point.address) }
                                td { (lists.district(&point.area, user.lang)) }
                                td data-hours { @if hours.is_empty() { (t.closed) } @else { (hours) } }
                            }
                        }
                    }
                }
            }
        }
        form class="panel admin-form" method="post" action="/admin/walk-in-points" {
            h2 { (t.add_point_title) }
            (csrf_field(user))
            (text_input("point-name", "name", t.point_name, &draft.name, None, true, 200, "text"))
            (text_input("point-public-name", "public_name", t.public_name, &draft.public_name, Some(t.public_name_hint), false, 200, "text"))
            (text_input("point-address", "address", t.address, &draft.address, None, true, 200, "text"))
            @if districts.is_empty() {
                (text_input("point-area", "area", t.area, &draft.area, None, true, 200, "text"))
            } @else {
                div class="field" {
                    label for="point-area" { (t.area) }
                    select id="point-area" name="area" required {
                        option value="" { (t.choose_district) }
                        @for district in districts {
                            option value=(district.code) selected[draft.area == district.code] { (district.name(user.lang)) }
                        }
                    }
                }
            }
            (text_input("point-hours", "hours", t.hours, &draft.hours, Some(t.hours_hint), false, 500, "text"))
            (submit(t.add_point_button, true))
        }
    };
    respond(user, status, "/admin/walk-in-points", t.points_title, flash.as_ref(), body)
}

/// `POST /admin/walk-in-points`.
pub async fn add(State(state): State<AppState>, user: WebUser, Form(pairs): Form<Vec<(String, String)>>) -> Response {
    if let Some(denied) = forbidden_unless_admin(&user) {
        return denied;
    }
    let f = Fields::new(pairs);
    let draft = Draft {
        name: f.text("name"),
        public_name: f.text("public_name"),
        address: f.text("address"),
        area: f.text("area"),
        hours: f.text("hours"),
    };
    let added = async {
        let opening_hours = OpeningHours::parse(&draft.hours)?;
        let point = NewPoint {
            name: draft.name.clone(),
            public_name: Some(draft.public_name.clone()),
            address: draft.address.clone(),
            area: draft.area.clone(),
            opening_hours,
        };
        walk_in_points::add_as(&state, &user.me, point).await
    };
    match added.await {
        Ok(_) => Redirect::to("/admin/walk-in-points?done=point_added").into_response(),
        Err(e) => refused(&user, e, |status, flash| render(&state, &user, status, Some(flash), draft)).await,
    }
}
