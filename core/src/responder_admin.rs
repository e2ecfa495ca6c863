//! Administering responders: the rules that hold whichever door a change
//! comes through (console API or CLI).
//!
//! - There is always exactly one backstop: designating one moves the role,
//!   and the current backstop cannot simply be undesignated.
//! - Going off duty queues a hand-on of the responder's open cases (the
//!   outbox row is published by whichever Batline process relays first).
//! - A username is kept folded and may not pass for another's; a display
//!   name holds nothing invisible and no bidirectional control
//!   ([`account_names`]).

use sqlx::PgPool;
use uuid::Uuid;

use crate::{
    Error, Result, account_names,
    bus::BusMessage,
    domain::DutyStatus,
    outbox::Outbox,
    store::{
        self,
        responders::{NewResponder, Responder, ResponderPatch},
    },
};

fn validate(display_name: Option<&str>, capacity: Option<i32>) -> Result<()> {
    if let Some(name) = display_name {
        account_names::display_name(name)?;
    }
    if capacity.is_some_and(|c| !(0..=1000).contains(&c)) {
        return Err(Error::Invalid("capacity must be between 0 and 1000 open cases".into()));
    }
    Ok(())
}

/// Adds a responder, under its username folded ([`account_names::username`]):
/// one that looks like another's is refused, and so is a second backstop.
pub async fn add(pool: &PgPool, new: &NewResponder) -> Result<Responder> {
    validate(Some(&new.display_name), Some(new.capacity))?;
    let username = account_names::username(&new.username)?;
    let new = NewResponder {
        username,
        display_name: account_names::display_name(&new.display_name)?.to_owned(),
        ..new.clone()
    };
    store::responders::insert(pool, &new).await.map_err(|e| match e {
        Error::Database(ref db) if store::is_unique_violation(db, "responders_username_key") => {
            Error::Conflict(format!("a responder called {:?} exists already", new.username))
        }
        Error::Database(ref db) if store::is_unique_violation(db, "responders_username_look_alike") => {
            Error::Conflict(format!(
                "{:?} looks like another responder's username (0 and o, 1 and l, rn and m, vv and w read alike)",
                new.username
            ))
        }
        Error::Database(ref db) if store::is_unique_violation(db, "responders_single_backstop") => Error::Conflict(
            "there is a backstop already; designate the new one with an update, which moves the role".into(),
        ),
        other => other,
    })
}

/// Optional fields to empty, which a [`ResponderPatch`] cannot express
/// (a field it leaves `None` keeps its value).
#[derive(Debug, Clone, Copy, Default)]
pub struct Unset {
    /// Remove the phone.
    pub phone: bool,
    /// Remove the home walk-in point.
    pub home_point: bool,
}

/// Applies `patch` to responder `id`; returns the responder as now stored.
pub async fn update(pool: &PgPool, id: Uuid, patch: &ResponderPatch) -> Result<Responder> {
    update_with(pool, id, patch, Unset::default()).await
}

/// Applies `patch` and empties the fields `unset` names, in one transaction
/// (a form that shows every field sends an empty phone to mean "none").
pub async fn update_with(pool: &PgPool, id: Uuid, patch: &ResponderPatch, unset: Unset) -> Result<Responder> {
    validate(patch.display_name.as_deref(), patch.capacity)?;
    let trimmed = patch.display_name.as_deref().map(account_names::display_name).transpose()?.map(str::to_owned);
    let patch = &ResponderPatch { display_name: trimmed, ..patch.clone() };
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
    let mut updated = updated.ok_or(Error::NotFound("responder"))?;
    if unset.phone || unset.home_point {
        store::responders::clear_optional(&mut tx, id, unset.phone, unset.home_point).await?;
        if unset.phone {
            updated.phone = None;
        }
        if unset.home_point {
            updated.home_point_id = None;
        }
    }
    if patch.duty_status == Some(DutyStatus::Off) && current.duty_status != DutyStatus::Off {
        Outbox::enqueue(&mut tx, &BusMessage::ResponderWentOff { responder_id: id }).await?;
    }
    tx.commit().await?;
    Ok(updated)
}

/// Gives responder `id` a new password (already hashed) and ends their
/// sessions, so whoever knew the old one is signed out everywhere.
pub async fn reset_password(pool: &PgPool, id: Uuid, password_hash: &str) -> Result<()> {
    let mut tx = pool.begin().await?;
    if !store::responders::set_password_hash(&mut tx, id, password_hash).await? {
        return Err(Error::NotFound("responder"));
    }
    store::sessions::delete_for_responder(&mut *tx, id).await?;
    tx.commit().await?;
    Ok(())
}
