//! Email beside the case: the files an email carried, the thread a reply
//! belongs to, and what an answer needs to be addressed and threaded.
//! Every email's Message-ID (without its angle brackets) is its provider id,
//! on the intake row and on the message in the case's thread.

use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use crate::{Result, domain::Language};

/// An attachment as the owner's case page lists it.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct AttachmentInfo {
    /// Stable id.
    pub id: Uuid,
    /// The message it came with.
    pub message_id: Option<Uuid>,
    /// The name the resident's mail program gave it.
    pub file_name: String,
    /// The type the mail said it is (never trusted to render it).
    pub content_type: String,
    /// Its size in bytes.
    pub size: i64,
}

/// An attachment with its bytes.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Attachment {
    /// The name the resident's mail program gave it.
    pub file_name: String,
    /// The type the mail said it is.
    pub content_type: String,
    /// The file.
    pub content: Vec<u8>,
}

/// Keeps a file an email carried, beside its intake row.
#[tracing::instrument(skip(conn, content))]
pub async fn insert_attachment(
    conn: &mut PgConnection,
    intake_id: Uuid,
    ordinal: i32,
    file_name: &str,
    content_type: &str,
    content: &[u8],
) -> Result<()> {
    sqlx::query(
        "INSERT INTO email_attachments (id, intake_id, ordinal, file_name, content_type, content)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(Uuid::new_v4())
    .bind(intake_id)
    .bind(ordinal)
    .bind(file_name)
    .bind(content_type)
    .bind(content)
    .execute(conn)
    .await?;
    Ok(())
}

/// The attachments of the emails in cases `case_ids` (a case and those
/// merged into it), in the order they came. Found through the cases'
/// messages (indexed by case), not by scanning intake.
#[tracing::instrument(skip(e))]
pub async fn attachments_for_cases(e: impl PgExecutor<'_>, case_ids: &[Uuid]) -> Result<Vec<AttachmentInfo>> {
    Ok(sqlx::query_as(
        "SELECT a.id, m.id AS message_id, a.file_name, a.content_type, octet_length(a.content)::int8 AS size
           FROM messages m
           JOIN email_attachments a ON a.intake_id = m.intake_id
          WHERE m.case_id = ANY($1) AND m.channel = 'email' AND m.intake_id IS NOT NULL
          ORDER BY m.created_at, a.ordinal",
    )
    .bind(case_ids)
    .fetch_all(e)
    .await?)
}

/// One attachment of case `case_id`'s emails.
#[tracing::instrument(skip(e))]
pub async fn attachment(e: impl PgExecutor<'_>, case_id: Uuid, id: Uuid) -> Result<Option<Attachment>> {
    Ok(sqlx::query_as(
        "SELECT a.file_name, a.content_type, a.content
           FROM email_attachments a JOIN intake i ON i.id = a.intake_id
          WHERE a.id = $2 AND i.case_id = $1",
    )
    .bind(case_id)
    .bind(id)
    .fetch_optional(e)
    .await?)
}

/// The case of the newest email among `message_ids` (an email's
/// `In-Reply-To` and `References`): the thread a reply belongs to.
#[tracing::instrument(skip(e))]
pub async fn case_of_thread(e: impl PgExecutor<'_>, message_ids: &[String]) -> Result<Option<Uuid>> {
    Ok(sqlx::query_scalar(
        "SELECT case_id FROM messages
          WHERE channel = 'email' AND provider_id = ANY($1)
          ORDER BY created_at DESC LIMIT 1",
    )
    .bind(message_ids)
    .fetch_optional(e)
    .await?)
}

/// The outgoing emails among `message_ids` (ids found in a bounce): each
/// message and its case.
#[tracing::instrument(skip(e))]
pub async fn outbound_among(e: impl PgExecutor<'_>, message_ids: &[String]) -> Result<Vec<(Uuid, Uuid, String)>> {
    Ok(sqlx::query_as(
        "SELECT id, case_id, provider_id FROM messages
          WHERE channel = 'email' AND direction = 'outbound' AND provider_id = ANY($1)",
    )
    .bind(message_ids)
    .fetch_all(e)
    .await?)
}

/// Where an outgoing email goes and how it is headed.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EmailEnvelope {
    /// The resident's address, if they have one.
    pub email: Option<String>,
    /// The case's language.
    pub language: Language,
    /// The case's tracking code, in every subject.
    pub tracking_code: String,
    /// The responder who wrote it, for replies.
    pub reply_author: Option<String>,
    /// The subject of the resident's first email on the case.
    pub subject: Option<String>,
}

/// The envelope of outgoing message `message_id`.
#[tracing::instrument(skip(e))]
pub async fn envelope(e: impl PgExecutor<'_>, message_id: Uuid) -> Result<Option<EmailEnvelope>> {
    Ok(sqlx::query_as(
        "SELECT coalesce(m.to_address, res.email) AS email, c.language, c.tracking_code,
                CASE WHEN m.kind = 'reply' THEN r.display_name END AS reply_author,
                (SELECT i.raw ->> 'subject' FROM messages first
                   JOIN intake i ON i.id = first.intake_id
                  WHERE first.case_id = c.id AND first.channel = 'email' AND first.direction = 'inbound'
                  ORDER BY first.created_at LIMIT 1) AS subject
           FROM messages m
           JOIN cases c ON c.id = m.case_id
           JOIN residents res ON res.id = c.resident_id
           LEFT JOIN responders r ON r.id = m.author_id
          WHERE m.id = $1",
    )
    .bind(message_id)
    .fetch_optional(e)
    .await?)
}

/// The Message-IDs of case `case_id`'s emails both ways, oldest first, and
/// whether each came from the resident: an answer's `References`.
#[tracing::instrument(skip(e))]
pub async fn thread(e: impl PgExecutor<'_>, case_id: Uuid) -> Result<Vec<(String, bool)>> {
    Ok(sqlx::query_as(
        "SELECT provider_id, direction = 'inbound' FROM messages
          WHERE case_id = $1 AND channel = 'email' AND provider_id IS NOT NULL
          ORDER BY created_at, id",
    )
    .bind(case_id)
    .fetch_all(e)
    .await?)
}

/// Case `code`, if it is one of the resident's own: a tracking code in a
/// subject threads mail only from the person whose case it is.
#[tracing::instrument(skip(e))]
pub async fn case_of_resident_by_code(e: impl PgExecutor<'_>, resident_id: Uuid, code: &str) -> Result<Option<Uuid>> {
    Ok(sqlx::query_scalar("SELECT id FROM cases WHERE tracking_code = $1 AND resident_id = $2")
        .bind(code)
        .bind(resident_id)
        .fetch_optional(e)
        .await?)
}

/// How far `mailbox` has been read: its UIDVALIDITY and the last UID taken.
#[tracing::instrument(skip(e))]
pub async fn imap_position(e: impl PgExecutor<'_>, mailbox: &str) -> Result<Option<(i64, i64)>> {
    Ok(sqlx::query_as("SELECT uid_validity, last_uid FROM imap_positions WHERE mailbox = $1")
        .bind(mailbox)
        .fetch_optional(e)
        .await?)
}

/// Records that `mailbox` (at `uid_validity`) has been read up to
/// `last_uid`. Never backwards within one UIDVALIDITY, so two gateways
/// reading the same mailbox cannot undo each other.
#[tracing::instrument(skip(e))]
pub async fn set_imap_position(e: impl PgExecutor<'_>, mailbox: &str, uid_validity: i64, last_uid: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO imap_positions (mailbox, uid_validity, last_uid) VALUES ($1, $2, $3)
         ON CONFLICT (mailbox) DO UPDATE
            SET last_uid = CASE WHEN imap_positions.uid_validity = EXCLUDED.uid_validity
                                THEN greatest(imap_positions.last_uid, EXCLUDED.last_uid)
                                ELSE EXCLUDED.last_uid END,
                uid_validity = EXCLUDED.uid_validity,
                updated_at = clock_timestamp()",
    )
    .bind(mailbox)
    .bind(uid_validity)
    .bind(last_uid)
    .execute(e)
    .await?;
    Ok(())
}
