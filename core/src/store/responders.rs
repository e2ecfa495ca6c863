//! Responders: the named people who own cases.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use crate::{
    Result,
    domain::{DutyStatus, Language, Role},
};

/// A responder as stored. The password hash never leaves the process.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Responder {
    /// Stable id.
    pub id: Uuid,
    /// Sign-in name.
    pub username: String,
    /// The name residents see, e.g. "Aino".
    pub display_name: String,
    /// Argon2 PHC string.
    #[serde(skip)]
    pub password_hash: String,
    /// Phone for call-backs, E.164.
    pub phone: Option<String>,
    /// Languages spoken: `fi`, `sv`, `en`.
    pub languages: Vec<String>,
    /// Districts the responder knows best.
    pub areas: Vec<String>,
    /// Topics they know (streets, parks, housing, ...).
    pub topics: Vec<String>,
    /// Open cases they can hold at most.
    pub capacity: i32,
    /// Whether they take new cases now.
    pub duty_status: DutyStatus,
    /// Open cases they own now (kept by a trigger on `cases`).
    pub open_cases: i32,
    /// The designated backstop for when nobody is on duty.
    pub is_backstop: bool,
    /// What they may do in the console.
    pub role: Role,
    /// Their home walk-in point.
    pub home_point_id: Option<Uuid>,
    /// When they last became a case's owner.
    pub last_assigned_at: Option<DateTime<Utc>>,
    /// When the responder was added.
    pub created_at: DateTime<Utc>,
}

/// What it takes to add a responder.
#[derive(Debug, Clone)]
pub struct NewResponder {
    /// Sign-in name, unique.
    pub username: String,
    /// The name residents see.
    pub display_name: String,
    /// Argon2 hash of the password (see [`crate::password::hash`]).
    pub password_hash: String,
    /// Phone for call-backs.
    pub phone: Option<String>,
    /// Languages spoken.
    pub languages: Vec<Language>,
    /// Districts.
    pub areas: Vec<String>,
    /// Topics.
    pub topics: Vec<String>,
    /// Open cases at most.
    pub capacity: i32,
    /// Initial duty status.
    pub duty_status: DutyStatus,
    /// Whether this is the backstop.
    pub is_backstop: bool,
    /// Console role.
    pub role: Role,
}

/// Adds a responder.
#[tracing::instrument(skip_all, fields(username = %new.username))]
pub async fn insert(e: impl PgExecutor<'_>, new: &NewResponder) -> Result<Responder> {
    let languages: Vec<&str> = new.languages.iter().map(|l| l.as_str()).collect();
    Ok(sqlx::query_as(
        "INSERT INTO responders
             (id, username, display_name, password_hash, phone, languages, areas, duty_status, is_backstop,
              topics, capacity, role)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
         RETURNING *",
    )
    .bind(Uuid::new_v4())
    .bind(&new.username)
    .bind(&new.display_name)
    .bind(&new.password_hash)
    .bind(&new.phone)
    .bind(&languages)
    .bind(&new.areas)
    .bind(new.duty_status)
    .bind(new.is_backstop)
    .bind(&new.topics)
    .bind(new.capacity)
    .bind(new.role)
    .fetch_one(e)
    .await?)
}

/// A responder by id.
#[tracing::instrument(skip(e))]
pub async fn get(e: impl PgExecutor<'_>, id: Uuid) -> Result<Option<Responder>> {
    Ok(sqlx::query_as("SELECT * FROM responders WHERE id = $1").bind(id).fetch_optional(e).await?)
}

/// A responder by sign-in name, as typed: folded as usernames are kept
/// ([`crate::account_names::fold`]), so `AINO` or ` Aino ` finds `aino`,
/// whichever door asks (signing in, rosters, hand-offs, the command line).
#[tracing::instrument(skip(e))]
pub async fn by_username(e: impl PgExecutor<'_>, username: &str) -> Result<Option<Responder>> {
    let folded = crate::account_names::fold(username);
    Ok(sqlx::query_as("SELECT * FROM responders WHERE username = $1").bind(folded).fetch_optional(e).await?)
}

/// Every responder, by name.
#[tracing::instrument(skip(e))]
pub async fn list(e: impl PgExecutor<'_>) -> Result<Vec<Responder>> {
    Ok(sqlx::query_as("SELECT * FROM responders ORDER BY display_name, username").fetch_all(e).await?)
}

/// How many responders exist; zero means an empty database.
#[tracing::instrument(skip(e))]
pub async fn count(e: impl PgExecutor<'_>) -> Result<i64> {
    Ok(sqlx::query_scalar("SELECT count(*) FROM responders").fetch_one(e).await?)
}

/// The designated backstop responder.
#[tracing::instrument(skip(e))]
pub async fn backstop(e: impl PgExecutor<'_>) -> Result<Option<Responder>> {
    Ok(sqlx::query_as("SELECT * FROM responders WHERE is_backstop").fetch_optional(e).await?)
}

/// An area or topic name as the console API takes it: at most 100
/// characters (blank ones are dropped). Only the API document uses it.
#[derive(Debug, Clone, utoipa::ToSchema)]
#[schema(pattern = "^[\\s\\S]{0,100}$", example = "Kallio")]
pub struct Skill(pub String);

/// Changes to a responder; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResponderPatch {
    /// The name residents see (1 to 80 characters; nothing invisible, no
    /// bidirectional control, no space but the plain one).
    #[schema(min_length = 1, max_length = 80, pattern = "^[\\s\\S]*[^\\s\\x00-\\x1f\\x7f-\\x9f][\\s\\S]*$")]
    pub display_name: Option<String>,
    /// Phone for call-backs, with the country code (normalised to E.164).
    #[schema(
        pattern = "^[\\s\\x00-\\x1f\\x7f-\\x9f]*$|^[\\s\\x00-\\x1f\\x7f-\\x9f().-]*\\+[\\s\\x00-\\x1f\\x7f-\\x9f().-]*[1-9]([\\s\\x00-\\x1f\\x7f-\\x9f().-]*[0-9]){6,14}[\\s\\x00-\\x1f\\x7f-\\x9f().-]*$",
        example = "+358401234567"
    )]
    pub phone: Option<String>,
    /// Languages spoken (at least one).
    #[schema(min_items = 1)]
    pub languages: Option<Vec<Language>>,
    /// Districts.
    #[schema(value_type = Option<Vec<Skill>>)]
    pub areas: Option<Vec<String>>,
    /// Topics.
    #[schema(value_type = Option<Vec<Skill>>)]
    pub topics: Option<Vec<String>>,
    /// Open cases at most.
    #[serde(default, deserialize_with = "crate::whole_number::option_i32")]
    #[schema(minimum = 0, maximum = 1000)]
    pub capacity: Option<i32>,
    /// Console role.
    pub role: Option<Role>,
    /// Duty status.
    pub duty_status: Option<DutyStatus>,
    /// `true` makes them the backstop (the previous one stops being it).
    pub is_backstop: Option<bool>,
    /// Their home walk-in point.
    pub home_point_id: Option<Uuid>,
}

/// Applies a patch to the fields it names.
#[tracing::instrument(skip(conn, patch))]
pub async fn update(conn: &mut PgConnection, id: Uuid, patch: &ResponderPatch) -> Result<Option<Responder>> {
    let languages: Option<Vec<&str>> = patch.languages.as_ref().map(|ls| ls.iter().map(|l| l.as_str()).collect());
    Ok(sqlx::query_as(
        "UPDATE responders SET
             display_name = COALESCE($2, display_name),
             phone = COALESCE($3, phone),
             languages = COALESCE($4, languages),
             areas = COALESCE($5, areas),
             topics = COALESCE($6, topics),
             capacity = COALESCE($7, capacity),
             role = COALESCE($8, role),
             duty_status = COALESCE($9, duty_status),
             is_backstop = COALESCE($10, is_backstop),
             home_point_id = COALESCE($11, home_point_id)
         WHERE id = $1
         RETURNING *",
    )
    .bind(id)
    .bind(&patch.display_name)
    .bind(&patch.phone)
    .bind(languages)
    .bind(&patch.areas)
    .bind(&patch.topics)
    .bind(patch.capacity)
    .bind(patch.role)
    .bind(patch.duty_status)
    .bind(patch.is_backstop)
    .bind(patch.home_point_id)
    .fetch_optional(conn)
    .await?)
}

/// Stops whoever is the backstop from being it (before designating another).
#[tracing::instrument(skip(conn))]
pub async fn clear_backstop(conn: &mut PgConnection) -> Result<()> {
    sqlx::query("UPDATE responders SET is_backstop = false WHERE is_backstop").execute(conn).await?;
    Ok(())
}

/// Sets a responder's duty status.
#[tracing::instrument(skip(e))]
pub async fn set_duty_status(e: impl PgExecutor<'_>, id: Uuid, status: DutyStatus) -> Result<bool> {
    let done =
        sqlx::query("UPDATE responders SET duty_status = $2 WHERE id = $1").bind(id).bind(status).execute(e).await?;
    Ok(done.rows_affected() == 1)
}

/// A responder on duty as the assignment rules see them.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct Candidate {
    /// The responder.
    pub id: Uuid,
    /// Their display name.
    pub name: String,
    /// Open cases now.
    pub load: i64,
    /// Open cases at most.
    pub capacity: i32,
    /// Speaks the case's language.
    pub speaks: bool,
    /// Knows the case's area.
    pub in_area: bool,
    /// Knows the case's topic.
    pub knows_topic: bool,
    /// Owned the resident's previous case.
    pub previous: bool,
    /// Their home walk-in point is the one the case was opened at.
    pub at_point: bool,
    /// When they last became an owner; `None` is longest idle of all.
    pub last_assigned_at: Option<DateTime<Utc>>,
    /// At their console now ([`crate::store::presence`]).
    pub present: bool,
}

/// What a case asks of its owner.
#[derive(Debug, Clone, Copy)]
pub struct Needs<'a> {
    /// The resident's language.
    pub language: Language,
    /// The case's district, if known.
    pub area: Option<&'a str>,
    /// The case's topic, if known.
    pub topic: Option<&'a str>,
    /// The owner of the resident's previous case, if recent.
    pub previous_owner: Option<Uuid>,
    /// The walk-in point the resident came to, for a walk-in ticket: the
    /// responders whose home point it is are on site.
    pub at_point: Option<Uuid>,
    /// A live channel (chat, phone): the resident is waiting there and then,
    /// so responders present at their console come first.
    pub prefer_present: bool,
    /// `BATLINE_PRESENCE_SECONDS`: how recent a signed-in request makes a
    /// responder present.
    pub presence_window: std::time::Duration,
}

/// Every responder on duty except `exclude`, with what the rules need.
/// Only responders and leads own cases: a desk person registers tickets, and
/// the mayor and admins are reached only through the backstop chain, never
/// because they happened to be on duty.
#[tracing::instrument(skip(conn))]
pub async fn on_duty_candidates(
    conn: &mut PgConnection,
    needs: &Needs<'_>,
    exclude: &[Uuid],
) -> Result<Vec<Candidate>> {
    Ok(sqlx::query_as(
        "SELECT r.id, r.display_name AS name,
                r.open_cases::bigint AS load,
                r.capacity,
                $1 = ANY (r.languages) AS speaks,
                COALESCE($2 = ANY (r.areas), false) AS in_area,
                COALESCE($3 = ANY (r.topics), false) AS knows_topic,
                r.id IS NOT DISTINCT FROM $4 AS previous,
                COALESCE(r.home_point_id = $6, false) AS at_point,
                r.last_assigned_at,
                r.id IN (SELECT p FROM present_responders(make_interval(secs => $7), make_interval(secs => $8)) AS p) AS present
         FROM responders r
         WHERE r.duty_status = 'on_duty' AND r.role IN ('responder', 'lead') AND NOT (r.id = ANY ($5))
         ORDER BY r.id",
    )
    .bind(needs.language.as_str())
    .bind(needs.area)
    .bind(needs.topic)
    .bind(needs.previous_owner)
    .bind(exclude)
    .bind(needs.at_point)
    .bind(needs.presence_window.as_secs_f64())
    .bind(crate::store::presence::CLOSE_GRACE.as_secs_f64())
    .fetch_all(conn)
    .await?)
}

/// Locks a responder and returns (capacity, open cases). Taken just before
/// giving them a case, so two routers cannot both fill their last slot.
#[tracing::instrument(skip(conn))]
pub async fn lock_load(conn: &mut PgConnection, id: Uuid) -> Result<(i32, i64)> {
    Ok(sqlx::query_as("SELECT capacity, open_cases::bigint FROM responders WHERE id = $1 FOR NO KEY UPDATE")
        .bind(id)
        .fetch_one(conn)
        .await?)
}

/// Locks a responder and returns their duty status. Taken before a case
/// goes to them by their own hand (accepting an offer), so going off duty
/// either waits for that, and hands the case on after, or comes first and
/// refuses it.
#[tracing::instrument(skip(conn))]
pub async fn lock_duty(conn: &mut PgConnection, id: Uuid) -> Result<Option<DutyStatus>> {
    Ok(sqlx::query_scalar("SELECT duty_status FROM responders WHERE id = $1 FOR NO KEY UPDATE")
        .bind(id)
        .fetch_optional(conn)
        .await?)
}

/// Locks the first of `ids`, in their order, whose row no other transaction
/// holds and, with `with_room`, whose open cases are fewer than their
/// capacity; `None` when there is none. One statement however many are
/// tried: the sort comes before the lock and the `LIMIT` stops at the first
/// row locked. Room is judged on the row as locked: a row another
/// transaction changed since this statement began is re-read and, full,
/// passed over (it may stay locked to this transaction, which only makes
/// others wait for its commit; it is given nothing).
#[tracing::instrument(skip(conn))]
pub async fn lock_first_unheld(conn: &mut PgConnection, ids: &[Uuid], with_room: bool) -> Result<Option<Uuid>> {
    Ok(sqlx::query_scalar(
        "SELECT r.id
         FROM unnest($1::uuid[]) WITH ORDINALITY AS wanted (id, place)
         JOIN responders r ON r.id = wanted.id
         WHERE NOT $2 OR r.open_cases < r.capacity
         ORDER BY wanted.place
         LIMIT 1
         FOR NO KEY UPDATE OF r SKIP LOCKED",
    )
    .bind(ids)
    .bind(with_room)
    .fetch_optional(conn)
    .await?)
}

/// Display names of the responders in `ids`.
#[tracing::instrument(skip(e))]
pub async fn display_names(e: impl PgExecutor<'_>, ids: &[Uuid]) -> Result<Vec<(Uuid, String)>> {
    Ok(sqlx::query_as("SELECT id, display_name FROM responders WHERE id = ANY ($1)").bind(ids).fetch_all(e).await?)
}

/// A responder's line on the shift lead's board.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct BoardRow {
    /// The responder.
    pub id: Uuid,
    /// Their username (the reassign form names people by it).
    pub username: String,
    /// Their name.
    pub display_name: String,
    /// Their role.
    pub role: Role,
    /// On duty, away or off.
    pub duty_status: DutyStatus,
    /// Open cases they take at most.
    pub capacity: i32,
    /// Open cases they own.
    pub open_cases: i64,
    /// Of those, not yet acknowledged.
    pub unacknowledged: i64,
    /// Of those, past the acknowledgement deadline.
    pub overdue: i64,
    /// Whether they are at their console now.
    #[sqlx(flatten)]
    #[serde(flatten)]
    pub sighting: crate::store::presence::Sighting,
}

/// Everyone who could own cases and is working, present or still owns
/// some: present first, then the busiest. `presence_window` is
/// `BATLINE_PRESENCE_SECONDS`.
#[tracing::instrument(skip(e))]
pub async fn board(
    e: impl PgExecutor<'_>,
    now: DateTime<Utc>,
    presence_window: std::time::Duration,
) -> Result<Vec<BoardRow>> {
    Ok(sqlx::query_as(
        "SELECT b.* FROM (
             SELECT r.id, r.username, r.display_name, r.role, r.duty_status, r.capacity,
                    count(c.id) AS open_cases,
                    count(c.id) FILTER (WHERE c.acknowledged_at IS NULL) AS unacknowledged,
                    count(c.id) FILTER (WHERE c.acknowledged_at IS NULL AND c.ack_due_at < $1) AS overdue,
                    r.id IN (SELECT p FROM present_responders(make_interval(secs => $2), make_interval(secs => $3)) AS p) AS present,
                    EXISTS (SELECT 1 FROM console_sockets s
                            WHERE s.responder_id = r.id AND s.expires_at > clock_timestamp()) AS console_open,
                    (SELECT max(s.last_seen_at) FROM console_sessions s
                     WHERE s.responder_id = r.id AND s.expires_at > clock_timestamp()) AS last_seen_at
             FROM responders r
             LEFT JOIN cases c ON c.owner_id = r.id AND c.status = 'open'
             WHERE r.role <> 'desk'
             GROUP BY r.id) b
         WHERE b.duty_status <> 'off' OR b.open_cases > 0 OR b.present
         ORDER BY b.present DESC, b.open_cases DESC, b.display_name",
    )
    .bind(now)
    .bind(presence_window.as_secs_f64())
    .bind(crate::store::presence::CLOSE_GRACE.as_secs_f64())
    .fetch_all(e)
    .await?)
}

/// Removes a responder's phone and/or home walk-in point: [`update`] keeps
/// a field it is given no value for, so emptying one needs its own query.
#[tracing::instrument(skip(conn))]
pub async fn clear_optional(conn: &mut PgConnection, id: Uuid, phone: bool, home_point: bool) -> Result<()> {
    sqlx::query(
        "UPDATE responders SET
             phone = CASE WHEN $2 THEN NULL ELSE phone END,
             home_point_id = CASE WHEN $3 THEN NULL ELSE home_point_id END
         WHERE id = $1",
    )
    .bind(id)
    .bind(phone)
    .bind(home_point)
    .execute(conn)
    .await?;
    Ok(())
}

/// Replaces a responder's password hash; false if there is no such responder.
#[tracing::instrument(skip(conn, password_hash))]
pub async fn set_password_hash(conn: &mut PgConnection, id: Uuid, password_hash: &str) -> Result<bool> {
    Ok(sqlx::query("UPDATE responders SET password_hash = $2 WHERE id = $1")
        .bind(id)
        .bind(password_hash)
        .execute(conn)
        .await?
        .rows_affected()
        == 1)
}
