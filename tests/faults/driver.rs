//! The intake driver: a mixed stream of contacts at a modest rate, sent as
//! their senders would send them. Twilio retries a webhook that got no
//! answer or an error, with the same MessageSid or CallSid, and follows a
//! `<Redirect>` in TwiML; a desk retries a ticket, and a city app an Open311
//! request, with the same Idempotency-Key. The driver does all of that, spreading retries over the
//! gateways as a load balancer would, and records what was accepted.

use std::{
    sync::{Arc, Mutex},
    time::Duration,
};

use batline_test_kit::twilio_sandbox::{InboundCall, InboundSms, ResidentPhone, new_sid};
use serde_json::{Value, json};
use uuid::Uuid;

/// The line's address in the run.
pub const MAIL_TO: &str = "palvelu@fault.test";

/// The Open311 key the run's city app posts with.
pub const OPEN311_KEY: &str = "fault-suite-open311-key-0123456789abcdefghij";

/// Batline's number in the run.
pub const BATLINE_NUMBER: &str = "+358931000000";
/// What Twilio calls: not the local address, as behind a proxy.
pub const PUBLIC_URL: &str = "https://batline-faults.test.example";

/// How long one contact keeps being retried before the driver gives up.
const GIVE_UP_AFTER: Duration = Duration::from_secs(60);
/// Pause between attempts. Twilio waits longer; the run is short.
const RETRY_PAUSE: Duration = Duration::from_millis(300);

/// One contact of the stream.
#[derive(Debug, Clone)]
pub enum Contact {
    /// A text.
    Sms {
        /// MessageSid, the same on every retry.
        sid: String,
        /// The resident.
        from: String,
        /// What they wrote.
        body: String,
    },
    /// A call.
    Voice {
        /// CallSid, the same on every retry and redirect.
        sid: String,
        /// The caller.
        from: String,
    },
    /// A walk-in visit registered at a desk.
    WalkIn {
        /// The desk's Idempotency-Key, the same on every retry.
        key: Uuid,
        /// What it is about.
        about: String,
        /// The resident's phone for SMS updates, if they gave one.
        phone: Option<String>,
    },
    /// An email through the line's SMTP listener.
    Email {
        /// Its Message-ID, the same on every retry.
        message_id: String,
        /// The resident's address.
        from: String,
        /// What it says.
        body: String,
    },
    /// A city app's Open311 request.
    Open311 {
        /// The app's Idempotency-Key, the same on every retry.
        key: Uuid,
        /// What it is about.
        about: String,
    },
}

/// What the stream got accepted, and how hard that was.
#[derive(Debug, Default, Clone)]
pub struct Accepted {
    /// MessageSids answered 2xx.
    pub sms: Vec<String>,
    /// CallSids whose TwiML got past the hold loop.
    pub voice: Vec<String>,
    /// Walk-in tickets registered (201 or 202).
    pub walk_in: Vec<Uuid>,
    /// Idempotency-Keys of Open311 requests answered 200.
    pub open311: Vec<String>,
    /// Message-IDs of emails answered 250.
    pub email: Vec<String>,
    /// Chat messages' ids the gateway said `accepted` for (the chat
    /// driver's, when a scenario runs one).
    pub chat: Vec<String>,
    /// Attempts that failed and were retried.
    pub retries: usize,
    /// Hold rounds followed on calls.
    pub hold_rounds: usize,
    /// Contacts given up on (must stay zero).
    pub abandoned: Vec<String>,
    /// Answers with a 5xx status (an HTTP webhook or API) or a permanent
    /// SMTP refusal: what a sender would count as the line failing.
    pub server_errors: Vec<String>,
}

impl Accepted {
    /// Contacts accepted on every channel.
    pub fn total(&self) -> usize {
        self.sms.len() + self.voice.len() + self.walk_in.len() + self.open311.len() + self.email.len() + self.chat.len()
    }
}

/// Sends contacts to the running services.
pub struct Driver {
    /// Signs webhooks as Twilio would.
    pub phone: ResidentPhone,
    /// Gateway base URLs, tried in turn.
    pub gateways: Vec<String>,
    /// The gateways' SMTP listeners' ports, in the same order.
    pub smtp_ports: Vec<u16>,
    /// The console's base URL.
    pub console: String,
    /// The desk person's session token.
    pub desk_token: String,
    /// Plain HTTP.
    pub http: reqwest::Client,
    /// What got accepted so far.
    pub accepted: Mutex<Accepted>,
}

/// The stream: `residents` texting (every third twice), `callers` calling
/// (every fourth of them a texting resident, whose call joins their case)
/// `visits` walk-in tickets (every other with a phone) and `reports` Open311
/// requests and `emails` emails, spread evenly over `span`. Returns each
/// contact with its offset from the start.
pub fn schedule(
    residents: usize,
    callers: usize,
    visits: usize,
    reports: usize,
    emails: usize,
    span: Duration,
) -> Vec<(Duration, Contact)> {
    let mut plan = Vec::new();
    let at = |i: usize, n: usize, shift: f64| span.mul_f64(((i as f64 + shift) / n as f64).min(1.0));
    for i in 0..residents {
        let from = format!("+35840100{i:04}");
        plan.push((
            at(i, residents, 0.0),
            Contact::Sms { sid: new_sid("SM"), from: from.clone(), body: format!("Katuvalo {i} on rikki") },
        ));
        if i % 3 == 0 {
            let body = format!("Lisätietoa: valo {i} vilkkuu yöllä");
            plan.push((
                at(i, residents, 0.0) + Duration::from_secs(3),
                Contact::Sms { sid: new_sid("SM"), from, body },
            ));
        }
    }
    for i in 0..callers {
        let from = if i % 4 == 0 { format!("+35840100{:04}", i * 2) } else { format!("+35840200{i:04}") };
        plan.push((at(i, callers, 0.3), Contact::Voice { sid: new_sid("CA"), from }));
    }
    for i in 0..visits {
        let phone = (i % 2 == 0).then(|| format!("+35840300{i:04}"));
        plan.push((
            at(i, visits, 0.6),
            Contact::WalkIn { key: Uuid::new_v4(), about: format!("Keinu {i} on rikki"), phone },
        ));
    }
    for i in 0..reports {
        let about = format!("Puiston penkki {i} on rikki");
        plan.push((at(i, reports, 0.45), Contact::Open311 { key: Uuid::new_v4(), about }));
    }
    for i in 0..emails {
        let contact = Contact::Email {
            message_id: format!("{}@example.fi", Uuid::new_v4().simple()),
            from: format!("asukas{i}@example.fi"),
            body: format!("Roskis {i} on täynnä"),
        };
        plan.push((at(i, emails, 0.15), contact));
    }
    plan.sort_by_key(|(offset, _)| *offset);
    plan
}

impl Driver {
    /// Sends every contact at its offset, concurrently, and waits until each
    /// is accepted or given up on.
    pub async fn run(self: Arc<Self>, plan: Vec<(Duration, Contact)>) -> Accepted {
        let start = tokio::time::Instant::now();
        let mut tasks = Vec::new();
        for (n, (offset, contact)) in plan.into_iter().enumerate() {
            let driver = self.clone();
            tasks.push(tokio::spawn(async move {
                tokio::time::sleep_until(start + offset).await;
                driver.deliver(n, contact).await;
            }));
        }
        for task in tasks {
            let _ = task.await;
        }
        self.snapshot()
    }

    /// Sends `contact` now, its first attempt to gateway `n` (modulo their
    /// number), retrying as the stream's contacts do.
    pub fn send_now(self: &Arc<Self>, n: usize, contact: Contact) -> tokio::task::JoinHandle<()> {
        let driver = self.clone();
        tokio::spawn(async move { driver.deliver(n, contact).await })
    }

    /// What was accepted so far.
    pub fn snapshot(&self) -> Accepted {
        self.accepted.lock().map(|a| a.clone()).unwrap_or_default()
    }

    /// Records a 5xx answer; every attempt's status passes here.
    fn note_status(&self, what: &str, status: reqwest::StatusCode) {
        if status.is_server_error() {
            self.record(|a| a.server_errors.push(format!("{what} answered {status}")));
        }
    }

    fn record(&self, f: impl FnOnce(&mut Accepted)) {
        if let Ok(mut accepted) = self.accepted.lock() {
            f(&mut accepted);
        }
    }

    async fn deliver(&self, n: usize, contact: Contact) {
        let deadline = tokio::time::Instant::now() + GIVE_UP_AFTER;
        let mut attempt = 0usize;
        loop {
            // Round robin, and a retry goes to the next gateway.
            let gateway = &self.gateways[(n + attempt) % self.gateways.len()];
            let outcome = match &contact {
                Contact::Sms { sid, from, body } => self.sms(gateway, sid, from, body).await,
                Contact::Voice { sid, from } => self.call(gateway, sid, from).await,
                Contact::WalkIn { key, about, phone } => self.walk_in(*key, about, phone.as_deref()).await,
                Contact::Open311 { key, about } => self.open311(gateway, *key, about).await,
                Contact::Email { message_id, from, body } => {
                    let port = self.smtp_ports[(n + attempt) % self.smtp_ports.len()];
                    self.email(port, message_id, from, body).await
                }
            };
            match outcome {
                Ok(()) => return,
                Err(e) if tokio::time::Instant::now() < deadline => {
                    tracing::debug!(error = %e, ?contact, "attempt failed; retrying");
                    self.record(|a| a.retries += 1);
                    attempt += 1;
                    tokio::time::sleep(RETRY_PAUSE).await;
                }
                Err(e) => {
                    self.record(|a| a.abandoned.push(format!("{contact:?}: {e:#}")));
                    return;
                }
            }
        }
    }

    async fn sms(&self, gateway: &str, sid: &str, from: &str, body: &str) -> anyhow::Result<()> {
        let inbound = InboundSms { message_sid: sid, from, to: BATLINE_NUMBER, body };
        let r = self.phone.text(gateway, PUBLIC_URL, &inbound).await?;
        self.note_status("the SMS webhook", r.status());
        anyhow::ensure!(r.status().is_success(), "the SMS webhook answered {}", r.status());
        self.record(|a| a.sms.push(sid.to_owned()));
        Ok(())
    }

    /// A call is accepted once its TwiML stops holding: Twilio follows the
    /// `<Redirect>` of a hold round, so the driver does too, on any gateway.
    async fn call(&self, gateway: &str, sid: &str, from: &str) -> anyhow::Result<()> {
        let params = InboundCall { call_sid: sid, from, to: BATLINE_NUMBER }.params(self.phone.account_sid());
        let mut path = "/twilio/voice".to_owned();
        let mut gateway = gateway.to_owned();
        for round in 0.. {
            let r = self.phone.post_signed(&gateway, PUBLIC_URL, &path, &params).await?;
            self.note_status(&path, r.status());
            anyhow::ensure!(r.status().is_success(), "{path} answered {}", r.status());
            let twiml = r.text().await?;
            let Some(next) = redirect(&twiml) else {
                self.record(|a| a.voice.push(sid.to_owned()));
                return Ok(());
            };
            self.record(|a| a.hold_rounds += 1);
            anyhow::ensure!(round < 200, "call {sid} held for 200 rounds");
            path = next;
            gateway = self.gateways[(round + 1) % self.gateways.len()].clone();
            tokio::time::sleep(RETRY_PAUSE).await;
        }
        Ok(())
    }

    async fn walk_in(&self, key: Uuid, about: &str, phone: Option<&str>) -> anyhow::Result<()> {
        let mut body = json!({ "about": about, "language": "fi" });
        if let Some(phone) = phone {
            body["phone"] = json!(phone);
        }
        let r = self
            .http
            .post(format!("{}/api/v1/walk-in/tickets", self.console))
            .bearer_auth(&self.desk_token)
            .header("idempotency-key", key.to_string())
            .json(&body)
            .send()
            .await?;
        self.note_status("the walk-in desk", r.status());
        let status = r.status().as_u16();
        anyhow::ensure!(status == 201 || status == 202, "the walk-in desk got {status}");
        let ticket: Value = r.json().await?;
        let id: Uuid = ticket["ticket_id"].as_str().unwrap_or_default().parse()?;
        self.record(|a| a.walk_in.push(id));
        Ok(())
    }
}

impl Driver {
    /// An Open311 request is accepted when the gateway answers 200, with
    /// its id or a token: either way it is stored.
    async fn open311(&self, gateway: &str, key: Uuid, about: &str) -> anyhow::Result<()> {
        let form = [
            ("api_key", OPEN311_KEY),
            ("service_code", "parks"),
            ("address_string", "Fleminginkatu 12"),
            ("description", about),
        ];
        let r = self
            .http
            .post(format!("{gateway}/open311/v2/requests.json"))
            .header("idempotency-key", key.to_string())
            .form(&form)
            .send()
            .await?;
        self.note_status("the Open311 post", r.status());
        anyhow::ensure!(r.status().is_success(), "the Open311 post got {}", r.status());
        self.record(|a| a.open311.push(key.to_string()));
        Ok(())
    }
}

impl Driver {
    /// An email is accepted when the listener answers 250 to its DATA, as
    /// a relay takes it; a 4xx or a dropped connection is retried, with the
    /// same Message-ID, at the other gateway.
    async fn email(&self, port: u16, message_id: &str, from: &str, body: &str) -> anyhow::Result<()> {
        use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor, address::Envelope};
        let raw = format!(
            "From: {from}\r\nTo: {MAIL_TO}\r\nSubject: Roskis\r\nMessage-ID: <{message_id}>\r\n\
             Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
        );
        let transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous("127.0.0.1")
            .port(port)
            .timeout(Some(Duration::from_secs(10)))
            .build();
        let envelope = Envelope::new(Some(from.parse()?), vec![MAIL_TO.parse()?])?;
        if let Err(e) = transport.send_raw(&envelope, raw.as_bytes()).await {
            if e.is_permanent() {
                self.record(|a| a.server_errors.push(format!("the SMTP listener refused for good: {e}")));
            }
            return Err(e.into());
        }
        self.record(|a| a.email.push(message_id.to_owned()));
        Ok(())
    }
}

/// The path and query of a hold round's `<Redirect>`, if the TwiML has one.
fn redirect(twiml: &str) -> Option<String> {
    let start = twiml.find("<Redirect")?;
    let url = twiml[start..].split_once('>')?.1.split_once("</Redirect>")?.0;
    let url = url.replace("&amp;", "&");
    Some(url.strip_prefix(PUBLIC_URL).unwrap_or(&url).to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follows_the_hold_redirect() {
        let twiml = format!(
            "<Response><Pause length=\"2\"/><Redirect method=\"POST\">{PUBLIC_URL}/twilio/voice/wait?attempt=1</Redirect></Response>"
        );
        assert_eq!(redirect(&twiml).as_deref(), Some("/twilio/voice/wait?attempt=1"));
        assert_eq!(redirect("<Response><Say>Hei</Say></Response>"), None);
    }
}
