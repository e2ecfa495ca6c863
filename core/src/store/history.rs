//! Writes stamped with a time the caller gives: a past day of the line's
//! life, for the demo city's history (`batline up`). Every other writer
//! stamps `clock_timestamp()`, which is right for what happens now and
//! cannot say "at 09:12 this morning". Each function is the timed twin of
//! the store or domain step named on it, and writes the same columns; the
//! steps that take no time of their own (opening a case with its clocks,
//! meeting a clock, a sweep's warnings and breaches at a given `now`) are
//! used as they are.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::{
    Result,
    domain::{ActorKind, DeliveryStatus, HandoffStatus},
    store::{intake::NewIntake, messages::NewOutbound, walk_in_tickets::NewTicket},
};

/// [`super::intake::insert`], received at `received_at`.
#[tracing::instrument(skip_all)]
pub async fn intake_at(conn: &mut PgConnection, new: &NewIntake, received_at: DateTime<Utc>) -> Result<Uuid> {
    Ok(sqlx::query_scalar(
        "INSERT INTO intake (id, channel, provider_id, sender, recipient, body, raw, received_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         RETURNING id",
    )
    .bind(Uuid::new_v4())
    .bind(new.channel)
    .bind(&new.provider_id)
    .bind(&new.sender)
    .bind(&new.recipient)
    .bind(&new.body)
    .bind(&new.raw)
    .bind(received_at)
    .fetch_one(conn)
    .await?)
}

/// [`super::intake::mark_filed`], filed at `at`.
#[tracing::instrument(skip(conn))]
pub async fn filed_at(conn: &mut PgConnection, intake_id: Uuid, case_id: Uuid, at: DateTime<Utc>) -> Result<()> {
    sqlx::query("UPDATE intake SET case_id = $2, filed_at = $3 WHERE id = $1")
        .bind(intake_id)
        .bind(case_id)
        .bind(at)
        .execute(conn)
        .await?;
    Ok(())
}

/// The owner a new case was opened with ([`super::cases::insert`]) had it
/// from `at`: the filing's moment, not the seeding's.
#[tracing::instrument(skip(conn))]
pub async fn owned_since(conn: &mut PgConnection, case_id: Uuid, at: DateTime<Utc>) -> Result<()> {
    sqlx::query("UPDATE cases SET owner_assigned_at = $2, owned_at = $2 WHERE id = $1")
        .bind(case_id)
        .bind(at)
        .execute(conn)
        .await?;
    Ok(())
}

/// [`super::events::append`], happened at `at`.
#[tracing::instrument(skip(conn, data))]
pub async fn event_at(
    conn: &mut PgConnection,
    case_id: Uuid,
    kind: &str,
    actor: (ActorKind, Option<Uuid>),
    data: serde_json::Value,
    at: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO case_events (case_id, kind, actor_kind, actor_id, data, at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(case_id)
    .bind(kind)
    .bind(actor.0)
    .bind(actor.1)
    .bind(data)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(())
}

/// [`super::messages::insert_outbound`] written at `at` and already handed
/// to the provider, who reported `status` a few seconds later.
#[tracing::instrument(skip(conn, new), fields(case_id = %new.case_id))]
pub async fn outbound_at(
    conn: &mut PgConnection,
    new: &NewOutbound<'_>,
    status: DeliveryStatus,
    at: DateTime<Utc>,
) -> Result<Uuid> {
    Ok(sqlx::query_scalar(
        "INSERT INTO messages (id, case_id, direction, channel, kind, body, author_id, delivery_status, attempts,
                               created_at, updated_at)
         VALUES ($1, $2, 'outbound', $3, $4, $5, $6, $7, 1, $8, $8 + interval '4 seconds')
         RETURNING id",
    )
    .bind(Uuid::new_v4())
    .bind(new.case_id)
    .bind(new.channel)
    .bind(new.kind)
    .bind(new.body)
    .bind(new.author_id)
    .bind(status)
    .bind(at)
    .fetch_one(conn)
    .await?)
}

/// [`super::cases::acknowledge`] at `at`.
#[tracing::instrument(skip(conn))]
pub async fn acknowledged_at(conn: &mut PgConnection, case_id: Uuid, at: DateTime<Utc>) -> Result<()> {
    sqlx::query("UPDATE cases SET acknowledged_at = $2, ack_due_at = NULL WHERE id = $1 AND acknowledged_at IS NULL")
        .bind(case_id)
        .bind(at)
        .execute(conn)
        .await?;
    Ok(())
}

/// [`super::cases::mark_first_response`] at `at`; the clock is met from it
/// by [`super::sla::mark_met`] as usual.
#[tracing::instrument(skip(conn))]
pub async fn first_response_at(conn: &mut PgConnection, case_id: Uuid, at: DateTime<Utc>) -> Result<()> {
    sqlx::query("UPDATE cases SET first_response_at = COALESCE(first_response_at, $2) WHERE id = $1")
        .bind(case_id)
        .bind(at)
        .execute(conn)
        .await?;
    Ok(())
}

/// [`super::cases::resolve`] at `at`; the clock is met from it by
/// [`super::sla::mark_met`] as usual.
#[tracing::instrument(skip(conn, summary))]
pub async fn resolved_at(conn: &mut PgConnection, case_id: Uuid, summary: &str, at: DateTime<Utc>) -> Result<()> {
    sqlx::query(
        "UPDATE cases SET status = 'resolved', resolved_at = $3, resolution_summary = $2
         WHERE id = $1 AND status = 'open'",
    )
    .bind(case_id)
    .bind(summary)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(())
}

/// [`super::cases::mark_satisfaction_asked`] at `asked_at` and, when the
/// resident answered, [`super::cases::record_satisfaction`] with
/// `(score, at)`.
#[tracing::instrument(skip(conn))]
pub async fn satisfaction_at(
    conn: &mut PgConnection,
    case_id: Uuid,
    asked_at: DateTime<Utc>,
    answer: Option<(i32, DateTime<Utc>)>,
) -> Result<()> {
    sqlx::query(
        "UPDATE cases SET satisfaction_asked_at = COALESCE(satisfaction_asked_at, $2),
                          satisfaction_score = $3, satisfaction_at = $4
         WHERE id = $1",
    )
    .bind(case_id)
    .bind(asked_at)
    .bind(answer.map(|(score, _)| score))
    .bind(answer.map(|(_, at)| at))
    .execute(conn)
    .await?;
    Ok(())
}

/// A hand-off offered at `offered_at` and answered (`status`) at
/// `answered_at`: [`super::handoffs::insert`] and
/// [`super::handoffs::close`] in one row.
#[derive(Debug, Clone)]
pub struct PastHandoff<'a> {
    /// The case offered.
    pub case_id: Uuid,
    /// Its owner then.
    pub from_id: Uuid,
    /// The colleague.
    pub to_id: Uuid,
    /// The owner's note.
    pub note: &'a str,
    /// When it was offered.
    pub offered_at: DateTime<Utc>,
    /// When it would have lapsed.
    pub expires_at: DateTime<Utc>,
    /// How it ended.
    pub status: HandoffStatus,
    /// When.
    pub answered_at: DateTime<Utc>,
}

/// Records a hand-off that has run its course; returns its id.
#[tracing::instrument(skip_all, fields(case_id = %past.case_id))]
pub async fn handoff_at(conn: &mut PgConnection, past: &PastHandoff<'_>) -> Result<Uuid> {
    Ok(sqlx::query_scalar(
        "INSERT INTO handoffs (id, case_id, from_id, to_id, note, status, offered_at, expires_at, answered_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         RETURNING id",
    )
    .bind(Uuid::new_v4())
    .bind(past.case_id)
    .bind(past.from_id)
    .bind(past.to_id)
    .bind(past.note)
    .bind(past.status)
    .bind(past.offered_at)
    .bind(past.expires_at)
    .bind(past.answered_at)
    .fetch_one(conn)
    .await?)
}

/// [`super::cases::reassign`] at `at` to an owner whose taking it is the
/// acknowledgement (an accepted hand-off).
#[tracing::instrument(skip(conn))]
pub async fn taken_over_at(conn: &mut PgConnection, case_id: Uuid, owner_id: Uuid, at: DateTime<Utc>) -> Result<()> {
    sqlx::query(
        "UPDATE cases SET owner_id = $2, owner_assigned_at = $3, ack_due_at = NULL, acknowledged_at = $3
         WHERE id = $1",
    )
    .bind(case_id)
    .bind(owner_id)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(())
}

/// A ticket as [`super::walk_in_tickets::register`] writes it, registered at
/// `at`, for an intake row the seed wrote.
#[tracing::instrument(skip_all, fields(ticket_id = %new.id))]
pub async fn ticket_at(conn: &mut PgConnection, new: &NewTicket<'_>, at: DateTime<Utc>) -> Result<()> {
    sqlx::query(
        "INSERT INTO walk_in_tickets (id, point_id, desk_id, idempotency_key, intake_id, language, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(new.id)
    .bind(new.point_id)
    .bind(new.desk_id)
    .bind(new.idempotency_key)
    .bind(new.intake_id)
    .bind(new.language)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(())
}

/// An inbound call that rang its case's owner, who answered at
/// `connected_at`; it ended at `ended_at` ([`super::intake::insert_arriving`],
/// `link_case`, `dial`, `mark_connected` and the final status in one row).
#[derive(Debug, Clone)]
pub struct PastCall<'a> {
    /// Twilio's call sid.
    pub sid: &'a str,
    /// The intake row of the call.
    pub intake_id: Uuid,
    /// Its case.
    pub case_id: Uuid,
    /// The caller.
    pub from: &'a str,
    /// The owner rung.
    pub responder_id: Uuid,
    /// When the call came.
    pub started_at: DateTime<Utc>,
    /// When the owner answered.
    pub connected_at: DateTime<Utc>,
    /// When it ended.
    pub ended_at: DateTime<Utc>,
}

/// Records a call that has ended.
#[tracing::instrument(skip_all, fields(sid = %past.sid))]
pub async fn call_at(conn: &mut PgConnection, past: &PastCall<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO calls (sid, direction, case_id, intake_id, resident_phone, responder_id, status, dial_outcome,
                            connected_at, ended_at, duration_seconds, created_at, updated_at)
         VALUES ($1, 'inbound', $2, $3, $4, $5, 'completed', 'completed', $6, $7,
                 extract(epoch FROM $7 - $8)::int, $8, $7)",
    )
    .bind(past.sid)
    .bind(past.case_id)
    .bind(past.intake_id)
    .bind(past.from)
    .bind(past.responder_id)
    .bind(past.connected_at)
    .bind(past.ended_at)
    .bind(past.started_at)
    .execute(conn)
    .await?;
    Ok(())
}
