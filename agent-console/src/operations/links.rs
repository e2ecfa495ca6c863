//! Linking the residents of two cases who are one person (the SMS sender
//! of one case and the emailer of another, say): from then on they are one
//! resident, known by every address either had, whose follow-ups on any
//! channel file into their open case and who can be answered on any of
//! them. The rules are `batline_core::resident_link`'s; this adds who may,
//! and the two timelines.

use batline_core::{
    bus::BusMessage,
    domain::{ActorKind, event_kind},
    outbox::Outbox,
    resident_link,
    store::{self, cases::Case, responders::Responder},
    tracking_code::TrackingCode,
};
use uuid::Uuid;

use crate::{
    http::error::ApiError,
    operations::{cases::refuse_desk, fields::text_field, merges::MAX_REASON_CHARS, outbox::publish},
    state::AppState,
};

/// Links the resident of case `id` with the resident of the case with
/// tracking code `with`. The case's owner may, or a lead, the mayor or an
/// admin. Returns case `id` as it is now.
pub async fn link_as(state: &AppState, me: &Responder, id: Uuid, with: &str, reason: &str) -> Result<Case, ApiError> {
    refuse_desk(me)?;
    let reason = text_field(reason, "reason", MAX_REASON_CHARS)?;
    let code = TrackingCode::parse(with.trim())?;
    let mut tx = state.pool.begin().await?;
    let case = store::cases::get(&mut *tx, id).await?.ok_or(batline_core::Error::NotFound("case"))?;
    if case.owner_id != me.id && !me.role.may_reassign() {
        return Err(ApiError::Forbidden(format!(
            "only the owner of {} (or a lead) can link its resident",
            case.tracking_code
        )));
    }
    let other = store::cases::by_tracking_code(&mut *tx, &code).await?.ok_or(batline_core::Error::NotFound("case"))?;
    let linked = resident_link::link(&mut tx, case.resident_id, other.resident_id, Some(me.id), &reason)
        .await?
        .map_err(|refused| batline_core::Error::Conflict(format!("not linked: {refused}")))?;
    let by = Some(me.id);
    for (at, with) in [(&case, &other), (&other, &case)] {
        let data = serde_json::json!({ "with": with.tracking_code, "with_id": with.id, "reason": reason });
        store::events::append(&mut tx, at.id, event_kind::RESIDENT_LINKED, ActorKind::Responder, by, data).await?;
    }
    let mut ids = Vec::new();
    for at in [&case, &other] {
        let update =
            BusMessage::CaseUpdated { case_id: at.id, owner_id: at.owner_id, kind: event_kind::RESIDENT_LINKED.into() };
        ids.push(Outbox::enqueue(&mut tx, &update).await?);
    }
    let case = store::cases::get(&mut *tx, id).await?.ok_or(batline_core::Error::NotFound("case"))?;
    tx.commit().await?;
    tracing::info!(
        case = %case.tracking_code,
        with = %other.tracking_code,
        moved_cases = linked.moved_cases.len(),
        "residents linked"
    );
    publish(state, &ids).await;
    Ok(case)
}
