//! The intake consumer. It only dispatches: each intake row is filed by the
//! module of its channel in [`crate::channels`], inside one transaction that
//! locks the row first. Idempotent: the intake row remembers the case it was
//! filed into, so a redelivered message (after a crash between commit and
//! ack, say) finds it filed and changes nothing.
//!
//! Adding a channel is one new module in
//! [`crate::channels`], filing with the steps in [`crate::filing`], and one
//! line in the `match` in [`file`].

use batline_core::{
    Error, Result,
    bus::BusMessage,
    domain::Channel,
    metrics,
    store::{self, intake::Intake},
};
use uuid::Uuid;

use crate::{channels, state::Router};

pub use crate::filing::Filed;

/// Handles one bus message from the intake queue.
pub async fn handle(router: &Router, payload: &[u8]) -> Result<()> {
    match serde_json::from_slice::<BusMessage>(payload)? {
        BusMessage::IntakeArrived { intake_id, .. } => {
            let filed = file(router, intake_id).await?;
            tracing::debug!(%intake_id, ?filed, "intake filed");
            Ok(())
        }
        other => Err(Error::Invalid(format!("the intake queue does not take {other:?}"))),
    }
}

/// Files one intake row into a case, in one transaction.
#[tracing::instrument(skip(router))]
pub async fn file(router: &Router, intake_id: Uuid) -> Result<Filed> {
    let mut tx = router.pool.begin().await?;
    let Some(intake) = store::intake::lock(&mut tx, intake_id).await? else {
        return Err(Error::NotFound("intake"));
    };
    if intake.case_id.is_some() {
        tx.commit().await?;
        return Ok(Filed::AlreadyFiled);
    }
    let (filed, outbox_ids) = match intake.channel {
        Channel::Sms => channels::sms::file(router, &mut tx, &intake).await?,
        Channel::Voice => channels::voice::file(router, &mut tx, &intake).await?,
        Channel::WalkIn => channels::walk_in::file(router, &mut tx, &intake).await?,
        Channel::Chat => channels::chat::file(router, &mut tx, &intake).await?,
        Channel::Open311 => channels::open311::file(router, &mut tx, &intake).await?,
        Channel::Email => channels::email::file(router, &mut tx, &intake).await?,
    };
    // A caller held on the line and a desk holding its answer wait for
    // this filing (`filing_notices`); told on commit.
    if matches!(intake.channel, Channel::Voice | Channel::WalkIn)
        && !matches!(filed, Filed::AlreadyFiled)
        && let Some(key) = intake.provider_id.as_deref()
    {
        store::intake::notify_filed(&mut tx, key).await?;
    }
    tx.commit().await?;
    count_filed(&intake, &filed);
    // The commit is what counts; publishing now just saves the relay's poll.
    if let Err(e) = router.outbox.publish_now(&outbox_ids).await {
        tracing::debug!(error = %e, "left to the outbox relay");
        router.outbox.kick();
    }
    Ok(filed)
}

/// Counts a committed filing: its latency from arrival by the wall clock
/// (it measures real delay, whatever the router's clock says), the case
/// opened and the rule that chose its owner.
fn count_filed(intake: &Intake, filed: &Filed) {
    let latency = (chrono::Utc::now() - intake.received_at).to_std().unwrap_or_default();
    let rule = match filed {
        Filed::NewCase { rule, .. } => Some(*rule),
        Filed::Joined { .. } => None,
        Filed::AlreadyFiled => return,
    };
    metrics::filed(intake.channel, latency, rule.is_some());
    if let Some(rule) = rule {
        metrics::assigned(rule.label());
    }
}
