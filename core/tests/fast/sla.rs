//! Planning a new case's SLA clocks by the policy in the database.

use batline_core::{
    domain::{Channel, Priority},
    sla,
};
use chrono::{Duration, Utc};

use crate::database::{Database, TestResult};

#[tokio::test]
async fn a_new_case_runs_by_the_catch_all_policy_around_the_clock() -> TestResult {
    let db = Database::fresh().await?;
    let opened_at = Utc::now();
    let mut conn = db.pool.acquire().await?;
    let clocks = sla::plan(&mut conn, Channel::Sms, sla::Topic::Unknown, Priority::Normal, opened_at)
        .await?
        .clocks
        .ok_or_else(|| anyhow::anyhow!("the migrations ship a catch-all policy"))?;

    // The shipped policy: a human answer within 15 minutes, resolution
    // within five days, a warning at 80 % of each, with no opening hours.
    let first = clocks.first_response.ok_or_else(|| anyhow::anyhow!("no first-response clock"))?;
    assert_eq!(first.due_at - opened_at, Duration::minutes(15));
    assert_eq!(first.warn_at - opened_at, Duration::minutes(12));
    let resolution = clocks.resolution.ok_or_else(|| anyhow::anyhow!("no resolution clock"))?;
    assert_eq!(resolution.due_at - opened_at, Duration::days(5));
    assert_eq!(resolution.warn_at - opened_at, Duration::days(4));
    drop(conn);
    db.drop().await
}

#[tokio::test]
async fn with_every_policy_removed_a_case_runs_without_clocks_rather_than_failing() -> TestResult {
    let db = Database::fresh().await?;
    sqlx::query("DELETE FROM sla_policies").execute(&db.pool).await?;
    let mut conn = db.pool.acquire().await?;
    let plan = sla::plan(&mut conn, Channel::Chat, sla::Topic::Given("streets"), Priority::Urgent, Utc::now()).await?;
    assert!(plan.clocks.is_none());
    assert_eq!(plan.topic, Some("streets"));
    drop(conn);
    db.drop().await
}
