//! `GET /track/{code}`, the page the SMS and the chat link to, and its
//! markup, rendered from the case and conversation [`super::case`] loads.
//!
//! The markup is in Finnish, Swedish and English, styled with
//! the Helsinki Design System. The timeline is told in plain sentences
//! ("Aino took the case on", "The case was handed to Mikko"). Server-rendered;
//! the one script, `track.js`, only adds the conversation for a chat
//! resident, and maud escapes everything interpolated.

use std::net::SocketAddr;

use axum::{
    extract::{ConnectInfo, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use batline_core::{
    domain::{CaseStatus, Language},
    roster::TZ,
};
use batline_web_assets as web_assets;
use maud::{DOCTYPE, Markup, html};
use serde::Deserialize;

use super::{
    access,
    case::{self, Line, PublicEvent, Tracking},
    find::{self, Problem},
};
use crate::{
    error::ApiError,
    http::extract::{Path, Query},
    state::AppState,
};

/// Query of the tracking page.
#[derive(Debug, Deserialize)]
pub struct PageQuery {
    lang: Option<String>,
    /// Where the contact's verification stands: `code` (a code was asked
    /// for), `wrong` (the code did not match), `expired`.
    step: Option<String>,
}

/// `GET /track/{code}`: the page the SMS and the chat link to.
pub async fn page(
    State(state): State<AppState>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    Path(code): Path<String>,
    Query(query): Query<PageQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let lang: Language = crate::lang::pick(query.lang.as_deref(), &headers);
    state.track_limit.check(client.ip()).map_err(ApiError::TooManyRequests)?;
    let city = state.config.city_name.in_language(lang);
    // A mistyped or unknown code is answered with a page in the resident's
    // language and the form to try again, not the API's JSON error.
    let tracking = match case::load(&state, &code).await {
        Ok(tracking) => tracking,
        Err(ApiError::Core(batline_core::Error::Invalid(_))) => {
            return Ok(find::page(lang, city, Some((Problem::NotACode, &code)), StatusCode::BAD_REQUEST));
        }
        Err(ApiError::Core(batline_core::Error::NotFound(_))) => {
            return Ok(find::page(lang, city, Some((Problem::Unknown, &code)), StatusCode::NOT_FOUND));
        }
        Err(e) => return Err(e),
    };
    let conversation = match access::granted(&state, &headers, tracking.case_id).await? {
        true => Some(case::conversation(&state, tracking.case_id).await?),
        false => None,
    };
    let view = View { tracking: &tracking, conversation: conversation.as_deref(), step: query.step.as_deref(), city };
    let mut response = axum::response::Html(render(&view, lang)).into_response();
    // The policy (the gateway's page policy, never framed) comes from the
    // security-headers layer.
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    Ok(response)
}

batline_core::texts! {
    struct Words;

    fn words;

    title {
        fi: "Asiasi",
        sv: "Ditt ärende",
        en: "Your case",
    }

    owner {
        fi: "Asiaasi hoitaa",
        sv: "Ditt ärende sköts av",
        en: "Your case is handled by",
    }

    open {
        fi: "Käsittelyssä",
        sv: "Under behandling",
        en: "In progress",
    }

    resolved {
        fi: "Ratkaistu",
        sv: "Löst",
        en: "Resolved",
    }

    timeline {
        fi: "Mitä asialle on tapahtunut",
        sv: "Vad som har hänt i ärendet",
        en: "What has happened",
    }

    opened {
        fi: "Asia avattiin.",
        sv: "Ärendet öppnades.",
        en: "The case was opened.",
    }

    first_owner {
        fi: "Asian otti hoitaakseen {name}.",
        sv: "{name} tog hand om ärendet.",
        en: "{name} took the case on.",
    }

    handed {
        fi: "Asia siirtyi. Nyt sitä hoitaa {name}.",
        sv: "Ärendet gick över till {name}.",
        en: "The case was handed to {name}.",
    }

    replied {
        fi: "{name} vastasi.",
        sv: "{name} svarade.",
        en: "{name} replied.",
    }

    resolved_event {
        fi: "{name} ratkaisi asian.",
        sv: "{name} löste ärendet.",
        en: "{name} resolved the case.",
    }

    reopened {
        fi: "Asia avattiin uudelleen.",
        sv: "Ärendet öppnades på nytt.",
        en: "The case was reopened.",
    }

    conversation {
        fi: "Keskustelu",
        sv: "Samtal",
        en: "Conversation",
    }

    you {
        fi: "Sinä",
        sv: "Du",
        en: "You",
    }

    contact {
        fi: "Oletko ottanut yhteyttä tästä asiasta?",
        sv: "Har du kontaktat oss i det här ärendet?",
        en: "Did you contact us about this case?",
    }

    contact_help {
        fi: "Näet koko keskustelun, kun vahvistat puhelinnumerosi. Lähetämme siihen kertakäyttöisen koodin tekstiviestillä.",
        sv: "Du ser hela samtalet när du bekräftar ditt telefonnummer. Vi skickar en engångskod till det som sms.",
        en: "You can read the whole conversation once you confirm your phone number. We text a one-time code to it.",
    }

    phone {
        fi: "Puhelinnumero, josta otit yhteyttä",
        sv: "Telefonnumret du kontaktade oss från",
        en: "The phone number you contacted us from",
    }

    send_code {
        fi: "Lähetä koodi",
        sv: "Skicka kod",
        en: "Send a code",
    }

    code {
        fi: "Tekstiviestin koodi",
        sv: "Koden i sms:et",
        en: "The code in the text message",
    }

    show {
        fi: "Näytä keskustelu",
        sv: "Visa samtalet",
        en: "Show the conversation",
    }

    code_sent {
        fi: "Jos numero on tämän asian yhteystieto, koodi on tulossa. Se toimii 10 minuuttia.",
        sv: "Om numret är kontaktuppgiften för ärendet är en kod på väg. Den gäller i 10 minuter.",
        en: "If that number is this case's contact, a code is on its way. It works for 10 minutes.",
    }

    wrong {
        fi: "Koodi ei täsmää. Tarkista se ja yritä uudelleen.",
        sv: "Koden stämmer inte. Kontrollera den och försök igen.",
        en: "The code does not match. Check it and try again.",
    }

    expired {
        fi: "Koodi ei ole enää voimassa. Pyydä uusi koodi.",
        sv: "Koden gäller inte längre. Be om en ny kod.",
        en: "The code no longer works. Ask for a new one.",
    }

    ask_here {
        fi: "Pyydä koodi tällä selaimella: koodi toimii vain siinä selaimessa, jolla se pyydettiin.",
        sv: "Be om koden i den här webbläsaren: koden gäller bara i webbläsaren där den begärdes.",
        en: "Ask for the code in this browser: a code works only in the browser it was asked for in.",
    }

    bad_phone {
        fi: "Puhelinnumero ei kelpaa. Kirjoita se muodossa 040 123 4567 tai +358 40 123 4567.",
        sv: "Telefonnumret duger inte. Skriv det som 040 123 4567 eller +358 40 123 4567.",
        en: "That is not a phone number we can use. Write it like 040 123 4567 or +358 40 123 4567.",
    }

    languages {
        fi: "Kieli",
        sv: "Språk",
        en: "Language",
    }
}

/// What the page shows.
pub struct View<'a> {
    /// The public view of the case.
    pub tracking: &'a Tracking,
    /// The conversation, for the case's verified contact.
    pub conversation: Option<&'a [Line]>,
    /// Where the contact's verification stands (`code`, `wrong`, `expired`, `bad_phone`).
    pub step: Option<&'a str>,
    /// The city's name in the reader's language: whose page this is, and who
    /// speaks where no responder is named.
    pub city: &'a str,
}

fn at(time: &chrono::DateTime<chrono::Utc>) -> Markup {
    // Residents read Helsinki time; the attribute keeps the exact instant.
    html! { time datetime=(time.to_rfc3339()) { (time.with_timezone(&TZ).format("%-d.%-m.%Y %H:%M")) } }
}

fn sentence(w: &Words, city: &str, event: &PublicEvent, first_assignment: bool) -> String {
    let who = event.responder.as_ref().map(|r| r.name.as_str()).unwrap_or(city);
    let text = match event.kind.as_str() {
        "opened" => w.opened,
        "assigned" if first_assignment => w.first_owner,
        "assigned" => w.handed,
        "replied" => w.replied,
        "resolved" => w.resolved_event,
        "reopened" => w.reopened,
        _ => "",
    };
    text.replace("{name}", who)
}

/// Renders the page.
pub fn render(view: &View<'_>, lang: Language) -> String {
    let w = words(lang);
    let t = view.tracking;
    let status = match t.status {
        CaseStatus::Open => w.open,
        CaseStatus::Resolved => w.resolved,
    };
    let mut assignments = 0;
    let lines: Vec<(&PublicEvent, String)> = t
        .timeline
        .iter()
        .map(|e| {
            let first = e.kind == "assigned" && assignments == 0;
            if e.kind == "assigned" {
                assignments += 1;
            }
            (e, sentence(w, view.city, e, first))
        })
        .filter(|(_, s)| !s.is_empty())
        .collect();
    let notice = match view.step {
        Some("code") => Some((w.code_sent, false)),
        Some("wrong") => Some((w.wrong, true)),
        Some("expired") => Some((w.expired, true)),
        Some("ask_here") => Some((w.ask_here, true)),
        Some("bad_phone") => Some((w.bad_phone, true)),
        _ => None,
    };
    let base = format!("/track/{}", t.code);
    html! {
        (DOCTYPE)
        html lang=(lang.as_str()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="robots" content="noindex";
                title { (w.title) " " (t.code) " – " (view.city) }
                link rel="stylesheet" href=(web_assets::url("hds.css"));
                link rel="stylesheet" href=(web_assets::url("chat.css"));
                script src=(web_assets::url("track.js")) defer {}
            }
            body.track-page {
                main #track data-code=(t.code) data-you=(w.you) data-city=(view.city) data-lang=(lang.as_str()) {
                    p.track-city { (view.city) }
                    h1 { (w.title) " " span.code { (t.code) } }
                    p.track-status { strong { (status) } }
                    p.owner { (w.owner) " " strong { (t.owner.name) } }
                    h2 { (w.timeline) }
                    ol.track-timeline {
                        @for (event, text) in &lines {
                            li {
                                (at(&event.at))
                                (text)
                                @if event.kind == "resolved" && let Some(s) = &event.summary {
                                    " " q { (s) }
                                }
                            }
                        }
                    }
                    @if let Some(conversation) = view.conversation {
                        (conversation_markup(w, view.city, conversation))
                    } @else {
                        section #conversation aria-labelledby="conversation-title" hidden {
                            h2 #conversation-title { (w.conversation) }
                            ol.chat-log {}
                        }
                        section.track-contact aria-labelledby="contact-title" {
                            h2 #contact-title { (w.contact) }
                            p { (w.contact_help) }
                            @if let Some((text, error)) = notice {
                                p.track-notice.error[error] role=(if error { "alert" } else { "status" }) { (text) }
                            }
                            form method="post" action=(format!("{base}/contact")) {
                                input type="hidden" name="lang" value=(lang.as_str());
                                div {
                                    label for="phone" { (w.phone) }
                                    input #phone type="tel" name="phone" autocomplete="tel" required maxlength="32";
                                }
                                button type="submit" .hds-button.hds-button--secondary { (w.send_code) }
                            }
                            @if view.step.is_some() {
                                form method="post" action=(format!("{base}/contact/confirm")) {
                                    input type="hidden" name="lang" value=(lang.as_str());
                                    div {
                                        label for="code" { (w.code) }
                                        input #code type="text" name="code" inputmode="numeric" autocomplete="one-time-code"
                                            required maxlength="12";
                                    }
                                    button type="submit" .hds-button.hds-button--primary { (w.show) }
                                }
                            }
                        }
                    }
                    nav.chat-languages aria-label=(w.languages) {
                        a href="?lang=fi" hreflang="fi" lang="fi" { "Suomeksi" } " · "
                        a href="?lang=sv" hreflang="sv" lang="sv" { "På svenska" } " · "
                        a href="?lang=en" hreflang="en" lang="en" { "In English" }
                    }
                }
            }
        }
    }
    .into_string()
}

fn conversation_markup(w: &Words, city: &str, lines: &[Line]) -> Markup {
    html! {
        section #conversation aria-labelledby="conversation-title" {
            h2 #conversation-title { (w.conversation) }
            ol.chat-log {
                @for line in lines {
                    li class=(format!("chat-msg from-{}", line.from)) {
                        p.chat-meta {
                            span.chat-who {
                                @match line.from {
                                    "resident" => { (w.you) },
                                    "responder" => { (line.author.as_deref().unwrap_or("")) },
                                    _ => { (city) },
                                }
                            }
                            " " (at(&line.at))
                        }
                        p.chat-body { (line.body) }
                    }
                }
            }
        }
    }
}
