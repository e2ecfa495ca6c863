//! GDPR: a resident's data can be exported and erased on request (the admin
//! command `batline resident export|erase`), and personal data of cases
//! resolved longer ago than the retention period is redacted by the routers.
//! Redaction keeps times, owners and figures.

use std::time::Duration;

use batline_core::domain::{CaseStatus, DutyStatus, Language};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use crate::support::{TestApp, TestResult};

const RESIDENT: &str = "+358405550401";
const SECRET: &str = "Asun osoitteessa Salainen katu 5 ja naapuri uhkailee";

/// Runs the `batline` binary against the test app's database.
async fn batline(app: &TestApp, args: &[&str]) -> TestResult<std::process::Output> {
    Ok(tokio::process::Command::new(env!("CARGO_BIN_EXE_batline"))
        .args(args)
        .env("DATABASE_URL", &app.config.database_url)
        .env("RUST_LOG", "warn")
        .output()
        .await?)
}

async fn handled_case(app: &TestApp, phone: &str, text: &str) -> TestResult<batline_core::store::cases::Case> {
    app.text(phone, text).await?;
    let case = app.wait_for_cases(phone, 1, Duration::from_secs(10)).await?.remove(0);
    let aino = app.sign_in("aino").await?;
    let path = format!("/api/v1/cases/{}", case.id);
    assert_eq!(aino.post(&format!("{path}/replies"), json!({ "body": "Soitan sinulle tänään" })).await?.0, 201);
    assert_eq!(aino.post(&format!("{path}/notes"), json!({ "text": "Asukas pelkää naapuria" })).await?.0, 201);
    assert_eq!(aino.post(&format!("{path}/resolve"), json!({ "summary": "Ohjattu poliisille" })).await?.0, 200);
    Ok(case)
}

#[tokio::test]
async fn a_resident_can_have_their_data_exported_and_erased() -> TestResult {
    let app = TestApp::spawn().await?;
    app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;
    let case = handled_case(&app, RESIDENT, SECRET).await?;

    let export = batline(&app, &["resident", "export", "--phone", RESIDENT]).await?;
    assert!(export.status.success(), "{}", String::from_utf8_lossy(&export.stderr));
    let doc: Value = serde_json::from_slice(&export.stdout)?;
    assert_eq!(doc["resident"]["phone"], RESIDENT);
    let exported = &doc["cases"][0];
    assert_eq!(exported["case"]["tracking_code"], case.tracking_code.as_str());
    assert_eq!(exported["owner"], "Aino");
    let bodies: Vec<&str> =
        exported["messages"].as_array().into_iter().flatten().filter_map(|m| m["body"].as_str()).collect();
    assert!(bodies.contains(&SECRET) && bodies.contains(&"Soitan sinulle tänään"), "{bodies:?}");
    assert!(
        exported["timeline"].to_string().contains("Asukas pelkää naapuria"),
        "staff notes about them are theirs to see"
    );

    let unknown = batline(&app, &["resident", "export", "--phone", "+358400000000"]).await?;
    assert!(
        !unknown.status.success() && String::from_utf8_lossy(&unknown.stderr).contains("no resident has the number")
    );
    let unconfirmed = batline(&app, &["resident", "erase", "--phone", RESIDENT]).await?;
    assert!(!unconfirmed.status.success(), "erasure needs --confirm");
    assert!(String::from_utf8_lossy(&unconfirmed.stderr).contains("--confirm"));
    assert_eq!(
        app.count("SELECT count(*) FROM residents WHERE phone IS NOT NULL AND phone <> '+358400000000'").await?,
        1
    );

    let erase = batline(&app, &["resident", "erase", "--phone", RESIDENT, "--confirm"]).await?;
    assert!(erase.status.success(), "{}", String::from_utf8_lossy(&erase.stderr));
    assert!(String::from_utf8_lossy(&erase.stdout).contains("erased: 1 cases"));
    assert_gone(&app, case.id, RESIDENT, SECRET).await?;

    // The accountability record stays: same case, owner, status and times.
    let after = sqlx::query_as::<_, batline_core::store::cases::Case>("SELECT * FROM cases WHERE id = $1")
        .bind(case.id)
        .fetch_one(&app.pool)
        .await?;
    assert_eq!((after.owner_id, after.status, after.opened_at), (case.owner_id, CaseStatus::Resolved, case.opened_at));
    assert!(after.first_response_at.is_some() && after.resolved_at.is_some());
    let tracked: Value =
        app.http.get(format!("{}/api/v1/track/{}", app.gateway, case.tracking_code)).send().await?.json().await?;
    assert!(!tracked.to_string().contains("Ohjattu poliisille"), "the summary is gone from tracking too: {tracked}");
    app.teardown().await
}

/// Nothing the resident wrote, nor their number, is left anywhere.
async fn assert_gone(app: &TestApp, case_id: uuid::Uuid, phone: &str, secret: &str) -> TestResult {
    let tables = [
        ("residents", "SELECT count(*) FROM residents WHERE phone = $1"),
        ("intake", "SELECT count(*) FROM intake WHERE sender = $1 OR body = $2 OR raw::text LIKE '%' || $2 || '%'"),
        ("messages", "SELECT count(*) FROM messages WHERE case_id = $3 AND (body = $2 OR body LIKE '%Soitan%')"),
        (
            "timeline",
            "SELECT count(*) FROM case_events WHERE case_id = $3
               AND (data::text LIKE '%naapuria%' OR data::text LIKE '%poliisille%')",
        ),
        ("cases", "SELECT count(*) FROM cases WHERE id = $3 AND resolution_summary = 'Ohjattu poliisille'"),
    ];
    for (what, sql) in tables {
        let left: i64 = sqlx::query_scalar(sql).bind(phone).bind(secret).bind(case_id).fetch_one(&app.pool).await?;
        assert_eq!(left, 0, "personal data left in {what}");
    }
    Ok(())
}

#[tokio::test]
async fn personal_data_of_long_resolved_cases_is_redacted_by_the_routers() -> TestResult {
    let app = TestApp::spawn().await?;
    app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;
    let old = handled_case(&app, RESIDENT, SECRET).await?;
    const RECENT: &str = "+358405550402";
    let recent = handled_case(&app, RECENT, "Katuvalo on pimeänä Kalliossa jo viikon").await?;
    // Resolved 366 days ago: one day past the default retention of 365.
    sqlx::query("UPDATE cases SET resolved_at = now() - interval '366 days' WHERE id = $1")
        .bind(old.id)
        .execute(&app.pool)
        .await?;

    let shutdown = CancellationToken::new();
    let router = app.router(&shutdown).await?;
    let done = batline_router::deadlines::redact(&router).await?;
    assert_eq!((done.cases, done.residents_forgotten), (1, 1));
    assert_gone(&app, old.id, RESIDENT, SECRET).await?;
    let kept: i64 = sqlx::query_scalar("SELECT count(*) FROM messages WHERE case_id = $1 AND body LIKE 'Katuvalo%'")
        .bind(recent.id)
        .fetch_one(&app.pool)
        .await?;
    assert_eq!(kept, 1, "a recently resolved case keeps its texts");
    assert_eq!(batline_router::deadlines::redact(&router).await?.cases, 0, "nothing is redacted twice");
    shutdown.cancel();
    app.teardown().await
}
