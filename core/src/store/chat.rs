//! Web chat: sessions, a session's conversation in order, read and delivery
//! marks. A session is one resident (created with the session, without a
//! phone); its conversation is every chat message of that resident's cases,
//! numbered by `messages.chat_seq` (see the migration for why that order is
//! safe to resume from).

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use crate::{
    Result,
    domain::{CaseStatus, Direction, Language, MessageKind},
};

/// A chat session as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ChatSession {
    /// Stable id; bus messages and intake carry it.
    pub id: Uuid,
    /// The resident the session is.
    pub resident_id: Uuid,
    /// The language the resident chose on the page.
    pub language: Language,
    /// Position of the newest message of the conversation.
    pub last_seq: i64,
    /// When the session was created.
    pub created_at: DateTime<Utc>,
}

/// Creates a session (and its resident, who has no phone) for a token hash.
#[tracing::instrument(skip_all)]
pub async fn insert_session(conn: &mut PgConnection, token_hash: &[u8], language: Language) -> Result<ChatSession> {
    let resident = super::residents::insert_without_phone(&mut *conn, language).await?;
    Ok(sqlx::query_as(
        "INSERT INTO chat_sessions (id, token_hash, resident_id, language) VALUES ($1, $2, $3, $4)
         RETURNING id, resident_id, language, last_seq, created_at",
    )
    .bind(Uuid::new_v4())
    .bind(token_hash)
    .bind(resident.id)
    .bind(language)
    .fetch_one(conn)
    .await?)
}

/// The session a token belongs to; marks it seen.
#[tracing::instrument(skip_all)]
pub async fn by_token(e: impl PgExecutor<'_>, token_hash: &[u8]) -> Result<Option<ChatSession>> {
    Ok(sqlx::query_as(
        "UPDATE chat_sessions SET last_seen_at = clock_timestamp() WHERE token_hash = $1
         RETURNING id, resident_id, language, last_seq, created_at",
    )
    .bind(token_hash)
    .fetch_optional(e)
    .await?)
}

/// A session by id.
#[tracing::instrument(skip(e))]
pub async fn get(e: impl PgExecutor<'_>, id: Uuid) -> Result<Option<ChatSession>> {
    Ok(sqlx::query_as("SELECT id, resident_id, language, last_seq, created_at FROM chat_sessions WHERE id = $1")
        .bind(id)
        .fetch_optional(e)
        .await?)
}

/// The chat session of a case's resident, if the case came by chat.
#[tracing::instrument(skip(e))]
pub async fn session_for_case(e: impl PgExecutor<'_>, case_id: Uuid) -> Result<Option<Uuid>> {
    Ok(sqlx::query_scalar(
        "SELECT s.id FROM cases c JOIN chat_sessions s ON s.resident_id = c.resident_id WHERE c.id = $1",
    )
    .bind(case_id)
    .fetch_optional(e)
    .await?)
}

/// One message of a conversation, as the resident sees it.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct ChatMessage {
    /// Position in the conversation.
    pub seq: i64,
    /// Stable id.
    pub id: Uuid,
    /// The case it belongs to.
    pub case_id: Uuid,
    /// Which way it went.
    pub direction: Direction,
    /// Who wrote it.
    pub kind: MessageKind,
    /// The text.
    pub body: String,
    /// The responder who wrote it, by display name.
    pub author_name: Option<String>,
    /// For the resident's own messages: the id their browser gave it.
    pub client_id: Option<String>,
    /// When it was written.
    pub created_at: DateTime<Utc>,
    /// For the resident's messages: when the owner read it.
    pub read_at: Option<DateTime<Utc>>,
}

/// The conversation of `resident_id` after position `after`, oldest first, at most `limit`.
#[tracing::instrument(skip(e))]
pub async fn messages_after(
    e: impl PgExecutor<'_>,
    resident_id: Uuid,
    after: i64,
    limit: i64,
) -> Result<Vec<ChatMessage>> {
    Ok(sqlx::query_as(
        "SELECT m.chat_seq AS seq, m.id, m.case_id, m.direction, m.kind, m.body,
                r.display_name AS author_name, i.raw ->> 'client_id' AS client_id, m.created_at, m.read_at
         FROM cases c
         JOIN messages m ON m.case_id = c.id AND m.chat_seq IS NOT NULL
         LEFT JOIN responders r ON r.id = m.author_id
         LEFT JOIN intake i ON i.id = m.intake_id
         WHERE c.resident_id = $1 AND m.chat_seq > $2
         ORDER BY m.chat_seq
         LIMIT $3",
    )
    .bind(resident_id)
    .bind(after)
    .bind(limit)
    .fetch_all(e)
    .await?)
}

/// The case a chat resident sees at the top of the chat: their open case,
/// else their latest.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ChatCase {
    /// The case.
    pub id: Uuid,
    /// Its public code.
    pub tracking_code: String,
    /// Open or resolved.
    pub status: CaseStatus,
    /// Its owner's display name.
    pub owner_name: String,
    /// The case's district, when known ("Aino, Kallio"). Never the owner's
    /// home area: a streetlight in Kallio is in Kallio whoever handles it.
    pub area: Option<String>,
    /// Whether the resident was asked if it was solved and has not answered.
    pub awaiting_satisfaction: bool,
}

/// The case the chat of `resident_id` is about now, if there is one yet.
#[tracing::instrument(skip(e))]
pub async fn current_case(e: impl PgExecutor<'_>, resident_id: Uuid) -> Result<Option<ChatCase>> {
    Ok(sqlx::query_as(
        "SELECT c.id, c.tracking_code, c.status, r.display_name AS owner_name,
                c.area,
                (c.status = 'resolved' AND c.satisfaction_asked_at IS NOT NULL
                 AND c.satisfaction_score IS NULL) AS awaiting_satisfaction
         FROM cases c JOIN responders r ON r.id = COALESCE(c.announced_owner_id, c.owner_id)
         WHERE c.resident_id = $1
         ORDER BY (c.status = 'open') DESC, c.opened_at DESC
         LIMIT 1",
    )
    .bind(resident_id)
    .fetch_optional(e)
    .await?)
}

/// The newest of the resident's messages their case's owner has read:
/// its position and when. Everything before it was read too.
#[tracing::instrument(skip(e))]
pub async fn read_up_to(e: impl PgExecutor<'_>, resident_id: Uuid) -> Result<Option<(i64, DateTime<Utc>)>> {
    Ok(sqlx::query_as(
        // Case by case, newest chat message first along `messages_chat_seq`:
        // the plain join, sorted once, was planned on tables not analysed
        // into 1.5 to 12 ms a call in the mixed benchmark; this shape stays
        // an index walk of the resident's few cases whatever the statistics.
        "SELECT m.chat_seq, m.read_at FROM cases c
         CROSS JOIN LATERAL (
             SELECT m.chat_seq, m.read_at FROM messages m
             WHERE m.case_id = c.id AND m.chat_seq IS NOT NULL AND m.read_at IS NOT NULL
             ORDER BY m.chat_seq DESC LIMIT 1
         ) m
         WHERE c.resident_id = $1
         ORDER BY m.chat_seq DESC LIMIT 1",
    )
    .bind(resident_id)
    .fetch_optional(e)
    .await?)
}

/// Marks the resident's unread chat messages on a case as read now; returns
/// how many were newly marked.
#[tracing::instrument(skip(e))]
pub async fn mark_read(e: impl PgExecutor<'_>, case_id: Uuid) -> Result<u64> {
    Ok(sqlx::query(
        "UPDATE messages SET read_at = clock_timestamp()
         WHERE case_id = $1 AND direction = 'inbound' AND chat_seq IS NOT NULL AND read_at IS NULL",
    )
    .bind(case_id)
    .execute(e)
    .await?
    .rows_affected())
}

/// The browser confirmed it has shown everything up to `seq`: Batline's
/// messages up to there count as delivered.
#[tracing::instrument(skip(e))]
pub async fn mark_delivered(e: impl PgExecutor<'_>, resident_id: Uuid, seq: i64) -> Result<u64> {
    Ok(sqlx::query(
        "UPDATE messages m SET delivery_status = 'delivered', updated_at = clock_timestamp()
         FROM cases c
         WHERE c.resident_id = $1 AND m.case_id = c.id AND m.chat_seq IS NOT NULL AND m.chat_seq <= $2
           AND m.direction = 'outbound' AND m.delivery_status IN ('pending', 'sending', 'sent')",
    )
    .bind(resident_id)
    .bind(seq)
    .execute(e)
    .await?
    .rows_affected())
}

/// Whether a chat session is the resident of a case: the chat token is
/// then proof of being the case's contact.
#[tracing::instrument(skip(e))]
pub async fn is_contact(e: impl PgExecutor<'_>, session_id: Uuid, case_id: Uuid) -> Result<bool> {
    Ok(sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM cases c JOIN chat_sessions s ON s.resident_id = c.resident_id
                        WHERE c.id = $1 AND s.id = $2)",
    )
    .bind(case_id)
    .bind(session_id)
    .fetch_one(e)
    .await?)
}

/// The chat session of resident `resident_id`, if they have one.
#[tracing::instrument(skip(e))]
pub async fn session_of_resident(e: impl PgExecutor<'_>, resident_id: Uuid) -> Result<Option<Uuid>> {
    Ok(sqlx::query_scalar("SELECT id FROM chat_sessions WHERE resident_id = $1")
        .bind(resident_id)
        .fetch_optional(e)
        .await?)
}

/// Moves resident `from`'s chat session (if any) to resident `to`, who has none.
#[tracing::instrument(skip(conn))]
pub async fn move_session(conn: &mut PgConnection, from: Uuid, to: Uuid) -> Result<bool> {
    Ok(sqlx::query("UPDATE chat_sessions SET resident_id = $2 WHERE resident_id = $1")
        .bind(from)
        .bind(to)
        .execute(conn)
        .await?
        .rows_affected()
        == 1)
}
