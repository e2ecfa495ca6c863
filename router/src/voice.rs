//! Filing phone calls. A call opens a case (or joins the caller's open one)
//! like a text does; the gateway then rings the owner. Two things are
//! particular to calls:
//!
//! - The language: a caller to one of the city's language lines
//!   (`BATLINE_VOICE_LINES`) is answered in that line's language; anyone
//!   else in the language Batline last spoke with them, or Finnish.
//! - A caller who hung up before the router named an owner (a broker outage,
//!   say) is owed a call back: the gateway could not tell anyone, so filing
//!   the call opens the task.

use batline_core::{
    Result,
    bus::BusMessage,
    call_back,
    domain::{ActorKind, CallBackReason, Channel, event_kind},
    outbox::Outbox,
    store::{self, calls::is_final_status, intake::Intake},
};
use sqlx::PgConnection;

use crate::{Router, intake::Filed, intake::open_case};

/// Files one call, inside the caller's transaction.
pub(crate) async fn file(router: &Router, conn: &mut PgConnection, intake: &Intake) -> Result<(Filed, Vec<i64>)> {
    let line = intake.recipient.as_deref().and_then(|to| router.config.voice.line_language(to));
    // Locks the resident: everything filed for one resident is serialised.
    let resident = store::residents::upsert_by_phone(conn, &intake.sender, line.unwrap_or_default()).await?;
    let language = line.unwrap_or(resident.language);
    // The call row is locked too, so a status callback saying the caller
    // hung up is either seen here or sees the case this files.
    let call = store::calls::lock_by_intake(conn, intake.id).await?;
    let call_sid = intake.provider_id.as_deref();

    let (filed, mut outbox_ids) = match store::cases::open_for_resident(conn, resident.id).await? {
        None => {
            if language != resident.language {
                store::residents::set_language(conn, resident.id, language).await?;
            }
            open_case(router, conn, intake, resident.id, language).await?
        }
        Some(case) => {
            store::messages::insert_inbound(
                conn,
                case.id,
                Channel::Voice,
                &intake.body,
                intake.id,
                call_sid,
                intake.received_at,
            )
            .await?;
            store::intake::mark_filed(conn, intake.id, case.id).await?;
            let update = BusMessage::CaseUpdated {
                case_id: case.id,
                owner_id: case.owner_id,
                kind: event_kind::CALL_RECEIVED.to_owned(),
            };
            (Filed::Joined { case_id: case.id }, vec![Outbox::enqueue(conn, &update).await?])
        }
    };
    let case_id = match filed {
        Filed::NewCase { case_id, .. } | Filed::Joined { case_id } => case_id,
        Filed::AlreadyFiled => return Ok((filed, outbox_ids)),
    };
    store::events::append(
        conn,
        case_id,
        event_kind::CALL_RECEIVED,
        ActorKind::Resident,
        None,
        serde_json::json!({ "call_sid": call_sid, "line_language": line }),
    )
    .await?;
    if let Some(call) = call {
        store::calls::link_case(conn, &call.sid, case_id).await?;
        if is_final_status(&call.status) && call.connected_at.is_none() {
            let case = store::cases::get(&mut *conn, case_id).await?.ok_or(batline_core::Error::NotFound("case"))?;
            let now = router.clock.now();
            let window = router.config.voice.call_back_window;
            let (_, ids) =
                call_back::request(conn, &case, Some(&call.sid), CallBackReason::HungUp, now, window).await?;
            outbox_ids.extend(ids);
        }
    }
    Ok((filed, outbox_ids))
}
