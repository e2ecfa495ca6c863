//! The console's OpenAPI 3.1 document, served at `GET /openapi.json`. Each
//! handler describes itself with `#[utoipa::path]` next to its code, and
//! `api::router` declares each route once with utoipa-axum's `routes!`,
//! which adds it to this document as it adds it to the router. This module
//! holds what only the document needs: its description, the bearer security
//! scheme, the tags, and descriptions of the report types whose definitions
//! the document may not derive from.
//!
//! Not in the document: the web pages (`/`, `/cases/…`, `/lead`, `/admin`,
//! `/dashboard`, `/sign-in`, their forms and `/assets/…`), the printable
//! walk-in ticket `/walk-in/tickets/{id}` (HTML) and the browsers' live
//! WebSocket `/live`.

use std::sync::Arc;

use axum::{
    Extension, Json,
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
    components(schemas(crate::api::reports::Format)),
    modifiers(&SecuritySchemes),
    security(("bearer" = [])),
    tags(
        (name = "sessions", description = "Signing in and out."),
        (name = "cases", description = "The owner's work on a case."),
        (name = "hand-offs", description = "Offering a case to a colleague; a lead's direct reassignment."),
        (name = "walk-in", description = "Walk-in desks: tickets, points, a returning resident's case."),
        (name = "administration", description = "Responders, rosters, SLA policies, canned replies, Open311 keys, dead letters."),
        (name = "reports", description = "The mayor's SLA dashboard: leads, the mayor and admins."),
        (name = "operations", description = "This document. Health, readiness and metrics are not served here \
            but on the operations listener, `BATLINE_CONSOLE_OPS_ADDR`, which is not public."),
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
pub async fn openapi_json(Extension(document): Extension<Arc<utoipa::openapi::OpenApi>>) -> Response {
    // `api::routes` hands over the document as `routes!` completed it with
    // every route.
    let mut response = Json(&*document).into_response();
    response.headers_mut().insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}
