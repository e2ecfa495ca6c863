//! SLA clocks end to end: the default policy's clocks start with a case, the
//! owner is warned, a breach is recorded and raised to the lead, a human
//! answer stops the clock, and a changed policy applies only to cases
//! opened after it.

use std::time::Duration;

use batline_core::domain::{DutyStatus, Language};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use crate::support::{TestApp, TestResult};

async fn clocks(app: &TestApp, case_id: Uuid) -> TestResult<Vec<(String, chrono::DateTime<chrono::Utc>)>> {
    Ok(sqlx::query_as("SELECT target, due_at FROM sla_clocks WHERE case_id = $1 ORDER BY target")
        .bind(case_id)
        .fetch_all(&app.pool)
        .await?)
}

#[tokio::test]
async fn the_owner_is_warned_then_the_breach_is_raised_and_a_reply_stops_the_clock() -> TestResult {
    let app = TestApp::spawn().await?;
    app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;
    const SLOW: &str = "+358401900001";
    const ANSWERED: &str = "+358401900002";
    app.text(SLOW, "Katuvalo on rikki").await?;
    app.text(ANSWERED, "Roskis on täynnä").await?;
    let slow = app.wait_for_cases(SLOW, 1, Duration::from_secs(10)).await?.remove(0);
    let answered = app.wait_for_cases(ANSWERED, 1, Duration::from_secs(10)).await?.remove(0);

    // The default policy: a human answer within 15 minutes, resolution within 5 days.
    let started = clocks(&app, slow.id).await?;
    assert_eq!(started.len(), 2);
    assert_eq!(started[0].0, "first_response");
    assert_eq!((started[0].1 - slow.opened_at).num_minutes(), 15);
    assert_eq!((started[1].1 - slow.opened_at).num_days(), 5);
    // The reports read the deadlines off the case row, written with the clocks.
    let (first_response_due, resolution_due): (
        Option<chrono::DateTime<chrono::Utc>>,
        Option<chrono::DateTime<chrono::Utc>>,
    ) = sqlx::query_as("SELECT first_response_due_at, resolution_due_at FROM cases WHERE id = $1")
        .bind(slow.id)
        .fetch_one(&app.pool)
        .await?;
    assert_eq!((first_response_due, resolution_due), (Some(started[0].1), Some(started[1].1)));

    // Aino acknowledges both (so they do not move on) and answers one.
    let console = app.sign_in("aino").await?;
    for case in [&slow, &answered] {
        assert_eq!(console.post(&format!("/api/v1/cases/{}/acknowledge", case.id), json!({})).await?.0, 200);
    }
    let (status, _) =
        console.post(&format!("/api/v1/cases/{}/replies", answered.id), json!({ "body": "Hoidan!" })).await?;
    assert_eq!(status, 201);

    let shutdown = CancellationToken::new();
    let router = app.router(&shutdown).await?;
    // 80 % of 15 minutes: a warning for the unanswered case only.
    app.clock.advance(chrono::Duration::minutes(12) + chrono::Duration::seconds(5));
    batline_router::deadlines::sweep(&router).await?;
    assert_eq!(app.events(slow.id, "sla_warning").await?.len(), 1);
    assert!(app.events(answered.id, "sla_warning").await?.is_empty());
    assert!(app.events(slow.id, "sla_breached").await?.is_empty());

    // The deadline passes: the breach is recorded once and raised to the
    // backstop (no shift is running); the owner keeps the case.
    app.clock.advance(chrono::Duration::minutes(3));
    batline_router::deadlines::sweep(&router).await?;
    batline_router::deadlines::sweep(&router).await?;
    let breaches = app.events(slow.id, "sla_breached").await?;
    assert_eq!(breaches.len(), 1);
    assert_eq!(breaches[0]["target"], "first_response");
    assert_eq!(breaches[0]["raised_to"], json!(app.backstop.id));
    assert_eq!(app.cases_of(SLOW).await?[0].owner_id, slow.owner_id);
    assert!(app.events(answered.id, "sla_breached").await?.is_empty(), "answered in time");
    let metrics = app.http.get(format!("{}/metrics", app.gateway_ops)).send().await?.text().await?;
    assert!(
        metrics.lines().any(|l| l.starts_with("batline_sla_total{")
            && l.contains("event=\"breach\"")
            && l.contains("target=\"first_response\"")),
        "the breach is counted"
    );

    // The console shows the clocks.
    let (_, detail) = console.get(&format!("/api/v1/cases/{}", slow.id)).await?;
    let sla = detail["sla"].as_array().cloned().unwrap_or_default();
    assert_eq!(sla.len(), 2);
    assert!(sla[0]["breached_at"].is_string() && sla[0]["met_at"].is_null());
    let (_, detail) = console.get(&format!("/api/v1/cases/{}", answered.id)).await?;
    assert!(detail["sla"][0]["met_at"].is_string());

    // Resolving stops the resolution clock.
    let (status, _) =
        console.post(&format!("/api/v1/cases/{}/resolve", answered.id), json!({ "summary": "Tyhjennetty." })).await?;
    assert_eq!(status, 200);
    let met: Option<chrono::DateTime<chrono::Utc>> =
        sqlx::query_scalar("SELECT met_at FROM sla_clocks WHERE case_id = $1 AND target = 'resolution'")
            .bind(answered.id)
            .fetch_one(&app.pool)
            .await?;
    assert!(met.is_some());
    shutdown.cancel();
    app.teardown().await
}

#[tokio::test]
async fn a_changed_policy_applies_to_cases_opened_after_it() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.add_responder("admin", "Admin", &[Language::Fi], DutyStatus::Off).await?;
    sqlx::query("UPDATE responders SET role = 'admin' WHERE id = $1").bind(admin.id).execute(&app.pool).await?;
    app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;
    app.text("+358401900003", "Ennen muutosta").await?;
    let before = app.wait_for_cases("+358401900003", 1, Duration::from_secs(10)).await?.remove(0);

    let console = app.sign_in("admin").await?;
    let (status, policy) = console
        .post(
            "/api/v1/sla-policies",
            json!({ "channel": "sms", "first_response_minutes": 10, "resolution_minutes": 2880 }),
        )
        .await?;
    assert_eq!(status, 201, "{policy}");
    assert_eq!(policy["version"], 1);
    // A second change to the same scope is version 2 and retires version 1.
    let (status, policy) = console
        .post(
            "/api/v1/sla-policies",
            json!({ "channel": "sms", "first_response_minutes": 5, "resolution_minutes": 2880 }),
        )
        .await?;
    assert_eq!(status, 201, "{policy}");
    assert_eq!(policy["version"], 2);
    // Office hours for calls are stored with the policy (their arithmetic is
    // unit-tested in batline_core::sla; asserting it here would depend on
    // the time of day the test runs).
    let (status, calls) = console
        .post(
            "/api/v1/sla-policies",
            json!({ "channel": "voice", "first_response_minutes": 30, "resolution_minutes": 600,
                    "hours": { "mon": [["08:00", "16:00"]], "fri": [["08:00", "14:00"]] } }),
        )
        .await?;
    assert_eq!(status, 201, "{calls}");
    assert_eq!(calls["hours"]["mon"][0], json!(["08:00", "16:00"]));
    let (_, all) = console.get("/api/v1/sla-policies").await?;
    let sms: Vec<&Value> = all.as_array().into_iter().flatten().filter(|p| p["channel"] == "sms").collect();
    assert_eq!(sms.len(), 2);
    assert!(sms.iter().any(|p| p["version"] == 1 && p["valid_to"].is_string()));

    app.text("+358401900004", "Muutoksen jälkeen").await?;
    let after = app.wait_for_cases("+358401900004", 1, Duration::from_secs(10)).await?.remove(0);
    let old = clocks(&app, before.id).await?;
    let new = clocks(&app, after.id).await?;
    assert_eq!((old[0].1 - before.opened_at).num_minutes(), 15, "the case opened before keeps its clock");
    assert_eq!((new[0].1 - after.opened_at).num_minutes(), 5);
    assert_eq!((new[1].1 - after.opened_at).num_hours(), 48);

    // Bad input and roles.
    for bad in [
        json!({ "first_response_minutes": 0, "resolution_minutes": 10 }),
        json!({ "first_response_minutes": 10, "resolution_minutes": 10, "warn_at_percent": 100 }),
        json!({ "first_response_minutes": 10, "resolution_minutes": 10, "topic": " " }),
        json!({ "first_response_minutes": 10, "resolution_minutes": 10, "hours": {} }),
        json!({ "first_response_minutes": 10, "resolution_minutes": 10, "channel": "fax" }),
    ] {
        let (status, body) = console.post("/api/v1/sla-policies", bad.clone()).await?;
        assert!(status == 422 || status == 400, "{bad} → {status} {body}");
        assert!(body["detail"].as_str().is_some_and(|d| !d.is_empty()));
    }
    let aino = app.sign_in("aino").await?;
    assert_eq!(aino.get("/api/v1/sla-policies").await?.0, 403);
    let (status, _) =
        aino.post("/api/v1/sla-policies", json!({ "first_response_minutes": 1, "resolution_minutes": 1 })).await?;
    assert_eq!(status, 403);
    app.teardown().await
}
