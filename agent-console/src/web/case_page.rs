//! `GET /cases/{id}`: one case, everything its owner needs on one page.
//!
//! Left: the whole conversation across channels (texts, chat, calls with
//! their voice messages, walk-in notes, internal notes) in one thread, then
//! reply (with canned replies) and internal note. Right: hand-off, resolve
//! or reopen, call-back, the SLA clocks, the resident's earlier cases and
//! the timeline with routing reasons.
//!
//! Who sees it: its owner; leads, the mayor and admins (read-only, plus
//! reassign on the lead page); a colleague it is offered to (read-only, to
//! decide). Desk staff never read conversations. Anyone else gets 403.
//!
//! Every action posts a form, runs the same function the JSON API runs and
//! redirects back with a confirmation; a refusal re-renders the page with
//! the reason and the text typed so far.

use std::collections::HashMap;

use crate::http::extract::Form;
use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
    response::{Html, IntoResponse, Redirect, Response},
};
use batline_core::{
    domain::{CaseStatus, Channel, Direction, DutyStatus, MessageKind, Priority, Role, event_kind},
    outbound::Reach,
    store::{
        self,
        call_backs::CallBack,
        calls::Call,
        canned_replies::CannedReply,
        cases::{CaseListItem, PastCase},
        email::AttachmentInfo,
        events::CaseEvent,
        messages::Message,
        responders::Responder,
        sla::SlaClock,
    },
    texts,
};
use chrono::{DateTime, Utc};
use maud::{Markup, html};
use serde::Deserialize;
use uuid::Uuid;

use super::{
    city_lists::CityLists,
    failure::failure,
    i18n::{Ui, ui},
    inbox::{due, target_name, when},
    layout::{self, Done, Flash, Section, csrf_field},
    session::WebUser,
    timeline,
};
use crate::{
    http::error::ApiError,
    operations::{call_backs, cases, chat_signals, handoffs, links, merges},
    state::AppState,
};

/// Earlier cases of the resident listed at most.
const EARLIER_CASES: i64 = 10;

/// How the signed-in person may use the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Access {
    /// The owner: every action.
    Owner,
    /// Leads, the mayor, admins, and a colleague deciding on an offer.
    ReadOnly,
    /// Someone who owned it before: they read where it went ("now with …")
    /// rather than meeting a refusal on a case they worked on.
    FormerOwner,
}

struct View {
    item: CaseListItem,
    messages: Vec<Message>,
    events: Vec<CaseEvent>,
    calls: Vec<Call>,
    call_back: Option<CallBack>,
    clocks: Vec<SlaClock>,
    earlier: Vec<PastCase>,
    canned: Vec<CannedReply>,
    colleagues: Vec<Responder>,
    /// Display names of everyone who wrote or acted on the case.
    names: HashMap<Uuid, String>,
    offer_open: bool,
    access: Access,
    /// What an SMS reply starts with ("Mikko, Helsingin kaupunki: "): it
    /// counts towards the SMS's length when the reply goes as an SMS.
    sms_heading: String,
    /// The channels the resident can be answered on, and the default.
    reach: Reach,
    /// The service catalogue and the districts, for their names and the
    /// classification.
    lists: CityLists,
    /// The files the resident's emails carried.
    attachments: Vec<AttachmentInfo>,
    /// The cases merged into this one.
    merged_here: Vec<batline_core::store::cases::Case>,
    /// The tracking code of the case this one was merged into.
    merged_into: Option<String>,
}

/// What was typed, kept when an action is refused.
#[derive(Debug, Default)]
struct Draft {
    reply: String,
    note: String,
    handoff_note: String,
    summary: String,
}

async fn load(state: &AppState, user: &WebUser, id: Uuid) -> Result<View, ApiError> {
    let t = ui(user.lang);
    if user.me.role == Role::Desk {
        return Err(ApiError::Forbidden(t.desk_no_conversations.to_owned()));
    }
    let item = store::cases::list_item(&state.pool, id).await?.ok_or(batline_core::Error::NotFound("case"))?;
    let offers = store::handoffs::open_for(&state.pool, user.me.id).await?;
    let offered_to_me = offers.iter().any(|o| o.handoff.case_id == id);
    let access = if item.case.owner_id == user.me.id {
        Access::Owner
    } else if user.me.role.may_reassign() || offered_to_me {
        Access::ReadOnly
    } else if store::events::ever_owned_by(&state.pool, id, user.me.id).await? {
        Access::FormerOwner
    } else {
        return Err(ApiError::Forbidden(t.not_yours.to_owned()));
    };
    let case = &item.case;
    // The owner opening a chat case has read what the resident wrote: the
    // resident sees "read".
    chat_signals::mark_read(state, &user.me, case).await;
    let colleagues = if access == Access::Owner {
        store::responders::list(&state.pool)
            .await?
            .into_iter()
            // Only who can take it now: on duty, not on a break or off.
            .filter(|r| r.id != user.me.id && r.role.may_own_cases() && r.duty_status == DutyStatus::OnDuty)
            .collect()
    } else {
        Vec::new()
    };
    // Its own thread and those of the cases merged into it, as one.
    let messages = store::messages::for_case_with_merged(&state.pool, id).await?;
    let merged_here = store::cases::merged_into(&state.pool, id).await?;
    let merged_into = match case.merged_into {
        Some(into) => store::cases::get(&state.pool, into).await?.map(|c| c.tracking_code),
        None => None,
    };
    let events = store::events::for_case(&state.pool, id).await?;
    let mut people: Vec<Uuid> = messages.iter().filter_map(|m| m.author_id).collect();
    people.extend(events.iter().filter_map(|e| e.actor_id));
    people.sort_unstable();
    people.dedup();
    let names = store::responders::display_names(&state.pool, &people).await?.into_iter().collect();
    let sms_heading = texts::sms_heading(&state.config.city_name, case.language, Some(&user.me.display_name));
    let reach = {
        let mut conn = state.pool.acquire().await?;
        batline_core::outbound::reach(&mut conn, id, case.channel).await?
    };
    Ok(View {
        attachments: {
            let mut cases: Vec<Uuid> = merged_here.iter().map(|c| c.id).collect();
            cases.push(id);
            store::email::attachments_for_cases(&state.pool, &cases).await?
        },
        merged_here,
        merged_into,
        sms_heading,
        reach,
        lists: CityLists::load(&state.pool).await?,
        messages,
        events,
        names,
        calls: store::calls::for_case(&state.pool, id).await?,
        call_back: store::call_backs::open_for_case(&state.pool, id).await?,
        clocks: store::sla::clocks_for(&state.pool, id).await?,
        earlier: store::cases::others_of_resident(&state.pool, case.resident_id, id, EARLIER_CASES).await?,
        canned: store::canned_replies::active(&state.pool).await?,
        offer_open: store::handoffs::open_for_case(&state.pool, id).await?,
        colleagues,
        access,
        item,
    })
}

/// `GET /cases/{id}`.
pub async fn page(
    State(state): State<AppState>,
    user: WebUser,
    Path(id): Path<Uuid>,
    Query(done): Query<Done>,
) -> Response {
    let flash = done.flash(ui(user.lang));
    render(&state, &user, id, StatusCode::OK, flash, Draft::default()).await
}

async fn render(
    state: &AppState,
    user: &WebUser,
    id: Uuid,
    status: StatusCode,
    flash: Option<Flash>,
    draft: Draft,
) -> Response {
    match load(state, user, id).await {
        Ok(view) => {
            let t = ui(user.lang);
            let title = format!("{} {}", t.case_title, view.item.case.tracking_code);
            let body = body(t, user, &view, &draft);
            (status, Html(layout::page(user, Section::Inbox, &title, flash.as_ref(), body).into_string()))
                .into_response()
        }
        Err(e) => failure(user, e),
    }
}

fn body(t: &Ui, user: &WebUser, view: &View, draft: &Draft) -> Markup {
    let case = &view.item.case;
    let owner = view.access == Access::Owner;
    let open = case.status == CaseStatus::Open;
    html! {
        h1 { (t.case_title) " " (case.tracking_code) }
        dl class="facts" {
            div { dt { (t.col_status) ":" } dd {
                @if open { (t.status_open) } @else if case.merged_into.is_some() { (t.status_merged) } @else { (t.status_resolved) }
            } }
            div { dt { (t.owner) ":" } dd { (view.item.owner_name) } }
            div { dt { (t.channel) ":" } dd { (t.channel(case.channel)) } }
            div { dt { (t.opened) ":" } dd { (when(case.opened_at)) } }
            div { dt { (t.area) ":" } dd data-area { (case.area.as_deref().map_or(t.none, |a| view.lists.district(a, user.lang))) } }
            div { dt { (t.place) ":" } dd data-place { (place(t, case)) } }
            div { dt { (t.topic) ":" } dd data-topic { (case.topic.as_deref().map_or(t.none, |c| view.lists.topic(c, user.lang))) } }
            div { dt { (t.priority_label) ":" } dd data-priority { (t.priority(case.priority)) } }
            div { dt { (t.resident_language) ":" } dd { (ui(case.language).language_name) } }
            // A resident who wrote by email has no phone to show, most likely.
            @if view.item.resident_phone.is_some() || view.item.resident_email.is_none() {
                div { dt { (t.resident_phone) ":" } dd { (view.item.resident_phone.as_deref().unwrap_or(t.none)) } }
            }
            @if let Some(email) = &view.item.resident_email {
                div { dt { (t.resident_email) ":" } dd class="breakable" data-resident-email { (email) } }
            }
            div { dt { (t.reachable_by) ":" } dd data-reachable {
                @if view.reach.channels.is_empty() { (t.none) }
                @for (i, c) in view.reach.channels.iter().enumerate() {
                    @if i > 0 { ", " }
                    (t.channel(*c))
                }
            } }
        }
        @if let (Some(code), Some(into)) = (&view.merged_into, case.merged_into) {
            p class="flash" data-merged-into {
                (t.merged_into_banner) " " a href={ "/cases/" (into) } { (code) } "."
            }
        }
        @if !view.merged_here.is_empty() {
            p data-merged-here {
                (t.merged_here) ": "
                @for (i, merged) in view.merged_here.iter().enumerate() {
                    @if i > 0 { ", " }
                    a href={ "/cases/" (merged.id) } { (merged.tracking_code) }
                }
            }
        }
        @match view.access {
            Access::Owner => {}
            Access::ReadOnly => p class="flash" { (t.read_only) },
            Access::FormerOwner => p class="flash" data-now-with {
                (t.now_with) " " strong { (view.item.owner_name) } ". " (t.now_with_after)
            },
        }
        @if owner && open && case.acknowledged_at.is_none() {
            form method="post" action={ "/cases/" (case.id) "/acknowledge" } {
                (csrf_field(user))
                button class="hds-button hds-button--primary" type="submit" data-acknowledge {
                    span class="hds-button__label" { (t.acknowledge) }
                }
                @if let Some(at) = case.ack_due_at { " " (due(at)) }
            }
        }
        div class="case-layout" {
            div {
                section aria-labelledby="thread-title" {
                    h2 id="thread-title" { (t.conversation) }
                    div id="thread" data-live hx-get={ "/cases/" (case.id) } hx-trigger="live-refresh" hx-select="#thread" hx-swap="outerHTML" {
                        (thread(t, view))
                    }
                }
                @if owner && open {
                    (reply_form(t, user, view, draft))
                }
                @if owner {
                    form class="panel" method="post" action={ "/cases/" (case.id) "/note" } {
                        h2 { (t.note_title) }
                        (csrf_field(user))
                        label for="note-body" { (t.note_title) }
                        p class="hint" id="note-hint" { (t.note_hint) }
                        textarea id="note-body" name="text" aria-describedby="note-hint" maxlength="4000" required { (draft.note) }
                        div class="actions" {
                            button class="hds-button hds-button--secondary" type="submit" { span class="hds-button__label" { (t.add_note) } }
                        }
                    }
                }
            }
            div class="stack" {
                @if owner && open {
                    (handoff_form(t, user, view, draft))
                    details class="panel action" open[!draft.summary.is_empty()] {
                        summary { h2 { (t.resolve_title) } }
                        form method="post" action={ "/cases/" (case.id) "/resolve" } data-confirm=(t.resolve_confirm) {
                            (csrf_field(user))
                            label for="summary" { (t.summary) }
                            p class="hint" id="summary-hint" { (t.resolve_hint) " " strong { (t.resolve_public) } }
                            textarea id="summary" name="summary" aria-describedby="summary-hint" maxlength="1000" required { (draft.summary) }
                            div class="actions" {
                                button class="hds-button hds-button--primary" type="submit" { span class="hds-button__label" { (t.resolve_button) } }
                            }
                        }
                    }
                    @if view.item.resident_phone.is_some() {
                        form class="panel" method="post" action={ "/cases/" (case.id) "/call-back" } {
                            (csrf_field(user))
                            p class="hint" { (t.call_back_hint) }
                            @if let Some(task) = &view.call_back {
                                p { (t.call_back_owed) " " (due(task.due_at)) }
                            }
                            button class="hds-button hds-button--secondary" type="submit" { span class="hds-button__label" { (t.call_back_button) } }
                        }
                    }
                }
                @if owner || user.me.role.may_reassign() {
                    (classify_form(t, user, view))
                    (locate_form(t, user, view))
                }
                @if open && (owner || user.me.role.may_reassign()) {
                    details class="panel action" {
                        summary { h2 { (t.merge_title) } }
                        form method="post" action={ "/cases/" (case.id) "/merge" } {
                            (csrf_field(user))
                            p class="hint" { (t.merge_hint) }
                            label for="merge-into" { (t.merge_into_code) }
                            input id="merge-into" name="into" type="text" required maxlength="20" autocomplete="off" spellcheck="false";
                            label for="merge-reason" { (t.merge_reason) }
                            textarea id="merge-reason" name="reason" maxlength="1000" required {}
                            div class="actions" {
                                button class="hds-button hds-button--secondary" type="submit" data-merge { span class="hds-button__label" { (t.merge_button) } }
                            }
                        }
                    }
                }
                @if owner || user.me.role.may_reassign() {
                    details class="panel action" {
                        summary { h2 { (t.link_title) } }
                        form method="post" action={ "/cases/" (case.id) "/link" } {
                            (csrf_field(user))
                            p class="hint" { (t.link_hint) }
                            label for="link-with" { (t.link_with_code) }
                            input id="link-with" name="with" type="text" required maxlength="20" autocomplete="off" spellcheck="false";
                            label for="link-reason" { (t.link_reason) }
                            textarea id="link-reason" name="reason" maxlength="1000" required {}
                            div class="actions" {
                                button class="hds-button hds-button--secondary" type="submit" data-link { span class="hds-button__label" { (t.link_button) } }
                            }
                        }
                    }
                }
                @if case.merged_into.is_some() && user.me.role.may_reassign() {
                    form class="panel" method="post" action={ "/cases/" (case.id) "/unmerge" } {
                        h2 { (t.unmerge_title) }
                        (csrf_field(user))
                        label for="unmerge-reason" { (t.unmerge_reason) }
                        textarea id="unmerge-reason" name="reason" maxlength="1000" required {}
                        div class="actions" {
                            button class="hds-button hds-button--secondary" type="submit" data-unmerge { span class="hds-button__label" { (t.unmerge_button) } }
                        }
                    }
                }
                @if !open && case.merged_into.is_none() && (owner || user.me.role.may_reassign()) {
                    form class="panel" method="post" action={ "/cases/" (case.id) "/reopen" } {
                        h2 { (t.reopen_title) }
                        (csrf_field(user))
                        label for="reopen-reason" { (t.reopen_reason) }
                        textarea id="reopen-reason" name="reason" maxlength="1000" required {}
                        div class="actions" {
                            button class="hds-button hds-button--secondary" type="submit" { span class="hds-button__label" { (t.reopen_button) } }
                        }
                    }
                }
                section class="panel" aria-labelledby="sla-title" {
                    h2 id="sla-title" { (t.sla_title) }
                    ul {
                        @for clock in &view.clocks {
                            li {
                                (target_name(t, clock)) ": "
                                @if let Some(met) = clock.met_at {
                                    (if met <= clock.due_at { t.sla_met } else { t.sla_breached }) " " (when(met))
                                } @else if clock.breached_at.is_some() {
                                    strong { (t.sla_breached) } " " (when(clock.due_at))
                                } @else {
                                    (t.sla_due) " " (due(clock.due_at))
                                }
                            }
                        }
                    }
                }
                section class="panel" aria-labelledby="earlier-title" {
                    h2 id="earlier-title" { (t.earlier_cases) }
                    @if view.earlier.is_empty() {
                        p { (t.no_earlier_cases) }
                    } @else {
                        ul {
                            @for past in &view.earlier {
                                li {
                                    a href={ "/cases/" (past.id) } { (past.tracking_code) } " "
                                    (when(past.opened_at)) ", " (t.channel(past.channel)) ", " (past.owner_name) ": "
                                    @if past.status == CaseStatus::Open { (t.status_open) } @else { (past.resolution_summary.as_deref().unwrap_or(t.status_resolved)) }
                                }
                            }
                        }
                    }
                }
                section class="panel" aria-labelledby="timeline-title" {
                    h2 id="timeline-title" { (t.timeline) }
                    ol class="timeline" id="timeline" data-live hx-get={ "/cases/" (case.id) } hx-trigger="live-refresh" hx-select="#timeline" hx-swap="outerHTML" {
                        @for event in &view.events {
                            li data-kind=(event.kind) {
                                span class="meta" { (when(event.at)) } " "
                                strong { (timeline::label(user.lang, &event.kind)) }
                                @if let Some(detail) = timeline::detail(user.lang, &view.lists, event) { ": " (detail) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// One entry of the thread, in time order.
enum Entry<'a> {
    Message(&'a Message),
    Note(&'a CaseEvent),
    Call(&'a Call),
}

impl Entry<'_> {
    fn at(&self) -> DateTime<Utc> {
        match self {
            Entry::Message(m) => m.created_at,
            Entry::Note(e) => e.at,
            Entry::Call(c) => c.created_at,
        }
    }
}

fn thread(t: &Ui, view: &View) -> Markup {
    let mut entries: Vec<Entry> = view.messages.iter().map(Entry::Message).collect();
    entries.extend(view.events.iter().filter(|e| e.kind == event_kind::NOTE).map(Entry::Note));
    entries.extend(view.calls.iter().map(Entry::Call));
    entries.sort_by_key(Entry::at);
    let author = |id: Option<Uuid>| id.and_then(|id| view.names.get(&id).cloned());
    html! {
        @if entries.is_empty() {
            p { (t.no_messages) }
        } @else {
            ol class="thread" {
                @for entry in &entries {
                    @match entry {
                        Entry::Message(m) => {
                            @let inbound = m.direction == Direction::Inbound;
                            li class=(if inbound { "in" } else { "out" }) data-message-kind=(m.kind.as_str()) {
                                span class="meta" {
                                    @match m.kind {
                                        MessageKind::Resident => (t.from_resident),
                                        MessageKind::AutoReply => (t.auto_reply),
                                        MessageKind::Notice => (t.notice),
                                        MessageKind::Reply => (author(m.author_id).unwrap_or_else(|| t.owner.to_owned())),
                                    }
                                    " · " (t.channel(m.channel)) " · " (when(m.created_at))
                                    @if let Some(from) = view.merged_here.iter().find(|c| c.id == m.case_id) {
                                        " · " (from.tracking_code)
                                    }
                                    @if let Some(status) = m.delivery_status { " · " (t.delivery(status)) }
                                }
                                span class="body" { (m.body) }
                                @let files: Vec<&AttachmentInfo> = view.attachments.iter().filter(|a| a.message_id == Some(m.id)).collect();
                                @if !files.is_empty() {
                                    span class="meta" { (t.attachments) ":" }
                                    ul class="attachments" data-attachments {
                                        @for file in files {
                                            li {
                                                a href={ "/cases/" (m.case_id) "/attachments/" (file.id) } download=(file.file_name) { (file.file_name) }
                                                " (" (file.content_type) ", " (size(file.size)) ")"
                                            }
                                        }
                                    }
                                }
                                @if let Some(url) = &m.recording_url {
                                    span class="meta" { (t.recording) @if let Some(s) = m.recording_seconds { " (" (s) " " (t.seconds) ")" } }
                                    audio controls preload="none" src=(url) {}
                                }
                            }
                        }
                        Entry::Note(e) => {
                            li class="note" {
                                span class="meta" { (t.internal_note) " · " (author(e.actor_id).unwrap_or_default()) " · " (when(e.at)) }
                                span class="body" { (e.data.get("text").and_then(|v| v.as_str()).unwrap_or_default()) }
                            }
                        }
                        Entry::Call(c) => {
                            li class="in" data-call=(c.sid) {
                                span class="meta" { (t.call) " · " (when(c.created_at)) " · " (c.status)
                                    @if let Some(s) = c.duration_seconds { " · " (s) " " (t.seconds) } }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A file's size as people read it.
fn size(bytes: i64) -> String {
    match bytes {
        b if b < 1024 => format!("{b} B"),
        b if b < 1024 * 1024 => format!("{} kB", b / 1024),
        b => format!("{:.1} MB", b as f64 / (1024.0 * 1024.0)),
    }
}

/// `GET /cases/{id}/attachments/{attachment}`: a file an email carried,
/// for whoever may read the case. Always a download with a type that no
/// browser renders or runs: an attachment is whatever a stranger sent.
pub async fn attachment(
    State(state): State<AppState>,
    user: WebUser,
    Path((id, attachment)): Path<(Uuid, Uuid)>,
) -> Response {
    if let Err(e) = load(&state, &user, id).await {
        return failure(&user, e);
    }
    match store::email::attachment(&state.pool, id, attachment).await {
        Ok(Some(file)) => {
            let name: String = file
                .file_name
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() || ".-_".contains(c) { c } else { '_' })
                .collect();
            let disposition = format!("attachment; filename=\"{name}\"");
            (
                [
                    (axum::http::header::CONTENT_TYPE, "application/octet-stream".to_owned()),
                    (axum::http::header::CONTENT_DISPOSITION, disposition),
                    (axum::http::header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
                    (axum::http::header::CONTENT_SECURITY_POLICY, "sandbox; default-src 'none'".to_owned()),
                ],
                file.content,
            )
                .into_response()
        }
        Ok(None) => failure(&user, batline_core::Error::NotFound("attachment").into()),
        Err(e) => failure(&user, e.into()),
    }
}

/// Where the case is, and how that was known.
fn place(t: &Ui, case: &batline_core::store::cases::Case) -> String {
    match (&case.location_label, case.location_by.as_deref()) {
        (Some(label), Some("text")) => format!("{label} ({})", t.place_by_text),
        (Some(label), Some("responder")) => format!("{label} ({})", t.place_by_responder),
        (Some(label), Some("walk_in_point")) => format!("{label} ({})", t.place_by_walk_in),
        (Some(label), _) => label.clone(),
        (None, _) => t.none.to_owned(),
    }
}

/// Setting where the case is by typing an address, behind a button.
fn locate_form(t: &Ui, user: &WebUser, view: &View) -> Markup {
    let case = &view.item.case;
    html! {
        details class="panel action" {
            summary { h2 { (t.locate_title) } }
            form method="post" action={ "/cases/" (case.id) "/locate" } {
                (csrf_field(user))
                label for="locate-address" { (t.locate_address) }
                p class="hint" id="locate-hint" { (t.locate_hint) }
                input type="text" id="locate-address" name="address" maxlength="200" required
                    autocomplete="off" aria-describedby="locate-hint" value=(case.location_label.as_deref().unwrap_or(""));
                div class="actions" {
                    button class="hds-button hds-button--secondary" type="submit" { span class="hds-button__label" { (t.locate_button) } }
                }
            }
        }
    }
}

/// Topic, area and priority from the city's lists, behind a button.
fn classify_form(t: &Ui, user: &WebUser, view: &View) -> Markup {
    let case = &view.item.case;
    let current = case.topic.as_deref();
    html! {
        details class="panel action" {
            summary { h2 { (t.classify_title) } }
            form method="post" action={ "/cases/" (case.id) "/classify" } {
                (csrf_field(user))
                p class="hint" id="classify-hint" { (t.classify_hint) }
                label for="classify-topic" { (t.topic) }
                select id="classify-topic" name="topic" aria-describedby="classify-hint" {
                    option value="" selected[current.is_none()] { (t.not_known) }
                    // Retired topics are offered no more, except the one the case has.
                    @for topic in view.lists.topics.iter().filter(|t| t.offered() || Some(t.code.as_str()) == current) {
                        option value=(topic.code) selected[Some(topic.code.as_str()) == current] {
                            (topic.name(user.lang)) @if !topic.offered() { " " (t.retired_topic) }
                        }
                    }
                    @if let Some(code) = current.filter(|c| !view.lists.topics.iter().any(|t| t.code == *c)) {
                        option value=(code) selected { (code) }
                    }
                }
                label for="classify-area" { (t.area) }
                @let area = case.area.as_deref();
                @if view.lists.districts.is_empty() {
                    // A city with no districts loaded has no list to choose from.
                    input type="text" id="classify-area" name="area" maxlength="80" value=(area.unwrap_or(""));
                } @else {
                    select id="classify-area" name="area" {
                        option value="" selected[area.is_none()] { (t.not_known) }
                        @for district in view.lists.districts_by_name(user.lang) {
                            option value=(district.code) selected[area == Some(district.code.as_str())] { (district.name(user.lang)) }
                        }
                        // An area written before the districts were known stays choosable.
                        @if let Some(area) = area.filter(|a| !view.lists.districts.iter().any(|d| d.code == *a)) {
                            option value=(area) selected { (area) }
                        }
                    }
                }
                label for="classify-priority" { (t.priority_label) }
                select id="classify-priority" name="priority" {
                    @for priority in [Priority::Low, Priority::Normal, Priority::High, Priority::Urgent] {
                        option value=(priority.as_str()) selected[priority == case.priority] { (t.priority(priority)) }
                    }
                }
                div class="actions" {
                    button class="hds-button hds-button--secondary" type="submit" { span class="hds-button__label" { (t.classify_button) } }
                }
            }
        }
    }
}

fn reply_form(t: &Ui, user: &WebUser, view: &View, draft: &Draft) -> Markup {
    let case = &view.item.case;
    let channel = view.reach.default;
    // The case's language first: that is what the resident reads.
    let mut canned: Vec<&CannedReply> = view.canned.iter().collect();
    canned.sort_by_key(|c| (c.language != case.language, c.language.as_str(), c.title.clone()));
    // An SMS is sent with its heading in front, which counts towards its
    // length; console.js swaps these when the owner picks another channel.
    let prefix = |c: Channel| if c == Channel::Sms { view.sms_heading.as_str() } else { "" };
    let count = |c: Channel| if c == Channel::Sms { "sms" } else { "chars" };
    let heading = prefix(channel);
    html! {
        form class="panel" method="post" action={ "/cases/" (case.id) "/reply" } {
            h2 { (t.reply_title) }
            (csrf_field(user))
            @if !canned.is_empty() {
                label for="canned" { (t.canned_label) }
                select id="canned" data-canned-for="reply-body" {
                    option value="" { (t.canned_none) }
                    @for reply in canned {
                        option value=(reply.body) lang=(reply.language.as_str()) { "[" (reply.language.as_str()) "] " (reply.title) }
                    }
                }
            }
            @if view.reach.channels.len() > 1 {
                label for="reply-channel" { (t.reply_channel_label) }
                p class="hint" id="reply-channel-hint" { (t.reply_channel_hint) }
                select id="reply-channel" name="channel" aria-describedby="reply-channel-hint" data-channel-for="reply-body" {
                    @for c in &view.reach.channels {
                        option value=(c.as_str()) selected[*c == channel] data-prefix=(prefix(*c)) data-count=(count(*c))
                            data-max=(texts::SMS_MAX_CHARS - prefix(*c).chars().count()) { (t.channel(*c)) }
                    }
                }
            }
            label for="reply-body" { (t.reply_title) }
            p class="hint" id="reply-hint" {
                @if view.reach.channels.len() <= 1 { (t.reply_hint) " " (t.channel(channel)) "." }
                @if channel == Channel::Sms || view.reach.allows(Channel::Sms) {
                    " " (t.sms_heading_hint) " “" (view.sms_heading) "…”"
                }
                @if view.reach.allows(Channel::Open311) { " " (t.open311_reply_public) }
            }
            textarea id="reply-body" name="body" aria-describedby="reply-hint reply-count"
                maxlength=(texts::SMS_MAX_CHARS - heading.chars().count()) required data-prefix=(heading)
                data-count=(count(channel)) { (draft.reply) }
            // console.js keeps it current as the owner types.
            p class="hint" id="reply-count" data-count-for="reply-body" data-label=(t.sms_count_hint) {}
            div class="actions" {
                button class="hds-button hds-button--primary" type="submit" { span class="hds-button__label" { (t.send_reply) } }
            }
        }
    }
}

fn handoff_form(t: &Ui, user: &WebUser, view: &View, draft: &Draft) -> Markup {
    let case = &view.item.case;
    html! {
        details class="panel action" open[!draft.handoff_note.is_empty()] {
            summary { h2 { (t.handoff_title) } }
            form method="post" action={ "/cases/" (case.id) "/handoff" } {
                (csrf_field(user))
                p class="hint" { (t.handoff_hint) }
                @if view.offer_open {
                    p { strong { (t.handoff_pending) } }
                } @else if view.colleagues.is_empty() {
                    p { (t.nobody_to_hand_to) }
                } @else {
                    label for="handoff-to" { (t.handoff_to) }
                    select id="handoff-to" name="to" required {
                        @for r in &view.colleagues {
                            option value=(r.username) { (r.display_name) " (" (t.duty(r.duty_status)) ", " (r.open_cases) "/" (r.capacity) ")" }
                        }
                    }
                    label for="handoff-note" { (t.handoff_note) }
                    textarea id="handoff-note" name="note" maxlength="1000" required { (draft.handoff_note) }
                    div class="actions" {
                        button class="hds-button hds-button--secondary" type="submit" { span class="hds-button__label" { (t.handoff_send) } }
                    }
                }
            }
        }
    }
}

fn done(id: Uuid, what: &str) -> Response {
    Redirect::to(&format!("/cases/{id}?done={what}")).into_response()
}

async fn refused(state: &AppState, user: &WebUser, id: Uuid, error: ApiError, draft: Draft) -> Response {
    let (status, _, detail) = error.parts();
    if matches!(status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND) {
        return failure(user, error);
    }
    render(state, user, id, status, Some(Flash::Failed(detail)), draft).await
}

/// A form with nothing but its CSRF token, and where to go back to.
#[derive(Debug, Deserialize)]
pub struct Back {
    #[serde(default)]
    back: Option<String>,
}

/// `POST /cases/{id}/acknowledge`.
pub async fn acknowledge(
    State(state): State<AppState>,
    user: WebUser,
    Path(id): Path<Uuid>,
    Form(form): Form<Back>,
) -> Response {
    match cases::acknowledge_as(&state, &user.me, id).await {
        Ok(_) if form.back.as_deref() == Some("inbox") => Redirect::to("/?done=acknowledged").into_response(),
        Ok(_) => done(id, "acknowledged"),
        Err(e) => refused(&state, &user, id, e, Draft::default()).await,
    }
}

/// The reply form.
#[derive(Debug, Deserialize)]
pub struct ReplyForm {
    body: String,
    /// Absent when the resident has one channel: the default.
    #[serde(default)]
    channel: Option<String>,
}

/// `POST /cases/{id}/reply`.
pub async fn reply(
    State(state): State<AppState>,
    user: WebUser,
    Path(id): Path<Uuid>,
    Form(form): Form<ReplyForm>,
) -> Response {
    let channel = match form.channel.as_deref().map(str::parse::<Channel>).transpose() {
        Ok(channel) => channel,
        Err(_) => {
            let e = batline_core::Error::Invalid("pick one of the channels listed".into());
            return refused(&state, &user, id, e.into(), Draft { reply: form.body, ..Draft::default() }).await;
        }
    };
    match cases::reply_as(&state, &user.me, id, &form.body, channel).await {
        Ok(_) => done(id, "replied"),
        Err(e) => refused(&state, &user, id, e, Draft { reply: form.body, ..Draft::default() }).await,
    }
}

/// The note form.
#[derive(Debug, Deserialize)]
pub struct NoteForm {
    text: String,
}

/// `POST /cases/{id}/note`.
pub async fn note(
    State(state): State<AppState>,
    user: WebUser,
    Path(id): Path<Uuid>,
    Form(form): Form<NoteForm>,
) -> Response {
    match cases::note_as(&state, &user.me, id, &form.text).await {
        Ok(()) => done(id, "noted"),
        Err(e) => refused(&state, &user, id, e, Draft { note: form.text, ..Draft::default() }).await,
    }
}

/// The hand-off form.
#[derive(Debug, Deserialize)]
pub struct HandoffForm {
    to: String,
    note: String,
}

/// `POST /cases/{id}/handoff`.
pub async fn handoff(
    State(state): State<AppState>,
    user: WebUser,
    Path(id): Path<Uuid>,
    Form(form): Form<HandoffForm>,
) -> Response {
    match handoffs::offer_as(&state, &user.me, id, &form.to, &form.note).await {
        Ok(_) => done(id, "offered"),
        Err(e) => refused(&state, &user, id, e, Draft { handoff_note: form.note, ..Draft::default() }).await,
    }
}

/// The resolve form.
#[derive(Debug, Deserialize)]
pub struct ResolveForm {
    summary: String,
}

/// `POST /cases/{id}/resolve`.
pub async fn resolve(
    State(state): State<AppState>,
    user: WebUser,
    Path(id): Path<Uuid>,
    Form(form): Form<ResolveForm>,
) -> Response {
    match cases::resolve_as(&state, &user.me, id, &form.summary).await {
        Ok(_) => done(id, "resolved"),
        Err(e) => refused(&state, &user, id, e, Draft { summary: form.summary, ..Draft::default() }).await,
    }
}

/// The classification form: codes, empty for "not known".
#[derive(Debug, Deserialize)]
pub struct ClassifyForm {
    #[serde(default)]
    topic: String,
    #[serde(default)]
    area: String,
    #[serde(default)]
    priority: String,
}

/// `POST /cases/{id}/classify`.
pub async fn classify(
    State(state): State<AppState>,
    user: WebUser,
    Path(id): Path<Uuid>,
    Form(form): Form<ClassifyForm>,
) -> Response {
    let blank_is_none = |s: &str| Some(s.trim()).filter(|s| !s.is_empty()).map(str::to_owned);
    let (topic, area) = (blank_is_none(&form.topic), blank_is_none(&form.area));
    let priority = match form.priority.parse::<Priority>() {
        Ok(priority) => priority,
        Err(e) => return refused(&state, &user, id, e.into(), Draft::default()).await,
    };
    let wanted = cases::Classification { topic: topic.as_deref(), area: area.as_deref(), priority };
    match cases::classify_as(&state, &user.me, id, wanted).await {
        Ok(_) => done(id, "classified"),
        Err(e) => refused(&state, &user, id, e, Draft::default()).await,
    }
}

/// The locate form.
#[derive(Debug, Deserialize)]
pub struct LocateForm {
    address: String,
}

/// `POST /cases/{id}/locate`.
pub async fn locate(
    State(state): State<AppState>,
    user: WebUser,
    Path(id): Path<Uuid>,
    Form(form): Form<LocateForm>,
) -> Response {
    match cases::locate_as(&state, &user.me, id, &form.address).await {
        Ok(_) => done(id, "located"),
        // Said in the reader's language: what to type instead.
        Err(ApiError::Unprocessable(_)) => {
            let failed = Flash::Failed(ui(user.lang).locate_not_found.to_owned());
            render(&state, &user, id, StatusCode::UNPROCESSABLE_ENTITY, Some(failed), Draft::default()).await
        }
        Err(e) => refused(&state, &user, id, e, Draft::default()).await,
    }
}

/// The reopen form.
#[derive(Debug, Deserialize)]
pub struct ReopenForm {
    reason: String,
}

/// `POST /cases/{id}/reopen`.
pub async fn reopen(
    State(state): State<AppState>,
    user: WebUser,
    Path(id): Path<Uuid>,
    Form(form): Form<ReopenForm>,
) -> Response {
    match cases::reopen_as(&state, &user.me, id, &form.reason).await {
        Ok(_) => done(id, "reopened"),
        Err(e) => refused(&state, &user, id, e, Draft::default()).await,
    }
}

/// The merge form.
#[derive(Debug, Deserialize)]
pub struct MergeForm {
    into: String,
    reason: String,
}

/// `POST /cases/{id}/merge`: to the surviving case's page.
pub async fn merge(
    State(state): State<AppState>,
    user: WebUser,
    Path(id): Path<Uuid>,
    Form(form): Form<MergeForm>,
) -> Response {
    match merges::merge_as(&state, &user.me, id, &form.into, &form.reason).await {
        Ok(target) => done(target.id, "merged"),
        Err(e) => refused(&state, &user, id, e, Draft::default()).await,
    }
}

/// The link form.
#[derive(Debug, Deserialize)]
pub struct LinkForm {
    with: String,
    reason: String,
}

/// `POST /cases/{id}/link`.
pub async fn link(
    State(state): State<AppState>,
    user: WebUser,
    Path(id): Path<Uuid>,
    Form(form): Form<LinkForm>,
) -> Response {
    match links::link_as(&state, &user.me, id, &form.with, &form.reason).await {
        Ok(_) => done(id, "linked"),
        Err(e) => refused(&state, &user, id, e, Draft::default()).await,
    }
}

/// `POST /cases/{id}/unmerge`.
pub async fn unmerge(
    State(state): State<AppState>,
    user: WebUser,
    Path(id): Path<Uuid>,
    Form(form): Form<ReopenForm>,
) -> Response {
    match merges::unmerge_as(&state, &user.me, id, &form.reason).await {
        Ok(_) => done(id, "unmerged"),
        Err(e) => refused(&state, &user, id, e, Draft::default()).await,
    }
}

/// `POST /cases/{id}/call-back`.
pub async fn call_back(
    State(state): State<AppState>,
    user: WebUser,
    Path(id): Path<Uuid>,
    Form(_): Form<Back>,
) -> Response {
    match call_backs::start_as(&state, &user.me, id).await {
        Ok(_) => done(id, "call_back"),
        Err(e) => refused(&state, &user, id, e, Draft::default()).await,
    }
}
