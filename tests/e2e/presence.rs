//! Ownership that holds still: presence at the console decides where a
//! live case goes and whether a missed acknowledgement moves a case at all.
//!
//! - A chat case whose owner misses the acknowledgement stays with them
//!   when no colleague is present; the miss and the rule applied go on the
//!   timeline, the lead is alerted, and the resident hears of no change.
//! - With a colleague present, it moves to them; the resident hears the
//!   new name only once that colleague takes the case up, and only once.
//! - Presence follows the console's live socket: closing it ends presence
//!   at once, whatever the duty flag and earlier requests said.
//! - A new chat goes first to a responder at their console.

use std::time::Duration;

use anyhow::Context;
use batline_core::{
    domain::{DutyStatus, Language},
    store,
};
use futures_util::StreamExt;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::{Message, client::IntoClientRequest, http::HeaderValue};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use crate::{
    chat::{ChatClient, case_id},
    support::{TestApp, TestResult, eventually},
};

async fn timeline(app: &TestApp, case_id: Uuid) -> TestResult<Vec<(String, Value)>> {
    Ok(sqlx::query_as("SELECT kind, data FROM case_events WHERE case_id = $1 ORDER BY id")
        .bind(case_id)
        .fetch_all(&app.pool)
        .await?)
}

/// Notices of a new owner written to the resident of `case_id`.
async fn owner_notices(app: &TestApp, case_id: Uuid) -> TestResult<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT body FROM messages WHERE case_id = $1 AND kind = 'notice' AND direction = 'outbound' ORDER BY created_at",
    )
    .bind(case_id)
    .fetch_all(&app.pool)
    .await?)
}

/// A lead who is off duty (so never a candidate) but watching.
async fn add_lead(app: &TestApp, username: &str, name: &str) -> TestResult<batline_core::store::responders::Responder> {
    let lead = app.add_responder(username, name, &[Language::Fi], DutyStatus::Off).await?;
    sqlx::query("UPDATE responders SET role = 'lead' WHERE id = $1").bind(lead.id).execute(&app.pool).await?;
    Ok(lead)
}

type LiveSocket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Opens the console's live socket as a browser signed in with `cookie` would.
async fn open_live(app: &TestApp, cookie: &str) -> TestResult<LiveSocket> {
    let host = app.console.trim_start_matches("http://");
    let mut request = format!("ws://{host}/live").into_client_request()?;
    request.headers_mut().insert("Cookie", HeaderValue::from_str(cookie)?);
    request.headers_mut().insert("Origin", HeaderValue::from_str(&app.console)?);
    let (ws, _) = tokio_tungstenite::connect_async(request).await?;
    Ok(ws)
}

/// The first note on `ws` of `kind`, skipping others.
async fn next_note(ws: &mut LiveSocket, kind: &str) -> TestResult<Value> {
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(15), ws.next())
            .await
            .context("no live note in time")?
            .context("the live socket closed")??;
        let Message::Text(text) = frame else { continue };
        let note: Value = serde_json::from_str(text.as_str())?;
        if note["kind"] == kind {
            return Ok(note);
        }
    }
}

fn browser() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap_or_default()
}

#[tokio::test]
async fn a_chat_case_stays_with_its_owner_when_nobody_else_is_present_and_moves_to_a_present_colleague() -> TestResult {
    let app = TestApp::spawn().await?;
    let mikko = app.add_responder("mikko", "Mikko", &[Language::Fi], DutyStatus::OnDuty).await?;
    let linnea = app.add_responder("linnea", "Linnea", &[Language::Fi], DutyStatus::OnDuty).await?;
    // Mikko has waited longest, so with nobody present the rules give him the chat.
    sqlx::query("UPDATE responders SET last_assigned_at = now() WHERE id = $1")
        .bind(linnea.id)
        .execute(&app.pool)
        .await?;
    add_lead(&app, "leena", "Leena").await?;
    let lead_cookie = crate::roles::web_session(&browser(), &app.console, "leena").await?;
    let mut lead_live = open_live(&app, &lead_cookie).await?;
    let shutdown = CancellationToken::new();
    let router = app.router(&shutdown).await?;

    let (mut resident, _) = ChatClient::greet(&app.gateway, None, 0).await?;
    let (_, case) = resident.first_message("Puiston penkki on rikki").await?;
    assert_eq!(case["owner"]["name"], "Mikko");
    let id = case_id(&app, case["code"].as_str().context("code")?).await?;
    let window = app.config.ack_windows.chat;

    // Nobody but Mikko could take it, and Mikko is not at his console either.
    app.clock.advance(chrono::Duration::from_std(window)? + chrono::Duration::seconds(1));
    batline_router::deadlines::sweep(&router).await?;
    let after = store::cases::get(&app.pool, id).await?.context("the case")?;
    assert_eq!(after.owner_id, mikko.id, "stays with its owner: nobody present to take it");
    assert!(after.ack_due_at.is_some_and(|due| due > app.clock.now_utc()), "with a fresh deadline");
    let events = timeline(&app, id).await?;
    let kinds: Vec<&str> = events.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(kinds, ["opened", "assigned", "ack_missed"]);
    let miss = &events[2].1;
    assert_eq!(miss["outcome"], "stayed");
    assert_eq!(miss["owner_name"], "Mikko");
    assert_eq!(miss["window_seconds"], json!(window.as_secs()));
    assert_eq!(miss["raised_to"], json!(app.backstop.id), "no shift runs: raised to the backstop");
    // The assignment named the window the owner had.
    assert_eq!(events[1].1["ack_within_seconds"], json!(window.as_secs()));
    // The lead is alerted live and sees it on the lead page.
    let note = next_note(&mut lead_live, "nobody_present").await?;
    assert_eq!(note["case_id"], json!(id));
    assert!(note["alert"].as_str().is_some_and(|a| !a.is_empty()), "{note}");
    let lead_page =
        browser().get(format!("{}/lead", app.console)).header("Cookie", &lead_cookie).send().await?.text().await?;
    assert!(lead_page.contains("data-nobody-present"), "the lead page flags the case");
    assert!(lead_page.contains("Puiston penkki on rikki"), "with a preview of the resident's message");
    // The resident was told nothing new.
    assert!(owner_notices(&app, id).await?.is_empty());

    // Linnea opens her console: present. The next miss moves the case to her.
    let linnea_console = app.sign_in("linnea").await?;
    app.clock.advance(chrono::Duration::from_std(window)? + chrono::Duration::seconds(1));
    batline_router::deadlines::sweep(&router).await?;
    let moved = store::cases::get(&app.pool, id).await?.context("the case")?;
    assert_eq!(moved.owner_id, linnea.id, "moved to the colleague who is present");
    let events = timeline(&app, id).await?;
    let kinds: Vec<&str> = events.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(kinds, ["opened", "assigned", "ack_missed", "ack_missed", "assigned"]);
    assert_eq!(events[3].1["outcome"], "moved");
    assert_eq!(events[3].1["to_name"], "Linnea");
    assert_eq!(events[4].1["because"], "ack_missed");
    assert_eq!(events[4].1["previous_owner_id"], json!(mikko.id));
    let considered = events[4].1["candidates"].as_array().context("candidates")?;
    assert!(considered.iter().all(|c| c["id"] != json!(mikko.id)), "the owner who missed is not a candidate");
    assert!(owner_notices(&app, id).await?.is_empty(), "not before Linnea takes it up");
    // The case's timeline explains the window and the rule applied each time.
    let case_page = browser()
        .get(format!("{}/cases/{id}", app.console))
        .header("Cookie", format!("{lead_cookie}; lang=en"))
        .send()
        .await?
        .text()
        .await?;
    for said in [
        format!(
            "Mikko did not acknowledge within {} s; no colleague present: stays with Mikko, lead alerted (Pormestari)",
            window.as_secs()
        ),
        format!("Mikko did not acknowledge within {} s; moved to a colleague who is present: Linnea", window.as_secs()),
        format!("to acknowledge within {} s", window.as_secs()),
    ] {
        assert!(case_page.contains(&said), "the timeline says {said:?}");
    }
    // Nor does the chat's header change behind the resident's back.
    let header = store::chat::current_case(&app.pool, moved.resident_id).await?.context("chat case")?;
    assert_eq!(header.owner_name, "Mikko");

    // Linnea acknowledges: now the resident hears who has their case, once.
    let (status, _) = linnea_console.post(&format!("/api/v1/cases/{id}/acknowledge"), json!({})).await?;
    assert_eq!(status, 200);
    assert_eq!(linnea_console.post(&format!("/api/v1/cases/{id}/acknowledge"), json!({})).await?.0, 200);
    let notices = owner_notices(&app, id).await?;
    assert_eq!(notices, [format!("Asiaasi {} hoitaa nyt Linnea. Vastaamme pian.", moved.tracking_code)]);
    resident.expect_message(|m| m["body"].as_str().is_some_and(|b| b.contains("hoitaa nyt Linnea"))).await?;
    let header = store::chat::current_case(&app.pool, moved.resident_id).await?.context("chat case")?;
    assert_eq!(header.owner_name, "Linnea");
    // A reply after that tells nothing twice.
    let (status, _) =
        linnea_console.post(&format!("/api/v1/cases/{id}/replies"), json!({ "body": "Hei, katson asiaa." })).await?;
    assert_eq!(status, 201);
    assert_eq!(owner_notices(&app, id).await?.len(), 1);
    app.assert_open_counts_exact().await?;
    shutdown.cancel();
    app.teardown().await
}

/// `username`'s row on the lead's board, as the lead signed in with `cookie` sees it.
async fn board_row(app: &TestApp, cookie: String, username: &str) -> TestResult<String> {
    let page = browser().get(format!("{}/lead", app.console)).header("Cookie", cookie).send().await?.text().await?;
    let marker = format!(r#"data-responder="{username}""#);
    page.split(marker.as_str())
        .nth(1)
        .and_then(|rest| rest.split("</tr>").next())
        .map(str::to_owned)
        .context("the responder's row on the lead's board")
}

#[tokio::test]
async fn presence_follows_the_console_socket_and_ends_when_it_closes() -> TestResult {
    let app = TestApp::spawn().await?;
    let aino = app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;
    add_lead(&app, "leena", "Leena").await?;
    let window = app.config.presence_window;
    let present = || store::presence::is_present(&app.pool, aino.id, window);
    let lead_cookie = crate::roles::web_session(&browser(), &app.console, "leena").await?;
    let board_says = |cookie: String| board_row(&app, cookie, "aino");
    assert!(!present().await?, "on duty but never at the console: not present");
    assert!(board_says(lead_cookie.clone()).await?.contains(r#"data-present="false""#));

    let cookie = crate::roles::web_session(&browser(), &app.console, "aino").await?;
    let mut live = open_live(&app, &cookie).await?;
    assert!(present().await?);
    let row = board_says(lead_cookie.clone()).await?;
    assert!(row.contains(r#"data-present="true""#), "{row}");

    // Closing the console: absent within the short grace, not a window later,
    // although she signed in a moment ago.
    live.close(None).await?;
    drop(live);
    eventually("Aino to be absent", Duration::from_secs(20), || async { Ok((!present().await?).then_some(())) })
        .await?;
    assert!(board_says(lead_cookie.clone()).await?.contains(r#"data-present="false""#));
    assert_eq!(app.count("SELECT count(*) FROM console_sockets").await?, 0, "the closed socket is forgotten");
    app.teardown().await
}

#[tokio::test]
async fn a_new_chat_goes_first_to_a_responder_at_their_console() -> TestResult {
    let app = TestApp::spawn().await?;
    app.add_responder("mikko", "Mikko", &[Language::Fi], DutyStatus::OnDuty).await?;
    let linnea = app.add_responder("linnea", "Linnea", &[Language::Fi], DutyStatus::OnDuty).await?;
    // Mikko has waited longest and knows nothing less; Linnea is at her console.
    sqlx::query("UPDATE responders SET last_assigned_at = now() WHERE id = $1")
        .bind(linnea.id)
        .execute(&app.pool)
        .await?;
    let _linnea = app.sign_in("linnea").await?;
    let (mut resident, _) = ChatClient::greet(&app.gateway, None, 0).await?;
    let (_, case) = resident.first_message("Roskis on täynnä").await?;
    assert_eq!(case["owner"]["name"], "Linnea");
    let id = case_id(&app, case["code"].as_str().context("code")?).await?;
    let reason: Value = sqlx::query_scalar("SELECT data FROM case_events WHERE case_id = $1 AND kind = 'assigned'")
        .bind(id)
        .fetch_one(&app.pool)
        .await?;
    assert_eq!(reason["decided_by"], "present");
    let listed = reason["candidates"].as_array().context("candidates")?;
    assert!(listed.iter().any(|c| c["name"] == "Mikko" && c["present"] == false), "{reason}");
    let first_answer = resident.expect_message(|m| m["from"] == "batline").await?;
    assert!(first_answer["body"].as_str().is_some_and(|b| b.contains("Linnea")), "{first_answer}");
    app.teardown().await
}

/// The lead's view in a real browser (tests/browser/lead.mjs): presence,
/// a case preview, labelled fields, the failed technical messages; axe in
/// three languages and two widths.
#[tokio::test]
async fn the_lead_sees_presence_and_a_preview_in_the_browser() -> TestResult {
    let app = TestApp::spawn().await?;
    app.add_responder("otto", "Otto", &[Language::Fi], DutyStatus::Off).await?;
    add_lead(&app, "leena", "Leena").await?;
    // Vilja is on duty but never opens the console; the case is hers.
    app.add_responder("vilja", "Vilja", &[Language::Fi], DutyStatus::OnDuty).await?;
    const RESIDENT: &str = "+358405550909";
    const MESSAGE: &str = "Leikkipuiston keinu on irronnut ketjustaan ja roikkuu vinossa";
    app.text(RESIDENT, MESSAGE).await?;
    let case = app.wait_for_cases(RESIDENT, 1, Duration::from_secs(10)).await?.remove(0);
    sqlx::query("UPDATE responders SET duty_status = 'on_duty' WHERE username = 'otto'").execute(&app.pool).await?;
    crate::browser::run(
        "lead.mjs",
        &[
            ("CONSOLE", app.console.clone()),
            ("PASSWORD", crate::support::PASSWORD.to_owned()),
            ("LEAD", "leena".to_owned()),
            ("PRESENT", "otto".to_owned()),
            ("PRESENT_NAME", "Otto".to_owned()),
            ("AWAY_NAME", "Vilja".to_owned()),
            ("CASE_CODE", case.tracking_code.clone()),
            ("PREVIEW", MESSAGE[..40].to_owned()),
        ],
    )
    .await?;
    let moved = store::cases::get(&app.pool, case.id).await?.context("the case")?;
    let otto: Uuid =
        sqlx::query_scalar("SELECT id FROM responders WHERE username = 'otto'").fetch_one(&app.pool).await?;
    assert_eq!(moved.owner_id, otto, "the lead's form reassigned it");
    app.teardown().await
}
