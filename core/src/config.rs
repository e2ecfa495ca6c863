//! Configuration, read once at start-up from the environment into a typed
//! struct. Defaults suit a single development machine; every setting can be
//! overridden by the variable named in its doc comment.

use std::{net::SocketAddr, time::Duration};

use secrecy::SecretString;
use url::Url;

use crate::{Error, Result};

/// Everything the services need to start.
#[derive(Debug, Clone)]
pub struct Config {
    /// `DATABASE_URL`: PostgreSQL. The database is created if missing.
    pub database_url: String,
    /// `AMQP_URL`: RabbitMQ.
    pub amqp_url: String,
    /// `BATLINE_BUS_NAMESPACE`: prefix of every exchange and queue, so tests
    /// and separate deployments can share one broker.
    pub bus_namespace: String,
    /// `BATLINE_GATEWAY_ADDR`: where the gateway listens.
    pub gateway_addr: SocketAddr,
    /// `BATLINE_CONSOLE_ADDR`: where the agent console listens.
    pub console_addr: SocketAddr,
    /// `BATLINE_ROUTER_METRICS_ADDR`: where `batline router`, which has no
    /// other HTTP server, serves `/metrics` and `/healthz` (default
    /// 127.0.0.1:8082). `batline up` shows the router's metrics on the
    /// gateway's and the console's `/metrics` instead.
    pub router_metrics_addr: SocketAddr,
    /// `BATLINE_PUBLIC_URL`: the gateway's public base URL, as Twilio and
    /// residents see it. Signatures are checked against it and tracking links
    /// point at it. Defaults to `http://` + the gateway address.
    pub public_url: Url,
    /// Twilio account and number; `None` until all of `TWILIO_ACCOUNT_SID`,
    /// `TWILIO_AUTH_TOKEN` and `TWILIO_FROM_NUMBER` are set.
    pub twilio: Option<TwilioConfig>,
    /// `BATLINE_SMS_PROMISE_MINUTES`: the answer time promised in the first
    /// SMS reply (default 15).
    pub sms_promise_minutes: u32,
    /// `BATLINE_PREFETCH`: deliveries each consumer works on at once (default 16).
    pub prefetch: u16,
    /// `BATLINE_SESSION_HOURS`: how long a console sign-in lasts at most,
    /// however busy (default 12).
    pub session_ttl: Duration,
    /// `BATLINE_SESSION_IDLE_MINUTES`: a console sign-in unused this long
    /// ends (default 30).
    pub session_idle: Duration,
    /// `BATLINE_CONSOLE_URL`: the console's base URL as responders' browsers
    /// see it (default `http://` + the console address). When it is
    /// `https://`, session cookies are marked `Secure`.
    pub console_url: Url,
    /// How long a new owner has to acknowledge a case, per channel.
    pub ack_windows: AckWindows,
    /// `BATLINE_HANDOFF_SECONDS`: how long a colleague has to answer a
    /// hand-off offer before it lapses and the owner keeps the case (default 600).
    pub handoff_window: Duration,
    /// `BATLINE_TRACK_PER_MINUTE`: tracking look-ups a minute per client
    /// address (default 30); more are answered 429 with Retry-After.
    pub track_per_minute: u32,
    /// `BATLINE_WEBHOOK_PER_MINUTE`: Twilio webhooks a minute per client
    /// address (default 6000). Real traffic comes from a few Twilio
    /// addresses, so the limit sits far above what a city's line gets and
    /// only a flood reaches it; over it, a webhook that would start a new
    /// contact is answered 429 with Retry-After before anything is read or
    /// stored.
    pub webhook_per_minute: u32,
    /// `BATLINE_SIGN_IN_PER_MINUTE`: console sign-in attempts a minute per
    /// client address (default 10); more are answered 429 with Retry-After.
    pub sign_in_per_minute: u32,
    /// `BATLINE_PREVIOUS_RESPONDER_DAYS`: a resident's responder from a case
    /// opened within this many days is preferred for their next case (default 30).
    pub previous_responder_days: u32,
    /// Phone calls.
    pub voice: VoiceConfig,
    /// The web chat.
    pub chat: ChatConfig,
    /// `BATLINE_REDACT_AFTER_DAYS`: personal data of a case resolved this
    /// many days ago is redacted (default 365).
    pub redact_after: Duration,
    /// `BATLINE_FAULT_EXIT_AFTER_STORE`: a fault injection hook for the fault
    /// suite (`tests/faults`), unset by default and never for production.
    /// With `n`, the gateway process aborts right after committing its n-th
    /// contact and before publishing it, as a crash at the worst moment
    /// would, so the suite can check that the stored contact is published by
    /// the outbox relay once the gateway is back.
    pub fault_exit_after_store: Option<u64>,
    /// The public accountability page `/open`.
    pub open: OpenConfig,
}

/// The public `/open` page and its open data.
#[derive(Debug, Clone, Copy)]
pub struct OpenConfig {
    /// `BATLINE_OPEN_SHOW_RESPONDERS`: also publish the figures per
    /// responder, by name (default `false`: the city decides to).
    pub show_responders: bool,
    /// `BATLINE_OPEN_PER_MINUTE`: `/open` requests a minute per client
    /// address (default 30); more are answered 429 with Retry-After.
    pub per_minute: u32,
}

/// The web chat's limits and where it may be embedded.
#[derive(Debug, Clone)]
pub struct ChatConfig {
    /// `BATLINE_CHAT_ORIGINS`: the city sites that may embed the chat and
    /// open its WebSocket, as `https://www.hel.fi,https://palvelukartta.hel.fi`
    /// (default none). The gateway's own pages are always allowed. The same
    /// list is the `frame-ancestors` of `/chat`.
    pub origins: Vec<String>,
    /// `BATLINE_CHAT_MAX_CHARS`: the longest message a resident may send
    /// (default 2000).
    pub max_chars: usize,
    /// `BATLINE_CHAT_PER_MINUTE`: messages a minute per chat session
    /// (default 20); more are refused with the time to wait.
    pub per_minute: u32,
    /// `BATLINE_CHAT_CONNECTIONS_PER_ADDRESS`: open chat sockets per client
    /// address on one gateway (default 20).
    pub connections_per_address: usize,
}

/// How Batline answers phone calls.
#[derive(Debug, Clone)]
pub struct VoiceConfig {
    /// `BATLINE_VOICE_WAIT_MS`: how long the voice webhook waits for the
    /// router to name an owner before answering with a short hold and a
    /// redirect (default 1500). Twilio allows 15 s for the whole answer.
    pub answer_wait: Duration,
    /// `BATLINE_DIAL_TIMEOUT_SECONDS`: how long the owner's phone rings
    /// before the caller is offered a voice message (default 20).
    pub dial_timeout_seconds: u32,
    /// `BATLINE_CALL_BACK_MINUTES`: how soon the owner must call back a
    /// caller who reached nobody (default 30).
    pub call_back_window: Duration,
    /// `BATLINE_VOICE_LINES`: which Batline number answers in which language,
    /// as `+358931000001=sv,+358931000002=en`. A caller to a number not
    /// listed hears the language Batline last spoke with them, or Finnish.
    pub lines: Vec<(String, crate::domain::Language)>,
}

impl VoiceConfig {
    /// The language of the Batline number `to`, if it is a language line.
    pub fn line_language(&self, to: &str) -> Option<crate::domain::Language> {
        self.lines.iter().find(|(number, _)| number == to).map(|(_, lang)| *lang)
    }
}

/// Acknowledgement windows per channel. When one passes unacknowledged the
/// case moves to the next candidate.
#[derive(Debug, Clone, Copy)]
pub struct AckWindows {
    /// `BATLINE_ACK_SECONDS_SMS` (default 300).
    pub sms: Duration,
    /// `BATLINE_ACK_SECONDS_VOICE` (default 60).
    pub voice: Duration,
    /// `BATLINE_ACK_SECONDS_CHAT` (default 60).
    pub chat: Duration,
    /// `BATLINE_ACK_SECONDS_WALK_IN` (default 600).
    pub walk_in: Duration,
}

impl AckWindows {
    /// The window for `channel`.
    pub fn for_channel(&self, channel: crate::domain::Channel) -> Duration {
        use crate::domain::Channel;
        match channel {
            Channel::Sms => self.sms,
            Channel::Voice => self.voice,
            Channel::Chat => self.chat,
            Channel::WalkIn => self.walk_in,
        }
    }
}

/// The Twilio account Batline sends from and verifies webhooks against.
#[derive(Debug, Clone)]
pub struct TwilioConfig {
    /// `TWILIO_ACCOUNT_SID`.
    pub account_sid: String,
    /// `TWILIO_AUTH_TOKEN`: signs webhooks and authenticates REST calls.
    /// Never logged: `SecretString` prints as `[REDACTED]`.
    pub auth_token: SecretString,
    /// `TWILIO_API_BASE`: default Twilio's real API; tests point it at a local
    /// Twilio-compatible server.
    pub api_base: Url,
    /// `TWILIO_FROM_NUMBER`: the city's Batline number, E.164.
    pub from_number: String,
}

/// The default for `TWILIO_API_BASE`.
pub const TWILIO_DEFAULT_API_BASE: &str = "https://api.twilio.com";

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads settings through `lookup`, so tests need not touch the process
    /// environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self> {
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let addr = |name: &str, default: &str| -> Result<SocketAddr> {
            let raw = get(name).unwrap_or_else(|| default.to_owned());
            raw.parse().map_err(|_| Error::Config(format!("{name}={raw:?} is not an address like 127.0.0.1:8080")))
        };
        let number = |name: &str, default: u64| -> Result<u64> {
            match get(name) {
                None => Ok(default),
                Some(raw) => raw.parse().map_err(|_| Error::Config(format!("{name}={raw:?} is not a whole number"))),
            }
        };

        let gateway_addr = addr("BATLINE_GATEWAY_ADDR", "127.0.0.1:8080")?;
        let public_url = parse_url(
            "BATLINE_PUBLIC_URL",
            &get("BATLINE_PUBLIC_URL").unwrap_or_else(|| format!("http://{gateway_addr}")),
        )?;

        let console_addr = addr("BATLINE_CONSOLE_ADDR", "127.0.0.1:8081")?;
        let console_url = parse_url(
            "BATLINE_CONSOLE_URL",
            &get("BATLINE_CONSOLE_URL").unwrap_or_else(|| format!("http://{console_addr}")),
        )?;

        let twilio = match (get("TWILIO_ACCOUNT_SID"), get("TWILIO_AUTH_TOKEN"), get("TWILIO_FROM_NUMBER")) {
            (Some(account_sid), Some(token), Some(from_number)) => Some(TwilioConfig {
                account_sid,
                auth_token: SecretString::from(token),
                api_base: parse_url(
                    "TWILIO_API_BASE",
                    &get("TWILIO_API_BASE").unwrap_or_else(|| TWILIO_DEFAULT_API_BASE.to_owned()),
                )?,
                from_number,
            }),
            (None, None, None) => None,
            _ => {
                return Err(Error::Config(
                    "set all of TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM_NUMBER, or none".into(),
                ));
            }
        };

        let config = Config {
            database_url: get("DATABASE_URL")
                .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/batline".to_owned()),
            amqp_url: get("AMQP_URL").unwrap_or_else(|| "amqp://guest:guest@127.0.0.1:5672/%2f".to_owned()),
            bus_namespace: get("BATLINE_BUS_NAMESPACE").unwrap_or_else(|| "batline".to_owned()),
            gateway_addr,
            console_addr,
            router_metrics_addr: addr("BATLINE_ROUTER_METRICS_ADDR", "127.0.0.1:8082")?,
            public_url,
            twilio,
            sms_promise_minutes: u32::try_from(number("BATLINE_SMS_PROMISE_MINUTES", 15)?)
                .map_err(|_| Error::Config("BATLINE_SMS_PROMISE_MINUTES is too large".into()))?,
            prefetch: u16::try_from(number("BATLINE_PREFETCH", 16)?)
                .map_err(|_| Error::Config("BATLINE_PREFETCH must be at most 65535".into()))?,
            session_ttl: Duration::from_secs(number("BATLINE_SESSION_HOURS", 12)? * 3600),
            session_idle: Duration::from_secs(number("BATLINE_SESSION_IDLE_MINUTES", 30)? * 60),
            console_url,
            ack_windows: AckWindows {
                sms: Duration::from_secs(number("BATLINE_ACK_SECONDS_SMS", 300)?),
                voice: Duration::from_secs(number("BATLINE_ACK_SECONDS_VOICE", 60)?),
                chat: Duration::from_secs(number("BATLINE_ACK_SECONDS_CHAT", 60)?),
                walk_in: Duration::from_secs(number("BATLINE_ACK_SECONDS_WALK_IN", 600)?),
            },
            handoff_window: Duration::from_secs(number("BATLINE_HANDOFF_SECONDS", 600)?),
            track_per_minute: u32::try_from(number("BATLINE_TRACK_PER_MINUTE", 30)?)
                .map_err(|_| Error::Config("BATLINE_TRACK_PER_MINUTE is too large".into()))?,
            webhook_per_minute: u32::try_from(number("BATLINE_WEBHOOK_PER_MINUTE", 6000)?)
                .map_err(|_| Error::Config("BATLINE_WEBHOOK_PER_MINUTE is too large".into()))?,
            sign_in_per_minute: u32::try_from(number("BATLINE_SIGN_IN_PER_MINUTE", 10)?)
                .map_err(|_| Error::Config("BATLINE_SIGN_IN_PER_MINUTE is too large".into()))?,
            previous_responder_days: u32::try_from(number("BATLINE_PREVIOUS_RESPONDER_DAYS", 30)?)
                .map_err(|_| Error::Config("BATLINE_PREVIOUS_RESPONDER_DAYS is too large".into()))?,
            voice: VoiceConfig {
                answer_wait: Duration::from_millis(number("BATLINE_VOICE_WAIT_MS", 1500)?),
                dial_timeout_seconds: u32::try_from(number("BATLINE_DIAL_TIMEOUT_SECONDS", 20)?)
                    .map_err(|_| Error::Config("BATLINE_DIAL_TIMEOUT_SECONDS is too large".into()))?,
                call_back_window: Duration::from_secs(number("BATLINE_CALL_BACK_MINUTES", 30)? * 60),
                lines: parse_voice_lines(get("BATLINE_VOICE_LINES").as_deref().unwrap_or(""))?,
            },
            chat: ChatConfig {
                origins: parse_origins(get("BATLINE_CHAT_ORIGINS").as_deref().unwrap_or(""))?,
                max_chars: usize::try_from(number("BATLINE_CHAT_MAX_CHARS", 2000)?)
                    .map_err(|_| Error::Config("BATLINE_CHAT_MAX_CHARS is too large".into()))?,
                per_minute: u32::try_from(number("BATLINE_CHAT_PER_MINUTE", 20)?)
                    .map_err(|_| Error::Config("BATLINE_CHAT_PER_MINUTE is too large".into()))?,
                connections_per_address: usize::try_from(number("BATLINE_CHAT_CONNECTIONS_PER_ADDRESS", 20)?)
                    .map_err(|_| Error::Config("BATLINE_CHAT_CONNECTIONS_PER_ADDRESS is too large".into()))?,
            },
            redact_after: Duration::from_secs(number("BATLINE_REDACT_AFTER_DAYS", 365)? * 86_400),
            fault_exit_after_store: match get("BATLINE_FAULT_EXIT_AFTER_STORE") {
                None => None,
                Some(_) => Some(number("BATLINE_FAULT_EXIT_AFTER_STORE", 0)?),
            },
            open: OpenConfig {
                show_responders: flag("BATLINE_OPEN_SHOW_RESPONDERS", get("BATLINE_OPEN_SHOW_RESPONDERS"))?,
                per_minute: u32::try_from(number("BATLINE_OPEN_PER_MINUTE", 30)?)
                    .map_err(|_| Error::Config("BATLINE_OPEN_PER_MINUTE is too large".into()))?,
            },
        };
        config.validate()?;
        Ok(config)
    }

    /// Cross-field rules, checked once so a service never starts half-configured.
    pub fn validate(&self) -> Result<()> {
        let ns = &self.bus_namespace;
        if ns.is_empty()
            || ns.len() > 64
            || !ns.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        {
            return Err(Error::Config(format!(
                "BATLINE_BUS_NAMESPACE={ns:?} must be 1-64 letters, digits, '-', '_' or '.'"
            )));
        }
        let listeners = [
            ("BATLINE_GATEWAY_ADDR", self.gateway_addr),
            ("BATLINE_CONSOLE_ADDR", self.console_addr),
            ("BATLINE_ROUTER_METRICS_ADDR", self.router_metrics_addr),
        ];
        for (i, (name, addr)) in listeners.iter().enumerate() {
            if addr.port() == 0 {
                continue;
            }
            if let Some((other, _)) = listeners[i + 1..].iter().find(|(_, a)| a == addr) {
                return Err(Error::Config(format!("{name} and {other} are both {addr}; give each its own address")));
            }
        }
        if self.session_idle.is_zero() || self.session_ttl.is_zero() {
            return Err(Error::Config(
                "BATLINE_SESSION_HOURS and BATLINE_SESSION_IDLE_MINUTES must be at least 1".into(),
            ));
        }
        if self.redact_after.is_zero() {
            return Err(Error::Config("BATLINE_REDACT_AFTER_DAYS must be at least 1".into()));
        }
        if self.sign_in_per_minute == 0 {
            return Err(Error::Config("BATLINE_SIGN_IN_PER_MINUTE must be at least 1".into()));
        }
        if self.track_per_minute == 0 {
            return Err(Error::Config("BATLINE_TRACK_PER_MINUTE must be at least 1".into()));
        }
        if self.webhook_per_minute == 0 {
            return Err(Error::Config("BATLINE_WEBHOOK_PER_MINUTE must be at least 1".into()));
        }
        if self.open.per_minute == 0 {
            return Err(Error::Config("BATLINE_OPEN_PER_MINUTE must be at least 1".into()));
        }
        if self.prefetch == 0 {
            return Err(Error::Config("BATLINE_PREFETCH must be at least 1".into()));
        }
        let windows = self.ack_windows;
        if [windows.sms, windows.voice, windows.chat, windows.walk_in].iter().any(Duration::is_zero) {
            return Err(Error::Config("acknowledgement windows (BATLINE_ACK_SECONDS_*) must be at least 1 s".into()));
        }
        let voice = &self.voice;
        if voice.answer_wait > Duration::from_secs(10) {
            return Err(Error::Config(
                "BATLINE_VOICE_WAIT_MS must be at most 10000: Twilio hangs up on answers slower than 15 s".into(),
            ));
        }
        if !(5..=120).contains(&voice.dial_timeout_seconds) {
            return Err(Error::Config("BATLINE_DIAL_TIMEOUT_SECONDS must be between 5 and 120".into()));
        }
        if voice.call_back_window.is_zero() {
            return Err(Error::Config("BATLINE_CALL_BACK_MINUTES must be at least 1".into()));
        }
        let chat = &self.chat;
        if !(1..=4000).contains(&chat.max_chars) {
            return Err(Error::Config("BATLINE_CHAT_MAX_CHARS must be between 1 and 4000".into()));
        }
        if chat.per_minute == 0 {
            return Err(Error::Config("BATLINE_CHAT_PER_MINUTE must be at least 1".into()));
        }
        if chat.connections_per_address == 0 {
            return Err(Error::Config("BATLINE_CHAT_CONNECTIONS_PER_ADDRESS must be at least 1".into()));
        }
        if self.fault_exit_after_store == Some(0) {
            return Err(Error::Config(
                "BATLINE_FAULT_EXIT_AFTER_STORE must be at least 1 (leave it unset outside the fault suite)".into(),
            ));
        }
        if self.sms_promise_minutes == 0 {
            return Err(Error::Config("BATLINE_SMS_PROMISE_MINUTES must be at least 1".into()));
        }
        if let Some(t) = &self.twilio
            && !t.from_number.starts_with('+')
        {
            return Err(Error::Config(format!(
                "TWILIO_FROM_NUMBER={:?} must be in E.164 form, like +358401234567",
                t.from_number
            )));
        }
        Ok(())
    }

    /// The Twilio settings, or an error naming what to set. Services that talk
    /// to Twilio call this at start-up.
    pub fn twilio(&self) -> Result<&TwilioConfig> {
        self.twilio.as_ref().ok_or_else(|| {
            Error::Config(
                "Twilio is not configured: set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM_NUMBER \
                 (`batline up` without them runs a local Twilio sandbox instead)"
                    .into(),
            )
        })
    }

    /// The public address of a case's tracking page.
    pub fn tracking_url(&self, code: &str) -> String {
        format!("{}/track/{code}", self.public_url.as_str().trim_end_matches('/'))
    }
}

/// Parses `BATLINE_VOICE_LINES`: `+358931000001=sv,+358931000002=en`.
fn parse_voice_lines(raw: &str) -> Result<Vec<(String, crate::domain::Language)>> {
    raw.split(',')
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .map(|entry| {
            let bad = || {
                Error::Config(format!(
                    "BATLINE_VOICE_LINES entry {entry:?} must look like +358931000001=sv (an E.164 number, '=', fi, sv or en)"
                ))
            };
            let (number, lang) = entry.split_once('=').ok_or_else(bad)?;
            let number = number.trim();
            if !number.starts_with('+') || number.len() < 4 || !number[1..].chars().all(|c| c.is_ascii_digit()) {
                return Err(bad());
            }
            let lang = lang.trim().parse().map_err(|_| bad())?;
            Ok((number.to_owned(), lang))
        })
        .collect()
}

/// A yes-or-no setting: `true`/`false` (also `1`/`0`, `yes`/`no`), default no.
fn flag(name: &str, raw: Option<String>) -> Result<bool> {
    match raw.as_deref().map(str::trim).map(str::to_ascii_lowercase).as_deref() {
        None | Some("false" | "0" | "no" | "off") => Ok(false),
        Some("true" | "1" | "yes" | "on") => Ok(true),
        Some(other) => Err(Error::Config(format!("{name}={other:?} must be true or false"))),
    }
}

/// Parses `BATLINE_CHAT_ORIGINS`: comma-separated origins, each a scheme,
/// host and optional port, as a browser sends them in `Origin`.
fn parse_origins(raw: &str) -> Result<Vec<String>> {
    raw.split(',')
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .map(|entry| {
            let url = parse_url("BATLINE_CHAT_ORIGINS", entry)?;
            let origin = url.origin().ascii_serialization();
            if url.path() != "/" || url.query().is_some() || origin != entry.trim_end_matches('/') {
                return Err(Error::Config(format!(
                    "BATLINE_CHAT_ORIGINS entry {entry:?} must be an origin like https://www.hel.fi (no path)"
                )));
            }
            Ok(origin)
        })
        .collect()
}

fn parse_url(name: &str, raw: &str) -> Result<Url> {
    let url = Url::parse(raw).map_err(|e| Error::Config(format!("{name}={raw:?} is not a URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Error::Config(format!("{name}={raw:?} must be an http or https URL")));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| (*v).to_owned())
    }

    #[test]
    fn defaults_suit_a_development_machine() -> Result<()> {
        let c = Config::from_lookup(env(&[]))?;
        assert_eq!(c.database_url, "postgres://postgres@127.0.0.1:5432/batline");
        assert_eq!(c.bus_namespace, "batline");
        assert_eq!(c.public_url.as_str(), "http://127.0.0.1:8080/");
        assert_eq!(c.router_metrics_addr.to_string(), "127.0.0.1:8082");
        assert_eq!(c.tracking_url("K7QD-4M2X"), "http://127.0.0.1:8080/track/K7QD-4M2X");
        assert!(c.twilio.is_none());
        assert!(c.twilio().is_err());
        assert_eq!(c.fault_exit_after_store, None, "the fault hook is off unless asked for");
        assert!(!c.open.show_responders, "responder names stay off /open until the city turns them on");
        assert_eq!(c.open.per_minute, 30);
        assert_eq!(c.webhook_per_minute, 6000, "far above Twilio's real rate: only a flood meets it");
        Ok(())
    }

    #[test]
    fn twilio_is_all_or_nothing_and_token_is_redacted() -> Result<()> {
        assert!(Config::from_lookup(env(&[("TWILIO_ACCOUNT_SID", "AC1")])).is_err());
        let c = Config::from_lookup(env(&[
            ("TWILIO_ACCOUNT_SID", "AC1"),
            ("TWILIO_AUTH_TOKEN", "very-secret-token"),
            ("TWILIO_FROM_NUMBER", "+358401234567"),
        ]))?;
        assert_eq!(c.twilio()?.api_base.as_str(), "https://api.twilio.com/");
        assert!(!format!("{c:?}").contains("very-secret-token"));
        Ok(())
    }

    #[test]
    fn bad_values_are_named() {
        let err = Config::from_lookup(env(&[("BATLINE_GATEWAY_ADDR", "nope")])).err();
        assert!(err.is_some_and(|e| e.to_string().contains("BATLINE_GATEWAY_ADDR")));
        let err = Config::from_lookup(env(&[("BATLINE_ROUTER_METRICS_ADDR", "8082")])).err();
        assert!(err.is_some_and(|e| e.to_string().contains("BATLINE_ROUTER_METRICS_ADDR")));
        let err = Config::from_lookup(env(&[("BATLINE_ROUTER_METRICS_ADDR", "127.0.0.1:8080")])).err();
        assert!(err.is_some_and(|e| e.to_string().contains("BATLINE_ROUTER_METRICS_ADDR")));
        let err = Config::from_lookup(env(&[("BATLINE_BUS_NAMESPACE", "a b")])).err();
        assert!(err.is_some_and(|e| e.to_string().contains("BATLINE_BUS_NAMESPACE")));
        for bad in ["0", "many", "99999999999"] {
            let err = Config::from_lookup(move |n| (n == "BATLINE_WEBHOOK_PER_MINUTE").then(|| bad.to_owned())).err();
            assert!(err.is_some_and(|e| e.to_string().contains("BATLINE_WEBHOOK_PER_MINUTE")), "{bad} accepted");
        }
        for bad in ["0", "two"] {
            let err =
                Config::from_lookup(move |n| (n == "BATLINE_FAULT_EXIT_AFTER_STORE").then(|| bad.to_owned())).err();
            assert!(err.is_some_and(|e| e.to_string().contains("BATLINE_FAULT_EXIT_AFTER_STORE")), "{bad} accepted");
        }
    }

    #[test]
    fn open_page_settings() -> Result<()> {
        assert!(Config::from_lookup(env(&[("BATLINE_OPEN_SHOW_RESPONDERS", "true")]))?.open.show_responders);
        assert!(!Config::from_lookup(env(&[("BATLINE_OPEN_SHOW_RESPONDERS", "no")]))?.open.show_responders);
        let err = Config::from_lookup(env(&[("BATLINE_OPEN_SHOW_RESPONDERS", "sometimes")])).err();
        assert!(err.is_some_and(|e| e.to_string().contains("BATLINE_OPEN_SHOW_RESPONDERS")));
        let err = Config::from_lookup(env(&[("BATLINE_OPEN_PER_MINUTE", "0")])).err();
        assert!(err.is_some_and(|e| e.to_string().contains("BATLINE_OPEN_PER_MINUTE")));
        Ok(())
    }

    #[test]
    fn chat_origins_are_origins() -> Result<()> {
        let config =
            Config::from_lookup(env(&[("BATLINE_CHAT_ORIGINS", "https://www.hel.fi, http://localhost:3000/")]))?;
        assert_eq!(config.chat.origins, ["https://www.hel.fi", "http://localhost:3000"]);
        assert_eq!(config.chat.max_chars, 2000);
        for bad in ["www.hel.fi", "https://www.hel.fi/chat", "ftp://hel.fi"] {
            let pairs: &'static [(&'static str, &'static str)] =
                Box::leak(vec![("BATLINE_CHAT_ORIGINS", bad)].into_boxed_slice());
            assert!(Config::from_lookup(env(pairs)).is_err(), "{bad} accepted");
        }
        Ok(())
    }

    #[test]
    fn voice_lines_map_numbers_to_languages() -> Result<()> {
        let c = Config::from_lookup(env(&[("BATLINE_VOICE_LINES", " +358931000001=sv, +358931000002=en ")]))?;
        assert_eq!(c.voice.line_language("+358931000001"), Some(crate::domain::Language::Sv));
        assert_eq!(c.voice.line_language("+358931000002"), Some(crate::domain::Language::En));
        assert_eq!(c.voice.line_language("+358931000003"), None);
        for bad in ["+358931000001", "358931000001=sv", "+358931000001=de", "+35893x=fi"] {
            let err = Config::from_lookup(move |name| (name == "BATLINE_VOICE_LINES").then(|| bad.to_owned())).err();
            assert!(err.is_some_and(|e| e.to_string().contains("BATLINE_VOICE_LINES")), "{bad} accepted");
        }
        let err = Config::from_lookup(env(&[("BATLINE_VOICE_WAIT_MS", "20000")])).err();
        assert!(err.is_some_and(|e| e.to_string().contains("BATLINE_VOICE_WAIT_MS")));
        Ok(())
    }
}
