//! The error pages: what went wrong, with the right status, in the
//! console frame.

use axum::{
    http::StatusCode,
    response::{Html, IntoResponse, Response},
};
use maud::html;

use super::{
    i18n::ui,
    layout::{self, Flash, Section},
    session::WebUser,
};
use crate::http::error::ApiError;

/// A page saying what went wrong, with the right status.
pub fn failure(user: &WebUser, error: ApiError) -> Response {
    let (status, _, detail) = error.parts();
    let t = ui(user.lang);
    let detail = if status == StatusCode::NOT_FOUND { t.not_found.to_owned() } else { detail };
    let body = html! {
        h1 { (t.error_title) }
        p { a href="/" { (t.back) } }
    };
    (status, Html(layout::page(user, Section::Other, t.error_title, Some(&Flash::Failed(detail)), body).into_string()))
        .into_response()
}

/// A page only some roles may see.
pub fn role_forbidden(user: &WebUser) -> Response {
    failure(user, ApiError::Forbidden(ui(user.lang).role_forbidden.to_owned()))
}
