//! The console web app: server-rendered pages (maud) made live with htmx and
//! one small script (`web/src/console.js`). Everything it loads is bundled
//! into the binary; its CSP allows scripts and styles from itself only.
//!
//! Pages call the same operations as the JSON API (`operations::cases::reply_as`
//! and friends), so the browser and the JSON API can never disagree about
//! who may do what.

pub mod admin;
pub mod case_page;
pub mod charts;
pub mod city_lists;
pub mod city_sign_in;
pub mod dashboard;
pub mod duty;
pub mod failure;
pub mod i18n;
pub mod inbox;
pub mod layout;
pub mod lead;
pub mod live;
pub mod search;
pub mod session;
pub mod sign_in;
pub mod timeline;
pub mod walk_in_desk;
pub mod walk_in_ticket;

use axum::{
    Router,
    http::{HeaderName, HeaderValue, header},
    routing::{get, post},
};
use batline_web_assets as web_assets;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::state::AppState;

/// The pages' Content-Security-Policy: nothing inline, nothing from elsewhere,
/// never framed. HDS draws its icons with `data:` SVGs in CSS. The console's
/// security-headers layer sends it with every answer that sets none.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   connect-src 'self'; font-src 'self'; media-src 'self' https:; object-src 'none'; \
                   base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The browser routes.
pub fn routes() -> Router<AppState> {
    let header = |name: HeaderName, value: &'static str| {
        SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
    };
    Router::new()
        .route("/", get(inbox::page))
        .route("/sign-in", get(sign_in::form).post(sign_in::submit))
        .route("/sign-in/city", get(city_sign_in::start))
        .route("/oidc/callback", get(city_sign_in::callback))
        .route("/oidc/back-channel-logout", post(city_sign_in::back_channel_logout))
        .route("/sign-out", post(sign_in::sign_out))
        .route("/language", post(sign_in::language))
        .route("/duty", post(duty::set))
        .route("/duty/off", get(duty::off_preview))
        .route("/live", get(live::socket))
        .route("/handoffs/{id}/accept", post(inbox::accept))
        .route("/handoffs/{id}/decline", post(inbox::decline))
        .route("/search", get(search::page))
        .route("/walk-in", get(walk_in_desk::page))
        .route("/walk-in/visits", get(walk_in_desk::to_desk).post(walk_in_desk::register))
        .route("/walk-in/tickets/{id}/owner", get(walk_in_desk::ticket_box))
        .route("/cases/{id}", get(case_page::page))
        .route("/cases/{id}/attachments/{attachment}", get(case_page::attachment))
        .route("/cases/{id}/acknowledge", post(case_page::acknowledge))
        .route("/cases/{id}/reply", post(case_page::reply))
        .route("/cases/{id}/note", post(case_page::note))
        .route("/cases/{id}/handoff", post(case_page::handoff))
        .route("/cases/{id}/resolve", post(case_page::resolve))
        .route("/cases/{id}/reopen", post(case_page::reopen))
        .route("/cases/{id}/merge", post(case_page::merge))
        .route("/cases/{id}/unmerge", post(case_page::unmerge))
        .route("/cases/{id}/link", post(case_page::link))
        .route("/cases/{id}/classify", post(case_page::classify))
        .route("/cases/{id}/locate", post(case_page::locate))
        .route("/cases/{id}/call-back", post(case_page::call_back))
        .route("/cases/{id}/reassign", post(lead::reassign))
        .route("/lead", get(lead::page))
        .route("/dead-letters/{id}/retry", post(lead::retry_dead_letter))
        .route("/dashboard", get(dashboard::page))
        .route("/dashboard/export", get(dashboard::export))
        .merge(admin::routes())
        .route("/assets/{name}", get(web_assets::serve))
        .layer(axum::middleware::from_fn(session::verify_csrf))
        // The policy, nosniff and X-Frame-Options come from the console's
        // security-headers layer; signed-in pages keep the referrer within
        // the console, which the rest of the console does not send at all.
        .layer(header(header::REFERRER_POLICY, "same-origin"))
        .layer(header(HeaderName::from_static("permissions-policy"), "camera=(), microphone=(), geolocation=()"))
}
