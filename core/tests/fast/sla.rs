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

/// A topic heard in the words counts only while the catalogue offers it:
/// once an admin retires it, a new case neither gets it nor runs by its
/// policy. A topic the channel gave (a desk's choice, checked then) counts
/// as given.
#[tokio::test]
async fn a_heard_topic_counts_only_while_the_catalogue_offers_it() -> TestResult {
    let db = Database::fresh().await?;
    sqlx::query(
        "INSERT INTO sla_policies (id, topic, version, first_response_seconds, resolution_seconds)
         VALUES (gen_random_uuid(), 'streets', 1, 120, 3600)",
    )
    .execute(&db.pool)
    .await?;
    let opened_at = Utc::now();
    let first_due = |plan: &sla::Plan<'_>| plan.clocks.as_ref().and_then(|c| c.first_response).map(|t| t.due_at);
    let mut conn = db.pool.acquire().await?;

    let heard = sla::plan(&mut conn, Channel::Sms, sla::Topic::Heard("streets"), Priority::Normal, opened_at).await?;
    assert_eq!(heard.topic, Some("streets"));
    assert_eq!(first_due(&heard), Some(opened_at + Duration::minutes(2)), "the topic's own policy");

    sqlx::query("UPDATE topics SET retired_at = clock_timestamp() WHERE code = 'streets'").execute(&mut *conn).await?;
    let heard = sla::plan(&mut conn, Channel::Sms, sla::Topic::Heard("streets"), Priority::Normal, opened_at).await?;
    assert_eq!(heard.topic, None, "a retired topic is given to no new case");
    assert_eq!(first_due(&heard), Some(opened_at + Duration::minutes(15)), "the catch-all policy");
    let given = sla::plan(&mut conn, Channel::Sms, sla::Topic::Given("streets"), Priority::Normal, opened_at).await?;
    assert_eq!(given.topic, Some("streets"));
    let unknown = sla::plan(&mut conn, Channel::Sms, sla::Topic::Unknown, Priority::Normal, opened_at).await?;
    assert_eq!(unknown.topic, None);
    assert_eq!(first_due(&unknown), Some(opened_at + Duration::minutes(15)));

    // With no policy at all the heard topic is still checked.
    sqlx::query("DELETE FROM sla_policies").execute(&mut *conn).await?;
    let heard = sla::plan(&mut conn, Channel::Sms, sla::Topic::Heard("streets"), Priority::Normal, opened_at).await?;
    assert_eq!((heard.topic, heard.clocks.is_none()), (None, true));
    let heard = sla::plan(&mut conn, Channel::Sms, sla::Topic::Heard("waste"), Priority::Normal, opened_at).await?;
    assert_eq!(heard.topic, Some("waste"), "an offered topic is kept");
    drop(conn);
    db.drop().await
}
