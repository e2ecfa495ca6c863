//! The routing engine's rules end to end: acknowledgement deadlines on a
//! controllable clock, capacity with widening, the previous responder.

use std::time::Duration;

use batline_core::domain::{DutyStatus, Language};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use crate::support::{TestApp, TestResult, eventually};

async fn timeline(app: &TestApp, case_id: uuid::Uuid) -> TestResult<Vec<(String, Value)>> {
    Ok(sqlx::query_as("SELECT kind, data FROM case_events WHERE case_id = $1 ORDER BY id")
        .bind(case_id)
        .fetch_all(&app.pool)
        .await?)
}

/// A missed acknowledgement moves a case only to a colleague present at
/// their console, and the resident hears the new name only once that
/// colleague takes the case up. (Staying with the owner when nobody is
/// present: `presence.rs`.)
#[tokio::test]
async fn an_unacknowledged_case_moves_to_a_present_colleague_and_the_resident_hears_when_they_take_it() -> TestResult {
    let app = TestApp::spawn().await?;
    let aino = app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;
    let mikko = app.add_responder("mikko", "Mikko", &[Language::Fi], DutyStatus::OnDuty).await?;
    let shutdown = CancellationToken::new();
    let router = app.router(&shutdown).await?;
    const RESIDENT: &str = "+358401800001";
    app.text(RESIDENT, "Katuvalo on rikki").await?;
    let case = app.wait_for_cases(RESIDENT, 1, Duration::from_secs(10)).await?.remove(0);
    let first = case.owner_id;
    let second = if first == aino.id { mikko.id } else { aino.id };
    let second_name = if second == aino.id { "Aino" } else { "Mikko" };
    assert!(case.ack_due_at.is_some());

    // Not yet: one second before the five-minute SMS window closes.
    app.clock.advance(chrono::Duration::seconds(299));
    assert_eq!(batline_router::deadlines::sweep(&router).await?, 0);
    assert_eq!(app.cases_of(RESIDENT).await?[0].owner_id, first);

    // The colleague is at their console; the window passes: they own it now.
    let console = app.sign_in(if second == aino.id { "aino" } else { "mikko" }).await?;
    app.clock.advance(chrono::Duration::seconds(2));
    let moved = eventually("the case to move on", Duration::from_secs(10), || async {
        let case = app.cases_of(RESIDENT).await?.remove(0);
        Ok((case.owner_id != first).then_some(case))
    })
    .await?;
    assert_eq!(moved.owner_id, second);
    let events = timeline(&app, case.id).await?;
    let kinds: Vec<&str> = events.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(kinds, ["opened", "assigned", "ack_missed", "assigned"]);
    assert_eq!(events[2].1["owner_id"], json!(first));
    assert_eq!(events[2].1["outcome"], "moved");
    assert_eq!(events[3].1["previous_owner_id"], json!(first));
    assert_eq!(events[3].1["because"], "ack_missed");
    let notices = format!("SELECT count(*) FROM messages WHERE case_id = '{}' AND kind = 'notice'", case.id);
    assert_eq!(app.count(&notices).await?, 0, "not told of someone who has not taken it up");

    // The new owner acknowledges; the resident hears who, and the deadline is gone for good.
    let (status, acked) = console.post(&format!("/api/v1/cases/{}/acknowledge", case.id), json!({})).await?;
    assert_eq!(status, 200);
    assert!(acked["acknowledged_at"].is_string() && acked["ack_due_at"].is_null());
    assert_eq!(console.post(&format!("/api/v1/cases/{}/acknowledge", case.id), json!({})).await?.0, 200);
    let sms = app.sandbox.wait_for_sms_to(RESIDENT, 2, Duration::from_secs(10)).await?;
    assert_eq!(
        sms[1].body,
        format!("Helsingin kaupunki: Asiaasi {} hoitaa nyt {second_name}. Vastaamme pian.", case.tracking_code)
    );
    assert_eq!(app.count(&notices).await?, 1, "told once");
    app.clock.advance(chrono::Duration::hours(2));
    // (The sweep does find SLA clocks by now: acknowledging is not answering.)
    batline_router::deadlines::sweep(&router).await?;
    assert_eq!(app.cases_of(RESIDENT).await?[0].owner_id, second);
    let acks = timeline(&app, case.id).await?.into_iter().filter(|(k, _)| k == "acknowledged").count();
    assert_eq!(acks, 1);

    app.assert_open_counts_exact().await?;
    // The previous owner can no longer act on it.
    let former = app.sign_in(if first == aino.id { "aino" } else { "mikko" }).await?;
    assert_eq!(former.post(&format!("/api/v1/cases/{}/acknowledge", case.id), json!({})).await?.0, 403);
    shutdown.cancel();
    app.teardown().await
}

#[tokio::test]
async fn a_reply_counts_as_acknowledgement() -> TestResult {
    let app = TestApp::spawn().await?;
    app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;
    app.add_responder("mikko", "Mikko", &[Language::Fi], DutyStatus::OnDuty).await?;
    app.text("+358401800002", "Moi").await?;
    let case = app.wait_for_cases("+358401800002", 1, Duration::from_secs(10)).await?.remove(0);
    let owner: String = sqlx::query_scalar("SELECT username FROM responders WHERE id = $1")
        .bind(case.owner_id)
        .fetch_one(&app.pool)
        .await?;
    let console = app.sign_in(&owner).await?;
    assert_eq!(console.post(&format!("/api/v1/cases/{}/replies", case.id), json!({ "body": "Hei!" })).await?.0, 201);
    let shutdown = CancellationToken::new();
    let router = app.router(&shutdown).await?;
    app.clock.advance(chrono::Duration::hours(1));
    assert_eq!(batline_router::deadlines::sweep(&router).await?, 0);
    assert_eq!(app.cases_of("+358401800002").await?[0].owner_id, case.owner_id);
    shutdown.cancel();
    app.teardown().await
}

#[tokio::test]
async fn a_backstop_who_misses_keeps_the_case_with_a_new_deadline() -> TestResult {
    let app = TestApp::spawn().await?;
    let shutdown = CancellationToken::new();
    let router = app.router(&shutdown).await?;
    app.text("+358401800003", "Moi").await?;
    let case = app.wait_for_cases("+358401800003", 1, Duration::from_secs(10)).await?.remove(0);
    assert_eq!(case.owner_id, app.backstop.id);
    let first_due = case.ack_due_at;
    app.clock.advance(chrono::Duration::seconds(301));
    batline_router::deadlines::sweep(&router).await?;
    let after = eventually("the miss to be recorded", Duration::from_secs(10), || async {
        let now = app.cases_of("+358401800003").await?.remove(0);
        Ok((now.ack_due_at > first_due).then_some(now))
    })
    .await?;
    assert_eq!(after.owner_id, app.backstop.id, "never unowned");
    let kinds: Vec<String> = timeline(&app, case.id).await?.into_iter().map(|(k, _)| k).collect();
    assert_eq!(kinds, ["opened", "assigned", "ack_missed"]);
    shutdown.cancel();
    app.teardown().await
}

#[tokio::test]
async fn capacity_holds_and_the_search_widens_before_the_backstop() -> TestResult {
    let app = TestApp::spawn().await?;
    app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;
    app.add_responder("mikko", "Mikko", &[Language::Fi], DutyStatus::OnDuty).await?;
    app.add_responder("james", "James", &[Language::En], DutyStatus::OnDuty).await?;
    sqlx::query("UPDATE responders SET capacity = 1 WHERE username IN ('aino', 'mikko')").execute(&app.pool).await?;
    for i in 0..4 {
        app.text(&format!("+35840190000{i}"), "Hei, roska-astia on täynnä ja haisee").await?;
        app.wait_all_filed(Duration::from_secs(10)).await?;
    }
    let rules: Vec<(String, Value)> = sqlx::query_as(
        "SELECT r.username, e.data FROM case_events e JOIN cases c ON c.id = e.case_id JOIN responders r ON r.id = c.owner_id
         WHERE e.kind = 'assigned' ORDER BY e.id",
    )
    .fetch_all(&app.pool)
    .await?;
    let first_two: Vec<&str> = rules[..2].iter().map(|(u, _)| u.as_str()).collect();
    assert!(first_two.contains(&"aino") && first_two.contains(&"mikko"), "{rules:?}");
    assert_eq!(rules[0].1["rule"], "eligible");
    // Both Finnish speakers are full and James does not speak Finnish:
    // a full speaker still beats a non-speaker, and nobody falls to the backstop.
    assert_eq!(rules[2].1["rule"], "over_capacity");
    assert_ne!(rules[2].0, "james");
    assert_eq!(rules[2].1["candidates"].as_array().map(Vec::len), Some(3));
    app.assert_open_counts_exact().await?;
    assert_eq!(
        app.count("SELECT count(*) FROM cases WHERE owner_id = (SELECT id FROM responders WHERE is_backstop)").await?,
        0
    );
    app.teardown().await
}

#[tokio::test]
async fn the_residents_previous_responder_is_preferred() -> TestResult {
    let app = TestApp::spawn().await?;
    app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;
    const RESIDENT: &str = "+358401900101";
    app.text(RESIDENT, "Ensimmäinen asia").await?;
    let first = app.wait_for_cases(RESIDENT, 1, Duration::from_secs(10)).await?.remove(0);
    app.text("+358401900102", "Toisen asukkaan asia").await?;
    app.wait_all_filed(Duration::from_secs(10)).await?;
    let aino = app.sign_in("aino").await?;
    assert_eq!(
        aino.post(&format!("/api/v1/cases/{}/resolve", first.id), json!({ "summary": "Hoidettu." })).await?.0,
        200
    );

    // Mikko comes on duty with nothing on his plate; Aino still has one case.
    app.add_responder("mikko", "Mikko", &[Language::Fi], DutyStatus::OnDuty).await?;
    app.text(RESIDENT, "Uusi asia").await?;
    let cases = app.wait_for_cases(RESIDENT, 2, Duration::from_secs(10)).await?;
    assert_eq!(cases[1].owner_id, first.owner_id);
    let reason: Value = sqlx::query_scalar("SELECT data FROM case_events WHERE case_id = $1 AND kind = 'assigned'")
        .bind(cases[1].id)
        .fetch_one(&app.pool)
        .await?;
    assert_eq!(reason["rule"], "eligible");
    assert_eq!(reason["decided_by"], "previous_responder");
    app.teardown().await
}

/// Every concurrent filing ranks the same responder first. One whose row
/// another filing holds is passed over for a colleague as well suited, so
/// filings run side by side instead of queueing on one row; a stronger
/// preference (here the resident's previous responder) is still waited for.
#[tokio::test]
async fn a_responder_mid_assignment_is_passed_over_only_for_someone_as_suited() -> TestResult {
    let app = TestApp::spawn().await?;
    let aino = app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;
    app.add_responder("mikko", "Mikko", &[Language::Fi], DutyStatus::OnDuty).await?;
    // Aino has waited longest, so the rules rank her first.
    sqlx::query("UPDATE responders SET last_assigned_at = now() WHERE username = 'mikko'").execute(&app.pool).await?;
    let owner_of = |phone: &'static str| {
        let pool = app.pool.clone();
        async move {
            let row: (String, Value) = sqlx::query_as(
                "SELECT r.username, e.data FROM cases c JOIN residents res ON res.id = c.resident_id
                 JOIN responders r ON r.id = c.owner_id
                 JOIN case_events e ON e.case_id = c.id AND e.kind = 'assigned'
                 WHERE res.phone = $1 ORDER BY c.opened_at DESC LIMIT 1",
            )
            .bind(phone)
            .fetch_one(&pool)
            .await?;
            TestResult::Ok(row)
        }
    };

    // Another filing is giving Aino a case right now.
    let mut other = app.pool.begin().await?;
    sqlx::query("SELECT id FROM responders WHERE id = $1 FOR NO KEY UPDATE").bind(aino.id).execute(&mut *other).await?;
    app.text("+358401900201", "Katuvalo on rikki").await?;
    app.wait_for_cases("+358401900201", 1, Duration::from_secs(10)).await?;
    let (owner, reason) = owner_of("+358401900201").await?;
    assert_eq!(owner, "mikko");
    assert_eq!(reason["rule"], "eligible");
    assert_eq!(reason["decided_by"], "not_mid_assignment");
    other.rollback().await?;

    // The resident's previous responder is not a matter of load: with her
    // row held, the filing waits for her rather than passing her over.
    const RESIDENT: &str = "+358401900202";
    sqlx::query("UPDATE responders SET last_assigned_at = now() WHERE username = 'aino'").execute(&app.pool).await?;
    app.text(RESIDENT, "Ensimmäinen asia").await?;
    let first = app.wait_for_cases(RESIDENT, 1, Duration::from_secs(10)).await?.remove(0);
    let (first_owner, _) = owner_of(RESIDENT).await?;
    let first_owner_id = first.owner_id;
    let console = app.sign_in(&first_owner).await?;
    assert_eq!(
        console.post(&format!("/api/v1/cases/{}/resolve", first.id), json!({ "summary": "Hoidettu." })).await?.0,
        200
    );
    let mut other = app.pool.begin().await?;
    sqlx::query("SELECT id FROM responders WHERE id = $1 FOR NO KEY UPDATE")
        .bind(first_owner_id)
        .execute(&mut *other)
        .await?;
    app.text(RESIDENT, "Uusi asia").await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(app.cases_of(RESIDENT).await?.len(), 1, "filed past the previous responder while her row was held");
    other.rollback().await?;
    let cases = app.wait_for_cases(RESIDENT, 2, Duration::from_secs(10)).await?;
    assert_eq!(cases[1].owner_id, first_owner_id);
    let (_, reason) = owner_of(RESIDENT).await?;
    assert_eq!(reason["decided_by"], "previous_responder");
    app.assert_open_counts_exact().await?;
    app.teardown().await
}

/// Becoming a case's owner restarts a responder's idle time, whichever way
/// the case came (opened for them or moved to them), so with loads equal
/// the one who waited longest gets the next case.
#[tokio::test]
async fn every_new_owner_goes_to_the_back_of_the_idle_queue() -> TestResult {
    let app = TestApp::spawn().await?;
    let aino = app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;
    let mikko = app.add_responder("mikko", "Mikko", &[Language::Fi], DutyStatus::OnDuty).await?;
    let idle_since = |id: uuid::Uuid| {
        let pool = app.pool.clone();
        async move {
            let at: Option<chrono::DateTime<chrono::Utc>> =
                sqlx::query_scalar("SELECT last_assigned_at FROM responders WHERE id = $1")
                    .bind(id)
                    .fetch_one(&pool)
                    .await?;
            TestResult::Ok(at)
        }
    };

    app.text("+358401900301", "Katuvalo on rikki").await?;
    let first = app.wait_for_cases("+358401900301", 1, Duration::from_secs(10)).await?.remove(0);
    let (first_owner, other) = if first.owner_id == aino.id { (&aino, &mikko) } else { (&mikko, &aino) };
    assert!(idle_since(first_owner.id).await?.is_some());
    assert_eq!(idle_since(other.id).await?, None);
    let console = app.sign_in(&first_owner.username).await?;
    let resolved =
        console.post(&format!("/api/v1/cases/{}/resolve", first.id), json!({ "summary": "Hoidettu." })).await?;
    assert_eq!(resolved.0, 200);

    // Both have no open case now; the one never assigned has waited longest.
    app.text("+358401900302", "Roskis on täynnä").await?;
    let second = app.wait_for_cases("+358401900302", 1, Duration::from_secs(10)).await?.remove(0);
    assert_eq!(second.owner_id, other.id);
    let reason: Value = sqlx::query_scalar("SELECT data FROM case_events WHERE case_id = $1 AND kind = 'assigned'")
        .bind(second.id)
        .fetch_one(&app.pool)
        .await?;
    assert_eq!(reason["decided_by"], "longest_idle");

    // Moved on for a missed acknowledgement, the case restarts its new
    // owner's idle time too.
    let before = idle_since(first_owner.id).await?;
    let shutdown = CancellationToken::new();
    let _router = app.router(&shutdown).await?;
    app.clock.advance(chrono::Duration::minutes(6));
    eventually("the case to move on", Duration::from_secs(10), || async {
        Ok((app.cases_of("+358401900302").await?[0].owner_id == first_owner.id).then_some(()))
    })
    .await?;
    assert!(idle_since(first_owner.id).await? > before);
    app.assert_open_counts_exact().await?;
    shutdown.cancel();
    app.teardown().await
}
