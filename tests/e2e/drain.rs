//! A service asked to stop drains: its `/readyz` says "draining" until its
//! bus closes, a gateway finishes the chat frame in hand and tells the
//! socket to reconnect (1012, "reconnect"), and the conversation resumes on
//! another gateway; a console tells its live sockets the same, and their
//! responders do not count as having left. Each service here runs as a
//! second process would, on its own listeners and bus connection, with the
//! bus closed only after the service has stopped, as `batline` does.

use std::time::Duration;

use anyhow::Context;
use batline_core::{
    bus::Bus,
    domain::{DutyStatus, Language},
};
use futures_util::StreamExt;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::{
    Message, client::IntoClientRequest, http::HeaderValue, protocol::frame::coding::CloseCode,
};
use tokio_util::sync::CancellationToken;

use crate::{
    chat::ChatClient,
    support::{AMQP_URL, TestApp, TestResult},
};

/// A service's two tokens: `stop` starts its drain, `bus` closes its bus after.
struct Tokens {
    stop: CancellationToken,
    bus: CancellationToken,
}

async fn bus(app: &TestApp) -> TestResult<(Bus, Tokens)> {
    let tokens = Tokens { stop: CancellationToken::new(), bus: CancellationToken::new() };
    let bus = Bus::start(AMQP_URL, &app.namespace, tokens.bus.clone());
    bus.wait_connected(Duration::from_secs(15)).await?;
    Ok((bus, tokens))
}

/// `/readyz` at `ops`: its status and body.
async fn readiness(app: &TestApp, ops: &str) -> TestResult<(u16, Value)> {
    let r = app.http.get(format!("{ops}/readyz")).send().await?;
    Ok((r.status().as_u16(), r.json().await?))
}

#[tokio::test]
async fn a_stopping_gateway_finishes_the_frame_in_hand_and_tells_the_chat_to_reconnect() -> TestResult {
    let app = TestApp::spawn().await?;
    app.add_responder("aino", "Aino", &[Language::Fi], DutyStatus::OnDuty).await?;
    let (bus, tokens) = bus(&app).await?;
    let state = batline_gateway::AppState::new(app.config.clone(), app.pool.clone(), bus)?;
    let (listener, ops) = (TcpListener::bind("127.0.0.1:0").await?, TcpListener::bind("127.0.0.1:0").await?);
    let (gateway, ops_url) = (format!("http://{}", listener.local_addr()?), format!("http://{}", ops.local_addr()?));
    let running = tokio::spawn(batline_gateway::run(state, listener, ops, tokens.stop.clone()));
    app.wait_ready(&ops_url).await?;

    let (mut chat, _) = ChatClient::greet(&gateway, None, 0).await?;
    let (token, _) = chat.first_message("Katuvalo ei pala").await?;
    // A message on its way as the gateway is told to stop. If it reached
    // the gateway, it is stored and accepted before the socket closes; if
    // not, the client sends it again after reconnecting, as the chat page
    // does. Either way it is stored once.
    chat.send(json!({ "type": "message", "client_id": "second", "body": "Se vilkkuu" })).await?;
    tokens.stop.cancel();
    let mut accepted_before_close = false;
    let close = loop {
        match chat.next_or_close().await? {
            Ok(frame) => accepted_before_close |= frame["type"] == "accepted" && frame["client_id"] == "second",
            Err(close) => break close,
        }
    };
    assert_eq!(close, (CloseCode::Restart, "reconnect".to_owned()), "the socket is told to reconnect");
    tokio::time::timeout(Duration::from_secs(10), running).await.context("the gateway did not stop")???;

    // Stopped, its bus still open: the operations listener says why it is not ready.
    let (status, body) = readiness(&app, &ops_url).await?;
    assert_eq!(status, 503);
    assert_eq!(body["draining"], true, "{body}");
    tokens.bus.cancel();

    // The chat resumes on the other gateway, with both messages, stored once.
    let (mut again, welcome) = ChatClient::greet(&app.gateway, Some(&token), 0).await?;
    assert_eq!(welcome["resumed"], true);
    if !accepted_before_close {
        again.send(json!({ "type": "message", "client_id": "second", "body": "Se vilkkuu" })).await?;
    }
    again.expect_message(|m| m["client_id"] == "second").await?;
    let stored: i64 =
        sqlx::query_scalar("SELECT count(*) FROM intake WHERE channel = 'chat'").fetch_one(&app.pool).await?;
    assert_eq!(stored, 2);
    app.teardown().await
}

#[tokio::test]
async fn a_stopping_console_tells_its_live_sockets_to_reconnect_and_nobody_counts_as_gone() -> TestResult {
    let app = TestApp::spawn().await?;
    let mikko = app.add_responder("mikko", "Mikko", &[Language::Fi], DutyStatus::OnDuty).await?;
    let (bus, tokens) = bus(&app).await?;
    let state = batline_console::AppState::new(app.config.clone(), app.pool.clone(), bus)?;
    let (listener, ops) = (TcpListener::bind("127.0.0.1:0").await?, TcpListener::bind("127.0.0.1:0").await?);
    let (console, ops_url) = (format!("http://{}", listener.local_addr()?), format!("http://{}", ops.local_addr()?));
    let running = tokio::spawn(batline_console::run(state, listener, ops, tokens.stop.clone()));
    app.wait_ready(&ops_url).await?;

    let browser = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build()?;
    let cookie = crate::roles::web_session(&browser, &console, "mikko").await?;
    let mut request = format!("ws://{}/live", console.trim_start_matches("http://")).into_client_request()?;
    request.headers_mut().insert("Cookie", HeaderValue::from_str(&cookie)?);
    request.headers_mut().insert("Origin", HeaderValue::from_str(&console)?);
    let (mut live, _) = tokio_tungstenite::connect_async(request).await?;
    crate::support::eventually("the live socket counts as presence", Duration::from_secs(10), || async {
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM console_sockets WHERE responder_id = $1")
            .bind(mikko.id)
            .fetch_one(&app.pool)
            .await?;
        Ok((n == 1).then_some(()))
    })
    .await?;

    tokens.stop.cancel();
    let close = loop {
        let frame = tokio::time::timeout(Duration::from_secs(10), live.next()).await.context("no close")?;
        match frame {
            Some(Ok(Message::Close(Some(frame)))) => break (frame.code, frame.reason.to_string()),
            Some(Ok(_)) => continue,
            other => anyhow::bail!("the socket ended without a close frame: {other:?}"),
        }
    };
    assert_eq!(close, (CloseCode::Restart, "reconnect".to_owned()));
    tokio::time::timeout(Duration::from_secs(10), running).await.context("the console did not stop")???;
    let (status, body) = readiness(&app, &ops_url).await?;
    assert_eq!((status, body["draining"].clone()), (503, json!(true)));
    tokens.bus.cancel();

    // The socket is forgotten, and its responder did not leave: the
    // browser is on another console a moment later.
    let (sockets, departures): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM console_sockets WHERE responder_id = $1),
                (SELECT count(*) FROM console_departures WHERE responder_id = $1)",
    )
    .bind(mikko.id)
    .fetch_one(&app.pool)
    .await?;
    assert_eq!((sockets, departures), (0, 0));
    app.teardown().await
}
