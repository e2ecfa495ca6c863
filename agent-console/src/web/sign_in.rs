//! Signing in and out of the console in the browser, and choosing its language.

use crate::http::extract::Form;
use axum::{
    extract::{ConnectInfo, Query, State},
    http::{HeaderMap, StatusCode, header},
    response::{Html, IntoResponse, Redirect, Response},
};
use batline_core::{domain::Language, store};
use cookie::{Cookie, SameSite};
use maud::html;
use serde::Deserialize;

use super::{
    i18n::{LANG_COOKIE, Lang, ui},
    layout::{self, Flash},
    session,
};
use crate::{
    http::{error::ApiError, signed_in},
    operations::sessions,
    state::AppState,
};

/// Where to go after signing in.
#[derive(Debug, Default, Deserialize)]
pub struct Next {
    #[serde(default)]
    next: Option<String>,
    #[serde(default)]
    signed_out: Option<String>,
}

/// Where `next` is resolved to check it: any origin does, only whether
/// resolving keeps it matters.
const SITE: &str = "https://console.invalid/";

/// Only paths on this site, so the sign-in page cannot be used to send
/// someone to another one, as the path a URL parser makes of it: browsers
/// drop tabs and newlines and read `\` as `/`, so `/\t/evil.example` is
/// `//evil.example`, another host. A `next` with a control character or a
/// backslash, or that resolves to another origin, goes to `/`; the rest goes
/// as the parser writes it (percent-encoded, so always a valid header),
/// unless that starts with `//`.
pub fn safe_next(next: Option<&str>) -> String {
    let site = url::Url::parse(SITE).ok();
    let same_origin = |n: &str| {
        let resolved = site.as_ref()?.join(n).ok()?;
        (Some(resolved.origin()) == site.as_ref().map(url::Url::origin))
            .then(|| resolved[url::Position::BeforePath..].to_owned())
            // `/..//evil.example` resolves to the path `//evil.example`,
            // which a browser reads as another host.
            .filter(|path| !path.starts_with("//"))
    };
    next.filter(|n| n.starts_with('/') && !n.chars().any(|c| c.is_control() || c == '\\'))
        .and_then(same_origin)
        .unwrap_or_else(|| "/".to_owned())
}

/// The ways in a deployment offers: the city's account when an issuer is
/// configured, a password unless `BATLINE_PASSWORD_SIGN_IN=false`.
#[derive(Debug, Clone, Copy)]
pub struct Doors {
    city: bool,
    password: bool,
}

impl Doors {
    /// The doors `state`'s settings open.
    pub fn of(state: &AppState) -> Self {
        Doors { city: state.oidc.is_some(), password: state.config.password_sign_in }
    }
}

/// The sign-in page: the city's account first when offered, then the
/// password form when passwords are on.
pub fn render(doors: Doors, lang: Lang, next: &str, username: &str, flash: Option<Flash>) -> Html<String> {
    let t = ui(lang);
    let city_href =
        format!("/sign-in/city?next={}", url::form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>());
    let body = html! {
        div class="sign-in" {
            h1 { (t.sign_in_title) }
            p { (t.sign_in_intro) }
            @if let Some(flash) = &flash { (layout::flash_box(flash)) }
            @if doors.city {
                div class="actions" {
                    a class="hds-button hds-button--primary" id="city-sign-in" href=(city_href) {
                        span class="hds-button__label" { (t.city_sign_in) }
                    }
                }
                @if doors.password { p { (t.or_with_password) } }
            }
            @if doors.password {
            form method="post" action="/sign-in" class="stack" {
                input type="hidden" name="next" value=(next);
                div {
                    label for="username" { (t.username) }
                    input type="text" id="username" name="username" value=(username) autocomplete="username" required autofocus[!doors.city];
                }
                div {
                    label for="password" { (t.password) }
                    input type="password" id="password" name="password" autocomplete="current-password" required;
                }
                div class="actions" {
                    button class=(if doors.city { "hds-button hds-button--secondary" } else { "hds-button hds-button--primary" }) type="submit" {
                        span class="hds-button__label" { (t.sign_in_button) }
                    }
                }
            }
            }
            nav aria-label=(t.language_label) {
                ul class="actions" {
                    @for other in [Language::Fi, Language::Sv, Language::En] {
                        li { a href={ "/sign-in?lang=" (other.as_str()) } lang=(other.as_str()) { (ui(other).language_name) } }
                    }
                }
            }
        }
    };
    Html(layout::bare(lang, t.sign_in_title, body).into_string())
}

/// `GET /sign-in`.
pub async fn form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<Next>,
    Query(lang): Query<LangChoice>,
) -> Response {
    let lang_cookie = lang.lang.map(lang_cookie);
    let lang = lang.lang.unwrap_or_else(|| lang_of(&headers));
    let flash = query.signed_out.is_some().then_some(Flash::Done(ui(lang).signed_out));
    let page = render(Doors::of(&state), lang, &safe_next(query.next.as_deref()), "", flash);
    match lang_cookie {
        Some(cookie) => ([(header::SET_COOKIE, cookie)], page).into_response(),
        None => page.into_response(),
    }
}

/// The sign-in form.
#[derive(Debug, Deserialize)]
pub struct SignInForm {
    username: String,
    password: String,
    #[serde(default)]
    next: Option<String>,
}

/// `POST /sign-in`: on success the session cookie is set and the browser
/// goes where it was heading; on failure the form comes back with the name kept.
pub async fn submit(
    State(state): State<AppState>,
    ConnectInfo(client): ConnectInfo<std::net::SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<SignInForm>,
) -> Response {
    let lang = lang_of(&headers);
    // Checked before anything else, so a refused `next` never follows a new session.
    let next = safe_next(form.next.as_deref());
    let doors = Doors::of(&state);
    if let Err(wait) = state.sign_in_limit.check(client.ip()) {
        return too_many(doors, lang, &next, &form.username, ui(lang).too_many_attempts, wait);
    }
    match sessions::start_session(&state, client.ip(), &form.username, form.password).await {
        Ok(session) => {
            // Clean up now and then, on the path that adds rows anyway.
            if let Err(e) = store::sessions::delete_stale(&state.pool, state.config.session_idle).await {
                tracing::warn!(error = %e, "could not delete stale sessions");
            }
            ([(header::SET_COOKIE, session::start_cookie(&state, &session.token))], Redirect::to(&next)).into_response()
        }
        Err(ApiError::SignInLocked(wait)) => {
            too_many(doors, lang, &next, &form.username, ui(lang).sign_in_locked, wait)
        }
        Err(ApiError::BadCredentials) => {
            let flash = Flash::Failed(ui(lang).bad_credentials.to_owned());
            (StatusCode::UNAUTHORIZED, render(doors, lang, &next, &form.username, Some(flash))).into_response()
        }
        Err(ApiError::PasswordSignInOff) => {
            let flash = Flash::Failed(ui(lang).password_sign_in_off.to_owned());
            (StatusCode::FORBIDDEN, render(doors, lang, &next, "", Some(flash))).into_response()
        }
        Err(e) => {
            let (status, _, detail) = e.parts();
            (status, render(doors, lang, &next, &form.username, Some(Flash::Failed(detail)))).into_response()
        }
    }
}

/// The form again, answered 429 with Retry-After and `why` with the wait.
fn too_many(doors: Doors, lang: Lang, next: &str, username: &str, why: &str, wait: std::time::Duration) -> Response {
    let flash = Flash::Failed(format!("{why} ({} s)", wait.as_secs()));
    let retry = wait.as_secs().max(1).to_string();
    let page = render(doors, lang, next, username, Some(flash));
    (StatusCode::TOO_MANY_REQUESTS, [(header::RETRY_AFTER, retry)], page).into_response()
}

/// `POST /sign-out`: ends the session everywhere it is used, not just in this browser.
pub async fn sign_out(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(token) = session::session_token(&headers) {
        match store::sessions::delete(&state.pool, &signed_in::token_hash(&token)).await {
            Ok(Some(responder_id)) => tracing::info!(%responder_id, "signed out"),
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "could not delete a session on sign-out"),
        }
    }
    ([(header::SET_COOKIE, session::end_cookie(&state))], Redirect::to("/sign-in?signed_out=1")).into_response()
}

/// A language choice.
#[derive(Debug, Default, Deserialize)]
pub struct LangChoice {
    #[serde(default)]
    lang: Option<Language>,
}

fn lang_cookie(lang: Language) -> String {
    Cookie::build((LANG_COOKIE, lang.as_str()))
        .path("/")
        .same_site(SameSite::Lax)
        .max_age(cookie::time::Duration::days(365))
        .build()
        .to_string()
}

/// `POST /language`: remembers the chosen language and goes back.
pub async fn language(headers: HeaderMap, Form(choice): Form<LangChoice>) -> Response {
    let back = headers
        .get(header::REFERER)
        .and_then(|r| r.to_str().ok())
        .and_then(|r| url::Url::parse(r).ok())
        .map(|u| match u.query() {
            Some(q) => format!("{}?{q}", u.path()),
            None => u.path().to_owned(),
        })
        .unwrap_or_else(|| "/".to_owned());
    let back = safe_next(Some(&back));
    match choice.lang {
        Some(lang) => ([(header::SET_COOKIE, lang_cookie(lang))], Redirect::to(&back)).into_response(),
        None => Redirect::to(&back).into_response(),
    }
}

/// The language of a request that has no signed-in user.
pub fn lang_of(headers: &axum::http::HeaderMap) -> Lang {
    use super::i18n::FromHeaders;
    Lang::from_headers(headers)
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;
    use proptest::prelude::*;

    use super::*;

    /// Whether `location` stays on the site, read as a browser would read
    /// a `Location` header.
    fn stays(location: &str) -> bool {
        let site = url::Url::parse(SITE).ok();
        site.as_ref().and_then(|s| s.join(location).ok()).map(|u| u.origin()) == site.map(|s| s.origin())
    }

    #[test]
    fn the_probes_inputs_go_home_and_paths_on_the_site_are_kept() {
        for evil in [
            "/\t/evil.example/phish",
            "/\r\nSet-Cookie: x=1",
            "//evil.example/",
            "/\\evil.example",
            "https://evil.example/",
            "/..//evil.example",
            "",
        ] {
            assert_eq!(safe_next(Some(evil)), "/", "{evil:?}");
        }
        assert_eq!(safe_next(None), "/");
        assert_eq!(safe_next(Some("/cases/42?tab=notes")), "/cases/42?tab=notes");
        assert_eq!(safe_next(Some("/dashboard#week")), "/dashboard#week");
        assert_eq!(safe_next(Some("/haku/ä ö")), "/haku/%C3%A4%20%C3%B6");
    }

    proptest! {
        /// Any control character anywhere, or a backslash, sends the browser home.
        #[test]
        fn a_control_character_or_backslash_anywhere_goes_home(
            before in "/[a-z/.]{0,8}",
            bad in prop_oneof![(0u32..0x20).prop_map(char::from_u32), Just(char::from_u32(0x7f)),
                (0x80u32..0xa0).prop_map(char::from_u32), Just(Some('\\'))],
            after in "[a-z/.:]{0,12}",
        ) {
            let next = format!("{before}{}{after}", bad.unwrap_or('\0'));
            prop_assert_eq!(safe_next(Some(&next)), "/");
        }

        /// Whatever comes in, what goes out is a valid header on this site.
        #[test]
        fn whatever_comes_in_the_browser_stays_on_the_site(next in "\\PC{0,24}|/[/\\\\a-z.:@%\t\r\n]{0,16}") {
            let location = safe_next(Some(&next));
            prop_assert!(stays(&location), "{next:?} -> {location:?}");
            prop_assert!(HeaderValue::from_str(&location).is_ok(), "{next:?} -> {location:?}");
            prop_assert!(location.starts_with('/') && !location.starts_with("//"), "{location:?}");
        }
    }
}
