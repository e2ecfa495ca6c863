//! Configuration, read once at start-up into a typed struct. Each setting is
//! declared once, in [`settings`] (clap `Args`: environment variable,
//! option, type, range, default and description); `batline --help` and the
//! book's configuration reference ([`reference`]) come from that
//! declaration. [`Config`] is the resolved form the services read: durations
//! as `Duration`s, defaults that follow from other settings filled in, and
//! the rules across settings checked, here and only here. Defaults suit a
//! single development machine.

pub mod reference;
pub mod settings;

use std::{ffi::OsString, net::SocketAddr, time::Duration};

use clap::{Command, FromArgMatches};

use secrecy::SecretString;
use url::Url;

pub use self::settings::{Settings, TWILIO_DEFAULT_API_BASE};
use crate::{Error, Result};

/// Everything the services need to start, resolved from [`Settings`]. Each
/// field names the setting it comes from; what the setting means is in its
/// declaration ([`settings`]) and nowhere else.
#[derive(Debug, Clone)]
pub struct Config {
    /// `DATABASE_URL`.
    pub database_url: String,
    /// `AMQP_URL`.
    pub amqp_url: String,
    /// `BATLINE_BUS_NAMESPACE`.
    pub bus_namespace: String,
    /// `BATLINE_TRUSTED_PROXIES`; empty when unset.
    pub trusted_proxies: std::sync::Arc<crate::client_address::TrustedProxies>,
    /// `BATLINE_GATEWAY_ADDR`.
    pub gateway_addr: SocketAddr,
    /// `BATLINE_CONSOLE_ADDR`.
    pub console_addr: SocketAddr,
    /// `BATLINE_GATEWAY_OPS_ADDR`.
    pub gateway_ops_addr: SocketAddr,
    /// `BATLINE_CONSOLE_OPS_ADDR`.
    pub console_ops_addr: SocketAddr,
    /// `BATLINE_ROUTER_METRICS_ADDR`.
    pub router_metrics_addr: SocketAddr,
    /// `BATLINE_SANDBOX_ADDR`.
    pub sandbox_addr: SocketAddr,
    /// `BATLINE_DEMO_SMTP_ADDR`.
    pub demo_smtp_addr: SocketAddr,
    /// `BATLINE_DEMO`.
    pub demo: bool,
    /// `BATLINE_PUBLIC_URL`, or `http://` + the gateway address.
    pub public_url: Url,
    /// The `TWILIO_*` settings; `None` when none of them is set.
    pub twilio: Option<TwilioConfig>,
    /// `BATLINE_SMS_PROMISE_MINUTES`.
    pub sms_promise_minutes: u32,
    /// `BATLINE_CITY_NAME`.
    pub city_name: crate::texts::CityName,
    /// `BATLINE_PREFETCH`.
    pub prefetch: u16,
    /// `BATLINE_SESSION_HOURS`.
    pub session_ttl: Duration,
    /// `BATLINE_SESSION_IDLE_MINUTES`.
    pub session_idle: Duration,
    /// `BATLINE_CONSOLE_URL`, or `http://` + the console address.
    pub console_url: Url,
    /// `BATLINE_ACK_SECONDS_*`.
    pub ack_windows: AckWindows,
    /// `BATLINE_HANDOFF_SECONDS`.
    pub handoff_window: Duration,
    /// `BATLINE_PRESENCE_SECONDS`.
    pub presence_window: Duration,
    /// `BATLINE_TRACK_PER_MINUTE`.
    pub track_per_minute: u32,
    /// `BATLINE_WEBHOOK_PER_MINUTE`.
    pub webhook_per_minute: u32,
    /// `BATLINE_OPEN311_PER_MINUTE`.
    pub open311_per_minute: u32,
    /// `BATLINE_SIGN_IN_PER_MINUTE`.
    pub sign_in_per_minute: u32,
    /// `BATLINE_SIGN_IN_LOCKOUT_AFTER`.
    pub sign_in_lockout_after: u32,
    /// `BATLINE_SIGN_IN_LOCKOUT_MAX_MINUTES`.
    pub sign_in_lockout_max: Duration,
    /// `BATLINE_PREVIOUS_RESPONDER_DAYS`.
    pub previous_responder_days: u32,
    /// Phone calls.
    pub voice: VoiceConfig,
    /// The web chat.
    pub chat: ChatConfig,
    /// `BATLINE_REDACT_AFTER_DAYS`.
    pub redact_after: Duration,
    /// `BATLINE_FAULT_EXIT_AFTER_STORE`: the fault suite's hook, `None` outside it.
    pub fault_exit_after_store: Option<u64>,
    /// The public accountability page `/open`.
    pub open: OpenConfig,
    /// Staff sign-in with the city's account; `None` without an issuer.
    pub oidc: Option<OidcConfig>,
    /// `BATLINE_PASSWORD_SIGN_IN`.
    pub password_sign_in: bool,
    /// Email in and out; `None` without `BATLINE_MAIL_FROM`.
    pub email: Option<EmailConfig>,
}

/// The line's email: its address, where mail comes in, how answers go out.
#[derive(Debug, Clone)]
pub struct EmailConfig {
    /// `BATLINE_MAIL_FROM`, lower-case.
    pub from: String,
    /// `BATLINE_SMTP_LISTEN`.
    pub smtp_listen: Option<SocketAddr>,
    /// `BATLINE_SMTP_RELAY`. Never logged: it may carry a password.
    pub smtp_relay: SecretString,
    /// The domain of `BATLINE_MAIL_FROM` and `BATLINE_MAIL_DOMAINS`: the
    /// recipient domains the SMTP listener takes mail for.
    pub domains: Vec<String>,
    /// `BATLINE_MAIL_MAX_BYTES`.
    pub max_bytes: usize,
    /// `BATLINE_IMAP_URL`. Never logged: it carries a password.
    pub imap_url: Option<SecretString>,
}

impl EmailConfig {
    /// The offline demo's email: mail for `from` taken on `listen`, answers
    /// handed to the mail sandbox at `relay` (`host:port`), the default size
    /// limit.
    pub fn demo(from: &str, listen: SocketAddr, relay: SocketAddr) -> EmailConfig {
        EmailConfig {
            from: from.to_owned(),
            smtp_listen: Some(listen),
            smtp_relay: SecretString::from(format!("smtp://{relay}")),
            domains: vec![crate::email_address::domain_of(from).to_owned()],
            max_bytes: usize::try_from(settings::DEFAULT_MAIL_MAX_BYTES).unwrap_or(usize::MAX),
            imap_url: None,
        }
    }

    /// The domain of the line's address, which names Batline's Message-IDs.
    pub fn from_domain(&self) -> &str {
        crate::email_address::domain_of(&self.from)
    }

    /// Whether the SMTP listener takes mail addressed to `address`.
    pub fn accepts(&self, address: &str) -> bool {
        let domain = crate::email_address::domain_of(address);
        self.domains.iter().any(|d| d == domain)
    }
}

/// The console as an OpenID Connect relying party.
#[derive(Debug, Clone)]
pub struct OidcConfig {
    /// `BATLINE_OIDC_ISSUER`, as written.
    pub issuer: String,
    /// `BATLINE_OIDC_CLIENT_ID`.
    pub client_id: String,
    /// `BATLINE_OIDC_CLIENT_SECRET`. Never logged: `SecretString` prints as `[REDACTED]`.
    pub client_secret: SecretString,
    /// Where the provider sends the browser back: `BATLINE_CONSOLE_URL` + `/oidc/callback`.
    pub redirect_url: Url,
    /// `BATLINE_OIDC_ROLE_CLAIM`.
    pub role_claim: String,
    /// `BATLINE_OIDC_ROLES`, in the order given: the first that matches wins.
    pub roles: Vec<(crate::domain::Role, String)>,
    /// `BATLINE_OIDC_REQUIRED_AMR`.
    pub required_amr: Option<String>,
}

/// The public `/open` page and its open data.
#[derive(Debug, Clone, Copy)]
pub struct OpenConfig {
    /// `BATLINE_OPEN_SHOW_RESPONDERS`.
    pub show_responders: bool,
    /// `BATLINE_OPEN_PER_MINUTE`.
    pub per_minute: u32,
}

/// The web chat's limits and where it may be embedded.
#[derive(Debug, Clone)]
pub struct ChatConfig {
    /// `BATLINE_CHAT_ORIGINS`, each an origin as a browser sends it.
    pub origins: Vec<String>,
    /// `BATLINE_CHAT_MAX_CHARS`.
    pub max_chars: usize,
    /// `BATLINE_CHAT_PER_MINUTE`.
    pub per_minute: u32,
    /// `BATLINE_CHAT_CONNECTIONS_PER_ADDRESS`.
    pub connections_per_address: usize,
    /// `BATLINE_CHAT_NEW_PER_HOUR`.
    pub new_per_hour: u32,
    /// `BATLINE_CHAT_NEW_BURST`.
    pub new_burst: u32,
    /// `BATLINE_CHAT_NEW_ALARM_PER_MINUTE`.
    pub new_alarm_per_minute: u32,
}

/// How Batline answers phone calls.
#[derive(Debug, Clone)]
pub struct VoiceConfig {
    /// `BATLINE_VOICE_WAIT_MS`.
    pub answer_wait: Duration,
    /// `BATLINE_DIAL_TIMEOUT_SECONDS`.
    pub dial_timeout_seconds: u32,
    /// `BATLINE_CALL_BACK_MINUTES`.
    pub call_back_window: Duration,
    /// `BATLINE_VOICE_LINES`: Batline numbers and the language each answers in.
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
    /// `BATLINE_ACK_SECONDS_SMS`.
    pub sms: Duration,
    /// `BATLINE_ACK_SECONDS_VOICE`.
    pub voice: Duration,
    /// `BATLINE_ACK_SECONDS_CHAT`.
    pub chat: Duration,
    /// `BATLINE_ACK_SECONDS_WALK_IN`.
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
            // Written, not live, like a text: the reporter is not waiting
            // on the line.
            Channel::Open311 | Channel::Email => self.sms,
        }
    }
}

/// The Twilio account Batline sends from and verifies webhooks against.
#[derive(Debug, Clone)]
pub struct TwilioConfig {
    /// `TWILIO_ACCOUNT_SID`.
    pub account_sid: String,
    /// `TWILIO_AUTH_TOKEN`. Never logged: `SecretString` prints as `[REDACTED]`.
    pub auth_token: SecretString,
    /// `TWILIO_API_BASE`.
    pub api_base: Url,
    /// `TWILIO_FROM_NUMBER`, E.164.
    pub from_number: String,
}

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads settings through `lookup`, from their environment variables'
    /// names, so tests need not touch the process environment. A blank value
    /// counts as unset, as it always has for the environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self> {
        let declared = Settings::command();
        // Each value set becomes its option, `--gateway-addr=…`, parsed by the
        // declaration with the environment itself switched off, so `lookup`
        // is the only source.
        let mut args = vec![OsString::from("batline")];
        for arg in declared.get_arguments() {
            let (Some(env), Some(long)) = (arg.get_env().and_then(|e| e.to_str()), arg.get_long()) else {
                continue;
            };
            if let Some(value) = lookup(env).filter(|v| !v.trim().is_empty()) {
                args.push(format!("--{long}={value}").into());
            }
        }
        let parser = declared.clone().mut_args(|arg| arg.env(None::<&'static str>));
        let matches = parser.try_get_matches_from(args).map_err(|e| clap_error(&declared, &e))?;
        let settings = Settings::from_arg_matches(&matches).map_err(|e| clap_error(&declared, &e))?;
        Self::from_settings(settings)
    }

    /// Resolves parsed settings: fills in the defaults that follow from other
    /// settings, turns counts of seconds, minutes, hours and days into
    /// durations, and checks the rules across settings ([`Config::validate`]).
    pub fn from_settings(settings: Settings) -> Result<Self> {
        let Settings { services, twilio, routing, voice, chat, console, oidc, public, email, logging: _, faults } =
            settings;
        let minutes = |n: u64| Duration::from_secs(n * 60);
        let twilio = match (twilio.twilio_account_sid, twilio.twilio_auth_token, twilio.twilio_from_number) {
            (Some(account_sid), Some(auth_token), Some(from_number)) => {
                Some(TwilioConfig { account_sid, auth_token, api_base: twilio.twilio_api_base, from_number })
            }
            (None, None, None) => None,
            _ => {
                return Err(Error::Config(
                    "set all of TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM_NUMBER, or none".into(),
                ));
            }
        };
        let console_url = match services.console_url {
            Some(url) => url,
            None => derived_url("BATLINE_CONSOLE_URL", services.console_addr)?,
        };
        let password_sign_in = oidc.password_sign_in;
        let oidc = oidc_config(oidc, &console_url)?;
        let email = email_config(email)?;
        let config = Config {
            public_url: match services.public_url {
                Some(url) => url,
                None => derived_url("BATLINE_PUBLIC_URL", services.gateway_addr)?,
            },
            console_url,
            database_url: services.database_url,
            amqp_url: services.amqp_url,
            bus_namespace: services.bus_namespace,
            trusted_proxies: std::sync::Arc::new(services.trusted_proxies.unwrap_or_default()),
            gateway_addr: services.gateway_addr,
            console_addr: services.console_addr,
            gateway_ops_addr: services.gateway_ops_addr,
            console_ops_addr: services.console_ops_addr,
            router_metrics_addr: services.router_metrics_addr,
            sandbox_addr: services.sandbox_addr,
            demo_smtp_addr: services.demo_smtp_addr,
            demo: services.demo,
            twilio,
            sms_promise_minutes: routing.sms_promise_minutes,
            prefetch: services.prefetch,
            session_ttl: Duration::from_secs(console.session_hours * 3600),
            session_idle: minutes(console.session_idle_minutes),
            ack_windows: AckWindows {
                sms: Duration::from_secs(routing.ack_seconds_sms),
                voice: Duration::from_secs(routing.ack_seconds_voice),
                chat: Duration::from_secs(routing.ack_seconds_chat),
                walk_in: Duration::from_secs(routing.ack_seconds_walk_in),
            },
            handoff_window: Duration::from_secs(routing.handoff_seconds),
            presence_window: Duration::from_secs(routing.presence_seconds),
            track_per_minute: public.track_per_minute,
            webhook_per_minute: public.webhook_per_minute,
            open311_per_minute: public.open311_per_minute,
            sign_in_per_minute: console.sign_in_per_minute,
            sign_in_lockout_after: console.sign_in_lockout_after,
            sign_in_lockout_max: minutes(console.sign_in_lockout_max_minutes),
            previous_responder_days: routing.previous_responder_days,
            voice: VoiceConfig {
                answer_wait: Duration::from_millis(voice.voice_wait_ms),
                dial_timeout_seconds: voice.dial_timeout_seconds,
                call_back_window: minutes(voice.call_back_minutes),
                lines: voice.voice_lines.unwrap_or_default(),
            },
            chat: ChatConfig {
                origins: chat.chat_origins.unwrap_or_default(),
                max_chars: chat.chat_max_chars,
                per_minute: chat.chat_per_minute,
                connections_per_address: chat.chat_connections_per_address,
                new_per_hour: chat.chat_new_per_hour,
                new_burst: chat.chat_new_burst,
                new_alarm_per_minute: chat.chat_new_alarm_per_minute,
            },
            redact_after: Duration::from_secs(routing.redact_after_days * 86_400),
            fault_exit_after_store: faults.fault_exit_after_store,
            city_name: public.city_name,
            open: OpenConfig { show_responders: public.open_show_responders, per_minute: public.open_per_minute },
            oidc,
            password_sign_in,
            email,
        };
        config.validate()?;
        Ok(config)
    }

    /// The rules across settings, checked once so a service never starts
    /// half-configured. (A setting's own range and syntax are in its
    /// declaration, [`settings`].)
    pub fn validate(&self) -> Result<()> {
        let listeners = [
            ("BATLINE_GATEWAY_ADDR", self.gateway_addr),
            ("BATLINE_CONSOLE_ADDR", self.console_addr),
            ("BATLINE_GATEWAY_OPS_ADDR", self.gateway_ops_addr),
            ("BATLINE_CONSOLE_OPS_ADDR", self.console_ops_addr),
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
        if !self.password_sign_in && self.oidc.is_none() {
            return Err(Error::Config(
                "BATLINE_PASSWORD_SIGN_IN=false needs BATLINE_OIDC_ISSUER: nobody could sign in to the console".into(),
            ));
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

    /// How stale a session's last use may grow before a request records a
    /// new one: a tenth of the shorter of the idle timeout and the presence
    /// window (18 s by default), so both stay true to within a tenth.
    /// Recording every request was a write and a commit each, on one row
    /// that a page's parallel requests all wait for.
    pub fn session_touch_every(&self) -> Duration {
        self.session_idle.min(self.presence_window) / 10
    }
}

/// Prepares a CLI that flattens [`Settings`] (the `batline` command): every
/// setting becomes global, so each subcommand's `--help` lists it and takes
/// it, and a variable set but blank counts as unset, as in
/// [`Config::from_lookup`].
pub fn settings_for_cli(command: Command) -> Command {
    command.mut_args(|arg| {
        let Some(env) = arg.get_env().map(ToOwned::to_owned) else {
            return arg;
        };
        let blank = std::env::var_os(&env).is_some_and(|v| v.to_string_lossy().trim().is_empty());
        let arg = arg.global(true);
        if blank { arg.env(None::<&'static str>) } else { arg }
    })
}

/// Says which setting a clap error is about, by its environment variable,
/// as `BATLINE_GATEWAY_ADDR="nope": not an address like 127.0.0.1:8080`, or
/// `None` when the error is not about a setting's value. `command` is the
/// one that was parsed (with [`Settings`] in it).
pub fn explain(command: &Command, err: &clap::Error) -> Option<String> {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    if !matches!(err.kind(), ErrorKind::InvalidValue | ErrorKind::ValueValidation) {
        return None;
    }
    let string = |kind| match err.get(kind) {
        Some(ContextValue::String(s)) => Some(s.as_str()),
        _ => None,
    };
    // "--gateway-addr <GATEWAY_ADDR>"
    let long = string(ContextKind::InvalidArg)?.split([' ', '=']).next()?.strip_prefix("--")?;
    let arg = command.get_arguments().find(|a| a.get_long() == Some(long))?;
    let name = arg.get_env().map_or_else(|| format!("--{long}"), |e| e.to_string_lossy().into_owned());
    let reason = match (std::error::Error::source(err), err.get(ContextKind::ValidValue)) {
        (Some(source), _) => source.to_string(),
        (None, Some(ContextValue::Strings(valid))) => format!("must be one of {}", valid.join(", ")),
        _ => "is not a valid value".to_owned(),
    };
    Some(match string(ContextKind::InvalidValue) {
        Some(value) if !arg.is_hide_env_values_set() => format!("{name}={value:?}: {reason}"),
        _ => format!("{name}: {reason}"),
    })
}

fn clap_error(command: &Command, err: &clap::Error) -> Error {
    Error::Config(explain(command, err).unwrap_or_else(|| err.to_string().trim().to_owned()))
}

/// The OpenID Connect settings: the issuer, client id, secret and role map
/// all, or none of them.
fn oidc_config(oidc: settings::OidcSettings, console_url: &Url) -> Result<Option<OidcConfig>> {
    let roles = oidc.oidc_roles.unwrap_or_default();
    match (oidc.oidc_issuer, oidc.oidc_client_id, oidc.oidc_client_secret) {
        (Some(issuer), Some(client_id), Some(client_secret)) => {
            if roles.is_empty() {
                return Err(Error::Config(
                    "BATLINE_OIDC_ROLES must map at least one group to a role, like \
                     lead=GRP-Batline-Leads,responder=GRP-Batline-Responders: without it nobody could sign in"
                        .into(),
                ));
            }
            let redirect_url = console_url
                .join("/oidc/callback")
                .map_err(|e| Error::Config(format!("BATLINE_CONSOLE_URL: no callback address under it: {e}")))?;
            Ok(Some(OidcConfig {
                issuer,
                client_id,
                client_secret,
                redirect_url,
                role_claim: oidc.oidc_role_claim,
                roles,
                required_amr: oidc.oidc_required_amr.filter(|v| !v.trim().is_empty()),
            }))
        }
        (None, None, None) => Ok(None),
        _ => Err(Error::Config(
            "set all of BATLINE_OIDC_ISSUER, BATLINE_OIDC_CLIENT_ID and BATLINE_OIDC_CLIENT_SECRET, or none".into(),
        )),
    }
}

/// `http://` + a listener's address, the default of a base URL.
/// Email is on with `BATLINE_MAIL_FROM`, and then needs a relay to answer
/// through; a listener or a relay without the line's address is a mistake.
fn email_config(email: settings::EmailSettings) -> Result<Option<EmailConfig>> {
    let Some(from) = email.mail_from else {
        if email.smtp_listen.is_some() || email.smtp_relay.is_some() || email.imap_url.is_some() {
            return Err(Error::Config(
                "BATLINE_SMTP_LISTEN, BATLINE_IMAP_URL and BATLINE_SMTP_RELAY need BATLINE_MAIL_FROM, \
                 the line's own address"
                    .into(),
            ));
        }
        return Ok(None);
    };
    let Some(relay) = email.smtp_relay else {
        return Err(Error::Config(
            "BATLINE_MAIL_FROM needs BATLINE_SMTP_RELAY: answers to residents go out through it".into(),
        ));
    };
    let mut domains = vec![crate::email_address::domain_of(&from).to_owned()];
    for domain in email.mail_domains.unwrap_or_default() {
        if !domains.contains(&domain) {
            domains.push(domain);
        }
    }
    Ok(Some(EmailConfig {
        from,
        smtp_listen: email.smtp_listen,
        smtp_relay: SecretString::from(relay.to_string()),
        domains,
        max_bytes: usize::try_from(email.mail_max_bytes).unwrap_or(usize::MAX),
        imap_url: email.imap_url.map(|url| SecretString::from(url.to_string())),
    }))
}

fn derived_url(name: &str, addr: SocketAddr) -> Result<Url> {
    Url::parse(&format!("http://{addr}")).map_err(|e| Error::Config(format!("{name}: http://{addr} is not a URL: {e}")))
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
        assert_eq!(c.gateway_ops_addr.to_string(), "127.0.0.1:9080", "operations stay on loopback");
        assert_eq!(c.console_ops_addr.to_string(), "127.0.0.1:9081", "operations stay on loopback");
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

    /// The book's environment file for production (`docs/deploy/systemd/`)
    /// names only settings that exist, with values they take, commented-out
    /// ones included.
    #[test]
    fn the_production_environment_example_is_a_valid_configuration() -> Result<()> {
        let text = include_str!("../../docs/deploy/systemd/batline.env.example");
        let declared: Vec<String> = Settings::command()
            .get_arguments()
            .filter_map(|a| a.get_env().and_then(|e| e.to_str()).map(str::to_owned))
            .collect();
        let mut set = Vec::new();
        for line in text.lines() {
            let line = line.trim();
            let assignment = line.strip_prefix('#').unwrap_or(line);
            let Some((name, value)) = assignment.split_once('=') else { continue };
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_') {
                continue;
            }
            assert!(declared.iter().any(|d| d == name), "{name} is not a setting");
            if !line.starts_with('#') {
                set.push((name.to_owned(), value.trim_matches('"').to_owned()));
            }
        }
        assert!(set.len() > 10, "the example sets the settings a deployment needs");
        let config = Config::from_lookup(|name| set.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()))?;
        assert_eq!(crate::bus::brokers(&config.amqp_url).len(), 3);
        assert!(!config.trusted_proxies.is_empty());
        Ok(())
    }

    #[test]
    fn amqp_url_names_one_node_or_a_cluster() -> Result<()> {
        let cluster = "amqp://guest:guest@10.0.0.1:5672/%2f, amqp://guest:guest@10.0.0.2:5672/%2f,amqp://10.0.0.3/%2f";
        let c = Config::from_lookup(move |name| (name == "AMQP_URL").then(|| cluster.to_owned()))?;
        let brokers = crate::bus::brokers(&c.amqp_url);
        assert_eq!(brokers.len(), 3);
        assert!(brokers.iter().all(|b| b.contains("heartbeat=10")));
        assert_eq!(crate::bus::broker_address(&brokers[2]), "10.0.0.3:5672");
        for bad in [" , ", "amqp://guest:secret-pw@10.0.0.1/%2f,http://10.0.0.2/", "10.0.0.1:5672", "amqps://10.0.0.1/"]
        {
            let err = Config::from_lookup(move |name| (name == "AMQP_URL").then(|| bad.to_owned())).err();
            let text = err.map(|e| e.to_string()).unwrap_or_default();
            assert!(text.contains("AMQP_URL"), "{bad}: {text}");
            assert!(!text.contains("secret-pw"), "the error must not show a password: {text}");
        }
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
        // The operations listener on the public address would publish it again.
        let err = Config::from_lookup(env(&[("BATLINE_GATEWAY_OPS_ADDR", "127.0.0.1:8080")])).err();
        assert!(err.is_some_and(|e| e.to_string().contains("BATLINE_GATEWAY_OPS_ADDR")));
        let err = Config::from_lookup(env(&[("BATLINE_CONSOLE_OPS_ADDR", "127.0.0.1:8081")])).err();
        assert!(err.is_some_and(|e| e.to_string().contains("BATLINE_CONSOLE_OPS_ADDR")));
        let err = Config::from_lookup(env(&[("BATLINE_CONSOLE_OPS_ADDR", "127.0.0.1:9080")])).err();
        assert!(err.is_some_and(|e| e.to_string().contains("BATLINE_CONSOLE_OPS_ADDR")));
        let free = env(&[("BATLINE_GATEWAY_OPS_ADDR", "127.0.0.1:0"), ("BATLINE_CONSOLE_OPS_ADDR", "127.0.0.1:0")]);
        assert!(Config::from_lookup(free).is_ok(), "port 0 picks a free port for each");
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
    fn openid_connect_needs_its_three_settings_and_a_role_map() -> Result<()> {
        let c = Config::from_lookup(env(&[]))?;
        assert!(c.oidc.is_none() && c.password_sign_in, "passwords only, until an issuer is configured");
        let c = Config::from_lookup(env(&[
            ("BATLINE_OIDC_ISSUER", "https://tunnistus.hel.fi/auth/realms/helsinki-tunnistus"),
            ("BATLINE_OIDC_CLIENT_ID", "batline"),
            ("BATLINE_OIDC_CLIENT_SECRET", "s3cret"),
            ("BATLINE_OIDC_ROLE_CLAIM", "ad_groups"),
            ("BATLINE_OIDC_ROLES", "lead=GRP-Batline-Leads, responder=GRP-Batline-Responders"),
            ("BATLINE_OIDC_REQUIRED_AMR", "helsinkiad"),
            ("BATLINE_CONSOLE_URL", "https://batline.hel.fi"),
            ("BATLINE_PASSWORD_SIGN_IN", "false"),
        ]))?;
        let oidc = c.oidc.ok_or_else(|| Error::Config("no OIDC settings".into()))?;
        assert_eq!(oidc.issuer, "https://tunnistus.hel.fi/auth/realms/helsinki-tunnistus", "kept as written");
        assert_eq!(oidc.redirect_url.as_str(), "https://batline.hel.fi/oidc/callback");
        assert_eq!(oidc.role_claim, "ad_groups");
        assert_eq!(
            oidc.roles,
            vec![
                (crate::domain::Role::Lead, "GRP-Batline-Leads".to_owned()),
                (crate::domain::Role::Responder, "GRP-Batline-Responders".to_owned())
            ]
        );
        assert_eq!(oidc.required_amr.as_deref(), Some("helsinkiad"));
        assert!(!c.password_sign_in);
        assert!(!format!("{oidc:?}").contains("s3cret"), "the secret stays out of Debug");

        let partial = Config::from_lookup(env(&[("BATLINE_OIDC_ISSUER", "https://id.example")])).err();
        assert!(partial.is_some_and(|e| e.to_string().contains("BATLINE_OIDC_CLIENT_ID")));
        let no_roles = Config::from_lookup(env(&[
            ("BATLINE_OIDC_ISSUER", "https://id.example"),
            ("BATLINE_OIDC_CLIENT_ID", "batline"),
            ("BATLINE_OIDC_CLIENT_SECRET", "s3cret"),
        ]))
        .err();
        assert!(no_roles.is_some_and(|e| e.to_string().contains("BATLINE_OIDC_ROLES")));
        let plain = Config::from_lookup(env(&[("BATLINE_OIDC_ISSUER", "http://id.example")])).err();
        assert!(plain.is_some_and(|e| e.to_string().contains("https")), "http only on loopback");
        let bad_role = Config::from_lookup(env(&[("BATLINE_OIDC_ROLES", "boss=GRP-X")])).err();
        assert!(bad_role.is_some_and(|e| e.to_string().contains("BATLINE_OIDC_ROLES")));
        let locked_out = Config::from_lookup(env(&[("BATLINE_PASSWORD_SIGN_IN", "false")])).err();
        assert!(locked_out.is_some_and(|e| e.to_string().contains("BATLINE_OIDC_ISSUER")), "nobody could sign in");
        Ok(())
    }

    #[test]
    fn a_bad_value_is_named_by_its_variable_with_the_reason() {
        let err = Config::from_lookup(env(&[("BATLINE_GATEWAY_ADDR", "nope")])).err().map(|e| e.to_string());
        assert_eq!(
            err.as_deref(),
            Some("configuration: BATLINE_GATEWAY_ADDR=\"nope\": not an address like 127.0.0.1:8080")
        );
        let err = Config::from_lookup(env(&[("BATLINE_DIAL_TIMEOUT_SECONDS", "3")])).err().map(|e| e.to_string());
        assert!(err.as_deref().is_some_and(|e| e.contains("BATLINE_DIAL_TIMEOUT_SECONDS=\"3\"")), "{err:?}");
        // Blank is unset, as it always was.
        assert!(Config::from_lookup(env(&[("BATLINE_GATEWAY_ADDR", " "), ("TWILIO_ACCOUNT_SID", "")])).is_ok());
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
