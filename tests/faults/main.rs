//! The fault suite: Batline's services as real processes (two gateways, two
//! routers, a console) on a private PostgreSQL and a private RabbitMQ node,
//! under a mixed stream of texts, calls, walk-in tickets, Open311 requests
//! and emails (answered through an aiosmtpd relay), while a router
//! is SIGKILLed, a gateway aborts between storing a contact and publishing
//! it, RabbitMQ's app is stopped and started, and PostgreSQL is restarted.
//! Afterwards: every accepted contact is in exactly one case, every open
//! case has a named owner, no resident got two auto-replies, everything was
//! filed within 10 s of the last recovery, the outbox drained and nothing
//! was dead-lettered. Readiness is checked to be false while RabbitMQ is
//! away and true again after. The counts are printed for CI's log.
//!
//! A binary of its own, so its one heavy test does not compete with the
//! end-to-end tests' parallel ones for the machine.

mod cluster;
mod driver;
mod services;

use std::{collections::HashMap, sync::Arc, time::Duration};

use batline_core::{
    db,
    domain::{DutyStatus, Language, Role},
    open311_keys, password,
    store::{self, responders::NewResponder},
};
use batline_test_kit::twilio_sandbox::TwilioSandbox;
use chrono::{DateTime, Utc};
use cluster::{PrivatePostgres, PrivateRabbit, free_port};
use driver::{BATLINE_NUMBER, Driver, PUBLIC_URL};
use serde_json::json;
use services::Environment;
use sqlx::PgPool;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

const PASSWORD: &str = "fault-suite-password";
/// The gateway that aborts after storing this many contacts.
const ABORT_AFTER_STORES: u64 = 8;
/// Texting residents, callers and walk-in visits in the stream.
const RESIDENTS: usize = 50;
const CALLERS: usize = 16;
const VISITS: usize = 12;
/// Open311 requests from a city app.
const REPORTS: usize = 10;
/// Emails through the gateways' SMTP listeners.
const EMAILS: usize = 12;
/// How long the stream lasts.
const SPAN: Duration = Duration::from_secs(24);
/// How long after the last recovery every contact must have an owner.
const ASSIGNED_WITHIN: Duration = Duration::from_secs(10);

/// Prints a line of the run's report where CI's log shows it. Not
/// `println!`: the test harness captures that for a passing test, and these
/// counts are wanted from every run; writing to the stdout handle directly
/// bypasses the capture.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, $($arg)*);
        let _ = out.flush();
    }};
}

/// Removes the run's log directory however the test ends.
struct LogDir(std::path::PathBuf);

impl Drop for LogDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn batline_survives_kills_and_restarts_under_mixed_intake() -> anyhow::Result<()> {
    batline_core::telemetry::init_for_tests();
    let started = tokio::time::Instant::now();
    services::kill_leftovers();
    PrivatePostgres::remove_leftovers();
    PrivateRabbit::remove_leftovers();
    cluster::remove_leftover_logs();
    let (pg, rabbit) = tokio::join!(tokio::task::spawn_blocking(PrivatePostgres::start), PrivateRabbit::start());
    let (pg, rabbit) = (pg??, rabbit?);
    let logs = LogDir(cluster::log_dir()?);
    let shutdown = CancellationToken::new();
    let outcome = scenario(&pg, &rabbit, &logs, &shutdown).await;
    shutdown.cancel();
    if let Err(e) = &outcome {
        eprintln!("fault suite failed: {e:#}");
        let env = Environment { vars: Vec::new(), log_dir: logs.0.clone() };
        eprintln!("{}", env.log_tails(60));
    }
    say!("fault suite wall time: {:.1} s", started.elapsed().as_secs_f64());
    outcome
}

async fn scenario(
    pg: &PrivatePostgres,
    rabbit: &PrivateRabbit,
    logs: &LogDir,
    shutdown: &CancellationToken,
) -> anyhow::Result<()> {
    let database_url = pg.url("batline");
    let pool = db::connect_and_migrate(&database_url, 4).await?;
    seed(&pool).await?;

    let account_sid = format!("AC{}", Uuid::new_v4().simple());
    let auth_token = Uuid::new_v4().simple().to_string();
    // Nothing in the run mails the line through the relay: its own domain
    // is relayed to a closed port.
    let mail_relay =
        batline_test_kit::mail_relay::MailRelay::start("fault.test", "127.0.0.1:9", &logs.0.join("maildir")).await?;
    let sandbox =
        TwilioSandbox::start(TcpListener::bind("127.0.0.1:0").await?, &account_sid, &auth_token, shutdown.clone())?;
    let vars = [
        ("DATABASE_URL", database_url.clone()),
        ("AMQP_URL", rabbit.amqp_url()),
        ("BATLINE_BUS_NAMESPACE", "faults".to_owned()),
        ("BATLINE_PUBLIC_URL", PUBLIC_URL.to_owned()),
        ("TWILIO_ACCOUNT_SID", account_sid),
        ("TWILIO_AUTH_TOKEN", auth_token),
        ("TWILIO_API_BASE", sandbox.api_base()),
        ("TWILIO_FROM_NUMBER", BATLINE_NUMBER.to_owned()),
        ("BATLINE_VOICE_WAIT_MS", "800".to_owned()),
        // No acknowledgement deadline may pass during the run: a case moving
        // on would text the resident a second time, by design.
        ("BATLINE_ACK_SECONDS_SMS", "3600".to_owned()),
        ("BATLINE_ACK_SECONDS_VOICE", "3600".to_owned()),
        ("BATLINE_ACK_SECONDS_WALK_IN", "3600".to_owned()),
        ("RUST_LOG", "info,sqlx=warn,lapin=warn".to_owned()),
        ("BATLINE_MAIL_FROM", driver::MAIL_TO.to_owned()),
        ("BATLINE_SMTP_RELAY", format!("smtp://127.0.0.1:{}", mail_relay.port)),
    ];
    let env =
        Environment { vars: vars.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect(), log_dir: logs.0.clone() };
    let http = reqwest::Client::new();
    let ready = Duration::from_secs(30);

    let (port_a, port_b, port_console) = (free_port()?, free_port()?, free_port()?);
    let (smtp_a, smtp_b) = (free_port()?, free_port()?);
    let gateway_a =
        env.spawn("gateway", "gateway-a", port_a, &[("BATLINE_SMTP_LISTEN", format!("127.0.0.1:{smtp_a}"))])?;
    let smtp_b_var = ("BATLINE_SMTP_LISTEN", format!("127.0.0.1:{smtp_b}"));
    let hook = [("BATLINE_FAULT_EXIT_AFTER_STORE", ABORT_AFTER_STORES.to_string()), smtp_b_var.clone()];
    let mut gateway_b = env.spawn("gateway", "gateway-b", port_b, &hook)?;
    let console = env.spawn("console", "console", port_console, &[])?;
    let mut router_1 = env.spawn("router", "router-1", free_port()?, &[])?;
    let router_2 = env.spawn("router", "router-2", free_port()?, &[])?;
    for service in [&gateway_a, &gateway_b, &console, &router_1, &router_2] {
        service.wait_ready(&http, 200, ready).await?;
    }

    let session: serde_json::Value = http
        .post(format!("{}/api/v1/sessions", console.base))
        .json(&json!({ "username": "veera", "password": PASSWORD }))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let desk_token = session["token"].as_str().unwrap_or_default().to_owned();
    let driver = Arc::new(Driver {
        phone: sandbox.phone(),
        gateways: vec![gateway_a.base.clone(), gateway_b.base.clone()],
        smtp_ports: vec![smtp_a, smtp_b],
        console: console.base.clone(),
        desk_token,
        http: http.clone(),
        accepted: Default::default(),
    });
    let plan = driver::schedule(RESIDENTS, CALLERS, VISITS, REPORTS, EMAILS, SPAN);
    let planned = plan.len();
    let stream = tokio::spawn(driver.clone().run(plan));
    let begun = tokio::time::Instant::now();
    let at = move || format!("[{:>5.1} s]", begun.elapsed().as_secs_f64());

    // 1. A router dies without a word while it is filing.
    wait_for("a few contacts to be filed", Duration::from_secs(30), || async {
        Ok(count(&pool, "SELECT count(*) FROM intake WHERE case_id IS NOT NULL").await? >= 8)
    })
    .await?;
    router_1.kill()?;
    say!("{} fault: SIGKILLed {} after {} contacts were filed", at(), router_1.name, filed(&pool).await?);
    let router_3 = env.spawn("router", "router-3", free_port()?, &[])?;
    router_3.wait_ready(&http, 200, ready).await?;

    // 2. A gateway dies between storing a contact and publishing it.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = gateway_b.exited()? {
            break status;
        }
        anyhow::ensure!(tokio::time::Instant::now() < deadline, "gateway-b never reached its fault hook");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    use std::os::unix::process::ExitStatusExt;
    anyhow::ensure!(status.signal() == Some(6), "gateway-b should have aborted, but ended with {status}");
    say!("{} fault: gateway-b aborted after storing its contact no. {ABORT_AFTER_STORES}, before publishing it", at());
    tokio::time::sleep(Duration::from_millis(500)).await;
    let gateway_b = env.spawn("gateway", "gateway-b", port_b, &[smtp_b_var])?;
    gateway_b.wait_ready(&http, 200, ready).await?;

    // 3. RabbitMQ's app stops: every service says it is not ready, then
    //    ready again once the supervisors have reconnected.
    let everyone = [&gateway_a, &gateway_b, &console, &router_2, &router_3];
    rabbit.stop_app().await?;
    say!("{} fault: RabbitMQ stopped (stop_app)", at());
    for service in everyone {
        service.wait_ready(&http, 503, Duration::from_secs(15)).await?;
    }
    say!("{} supervision: /readyz is 503 on all {} services while RabbitMQ is down", at(), everyone.len());
    tokio::time::sleep(Duration::from_secs(2)).await;
    rabbit.start_app().await?;
    say!("{} recovery: RabbitMQ started (start_app)", at());
    for service in everyone {
        service.wait_ready(&http, 200, ready).await?;
    }
    say!("{} supervision: /readyz is 200 on all {} services again", at(), everyone.len());

    // 4. PostgreSQL restarts, with a moment of downtime.
    pg.restart(Duration::from_secs(2)).await?;
    let last_recovery = Utc::now();
    say!("{} fault: PostgreSQL restarted (pg_ctl stop -m fast, 2 s down, start); that is the last recovery", at());
    let backlog = count(&pool, "SELECT count(*) FROM intake WHERE case_id IS NULL").await.unwrap_or(-1);
    say!("{} backlog at the last recovery: {backlog} stored contacts without a case", at());

    let accepted = match tokio::time::timeout(Duration::from_secs(90), stream).await {
        Ok(accepted) => accepted?,
        Err(_) => {
            let so_far = driver.snapshot();
            let n = so_far.sms.len()
                + so_far.voice.len()
                + so_far.walk_in.len()
                + so_far.open311.len()
                + so_far.email.len();
            anyhow::bail!(
                "only {n} of {planned} contacts were accepted within 90 s; calls held {} rounds",
                so_far.hold_rounds
            );
        }
    };
    say!("{} the stream ended", at());
    anyhow::ensure!(accepted.abandoned.is_empty(), "contacts given up on: {:#?}", accepted.abandoned);
    let total_accepted = accepted.sms.len()
        + accepted.voice.len()
        + accepted.walk_in.len()
        + accepted.open311.len()
        + accepted.email.len();
    anyhow::ensure!(total_accepted == planned, "{total_accepted} of {planned} contacts accepted");

    wait_for("every contact to be filed", Duration::from_secs(30), || async {
        Ok(count(&pool, "SELECT count(*) FROM intake WHERE case_id IS NULL").await? == 0)
    })
    .await?;
    wait_for("the outbox to drain", Duration::from_secs(20), || async {
        Ok(count(&pool, "SELECT count(*) FROM outbox").await? == 0)
    })
    .await?;
    wait_for("every outbound SMS to be settled", Duration::from_secs(20), || async {
        Ok(count(&pool, "SELECT count(*) FROM messages WHERE delivery_status IN ('pending', 'sending')").await? == 0)
    })
    .await?;

    check(&pool, &sandbox, &accepted, last_recovery).await
}

/// The city: a backstop, four responders on duty, a desk at a walk-in point,
/// a city app with an Open311 key.
async fn seed(pool: &PgPool) -> anyhow::Result<()> {
    let hash = password::hash(PASSWORD)?;
    let all = [Language::Fi, Language::Sv, Language::En];
    let people: [(&str, &str, Role, DutyStatus, bool); 6] = [
        ("backstop", "Pormestari", Role::Mayor, DutyStatus::Off, true),
        ("aino", "Aino", Role::Responder, DutyStatus::OnDuty, false),
        ("mikko", "Mikko", Role::Responder, DutyStatus::OnDuty, false),
        ("linnea", "Linnea", Role::Lead, DutyStatus::OnDuty, false),
        ("james", "James", Role::Responder, DutyStatus::OnDuty, false),
        ("veera", "Veera", Role::Desk, DutyStatus::OnDuty, false),
    ];
    for (username, name, role, duty, backstop) in people {
        let new = NewResponder {
            username: username.to_owned(),
            display_name: name.to_owned(),
            password_hash: hash.clone(),
            phone: None,
            languages: all.to_vec(),
            areas: vec!["Kallio".to_owned()],
            topics: Vec::new(),
            capacity: 60,
            duty_status: duty,
            is_backstop: backstop,
            role,
        };
        store::responders::insert(pool, &new).await?;
    }
    let hours = batline_core::opening_hours::OpeningHours::default();
    let point = store::walk_in_points::insert(
        pool,
        "Batcave Vikasieto",
        "Vikasiedon asiointipiste",
        "Koulukatu 1",
        "Kallio",
        &hours,
    )
    .await?;
    sqlx::query("UPDATE responders SET home_point_id = $1 WHERE username = 'veera'")
        .bind(point.id)
        .execute(pool)
        .await?;
    // The city app whose Open311 requests are in the stream.
    let key = driver::OPEN311_KEY;
    let by: Uuid = sqlx::query_scalar("SELECT id FROM responders WHERE username = 'backstop'").fetch_one(pool).await?;
    store::open311::add_client(pool, "Palautesovellus", &open311_keys::digest(key), &open311_keys::hint(key), by)
        .await?;
    Ok(())
}

/// The invariants, printed as counts and then asserted.
async fn check(
    pool: &PgPool,
    sandbox: &TwilioSandbox,
    accepted: &driver::Accepted,
    last_recovery: DateTime<Utc>,
) -> anyhow::Result<()> {
    // Every accepted contact: one intake row, filed into a case, one message.
    let mut placements: Vec<(String, Option<Uuid>, i64)> = Vec::new();
    for (channel, sids) in [("sms", &accepted.sms), ("voice", &accepted.voice), ("email", &accepted.email)] {
        placements.extend(
            sqlx::query_as::<_, (String, Option<Uuid>, i64)>(
                "SELECT i.provider_id, i.case_id, (SELECT count(*) FROM messages m WHERE m.intake_id = i.id)
                 FROM intake i WHERE i.channel = $1 AND i.provider_id = ANY ($2)",
            )
            .bind(channel)
            .bind(sids)
            .fetch_all(pool)
            .await?,
        );
    }
    placements.extend(
        sqlx::query_as::<_, (String, Option<Uuid>, i64)>(
            "SELECT t.id::text, i.case_id, (SELECT count(*) FROM messages m WHERE m.intake_id = i.id)
             FROM walk_in_tickets t JOIN intake i ON i.id = t.intake_id WHERE t.id = ANY ($1)",
        )
        .bind(&accepted.walk_in)
        .fetch_all(pool)
        .await?,
    );
    // An Open311 request's provider id is its client's id and its key.
    placements.extend(
        sqlx::query_as::<_, (String, Option<Uuid>, i64)>(
            "SELECT i.provider_id, i.case_id, (SELECT count(*) FROM messages m WHERE m.intake_id = i.id)
             FROM intake i WHERE i.channel = 'open311' AND split_part(i.provider_id, ':', 2) = ANY ($1)",
        )
        .bind(&accepted.open311)
        .fetch_all(pool)
        .await?,
    );
    let accepted_total = accepted.sms.len()
        + accepted.voice.len()
        + accepted.walk_in.len()
        + accepted.open311.len()
        + accepted.email.len();
    let in_one_case = placements.iter().filter(|(_, case, messages)| case.is_some() && *messages == 1).count();
    let stored = count(pool, "SELECT count(*) FROM intake").await?;
    let cases = count(pool, "SELECT count(*) FROM cases").await?;

    let open = count(pool, "SELECT count(*) FROM cases WHERE status = 'open'").await?;
    let unowned = count(
        pool,
        "SELECT count(*) FROM cases c WHERE c.status = 'open'
         AND NOT EXISTS (SELECT 1 FROM responders r WHERE r.id = c.owner_id AND r.display_name <> '')",
    )
    .await?;

    let auto_replies = count(pool, "SELECT count(*) FROM messages WHERE kind = 'auto_reply'").await?;
    let twice_in_db = count(
        pool,
        "SELECT count(*) FROM (SELECT c.resident_id FROM messages m JOIN cases c ON c.id = m.case_id
         WHERE m.kind = 'auto_reply' GROUP BY c.resident_id HAVING count(*) > 1) AS twice",
    )
    .await?;
    let mut texted: HashMap<String, usize> = HashMap::new();
    for sms in sandbox.sent() {
        *texted.entry(sms.to).or_default() += 1;
    }
    let twice_texted = texted.values().filter(|n| **n > 1).count();

    // A contact stored before the last recovery must be filed within 10 s
    // of it; one that arrived later, within 10 s of arriving.
    let (late, before, backlog_filed): (i64, i64, Option<DateTime<Utc>>) = sqlx::query_as(
        "SELECT count(*) FILTER (WHERE filed_at > greatest(received_at, $1) + make_interval(secs => $2)),
                count(*) FILTER (WHERE received_at <= $1),
                max(filed_at) FILTER (WHERE received_at <= $1)
         FROM intake",
    )
    .bind(last_recovery)
    .bind(ASSIGNED_WITHIN.as_secs_f64())
    .fetch_one(pool)
    .await?;
    let backlog_cleared = backlog_filed.map_or(0.0, |t| (t - last_recovery).num_milliseconds() as f64 / 1000.0);
    let outbox = count(pool, "SELECT count(*) FROM outbox").await?;
    let dead_letters = count(pool, "SELECT count(*) FROM dead_letters").await?;

    say!(
        "fault suite counts:\n  \
         accepted contacts: {accepted_total} (sms {}, voice {}, walk-in {}, open311 {}, email {}); driver retries {}, \
         call hold rounds {}\n  \
         stored contacts: {stored}; in exactly one case: {in_one_case} of {accepted_total}; cases: {cases}\n  \
         open cases: {open}; without a named owner: {unowned}\n  \
         auto-replies: {auto_replies}; residents with two or more in the database: {twice_in_db}; \
         numbers the Twilio sandbox texted: {} ({} SMS), of them twice or more: {twice_texted}\n  \
         stored before the last recovery: {before}, the last of them filed {backlog_cleared:.1} s after it; \
         filed later than 10 s after the last recovery (or after arriving): {late}\n  \
         outbox rows left: {outbox}; dead letters: {dead_letters}",
        accepted.sms.len(),
        accepted.voice.len(),
        accepted.walk_in.len(),
        accepted.open311.len(),
        accepted.email.len(),
        accepted.retries,
        accepted.hold_rounds,
        texted.len(),
        texted.values().sum::<usize>(),
    );

    anyhow::ensure!(
        placements.len() == accepted_total,
        "{} accepted contacts have no intake row",
        accepted_total - placements.len()
    );
    anyhow::ensure!(
        in_one_case == accepted_total,
        "{} accepted contacts are not in exactly one case",
        accepted_total - in_one_case
    );
    anyhow::ensure!(stored as usize == accepted_total, "{stored} contacts stored for {accepted_total} accepted");
    anyhow::ensure!(unowned == 0, "{unowned} open cases have no named owner");
    anyhow::ensure!(twice_in_db == 0 && twice_texted == 0, "a resident got two auto-replies");
    anyhow::ensure!(late == 0, "{late} contacts were assigned more than 10 s after the last recovery");
    anyhow::ensure!(outbox == 0, "{outbox} outbox rows were never published");
    anyhow::ensure!(dead_letters == 0, "{dead_letters} messages were dead-lettered by transient faults");
    anyhow::ensure!(accepted.retries > 0, "no attempt failed: the faults did not reach the senders");
    Ok(())
}

async fn count(pool: &PgPool, sql: &str) -> anyhow::Result<i64> {
    Ok(sqlx::query_scalar(sql).fetch_one(pool).await?)
}

async fn filed(pool: &PgPool) -> anyhow::Result<i64> {
    count(pool, "SELECT count(*) FROM intake WHERE case_id IS NOT NULL").await
}

/// Polls `check` every 100 ms until it holds, or fails after `timeout`.
/// Errors count as "not yet": the database may be restarting.
async fn wait_for<F, Fut>(what: &str, timeout: Duration, mut check: F) -> anyhow::Result<()>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<bool>>,
{
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        if matches!(check().await, Ok(true)) {
            return Ok(());
        }
        anyhow::ensure!(tokio::time::Instant::now() < deadline, "timed out after {timeout:?} waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
