//! The web chat's WebSocket protocol, driven by a real tokio-tungstenite
//! client against the running app: a named owner within the first frames,
//! live replies, resume with history in order, nothing lost while
//! disconnected, typing and read marks, satisfaction buttons, replies
//! reaching a socket held by another gateway process, and every limit
//! answered on the socket.

use std::time::Duration;

use anyhow::{Context, bail, ensure};
use batline_core::domain::{DutyStatus, Language};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::{
    MaybeTlsStream, WebSocketStream, connect_async,
    tungstenite::{
        self, Message,
        client::IntoClientRequest,
        http::{HeaderValue, header::ORIGIN},
        protocol::frame::coding::CloseCode,
    },
};
use uuid::Uuid;

use crate::support::{Console, TestApp, TestResult, eventually};

/// How long a test waits for one frame.
const FRAME_WAIT: Duration = Duration::from_secs(10);

/// A chat client that matches frames by type like a mailbox: frames that
/// arrive while the test waits for another type are kept, in order.
pub struct ChatClient {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    kept: std::collections::VecDeque<Value>,
}

/// The socket URL of a gateway base URL.
pub fn ws_url(gateway: &str) -> String {
    format!("{}/chat/ws", gateway.replacen("http", "ws", 1))
}

/// Opens a handshake with `Origin: origin` (none when `None`).
pub async fn handshake(gateway: &str, origin: Option<&str>) -> Result<ChatClient, tungstenite::Error> {
    let mut request = ws_url(gateway).into_client_request()?;
    if let Some(origin) = origin {
        request.headers_mut().insert(ORIGIN, HeaderValue::from_str(origin).map_err(tungstenite::http::Error::from)?);
    }
    let (ws, _) = connect_async(request).await?;
    Ok(ChatClient { ws, kept: Default::default() })
}

impl ChatClient {
    /// Connects from the gateway's own page.
    pub async fn connect(gateway: &str) -> TestResult<ChatClient> {
        Ok(handshake(gateway, Some(gateway)).await?)
    }

    /// Connects and says hello; returns the welcome frame.
    pub async fn greet(gateway: &str, token: Option<&str>, last_seq: i64) -> TestResult<(ChatClient, Value)> {
        let mut client = Self::connect(gateway).await?;
        client.send(json!({ "type": "hello", "lang": "fi", "token": token, "last_seq": last_seq })).await?;
        let welcome = client.expect("welcome").await?;
        Ok((client, welcome))
    }

    pub async fn send(&mut self, frame: Value) -> TestResult {
        self.ws.send(Message::Text(frame.to_string().into())).await?;
        Ok(())
    }

    pub async fn send_raw(&mut self, message: Message) -> TestResult {
        self.ws.send(message).await?;
        Ok(())
    }

    /// The next JSON frame, or an error after [`FRAME_WAIT`].
    pub async fn next(&mut self) -> TestResult<Value> {
        loop {
            let message = tokio::time::timeout(FRAME_WAIT, self.ws.next())
                .await
                .context("no frame in time")?
                .context("the socket closed")??;
            match message {
                Message::Text(text) => return Ok(serde_json::from_str(text.as_str())?),
                Message::Ping(_) | Message::Pong(_) => continue,
                other => bail!("unexpected frame {other:?}"),
            }
        }
    }

    /// The first frame of `kind` (kept or new); fails on an error frame
    /// unless an error is what is expected.
    pub async fn expect(&mut self, kind: &str) -> TestResult<Value> {
        self.expect_where(kind, |_| true).await
    }

    /// The first frame of `kind` satisfying `pred`; others are kept.
    pub async fn expect_where(&mut self, kind: &str, pred: impl Fn(&Value) -> bool) -> TestResult<Value> {
        if let Some(i) = self.kept.iter().position(|f| f["type"] == kind && pred(f)) {
            return self.kept.remove(i).context("kept frame");
        }
        loop {
            let frame = self.next().await?;
            if frame["type"] == kind && pred(&frame) {
                return Ok(frame);
            }
            ensure!(frame["type"] != "error" || kind == "error", "expected {kind}, got {frame}");
            self.kept.push_back(frame);
        }
    }

    /// The first message frame satisfying `pred`; earlier ones are dropped.
    pub async fn expect_message(&mut self, pred: impl Fn(&Value) -> bool) -> TestResult<Value> {
        let found = self.expect_where("message", &pred).await?;
        let seq = found["seq"].as_i64();
        self.kept.retain(|f| f["type"] != "message" || f["seq"].as_i64() > seq);
        Ok(found)
    }

    /// The close frame's code, skipping text frames before it.
    pub async fn expect_close(&mut self) -> TestResult<CloseCode> {
        loop {
            let message = tokio::time::timeout(FRAME_WAIT, self.ws.next()).await.context("no close in time")?;
            match message {
                Some(Ok(Message::Close(Some(frame)))) => return Ok(frame.code),
                Some(Ok(Message::Close(None))) | None => bail!("closed without a code"),
                Some(Ok(_)) => continue,
                Some(Err(e)) => bail!("socket failed before a close frame: {e}"),
            }
        }
    }

    /// The next JSON frame, or the close frame's code and reason.
    pub async fn next_or_close(&mut self) -> TestResult<Result<Value, (CloseCode, String)>> {
        loop {
            let message = tokio::time::timeout(FRAME_WAIT, self.ws.next()).await.context("no frame in time")?;
            match message {
                Some(Ok(Message::Text(text))) => return Ok(Ok(serde_json::from_str(text.as_str())?)),
                Some(Ok(Message::Close(Some(frame)))) => return Ok(Err((frame.code, frame.reason.to_string()))),
                Some(Ok(Message::Close(None))) | None => bail!("closed without a code"),
                Some(Ok(_)) => continue,
                Some(Err(e)) => bail!("socket failed before a close frame: {e}"),
            }
        }
    }

    /// Writes a message; returns the `session` token and the `case` frame.
    pub async fn first_message(&mut self, body: &str) -> TestResult<(String, Value)> {
        self.send(json!({ "type": "message", "client_id": "first", "body": body })).await?;
        let session = self.expect("session").await?;
        let token = session["token"].as_str().context("no token")?.to_owned();
        self.expect("accepted").await?;
        let case = self.expect("case").await?;
        Ok((token, case))
    }
}

/// The case id behind a tracking code.
pub async fn case_id(app: &TestApp, code: &str) -> TestResult<Uuid> {
    Ok(sqlx::query_scalar("SELECT id FROM cases WHERE tracking_code = $1").bind(code).fetch_one(&app.pool).await?)
}

async fn reply(console: &Console, case: Uuid, body: &str) -> TestResult {
    let (status, answer) = console.post(&format!("/api/v1/cases/{case}/replies"), json!({ "body": body })).await?;
    ensure!(status == 201, "reply answered {status}: {answer}");
    Ok(())
}

async fn app_with_aino() -> TestResult<TestApp> {
    let app = TestApp::spawn().await?;
    app.add_responder("aino", "Aino", &[Language::Fi, Language::En], DutyStatus::OnDuty).await?;
    Ok(app)
}

#[tokio::test]
async fn a_resident_sees_the_named_owner_at_once_and_replies_live() -> TestResult {
    let app = app_with_aino().await?;
    let (mut chat, welcome) = ChatClient::greet(&app.gateway, None, 0).await?;
    assert_eq!(welcome["resumed"], false);
    assert_eq!(welcome["max_chars"], 2000);

    let started = std::time::Instant::now();
    let (_, case) = chat.first_message("Katuvalo ei pala Fleminginkadulla").await?;
    println!("owner named {:?} after the message", started.elapsed());
    assert_eq!(case["owner"]["name"], "Aino");
    // No district is known for this case yet, so none is shown: never the
    // owner's home area (Aino works in Kallio).
    assert_eq!(case.get("area"), None);
    assert_eq!(case["owner"].get("area"), None);
    assert_eq!(case["status"], "open");
    let code = case["code"].as_str().context("code")?;
    assert_eq!(case["track_url"], format!("/track/{code}"));

    let mine = chat.expect_message(|m| m["from"] == "resident").await?;
    assert_eq!(mine["body"], "Katuvalo ei pala Fleminginkadulla");
    assert_eq!(mine["client_id"], "first");
    assert_eq!(mine["seq"], 1);
    let auto = chat.expect_message(|m| m["from"] == "batline").await?;
    assert_eq!(auto["seq"], 2);
    assert!(auto["body"].as_str().is_some_and(|b| b.contains("Aino") && b.contains(code)), "{auto}");

    let id = case_id(&app, code).await?;
    let aino = app.sign_in("aino").await?;
    reply(&aino, id, "Kiitos, korjaamme sen huomenna.").await?;
    let answer = chat.expect_message(|m| m["from"] == "responder").await?;
    assert_eq!(answer["author"], "Aino");
    assert_eq!(answer["body"], "Kiitos, korjaamme sen huomenna.");
    assert_eq!(answer["seq"], 3);

    // Nothing of the chat went out as SMS, and the auto-reply is a chat message.
    assert!(app.sandbox.sent().is_empty());
    let chat_messages = app.count("SELECT count(*) FROM messages WHERE channel = 'chat'").await?;
    assert_eq!(chat_messages, 3);
    // The browser's ack marks Batline's messages delivered.
    chat.send(json!({ "type": "ack", "seq": 3 })).await?;
    eventually("replies marked delivered", FRAME_WAIT, || async {
        let n = app
            .count("SELECT count(*) FROM messages WHERE direction = 'outbound' AND delivery_status = 'delivered'")
            .await?;
        Ok((n == 2).then_some(()))
    })
    .await?;
    app.teardown().await
}

#[tokio::test]
async fn resuming_replays_what_was_missed_in_order_and_nothing_is_stored_twice() -> TestResult {
    let app = app_with_aino().await?;
    let (mut chat, _) = ChatClient::greet(&app.gateway, None, 0).await?;
    let (token, case) = chat.first_message("Roska-astia on kaatunut").await?;
    let auto = chat.expect_message(|m| m["from"] == "batline").await?;
    let seen = auto["seq"].as_i64().context("seq")?;
    drop(chat);

    // While the resident is away: two replies, in this order.
    let id = case_id(&app, case["code"].as_str().context("code")?).await?;
    let aino = app.sign_in("aino").await?;
    reply(&aino, id, "yksi").await?;
    reply(&aino, id, "kaksi").await?;

    let (mut chat, welcome) = ChatClient::greet(&app.gateway, Some(&token), seen).await?;
    assert_eq!(welcome["resumed"], true);
    let one = chat.expect("message").await?;
    let two = chat.expect("message").await?;
    assert_eq!((one["body"].as_str(), one["seq"].as_i64()), (Some("yksi"), Some(seen + 1)));
    assert_eq!((two["body"].as_str(), two["seq"].as_i64()), (Some("kaksi"), Some(seen + 2)));
    assert_eq!(chat.expect("case").await?["code"], case["code"]);

    // The browser resends a message whose confirmation it never saw: stored once.
    chat.send(json!({ "type": "message", "client_id": "first", "body": "Roska-astia on kaatunut" })).await?;
    assert_eq!(chat.expect("accepted").await?["client_id"], "first");
    // A message written "offline" and sent on reconnection arrives.
    chat.send(json!({ "type": "message", "client_id": "later", "body": "Se on yhä kumossa" })).await?;
    chat.expect("accepted").await?;
    let later = chat.expect_message(|m| m["client_id"] == "later").await?;
    assert_eq!(later["seq"], seen + 3);
    assert_eq!(app.count("SELECT count(*) FROM intake WHERE channel = 'chat'").await?, 2);

    // A reload with nothing kept but the token shows the whole history in order.
    drop(chat);
    let (mut chat, _) = ChatClient::greet(&app.gateway, Some(&token), 0).await?;
    let mut bodies = Vec::new();
    for expected_seq in 1..=seen + 3 {
        let m = chat.expect("message").await?;
        assert_eq!(m["seq"], expected_seq);
        bodies.push(m["body"].as_str().unwrap_or_default().to_owned());
    }
    assert_eq!(bodies.first().map(String::as_str), Some("Roska-astia on kaatunut"));
    assert_eq!(&bodies[bodies.len() - 3..], ["yksi", "kaksi", "Se on yhä kumossa"]);

    // A token nobody issued does not resume anything.
    let (_, welcome) = ChatClient::greet(&app.gateway, Some("not-a-token"), 0).await?;
    assert_eq!(welcome["resumed"], false);
    app.teardown().await
}

#[tokio::test]
async fn a_reply_reaches_the_socket_whichever_gateway_holds_it() -> TestResult {
    let app = app_with_aino().await?;
    let second = app.start_gateway().await?;
    // The conversation starts on one gateway and continues on the other.
    let (mut chat, _) = ChatClient::greet(&app.gateway, None, 0).await?;
    let (token, case) = chat.first_message("Hissi on rikki").await?;
    let auto = chat.expect_message(|m| m["from"] == "batline").await?;
    drop(chat);
    let (mut chat, _) = ChatClient::greet(&second, Some(&token), auto["seq"].as_i64().context("seq")?).await?;
    chat.expect("case").await?;

    let id = case_id(&app, case["code"].as_str().context("code")?).await?;
    let aino = app.sign_in("aino").await?;
    reply(&aino, id, "Huoltoyhtiö on tulossa").await?;
    let answer = chat.expect_message(|m| m["from"] == "responder").await?;
    assert_eq!(answer["body"], "Huoltoyhtiö on tulossa");

    // Typing and read marks travel the same way.
    let (status, _) = aino.post(&format!("/api/v1/cases/{id}/typing"), json!({})).await?;
    assert_eq!(status, 204);
    assert_eq!(chat.expect("typing").await?["name"], "Aino");
    let (status, _) = aino.get(&format!("/api/v1/cases/{id}")).await?;
    assert_eq!(status, 200);
    let read = chat.expect("read").await?;
    assert_eq!(read["seq"], 1, "the resident's message is read");
    app.teardown().await
}

#[tokio::test]
async fn typing_is_only_for_the_owner_of_an_open_chat() -> TestResult {
    let app = app_with_aino().await?;
    app.add_responder("mikko", "Mikko", &[Language::Fi], DutyStatus::Off).await?;
    let (mut chat, _) = ChatClient::greet(&app.gateway, None, 0).await?;
    let (_, case) = chat.first_message("Puu on kaatunut").await?;
    let id = case_id(&app, case["code"].as_str().context("code")?).await?;
    let mikko = app.sign_in("mikko").await?;
    assert_eq!(mikko.post(&format!("/api/v1/cases/{id}/typing"), json!({})).await?.0, 403);
    // An SMS resident has no chat to show typing in.
    app.text("+358401112233", "Tekstiviesti").await?;
    let sms_case = app.wait_for_cases("+358401112233", 1, FRAME_WAIT).await?.remove(0);
    let aino = app.sign_in("aino").await?;
    assert_eq!(aino.post(&format!("/api/v1/cases/{}/typing", sms_case.id), json!({})).await?.0, 409);
    app.teardown().await
}

#[tokio::test]
async fn the_satisfaction_buttons_store_the_score_and_no_reopens_with_the_same_owner() -> TestResult {
    let app = app_with_aino().await?;
    let (mut chat, _) = ChatClient::greet(&app.gateway, None, 0).await?;
    let (_, case) = chat.first_message("Leikkipuiston keinu on rikki").await?;
    let id = case_id(&app, case["code"].as_str().context("code")?).await?;
    let aino = app.sign_in("aino").await?;

    // Not asked yet: a button press is refused, clearly.
    chat.send(json!({ "type": "satisfaction", "client_id": "s0", "answer": 5 })).await?;
    assert_eq!(chat.expect("error").await?["code"], "not_asked");

    let (status, _) =
        aino.post(&format!("/api/v1/cases/{id}/resolve"), json!({ "summary": "Keinu vaihdettu" })).await?;
    assert_eq!(status, 200);
    let resolved = chat.expect("case").await?;
    assert_eq!((resolved["status"].as_str(), resolved["ask_satisfaction"].as_bool()), (Some("resolved"), Some(true)));
    let notice = chat.expect_message(|m| m["from"] == "batline" && m["seq"] != 2).await?;
    assert!(notice["body"].as_str().is_some_and(|b| b.contains("Keinu vaihdettu")), "{notice}");
    // The chat asks in its own words: the buttons, not an SMS reply of 1–5.
    assert!(notice["body"].as_str().is_some_and(|b| b.contains("painikkeilla") && !b.contains("1–5")), "{notice}");

    chat.send(json!({ "type": "satisfaction", "client_id": "s1", "answer": "no" })).await?;
    chat.expect("accepted").await?;
    let reopened = chat.expect("case").await?;
    assert_eq!(reopened["status"], "open");
    assert_eq!(reopened["owner"]["name"], "Aino");
    assert_eq!(reopened["ask_satisfaction"], false);
    let (score, reopened_count): (Option<i32>, i32) =
        sqlx::query_as("SELECT satisfaction_score, reopened_count FROM cases WHERE id = $1")
            .bind(id)
            .fetch_one(&app.pool)
            .await?;
    assert_eq!((score, reopened_count), (Some(1), 1));

    // Asked once per case: resolving again asks nothing, and a late press changes nothing.
    aino.post(&format!("/api/v1/cases/{id}/resolve"), json!({ "summary": "Nyt se on korjattu" })).await?;
    let again = chat.expect("case").await?;
    assert_eq!((again["status"].as_str(), again["ask_satisfaction"].as_bool()), (Some("resolved"), Some(false)));
    chat.send(json!({ "type": "satisfaction", "client_id": "s2", "answer": 5 })).await?;
    assert_eq!(chat.expect("error").await?["code"], "not_asked");
    app.teardown().await
}

#[tokio::test]
async fn a_good_score_is_kept_and_the_case_stays_resolved() -> TestResult {
    let app = app_with_aino().await?;
    let (mut chat, _) = ChatClient::greet(&app.gateway, None, 0).await?;
    let (_, case) = chat.first_message("Penkki on rikki").await?;
    let id = case_id(&app, case["code"].as_str().context("code")?).await?;
    let aino = app.sign_in("aino").await?;
    aino.post(&format!("/api/v1/cases/{id}/resolve"), json!({ "summary": "Penkki korjattu" })).await?;
    chat.expect("case").await?;
    chat.send(json!({ "type": "satisfaction", "client_id": "s1", "answer": 4 })).await?;
    chat.expect("accepted").await?;
    let after = chat.expect("case").await?;
    assert_eq!((after["status"].as_str(), after["ask_satisfaction"].as_bool()), (Some("resolved"), Some(false)));
    let score: Option<i32> =
        sqlx::query_scalar("SELECT satisfaction_score FROM cases WHERE id = $1").bind(id).fetch_one(&app.pool).await?;
    assert_eq!(score, Some(4));
    app.teardown().await
}

#[tokio::test]
async fn bad_frames_are_answered_with_errors_and_the_connection_goes_on() -> TestResult {
    let app = app_with_aino().await?;
    let mut chat = ChatClient::connect(&app.gateway).await?;
    chat.send(json!({ "type": "message", "client_id": "a", "body": "before hello" })).await?;
    assert_eq!(chat.expect("error").await?["code"], "no_hello");
    chat.send_raw(Message::Text("{not json".into())).await?;
    assert_eq!(chat.expect("error").await?["code"], "bad_json");
    chat.send(json!({ "type": "shout", "body": "x" })).await?;
    assert_eq!(chat.expect("error").await?["code"], "bad_frame");
    chat.send_raw(Message::Binary(vec![1, 2, 3].into())).await?;
    assert_eq!(chat.expect("error").await?["code"], "bad_frame");
    chat.send(json!({ "type": "hello", "lang": "en" })).await?;
    chat.expect("welcome").await?;
    chat.send(json!({ "type": "hello" })).await?;
    assert_eq!(chat.expect("error").await?["code"], "already_greeted");
    chat.send(json!({ "type": "message", "client_id": "bad:id", "body": "x" })).await?;
    assert_eq!(chat.expect("error").await?["code"], "bad_frame");
    chat.send(json!({ "type": "message", "client_id": "e", "body": "   " })).await?;
    let empty = chat.expect("error").await?;
    assert_eq!((empty["code"].as_str(), empty["client_id"].as_str()), (Some("empty"), Some("e")));
    chat.send(json!({ "type": "message", "client_id": "long", "body": "ä".repeat(2001) })).await?;
    let long = chat.expect("error").await?;
    assert_eq!((long["code"].as_str(), long["client_id"].as_str()), (Some("too_long"), Some("long")));
    // A malformed message names itself, so the client can stop resending it.
    chat.send(json!({ "type": "message", "client_id": "num", "body": 5 })).await?;
    let bad = chat.expect("error").await?;
    assert_eq!((bad["code"].as_str(), bad["client_id"].as_str()), (Some("bad_frame"), Some("num")));
    // Nothing refused created a session or stored anything; the socket still works.
    assert_eq!(app.count("SELECT count(*) FROM chat_sessions").await?, 0);
    chat.send(json!({ "type": "message", "client_id": "ok", "body": "Hello" })).await?;
    chat.expect("session").await?;
    chat.expect("accepted").await?;
    // Half an emoji, as JSON.stringify writes it: valid JSON, stored with U+FFFD.
    let half = r#"{"type":"message","client_id":"half","body":"Puu kaatui \ud83d"}"#;
    chat.send_raw(Message::Text(half.into())).await?;
    chat.expect_where("accepted", |f| f["client_id"] == "half").await?;
    let body: String =
        sqlx::query_scalar("SELECT body FROM intake WHERE provider_id LIKE '%:half'").fetch_one(&app.pool).await?;
    assert_eq!(body, "Puu kaatui \u{fffd}");
    app.teardown().await
}

#[tokio::test]
async fn too_many_messages_a_minute_are_refused_with_the_wait() -> TestResult {
    let app = app_with_aino().await?;
    let (mut chat, _) = ChatClient::greet(&app.gateway, None, 0).await?;
    let limit = app.config.chat.per_minute;
    for i in 0..limit {
        chat.send(json!({ "type": "message", "client_id": format!("m{i}"), "body": format!("viesti {i}") })).await?;
        chat.expect("accepted").await?;
    }
    chat.send(json!({ "type": "message", "client_id": "over", "body": "yksi liikaa" })).await?;
    let refused = chat.expect("error").await?;
    assert_eq!(refused["code"], "rate_limited");
    assert_eq!(refused["client_id"], "over");
    assert!(refused["retry_after"].as_u64().is_some_and(|s| (1..=60).contains(&s)), "{refused}");
    app.wait_all_filed(FRAME_WAIT).await?;
    assert_eq!(app.count("SELECT count(*) FROM intake WHERE channel = 'chat'").await?, i64::from(limit));
    app.teardown().await
}

#[tokio::test]
async fn an_oversized_frame_is_refused_and_the_socket_closed_with_1009() -> TestResult {
    let app = TestApp::spawn().await?;
    let (mut chat, _) = ChatClient::greet(&app.gateway, None, 0).await?;
    let huge = json!({ "type": "message", "client_id": "big", "body": "x".repeat(40 * 1024) });
    chat.send(huge).await?;
    let error = chat.expect("error").await?;
    assert_eq!(error["code"], "too_large");
    assert_eq!(chat.expect_close().await?, CloseCode::Size);
    app.teardown().await
}

#[tokio::test]
async fn connections_over_the_per_address_limit_are_told_why() -> TestResult {
    let app = TestApp::spawn().await?;
    let max = app.config.chat.connections_per_address;
    let mut open = Vec::new();
    for _ in 0..max {
        open.push(ChatClient::greet(&app.gateway, None, 0).await?.0);
    }
    let mut extra = ChatClient::connect(&app.gateway).await?;
    let error = extra.expect("error").await?;
    assert_eq!(error["code"], "too_many_connections");
    assert_eq!(extra.expect_close().await?, CloseCode::Policy);
    // Closing one frees a slot.
    drop(open.pop());
    eventually("a freed slot", FRAME_WAIT, || async {
        let (mut chat, _) = match ChatClient::greet(&app.gateway, None, 0).await {
            Ok(ok) => ok,
            Err(_) => return Ok(None),
        };
        chat.send(json!({ "type": "ack", "seq": 1 })).await?;
        Ok(Some(()))
    })
    .await?;
    app.teardown().await
}

/// A new chat is a new case, so one address opens only so many: over
/// `BATLINE_CHAT_NEW_PER_HOUR` (here 2, both at once) the first message of a
/// new chat is refused with the wait, and nothing is stored: no session, no
/// intake, no case. Chats already open, and one resumed with its token on a
/// new socket, go on; the page carries the words to tell the resident to
/// try later or call or text the line.
#[tokio::test]
async fn new_chats_over_the_per_address_bound_are_refused_and_open_no_case() -> TestResult {
    use crate::support::Options;
    let env = vec![("BATLINE_CHAT_NEW_PER_HOUR", "2".to_owned()), ("BATLINE_CHAT_NEW_BURST", "2".to_owned())];
    let app = TestApp::spawn_with(Options { env, ..Options::default() }).await?;
    app.add_responder("aino", "Aino", &[Language::Fi, Language::En], DutyStatus::OnDuty).await?;
    let (mut first, _) = ChatClient::greet(&app.gateway, None, 0).await?;
    let (token, _) = first.first_message("Katuvalo on rikki").await?;
    let (mut second, _) = ChatClient::greet(&app.gateway, None, 0).await?;
    second.first_message("Roskis on täynnä").await?;

    let (mut third, _) = ChatClient::greet(&app.gateway, None, 0).await?;
    third.send(json!({ "type": "message", "client_id": "third", "body": "Kolmas uusi" })).await?;
    let refused = third.expect("error").await?;
    assert_eq!(refused["code"], "too_many_chats", "{refused}");
    assert_eq!(refused["client_id"], "third");
    let wait = refused["retry_after"].as_u64().unwrap_or_default();
    assert!((60..=1801).contains(&wait), "the next new chat is due in up to half an hour: {refused}");
    // The same address cannot slip past by reconnecting.
    let (mut fourth, _) = ChatClient::greet(&app.gateway, None, 0).await?;
    fourth.send(json!({ "type": "message", "client_id": "fourth", "body": "Neljäs uusi" })).await?;
    assert_eq!(fourth.expect("error").await?["code"], "too_many_chats");

    // An open chat goes on, and so does one resumed with its token.
    first.send(json!({ "type": "message", "client_id": "more", "body": "Vielä yksi asia" })).await?;
    first.expect_where("accepted", |f| f["client_id"] == "more").await?;
    drop(first);
    let (mut resumed, welcome) = ChatClient::greet(&app.gateway, Some(&token), 0).await?;
    assert_eq!(welcome["resumed"], true);
    resumed.send(json!({ "type": "message", "client_id": "again", "body": "Palasin" })).await?;
    resumed.expect_where("accepted", |f| f["client_id"] == "again").await?;

    app.wait_all_filed(FRAME_WAIT).await?;
    assert_eq!(app.count("SELECT count(*) FROM chat_sessions").await?, 2, "no session for the refused chats");
    assert_eq!(app.count("SELECT count(*) FROM cases WHERE channel = 'chat'").await?, 2, "and no case");
    assert_eq!(app.count("SELECT count(*) FROM intake WHERE channel = 'chat'").await?, 4);

    // What the page tells the resident, in their language, with the number.
    let page = app.http.get(format!("{}/chat?lang=sv", app.gateway)).send().await?.text().await?;
    assert!(page.contains("Det går inte att börja ett nytt samtal just nu"), "the Swedish words are on the page");
    assert!(page.contains(&format!("data-line=\"{}\"", crate::support::BATLINE_NUMBER)), "and the line's number");
    app.teardown().await
}

/// Over `BATLINE_CHAT_NEW_ALARM_PER_MINUTE` new chats a minute from all
/// addresses together, new chats are refused for everyone while chats
/// already open go on, and the episode is recorded for leads: the lead page
/// shows it.
#[tokio::test]
async fn new_chats_over_the_alarm_are_refused_for_everyone_and_leads_are_alerted() -> TestResult {
    use crate::support::Options;
    let env = vec![("BATLINE_CHAT_NEW_ALARM_PER_MINUTE", "2".to_owned())];
    let app = TestApp::spawn_with(Options { env, ..Options::default() }).await?;
    app.add_responder("aino", "Aino", &[Language::Fi, Language::En], DutyStatus::OnDuty).await?;
    app.add_responder("linnea", "Linnea", &[Language::Fi], DutyStatus::Off).await?;
    sqlx::query("UPDATE responders SET role = 'lead' WHERE username = 'linnea'").execute(&app.pool).await?;
    let (mut open, _) = ChatClient::greet(&app.gateway, None, 0).await?;
    open.first_message("Katuvalo on rikki").await?;
    let (mut other, _) = ChatClient::greet(&app.gateway, None, 0).await?;
    other.first_message("Roskis on täynnä").await?;

    for i in 0..3 {
        let (mut chat, _) = ChatClient::greet(&app.gateway, None, 0).await?;
        chat.send(json!({ "type": "message", "client_id": format!("new{i}"), "body": "Uusi asia" })).await?;
        let refused = chat.expect("error").await?;
        assert_eq!(refused["code"], "chats_paused", "{refused}");
        assert!(refused["retry_after"].as_u64().is_some_and(|s| (1..=61).contains(&s)), "{refused}");
    }
    open.send(json!({ "type": "message", "client_id": "more", "body": "Vielä yksi asia" })).await?;
    open.expect_where("accepted", |f| f["client_id"] == "more").await?;

    eventually("the alert to be recorded", FRAME_WAIT, || async {
        Ok((app.count("SELECT count(*) FROM abuse_alerts WHERE kind = 'chat_flood' AND threshold = 2").await? == 1)
            .then_some(()))
    })
    .await?;
    app.wait_all_filed(FRAME_WAIT).await?;
    assert_eq!(app.count("SELECT count(*) FROM cases WHERE channel = 'chat'").await?, 2, "no case for the refused");

    let browser = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build()?;
    let cookie = crate::roles::web_session(&browser, &app.console, "linnea").await?;
    let page = browser
        .get(format!("{}/lead", app.console))
        .header("Cookie", &cookie)
        .header("Accept-Language", "en")
        .send()
        .await?
        .text()
        .await?;
    assert!(page.contains(r#"data-abuse-alert="chat_flood""#), "the lead page shows the alert");
    assert!(page.contains("More than 2 new web chats came in a minute"), "in words a lead can act on");
    app.teardown().await
}

#[tokio::test]
async fn the_handshake_checks_origin() -> TestResult {
    let app = TestApp::spawn().await?;
    for origin in [Some("https://evil.example"), None] {
        match handshake(&app.gateway, origin).await {
            Err(tungstenite::Error::Http(response)) => {
                assert_eq!(response.status(), 403, "{origin:?}");
                let body = response.body().as_deref().map(String::from_utf8_lossy).unwrap_or_default();
                assert!(body.contains("bad_origin"), "{body}");
            }
            Err(e) => bail!("{origin:?}: expected 403, got {e}"),
            Ok(_) => bail!("{origin:?} was let in"),
        }
    }
    // The public URL's origin is let in, as the gateway's own page.
    handshake(&app.gateway, Some(crate::support::PUBLIC_URL)).await?;
    app.teardown().await
}
