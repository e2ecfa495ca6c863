//! The owner calls the resident back.
//!
//! Batline rings the responder's own phone through Twilio (`Calls.json`);
//! when they pick up, the gateway tells them the case and dials the
//! resident from the city's number. Starting the call is the owner's
//! acknowledgement; the call-back task is done only once the resident
//! actually answers (the gateway hears that from Twilio).

use batline_core::{
    domain::{ActorKind, event_kind},
    outbox::Outbox,
    store::{self, calls::Call, responders::Responder},
};
use chrono::Utc;
use uuid::Uuid;

use crate::{
    http::error::ApiError,
    operations::{
        cases::{acknowledge_in, lock_own_open},
        outbox::publish,
    },
    state::AppState,
};

/// A second "call back" within this long of one still ringing is refused:
/// a double click must not ring the resident twice.
const RINGING_GUARD: chrono::Duration = chrono::Duration::minutes(2);

/// Starts a call-back on my case: rings my phone, then the resident.
pub async fn start_as(state: &AppState, me: &Responder, id: Uuid) -> Result<Call, ApiError> {
    // Checked in a transaction of its own: the Twilio request below must
    // not hold the case's lock for seconds.
    let mut tx = state.pool.begin().await?;
    // Ownership first: someone else's case is refused whatever their profile says.
    let case = lock_own_open(&mut tx, me, id).await?;
    let Some(my_phone) = me.phone.clone() else {
        return Err(batline_core::Error::Conflict(
            "your profile has no phone number for Batline to ring; ask an admin to add one".into(),
        )
        .into());
    };
    let resident_phone = store::cases::resident_phone(&mut *tx, case.id).await?.ok_or_else(|| {
        batline_core::Error::Conflict(format!(
            "the resident of case {} left no phone number; they can be reached at a walk-in desk",
            case.tracking_code
        ))
    })?;
    if store::calls::call_back_in_progress(&mut *tx, case.id, Utc::now() - RINGING_GUARD).await? {
        return Err(batline_core::Error::Conflict(format!(
            "a call-back on case {} is already ringing; wait for it to end",
            case.tracking_code
        ))
        .into());
    }
    tx.commit().await?;

    let twilio = state.twilio.as_ref().ok_or_else(|| {
        batline_core::Error::TwilioUnavailable("Twilio is not configured, so Batline cannot place calls".into())
    })?;
    let base = state.config.public_url.as_str().trim_end_matches('/');
    let twiml_url = format!("{base}/twilio/voice/call-back?case={}", case.id);
    let status_url = format!("{base}/twilio/voice/status");
    let placed = twilio.create_call(&my_phone, &twiml_url, &status_url).await?;

    let mut tx = state.pool.begin().await?;
    let case = lock_own_open(&mut tx, me, id).await?;
    store::calls::insert_call_back(&mut tx, &placed.sid, case.id, &resident_phone, me.id, &placed.status).await?;
    store::events::append(
        &mut tx,
        case.id,
        event_kind::CALL_BACK_STARTED,
        ActorKind::Responder,
        Some(me.id),
        serde_json::json!({ "call_sid": placed.sid }),
    )
    .await?;
    let mut ids = acknowledge_in(&mut tx, me, &case).await?.outbox_ids;
    let update = batline_core::bus::BusMessage::CaseUpdated {
        case_id: case.id,
        owner_id: case.owner_id,
        kind: event_kind::CALL_BACK_STARTED.to_owned(),
    };
    ids.push(Outbox::enqueue(&mut tx, &update).await?);
    let call = store::calls::lock(&mut tx, &placed.sid).await?.ok_or(batline_core::Error::NotFound("call"))?;
    tx.commit().await?;
    publish(state, &ids).await;
    tracing::info!(case_id = %case.id, call_sid = %placed.sid, "call-back placed");
    Ok(call)
}
