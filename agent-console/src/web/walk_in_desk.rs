//! `/walk-in`: the walk-in desk's workplace. A desk worker registers a
//! resident's visit (what it is about, the resident's language, a phone for
//! SMS or a tracking code for a follow-up), sees who now owns it and prints
//! the ticket; looks a case up by its code or the resident's phone; and sees
//! the point's visits today with their owners. Built for a busy desk: the
//! first field has focus, Ctrl+Enter registers, and after registering focus
//! lands on "print the ticket".
//!
//! Desk staff, leads and admins may use it (`operations::walk_in` checks).
//! A desk worker sees only what the printed ticket and the public tracking
//! page show, never a conversation.

use axum::{
    extract::State,
    http::StatusCode,
    response::{Html, IntoResponse, Redirect, Response},
};
use batline_core::{
    domain::{CaseStatus, Language},
    phone::PhoneNumber,
    store::{self, cases::PastCase, topics::Topic, walk_in_points::WalkInPoint, walk_in_tickets::TicketView},
    tracking_code::TrackingCode,
    walk_in::{MAX_ABOUT_CHARS, MAX_TOPIC_CHARS, VisitRefusal},
};
use chrono::Utc;
use maud::{Markup, html};
use serde::Deserialize;
use uuid::Uuid;

use super::{
    failure::failure,
    i18n::{Ui, ui},
    inbox::when,
    layout::{self, Flash, Section, csrf_field},
    session::WebUser,
};
use crate::{
    http::{
        error::ApiError,
        extract::{Form, Path, Query},
    },
    operations::walk_in::{self, DeskCase, Registered, Visit},
    state::AppState,
};

/// Longest look-up text read: a phone or a code with spaces is far shorter.
const MAX_FIND_CHARS: usize = 40;

batline_core::texts! {
    /// The desk page's words.
    struct Words;

    fn words;

    title { fi: "Asiointipiste", sv: "Servicepunkt", en: "Walk-in desk" }
    point_label { fi: "Asiointipiste", sv: "Servicepunkt", en: "Walk-in point" }
    show_point { fi: "Näytä", sv: "Visa", en: "Show" }
    no_points {
        fi: "Asiointipisteitä ei ole vielä. Ylläpitäjä lisää ne Ylläpito-sivulla.",
        sv: "Det finns inga servicepunkter ännu. En administratör lägger till dem under Administration.",
        en: "There are no walk-in points yet. An admin adds them under Administration.",
    }
    register_title { fi: "Kirjaa käynti", sv: "Registrera ett besök", en: "Register a visit" }
    about_label { fi: "Mitä asia koskee?", sv: "Vad gäller ärendet?", en: "What is it about?" }
    about_hint {
        fi: "Asukkaan asia omin sanoin. Asian vastuuhenkilö näkee tämän, lipussa sitä ei näy.",
        sv: "Invånarens ärende med egna ord. Den ansvariga ser texten, biljetten visar den inte.",
        en: "The resident's matter in your own words. Its owner sees this; the ticket does not show it.",
    }
    language_legend { fi: "Asukkaan kieli", sv: "Invånarens språk", en: "The resident's language" }
    phone_label {
        fi: "Puhelinnumero tekstiviestipäivityksiin (vapaaehtoinen)",
        sv: "Telefonnummer för sms-uppdateringar (frivilligt)",
        en: "Phone for SMS updates (optional)",
    }
    phone_hint {
        fi: "Esimerkiksi 040 123 4567 tai +46 70 123 4567.",
        sv: "Till exempel 040 123 4567 eller +46 70 123 4567.",
        en: "For example 040 123 4567 or +46 70 123 4567.",
    }
    topic_label { fi: "Aihe (vapaaehtoinen)", sv: "Ämne (frivilligt)", en: "Topic (optional)" }
    topic_not_known { fi: "Ei tiedossa – vastaaja valitsee", sv: "Inte känt – svararen väljer", en: "Not known – the responder chooses" }
    refusal_topic_unknown {
        fi: "Aihetta ei ole kaupungin listalla. Valitse aihe listalta.",
        sv: "Ämnet finns inte på stadens lista. Välj ett ämne ur listan.",
        en: "That topic is not on the city's list. Choose one from the list.",
    }
    follow_up_label {
        fi: "Seurantatunnus, jos asukas tulee jo avatun asian takia (vapaaehtoinen)",
        sv: "Spårningskod, om invånaren kommer om ett redan öppnat ärende (frivilligt)",
        en: "Tracking code, if the resident comes about a case already open (optional)",
    }
    follow_up_hint {
        fi: "Käynti jatkaa silloin samaa asiaa. Jätä puhelinnumero tyhjäksi.",
        sv: "Besöket fortsätter då samma ärende. Lämna telefonnumret tomt.",
        en: "The visit then continues that case. Leave the phone empty.",
    }
    register { fi: "Kirjaa käynti", sv: "Registrera besöket", en: "Register the visit" }
    register_keys { fi: "kirjaa käynnin", sv: "registrerar besöket", en: "registers the visit" }
    registered { fi: "Käynti on kirjattu.", sv: "Besöket är registrerat.", en: "The visit is registered." }
    now_with { fi: "Asian vastuuhenkilö:", sv: "Ärendets ansvariga:", en: "Now owned by" }
    code_is { fi: "Seurantatunnus", sv: "Spårningskod", en: "Tracking code" }
    assigning {
        fi: "Vastuuhenkilöä nimetään… Sivu päivittyy itsestään.",
        sv: "En ansvarig utses… Sidan uppdateras av sig själv.",
        en: "Assigning an owner… This updates by itself.",
    }
    print { fi: "Tulosta lippu", sv: "Skriv ut biljetten", en: "Print the ticket" }
    next_visit { fi: "Seuraava käynti", sv: "Nästa besök", en: "Next visit" }
    find_title { fi: "Hae asia", sv: "Sök ett ärende", en: "Look a case up" }
    find_label {
        fi: "Seurantatunnus tai asukkaan puhelinnumero",
        sv: "Spårningskod eller invånarens telefonnummer",
        en: "Tracking code or the resident's phone",
    }
    find { fi: "Hae", sv: "Sök", en: "Find" }
    find_nothing {
        fi: "Tällä tunnuksella tai numerolla ei löytynyt asioita.",
        sv: "Inga ärenden hittades med den koden eller det numret.",
        en: "No case has that code or phone.",
    }
    find_unreadable {
        fi: "Tämä ei ole seurantatunnus (esim. K7QD-4M2X) eikä puhelinnumero (esim. 040 123 4567).",
        sv: "Det här är varken en spårningskod (t.ex. K7QD-4M2X) eller ett telefonnummer (t.ex. 040 123 4567).",
        en: "That is neither a tracking code (like K7QD-4M2X) nor a phone (like 040 123 4567).",
    }
    found_title { fi: "Löytyneet asiat", sv: "Hittade ärenden", en: "Cases found" }
    today_title { fi: "Tämän päivän käynnit", sv: "Dagens besök", en: "Today's visits" }
    today_none { fi: "Tänään ei ole vielä käyntejä.", sv: "Inga besök ännu i dag.", en: "No visits yet today." }
    col_time { fi: "Aika", sv: "Tid", en: "Time" }
    col_code { fi: "Tunnus", sv: "Kod", en: "Code" }
    col_owner { fi: "Vastuuhenkilö", sv: "Ansvarig", en: "Owner" }
    col_status { fi: "Tila", sv: "Status", en: "Status" }
    col_opened { fi: "Avattu", sv: "Öppnat", en: "Opened" }
    col_channel { fi: "Kanava", sv: "Kanal", en: "Channel" }
    col_language { fi: "Kieli", sv: "Språk", en: "Language" }
    col_ticket { fi: "Lippu", sv: "Biljett", en: "Ticket" }
    pending { fi: "nimetään…", sv: "utses…", en: "assigning…" }
    opened_at_point { fi: "Avattu asiointipisteessä", sv: "Öppnat vid servicepunkten", en: "Opened at" }
    refusal_about_empty {
        fi: "Kirjoita, mitä asia koskee.",
        sv: "Skriv vad ärendet gäller.",
        en: "Write what the visit is about.",
    }
    refusal_about_long: fn(usize) -> String {
        fi: |n| format!("Kuvauksessa on {n} merkkiä; enintään {MAX_ABOUT_CHARS} mahtuu. Lyhennä sitä."),
        sv: |n| format!("Beskrivningen har {n} tecken; högst {MAX_ABOUT_CHARS} ryms. Korta den."),
        en: |n| format!("The description has {n} characters; at most {MAX_ABOUT_CHARS} fit. Shorten it."),
    }
    refusal_topic_long: fn(usize) -> String {
        fi: |n| format!("Aihe on liian pitkä; enintään {n} merkkiä."),
        sv: |n| format!("Ämnet är för långt; högst {n} tecken."),
        en: |n| format!("The topic is too long; at most {n} characters."),
    }
    refusal_phone {
        fi: "Puhelinnumeroa ei voi lukea. Kirjoita se suuntanumeroineen, esim. 040 123 4567 tai +46 70 123 4567.",
        sv: "Telefonnumret går inte att läsa. Skriv det med riktnummer, t.ex. 040 123 4567 eller +46 70 123 4567.",
        en: "The phone cannot be read. Type it with its area or country code, like 040 123 4567 or +46 70 123 4567.",
    }
    refusal_phone_with_code {
        fi: "Jatkokäynti jatkaa asiaa sellaisenaan: jätä puhelinnumero tyhjäksi, kun annat seurantatunnuksen.",
        sv: "Ett återbesök fortsätter ärendet som det är: lämna telefonnumret tomt när du anger en spårningskod.",
        en: "A follow-up continues the case as it is: leave the phone empty when you give a tracking code.",
    }
    refusal_code_malformed {
        fi: "Seurantatunnuksessa on kahdeksan kirjainta ja numeroa, esim. K7QD-4M2X. Tarkista se.",
        sv: "En spårningskod har åtta bokstäver och siffror, t.ex. K7QD-4M2X. Kontrollera den.",
        en: "A tracking code has eight letters and digits, like K7QD-4M2X. Check it.",
    }
    refusal_code_unknown {
        fi: "Yhdelläkään asialla ei ole tätä seurantatunnusta. Tarkista se, tai jätä kenttä tyhjäksi uutta asiaa varten.",
        sv: "Inget ärende har den spårningskoden. Kontrollera den, eller lämna fältet tomt för ett nytt ärende.",
        en: "No case has that tracking code. Check it, or leave the field empty for a new case.",
    }
    refusal_language {
        fi: "Valitse asukkaan kieli: suomi, svenska tai English.",
        sv: "Välj invånarens språk: suomi, svenska eller English.",
        en: "Choose the resident's language: suomi, svenska or English.",
    }
    refusal_point {
        fi: "Valitse asiointipiste, jossa käynti on.",
        sv: "Välj servicepunkten där besöket sker.",
        en: "Choose the walk-in point the visit is at.",
    }
}

/// A refusal in the desk person's language.
fn refusal_text(w: &Words, refusal: &VisitRefusal) -> String {
    match refusal {
        VisitRefusal::AboutEmpty => w.refusal_about_empty.to_owned(),
        VisitRefusal::AboutTooLong(n) => (w.refusal_about_long)(*n),
        VisitRefusal::TopicTooLong => (w.refusal_topic_long)(MAX_TOPIC_CHARS),
        VisitRefusal::UnknownTopic(_) => w.refusal_topic_unknown.to_owned(),
        VisitRefusal::Phone(_) => w.refusal_phone.to_owned(),
        VisitRefusal::PhoneWithFollowUp => w.refusal_phone_with_code.to_owned(),
        VisitRefusal::CodeMalformed(_) => w.refusal_code_malformed.to_owned(),
        VisitRefusal::CodeUnknown => w.refusal_code_unknown.to_owned(),
        VisitRefusal::LanguageMissing | VisitRefusal::LanguageUnknown(_) => w.refusal_language.to_owned(),
        VisitRefusal::NoHomePoint | VisitRefusal::UnknownPoint(_) => w.refusal_point.to_owned(),
    }
}

/// The query of `GET /walk-in`.
#[derive(Debug, Default, Deserialize)]
pub struct DeskQuery {
    /// The walk-in point shown; default the person's home point.
    #[serde(default)]
    point: Option<Uuid>,
    /// The ticket just registered, shown on top.
    #[serde(default)]
    ticket: Option<Uuid>,
    /// A tracking code or phone to look up.
    #[serde(default)]
    find: Option<String>,
}

/// The form of `POST /walk-in/visits`, as typed (kept to show again when
/// it is refused, so nothing typed is lost).
#[derive(Debug, Default, Clone, Deserialize)]
pub struct VisitForm {
    #[serde(default)]
    about: String,
    #[serde(default)]
    language: Option<String>,
    #[serde(default)]
    phone: Option<String>,
    #[serde(default)]
    topic: Option<String>,
    #[serde(default)]
    tracking_code: Option<String>,
    #[serde(default)]
    point_id: Option<Uuid>,
    /// Made fresh with each form, so a double submit registers one visit.
    #[serde(default)]
    visit_key: Option<Uuid>,
}

/// What a look-up found.
enum Found {
    Case(Box<DeskCase>),
    OfPhone(Vec<PastCase>),
    Nothing,
    Unreadable,
}

/// Everything the page shows besides the form.
struct Desk {
    points: Vec<WalkInPoint>,
    /// The service catalogue's topics still offered.
    topics: Vec<Topic>,
    point: Option<WalkInPoint>,
    today: Vec<TicketView>,
    ticket: Option<TicketView>,
    found: Option<(String, Found)>,
}

/// `GET /walk-in`.
pub async fn page(State(state): State<AppState>, user: WebUser, Query(query): Query<DeskQuery>) -> Response {
    let lang_default = VisitForm { language: Some(user.lang.as_str().to_owned()), ..VisitForm::default() };
    render(&state, &user, &query, &lang_default, StatusCode::OK, None).await
}

/// `POST /walk-in/visits`: register, then show the ticket on top of the
/// page (a redirect, so a reload does not register again).
pub async fn register(State(state): State<AppState>, user: WebUser, Form(form): Form<VisitForm>) -> Response {
    let visit = Visit {
        about: &form.about,
        language: form.language.as_deref(),
        phone: form.phone.as_deref(),
        topic: form.topic.as_deref(),
        point_id: form.point_id,
        tracking_code: form.tracking_code.as_deref(),
    };
    let key = form.visit_key.map(|k| format!("desk-page:{k}"));
    let query = DeskQuery { point: form.point_id, ..DeskQuery::default() };
    match walk_in::register(&state, &user.me, &visit, key.as_deref()).await {
        Ok(Registered { ticket, .. }) => {
            Redirect::to(&format!("/walk-in?point={}&ticket={}", ticket.point_id, ticket.id)).into_response()
        }
        Err(ApiError::Visit(refusal)) => {
            let text = refusal_text(words(user.lang), &refusal);
            render(&state, &user, &query, &form, StatusCode::UNPROCESSABLE_ENTITY, Some(Flash::Failed(text))).await
        }
        Err(e) => {
            let (status, _, detail) = e.parts();
            if status.is_client_error() && status != StatusCode::FORBIDDEN {
                render(&state, &user, &query, &form, status, Some(Flash::Failed(detail))).await
            } else {
                failure(&user, e)
            }
        }
    }
}

/// `GET /walk-in/visits`: the address a refused visit's page shows, opened
/// again (a reload, a language switch): the desk page.
pub async fn to_desk() -> Redirect {
    Redirect::to("/walk-in")
}

/// `GET /walk-in/tickets/{id}/owner`: the registered-ticket box alone, which
/// the page fetches again every few seconds while an owner is being named.
pub async fn ticket_box(State(state): State<AppState>, user: WebUser, Path(id): Path<Uuid>) -> Response {
    match walk_in::ticket(&state, &user.me, id).await {
        Ok(ticket) => Html(registered_box(&user, &ticket).into_string()).into_response(),
        Err(e) => failure(&user, e),
    }
}

async fn render(
    state: &AppState,
    user: &WebUser,
    query: &DeskQuery,
    form: &VisitForm,
    status: StatusCode,
    flash: Option<Flash>,
) -> Response {
    match load(state, user, query).await {
        Ok(desk) => {
            let w = words(user.lang);
            let body = body(user, &desk, form);
            (status, Html(layout::page(user, Section::WalkIn, w.title, flash.as_ref(), body).into_string()))
                .into_response()
        }
        Err(e) => failure(user, e),
    }
}

async fn load(state: &AppState, user: &WebUser, query: &DeskQuery) -> Result<Desk, ApiError> {
    walk_in::ensure_desk_work(&user.me)?;
    let points = store::walk_in_points::list(&state.pool).await?;
    // The point asked for, else the person's home point, else the first.
    let point_by = |id: Option<Uuid>| id.and_then(|id| points.iter().find(|p| p.id == id));
    let point = point_by(query.point).or_else(|| point_by(user.me.home_point_id)).or(points.first()).cloned();
    let today = match &point {
        Some(point) => walk_in::visits_today(state, &user.me, point.id, Utc::now()).await?,
        None => Vec::new(),
    };
    let ticket = match query.ticket {
        Some(id) => Some(walk_in::ticket(state, &user.me, id).await?),
        None => None,
    };
    let found = match query.find.as_deref().map(str::trim).filter(|f| !f.is_empty()) {
        Some(typed) => {
            let typed: String = typed.chars().take(MAX_FIND_CHARS).collect();
            let found = find(state, user, &typed).await?;
            Some((typed, found))
        }
        None => None,
    };
    let topics = store::topics::all(&state.pool).await?.into_iter().filter(Topic::offered).collect();
    Ok(Desk { points, topics, point, today, ticket, found })
}

/// A code if it reads as one, else a phone, else neither.
async fn find(state: &AppState, user: &WebUser, typed: &str) -> Result<Found, ApiError> {
    if let Ok(code) = TrackingCode::parse(typed) {
        return match walk_in::case_by_code(state, &user.me, &code).await {
            Ok(case) => Ok(Found::Case(Box::new(case))),
            Err(ApiError::Visit(VisitRefusal::CodeUnknown)) => Ok(Found::Nothing),
            Err(e) => Err(e),
        };
    }
    match PhoneNumber::parse(typed) {
        Ok(phone) => {
            let cases = walk_in::cases_of_phone(state, &user.me, &phone).await?;
            Ok(if cases.is_empty() { Found::Nothing } else { Found::OfPhone(cases) })
        }
        Err(_) => Ok(Found::Unreadable),
    }
}

fn body(user: &WebUser, desk: &Desk, form: &VisitForm) -> Markup {
    let w = words(user.lang);
    let t = ui(user.lang);
    let Some(point) = &desk.point else {
        return html! { h1 { (w.title) } p { (w.no_points) } };
    };
    html! {
        h1 { (w.title) ": " (point.name) }
        @if desk.points.len() > 1 {
            form class="point-choice" method="get" action="/walk-in" {
                label for="desk-point" { (w.point_label) }
                div class="actions" {
                    select id="desk-point" name="point" {
                        @for p in &desk.points {
                            option value=(p.id) selected[p.id == point.id] { (p.name) }
                        }
                    }
                    button class="hds-button hds-button--secondary hds-button--small" type="submit" {
                        span class="hds-button__label" { (w.show_point) }
                    }
                }
            }
        }
        @if let Some(ticket) = &desk.ticket {
            (registered_box(user, ticket))
        }
        div class="desk-layout" {
            (visit_form(user, point, &desk.topics, form, desk.ticket.is_none()))
            div {
                (find_section(t, w, desk, point))
                (today_section(w, &desk.today, point))
            }
        }
    }
}

/// The box naming the owner of the ticket just registered.
fn registered_box(user: &WebUser, ticket: &TicketView) -> Markup {
    let w = words(user.lang);
    let url = walk_in::ticket_path(ticket.id);
    html! {
        section id="registered" class="panel registered" role="status" aria-labelledby="registered-title"
            hx-get={ (url) "/owner" } hx-trigger=[ticket.case_id.is_none().then_some("every 2s")] hx-swap="outerHTML" {
            h2 id="registered-title" { (w.registered) }
            @match (&ticket.tracking_code, &ticket.owner_name) {
                (Some(code), Some(owner)) => {
                    p class="registered-owner" { (w.now_with) " " strong data-owner { (owner) } }
                    p { (w.code_is) " " strong class="code" data-code { (code) } }
                }
                _ => p { (w.assigning) }
            }
            div class="actions" {
                a class="hds-button hds-button--primary" href={ (url) "?print=1" } target="_blank" rel="noopener"
                    data-print-ticket autofocus {
                    span class="hds-button__label" { (w.print) }
                }
                a class="hds-button hds-button--secondary" href="#visit-about" { span class="hds-button__label" { (w.next_visit) } }
            }
        }
    }
}

fn visit_form(user: &WebUser, point: &WalkInPoint, topics: &[Topic], form: &VisitForm, focus_first: bool) -> Markup {
    let w = words(user.lang);
    let chosen = form.language.as_deref().and_then(|l| l.parse::<Language>().ok());
    let value = |v: &Option<String>| v.clone().unwrap_or_default();
    html! {
        section class="panel" aria-labelledby="register-title" {
            h2 id="register-title" { (w.register_title) }
            form method="post" action="/walk-in/visits" class="desk-form" data-ctrl-enter {
                (csrf_field(user))
                input type="hidden" name="point_id" value=(point.id);
                input type="hidden" name="visit_key" value=(Uuid::new_v4());
                div class="field" {
                    label for="visit-about" { (w.about_label) }
                    p class="hint" id="visit-about-hint" { (w.about_hint) }
                    textarea id="visit-about" name="about" required maxlength=(MAX_ABOUT_CHARS)
                        aria-describedby="visit-about-hint" autofocus[focus_first] { (form.about) }
                }
                fieldset class="field languages" {
                    legend { (w.language_legend) }
                    @for lang in [Language::Fi, Language::Sv, Language::En] {
                        div class="check" {
                            input type="radio" id={ "visit-lang-" (lang.as_str()) } name="language" value=(lang.as_str())
                                checked[chosen == Some(lang)] required;
                            label for={ "visit-lang-" (lang.as_str()) } lang=(lang.as_str()) { (ui(lang).language_name) }
                        }
                    }
                }
                div class="field" {
                    label for="visit-phone" { (w.phone_label) }
                    p class="hint" id="visit-phone-hint" { (w.phone_hint) }
                    input type="tel" id="visit-phone" name="phone" autocomplete="off" maxlength="40"
                        aria-describedby="visit-phone-hint" value=(value(&form.phone));
                }
                div class="field" {
                    label for="visit-topic" { (w.topic_label) }
                    select id="visit-topic" name="topic" {
                        option value="" { (w.topic_not_known) }
                        @for topic in topics {
                            option value=(topic.code) selected[form.topic.as_deref() == Some(topic.code.as_str())] {
                                (topic.name(user.lang))
                            }
                        }
                    }
                }
                div class="field" {
                    label for="visit-code" { (w.follow_up_label) }
                    p class="hint" id="visit-code-hint" { (w.follow_up_hint) }
                    input type="text" id="visit-code" name="tracking_code" autocomplete="off" maxlength="20"
                        aria-describedby="visit-code-hint" value=(value(&form.tracking_code));
                }
                div class="actions" {
                    button class="hds-button hds-button--primary" type="submit" {
                        span class="hds-button__label" { (w.register) }
                    }
                    span class="hint" { kbd { "Ctrl" } "+" kbd { "Enter" } " " (w.register_keys) }
                }
            }
        }
    }
}

fn status_name(t: &Ui, status: CaseStatus) -> &'static str {
    match status {
        CaseStatus::Open => t.status_open,
        CaseStatus::Resolved => t.status_resolved,
    }
}

fn find_section(t: &Ui, w: &Words, desk: &Desk, point: &WalkInPoint) -> Markup {
    let typed = desk.found.as_ref().map(|(typed, _)| typed.as_str()).unwrap_or_default();
    html! {
        section class="panel" aria-labelledby="find-title" {
            h2 id="find-title" { (w.find_title) }
            form method="get" action="/walk-in" role="search" {
                input type="hidden" name="point" value=(point.id);
                label for="desk-find" { (w.find_label) }
                div class="actions" {
                    input type="text" id="desk-find" name="find" value=(typed) autocomplete="off" maxlength=(MAX_FIND_CHARS);
                    button class="hds-button hds-button--secondary" type="submit" { span class="hds-button__label" { (w.find) } }
                }
            }
            @if let Some((_, found)) = &desk.found {
                div id="found" role="status" {
                    @match found {
                        Found::Unreadable => p class="flash error" { (w.find_unreadable) },
                        Found::Nothing => p { (w.find_nothing) },
                        Found::Case(case) => (found_table(t, w, &[FoundRow {
                            code: &case.case.tracking_code,
                            status: case.case.status,
                            owner: &case.owner_name,
                            opened: case.case.opened_at,
                            channel: case.case.channel,
                        }], case.walk_in_point.as_ref())),
                        Found::OfPhone(cases) => (found_table(t, w, &cases.iter().map(|c| FoundRow {
                            code: &c.tracking_code,
                            status: c.status,
                            owner: &c.owner_name,
                            opened: c.opened_at,
                            channel: c.channel,
                        }).collect::<Vec<_>>(), None)),
                    }
                }
            }
        }
    }
}

/// One row of a look-up's answer.
struct FoundRow<'a> {
    code: &'a str,
    status: CaseStatus,
    owner: &'a str,
    opened: chrono::DateTime<Utc>,
    channel: batline_core::domain::Channel,
}

fn found_table(t: &Ui, w: &Words, rows: &[FoundRow<'_>], opened_at: Option<&WalkInPoint>) -> Markup {
    html! {
        div class="table-scroll" role="region" aria-label=(w.found_title) tabindex="0" {
            table class="cases found" {
                caption class="visually-hidden" { (w.found_title) }
                thead { tr {
                    th scope="col" { (w.col_code) }
                    th scope="col" { (w.col_status) }
                    th scope="col" { (w.col_owner) }
                    th scope="col" { (w.col_opened) }
                    th scope="col" { (w.col_channel) }
                } }
                tbody {
                    @for row in rows {
                        tr data-found=(row.code) {
                            td class="code" { (row.code) }
                            td { (status_name(t, row.status)) }
                            td { (row.owner) }
                            td { (when(row.opened)) }
                            td { (t.channel(row.channel)) }
                        }
                    }
                }
            }
        }
        @if let Some(point) = opened_at {
            p class="hint" { (w.opened_at_point) " " (point.name) }
        }
    }
}

fn today_section(w: &Words, today: &[TicketView], point: &WalkInPoint) -> Markup {
    html! {
        section class="panel" aria-labelledby="today-title" {
            h2 id="today-title" { (w.today_title) " – " (point.name) " " span class="tag" { (today.len()) } }
            @if today.is_empty() {
                p { (w.today_none) }
            } @else {
                div class="table-scroll" role="region" aria-labelledby="today-title" tabindex="0" {
                    table class="cases today" {
                        caption class="visually-hidden" { (w.today_title) }
                        thead { tr {
                            th scope="col" { (w.col_time) }
                            th scope="col" { (w.col_code) }
                            th scope="col" { (w.col_owner) }
                            th scope="col" { (w.col_language) }
                            th scope="col" { (w.col_ticket) }
                        } }
                        tbody {
                            @for visit in today {
                                tr data-visit=(visit.id) {
                                    td { (visit.created_at.with_timezone(&batline_core::roster::TZ).format("%H:%M")) }
                                    td class="code" { (visit.tracking_code.as_deref().unwrap_or(w.pending)) }
                                    td { (visit.owner_name.as_deref().unwrap_or(w.pending)) }
                                    td { (ui(visit.language).language_name) }
                                    td {
                                        a href={ (walk_in::ticket_path(visit.id)) "?print=1" } target="_blank" rel="noopener" {
                                            (w.print) span class="visually-hidden" { " " (visit.tracking_code.as_deref().unwrap_or_default()) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
