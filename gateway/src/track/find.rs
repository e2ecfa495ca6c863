//! `GET /track`, where a resident types their tracking code, and the page
//! a mistyped or unknown code answers with: in the resident's language,
//! with the form to try again, never a JSON error body (issue 18). A code
//! is read as people type it (`k7qd 4m2x`, `O` for `0`); a good one goes on
//! to its page.

use std::net::SocketAddr;

use axum::{
    extract::{ConnectInfo, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
};
use batline_core::{domain::Language, tracking_code::TrackingCode};
use batline_web_assets as web_assets;
use maud::{DOCTYPE, html};
use serde::Deserialize;

use crate::{error::ApiError, http::extract::Query, state::AppState};

/// Query of `GET /track`.
#[derive(Debug, Deserialize)]
pub struct FindQuery {
    /// The code as typed, if the form was sent.
    code: Option<String>,
    lang: Option<String>,
}

/// Why the form is shown again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    /// What was typed is not a tracking code at all.
    NotACode,
    /// It is a code, but no case has it.
    Unknown,
}

/// `GET /track[?code=…]`: the form, or on to the case's page.
pub async fn find(
    State(state): State<AppState>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    Query(query): Query<FindQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let lang = crate::lang::pick(query.lang.as_deref(), &headers);
    let city = state.config.city_name.in_language(lang);
    let Some(typed) = query.code.as_deref().filter(|c| !c.trim().is_empty()) else {
        return Ok(page(lang, city, None, StatusCode::OK));
    };
    // Typing codes is guessing them as far as the limit knows.
    state.track_limit.check(client.ip()).map_err(ApiError::TooManyRequests)?;
    match TrackingCode::parse(typed) {
        Ok(code) => Ok(Redirect::to(&format!("/track/{}?lang={}", code.as_str(), lang.as_str())).into_response()),
        Err(_) => Ok(page(lang, city, Some((Problem::NotACode, typed)), StatusCode::BAD_REQUEST)),
    }
}

batline_core::texts! {
    struct Words;

    fn words;

    title {
        fi: "Seuraa asiaasi",
        sv: "Följ ditt ärende",
        en: "Follow your case",
    }

    help {
        fi: "Kirjoita seurantakoodi, jonka sait tekstiviestissä, chatissa tai asiointipisteessä. Se on muotoa K7QD-4M2X.",
        sv: "Skriv uppföljningskoden som du fick i sms:et, i chatten eller vid servicepunkten. Den ser ut så här: K7QD-4M2X.",
        en: "Type the tracking code you were given by text message, in the chat or at the desk. It looks like K7QD-4M2X.",
    }

    label {
        fi: "Seurantakoodi",
        sv: "Uppföljningskod",
        en: "Tracking code",
    }

    show {
        fi: "Näytä asia",
        sv: "Visa ärendet",
        en: "Show the case",
    }

    not_a_code {
        fi: "”{code}” ei ole seurantakoodi. Koodissa on kahdeksan kirjainta tai numeroa, esimerkiksi K7QD-4M2X. Tarkista se ja yritä uudelleen.",
        sv: "”{code}” är ingen uppföljningskod. Koden har åtta bokstäver eller siffror, till exempel K7QD-4M2X. Kontrollera den och försök igen.",
        en: "“{code}” is not a tracking code. A code has eight letters or digits, like K7QD-4M2X. Check it and try again.",
    }

    unknown {
        fi: "Koodilla {code} ei löydy asiaa. Tarkista koodi ja yritä uudelleen.",
        sv: "Det finns inget ärende med koden {code}. Kontrollera koden och försök igen.",
        en: "No case has the code {code}. Check the code and try again.",
    }

    languages {
        fi: "Kieli",
        sv: "Språk",
        en: "Language",
    }
}

/// How much of a mistyped code is shown back: enough to spot the slip.
const SHOWN_CHARS: usize = 40;

/// The form, with `problem` about what was typed, answered with `status`;
/// `city` says whose page it is.
pub fn page(lang: Language, city: &str, problem: Option<(Problem, &str)>, status: StatusCode) -> Response {
    let w = words(lang);
    let typed = problem.map(|(_, typed)| typed.trim().chars().take(SHOWN_CHARS).collect::<String>());
    let notice = problem.zip(typed.as_deref()).map(|((problem, _), typed)| match problem {
        Problem::NotACode => w.not_a_code.replace("{code}", typed),
        Problem::Unknown => w.unknown.replace("{code}", typed),
    });
    let markup = html! {
        (DOCTYPE)
        html lang=(lang.as_str()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="robots" content="noindex";
                title { (w.title) " – " (city) }
                link rel="stylesheet" href=(web_assets::url("hds.css"));
                link rel="stylesheet" href=(web_assets::url("chat.css"));
            }
            body.track-page {
                main #track-find .track-find {
                    p.track-city { (city) }
                    h1 { (w.title) }
                    p { (w.help) }
                    @if let Some(notice) = &notice {
                        p.track-notice.error role="alert" { (notice) }
                    }
                    form method="get" action="/track" {
                        input type="hidden" name="lang" value=(lang.as_str());
                        div {
                            label for="code" { (w.label) }
                            input #code type="text" name="code" autocomplete="off" autocapitalize="characters"
                                spellcheck="false" required maxlength="40" value=[typed.as_deref()]
                                aria-invalid=[notice.as_ref().map(|_| "true")];
                        }
                        button type="submit" .hds-button.hds-button--primary { (w.show) }
                    }
                    nav.chat-languages aria-label=(w.languages) {
                        a href="/track?lang=fi" hreflang="fi" lang="fi" { "Suomeksi" } " · "
                        a href="/track?lang=sv" hreflang="sv" lang="sv" { "På svenska" } " · "
                        a href="/track?lang=en" hreflang="en" lang="en" { "In English" }
                    }
                }
            }
        }
    };
    let mut response = (status, axum::response::Html(markup.into_string())).into_response();
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
