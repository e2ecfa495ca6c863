//! A responder's duty status. Going off duty asks a router to hand their open
//! cases on by the assignment rules; until it has, they remain the owner.

use axum::{
    Json,
    extract::{State, rejection::JsonRejection},
};
use batline_core::{
    bus::BusMessage,
    domain::DutyStatus,
    outbox::Outbox,
    store::{self, responders::Responder},
};
use serde::Deserialize;

use crate::{AppState, auth::SignedIn, cases::publish, error::ApiError};

/// Body of `PUT /api/v1/me/duty`.
#[derive(Debug, Deserialize)]
pub struct SetDuty {
    status: DutyStatus,
}

/// `PUT /api/v1/me/duty`: on duty, away (keeps cases, takes no new ones) or off.
pub async fn set(
    State(state): State<AppState>,
    SignedIn(me): SignedIn,
    body: Result<Json<SetDuty>, JsonRejection>,
) -> Result<Json<Responder>, ApiError> {
    let Json(body) = body?;
    let mut tx = state.pool.begin().await?;
    store::responders::set_duty_status(&mut *tx, me.id, body.status).await?;
    let mut ids = Vec::new();
    if body.status == DutyStatus::Off {
        ids.push(Outbox::enqueue(&mut tx, &BusMessage::ResponderWentOff { responder_id: me.id }).await?);
    }
    let me = store::responders::get(&mut *tx, me.id).await?.ok_or(batline_core::Error::NotFound("responder"))?;
    tx.commit().await?;
    publish(&state, &ids).await;
    Ok(Json(me))
}
