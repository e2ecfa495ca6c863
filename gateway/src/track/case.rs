//! What the public and the case's contact see of a case: its public view
//! (status, owner's name, plain timeline), served as JSON at
//! `GET /api/v1/track/{code}`, and its conversation, which only the
//! contact may read (see [`super::access`]).

use std::{collections::HashMap, net::SocketAddr};

use axum::{
    Json,
    extract::{ConnectInfo, State},
};
use batline_core::{
    domain::{CaseStatus, Direction, MessageKind, event_kind},
    store::{self, cases::Case},
    tracking_code::TrackingCode,
};
use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use crate::{error::ApiError, http::extract::Path, state::AppState};

/// What the tracking page and API show of a case's timeline: the resident's
/// story in plain words, not the console's working notes.
const SHOWN: &[&str] =
    &[event_kind::OPENED, event_kind::ASSIGNED, event_kind::REPLIED, event_kind::RESOLVED, event_kind::REOPENED];

/// The public view of a case.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Tracking {
    /// The case's id, for the contact's views; never shown.
    #[serde(skip)]
    pub case_id: Uuid,
    /// The code, canonical.
    #[schema(example = "K7QD-4M2X")]
    pub code: String,
    /// Open or resolved.
    pub status: CaseStatus,
    /// Who owns it now.
    pub owner: PublicResponder,
    /// When it was opened.
    pub opened_at: DateTime<Utc>,
    /// When it was resolved.
    pub resolved_at: Option<DateTime<Utc>>,
    /// What happened, oldest first.
    pub timeline: Vec<PublicEvent>,
}

/// A responder as the public sees them: a name.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PublicResponder {
    /// Display name.
    pub name: String,
}

/// One public timeline entry.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PublicEvent {
    /// When.
    pub at: DateTime<Utc>,
    /// What: `opened`, `assigned`, `replied`, `resolved` or `reopened`.
    #[schema(example = "assigned")]
    pub kind: String,
    /// Who, when a responder is involved.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub responder: Option<PublicResponder>,
    /// The resolution summary.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
}

/// The case and its public view for `raw_code`.
pub async fn load(state: &AppState, raw_code: &str) -> Result<Tracking, ApiError> {
    let code = TrackingCode::parse(raw_code)?;
    let mut case: Case = store::cases::by_tracking_code(&state.pool, &code)
        .await?
        .ok_or(batline_core::Error::NotFound("case with that tracking code"))?;
    // A case merged into another leads to the surviving case (a merge of a
    // merge too, a few deep).
    for _ in 0..5 {
        let Some(into) = case.merged_into else { break };
        case = store::cases::get(&state.pool, into).await?.ok_or(batline_core::Error::NotFound("case"))?;
    }
    let mut events = store::events::for_case_of_kinds(&state.pool, case.id, SHOWN).await?;
    // A new owner who has not taken the case up yet is not the resident's
    // news: the page shows the owner they last heard of, and no move after.
    let shown_owner = case.announced_owner_id.unwrap_or(case.owner_id);
    let last_heard =
        events.iter().rposition(|e| e.kind == event_kind::ASSIGNED && assigned_owner(&e.data) == Some(shown_owner));
    if case.announced_owner_id.is_some()
        && let Some(last_heard) = last_heard
    {
        let mut index = 0;
        events.retain(|e| {
            index += 1;
            index <= last_heard + 1 || e.kind != event_kind::ASSIGNED
        });
    }

    let mut ids: Vec<Uuid> = vec![shown_owner];
    for event in &events {
        ids.extend(event.actor_id);
        ids.extend(assigned_owner(&event.data));
    }
    let names: HashMap<Uuid, String> = store::responders::display_names(&state.pool, &ids).await?.into_iter().collect();
    let name_of = |id: Option<Uuid>| id.and_then(|id| names.get(&id)).map(|n| PublicResponder { name: n.clone() });

    let timeline = events
        .iter()
        .map(|e| {
            let responder = match e.kind.as_str() {
                event_kind::ASSIGNED => {
                    name_of(e.data.get("owner_id").and_then(|v| v.as_str()).and_then(|s| s.parse().ok()))
                }
                _ => name_of(e.actor_id),
            };
            let summary = (e.kind == event_kind::RESOLVED)
                .then(|| e.data.get("summary").and_then(|s| s.as_str()).map(str::to_owned))
                .flatten();
            PublicEvent { at: e.at, kind: e.kind.clone(), responder, summary }
        })
        .collect();
    Ok(Tracking {
        case_id: case.id,
        code: case.tracking_code.clone(),
        status: case.status,
        owner: name_of(Some(shown_owner)).unwrap_or(PublicResponder { name: String::new() }),
        opened_at: case.opened_at,
        resolved_at: case.resolved_at,
        timeline,
    })
}

/// The owner an `assigned` event names.
fn assigned_owner(data: &serde_json::Value) -> Option<Uuid> {
    data.get("owner_id")?.as_str()?.parse().ok()
}

/// `GET /api/v1/track/{code}`.
#[utoipa::path(
    get, path = "/api/v1/track/{code}", tag = "tracking",
    params(crate::http::params::CodePath),
    responses(
        (status = 200, description = "The case's public view: status, owner's name, plain timeline", body = Tracking),
        (status = 400, description = "Not a tracking code", body = crate::error::ErrorBody),
        (status = 404, description = "No case has that code", body = crate::error::ErrorBody),
        crate::http::responses::RateLimited,
        crate::http::responses::Internal,
    )
)]
pub async fn api(
    State(state): State<AppState>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    Path(code): Path<String>,
) -> Result<Json<Tracking>, ApiError> {
    state.track_limit.check(client.ip()).map_err(ApiError::TooManyRequests)?;
    Ok(Json(load(&state, &code).await?))
}

/// One message as the contact reads it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Line {
    /// When.
    pub at: DateTime<Utc>,
    /// `resident`, `responder` or `batline`.
    #[schema(value_type = String, example = "responder")]
    pub from: &'static str,
    /// The responder's name, for their replies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    /// The text.
    pub body: String,
}

/// The case's conversation, oldest first.
pub async fn conversation(state: &AppState, case_id: Uuid) -> Result<Vec<Line>, ApiError> {
    let messages = store::messages::for_case(&state.pool, case_id).await?;
    let authors: Vec<Uuid> = messages.iter().filter_map(|m| m.author_id).collect();
    let names: HashMap<Uuid, String> =
        store::responders::display_names(&state.pool, &authors).await?.into_iter().collect();
    Ok(messages
        .into_iter()
        .map(|m| {
            let from = match (m.direction, m.kind) {
                (Direction::Inbound, _) => "resident",
                (Direction::Outbound, MessageKind::Reply) => "responder",
                (Direction::Outbound, _) => "batline",
            };
            let author = (from == "responder").then(|| m.author_id.and_then(|a| names.get(&a).cloned())).flatten();
            Line { at: m.created_at, from, author, body: m.body }
        })
        .collect())
}
