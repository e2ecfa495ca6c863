//! `GET /live`: the console page's WebSocket. It pushes a small JSON note
//! for every event that concerns the signed-in person; the page then
//! fetches what changed. Notes:
//!
//! - `{"type":"case","case_id":…,"kind":…,"alert":"…"}`: something happened
//!   on a case; `alert` (optional) is what to announce (a new case, a new
//!   message, an offer, a missed SLA deadline) in the person's language.
//! - `{"type":"resync"}`: events may have been missed (the socket fell
//!   behind, or the console's bus subscription restarted): refetch everything.
//!
//! Who hears what: a responder hears about their own cases, offers made to
//! them and cases taken from them; leads, the mayor and admins hear about
//! every case (their views list everyone's). A case left with its owner
//! because nobody was present to take a missed acknowledgement alerts every
//! lead and whoever it was raised to (the backstop when no shift runs).
//!
//! Sockets are cheap: small buffers, nothing read from the browser but
//! pings and close. The session is rechecked every half minute without
//! counting as use, so signing out or timing out closes the socket.
//!
//! An open socket is what makes a responder present at their console
//! (`store::presence`): it is registered when it opens, its row refreshed
//! at every heartbeat (so one write per socket per half minute, whatever
//! the traffic), and closing it records the departure at once.

use std::time::Duration;

use axum::{
    extract::{
        State, WebSocketUpgrade,
        ws::{CloseFrame, Message, WebSocket, close_code},
    },
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
};
use batline_core::{
    bus::BusMessage,
    domain::{Role, event_kind},
    store,
};
use serde_json::json;
use tokio::sync::broadcast::error::RecvError;
use uuid::Uuid;

use super::{
    i18n::ui,
    session::{self, WebUser},
};
use crate::{
    http::signed_in,
    live_feed::{LiveEvent, OfferedTo},
    state::AppState,
};

/// How often the socket pings the browser and rechecks the session (also
/// at once when this process ends sessions through back-channel logout).
const HEARTBEAT: Duration = Duration::from_secs(30);
/// Largest frame the browser may send (it only ever sends pings and close).
const MAX_INCOMING: usize = 1024;
/// How long a socket's presence row lasts unless a heartbeat refreshes it:
/// two heartbeats and a half, so one slow recheck does not flicker, while
/// a console that died stops counting within a minute and a half.
const PRESENCE_TTL: Duration = Duration::from_secs(75);

/// `GET /live`.
pub async fn socket(
    State(state): State<AppState>,
    user: WebUser,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Response {
    // Browsers send Origin on every WebSocket handshake; a foreign one means
    // another site is trying to ride on the session cookie.
    if !session::same_origin(&headers) {
        return (StatusCode::FORBIDDEN, ui(user.lang).cross_site).into_response();
    }
    let Some(token) = session::session_token(&headers) else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    ws.read_buffer_size(4 * 1024)
        .write_buffer_size(4 * 1024)
        .max_message_size(MAX_INCOMING)
        .max_frame_size(MAX_INCOMING)
        .on_upgrade(move |socket| {
            let tasks = state.live_sockets.tasks.clone();
            tasks.track_future(serve(state, user, token, socket))
        })
}

async fn serve(state: AppState, user: WebUser, token: String, mut socket: WebSocket) {
    let mut events = state.live.receiver();
    let mut sessions_ended = state.sessions_ended.subscribe();
    let mut heartbeat = tokio::time::interval(HEARTBEAT);
    heartbeat.tick().await;
    let token_hash = signed_in::token_hash(&token);
    let socket_id = Uuid::new_v4();
    if let Err(e) =
        store::presence::socket_opened(&state.pool, socket_id, user.me.id, state.instance_id, PRESENCE_TTL).await
    {
        // Presence then rests on the person's requests alone; the socket still works.
        tracing::warn!(error = %e, "could not record a live socket's presence");
    }
    let mut ended_closed = false;
    let stop = state.live_sockets.stop.clone();
    let mut goodbye = None;
    loop {
        let note = tokio::select! {
            // The console is stopping: the browser reconnects at once, to
            // another console.
            _ = stop.cancelled() => {
                goodbye = Some(CloseFrame { code: close_code::RESTART, reason: "reconnect".into() });
                break;
            }
            event = events.recv() => match event {
                Ok(LiveEvent::Case { msg, offered_to }) => note_for(&user, &msg, offered_to),
                Ok(LiveEvent::Resync) | Err(RecvError::Lagged(_)) => Some(json!({ "type": "resync" })),
                Err(RecvError::Closed) => break,
            },
            // Sessions ended from outside (back-channel logout): is it this one?
            ended = sessions_ended.recv(), if !ended_closed => {
                if matches!(ended, Err(tokio::sync::broadcast::error::RecvError::Closed)) {
                    ended_closed = true;
                } else if matches!(store::sessions::still_valid(&state.pool, &token_hash, state.config.session_idle).await, Ok(false)) {
                    break;
                }
                None
            }
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => break,
                Some(Ok(_)) => None,
            },
            _ = heartbeat.tick() => {
                match store::sessions::still_valid(&state.pool, &token_hash, state.config.session_idle).await {
                    Ok(true) => {}
                    Ok(false) => break,
                    Err(e) => tracing::debug!(error = %e, "could not recheck a live socket's session"),
                }
                if let Err(e) = store::presence::socket_refreshed(&state.pool, socket_id, PRESENCE_TTL).await {
                    tracing::debug!(error = %e, "could not refresh a live socket's presence");
                }
                if socket.send(Message::Ping(Vec::new().into())).await.is_err() {
                    break;
                }
                None
            }
        };
        if let Some(note) = note
            && socket.send(Message::Text(note.to_string().into())).await.is_err()
        {
            break;
        }
    }
    let restarting = goodbye.is_some();
    let _ = tokio::time::timeout(Duration::from_secs(2), socket.send(Message::Close(goodbye))).await;
    // The browser reconnects to another console at once: that is no
    // departure, and the stopping console forgets its sockets without one
    // (`store::presence::instance_stopped`).
    if restarting {
        return;
    }
    // Closing the console ends presence now, not a window later.
    if let Err(e) = store::presence::socket_closed(&state.pool, socket_id).await {
        tracing::warn!(error = %e, "could not record a closed live socket; its presence expires by itself");
    }
}

/// The note `user` gets for `msg`, if it concerns them.
fn note_for(user: &WebUser, msg: &BusMessage, offered_to: OfferedTo) -> Option<serde_json::Value> {
    let t = ui(user.lang);
    let me = user.me.id;
    let sees_all = matches!(user.me.role, Role::Lead | Role::Mayor | Role::Admin);
    let (case_id, kind, alert): (Uuid, &str, Option<&str>) = match msg {
        BusMessage::CaseAssigned { case_id, owner_id, .. } if *owner_id == me => {
            (*case_id, "assigned", Some(t.alert_new_case))
        }
        BusMessage::CaseAssigned { case_id, previous_owner_id: Some(previous), .. } if *previous == me => {
            (*case_id, "moved", None)
        }
        BusMessage::CaseUpdated { case_id, owner_id, kind } if *owner_id == me => {
            let alert = match kind.as_str() {
                event_kind::RESIDENT_MESSAGE | event_kind::VOICEMAIL => Some(t.alert_new_message),
                event_kind::REOPENED => Some(t.alert_new_case),
                _ => None,
            };
            (*case_id, kind.as_str(), alert)
        }
        BusMessage::CaseUpdated { case_id, kind, .. } if kind == event_kind::HANDOFF_OFFERED => {
            let offered_to_me = match offered_to {
                OfferedTo::Colleague(to) => to == me,
                OfferedTo::Unknown => true,
                OfferedTo::NotAnOffer => false,
            };
            if offered_to_me {
                (*case_id, kind.as_str(), Some(t.alert_offer))
            } else if sees_all {
                (*case_id, kind.as_str(), None)
            } else {
                return None;
            }
        }
        BusMessage::SlaBreached { case_id, owner_id, lead_id, .. } if *owner_id == me || *lead_id == Some(me) => {
            (*case_id, "sla_breached", Some(t.alert_sla))
        }
        BusMessage::CaseAssigned { case_id, .. } if sees_all => (*case_id, "assigned", None),
        BusMessage::CaseUpdated { case_id, kind, .. } if sees_all => (*case_id, kind.as_str(), None),
        BusMessage::SlaBreached { case_id, .. } if sees_all => (*case_id, "sla_breached", None),
        BusMessage::NobodyPresent { case_id, lead_id, .. } if *lead_id == Some(me) || user.me.role == Role::Lead => {
            (*case_id, "nobody_present", Some(t.alert_nobody_present))
        }
        BusMessage::NobodyPresent { case_id, owner_id, .. } if *owner_id == me || sees_all => {
            (*case_id, "nobody_present", None)
        }
        BusMessage::UrgentCase { case_id, owner_id, lead_id }
            if *owner_id == me || *lead_id == Some(me) || user.me.role == Role::Lead =>
        {
            (*case_id, "urgent", Some(t.alert_urgent))
        }
        BusMessage::UrgentCase { case_id, .. } if sees_all => (*case_id, "urgent", None),
        _ => return None,
    };
    let mut note = json!({ "type": "case", "case_id": case_id, "kind": kind });
    if let Some(alert) = alert {
        note["alert"] = json!(alert);
    }
    Some(note)
}
