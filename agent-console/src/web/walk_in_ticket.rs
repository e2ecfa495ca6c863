//! The printable walk-in ticket, in Finnish, Swedish and English: the
//! tracking code in large type, the owner's name, the walk-in point, and the
//! tracking page's address as text and as a QR code (inline SVG, so printing
//! needs nothing but the page). Sized for an A6 slip or a receipt printer
//! (`web/src/ticket.css`); the print button is wired by `web/src/ticket.js`,
//! so the page runs under the console's policy with no inline script or
//! style. maud escapes everything interpolated. `GET /walk-in/tickets/{id}`
//! serves it.
//!
//! # Why the printable ticket needs no session
//!
//! `GET /walk-in/tickets/{id}` is opened in a browser tab, which cannot send
//! the console's Bearer token, and there is no cookie session yet. The page
//! is therefore a capability URL: the ticket id is a server-generated v4
//! UUID (122 random bits) that only the desk that registered the ticket is
//! ever given. The page shows nothing but what the printed slip itself
//! shows: the tracking code, the owner's display name, the walk-in point and
//! the public tracking address. Never what the resident came about, never
//! their phone. Whoever holds the id learns no more than the tracking code
//! already reveals on the public tracking page, and the id is far harder to
//! guess than the 40-bit code. The page is sent `no-store`, `noindex` and
//! `no-referrer`, so it is not cached, indexed or leaked onwards.

use axum::{
    extract::State,
    http::{
        HeaderValue,
        header::{CACHE_CONTROL, REFERRER_POLICY},
    },
    response::{Html, IntoResponse, Response},
};
use batline_core::{
    roster::TZ,
    store::{self, walk_in_tickets::TicketView},
};
use batline_web_assets as web_assets;
use maud::{DOCTYPE, Markup, PreEscaped, html};
use qrcode::{EcLevel, QrCode, render::svg};
use uuid::Uuid;

use crate::{
    http::{error::ApiError, extract::Path},
    state::AppState,
};

/// Seconds between reloads while the router has not named an owner yet.
const REFRESH_SECONDS: u32 = 2;

batline_core::texts! {
    struct Words;

    fn words;

    title {
        fi: "Batline – asiasi",
        sv: "Batline – ditt ärende",
        en: "Batline – your case",
    }

    code {
        fi: "Seurantatunnus",
        sv: "Spårningskod",
        en: "Tracking code",
    }

    owner {
        fi: "Asiasi hoitaa",
        sv: "Ditt ärende sköts av",
        en: "Your case is handled by",
    }

    assigning {
        fi: "Asiallesi nimetään hoitajaa…",
        sv: "En handläggare utses för ditt ärende…",
        en: "Assigning an owner to your case…",
    }

    follow {
        fi: "Seuraa asiaasi:",
        sv: "Följ ditt ärende:",
        en: "Follow your case:",
    }

    come_back {
        fi: "Voit palata mihin tahansa asiointipisteeseen tällä tunnuksella.",
        sv: "Du kan komma tillbaka till vilken servicepunkt som helst med den här koden.",
        en: "Come back to any walk-in point with this code.",
    }

    print {
        fi: "Tulosta",
        sv: "Skriv ut",
        en: "Print",
    }
}

/// The QR code of `url` as an inline `<svg>` element, or `None` if it
/// cannot be encoded (then the printed address still carries it).
pub fn qr_svg(url: &str) -> Option<String> {
    let code = QrCode::with_error_correction_level(url.as_bytes(), EcLevel::M)
        .inspect_err(|e| tracing::error!(error = %e, "cannot encode the tracking address as a QR code"))
        .ok()?;
    let svg = code.render::<svg::Color<'_>>().quiet_zone(true).module_dimensions(1, 1).build();
    // The renderer writes a standalone document; inline it without the XML declaration.
    Some(svg.find("<svg").map(|start| svg[start..].to_owned()).unwrap_or(svg))
}

/// Renders the page for `view`; `tracking_url` is the case's public
/// tracking address once it exists.
pub fn render(view: &TicketView, tracking_url: Option<&str>) -> String {
    let w = words(view.language);
    let filed = match (&view.tracking_code, &view.owner_name, tracking_url) {
        (Some(code), Some(owner), Some(url)) => Some((code.as_str(), owner.as_str(), url)),
        _ => None,
    };
    let body: Markup = html! {
        main {
            h1 { (w.title) }
            p.point { (view.point_public_name) br; (view.point_address) }
            @if let Some((code, owner, url)) = filed {
                p.label { (w.code) }
                p.code { (code) }
                p.owner { (w.owner) " " strong { (owner) } }
                @if let Some(svg) = qr_svg(url) {
                    div.qr { (PreEscaped(svg)) }
                }
                p.small { (w.follow) br; a.url href=(url) { (url) } }
                p.small { (w.come_back) }
                p.small {
                    time datetime=(view.created_at.to_rfc3339()) {
                        (view.created_at.with_timezone(&TZ).format("%-d.%-m.%Y %H:%M"))
                    }
                }
                // `ticket.js` wires it up: the page runs no inline script.
                button.noprint type="button" data-print { (w.print) }
            } @else {
                p.owner role="status" { (w.assigning) }
            }
        }
    };
    html! {
        (DOCTYPE)
        html lang=(view.language.as_str()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="robots" content="noindex";
                @if filed.is_none() {
                    meta http-equiv="refresh" content=(REFRESH_SECONDS);
                }
                title { (w.title) @if let Some((code, _, _)) = filed { " " (code) } }
                link rel="stylesheet" href=(web_assets::url("ticket.css"));
                script src=(web_assets::url("ticket.js")) defer {}
            }
            body { (body) }
        }
    }
    .into_string()
}

/// `GET /walk-in/tickets/{id}`: the printable ticket (see the module
/// documentation for why it needs no session).
pub async fn page(State(state): State<AppState>, Path(id): Path<String>) -> Result<Response, ApiError> {
    let id: Uuid = id.parse().map_err(|_| batline_core::Error::NotFound("ticket"))?;
    let view = store::walk_in_tickets::view(&state.pool, id).await?.ok_or(batline_core::Error::NotFound("ticket"))?;
    let tracking_url = view.tracking_code.as_deref().map(|code| state.config.tracking_url(code));
    let html = render(&view, tracking_url.as_deref());
    let mut response = Html(html).into_response();
    let headers = response.headers_mut();
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert("x-robots-tag", HeaderValue::from_static("noindex"));
    Ok(response)
}

#[cfg(test)]
mod tests {
    use batline_core::domain::Language;
    use chrono::Utc;
    use uuid::Uuid;

    use super::*;

    fn view(filed: bool, language: Language) -> TicketView {
        TicketView {
            id: Uuid::from_u128(1),
            language,
            created_at: Utc::now(),
            point_id: Uuid::from_u128(2),
            point_name: "Batcave Kallio".into(),
            point_public_name: "Kallion asiointipiste".into(),
            point_address: "Kallion koulu".into(),
            about: "Secret <b>details</b>".into(),
            case_id: filed.then(|| Uuid::from_u128(3)),
            tracking_code: filed.then(|| "K7QD-4M2X".into()),
            owner_name: filed.then(|| "Aino".into()),
        }
    }

    #[test]
    fn a_filed_ticket_shows_code_owner_point_and_qr_but_not_what_it_is_about() {
        let url = "https://batline.example/track/K7QD-4M2X";
        for lang in [Language::Fi, Language::Sv, Language::En] {
            let html = render(&view(true, lang), Some(url));
            assert!(html.contains("K7QD-4M2X") && html.contains("Aino") && html.contains("Kallion asiointipiste"));
            assert!(!html.contains("Batcave"), "residents never read the city's own name for the point");
            assert!(html.contains("<svg") && html.contains(&format!("href=\"{url}\"")));
            assert!(!html.contains("Secret") && !html.contains("<?xml"));
            assert!(!html.contains("http-equiv=\"refresh\""));
            assert!(html.contains(&format!("lang=\"{}\"", lang.as_str())));
            assert!(!html.contains(" onclick=") && !html.contains("<style"), "nothing inline for the CSP to refuse");
            assert!(html.contains("/assets/ticket.js?v=") && html.contains("/assets/ticket.css?v="));
        }
    }

    #[test]
    fn a_pending_ticket_says_an_owner_is_being_assigned_and_refreshes() {
        let html = render(&view(false, Language::En), None);
        assert!(html.contains("Assigning an owner") && html.contains("http-equiv=\"refresh\""));
        assert!(!html.contains("<svg"));
    }
}
