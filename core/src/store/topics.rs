//! The service catalogue: topics with stable codes and names in three
//! languages. A change of name or description is a new version (the old one
//! closed with `valid_to`); a topic is retired, never deleted.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use crate::{Result, domain::Language};

/// A topic as the catalogue has it now.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Topic {
    /// Stable code (`streets`), used by cases, skills, SLA policies and reports.
    pub code: String,
    /// Where it comes in lists.
    pub position: i32,
    /// When it stopped being offered; cases keep it.
    pub retired_at: Option<DateTime<Utc>>,
    /// The current version of its names.
    pub version: i32,
    /// Finnish name.
    pub name_fi: String,
    /// Swedish name.
    pub name_sv: String,
    /// English name.
    pub name_en: String,
    /// Finnish description.
    pub description_fi: String,
    /// Swedish description.
    pub description_sv: String,
    /// English description.
    pub description_en: String,
}

impl Topic {
    /// Its name for a reader of `lang`.
    pub fn name(&self, lang: Language) -> &str {
        match lang {
            Language::Fi => &self.name_fi,
            Language::Sv => &self.name_sv,
            Language::En => &self.name_en,
        }
    }

    /// Its description for a reader of `lang`.
    pub fn description(&self, lang: Language) -> &str {
        match lang {
            Language::Fi => &self.description_fi,
            Language::Sv => &self.description_sv,
            Language::En => &self.description_en,
        }
    }

    /// Whether it is still offered for new cases, skills and policies.
    pub fn offered(&self) -> bool {
        self.retired_at.is_none()
    }
}

/// Names and descriptions of a topic version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicNames {
    /// Finnish, Swedish and English names.
    pub names: [String; 3],
    /// Finnish, Swedish and English descriptions (may be empty).
    pub descriptions: [String; 3],
}

/// Every topic, retired ones too, in the catalogue's order.
#[tracing::instrument(skip(e))]
pub async fn all(e: impl PgExecutor<'_>) -> Result<Vec<Topic>> {
    Ok(sqlx::query_as(
        "SELECT t.code, t.position, t.retired_at, v.version, v.name_fi, v.name_sv, v.name_en,
                v.description_fi, v.description_sv, v.description_en
           FROM topics t JOIN topic_versions v ON v.code = t.code AND v.valid_to IS NULL
          ORDER BY t.position, t.code",
    )
    .fetch_all(e)
    .await?)
}

/// Whether `code` is a topic still offered.
#[tracing::instrument(skip(e))]
pub async fn is_offered(e: impl PgExecutor<'_>, code: &str) -> Result<bool> {
    Ok(sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM topics WHERE code = $1 AND retired_at IS NULL)")
        .bind(code)
        .fetch_one(e)
        .await?)
}

/// Of `codes`, those that are not topics still offered.
#[tracing::instrument(skip(e))]
pub async fn not_offered(e: impl PgExecutor<'_>, codes: &[String]) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT c FROM unnest($1::text[]) AS c
          WHERE NOT EXISTS (SELECT 1 FROM topics t WHERE t.code = c AND t.retired_at IS NULL)",
    )
    .bind(codes)
    .fetch_all(e)
    .await?)
}

/// Adds a topic with its first version. False when the code is taken.
#[tracing::instrument(skip(conn, names))]
pub async fn add(
    conn: &mut PgConnection,
    code: &str,
    position: i32,
    names: &TopicNames,
    by: Option<Uuid>,
) -> Result<bool> {
    let added = sqlx::query("INSERT INTO topics (code, position) VALUES ($1, $2) ON CONFLICT (code) DO NOTHING")
        .bind(code)
        .bind(position)
        .execute(&mut *conn)
        .await?
        .rows_affected()
        == 1;
    if added {
        insert_version(conn, code, 1, names, by).await?;
    }
    Ok(added)
}

/// Replaces `code`'s names with a new version. False when there is no such topic.
#[tracing::instrument(skip(conn, names))]
pub async fn new_version(conn: &mut PgConnection, code: &str, names: &TopicNames, by: Option<Uuid>) -> Result<bool> {
    let closed: Option<i32> = sqlx::query_scalar(
        "UPDATE topic_versions SET valid_to = clock_timestamp()
          WHERE code = $1 AND valid_to IS NULL RETURNING version",
    )
    .bind(code)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(version) = closed else { return Ok(false) };
    insert_version(conn, code, version + 1, names, by).await?;
    Ok(true)
}

async fn insert_version(
    conn: &mut PgConnection,
    code: &str,
    version: i32,
    names: &TopicNames,
    by: Option<Uuid>,
) -> Result<()> {
    let [name_fi, name_sv, name_en] = &names.names;
    let [description_fi, description_sv, description_en] = &names.descriptions;
    sqlx::query(
        "INSERT INTO topic_versions (code, version, name_fi, name_sv, name_en,
                                     description_fi, description_sv, description_en, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(code)
    .bind(version)
    .bind(name_fi)
    .bind(name_sv)
    .bind(name_en)
    .bind(description_fi)
    .bind(description_sv)
    .bind(description_en)
    .bind(by)
    .execute(conn)
    .await?;
    Ok(())
}

/// Retires `code` (or offers it again). False when there is no such topic.
#[tracing::instrument(skip(e))]
pub async fn set_retired(e: impl PgExecutor<'_>, code: &str, retired: bool) -> Result<bool> {
    Ok(sqlx::query(
        "UPDATE topics SET retired_at = CASE WHEN $2 THEN coalesce(retired_at, clock_timestamp()) END WHERE code = $1",
    )
    .bind(code)
    .bind(retired)
    .execute(e)
    .await?
    .rows_affected()
        == 1)
}
