//! `GET /lead`: the shift lead's view. Who is working, who is actually at
//! their console (presence, `store::presence`) and how loaded; the cases
//! nobody has acknowledged yet or that missed an SLA deadline, each with
//! the start of the resident's latest message and a reassign form; and the
//! technical messages that failed (dead letters). Live like the inbox.

use crate::http::extract::Form;
use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
    response::{Html, IntoResponse, Redirect, Response},
};
use batline_core::{
    domain::{DutyStatus, Role},
    store::{self, abuse_alerts::AbuseAlert, cases::AttentionItem, responders::BoardRow},
};
use chrono::Utc;
use maud::{Markup, html};
use serde::Deserialize;
use uuid::Uuid;

use super::{
    failure::{failure, role_forbidden},
    i18n::{Ui, ui},
    inbox::{due, when},
    layout::{self, Done, Flash, Section, csrf_field},
    session::WebUser,
};
use crate::{
    http::error::ApiError,
    operations::{
        dead_letters::{self, DeadLetterView},
        handoffs,
    },
    state::AppState,
};

/// Cases listed at most.
const ATTENTION_LIMIT: i64 = 200;
/// Dead letters listed at most.
const DEAD_LETTER_LIMIT: i64 = 50;
/// Characters of a dead letter shown on the page.
const PAYLOAD_SHOWN: usize = 300;
/// Abuse alerts are shown for a day after their episode's last refusal.
const ALERTS_FOR: chrono::Duration = chrono::Duration::hours(24);
/// Abuse alerts listed at most.
const ALERT_LIMIT: i64 = 20;

fn may_lead(user: &WebUser) -> bool {
    matches!(user.me.role, Role::Lead | Role::Mayor | Role::Admin)
}

/// `GET /lead`.
pub async fn page(State(state): State<AppState>, user: WebUser, Query(done): Query<Done>) -> Response {
    let flash = done.flash(ui(user.lang));
    render(&state, &user, StatusCode::OK, flash).await
}

async fn render(state: &AppState, user: &WebUser, status: StatusCode, flash: Option<Flash>) -> Response {
    if !may_lead(user) {
        return role_forbidden(user);
    }
    let loaded = async {
        let board = store::responders::board(&state.pool, Utc::now(), state.config.presence_window).await?;
        let attention = store::cases::needing_attention(&state.pool, ATTENTION_LIMIT).await?;
        let letters = store::dead_letters::list(&state.pool, false, DEAD_LETTER_LIMIT).await?;
        let alerts = store::abuse_alerts::since(&state.pool, Utc::now() - ALERTS_FOR, ALERT_LIMIT).await?;
        let letters = letters.into_iter().map(DeadLetterView::from).collect::<Vec<_>>();
        Ok::<_, ApiError>((board, attention, letters, alerts))
    };
    match loaded.await {
        Ok((board, attention, letters, alerts)) => {
            let t = ui(user.lang);
            let body = html! {
                (abuse_alerts(t, &alerts))
                (body(t, user, &board, &attention, state.config.presence_window))
                (dead_letters(t, user, &letters))
            };
            (status, Html(layout::page(user, Section::Lead, t.lead_title, flash.as_ref(), body).into_string()))
                .into_response()
        }
        Err(e) => failure(user, e),
    }
}

fn body(
    t: &Ui,
    user: &WebUser,
    board: &[BoardRow],
    attention: &[AttentionItem],
    presence_window: std::time::Duration,
) -> Markup {
    let now = Utc::now();
    let on_duty: Vec<&BoardRow> = board.iter().filter(|r| r.duty_status == DutyStatus::OnDuty).collect();
    let minutes = presence_window.as_secs().div_ceil(60).to_string();
    html! {
        h1 { (t.lead_title) }
        div id="lead-board" data-live hx-get="/lead" hx-trigger="live-refresh" hx-select="#lead-board" hx-swap="outerHTML" {
            section aria-labelledby="board-title" {
                h2 id="board-title" { (t.on_duty_now) }
                p class="hint" { (t.presence_hint.replace("{minutes}", &minutes)) }
                // Focusable, so a keyboard can scroll it on a narrow screen.
                div class="table-scroll" tabindex="0" role="region" aria-labelledby="board-title" {
                table class="cases" {
                    thead { tr {
                        th scope="col" { (t.col_responder) }
                        th scope="col" { (t.col_presence) }
                        th scope="col" { (t.col_status) }
                        th scope="col" { (t.col_load) }
                        th scope="col" class="wide" { (t.col_unacked) }
                        th scope="col" class="wide" { (t.col_overdue) }
                    } }
                    tbody {
                        @for row in board {
                            tr data-responder=(row.username) data-present=(row.sighting.present) {
                                td { (row.display_name) }
                                td { (presence(t, row)) }
                                td { (t.duty(row.duty_status)) }
                                td { (row.open_cases) " / " (row.capacity) }
                                td class="wide" { (row.unacknowledged) }
                                td class="wide" { @if row.overdue > 0 { strong { (row.overdue) } } @else { "0" } }
                            }
                        }
                    }
                }
                }
            }
            section aria-labelledby="attention-title" {
                h2 id="attention-title" { (t.attention_title) }
                @if attention.is_empty() {
                    p { (t.attention_none) }
                } @else {
                    // On a phone the table scrolls inside its box, never the page.
                    div class="table-scroll" role="region" aria-labelledby="attention-title" tabindex="0" {
                    table class="cases" {
                        thead { tr {
                            th scope="col" { (t.col_case) }
                            th scope="col" { (t.owner) }
                            th scope="col" { (t.col_ack) }
                            th scope="col" class="wide" { (t.col_channel) }
                            th scope="col" { (t.reassign) }
                        } }
                        tbody {
                            @for a in attention {
                                @let case = &a.item.case;
                                tr data-case-row tabindex="-1" data-attention=(case.tracking_code) {
                                    td {
                                        a data-open href={ "/cases/" (case.id) } { (case.tracking_code) }
                                        @if a.sla_breached { " " span class="tag" { (t.breached) } }
                                        @if a.nobody_present { " " span class="tag alert" data-nobody-present { (t.nobody_present_tag) } }
                                        @if let Some(preview) = &a.preview {
                                            p class="preview" data-preview {
                                                span class="visually-hidden" { (t.col_preview) ": " }
                                                (preview)
                                                @if preview.chars().count() >= store::cases::PREVIEW_CHARS as usize { "…" }
                                            }
                                        }
                                    }
                                    td { (a.item.owner_name) }
                                    td {
                                        @match (case.acknowledged_at, case.ack_due_at) {
                                            (Some(at), _) => { (t.acknowledged) " " (when(at)) }
                                            (None, Some(at)) if at < now => { strong { (t.overdue) } " " (due(at)) }
                                            (None, Some(at)) => (due(at)),
                                            (None, None) => (t.not_acknowledged),
                                        }
                                    }
                                    td class="wide" { (t.channel(case.channel)) " · " (when(case.opened_at)) }
                                    td {
                                        form method="post" action={ "/cases/" (case.id) "/reassign" } class="actions reassign" {
                                            (csrf_field(user))
                                            div class="field" {
                                                label for={ "to-" (case.id) } {
                                                    (t.reassign_to) span class="visually-hidden" { " " (case.tracking_code) }
                                                }
                                                select id={ "to-" (case.id) } name="to" required {
                                                    @for r in on_duty.iter().filter(|r| r.id != case.owner_id) {
                                                        option value=(r.username) {
                                                            (r.display_name) " (" (r.open_cases) "/" (r.capacity)
                                                            @if r.sighting.present { ", " (t.presence_here.to_lowercase()) }
                                                            ")"
                                                        }
                                                    }
                                                }
                                            }
                                            div class="field" {
                                                label for={ "why-" (case.id) } {
                                                    (t.reason) span class="visually-hidden" { " " (case.tracking_code) }
                                                }
                                                input type="text" id={ "why-" (case.id) } name="note" required maxlength="1000";
                                            }
                                            button class="hds-button hds-button--secondary hds-button--small" type="submit" {
                                                span class="hds-button__label" { (t.reassign) }
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
        }
    }
}

/// Whether a responder is at their console: present (with an open console,
/// or recently active) or not, and when they last did something.
fn presence(t: &Ui, row: &BoardRow) -> Markup {
    let seen = row.sighting.last_seen_at;
    html! {
        @if row.sighting.present {
            span class="tag present" { (t.presence_here) }
            @if row.sighting.console_open {
                " " span class="hint-inline" { (t.presence_console_open) }
            } @else if let Some(at) = seen {
                " " span class="hint-inline" { (t.presence_last_seen) " " (when(at)) }
            }
        } @else {
            (t.presence_away)
            @if let Some(at) = seen {
                " " span class="hint-inline" { (t.presence_last_seen) " " (when(at)) }
            }
        }
    }
}

/// Episodes of the last day in which a service took the traffic for an
/// attack and refused new work for everyone (the gateway writes them): a
/// lead sees them here, first on the page. Nothing when there are none.
fn abuse_alerts(t: &Ui, alerts: &[AbuseAlert]) -> Markup {
    html! {
        @if !alerts.is_empty() {
            section class="panel" aria-labelledby="abuse-alerts-title" {
                h2 id="abuse-alerts-title" { (t.abuse_alerts_title) " " span class="tag" { (alerts.len()) } }
                ul class="stack" {
                    @for alert in alerts {
                        li data-abuse-alert=(alert.kind) {
                            strong { (when(alert.started_at)) " – " (when(alert.last_at)) } " · "
                            (t.chat_flood_alert
                                .replace("{threshold}", &alert.threshold.to_string())
                                .replace("{refused}", &alert.refused.to_string()))
                        }
                    }
                }
            }
        }
    }
}

/// Technical messages between Batline's services that failed again and
/// again (dead letters), waiting for a lead: nothing is dropped silently,
/// and a retry sends one back to where it was going. Not residents'
/// messages, which the heading says so nobody reads them as unanswered.
fn dead_letters(t: &Ui, user: &WebUser, letters: &[DeadLetterView]) -> Markup {
    let may_retry = matches!(user.me.role, Role::Lead | Role::Admin);
    html! {
        section aria-labelledby="dead-letters-title" {
            h2 id="dead-letters-title" { (t.dead_letters_title) " " span class="tag" { (letters.len()) } }
            @if letters.is_empty() {
                p { (t.dead_letters_none) }
            } @else {
                p class="hint" { (t.dead_letters_hint) }
                ul class="stack" {
                    @for letter in letters {
                        li class="panel" data-dead-letter=(letter.id) {
                            strong { (letter.queue) " · " (letter.reason) } " · " (when(letter.died_at))
                            pre class="body" { (letter.payload.chars().take(PAYLOAD_SHOWN).collect::<String>()) }
                            @if may_retry {
                                form method="post" action={ "/dead-letters/" (letter.id) "/retry" } {
                                    (csrf_field(user))
                                    button class="hds-button hds-button--secondary hds-button--small" type="submit" {
                                        span class="hds-button__label" { (t.dead_letters_retry) }
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

/// `POST /dead-letters/{id}/retry`.
pub async fn retry_dead_letter(State(state): State<AppState>, user: WebUser, Path(id): Path<Uuid>) -> Response {
    match dead_letters::retry_one(&state, id, &user.me).await {
        Ok(_) => Redirect::to("/lead?done=retried").into_response(),
        Err(e) => refused(&state, &user, e).await,
    }
}

/// A refused action: the 403 page, or the lead page again with the reason.
async fn refused(state: &AppState, user: &WebUser, error: ApiError) -> Response {
    let (status, _, detail) = error.parts();
    if status == StatusCode::FORBIDDEN {
        return failure(user, error);
    }
    render(state, user, status, Some(Flash::Failed(detail))).await
}

/// The reassign form.
#[derive(Debug, Deserialize)]
pub struct ReassignForm {
    to: String,
    note: String,
}

/// `POST /cases/{id}/reassign`.
pub async fn reassign(
    State(state): State<AppState>,
    user: WebUser,
    Path(id): Path<Uuid>,
    Form(form): Form<ReassignForm>,
) -> Response {
    match handoffs::reassign_as(&state, &user.me, id, &form.to, &form.note).await {
        Ok(_) => Redirect::to("/lead?done=reassigned").into_response(),
        Err(e) => refused(&state, &user, e).await,
    }
}
