//! Email, both ways. Mail comes in through the SMTP listener
//! ([`smtp`], `BATLINE_SMTP_LISTEN`), which the city's mail server relays
//! the line's address to, or from a hosted mailbox over IMAP ([`mailbox`],
//! `BATLINE_IMAP_URL`); each message is read ([`reading`], with the
//! resident's new words cut from the quoted history by [`quoted`]) and
//! taken ([`receive`]): a person's mail becomes intake for the router, a
//! bounce marks Batline's mail failed, an automatic reply is noted and
//! never answered. Answers go out through the city's relay ([`sender`],
//! `BATLINE_SMTP_RELAY`), composed by [`compose`].

pub mod compose;
pub mod mailbox;
pub mod quoted;
pub mod reading;
pub mod receive;
pub mod sender;
pub mod smtp;

use batline_core::Result;
use tokio::{net::TcpListener, task::JoinHandle};
use tokio_util::sync::CancellationToken;

use self::{
    receive::{NotTaken, Taken},
    smtp::{Envelope, Mailroom},
};
use crate::state::AppState;

/// The gateway as the SMTP listener's mailroom.
#[derive(Clone)]
struct Gateway {
    state: AppState,
    host: String,
    max_bytes: usize,
}

impl Mailroom for Gateway {
    fn host(&self) -> &str {
        &self.host
    }

    fn max_bytes(&self) -> usize {
        self.max_bytes
    }

    fn accepts(&self, address: &str) -> bool {
        self.state.config.email.as_ref().is_some_and(|e| e.accepts(address))
    }

    async fn take(&self, envelope: Envelope, raw: Vec<u8>) -> std::result::Result<Taken, NotTaken> {
        receive::take(&self.state, &raw, Some(&envelope.reverse_path), &envelope.recipients).await
    }
}

/// Starts what the email settings ask for: the sender whenever email is
/// on, the SMTP listener on `smtp` (bound by the caller) or else on
/// `BATLINE_SMTP_LISTEN`, and the IMAP reader with `BATLINE_IMAP_URL`. Nothing without `BATLINE_MAIL_FROM`.
pub async fn spawn(
    state: &AppState,
    smtp: Option<TcpListener>,
    shutdown: CancellationToken,
) -> Result<Vec<JoinHandle<()>>> {
    let Some(email) = state.config.email.clone() else {
        return Ok(Vec::new());
    };
    let mut tasks = vec![sender::spawn(state.clone(), sender::relay(&email)?, shutdown.clone())];
    let listener = match (smtp, email.smtp_listen) {
        (Some(listener), _) => Some(listener),
        (None, Some(addr)) => Some(
            TcpListener::bind(addr)
                .await
                .map_err(|e| batline_core::Error::Config(format!("BATLINE_SMTP_LISTEN={addr}: {e}")))?,
        ),
        (None, None) => None,
    };
    if let Some(listener) = listener {
        match listener.local_addr() {
            Ok(addr) => tracing::info!(%addr, "SMTP listener taking the line's mail"),
            Err(e) => tracing::warn!(error = %e, "SMTP listener without an address"),
        }
        let gateway =
            Gateway { state: state.clone(), host: email.from_domain().to_owned(), max_bytes: email.max_bytes };
        tasks.push(tokio::spawn(smtp::serve(listener, gateway, shutdown.clone())));
    }
    if email.imap_url.is_some() {
        tasks.push(tokio::spawn(mailbox::follow(state.clone(), email, shutdown)));
    }
    Ok(tasks)
}
