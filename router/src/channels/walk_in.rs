//! Filing walk-in tickets. A desk registered the visit in the console; here
//! it becomes a case like any other contact, with the same guarantees as
//! SMS filing: the intake row is locked first and the resident next, so a
//! redelivered ticket changes nothing and two routers cannot open two cases
//! for one person.
//!
//! Who the resident is: the holder of the phone they gave; or, when they
//! brought a tracking code, that case's resident; or else a new resident
//! without a phone. A resident with an open case joins it; otherwise a new
//! case opens whose owner is chosen preferring someone on duty at the
//! walk-in point (and a returning resident's previous owner).

use batline_core::{
    Error, Result,
    domain::{Language, event_kind},
    store::{
        self,
        cases::{Case, CaseLocation},
        intake::Intake,
        walk_in_points::WalkInPoint,
    },
    texts,
    walk_in::Ticket,
};
use sqlx::PgConnection;
use tracing::Instrument;

use crate::{
    filing::{self, AutoReply, Filed, Notices, Opening, Outcome},
    state::Router,
};

/// Files one walk-in intake row, inside the caller's transaction (which
/// holds the intake row's lock). Returns the outbox rows to publish.
pub async fn file(router: &Router, conn: &mut PgConnection, intake: &Intake) -> Result<Outcome> {
    let ticket = Ticket::from_raw(&intake.raw)?;
    let point = store::walk_in_points::get(&mut *conn, ticket.point_id)
        .await?
        .ok_or_else(|| Error::Invalid(format!("ticket {} names an unknown walk-in point", ticket.ticket_id)))?;

    // A resident this visit created (with a phone never seen, or none) has
    // no case to join.
    let (resident_id, previous_owner, is_new) = match (&ticket.follow_up_of, &ticket.phone) {
        (Some(case_id), _) => {
            let earlier = store::cases::get(&mut *conn, *case_id)
                .await?
                .ok_or_else(|| Error::Invalid(format!("ticket {} follows up an unknown case", ticket.ticket_id)))?;
            store::residents::lock(conn, earlier.resident_id).await?.ok_or(Error::NotFound("resident"))?;
            // The resident came back with this case's code: its owner knows
            // them, however long ago it was.
            (earlier.resident_id, Some(earlier.owner_id), false)
        }
        (None, Some(phone)) => {
            let resident = store::residents::upsert_by_phone(conn, phone, ticket.language).await?;
            (resident.id, filing::previous_owner_of(router, conn, &resident).await?, resident.is_new)
        }
        (None, None) => (store::residents::insert_without_phone(conn, ticket.language).await?.id, None, true),
    };

    if !is_new && let Some(case) = store::cases::open_for_resident(conn, resident_id).await? {
        return join(router, conn, intake, &ticket, &point, case).await;
    }
    // A resident this visit created already speaks the ticket's language.
    if !is_new {
        store::residents::set_language(conn, resident_id, ticket.language).await?;
    }
    let opening = Opening {
        area: Some(&point.area),
        topic: ticket.topic.as_deref(),
        // Someone on duty at this point can come to the desk.
        at_point: Some(point.id),
        // The resident is standing there: its address, and its point when
        // the city's map finds the address.
        location: Some(CaseLocation {
            label: point.address.clone(),
            point: router
                .city
                .locate_text(&point.address)
                .filter(|l| l.is_confident())
                .and_then(|l| l.point)
                .map(|p| (p.lon, p.lat)),
            by: "walk_in_point",
        }),
        details: serde_json::json!({
            "ticket_id": ticket.ticket_id,
            "point_id": point.id,
            "desk_id": ticket.desk_id,
            "follow_up_of": ticket.follow_up_of,
        }),
        ..Opening::new(resident_id, ticket.language, previous_owner)
    };
    // The walk-in point is named on the "case opened" line.
    let span = tracing::info_span!("walk_in", point = %point.name);
    // Whether a text reaches the resident is known here, but for one who
    // came back with a code: then it is looked up as the receipt is written.
    let reach = match (&ticket.follow_up_of, &ticket.phone) {
        (None, Some(_)) => Reach::Phone,
        (None, None) => Reach::TicketOnly,
        (Some(_), _) => Reach::AskFirst,
    };
    filing::open_case(router, conn, intake, opening, |code, owner| {
        receipt(router, code, ticket.language, owner, &point, reach)
    })
    .instrument(span)
    .await
}

/// The walk-in visit joins the resident's open case.
async fn join(
    router: &Router,
    conn: &mut PgConnection,
    intake: &Intake,
    ticket: &Ticket,
    point: &WalkInPoint,
    case: Case,
) -> Result<Outcome> {
    let data = serde_json::json!({
        "ticket_id": ticket.ticket_id,
        "point_id": point.id,
        "desk_id": ticket.desk_id,
    });
    filing::file_into(conn, &case, intake, event_kind::RESIDENT_MESSAGE, data).await?;
    let owner_name = store::responders::display_names(&mut *conn, &[case.owner_id])
        .await?
        .into_iter()
        .next()
        .map(|(_, name)| name)
        .unwrap_or_default();
    let reply = receipt(router, &case.tracking_code, case.language, &owner_name, point, Reach::AskFirst);
    let mut notices = Notices::default();
    filing::queue_auto_reply(conn, case.id, intake.channel, reply, &mut notices).await?;
    notices.tell(&filing::case_updated(&case, event_kind::RESIDENT_MESSAGE))?;
    tracing::info!(case_id = %case.id, ticket_id = %ticket.ticket_id, "walk-in joined the open case");
    Ok((Filed::Joined { case_id: case.id }, notices))
}

/// Whether a walk-in's resident can be texted.
#[derive(Debug, Clone, Copy)]
enum Reach {
    /// They gave a phone at the desk.
    Phone,
    /// They gave none and were not known before: the printed ticket is all.
    TicketOnly,
    /// Not known here: looked up as the receipt is written.
    AskFirst,
}

/// The receipt by SMS, sent only when the resident can be reached by SMS at
/// all; a resident who gave no phone gets the printed ticket and nothing else
/// (no message that could only fail). A receipt to a phone given at the desk
/// is written with a new case, in its own statement.
fn receipt(
    router: &Router,
    code: &str,
    language: Language,
    owner_name: &str,
    point: &WalkInPoint,
    reach: Reach,
) -> AutoReply {
    let text = texts::walk_in_receipt(
        language,
        owner_name,
        code,
        // What residents read, never the city's own name for the point.
        &point.public_name,
        &router.config.tracking_url(code),
    );
    match reach {
        Reach::Phone => AutoReply::Send(text),
        // The printed ticket names the owner.
        Reach::TicketOnly => AutoReply::InAnswer,
        Reach::AskFirst => AutoReply::SendIfReachable(text),
    }
}
