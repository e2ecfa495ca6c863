//! Hand-off offers between responders.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use crate::{Result, domain::HandoffStatus};

/// A hand-off offer as stored.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Handoff {
    /// Stable id.
    pub id: Uuid,
    /// The case offered.
    pub case_id: Uuid,
    /// The owner who offered it.
    pub from_id: Uuid,
    /// The colleague it is offered to.
    pub to_id: Uuid,
    /// The owner's note to the colleague.
    pub note: String,
    /// Where it stands.
    pub status: HandoffStatus,
    /// When it was offered.
    pub offered_at: DateTime<Utc>,
    /// When it lapses unanswered.
    pub expires_at: DateTime<Utc>,
    /// When it was answered or lapsed.
    pub answered_at: Option<DateTime<Utc>>,
    /// The colleague's reason for declining, if given.
    pub answer_note: Option<String>,
}

/// An offer as the colleague's list shows it.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct OfferView {
    /// The offer.
    #[sqlx(flatten)]
    #[serde(flatten)]
    pub handoff: Handoff,
    /// The case's code.
    pub tracking_code: String,
    /// Who offers it.
    pub from_name: String,
}

/// Records an offer; `None` if the case already has an open offer.
#[tracing::instrument(skip(conn, note))]
pub async fn insert(
    conn: &mut PgConnection,
    case_id: Uuid,
    from_id: Uuid,
    to_id: Uuid,
    note: &str,
    expires_at: DateTime<Utc>,
) -> Result<Option<Handoff>> {
    Ok(sqlx::query_as(
        "INSERT INTO handoffs (id, case_id, from_id, to_id, note, expires_at) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (case_id) WHERE status = 'offered' DO NOTHING
         RETURNING *",
    )
    .bind(Uuid::new_v4())
    .bind(case_id)
    .bind(from_id)
    .bind(to_id)
    .bind(note)
    .bind(expires_at)
    .fetch_optional(conn)
    .await?)
}

/// An offer, locked for the rest of the transaction.
#[tracing::instrument(skip(conn))]
pub async fn lock(conn: &mut PgConnection, id: Uuid) -> Result<Option<Handoff>> {
    Ok(sqlx::query_as("SELECT * FROM handoffs WHERE id = $1 FOR UPDATE").bind(id).fetch_optional(conn).await?)
}

/// Closes an open offer with `status`.
#[tracing::instrument(skip(conn, answer_note))]
pub async fn close(conn: &mut PgConnection, id: Uuid, status: HandoffStatus, answer_note: Option<&str>) -> Result<()> {
    sqlx::query(
        "UPDATE handoffs SET status = $2, answered_at = clock_timestamp(), answer_note = $3
         WHERE id = $1 AND status = 'offered'",
    )
    .bind(id)
    .bind(status)
    .bind(answer_note)
    .execute(conn)
    .await?;
    Ok(())
}

/// Open offers made to `to_id`, oldest first.
#[tracing::instrument(skip(e))]
pub async fn open_for(e: impl PgExecutor<'_>, to_id: Uuid) -> Result<Vec<OfferView>> {
    Ok(sqlx::query_as(
        "SELECT h.*, c.tracking_code, r.display_name AS from_name
         FROM handoffs h JOIN cases c ON c.id = h.case_id JOIN responders r ON r.id = h.from_id
         WHERE h.to_id = $1 AND h.status = 'offered'
         ORDER BY h.offered_at",
    )
    .bind(to_id)
    .fetch_all(e)
    .await?)
}

/// Open offers past their time, locked; rows another router holds are skipped.
#[tracing::instrument(skip(conn))]
pub async fn claim_expired(conn: &mut PgConnection, now: DateTime<Utc>, limit: i64) -> Result<Vec<Handoff>> {
    Ok(sqlx::query_as(
        "SELECT * FROM handoffs WHERE status = 'offered' AND expires_at <= $1
         ORDER BY expires_at LIMIT $2
         FOR UPDATE SKIP LOCKED",
    )
    .bind(now)
    .bind(limit)
    .fetch_all(conn)
    .await?)
}

/// Whom the case's latest hand-off was offered to, whatever became of it.
#[tracing::instrument(skip(e))]
pub async fn latest_offered_to(e: impl PgExecutor<'_>, case_id: Uuid) -> Result<Option<Uuid>> {
    Ok(sqlx::query_scalar("SELECT to_id FROM handoffs WHERE case_id = $1 ORDER BY offered_at DESC LIMIT 1")
        .bind(case_id)
        .fetch_optional(e)
        .await?)
}

/// Whether the case has an offer waiting for an answer.
#[tracing::instrument(skip(e))]
pub async fn open_for_case(e: impl PgExecutor<'_>, case_id: Uuid) -> Result<bool> {
    Ok(sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM handoffs WHERE case_id = $1 AND status = 'offered')")
        .bind(case_id)
        .fetch_one(e)
        .await?)
}

/// An offer withdrawn, with the name of the colleague it was made to.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct WithdrawnOffer {
    /// The offer, as now stored.
    #[sqlx(flatten)]
    pub handoff: Handoff,
    /// The colleague it was made to.
    pub to_name: String,
}

/// Withdraws every open offer made to or by `responder_id` (who went off
/// duty: an offer to them would wait for someone not there, and a case they
/// offered is being handed on by the rules); returns the offers withdrawn.
#[tracing::instrument(skip(conn))]
pub async fn withdraw_involving(conn: &mut PgConnection, responder_id: Uuid) -> Result<Vec<WithdrawnOffer>> {
    Ok(sqlx::query_as(
        "UPDATE handoffs h SET status = 'withdrawn', answered_at = clock_timestamp()
         FROM responders r
         WHERE r.id = h.to_id AND h.status = 'offered' AND (h.to_id = $1 OR h.from_id = $1)
         RETURNING h.*, r.display_name AS to_name",
    )
    .bind(responder_id)
    .fetch_all(conn)
    .await?)
}
