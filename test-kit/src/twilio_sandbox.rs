//! A local Twilio-compatible server. Twilio cannot be reached from a
//! developer's machine or CI, so tests, the benchmark and `batline up`
//! (when no Twilio account is configured) point `TWILIO_API_BASE` here.
//!
//! It implements the REST calls Batline makes (`Messages.json`, `Calls.json`) with
//! Twilio's HTTP basic auth and answer shapes, records every message, can be
//! told to fail the next requests (429, 5xx, 4xx), and can act as a
//! resident's phone: [`ResidentPhone::text`] sends a correctly signed
//! inbound SMS webhook, exactly as Twilio would, and [`ResidentPhone::call`]
//! the voice webhook of a call; [`ResidentPhone::post_signed`] plays any
//! other of Twilio's callbacks (dial actions, recordings, call status).

use std::{
    collections::VecDeque,
    net::SocketAddr,
    sync::{Arc, Mutex},
    time::Duration,
};

use axum::{
    Json, Router,
    extract::{Path, State},
    http::{HeaderMap, StatusCode, header::AUTHORIZATION},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use base64::{Engine, engine::general_purpose::STANDARD};
use batline_core::twilio::signature;
use serde::Serialize;
use serde_json::json;
use tokio::{net::TcpListener, sync::Notify};
use tokio_util::sync::CancellationToken;

/// One SMS Batline asked the sandbox to send.
#[derive(Debug, Clone, Serialize)]
pub struct SentSms {
    /// The sid the sandbox answered with.
    pub sid: String,
    /// Recipient.
    pub to: String,
    /// Sender (Batline's number).
    pub from: String,
    /// Text.
    pub body: String,
    /// The status callback Batline asked for.
    pub status_callback: Option<String>,
}

/// One call Batline asked the sandbox to place.
#[derive(Debug, Clone, Serialize)]
pub struct PlacedCall {
    /// The sid the sandbox answered with.
    pub sid: String,
    /// Who is rung.
    pub to: String,
    /// Batline's number.
    pub from: String,
    /// Where Twilio would fetch the call's TwiML when it is answered.
    pub url: String,
    /// Where Twilio would report the call's progress.
    pub status_callback: Option<String>,
}

/// A programmed failure for the next request.
#[derive(Debug, Clone)]
pub struct Failure {
    /// HTTP status to answer.
    pub status: u16,
    /// Twilio error code in the body.
    pub code: i64,
    /// Message in the body.
    pub message: String,
}

#[derive(Default)]
struct Recorded {
    sent: Vec<SentSms>,
    calls: Vec<PlacedCall>,
    failures: VecDeque<Failure>,
    requests: usize,
}

struct Shared {
    account_sid: String,
    auth_token: String,
    recorded: Mutex<Recorded>,
    changed: Notify,
}

/// A running sandbox.
#[derive(Clone)]
pub struct TwilioSandbox {
    shared: Arc<Shared>,
    addr: SocketAddr,
}

impl TwilioSandbox {
    /// Starts on `listener` for one account, until `shutdown`.
    pub fn start(
        listener: TcpListener,
        account_sid: &str,
        auth_token: &str,
        shutdown: CancellationToken,
    ) -> anyhow::Result<Self> {
        Self::start_with(listener, account_sid, auth_token, None, shutdown)
    }

    /// As [`TwilioSandbox::start`], listing the demo's `mail` too, at
    /// `/sandbox/mail` beside the SMS.
    pub fn start_with(
        listener: TcpListener,
        account_sid: &str,
        auth_token: &str,
        mail: Option<&crate::mail_sandbox::MailSandbox>,
        shutdown: CancellationToken,
    ) -> anyhow::Result<Self> {
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            account_sid: account_sid.to_owned(),
            auth_token: auth_token.to_owned(),
            recorded: Mutex::new(Recorded::default()),
            changed: Notify::new(),
        });
        let app = Router::new()
            .route("/2010-04-01/Accounts/{sid}/Messages.json", post(create_message))
            .route("/2010-04-01/Accounts/{sid}/Calls.json", post(create_call))
            .route("/sandbox/messages", get(list_messages))
            .route("/sandbox/calls", get(list_calls))
            .with_state(shared.clone())
            .merge(mail.map(crate::mail_sandbox::MailSandbox::routes).unwrap_or_default());
        tokio::spawn(async move {
            let serve = axum::serve(listener, app).with_graceful_shutdown(shutdown.cancelled_owned());
            if let Err(e) = serve.await {
                tracing::error!(error = %e, "Twilio sandbox stopped");
            }
        });
        Ok(TwilioSandbox { shared, addr })
    }

    /// The base URL to use as `TWILIO_API_BASE`.
    pub fn api_base(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every SMS sent so far.
    pub fn sent(&self) -> Vec<SentSms> {
        self.lock().sent.clone()
    }

    /// Every call placed so far.
    pub fn calls(&self) -> Vec<PlacedCall> {
        self.lock().calls.clone()
    }

    /// Waits until a call to `to` has been placed, and returns it.
    pub async fn wait_for_call_to(&self, to: &str, timeout: Duration) -> anyhow::Result<PlacedCall> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let notified = self.shared.changed.notified();
            if let Some(call) = self.calls().into_iter().find(|c| c.to == to) {
                return Ok(call);
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                anyhow::bail!("expected a call to {to} within {timeout:?}; placed: {:#?}", self.calls());
            }
        }
    }

    /// How many requests reached `Messages.json` or `Calls.json`, failed ones included.
    pub fn requests(&self) -> usize {
        self.lock().requests
    }

    /// Makes the next requests fail, in order.
    pub fn fail_next(&self, failures: impl IntoIterator<Item = Failure>) {
        self.lock().failures.extend(failures);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Recorded> {
        // A panic while holding the lock cannot leave the log half-written.
        self.shared.recorded.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Waits until the SMS sent to `to` number `count` or more, and returns them.
    pub async fn wait_for_sms_to(&self, to: &str, count: usize, timeout: Duration) -> anyhow::Result<Vec<SentSms>> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let notified = self.shared.changed.notified();
            let to_them: Vec<SentSms> = self.sent().into_iter().filter(|s| s.to == to).collect();
            if to_them.len() >= count {
                return Ok(to_them);
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                anyhow::bail!("expected {count} SMS to {to} within {timeout:?}, got {}: {to_them:#?}", to_them.len());
            }
        }
    }

    /// A resident's phone that texts Batline through this sandbox's account.
    pub fn phone(&self) -> ResidentPhone {
        ResidentPhone::new(&self.shared.account_sid, &self.shared.auth_token)
    }
}

/// The demo account `batline up` runs the sandbox with when no Twilio
/// account is configured.
pub const DEMO_ACCOUNT_SID: &str = "AC00000000000000000000000000000000";
/// The demo account's auth token.
pub const DEMO_AUTH_TOKEN: &str = "batline-demo-auth-token";
/// Batline's number in the demo.
pub const DEMO_FROM_NUMBER: &str = "+358931000000";

/// Sends inbound SMS webhooks to Batline exactly as Twilio would: every
/// field Twilio posts, signed with the account's auth token.
#[derive(Clone)]
pub struct ResidentPhone {
    account_sid: String,
    auth_token: String,
    http: reqwest::Client,
}

impl ResidentPhone {
    /// A phone for the account `account_sid`, signing with `auth_token`.
    pub fn new(account_sid: &str, auth_token: &str) -> Self {
        ResidentPhone {
            account_sid: account_sid.to_owned(),
            auth_token: auth_token.to_owned(),
            http: reqwest::Client::new(),
        }
    }

    /// Posts `inbound` to `gateway` (where the gateway listens), signed for
    /// `public_url` (Batline's `BATLINE_PUBLIC_URL`, what Twilio would call).
    pub async fn text(
        &self,
        gateway: &str,
        public_url: &str,
        inbound: &InboundSms<'_>,
    ) -> reqwest::Result<reqwest::Response> {
        self.post_signed(gateway, public_url, "/twilio/sms", &inbound.params(&self.account_sid)).await
    }

    /// A phone signing for the account `config` names (the demo account
    /// when none is configured), and Batline's number to call or text.
    pub fn for_config(config: &batline_core::Config) -> (Self, String) {
        use secrecy::ExposeSecret;
        match &config.twilio {
            Some(t) => (Self::new(&t.account_sid, t.auth_token.expose_secret()), t.from_number.clone()),
            None => (Self::new(DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN), DEMO_FROM_NUMBER.to_owned()),
        }
    }

    /// Calls Batline: posts the voice webhook of `inbound`, signed.
    pub async fn call(
        &self,
        gateway: &str,
        public_url: &str,
        inbound: &InboundCall<'_>,
    ) -> reqwest::Result<reqwest::Response> {
        self.post_signed(gateway, public_url, "/twilio/voice", &inbound.params(&self.account_sid)).await
    }

    /// Posts `params` to `path_and_query` on `gateway`, signed as Twilio
    /// signs a request to `public_url` + `path_and_query`. `AccountSid` is
    /// added when missing, as Twilio always sends it.
    pub async fn post_signed(
        &self,
        gateway: &str,
        public_url: &str,
        path_and_query: &str,
        params: &[(String, String)],
    ) -> reqwest::Result<reqwest::Response> {
        let mut params = params.to_vec();
        if !params.iter().any(|(k, _)| k == "AccountSid") {
            params.push(("AccountSid".to_owned(), self.account_sid.clone()));
        }
        let url = format!("{}{path_and_query}", public_url.trim_end_matches('/'));
        let sig = signature::compute(&self.auth_token, &url, &params);
        self.http
            .post(format!("{}{path_and_query}", gateway.trim_end_matches('/')))
            .header("X-Twilio-Signature", sig)
            .form(&params)
            .send()
            .await
    }

    /// The account this phone's requests claim to come from.
    pub fn account_sid(&self) -> &str {
        &self.account_sid
    }
}

/// A resident's text, as Twilio posts it.
#[derive(Debug, Clone)]
pub struct InboundSms<'a> {
    /// Twilio's id for it, `SM…`.
    pub message_sid: &'a str,
    /// The resident's number.
    pub from: &'a str,
    /// Batline's number.
    pub to: &'a str,
    /// The text.
    pub body: &'a str,
}

impl InboundSms<'_> {
    /// The form fields of a real Twilio inbound-message webhook.
    pub fn params(&self, account_sid: &str) -> Vec<(String, String)> {
        [
            ("ToCountry", "FI"),
            ("ToState", ""),
            ("SmsMessageSid", self.message_sid),
            ("NumMedia", "0"),
            ("ToCity", ""),
            ("FromZip", ""),
            ("SmsSid", self.message_sid),
            ("FromState", ""),
            ("SmsStatus", "received"),
            ("FromCity", "HELSINKI"),
            ("Body", self.body),
            ("FromCountry", "FI"),
            ("To", self.to),
            ("MessagingServiceSid", "MG00000000000000000000000000000000"),
            ("ToZip", ""),
            ("NumSegments", "1"),
            ("MessageSid", self.message_sid),
            ("AccountSid", account_sid),
            ("From", self.from),
            ("ApiVersion", "2010-04-01"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
    }
}

/// A resident's call, as Twilio posts its voice webhook.
#[derive(Debug, Clone)]
pub struct InboundCall<'a> {
    /// Twilio's id for it, `CA…`.
    pub call_sid: &'a str,
    /// The resident's number.
    pub from: &'a str,
    /// Batline's number.
    pub to: &'a str,
}

impl InboundCall<'_> {
    /// The form fields of a real Twilio incoming-call webhook.
    pub fn params(&self, account_sid: &str) -> Vec<(String, String)> {
        [
            ("Called", self.to),
            ("ToState", ""),
            ("CallerCountry", "FI"),
            ("Direction", "inbound"),
            ("CallerState", ""),
            ("ToZip", ""),
            ("CallSid", self.call_sid),
            ("To", self.to),
            ("CallerZip", ""),
            ("ToCountry", "FI"),
            ("CallToken", ""),
            ("CalledZip", ""),
            ("ApiVersion", "2010-04-01"),
            ("CalledCity", ""),
            ("CallStatus", "ringing"),
            ("From", self.from),
            ("AccountSid", account_sid),
            ("CalledCountry", "FI"),
            ("CallerCity", ""),
            ("ToCity", ""),
            ("FromCountry", "FI"),
            ("Caller", self.from),
            ("FromCity", ""),
            ("CalledState", ""),
            ("FromZip", ""),
            ("FromState", ""),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
    }
}

/// A fresh `SM…` sid.
pub fn new_sid(prefix: &str) -> String {
    format!("{prefix}{}", uuid::Uuid::new_v4().simple())
}

fn twilio_error(status: u16, code: i64, message: &str) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, Json(json!({ "code": code, "message": message, "status": status.as_u16() }))).into_response()
}

async fn create_message(
    State(shared): State<Arc<Shared>>,
    Path(sid): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    if let Some(refused) = refusal(&shared, &sid, &headers) {
        return refused;
    }
    let form = Form(form_urlencoded::parse(&body).into_owned().collect());
    let get = |name: &str| form.get(name);
    let (Some(to), Some(from), Some(text)) = (get("To"), get("From"), get("Body")) else {
        return twilio_error(400, 21604, "A 'To', 'From' and 'Body' are required");
    };
    if text.chars().count() > 1600 {
        return twilio_error(400, 21617, "The concatenated message body exceeds the 1600 character limit");
    }
    let sms = SentSms { sid: new_sid("SM"), to, from, body: text, status_callback: get("StatusCallback") };
    let answer = json!({
        "sid": sms.sid, "account_sid": shared.account_sid, "to": sms.to, "from": sms.from,
        "body": sms.body, "status": "queued", "num_segments": "1", "direction": "outbound-api",
        "api_version": "2010-04-01",
    });
    shared.recorded.lock().unwrap_or_else(|p| p.into_inner()).sent.push(sms);
    shared.changed.notify_waiters();
    (StatusCode::CREATED, Json(answer)).into_response()
}

/// A REST request's form fields.
struct Form(Vec<(String, String)>);

impl Form {
    fn get(&self, name: &str) -> Option<String> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    }
}

/// Checks Twilio's basic auth and plays the next programmed failure, as
/// every REST resource does first: `Some` is the refusal to answer with.
fn refusal(shared: &Shared, sid: &str, headers: &HeaderMap) -> Option<Response> {
    let expected = format!("Basic {}", STANDARD.encode(format!("{}:{}", shared.account_sid, shared.auth_token)));
    let authorised = headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok()) == Some(expected.as_str());
    if !authorised || sid != shared.account_sid {
        return Some(twilio_error(401, 20003, "Authentication Error - invalid username"));
    }
    let failure = {
        let mut recorded = shared.recorded.lock().unwrap_or_else(|p| p.into_inner());
        recorded.requests += 1;
        recorded.failures.pop_front()
    };
    if let Some(f) = failure {
        shared.changed.notify_waiters();
        return Some(twilio_error(f.status, f.code, &f.message));
    }
    None
}

async fn create_call(
    State(shared): State<Arc<Shared>>,
    Path(sid): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    if let Some(refused) = refusal(&shared, &sid, &headers) {
        return refused;
    }
    let form = Form(form_urlencoded::parse(&body).into_owned().collect());
    let get = |name: &str| form.get(name);
    let (Some(to), Some(from)) = (get("To"), get("From")) else {
        return twilio_error(400, 21201, "A 'To' and a 'From' phone number are required");
    };
    let Some(url) = get("Url") else {
        return twilio_error(400, 21205, "A 'Url' or 'Twiml' is required");
    };
    if !to.starts_with('+') {
        return twilio_error(400, 21211, &format!("The 'To' number {to} is not a valid phone number."));
    }
    let call = PlacedCall { sid: new_sid("CA"), to, from, url, status_callback: get("StatusCallback") };
    let answer = json!({
        "sid": call.sid, "account_sid": shared.account_sid, "to": call.to, "from": call.from,
        "status": "queued", "direction": "outbound-api", "api_version": "2010-04-01",
    });
    shared.recorded.lock().unwrap_or_else(|p| p.into_inner()).calls.push(call);
    shared.changed.notify_waiters();
    (StatusCode::CREATED, Json(answer)).into_response()
}

async fn list_calls(State(shared): State<Arc<Shared>>) -> Json<Vec<PlacedCall>> {
    Json(shared.recorded.lock().unwrap_or_else(|p| p.into_inner()).calls.clone())
}

async fn list_messages(State(shared): State<Arc<Shared>>) -> Json<Vec<SentSms>> {
    Json(shared.recorded.lock().unwrap_or_else(|p| p.into_inner()).sent.clone())
}
