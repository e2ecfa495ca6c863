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
    OpenApi,
    openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
};

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
        crate::api::auth::sign_in,
        crate::api::auth::sign_out,
        crate::api::auth::me,
        crate::api::duty::set,
        crate::api::handoffs::mine,
        crate::api::handoffs::accept,
        crate::api::handoffs::decline,
        crate::api::handoffs::offer,
        crate::api::handoffs::reassign,
        crate::api::responders::list,
        crate::api::responders::add,
        crate::api::responders::update,
        crate::api::walk_in_points::list,
        crate::api::walk_in_points::add,
        crate::api::walk_in::register,
        crate::api::walk_in::case_by_code,
        crate::api::roster::import,
        crate::api::roster::coverage,
        crate::api::sla_policies::list,
        crate::api::sla_policies::add,
        crate::api::reports::sla,
        crate::api::reports::trends,
        crate::api::reports::breaches,
        crate::api::reports::dashboard,
        crate::api::dead_letters::list,
        crate::api::dead_letters::retry,
        crate::api::canned_replies::list,
        crate::api::canned_replies::add,
        crate::api::canned_replies::archive,
        crate::api::cases::mine,
        crate::api::cases::detail,
        crate::api::cases::acknowledge,
        crate::api::cases::reply,
        crate::api::cases::resolve,
        crate::api::chat_signals::typing,
        crate::api::call_backs::start,
        crate::api::cases::add_note,
        crate::api::cases::reopen,
        crate::api::health::healthz,
        crate::api::health::readyz,
        crate::api::health::metrics,
        openapi_json,
    ),
    components(schemas(crate::api::reports::Format)),
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Every JSON route in the route table is in the document; the web
    /// pages and the printable ticket are left out on purpose.
    #[test]
    fn documents_every_api_route() {
        let doc = ApiDoc::openapi();
        let routes: Vec<&str> =
            [include_str!("../lib.rs"), include_str!("reports.rs"), include_str!("dead_letters.rs")]
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
