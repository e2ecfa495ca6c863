//! `/admin/sla-policies`: every SLA policy version (current ones first) and
//! adding a version for a scope of channel, topic and priority. A new
//! version replaces the current one of its scope; open cases keep theirs.

use crate::http::extract::Form;
use axum::{
    extract::{Query, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use batline_core::{
    domain::{Channel, Language, Priority},
    opening_hours::OpeningHours,
    store::{self, sla::SlaPolicy},
};
use maud::{Markup, html};

use super::{
    frame::{
        Done, Fields, forbidden_unless_admin, hours_text, number, number_input, refused, respond, submit, text_input,
    },
    texts::{Texts, texts},
};
use crate::{
    http::error::ApiError,
    operations::sla_policies::{self, NewPolicy},
    state::AppState,
    web::{
        city_lists::CityLists,
        failure::failure,
        i18n::{Ui, ui},
        inbox::when,
        layout::{Flash, csrf_field},
        session::WebUser,
    },
};

const CHANNELS: [Channel; 6] =
    [Channel::Sms, Channel::Voice, Channel::Chat, Channel::WalkIn, Channel::Open311, Channel::Email];
const PRIORITIES: [Priority; 4] = [Priority::Low, Priority::Normal, Priority::High, Priority::Urgent];

/// What was typed into the form.
#[derive(Debug)]
struct Draft {
    channel: String,
    topic: String,
    priority: String,
    first_response: String,
    resolution: String,
    warn_at: String,
    hours: String,
}

impl Default for Draft {
    fn default() -> Self {
        Draft {
            channel: String::new(),
            topic: String::new(),
            priority: String::new(),
            first_response: String::new(),
            resolution: String::new(),
            warn_at: "80".to_owned(),
            hours: String::new(),
        }
    }
}

/// `GET /admin/sla-policies`.
pub async fn page(State(state): State<AppState>, user: WebUser, Query(done): Query<Done>) -> Response {
    let flash = done.flash(texts(user.lang));
    render(&state, &user, StatusCode::OK, flash, Draft::default()).await
}

fn minutes(t: &Texts, seconds: i32) -> String {
    format!("{} {}", seconds / 60, t.minutes)
}

fn policy_hours(t: &Texts, policy: &SlaPolicy) -> String {
    match &policy.hours {
        None => t.around_the_clock.to_owned(),
        Some(json) => serde_json::from_value::<OpeningHours>(json.clone())
            .map(|hours| hours_text(&hours))
            .unwrap_or_else(|_| t.none.to_owned()),
    }
}

fn row(t: &Texts, u: &Ui, lists: &CityLists, lang: Language, policy: &SlaPolicy) -> Markup {
    let topic = policy.topic.as_deref().map(|code| lists.topic(code, lang));
    html! {
        tr data-policy=(policy.id) data-current=(policy.valid_to.is_none()) {
            td { (policy.channel.map_or(t.any, |c| u.channel(c))) }
            td data-topic=(policy.topic.as_deref().unwrap_or("")) { (topic.unwrap_or(t.any)) }
            td { (policy.priority.map_or(t.any, |p| u.priority(p))) }
            td { (policy.version) }
            td { (minutes(t, policy.first_response_seconds)) }
            td { (minutes(t, policy.resolution_seconds)) }
            td { (policy.warn_at_percent) " %" }
            td { (policy_hours(t, policy)) }
            td {
                (when(policy.valid_from)) " – "
                @match policy.valid_to {
                    Some(to) => { (t.retired_at) " " (when(to)) }
                    None => strong { (t.current) },
                }
            }
        }
    }
}

async fn render(state: &AppState, user: &WebUser, status: StatusCode, flash: Option<Flash>, draft: Draft) -> Response {
    if let Some(denied) = forbidden_unless_admin(user) {
        return denied;
    }
    let loaded = async {
        Ok::<_, batline_core::Error>((store::sla::all(&state.pool).await?, CityLists::load(&state.pool).await?))
    };
    let (policies, lists) = match loaded.await {
        Ok(loaded) => loaded,
        Err(e) => return failure(user, e.into()),
    };
    let (t, u) = (texts(user.lang), ui(user.lang));
    let body = html! {
        h1 { (t.sla_title) }
        p { (t.sla_intro) }
        div class="table-scroll" role="region" aria-labelledby="sla-caption" tabindex="0" {
            table class="cases admin-table" {
                caption id="sla-caption" class="visually-hidden" { (t.sla_title) }
                thead { tr {
                    th scope="col" { (t.col_channel) }
                    th scope="col" { (t.col_topic) }
                    th scope="col" { (t.col_priority) }
                    th scope="col" { (t.col_version) }
                    th scope="col" { (t.col_first_response) }
                    th scope="col" { (t.col_resolution) }
                    th scope="col" { (t.col_warn) }
                    th scope="col" { (t.sla_hours) }
                    th scope="col" { (t.col_valid) }
                } }
                tbody {
                    @for policy in &policies { (row(t, u, &lists, user.lang, policy)) }
                }
            }
        }
        form class="panel admin-form" method="post" action="/admin/sla-policies" {
            h2 { (t.add_policy_title) }
            (csrf_field(user))
            div class="field" {
                label for="channel" { (t.channel) }
                select id="channel" name="channel" {
                    option value="" { (t.any) }
                    @for channel in CHANNELS {
                        option value=(channel.as_str()) selected[draft.channel == channel.as_str()] { (u.channel(channel)) }
                    }
                }
            }
            div class="field" {
                label for="topic" { (t.topic) }
                select id="topic" name="topic" {
                    option value="" { (t.any) }
                    @for topic in lists.topics.iter().filter(|topic| topic.offered()) {
                        option value=(topic.code) selected[draft.topic == topic.code] { (topic.name(user.lang)) }
                    }
                }
            }
            div class="field" {
                label for="priority" { (t.priority) }
                select id="priority" name="priority" {
                    option value="" { (t.any) }
                    @for priority in PRIORITIES {
                        option value=(priority.as_str()) selected[draft.priority == priority.as_str()] { (u.priority(priority)) }
                    }
                }
            }
            (number_input("first_response", "first_response_minutes", t.first_response_minutes, &draft.first_response, 1, 527_040, true))
            (number_input("resolution", "resolution_minutes", t.resolution_minutes, &draft.resolution, 1, 527_040, true))
            (number_input("warn_at", "warn_at_percent", t.warn_at_percent, &draft.warn_at, 1, 99, true))
            (text_input("sla-hours", "hours", t.sla_hours, &draft.hours, Some(t.sla_hours_hint), false, 500, "text"))
            (submit(t.add_policy_button, true))
        }
    };
    respond(user, status, "/admin/sla-policies", t.sla_title, flash.as_ref(), body)
}

/// `POST /admin/sla-policies`: a new version.
pub async fn add(State(state): State<AppState>, user: WebUser, Form(pairs): Form<Vec<(String, String)>>) -> Response {
    if let Some(denied) = forbidden_unless_admin(&user) {
        return denied;
    }
    let f = Fields::new(pairs);
    let draft = Draft {
        channel: f.text("channel"),
        topic: f.text("topic"),
        priority: f.text("priority"),
        first_response: f.text("first_response_minutes"),
        resolution: f.text("resolution_minutes"),
        warn_at: f.text("warn_at_percent"),
        hours: f.text("hours"),
    };
    match add_from(&state, &user, &draft).await {
        Ok(()) => Redirect::to("/admin/sla-policies?done=policy_added").into_response(),
        Err(e) => refused(&user, e, |status, flash| render(&state, &user, status, Some(flash), draft)).await,
    }
}

async fn add_from(state: &AppState, user: &WebUser, draft: &Draft) -> Result<(), ApiError> {
    let t = texts(user.lang);
    let blank_is_none = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
    let policy = NewPolicy {
        channel: blank_is_none(&draft.channel).map(|c| c.parse()).transpose()?,
        topic: blank_is_none(&draft.topic),
        priority: blank_is_none(&draft.priority).map(|p| p.parse()).transpose()?,
        first_response_minutes: number(t, t.first_response_minutes, &draft.first_response)?,
        resolution_minutes: number(t, t.resolution_minutes, &draft.resolution)?,
        warn_at_percent: blank_is_none(&draft.warn_at).map(|w| number(t, t.warn_at_percent, &w)).transpose()?,
        hours: blank_is_none(&draft.hours).map(|h| OpeningHours::parse(&h)).transpose()?,
    };
    sla_policies::add_as(state, &user.me, policy).await?;
    Ok(())
}
