//! The console's OpenAPI 3.1 document, served at `GET /openapi.json`. Each
//! handler describes itself with `#[utoipa::path]` next to its code; this
//! module gathers them and holds what only the document needs: the bearer
//! security scheme, the answers many operations share, and descriptions of
//! the report types whose definitions the document may not derive from.
//!
//! Not in the document: the web pages (`/`, `/cases/…`, `/lead`, `/admin`,
//! `/dashboard`, `/sign-in`, their forms and `/assets/…`), the printable
//! walk-in ticket `/walk-in/tickets/{id}` (HTML) and the browsers' live
//! WebSocket `/live`.

use axum::{
    Json,
    http::{HeaderValue, header::CACHE_CONTROL},
    response::{IntoResponse, Response},
};
use utoipa::{
    IntoResponses, OpenApi, ToSchema,
    openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
};
use uuid::Uuid;

use crate::error::ErrorBody;

/// The document.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Batline console",
        description = "The responders' API: cases, hand-offs, walk-in desks, rosters, SLA reports and \
            administration. Sign in with `POST /api/v1/sessions` and send the token as \
            `Authorization: Bearer <token>`. Every error answers `{code, detail}` (see `ErrorBody`).",
        license(name = "EUPL-1.2")
    ),
    paths(
        crate::auth::sign_in,
        crate::auth::sign_out,
        crate::auth::me,
        crate::duty::set,
        crate::handoffs::mine,
        crate::handoffs::accept,
        crate::handoffs::decline,
        crate::handoffs::offer,
        crate::handoffs::reassign,
        crate::responders::list,
        crate::responders::add,
        crate::responders::update,
        crate::walk_in_points::list,
        crate::walk_in_points::add,
        crate::walk_in::register,
        crate::walk_in::case_by_code,
        crate::roster::import,
        crate::roster::coverage,
        crate::sla_policies::list,
        crate::sla_policies::add,
        crate::reports::sla,
        crate::reports::trends,
        crate::reports::breaches,
        crate::reports::dashboard,
        crate::dead_letters::list,
        crate::dead_letters::retry,
        crate::canned_replies::list,
        crate::canned_replies::add,
        crate::canned_replies::archive,
        crate::cases::mine,
        crate::cases::detail,
        crate::cases::acknowledge,
        crate::cases::reply,
        crate::cases::resolve,
        crate::chat_signals::typing,
        crate::call_backs::start,
        crate::cases::add_note,
        crate::cases::reopen,
        crate::health::healthz,
        crate::health::readyz,
        crate::health::metrics,
        openapi_json,
    ),
    components(schemas(crate::reports::Format)),
    modifiers(&SecuritySchemes),
    security(("bearer" = [])),
    tags(
        (name = "sessions", description = "Signing in and out."),
        (name = "cases", description = "The owner's work on a case."),
        (name = "hand-offs", description = "Offering a case to a colleague; a lead's direct reassignment."),
        (name = "walk-in", description = "Walk-in desks: tickets, points, a returning resident's case."),
        (name = "administration", description = "Responders, rosters, SLA policies, canned replies, dead letters."),
        (name = "reports", description = "The mayor's SLA dashboard: leads, the mayor and admins."),
        (name = "operations", description = "Health, readiness, metrics and this document."),
    )
)]
pub struct ApiDoc;

struct SecuritySchemes;

impl utoipa::Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("The token `POST /api/v1/sessions` answers with"))
                    .build(),
            ),
        );
    }
}

/// `GET /openapi.json`: this document.
#[utoipa::path(get, path = "/openapi.json", tag = "operations", security(()), responses(
    (status = 200, description = "The OpenAPI 3.1 document of the console's HTTP API", body = Object),
))]
pub async fn openapi_json() -> Response {
    let mut response = Json(ApiDoc::openapi()).into_response();
    response.headers_mut().insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

/// What every operation that needs a session may answer besides its own.
#[derive(IntoResponses)]
pub enum Signed {
    /// No `Authorization: Bearer` token, or one whose session ended.
    #[response(status = 401)]
    Unauthenticated(ErrorBody),
    /// Something failed on Batline's side (logged); try again.
    #[response(status = 500)]
    Internal(ErrorBody),
}

/// What an operation with a JSON body may answer before its handler runs.
#[derive(IntoResponses)]
pub enum JsonBody {
    /// The body is not JSON (`bad_json`), or a path parameter is not a UUID
    /// (`bad_request`).
    #[response(status = 400)]
    BadRequest(ErrorBody),
    /// The body is larger than 64 KiB.
    #[response(status = 413)]
    TooLarge(ErrorBody),
    /// No `Content-Type: application/json`.
    #[response(status = 415)]
    UnsupportedMediaType(ErrorBody),
    /// JSON that does not fit the schema (`bad_json`: a missing field, an
    /// unknown one where they are refused, a wrong type), or a value the
    /// rules refuse (`invalid`); `detail` says which.
    #[response(status = 422)]
    Unprocessable(ErrorBody),
}

/// A path parameter that is not a UUID.
#[derive(IntoResponses)]
pub enum BadId {
    /// The id in the path is not a UUID.
    #[response(status = 400)]
    BadRequest(ErrorBody),
}

/// The body of `POST /api/v1/walk-in/tickets`: a new visit, or a
/// returning resident's follow-up by tracking code.
#[derive(serde::Serialize, ToSchema)]
#[serde(untagged)]
pub enum TicketRequest {
    /// A new visit.
    NewVisit(NewVisit),
    /// A returning resident's visit: it continues that case if it is open,
    /// or opens a new one that prefers the previous owner.
    FollowUp(FollowUp),
}

/// A new visit.
#[derive(serde::Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewVisit {
    /// What the resident came about (1 to 2,000 characters).
    #[schema(min_length = 1, max_length = 2000, pattern = "^[^\\x00]*[^\\s\\x00][^\\x00]*$")]
    pub about: String,
    /// The resident's language.
    pub language: batline_core::domain::Language,
    /// A phone for SMS updates, with the country code.
    #[schema(
        pattern = "^\\s*$|^[\\s().-]*\\+[\\s().-]*[1-9]([\\s().-]*[0-9]){6,14}[\\s().-]*$",
        example = "+358401234567"
    )]
    pub phone: Option<String>,
    /// A topic (streets, parks, housing, …), at most 64 characters.
    #[schema(max_length = 64, pattern = "^[^\\x00]*$")]
    pub topic: Option<String>,
    /// The walk-in point; default the desk person's home point.
    pub point_id: Option<Uuid>,
}

/// A returning resident's visit.
#[derive(serde::Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FollowUp {
    /// The case's tracking code.
    #[schema(pattern = "^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$", example = "K7QD-4M2X")]
    pub tracking_code: String,
    /// What the resident came about (1 to 2,000 characters).
    #[schema(min_length = 1, max_length = 2000, pattern = "^[^\\x00]*[^\\s\\x00][^\\x00]*$")]
    pub about: String,
    /// Default the case's language.
    pub language: Option<batline_core::domain::Language>,
    /// A topic, at most 64 characters.
    #[schema(max_length = 64, pattern = "^[^\\x00]*$")]
    pub topic: Option<String>,
    /// The walk-in point; default the desk person's home point.
    pub point_id: Option<Uuid>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every JSON route in the route table is in the document; the web
    /// pages and the printable ticket are left out on purpose.
    #[test]
    fn documents_every_api_route() {
        let doc = ApiDoc::openapi();
        let routes: Vec<&str> = [include_str!("lib.rs"), include_str!("reports.rs"), include_str!("dead_letters.rs")]
            .into_iter()
            .flat_map(str::lines)
            .flat_map(|l| l.split(".route(\"").skip(1))
            .filter_map(|r| r.split('"').next())
            .collect();
        assert!(routes.len() > 30, "{routes:?}");
        for route in routes {
            let documented = doc.paths.paths.contains_key(route);
            assert!(documented != (route == "/walk-in/tickets/{id}"), "{route}: documented {documented}");
        }
    }
}
