//! Walk-in desks' JSON API: registering a resident's visit as a ticket (its
//! printable page is `web::walk_in_ticket`), and finding a returning
//! resident's case by its tracking code. What it does is
//! `operations::walk_in`, shared with the desk page (`web::walk_in_desk`).
use axum::{
    Json,
    extract::State,
    http::{HeaderMap, HeaderValue, StatusCode, header::LOCATION},
    response::{IntoResponse, Response},
};
use batline_core::{
    domain::{CaseStatus, Channel},
    store::walk_in_tickets::TicketView,
    tracking_code::TrackingCode,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{
    http::{
        error::ApiError,
        extract::{self, Path},
        signed_in::SignedIn,
    },
    operations::walk_in::{self, Registered, Visit},
    state::AppState,
};

/// The header a client sets so that a retried registration is stored once.
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";
/// Longest idempotency key accepted.
const MAX_KEY_CHARS: usize = 200;
/// Body of `POST /api/v1/walk-in/tickets`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewTicketBody {
    /// What the resident came about.
    about: String,
    /// `fi`, `sv` or `en`; required unless `tracking_code` is given (then
    /// the case's language is the default).
    #[serde(default)]
    language: Option<String>,
    /// A phone for SMS updates, with the country code.
    #[serde(default)]
    phone: Option<String>,
    /// A topic (streets, parks, housing, ...).
    #[serde(default)]
    topic: Option<String>,
    /// The walk-in point; defaults to the desk person's home point.
    #[serde(default)]
    point_id: Option<Uuid>,
    /// A returning resident's tracking code: the visit continues that case.
    #[serde(default)]
    tracking_code: Option<String>,
}

/// What registration answers.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TicketAnswer {
    /// The ticket.
    ticket_id: Uuid,
    /// `filed` (a case with a named owner) or `pending` (the router has not
    /// filed it yet; the ticket page will show it once it has).
    #[schema(value_type = String, example = "filed")]
    status: &'static str,
    /// Where the printable ticket is, on this console.
    ticket_url: String,
    /// The walk-in point's name.
    point_name: String,
    /// The case, once filed.
    #[serde(skip_serializing_if = "Option::is_none")]
    case_id: Option<Uuid>,
    /// Its tracking code, once filed.
    #[serde(skip_serializing_if = "Option::is_none")]
    tracking_code: Option<String>,
    /// Its owner's name, once filed.
    #[serde(skip_serializing_if = "Option::is_none")]
    owner_name: Option<String>,
}

fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(value) = headers.get(IDEMPOTENCY_KEY) else {
        return Ok(None);
    };
    let key = value.to_str().map(str::trim).unwrap_or_default();
    if key.is_empty() || key.len() > MAX_KEY_CHARS || !key.chars().all(|c| c.is_ascii_graphic()) {
        return Err(ApiError::BadRequest(format!(
            "Idempotency-Key must be 1 to {MAX_KEY_CHARS} visible ASCII characters, such as a UUID"
        )));
    }
    Ok(Some(key.to_owned()))
}

/// `POST /api/v1/walk-in/tickets`: register a walk-in ticket. With an
/// `Idempotency-Key` header a retry answers with the same ticket.
#[utoipa::path(post, path = "/api/v1/walk-in/tickets", tag = "walk-in",
    params(("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,200}$", description = "1 to 200 visible \
        ASCII characters, such as a UUID: a retry with the same key answers with the same ticket")),
    request_body = TicketRequest,
    responses(
        (status = 201, description = "Filed: the case has a named owner", body = TicketAnswer, headers(
            ("Location" = String, description = "The printable ticket, `/walk-in/tickets/{id}`"),
            ("Idempotent-Replayed" = String, description = "`true` when this answers a retry"))),
        (status = 202, description = "Stored; the router has not named an owner within 5 s (the ticket page shows \
            it once it has)", body = TicketAnswer, headers(
            ("Location" = String, description = "The printable ticket, `/walk-in/tickets/{id}`"),
            ("Idempotent-Replayed" = String, description = "`true` when this answers a retry"))),
        (status = 400, description = "A malformed `Idempotency-Key`, or a body that is not JSON", body = crate::http::error::ErrorBody),
        (status = 403, description = "Not desk staff, a lead or an admin", body = crate::http::error::ErrorBody),
        (status = 404, description = "No case has that `tracking_code`", body = crate::http::error::ErrorBody),
        (status = 409, description = "The `Idempotency-Key` was used for a different visit", body = crate::http::error::ErrorBody),
        (status = 413, description = "The body is larger than 64 KiB", body = crate::http::error::ErrorBody),
        (status = 415, description = "No `Content-Type: application/json`", body = crate::http::error::ErrorBody),
        (status = 422, description = "A field the rules refuse, a `point_id` that is no walk-in point, or no \
            `point_id` from a desk person without a home point; `detail` says which", body = crate::http::error::ErrorBody),
        crate::http::responses::Signed,
    )
)]
pub async fn register(
    State(state): State<AppState>,
    SignedIn(me): SignedIn,
    headers: HeaderMap,
    // Read only after the checks below, which answer first whatever was sent.
    body: Result<extract::Json<NewTicketBody>, ApiError>,
) -> Result<Response, ApiError> {
    walk_in::ensure_desk_work(&me)?;
    let key = idempotency_key(&headers)?;
    let extract::Json(body) = body?;
    let visit = Visit {
        about: &body.about,
        language: body.language.as_deref(),
        phone: body.phone.as_deref(),
        topic: body.topic.as_deref(),
        point_id: body.point_id,
        tracking_code: body.tracking_code.as_deref(),
    };
    let Registered { ticket, replayed } = walk_in::register(&state, &me, &visit, key.as_deref()).await?;
    Ok(answer(ticket, replayed))
}

fn answer(view: TicketView, replayed: bool) -> Response {
    let ticket_url = walk_in::ticket_path(view.id);
    let filed = view.case_id.is_some();
    let body = TicketAnswer {
        ticket_id: view.id,
        status: if filed { "filed" } else { "pending" },
        ticket_url: ticket_url.clone(),
        point_name: view.point_name,
        case_id: view.case_id,
        tracking_code: view.tracking_code,
        owner_name: view.owner_name,
    };
    let status = if filed { StatusCode::CREATED } else { StatusCode::ACCEPTED };
    let mut response = (status, Json(body)).into_response();
    if let Ok(location) = HeaderValue::from_str(&ticket_url) {
        response.headers_mut().insert(LOCATION, location);
    }
    if replayed {
        response.headers_mut().insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    response
}

/// The body of `POST /api/v1/walk-in/tickets`: a new visit, or a
/// returning resident's follow-up by tracking code.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum TicketRequest {
    /// A new visit.
    NewVisit(NewVisit),
    /// A returning resident's visit: it continues that case if it is open,
    /// or opens a new one that prefers the previous owner.
    FollowUp(FollowUp),
}

/// A new visit.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewVisit {
    /// What the resident came about (1 to 2,000 characters).
    #[schema(min_length = 1, max_length = 2000, pattern = "^[\\s\\S]*[^\\s\\x00-\\x1f\\x7f-\\x9f][\\s\\S]*$")]
    pub about: String,
    /// The resident's language.
    pub language: batline_core::domain::Language,
    /// A phone for SMS updates, with the country code.
    #[schema(
        pattern = "^[\\s\\x00-\\x1f\\x7f-\\x9f]*$|^[\\s\\x00-\\x1f\\x7f-\\x9f().-]*\\+[\\s\\x00-\\x1f\\x7f-\\x9f().-]*[1-9]([\\s\\x00-\\x1f\\x7f-\\x9f().-]*[0-9]){6,14}[\\s\\x00-\\x1f\\x7f-\\x9f().-]*$",
        example = "+358401234567"
    )]
    pub phone: Option<String>,
    /// A topic (streets, parks, housing, …), at most 64 characters.
    #[schema(max_length = 64)]
    pub topic: Option<String>,
    /// The walk-in point; default the desk person's home point.
    pub point_id: Option<Uuid>,
}

/// A returning resident's visit.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FollowUp {
    /// The case's tracking code.
    #[schema(pattern = "^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$", example = "K7QD-4M2X")]
    pub tracking_code: String,
    /// What the resident came about (1 to 2,000 characters).
    #[schema(min_length = 1, max_length = 2000, pattern = "^[\\s\\S]*[^\\s\\x00-\\x1f\\x7f-\\x9f][\\s\\S]*$")]
    pub about: String,
    /// Default the case's language.
    pub language: Option<batline_core::domain::Language>,
    /// A topic, at most 64 characters.
    #[schema(max_length = 64)]
    pub topic: Option<String>,
    /// The walk-in point; default the desk person's home point.
    pub point_id: Option<Uuid>,
}

/// A case as a desk may see it: the public tracking information, never the
/// conversation.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DeskCaseView {
    /// The code.
    tracking_code: String,
    /// Open or resolved.
    status: CaseStatus,
    /// The owner's name.
    owner_name: String,
    /// When it was opened.
    opened_at: DateTime<Utc>,
    /// When it was resolved.
    resolved_at: Option<DateTime<Utc>>,
    /// The channel of the first contact.
    channel: Channel,
    /// Where the case was opened, if at a walk-in point.
    walk_in_point: Option<PointRef>,
}

/// A walk-in point by id and name.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PointRef {
    /// Its id.
    id: Uuid,
    /// Its name.
    name: String,
}

/// `GET /api/v1/walk-in/cases/{code}`: a returning resident's case by its
/// tracking code (desk, lead, admin).
#[utoipa::path(get, path = "/api/v1/walk-in/cases/{code}", tag = "walk-in", params(
    ("code" = String, Path, description = "The tracking code (lower case, spaces and look-alikes are read too)",
        pattern = "^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$", example = "K7QD-4M2X"),
), responses(
    (status = 200, description = "The case's public tracking information, never its messages", body = DeskCaseView),
    (status = 400, description = "The code in the path does not parse", body = crate::http::error::ErrorBody),
    (status = 403, description = "Not desk staff, a lead or an admin", body = crate::http::error::ErrorBody),
    (status = 404, description = "No case has that code", body = crate::http::error::ErrorBody),
    (status = 422, description = "Not a tracking code", body = crate::http::error::ErrorBody),
    crate::http::responses::Signed,
))]
pub async fn case_by_code(
    State(state): State<AppState>,
    SignedIn(me): SignedIn,
    Path(code): Path<String>,
) -> Result<Json<DeskCaseView>, ApiError> {
    walk_in::ensure_desk_work(&me)?;
    let code = TrackingCode::parse(&code)?;
    let walk_in::DeskCase { case, owner_name, walk_in_point } = walk_in::case_by_code(&state, &me, &code).await?;
    let walk_in_point = walk_in_point.map(|p| PointRef { id: p.id, name: p.name });
    Ok(Json(DeskCaseView {
        tracking_code: case.tracking_code,
        status: case.status,
        owner_name,
        opened_at: case.opened_at,
        resolved_at: case.resolved_at,
        channel: case.channel,
        walk_in_point,
    }))
}
