//! Residents: as little as Batline needs to answer them.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use crate::{Result, domain::Language};

/// A resident as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Resident {
    /// Stable id.
    pub id: Uuid,
    /// Phone number, E.164, for SMS.
    pub phone: Option<String>,
    /// Email address, lower-case (see `email_address::normalize`).
    pub email: Option<String>,
    /// The language Batline answers them in.
    pub language: Language,
    /// First contact.
    pub created_at: DateTime<Utc>,
    /// No case names this resident yet, open or past, so filing asks for
    /// none: one the upsert that returned it created, this very contact, or
    /// one [`lock_for_filing`] found without a case (a chat resident the
    /// gateway created a moment before their first message).
    #[sqlx(default)]
    pub is_new: bool,
}

/// The resident with this phone, created on first contact. The row stays
/// locked until the transaction ends, which serialises everything filed for
/// one resident: two routers cannot open two cases for them at once.
#[tracing::instrument(skip(conn, phone))]
pub async fn upsert_by_phone(conn: &mut PgConnection, phone: &str, language: Language) -> Result<Resident> {
    Ok(sqlx::query_as(
        "INSERT INTO residents (id, phone, language) VALUES ($1, $2, $3)
         ON CONFLICT (phone) DO UPDATE SET phone = EXCLUDED.phone
         RETURNING *, xmax = 0 AS is_new",
    )
    .bind(Uuid::new_v4())
    .bind(phone)
    .bind(language)
    .fetch_one(conn)
    .await?)
}

/// The resident with this email address (stored form), created on first
/// contact and locked for the rest of the transaction, as
/// [`upsert_by_phone`] does.
#[tracing::instrument(skip(conn, email))]
pub async fn upsert_by_email(conn: &mut PgConnection, email: &str, language: Language) -> Result<Resident> {
    Ok(sqlx::query_as(
        "INSERT INTO residents (id, email, language) VALUES ($1, $2, $3)
         ON CONFLICT (email) DO UPDATE SET email = EXCLUDED.email
         RETURNING *, xmax = 0 AS is_new",
    )
    .bind(Uuid::new_v4())
    .bind(email)
    .bind(language)
    .fetch_one(conn)
    .await?)
}

/// Changes the language Batline answers a resident in.
#[tracing::instrument(skip(conn))]
pub async fn set_language(conn: &mut PgConnection, id: Uuid, language: Language) -> Result<()> {
    sqlx::query("UPDATE residents SET language = $2 WHERE id = $1").bind(id).bind(language).execute(conn).await?;
    Ok(())
}

/// The language Batline last spoke with the resident who has this phone.
#[tracing::instrument(skip(e, phone))]
pub async fn language_by_phone(e: impl PgExecutor<'_>, phone: &str) -> Result<Option<Language>> {
    Ok(sqlx::query_scalar("SELECT language FROM residents WHERE phone = $1").bind(phone).fetch_optional(e).await?)
}

/// A new resident who gave no phone number: a walk-in visitor. Each such
/// visit is a new person as far as Batline can tell; they come back by
/// their case's tracking code instead.
#[tracing::instrument(skip(conn))]
pub async fn insert_without_phone(conn: &mut PgConnection, language: Language) -> Result<Resident> {
    Ok(sqlx::query_as("INSERT INTO residents (id, phone, language) VALUES ($1, NULL, $2) RETURNING *")
        .bind(Uuid::new_v4())
        .bind(language)
        .fetch_one(conn)
        .await?)
}

/// A resident by id, locked for the rest of the transaction, which
/// serialises filing for them as [`upsert_by_phone`] does.
#[tracing::instrument(skip(conn))]
pub async fn lock(conn: &mut PgConnection, id: Uuid) -> Result<Option<Resident>> {
    Ok(sqlx::query_as("SELECT * FROM residents WHERE id = $1 FOR UPDATE").bind(id).fetch_optional(conn).await?)
}

/// A resident by id, locked as [`lock`] does, and told whether any case
/// names them yet (`is_new`): under the lock nobody else files for them, so
/// a resident without a case is asked for no open, merged, awaited or past
/// case.
#[tracing::instrument(skip(conn))]
pub async fn lock_for_filing(conn: &mut PgConnection, id: Uuid) -> Result<Option<Resident>> {
    Ok(sqlx::query_as(
        "SELECT r.*, NOT EXISTS (SELECT 1 FROM cases c WHERE c.resident_id = r.id) AS is_new
         FROM residents r WHERE r.id = $1
         FOR UPDATE OF r",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?)
}

/// Two residents, locked in id order (whoever links which to which, two
/// links of one pair cannot deadlock), in the order asked.
#[tracing::instrument(skip(conn))]
pub async fn lock_pair(conn: &mut PgConnection, a: Uuid, b: Uuid) -> Result<Option<(Resident, Resident)>> {
    let mut rows: Vec<Resident> = sqlx::query_as("SELECT * FROM residents WHERE id = ANY($1) ORDER BY id FOR UPDATE")
        .bind(vec![a, b])
        .fetch_all(conn)
        .await?;
    let (Some(y), Some(x), None) = (rows.pop(), rows.pop(), rows.pop()) else {
        return Ok(None);
    };
    Ok(Some(if x.id == a { (x, y) } else { (y, x) }))
}

/// Takes the phone and email address off resident `id` (the one a link
/// empties), so they can move to the other without meeting the unique
/// constraints.
#[tracing::instrument(skip(conn))]
pub async fn take_addresses(conn: &mut PgConnection, id: Uuid) -> Result<()> {
    sqlx::query("UPDATE residents SET phone = NULL, email = NULL WHERE id = $1").bind(id).execute(conn).await?;
    Ok(())
}

/// Gives resident `id` a phone and an email address where it has none.
#[tracing::instrument(skip(conn, phone, email))]
pub async fn add_addresses(conn: &mut PgConnection, id: Uuid, phone: Option<&str>, email: Option<&str>) -> Result<()> {
    sqlx::query("UPDATE residents SET phone = coalesce(phone, $2), email = coalesce(email, $3) WHERE id = $1")
        .bind(id)
        .bind(phone)
        .bind(email)
        .execute(conn)
        .await?;
    Ok(())
}

/// Moves every case of resident `from` to resident `to`; returns their ids.
#[tracing::instrument(skip(conn))]
pub async fn move_cases(conn: &mut PgConnection, from: Uuid, to: Uuid) -> Result<Vec<Uuid>> {
    Ok(sqlx::query_scalar("UPDATE cases SET resident_id = $2 WHERE resident_id = $1 RETURNING id")
        .bind(from)
        .bind(to)
        .fetch_all(conn)
        .await?)
}

/// The open case of resident `id`, if any (its tracking code and id).
#[tracing::instrument(skip(e))]
pub async fn open_case(e: impl PgExecutor<'_>, id: Uuid) -> Result<Option<(Uuid, String)>> {
    Ok(sqlx::query_as("SELECT id, tracking_code FROM cases WHERE resident_id = $1 AND status = 'open'")
        .bind(id)
        .fetch_optional(e)
        .await?)
}

/// The resident whose phone is `phone` (E.164), if any.
#[tracing::instrument(skip(e, phone))]
pub async fn by_phone(e: impl PgExecutor<'_>, phone: &str) -> Result<Option<Resident>> {
    Ok(sqlx::query_as("SELECT * FROM residents WHERE phone = $1").bind(phone).fetch_optional(e).await?)
}

/// The resident whose email address is `email` (stored form), if any.
#[tracing::instrument(skip(e, email))]
pub async fn by_email(e: impl PgExecutor<'_>, email: &str) -> Result<Option<Resident>> {
    Ok(sqlx::query_as("SELECT * FROM residents WHERE email = $1").bind(email).fetch_optional(e).await?)
}

/// What a link moved, as recorded.
#[derive(Debug, Clone)]
pub struct NewLink<'a> {
    /// The resident who now has everything.
    pub kept_id: Uuid,
    /// The resident left empty.
    pub absorbed_id: Uuid,
    /// Whether the phone moved.
    pub moved_phone: bool,
    /// Whether the email address moved.
    pub moved_email: bool,
    /// Whether the chat session moved.
    pub moved_chat: bool,
    /// The cases that moved.
    pub case_ids: &'a [Uuid],
    /// The responder who linked them; `None` when the resident proved it.
    pub linked_by: Option<Uuid>,
    /// Why.
    pub reason: &'a str,
}

/// Records a link.
#[tracing::instrument(skip(conn, link))]
pub async fn insert_link(conn: &mut PgConnection, link: &NewLink<'_>) -> Result<Uuid> {
    Ok(sqlx::query_scalar(
        "INSERT INTO resident_links
                (id, kept_id, absorbed_id, moved_phone, moved_email, moved_chat, case_ids, linked_by, reason)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(Uuid::new_v4())
    .bind(link.kept_id)
    .bind(link.absorbed_id)
    .bind(link.moved_phone)
    .bind(link.moved_email)
    .bind(link.moved_chat)
    .bind(link.case_ids)
    .bind(link.linked_by)
    .bind(link.reason)
    .fetch_one(conn)
    .await?)
}
