//! Shift edges as the router finds them (`store::shifts::claim_due_edges`):
//! edges in the past are history, not orders. A shift imported after it
//! ended changes nobody's duty; one running when imported still puts its
//! people on duty; a start the router missed for a whole shift is retired.

use batline_core::{
    domain::{DutyStatus, Language},
    roster::{self, TZ},
    store::{self, shifts::Edge},
};
use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use crate::database::{Database, TestResult};

/// A roster row for a city-wide shift from `start` lasting `hours`.
fn row(start: DateTime<Utc>, hours: i64, lead: &str) -> String {
    let start = start.with_timezone(&TZ);
    let end = start + Duration::hours(hours);
    format!("{},{},{},,{lead},\n", start.format("%Y-%m-%d"), start.format("%H:%M"), end.format("%H:%M"))
}

async fn shift_led_by(db: &Database, lead: Uuid) -> TestResult<Uuid> {
    Ok(sqlx::query_scalar("SELECT id FROM shifts WHERE lead_id = $1").bind(lead).fetch_one(&db.pool).await?)
}

async fn due(db: &Database, edge: Edge, now: DateTime<Utc>) -> TestResult<Vec<Uuid>> {
    let mut tx = db.pool.begin().await?;
    let due = store::shifts::claim_due_edges(&mut tx, edge, now, 100).await?;
    tx.rollback().await?;
    Ok(due)
}

#[tokio::test]
async fn a_shift_imported_after_it_ended_is_history_and_one_running_still_starts() -> TestResult {
    let db = Database::fresh().await?;
    let linnea = db.responder("linnea", &[Language::Fi], DutyStatus::OnDuty, 5).await?;
    let mikko = db.responder("mikko", &[Language::Fi], DutyStatus::Off, 5).await?;
    let now = Utc::now();
    // Yesterday's shift (the probe's row) and one that began an hour ago and ends in three.
    let csv = format!(
        "date,start,end,area,lead,members\n{}{}",
        row(now - Duration::hours(30), 8, "linnea"),
        row(now - Duration::hours(1), 4, "mikko")
    );
    roster::import(&db.pool, &roster::parse_csv(&csv)?).await?;
    let (over, running) = (shift_led_by(&db, linnea.id).await?, shift_led_by(&db, mikko.id).await?);

    let later = now + Duration::seconds(1);
    assert_eq!(due(&db, Edge::Start, later).await?, [running], "only the running shift puts people on duty");
    assert!(due(&db, Edge::End, later).await?.is_empty(), "yesterday's end takes nobody off duty");
    let history: bool = sqlx::query_scalar("SELECT start_applied AND end_applied FROM shifts WHERE id = $1")
        .bind(over)
        .fetch_one(&db.pool)
        .await?;
    assert!(history, "yesterday's shift is kept, as history");
    // The running shift's end is an order still: it comes when the shift ends.
    assert_eq!(due(&db, Edge::End, now + Duration::hours(4)).await?, [running]);
    db.drop().await
}

#[tokio::test]
async fn the_start_of_a_shift_the_router_missed_entirely_is_retired_not_applied() -> TestResult {
    let db = Database::fresh().await?;
    let linnea = db.responder("linnea", &[Language::Fi], DutyStatus::Off, 5).await?;
    let now = Utc::now();
    // Imported ten hours ago for a shift from nine to five hours ago; the router was down since.
    let csv = format!("date,start,end,area,lead,members\n{}", row(now - Duration::hours(9), 4, "linnea"));
    roster::import_at(&db.pool, &roster::parse_csv(&csv)?, now - Duration::hours(10)).await?;
    let shift = shift_led_by(&db, linnea.id).await?;

    assert!(due(&db, Edge::Start, now).await?.is_empty(), "on duty only to go off at once: no");
    let mut conn = db.pool.acquire().await?;
    assert_eq!(store::shifts::retire_missed_starts(&mut conn, now).await?, 1);
    let applied: bool =
        sqlx::query_scalar("SELECT start_applied FROM shifts WHERE id = $1").bind(shift).fetch_one(&mut *conn).await?;
    assert!(applied);
    drop(conn);
    assert_eq!(due(&db, Edge::End, now).await?, [shift], "its end was an order when it was imported");
    db.drop().await
}
