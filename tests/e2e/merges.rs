//! Merging two open cases into one (issue 20): both threads on the
//! surviving case, the other closed as merged, its tracking code leading to
//! the surviving case, its resident's follow-ups joining it; who and why on
//! both timelines; only owners of both (or a lead) merge, only a lead
//! undoes. Through the JSON API, then in the console in a browser.

use std::time::Duration;

use batline_core::domain::{DutyStatus, Language, Role};
use serde_json::json;

use crate::{
    browser,
    support::{PASSWORD, TestApp, TestResult},
};

const ANNA: &str = "+358405550101";
const ANNA_WORK: &str = "+358405550102";

async fn two_cases(app: &TestApp) -> TestResult<(batline_core::store::cases::Case, batline_core::store::cases::Case)> {
    app.text(ANNA, "Katuvalo on rikki Fleminginkadulla").await?;
    let keep = app.wait_for_cases(ANNA, 1, Duration::from_secs(10)).await?.remove(0);
    app.text(ANNA_WORK, "Tässä vielä toisesta numerosta: valo vilkkuu").await?;
    let merge = app.wait_for_cases(ANNA_WORK, 1, Duration::from_secs(10)).await?.remove(0);
    Ok((keep, merge))
}

#[tokio::test]
async fn two_open_cases_merge_into_one_and_a_lead_undoes_it() -> TestResult {
    let app = TestApp::spawn().await?;
    app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;
    app.add_responder("liisa", "Liisa", &[Language::Fi], DutyStatus::Off).await?;
    app.set_role("liisa", Role::Lead).await?;
    let (keep, merge) = two_cases(&app).await?;
    let aino = app.sign_in("aino").await?;
    let path = format!("/api/v1/cases/{}/merge", merge.id);

    // What cannot be merged is refused with its reason.
    let (status, body) = aino.post(&path, json!({ "into": "abc", "reason": "x" })).await?;
    assert_eq!(status, 422, "{body}");
    assert!(body["detail"].as_str().unwrap_or_default().contains("not a tracking code"), "{body}");
    let (status, _) = aino.post(&path, json!({ "into": merge.tracking_code, "reason": "x" })).await?;
    assert_eq!(status, 409, "not into itself");
    let (status, _) = aino.post(&path, json!({ "into": keep.tracking_code, "reason": "  " })).await?;
    assert_eq!(status, 422, "a reason is needed");

    let (status, surviving) =
        aino.post(&path, json!({ "into": keep.tracking_code.to_lowercase(), "reason": "Sama ihminen" })).await?;
    assert_eq!(status, 200, "{surviving}");
    assert_eq!(surviving["id"], json!(keep.id));
    let merged: batline_core::store::cases::Case =
        sqlx::query_as("SELECT * FROM cases WHERE id = $1").bind(merge.id).fetch_one(&app.pool).await?;
    assert_eq!((merged.status.as_str(), merged.merged_into), ("resolved", Some(keep.id)));
    assert_eq!(app.events(merge.id, "merged").await?[0]["reason"], "Sama ihminen");
    assert_eq!(app.events(keep.id, "merged_in").await?[0]["from"], json!(merge.tracking_code));
    let (status, _) = aino.post(&path, json!({ "into": keep.tracking_code, "reason": "again" })).await?;
    assert_eq!(status, 409, "a merged case is not open");

    // One matter counts once in the figures.
    let liisa = app.sign_in("liisa").await?;
    let (_, report) = liisa.get("/api/v1/reports/sla?by=channel").await?;
    assert_eq!(report["rows"][0]["cases"], 1, "{report}");

    // The merged case's code leads to the surviving case.
    let page = app.http.get(format!("{}/track/{}", app.gateway, merge.tracking_code)).send().await?.text().await?;
    assert!(page.contains(&keep.tracking_code), "the merged code shows the surviving case");

    // The merged case's resident writes again: it joins the surviving case.
    app.text(ANNA_WORK, "Ja nyt se sammui kokonaan").await?;
    app.wait_all_filed(Duration::from_secs(10)).await?;
    let cases: i64 = sqlx::query_scalar("SELECT count(*) FROM cases").fetch_one(&app.pool).await?;
    assert_eq!(cases, 2, "no new case for a follow-up");
    let joined: i64 =
        sqlx::query_scalar("SELECT count(*) FROM messages WHERE case_id = $1 AND body = 'Ja nyt se sammui kokonaan'")
            .bind(keep.id)
            .fetch_one(&app.pool)
            .await?;
    assert_eq!(joined, 1);

    // Only a lead undoes it.
    let undo = format!("/api/v1/cases/{}/unmerge", merge.id);
    let (status, _) = aino.post(&undo, json!({ "reason": "Eri asia" })).await?;
    assert_eq!(status, 403);
    let (status, reopened) = liisa.post(&undo, json!({ "reason": "Eri asia sittenkin" })).await?;
    assert_eq!(status, 200, "{reopened}");
    assert_eq!((reopened["status"].as_str(), reopened["merged_into"].as_str()), (Some("open"), None));
    assert_eq!(app.events(keep.id, "unmerged").await?.len(), 1);
    let (status, _) = liisa.post(&undo, json!({ "reason": "twice" })).await?;
    assert_eq!(status, 409, "not merged any more");
    let (_, report) = liisa.get("/api/v1/reports/sla?by=channel").await?;
    assert_eq!(report["rows"][0]["cases"], 2, "undone, it counts again: {report}");
    app.teardown().await
}

#[tokio::test]
async fn merging_and_undoing_in_the_console() -> TestResult {
    let app = TestApp::spawn().await?;
    app.add_responder("aino", "Aino", &[Language::Fi, Language::En], DutyStatus::OnDuty).await?;
    app.add_responder("liisa", "Liisa", &[Language::Fi], DutyStatus::Off).await?;
    app.set_role("liisa", Role::Lead).await?;
    let (keep, merge) = two_cases(&app).await?;
    browser::run_for(
        "merge.mjs",
        &[
            ("CONSOLE", app.console.clone()),
            ("PASSWORD", PASSWORD.to_owned()),
            ("KEEP_ID", keep.id.to_string()),
            ("KEEP_CODE", keep.tracking_code.clone()),
            ("MERGE_ID", merge.id.to_string()),
            ("MERGE_CODE", merge.tracking_code.clone()),
            ("FIRST_WORDS", "Katuvalo on rikki Fleminginkadulla".to_owned()),
            ("SECOND_WORDS", "Tässä vielä toisesta numerosta: valo vilkkuu".to_owned()),
        ],
        Duration::from_secs(120),
    )
    .await?;
    app.teardown().await
}
