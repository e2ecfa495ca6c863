//! The resident web chat: the page at `/chat`, the script city pages
//! include (`/chat/embed.js`), and the WebSocket at `/chat/ws` whose JSON
//! frames `docs/chat-protocol.md` documents.
//!
//! The gateway stores what residents write as intake, exactly like an SMS,
//! and the router names the owner; replies are messages in PostgreSQL that
//! any gateway process can push, because each process subscribes to chat
//! notifications on its own queue ([`delivery`]) and rings the sockets it
//! holds ([`hub`]).

pub mod admission;
pub mod contact;
pub mod delivery;
pub mod hub;
pub mod origin;
pub mod page;
pub mod protocol;
pub mod session;
pub mod socket;

use std::{num::NonZeroU32, sync::Arc};

use batline_core::{Config, Result};
use tokio_util::{sync::CancellationToken, task::TaskTracker};
use uuid::Uuid;

use crate::rate_limit::PerKey;

/// The chat's share of the gateway's state.
pub struct Chat {
    /// The sockets this process holds.
    pub hub: Arc<hub::Hub>,
    /// Messages a minute per session.
    pub per_session: Arc<PerKey<Uuid>>,
    /// Who may open a new chat.
    pub admission: admission::Admission,
    /// Closes every socket when the gateway stops.
    pub shutdown: CancellationToken,
    /// Every socket's task, so a stopping gateway waits until each has
    /// finished the frame in hand and said goodbye.
    pub sockets: TaskTracker,
}

impl Chat {
    /// The chat's state for `config`.
    pub fn new(config: &Config) -> Result<Self> {
        let per_minute = NonZeroU32::new(config.chat.per_minute)
            .ok_or_else(|| batline_core::Error::Config("BATLINE_CHAT_PER_MINUTE must be at least 1".into()))?;
        Ok(Chat {
            hub: Arc::new(hub::Hub::default()),
            per_session: Arc::new(PerKey::per_minute(per_minute)),
            admission: admission::Admission::new(&config.chat)?,
            shutdown: CancellationToken::new(),
            sockets: TaskTracker::new(),
        })
    }
}
