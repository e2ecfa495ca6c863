//! Desk work at a walk-in point, for the JSON API and the desk page alike:
//! registering a resident's visit as a ticket, finding a case by its
//! tracking code or by the resident's phone, and the point's visits today.
//!
//! Registering is desk work (roles desk, lead and admin). The console never
//! chooses an owner: it stores the ticket with an intake row and its bus
//! message in one statement, as the gateway stores an SMS, and the router
//! files it. Registration then waits a bounded time for the router:
//! the ticket comes back with its case and owner when filing was quick, else
//! without them, and its printable page shows "assigning an owner…" until
//! the case exists. Nothing accepted is lost: if RabbitMQ is away the outbox
//! relay publishes the ticket later.

use std::time::Duration;

use batline_core::{
    bus::BusMessage,
    domain::{Channel, Language, Role},
    filing_notices::Expected,
    outbox::{self, Outbox},
    phone::{self, PhoneNumber},
    roster::TZ,
    store::{
        self,
        cases::PastCase,
        intake::NewIntake,
        outbox::OutboxRow,
        responders::Responder,
        walk_in_points::WalkInPoint,
        walk_in_tickets::{NewTicket, Registration, TicketView},
    },
    tracking_code::TrackingCode,
    walk_in::{MAX_ABOUT_CHARS, MAX_TOPIC_CHARS, Ticket, VisitRefusal},
};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{http::error::ApiError, state::AppState};

/// How long registration waits for the broker before leaving the ticket to
/// the outbox relay.
const PUBLISH_WAIT: Duration = Duration::from_secs(2);
/// How long registration waits in all for the router to name an owner.
const FILING_WAIT: Duration = Duration::from_secs(5);
/// How often it looks for itself, in case the router's notice was lost.
const FALLBACK: Duration = Duration::from_millis(250);
/// Most cases a phone look-up lists.
const MAX_CASES_OF_PHONE: i64 = 20;
/// Most visits the day's list shows.
const MAX_VISITS_TODAY: i64 = 200;

/// The printable ticket's path on the console.
pub fn ticket_path(id: Uuid) -> String {
    format!("/walk-in/tickets/{id}")
}

/// A visit as the desk typed it, before any check.
#[derive(Debug, Default, Clone)]
pub struct Visit<'a> {
    /// What the resident came about.
    pub about: &'a str,
    /// `fi`, `sv` or `en`; may be left out for a follow-up.
    pub language: Option<&'a str>,
    /// A phone for SMS updates.
    pub phone: Option<&'a str>,
    /// A topic.
    pub topic: Option<&'a str>,
    /// The walk-in point; default the desk person's home point.
    pub point_id: Option<Uuid>,
    /// A returning resident's tracking code.
    pub tracking_code: Option<&'a str>,
}

/// A registered ticket: as it stands once filed or once the wait is up.
#[derive(Debug, Clone)]
pub struct Registered {
    /// The ticket, with its case and owner once the router filed it.
    pub ticket: TicketView,
    /// Whether this answers a retry of an earlier registration.
    pub replayed: bool,
}

/// A case as a desk may see it: what the public tracking page shows, never
/// the conversation.
#[derive(Debug, Clone)]
pub struct DeskCase {
    /// The case.
    pub case: batline_core::store::cases::Case,
    /// Its owner's display name.
    pub owner_name: String,
    /// The walk-in point where it was opened, if it was.
    pub walk_in_point: Option<WalkInPoint>,
}

/// Refuses everyone but desk staff, leads and admins.
pub fn ensure_desk_work(me: &Responder) -> Result<(), ApiError> {
    if matches!(me.role, Role::Desk | Role::Lead | Role::Admin) {
        Ok(())
    } else {
        Err(ApiError::Forbidden("walk-in tickets are desk work: for desk staff, leads and admins".into()))
    }
}

/// The typed text that matters: trimmed, `None` when blank.
fn given(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|v| !v.is_empty())
}

fn parse_language(raw: &str) -> Result<Language, VisitRefusal> {
    raw.trim().parse().map_err(|_| VisitRefusal::LanguageUnknown(raw.chars().take(20).collect()))
}

/// A visit's fields checked, with nothing looked up yet.
struct Checked {
    about: String,
    topic: Option<String>,
    phone: Option<String>,
    language: Option<Language>,
    code: Option<TrackingCode>,
}

fn check(visit: &Visit<'_>) -> Result<Checked, VisitRefusal> {
    let about = visit.about.trim();
    if about.is_empty() {
        return Err(VisitRefusal::AboutEmpty);
    }
    let count = about.chars().count();
    if count > MAX_ABOUT_CHARS {
        return Err(VisitRefusal::AboutTooLong(count));
    }
    let topic = given(visit.topic).map(str::to_owned);
    if topic.as_ref().is_some_and(|t| t.chars().count() > MAX_TOPIC_CHARS) {
        return Err(VisitRefusal::TopicTooLong);
    }
    let phone = given(visit.phone)
        .map(|p| phone::from_form(p).map(PhoneNumber::into_string).map_err(|e| VisitRefusal::Phone(e.to_string())))
        .transpose()?;
    let code = given(visit.tracking_code)
        .map(|raw| TrackingCode::parse(raw).map_err(|e| VisitRefusal::CodeMalformed(e.to_string())))
        .transpose()?;
    if code.is_some() && phone.is_some() {
        return Err(VisitRefusal::PhoneWithFollowUp);
    }
    let language = given(visit.language).map(parse_language).transpose()?;
    if code.is_none() && language.is_none() {
        return Err(VisitRefusal::LanguageMissing);
    }
    Ok(Checked { about: about.to_owned(), topic, phone, language, code })
}

/// Registers a visit as a ticket and waits a bounded time for its owner.
/// With an idempotency key a retry answers with the same ticket.
pub async fn register(
    state: &AppState,
    me: &Responder,
    visit: &Visit<'_>,
    key: Option<&str>,
) -> Result<Registered, ApiError> {
    ensure_desk_work(me)?;
    let checked = check(visit)?;
    let (language, follow_up_of) = match &checked.code {
        Some(code) => {
            let case = store::cases::by_tracking_code(&state.pool, code).await?.ok_or(VisitRefusal::CodeUnknown)?;
            (checked.language.unwrap_or(case.language), Some(case.id))
        }
        None => (checked.language.ok_or(VisitRefusal::LanguageMissing)?, None),
    };
    // The point itself is looked up as the ticket is written.
    let point_id = visit.point_id.or(me.home_point_id).ok_or(VisitRefusal::NoHomePoint)?;
    if let Some(topic) = &checked.topic
        && !store::topics::is_offered(&state.pool, topic).await?
    {
        return Err(VisitRefusal::UnknownTopic(topic.clone()).into());
    }

    if let Some(key) = key
        && let Some(existing) = store::walk_in_tickets::by_idempotency_key(&state.pool, me.id, key).await?
    {
        return replay(state, existing, &checked.about).await;
    }

    let ticket = Ticket {
        ticket_id: Uuid::new_v4(),
        point_id,
        desk_id: me.id,
        language,
        topic: checked.topic,
        about: checked.about,
        phone: checked.phone,
        follow_up_of,
    };
    let new = NewIntake {
        channel: Channel::WalkIn,
        provider_id: Some(ticket.ticket_id.to_string()),
        sender: ticket.sender(),
        recipient: None,
        body: ticket.about.clone(),
        raw: serde_json::to_value(&ticket).map_err(batline_core::Error::from)?,
    };
    let intake_id = Uuid::new_v4();
    let announce = Outbox::row(&BusMessage::IntakeArrived { intake_id, channel: Channel::WalkIn })?;
    let registration =
        NewTicket { id: ticket.ticket_id, point_id, desk_id: me.id, idempotency_key: key, intake_id, language };
    // Subscribed before the ticket is handed on, so its case is not looked
    // for before the router's notice.
    let expected = state.filing.expect(&ticket.ticket_id.to_string());
    // The ticket at its point, its intake row and the row announcing it, in one statement.
    let written =
        store::walk_in_tickets::register(&state.pool, &registration, &new, outbox::borrowed(&announce)).await?;
    let (outbox_id, point_name) = match written {
        Registration::Stored { outbox_id, point_name } => (outbox_id, point_name),
        Registration::NoSuchPoint => return Err(VisitRefusal::UnknownPoint(point_id).into()),
        Registration::KeyTaken => {
            // A retry with the same key committed first while this one ran.
            let existing = store::walk_in_tickets::by_idempotency_key(&state.pool, me.id, key.unwrap_or_default())
                .await?
                .ok_or(batline_core::Error::NotFound("ticket"))?;
            return replay(state, existing, &ticket.about).await;
        }
    };
    tracing::info!(ticket_id = %ticket.ticket_id, point = %point_name, desk = %me.username, "walk-in ticket stored");
    batline_core::metrics::intake_stored(Channel::WalkIn);

    let announcement = OutboxRow::written(outbox_id, announce);
    match tokio::time::timeout(PUBLISH_WAIT, state.outbox.publish_written(vec![announcement])).await {
        Ok(Ok(_)) => {}
        Ok(Err(e)) => {
            tracing::warn!(ticket_id = %ticket.ticket_id, error = %e, "left to the outbox relay");
            state.outbox.kick();
        }
        Err(_) => {
            tracing::warn!(ticket_id = %ticket.ticket_id, "RabbitMQ is slow; left to the outbox relay");
            state.outbox.kick();
        }
    }
    Ok(Registered { ticket: wait_for_case(state, ticket.ticket_id, Some(expected)).await?, replayed: false })
}

/// A retried registration: the same ticket, unless the key was used for a
/// different visit, which is a client bug worth saying out loud.
async fn replay(state: &AppState, existing: TicketView, about: &str) -> Result<Registered, ApiError> {
    if existing.about != about {
        return Err(batline_core::Error::Conflict(
            "this Idempotency-Key was already used for a different ticket; use a fresh key for a new visit".into(),
        )
        .into());
    }
    Ok(Registered { ticket: wait_for_case(state, existing.id, None).await?, replayed: true })
}

/// The ticket once the router filed it, or as it is when [`FILING_WAIT`] is
/// up; `expected` when it was handed on just now.
async fn wait_for_case(state: &AppState, id: Uuid, expected: Option<Expected>) -> Result<TicketView, ApiError> {
    let pool = &state.pool;
    // Told by the router's notice (`batline_core::filing_notices`); the
    // ticket's id is its intake's provider id.
    let key = id.to_string();
    let look = || async move {
        let view = store::walk_in_tickets::view(pool, id).await?.ok_or(batline_core::Error::NotFound("ticket"))?;
        Ok(view.case_id.is_some().then_some(view))
    };
    match state.filing.wait(expected, &key, FILING_WAIT, FALLBACK, look).await? {
        Some(view) => Ok(view),
        None => Ok(store::walk_in_tickets::view(pool, id).await?.ok_or(batline_core::Error::NotFound("ticket"))?),
    }
}

/// A ticket as it stands now (the desk page's result box refreshes with it).
pub async fn ticket(state: &AppState, me: &Responder, id: Uuid) -> Result<TicketView, ApiError> {
    ensure_desk_work(me)?;
    Ok(store::walk_in_tickets::view(&state.pool, id).await?.ok_or(batline_core::Error::NotFound("ticket"))?)
}

/// A case by its tracking code, as a desk may see it.
pub async fn case_by_code(state: &AppState, me: &Responder, code: &TrackingCode) -> Result<DeskCase, ApiError> {
    ensure_desk_work(me)?;
    let case = store::cases::by_tracking_code(&state.pool, code).await?.ok_or(VisitRefusal::CodeUnknown)?;
    let owner_name = store::responders::display_names(&state.pool, &[case.owner_id])
        .await?
        .into_iter()
        .next()
        .map(|(_, name)| name)
        .unwrap_or_default();
    let walk_in_point = match store::walk_in_tickets::point_for_case(&state.pool, case.id).await? {
        Some(id) => store::walk_in_points::get(&state.pool, id).await?,
        None => None,
    };
    Ok(DeskCase { case, owner_name, walk_in_point })
}

/// The cases of the resident with this phone, newest first: for a resident
/// at the desk who lost their code. Logged, since it looks a person up.
pub async fn cases_of_phone(state: &AppState, me: &Responder, phone: &PhoneNumber) -> Result<Vec<PastCase>, ApiError> {
    ensure_desk_work(me)?;
    tracing::info!(desk = %me.username, "walk-in desk looked a resident's cases up by phone");
    Ok(store::cases::of_phone(&state.pool, phone.as_str(), None, MAX_CASES_OF_PHONE).await?)
}

/// Midnight in Helsinki at the start of the day `now` falls on.
pub fn start_of_day(now: DateTime<Utc>) -> DateTime<Utc> {
    let local = now.with_timezone(&TZ).date_naive();
    local
        .and_hms_opt(0, 0, 0)
        .and_then(|midnight| midnight.and_local_timezone(TZ).earliest())
        .map_or(now, |start| start.with_timezone(&Utc))
}

/// The visits registered at a point today (Helsinki time), newest first.
pub async fn visits_today(
    state: &AppState,
    me: &Responder,
    point_id: Uuid,
    now: DateTime<Utc>,
) -> Result<Vec<TicketView>, ApiError> {
    ensure_desk_work(me)?;
    Ok(store::walk_in_tickets::at_point_since(&state.pool, point_id, start_of_day(now), MAX_VISITS_TODAY).await?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_day_starts_at_midnight_in_helsinki_in_winter_and_summer() {
        // 21:30 UTC is 23:30 in Helsinki: the day began at 22:00 UTC the day before.
        let winter = Utc.with_ymd_and_hms(2026, 12, 3, 21, 30, 0).single();
        assert_eq!(winter.map(start_of_day), Utc.with_ymd_and_hms(2026, 12, 2, 22, 0, 0).single());
        let after_midnight = Utc.with_ymd_and_hms(2026, 12, 3, 22, 30, 0).single();
        assert_eq!(after_midnight.map(start_of_day), Utc.with_ymd_and_hms(2026, 12, 3, 22, 0, 0).single());
        let summer = Utc.with_ymd_and_hms(2026, 7, 1, 12, 0, 0).single();
        assert_eq!(summer.map(start_of_day), Utc.with_ymd_and_hms(2026, 6, 30, 21, 0, 0).single());
    }

    #[test]
    fn a_visit_is_checked_before_anything_is_looked_up() {
        let visit =
            |about, language, phone, code| Visit { about, language, phone, tracking_code: code, ..Visit::default() };
        assert_eq!(check(&visit("  ", Some("fi"), None, None)).err(), Some(VisitRefusal::AboutEmpty));
        let long = "x".repeat(MAX_ABOUT_CHARS + 1);
        assert_eq!(
            check(&visit(&long, Some("fi"), None, None)).err(),
            Some(VisitRefusal::AboutTooLong(MAX_ABOUT_CHARS + 1))
        );
        assert_eq!(check(&visit("Keinu", None, None, None)).err(), Some(VisitRefusal::LanguageMissing));
        assert_eq!(check(&visit("Keinu", Some(" "), None, None)).err(), Some(VisitRefusal::LanguageMissing));
        assert!(matches!(check(&visit("Keinu", Some("de"), None, None)), Err(VisitRefusal::LanguageUnknown(_))));
        assert!(matches!(check(&visit("Keinu", Some("fi"), Some("12"), None)), Err(VisitRefusal::Phone(_))));
        assert!(matches!(check(&visit("Keinu", None, None, Some("nope"))), Err(VisitRefusal::CodeMalformed(_))));
        assert_eq!(
            check(&visit("Keinu", None, Some("+358401234567"), Some("K7QD-4M2X"))).err(),
            Some(VisitRefusal::PhoneWithFollowUp)
        );
        // A follow-up may leave the language to the case; blanks are "not given".
        let follow_up = check(&visit(" Keinu ", None, Some(" "), Some("k7qd 4m2x")));
        assert!(follow_up.as_ref().is_ok_and(|c| c.about == "Keinu" && c.phone.is_none() && c.language.is_none()));
    }
}
