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

batline_core::texts! {
    /// The words of the chat, in one language. The ones `chat.js` shows are
    /// serialised into the page; `{name}` and `{time}` are filled in there.
    #[derive(Debug, Serialize)]
    pub struct Words;

    /// The chat's words in `lang`.
    pub fn words;

    // `{city}` is the city's name (`BATLINE_CITY_NAME`), in the nominative.
    title {
        fi: "{city} vastaa",
        sv: "{city} svarar",
        en: "{city} answers",
    }

    intro {
        fi: "Kirjoita asiasi. Nimetty vastaaja ottaa sen hoitaakseen heti, ja näet kuka.",
        sv: "Skriv ditt ärende. En namngiven person tar hand om det genast, och du ser vem.",
        en: "Write what it is about. A named person takes it on at once, and you see who.",
    }

    conversation {
        fi: "Keskustelu",
        sv: "Samtal",
        en: "Conversation",
    }

    label {
        fi: "Viestisi",
        sv: "Ditt meddelande",
        en: "Your message",
    }

    hint {
        fi: "Enintään {max} merkkiä. Lähetä Ctrl+Enterillä tai painikkeella.",
        sv: "Högst {max} tecken. Skicka med Ctrl+Enter eller knappen.",
        en: "At most {max} characters. Send with Ctrl+Enter or the button.",
    }

    send {
        fi: "Lähetä",
        sv: "Skicka",
        en: "Send",
    }

    owner {
        fi: "Asiaasi hoitaa {name}",
        sv: "Ditt ärende sköts av {name}",
        en: "Your case is handled by {name}",
    }

    code {
        fi: "Seurantakoodi",
        sv: "Spårningskod",
        en: "Tracking code",
    }

    follow {
        fi: "Seuraa asiaa",
        sv: "Följ ärendet",
        en: "Follow your case",
    }

    typing {
        fi: "{name} kirjoittaa…",
        sv: "{name} skriver…",
        en: "{name} is typing…",
    }

    read {
        fi: "Luettu {time}",
        sv: "Läst {time}",
        en: "Read {time}",
    }

    sending {
        fi: "Lähetetään…",
        sv: "Skickas…",
        en: "Sending…",
    }

    sent {
        fi: "Lähetetty",
        sv: "Skickat",
        en: "Sent",
    }

    you {
        fi: "Sinä",
        sv: "Du",
        en: "You",
    }

    connecting {
        fi: "Yhdistetään…",
        sv: "Ansluter…",
        en: "Connecting…",
    }

    connected {
        fi: "Yhteys on auki.",
        sv: "Anslutningen är öppen.",
        en: "Connected.",
    }

    offline {
        fi: "Yhteys katkesi. Viestisi lähtevät, kun yhteys palaa.",
        sv: "Anslutningen bröts. Dina meddelanden skickas när den är tillbaka.",
        en: "Connection lost. Your messages will be sent when it is back.",
    }

    question {
        fi: "Ratkesiko asiasi?",
        sv: "Blev ditt ärende löst?",
        en: "Was this solved?",
    }

    scale {
        fi: "1 = ei lainkaan, 5 = täysin",
        sv: "1 = inte alls, 5 = helt",
        en: "1 = not at all, 5 = completely",
    }

    no {
        fi: "Ei",
        sv: "Nej",
        en: "No",
    }

    answered {
        fi: "Kiitos vastauksestasi.",
        sv: "Tack för ditt svar.",
        en: "Thank you for your answer.",
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

    too_long {
        fi: "Viesti on liian pitkä.",
        sv: "Meddelandet är för långt.",
        en: "The message is too long.",
    }

    too_long_count {
        fi: "Viestissä on {count} merkkiä; enintään {max} mahtuu. Lyhennä sitä tai jaa se kahteen viestiin.",
        sv: "Meddelandet har {count} tecken; högst {max} ryms. Korta det eller dela det i två meddelanden.",
        en: "The message has {count} characters; at most {max} fit. Shorten it or split it into two messages.",
    }

    empty {
        fi: "Kirjoita viesti ennen lähettämistä.",
        sv: "Skriv ett meddelande innan du skickar.",
        en: "Write a message before sending.",
    }

    count {
        fi: "{count} / {max} merkkiä",
        sv: "{count} / {max} tecken",
        en: "{count} / {max} characters",
    }

    rate_limited {
        fi: "Odota hetki ennen seuraavaa viestiä; lähetämme sen pian uudelleen.",
        sv: "Vänta en stund före nästa meddelande; vi skickar det snart igen.",
        en: "Please wait a moment before the next message; we will send it again shortly.",
    }

    new_chat_refused {
        fi: "Uutta keskustelua ei voi juuri nyt aloittaa. Viestiäsi ei lähetetty: yritä myöhemmin uudelleen, tai soita tai lähetä tekstiviesti numeroon {number}.",
        sv: "Det går inte att börja ett nytt samtal just nu. Ditt meddelande skickades inte: försök igen senare, eller ring eller skicka sms till {number}.",
        en: "A new chat cannot be started right now. Your message was not sent: try again later, or call or text {number}.",
    }

    failed {
        fi: "Viestiä ei voitu lähettää.",
        sv: "Meddelandet kunde inte skickas.",
        en: "The message could not be sent.",
    }

    share_location {
        fi: "Jaa sijaintini",
        sv: "Dela min position",
        en: "Share my location",
    }

    share_hint {
        fi: "Selaimesi kysyy lupaa. Sijainti kertoo, missä asiasi on, ja näkyy vain sitä hoitaville.",
        sv: "Webbläsaren frågar om lov. Positionen visar var ditt ärende finns och syns bara för dem som sköter det.",
        en: "Your browser asks for permission. The location tells where your matter is, and only those handling it see it.",
    }

    locating {
        fi: "Haetaan sijaintia…",
        sv: "Positionen hämtas…",
        en: "Finding your location…",
    }

    location_failed {
        fi: "Sijaintia ei saatu. Voit kirjoittaa osoitteen tai paikan viestiin.",
        sv: "Positionen kunde inte hämtas. Du kan skriva adressen eller platsen i meddelandet.",
        en: "Your location could not be found. You can write the address or place in a message.",
    }

    contact_title {
        fi: "Vastaus myös tekstiviestinä tai sähköpostina?",
        sv: "Svar också per sms eller e-post?",
        en: "Answers by text message or email too?",
    }

    contact_hint {
        fi: "Anna puhelinnumero tai sähköpostiosoite. Lähetämme sinne koodin, jolla vahvistat, että se on sinun. Silloin vastauksen voi saada sinne, vaikka sulkisit tämän sivun.",
        sv: "Ange ett telefonnummer eller en e-postadress. Vi skickar en kod dit, så bekräftar du att den är din. Då kan svaret komma dit även om du stänger den här sidan.",
        en: "Give a phone number or an email address. We send a code there to confirm it is yours. Then answers can reach you there even if you close this page.",
    }

    contact_label {
        fi: "Puhelinnumero tai sähköpostiosoite",
        sv: "Telefonnummer eller e-postadress",
        en: "Phone number or email address",
    }

    contact_send {
        fi: "Lähetä koodi",
        sv: "Skicka kod",
        en: "Send a code",
    }

    contact_code_label {
        fi: "Vahvistuskoodi (6 numeroa)",
        sv: "Bekräftelsekod (6 siffror)",
        en: "Confirmation code (6 digits)",
    }

    contact_confirm {
        fi: "Vahvista",
        sv: "Bekräfta",
        en: "Confirm",
    }

    languages {
        fi: "Kieli",
        sv: "Språk",
        en: "Language",
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
    let body =
        render(lang, max, &state.twilio_config.from_number, state.config.city_name.in_language(lang)).into_string();
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

/// The page's markup; `line` is the number to call or text when a new chat
/// cannot be opened.
pub fn render(lang: Language, max_chars: usize, line: &str, city: &str) -> Markup {
    let w = words(lang);
    let title = w.title.replace("{city}", city);
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
                title { (title) }
                link rel="stylesheet" href=(web_assets::url("hds.css"));
                link rel="stylesheet" href=(web_assets::url("chat.css"));
                script src=(web_assets::url("chat.js")) defer {}
            }
            body.chat-page {
                main #chat data-lang=(lang.as_str()) data-city=(city) data-ws="/chat/ws" data-max=(max_chars) data-line=(line) {
                    header.chat-header {
                        h1 { (title) }
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
                                // No maxlength: it would cut a long paste silently; chat.js
                                // counts and says what to do instead.
                                textarea #message .hds-text-input__input name="message" rows="3"
                                    aria-describedby="message-hint message-count message-error" {}
                            }
                            span #message-hint .hds-text-input__helper-text { (hint) }
                            " "
                            span #message-count .chat-count {}
                        }
                        p #message-error .chat-error role="alert" {}
                        div .chat-actions {
                            button type="submit" .hds-button.hds-button--primary { span .hds-button__label { (w.send) } }
                            // Shown by chat.js when the browser can tell where it is.
                            button #share-location type="button" .hds-button.hds-button--secondary
                                aria-describedby="share-hint" hidden { span .hds-button__label { (w.share_location) } }
                        }
                    }
                    // Outside the composer, which stays in view: it would
                    // take too much of a phone's screen there.
                    p #share-hint .chat-share-hint hidden { (w.share_hint) }
                    // Shown by chat.js once the chat has a case: the code
                    // is sent as a message on it.
                    details #contact .chat-contact hidden {
                        summary { (w.contact_title) }
                        p #contact-hint { (w.contact_hint) }
                        form #contact-ask .chat-contact-form novalidate {
                            label for="contact-address" { (w.contact_label) }
                            input #contact-address name="address" type="text" autocomplete="email" inputmode="email"
                                aria-describedby="contact-hint contact-error";
                            button type="submit" .hds-button.hds-button--secondary { span .hds-button__label { (w.contact_send) } }
                        }
                        form #contact-confirm .chat-contact-form novalidate hidden {
                            label for="contact-code" { (w.contact_code_label) }
                            input #contact-code name="code" type="text" autocomplete="one-time-code" inputmode="numeric"
                                aria-describedby="contact-status contact-error";
                            button type="submit" .hds-button.hds-button--primary { span .hds-button__label { (w.contact_confirm) } }
                        }
                        p #contact-status role="status" {}
                        p #contact-error .chat-error role="alert" {}
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
            let page = render(lang, 2000, "+358931000000", "Helsingin kaupunki").into_string();
            assert!(page.contains(&format!("<html lang=\"{}\">", lang.as_str())));
            assert!(!page.contains(" onclick") && !page.contains(" onsubmit"));
            // The only script elements: the external chat.js and the JSON data block.
            assert_eq!(page.matches("<script").count(), 2);
            assert!(page.contains("type=\"application/json\""));
            // The limit is counted and explained by chat.js, never a maxlength
            // that would cut a long paste silently.
            assert!(page.contains("data-max=\"2000\"") && !page.contains("maxlength="));
            assert!(page.contains("data-line=\"+358931000000\""), "the number to call when a new chat is refused");
        }
    }
}
