//! Walk-in tickets: a desk's registration of a resident's visit. The case a
//! ticket became is read through its intake row, which the router fills in.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::PgExecutor;
use uuid::Uuid;

use crate::{Result, domain::Language, store::intake::NewIntake};

/// What the desk stores with the intake row.
#[derive(Debug, Clone)]
pub struct NewTicket<'a> {
    /// Chosen by the console: a fresh v4 UUID.
    pub id: Uuid,
    /// Where the resident came.
    pub point_id: Uuid,
    /// Who registered it.
    pub desk_id: Uuid,
    /// The client's `Idempotency-Key`, if it sent one.
    pub idempotency_key: Option<&'a str>,
    /// The intake row written with it.
    pub intake_id: Uuid,
    /// The language the ticket is printed in.
    pub language: Language,
}

/// What [`register`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Registration {
    /// Stored, announced by the outbox row `outbox_id`, at the walk-in
    /// point named `point_name`.
    Stored {
        /// The outbox row handing the ticket to the router.
        outbox_id: i64,
        /// The point's name, as staff know it.
        point_name: String,
    },
    /// This desk person already registered a ticket under the same
    /// idempotency key: a retried request. Nothing was written.
    KeyTaken,
    /// No walk-in point has the ticket's `point_id`. Nothing was written.
    NoSuchPoint,
}

/// Registers a visit in one statement: the ticket at its walk-in point
/// (looked up in the same statement, so a desk's request is one round trip
/// and one commit), its intake row (with id `new.intake_id`) and the outbox
/// row `announce` handing it to the router. A concurrent retry under the
/// same idempotency key waits here for the first copy's transaction, so
/// exactly one of them is [`Registration::Stored`].
///
/// The ticket is written first so that a taken key stops the rest; its
/// foreign key to the intake row is checked at the end of the statement,
/// when the row is there.
#[tracing::instrument(skip_all, fields(ticket_id = %new.id))]
pub async fn register(
    e: impl PgExecutor<'_>,
    new: &NewTicket<'_>,
    intake: &NewIntake,
    announce: super::outbox::RowRef<'_>,
) -> Result<Registration> {
    let (exchange, routing_key, payload, traceparent) = announce;
    let written: Option<(String, Option<i64>)> = sqlx::query_as(
        "WITH point AS (
             SELECT id, name FROM walk_in_points WHERE id = $2
         ), ticket AS (
             INSERT INTO walk_in_tickets (id, point_id, desk_id, idempotency_key, intake_id, language)
             SELECT $1, point.id, $3, $4, $5, $6 FROM point
             ON CONFLICT (desk_id, idempotency_key) DO NOTHING
             RETURNING intake_id
         ), contact AS (
             INSERT INTO intake (id, channel, provider_id, sender, recipient, body, raw)
             SELECT ticket.intake_id, $7, $8, $9, $10, $11, $12 FROM ticket
             RETURNING id
         ), announced AS (
             INSERT INTO outbox (exchange, routing_key, payload, traceparent)
             SELECT $13, $14, $15, $16 FROM contact
             RETURNING id
         )
         SELECT point.name, (SELECT id FROM announced) FROM point",
    )
    .bind(new.id)
    .bind(new.point_id)
    .bind(new.desk_id)
    .bind(new.idempotency_key)
    .bind(new.intake_id)
    .bind(new.language)
    .bind(intake.channel)
    .bind(&intake.provider_id)
    .bind(&intake.sender)
    .bind(&intake.recipient)
    .bind(&intake.body)
    .bind(&intake.raw)
    .bind(exchange)
    .bind(routing_key)
    .bind(payload)
    .bind(traceparent)
    .fetch_optional(e)
    .await?;
    Ok(match written {
        None => Registration::NoSuchPoint,
        Some((_, None)) => Registration::KeyTaken,
        Some((point_name, Some(outbox_id))) => Registration::Stored { outbox_id, point_name },
    })
}

/// A ticket with its point and, once the router filed it, its case.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct TicketView {
    /// The ticket.
    pub id: Uuid,
    /// The language it is printed in.
    pub language: Language,
    /// When the desk registered it.
    pub created_at: DateTime<Utc>,
    /// The walk-in point.
    pub point_id: Uuid,
    /// Its name, as staff know it.
    pub point_name: String,
    /// Its name, as residents read it.
    pub point_public_name: String,
    /// Its address.
    pub point_address: String,
    /// What the resident came about, as the desk wrote it. Never shown on
    /// the printable ticket; the console compares it on a retried request.
    #[serde(skip)]
    pub about: String,
    /// The case, once filed.
    pub case_id: Option<Uuid>,
    /// Its tracking code, once filed.
    pub tracking_code: Option<String>,
    /// Its owner's display name, once filed.
    pub owner_name: Option<String>,
}

const VIEW: &str = "SELECT t.id, t.language, t.created_at, t.point_id, p.name AS point_name,
                           p.public_name AS point_public_name, p.address AS point_address, i.body AS about, i.case_id, c.tracking_code,
                           r.display_name AS owner_name
                    FROM walk_in_tickets t
                    JOIN walk_in_points p ON p.id = t.point_id
                    JOIN intake i ON i.id = t.intake_id
                    LEFT JOIN cases c ON c.id = i.case_id
                    LEFT JOIN responders r ON r.id = c.owner_id";

/// A ticket by id.
#[tracing::instrument(skip(e))]
pub async fn view(e: impl PgExecutor<'_>, id: Uuid) -> Result<Option<TicketView>> {
    Ok(sqlx::query_as(&format!("{VIEW} WHERE t.id = $1")).bind(id).fetch_optional(e).await?)
}

/// The ticket a desk person registered under an idempotency key.
#[tracing::instrument(skip(e, key))]
pub async fn by_idempotency_key(e: impl PgExecutor<'_>, desk_id: Uuid, key: &str) -> Result<Option<TicketView>> {
    Ok(sqlx::query_as(&format!("{VIEW} WHERE t.desk_id = $1 AND t.idempotency_key = $2"))
        .bind(desk_id)
        .bind(key)
        .fetch_optional(e)
        .await?)
}

/// The walk-in point of a case's first ticket: where the case was opened.
#[tracing::instrument(skip(e))]
pub async fn point_for_case(e: impl PgExecutor<'_>, case_id: Uuid) -> Result<Option<Uuid>> {
    Ok(sqlx::query_scalar(
        "SELECT t.point_id FROM walk_in_tickets t JOIN intake i ON i.id = t.intake_id
         WHERE i.case_id = $1 ORDER BY t.created_at LIMIT 1",
    )
    .bind(case_id)
    .fetch_optional(e)
    .await?)
}

/// The tickets registered at a walk-in point since `since`, newest first
/// (at most `limit`): the desk's "today's visits".
#[tracing::instrument(skip(e))]
pub async fn at_point_since(
    e: impl PgExecutor<'_>,
    point_id: Uuid,
    since: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<TicketView>> {
    Ok(sqlx::query_as(&format!(
        "{VIEW} WHERE t.point_id = $1 AND t.created_at >= $2 ORDER BY t.created_at DESC LIMIT $3"
    ))
    .bind(point_id)
    .bind(since)
    .bind(limit)
    .fetch_all(e)
    .await?)
}
