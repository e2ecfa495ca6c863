//! Console sessions (`store::sessions::responder`): what a signed-in request
//! finds and what it records, on real rows.

use std::time::Duration;

use batline_core::{
    domain::{DutyStatus, Language},
    store::sessions,
};
use uuid::Uuid;

use crate::database::{Database, TestResult};

const IDLE: Duration = Duration::from_secs(30 * 60);
const TOUCH_EVERY: Duration = Duration::from_secs(18);

/// The session's last use, `ago` seconds back.
async fn used_ago(db: &Database, token_hash: &[u8], ago: f64) -> TestResult {
    sqlx::query("UPDATE console_sessions SET last_seen_at = clock_timestamp() - make_interval(secs => $2) WHERE token_hash = $1")
        .bind(token_hash)
        .bind(ago)
        .execute(&db.pool)
        .await?;
    Ok(())
}

/// Seconds since the session's recorded use, and its row version: a
/// request that wrote nothing leaves the version as it was.
async fn recorded(db: &Database, token_hash: &[u8]) -> TestResult<(f64, String)> {
    Ok(sqlx::query_as(
        "SELECT extract(epoch FROM clock_timestamp() - last_seen_at)::float8, xmin::text
         FROM console_sessions WHERE token_hash = $1",
    )
    .bind(token_hash)
    .fetch_one(&db.pool)
    .await?)
}

#[tokio::test]
async fn a_request_records_its_use_only_once_the_last_is_stale_or_older_than_a_departure() -> TestResult {
    let db = Database::fresh().await?;
    let aino = db.responder("aino", &[Language::Fi], DutyStatus::OnDuty, 5).await?;
    let token_hash = Uuid::new_v4().as_bytes().to_vec();
    let expires_at = chrono::Utc::now() + chrono::Duration::hours(1);
    sessions::insert(&db.pool, &token_hash, aino.id, expires_at).await?;
    let ask = || sessions::responder(&db.pool, &token_hash, IDLE, TOUCH_EVERY);

    // Used 5 s ago: the request is let in and writes nothing.
    used_ago(&db, &token_hash, 5.0).await?;
    let before = recorded(&db, &token_hash).await?;
    assert_eq!(ask().await?.map(|r| r.id), Some(aino.id));
    let after = recorded(&db, &token_hash).await?;
    assert_eq!(after.1, before.1, "the row was not written");
    assert!(after.0 >= 5.0, "the last use stays 5 s ago: {after:?}");

    // Used 20 s ago (over TOUCH_EVERY): this use is recorded.
    used_ago(&db, &token_hash, 20.0).await?;
    assert_eq!(ask().await?.map(|r| r.id), Some(aino.id));
    assert!(recorded(&db, &token_hash).await?.0 < 2.0);

    // Used 5 s ago, but the console was closed 1 s ago: the request must
    // make them present again at once, so it is recorded.
    used_ago(&db, &token_hash, 5.0).await?;
    sqlx::query(
        "INSERT INTO console_departures (responder_id, left_at) VALUES ($1, clock_timestamp() - interval '1 second')",
    )
    .bind(aino.id)
    .execute(&db.pool)
    .await?;
    assert_eq!(ask().await?.map(|r| r.id), Some(aino.id));
    assert!(recorded(&db, &token_hash).await?.0 < 1.0);
    // Once recorded after the departure, the next request writes nothing.
    let before = recorded(&db, &token_hash).await?;
    assert_eq!(ask().await?.map(|r| r.id), Some(aino.id));
    assert_eq!(recorded(&db, &token_hash).await?.1, before.1);

    // Idle and expiry are judged on every request, written or not.
    used_ago(&db, &token_hash, IDLE.as_secs_f64() + 1.0).await?;
    assert!(ask().await?.is_none(), "idle for longer than the timeout");
    used_ago(&db, &token_hash, 5.0).await?;
    assert!(ask().await?.is_some());
    sqlx::query("UPDATE console_sessions SET expires_at = clock_timestamp() - interval '1 second'")
        .execute(&db.pool)
        .await?;
    assert!(ask().await?.is_none(), "past its expiry");
    db.drop().await
}
