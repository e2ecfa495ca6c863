//! SLA policies: admins change them. A change is a new version of the
//! policy for its scope (channel, topic, priority); cases already open keep
//! the clocks their version started.

use batline_core::{
    domain::{Channel, Priority, Role},
    opening_hours::OpeningHours,
    store::{
        self,
        responders::Responder,
        sla::{NewSlaPolicy, SlaPolicy},
    },
};
use serde::Deserialize;

use crate::{http::error::ApiError, state::AppState};

/// Longest target accepted: a year.
const MAX_TARGET_MINUTES: i64 = 366 * 24 * 60;
/// Longest topic name.
const MAX_TOPIC_CHARS: usize = 100;

/// `POST /api/v1/sla-policies` body, and what the admin page's form gives.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPolicy {
    /// Channel covered; absent for any.
    pub channel: Option<Channel>,
    /// Topic covered (1 to 100 characters); absent for any.
    #[schema(min_length = 1, max_length = 100, pattern = "^[\\s\\S]*[^\\s\\x00-\\x1f\\x7f-\\x9f][\\s\\S]*$")]
    pub topic: Option<String>,
    /// Priority covered; absent for any.
    pub priority: Option<Priority>,
    /// Minutes to a human's first response (at most a year).
    #[serde(deserialize_with = "batline_core::whole_number::i64")]
    #[schema(minimum = 1, maximum = 527_040)]
    pub first_response_minutes: i64,
    /// Minutes to resolution (at most a year).
    #[serde(deserialize_with = "batline_core::whole_number::i64")]
    #[schema(minimum = 1, maximum = 527_040)]
    pub resolution_minutes: i64,
    /// Percent of a target after which the owner is warned (default 80).
    #[serde(default, deserialize_with = "batline_core::whole_number::option_i32")]
    #[schema(minimum = 1, maximum = 99)]
    pub warn_at_percent: Option<i32>,
    /// Weekly hours the clocks run in, `{"mon": [["08:00","16:00"]], …}`;
    /// absent for around the clock.
    pub hours: Option<OpeningHours>,
}

/// Refuses anyone but an admin.
pub fn ensure_admin(me: &Responder) -> Result<(), ApiError> {
    if me.role == Role::Admin {
        Ok(())
    } else {
        Err(ApiError::Forbidden("only an admin can change SLA policies".into()))
    }
}

/// Adds a policy version as `me` (the API and the admin page both come here).
pub(crate) async fn add_as(state: &AppState, me: &Responder, body: NewPolicy) -> Result<SlaPolicy, ApiError> {
    ensure_admin(me)?;
    let minutes = |field: &str, value: i64| -> Result<i32, ApiError> {
        if !(1..=MAX_TARGET_MINUTES).contains(&value) {
            return Err(ApiError::Unprocessable(format!("{field} must be 1 to {MAX_TARGET_MINUTES} minutes")));
        }
        i32::try_from(value * 60).map_err(|_| ApiError::Unprocessable(format!("{field} is too large")))
    };
    let first_response_seconds = minutes("first_response_minutes", body.first_response_minutes)?;
    let resolution_seconds = minutes("resolution_minutes", body.resolution_minutes)?;
    let warn_at_percent = body.warn_at_percent.unwrap_or(80);
    if !(1..=99).contains(&warn_at_percent) {
        return Err(ApiError::Unprocessable("warn_at_percent must be 1 to 99".into()));
    }
    let topic = match body.topic.as_deref().map(str::trim) {
        Some("") => return Err(ApiError::Unprocessable("topic is empty; leave it out to cover any topic".into())),
        Some(t) if t.chars().count() > MAX_TOPIC_CHARS => {
            return Err(ApiError::Unprocessable(format!("topic has more than {MAX_TOPIC_CHARS} characters")));
        }
        other => other.map(str::to_owned),
    };
    if let Some(topic) = &topic
        && !store::topics::is_offered(&state.pool, topic).await?
    {
        return Err(ApiError::Unprocessable(format!(
            "topic {topic:?} is not in the service catalogue; choose one from GET /api/v1/topics, \
             or leave it out to cover any topic"
        )));
    }
    if body.hours.as_ref().is_some_and(OpeningHours::is_never_open) {
        return Err(ApiError::Unprocessable(
            "hours are never open, so the clock would never run; leave hours out for around the clock".into(),
        ));
    }
    let hours = body.hours.map(serde_json::to_value).transpose().map_err(batline_core::Error::from)?;
    let new = NewSlaPolicy {
        channel: body.channel,
        topic,
        priority: body.priority,
        first_response_seconds,
        resolution_seconds,
        warn_at_percent,
        hours,
        created_by: Some(me.id),
    };
    let mut tx = state.pool.begin().await?;
    let (channel, topic, priority) = (new.channel, new.topic.as_deref(), new.priority);
    store::sla::retire_current(&mut tx, channel, topic, priority).await?;
    let version = store::sla::latest_version(&mut tx, channel, topic, priority).await? + 1;
    let policy = store::sla::insert(&mut tx, &new, version).await.map_err(|e| match e {
        batline_core::Error::Database(ref db) if store::is_unique_violation(db, "sla_policies_current") => {
            batline_core::Error::Conflict("another admin changed this policy at the same moment; try again".into())
        }
        other => other,
    })?;
    tx.commit().await?;
    tracing::info!(policy_id = %policy.id, version, by = %me.username, "SLA policy changed");
    Ok(policy)
}
