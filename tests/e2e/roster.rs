//! Rosters end to end: import through the console API, the coverage check,
//! and the backstop chain (shift lead before the mayor).

use std::time::Duration;

use batline_core::{
    domain::{DutyStatus, Language, Role},
    roster::TZ,
};
use serde_json::Value;

use crate::support::{TestApp, TestResult, eventually};

/// A CSV row for a city-wide shift running from an hour ago for eight hours.
fn shift_now(lead: &str, members: &str) -> String {
    let start = (chrono::Utc::now() - chrono::Duration::hours(1)).with_timezone(&TZ);
    let end = start + chrono::Duration::hours(8);
    format!("{},{},{},,{lead},{members}\n", start.format("%Y-%m-%d"), start.format("%H:%M"), end.format("%H:%M"))
}

async fn import(app: &TestApp, token_user: &str, csv: String) -> TestResult<(u16, Value)> {
    let console = app.sign_in(token_user).await?;
    console.post_text("/api/v1/roster/import", "text/csv", csv).await
}

#[tokio::test]
async fn leads_import_rosters_and_check_coverage() -> TestResult {
    let app = TestApp::spawn().await?;
    app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;
    app.add_responder("linnea", "Linnea", &[Language::Fi, Language::Sv], DutyStatus::OnDuty).await?;
    sqlx::query("UPDATE responders SET role = $1 WHERE username = 'linnea'")
        .bind(Role::Lead)
        .execute(&app.pool)
        .await?;
    let header = "date,start,end,area,lead,members\n";

    assert_eq!(import(&app, "aino", format!("{header}{}", shift_now("linnea", "aino"))).await?.0, 403);
    let (status, body) =
        import(&app, "linnea", format!("{header}{}2026-13-01,08:00,16:00,,linnea,\n", shift_now("linnea", "aino")))
            .await?;
    assert_eq!(status, 422);
    assert!(body["detail"].as_str().is_some_and(|d| d.contains("row 2")), "{body}");
    let (status, body) = import(&app, "linnea", format!("{header}{}", shift_now("linnea", "nobody"))).await?;
    assert_eq!(status, 422);
    assert!(body["detail"].as_str().is_some_and(|d| d.contains("nobody")), "{body}");
    assert_eq!(app.count("SELECT count(*) FROM shifts").await?, 0, "all rows or none");

    let (status, body) = import(&app, "linnea", format!("{header}{}", shift_now("linnea", "aino"))).await?;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["imported"], 1);

    let linnea = app.sign_in("linnea").await?;
    let (status, gaps) = linnea.get("/api/v1/roster/coverage?days=1").await?;
    assert_eq!(status, 200);
    let gaps = gaps.as_array().cloned().unwrap_or_default();
    let has = |kind: &str, value: &str, from_now: bool| {
        gaps.iter().any(|g| {
            g["kind"] == kind
                && g["value"] == value
                && g["from"].as_str().and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok()).is_some_and(|t| {
                    let ahead = t.with_timezone(&chrono::Utc) - chrono::Utc::now();
                    if from_now { ahead < chrono::Duration::minutes(1) } else { ahead > chrono::Duration::hours(6) }
                })
        })
    };
    assert!(has("language", "en", true), "nobody speaks English on the shift: {gaps:?}");
    assert!(!has("language", "fi", true), "Finnish is covered now: {gaps:?}");
    assert!(has("language", "fi", false), "and not after the shift: {gaps:?}");
    assert!(has("area", "Kallio", false), "nor Kallio after the shift: {gaps:?}");
    assert_eq!(linnea.get("/api/v1/roster/coverage?days=90").await?.0, 422);
    assert_eq!(app.sign_in("aino").await?.get("/api/v1/roster/coverage").await?.0, 403);
    app.teardown().await
}

#[tokio::test]
async fn with_nobody_on_duty_the_shift_lead_comes_before_the_mayor() -> TestResult {
    let app = TestApp::spawn().await?;
    let linnea = app.add_responder("linnea", "Linnea", &[Language::Fi], DutyStatus::Away).await?;
    sqlx::query("UPDATE responders SET role = $1 WHERE username = 'linnea'")
        .bind(Role::Lead)
        .execute(&app.pool)
        .await?;
    let shifts =
        batline_core::roster::parse_csv(&format!("date,start,end,area,lead,members\n{}", shift_now("linnea", "")))?;
    batline_core::roster::import(&app.pool, &shifts).await?;

    app.text("+358402100001", "Moi").await?;
    let case = app.wait_for_cases("+358402100001", 1, Duration::from_secs(10)).await?.remove(0);
    assert_eq!(case.owner_id, linnea.id);
    let reason: Value = sqlx::query_scalar("SELECT data FROM case_events WHERE case_id = $1 AND kind = 'assigned'")
        .bind(case.id)
        .fetch_one(&app.pool)
        .await?;
    assert_eq!(reason["rule"], "city_lead");

    // A lead who is off duty is skipped: the mayor takes it. (Once the
    // router has applied the shift's start, or applying it later would put
    // her back on duty.)
    eventually("the shift start to be applied", Duration::from_secs(10), || async {
        Ok((app.count("SELECT count(*) FROM shifts WHERE NOT start_applied").await? == 0).then_some(()))
    })
    .await?;
    sqlx::query("UPDATE responders SET duty_status = 'off' WHERE username = 'linnea'").execute(&app.pool).await?;
    app.text("+358402100002", "Moi").await?;
    let case = app.wait_for_cases("+358402100002", 1, Duration::from_secs(10)).await?.remove(0);
    assert_eq!(case.owner_id, app.backstop.id);
    app.teardown().await
}

#[tokio::test]
async fn the_roster_puts_people_on_duty_and_takes_them_off_with_their_cases_handed_on() -> TestResult {
    let app = TestApp::spawn().await?;
    let aino = app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::Off).await?;
    app.add_responder("linnea", "Linnea", &[Language::Fi], DutyStatus::Off).await?;
    let mikko = app.add_responder("mikko", "Mikko", &[Language::Fi], DutyStatus::OnDuty).await?;
    let start = (chrono::Utc::now() + chrono::Duration::hours(2)).with_timezone(&TZ);
    let end = start + chrono::Duration::hours(2);
    let csv = format!(
        "date,start,end,area,lead,members\n{},{},{},Kallio,linnea,aino\n",
        start.format("%Y-%m-%d"),
        start.format("%H:%M"),
        end.format("%H:%M")
    );
    batline_core::roster::import(&app.pool, &batline_core::roster::parse_csv(&csv)?).await?;
    let duty = |user: &'static str| {
        let pool = app.pool.clone();
        async move {
            sqlx::query_scalar::<_, String>("SELECT duty_status FROM responders WHERE username = $1")
                .bind(user)
                .fetch_one(&pool)
                .await
        }
    };
    assert_eq!(duty("aino").await?, "off", "not before the shift");

    app.clock.advance(chrono::Duration::minutes(121));
    eventually("the shift to start", Duration::from_secs(10), || async {
        Ok((duty("aino").await? == "on_duty" && duty("linnea").await? == "on_duty").then_some(()))
    })
    .await?;

    // Aino takes a case while the others step away for a moment.
    sqlx::query("UPDATE responders SET duty_status = 'away' WHERE username IN ('mikko', 'linnea')")
        .execute(&app.pool)
        .await?;
    app.text("+358402400001", "Hei").await?;
    let case = app.wait_for_cases("+358402400001", 1, Duration::from_secs(10)).await?.remove(0);
    assert_eq!(case.owner_id, aino.id);
    sqlx::query("UPDATE responders SET duty_status = 'on_duty' WHERE username = 'mikko'").execute(&app.pool).await?;

    app.clock.advance(chrono::Duration::minutes(121));
    eventually("the shift to end and Aino's case to move on", Duration::from_secs(15), || async {
        let owner = app.cases_of("+358402400001").await?[0].owner_id;
        Ok((duty("aino").await? == "off" && owner == mikko.id).then_some(()))
    })
    .await?;
    assert_eq!(duty("linnea").await?, "off", "the end applies to the shift's lead too");
    assert_eq!(duty("mikko").await?, "on_duty", "someone not on the shift is untouched");
    assert_eq!(app.count("SELECT count(*) FROM shifts WHERE start_applied AND end_applied").await?, 1);
    app.teardown().await
}

/// The probe's reproduction: a lead imports a row for yesterday's shift.
/// Edges in the past are history, not orders: nobody goes off duty and no
/// case is handed on. A shift running now in the same file does put its
/// people on duty (which also shows the router has swept the import).
#[tokio::test]
async fn a_roster_row_for_a_shift_already_over_changes_nobodys_duty() -> TestResult {
    let app = TestApp::spawn().await?;
    let mikko = app.add_responder("mikko", "Mikko", &[Language::Fi], DutyStatus::OnDuty).await?;
    app.add_responder("linnea", "Linnea", &[Language::Fi], DutyStatus::Away).await?;
    app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::Off).await?;
    sqlx::query("UPDATE responders SET role = $1 WHERE username = 'linnea'")
        .bind(Role::Lead)
        .execute(&app.pool)
        .await?;
    app.text("+358402100031", "Moi").await?;
    let case = app.wait_for_cases("+358402100031", 1, Duration::from_secs(10)).await?.remove(0);
    assert_eq!(case.owner_id, mikko.id);

    let yesterday = (chrono::Utc::now() - chrono::Duration::days(1)).with_timezone(&TZ).format("%Y-%m-%d");
    let csv = format!(
        "date,start,end,area,lead,members\n{yesterday},08:00,16:00,Vuosaari,linnea,mikko\n{}",
        shift_now("aino", "")
    );
    let (status, body) = import(&app, "linnea", csv).await?;
    assert_eq!(status, 201, "{body}");

    let duty = |user: &'static str| {
        let pool = app.pool.clone();
        async move {
            sqlx::query_scalar::<_, String>("SELECT duty_status FROM responders WHERE username = $1")
                .bind(user)
                .fetch_one(&pool)
                .await
        }
    };
    eventually("the running shift to start", Duration::from_secs(10), || async {
        Ok((duty("aino").await? == "on_duty").then_some(()))
    })
    .await?;
    // One more sweep, for anything the first left over.
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(duty("mikko").await?, "on_duty", "yesterday's end took nobody off duty");
    assert_eq!(duty("linnea").await?, "away", "nor put anyone on");
    let kept: bool = sqlx::query_scalar("SELECT owner_id = $2 FROM cases WHERE id = $1")
        .bind(case.id)
        .bind(mikko.id)
        .fetch_one(&app.pool)
        .await?;
    assert!(kept, "and no case was handed on");
    assert_eq!(app.count("SELECT count(*) FROM shifts").await?, 2, "yesterday's shift is kept as history");
    app.teardown().await
}
