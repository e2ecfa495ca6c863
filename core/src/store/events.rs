//! Case events: the timeline. Each row says what happened, who did it and
//! exactly when (`clock_timestamp()`, not the transaction's start).

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use crate::{Result, domain::ActorKind};

/// One timeline entry.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct CaseEvent {
    /// Order of insertion.
    pub id: i64,
    /// The case.
    pub case_id: Uuid,
    /// What happened (see [`crate::domain::event_kind`]).
    pub kind: String,
    /// Who did it.
    pub actor_kind: ActorKind,
    /// The responder, when a responder did it.
    pub actor_id: Option<Uuid>,
    /// Exactly when.
    pub at: DateTime<Utc>,
    /// Details, such as the routing reason or the delivery error.
    pub data: serde_json::Value,
}

/// Appends an event to a case's timeline.
#[tracing::instrument(skip(conn, data))]
pub async fn append(
    conn: &mut PgConnection,
    case_id: Uuid,
    kind: &str,
    actor_kind: ActorKind,
    actor_id: Option<Uuid>,
    data: serde_json::Value,
) -> Result<()> {
    sqlx::query("INSERT INTO case_events (case_id, kind, actor_kind, actor_id, data) VALUES ($1, $2, $3, $4, $5)")
        .bind(case_id)
        .bind(kind)
        .bind(actor_kind)
        .bind(actor_id)
        .bind(data)
        .execute(conn)
        .await?;
    Ok(())
}

/// An event written with the case it opens (`cases::insert`), in order;
/// each row still gets its own `clock_timestamp()` and id.
#[derive(Debug, Clone)]
pub struct NewEvent<'a> {
    /// What happened.
    pub kind: &'a str,
    /// Who did it.
    pub actor_kind: ActorKind,
    /// The responder, when a responder did it.
    pub actor_id: Option<Uuid>,
    /// Details.
    pub data: serde_json::Value,
}

/// A case's whole timeline, oldest first.
#[tracing::instrument(skip(e))]
pub async fn for_case(e: impl PgExecutor<'_>, case_id: Uuid) -> Result<Vec<CaseEvent>> {
    Ok(sqlx::query_as("SELECT * FROM case_events WHERE case_id = $1 ORDER BY id").bind(case_id).fetch_all(e).await?)
}

/// The events of `kinds` only, oldest first: the public timeline.
#[tracing::instrument(skip(e))]
pub async fn for_case_of_kinds(e: impl PgExecutor<'_>, case_id: Uuid, kinds: &[&str]) -> Result<Vec<CaseEvent>> {
    Ok(sqlx::query_as("SELECT * FROM case_events WHERE case_id = $1 AND kind = ANY ($2) ORDER BY id")
        .bind(case_id)
        .bind(kinds)
        .fetch_all(e)
        .await?)
}

/// Whether `responder_id` ever owned the case: an `assigned` event named
/// them. A former owner may still read the case (a "now with …" view).
#[tracing::instrument(skip(e))]
pub async fn ever_owned_by(e: impl PgExecutor<'_>, case_id: Uuid, responder_id: Uuid) -> Result<bool> {
    Ok(sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM case_events
                        WHERE case_id = $1 AND kind = 'assigned' AND data->>'owner_id' = $2::text)",
    )
    .bind(case_id)
    .bind(responder_id)
    .fetch_one(e)
    .await?)
}

/// What filing heard in a period and how much of it people corrected: the
/// classifier's accuracy in real use.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct HeardFigures {
    /// Cases filed with a topic filing heard.
    pub topics_heard: i64,
    /// Of those, the topics a person changed.
    pub topics_corrected: i64,
    /// Cases filed with a district filing heard.
    pub areas_heard: i64,
    /// Of those, the districts a person changed.
    pub areas_corrected: i64,
}

/// [`HeardFigures`] of the events in `[from, to)`.
#[tracing::instrument(skip(e))]
pub async fn heard_figures(e: impl PgExecutor<'_>, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<HeardFigures> {
    Ok(sqlx::query_as(
        "SELECT count(*) FILTER (WHERE kind = 'auto_classified' AND data->>'topic_heard' IS NOT NULL
                                   AND data->>'topic' = data->>'topic_heard') AS topics_heard,
                count(*) FILTER (WHERE kind = 'classified' AND data->>'corrects_heard_topic' = 'true') AS topics_corrected,
                count(*) FILTER (WHERE kind = 'auto_classified' AND data->>'area_heard' IS NOT NULL
                                   AND data->>'area' = data->>'area_heard') AS areas_heard,
                count(*) FILTER (WHERE kind = 'classified' AND data->>'corrects_heard_area' = 'true') AS areas_corrected
           FROM case_events
          WHERE kind IN ('auto_classified', 'classified') AND at >= $1 AND at < $2",
    )
    .bind(from)
    .bind(to)
    .fetch_one(e)
    .await?)
}
