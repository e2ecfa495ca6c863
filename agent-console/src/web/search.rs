//! `GET /search?q=`: find a case by its tracking code, the resident's phone
//! or words in its messages (`operations::search`), from the search box in
//! every page's header. Each role finds what it may read; desk staff, who
//! read no conversations, are sent to their desk page's look-up.

use axum::{
    extract::State,
    http::StatusCode,
    response::{Html, IntoResponse, Redirect, Response},
};
use batline_core::{
    domain::{CaseStatus, Role},
    store::search::{MARK_END, MARK_START},
};
use maud::{Markup, html};
use serde::Deserialize;

use super::{
    failure::failure,
    i18n::ui,
    inbox::when,
    layout::{self, Flash, Section},
    session::WebUser,
};
use crate::{
    http::{error::ApiError, extract::Query},
    operations::search::{self, Found, MAX_QUERY_CHARS, Reading, Results},
    state::AppState,
};

batline_core::texts! {
    /// The search page's words.
    struct Words;

    fn words;

    title { fi: "Haku", sv: "Sök", en: "Search" }
    results_for { fi: "Tulokset haulle", sv: "Resultat för", en: "Results for" }
    by_code { fi: "Seurantatunnuksella löytyi", sv: "Hittat med spårningskoden", en: "Found by tracking code" }
    by_phone { fi: "Puhelinnumerolla löytyi", sv: "Hittat med telefonnumret", en: "Found by phone" }
    by_words { fi: "Viesteistä löytyi", sv: "Hittat i meddelandena", en: "Found in the messages" }
    nothing {
        fi: "Ei osumia. Kokeile toista sanaa, seurantatunnusta tai puhelinnumeroa.",
        sv: "Inga träffar. Prova ett annat ord, en spårningskod eller ett telefonnummer.",
        en: "Nothing found. Try another word, a tracking code or a phone.",
    }
    empty {
        fi: "Kirjoita haettava: seurantatunnus, puhelinnumero tai sanoja viesteistä.",
        sv: "Skriv vad du söker: en spårningskod, ett telefonnummer eller ord ur meddelandena.",
        en: "Type what to find: a tracking code, a phone or words from the messages.",
    }
    too_long: fn(usize) -> String {
        fi: |n| format!("Haku on liian pitkä; enintään {n} merkkiä."),
        sv: |n| format!("Sökningen är för lång; högst {n} tecken."),
        en: |n| format!("The search is too long; at most {n} characters."),
    }
    scope_own {
        fi: "Haku kattaa omat tapauksesi.",
        sv: "Sökningen omfattar dina egna ärenden.",
        en: "The search covers your own cases.",
    }
    scope_all {
        fi: "Haku kattaa kaikki tapaukset.",
        sv: "Sökningen omfattar alla ärenden.",
        en: "The search covers every case.",
    }
    col_match { fi: "Osuma", sv: "Träff", en: "Match" }
}

/// The query of `GET /search`.
#[derive(Debug, Default, Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    q: Option<String>,
}

/// `GET /search`.
pub async fn page(State(state): State<AppState>, user: WebUser, Query(query): Query<SearchQuery>) -> Response {
    let typed = query.q.unwrap_or_default();
    if user.me.role == Role::Desk {
        // The desk's look-up shows what a desk may see, where it works.
        let query = url::form_urlencoded::Serializer::new(String::new()).append_pair("find", &typed).finish();
        return Redirect::to(&format!("/walk-in?{query}")).into_response();
    }
    let w = words(user.lang);
    let (status, flash, results) = if typed.trim().is_empty() {
        (StatusCode::OK, None, None)
    } else {
        match search::search(&state, &user.me, &typed).await {
            Ok(results) => (StatusCode::OK, None, Some(results)),
            Err(ApiError::Unprocessable(_)) => {
                (StatusCode::UNPROCESSABLE_ENTITY, Some(Flash::Failed((w.too_long)(MAX_QUERY_CHARS))), None)
            }
            Err(e) => return failure(&user, e),
        }
    };
    let body = body(&user, &typed, results.as_ref());
    (status, Html(layout::page(&user, Section::Search, w.title, flash.as_ref(), body).into_string())).into_response()
}

fn body(user: &WebUser, typed: &str, results: Option<&Results>) -> Markup {
    let w = words(user.lang);
    let t = ui(user.lang);
    html! {
        h1 { (w.title) }
        form method="get" action="/search" role="search" class="search-form" {
            label for="search-q" { (w.title) }
            p class="hint" id="search-hint" {
                (w.empty) " " (if user.me.role.may_reassign() { w.scope_all } else { w.scope_own })
            }
            div class="actions" {
                input type="search" id="search-q" name="q" value=(typed) maxlength=(MAX_QUERY_CHARS)
                    aria-describedby="search-hint" autofocus[results.is_none()];
                button class="hds-button hds-button--primary" type="submit" { span class="hds-button__label" { (w.title) } }
            }
        }
        @if let Some(results) = results {
            section aria-labelledby="results-title" id="results" {
                h2 id="results-title" {
                    (match results.reading { Reading::TrackingCode => w.by_code, Reading::Phone => w.by_phone, Reading::Words => w.by_words })
                    " " span class="tag" { (results.cases.len()) }
                }
                @if results.cases.is_empty() {
                    p { (w.nothing) }
                } @else {
                    div class="table-scroll" role="region" aria-label=(w.results_for) tabindex="0" {
                        table class="cases" {
                            caption class="visually-hidden" { (w.results_for) " " (typed) }
                            thead { tr {
                                th scope="col" { (t.col_case) }
                                @if results.reading == Reading::Words { th scope="col" { (w.col_match) } }
                                th scope="col" { (t.owner) }
                                th scope="col" { (t.col_status) }
                                th scope="col" class="wide" { (t.col_channel) }
                                th scope="col" class="wide" { (t.opened) }
                            } }
                            tbody {
                                @for found in &results.cases {
                                    (row(user, found, results.reading == Reading::Words))
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn row(user: &WebUser, found: &Found, with_snippet: bool) -> Markup {
    let t = ui(user.lang);
    html! {
        tr data-result=(found.tracking_code) {
            td { a href={ "/cases/" (found.case_id) } { (found.tracking_code) } }
            @if with_snippet { td class="snippet" { (snippet(found.snippet.as_deref().unwrap_or_default())) } }
            td { (found.owner_name) }
            td { (if found.status == CaseStatus::Open { t.status_open } else { t.status_resolved }) }
            td class="wide" { (t.channel(found.channel)) }
            td class="wide" { (when(found.opened_at)) }
        }
    }
}

/// The snippet with its matching words in `<mark>`: the text between the
/// store's private-use markers, every part escaped by maud.
fn snippet(text: &str) -> Markup {
    let mut parts = Vec::new();
    for (i, piece) in text.split(MARK_START).enumerate() {
        if i == 0 {
            parts.push((false, piece));
            continue;
        }
        match piece.split_once(MARK_END) {
            Some((marked, rest)) => {
                parts.push((true, marked));
                parts.push((false, rest));
            }
            None => parts.push((true, piece)),
        }
    }
    html! {
        @for (marked, piece) in parts {
            @if marked { mark { (piece) } } @else { (piece.replace(MARK_END, "")) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_snippet_marks_its_matches_and_escapes_the_rest() {
        let text = format!("Katu{MARK_START}valo{MARK_END} <b>rikki</b> {MARK_START}Kallio{MARK_END}");
        assert_eq!(snippet(&text).into_string(), "Katu<mark>valo</mark> &lt;b&gt;rikki&lt;/b&gt; <mark>Kallio</mark>");
        // Unbalanced markers (a message that happened to hold one) never break the page.
        assert_eq!(snippet(&format!("a{MARK_END}b{MARK_START}c")).into_string(), "ab<mark>c</mark>");
    }
}
