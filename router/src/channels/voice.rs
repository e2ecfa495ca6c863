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
    Result, call_back,
    domain::{ActorKind, CallBackReason, event_kind},
    store::{self, calls::is_final_status, events::NewEvent, intake::Intake},
    texts,
};
use sqlx::PgConnection;

use crate::{
    filing::{self, AutoReply, Filed, Notices, Opening, Outcome},
    state::Router,
};

/// Files one call, inside the caller's transaction.
pub async fn file(router: &Router, conn: &mut PgConnection, intake: &Intake) -> Result<Outcome> {
    let line = intake.recipient.as_deref().and_then(|to| router.config.voice.line_language(to));
    // Locks the resident: everything filed for one resident is serialised.
    let resident = store::residents::upsert_by_phone(conn, &intake.sender, line.unwrap_or_default()).await?;
    let language = line.unwrap_or(resident.language);
    // The call row is locked too, so a status callback saying the caller
    // hung up is either seen here or sees the case this files.
    let call = store::calls::lock_by_intake(conn, intake.id).await?;
    let call_sid = intake.provider_id.as_deref();
    let received = NewEvent {
        kind: event_kind::CALL_RECEIVED,
        actor_kind: ActorKind::Resident,
        actor_id: None,
        data: serde_json::json!({ "call_sid": call_sid, "line_language": line }),
    };

    let (filed, mut notices) = match filing::open_case_of(conn, &resident).await? {
        None => {
            if language != resident.language {
                store::residents::set_language(conn, resident.id, language).await?;
            }
            let previous_owner = filing::previous_owner_of(router, conn, &resident).await?;
            // The call goes on the new case's timeline in the case's own statement.
            let opening = Opening { then: vec![received], ..Opening::new(resident.id, language, previous_owner) };
            filing::open_case(router, conn, intake, opening, |code, owner| {
                // The caller hears the owner's name; the text gives them the code.
                let track_url = router.config.tracking_url(code);
                AutoReply::Send(texts::voice::call_receipt(language, owner, code, &track_url))
            })
            .await?
        }
        // The call is on the timeline as `call_received`, so it joins
        // without a resident-message event of its own.
        Some(case) => {
            filing::file_message(conn, case.id, intake).await?;
            store::events::append(conn, case.id, received.kind, received.actor_kind, None, received.data).await?;
            let mut notices = Notices::default();
            notices.tell(&filing::case_updated(&case, event_kind::CALL_RECEIVED))?;
            (Filed::Joined { case_id: case.id }, notices)
        }
    };
    let case_id = match filed {
        Filed::NewCase { case_id, .. } | Filed::Joined { case_id } => case_id,
        Filed::AlreadyFiled => return Ok((filed, notices)),
    };
    if let Some(call) = call {
        store::calls::link_case(conn, &call.sid, case_id).await?;
        if is_final_status(&call.status) && call.connected_at.is_none() {
            let case = store::cases::get(&mut *conn, case_id).await?.ok_or(batline_core::Error::NotFound("case"))?;
            let now = router.clock.now();
            let window = router.config.voice.call_back_window;
            let (_, ids) =
                call_back::request(conn, &case, Some(&call.sid), CallBackReason::HungUp, now, window).await?;
            notices.written(ids);
        }
    }
    Ok((filed, notices))
}
