//! Redacting and exporting a resident's personal data (GDPR). Redaction
//! keeps every row and timestamp, so SLA figures and ownership history stay
//! true, and replaces what a person wrote or said, and who they are.

use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use crate::Result;

/// What replaces redacted text.
pub const REDACTED: &str = "[redacted]";

/// Resolved cases not yet redacted whose resolution is older than `cutoff`,
/// locked; rows another router holds are skipped.
#[tracing::instrument(skip(conn))]
pub async fn claim_due(conn: &mut PgConnection, cutoff: DateTime<Utc>, limit: i64) -> Result<Vec<Uuid>> {
    Ok(sqlx::query_scalar(
        "SELECT id FROM cases WHERE status = 'resolved' AND redacted_at IS NULL AND resolved_at < $1
         ORDER BY resolved_at LIMIT $2 FOR UPDATE SKIP LOCKED",
    )
    .bind(cutoff)
    .bind(limit)
    .fetch_all(conn)
    .await?)
}

/// A resident's cases, locked, for an erasure.
#[tracing::instrument(skip(conn))]
pub async fn lock_cases_of(conn: &mut PgConnection, resident_id: Uuid) -> Result<Vec<Uuid>> {
    Ok(sqlx::query_scalar("SELECT id FROM cases WHERE resident_id = $1 ORDER BY opened_at FOR UPDATE")
        .bind(resident_id)
        .fetch_all(conn)
        .await?)
}

/// Deletes the files a case's emails carried.
#[tracing::instrument(skip(conn))]
pub async fn redact_attachments(conn: &mut PgConnection, case_id: Uuid) -> Result<u64> {
    Ok(sqlx::query(
        "DELETE FROM email_attachments
          WHERE intake_id IN (SELECT intake_id FROM messages WHERE case_id = $1 AND intake_id IS NOT NULL)",
    )
    .bind(case_id)
    .execute(conn)
    .await?
    .rows_affected())
}

/// Replaces the texts of a case's messages and drops their recordings.
#[tracing::instrument(skip(conn))]
pub async fn redact_messages(conn: &mut PgConnection, case_id: Uuid) -> Result<u64> {
    Ok(sqlx::query("UPDATE messages SET body = $2, recording_url = NULL, to_address = NULL WHERE case_id = $1")
        .bind(case_id)
        .bind(REDACTED)
        .execute(conn)
        .await?
        .rows_affected())
}

/// Replaces what arrived for a case: sender, text and the raw webhook.
#[tracing::instrument(skip(conn))]
pub async fn redact_intake(conn: &mut PgConnection, case_id: Uuid) -> Result<u64> {
    Ok(sqlx::query("UPDATE intake SET sender = $2, body = $2, raw = '{}'::jsonb WHERE case_id = $1")
        .bind(case_id)
        .bind(REDACTED)
        .execute(conn)
        .await?
        .rows_affected())
}

/// Drops the resident's number from a case's calls.
#[tracing::instrument(skip(conn))]
pub async fn redact_calls(conn: &mut PgConnection, case_id: Uuid) -> Result<u64> {
    Ok(sqlx::query("UPDATE calls SET resident_phone = $2 WHERE case_id = $1")
        .bind(case_id)
        .bind(REDACTED)
        .execute(conn)
        .await?
        .rows_affected())
}

/// Replaces free text on a case's timeline (notes, hand-off notes, reasons,
/// summaries) and in its hand-offs: staff write about the resident there too.
#[tracing::instrument(skip(conn))]
pub async fn redact_timeline(conn: &mut PgConnection, case_id: Uuid) -> Result<u64> {
    let events = sqlx::query(
        "UPDATE case_events
         SET data = data || (SELECT coalesce(jsonb_object_agg(key, to_jsonb($2::text)), '{}'::jsonb)
                             FROM jsonb_each(data) WHERE key IN ('text', 'note', 'reason', 'summary', 'body'))
         WHERE case_id = $1 AND jsonb_typeof(data) = 'object'",
    )
    .bind(case_id)
    .bind(REDACTED)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    sqlx::query("UPDATE handoffs SET note = $2, answer_note = CASE WHEN answer_note IS NULL THEN NULL ELSE $2 END WHERE case_id = $1")
        .bind(case_id)
        .bind(REDACTED)
        .execute(&mut *conn)
        .await?;
    Ok(events)
}

/// Replaces the resolution summary and marks the case redacted.
#[tracing::instrument(skip(conn))]
pub async fn mark_case_redacted(conn: &mut PgConnection, case_id: Uuid) -> Result<()> {
    sqlx::query(
        "UPDATE cases SET redacted_at = clock_timestamp(),
                resolution_summary = CASE WHEN resolution_summary IS NULL THEN NULL ELSE $2 END
         WHERE id = $1",
    )
    .bind(case_id)
    .bind(REDACTED)
    .execute(conn)
    .await?;
    Ok(())
}

/// Forgets a resident's phone number and email address once none of their cases keeps
/// personal data; returns whether it did.
#[tracing::instrument(skip(conn))]
pub async fn forget_resident_if_all_redacted(conn: &mut PgConnection, resident_id: Uuid) -> Result<bool> {
    Ok(sqlx::query(
        "UPDATE residents SET phone = NULL, email = NULL
         WHERE id = $1 AND (phone IS NOT NULL OR email IS NOT NULL)
           AND NOT EXISTS (SELECT 1 FROM cases WHERE resident_id = $1 AND redacted_at IS NULL)",
    )
    .bind(resident_id)
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}

/// The resident of a case.
#[tracing::instrument(skip(e))]
pub async fn resident_of(e: impl PgExecutor<'_>, case_id: Uuid) -> Result<Option<Uuid>> {
    Ok(sqlx::query_scalar("SELECT resident_id FROM cases WHERE id = $1").bind(case_id).fetch_optional(e).await?)
}

/// The resident with this phone number.
#[tracing::instrument(skip_all)]
pub async fn resident_by_phone(e: impl PgExecutor<'_>, phone: &str) -> Result<Option<Uuid>> {
    Ok(sqlx::query_scalar("SELECT id FROM residents WHERE phone = $1").bind(phone).fetch_optional(e).await?)
}

/// Everything Batline holds about a resident, as one JSON document: their
/// record, and per case its facts, messages, calls and timeline.
#[tracing::instrument(skip(e))]
pub async fn export(e: impl PgExecutor<'_>, resident_id: Uuid) -> Result<Value> {
    Ok(sqlx::query_scalar(
        "SELECT jsonb_build_object(
             'resident', (SELECT to_jsonb(r) FROM residents r WHERE r.id = $1),
             'cases', coalesce((
                 SELECT jsonb_agg(jsonb_build_object(
                     'case', to_jsonb(c) - 'resident_id',
                     'owner', (SELECT display_name FROM responders WHERE id = c.owner_id),
                     'messages', coalesce((SELECT jsonb_agg(to_jsonb(m) ORDER BY m.created_at)
                                           FROM messages m WHERE m.case_id = c.id), '[]'::jsonb),
                     'calls', coalesce((SELECT jsonb_agg(to_jsonb(k) ORDER BY k.created_at)
                                        FROM calls k WHERE k.case_id = c.id), '[]'::jsonb),
                     'timeline', coalesce((SELECT jsonb_agg(jsonb_build_object('at', e.at, 'kind', e.kind, 'data', e.data)
                                                            ORDER BY e.id)
                                           FROM case_events e WHERE e.case_id = c.id), '[]'::jsonb))
                     ORDER BY c.opened_at)
                 FROM cases c WHERE c.resident_id = $1), '[]'::jsonb))",
    )
    .bind(resident_id)
    .fetch_one(e)
    .await?)
}
