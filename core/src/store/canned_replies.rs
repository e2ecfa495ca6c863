//! Canned replies: ready-made texts a responder picks and edits before sending.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::PgExecutor;
use uuid::Uuid;

use crate::{Result, domain::Language};

/// One canned reply in one language.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct CannedReply {
    /// Stable id.
    pub id: Uuid,
    /// The language it is written in.
    pub language: Language,
    /// A short name to pick it by.
    pub title: String,
    /// The text.
    pub body: String,
    /// Retired: no longer offered.
    pub archived: bool,
    /// When it was added.
    pub created_at: DateTime<Utc>,
}

/// Every canned reply still offered, by language and title.
#[tracing::instrument(skip(e))]
pub async fn active(e: impl PgExecutor<'_>) -> Result<Vec<CannedReply>> {
    Ok(sqlx::query_as(
        "SELECT id, language, title, body, archived, created_at FROM canned_replies
         WHERE NOT archived ORDER BY language, title",
    )
    .fetch_all(e)
    .await?)
}

/// Adds a canned reply.
#[tracing::instrument(skip(e, body))]
pub async fn insert(
    e: impl PgExecutor<'_>,
    language: Language,
    title: &str,
    body: &str,
    created_by: Uuid,
) -> Result<CannedReply> {
    Ok(sqlx::query_as(
        "INSERT INTO canned_replies (id, language, title, body, created_by) VALUES ($1, $2, $3, $4, $5)
         RETURNING id, language, title, body, archived, created_at",
    )
    .bind(Uuid::new_v4())
    .bind(language)
    .bind(title)
    .bind(body)
    .bind(created_by)
    .fetch_one(e)
    .await?)
}

/// Retires a canned reply; false if there was no such active one.
#[tracing::instrument(skip(e))]
pub async fn archive(e: impl PgExecutor<'_>, id: Uuid) -> Result<bool> {
    Ok(sqlx::query("UPDATE canned_replies SET archived = true WHERE id = $1 AND NOT archived")
        .bind(id)
        .execute(e)
        .await?
        .rows_affected()
        == 1)
}
