//! `batline`: run Batline's services alone or together and administer
//! responders. `batline --help` lists it all; the benchmarks are a binary of
//! their own, `batline-bench`.

use std::{io::Write, sync::Arc, time::Duration};

use anyhow::Context;
use batline::{seed, services};
use batline_core::{
    Config,
    config::{self, Settings, TwilioConfig},
    domain::{DutyStatus, Language, Role},
    password,
    store::{self, responders::NewResponder},
};
use batline_test_kit::{
    mail_sandbox::MailSandbox,
    twilio_sandbox::{
        DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN, DEMO_FROM_NUMBER, InboundCall, InboundSms, ResidentPhone, TwilioSandbox,
        new_sid,
    },
};
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use secrecy::SecretString;
use tokio_util::sync::CancellationToken;

#[derive(Parser)]
#[command(name = "batline", version, about = "Batline: someone always answers, listens, acts.")]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Every setting, from the environment or as an option; global, so each
    /// subcommand's `--help` lists them too.
    #[command(flatten)]
    settings: Settings,
}

#[derive(Subcommand)]
enum Command {
    /// Everything on one machine: migrate, seed a demo city if the database is
    /// empty, start gateway, router and console, print the URLs and sign-ins.
    /// Without a Twilio account it runs a local Twilio sandbox.
    Up,
    /// The gateway alone (Twilio webhooks, SMS sender, tracking).
    Gateway,
    /// A router alone (filing and assignment). Run as many as you like.
    Router,
    /// The agent console alone.
    Console,
    /// Apply database migrations and exit.
    Migrate,
    /// Administer responders.
    Responder {
        #[command(subcommand)]
        command: ResponderCommand,
    },
    /// The city's districts, streets and postal codes (issue 19).
    Areas {
        #[command(subcommand)]
        command: AreasCommand,
    },
    /// Walk-in points (Batcaves).
    WalkInPoint {
        #[command(subcommand)]
        command: WalkInPointCommand,
    },
    /// A resident's personal data (GDPR): export it, or erase it.
    Resident {
        #[command(subcommand)]
        command: ResidentCommand,
    },
    /// Duty rosters.
    Roster {
        #[command(subcommand)]
        command: RosterCommand,
    },
    /// Text the running Batline as a resident would (a signed Twilio webhook).
    Text {
        /// The resident's phone number.
        #[arg(long, default_value = "+358401234567")]
        from: String,
        /// What they write.
        body: String,
    },
    /// Call the running Batline as a resident would (a signed Twilio voice
    /// webhook) and print the TwiML it answers with.
    Call {
        /// The resident's phone number.
        #[arg(long, default_value = "+358401234567")]
        from: String,
    },
}

#[derive(Subcommand)]
enum AreasCommand {
    /// Load a city's data directory (`data/areas/helsinki` is Helsinki's),
    /// replacing the areas, streets, places and postal codes loaded before.
    /// Running services read it when they start: restart them after.
    Load {
        /// The directory with areas.geojson, streets.tsv, places.tsv and
        /// postal_codes.tsv.
        dir: std::path::PathBuf,
    },
    /// Print where a text or a point places its writer, as Batline reads it.
    Locate {
        /// A resident's words, e.g. "Fleminginkadun ja Helsinginkadun kulmassa".
        #[arg(required_unless_present = "lon")]
        text: Option<String>,
        /// Longitude (WGS84), with --lat: the districts of a point instead.
        #[arg(long, requires = "lat", allow_negative_numbers = true)]
        lon: Option<f64>,
        /// Latitude (WGS84).
        #[arg(long, requires = "lon", allow_negative_numbers = true)]
        lat: Option<f64>,
    },
}

#[derive(Subcommand)]
enum WalkInPointCommand {
    /// Add a walk-in point.
    Add {
        /// Its name, e.g. "Batcave Kallio", as staff know it.
        #[arg(long)]
        name: String,
        /// Its name as residents read it on SMS receipts and printed
        /// tickets, e.g. "Kallion asiointipiste"; default the name.
        #[arg(long)]
        public_name: Option<String>,
        /// Street address.
        #[arg(long)]
        address: String,
        /// District.
        #[arg(long)]
        area: String,
        /// Opening hours in Helsinki time, e.g. "mon-fri 08:00-16:00, sat 10:00-14:00".
        #[arg(long, default_value = "")]
        hours: String,
    },
    /// List walk-in points.
    List,
}

#[derive(Subcommand)]
enum RosterCommand {
    /// Import shifts from a CSV file with the header
    /// date,start,end,area,lead,members (Helsinki local time; an empty area
    /// is city-wide; members separated by ';'). All rows or none.
    Import {
        /// The CSV file.
        file: std::path::PathBuf,
    },
    /// List every stretch of the coming days with nobody on duty for a
    /// language or an area.
    Coverage {
        /// How many days ahead.
        #[arg(long, default_value_t = 7)]
        days: u32,
    },
}

#[derive(Subcommand)]
enum ResidentCommand {
    /// Print everything Batline holds about a resident as JSON: their
    /// record and, per case, its facts, messages, calls and timeline.
    Export {
        /// The resident's phone number, e.g. +358401234567.
        #[arg(long)]
        phone: String,
    },
    /// Redact every case of a resident now (open ones stay open with their
    /// owner) and forget their number. Times, owners and SLA figures stay.
    Erase {
        /// The resident's phone number.
        #[arg(long)]
        phone: String,
        /// Required: erasure cannot be undone.
        #[arg(long)]
        confirm: bool,
    },
}

#[derive(Subcommand)]
enum ResponderCommand {
    /// Add a responder.
    Add {
        /// Sign-in name.
        #[arg(long)]
        username: String,
        /// The name residents see.
        #[arg(long)]
        name: String,
        /// Password (or set BATLINE_RESPONDER_PASSWORD).
        #[arg(long, env = "BATLINE_RESPONDER_PASSWORD", hide_env_values = true)]
        password: String,
        /// Languages spoken, comma-separated: fi,sv,en.
        #[arg(long, value_delimiter = ',', default_value = "fi")]
        languages: Vec<Language>,
        /// Districts, comma-separated.
        #[arg(long, value_delimiter = ',')]
        areas: Vec<String>,
        /// Topics, comma-separated (streets, parks, housing, ...).
        #[arg(long, value_delimiter = ',')]
        topics: Vec<String>,
        /// Open cases they can hold at most.
        #[arg(long, default_value_t = 10)]
        capacity: i32,
        /// Console role: responder, desk, lead, mayor or admin.
        #[arg(long, default_value = "responder")]
        role: Role,
        /// Put them on duty at once.
        #[arg(long)]
        on_duty: bool,
        /// Make them the backstop, who takes cases when nobody is on duty.
        #[arg(long)]
        backstop: bool,
    },
    /// Change a responder: only the options given change.
    Update {
        /// Who.
        #[arg(long)]
        username: String,
        /// The name residents see.
        #[arg(long)]
        name: Option<String>,
        /// Languages spoken, comma-separated.
        #[arg(long, value_delimiter = ',')]
        languages: Option<Vec<Language>>,
        /// Districts, comma-separated.
        #[arg(long, value_delimiter = ',')]
        areas: Option<Vec<String>>,
        /// Topics, comma-separated.
        #[arg(long, value_delimiter = ',')]
        topics: Option<Vec<String>>,
        /// Open cases at most.
        #[arg(long)]
        capacity: Option<i32>,
        /// Console role.
        #[arg(long)]
        role: Option<Role>,
        /// on_duty, away or off (off hands their open cases on).
        #[arg(long)]
        duty: Option<DutyStatus>,
        /// Make them the backstop (the previous one stops being it).
        #[arg(long)]
        backstop: bool,
        /// Their home walk-in point, by name.
        #[arg(long)]
        home_point: Option<String>,
    },
    /// Give a responder a new password (and end their sessions), e.g. a demo
    /// sign-in before a line goes live.
    Password {
        /// Their sign-in name.
        #[arg(long)]
        username: String,
        /// The new password, at least 10 characters (or set BATLINE_RESPONDER_PASSWORD).
        #[arg(long, env = "BATLINE_RESPONDER_PASSWORD", hide_env_values = true)]
        password: String,
    },
    /// Set the email address a responder is linked by at their first
    /// sign-in with the city's account, when the city's directory knows them
    /// by another username (`--email ''` clears it).
    Email {
        /// Their sign-in name.
        #[arg(long)]
        username: String,
        /// The address the city's directory gives them.
        #[arg(long)]
        email: String,
    },
    /// List responders.
    List,
}

#[tokio::main]
async fn main() {
    let cli = parse();
    batline_core::telemetry::init_with(&cli.settings.logging);
    if let Err(e) = run(cli).await {
        // A reader that stopped reading (`batline roster coverage | head`) is not a failure.
        if e.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe) {
            return;
        }
        eprintln!("batline: {e:#}");
        std::process::exit(1);
    }
}

/// The command line and the environment, through the settings' declaration.
/// A bad setting is named by its variable, as `Config::from_env` names it.
fn parse() -> Cli {
    let command = config::settings_for_cli(Cli::command());
    let parsed = command.clone().try_get_matches().and_then(|matches| Cli::from_arg_matches(&matches));
    match parsed {
        Ok(cli) => cli,
        Err(e) => match config::explain(&command, &e) {
            Some(message) => {
                eprintln!("batline: {message}");
                std::process::exit(1);
            }
            None => e.exit(),
        },
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let config = Config::from_settings(cli.settings)?;
    match cli.command {
        Command::Up => up(config).await,
        Command::Gateway => single(config, Part::Gateway).await,
        Command::Router => single(config, Part::Router).await,
        Command::Console => single(config, Part::Console).await,
        Command::Migrate => {
            services::database(&config).await?;
            println!("migrations applied");
            Ok(())
        }
        Command::Responder { command } => responder(config, command).await,
        Command::Resident { command } => resident(config, command).await,
        Command::Roster { command } => roster(config, command).await,
        Command::Areas { command } => areas(config, command).await,
        Command::WalkInPoint { command } => walk_in_point(config, command).await,
        Command::Text { from, body } => text(config, &from, &body).await,
        Command::Call { from } => call(config, &from).await,
    }
}

#[derive(Clone, Copy)]
enum Part {
    Gateway,
    Router,
    Console,
}

async fn single(config: Config, part: Part) -> anyhow::Result<()> {
    let config = Arc::new(config);
    let (shutdown, bus_stop) = (CancellationToken::new(), CancellationToken::new());
    let pool = services::database(&config).await?;
    let bus = services::bus(&config, &bus_stop).await?;
    let service = match part {
        Part::Gateway => {
            let listeners = services::Listeners::gateway(&config).await?;
            let (public, ops) = listeners.addresses()?;
            println!("gateway listening on http://{public}");
            println!("gateway operations (/metrics, /healthz, /readyz) on http://{ops}");
            services::gateway(config.clone(), pool, bus, listeners, shutdown.clone())?
        }
        Part::Router => {
            let listener = services::bind(config.router_metrics_addr, "BATLINE_ROUTER_METRICS_ADDR").await?;
            println!("router consuming {}", bus.names().intake_queue());
            println!("router operations (/metrics, /healthz, /readyz) on http://{}", listener.local_addr()?);
            let router = services::router(config.clone(), pool.clone(), bus.clone(), shutdown.clone()).await?;
            // Not waited for: it answers `/readyz` (draining) until the bus closes.
            let _metrics = services::router_metrics(pool, bus, listener, shutdown.clone());
            return wait(vec![router], shutdown, bus_stop).await;
        }
        Part::Console => {
            refuse_demo_sign_ins(&config, &pool).await?;
            let listeners = services::Listeners::console(&config).await?;
            let (public, ops) = listeners.addresses()?;
            println!("console listening on http://{public}");
            println!("console operations (/metrics, /healthz, /readyz) on http://{ops}");
            services::console(config.clone(), pool, bus, listeners, shutdown.clone())?
        }
    };
    wait(vec![service], shutdown, bus_stop).await
}

/// The offline demo's email address, when the line has none of its own.
const DEMO_MAIL_FROM: &str = "palvelu@batline.test";

async fn up(mut config: Config) -> anyhow::Result<()> {
    let shutdown = CancellationToken::new();
    let mut sandbox = None;
    let mut mail_sandbox = None;
    // The offline demo (no Twilio account) or a staging line that asks for
    // it; a real line is never given sign-ins whose password is published.
    let demo = config.twilio.is_none() || config.demo;
    if config.twilio.is_none() {
        // Email too, offline, unless the line has its own: mail for the
        // demo's address is taken on BATLINE_DEMO_SMTP_ADDR, and the
        // answers are kept by the mail sandbox (on a port of its own that
        // nobody else needs to know) and listed beside the SMS.
        if config.email.is_none() {
            let relay = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
            let relay_addr = relay.local_addr()?;
            mail_sandbox = Some(MailSandbox::start(relay, shutdown.clone()));
            config.email = Some(config::EmailConfig::demo(DEMO_MAIL_FROM, config.demo_smtp_addr, relay_addr));
        }
        let listener = services::bind(config.sandbox_addr, "BATLINE_SANDBOX_ADDR").await?;
        let sb = TwilioSandbox::start_with(
            listener,
            DEMO_ACCOUNT_SID,
            DEMO_AUTH_TOKEN,
            mail_sandbox.as_ref(),
            shutdown.clone(),
        )?;
        config.twilio = Some(TwilioConfig {
            account_sid: DEMO_ACCOUNT_SID.into(),
            auth_token: SecretString::from(DEMO_AUTH_TOKEN),
            api_base: sb.api_base().parse()?,
            from_number: DEMO_FROM_NUMBER.into(),
        });
        sandbox = Some(sb);
    }
    let config = Arc::new(config);
    let pool = services::database(&config).await?;
    let seeded = if demo {
        if seed::helsinki_areas_if_empty(&pool).await? {
            println!("Loaded Helsinki's districts, streets and postal codes (data/areas/helsinki).");
        }
        seed::demo_city_if_empty(&pool, &config).await?
    } else {
        refuse_demo_sign_ins(&config, &pool).await?;
        Vec::new()
    };
    let bus_stop = CancellationToken::new();
    let bus = services::bus(&config, &bus_stop).await?;
    let gateway_listeners = services::Listeners::gateway(&config).await?;
    let console_listeners = services::Listeners::console(&config).await?;
    let (_, gateway_ops) = gateway_listeners.addresses()?;
    let (console, console_ops) = console_listeners.addresses()?;
    let started = vec![
        services::router(config.clone(), pool.clone(), bus.clone(), shutdown.clone()).await?,
        services::gateway(config.clone(), pool.clone(), bus.clone(), gateway_listeners, shutdown.clone())?,
        services::console(config.clone(), pool.clone(), bus, console_listeners, shutdown.clone())?,
    ];

    println!("\nBatline is running.");
    println!(
        "  gateway  {}  (Twilio webhooks: /twilio/sms, /twilio/voice; tracking: /track/<code>)",
        config.public_url
    );
    println!("  console  http://{console}  (API: /api/v1/...)");
    // Not public: live counts and the stores' state are for the city's
    // monitoring. The router runs in this process, so its numbers show here too.
    println!(
        "  operations  http://{gateway_ops} (gateway), http://{console_ops} (console)  (/metrics, /healthz, /readyz)"
    );
    if let Some(sb) = &sandbox {
        println!(
            "  Twilio sandbox  {}  (no Twilio account configured; SMS Batline sends are listed at {}/sandbox/messages, \
             call-backs at {}/sandbox/calls)",
            sb.api_base(),
            sb.api_base(),
            sb.api_base()
        );
        println!("  Text Batline as a resident:  batline text --from +358401234567 \"Puistossa on kaatunut puu\"");
        println!("  Call it (prints the TwiML):  batline call --from +358401234567");
    }
    if let (Some(sb), Some(_)) = (&sandbox, &mail_sandbox) {
        println!(
            "  Email the line:  curl smtp://{} --mail-from anna@example.fi --mail-rcpt {DEMO_MAIL_FROM} -T mail.txt  \
             (answers are listed at {}/sandbox/mail)",
            config.demo_smtp_addr,
            sb.api_base()
        );
    }
    if seeded.is_empty() {
        println!("  The database already had responders; sign in with theirs.");
    } else {
        println!("  Demo sign-ins (password \"{}\"): {}", seed::DEMO_PASSWORD, seeded.join(", "));
        println!(
            "  A day of history: cases on every channel and in every state, so inboxes, the lead's view, \
             /dashboard and /open have something to show; {} is the admin",
            seed::DEMO_ADMIN
        );
        let (desk, point) = seed::DEMO_DESK;
        println!(
            "  Walk-in desk: sign in as {desk} (desk at {point}) and POST /api/v1/walk-in/tickets; \
             the printable ticket is at /walk-in/tickets/<id> on the console"
        );
        println!(
            "  Open311 GeoReport v2: {}/open311/v2/discovery.json; {} issues a city app its key at /admin/open311",
            config.public_url.as_str().trim_end_matches('/'),
            seed::DEMO_ADMIN
        );
    }
    println!("Stop with Ctrl-C.\n");
    wait(started, shutdown, bus_stop).await
}

/// With a real Twilio account and without `BATLINE_DEMO`, refuses to run
/// while a demo sign-in still has the demo password: anyone who read the
/// README could sign in, as the mayor too, and read every case.
async fn refuse_demo_sign_ins(config: &Config, pool: &sqlx::PgPool) -> anyhow::Result<()> {
    if config.twilio.is_none() || config.demo {
        return Ok(());
    }
    let open = seed::demo_sign_ins_still_open(pool).await?;
    anyhow::ensure!(
        open.is_empty(),
        "the demo sign-ins {} still have the demo password, and a Twilio account is configured: \
         give each a new password (`batline responder password --username <name>`), or set \
         BATLINE_DEMO=true if this is a staging line",
        open.join(", ")
    );
    Ok(())
}

/// Runs until Ctrl-C or SIGTERM, then drains: `shutdown` tells every
/// service to stop taking work and finish what it has in hand (its
/// `/readyz` says "draining" meanwhile); only when they have (or after
/// 30 s) does `bus_stop` close the RabbitMQ connection, so the last acks
/// and publishes of the drain still go out.
async fn wait(
    started: Vec<services::Service>,
    shutdown: CancellationToken,
    bus_stop: CancellationToken,
) -> anyhow::Result<()> {
    services::stop_signal().await;
    println!("stopping: finishing what is in hand…");
    shutdown.cancel();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    for service in started {
        match tokio::time::timeout_at(deadline, service).await {
            Ok(Ok(Ok(()))) => {}
            Ok(Ok(Err(e))) => eprintln!("batline: a service failed: {e}"),
            Ok(Err(e)) => eprintln!("batline: a service panicked: {e}"),
            Err(_) => eprintln!("batline: a service did not stop within 30 s"),
        }
    }
    bus_stop.cancel();
    // A moment for the supervisor to close the connection politely.
    tokio::time::sleep(Duration::from_millis(200)).await;
    println!("stopped");
    Ok(())
}

async fn responder(config: Config, command: ResponderCommand) -> anyhow::Result<()> {
    let pool = services::database(&config).await?;
    match command {
        ResponderCommand::Add {
            username,
            name,
            password,
            languages,
            areas,
            topics,
            capacity,
            role,
            on_duty,
            backstop,
        } => {
            if password.chars().count() < 10 {
                anyhow::bail!("the password needs at least 10 characters");
            }
            let new = NewResponder {
                username,
                display_name: name,
                password_hash: password::hash(&password)?,
                phone: None,
                languages,
                areas,
                topics,
                capacity,
                duty_status: if on_duty { DutyStatus::OnDuty } else { DutyStatus::Off },
                is_backstop: backstop,
                role,
            };
            let added = batline_core::responder_admin::add(&pool, &new).await?;
            println!("added {} ({})", added.display_name, added.username);
        }
        ResponderCommand::Update {
            username,
            name,
            languages,
            areas,
            topics,
            capacity,
            role,
            duty,
            backstop,
            home_point,
        } => {
            let responder = store::responders::by_username(&pool, &username)
                .await?
                .ok_or_else(|| anyhow::anyhow!("there is no responder called {username:?}"))?;
            let home_point_id = match home_point {
                Some(name) => Some(
                    store::walk_in_points::by_name(&pool, &name)
                        .await?
                        .ok_or_else(|| anyhow::anyhow!("there is no walk-in point called {name:?}"))?
                        .id,
                ),
                None => None,
            };
            let patch = store::responders::ResponderPatch {
                home_point_id,
                display_name: name,
                languages,
                areas,
                topics,
                capacity,
                role,
                duty_status: duty,
                is_backstop: backstop.then_some(true),
                ..Default::default()
            };
            let updated = batline_core::responder_admin::update(&pool, responder.id, &patch).await?;
            println!(
                "updated {} ({}): {}, {} open of {}",
                updated.display_name, updated.username, updated.duty_status, updated.open_cases, updated.capacity
            );
        }
        ResponderCommand::Password { username, password } => {
            if password.chars().count() < 10 {
                anyhow::bail!("the password needs at least 10 characters");
            }
            let responder = store::responders::by_username(&pool, &username)
                .await?
                .ok_or_else(|| anyhow::anyhow!("there is no responder called {username:?}"))?;
            batline_core::responder_admin::reset_password(&pool, responder.id, &password::hash(&password)?).await?;
            println!("new password set for {} ({})", responder.display_name, responder.username);
        }
        ResponderCommand::Email { username, email } => {
            let email = email.trim();
            if !email.is_empty() && (!email.contains('@') || email.chars().any(char::is_whitespace)) {
                anyhow::bail!("{email:?} is not an email address");
            }
            let responder = store::responders::by_username(&pool, &username)
                .await?
                .ok_or_else(|| anyhow::anyhow!("there is no responder called {username:?}"))?;
            store::oidc::set_email(&pool, responder.id, Some(email).filter(|e| !e.is_empty())).await?;
            println!("email of {} ({}) set to {email:?}", responder.display_name, responder.username);
        }
        ResponderCommand::List => {
            let mut out = std::io::stdout().lock();
            for r in store::responders::list(&pool).await? {
                writeln!(
                    out,
                    "{:<16} {:<20} {:<10} {:<8} {:<10} {}{}",
                    r.username,
                    r.display_name,
                    r.role,
                    r.languages.join(","),
                    r.duty_status,
                    r.areas.join(","),
                    if r.is_backstop { "  [backstop]" } else { "" }
                )?;
            }
        }
    }
    Ok(())
}

async fn areas(config: Config, command: AreasCommand) -> anyhow::Result<()> {
    let pool = services::database(&config).await?;
    match command {
        AreasCommand::Load { dir } => {
            let data = tokio::task::spawn_blocking(move || batline_core::place::CityData::read_dir(&dir)).await??;
            batline_core::place::load(&pool, &data).await?;
            println!(
                "loaded {} areas, {} streets, {} places, {} postal codes; restart running services to use them",
                data.areas.len(),
                data.streets.len(),
                data.places.len(),
                data.postal_codes.len()
            );
        }
        AreasCommand::Locate { text, lon, lat } => {
            let map = batline_core::place::CityMap::load(&pool).await?;
            anyhow::ensure!(!map.is_empty(), "no areas are loaded: run `batline areas load <dir>` first");
            let answer = match (text, lon, lat) {
                (_, Some(lon), Some(lat)) => serde_json::to_value(map.district_at(lon, lat))?,
                (Some(text), _, _) => serde_json::to_value(map.locate_text(&text))?,
                _ => anyhow::bail!("give a text, or --lon and --lat"),
            };
            println!("{}", serde_json::to_string_pretty(&answer)?);
        }
    }
    Ok(())
}

async fn walk_in_point(config: Config, command: WalkInPointCommand) -> anyhow::Result<()> {
    let pool = services::database(&config).await?;
    match command {
        WalkInPointCommand::Add { name, public_name, address, area, hours } => {
            let hours = batline_core::opening_hours::OpeningHours::parse(&hours)?;
            let public_name = public_name.as_deref().map(str::trim).filter(|p| !p.is_empty()).unwrap_or(&name);
            let point = store::walk_in_points::insert(&pool, &name, public_name, &address, &area, &hours).await?;
            println!("added {} ({}, {})", point.name, point.address, point.area);
        }
        WalkInPointCommand::List => {
            for p in store::walk_in_points::list(&pool).await? {
                println!(
                    "{:<24} {:<32} {:<14} {}",
                    p.name,
                    p.address,
                    p.area,
                    serde_json::to_string(&p.opening_hours.0)?
                );
            }
        }
    }
    Ok(())
}

async fn resident(config: Config, command: ResidentCommand) -> anyhow::Result<()> {
    use batline_core::privacy;
    let pool = services::database(&config).await?;
    match command {
        ResidentCommand::Export { phone } => {
            let export =
                privacy::export(&pool, &phone).await?.with_context(|| format!("no resident has the number {phone}"))?;
            println!("{}", serde_json::to_string_pretty(&export)?);
        }
        ResidentCommand::Erase { phone, confirm } => {
            anyhow::ensure!(confirm, "erasure cannot be undone; run again with --confirm to erase {phone}'s data");
            let done =
                privacy::erase(&pool, &phone).await?.with_context(|| format!("no resident has the number {phone}"))?;
            println!(
                "erased: {} cases, {} messages, {} intake rows, {} calls, {} timeline entries; the number is forgotten",
                done.cases, done.messages, done.intake, done.calls, done.events
            );
        }
    }
    Ok(())
}

async fn roster(config: Config, command: RosterCommand) -> anyhow::Result<()> {
    use batline_core::roster;
    let pool = services::database(&config).await?;
    match command {
        RosterCommand::Import { file } => {
            let text = std::fs::read_to_string(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let shifts = roster::parse_csv(&text)?;
            println!("imported {} shifts", roster::import(&pool, &shifts).await?);
        }
        RosterCommand::Coverage { days } => {
            let gaps = roster::check(&pool, chrono::Utc::now(), days).await?;
            if gaps.is_empty() {
                println!("the next {days} days are covered for every language and area");
            }
            let mut out = std::io::stdout().lock();
            for gap in gaps {
                let local = |t: chrono::DateTime<chrono::Utc>| t.with_timezone(&roster::TZ).format("%a %Y-%m-%d %H:%M");
                writeln!(out, "nobody for {:<8} {:<12} {} – {}", gap.kind, gap.value, local(gap.from), local(gap.to))?;
            }
        }
    }
    Ok(())
}

async fn call(config: Config, from: &str) -> anyhow::Result<()> {
    let (phone, to) = ResidentPhone::for_config(&config);
    let call_sid = new_sid("CA");
    let inbound = InboundCall { call_sid: &call_sid, from, to: &to };
    let gateway = format!("http://{}", config.gateway_addr);
    let response = phone
        .call(&gateway, config.public_url.as_str(), &inbound)
        .await
        .with_context(|| format!("cannot reach the gateway at {gateway}; is `batline up` running?"))?;
    let status = response.status();
    let body = response.text().await.unwrap_or_default();
    if !status.is_success() {
        anyhow::bail!("the gateway answered {status}: {body}");
    }
    println!("called as {call_sid}; Batline answered:\n{body}");
    Ok(())
}

async fn text(config: Config, from: &str, body: &str) -> anyhow::Result<()> {
    let (phone, to) = ResidentPhone::for_config(&config);
    let message_sid = new_sid("SM");
    let inbound = InboundSms { message_sid: &message_sid, from, to: &to, body };
    let gateway = format!("http://{}", config.gateway_addr);
    let response = phone
        .text(&gateway, config.public_url.as_str(), &inbound)
        .await
        .with_context(|| format!("cannot reach the gateway at {gateway}; is `batline up` running?"))?;
    let status = response.status();
    if !status.is_success() {
        anyhow::bail!("the gateway answered {status}: {}", response.text().await.unwrap_or_default());
    }
    println!("sent {message_sid}; the answer goes to the Twilio sandbox's /sandbox/messages");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cli_is_well_formed() {
        config::settings_for_cli(Cli::command()).debug_assert();
    }

    /// `batline --help`, and the help of each command that starts services,
    /// names every declared setting's variable.
    #[test]
    fn help_lists_every_setting() {
        let mut cli = config::settings_for_cli(Cli::command());
        let top = cli.render_long_help().to_string();
        cli.build();
        let declared: Vec<String> = Settings::command()
            .get_arguments()
            .filter_map(|arg| arg.get_env().map(|env| env.to_string_lossy().into_owned()))
            .collect();
        assert!(declared.len() > 35, "the declaration is read: {declared:?}");
        for name in ["up", "gateway", "router", "console", "migrate"] {
            let sub = cli.find_subcommand_mut(name).map(|c| c.render_long_help().to_string()).unwrap_or_default();
            for env in &declared {
                assert!(top.contains(&format!("[env: {env}")), "batline --help misses {env}");
                assert!(sub.contains(&format!("[env: {env}")), "batline {name} --help misses {env}");
            }
        }
    }
}
