//! Issue 17, item 7: a NUL got a different answer at every door (a 500
//! from a Twilio webhook, so Twilio retried forever; "send it again" from
//! the chat, forever; a 500 from console notes and walk-in topics). The
//! rule now, decided once in `batline_core::plain_text` and applied where
//! text comes in: control characters are blanked (each made a space, so
//! lengths stay as sent), line breaks and tabs kept, and nothing a
//! resident sent is lost over them.

use std::time::Duration;

use anyhow::Context;
use batline_core::domain::{DutyStatus, Language};
use serde_json::json;

use crate::{
    chat::{ChatClient, case_id},
    support::{TestApp, TestResult, eventually},
};

/// Every body stored on `case_id`, oldest first.
async fn bodies(app: &TestApp, case_id: uuid::Uuid) -> TestResult<Vec<String>> {
    Ok(sqlx::query_scalar("SELECT body FROM messages WHERE case_id = $1 ORDER BY created_at")
        .bind(case_id)
        .fetch_all(&app.pool)
        .await?)
}

#[tokio::test]
async fn a_text_with_control_characters_is_filed_without_them() -> TestResult {
    let app = TestApp::spawn().await?;
    app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;
    // Signed as sent, NUL, escape and CR LF included: the signature covers
    // the bytes Twilio posted.
    let r = app.text("+358401110033", "Katu\u{0}valo\u{1b}on rikki\r\nKallio").await?;
    assert_eq!(r.status(), 200, "a webhook never answers an error for what will never succeed");
    let case = app.wait_for_cases("+358401110033", 1, Duration::from_secs(10)).await?.remove(0);
    assert_eq!(bodies(&app, case.id).await?.first().map(String::as_str), Some("Katu valo on rikki\r\nKallio"));
    // A NUL in `From` too: blanked, filed, never a 500 for Twilio to retry.
    let r = app.text("+358401110044\u{0}", "Puisto").await?;
    assert_eq!(r.status(), 200);
    app.wait_for_cases("+358401110044 ", 1, Duration::from_secs(10)).await?;
    app.teardown().await
}

#[tokio::test]
async fn a_chat_message_with_a_nul_is_accepted_without_it() -> TestResult {
    let app = TestApp::spawn().await?;
    app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;
    let (mut chat, _) = ChatClient::greet(&app.gateway, None, 0).await?;
    let (_, case) = chat.first_message("Bussi\u{0}pysäkki\u{7}").await?;
    let id = case_id(&app, case["code"].as_str().context("code")?).await?;
    // Trimmed like any message, after the blanking.
    assert_eq!(bodies(&app, id).await?.first().map(String::as_str), Some("Bussi pysäkki"));
    // A message of nothing but control characters is empty, and said so.
    chat.send(json!({ "type": "message", "client_id": "nul", "body": "\u{0}\u{0}" })).await?;
    let refused = chat.expect("error").await?;
    assert_eq!(refused["code"], "empty", "{refused}");
    app.teardown().await
}

#[tokio::test]
async fn console_notes_replies_and_walk_in_topics_blank_control_characters() -> TestResult {
    let app = TestApp::spawn().await?;
    app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;
    let point = app.add_walk_in_point("Batcave Kallio", "Kallio").await?;
    app.add_desk("veera", "Veera", point).await?;
    app.text("+358401110044", "Puisto").await?;
    let case = app.wait_for_cases("+358401110044", 1, Duration::from_secs(10)).await?.remove(0);
    let aino = app.sign_in("aino").await?;
    let path = format!("/api/v1/cases/{}", case.id);
    let (status, body) = aino.post(&format!("{path}/notes"), json!({ "text": "Soita\u{0} huomenna" })).await?;
    assert_eq!(status, 201, "{body}");
    let (status, body) = aino.post(&format!("{path}/replies"), json!({ "body": "Hei\u{0}!\r\nTulemme." })).await?;
    assert_eq!(status, 201, "{body}");
    let note: String = sqlx::query_scalar(
        "SELECT data->>'text' FROM case_events WHERE case_id = $1 AND data ? 'text' ORDER BY id DESC LIMIT 1",
    )
    .bind(case.id)
    .fetch_one(&app.pool)
    .await?;
    assert_eq!(note, "Soita  huomenna");
    assert!(bodies(&app, case.id).await?.iter().any(|b| b == "Hei !\r\nTulemme."));

    let desk = app.sign_in("veera").await?;
    let (status, ticket) =
        desk.post("/api/v1/walk-in/tickets", json!({ "about": "Penkki\u{0} rikki", "language": "fi" })).await?;
    assert!(status == 201 || status == 202, "{status} {ticket}");
    let ticket_id = ticket["ticket_id"].as_str().context("ticket_id")?.to_owned();
    let walk_in_case: uuid::Uuid = eventually("the ticket is filed", Duration::from_secs(10), || async {
        Ok(sqlx::query_scalar(
            "SELECT i.case_id FROM walk_in_tickets t JOIN intake i ON i.id = t.intake_id WHERE t.id = $1::uuid",
        )
        .bind(&ticket_id)
        .fetch_one(&app.pool)
        .await?)
    })
    .await?;
    assert!(bodies(&app, walk_in_case).await?.iter().any(|b| b.contains("Penkki  rikki")));
    app.teardown().await
}
