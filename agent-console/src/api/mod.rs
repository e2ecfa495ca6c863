//! The console's JSON API: one module per resource, each handler reading
//! its request, calling an operation (`operations`) and shaping the answer,
//! described for the OpenAPI document (`openapi`) next to its code. Each
//! route is declared once, in [`router`]: the same declaration serves it and
//! puts it in the document.

pub mod auth;
pub mod call_backs;
pub mod canned_replies;
pub mod cases;
pub mod chat_signals;
pub mod dead_letters;
pub mod districts;
pub mod duty;
pub mod handoffs;
pub mod open311_clients;
pub mod openapi;
pub mod reports;
pub mod responders;
pub mod roster;
pub mod search;
pub mod sla_policies;
pub mod topics;
pub mod walk_in;
pub mod walk_in_points;

use std::sync::Arc;

use axum::{Extension, Router};
use utoipa::OpenApi;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::state::AppState;

/// The JSON API's routes, each with its OpenAPI description: `routes!` takes
/// the path and method from the handler's `#[utoipa::path]`, so the route
/// table and the document cannot disagree. Handlers on the same path share
/// one `routes!`.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .routes(routes!(auth::sign_in, auth::sign_out))
        .routes(routes!(auth::me))
        .routes(routes!(duty::set))
        .routes(routes!(handoffs::mine))
        .routes(routes!(handoffs::accept))
        .routes(routes!(handoffs::decline))
        .routes(routes!(handoffs::offer))
        .routes(routes!(handoffs::reassign))
        .routes(routes!(responders::list, responders::add))
        .routes(routes!(responders::update))
        .routes(routes!(walk_in_points::list, walk_in_points::add))
        .routes(routes!(walk_in::register))
        .routes(routes!(walk_in::case_by_code))
        .routes(routes!(roster::import))
        .routes(routes!(roster::coverage))
        .routes(routes!(sla_policies::list, sla_policies::add))
        .routes(routes!(reports::sla))
        .routes(routes!(reports::trends))
        .routes(routes!(reports::breaches))
        .routes(routes!(reports::dashboard))
        .routes(routes!(dead_letters::list))
        .routes(routes!(dead_letters::retry))
        .routes(routes!(canned_replies::list, canned_replies::add))
        .routes(routes!(canned_replies::archive))
        .routes(routes!(open311_clients::list, open311_clients::issue))
        .routes(routes!(open311_clients::revoke))
        .routes(routes!(search::search))
        .routes(routes!(cases::mine))
        .routes(routes!(cases::detail))
        .routes(routes!(cases::acknowledge))
        .routes(routes!(cases::reply))
        .routes(routes!(cases::resolve))
        .routes(routes!(chat_signals::typing))
        .routes(routes!(call_backs::start))
        .routes(routes!(cases::add_note))
        .routes(routes!(cases::reopen))
        .routes(routes!(cases::merge))
        .routes(routes!(cases::unmerge))
        .routes(routes!(cases::link))
        .routes(routes!(cases::classify))
        .routes(routes!(topics::list, topics::add))
        .routes(routes!(topics::change))
        .routes(routes!(districts::list))
        .routes(routes!(openapi::openapi_json))
}

/// The JSON API as plain axum routes, with the finished document handed to
/// `GET /openapi.json`.
pub fn routes() -> Router<AppState> {
    let (routes, document) = router().split_for_parts();
    routes.layer(Extension(Arc::new(document)))
}
