//! Browser sessions: the session cookie, the [`WebUser`] extractor and CSRF
//! protection.
//!
//! The cookie holds the same kind of token the API hands out (only its hash
//! is stored), marked HttpOnly and SameSite=Strict, and Secure whenever the
//! console is served over TLS (`BATLINE_CONSOLE_URL` is https). Sessions end
//! after `BATLINE_SESSION_IDLE_MINUTES` unused or `BATLINE_SESSION_HOURS`
//! in all.
//!
//! CSRF: every state-changing request must carry a token derived from the
//! session token (SHA-256 with a purpose prefix) in the `_csrf` form field
//! or the `X-CSRF-Token` header. A cross-site page can neither read the
//! cookie nor the pages that print the token, so it cannot forge one. On top
//! of that, SameSite=Strict keeps the cookie off cross-site requests, and a
//! request whose `Origin` is another site is refused outright.

use axum::{
    body::{Body, to_bytes},
    extract::{FromRequestParts, Request},
    http::{HeaderMap, Method, StatusCode, header, request::Parts},
    middleware::Next,
    response::{IntoResponse, Redirect, Response},
};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use batline_core::store::{self, responders::Responder};
use cookie::{Cookie, SameSite};
use sha2::{Digest, Sha256};

use super::i18n::{FromHeaders, Lang, ui};
use crate::{
    http::{BODY_LIMIT, signed_in},
    state::AppState,
};

/// The session cookie's name.
pub const COOKIE: &str = "batline_session";

/// A responder signed in through the browser.
#[derive(Debug, Clone)]
pub struct WebUser {
    /// Who.
    pub me: Responder,
    /// The CSRF token their forms carry.
    pub csrf: String,
    /// The language the console speaks to them.
    pub lang: Lang,
}

/// The CSRF token belonging to a session token.
fn csrf_token(session_token: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(format!("batline-csrf:{session_token}").as_bytes()))
}

/// The non-empty value of the request's cookie `name`.
pub fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == name && !c.value().is_empty())
        .map(|c| c.value().to_owned())
}

/// The session token from the request's cookies.
pub fn session_token(headers: &HeaderMap) -> Option<String> {
    cookie_value(headers, COOKIE)
}

/// The `Set-Cookie` value that starts a session.
pub fn start_cookie(state: &AppState, token: &str) -> String {
    let max_age =
        cookie::time::Duration::seconds(i64::try_from(state.config.session_ttl.as_secs()).unwrap_or(i64::MAX));
    Cookie::build((COOKIE, token.to_owned()))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(state.config.console_url.scheme() == "https")
        .max_age(max_age)
        .build()
        .to_string()
}

/// The `Set-Cookie` value that ends a session in the browser.
pub fn end_cookie(state: &AppState) -> String {
    Cookie::build((COOKIE, ""))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(state.config.console_url.scheme() == "https")
        .max_age(cookie::time::Duration::ZERO)
        .build()
        .to_string()
}

/// Why a page could not be shown to the visitor.
#[derive(Debug)]
pub enum NotSignedIn {
    /// Send them to sign in, and back to `next` afterwards.
    SignIn { next: String, htmx: bool },
}

impl IntoResponse for NotSignedIn {
    fn into_response(self) -> Response {
        let NotSignedIn::SignIn { next, htmx } = self;
        let target =
            format!("/sign-in?next={}", url::form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>());
        if htmx {
            // htmx would swap the sign-in page into a fragment; make it navigate.
            (StatusCode::UNAUTHORIZED, [("HX-Redirect", target)]).into_response()
        } else {
            Redirect::to(&target).into_response()
        }
    }
}

impl FromRequestParts<AppState> for WebUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let lang = Lang::from_headers(&parts.headers);
        let sign_in = || {
            let next = parts.uri.path_and_query().map_or("/", |p| p.as_str());
            // Only same-site paths, so the sign-in page cannot bounce anyone elsewhere.
            let next = if next.starts_with('/') && !next.starts_with("//") { next } else { "/" };
            NotSignedIn::SignIn { next: next.to_owned(), htmx: parts.headers.contains_key("HX-Request") }
                .into_response()
        };
        let Some(token) = session_token(&parts.headers) else {
            return Err(sign_in());
        };
        match store::sessions::responder(
            &state.pool,
            &signed_in::token_hash(&token),
            state.config.session_idle,
            state.config.session_touch_every(),
        )
        .await
        {
            Ok(Some(me)) => Ok(WebUser { me, csrf: csrf_token(&token), lang }),
            // The session ended: forget its cookie on the way to signing in.
            Ok(None) => {
                let mut response = sign_in();
                if let Ok(value) = header::HeaderValue::from_str(&end_cookie(state)) {
                    response.headers_mut().append(header::SET_COOKIE, value);
                }
                Err(response)
            }
            Err(e) => {
                tracing::error!(error = %e, "looking up a console session failed");
                Err((StatusCode::SERVICE_UNAVAILABLE, ui(lang).unavailable).into_response())
            }
        }
    }
}

/// Middleware on every browser route: a state-changing request needs a
/// same-site `Origin` (when the browser sends one) and, when signed in, the
/// session's CSRF token.
pub async fn verify_csrf(request: Request, next: Next) -> Response {
    if matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(request).await;
    }
    let lang = Lang::from_headers(request.headers());
    if !same_origin(request.headers()) {
        return (StatusCode::FORBIDDEN, ui(lang).cross_site).into_response();
    }
    // Signing in has no session yet (or a browser still holds the cookie of
    // one that ended, whose token its form cannot know); SameSite and the
    // Origin check above cover it.
    if request.uri().path() == "/sign-in" {
        return next.run(request).await;
    }
    let Some(token) = session_token(request.headers()) else {
        return next.run(request).await;
    };
    let expected = csrf_token(&token);
    let header = request.headers().get("X-CSRF-Token").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let (parts, body) = request.into_parts();
    let Ok(bytes) = to_bytes(body, BODY_LIMIT).await else {
        return (StatusCode::PAYLOAD_TOO_LARGE, ui(lang).too_large).into_response();
    };
    let field = url::form_urlencoded::parse(&bytes).find(|(k, _)| k == "_csrf").map(|(_, v)| v.into_owned());
    let sent = header.or(field).unwrap_or_default();
    if !constant_time_eq(sent.as_bytes(), expected.as_bytes()) {
        return (StatusCode::FORBIDDEN, ui(lang).csrf_failed).into_response();
    }
    next.run(Request::from_parts(parts, Body::from(bytes))).await
}

/// True unless the request names an `Origin` whose host differs from the
/// `Host` it was sent to.
pub fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return true;
    };
    let (Ok(origin), Some(host)) = (origin.to_str(), headers.get(header::HOST).and_then(|h| h.to_str().ok())) else {
        return false;
    };
    match url::Url::parse(origin) {
        Ok(url) => {
            let authority = match url.port() {
                Some(port) => format!("{}:{port}", url.host_str().unwrap_or_default()),
                None => url.host_str().unwrap_or_default().to_owned(),
            };
            authority.eq_ignore_ascii_case(host)
        }
        Err(_) => false,
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(header::HeaderName, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(name, value.parse().expect("valid header"));
        }
        map
    }

    #[test]
    fn origin_must_match_host() {
        assert!(same_origin(&headers(&[(header::HOST, "127.0.0.1:8081")])));
        assert!(same_origin(&headers(&[(header::HOST, "127.0.0.1:8081"), (header::ORIGIN, "http://127.0.0.1:8081")])));
        assert!(!same_origin(&headers(&[(header::HOST, "127.0.0.1:8081"), (header::ORIGIN, "http://evil.example")])));
        assert!(!same_origin(&headers(&[(header::HOST, "127.0.0.1:8081"), (header::ORIGIN, "null")])));
        assert!(same_origin(&headers(&[(header::HOST, "console.hel.fi"), (header::ORIGIN, "https://console.hel.fi")])));
    }

    #[test]
    fn the_csrf_token_is_bound_to_the_session() {
        assert_eq!(csrf_token("a"), csrf_token("a"));
        assert_ne!(csrf_token("a"), csrf_token("b"));
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }

    #[test]
    fn the_session_cookie_is_found_among_others() {
        let map = headers(&[(header::COOKIE, "lang=sv; batline_session=tok123")]);
        assert_eq!(session_token(&map).as_deref(), Some("tok123"));
        assert_eq!(session_token(&headers(&[(header::COOKIE, "lang=sv")])), None);
    }
}
