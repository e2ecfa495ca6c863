//! Messages: the conversation of a case, both directions, every channel.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use crate::{
    Result,
    domain::{Channel, DeliveryStatus, Direction, MessageKind},
};

/// A message as stored.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Message {
    /// Stable id.
    pub id: Uuid,
    /// The case it belongs to.
    pub case_id: Uuid,
    /// Which way it went.
    pub direction: Direction,
    /// Which channel carried it.
    pub channel: Channel,
    /// Who wrote it.
    pub kind: MessageKind,
    /// The text.
    pub body: String,
    /// The responder who wrote it, for replies.
    pub author_id: Option<Uuid>,
    /// The intake row it came from, for inbound messages.
    #[serde(skip)]
    pub intake_id: Option<Uuid>,
    /// The provider's id (Twilio's SM… sid).
    pub provider_id: Option<String>,
    /// Outbound only: how far delivery got.
    pub delivery_status: Option<DeliveryStatus>,
    /// Outbound only: why delivery failed.
    pub delivery_error: Option<String>,
    /// Outbound only: how many hand-overs to the provider were started.
    pub attempts: i32,
    /// When it arrived or was written.
    pub created_at: DateTime<Utc>,
    /// Last change of delivery status.
    pub updated_at: DateTime<Utc>,
    /// A voice message's recording, as Twilio stores it.
    pub recording_url: Option<String>,
    /// The recording's length.
    pub recording_seconds: Option<i32>,
}

/// The messages of case `case_id` and of the cases merged into it, in the
/// order they came and went: one thread.
#[tracing::instrument(skip(e))]
pub async fn for_case_with_merged(e: impl PgExecutor<'_>, case_id: Uuid) -> Result<Vec<Message>> {
    Ok(sqlx::query_as(
        "SELECT * FROM messages
          WHERE case_id = $1 OR case_id IN (SELECT id FROM cases WHERE merged_into = $1)
          ORDER BY created_at, id",
    )
    .bind(case_id)
    .fetch_all(e)
    .await?)
}

/// Files a resident's message into a case. `created_at` is the receipt time,
/// so the thread stays in the order the resident wrote even when two
/// messages are filed out of order.
#[tracing::instrument(skip(conn, body))]
pub async fn insert_inbound(
    conn: &mut PgConnection,
    case_id: Uuid,
    channel: Channel,
    body: &str,
    intake_id: Uuid,
    provider_id: Option<&str>,
    received_at: DateTime<Utc>,
) -> Result<Uuid> {
    Ok(sqlx::query_scalar(
        "INSERT INTO messages (id, case_id, direction, channel, kind, body, intake_id, provider_id, created_at, updated_at)
         VALUES ($1, $2, 'inbound', $3, 'resident', $4, $5, $6, $7, $7)
         RETURNING id",
    )
    .bind(Uuid::new_v4())
    .bind(case_id)
    .bind(channel)
    .bind(body)
    .bind(intake_id)
    .bind(provider_id)
    .bind(received_at)
    .fetch_one(conn)
    .await?)
}

/// Files intake row `intake_id`'s message into case `case_id` and marks the
/// row filed into it, in one statement: what a redelivered intake message
/// finds to know it was filed. As [`insert_inbound`] otherwise.
#[tracing::instrument(skip(conn, body))]
pub async fn file_intake(
    conn: &mut PgConnection,
    case_id: Uuid,
    channel: Channel,
    body: &str,
    intake_id: Uuid,
    provider_id: Option<&str>,
    received_at: DateTime<Utc>,
) -> Result<Uuid> {
    Ok(sqlx::query_scalar(
        "WITH filed AS (UPDATE intake SET case_id = $2, filed_at = clock_timestamp() WHERE id = $5)
         INSERT INTO messages (id, case_id, direction, channel, kind, body, intake_id, provider_id, created_at, updated_at)
         VALUES ($1, $2, 'inbound', $3, 'resident', $4, $5, $6, $7, $7)
         RETURNING id",
    )
    .bind(Uuid::new_v4())
    .bind(case_id)
    .bind(channel)
    .bind(body)
    .bind(intake_id)
    .bind(provider_id)
    .bind(received_at)
    .fetch_one(conn)
    .await?)
}

/// An outbound message to write.
#[derive(Debug, Clone)]
pub struct NewOutbound<'a> {
    /// The case.
    pub case_id: Uuid,
    /// Channel to send in.
    pub channel: Channel,
    /// Reply, auto-reply or notice.
    pub kind: MessageKind,
    /// The text.
    pub body: &'a str,
    /// The responder, for replies.
    pub author_id: Option<Uuid>,
    /// Where it goes when that is not the resident's own phone or address
    /// (a one-time code proving an address the resident gave is theirs).
    pub to_address: Option<&'a str>,
}

/// Writes an outbound message as pending; a sender delivers it afterwards.
#[tracing::instrument(skip(conn, new), fields(case_id = %new.case_id, kind = %new.kind))]
pub async fn insert_outbound(conn: &mut PgConnection, new: &NewOutbound<'_>) -> Result<Message> {
    Ok(sqlx::query_as(
        "INSERT INTO messages (id, case_id, direction, channel, kind, body, author_id, to_address, delivery_status)
         VALUES ($1, $2, 'outbound', $3, $4, $5, $6, $7, 'pending')
         RETURNING *",
    )
    .bind(Uuid::new_v4())
    .bind(new.case_id)
    .bind(new.channel)
    .bind(new.kind)
    .bind(new.body)
    .bind(new.author_id)
    .bind(new.to_address)
    .fetch_one(conn)
    .await?)
}

/// A case's messages in conversation order.
#[tracing::instrument(skip(e))]
pub async fn for_case(e: impl PgExecutor<'_>, case_id: Uuid) -> Result<Vec<Message>> {
    Ok(sqlx::query_as("SELECT * FROM messages WHERE case_id = $1 ORDER BY created_at, id")
        .bind(case_id)
        .fetch_all(e)
        .await?)
}

/// A message by id, locked for the rest of the transaction.
#[tracing::instrument(skip(conn))]
pub async fn lock(conn: &mut PgConnection, id: Uuid) -> Result<Option<Message>> {
    Ok(sqlx::query_as("SELECT * FROM messages WHERE id = $1 FOR UPDATE").bind(id).fetch_optional(conn).await?)
}

/// The SMS envelope of message `$1`: the query of [`sms_envelope`], which
/// [`start_sending`] reads inside its update.
macro_rules! envelope_of_message {
    () => {
        "SELECT coalesce(m.to_address, res.phone) AS phone, c.language,
                CASE WHEN m.kind = 'reply' THEN r.display_name END AS reply_author
           FROM messages m
           JOIN cases c ON c.id = m.case_id
           JOIN residents res ON res.id = c.resident_id
           LEFT JOIN responders r ON r.id = m.author_id
          WHERE m.id = $1"
    };
}

/// A message a sender has claimed, with its envelope.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Claimed {
    /// The message, now `sending`.
    #[sqlx(flatten)]
    pub message: Message,
    /// Where it goes and how it is signed.
    #[sqlx(flatten)]
    pub envelope: SmsEnvelope,
}

/// Marks outgoing message `id` `sending` (one more attempt) if it is still
/// `pending` and its resident has a phone, and returns it with its
/// envelope; `None` otherwise, which the caller sorts out under a lock. One
/// statement: the update's row lock orders it against a concurrent copy of
/// the same delivery, which then finds it `sending`.
#[tracing::instrument(skip(e))]
pub async fn start_sending(e: impl PgExecutor<'_>, id: Uuid) -> Result<Option<Claimed>> {
    Ok(sqlx::query_as(concat!(
        "UPDATE messages m
            SET delivery_status = 'sending', attempts = m.attempts + 1, updated_at = clock_timestamp()
           FROM (",
        envelope_of_message!(),
        ") envelope
          WHERE m.id = $1 AND m.delivery_status = 'pending' AND envelope.phone IS NOT NULL
          RETURNING m.*, envelope.phone, envelope.language, envelope.reply_author"
    ))
    .bind(id)
    .fetch_optional(e)
    .await?)
}

/// Records outgoing messages the provider took as `sent`, each with the
/// provider's id for it if any (in the order of `ids`), in one statement:
/// what [`set_delivery`] does for one, for a group of senders' (the SMS
/// sender's group commit, `sending`).
#[tracing::instrument(skip(e))]
pub async fn record_sent(e: impl PgExecutor<'_>, ids: &[Uuid], provider_ids: &[Option<String>]) -> Result<()> {
    sqlx::query(
        "UPDATE messages m
            SET delivery_status = 'sent', provider_id = COALESCE(sent.provider_id, m.provider_id),
                delivery_error = NULL, updated_at = clock_timestamp()
           FROM unnest($1::uuid[], $2::text[]) AS sent (id, provider_id)
          WHERE m.id = sent.id",
    )
    // Planned for each call with the ids it has: prepared, PostgreSQL may
    // settle on a plan made for a table still nearly empty (a hash join
    // over the whole table), as no statistics tell it otherwise where
    // autovacuum does not run.
    .persistent(false)
    .bind(ids)
    .bind(provider_ids)
    .execute(e)
    .await?;
    Ok(())
}

/// Moves a message to `status`, recording the provider id or the error.
#[tracing::instrument(skip(e, error))]
pub async fn set_delivery(
    e: impl PgExecutor<'_>,
    id: Uuid,
    status: DeliveryStatus,
    provider_id: Option<&str>,
    error: Option<&str>,
) -> Result<()> {
    sqlx::query(
        "UPDATE messages
         SET delivery_status = $2,
             provider_id = COALESCE($3, provider_id),
             delivery_error = $4,
             attempts = attempts + CASE WHEN $2 = 'sending' THEN 1 ELSE 0 END,
             updated_at = clock_timestamp()
         WHERE id = $1",
    )
    .bind(id)
    .bind(status)
    .bind(provider_id)
    .bind(error)
    .execute(e)
    .await?;
    Ok(())
}

/// Applies a provider's status callback; `None` for an unknown provider id.
/// A late "sent" never overwrites "delivered" or a failure.
#[tracing::instrument(skip(e))]
pub async fn apply_status_callback(
    e: impl PgExecutor<'_>,
    provider_id: &str,
    status: DeliveryStatus,
    error: Option<&str>,
) -> Result<Option<Uuid>> {
    Ok(sqlx::query_scalar(
        "UPDATE messages
         SET delivery_status = $2, delivery_error = COALESCE($3, delivery_error), updated_at = clock_timestamp()
         WHERE provider_id = $1 AND direction = 'outbound'
           AND NOT (delivery_status IN ('delivered', 'undelivered', 'failed') AND $2 = 'sent')
         RETURNING case_id",
    )
    .bind(provider_id)
    .bind(status)
    .bind(error)
    .fetch_optional(e)
    .await?)
}

/// How many outbound messages of `kind` a case has (tests use it).
#[tracing::instrument(skip(e))]
pub async fn count_outbound(e: impl PgExecutor<'_>, case_id: Uuid, kind: MessageKind) -> Result<i64> {
    Ok(sqlx::query_scalar("SELECT count(*) FROM messages WHERE case_id = $1 AND kind = $2")
        .bind(case_id)
        .bind(kind)
        .fetch_one(e)
        .await?)
}

/// Attaches a caller's voice message to a case. Twilio reports a recording
/// twice (the `<Record>` action and the recording status callback), so the
/// RecordingSid is the message's provider id and the second report only
/// fills in what the first lacked. Returns the message id and whether this
/// report created it.
#[tracing::instrument(skip(conn, body, recording_url))]
pub async fn attach_recording(
    conn: &mut PgConnection,
    case_id: Uuid,
    recording_sid: &str,
    body: &str,
    recording_url: &str,
    recording_seconds: Option<i32>,
) -> Result<(Uuid, bool)> {
    Ok(sqlx::query_as(
        "INSERT INTO messages (id, case_id, direction, channel, kind, body, provider_id,
                               recording_url, recording_seconds)
         VALUES ($1, $2, 'inbound', 'voice', 'resident', $3, $4, $5, $6)
         ON CONFLICT (provider_id) DO UPDATE
             SET recording_url = EXCLUDED.recording_url,
                 recording_seconds = COALESCE(EXCLUDED.recording_seconds, messages.recording_seconds),
                 updated_at = clock_timestamp()
         RETURNING id, (xmax = 0) AS inserted",
    )
    .bind(Uuid::new_v4())
    .bind(case_id)
    .bind(body)
    .bind(recording_sid)
    .bind(recording_url)
    .bind(recording_seconds)
    .fetch_one(conn)
    .await?)
}

/// Where an outgoing SMS goes and how it is headed: the resident's phone,
/// the case's language, and the author's name when a responder wrote it as
/// a reply (notices name their people in the text).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SmsEnvelope {
    /// The resident's phone, if the case has one.
    pub phone: Option<String>,
    /// The case's language.
    pub language: crate::domain::Language,
    /// The responder who wrote a reply.
    pub reply_author: Option<String>,
}

/// The envelope of outgoing message `message_id`.
#[tracing::instrument(skip(e))]
pub async fn sms_envelope(e: impl PgExecutor<'_>, message_id: Uuid) -> Result<Option<SmsEnvelope>> {
    Ok(sqlx::query_as(envelope_of_message!()).bind(message_id).fetch_optional(e).await?)
}
