//! The gateway's OpenAPI 3.1 document, served at `GET /openapi.json`. Each
//! handler describes itself with `#[utoipa::path]` next to its code, and
//! the route table in `lib.rs` (utoipa-axum's `OpenApiRouter`) gathers an
//! operation wherever it routes one, so a route and its description are
//! declared once. This module holds what only the document needs: its
//! title, tags and security scheme. The Twilio webhook forms sit with their
//! webhooks (`sms`, `voice::forms`), the parameters several operations
//! share and the answers every webhook or rate-limited operation can give
//! in `http`.

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

/// The document's title, tags and security scheme; the route table adds
/// the operations.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Batline gateway",
        description = "Twilio's SMS and voice webhooks, public case tracking and the city's open data. \
            Every error answers `{code, detail}` (see `ErrorBody`).",
        license(name = "EUPL-1.2")
    ),
    modifiers(&SecuritySchemes),
    tags(
        (name = "twilio", description = "Webhooks Twilio calls. Each is checked against `X-Twilio-Signature` \
            (HMAC-SHA1 of `BATLINE_PUBLIC_URL` plus path and query, and the sorted form fields, with the auth \
            token) before anything else is read: without a valid signature the answer is 403."),
        (name = "tracking", description = "Public case tracking by tracking code: nothing personal about the resident."),
        (name = "chat", description = "What the chat page does besides its WebSocket: a chat resident leaving a phone \
            number or an email address to be answered there too, confirmed with a one-time code sent there."),
        (name = "open data", description = "The city's accountability figures; any figure resting on fewer than five \
            cases is withheld, and enough other rows with it that none can be worked out from the total."),
        (name = "operations", description = "This document. Health, readiness and metrics are not served here \
            but on the operations listener, `BATLINE_GATEWAY_OPS_ADDR`, which is not public."),
    )
)]
pub struct ApiDoc;

struct SecuritySchemes;

impl utoipa::Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "chat_session",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("The chat session token the chat page keeps in the browser"))
                    .build(),
            ),
        );
    }
}

/// `GET /openapi.json`: this document.
#[utoipa::path(get, path = "/openapi.json", tag = "operations", responses(
    (status = 200, description = "The OpenAPI 3.1 document of the gateway's HTTP API", body = Object),
))]
// The document is the one the route table gathered (`lib.rs`), handed in
// as an extension.
pub async fn openapi_json(Extension(document): Extension<Arc<utoipa::openapi::OpenApi>>) -> Response {
    let mut response = Json(&*document).into_response();
    response.headers_mut().insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}
