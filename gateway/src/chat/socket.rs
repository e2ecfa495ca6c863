//! `GET /chat/ws`: one resident's socket. The handshake checks `Origin`;
//! then one small task per socket reads the resident's frames, stores
//! what they write (intake and its bus message in one transaction, as a
//! webhook does), and, when its doorbell rings, sends whatever PostgreSQL
//! holds past the last position it sent.
//!
//! Idle sockets must be cheap, since a city page may keep thousands open:
//! tungstenite's buffers are set small (its default read buffer alone is
//! 128 KiB per connection), everything that touches the database runs in a
//! boxed future so the idle task stays a few hundred bytes, and a socket
//! without a session holds no doorbell.

use std::{
    net::{IpAddr, SocketAddr},
    ops::ControlFlow,
    sync::{Arc, atomic::Ordering},
    time::Duration,
};

use axum::{
    extract::{
        ConnectInfo, State,
        ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade, close_code},
    },
    http::HeaderMap,
    response::Response,
};
use batline_core::{
    domain::{CaseStatus, Channel, Language},
    intake_writer::Stored,
    metrics,
    store::{
        self,
        chat::{ChatCase, ChatSession},
        intake::NewIntake,
    },
};
use serde_json::{Value, json};
use tokio::time::Instant;

use super::{
    admission::{AlertWrite, Refusal},
    hub::{AddressSlot, Doorbell},
    origin,
    protocol::{self, ClientFrame, ServerFrame, WireCase},
    session,
};
use crate::{error::ApiError, hand_on, state::AppState};

/// tungstenite's read buffer per socket; it grows for a larger frame.
pub const READ_BUFFER: usize = 2 * 1024;
/// Largest frame or message a resident may send. A message of
/// `BATLINE_CHAT_MAX_CHARS` characters fits with room to spare; a larger
/// frame closes the socket with 1009 after an error saying so.
pub const MAX_FRAME: usize = 32 * 1024;
/// How much may wait unsent for a slow browser before the socket is closed.
const MAX_WRITE_BUFFER: usize = 256 * 1024;
/// A frame that cannot be written within this is a dead connection.
const SEND_TIMEOUT: Duration = Duration::from_secs(10);
/// Pings keep proxies from closing an idle socket and find dead ones.
const PING_EVERY: Duration = Duration::from_secs(30);
/// A socket that has said nothing (not even a pong) for this long is gone.
const SILENT_LIMIT: Duration = Duration::from_secs(75);
/// Messages read from PostgreSQL per query while catching up.
const BATCH: i64 = 100;
/// How long an oversized frame's connection lingers after its close frame.
const LINGER: Duration = Duration::from_millis(500);
/// Wait before reading again after the database failed.
/// The reason a stopping gateway closes a socket with (code 1012, service
/// restart): the client reconnects at once, and the proxy sends it to
/// another gateway.
pub const RECONNECT: &str = "reconnect";
/// Frames already received that a stopping gateway still handles.
const DRAIN_FRAMES: usize = 32;
const RETRY_SYNC: Duration = Duration::from_secs(2);

/// `GET /chat/ws`.
pub async fn upgrade(
    State(state): State<AppState>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Result<Response, ApiError> {
    if let Err(why) = origin::check(&state.config, &headers) {
        metrics::chat_refused("bad_origin");
        return Err(ApiError::Origin(why));
    }
    let slot = state.chat.hub.connect(client.ip(), state.config.chat.connections_per_address);
    let ws = ws
        .read_buffer_size(READ_BUFFER)
        .write_buffer_size(0)
        .max_write_buffer_size(MAX_WRITE_BUFFER)
        .max_message_size(MAX_FRAME)
        .max_frame_size(MAX_FRAME);
    let ip = client.ip();
    let sockets = state.chat.sockets.clone();
    Ok(ws.on_upgrade(move |socket| {
        sockets.track_future(async move {
            match slot {
                Some(slot) => Box::pin(Conn::new(state, socket, ip, slot).run()).await,
                None => refuse_busy(socket, state.config.chat.connections_per_address).await,
            }
        })
    }))
}

/// Says why a connection over the per-address limit is closed, then closes it.
async fn refuse_busy(mut socket: WebSocket, max: usize) {
    metrics::chat_refused("too_many_connections");
    let frame = ServerFrame::error(
        "too_many_connections",
        format!("your address already has {max} chat connections open here; close one and try again"),
    );
    if let Ok(text) = serde_json::to_string(&frame) {
        let _ = tokio::time::timeout(SEND_TIMEOUT, socket.send(Message::Text(text.into()))).await;
    }
    let close = CloseFrame { code: close_code::POLICY, reason: "too many connections".into() };
    let _ = tokio::time::timeout(SEND_TIMEOUT, socket.send(Message::Close(Some(close)))).await;
}

/// Why the loop stopped.
type Flow = ControlFlow<()>;

struct Conn {
    state: AppState,
    ws: WebSocket,
    ip: IpAddr,
    _slot: AddressSlot,
    greeted: bool,
    language: Language,
    session: Option<ChatSession>,
    bell: Option<Arc<Doorbell>>,
    /// Position of the last message sent on this socket.
    cursor: i64,
    /// Highest position the browser acknowledged.
    acked: i64,
    /// Highest read mark sent.
    read_sent: i64,
    /// The case as last sent.
    case: Option<ChatCase>,
    last_heard: Instant,
    next_ping: Instant,
    retry_sync_at: Option<Instant>,
}

impl Conn {
    fn new(state: AppState, ws: WebSocket, ip: IpAddr, slot: AddressSlot) -> Self {
        let now = Instant::now();
        Conn {
            state,
            ws,
            ip,
            _slot: slot,
            greeted: false,
            language: Language::default(),
            session: None,
            bell: None,
            cursor: 0,
            acked: 0,
            read_sent: 0,
            case: None,
            last_heard: now,
            next_ping: now + PING_EVERY,
            retry_sync_at: None,
        }
    }

    async fn run(mut self) {
        metrics::chat_socket(1.0);
        let shutdown = self.state.chat.shutdown.clone();
        loop {
            let bell = self.bell.clone();
            let ringing = async {
                match &bell {
                    Some(bell) => bell.notify.notified().await,
                    None => std::future::pending().await,
                }
            };
            let wake_at = self.retry_sync_at.map_or(self.next_ping, |r| r.min(self.next_ping));
            let flow = tokio::select! {
                frame = self.ws.recv() => match frame {
                    Some(Ok(message)) => {
                        self.last_heard = Instant::now();
                        Box::pin(self.on_message(message)).await
                    }
                    Some(Err(e)) => Box::pin(self.on_read_error(e)).await,
                    None => ControlFlow::Break(()),
                },
                _ = ringing => Box::pin(self.sync()).await,
                _ = tokio::time::sleep_until(wake_at) => Box::pin(self.on_timer()).await,
                // Between frames, never inside one: a message in hand is
                // stored and answered first.
                _ = shutdown.cancelled() => {
                    Box::pin(self.handle_buffered()).await;
                    self.close(close_code::RESTART, RECONNECT).await;
                    ControlFlow::Break(())
                }
            };
            if flow.is_break() {
                break;
            }
        }
        if let (Some(session), Some(bell)) = (&self.session, &self.bell) {
            self.state.chat.hub.leave(session.id, bell);
        }
        metrics::chat_socket(-1.0);
    }

    /// Handles the frames that have already arrived (up to
    /// [`DRAIN_FRAMES`]) without waiting for more: what the resident sent
    /// before the gateway began to stop is stored and `accepted` rather
    /// than sent again from another gateway.
    async fn handle_buffered(&mut self) {
        use futures_util::FutureExt;
        for _ in 0..DRAIN_FRAMES {
            let Some(Some(Ok(message))) = self.ws.recv().now_or_never() else { return };
            if Box::pin(self.on_message(message)).await.is_break() {
                return;
            }
        }
    }

    async fn send(&mut self, frame: &ServerFrame) -> Flow {
        let Ok(text) = serde_json::to_string(frame) else {
            return ControlFlow::Break(());
        };
        match tokio::time::timeout(SEND_TIMEOUT, self.ws.send(Message::Text(text.into()))).await {
            Ok(Ok(())) => ControlFlow::Continue(()),
            _ => ControlFlow::Break(()),
        }
    }

    /// Sends an error frame; the connection goes on.
    async fn refuse(&mut self, frame: ServerFrame) -> Flow {
        if let ServerFrame::Error { code, .. } = &frame {
            metrics::chat_refused(code);
        }
        self.send(&frame).await
    }

    async fn close(&mut self, code: u16, reason: &'static str) {
        let close = CloseFrame { code, reason: reason.into() };
        let _ = tokio::time::timeout(SEND_TIMEOUT, self.ws.send(Message::Close(Some(close)))).await;
    }

    async fn on_message(&mut self, message: Message) -> Flow {
        match message {
            Message::Text(text) => self.on_text(text.as_str()).await,
            Message::Binary(_) => {
                self.refuse(ServerFrame::error("bad_frame", "frames are JSON text, not binary")).await
            }
            // tungstenite answers pings itself; a pong only proves the browser is there.
            Message::Ping(_) | Message::Pong(_) => ControlFlow::Continue(()),
            Message::Close(_) => ControlFlow::Break(()),
        }
    }

    async fn on_read_error(&mut self, error: axum::Error) -> Flow {
        use tokio_tungstenite::tungstenite::Error as WsError;
        let too_large = matches!(error.into_inner().downcast_ref::<WsError>(), Some(WsError::Capacity(_)));
        if too_large {
            let detail = format!("a frame may be at most {MAX_FRAME} bytes; the connection is closed");
            let _ = self.refuse(ServerFrame::error("too_large", detail)).await;
            self.close(close_code::SIZE, "frame too large").await;
            // The rest of the oversized frame is still unread, and closing a
            // TCP socket with unread data resets it, which can destroy the
            // frames above before the browser reads them. Give it a moment.
            tokio::time::sleep(LINGER).await;
        }
        ControlFlow::Break(())
    }

    async fn on_timer(&mut self) -> Flow {
        let now = Instant::now();
        if self.retry_sync_at.is_some_and(|at| at <= now) {
            self.retry_sync_at = None;
            if self.sync().await.is_break() {
                return ControlFlow::Break(());
            }
        }
        if self.next_ping > now {
            return ControlFlow::Continue(());
        }
        self.next_ping = now + PING_EVERY;
        if !self.greeted {
            let _ = self.refuse(ServerFrame::error("no_hello", "no hello frame came; the connection is closed")).await;
            self.close(close_code::POLICY, "no hello").await;
            return ControlFlow::Break(());
        }
        if now.duration_since(self.last_heard) > SILENT_LIMIT {
            self.close(close_code::AWAY, "no answer to pings").await;
            return ControlFlow::Break(());
        }
        match tokio::time::timeout(SEND_TIMEOUT, self.ws.send(Message::Ping(Default::default()))).await {
            Ok(Ok(())) => ControlFlow::Continue(()),
            _ => ControlFlow::Break(()),
        }
    }

    async fn on_text(&mut self, text: &str) -> Flow {
        // Everything that does not depend on this connection is checked here.
        let frame = match protocol::decode(text, self.state.config.chat.max_chars) {
            Ok(frame) => frame,
            Err(refusal) => return self.refuse(refusal.into()).await,
        };
        match frame {
            ClientFrame::Hello { lang, token, last_seq } => self.hello(lang, token, last_seq).await,
            _ if !self.greeted => self.refuse(ServerFrame::error("no_hello", "send a hello frame first")).await,
            ClientFrame::Message { client_id, body } => self.message(client_id, body).await,
            ClientFrame::Satisfaction { client_id, answer } => {
                let Some(body) = answer.as_body() else {
                    let detail = "an answer is a score from 1 to 5 or \"no\"";
                    return self.refuse(ServerFrame::error_about("bad_frame", detail, &client_id)).await;
                };
                let asked = self.case.as_ref().is_some_and(|c| c.awaiting_satisfaction);
                if self.session.is_none() || !asked {
                    let detail = "there is no question waiting for an answer";
                    return self.refuse(ServerFrame::error_about("not_asked", detail, &client_id)).await;
                }
                self.store(client_id, body, "satisfaction").await
            }
            ClientFrame::Location { client_id, lat, lon } => {
                // The thread shows the point as numbers, in no language:
                // the router names the place on the case.
                let body = format!("📍 {lat:.5}, {lon:.5}");
                self.open_and_store(client_id, body, "location", json!({ "lat": lat, "lon": lon })).await
            }
            ClientFrame::Ack { seq } => self.ack(seq).await,
        }
    }

    async fn hello(&mut self, lang: Option<String>, token: Option<String>, last_seq: Option<i64>) -> Flow {
        if self.greeted {
            return self.refuse(ServerFrame::error("already_greeted", "hello comes once per connection")).await;
        }
        self.greeted = true;
        if let Some(lang) = lang.as_deref().and_then(|l| l.parse().ok()) {
            self.language = lang;
        }
        let mut resumed = false;
        if let Some(token) = token {
            match session::resume(&self.state.pool, &token).await {
                Ok(Some(session)) => {
                    self.cursor = last_seq.unwrap_or(0).clamp(0, session.last_seq);
                    self.acked = self.cursor;
                    self.attach(session);
                    resumed = true;
                }
                Ok(None) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "chat resume failed");
                    let _ = self
                        .refuse(ServerFrame::error(
                            "unavailable",
                            "the chat cannot be reached right now; reconnect soon",
                        ))
                        .await;
                    self.close(close_code::AGAIN, "try again").await;
                    return ControlFlow::Break(());
                }
            }
        }
        let welcome = ServerFrame::Welcome { resumed, max_chars: self.state.config.chat.max_chars };
        self.send(&welcome).await?;
        if resumed { self.sync().await } else { ControlFlow::Continue(()) }
    }

    /// Joins the hub for `session`: from now on notifications ring here.
    fn attach(&mut self, session: ChatSession) {
        let bell = Arc::new(Doorbell::default());
        self.state.chat.hub.join(session.id, bell.clone());
        self.bell = Some(bell);
        self.session = Some(session);
    }

    /// Stores a message [`protocol::decode`] has checked (trimmed, not
    /// empty, not too long), creating the session with the first one.
    async fn message(&mut self, client_id: String, body: String) -> Flow {
        self.open_and_store(client_id, body, "message", json!({})).await
    }

    /// Stores a message of `kind` (with `extra` in its `raw`), opening the
    /// session first when this is the chat's first word.
    async fn open_and_store(&mut self, client_id: String, body: String, kind: &str, extra: Value) -> Flow {
        if self.session.is_none() {
            // A new chat is a new case: only so many are opened (see `admission`).
            if let Err((refusal, alert)) = self.state.chat.admission.admit(self.ip) {
                if let Some(alert) = alert {
                    record_alert(&self.state, alert);
                }
                return self.refuse_new(client_id, refusal).await;
            }
            match session::create(&self.state.pool, self.language).await {
                Ok((session, token)) => {
                    self.attach(session);
                    self.send(&ServerFrame::Session { token }).await?;
                }
                Err(e) => {
                    tracing::warn!(error = %e, "chat session could not be created");
                    return self.refuse(unavailable(&client_id)).await;
                }
            }
        }
        self.store_with(client_id, body, kind, extra).await
    }

    /// Says a new chat was refused and when to try again; the message is
    /// not stored, so no case is opened. The page tells the resident to
    /// call or text the line meanwhile.
    async fn refuse_new(&mut self, client_id: String, refusal: Refusal) -> Flow {
        metrics::chat_refused(refusal.code());
        let wait = refusal.wait().as_secs();
        let detail = match refusal {
            Refusal::Address(_) => format!(
                "at most {} new chats an hour from one address; this message was not sent, try again in {wait} s \
                 or call or text the line",
                self.state.config.chat.new_per_hour
            ),
            Refusal::Everyone(_) => format!(
                "new chats are paused for everyone; this message was not sent, try again in {wait} s or call or \
                 text the line"
            ),
        };
        let frame =
            ServerFrame::Error { code: refusal.code(), detail, client_id: Some(client_id), retry_after: Some(wait) };
        self.send(&frame).await
    }

    /// Stores what the resident sent as intake, with its bus message, and
    /// confirms it. A `client_id` stored before (sent again after a lost
    /// connection) is confirmed without being stored twice.
    async fn store(&mut self, client_id: String, body: String, kind: &str) -> Flow {
        self.store_with(client_id, body, kind, json!({})).await
    }

    /// [`Self::store`], with `extra`'s fields added to the intake's `raw`.
    async fn store_with(&mut self, client_id: String, body: String, kind: &str, extra: Value) -> Flow {
        let Some(session) = &self.session else {
            return ControlFlow::Continue(());
        };
        let session_id = session.id;
        if let Err(wait) = self.state.chat.per_session.check(session_id) {
            metrics::chat_refused("rate_limited");
            let frame = ServerFrame::Error {
                code: "rate_limited",
                detail: format!(
                    "at most {} messages a minute; this one was not sent, try again in {} s",
                    self.state.config.chat.per_minute,
                    wait.as_secs()
                ),
                client_id: Some(client_id),
                retry_after: Some(wait.as_secs()),
            };
            return self.send(&frame).await;
        }
        let mut raw =
            json!({ "session_id": session_id, "client_id": client_id, "kind": kind, "ip": self.ip.to_string() });
        if let (Some(raw), Value::Object(extra)) = (raw.as_object_mut(), extra) {
            raw.extend(extra);
        }
        let new = NewIntake {
            channel: Channel::Chat,
            provider_id: Some(format!("{session_id}:{client_id}")),
            sender: session_id.to_string(),
            recipient: None,
            body,
            raw,
        };
        match store_intake(&self.state, &new).await {
            Ok(()) => self.send(&ServerFrame::Accepted { client_id }).await,
            Err(e) => {
                tracing::warn!(error = %e, %session_id, "chat message could not be stored");
                self.refuse(unavailable(&client_id)).await
            }
        }
    }

    async fn ack(&mut self, seq: i64) -> Flow {
        let Some(session) = &self.session else {
            return self.refuse(ServerFrame::error("no_session", "nothing was sent to acknowledge")).await;
        };
        if seq <= self.acked || seq > self.cursor {
            return ControlFlow::Continue(());
        }
        match store::chat::mark_delivered(&self.state.pool, session.resident_id, seq).await {
            Ok(_) => self.acked = seq,
            Err(e) => tracing::debug!(error = %e, "delivery mark failed; the next ack covers it"),
        }
        ControlFlow::Continue(())
    }

    /// Sends what changed since the last sync: new messages in order, the
    /// case if it changed, the latest read mark, and "typing" if rung so.
    async fn sync(&mut self) -> Flow {
        let Some(session) = self.session.clone() else {
            return ControlFlow::Continue(());
        };
        match self.try_sync(&session).await {
            Ok(flow) => flow,
            Err(e) => {
                tracing::warn!(error = %e, session_id = %session.id, "chat sync failed; retrying");
                self.retry_sync_at = Some(Instant::now() + RETRY_SYNC);
                ControlFlow::Continue(())
            }
        }
    }

    async fn try_sync(&mut self, session: &ChatSession) -> batline_core::Result<Flow> {
        let pool = self.state.pool.clone();
        loop {
            let batch = store::chat::messages_after(&pool, session.resident_id, self.cursor, BATCH).await?;
            let full = batch.len() as i64 == BATCH;
            for message in batch {
                self.cursor = message.seq;
                if self.send(&ServerFrame::Message(message.into())).await.is_break() {
                    return Ok(ControlFlow::Break(()));
                }
            }
            if !full {
                break;
            }
        }
        let case = store::chat::current_case(&pool, session.resident_id).await?;
        if case != self.case {
            if let Some(case) = &case
                && self.send(&ServerFrame::Case(WireCase::from(case.clone()))).await.is_break()
            {
                return Ok(ControlFlow::Break(()));
            }
            self.case = case;
        }
        if let Some((seq, at)) = store::chat::read_up_to(&pool, session.resident_id).await?
            && seq > self.read_sent
        {
            self.read_sent = seq;
            if self.send(&ServerFrame::Read { seq, at }).await.is_break() {
                return Ok(ControlFlow::Break(()));
            }
        }
        let typing = self.bell.as_ref().is_some_and(|b| b.typing.swap(false, Ordering::SeqCst));
        if typing && let Some(case) = self.case.as_ref().filter(|c| c.status == CaseStatus::Open) {
            let frame = ServerFrame::Typing { name: case.owner_name.clone() };
            return Ok(self.send(&frame).await);
        }
        Ok(ControlFlow::Continue(()))
    }
}

/// Writes an abuse alert for the lead page, off the socket's task; a
/// failure is logged (the refusals go on and the next write may succeed).
fn record_alert(state: &AppState, alert: AlertWrite) {
    let (pool, threshold) = (state.pool.clone(), state.chat.admission.threshold);
    if alert.refused == 1 {
        tracing::error!(threshold, episode = %alert.id, "new chats over the alarm threshold: refused for everyone");
    }
    tokio::spawn(async move {
        let written =
            store::abuse_alerts::record(&pool, alert.id, store::abuse_alerts::CHAT_FLOOD, threshold, alert.refused);
        if let Err(e) = written.await {
            tracing::error!(error = %e, episode = %alert.id, "could not record the chat flood alert");
        }
    });
}

fn unavailable(client_id: &str) -> ServerFrame {
    ServerFrame::error_about("unavailable", "the message could not be stored just now; send it again", client_id)
}

/// Stores a chat intake row and its bus message in one transaction and
/// hands it on; a repeated `provider_id` is already stored and succeeds.
async fn store_intake(state: &AppState, new: &NewIntake) -> batline_core::Result<()> {
    let Some(Stored { intake_id, announcement }) = state.intake.store(new.clone(), None).await? else {
        return Ok(());
    };
    metrics::intake_stored(Channel::Chat);
    // The commit made it safe; publishing is the relay's job if this is slow,
    // and the socket need not wait for the broker.
    let state = state.clone();
    tokio::spawn(async move { hand_on::publish_intake(&state, intake_id, announcement).await });
    Ok(())
}
