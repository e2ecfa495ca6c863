//! Signing in with the city's account in the browser, and the provider's
//! back-channel logout.
//!
//! `GET /sign-in/city` sends the browser to the provider with a new
//! `state`, also set in a cookie of its own (`SameSite=Lax`, so it comes
//! back on the provider's redirect, unlike the session cookie); the
//! provider sends it back to `GET /oidc/callback`, which opens the same
//! console session a password does. The session cookie is `SameSite=Strict`
//! and the browser arrived from the provider's site, so the callback does
//! not redirect (a browser would withhold a Strict cookie on a redirect
//! that began on another site) but answers a page that moves on to `next`
//! by itself.
//!
//! `POST /oidc/back-channel-logout` takes the provider's logout token
//! (OpenID Connect Back-Channel Logout 1.0) and ends the sessions it names.

use axum::{
    extract::{ConnectInfo, Query, State},
    http::{HeaderMap, StatusCode, header},
    response::{Html, IntoResponse, Redirect, Response},
};
use cookie::{Cookie, SameSite};
use maud::html;
use serde::Deserialize;

use super::{
    i18n::{Lang, ui},
    layout::{self, Flash},
    session,
    sign_in::{Doors, lang_of, render, safe_next},
};
use crate::{
    http::{error::ApiError, extract::Form},
    operations::oidc::{self, Callback, SIGN_IN_MAX_AGE},
    state::AppState,
};

/// The cookie that holds a sign-in's `state` while the browser is at the provider.
const STATE_COOKIE: &str = "batline_oidc_state";
/// Where it is sent: only to the callback.
const STATE_PATH: &str = "/oidc";

fn state_cookie(state: &AppState, value: &str, max_age: cookie::time::Duration) -> String {
    Cookie::build((STATE_COOKIE, value.to_owned()))
        .path(STATE_PATH)
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.config.console_url.scheme() == "https")
        .max_age(max_age)
        .build()
        .to_string()
}

fn cookie_state(headers: &HeaderMap) -> Option<String> {
    super::session::cookie_value(headers, STATE_COOKIE)
}

/// `?next=` of `GET /sign-in/city`.
#[derive(Debug, Deserialize)]
pub struct Start {
    #[serde(default)]
    next: Option<String>,
}

/// The sign-in page again with why it failed.
fn failed(state: &AppState, lang: Lang, next: &str, error: &ApiError) -> Response {
    let t = ui(lang);
    let (status, _, _) = error.parts();
    let text = match error {
        ApiError::Oidc(refusal) if refusal.is_about_access() => t.city_sign_in_no_role,
        _ => t.city_sign_in_failed,
    };
    let page = render(Doors::of(state), lang, next, "", Some(Flash::Failed(text.to_owned())));
    let forget = state_cookie(state, "", cookie::time::Duration::ZERO);
    (status, [(header::SET_COOKIE, forget)], page).into_response()
}

/// `GET /sign-in/city`: off to the provider.
pub async fn start(
    State(state): State<AppState>,
    ConnectInfo(client): ConnectInfo<std::net::SocketAddr>,
    headers: HeaderMap,
    Query(query): Query<Start>,
) -> Response {
    let lang = lang_of(&headers);
    let next = safe_next(query.next.as_deref());
    if state.sign_in_limit.check(client.ip()).is_err() {
        let page = render(Doors::of(&state), lang, &next, "", Some(Flash::Failed(ui(lang).too_many_attempts.into())));
        return (StatusCode::TOO_MANY_REQUESTS, page).into_response();
    }
    match oidc::begin(&state, &next).await {
        Ok(begun) => {
            let max_age = cookie::time::Duration::seconds(i64::try_from(SIGN_IN_MAX_AGE.as_secs()).unwrap_or(600));
            let cookie = state_cookie(&state, &begun.state, max_age);
            ([(header::SET_COOKIE, cookie)], Redirect::to(begun.url.as_str())).into_response()
        }
        Err(e) => failed(&state, lang, &next, &e),
    }
}

/// What the provider sends the browser back with.
#[derive(Debug, Deserialize)]
pub struct Returned {
    #[serde(default)]
    state: String,
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    error: Option<String>,
}

/// `GET /oidc/callback`: the provider's answer.
pub async fn callback(
    State(state): State<AppState>,
    ConnectInfo(client): ConnectInfo<std::net::SocketAddr>,
    headers: HeaderMap,
    Query(returned): Query<Returned>,
) -> Response {
    let lang = lang_of(&headers);
    if state.sign_in_limit.check(client.ip()).is_err() {
        let page = render(Doors::of(&state), lang, "/", "", Some(Flash::Failed(ui(lang).too_many_attempts.into())));
        return (StatusCode::TOO_MANY_REQUESTS, page).into_response();
    }
    let cookie_state = cookie_state(&headers);
    let outcome = match (&returned.code, &returned.error) {
        (Some(code), None) => Ok(code.as_str()),
        (_, Some(error)) => Err(error.as_str()),
        (None, None) => Err("no code"),
    };
    let callback = Callback { state: &returned.state, cookie_state: cookie_state.as_deref(), outcome };
    match oidc::finish(&state, callback).await {
        Ok((session, next)) => {
            let t = ui(lang);
            let refresh = format!("0;url={next}");
            let body = html! {
                div class="sign-in" {
                    h1 { (t.signing_in) }
                    p { a href=(next) { (t.continue_link) } }
                }
            };
            let page = layout::bare_with_head(
                lang,
                t.signing_in,
                html! { meta http-equiv="refresh" content=(refresh); },
                body,
            );
            let mut response = Html(page.into_string()).into_response();
            for cookie in
                [session::start_cookie(&state, &session.token), state_cookie(&state, "", cookie::time::Duration::ZERO)]
            {
                if let Ok(value) = header::HeaderValue::from_str(&cookie) {
                    response.headers_mut().append(header::SET_COOKIE, value);
                }
            }
            response.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
            response
        }
        Err(e) => failed(&state, lang, "/", &e),
    }
}

/// The provider's back-channel logout request.
#[derive(Debug, Deserialize)]
pub struct Logout {
    logout_token: String,
}

/// `POST /oidc/back-channel-logout`: 200 when the token is good (whether or
/// not a session was open), 400 with the reason's code otherwise, as the
/// specification asks; never cached.
pub async fn back_channel_logout(State(state): State<AppState>, Form(logout): Form<Logout>) -> Response {
    let no_store = [(header::CACHE_CONTROL, "no-store")];
    match oidc::back_channel_logout(&state, &logout.logout_token).await {
        Ok(_) => (StatusCode::OK, no_store).into_response(),
        Err(ApiError::Oidc(refusal)) => {
            let body = serde_json::json!({"error": "invalid_request", "error_description": refusal.code()});
            (StatusCode::BAD_REQUEST, no_store, axum::Json(body)).into_response()
        }
        Err(e) => {
            let mut response = e.into_response();
            response.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
            response
        }
    }
}
