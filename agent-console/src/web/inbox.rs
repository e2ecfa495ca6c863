//! `GET /`: the responder's inbox. Their open cases, the one due first on
//! top (acknowledgement or SLA deadline, whichever comes sooner), with time
//! left on each; offers from colleagues to accept or decline. The list is
//! marked `data-live`: the live socket makes it fetch itself again, so new
//! cases and messages appear without a reload.

use std::collections::HashMap;

use crate::http::extract::Form;
use axum::{
    extract::{Path, Query, State},
    response::{Html, IntoResponse, Redirect, Response},
};
use batline_core::{
    domain::Role,
    store::{self, cases::CaseListItem, handoffs::OfferView, sla::SlaClock},
};
use chrono::{DateTime, Utc};
use maud::{Markup, html};
use serde::Deserialize;
use uuid::Uuid;

use super::{
    city_lists::CityLists,
    failure::failure,
    i18n::{Ui, ui},
    layout::{self, Done, Flash, Section, csrf_field},
    session::WebUser,
};
use crate::{http::error::ApiError, operations::handoffs, state::AppState};

/// The deadline that comes first on a case: its acknowledgement (while
/// unacknowledged) or a running SLA clock.
fn next_deadline(item: &CaseListItem, clocks: &[&SlaClock]) -> Option<DateTime<Utc>> {
    let ack = item.case.ack_due_at.filter(|_| item.case.acknowledged_at.is_none());
    clocks.iter().map(|c| c.due_at).chain(ack).min()
}

/// `<time>` that the page script keeps showing as time left.
pub fn due(at: DateTime<Utc>) -> Markup {
    let helsinki = at.with_timezone(&chrono_tz::Europe::Helsinki);
    html! { time class="due" datetime=(at.to_rfc3339()) { (helsinki.format("%-d.%-m. %H:%M")) } }
}

/// A moment in Helsinki time.
pub fn when(at: DateTime<Utc>) -> String {
    at.with_timezone(&chrono_tz::Europe::Helsinki).format("%-d.%-m.%Y %H:%M").to_string()
}

/// `GET /`.
pub async fn page(State(state): State<AppState>, user: WebUser, Query(done): Query<Done>) -> Response {
    // Desk staff own no cases: their workplace is the desk page.
    if user.me.role == Role::Desk {
        return Redirect::to("/walk-in").into_response();
    }
    let flash = done.flash(ui(user.lang));
    render(&state, &user, flash).await
}

/// The inbox with an optional message on top.
pub async fn render(state: &AppState, user: &WebUser, flash: Option<Flash>) -> Response {
    match body(state, user).await {
        Ok(body) => {
            let t = ui(user.lang);
            Html(layout::page(user, Section::Inbox, t.inbox_title, flash.as_ref(), body).into_string()).into_response()
        }
        Err(e) => failure(user, e),
    }
}

async fn body(state: &AppState, user: &WebUser) -> Result<Markup, ApiError> {
    let t = ui(user.lang);
    let mut cases = store::cases::open_for_owner(&state.pool, user.me.id).await?;
    let clocks = store::sla::running_for_owner(&state.pool, user.me.id).await?;
    let offers = store::handoffs::open_for(&state.pool, user.me.id).await?;
    let lists = CityLists::load(&state.pool).await?;
    let mut by_case: HashMap<Uuid, Vec<&SlaClock>> = HashMap::new();
    for clock in &clocks {
        by_case.entry(clock.case_id).or_default().push(clock);
    }
    let deadline = |item: &CaseListItem| next_deadline(item, by_case.get(&item.case.id).map_or(&[][..], Vec::as_slice));
    // Due first; cases without a deadline last, oldest first among them.
    cases.sort_by_key(|item| (deadline(item).is_none(), deadline(item), item.case.opened_at));
    // The heading with its count is inside the live region, so a live
    // update refreshes the count with the rows.
    Ok(html! {
        div id="inbox" data-live hx-get="/" hx-trigger="live-refresh" hx-select="#inbox" hx-swap="outerHTML" {
            h1 { (t.inbox_title) " " span class="tag" { (cases.len()) } }
            @if !offers.is_empty() {
                (offer_list(t, user, &offers))
            }
            @if cases.is_empty() {
                p { (t.no_cases) }
            } @else {
                // A phone is narrower than the table: the box scrolls, not the page.
                div class="table-scroll" role="region" aria-label=(t.inbox_title) tabindex="0" {
                    table class="cases" {
                        caption class="visually-hidden" { (t.inbox_title) }
                        thead {
                            tr {
                                th scope="col" { (t.col_case) }
                                th scope="col" { (t.col_latest_words) }
                                th scope="col" class="wide" { (t.col_channel) }
                                th scope="col" class="wide" { (t.col_about) }
                                th scope="col" class="wide" { (t.col_last) }
                                th scope="col" { (t.col_ack) }
                                th scope="col" { (t.col_sla) }
                                th scope="col" { (t.col_action) }
                            }
                        }
                        tbody {
                            @for item in &cases {
                                (case_row(t, user, &lists, item, by_case.get(&item.case.id).map_or(&[][..], Vec::as_slice)))
                            }
                        }
                    }
                }
            }
        }
        p class="shortcuts" { kbd { "?" } " " (t.shortcuts_title) }
    })
}

fn case_row(t: &Ui, user: &WebUser, lists: &CityLists, item: &CaseListItem, clocks: &[&SlaClock]) -> Markup {
    let case = &item.case;
    let sla = clocks.iter().min_by_key(|c| c.due_at);
    html! {
        tr data-case-row tabindex="-1" data-case-id=(case.id) {
            td {
                a data-open href={ "/cases/" (case.id) } { (case.tracking_code) }
                @if case.acknowledged_at.is_none() { " " span class="tag new" { (t.not_acknowledged) } }
            }
            td { @if let Some(words) = &item.latest_words { span class="latest-words" { (words) } } @else { (t.none) } }
            td class="wide" { (t.channel(case.channel)) br; span class="hint" { (ui(case.language).language_name) } }
            td class="wide" {
                (case.area.as_deref().map_or(t.none, |a| lists.district(a, user.lang))) " / "
                (case.topic.as_deref().map_or(t.none, |c| lists.topic(c, user.lang)))
            }
            td class="wide" { @match item.last_message_at { Some(at) => (when(at)), None => (t.none) } }
            td {
                @match (case.acknowledged_at, case.ack_due_at) {
                    (Some(_), _) => (t.acknowledged),
                    (None, Some(at)) => (due(at)),
                    (None, None) => (t.not_acknowledged),
                }
            }
            td {
                @if let Some(clock) = sla {
                    (target_name(t, clock)) ": " (due(clock.due_at))
                } @else { (t.none) }
            }
            td {
                @if case.acknowledged_at.is_none() {
                    form method="post" action={ "/cases/" (case.id) "/acknowledge" } {
                        (csrf_field(user))
                        input type="hidden" name="back" value="inbox";
                        button class="hds-button hds-button--primary hds-button--small" type="submit" data-acknowledge {
                            span class="hds-button__label" { (t.acknowledge) " " span class="visually-hidden" { (case.tracking_code) } }
                        }
                    }
                }
            }
        }
    }
}

/// An SLA clock's name.
pub fn target_name(t: &Ui, clock: &SlaClock) -> &'static str {
    match clock.target {
        batline_core::domain::SlaTarget::FirstResponse => t.sla_first_response,
        batline_core::domain::SlaTarget::Resolution => t.sla_resolution,
    }
}

fn offer_list(t: &Ui, user: &WebUser, offers: &[OfferView]) -> Markup {
    html! {
        section aria-labelledby="offers-title" class="panel" {
            h2 id="offers-title" { (t.offers_title) }
            ul class="stack" {
                @for offer in offers {
                    li data-offer=(offer.tracking_code) {
                        strong { (offer.from_name) } " " (t.offer_from) " "
                        a href={ "/cases/" (offer.handoff.case_id) } { (offer.tracking_code) }
                        blockquote { (offer.handoff.note) }
                        div class="actions" {
                            form method="post" action={ "/handoffs/" (offer.handoff.id) "/accept" } {
                                (csrf_field(user))
                                button class="hds-button hds-button--primary" type="submit" {
                                    span class="hds-button__label" { (t.accept) " " span class="visually-hidden" { (offer.tracking_code) } }
                                }
                            }
                            form method="post" action={ "/handoffs/" (offer.handoff.id) "/decline" } {
                                (csrf_field(user))
                                button class="hds-button hds-button--secondary" type="submit" {
                                    span class="hds-button__label" { (t.decline) " " span class="visually-hidden" { (offer.tracking_code) } }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A form that only carries the CSRF token (checked by the middleware).
#[derive(Debug, Deserialize)]
pub struct Empty {}

/// `POST /handoffs/{id}/accept`: the case is mine; open it.
pub async fn accept(
    State(state): State<AppState>,
    user: WebUser,
    Path(id): Path<Uuid>,
    Form(_): Form<Empty>,
) -> Response {
    match handoffs::accept_as(&state, &user.me, id).await {
        Ok(case) => Redirect::to(&format!("/cases/{}?done=accepted", case.id)).into_response(),
        Err(e) => render(&state, &user, Some(Flash::Failed(e.parts().2))).await,
    }
}

/// `POST /handoffs/{id}/decline`.
pub async fn decline(
    State(state): State<AppState>,
    user: WebUser,
    Path(id): Path<Uuid>,
    Form(_): Form<Empty>,
) -> Response {
    match handoffs::decline_as(&state, &user.me, id, None).await {
        Ok(_) => Redirect::to("/?done=declined").into_response(),
        Err(e) => render(&state, &user, Some(Flash::Failed(e.parts().2))).await,
    }
}
