//! Chat residents, as the chat page behaves: each holds a WebSocket to a
//! gateway, writes messages with ids of its own, keeps every message until
//! the gateway says `accepted`, and when the socket closes (a gateway
//! restarting says 1012, "reconnect") reconnects with its token to the
//! next gateway and sends again whatever was not accepted. Records what
//! it sent and what was accepted, so a test can check nothing was lost or
//! stored twice.

use std::{
    collections::VecDeque,
    sync::{Arc, Mutex},
    time::Duration,
};

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::{
    connect_async,
    tungstenite::{
        Message,
        client::IntoClientRequest,
        http::{HeaderValue, header::ORIGIN},
        protocol::frame::coding::CloseCode,
    },
};
use uuid::Uuid;

/// How long a resident keeps trying before giving up on the chat.
const GIVE_UP_AFTER: Duration = Duration::from_secs(60);
/// A pause before reconnecting, as the chat page waits.
const RECONNECT_PAUSE: Duration = Duration::from_millis(200);

/// What the chat residents did.
#[derive(Debug, Default, Clone)]
pub struct ChatOutcome {
    /// Every message id sent.
    pub sent: Vec<String>,
    /// Every message id the gateway said `accepted` for (once each).
    pub accepted: Vec<String>,
    /// Sockets closed by a gateway with 1012, "reconnect".
    pub told_to_reconnect: usize,
    /// Reconnections of any cause.
    pub reconnects: usize,
    /// Residents who gave up, and why (must stay empty).
    pub abandoned: Vec<String>,
}

/// `residents` chat residents, each writing `messages` messages spread over
/// `span`, over `gateways` (base URLs). Resolves when each has every
/// message accepted or has given up.
pub async fn run(gateways: Vec<String>, residents: usize, messages: usize, span: Duration) -> ChatOutcome {
    let outcome = Arc::new(Mutex::new(ChatOutcome::default()));
    let mut tasks = Vec::new();
    for n in 0..residents {
        let (gateways, outcome) = (gateways.clone(), outcome.clone());
        tasks.push(tokio::spawn(async move {
            // Residents start a little apart, and write at even intervals.
            tokio::time::sleep(span.mul_f64(n as f64 / residents as f64 / messages as f64)).await;
            if let Err(e) = resident(n, &gateways, messages, span, &outcome).await {
                record(&outcome, |o| o.abandoned.push(format!("chat resident {n}: {e:#}")));
            }
        }));
    }
    for task in tasks {
        let _ = task.await;
    }
    outcome.lock().map(|o| o.clone()).unwrap_or_default()
}

fn record(outcome: &Mutex<ChatOutcome>, f: impl FnOnce(&mut ChatOutcome)) {
    if let Ok(mut o) = outcome.lock() {
        f(&mut o);
    }
}

async fn resident(
    n: usize,
    gateways: &[String],
    messages: usize,
    span: Duration,
    outcome: &Mutex<ChatOutcome>,
) -> anyhow::Result<()> {
    let started = tokio::time::Instant::now();
    let every = span / messages as u32;
    let mut to_write: VecDeque<(String, String)> =
        (0..messages).map(|i| (Uuid::new_v4().simple().to_string(), format!("Asukas {n}: viesti {i}"))).collect();
    // Written and not yet accepted: sent again after reconnecting.
    let mut unaccepted: Vec<(String, String)> = Vec::new();
    let mut token: Option<String> = None;
    let mut attempt = 0usize;
    let mut next_write = tokio::time::Instant::now();
    loop {
        anyhow::ensure!(started.elapsed() < GIVE_UP_AFTER + span, "still not done after {:?}", started.elapsed());
        let gateway = &gateways[(n + attempt) % gateways.len()];
        attempt += 1;
        let mut request = format!("{}/chat/ws", gateway.replacen("http", "ws", 1)).into_client_request()?;
        request.headers_mut().insert(ORIGIN, HeaderValue::from_str(gateway)?);
        let Ok((mut ws, _)) = connect_async(request).await else {
            record(outcome, |o| o.reconnects += 1);
            tokio::time::sleep(RECONNECT_PAUSE).await;
            continue;
        };
        let hello = json!({ "type": "hello", "lang": "fi", "token": token, "last_seq": 0 });
        if ws.send(Message::Text(hello.to_string().into())).await.is_err() {
            continue;
        }
        for (id, body) in &unaccepted {
            let frame = json!({ "type": "message", "client_id": id, "body": body });
            let _ = ws.send(Message::Text(frame.to_string().into())).await;
        }
        // Until the socket ends: write when due, read what comes.
        let closed_by = loop {
            if to_write.is_empty() && unaccepted.is_empty() {
                let _ = ws.close(None).await;
                return Ok(());
            }
            let due = !to_write.is_empty() && tokio::time::Instant::now() >= next_write;
            if due && let Some((id, body)) = to_write.pop_front() {
                record(outcome, |o| o.sent.push(id.clone()));
                let frame = json!({ "type": "message", "client_id": id, "body": body });
                unaccepted.push((id, body));
                next_write += every;
                if ws.send(Message::Text(frame.to_string().into())).await.is_err() {
                    break None;
                }
                continue;
            }
            let wait =
                if to_write.is_empty() { Duration::from_secs(10) } else { next_write - tokio::time::Instant::now() };
            let frame = match tokio::time::timeout(wait, ws.next()).await {
                Err(_) => continue,
                Ok(None) => break None,
                Ok(Some(Err(_))) => break None,
                Ok(Some(Ok(Message::Close(frame)))) => break frame.map(|f| f.code),
                Ok(Some(Ok(Message::Text(text)))) => serde_json::from_str::<Value>(text.as_str())?,
                Ok(Some(Ok(_))) => continue,
            };
            match frame["type"].as_str() {
                Some("session") => token = frame["token"].as_str().map(str::to_owned),
                // Shown: acknowledged, as the chat page does, so Batline's
                // answers count as delivered.
                Some("message") => {
                    if let Some(seq) = frame["seq"].as_i64() {
                        let ack = json!({ "type": "ack", "seq": seq });
                        if ws.send(Message::Text(ack.to_string().into())).await.is_err() {
                            break None;
                        }
                    }
                }
                Some("accepted") => {
                    let id = frame["client_id"].as_str().unwrap_or_default().to_owned();
                    if let Some(i) = unaccepted.iter().position(|(u, _)| *u == id) {
                        unaccepted.remove(i);
                        record(outcome, |o| o.accepted.push(id));
                    }
                }
                Some("welcome") if token.is_some() && frame["resumed"] == false => {
                    anyhow::bail!("the gateway did not know the session's token: {frame}")
                }
                Some("error") => {
                    // `unavailable` and `rate_limited` ask for the message
                    // again later; anything else is a fault of the test.
                    let code = frame["code"].as_str().unwrap_or_default();
                    anyhow::ensure!(matches!(code, "unavailable" | "rate_limited"), "refused: {frame}");
                    break None;
                }
                _ => {}
            }
        };
        if closed_by == Some(CloseCode::Restart) {
            record(outcome, |o| o.told_to_reconnect += 1);
        }
        record(outcome, |o| o.reconnects += 1);
        tokio::time::sleep(RECONNECT_PAUSE).await;
    }
}
