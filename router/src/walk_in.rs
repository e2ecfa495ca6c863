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
    bus::BusMessage,
    domain::{ActorKind, Channel, Language, MessageKind, Priority, event_kind},
    outbound,
    outbox::Outbox,
    sla,
    store::{
        self,
        cases::{Case, NewCase},
        intake::Intake,
        messages::NewOutbound,
        responders::Needs,
        walk_in_points::WalkInPoint,
    },
    texts,
    walk_in::Ticket,
};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::{Router, assign, intake::Filed};

/// Files one walk-in intake row, inside the caller's transaction (which
/// holds the intake row's lock). Returns the outbox rows to publish.
pub async fn file(router: &Router, conn: &mut PgConnection, intake: &Intake) -> Result<(Filed, Vec<i64>)> {
    let ticket = Ticket::from_raw(&intake.raw)?;
    let point = store::walk_in_points::get(&mut *conn, ticket.point_id)
        .await?
        .ok_or_else(|| Error::Invalid(format!("ticket {} names an unknown walk-in point", ticket.ticket_id)))?;

    let (resident_id, previous_owner) = match (&ticket.follow_up_of, &ticket.phone) {
        (Some(case_id), _) => {
            let earlier = store::cases::get(&mut *conn, *case_id)
                .await?
                .ok_or_else(|| Error::Invalid(format!("ticket {} follows up an unknown case", ticket.ticket_id)))?;
            store::residents::lock(conn, earlier.resident_id).await?.ok_or(Error::NotFound("resident"))?;
            // The resident came back with this case's code: its owner knows
            // them, however long ago it was.
            (earlier.resident_id, Some(earlier.owner_id))
        }
        (None, Some(phone)) => {
            let resident = store::residents::upsert_by_phone(conn, phone, ticket.language).await?;
            let since = router.clock.now() - chrono::Duration::days(i64::from(router.config.previous_responder_days));
            (resident.id, store::cases::previous_owner(conn, resident.id, since).await?)
        }
        (None, None) => (store::residents::insert_without_phone(conn, ticket.language).await?.id, None),
    };

    if let Some(case) = store::cases::open_for_resident(conn, resident_id).await? {
        return join(router, conn, intake, &ticket, &point, case).await;
    }
    store::residents::set_language(conn, resident_id, ticket.language).await?;
    open_case(router, conn, intake, &ticket, &point, resident_id, previous_owner).await
}

/// The walk-in visit joins the resident's open case.
async fn join(
    router: &Router,
    conn: &mut PgConnection,
    intake: &Intake,
    ticket: &Ticket,
    point: &WalkInPoint,
    case: Case,
) -> Result<(Filed, Vec<i64>)> {
    let data = serde_json::json!({
        "ticket_id": ticket.ticket_id,
        "point_id": point.id,
        "desk_id": ticket.desk_id,
    });
    crate::intake::file_into(conn, &case, intake, event_kind::RESIDENT_MESSAGE, data).await?;
    let owner_name = store::responders::display_names(&mut *conn, &[case.owner_id])
        .await?
        .into_iter()
        .next()
        .map(|(_, name)| name)
        .unwrap_or_default();
    let mut ids = receipt(router, conn, &case, case.language, &owner_name, point).await?;
    let update = BusMessage::CaseUpdated {
        case_id: case.id,
        owner_id: case.owner_id,
        kind: event_kind::RESIDENT_MESSAGE.into(),
    };
    ids.push(Outbox::enqueue(conn, &update).await?);
    tracing::info!(case_id = %case.id, ticket_id = %ticket.ticket_id, "walk-in joined the open case");
    Ok((Filed::Joined { case_id: case.id }, ids))
}

async fn open_case(
    router: &Router,
    conn: &mut PgConnection,
    intake: &Intake,
    ticket: &Ticket,
    point: &WalkInPoint,
    resident_id: Uuid,
    previous_owner: Option<Uuid>,
) -> Result<(Filed, Vec<i64>)> {
    let needs = Needs {
        language: ticket.language,
        area: Some(&point.area),
        topic: ticket.topic.as_deref(),
        previous_owner,
        at_point: Some(point.id),
    };
    let now = router.clock.now();
    // Planned before the owner's row is locked, to hold that lock no longer than needed.
    // Every case opens at normal priority; a responder may raise it later.
    let priority = Priority::Normal;
    let clocks = sla::plan(conn, Channel::WalkIn, ticket.topic.as_deref(), priority, intake.received_at).await?;
    let decision = assign::choose_owner(conn, &needs, &[], now).await?;
    let owner_id = decision.owner_id;
    let case = store::cases::insert(
        conn,
        &NewCase {
            resident_id,
            owner_id,
            channel: Channel::WalkIn,
            language: ticket.language,
            opened_at: intake.received_at,
            area: Some(point.area.clone()),
            topic: ticket.topic.clone(),
            ack_due_at: now + router.config.ack_windows.for_channel(Channel::WalkIn),
            priority,
            clocks,
        },
    )
    .await?;
    store::events::append(
        conn,
        case.id,
        event_kind::OPENED,
        ActorKind::Resident,
        None,
        serde_json::json!({
            "channel": Channel::WalkIn,
            "ticket_id": ticket.ticket_id,
            "point_id": point.id,
            "desk_id": ticket.desk_id,
            "follow_up_of": ticket.follow_up_of,
        }),
    )
    .await?;
    store::events::append(conn, case.id, event_kind::ASSIGNED, ActorKind::System, None, decision.reason()).await?;
    store::messages::insert_inbound(
        conn,
        case.id,
        Channel::WalkIn,
        &intake.body,
        intake.id,
        intake.provider_id.as_deref(),
        intake.received_at,
    )
    .await?;
    store::intake::mark_filed(conn, intake.id, case.id).await?;
    let mut ids = receipt(router, conn, &case, ticket.language, &decision.owner_name, point).await?;
    ids.push(
        Outbox::enqueue(conn, &BusMessage::CaseAssigned { case_id: case.id, owner_id, previous_owner_id: None })
            .await?,
    );
    tracing::info!(
        case_id = %case.id, code = %case.tracking_code, owner = %decision.owner_name, rule = ?decision.rule,
        point = %point.name, "walk-in case opened"
    );
    Ok((Filed::NewCase { case_id: case.id, owner_id, rule: decision.rule }, ids))
}

/// Queues the SMS receipt when the resident can be reached by SMS at all; a
/// resident who gave no phone gets the printed ticket and nothing else (no
/// message that could only fail).
async fn receipt(
    router: &Router,
    conn: &mut PgConnection,
    case: &Case,
    language: Language,
    owner_name: &str,
    point: &WalkInPoint,
) -> Result<Vec<i64>> {
    let body = texts::walk_in_receipt(
        language,
        owner_name,
        &case.tracking_code,
        &point.name,
        &router.config.tracking_url(&case.tracking_code),
    );
    let new = NewOutbound {
        case_id: case.id,
        channel: outbound::resident_channel(Channel::WalkIn),
        kind: MessageKind::AutoReply,
        body: &body,
        author_id: None,
    };
    Ok(outbound::queue_if_reachable(conn, &new).await?.map(|(_, id)| vec![id]).unwrap_or_default())
}
