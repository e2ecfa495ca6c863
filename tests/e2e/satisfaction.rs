//! After resolution the resident is asked once whether it was solved; a
//! good score is thanked and stored, "no" or a low score reopens the case
//! with the same owner.

use std::time::Duration;

use batline_core::domain::{CaseStatus, DutyStatus, Language};
use serde_json::json;

use crate::support::{TestApp, TestResult, eventually};

async fn resolve(app: &TestApp, resident: &str) -> TestResult<batline_core::store::cases::Case> {
    let case = app.wait_for_cases(resident, 1, Duration::from_secs(10)).await?.remove(0);
    let console = app.sign_in("aino").await?;
    let (status, body) =
        console.post(&format!("/api/v1/cases/{}/resolve", case.id), json!({ "summary": "Korjattu." })).await?;
    anyhow::ensure!(status == 200, "resolve answered {status}: {body}");
    Ok(case)
}

#[tokio::test]
async fn a_good_score_is_thanked_and_stored() -> TestResult {
    let app = TestApp::spawn().await?;
    app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;
    const RESIDENT: &str = "+358401950001";
    app.text(RESIDENT, "Katuvalo on rikki").await?;
    let case = resolve(&app, RESIDENT).await?;
    let sms = app.sandbox.wait_for_sms_to(RESIDENT, 2, Duration::from_secs(10)).await?;
    assert!(sms[1].body.contains("Ratkesiko asia? Vastaa 1–5"), "{}", sms[1].body);

    app.text(RESIDENT, "5").await?;
    let sms = app.sandbox.wait_for_sms_to(RESIDENT, 3, Duration::from_secs(10)).await?;
    assert_eq!(sms[2].body, "Helsingin kaupunki: Kiitos vastauksestasi!");
    app.wait_all_filed(Duration::from_secs(10)).await?;
    let cases = app.cases_of(RESIDENT).await?;
    assert_eq!(cases.len(), 1, "an answer is not a new case");
    assert_eq!((cases[0].satisfaction_score, cases[0].status), (Some(5), CaseStatus::Resolved));

    // Asked once: the next text is a new contact, even if it looks like a score.
    app.text(RESIDENT, "4").await?;
    let cases = app.wait_for_cases(RESIDENT, 2, Duration::from_secs(10)).await?;
    assert_eq!(cases[0].id, case.id);
    assert_eq!(cases[0].satisfaction_score, Some(5));
    app.teardown().await
}

#[tokio::test]
async fn no_reopens_the_case_with_the_same_owner() -> TestResult {
    let app = TestApp::spawn().await?;
    let aino = app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;
    app.add_responder("mikko", "Mikko", &[Language::Fi], DutyStatus::OnDuty).await?;
    const RESIDENT: &str = "+358401950002";
    // Aino is the only one on duty when it opens.
    sqlx::query("UPDATE responders SET duty_status = 'off' WHERE username = 'mikko'").execute(&app.pool).await?;
    app.text(RESIDENT, "Roskis on täynnä").await?;
    let case = resolve(&app, RESIDENT).await?;
    sqlx::query("UPDATE responders SET duty_status = 'on_duty' WHERE username = 'mikko'").execute(&app.pool).await?;

    app.text(RESIDENT, "Ei").await?;
    let reopened = eventually("the case to reopen", Duration::from_secs(10), || async {
        let now = app.cases_of(RESIDENT).await?.remove(0);
        Ok((now.status == CaseStatus::Open).then_some(now))
    })
    .await?;
    assert_eq!(reopened.id, case.id);
    assert_eq!(reopened.owner_id, aino.id, "the same owner, not whoever is least loaded");
    assert_eq!((reopened.reopened_count, reopened.satisfaction_score), (1, Some(1)));
    assert!(reopened.ack_due_at.is_some() && reopened.acknowledged_at.is_none());
    let sms = app.sandbox.wait_for_sms_to(RESIDENT, 3, Duration::from_secs(10)).await?;
    assert!(sms[2].body.contains("Avasimme asiasi") && sms[2].body.contains("Aino"), "{}", sms[2].body);
    assert_eq!(app.cases_of(RESIDENT).await?.len(), 1);
    app.assert_open_counts_exact().await?;
    let resolution_met = || async {
        let met: Option<chrono::DateTime<chrono::Utc>> =
            sqlx::query_scalar("SELECT met_at FROM sla_clocks WHERE case_id = $1 AND target = 'resolution'")
                .bind(case.id)
                .fetch_one(&app.pool)
                .await?;
        Ok::<_, anyhow::Error>(met)
    };
    assert_eq!(resolution_met().await?, None, "the resolution clock runs again: it was not solved after all");

    // Aino carries on; resolving again does not ask a second time.
    let console = app.sign_in("aino").await?;
    assert_eq!(
        console.post(&format!("/api/v1/cases/{}/replies", case.id), json!({ "body": "Katson uudestaan." })).await?.0,
        201
    );
    resolve(&app, RESIDENT).await?;
    assert!(resolution_met().await?.is_some(), "the final resolution stops it");
    let sms = app.sandbox.wait_for_sms_to(RESIDENT, 5, Duration::from_secs(10)).await?;
    assert!(!sms[4].body.contains("Vastaa 1–5"), "{}", sms[4].body);
    app.teardown().await
}
