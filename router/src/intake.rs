//! Filing an intake row. It only dispatches: each row is filed by the
//! module of its channel in [`crate::channels`], inside a transaction that
//! locks the row first. Idempotent: the intake row remembers the case it was
//! filed into, so a redelivered message (after a crash between commit and
//! ack, say) finds it filed and changes nothing.
//!
//! The intake consumer ([`crate::group_filing`]) files deliveries many to a
//! transaction, locking their rows together and filing each with
//! [`file_locked`]; one that fails a group is filed again alone with
//! [`file`].
//!
//! Adding a channel is one new module in
//! [`crate::channels`], filing with the steps in [`crate::filing`], and one
//! line in the `match` in [`file_in`].

use batline_core::{
    Error, Result,
    domain::Channel,
    metrics,
    outbox::{NewRow, Outbox},
    store::{self, intake::Intake, outbox::OutboxRow},
};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::{channels, state::Router};

pub use crate::filing::{Filed, Notices};

/// Files one intake row into a case, in a transaction of its own.
#[tracing::instrument(skip(router))]
pub async fn file(router: &Router, intake_id: Uuid) -> Result<Filed> {
    let mut tx = router.pool.begin().await?;
    let filing = file_in(router, &mut tx, intake_id).await?;
    let announced = write_notices(&mut tx, &[&filing]).await?;
    tx.commit().await?;
    announce(router, &[&filing], announced).await;
    Ok(filing.filed)
}

/// One intake row filed inside a transaction not yet committed: what
/// [`write_notices`] and [`announce`] need.
#[derive(Debug)]
pub struct Filing {
    /// The row, as it was before filing.
    pub intake: Intake,
    /// What filing did.
    pub filed: Filed,
    /// What it announces.
    pub notices: Notices,
}

/// The outbox rows committed filings announce.
#[derive(Debug, Default)]
pub struct Announced {
    /// Written for them just before the commit, as written.
    rows: Vec<OutboxRow>,
    /// Written as they went, by shared code: known by id.
    ids: Vec<i64>,
}

/// Writes the notices `filings` left unwritten to the outbox in one
/// statement, and tells those waiting for them, inside their transaction,
/// just before its commit. Returns every outbox row they announce, for
/// [`announce`].
pub async fn write_notices(conn: &mut PgConnection, filings: &[&Filing]) -> Result<Announced> {
    // A caller held on the line and a desk holding its answer wait for
    // these filings (`filing_notices`); told on commit.
    let awaited: Vec<&str> = filings.iter().filter_map(|f| awaited_key(f)).collect();
    if !awaited.is_empty() {
        store::intake::notify_filed(conn, &awaited).await?;
    }
    let unwritten: Vec<NewRow> = filings.iter().flat_map(|f| f.notices.unwritten.iter().cloned()).collect();
    let ids = Outbox::enqueue_rows(conn, &unwritten).await?;
    Ok(Announced {
        rows: ids.into_iter().zip(unwritten).map(|(id, row)| OutboxRow::written(id, row)).collect(),
        ids: filings.iter().flat_map(|f| f.notices.written.iter().copied()).collect(),
    })
}

/// Files intake row `intake_id` inside the caller's transaction, locking
/// the row first. Any error leaves the transaction fit only to roll back.
pub async fn file_in(router: &Router, conn: &mut PgConnection, intake_id: Uuid) -> Result<Filing> {
    let Some(intake) = store::intake::lock(&mut *conn, intake_id).await? else {
        return Err(Error::NotFound("intake"));
    };
    file_locked(router, conn, intake).await
}

/// Files `intake`, whose row the caller's transaction has locked. Any error
/// leaves the transaction fit only to roll back.
pub async fn file_locked(router: &Router, conn: &mut PgConnection, intake: Intake) -> Result<Filing> {
    if intake.case_id.is_some() {
        return Ok(Filing { intake, filed: Filed::AlreadyFiled, notices: Notices::default() });
    }
    let (filed, notices) = match intake.channel {
        Channel::Sms => channels::sms::file(router, conn, &intake).await?,
        Channel::Voice => channels::voice::file(router, conn, &intake).await?,
        Channel::WalkIn => channels::walk_in::file(router, conn, &intake).await?,
        Channel::Chat => channels::chat::file(router, conn, &intake).await?,
        Channel::Open311 => channels::open311::file(router, conn, &intake).await?,
        Channel::Email => channels::email::file(router, conn, &intake).await?,
    };
    Ok(Filing { intake, filed, notices })
}

/// The key a caller or a desk waits on for `filing`: a call's or a walk-in
/// ticket's provider id, once it is newly filed.
fn awaited_key(filing: &Filing) -> Option<&str> {
    let waited_for = matches!(filing.intake.channel, Channel::Voice | Channel::WalkIn);
    let newly_filed = !matches!(filing.filed, Filed::AlreadyFiled);
    if waited_for && newly_filed { filing.intake.provider_id.as_deref() } else { None }
}

/// After the commit of `filings`: counts them and publishes the outbox rows
/// they announce ([`write_notices`]), together, without reading back those
/// written as the commit's last statement.
pub async fn announce(router: &Router, filings: &[&Filing], announced: Announced) {
    for filing in filings {
        count_filed(&filing.intake, &filing.filed);
    }
    // The commit is what counts; publishing now just saves the relay's poll.
    let (written, by_id) =
        tokio::join!(router.outbox.publish_written(announced.rows), router.outbox.publish_now(&announced.ids));
    if let Err(e) = written.and(by_id) {
        tracing::debug!(error = %e, "left to the outbox relay");
        router.outbox.kick();
    }
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
