//! The console web app in a real browser (tests/browser/console.mjs) and
//! the browser-facing guarantees that need no browser: CSRF, cookies,
//! security headers, idle timeouts, the live socket's Origin check.

use std::time::Duration;

use batline_core::domain::{CaseStatus, DutyStatus, Language};
use secrecy::ExposeSecret;

use crate::{
    browser,
    support::{BATLINE_NUMBER, PASSWORD, PUBLIC_URL, TestApp, TestResult, eventually},
};

const RESIDENT: &str = "+358405550101";

#[tokio::test]
async fn a_responders_day_in_the_browser() -> TestResult {
    let app = TestApp::spawn().await?;
    let aino = app.add_responder("aino", "Aino", &[Language::Fi, Language::En], DutyStatus::OnDuty).await?;
    let mikko = app.add_responder("mikko", "Mikko", &[Language::Fi], DutyStatus::Off).await?;
    let twilio = app.config.twilio.clone().ok_or_else(|| anyhow::anyhow!("the test app has Twilio configured"))?;
    browser::run(
        "console.mjs",
        &[
            ("CONSOLE", app.console.clone()),
            ("GATEWAY", app.gateway.clone()),
            ("PUBLIC_URL", PUBLIC_URL.to_owned()),
            ("TWILIO_ACCOUNT_SID", twilio.account_sid.clone()),
            ("TWILIO_AUTH_TOKEN", twilio.auth_token.expose_secret().to_owned()),
            ("BATLINE_NUMBER", BATLINE_NUMBER.to_owned()),
            ("PASSWORD", PASSWORD.to_owned()),
            ("RESPONDER_A", "aino".to_owned()),
            ("RESPONDER_B", "mikko".to_owned()),
            ("RESPONDER_B_NAME", "Mikko".to_owned()),
            ("RESIDENT_PHONE", RESIDENT.to_owned()),
        ],
    )
    .await?;

    // What the clicks did, as the database and the resident's phone saw it.
    let case = app.cases_of(RESIDENT).await?.remove(0);
    assert_eq!(case.status, CaseStatus::Resolved);
    assert_eq!(case.owner_id, mikko.id, "the hand-off moved the case to Mikko");
    assert_eq!(case.resolution_summary.as_deref(), Some("Lamppu vaihdettiin."));
    let kinds: Vec<String> = sqlx::query_scalar("SELECT kind FROM case_events WHERE case_id = $1 ORDER BY id")
        .bind(case.id)
        .fetch_all(&app.pool)
        .await?;
    for kind in ["acknowledged", "replied", "handoff_offered", "handoff_accepted", "resolved"] {
        assert!(kinds.iter().any(|k| k == kind), "{kind} is on the timeline: {kinds:?}");
    }
    let acked_by: Option<uuid::Uuid> = sqlx::query_scalar(
        "SELECT actor_id FROM case_events WHERE case_id = $1 AND kind = 'acknowledged' ORDER BY id LIMIT 1",
    )
    .bind(case.id)
    .fetch_one(&app.pool)
    .await?;
    assert_eq!(acked_by, Some(aino.id));
    eventually("the reply reaches the resident's phone", Duration::from_secs(10), || async {
        let sent = app.sandbox.sent();
        Ok(sent.iter().any(|s| s.to == RESIDENT && s.body == "Kiitos, välitin vian korjattavaksi.").then_some(()))
    })
    .await?;
    app.teardown().await
}
