//! Cases: every contact is filed into one, and each has a named owner from
//! its first row (the schema's `owner_id NOT NULL`).

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use crate::{
    Result,
    domain::{CaseStatus, Channel, Language, Priority},
    store::{
        events::NewEvent,
        sla::{ClockTimes, NewClocks},
    },
    tracking_code::TrackingCode,
};

/// A case as stored.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Case {
    /// Stable id.
    pub id: Uuid,
    /// The public code, `XXXX-XXXX`.
    pub tracking_code: String,
    /// Who it is about.
    #[serde(skip)]
    pub resident_id: Uuid,
    /// The named responder who owns it.
    pub owner_id: Uuid,
    /// The channel of the first contact.
    pub channel: Channel,
    /// The language Batline speaks on it.
    pub language: Language,
    /// Open or resolved.
    pub status: CaseStatus,
    /// When the first contact arrived.
    pub opened_at: DateTime<Utc>,
    /// When the current owner got it.
    pub owner_assigned_at: DateTime<Utc>,
    /// When a human first answered (auto-replies do not count).
    pub first_response_at: Option<DateTime<Utc>>,
    /// When it was resolved.
    pub resolved_at: Option<DateTime<Utc>>,
    /// The owner's summary on resolving.
    pub resolution_summary: Option<String>,
    /// The district, when known.
    pub area: Option<String>,
    /// The topic, when known.
    pub topic: Option<String>,
    /// When the current owner acknowledged it.
    pub acknowledged_at: Option<DateTime<Utc>>,
    /// The current owner's acknowledgement deadline, until acknowledged.
    pub ack_due_at: Option<DateTime<Utc>>,
    /// How urgent it is.
    pub priority: crate::domain::Priority,
    /// When the resident was asked whether it was solved.
    pub satisfaction_asked_at: Option<DateTime<Utc>>,
    /// Their answer, 1 (not at all) to 5 (fully).
    pub satisfaction_score: Option<i32>,
    /// How often it was reopened.
    pub reopened_count: i32,
    /// The case it was merged into (it is closed then).
    pub merged_into: Option<Uuid>,
    /// The owner the resident last heard of, while the current one has not
    /// taken the case up yet; `None` when the resident knows the current owner.
    #[serde(skip)]
    pub announced_owner_id: Option<Uuid>,
    /// Where it is, as people name the place ("Fleminginkatu 12"), when known.
    #[sqlx(default)]
    pub location_label: Option<String>,
    /// The place's longitude (WGS84), when a point is known.
    #[sqlx(default)]
    pub location_lon: Option<f64>,
    /// The place's latitude (WGS84), when a point is known.
    #[sqlx(default)]
    pub location_lat: Option<f64>,
    /// How the place was known: `text` (the resident's words), `responder`
    /// (typed on the case page), `shared`, `walk_in_point` or `open311`.
    #[sqlx(default)]
    pub location_by: Option<String>,
}

/// Where a case is, as it is set.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseLocation {
    /// The place as people name it.
    pub label: String,
    /// Its point (longitude, latitude), when known.
    pub point: Option<(f64, f64)>,
    /// How it was known (see [`Case::location_by`]).
    pub by: &'static str,
}

impl CaseLocation {
    /// What the place finder made of a text: its Finnish label and point.
    pub fn located(located: &crate::place::Located, by: &'static str) -> CaseLocation {
        CaseLocation { label: located.label.fi.clone(), point: located.point.map(|p| (p.lon, p.lat)), by }
    }
}

/// What it takes to open a case.
#[derive(Debug, Clone)]
pub struct NewCase {
    /// Its tracking code, drawn at random by the caller (who may have
    /// written it into the first answer already).
    pub tracking_code: TrackingCode,
    /// Who it is about.
    pub resident_id: Uuid,
    /// Its owner from the first second.
    pub owner_id: Uuid,
    /// Channel of the first contact.
    pub channel: Channel,
    /// Language to answer in.
    pub language: Language,
    /// When the first contact arrived (the intake's receipt time, not now).
    pub opened_at: DateTime<Utc>,
    /// The district, when known.
    pub area: Option<String>,
    /// The topic, when known.
    pub topic: Option<String>,
    /// The owner's acknowledgement deadline.
    pub ack_due_at: DateTime<Utc>,
    /// How urgent it is.
    pub priority: Priority,
    /// Its SLA clocks (`crate::sla::plan`), started with it; `None` when no
    /// policy fits.
    pub clocks: Option<NewClocks>,
    /// Where it is, when filing knows (written with the case, not after it).
    pub location: Option<CaseLocation>,
}

/// A case as its owner's list shows it.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct CaseListItem {
    /// The case.
    #[sqlx(flatten)]
    #[serde(flatten)]
    pub case: Case,
    /// The resident's phone, for the owner's eyes only.
    pub resident_phone: Option<String>,
    /// The resident's email address, for the owner's eyes only.
    pub resident_email: Option<String>,
    /// The owner's display name.
    pub owner_name: String,
    /// When the newest message came or went.
    pub last_message_at: Option<DateTime<Utc>>,
    /// The start of the resident's newest message (its first 140
    /// characters), for triage at a glance.
    pub latest_words: Option<String>,
}

/// The columns a case list adds to `c.*` from its messages: the newest
/// message's time and the start of the resident's newest words.
const LATEST: &str = "(SELECT max(m.created_at) FROM messages m WHERE m.case_id = c.id) AS last_message_at,
                (SELECT left(m.body, 140) FROM messages m
                 WHERE m.case_id = c.id AND m.kind = 'resident' ORDER BY m.created_at DESC LIMIT 1) AS latest_words";

/// The contact a case is opened from, filed into it by [`insert`]: its
/// message goes into the case's thread and its intake row is marked filed.
#[derive(Debug, Clone, Copy)]
pub struct FirstContact<'a> {
    /// The intake row.
    pub intake_id: Uuid,
    /// What the resident said.
    pub body: &'a str,
    /// The channel's own id of it, if any.
    pub provider_id: Option<&'a str>,
    /// When it arrived: the message's time.
    pub received_at: DateTime<Utc>,
}

/// The first answer to the resident, written with the case by [`insert`] as
/// a pending automatic reply for a sender to deliver.
#[derive(Debug, Clone, Copy)]
pub struct FirstAnswer<'a> {
    /// The message's id, drawn by the caller, whose bus message names it.
    pub id: Uuid,
    /// The channel it goes out in.
    pub channel: Channel,
    /// Its text.
    pub body: &'a str,
}

/// Opens a case and, in the same statement: starts its SLA clocks (the
/// deadlines copied onto the case for the reports), writes its first
/// `timeline` events in order, files `contact` into it (see
/// [`FirstContact`]) and writes its first `answer`. One statement, not six:
/// filing a case is the router's hot path, and every statement is a round
/// trip. `None`, with nothing written, when another case has the tracking
/// code already (one in a trillion): the caller draws another.
#[tracing::instrument(skip(conn, timeline, contact, answer))]
pub async fn insert(
    conn: &mut PgConnection,
    new: &NewCase,
    timeline: &[NewEvent<'_>],
    contact: Option<FirstContact<'_>>,
    answer: Option<FirstAnswer<'_>>,
) -> Result<Option<Case>> {
    let clock = |pick: fn(&NewClocks) -> Option<ClockTimes>| new.clocks.as_ref().and_then(pick);
    let first_response = clock(|c| c.first_response);
    let resolution = clock(|c| c.resolution);
    let kinds: Vec<&str> = timeline.iter().map(|e| e.kind).collect();
    let actor_kinds: Vec<&str> = timeline.iter().map(|e| e.actor_kind.as_str()).collect();
    let actor_ids: Vec<Option<Uuid>> = timeline.iter().map(|e| e.actor_id).collect();
    let data: Vec<serde_json::Value> = timeline.iter().map(|e| e.data.clone()).collect();
    // The message's trigger (a chat message's sequence number) and the
    // foreign keys see the case inserted above them in this statement.
    Ok(sqlx::query_as(
        "WITH c AS (
             INSERT INTO cases (id, tracking_code, resident_id, owner_id, channel, language, opened_at,
                                owner_assigned_at, area, topic, ack_due_at, priority,
                                first_response_due_at, resolution_due_at,
                                location_label, location_lon, location_lat, location_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7, clock_timestamp(), $8, $9, $10, $11, $14, $16,
                     $17, $18, $19, $20)
             ON CONFLICT (tracking_code) DO NOTHING
             RETURNING *
         ), clocks AS (
             INSERT INTO sla_clocks (case_id, target, policy_id, started_at, warn_at, due_at)
             SELECT c.id, k.target, $12, c.opened_at, k.warn_at, k.due_at
             FROM c CROSS JOIN (VALUES ('first_response', $13::timestamptz, $14::timestamptz),
                                       ('resolution', $15::timestamptz, $16::timestamptz)) AS k (target, warn_at, due_at)
             WHERE k.due_at IS NOT NULL
         ), timeline AS (
             INSERT INTO case_events (case_id, kind, actor_kind, actor_id, data)
             SELECT c.id, e.kind, e.actor_kind, e.actor_id, e.data
             FROM c CROSS JOIN unnest($21::text[], $22::text[], $23::uuid[], $24::jsonb[]) WITH ORDINALITY
                  AS e (kind, actor_kind, actor_id, data, place)
             ORDER BY e.place
         ), filed AS (
             UPDATE intake SET case_id = c.id, filed_at = clock_timestamp() FROM c WHERE intake.id = $25
         ), message AS (
             INSERT INTO messages (id, case_id, direction, channel, kind, body, intake_id, provider_id,
                                   created_at, updated_at)
             SELECT $26, c.id, 'inbound', c.channel, 'resident', $27, $25, $28, $29, $29
             FROM c WHERE $25::uuid IS NOT NULL
         ), answer AS (
             INSERT INTO messages (id, case_id, direction, channel, kind, body, delivery_status)
             SELECT $30, c.id, 'outbound', $31, 'auto_reply', $32, 'pending'
             FROM c WHERE $30::uuid IS NOT NULL
         )
         SELECT * FROM c",
    )
    .bind(Uuid::new_v4())
    .bind(new.tracking_code.as_str())
    .bind(new.resident_id)
    .bind(new.owner_id)
    .bind(new.channel)
    .bind(new.language)
    .bind(new.opened_at)
    .bind(&new.area)
    .bind(&new.topic)
    .bind(new.ack_due_at)
    .bind(new.priority)
    .bind(new.clocks.as_ref().map(|c| c.policy_id))
    .bind(first_response.map(|t| t.warn_at))
    .bind(first_response.map(|t| t.due_at))
    .bind(resolution.map(|t| t.warn_at))
    .bind(resolution.map(|t| t.due_at))
    .bind(new.location.as_ref().map(|l| &l.label))
    .bind(new.location.as_ref().and_then(|l| l.point).map(|p| p.0))
    .bind(new.location.as_ref().and_then(|l| l.point).map(|p| p.1))
    .bind(new.location.as_ref().map(|l| l.by))
    .bind(&kinds)
    .bind(&actor_kinds)
    .bind(&actor_ids)
    .bind(&data)
    .bind(contact.map(|c| c.intake_id))
    .bind(Uuid::new_v4())
    .bind(contact.map(|c| c.body))
    .bind(contact.and_then(|c| c.provider_id))
    .bind(contact.map(|c| c.received_at))
    .bind(answer.map(|a| a.id))
    .bind(answer.map(|a| a.channel))
    .bind(answer.map(|a| a.body))
    .fetch_optional(conn)
    .await?)
}

/// The resident's open case, locked for the rest of the transaction.
#[tracing::instrument(skip(conn))]
pub async fn open_for_resident(conn: &mut PgConnection, resident_id: Uuid) -> Result<Option<Case>> {
    let own: Option<Case> = sqlx::query_as("SELECT * FROM cases WHERE resident_id = $1 AND status = 'open' FOR UPDATE")
        .bind(resident_id)
        .fetch_optional(&mut *conn)
        .await?;
    if own.is_some() {
        return Ok(own);
    }
    // Else the open case one of theirs was merged into: a follow-up joins
    // the matter it belongs to. Kept a query of its own, so the common
    // look-up above stays the one-index probe it always was.
    Ok(sqlx::query_as(
        "SELECT t.* FROM cases m JOIN cases t ON t.id = m.merged_into
          WHERE m.resident_id = $1 AND m.merged_into IS NOT NULL AND t.status = 'open'
          ORDER BY t.opened_at DESC
          LIMIT 1
          FOR UPDATE OF t",
    )
    .bind(resident_id)
    .fetch_optional(conn)
    .await?)
}

/// Closes open case `id` as merged into `into`, with `summary` saying so.
#[tracing::instrument(skip(conn, summary))]
pub async fn merge(conn: &mut PgConnection, id: Uuid, into: Uuid, summary: &str) -> Result<Option<Case>> {
    Ok(sqlx::query_as(
        "UPDATE cases SET status = 'resolved', resolved_at = clock_timestamp(), resolution_summary = $3,
                          merged_into = $2
         WHERE id = $1 AND status = 'open'
         RETURNING *",
    )
    .bind(id)
    .bind(into)
    .bind(summary)
    .fetch_optional(conn)
    .await?)
}

/// Opens merged case `id` again on its own, to be acknowledged by `ack_due_at`.
#[tracing::instrument(skip(conn))]
pub async fn unmerge(conn: &mut PgConnection, id: Uuid, ack_due_at: DateTime<Utc>) -> Result<Option<Case>> {
    Ok(sqlx::query_as(
        "UPDATE cases
         SET status = 'open', resolved_at = NULL, resolution_summary = NULL, merged_into = NULL,
             acknowledged_at = NULL, ack_due_at = $2
         WHERE id = $1 AND merged_into IS NOT NULL
         RETURNING *",
    )
    .bind(id)
    .bind(ack_due_at)
    .fetch_optional(conn)
    .await?)
}

/// The cases merged into case `id`, oldest first.
#[tracing::instrument(skip(e))]
pub async fn merged_into(e: impl PgExecutor<'_>, id: Uuid) -> Result<Vec<Case>> {
    Ok(sqlx::query_as("SELECT * FROM cases WHERE merged_into = $1 ORDER BY opened_at").bind(id).fetch_all(e).await?)
}

/// A case by id.
#[tracing::instrument(skip(e))]
pub async fn get(e: impl PgExecutor<'_>, id: Uuid) -> Result<Option<Case>> {
    Ok(sqlx::query_as("SELECT * FROM cases WHERE id = $1").bind(id).fetch_optional(e).await?)
}

/// A case by id, locked for the rest of the transaction.
#[tracing::instrument(skip(conn))]
pub async fn lock(conn: &mut PgConnection, id: Uuid) -> Result<Option<Case>> {
    Ok(sqlx::query_as("SELECT * FROM cases WHERE id = $1 FOR UPDATE").bind(id).fetch_optional(conn).await?)
}

/// A case by id, locked, unless another transaction holds it (then `None`).
/// Sweeps that lock another row first use it, so they never wait on a case
/// while holding what a request working on that case waits for.
#[tracing::instrument(skip(conn))]
pub async fn try_lock(conn: &mut PgConnection, id: Uuid) -> Result<Option<Case>> {
    Ok(sqlx::query_as("SELECT * FROM cases WHERE id = $1 FOR UPDATE SKIP LOCKED").bind(id).fetch_optional(conn).await?)
}

/// A case by its tracking code.
#[tracing::instrument(skip(e))]
pub async fn by_tracking_code(e: impl PgExecutor<'_>, code: &TrackingCode) -> Result<Option<Case>> {
    Ok(sqlx::query_as("SELECT * FROM cases WHERE tracking_code = $1").bind(code.as_str()).fetch_optional(e).await?)
}

/// One case with what its owner's list shows.
#[tracing::instrument(skip(e))]
pub async fn list_item(e: impl PgExecutor<'_>, id: Uuid) -> Result<Option<CaseListItem>> {
    Ok(sqlx::query_as(&format!(
        "SELECT c.*, res.phone AS resident_phone, res.email AS resident_email, r.display_name AS owner_name,
                {LATEST}
         FROM cases c
         JOIN residents res ON res.id = c.resident_id
         JOIN responders r ON r.id = c.owner_id
         WHERE c.id = $1",
    ))
    .bind(id)
    .fetch_optional(e)
    .await?)
}

/// A responder's open cases, oldest first (the one waiting longest on top).
#[tracing::instrument(skip(e))]
pub async fn open_for_owner(e: impl PgExecutor<'_>, owner_id: Uuid) -> Result<Vec<CaseListItem>> {
    Ok(sqlx::query_as(&format!(
        "SELECT c.*, res.phone AS resident_phone, res.email AS resident_email, r.display_name AS owner_name,
                {LATEST}
         FROM cases c
         JOIN residents res ON res.id = c.resident_id
         JOIN responders r ON r.id = c.owner_id
         WHERE c.owner_id = $1 AND c.status = 'open'
         ORDER BY c.opened_at, c.id",
    ))
    .bind(owner_id)
    .fetch_all(e)
    .await?)
}

/// Records the first human response, keeping the earliest one.
#[tracing::instrument(skip(conn))]
pub async fn mark_first_response(conn: &mut PgConnection, id: Uuid) -> Result<()> {
    sqlx::query("UPDATE cases SET first_response_at = COALESCE(first_response_at, clock_timestamp()) WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Resolves an open case with its owner's summary; `None` if it was not open.
#[tracing::instrument(skip(conn, summary))]
pub async fn resolve(conn: &mut PgConnection, id: Uuid, summary: &str) -> Result<Option<Case>> {
    Ok(sqlx::query_as(
        "UPDATE cases SET status = 'resolved', resolved_at = clock_timestamp(), resolution_summary = $2
         WHERE id = $1 AND status = 'open'
         RETURNING *",
    )
    .bind(id)
    .bind(summary)
    .fetch_optional(conn)
    .await?)
}

/// Sets what a case is about, where, and how urgent it is: a person's
/// classification on the case page or the API.
#[tracing::instrument(skip(conn))]
pub async fn classify(
    conn: &mut PgConnection,
    id: Uuid,
    topic: Option<&str>,
    area: Option<&str>,
    priority: crate::domain::Priority,
) -> Result<Option<Case>> {
    Ok(sqlx::query_as("UPDATE cases SET topic = $2, area = $3, priority = $4 WHERE id = $1 RETURNING *")
        .bind(id)
        .bind(topic)
        .bind(area)
        .bind(priority)
        .fetch_optional(conn)
        .await?)
}

/// Sets where case `id` is, and its district.
#[tracing::instrument(skip(conn))]
pub async fn locate(
    conn: &mut PgConnection,
    id: Uuid,
    location: &CaseLocation,
    area: Option<&str>,
) -> Result<Option<Case>> {
    Ok(sqlx::query_as(
        "UPDATE cases SET location_label = $2, location_lon = $3, location_lat = $4, location_by = $5,
                          area = COALESCE($6, area)
          WHERE id = $1 RETURNING *",
    )
    .bind(id)
    .bind(&location.label)
    .bind(location.point.map(|p| p.0))
    .bind(location.point.map(|p| p.1))
    .bind(location.by)
    .bind(area)
    .fetch_optional(conn)
    .await?)
}

/// Notes that the resident was asked whether it was solved; `false` when
/// they had been asked before (they are asked once).
#[tracing::instrument(skip(conn))]
pub async fn mark_satisfaction_asked(conn: &mut PgConnection, id: Uuid) -> Result<bool> {
    let updated = sqlx::query(
        "UPDATE cases SET satisfaction_asked_at = clock_timestamp() WHERE id = $1 AND satisfaction_asked_at IS NULL",
    )
    .bind(id)
    .execute(conn)
    .await?;
    Ok(updated.rows_affected() == 1)
}

/// The resident's case resolved since `since` whose satisfaction question
/// is still unanswered, newest first, locked.
#[tracing::instrument(skip(conn))]
pub async fn awaiting_satisfaction(
    conn: &mut PgConnection,
    resident_id: Uuid,
    since: DateTime<Utc>,
) -> Result<Option<Case>> {
    Ok(sqlx::query_as(
        "SELECT * FROM cases
         WHERE resident_id = $1 AND status = 'resolved' AND resolved_at >= $2
           AND satisfaction_asked_at IS NOT NULL AND satisfaction_score IS NULL
         ORDER BY resolved_at DESC LIMIT 1
         FOR UPDATE",
    )
    .bind(resident_id)
    .bind(since)
    .fetch_optional(conn)
    .await?)
}

/// Stores the resident's answer.
#[tracing::instrument(skip(conn))]
pub async fn record_satisfaction(conn: &mut PgConnection, id: Uuid, score: i32) -> Result<()> {
    sqlx::query("UPDATE cases SET satisfaction_score = $2, satisfaction_at = clock_timestamp() WHERE id = $1")
        .bind(id)
        .bind(score)
        .execute(conn)
        .await?;
    Ok(())
}

/// Opens a resolved case again with the same owner, who must acknowledge
/// it by `ack_due_at`.
#[tracing::instrument(skip(conn))]
pub async fn reopen(conn: &mut PgConnection, id: Uuid, ack_due_at: DateTime<Utc>) -> Result<Option<Case>> {
    Ok(sqlx::query_as(
        "UPDATE cases
         SET status = 'open', resolved_at = NULL, reopened_count = reopened_count + 1,
             acknowledged_at = NULL, ack_due_at = $2
         WHERE id = $1 AND status = 'resolved'
         RETURNING *",
    )
    .bind(id)
    .bind(ack_due_at)
    .fetch_optional(conn)
    .await?)
}

/// The owner of the resident's most recent case opened since `since`.
#[tracing::instrument(skip(conn))]
pub async fn previous_owner(conn: &mut PgConnection, resident_id: Uuid, since: DateTime<Utc>) -> Result<Option<Uuid>> {
    Ok(sqlx::query_scalar(
        "SELECT owner_id FROM cases WHERE resident_id = $1 AND opened_at >= $2 ORDER BY opened_at DESC LIMIT 1",
    )
    .bind(resident_id)
    .bind(since)
    .fetch_optional(conn)
    .await?)
}

/// Open cases whose acknowledgement deadline has passed, locked; rows
/// another router is handling are skipped, not waited for. A case whose
/// owner owes a call-back is left out: the call-back's deadline is the one
/// that counts, and two deadlines would move it twice.
#[tracing::instrument(skip(conn))]
pub async fn claim_ack_overdue(conn: &mut PgConnection, now: DateTime<Utc>, limit: i64) -> Result<Vec<Case>> {
    Ok(sqlx::query_as(
        "SELECT * FROM cases c WHERE status = 'open' AND ack_due_at <= $1
           AND NOT EXISTS (SELECT 1 FROM call_backs cb WHERE cb.case_id = c.id AND cb.status = 'open')
         ORDER BY ack_due_at LIMIT $2
         FOR UPDATE SKIP LOCKED",
    )
    .bind(now)
    .bind(limit)
    .fetch_all(conn)
    .await?)
}

/// Gives a case to a new owner, who must acknowledge it by `ack_due_at`;
/// with `None` the taking is itself the acknowledgement. A new owner who
/// must still acknowledge is not yet announced to the resident
/// ([`take_unannounced`]); an owner keeping the case keeps what the
/// resident knew.
#[tracing::instrument(skip(conn))]
pub async fn reassign(
    conn: &mut PgConnection,
    id: Uuid,
    owner_id: Uuid,
    ack_due_at: Option<DateTime<Utc>>,
) -> Result<()> {
    sqlx::query(
        "UPDATE cases
         SET owner_id = $2, owner_assigned_at = clock_timestamp(), ack_due_at = $3,
             acknowledged_at = CASE WHEN $3::timestamptz IS NULL THEN clock_timestamp() END,
             announced_owner_id = CASE WHEN $3::timestamptz IS NULL THEN NULL
                                       WHEN $2 = COALESCE(announced_owner_id, owner_id) THEN NULL
                                       ELSE COALESCE(announced_owner_id, owner_id) END
         WHERE id = $1",
    )
    .bind(id)
    .bind(owner_id)
    .bind(ack_due_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// Marks the current owner as announced to the resident; true if they had
/// not been (the caller tells the resident now).
#[tracing::instrument(skip(conn))]
pub async fn take_unannounced(conn: &mut PgConnection, id: Uuid) -> Result<bool> {
    let done =
        sqlx::query("UPDATE cases SET announced_owner_id = NULL WHERE id = $1 AND announced_owner_id IS NOT NULL")
            .bind(id)
            .execute(conn)
            .await?;
    Ok(done.rows_affected() == 1)
}

/// Records the owner's acknowledgement; false if it was already acknowledged.
#[tracing::instrument(skip(conn))]
pub async fn acknowledge(conn: &mut PgConnection, id: Uuid) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE cases SET acknowledged_at = clock_timestamp(), ack_due_at = NULL
         WHERE id = $1 AND acknowledged_at IS NULL",
    )
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// How many cases exist (tests and the bench use it).
#[tracing::instrument(skip(e))]
pub async fn count_all(e: impl PgExecutor<'_>) -> Result<i64> {
    Ok(sqlx::query_scalar("SELECT count(*) FROM cases").fetch_one(e).await?)
}

/// The email address of a case's resident, for answering them by email.
#[tracing::instrument(skip(e))]
pub async fn resident_email(e: impl PgExecutor<'_>, case_id: Uuid) -> Result<Option<String>> {
    Ok(sqlx::query_scalar("SELECT res.email FROM cases c JOIN residents res ON res.id = c.resident_id WHERE c.id = $1")
        .bind(case_id)
        .fetch_optional(e)
        .await?
        .flatten())
}

/// The phone of a case's resident, for sending them SMS.
#[tracing::instrument(skip(e))]
pub async fn resident_phone(e: impl PgExecutor<'_>, case_id: Uuid) -> Result<Option<String>> {
    Ok(sqlx::query_scalar("SELECT res.phone FROM cases c JOIN residents res ON res.id = c.resident_id WHERE c.id = $1")
        .bind(case_id)
        .fetch_optional(e)
        .await?
        .flatten())
}

/// A responder's open cases, locked, for handing them all on.
#[tracing::instrument(skip(conn))]
pub async fn lock_open_for_owner(conn: &mut PgConnection, owner_id: Uuid) -> Result<Vec<Case>> {
    Ok(sqlx::query_as("SELECT * FROM cases WHERE owner_id = $1 AND status = 'open' ORDER BY opened_at FOR UPDATE")
        .bind(owner_id)
        .fetch_all(conn)
        .await?)
}

/// One of a resident's cases, as listed beside another of theirs.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct PastCase {
    /// The case.
    pub id: Uuid,
    /// Its tracking code.
    pub tracking_code: String,
    /// How it came in.
    pub channel: Channel,
    /// Open or resolved.
    pub status: CaseStatus,
    /// When it was opened.
    pub opened_at: DateTime<Utc>,
    /// Its resolution summary, if resolved.
    pub resolution_summary: Option<String>,
    /// Its owner's display name.
    pub owner_name: String,
}

/// A resident's other cases, newest first (at most `limit`).
#[tracing::instrument(skip(e))]
pub async fn others_of_resident(
    e: impl PgExecutor<'_>,
    resident_id: Uuid,
    except: Uuid,
    limit: i64,
) -> Result<Vec<PastCase>> {
    Ok(sqlx::query_as(
        "SELECT c.id, c.tracking_code, c.channel, c.status, c.opened_at, c.resolution_summary,
                r.display_name AS owner_name
         FROM cases c JOIN responders r ON r.id = c.owner_id
         WHERE c.resident_id = $1 AND c.id <> $2
         ORDER BY c.opened_at DESC LIMIT $3",
    )
    .bind(resident_id)
    .bind(except)
    .bind(limit)
    .fetch_all(e)
    .await?)
}

/// The cases of the resident with this phone (E.164), newest first (at most
/// `limit`), only `owner`'s when given: a desk looking up a resident who
/// lost their code, a responder searching by phone.
#[tracing::instrument(skip(e, phone))]
pub async fn of_phone(e: impl PgExecutor<'_>, phone: &str, owner: Option<Uuid>, limit: i64) -> Result<Vec<PastCase>> {
    Ok(sqlx::query_as(
        "SELECT c.id, c.tracking_code, c.channel, c.status, c.opened_at, c.resolution_summary,
                r.display_name AS owner_name
         FROM residents res
         JOIN cases c ON c.resident_id = res.id
         JOIN responders r ON r.id = c.owner_id
         WHERE res.phone = $1 AND ($2::uuid IS NULL OR c.owner_id = $2)
         ORDER BY c.opened_at DESC LIMIT $3",
    )
    .bind(phone)
    .bind(owner)
    .bind(limit)
    .fetch_all(e)
    .await?)
}

/// An open case a shift lead should look at.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct AttentionItem {
    /// The case, as in a list.
    #[sqlx(flatten)]
    #[serde(flatten)]
    pub item: CaseListItem,
    /// Whether an SLA deadline of it has passed unmet.
    pub sla_breached: bool,
    /// Its owner missed the acknowledgement deadline and nobody eligible
    /// was present to take it over: it waits with them, and the lead was alerted.
    pub nobody_present: bool,
    /// The start of the resident's latest message, for a glance.
    pub preview: Option<String>,
}

/// Characters of the resident's latest message a lead sees in the list.
pub const PREVIEW_CHARS: i32 = 140;

/// Open cases not yet acknowledged, or past an SLA deadline, most urgent first.
#[tracing::instrument(skip(e))]
pub async fn needing_attention(e: impl PgExecutor<'_>, limit: i64) -> Result<Vec<AttentionItem>> {
    Ok(sqlx::query_as(&format!(
        "SELECT c.*, res.phone AS resident_phone, res.email AS resident_email, r.display_name AS owner_name,
                {LATEST},
                EXISTS (SELECT 1 FROM sla_clocks k
                        WHERE k.case_id = c.id AND k.met_at IS NULL AND k.breached_at IS NOT NULL) AS sla_breached,
                c.acknowledged_at IS NULL
                    AND COALESCE((SELECT e.data->>'outcome' = 'stayed' FROM case_events e
                                  WHERE e.case_id = c.id AND e.kind = 'ack_missed'
                                  ORDER BY e.id DESC LIMIT 1), false) AS nobody_present,
                (SELECT left(m.body, $2) FROM messages m
                 WHERE m.case_id = c.id AND m.direction = 'inbound' AND m.body <> ''
                 ORDER BY m.created_at DESC LIMIT 1) AS preview
         FROM cases c
         JOIN residents res ON res.id = c.resident_id
         JOIN responders r ON r.id = c.owner_id
         WHERE c.status = 'open'
           AND (c.acknowledged_at IS NULL
                OR EXISTS (SELECT 1 FROM sla_clocks k
                           WHERE k.case_id = c.id AND k.met_at IS NULL AND k.breached_at IS NOT NULL))
         ORDER BY c.ack_due_at NULLS LAST, c.opened_at
         LIMIT $1",
    ))
    .bind(limit)
    .bind(PREVIEW_CHARS)
    .fetch_all(e)
    .await?)
}

/// How case `case_id`'s resident can be reached, as stored: whether they
/// have a phone, an email address and a chat session, and the channel of
/// the newest message they wrote on the case (or on a case merged into it).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ResidentReach {
    /// They have a phone.
    pub has_phone: bool,
    /// They have an email address.
    pub has_email: bool,
    /// They have a chat session.
    pub has_chat: bool,
    /// The channel they last wrote in on this case.
    pub last_inbound: Option<Channel>,
}

/// See [`ResidentReach`].
#[tracing::instrument(skip(e))]
pub async fn resident_reach(e: impl PgExecutor<'_>, case_id: Uuid) -> Result<Option<ResidentReach>> {
    Ok(sqlx::query_as(
        "SELECT res.phone IS NOT NULL AS has_phone, res.email IS NOT NULL AS has_email,
                EXISTS (SELECT 1 FROM chat_sessions s WHERE s.resident_id = res.id) AS has_chat,
                (SELECT m.channel FROM messages m
                  WHERE (m.case_id = c.id OR m.case_id IN (SELECT id FROM cases WHERE merged_into = c.id))
                    AND m.direction = 'inbound'
                  ORDER BY m.created_at DESC LIMIT 1) AS last_inbound
           FROM cases c JOIN residents res ON res.id = c.resident_id
          WHERE c.id = $1",
    )
    .bind(case_id)
    .fetch_optional(e)
    .await?)
}
