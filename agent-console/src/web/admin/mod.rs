//! Administration pages: responders, skills and areas, walk-in points,
//! rosters, SLA policies, canned replies and Open311 keys. Admins only: anyone else gets
//! the 403 page, and every action also runs through the same `..._as`
//! operation as the JSON API (`operations`), which checks the role again.
//!
//! Each page is a list with a plain HTML form under it. A form posts, the
//! action redirects back with `?done=…` on success; a refusal renders the
//! page again with the reason, the fitting status and what was typed.

pub mod canned_replies;
pub mod frame;
pub mod open311_clients;
pub mod responders;
pub mod roster;
mod roster_problems;
pub mod sla_policies;
pub mod texts;
pub mod walk_in_points;

use axum::{
    Router,
    http::StatusCode,
    response::Response,
    routing::{get, post},
};
use maud::html;

use self::{
    frame::{forbidden_unless_admin, respond, sections},
    texts::texts,
};
use super::session::WebUser;
use crate::state::AppState;

/// The admin routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin", get(overview))
        .route("/admin/responders", get(responders::list).post(responders::add))
        .route("/admin/responders/{id}", get(responders::edit).post(responders::save))
        .route("/admin/responders/{id}/password", post(responders::reset_password))
        .route("/admin/walk-in-points", get(walk_in_points::page).post(walk_in_points::add))
        .route("/admin/roster", get(roster::page).post(roster::import))
        .route("/admin/sla-policies", get(sla_policies::page).post(sla_policies::add))
        .route("/admin/canned-replies", get(canned_replies::page).post(canned_replies::add))
        .route("/admin/canned-replies/{id}/archive", post(canned_replies::archive))
        .route("/admin/open311", get(open311_clients::page).post(open311_clients::issue))
        .route("/admin/open311/{id}/revoke", post(open311_clients::revoke))
}

/// `GET /admin`: the sections with what each is for.
pub async fn overview(user: WebUser) -> Response {
    if let Some(denied) = forbidden_unless_admin(&user) {
        return denied;
    }
    let t = texts(user.lang);
    let body = html! {
        h1 { (t.admin_title) }
        p { (t.overview_intro) }
        ul class="admin-sections" {
            @for (href, label, hint) in sections(t) {
                li {
                    a href=(href) { (label) }
                    p class="hint" { (hint) }
                }
            }
        }
    };
    respond(&user, StatusCode::OK, "/admin", t.admin_title, None, body)
}
