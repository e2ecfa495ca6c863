//! Presence (`store::presence`, the SQL function `responder_present`) and
//! the rule that a missed acknowledgement goes only to someone present
//! (`assign::choose_present`), on real rows.

use std::time::Duration;

use batline_core::{
    assign::{self, Preference, Rule},
    domain::{DutyStatus, Language},
    store::{presence, responders::Needs},
};
use uuid::Uuid;

use crate::database::{Database, TestResult};

const WINDOW: Duration = Duration::from_secs(180);

fn needs(prefer_present: bool) -> Needs<'static> {
    Needs {
        language: Language::Fi,
        area: None,
        topic: None,
        previous_owner: None,
        at_point: None,
        prefer_present,
        presence_window: WINDOW,
    }
}

/// A signed-in request `ago` seconds ago, as the sessions table records it.
async fn session_seen(db: &Database, responder_id: Uuid, ago: i64) -> TestResult {
    sqlx::query(
        "INSERT INTO console_sessions (token_hash, responder_id, expires_at, last_seen_at)
         VALUES ($1, $2, clock_timestamp() + interval '1 hour', clock_timestamp() - make_interval(secs => $3))",
    )
    .bind(Uuid::new_v4().as_bytes().to_vec())
    .bind(responder_id)
    .bind(ago as f64)
    .execute(&db.pool)
    .await?;
    Ok(())
}

#[tokio::test]
async fn present_means_a_socket_open_or_recent_activity_not_ended_by_closing() -> TestResult {
    let db = Database::fresh().await?;
    let aino = db.responder("aino", &[Language::Fi], DutyStatus::OnDuty, 5).await?;
    let present = || presence::is_present(&db.pool, aino.id, WINDOW);
    assert!(!present().await?, "never signed in: not present, whatever the duty flag says");

    // Active five minutes ago: not present with a three-minute window.
    session_seen(&db, aino.id, 300).await?;
    assert!(!present().await?);

    // A console socket open: present, however old the last request.
    let (socket, instance) = (Uuid::new_v4(), Uuid::new_v4());
    presence::socket_opened(&db.pool, socket, aino.id, instance, Duration::from_secs(75)).await?;
    assert!(present().await?);

    // Closing it ends presence after the short grace, not a window later,
    // even with a request made just before the close.
    session_seen(&db, aino.id, 1).await?;
    presence::socket_closed(&db.pool, socket).await?;
    assert!(present().await?, "within the grace a page may be replacing itself");
    // The grace passes (everything moved back in time, in the same order).
    let later = presence::CLOSE_GRACE.as_secs_f64() + 1.0;
    sqlx::query("UPDATE console_departures SET left_at = left_at - make_interval(secs => $1)")
        .bind(later)
        .execute(&db.pool)
        .await?;
    sqlx::query("UPDATE console_sessions SET last_seen_at = last_seen_at - make_interval(secs => $1)")
        .bind(later)
        .execute(&db.pool)
        .await?;
    assert!(!present().await?, "closed the console: not present");

    // A request after the close makes them present again (the JSON API, or
    // the next page before its socket opens).
    session_seen(&db, aino.id, 0).await?;
    assert!(present().await?);

    // A socket whose console died without closing it expires by itself.
    sqlx::query("DELETE FROM console_sessions").execute(&db.pool).await?;
    presence::socket_opened(&db.pool, Uuid::new_v4(), aino.id, instance, Duration::from_millis(1)).await?;
    tokio::time::sleep(Duration::from_millis(20)).await;
    assert!(!present().await?);
    // A console stopping forgets its sockets without recording a departure
    // (the expired row went when this socket opened).
    presence::socket_opened(&db.pool, Uuid::new_v4(), aino.id, instance, Duration::from_secs(75)).await?;
    assert!(present().await?);
    assert_eq!(presence::instance_stopped(&db.pool, instance).await?, 1);
    assert!(!present().await?);
    db.drop().await
}

#[tokio::test]
async fn live_channels_prefer_and_missed_acknowledgements_require_presence() -> TestResult {
    let db = Database::fresh().await?;
    db.backstop("mayor").await?;
    let mikko = db.responder("mikko", &[Language::Fi], DutyStatus::OnDuty, 5).await?;
    let linnea = db.responder("linnea", &[Language::Fi], DutyStatus::OnDuty, 5).await?;
    // Linnea would win on idle time; Mikko is the one at his console.
    sqlx::query("UPDATE responders SET last_assigned_at = now() WHERE id = $1")
        .bind(mikko.id)
        .execute(&db.pool)
        .await?;
    let mut conn = db.pool.acquire().await?;

    // Nobody present: filing still names an owner; a missed acknowledgement finds nobody.
    let decision = assign::choose_owner(&mut conn, &needs(true), &[], chrono::Utc::now()).await?;
    assert_eq!((decision.owner_id, decision.rule), (linnea.id, Rule::Eligible(Preference::LongestIdle)));
    let nobody = assign::choose_present(&mut conn, &needs(true), &[linnea.id]).await?;
    assert!(nobody.as_ref().is_err_and(|considered| considered.len() == 1), "{nobody:?}");

    session_seen(&db, mikko.id, 10).await?;
    // A chat goes to the one present; an SMS does not weigh presence.
    let chat = assign::choose_owner(&mut conn, &needs(true), &[], chrono::Utc::now()).await?;
    assert_eq!((chat.owner_id, chat.rule), (mikko.id, Rule::Eligible(Preference::Present)));
    let sms = assign::choose_owner(&mut conn, &needs(false), &[], chrono::Utc::now()).await?;
    assert_eq!(sms.owner_id, linnea.id);
    // A missed acknowledgement of Linnea's goes to Mikko, present; one of
    // Mikko's finds nobody present to take it.
    let moved = assign::choose_present(&mut conn, &needs(false), &[linnea.id]).await?;
    assert_eq!(moved.map(|d| d.owner_id).ok(), Some(mikko.id));
    assert!(assign::choose_present(&mut conn, &needs(false), &[mikko.id]).await?.is_err());

    // Present but off duty, or present but full, is not eligible.
    sqlx::query("UPDATE responders SET capacity = 0 WHERE id = $1").bind(mikko.id).execute(&db.pool).await?;
    assert!(assign::choose_present(&mut conn, &needs(false), &[linnea.id]).await?.is_err());
    drop(conn);
    db.drop().await
}
