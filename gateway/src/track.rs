//! Public case tracking: `GET /api/v1/track/{code}` (JSON) and the page
//! `/track/{code}` that the SMS and the chat link to. Both show the case's
//! status, its owner's name and a plain timeline, and nothing personal
//! about the resident: no phone number, no message text. The resident who
//! is the case's contact may also read the conversation: see
//! [`crate::track_access`].

use std::{collections::HashMap, net::SocketAddr};

use axum::{
    Json,
    extract::{ConnectInfo, State},
    http::{HeaderMap, HeaderValue, header},
    response::{IntoResponse, Response},
};
use batline_core::{
    domain::{CaseStatus, Language, event_kind},
    store::{self, cases::Case},
    tracking_code::TrackingCode,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{
    AppState,
    error::ApiError,
    extract::{Path, Query},
};

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
    let case: Case = store::cases::by_tracking_code(&state.pool, &code)
        .await?
        .ok_or(batline_core::Error::NotFound("case with that tracking code"))?;
    let events = store::events::for_case_of_kinds(&state.pool, case.id, SHOWN).await?;

    let mut ids: Vec<Uuid> = vec![case.owner_id];
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
        owner: name_of(Some(case.owner_id)).unwrap_or(PublicResponder { name: String::new() }),
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
    params(crate::openapi::CodePath),
    responses(
        (status = 200, description = "The case's public view: status, owner's name, plain timeline", body = Tracking),
        (status = 400, description = "Not a tracking code", body = crate::error::ErrorBody),
        (status = 404, description = "No case has that code", body = crate::error::ErrorBody),
        crate::openapi::RateLimited,
        crate::openapi::Internal,
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

/// Query of the tracking page.
#[derive(Debug, Deserialize)]
pub struct PageQuery {
    lang: Option<String>,
    /// Where the contact's verification stands: `code` (a code was asked
    /// for), `wrong` (the code did not match), `expired`.
    step: Option<String>,
}

/// `GET /track/{code}`: the page the SMS and the chat link to.
pub async fn page(
    State(state): State<AppState>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    Path(code): Path<String>,
    Query(query): Query<PageQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let lang: Language = crate::lang::pick(query.lang.as_deref(), &headers);
    state.track_limit.check(client.ip()).map_err(ApiError::TooManyRequests)?;
    let tracking = load(&state, &code).await?;
    let conversation = match crate::track_access::granted(&state, &headers, tracking.case_id).await? {
        true => Some(crate::track_access::conversation(&state, tracking.case_id).await?),
        false => None,
    };
    let view = crate::track_page::View {
        tracking: &tracking,
        conversation: conversation.as_deref(),
        step: query.step.as_deref(),
    };
    let mut response = axum::response::Html(crate::track_page::render(&view, lang)).into_response();
    // The policy (the gateway's page policy, never framed) comes from the
    // security-headers layer.
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    Ok(response)
}
