//! Duty status from the header: on duty, away or off. Going off duty with
//! open cases first shows where each case will go (by the same assignment
//! rules the router applies), and only a confirmation sets it.

use crate::http::extract::Form;
use axum::{
    extract::State,
    response::{Html, IntoResponse, Redirect, Response},
};
use batline_core::{
    assign,
    domain::DutyStatus,
    responder_admin,
    store::{self, responders::ResponderPatch},
};
use maud::html;
use serde::Deserialize;

use super::{
    failure::failure,
    i18n::ui,
    layout::{self, Section, csrf_field},
    session::WebUser,
};
use crate::{http::error::ApiError, state::AppState};

/// The duty form.
#[derive(Debug, Deserialize)]
pub struct DutyForm {
    status: DutyStatus,
    /// Set by the confirmation button on the preview page.
    #[serde(default)]
    confirm: Option<String>,
}

/// `POST /duty`.
pub async fn set(State(state): State<AppState>, user: WebUser, Form(form): Form<DutyForm>) -> Response {
    if form.status == DutyStatus::Off && form.confirm.is_none() && user.me.duty_status != DutyStatus::Off {
        match store::cases::open_for_owner(&state.pool, user.me.id).await {
            Ok(cases) if !cases.is_empty() => return Redirect::to("/duty/off").into_response(),
            Ok(_) => {}
            Err(e) => return failure(&user, e.into()),
        }
    }
    let patch = ResponderPatch { duty_status: Some(form.status), ..ResponderPatch::default() };
    match responder_admin::update(&state.pool, user.me.id, &patch).await {
        Ok(_) => {
            // Going off publishes a hand-on request through the outbox.
            state.outbox.kick();
            Redirect::to("/?done=duty").into_response()
        }
        Err(e) => failure(&user, e.into()),
    }
}

/// `GET /duty/off`: the preview before going off duty.
pub async fn off_preview(State(state): State<AppState>, user: WebUser) -> Response {
    let t = ui(user.lang);
    let preview = async {
        let mut conn = state.pool.acquire().await?;
        let cases = store::cases::open_for_owner(&mut *conn, user.me.id).await?;
        let cases: Vec<_> = cases.into_iter().map(|item| item.case).collect();
        let moves =
            assign::preview(&mut conn, &cases, user.me.id, chrono::Utc::now(), state.config.presence_window).await?;
        Ok::<_, ApiError>(cases.into_iter().zip(moves).collect::<Vec<_>>())
    };
    let moves = match preview.await {
        Ok(moves) => moves,
        Err(e) => return failure(&user, e),
    };
    let body = html! {
        h1 { (t.off_title) }
        @if moves.is_empty() {
            p { (t.off_none) }
        } @else {
            p { (t.off_intro) }
            div class="table-scroll" role="region" aria-label=(t.off_title) tabindex="0" {
                table class="cases" {
                    thead { tr { th scope="col" { (t.col_case) } th scope="col" { (t.will_go_to) } } }
                    tbody {
                        @for (case, (_, name, _)) in &moves {
                            tr data-move=(case.tracking_code) {
                                td { a href={ "/cases/" (case.id) } { (case.tracking_code) } }
                                td { (name) }
                            }
                        }
                    }
                }
            }
            p class="hint" { (t.likely_note) }
        }
        form method="post" action="/duty" class="actions" {
            (csrf_field(&user))
            input type="hidden" name="status" value="off";
            input type="hidden" name="confirm" value="1";
            button class="hds-button hds-button--primary" type="submit" { span class="hds-button__label" { (t.confirm_off) } }
            a class="hds-button hds-button--secondary" href="/" { span class="hds-button__label" { (t.cancel) } }
        }
    };
    Html(layout::page(&user, Section::Other, t.off_title, None, body).into_string()).into_response()
}
