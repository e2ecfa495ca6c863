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
}

/// The resident with this phone, created on first contact. The row stays
/// locked until the transaction ends, which serialises everything filed for
/// one resident: two routers cannot open two cases for them at once.
#[tracing::instrument(skip(conn, phone))]
pub async fn upsert_by_phone(conn: &mut PgConnection, phone: &str, language: Language) -> Result<Resident> {
    Ok(sqlx::query_as(
        "INSERT INTO residents (id, phone, language) VALUES ($1, $2, $3)
         ON CONFLICT (phone) DO UPDATE SET phone = EXCLUDED.phone
         RETURNING *",
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
         RETURNING *",
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
