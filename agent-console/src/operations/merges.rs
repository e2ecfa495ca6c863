//! Merging two open cases that are one matter (the same person's SMS and
//! email about one thing, say) into one, and a lead undoing it. The merged
//! case is closed as merged into the surviving one: its thread shows on
//! the surviving case's page in order with the other, its tracking code
//! leads there, and its resident's follow-ups join the surviving case. Both
//! timelines say who merged and why. Nothing is sent to the resident: the
//! surviving case's owner is the one they hear from.

use batline_core::{
    bus::BusMessage,
    domain::SlaTarget,
    domain::{ActorKind, CallBackStatus, CaseStatus, event_kind},
    outbox::Outbox,
    store::{self, cases::Case, responders::Responder},
    texts,
    tracking_code::TrackingCode,
};
use uuid::Uuid;

use crate::{
    http::error::ApiError,
    operations::{cases::refuse_desk, fields::text_field, outbox::publish},
    state::AppState,
};

/// Longest reason for a merge or its undoing.
pub const MAX_REASON_CHARS: usize = 1000;

fn updated(case: &Case, kind: &str) -> BusMessage {
    BusMessage::CaseUpdated { case_id: case.id, owner_id: case.owner_id, kind: kind.to_owned() }
}

/// Merges open case `id` into the open case with tracking code `into`. Its
/// owner may when they own both; a lead, the mayor or an admin may merge
/// any two. Returns the surviving case.
pub async fn merge_as(state: &AppState, me: &Responder, id: Uuid, into: &str, reason: &str) -> Result<Case, ApiError> {
    refuse_desk(me)?;
    let reason = text_field(reason, "reason", MAX_REASON_CHARS)?;
    let code = TrackingCode::parse(into.trim())?;
    let mut tx = state.pool.begin().await?;
    let target = store::cases::by_tracking_code(&mut *tx, &code).await?.ok_or(batline_core::Error::NotFound("case"))?;
    if target.id == id {
        return Err(batline_core::Error::Conflict(format!(
            "case {} cannot be merged into itself",
            target.tracking_code
        ))
        .into());
    }
    // Locked in one order whoever merges which into which: two merges of
    // the same pair cannot deadlock.
    let (first, second) = if id < target.id { (id, target.id) } else { (target.id, id) };
    let a = store::cases::lock(&mut tx, first).await?.ok_or(batline_core::Error::NotFound("case"))?;
    let b = store::cases::lock(&mut tx, second).await?.ok_or(batline_core::Error::NotFound("case"))?;
    let (source, target) = if a.id == id { (a, b) } else { (b, a) };
    let may = me.role.may_reassign() || (source.owner_id == me.id && target.owner_id == me.id);
    if !may {
        return Err(ApiError::Forbidden(format!(
            "only the owner of both {} and {} (or a lead) can merge them; hand one over first",
            source.tracking_code, target.tracking_code
        )));
    }
    for case in [&source, &target] {
        if case.status != CaseStatus::Open {
            return Err(batline_core::Error::Conflict(format!(
                "case {} is not open; only open cases are merged",
                case.tracking_code
            ))
            .into());
        }
    }
    let summary = texts::merged_into(source.language, &target.tracking_code);
    let merged = store::cases::merge(&mut tx, source.id, target.id, &summary)
        .await?
        .ok_or_else(|| batline_core::Error::Conflict(format!("case {} is not open", source.tracking_code)))?;
    // The merged case's promises are now the surviving case's to keep.
    store::sla::mark_met(&mut tx, source.id, SlaTarget::FirstResponse).await?;
    store::sla::mark_met(&mut tx, source.id, SlaTarget::Resolution).await?;
    store::call_backs::close(&mut tx, source.id, CallBackStatus::Cancelled, None).await?;
    let by = Some(me.id);
    let into_data = serde_json::json!({ "into": target.tracking_code, "into_id": target.id, "reason": reason });
    store::events::append(&mut tx, source.id, event_kind::MERGED, ActorKind::Responder, by, into_data).await?;
    let from_data = serde_json::json!({ "from": source.tracking_code, "from_id": source.id, "reason": reason });
    store::events::append(&mut tx, target.id, event_kind::MERGED_IN, ActorKind::Responder, by, from_data).await?;
    let ids = vec![
        Outbox::enqueue(&mut tx, &updated(&merged, event_kind::MERGED)).await?,
        Outbox::enqueue(&mut tx, &updated(&target, event_kind::MERGED_IN)).await?,
    ];
    tx.commit().await?;
    tracing::info!(from = %source.tracking_code, into = %target.tracking_code, "cases merged");
    publish(state, &ids).await;
    Ok(target)
}

/// Undoes the merge of case `id`: it is open on its own again with its
/// owner, who acknowledges it again. Only a lead, the mayor or an admin.
pub async fn unmerge_as(state: &AppState, me: &Responder, id: Uuid, reason: &str) -> Result<Case, ApiError> {
    refuse_desk(me)?;
    if !me.role.may_reassign() {
        return Err(ApiError::Forbidden("only a lead can undo a merge".into()));
    }
    let reason = text_field(reason, "reason", MAX_REASON_CHARS)?;
    let mut tx = state.pool.begin().await?;
    let case = store::cases::lock(&mut tx, id).await?.ok_or(batline_core::Error::NotFound("case"))?;
    let Some(into) = case.merged_into else {
        return Err(batline_core::Error::Conflict(format!("case {} is not merged", case.tracking_code)).into());
    };
    let window = chrono::Duration::from_std(state.config.ack_windows.for_channel(case.channel))
        .map_err(|e| batline_core::Error::Config(format!("acknowledgement window: {e}")))?;
    let reopened = match store::cases::unmerge(&mut tx, case.id, chrono::Utc::now() + window).await {
        Ok(Some(reopened)) => reopened,
        Ok(None) => {
            return Err(batline_core::Error::Conflict(format!("case {} is not merged", case.tracking_code)).into());
        }
        Err(batline_core::Error::Database(e)) if store::is_unique_violation(&e, "cases_single_open_per_resident") => {
            return Err(batline_core::Error::Conflict(format!(
                "the resident of {} has another open case now; resolve or merge that one first",
                case.tracking_code
            ))
            .into());
        }
        Err(e) => return Err(e.into()),
    };
    store::sla::resume(&mut tx, case.id, SlaTarget::Resolution).await?;
    if reopened.first_response_at.is_none() {
        store::sla::resume(&mut tx, case.id, SlaTarget::FirstResponse).await?;
    }
    let into_case = store::cases::get(&mut *tx, into).await?.ok_or(batline_core::Error::NotFound("case"))?;
    let by = Some(me.id);
    let data = serde_json::json!({ "from": case.tracking_code, "into": into_case.tracking_code, "reason": reason });
    for at in [case.id, into_case.id] {
        store::events::append(&mut tx, at, event_kind::UNMERGED, ActorKind::Responder, by, data.clone()).await?;
    }
    let ids = vec![
        Outbox::enqueue(&mut tx, &updated(&reopened, event_kind::UNMERGED)).await?,
        Outbox::enqueue(&mut tx, &updated(&into_case, event_kind::UNMERGED)).await?,
    ];
    tx.commit().await?;
    tracing::info!(case = %case.tracking_code, from = %into_case.tracking_code, "merge undone");
    publish(state, &ids).await;
    Ok(reopened)
}
