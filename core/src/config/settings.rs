//! Every setting, declared once: its environment variable, its command-line
//! option, its type and range, its default and its one description. The
//! `batline` command flattens [`Settings`] into its CLI, so `--help` lists
//! every setting; [`super::Config::from_lookup`] reads the same declaration
//! from environment-like pairs; [`super::reference`] renders the book's
//! configuration page from it.
//!
//! Only rules about one setting live here (a range, a syntax). Rules across
//! settings (Twilio's all three or none, defaults derived from other
//! settings, listeners that must differ) are in [`super::Config`]'s resolve
//! step, once. Durations are declared in the unit people set them in
//! (seconds, minutes, hours, days) and turned into `Duration`s there too.
//!
//! This module uses nothing from its parent: the parent reads it.

use std::net::SocketAddr;

use clap::{
    ArgAction, Args, Command,
    builder::{BoolishValueParser, RangedU64ValueParser},
    value_parser,
};
use secrecy::SecretString;
use url::Url;

use crate::{
    domain::{Language, Role},
    telemetry::Logging,
    texts::CityName,
};

/// `BATLINE_MAIL_MAX_BYTES` when unset: 10 MiB, a phone photo or two.
pub const DEFAULT_MAIL_MAX_BYTES: u64 = 10 * 1024 * 1024;

/// All of Batline's settings, as `batline --help` lists them.
#[derive(Args, Debug, Clone)]
pub struct Settings {
    /// Where the services find their stores and where they listen.
    #[command(flatten)]
    pub services: ServiceSettings,
    /// The Twilio account.
    #[command(flatten)]
    pub twilio: TwilioSettings,
    /// Filing, assignment and the SLA clocks.
    #[command(flatten)]
    pub routing: RoutingSettings,
    /// Phone calls.
    #[command(flatten)]
    pub voice: VoiceSettings,
    /// The web chat.
    #[command(flatten)]
    pub chat: ChatSettings,
    /// The console's sign-ins.
    #[command(flatten)]
    pub console: ConsoleSettings,
    /// Staff sign-in with the city's account (OpenID Connect).
    #[command(flatten)]
    pub oidc: OidcSettings,
    /// Public pages and webhooks.
    #[command(flatten)]
    pub public: PublicSettings,
    /// Email in and out.
    #[command(flatten)]
    pub email: EmailSettings,
    /// Log lines.
    #[command(flatten)]
    pub logging: Logging,
    /// Test-only hooks.
    #[command(flatten)]
    pub faults: FaultSettings,
}

impl Settings {
    /// The declaration as a clap command of its own: what
    /// [`super::Config::from_lookup`] parses and [`super::reference`] renders.
    pub fn command() -> Command {
        Settings::augment_args(Command::new("batline"))
    }
}

/// Where the services find PostgreSQL and RabbitMQ and where they listen.
#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "Services")]
pub struct ServiceSettings {
    /// PostgreSQL. The database is created if missing.
    // Hidden in --help: a deployment's URL carries its password.
    #[arg(
        long,
        env = "DATABASE_URL",
        hide_env_values = true,
        default_value = "postgres://postgres@127.0.0.1:5432/batline"
    )]
    pub database_url: String,
    /// RabbitMQ: one node's URL, or a cluster's nodes' URLs separated by
    /// commas, tried in turn when one goes away (a 10 s heartbeat is added
    /// unless a URL sets one).
    #[arg(long, env = "AMQP_URL", hide_env_values = true, default_value = "amqp://guest:guest@127.0.0.1:5672/%2f", value_parser = amqp_urls)]
    pub amqp_url: String,
    /// Prefix of every exchange and queue, so deployments and tests can share
    /// one broker: 1-64 letters, digits, '-', '_' or '.'.
    #[arg(long, env = "BATLINE_BUS_NAMESPACE", default_value = "batline", value_parser = bus_namespace)]
    pub bus_namespace: String,
    /// The proxies in front of the gateway and the console (HAProxy, nginx, a
    /// load balancer), as addresses or networks separated by commas
    /// (`10.0.0.11,10.0.0.12` or `10.0.0.0/24`). A request from one of them
    /// counts against the client it names in `X-Forwarded-For` (the
    /// right-most address that is not itself a trusted proxy) in every
    /// per-address limit; without it, everyone behind the proxy would share
    /// one count. Unset: nobody is trusted and the TCP peer is the client.
    #[arg(long, env = "BATLINE_TRUSTED_PROXIES", value_parser = trusted_proxies)]
    pub trusted_proxies: Option<crate::client_address::TrustedProxies>,
    /// Where the gateway listens.
    #[arg(long, env = "BATLINE_GATEWAY_ADDR", default_value = "127.0.0.1:8080", value_parser = address)]
    pub gateway_addr: SocketAddr,
    /// Where the agent console listens.
    #[arg(long, env = "BATLINE_CONSOLE_ADDR", default_value = "127.0.0.1:8081", value_parser = address)]
    pub console_addr: SocketAddr,
    /// Where the gateway serves `/metrics`, `/healthz` and `/readyz`, apart
    /// from its public address (which answers 404 for them): live intake
    /// counts, rejected webhooks, queue depths and whether the database and
    /// RabbitMQ are up are for the city's monitoring, not the internet. Keep
    /// it on loopback or a private network. Port 0 picks a free one, printed
    /// at start.
    #[arg(long, env = "BATLINE_GATEWAY_OPS_ADDR", default_value = "127.0.0.1:9080", value_parser = address)]
    pub gateway_ops_addr: SocketAddr,
    /// Where the agent console serves `/metrics`, `/healthz` and `/readyz`,
    /// apart from its own address (which answers 404 for them). Keep it on
    /// loopback or a private network. Port 0 picks a free one, printed at
    /// start.
    #[arg(long, env = "BATLINE_CONSOLE_OPS_ADDR", default_value = "127.0.0.1:9081", value_parser = address)]
    pub console_ops_addr: SocketAddr,
    /// Where `batline router`, which has no other HTTP server, serves
    /// `/metrics`, `/healthz` and `/readyz`. Several routers on one machine
    /// each need their own (port 0 picks a free one, printed at start).
    /// `batline up` shows the router's metrics on the gateway's and the
    /// console's operations addresses instead.
    #[arg(long, env = "BATLINE_ROUTER_METRICS_ADDR", default_value = "127.0.0.1:8082", value_parser = address)]
    pub router_metrics_addr: SocketAddr,
    /// Where `batline up` runs the local Twilio sandbox when no Twilio account
    /// is configured.
    #[arg(long, env = "BATLINE_SANDBOX_ADDR", default_value = "127.0.0.1:8089", value_parser = address)]
    pub sandbox_addr: SocketAddr,
    /// Where the offline demo (`batline up` without a Twilio account and
    /// without `BATLINE_MAIL_FROM`) takes email for its line,
    /// palvelu@batline.test; its answers are listed at the sandbox's
    /// `/sandbox/mail`.
    #[arg(long, env = "BATLINE_DEMO_SMTP_ADDR", default_value = "127.0.0.1:2525", value_parser = address)]
    pub demo_smtp_addr: SocketAddr,
    /// Seed the demo city (its sign-ins share a published password) into an
    /// empty database even with a Twilio account configured, for staging and
    /// tests: true or false. Without a Twilio account `batline up` is the
    /// offline demo and seeds it anyway; with one and without this, it seeds
    /// nothing and refuses to start while a demo sign-in still has the demo
    /// password.
    #[arg(long, env = "BATLINE_DEMO", default_value_t = false, action = ArgAction::Set, value_parser = BoolishValueParser::new())]
    pub demo: bool,
    /// The gateway's public base URL, as Twilio and residents see it: Twilio
    /// signatures are checked against it and tracking links point at it.
    /// Unset: `http://` + the gateway address.
    #[arg(long, env = "BATLINE_PUBLIC_URL", value_parser = http_url)]
    pub public_url: Option<Url>,
    /// The console's base URL as responders' browsers see it. When it is
    /// `https://`, session cookies are marked `Secure`. Unset: `http://` + the
    /// console address.
    #[arg(long, env = "BATLINE_CONSOLE_URL", value_parser = http_url)]
    pub console_url: Option<Url>,
    /// Deliveries each bus consumer works on at once.
    #[arg(long, env = "BATLINE_PREFETCH", default_value_t = 16, value_parser = value_parser!(u16).range(1..))]
    pub prefetch: u16,
}

/// The Twilio account Batline sends from and verifies webhooks against.
#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "Twilio")]
pub struct TwilioSettings {
    /// The Twilio account. Set all three of `TWILIO_ACCOUNT_SID`,
    /// `TWILIO_AUTH_TOKEN` and `TWILIO_FROM_NUMBER`, or none: `batline up`
    /// without them runs a local Twilio sandbox.
    #[arg(long, env = "TWILIO_ACCOUNT_SID")]
    pub twilio_account_sid: Option<String>,
    /// Signs webhooks and authenticates REST calls. Never logged or shown:
    /// prefer the environment to the command line, where other users of the
    /// machine can see it.
    #[arg(long, env = "TWILIO_AUTH_TOKEN", hide_env_values = true, value_parser = secret)]
    pub twilio_auth_token: Option<SecretString>,
    /// The city's Batline number, in E.164 form like +358401234567.
    #[arg(long, env = "TWILIO_FROM_NUMBER", value_parser = e164)]
    pub twilio_from_number: Option<String>,
    /// Where the REST client sends SMS and places call-backs; tests point it at
    /// a local Twilio-compatible server.
    #[arg(long, env = "TWILIO_API_BASE", default_value = TWILIO_DEFAULT_API_BASE, value_parser = http_url)]
    pub twilio_api_base: Url,
}

/// The default for `TWILIO_API_BASE`: Twilio's real API.
pub const TWILIO_DEFAULT_API_BASE: &str = "https://api.twilio.com";

/// Filing, assignment and the SLA clocks.
#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "Cases and routing")]
pub struct RoutingSettings {
    /// The answer time, in minutes, promised in the first SMS reply.
    #[arg(long, env = "BATLINE_SMS_PROMISE_MINUTES", default_value_t = 15, value_parser = value_parser!(u32).range(1..))]
    pub sms_promise_minutes: u32,
    /// Seconds a new owner has to acknowledge an SMS case before it moves to
    /// the next candidate.
    #[arg(long, env = "BATLINE_ACK_SECONDS_SMS", default_value_t = 300, value_parser = value_parser!(u64).range(1..))]
    pub ack_seconds_sms: u64,
    /// Seconds a new owner has to acknowledge a phone case.
    #[arg(long, env = "BATLINE_ACK_SECONDS_VOICE", default_value_t = 60, value_parser = value_parser!(u64).range(1..))]
    pub ack_seconds_voice: u64,
    /// Seconds a new owner has to acknowledge a chat case.
    #[arg(long, env = "BATLINE_ACK_SECONDS_CHAT", default_value_t = 60, value_parser = value_parser!(u64).range(1..))]
    pub ack_seconds_chat: u64,
    /// Seconds a new owner has to acknowledge a walk-in case.
    #[arg(long, env = "BATLINE_ACK_SECONDS_WALK_IN", default_value_t = 600, value_parser = value_parser!(u64).range(1..))]
    pub ack_seconds_walk_in: u64,
    /// Seconds a colleague has to answer a hand-off offer before it lapses
    /// and the owner keeps the case.
    #[arg(long, env = "BATLINE_HANDOFF_SECONDS", default_value_t = 600)]
    pub handoff_seconds: u64,
    /// Seconds after a responder's last signed-in request during which they
    /// count as present at their console (an open live socket counts as
    /// present whatever this says; closing the console ends it at once).
    /// Chat and phone cases go first to present responders, and a missed
    /// acknowledgement moves a case only to a present one. A request is
    /// recorded once a tenth of this (or of the idle time below) has passed
    /// since the last one recorded, so presence ends up to a tenth early.
    #[arg(long, env = "BATLINE_PRESENCE_SECONDS", default_value_t = 180, value_parser = value_parser!(u64).range(10..=3600))]
    pub presence_seconds: u64,
    /// A resident's responder from a case opened within this many days is
    /// preferred for their next case.
    #[arg(long, env = "BATLINE_PREVIOUS_RESPONDER_DAYS", default_value_t = 30)]
    pub previous_responder_days: u32,
    /// Personal data of a case resolved this many days ago is redacted.
    #[arg(long, env = "BATLINE_REDACT_AFTER_DAYS", default_value_t = 365, value_parser = value_parser!(u64).range(1..))]
    pub redact_after_days: u64,
}

/// Phone calls.
#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "Phone calls")]
pub struct VoiceSettings {
    /// Milliseconds the voice webhook waits for the router to name an owner
    /// before answering with a short hold and a redirect; at most 10000,
    /// because Twilio hangs up on answers slower than 15 s.
    #[arg(long, env = "BATLINE_VOICE_WAIT_MS", default_value_t = 1500, value_parser = value_parser!(u64).range(..=10_000))]
    pub voice_wait_ms: u64,
    /// Seconds the owner's phone rings before the caller is offered a voice
    /// message (5 to 120).
    #[arg(long, env = "BATLINE_DIAL_TIMEOUT_SECONDS", default_value_t = 20, value_parser = value_parser!(u32).range(5..=120))]
    pub dial_timeout_seconds: u32,
    /// Minutes the owner has to call back a caller who reached nobody; then
    /// the case moves on.
    #[arg(long, env = "BATLINE_CALL_BACK_MINUTES", default_value_t = 30, value_parser = value_parser!(u64).range(1..))]
    pub call_back_minutes: u64,
    /// Which Batline number answers in which language, as
    /// `+358931000001=sv,+358931000002=en`. A caller to a number not listed
    /// hears the language Batline last spoke with them, or Finnish.
    // `::std::vec::Vec` so clap takes the whole list as one value.
    #[arg(long, env = "BATLINE_VOICE_LINES", value_parser = voice_lines)]
    pub voice_lines: Option<::std::vec::Vec<(String, Language)>>,
}

/// The web chat.
#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "Web chat")]
pub struct ChatSettings {
    /// The city sites that may embed the chat and open its WebSocket, as
    /// `https://www.hel.fi,https://palvelukartta.hel.fi` (unset: none). The
    /// gateway's own pages always may. The same list is the
    /// `frame-ancestors` of `/chat`.
    #[arg(long, env = "BATLINE_CHAT_ORIGINS", value_parser = origins)]
    pub chat_origins: Option<::std::vec::Vec<String>>,
    /// The longest chat message a resident may send, in characters (1 to 4000).
    #[arg(long, env = "BATLINE_CHAT_MAX_CHARS", default_value_t = 2000, value_parser = RangedU64ValueParser::<usize>::new().range(1..=4000))]
    pub chat_max_chars: usize,
    /// Chat messages a minute per chat session; more are refused with the
    /// time to wait.
    #[arg(long, env = "BATLINE_CHAT_PER_MINUTE", default_value_t = 20, value_parser = value_parser!(u32).range(1..))]
    pub chat_per_minute: u32,
    /// Open chat sockets per client address on one gateway.
    #[arg(long, env = "BATLINE_CHAT_CONNECTIONS_PER_ADDRESS", default_value_t = 20, value_parser = RangedU64ValueParser::<usize>::new().range(1..))]
    pub chat_connections_per_address: usize,
    /// New chat sessions (each becomes a case with a named owner) an hour
    /// per client address (IPv6 by its /64); over it, a new chat is refused
    /// with the time to wait and the line's number to call or text instead.
    /// A chat already open goes on. Residents behind one shared address (a
    /// library, a mobile operator's NAT) share this allowance.
    #[arg(long, env = "BATLINE_CHAT_NEW_PER_HOUR", default_value_t = 10, value_parser = value_parser!(u32).range(1..))]
    pub chat_new_per_hour: u32,
    /// How many of `BATLINE_CHAT_NEW_PER_HOUR` one address may open at once.
    #[arg(long, env = "BATLINE_CHAT_NEW_BURST", default_value_t = 5, value_parser = value_parser!(u32).range(1..))]
    pub chat_new_burst: u32,
    /// New chat sessions a minute from all addresses together, per gateway,
    /// above which Batline takes it for an attack: new chats are refused for
    /// everyone (chats already open go on) and the lead page shows an alert.
    #[arg(long, env = "BATLINE_CHAT_NEW_ALARM_PER_MINUTE", default_value_t = 60, value_parser = value_parser!(u32).range(1..))]
    pub chat_new_alarm_per_minute: u32,
}

/// The agent console's sign-ins.
#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "Console")]
pub struct ConsoleSettings {
    /// Hours a console sign-in lasts at most, however busy.
    #[arg(long, env = "BATLINE_SESSION_HOURS", default_value_t = 12, value_parser = value_parser!(u64).range(1..))]
    pub session_hours: u64,
    /// Minutes after which an unused console sign-in ends (up to a tenth
    /// early, as requests are recorded at most every tenth of it).
    #[arg(long, env = "BATLINE_SESSION_IDLE_MINUTES", default_value_t = 30, value_parser = value_parser!(u64).range(1..))]
    pub session_idle_minutes: u64,
    /// Console sign-in attempts a minute per client address; more are
    /// answered 429 with Retry-After.
    #[arg(long, env = "BATLINE_SIGN_IN_PER_MINUTE", default_value_t = 10, value_parser = value_parser!(u32).range(1..))]
    pub sign_in_per_minute: u32,
    /// Failed sign-ins in a row to one username from one client address
    /// (IPv6 by its /64) before that pair must wait: 30 seconds, doubling
    /// with each further failure up to `BATLINE_SIGN_IN_LOCKOUT_MAX_MINUTES`,
    /// answered 429 with Retry-After. A success resets it. Other addresses
    /// can still sign in to the account, so nobody can lock a responder out
    /// from outside.
    #[arg(long, env = "BATLINE_SIGN_IN_LOCKOUT_AFTER", default_value_t = 5, value_parser = value_parser!(u32).range(1..))]
    pub sign_in_lockout_after: u32,
    /// The longest a username and address pair is made to wait after
    /// failed sign-ins, in minutes.
    #[arg(long, env = "BATLINE_SIGN_IN_LOCKOUT_MAX_MINUTES", default_value_t = 15, value_parser = value_parser!(u64).range(1..))]
    pub sign_in_lockout_max_minutes: u64,
}

/// Staff sign-in with the city's account: the console as an OpenID Connect
/// relying party (authorisation code flow with PKCE).
#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "Staff sign-in with the city's account (OpenID Connect)")]
pub struct OidcSettings {
    /// The city's OpenID Connect issuer, exactly as its discovery document
    /// (`<issuer>/.well-known/openid-configuration`) and its tokens name it,
    /// like `https://tunnistus.hel.fi/auth/realms/helsinki-tunnistus`. Set
    /// it with `BATLINE_OIDC_CLIENT_ID`, `BATLINE_OIDC_CLIENT_SECRET` and
    /// `BATLINE_OIDC_ROLES`, or none of them. https, except on loopback
    /// (tests). The provider calls the console back at
    /// `BATLINE_CONSOLE_URL` + `/oidc/callback`, and ends sessions through
    /// back-channel logout at `/oidc/back-channel-logout`.
    #[arg(long, env = "BATLINE_OIDC_ISSUER", value_parser = issuer)]
    pub oidc_issuer: Option<String>,
    /// The console's client id at the provider; tokens must name it in `aud`.
    #[arg(long, env = "BATLINE_OIDC_CLIENT_ID")]
    pub oidc_client_id: Option<String>,
    /// The console's client secret at the provider. Never logged or shown.
    #[arg(long, env = "BATLINE_OIDC_CLIENT_SECRET", hide_env_values = true, value_parser = secret)]
    pub oidc_client_secret: Option<SecretString>,
    /// The claim of the ID token (or bearer token) that lists the person's
    /// groups, as an array of strings or one string: `groups`, or
    /// `ad_groups` for AD groups in Helsinki's staff sign-in.
    #[arg(long, env = "BATLINE_OIDC_ROLE_CLAIM", default_value = "groups")]
    pub oidc_role_claim: String,
    /// Which group gives which console role, as
    /// `lead=GRP-Batline-Leads,responder=GRP-Batline-Responders`. Someone
    /// in none of these groups is refused. Someone in several gets the
    /// first role listed here whose group they are in, so list the
    /// strongest first.
    #[arg(long, env = "BATLINE_OIDC_ROLES", value_parser = role_map)]
    pub oidc_roles: Option<::std::vec::Vec<(Role, String)>>,
    /// A value the token's `amr` claim must hold, marking a staff account
    /// (`helsinkiad` for the city's directory in Helsinki's staff
    /// sign-in). Unset: `amr` is not checked.
    #[arg(long, env = "BATLINE_OIDC_REQUIRED_AMR")]
    pub oidc_required_amr: Option<String>,
    /// Whether the console also takes usernames and passwords: true or
    /// false. Keep it on for small deployments and break-glass admins;
    /// switch it off (with an issuer configured) to make the city's account
    /// the only way in. `batline responder password` still sets passwords.
    #[arg(long, env = "BATLINE_PASSWORD_SIGN_IN", default_value_t = true, action = ArgAction::Set, value_parser = BoolishValueParser::new())]
    pub password_sign_in: bool,
}

/// What the public reaches: Twilio's webhooks, tracking and `/open`.
#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "Public pages and webhooks")]
pub struct PublicSettings {
    /// Who residents hear from: the city's name in Finnish, Swedish and
    /// English, separated by `|` (one name alone serves all three). It heads
    /// every SMS ("Helsingin kaupunki: …"), the chat and the tracking page, and
    /// opens every call.
    #[arg(long, env = "BATLINE_CITY_NAME", default_value = "Helsingin kaupunki|Helsingfors stad|City of Helsinki", value_parser = city_name)]
    pub city_name: CityName,
    /// Tracking look-ups a minute per client address; more are answered 429
    /// with Retry-After.
    #[arg(long, env = "BATLINE_TRACK_PER_MINUTE", default_value_t = 30, value_parser = value_parser!(u32).range(1..))]
    pub track_per_minute: u32,
    /// Twilio webhooks (`/twilio/*`) a minute per source (the client address;
    /// IPv6 by its /64). Real traffic comes from a few Twilio addresses, so
    /// the limit sits far above what a city's line gets and only a flood
    /// reaches it; over it, a webhook that would start a new contact is
    /// answered 429 with Retry-After before anything is read or stored.
    #[arg(long, env = "BATLINE_WEBHOOK_PER_MINUTE", default_value_t = 6000, value_parser = value_parser!(u32).range(1..))]
    pub webhook_per_minute: u32,
    /// Open311 requests a minute: posts per client application (its key),
    /// reads per client address. A city app's server speaks for all its
    /// users from one address, so this sits far above `/open`'s limit; over
    /// it, the answer is 429 with Retry-After.
    #[arg(long, env = "BATLINE_OPEN311_PER_MINUTE", default_value_t = 600, value_parser = value_parser!(u32).range(1..))]
    pub open311_per_minute: u32,
    /// Also publish the figures per responder, by name, on `/open` (the city
    /// decides to): true or false (also yes/no, on/off, 1/0).
    #[arg(long, env = "BATLINE_OPEN_SHOW_RESPONDERS", default_value_t = false, action = ArgAction::Set, value_parser = BoolishValueParser::new())]
    pub open_show_responders: bool,
    /// `/open` requests a minute per client address; more are answered 429
    /// with Retry-After. The "which area am I in" page, `/area`, counts
    /// against the same limit, and says when to try again.
    #[arg(long, env = "BATLINE_OPEN_PER_MINUTE", default_value_t = 30, value_parser = value_parser!(u32).range(1..))]
    pub open_per_minute: u32,
}

/// Email: the line's address, where mail comes in and how it goes out.
#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "Email")]
pub struct EmailSettings {
    /// The line's own address, which residents write to and answers come
    /// from (`palvelu@example.fi`); the city's name is its display name.
    /// Email is off without it.
    #[arg(long, env = "BATLINE_MAIL_FROM", value_parser = mail_address)]
    pub mail_from: Option<String>,
    /// Where the gateway takes mail by SMTP from the city's mail server,
    /// which relays the line's address to it (`127.0.0.1:2525`). It takes
    /// mail only for the line's own domains.
    #[arg(long, env = "BATLINE_SMTP_LISTEN", value_parser = address)]
    pub smtp_listen: Option<SocketAddr>,
    /// The mail server answers go out through: `smtp://host:25` (plain, for
    /// a relay on the same machine or network), `smtp://host:587?tls=required`
    /// (STARTTLS) or `smtps://host:465`, with `user:password@` before the
    /// host when the relay asks for credentials.
    // Hidden in --help: the URL may carry a password.
    #[arg(long, env = "BATLINE_SMTP_RELAY", hide_env_values = true, value_parser = smtp_url)]
    pub smtp_relay: Option<Url>,
    /// A mailbox to take the line's mail from over IMAP, for a city whose
    /// mail lives in a hosted mailbox: `imaps://user:password@host:993/INBOX`
    /// (or `imap://` on a trusted network). Batline waits for new mail with
    /// IDLE, takes each message once whatever the restarts (it remembers
    /// the mailbox's UIDs), and flags it seen when filed, or moves it to the
    /// folder `?filed=Folder` names.
    // Hidden in --help: the URL carries a password.
    #[arg(long, env = "BATLINE_IMAP_URL", hide_env_values = true, value_parser = imap_url)]
    pub imap_url: Option<Url>,
    /// More recipient domains the SMTP listener accepts mail for, besides
    /// the domain of `BATLINE_MAIL_FROM`, comma-separated
    /// (`hel.fi,helsinki.fi`).
    #[arg(long, env = "BATLINE_MAIL_DOMAINS", value_delimiter = ',', value_parser = mail_domain)]
    pub mail_domains: Option<::std::vec::Vec<String>>,
    /// Largest email the line takes, attachments included, in bytes; the
    /// SMTP listener announces it (SIZE) and refuses a larger one with 552.
    #[arg(long, env = "BATLINE_MAIL_MAX_BYTES", default_value_t = DEFAULT_MAIL_MAX_BYTES, value_parser = value_parser!(u64).range(1024..=100 * 1024 * 1024))]
    pub mail_max_bytes: u64,
}

/// Hooks for the test suites, never for production.
#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "Fault injection (tests only)")]
pub struct FaultSettings {
    /// Test-only fault injection for the fault suite (`tests/faults`), never
    /// in production. With n, the gateway process aborts right after
    /// committing its n-th contact and before publishing it, as a crash at
    /// the worst moment would, so the suite can check that the outbox relay
    /// publishes the stored contact once the gateway is back.
    #[arg(long, env = "BATLINE_FAULT_EXIT_AFTER_STORE", value_parser = value_parser!(u64).range(1..))]
    pub fault_exit_after_store: Option<u64>,
}

fn address(raw: &str) -> Result<SocketAddr, String> {
    raw.parse().map_err(|_| "not an address like 127.0.0.1:8080".to_owned())
}

fn http_url(raw: &str) -> Result<Url, String> {
    let url = Url::parse(raw).map_err(|e| format!("not a URL: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err("must be an http or https URL".to_owned());
    }
    Ok(url)
}

/// An issuer URL, kept as written (tokens must name it exactly): https, or
/// http on a loopback host for tests and development.
fn issuer(raw: &str) -> Result<String, String> {
    let url = http_url(raw)?;
    let loopback = match url.host() {
        Some(url::Host::Domain(name)) => name == "localhost",
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    if url.scheme() != "https" && !loopback {
        return Err("must be an https URL (http only on loopback, for tests)".to_owned());
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err("must have no query or fragment".to_owned());
    }
    Ok(raw.trim().to_owned())
}

/// `lead=GRP-Batline-Leads,responder=GRP-Batline-Responders`: a role, `=`,
/// a group; a role may be listed more than once, for several groups.
fn role_map(raw: &str) -> Result<Vec<(Role, String)>, String> {
    raw.split(',')
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .map(|entry| {
            let bad = || {
                format!(
                    "entry {entry:?} must look like lead=GRP-Batline-Leads (responder, desk, lead, mayor or admin, '=', a group)"
                )
            };
            let (role, group) = entry.split_once('=').ok_or_else(bad)?;
            let role = role.trim().parse().map_err(|_| bad())?;
            let group = group.trim();
            if group.is_empty() {
                return Err(bad());
            }
            Ok((role, group.to_owned()))
        })
        .collect()
}

fn secret(raw: &str) -> Result<SecretString, String> {
    Ok(SecretString::from(raw))
}

fn bus_namespace(raw: &str) -> Result<String, String> {
    if raw.is_empty()
        || raw.len() > 64
        || !raw.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return Err("must be 1-64 letters, digits, '-', '_' or '.'".to_owned());
    }
    Ok(raw.to_owned())
}

fn trusted_proxies(raw: &str) -> Result<crate::client_address::TrustedProxies, String> {
    crate::client_address::TrustedProxies::parse(raw)
}

/// One or more `amqp://` URLs separated by commas. Checked here so a typo
/// in a cluster's third node is found at start-up, not when the first two
/// are down. Not `amqps://`: lapin is built without TLS (the broker is on
/// the city's private network, as PostgreSQL is).
fn amqp_urls(raw: &str) -> Result<String, String> {
    let urls: Vec<&str> = raw.split(',').map(str::trim).filter(|u| !u.is_empty()).collect();
    if urls.is_empty() {
        return Err("must name at least one RabbitMQ node, e.g. amqp://guest:guest@127.0.0.1:5672/%2f".to_owned());
    }
    for url in urls {
        match url::Url::parse(url) {
            Ok(u) if u.scheme() == "amqp" && u.host_str().is_some() => {}
            _ => {
                return Err(format!(
                    "every node must be an amqp:// or amqps:// URL with a host, separated by commas;                      one is not: {}",
                    url.split('@').next_back().unwrap_or(url)
                ));
            }
        }
    }
    Ok(raw.to_owned())
}

/// `Helsingin kaupunki|Helsingfors stad|City of Helsinki`, or one name for all.
fn city_name(raw: &str) -> Result<CityName, String> {
    CityName::parse(raw)
}

fn e164(raw: &str) -> Result<String, String> {
    if !raw.starts_with('+') {
        return Err("must be in E.164 form, like +358401234567".to_owned());
    }
    Ok(raw.to_owned())
}

/// `+358931000001=sv,+358931000002=en`; empty entries are skipped.
fn voice_lines(raw: &str) -> Result<Vec<(String, Language)>, String> {
    raw.split(',')
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .map(|entry| {
            let bad =
                || format!("entry {entry:?} must look like +358931000001=sv (an E.164 number, '=', fi, sv or en)");
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

/// Comma-separated origins, each a scheme, host and optional port, as a
/// browser sends them in `Origin`.
fn origins(raw: &str) -> Result<Vec<String>, String> {
    raw.split(',')
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .map(|entry| {
            let url = http_url(entry).map_err(|e| format!("entry {entry:?}: {e}"))?;
            let origin = url.origin().ascii_serialization();
            if url.path() != "/" || url.query().is_some() || origin != entry.trim_end_matches('/') {
                return Err(format!("entry {entry:?} must be an origin like https://www.hel.fi (no path)"));
            }
            Ok(origin)
        })
        .collect()
}

/// An email address, stored in its lower-case form.
fn mail_address(raw: &str) -> Result<String, String> {
    crate::email_address::normalize(raw).ok_or_else(|| "not an email address like palvelu@example.fi".to_owned())
}

/// A mail domain, lower-case.
fn mail_domain(raw: &str) -> Result<String, String> {
    crate::email_address::domain(raw).ok_or_else(|| "not a mail domain like example.fi".to_owned())
}

/// An IMAP mailbox URL: `imap://` or `imaps://` with a user and a host.
fn imap_url(raw: &str) -> Result<Url, String> {
    let url = Url::parse(raw).map_err(|e| format!("not a URL: {e}"))?;
    if !matches!(url.scheme(), "imap" | "imaps") || url.host_str().is_none_or(str::is_empty) {
        return Err("must be imaps://user:password@host:993/INBOX or imap://…".to_owned());
    }
    if url.username().is_empty() {
        return Err("must name the mailbox's user: imaps://user:password@host/INBOX".to_owned());
    }
    Ok(url)
}

/// An SMTP relay URL: `smtp://` or `smtps://` with a host.
fn smtp_url(raw: &str) -> Result<Url, String> {
    let url = Url::parse(raw).map_err(|e| format!("not a URL: {e}"))?;
    if !matches!(url.scheme(), "smtp" | "smtps") || url.host_str().is_none_or(str::is_empty) {
        return Err("must be smtp://host:port or smtps://host:port".to_owned());
    }
    Ok(url)
}
