//! What every scenario sets up and winds down the same way: the city in a
//! fresh database, the Twilio sandbox and mail relay, the services'
//! shared environment, a driver signed in at the desk, and, after the
//! faults, waiting for the stream to end and for everything to settle.

use std::{
    future::Future,
    path::{Path, PathBuf},
    sync::Arc,
    time::Duration,
};

use batline_core::db;
use batline_test_kit::{mail_relay::MailRelay, twilio_sandbox::TwilioSandbox};
use serde_json::json;
use sqlx::PgPool;
use tokio::{net::TcpListener, task::JoinHandle};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use super::{
    city,
    cluster::{self, PrivatePostgres, PrivateRabbit},
    driver::{self, Accepted, BATLINE_NUMBER, Contact, Driver, PUBLIC_URL},
    invariants::{count, wait_for},
    report::LogDir,
    services::{self, Environment, Service},
};

/// How long a service may take to say it is ready.
pub const READY: Duration = Duration::from_secs(30);

/// The mixed stream every scenario sends over `span`: 50 texting residents
/// (every third twice), 16 callers, 12 walk-in visits, 10 Open311
/// requests and 12 emails.
pub fn mixed_stream(span: Duration) -> Vec<(Duration, Contact)> {
    driver::schedule(50, 16, 12, 10, 12, span)
}

/// Stops and removes what earlier runs, killed before they could clean
/// up, left behind: services, servers and log directories.
pub fn remove_leftovers() {
    services::kill_leftovers();
    PrivatePostgres::remove_leftovers();
    PrivateRabbit::remove_leftovers();
    cluster::remove_leftover_logs();
}

/// Runs `scenario` with a fresh log directory and a shutdown token,
/// cancelled however it ends. On failure it prints the services' log
/// tails; either way the wall time since `started`, named `name`.
pub async fn run<F, Fut>(name: &str, started: tokio::time::Instant, scenario: F) -> anyhow::Result<()>
where
    F: FnOnce(PathBuf, CancellationToken) -> Fut,
    Fut: Future<Output = anyhow::Result<()>>,
{
    let logs = LogDir(cluster::log_dir()?);
    let shutdown = CancellationToken::new();
    let outcome = scenario(logs.0.clone(), shutdown.clone()).await;
    shutdown.cancel();
    if let Err(e) = &outcome {
        eprintln!("{name} failed: {e:#}");
        let env = Environment { vars: Vec::new(), log_dir: logs.0.clone() };
        eprintln!("{}", env.log_tails(60));
    }
    say!("{name} wall time: {:.1} s", started.elapsed().as_secs_f64());
    outcome
}

/// A stream of contacts on its way.
pub struct Stream {
    /// Resolves with what was accepted.
    pub handle: JoinHandle<Accepted>,
    /// How many contacts it sends.
    pub planned: usize,
    begun: tokio::time::Instant,
}

impl Stream {
    /// A clock for report lines: `[ 12.3 s]`, the time since the stream
    /// began. Apart from the stream, which `finish` takes.
    pub fn clock(&self) -> impl Fn() -> String + use<> {
        let begun = self.begun;
        move || format!("[{:>5.1} s]", begun.elapsed().as_secs_f64())
    }
}

/// A scenario's fixed parts.
pub struct Stage {
    /// The test's own connections to the run's database.
    pub pool: PgPool,
    /// What every service is started with.
    pub env: Environment,
    /// Records every SMS Batline sends.
    pub sandbox: TwilioSandbox,
    /// Plain HTTP.
    pub http: reqwest::Client,
    _mail_relay: MailRelay,
}

impl Stage {
    /// Migrates and seeds `database_url`, starts the sandbox and the mail
    /// relay, and makes the services' environment: `amqp_url` (one node or
    /// several), logs in `log_dir`, `extra` variables on top.
    pub async fn set_up(
        database_url: &str,
        amqp_url: &str,
        log_dir: &Path,
        extra: &[(&str, String)],
        shutdown: &CancellationToken,
    ) -> anyhow::Result<Stage> {
        let pool = db::connect_and_migrate(database_url, 4).await?;
        city::seed(&pool).await?;
        let account_sid = format!("AC{}", Uuid::new_v4().simple());
        let auth_token = Uuid::new_v4().simple().to_string();
        // Nothing in the run mails the line through the relay: its own
        // domain is relayed to a closed port.
        let mail_relay = MailRelay::start("fault.test", "127.0.0.1:9", &log_dir.join("maildir")).await?;
        let sandbox =
            TwilioSandbox::start(TcpListener::bind("127.0.0.1:0").await?, &account_sid, &auth_token, shutdown.clone())?;
        let mut vars = vec![
            ("DATABASE_URL", database_url.to_owned()),
            ("AMQP_URL", amqp_url.to_owned()),
            ("BATLINE_BUS_NAMESPACE", "faults".to_owned()),
            ("BATLINE_PUBLIC_URL", PUBLIC_URL.to_owned()),
            ("TWILIO_ACCOUNT_SID", account_sid),
            ("TWILIO_AUTH_TOKEN", auth_token),
            ("TWILIO_API_BASE", sandbox.api_base()),
            ("TWILIO_FROM_NUMBER", BATLINE_NUMBER.to_owned()),
            ("BATLINE_VOICE_WAIT_MS", "800".to_owned()),
            // No acknowledgement deadline may pass during the run: a case
            // moving on would text the resident a second time, by design.
            ("BATLINE_ACK_SECONDS_SMS", "3600".to_owned()),
            ("BATLINE_ACK_SECONDS_VOICE", "3600".to_owned()),
            ("BATLINE_ACK_SECONDS_WALK_IN", "3600".to_owned()),
            ("RUST_LOG", "info,sqlx=warn,lapin=warn".to_owned()),
            ("BATLINE_MAIL_FROM", driver::MAIL_TO.to_owned()),
            ("BATLINE_SMTP_RELAY", format!("smtp://127.0.0.1:{}", mail_relay.port)),
        ];
        vars.extend(extra.iter().cloned());
        let env = Environment {
            vars: vars.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
            log_dir: log_dir.to_path_buf(),
        };
        Ok(Stage { pool, env, sandbox, http: reqwest::Client::new(), _mail_relay: mail_relay })
    }

    /// A driver that spreads contacts over `gateways` (with their SMTP
    /// ports) and registers visits at `console` as the desk person.
    pub async fn driver(
        &self,
        gateways: &[&Service],
        smtp_ports: &[u16],
        console: &Service,
    ) -> anyhow::Result<Arc<Driver>> {
        let session: serde_json::Value = self
            .http
            .post(format!("{}/api/v1/sessions", console.base))
            .json(&json!({ "username": "veera", "password": city::PASSWORD }))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        Ok(Arc::new(Driver {
            phone: self.sandbox.phone(),
            gateways: gateways.iter().map(|g| g.base.clone()).collect(),
            smtp_ports: smtp_ports.to_vec(),
            console: console.base.clone(),
            desk_token: session["token"].as_str().unwrap_or_default().to_owned(),
            http: self.http.clone(),
            accepted: Default::default(),
        }))
    }

    /// Starts sending the mixed stream over `span` through `driver`.
    pub fn start_stream(driver: &Arc<Driver>, span: Duration) -> Stream {
        let plan = mixed_stream(span);
        let planned = plan.len();
        Stream { handle: tokio::spawn(driver.clone().run(plan)), planned, begun: tokio::time::Instant::now() }
    }

    /// Waits for the stream to end with every contact accepted, then for
    /// every contact to be filed, the outbox to drain and every SMS to be
    /// settled.
    pub async fn finish(
        &self,
        stream: JoinHandle<Accepted>,
        driver: &Driver,
        planned: usize,
    ) -> anyhow::Result<Accepted> {
        let accepted = match tokio::time::timeout(Duration::from_secs(90), stream).await {
            Ok(accepted) => accepted?,
            Err(_) => {
                let so_far = driver.snapshot();
                anyhow::bail!(
                    "only {} of {planned} contacts were accepted within 90 s; calls held {} rounds",
                    so_far.total(),
                    so_far.hold_rounds
                );
            }
        };
        anyhow::ensure!(accepted.abandoned.is_empty(), "contacts given up on: {:#?}", accepted.abandoned);
        anyhow::ensure!(accepted.total() == planned, "{} of {planned} contacts accepted", accepted.total());
        let pool = &self.pool;
        wait_for("every contact to be filed", Duration::from_secs(30), || async {
            Ok(count(pool, "SELECT count(*) FROM intake WHERE case_id IS NULL").await? == 0)
        })
        .await?;
        wait_for("the outbox to drain", Duration::from_secs(20), || async {
            Ok(count(pool, "SELECT count(*) FROM outbox").await? == 0)
        })
        .await?;
        wait_for("every outbound SMS to be settled", Duration::from_secs(20), || async {
            Ok(count(pool, "SELECT count(*) FROM messages WHERE delivery_status IN ('pending', 'sending')").await? == 0)
        })
        .await?;
        Ok(accepted)
    }
}
