//! A Twilio-compatible REST client for sending SMS and placing calls. It retries with
//! exponential back-off on 429 (honouring `Retry-After`) and on 5xx or a
//! lost connection, and never on any other 4xx: those are final, and the
//! caller records them on the case timeline.

use std::time::Duration;

use secrecy::ExposeSecret;
use serde::Deserialize;

use crate::{Error, Result, config::TwilioConfig, metrics};

/// How the client retries.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub max_attempts: u32,
    /// Wait before the second attempt; doubles after each.
    pub base_delay: Duration,
    /// Longest wait between attempts.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy { max_attempts: 5, base_delay: Duration::from_millis(500), max_delay: Duration::from_secs(8) }
    }
}

/// What Twilio answered for an accepted message.
#[derive(Debug, Clone, Deserialize)]
pub struct SentMessage {
    /// Twilio's id, `SM…`.
    pub sid: String,
    /// Usually `queued`.
    pub status: String,
}

/// What Twilio answered for a call it accepted.
#[derive(Debug, Clone, Deserialize)]
pub struct CreatedCall {
    /// Twilio's id, `CA…`.
    pub sid: String,
    /// Usually `queued`.
    pub status: String,
}

#[derive(Debug, Deserialize)]
struct TwilioErrorBody {
    code: Option<i64>,
    message: Option<String>,
}

/// Sends SMS through a Twilio-compatible API.
#[derive(Clone)]
pub struct TwilioClient {
    http: reqwest::Client,
    config: TwilioConfig,
    retry: RetryPolicy,
}

impl TwilioClient {
    /// A client for `config` with the default retry policy.
    pub fn new(config: TwilioConfig) -> Result<Self> {
        Self::with_retry(config, RetryPolicy::default())
    }

    /// A client with its own retry policy (tests shorten the waits).
    pub fn with_retry(config: TwilioConfig, retry: RetryPolicy) -> Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(15))
            .connect_timeout(Duration::from_secs(5))
            .build()
            .map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))?;
        Ok(TwilioClient { http, config, retry })
    }

    /// The account's messages resource.
    fn messages_url(&self) -> String {
        format!(
            "{}/2010-04-01/Accounts/{}/Messages.json",
            self.config.api_base.as_str().trim_end_matches('/'),
            self.config.account_sid
        )
    }

    /// The account's calls resource.
    fn calls_url(&self) -> String {
        format!(
            "{}/2010-04-01/Accounts/{}/Calls.json",
            self.config.api_base.as_str().trim_end_matches('/'),
            self.config.account_sid
        )
    }

    /// Sends `body` to `to` from the Batline number. `status_callback` is
    /// where Twilio reports delivery.
    #[tracing::instrument(skip(self, body), fields(to = %redact_phone(to)))]
    pub async fn send_sms(&self, to: &str, body: &str, status_callback: Option<&str>) -> Result<SentMessage> {
        let mut form: Vec<(&str, &str)> = vec![("To", to), ("From", &self.config.from_number), ("Body", body)];
        if let Some(cb) = status_callback {
            form.push(("StatusCallback", cb));
        }
        self.post_form("messages", &self.messages_url(), &form).await
    }

    /// Places a call from the Batline number to `to`. When it is answered,
    /// Twilio fetches its instructions from `twiml_url`; its progress goes to
    /// `status_callback`.
    #[tracing::instrument(skip(self, twiml_url, status_callback), fields(to = %redact_phone(to)))]
    pub async fn create_call(&self, to: &str, twiml_url: &str, status_callback: &str) -> Result<CreatedCall> {
        let form: Vec<(&str, &str)> = vec![
            ("To", to),
            ("From", &self.config.from_number),
            ("Url", twiml_url),
            ("Method", "POST"),
            ("StatusCallback", status_callback),
            ("StatusCallbackMethod", "POST"),
            ("StatusCallbackEvent", "initiated"),
            ("StatusCallbackEvent", "ringing"),
            ("StatusCallbackEvent", "answered"),
            ("StatusCallbackEvent", "completed"),
        ];
        self.post_form("calls", &self.calls_url(), &form).await
    }

    /// POSTs `form` to `url` with the account's credentials, retrying 429,
    /// 5xx and lost connections; any other 4xx is final. Each attempt is
    /// counted under `resource` (`messages` or `calls`): `retried` for one
    /// that will be tried again, then `ok`, `rejected` or `unavailable`.
    async fn post_form<T: serde::de::DeserializeOwned>(
        &self,
        resource: &'static str,
        url: &str,
        form: &[(&str, &str)],
    ) -> Result<T> {
        let result = self.post_form_counted(resource, url, form).await;
        let outcome = match &result {
            Ok(_) => "ok",
            Err(Error::TwilioRejected { .. }) => "rejected",
            Err(_) => "unavailable",
        };
        metrics::twilio_request(resource, outcome);
        result
    }

    async fn post_form_counted<T: serde::de::DeserializeOwned>(
        &self,
        resource: &'static str,
        url: &str,
        form: &[(&str, &str)],
    ) -> Result<T> {
        let mut delay = self.retry.base_delay;
        let mut attempt = 1;
        loop {
            let response = self
                .http
                .post(url)
                .basic_auth(&self.config.account_sid, Some(self.config.auth_token.expose_secret()))
                .form(form)
                .send()
                .await;
            let retry_after = match response {
                Ok(resp) if resp.status().is_success() => {
                    return resp
                        .json::<T>()
                        .await
                        .map_err(|e| Error::TwilioUnavailable(format!("unreadable answer from Twilio: {e}")));
                }
                Ok(resp) => {
                    let status = resp.status();
                    let retry_after = resp
                        .headers()
                        .get(reqwest::header::RETRY_AFTER)
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.trim().parse::<u64>().ok())
                        .map(Duration::from_secs);
                    let body: Option<TwilioErrorBody> = resp.json().await.ok();
                    let message = body
                        .as_ref()
                        .and_then(|b| b.message.clone())
                        .unwrap_or_else(|| status.canonical_reason().unwrap_or("error").to_owned());
                    if status.as_u16() != 429 && !status.is_server_error() {
                        return Err(Error::TwilioRejected {
                            status: status.as_u16(),
                            code: body.and_then(|b| b.code),
                            message,
                        });
                    }
                    if attempt >= self.retry.max_attempts {
                        return Err(Error::TwilioUnavailable(format!(
                            "Twilio answered {status} ({message}) {attempt} times"
                        )));
                    }
                    tracing::warn!(%status, attempt, "Twilio asked to retry");
                    retry_after
                }
                Err(e) => {
                    if attempt >= self.retry.max_attempts {
                        return Err(Error::TwilioUnavailable(format!(
                            "Twilio could not be reached after {attempt} attempts: {e}"
                        )));
                    }
                    tracing::warn!(error = %e, attempt, "Twilio unreachable; retrying");
                    None
                }
            };
            metrics::twilio_request(resource, "retried");
            let wait = retry_after.unwrap_or(delay).min(self.retry.max_delay);
            tokio::time::sleep(wait).await;
            delay = (delay * 2).min(self.retry.max_delay);
            attempt += 1;
        }
    }
}

/// A phone number with its middle hidden, for log lines.
pub fn redact_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().collect();
    if chars.len() <= 6 {
        return "***".into();
    }
    let head: String = chars[..4].iter().collect();
    let tail: String = chars[chars.len() - 2..].iter().collect();
    format!("{head}***{tail}")
}
