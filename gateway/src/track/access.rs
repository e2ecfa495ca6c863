//! The contact's view of a tracking page: the resident who reached Batline
//! about the case may read the whole conversation there, never anyone who
//! merely knows the code. They prove it one of two ways:
//!
//! - the phone that texted or called: the page asks for the number, and if
//!   it is the case's, a one-time code is texted to it (through the outbox
//!   and the SMS sender, like any message). The code, typed back, is
//!   exchanged for an `HttpOnly` cookie valid for this case for an hour.
//!   The page answers the same whether or not the number matched, so it
//!   never confirms whose case it is, and in the same time: whether the
//!   number is the case's is decided after the answer, in a task of its
//!   own, so the work of texting a code cannot be timed (issue 17, item 8).
//!   The code belongs to the browser that asked for it: the answer sets a
//!   cookie with a random request token, and a typed code is looked up by
//!   the case *and* that token, so someone who knows only the tracking
//!   code finds no code to try, and cannot use up the resident's tries.
//! - the chat session: the chat page's token (kept by the browser) is sent
//!   as a bearer token to `GET /api/v1/track/{code}/conversation`, which
//!   `track.js` calls and renders.

use std::net::SocketAddr;

use axum::{
    Json,
    extract::{ConnectInfo, State},
    http::{HeaderMap, HeaderValue, header},
    response::{IntoResponse, Redirect, Response},
};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use batline_core::{
    domain::{Channel, Language, MessageKind},
    outbound,
    phone::PhoneNumber,
    store::{self, messages::NewOutbound},
    texts,
};
use chrono::Utc;
use rand::{Rng, RngCore};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::case::{self, Line, conversation};
use crate::{
    error::ApiError,
    hand_on,
    http::extract::{Form, Path},
    state::AppState,
};

/// The cookie a verified code is exchanged for.
const COOKIE: &str = "batline_track";
/// The cookie holding the request token of the browser that asked for a code.
const ASK_COOKIE: &str = "batline_track_ask";
/// How long a code works.
const CODE_MINUTES: i64 = 10;
/// Wrong tries before a code stops working.
const CODE_TRIES: i32 = 5;
/// Codes texted per case per hour, so the page cannot be used to flood a phone.
const CODES_PER_HOUR: i64 = 3;
/// How long the cookie shows the conversation.
const GRANT_MINUTES: i64 = 60;

fn hash(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}

/// True when the request carries a valid grant cookie for `case_id`.
pub async fn granted(state: &AppState, headers: &HeaderMap, case_id: Uuid) -> Result<bool, ApiError> {
    let Some(token) = cookie(headers, COOKIE) else {
        return Ok(false);
    };
    Ok(store::track_access::grant_valid(&state.pool, &hash(token), case_id).await?)
}

fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The form asking for a code.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct AskCode {
    /// The phone that texted or called, as the resident writes it.
    #[schema(example = "040 123 4567")]
    phone: String,
    /// The page's language: `fi` (default), `sv` or `en`.
    #[serde(default)]
    lang: Option<String>,
}

/// `POST /track/{code}/contact`: text a one-time code to the case's phone,
/// if `phone` is it. Answers the same either way.
#[utoipa::path(
    post, path = "/track/{code}/contact", tag = "tracking",
    params(crate::http::params::CodePath),
    request_body(content = AskCode, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 303, description = "Back to the tracking page, which asks for the code (`step=code`; the same \
            whether or not the phone was the case's, and in the same time) or says the phone is not a number \
            (`step=bad_phone`)",
            headers(
                ("Location" = String, description = "`/track/{code}?lang=…&step=…`"),
                ("Set-Cookie" = String, description = "`batline_track_ask`, `HttpOnly; SameSite=Strict`, ten minutes: \
                    the request token a code texted for this request is bound to (set whether or not a code is sent)"),
            )),
        (status = 400, description = "Not a tracking code, or the form does not parse", body = crate::error::ErrorBody),
        (status = 404, description = "No case has that code", body = crate::error::ErrorBody),
        (status = 415, description = "The body is not `application/x-www-form-urlencoded`", body = crate::error::ErrorBody),
        (status = 422, description = "The form has no `phone`", body = crate::error::ErrorBody),
        crate::http::responses::RateLimited,
        crate::http::responses::Internal,
    )
)]
pub async fn ask_code(
    State(state): State<AppState>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    Path(code): Path<String>,
    Form(form): Form<AskCode>,
) -> Result<Response, ApiError> {
    state.track_limit.check(client.ip()).map_err(ApiError::TooManyRequests)?;
    let tracking = case::load(&state, &code).await?;
    let lang = page_lang(form.lang.as_deref());
    let next = format!("/track/{}?lang={}&step=code", tracking.code, lang.as_str());
    // The phone's rules are the same as at the walk-in desk (`040 …` is
    // Finnish); stored residents' phones are E.164, so one phone written two
    // ways is found either way.
    let Ok(phone) = PhoneNumber::parse(&form.phone).map(PhoneNumber::into_string) else {
        return Ok(
            Redirect::to(&format!("/track/{}?lang={}&step=bad_phone", tracking.code, lang.as_str())).into_response()
        );
    };
    let token = random_token();
    let requester = hash(&token);
    let case_id = tracking.case_id;
    // Everything that depends on whether the phone is the case's happens
    // after the answer, so the answer takes as long either way.
    let sender = state.clone();
    tokio::spawn(async move {
        if let Err(e) = text_code_if_contact(&sender, case_id, &phone, &requester).await {
            tracing::warn!(%case_id, error = %e, "could not text a tracking code");
        }
    });
    let mut response = Redirect::to(&next).into_response();
    set_cookie(&state, &mut response, ASK_COOKIE, &token, &tracking.code, CODE_MINUTES * 60);
    Ok(response)
}

/// Texts a fresh code for `case_id` to `phone`, bound to the browser whose
/// request token hashes to `requester`, if `phone` is the case's contact
/// and the hourly cap allows; else nothing.
async fn text_code_if_contact(
    state: &AppState,
    case_id: Uuid,
    phone: &str,
    requester: &[u8],
) -> batline_core::Result<()> {
    let contact = store::cases::resident_phone(&state.pool, case_id).await?;
    if contact.as_deref() != Some(phone) {
        tracing::info!(%case_id, "tracking code asked for with another phone");
        return Ok(());
    }
    let since = Utc::now() - chrono::Duration::hours(1);
    if store::track_access::codes_sent_since(&state.pool, case_id, since).await? >= CODES_PER_HOUR {
        tracing::info!(%case_id, "tracking codes for this case are capped for the hour");
        return Ok(());
    }
    let secret = format!("{:06}", rand::rngs::OsRng.gen_range(0..1_000_000));
    let case = store::cases::get(&state.pool, case_id).await?.ok_or(batline_core::Error::NotFound("case"))?;
    let body = texts::track_code(case.language, &secret, &case.tracking_code);
    let mut tx = state.pool.begin().await?;
    let expires = Utc::now() + chrono::Duration::minutes(CODE_MINUTES);
    store::track_access::insert_code(&mut tx, case_id, &hash(&secret), requester, expires).await?;
    let new = NewOutbound {
        case_id,
        channel: Channel::Sms,
        kind: MessageKind::Notice,
        body: &body,
        author_id: None,
        to_address: None,
    };
    let (_, outbox_id) = outbound::queue(&mut tx, &new).await?;
    tx.commit().await?;
    hand_on::publish(state, &Vec::from_iter(outbox_id)).await;
    Ok(())
}

/// 32 random bytes, URL-safe: a grant or a request token.
fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Sets an `HttpOnly`, `SameSite=Strict` cookie for the tracking page of
/// `tracking_code` (`Secure` when the public URL is https).
fn set_cookie(state: &AppState, response: &mut Response, name: &str, value: &str, tracking_code: &str, seconds: i64) {
    let secure = if state.config.public_url.scheme() == "https" { "; Secure" } else { "" };
    let cookie =
        format!("{name}={value}; Path=/track/{tracking_code}; Max-Age={seconds}; HttpOnly; SameSite=Strict{secure}");
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
}

/// The form with the code.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ConfirmCode {
    /// The six digits texted to the phone.
    #[schema(example = "123456")]
    code: String,
    /// The page's language: `fi` (default), `sv` or `en`.
    #[serde(default)]
    lang: Option<String>,
}

/// `POST /track/{code}/contact/confirm`: the texted code, exchanged for a
/// cookie that shows the conversation.
#[utoipa::path(
    post, path = "/track/{code}/contact/confirm", tag = "tracking",
    params(crate::http::params::CodePath),
    request_body(content = ConfirmCode, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 303, description = "Back to the tracking page: with the conversation and a `Set-Cookie` for this \
            case when the code was right, else `step=wrong` or `step=expired`, or `step=ask_here` when this browser \
            did not ask for a code (no `batline_track_ask` cookie, or none of its codes)",
            headers(
                ("Location" = String, description = "`/track/{code}?lang=…[&step=…]`"),
                ("Set-Cookie" = String, description = "`batline_track`, `HttpOnly; SameSite=Strict`, an hour, \
                    only when the code was right"),
            )),
        (status = 400, description = "Not a tracking code, or the form does not parse", body = crate::error::ErrorBody),
        (status = 404, description = "No case has that code", body = crate::error::ErrorBody),
        (status = 415, description = "The body is not `application/x-www-form-urlencoded`", body = crate::error::ErrorBody),
        (status = 422, description = "The form has no `code`", body = crate::error::ErrorBody),
        crate::http::responses::RateLimited,
        crate::http::responses::Internal,
    )
)]
pub async fn confirm_code(
    State(state): State<AppState>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    Path(code): Path<String>,
    headers: HeaderMap,
    Form(form): Form<ConfirmCode>,
) -> Result<Response, ApiError> {
    state.track_limit.check(client.ip()).map_err(ApiError::TooManyRequests)?;
    let tracking = case::load(&state, &code).await?;
    let lang = page_lang(form.lang.as_deref());
    let page = |step: &str| format!("/track/{}?lang={}{step}", tracking.code, lang.as_str());
    let typed: String = form.code.chars().filter(char::is_ascii_digit).collect();

    // Only the browser that asked for a code can try it: without its
    // request token there is no code to try, and nothing is counted.
    let Some(requester) = cookie(&headers, ASK_COOKIE).map(hash) else {
        return Ok(Redirect::to(&page("&step=ask_here")).into_response());
    };
    let mut tx = state.pool.begin().await.map_err(batline_core::Error::from)?;
    let Some(stored) = store::track_access::lock_latest_code(&mut tx, tracking.case_id, &requester).await? else {
        return Ok(Redirect::to(&page("&step=ask_here")).into_response());
    };
    let usable = stored.used_at.is_none() && stored.expires_at > Utc::now() && stored.attempts < CODE_TRIES;
    if !usable {
        tx.commit().await.map_err(batline_core::Error::from)?;
        return Ok(Redirect::to(&page("&step=expired")).into_response());
    }
    if typed.len() != 6 || hash(&typed) != stored.code_hash {
        store::track_access::count_attempt(&mut tx, stored.id).await?;
        tx.commit().await.map_err(batline_core::Error::from)?;
        return Ok(Redirect::to(&page("&step=wrong")).into_response());
    }
    store::track_access::mark_used(&mut tx, stored.id).await?;
    let grant = random_token();
    let expires = Utc::now() + chrono::Duration::minutes(GRANT_MINUTES);
    store::track_access::insert_grant(&mut *tx, &hash(&grant), tracking.case_id, expires).await?;
    tx.commit().await.map_err(batline_core::Error::from)?;

    let mut response = Redirect::to(&page("")).into_response();
    set_cookie(&state, &mut response, COOKIE, &grant, &tracking.code, GRANT_MINUTES * 60);
    Ok(response)
}

fn page_lang(raw: Option<&str>) -> Language {
    raw.and_then(|l| l.parse().ok()).unwrap_or_default()
}

/// `GET /api/v1/track/{code}/conversation` with `Authorization: Bearer
/// <chat session token>`: the conversation, for the chat resident whose
/// case it is (403 for anyone else).
#[utoipa::path(
    get, path = "/api/v1/track/{code}/conversation", tag = "tracking",
    params(crate::http::params::CodePath),
    security(("chat_session" = [])),
    responses(
        (status = 200, description = "The conversation, oldest first", body = [Line]),
        (status = 400, description = "Not a tracking code", body = crate::error::ErrorBody),
        (status = 403, description = "No chat session token, or not the session of the case's contact", body = crate::error::ErrorBody),
        (status = 404, description = "No case has that code", body = crate::error::ErrorBody),
        crate::http::responses::RateLimited,
        crate::http::responses::Internal,
    )
)]
pub async fn chat_conversation(
    State(state): State<AppState>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> Result<Json<Vec<Line>>, ApiError> {
    state.track_limit.check(client.ip()).map_err(ApiError::TooManyRequests)?;
    let tracking = case::load(&state, &code).await?;
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    let session = crate::chat::session::resume(&state.pool, token).await?;
    let is_contact = match session {
        Some(s) => store::chat::is_contact(&state.pool, s.id, tracking.case_id).await?,
        None => false,
    };
    if !is_contact {
        return Err(ApiError::Forbidden("only the case's contact may read its conversation".into()));
    }
    Ok(Json(conversation(&state, tracking.case_id).await?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_found_by_name() {
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, HeaderValue::from_static("a=1; batline_track=xyz; b=2"));
        assert_eq!(cookie(&h, COOKIE), Some("xyz"));
        assert_eq!(cookie(&h, "c"), None);
    }
}
