//! `GET /chat`, the chat page (also what the embed script frames), and
//! `GET /chat/embed.js`, the script a city page includes to open it. The
//! page is server-rendered in the resident's language and driven by
//! `chat.js` (a built-in asset): no inline script and no `on*` attribute,
//! so it runs under `script-src 'self'`. The words `chat.js` needs travel
//! in a JSON data block, which a CSP does not treat as script.

use axum::{
    extract::{Query, State},
    http::{HeaderMap, HeaderValue, header},
    response::{IntoResponse, Response},
};
use batline_core::domain::Language;
use batline_web_assets as web_assets;
use maud::{DOCTYPE, Markup, PreEscaped, html};
use serde::{Deserialize, Serialize};

use crate::{http::csp, state::AppState};

/// The words of the chat, in one language. The ones `chat.js` shows are
/// serialised into the page; `{name}` and `{time}` are filled in there.
#[derive(Debug, Serialize)]
pub struct Words {
    title: &'static str,
    intro: &'static str,
    conversation: &'static str,
    label: &'static str,
    hint: &'static str,
    send: &'static str,
    owner: &'static str,
    code: &'static str,
    follow: &'static str,
    typing: &'static str,
    read: &'static str,
    sending: &'static str,
    sent: &'static str,
    you: &'static str,
    batline: &'static str,
    connecting: &'static str,
    connected: &'static str,
    offline: &'static str,
    question: &'static str,
    scale: &'static str,
    no: &'static str,
    answered: &'static str,
    open: &'static str,
    resolved: &'static str,
    too_long: &'static str,
    rate_limited: &'static str,
    failed: &'static str,
    languages: &'static str,
}

/// The chat's words in `lang`.
pub fn words(lang: Language) -> Words {
    match lang {
        Language::Fi => Words {
            title: "Batline – kaupunki vastaa",
            intro: "Kirjoita asiasi. Nimetty vastaaja ottaa sen hoitaakseen heti, ja näet kuka.",
            conversation: "Keskustelu",
            label: "Viestisi",
            hint: "Enintään {max} merkkiä. Lähetä Ctrl+Enterillä tai painikkeella.",
            send: "Lähetä",
            owner: "Asiaasi hoitaa {name}",
            code: "Seurantakoodi",
            follow: "Seuraa asiaa",
            typing: "{name} kirjoittaa…",
            read: "Luettu {time}",
            sending: "Lähetetään…",
            sent: "Lähetetty",
            you: "Sinä",
            batline: "Batline",
            connecting: "Yhdistetään…",
            connected: "Yhteys on auki.",
            offline: "Yhteys katkesi. Viestisi lähtevät, kun yhteys palaa.",
            question: "Ratkesiko asiasi?",
            scale: "1 = ei lainkaan, 5 = täysin",
            no: "Ei",
            answered: "Kiitos vastauksestasi.",
            open: "Käsittelyssä",
            resolved: "Ratkaistu",
            too_long: "Viesti on liian pitkä.",
            rate_limited: "Odota hetki ennen seuraavaa viestiä; lähetämme sen pian uudelleen.",
            failed: "Viestiä ei voitu lähettää.",
            languages: "Kieli",
        },
        Language::Sv => Words {
            title: "Batline – staden svarar",
            intro: "Skriv ditt ärende. En namngiven person tar hand om det genast, och du ser vem.",
            conversation: "Samtal",
            label: "Ditt meddelande",
            hint: "Högst {max} tecken. Skicka med Ctrl+Enter eller knappen.",
            send: "Skicka",
            owner: "Ditt ärende sköts av {name}",
            code: "Spårningskod",
            follow: "Följ ärendet",
            typing: "{name} skriver…",
            read: "Läst {time}",
            sending: "Skickas…",
            sent: "Skickat",
            you: "Du",
            batline: "Batline",
            connecting: "Ansluter…",
            connected: "Anslutningen är öppen.",
            offline: "Anslutningen bröts. Dina meddelanden skickas när den är tillbaka.",
            question: "Blev ditt ärende löst?",
            scale: "1 = inte alls, 5 = helt",
            no: "Nej",
            answered: "Tack för ditt svar.",
            open: "Under behandling",
            resolved: "Löst",
            too_long: "Meddelandet är för långt.",
            rate_limited: "Vänta en stund före nästa meddelande; vi skickar det snart igen.",
            failed: "Meddelandet kunde inte skickas.",
            languages: "Språk",
        },
        Language::En => Words {
            title: "Batline – the city answers",
            intro: "Write what it is about. A named person takes it on at once, and you see who.",
            conversation: "Conversation",
            label: "Your message",
            hint: "At most {max} characters. Send with Ctrl+Enter or the button.",
            send: "Send",
            owner: "Your case is handled by {name}",
            code: "Tracking code",
            follow: "Follow your case",
            typing: "{name} is typing…",
            read: "Read {time}",
            sending: "Sending…",
            sent: "Sent",
            you: "You",
            batline: "Batline",
            connecting: "Connecting…",
            connected: "Connected.",
            offline: "Connection lost. Your messages will be sent when it is back.",
            question: "Was this solved?",
            scale: "1 = not at all, 5 = completely",
            no: "No",
            answered: "Thank you for your answer.",
            open: "In progress",
            resolved: "Resolved",
            too_long: "The message is too long.",
            rate_limited: "Please wait a moment before the next message; we will send it again shortly.",
            failed: "The message could not be sent.",
            languages: "Language",
        },
    }
}

/// Query of the chat page.
#[derive(Debug, Deserialize)]
pub struct PageQuery {
    lang: Option<String>,
}

/// `GET /chat`.
pub async fn page(State(state): State<AppState>, Query(query): Query<PageQuery>, headers: HeaderMap) -> Response {
    let lang = crate::lang::pick(query.lang.as_deref(), &headers);
    let max = state.config.chat.max_chars;
    let body = render(lang, max).into_string();
    // The one page others may frame: its own policy, which the gateway's
    // security-headers layer leaves as it is: the page sources, framed only
    // by the gateway's own pages and the city sites in `BATLINE_CHAT_ORIGINS`.
    let csp = csp::framed_by(&super::origin::frame_ancestors(&state.config));
    let mut response = (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8")),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
            (header::REFERRER_POLICY, HeaderValue::from_static("no-referrer")),
            (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
        ],
        body,
    )
        .into_response();
    if let Ok(value) = HeaderValue::from_str(&csp) {
        response.headers_mut().insert(header::CONTENT_SECURITY_POLICY, value);
    }
    response
}

/// The page's markup.
pub fn render(lang: Language, max_chars: usize) -> Markup {
    let w = words(lang);
    // `</` cannot occur in serde_json output of these words, but escape it
    // anyway so the data block can never end early.
    let texts = serde_json::to_string(&w).unwrap_or_else(|_| "{}".into()).replace("</", "<\\/");
    let hint = w.hint.replace("{max}", &max_chars.to_string());
    html! {
        (DOCTYPE)
        html lang=(lang.as_str()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="robots" content="noindex";
                title { (w.title) }
                link rel="stylesheet" href=(web_assets::url("hds.css"));
                link rel="stylesheet" href=(web_assets::url("chat.css"));
                script src=(web_assets::url("chat.js")) defer {}
            }
            body.chat-page {
                main #chat data-lang=(lang.as_str()) data-ws="/chat/ws" data-max=(max_chars) {
                    header.chat-header {
                        h1 { (w.title) }
                        p.chat-intro { (w.intro) }
                    }
                    section #case aria-labelledby="case-owner" hidden {
                        p #case-owner .chat-owner {}
                        p .chat-code {
                            (w.code) ": " a #case-code href="#" {}
                            " · " span #case-status {}
                        }
                    }
                    p #connection .chat-connection role="status" { (w.connecting) }
                    h2 #conversation-title .visually-hidden { (w.conversation) }
                    // A live region around the list: `role="log"` on the list
                    // itself would take away its list semantics.
                    div .chat-log-region role="log" aria-labelledby="conversation-title" aria-live="polite" {
                        ol #log .chat-log {}
                    }
                    p #typing .chat-typing aria-live="polite" {}
                    div #satisfaction .chat-satisfaction role="group" aria-labelledby="satisfaction-question" hidden {
                        p #satisfaction-question { strong { (w.question) } " " span { (w.scale) } }
                        div .chat-scale {
                            @for score in 1..=5 {
                                button type="button" .hds-button.hds-button--secondary data-answer=(score) { (score) }
                            }
                            button type="button" .hds-button.hds-button--secondary data-answer="no" { (w.no) }
                        }
                    }
                    form #compose .chat-compose novalidate {
                        div .hds-text-input {
                            label .hds-text-input__label for="message" { (w.label) }
                            div .hds-text-input__input-wrapper {
                                textarea #message .hds-text-input__input name="message" rows="3"
                                    maxlength=(max_chars) aria-describedby="message-hint message-error" {}
                            }
                            span #message-hint .hds-text-input__helper-text { (hint) }
                        }
                        p #message-error .chat-error role="alert" {}
                        button type="submit" .hds-button.hds-button--primary { span .hds-button__label { (w.send) } }
                    }
                    nav .chat-languages aria-label=(w.languages) {
                        a href="?lang=fi" hreflang="fi" lang="fi" { "Suomeksi" } " · "
                        a href="?lang=sv" hreflang="sv" lang="sv" { "På svenska" } " · "
                        a href="?lang=en" hreflang="en" lang="en" { "In English" }
                    }
                }
                script #chat-texts type="application/json" { (PreEscaped(texts)) }
            }
        }
    }
}

/// `GET /chat/embed.js`: the script city pages include. Its address is
/// stable, so it is cached for minutes rather than for good.
pub async fn embed_script() -> Response {
    match web_assets::get("chat-embed.js") {
        Some(asset) => (
            [
                (header::CONTENT_TYPE, HeaderValue::from_static(asset.content_type)),
                (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=300")),
                (header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*")),
            ],
            asset.body,
        )
            .into_response(),
        None => (axum::http::StatusCode::NOT_FOUND, "no embed script").into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_has_no_inline_script_and_names_its_language() {
        for lang in [Language::Fi, Language::Sv, Language::En] {
            let page = render(lang, 2000).into_string();
            assert!(page.contains(&format!("<html lang=\"{}\">", lang.as_str())));
            assert!(!page.contains(" onclick") && !page.contains(" onsubmit"));
            // The only script elements: the external chat.js and the JSON data block.
            assert_eq!(page.matches("<script").count(), 2);
            assert!(page.contains("type=\"application/json\""));
            assert!(page.contains("maxlength=\"2000\""));
        }
    }
}
