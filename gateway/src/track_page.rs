//! The tracking page's markup, in Finnish, Swedish and English. Plain
//! server-rendered HTML with no script; maud escapes everything interpolated.

use batline_core::{
    domain::{CaseStatus, Language},
    roster::TZ,
};
use maud::{DOCTYPE, html};

use crate::track::Tracking;

struct Words {
    title: &'static str,
    owner: &'static str,
    open: &'static str,
    resolved: &'static str,
    timeline: &'static str,
    opened: &'static str,
    assigned: &'static str,
    replied: &'static str,
    resolved_event: &'static str,
}

fn words(lang: Language) -> Words {
    match lang {
        Language::Fi => Words {
            title: "Asiasi Batlinessa",
            owner: "Asiasi hoitaa",
            open: "Käsittelyssä",
            resolved: "Ratkaistu",
            timeline: "Tapahtumat",
            opened: "Asia avattiin",
            assigned: "Asia annettiin henkilölle",
            replied: "Vastauksen lähetti",
            resolved_event: "Asia ratkaistiin",
        },
        Language::Sv => Words {
            title: "Ditt ärende hos Batline",
            owner: "Ditt ärende sköts av",
            open: "Under behandling",
            resolved: "Löst",
            timeline: "Händelser",
            opened: "Ärendet öppnades",
            assigned: "Ärendet gavs till",
            replied: "Svar skickades av",
            resolved_event: "Ärendet löstes",
        },
        Language::En => Words {
            title: "Your case at Batline",
            owner: "Your case is handled by",
            open: "In progress",
            resolved: "Resolved",
            timeline: "What has happened",
            opened: "The case was opened",
            assigned: "The case was given to",
            replied: "A reply was sent by",
            resolved_event: "The case was resolved",
        },
    }
}

/// Renders the page.
pub fn render(view: &Tracking, lang: Language) -> String {
    let w = words(lang);
    let status = match view.status {
        CaseStatus::Open => w.open,
        CaseStatus::Resolved => w.resolved,
    };
    html! {
        (DOCTYPE)
        html lang=(lang.as_str()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="robots" content="noindex";
                title { (w.title) " " (view.code) }
            }
            body {
                main {
                    h1 { (w.title) " " span.code { (view.code) } }
                    p.status { strong { (status) } }
                    p.owner { (w.owner) " " strong { (view.owner.name) } }
                    h2 { (w.timeline) }
                    ol.timeline {
                        @for event in &view.timeline {
                            @let who = event.responder.as_ref().map(|r| r.name.as_str()).unwrap_or("");
                            li {
                                // Residents read Helsinki time; the attribute keeps the exact instant.
                                time datetime=(event.at.to_rfc3339()) { (event.at.with_timezone(&TZ).format("%-d.%-m.%Y %H:%M")) }
                                " "
                                @match event.kind.as_str() {
                                    "opened" => { (w.opened) }
                                    "assigned" => { (w.assigned) " " (who) }
                                    "replied" => { (w.replied) " " (who) }
                                    "resolved" => { (w.resolved_event) @if let Some(s) = &event.summary { ": " (s) } }
                                    other => { (other) }
                                }
                            }
                        }
                    }
                    nav lang="mul" {
                        a href="?lang=fi" hreflang="fi" { "Suomeksi" } " · "
                        a href="?lang=sv" hreflang="sv" { "På svenska" } " · "
                        a href="?lang=en" hreflang="en" { "In English" }
                    }
                }
            }
        }
    }
    .into_string()
}
