//! The offline stand-in for the city's mail relay, as `twilio_sandbox` is
//! for Twilio: `batline up` without `BATLINE_MAIL_FROM` points the line's
//! answers (`BATLINE_SMTP_RELAY`) at it, and it keeps every email handed to
//! it, listed at the Twilio sandbox's `/sandbox/mail`. It speaks SMTP with
//! the gateway's own listener code, taking mail for anyone, and delivers
//! nothing further: the demo reaches nobody outside this machine.

use std::sync::{Arc, Mutex};

use axum::{Json, Router, extract::State, routing::get};
use batline_gateway::email::{
    receive::{NotTaken, Taken},
    smtp::{self, Envelope, Mailroom},
};
use serde::Serialize;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

/// The largest email kept.
const MAX_BYTES: usize = 10 * 1024 * 1024;

/// Emails kept at most; the oldest go first.
const MAX_KEPT: usize = 1000;

/// One email Batline sent.
#[derive(Debug, Clone, Serialize)]
pub struct SentMail {
    /// The envelope's sender.
    pub from: String,
    /// The envelope's recipients.
    pub to: Vec<String>,
    /// The whole message as it went out.
    pub raw: String,
}

/// A running mail sandbox.
#[derive(Clone, Default)]
pub struct MailSandbox {
    kept: Arc<Mutex<Vec<SentMail>>>,
}

impl Mailroom for MailSandbox {
    fn host(&self) -> &str {
        "mail-sandbox.batline.test"
    }

    fn max_bytes(&self) -> usize {
        MAX_BYTES
    }

    fn accepts(&self, _address: &str) -> bool {
        true
    }

    async fn take(&self, envelope: Envelope, raw: Vec<u8>) -> Result<Taken, NotTaken> {
        let mail = SentMail {
            from: envelope.reverse_path,
            to: envelope.recipients,
            raw: String::from_utf8_lossy(&raw).into_owned(),
        };
        let mut kept = self.kept.lock().unwrap_or_else(|p| p.into_inner());
        if kept.len() >= MAX_KEPT {
            kept.remove(0);
        }
        kept.push(mail);
        Ok(Taken::Stored(uuid::Uuid::new_v4()))
    }
}

impl MailSandbox {
    /// Serves SMTP on `listener` until `shutdown`.
    pub fn start(listener: TcpListener, shutdown: CancellationToken) -> MailSandbox {
        let sandbox = MailSandbox::default();
        tokio::spawn(smtp::serve(listener, sandbox.clone(), shutdown));
        sandbox
    }

    /// Every email kept so far, oldest first.
    pub fn sent(&self) -> Vec<SentMail> {
        self.kept.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// `GET /sandbox/mail`: what [`MailSandbox::sent`] returns, as JSON.
    pub fn routes(&self) -> Router {
        Router::new().route("/sandbox/mail", get(list)).with_state(self.clone())
    }
}

async fn list(State(sandbox): State<MailSandbox>) -> Json<Vec<SentMail>> {
    Json(sandbox.sent())
}
