//! Open311 GeoReport v2: the client applications allowed to post requests,
//! the requests they posted, and what the public reads back about them.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use crate::{Result, domain::CaseStatus};

/// A client application with an API key.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Client {
    /// Stable id.
    pub id: Uuid,
    /// What the application is called ("Palautesovellus").
    pub name: String,
    /// The key's last four characters.
    pub key_hint: String,
    /// When the key was issued.
    pub created_at: DateTime<Utc>,
    /// When it was revoked, if it was.
    pub revoked_at: Option<DateTime<Utc>>,
}

/// Every client application, newest first.
#[tracing::instrument(skip(e))]
pub async fn clients(e: impl PgExecutor<'_>) -> Result<Vec<Client>> {
    Ok(sqlx::query_as(
        "SELECT id, name, key_hint, created_at, revoked_at FROM open311_clients ORDER BY created_at DESC, name",
    )
    .fetch_all(e)
    .await?)
}

/// Registers a client application whose key has this SHA-256.
#[tracing::instrument(skip(e, key_sha256))]
pub async fn add_client(
    e: impl PgExecutor<'_>,
    name: &str,
    key_sha256: &[u8],
    key_hint: &str,
    by: Uuid,
) -> Result<Client> {
    Ok(sqlx::query_as(
        "INSERT INTO open311_clients (id, name, key_sha256, key_hint, created_by) VALUES ($1, $2, $3, $4, $5)
         RETURNING id, name, key_hint, created_at, revoked_at",
    )
    .bind(Uuid::new_v4())
    .bind(name)
    .bind(key_sha256)
    .bind(key_hint)
    .bind(by)
    .fetch_one(e)
    .await?)
}

/// Revokes a client's key; false when there is no such client or it was
/// revoked already.
#[tracing::instrument(skip(e))]
pub async fn revoke_client(e: impl PgExecutor<'_>, id: Uuid, by: Uuid) -> Result<bool> {
    Ok(sqlx::query(
        "UPDATE open311_clients SET revoked_at = clock_timestamp(), revoked_by = $2 WHERE id = $1 AND revoked_at IS NULL",
    )
    .bind(id)
    .bind(by)
    .execute(e)
    .await?
    .rows_affected()
        == 1)
}

/// The client whose key has this SHA-256, if it is not revoked.
#[tracing::instrument(skip_all)]
pub async fn client_by_key(e: impl PgExecutor<'_>, key_sha256: &[u8]) -> Result<Option<Uuid>> {
    Ok(sqlx::query_scalar("SELECT id FROM open311_clients WHERE key_sha256 = $1 AND revoked_at IS NULL")
        .bind(key_sha256)
        .fetch_optional(e)
        .await?)
}

/// What a request said, stored beside its intake row.
#[derive(Debug, Clone, PartialEq)]
pub struct NewRequest<'a> {
    /// The intake row.
    pub intake_id: Uuid,
    /// The client application that posted it.
    pub client_id: Uuid,
    /// The service (a topic code).
    pub service_code: &'a str,
    /// The Finnish cities' `title`.
    pub title: Option<&'a str>,
    /// What the reporter wrote.
    pub description: &'a str,
    /// Where, as a point (longitude, latitude).
    pub point: Option<(f64, f64)>,
    /// Where, as an address.
    pub address: Option<&'a str>,
    /// A picture of it.
    pub media_url: Option<&'a str>,
}

/// Stores a request's fields beside its intake row.
#[tracing::instrument(skip_all, fields(intake_id = %new.intake_id))]
pub async fn insert_request(conn: &mut PgConnection, new: &NewRequest<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO open311_requests (intake_id, client_id, service_code, title, description, lon, lat, address, media_url)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(new.intake_id)
    .bind(new.client_id)
    .bind(new.service_code)
    .bind(new.title)
    .bind(new.description)
    .bind(new.point.map(|p| p.0))
    .bind(new.point.map(|p| p.1))
    .bind(new.address)
    .bind(new.media_url)
    .execute(conn)
    .await?;
    Ok(())
}

/// A request as filing needs it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Request {
    /// Its public number.
    pub number: i64,
    /// The service (a topic code).
    pub service_code: String,
    /// Where, longitude.
    pub lon: Option<f64>,
    /// Where, latitude.
    pub lat: Option<f64>,
    /// Where, as an address.
    pub address: Option<String>,
}

/// The request stored with intake row `intake_id`.
#[tracing::instrument(skip(e))]
pub async fn request(e: impl PgExecutor<'_>, intake_id: Uuid) -> Result<Option<Request>> {
    Ok(sqlx::query_as("SELECT number, service_code, lon, lat, address FROM open311_requests WHERE intake_id = $1")
        .bind(intake_id)
        .fetch_optional(e)
        .await?)
}

/// What a token says: the request's number once it is filed.
#[tracing::instrument(skip(e))]
pub async fn token(e: impl PgExecutor<'_>, intake_id: Uuid) -> Result<Option<Option<i64>>> {
    Ok(sqlx::query_scalar(
        "SELECT CASE WHEN i.case_id IS NULL THEN NULL ELSE r.number END
         FROM open311_requests r JOIN intake i ON i.id = r.intake_id WHERE r.intake_id = $1",
    )
    .bind(intake_id)
    .fetch_optional(e)
    .await?)
}

/// A filed request as the public reads it back: what was reported and how
/// far its case has come. Nothing about the reporter.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Published {
    /// Its public number (`service_request_id`).
    pub number: i64,
    /// The case it was filed into.
    pub case_id: Uuid,
    /// The case's tracking code: for the reporter's first answer only,
    /// never in what the public reads.
    pub tracking_code: String,
    /// The case's status.
    pub status: CaseStatus,
    /// The service (a topic code).
    pub service_code: String,
    /// What the reporter wrote.
    pub description: String,
    /// The Finnish cities' `title`.
    pub title: Option<String>,
    /// A picture of it.
    pub media_url: Option<String>,
    /// The address the reporter gave.
    pub address: Option<String>,
    /// Where the case is (the reporter's point, or one found since).
    pub lat: Option<f64>,
    /// Longitude, with `lat`.
    pub lon: Option<f64>,
    /// The place's name when the case knows it and the reporter gave none.
    pub location_label: Option<String>,
    /// When it was received.
    pub requested_at: DateTime<Utc>,
    /// When anything last happened on its case.
    pub updated_at: DateTime<Utc>,
    /// When the case should be resolved by, by its SLA.
    pub expected_at: Option<DateTime<Utc>>,
    /// The owner the reporter has been told of (a new owner who has not
    /// yet taken the case up is not yet news).
    pub owner_id: Uuid,
    /// The owner's name.
    pub owner_name: String,
    /// The public note: the resolution summary once resolved, else the
    /// owner's latest reply.
    pub status_notes: Option<String>,
    /// When the owner first answered or acknowledged.
    pub handled_at: Option<DateTime<Utc>>,
    /// When the case was resolved.
    pub resolved_at: Option<DateTime<Utc>>,
}

/// Which filed requests to read back.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    /// Only these numbers.
    pub numbers: Option<Vec<i64>>,
    /// Only this service.
    pub service_code: Option<String>,
    /// Received at or after.
    pub start: Option<DateTime<Utc>>,
    /// Received at or before.
    pub end: Option<DateTime<Utc>>,
    /// Only open (`Some(Open)`) or closed ones.
    pub status: Option<CaseStatus>,
    /// Changed at or after.
    pub updated_after: Option<DateTime<Utc>>,
    /// Changed at or before.
    pub updated_before: Option<DateTime<Utc>>,
    /// At most this many, newest first.
    pub limit: i64,
}

/// Filed requests matching `filter`, newest first.
#[tracing::instrument(skip(e))]
pub async fn published(e: impl PgExecutor<'_>, filter: &Filter) -> Result<Vec<Published>> {
    Ok(sqlx::query_as(
        "SELECT * FROM (
           SELECT r.number, c.id AS case_id, c.tracking_code, c.status, r.service_code, r.description, r.title, r.media_url, r.address,
                  coalesce(r.lat, c.location_lat) AS lat, coalesce(r.lon, c.location_lon) AS lon, c.location_label,
                  i.received_at AS requested_at,
                  greatest(i.received_at, (SELECT max(ev.at) FROM case_events ev WHERE ev.case_id = c.id)) AS updated_at,
                  (SELECT k.due_at FROM sla_clocks k WHERE k.case_id = c.id AND k.target = 'resolution') AS expected_at,
                  s.id AS owner_id, s.display_name AS owner_name,
                  CASE WHEN c.status = 'resolved' THEN c.resolution_summary ELSE
                    (SELECT m.body FROM messages m
                     WHERE m.case_id = c.id AND m.direction = 'outbound' AND m.kind = 'reply'
                     ORDER BY m.created_at DESC LIMIT 1) END AS status_notes,
                  least(c.first_response_at, c.acknowledged_at) AS handled_at, c.resolved_at
           FROM open311_requests r
           JOIN intake i ON i.id = r.intake_id
           JOIN cases c ON c.id = i.case_id
           JOIN responders s ON s.id = coalesce(c.announced_owner_id, c.owner_id)
           WHERE ($1::bigint[] IS NULL OR r.number = ANY ($1))
             AND ($2::text IS NULL OR r.service_code = $2)
             AND ($3::timestamptz IS NULL OR i.received_at >= $3)
             AND ($4::timestamptz IS NULL OR i.received_at <= $4)
             AND ($5::text IS NULL OR c.status = $5)
         ) p
         WHERE ($6::timestamptz IS NULL OR p.updated_at >= $6)
           AND ($7::timestamptz IS NULL OR p.updated_at <= $7)
         ORDER BY p.requested_at DESC, p.number DESC
         LIMIT $8",
    )
    .bind(&filter.numbers)
    .bind(&filter.service_code)
    .bind(filter.start)
    .bind(filter.end)
    .bind(filter.status)
    .bind(filter.updated_after)
    .bind(filter.updated_before)
    .bind(filter.limit)
    .fetch_all(e)
    .await?)
}

/// An owner named on a case, for a request's history.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Allocation {
    /// The case.
    pub case_id: Uuid,
    /// When the owner was named.
    pub at: DateTime<Utc>,
    /// The owner's name.
    pub owner_name: String,
    /// The owner.
    pub owner_id: Uuid,
}

/// Every owner named on these cases, in order.
#[tracing::instrument(skip(e))]
pub async fn allocations(e: impl PgExecutor<'_>, case_ids: &[Uuid]) -> Result<Vec<Allocation>> {
    Ok(sqlx::query_as(
        "SELECT ev.case_id, ev.at, s.display_name AS owner_name, s.id AS owner_id
         FROM case_events ev JOIN responders s ON s.id = (ev.data ->> 'owner_id')::uuid
         WHERE ev.case_id = ANY ($1) AND ev.kind = 'assigned'
         ORDER BY ev.case_id, ev.id",
    )
    .bind(case_ids)
    .fetch_all(e)
    .await?)
}
