//! Administering responders: the rules that hold whichever door a change
//! comes through (console API or CLI).
//!
//! - There is always exactly one backstop: designating one moves the role,
//!   and the current backstop cannot simply be undesignated.
//! - Going off duty queues a hand-on of the responder's open cases (the
//!   outbox row is published by whichever Batline process relays first).

use sqlx::PgPool;
use uuid::Uuid;

use crate::{
    Error, Result,
    bus::BusMessage,
    domain::DutyStatus,
    outbox::Outbox,
    store::{
        self,
        responders::{NewResponder, Responder, ResponderPatch},
    },
};

fn validate(display_name: Option<&str>, capacity: Option<i32>) -> Result<()> {
    if display_name.is_some_and(|n| n.trim().is_empty() || n.chars().count() > 80) {
        return Err(Error::Invalid("the display name needs 1 to 80 characters".into()));
    }
    if capacity.is_some_and(|c| !(0..=1000).contains(&c)) {
        return Err(Error::Invalid("capacity must be between 0 and 1000 open cases".into()));
    }
    Ok(())
}

/// Adds a responder. A second backstop is refused.
pub async fn add(pool: &PgPool, new: &NewResponder) -> Result<Responder> {
    validate(Some(&new.display_name), Some(new.capacity))?;
    if new.username.trim().is_empty() || new.username.len() > 64 {
        return Err(Error::Invalid("the username needs 1 to 64 characters".into()));
    }
    store::responders::insert(pool, new).await.map_err(|e| match e {
        Error::Database(ref db) if store::is_unique_violation(db, "responders_username_key") => {
            Error::Conflict(format!("a responder called {:?} exists already", new.username))
        }
        Error::Database(ref db) if store::is_unique_violation(db, "responders_single_backstop") => Error::Conflict(
            "there is a backstop already; designate the new one with an update, which moves the role".into(),
        ),
        other => other,
    })
}

/// Applies `patch` to responder `id`; returns the responder as now stored.
pub async fn update(pool: &PgPool, id: Uuid, patch: &ResponderPatch) -> Result<Responder> {
    validate(patch.display_name.as_deref(), patch.capacity)?;
    let mut tx = pool.begin().await?;
    let current = store::responders::get(&mut *tx, id).await?.ok_or(Error::NotFound("responder"))?;
    match patch.is_backstop {
        Some(true) if !current.is_backstop => store::responders::clear_backstop(&mut tx).await?,
        Some(false) if current.is_backstop => {
            return Err(Error::Conflict(
                "there must always be a backstop: designate another responder first, which moves the role".into(),
            ));
        }
        _ => {}
    }
    let updated = store::responders::update(&mut tx, id, patch).await.map_err(|e| match e {
        Error::Database(sqlx::Error::Database(ref db)) if db.code().as_deref() == Some("23503") => {
            Error::Invalid("there is no such walk-in point".into())
        }
        other => other,
    })?;
    let updated = updated.ok_or(Error::NotFound("responder"))?;
    if patch.duty_status == Some(DutyStatus::Off) && current.duty_status != DutyStatus::Off {
        Outbox::enqueue(&mut tx, &BusMessage::ResponderWentOff { responder_id: id }).await?;
    }
    tx.commit().await?;
    Ok(updated)
}
