//! `batline-bench mixed`: mixed-channel load against a running Batline, set
//! against this machine's floor.
//!
//! 0. **Contact floor** (`../shared/contact-floor`, run as a program of
//!    its own first, in the same sitting): one durable contact at a time,
//!    webhook to auto-reply, with Batline's libraries and none of its
//!    logic. Batline's sustained throughput is set against it.
//! 1. **Single-hop floor**: raw durable publish-with-confirm to a quorum
//!    queue and consume with one PostgreSQL commit per message, with the
//!    same client libraries (lapin, sqlx) and none of Batline's logic.
//! 2. **Sustained throughput**: contacts through Batline's front doors as
//!    fast as they are taken (signed SMS and voice webhooks to the gateway,
//!    walk-in tickets to the console), from receipt to a named owner; and
//!    what each contact cost: CPU time of Batline, PostgreSQL and RabbitMQ
//!    (`machine`), PostgreSQL transactions and, where the server counts
//!    them, statements (`store::db_work`).
//! 3. **Half load**: the same mix paced at half that throughput, for the
//!    intake-to-named-owner p50 and p99.
//! 4. **Burst** (optional): `--burst-rate` for `--burst-seconds`; every
//!    accepted contact must reach an owner, and the time the backlog took to
//!    drain is reported.

use std::time::{Duration, Instant};

use anyhow::Context;
use batline::services;
use batline_core::{
    Config,
    bus::{self},
    store::{self, intake::SlowFiling},
};
use batline_test_kit::twilio_sandbox::{InboundCall, InboundSms, ResidentPhone, new_sid};
use clap::Args;
use futures_util::StreamExt;
use lapin::{
    BasicProperties,
    options::{
        BasicAckOptions, BasicConsumeOptions, BasicPublishOptions, BasicQosOptions, ConfirmSelectOptions,
        QueueDeclareOptions, QueueDeleteOptions,
    },
    types::{AMQPValue, FieldTable},
};
use rand::Rng;
use serde_json::json;

use crate::{
    chat as bench_chat,
    machine::Cpu,
    router_counts::{self, RouterCounts},
    stall_watch::{StallWatch, Watched},
    store::{db_work, floor},
};

/// Options of `batline-bench mixed`.
#[derive(Debug, Clone, Args)]
pub struct MixedBenchArgs {
    /// Messages through the floor measurement.
    #[arg(long, default_value_t = 3000)]
    pub floor_messages: usize,
    /// Contacts in the throughput phase.
    #[arg(long, default_value_t = 3000)]
    pub contacts: usize,
    /// Seconds of paced load at half the measured throughput.
    #[arg(long, default_value_t = 30)]
    pub half_seconds: u64,
    /// Contacts per second in the burst; 0 skips the burst.
    #[arg(long, default_value_t = 0)]
    pub burst_rate: u32,
    /// Seconds the burst lasts.
    #[arg(long, default_value_t = 60)]
    pub burst_seconds: u64,
    /// Requests in flight at once.
    #[arg(long, default_value_t = 32)]
    pub concurrency: usize,
    /// Requests in flight at once during the burst. Residents do not wait
    /// for each other: a burst arrives at its rate whatever Batline's pace,
    /// so this must be high enough not to hold the senders back.
    #[arg(long, default_value_t = 2000)]
    pub burst_concurrency: usize,
    /// Shares of SMS, voice, chat and walk-in contacts, e.g. `5,2,1,2`.
    #[arg(long, default_value = "5,2,1,2")]
    pub mix: String,
    /// The gateway (default: http:// + BATLINE_GATEWAY_ADDR).
    #[arg(long)]
    pub gateway: Option<String>,
    /// The console (default: http:// + BATLINE_CONSOLE_ADDR).
    #[arg(long)]
    pub console: Option<String>,
    /// A desk account for walk-in tickets.
    #[arg(long, default_value = "veera")]
    pub desk: String,
    /// Its password.
    #[arg(long, default_value = "batline-demo")]
    pub desk_password: String,
    /// How long to wait for the last contacts of a phase to get an owner.
    #[arg(long, default_value_t = 180)]
    pub drain_seconds: u64,
    /// Grow the running Batline's roster to this many responders on duty
    /// across the districts and topics first (`city`); 0 leaves it as it is.
    #[arg(long, default_value_t = 0)]
    pub responders: i64,
    /// The contact floor's program (default: `../shared/contact-floor/target/release/contact-floor`
    /// beside the project; build it there with `cargo build --release`).
    #[arg(long)]
    pub contact_floor: Option<std::path::PathBuf>,
}

/// One contact's way in.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Sms,
    Voice,
    Chat,
    WalkIn,
}

/// Where the load goes and how.
struct Target {
    phone: ResidentPhone,
    public_url: String,
    gateway: String,
    console: String,
    desk_token: String,
    http: reqwest::Client,
    mix: Vec<Kind>,
}

impl Target {
    fn kind(&self, i: usize) -> Kind {
        self.mix[i % self.mix.len()]
    }

    /// Sends contact `i` from `from`: whether Batline accepted it, and for
    /// a call how long its TwiML took and whether it named the owner.
    async fn send(&self, i: usize, from: &str) -> Sent {
        if let Kind::Voice = self.kind(i) {
            return self.call(from).await;
        }
        let result = match self.kind(i) {
            Kind::Sms => {
                let sid = new_sid("SM");
                let inbound = InboundSms { message_sid: &sid, from, to: "+358931000000", body: "Katuvalo on rikki" };
                self.phone.text(&self.gateway, &self.public_url, &inbound).await.map(|r| r.status().is_success())
            }
            Kind::Voice => unreachable!("calls are sent above"),
            Kind::Chat => {
                let accepted =
                    self.chat(from).await.inspect_err(|e| tracing::warn!(error = %e, "a chat failed")).is_ok();
                return Sent { accepted, call: None };
            }
            Kind::WalkIn => self
                .http
                .post(format!("{}/api/v1/walk-in/tickets", self.console))
                .bearer_auth(&self.desk_token)
                .json(&json!({ "about": "Penkki on rikki koulun pihalla", "language": "fi", "phone": from }))
                .send()
                .await
                .map(|r| {
                    if !r.status().is_success() {
                        tracing::warn!(status = %r.status(), "a walk-in ticket was refused");
                    }
                    r.status().is_success()
                }),
        };
        match result {
            Ok(accepted) => Sent { accepted, call: None },
            Err(e) => {
                tracing::warn!(error = %e, "a contact could not be sent");
                Sent { accepted: false, call: None }
            }
        }
    }

    /// A call: the webhook's TwiML names the owner (ringing them, or
    /// promising their call-back) or holds the caller; its time is what the
    /// caller waits in silence.
    async fn call(&self, from: &str) -> Sent {
        let sid = new_sid("CA");
        let inbound = InboundCall { call_sid: &sid, from, to: "+358931000000" };
        let started = Instant::now();
        let answer = match self.phone.call(&self.gateway, &self.public_url, &inbound).await {
            Ok(response) if response.status().is_success() => response.text().await,
            Ok(response) => {
                tracing::warn!(status = %response.status(), "a call was refused");
                return Sent { accepted: false, call: None };
            }
            Err(e) => Err(e),
        };
        match answer {
            // Held callers are redirected to wait for an owner; any other
            // answer names one (rings them, or promises their call-back).
            Ok(twiml) => {
                Sent { accepted: true, call: Some((started.elapsed(), !twiml.contains("/twilio/voice/wait"))) }
            }
            Err(e) => {
                tracing::warn!(error = %e, "a call could not be made");
                Sent { accepted: false, call: None }
            }
        }
    }

    /// A resident opens the web chat, writes once and leaves once the
    /// gateway has stored the message; the message's `client_id` carries
    /// `from`, so its latency can be found.
    async fn chat(&self, from: &str) -> anyhow::Result<()> {
        let mut ws = bench_chat::connect(&self.gateway).await?;
        bench_chat::send(&mut ws, json!({ "type": "hello", "lang": "fi" })).await?;
        bench_chat::expect(&mut ws, "welcome").await?;
        let message = json!({ "type": "message", "client_id": chat_client_id(from), "body": "Katuvalo on rikki" });
        bench_chat::send(&mut ws, message).await?;
        bench_chat::expect(&mut ws, "accepted").await?;
        let _ = ws.close(None).await;
        Ok(())
    }
}

/// What sending one contact got.
struct Sent {
    accepted: bool,
    /// For a call: how long its TwiML took, and whether it named the owner.
    call: Option<(Duration, bool)>,
}

/// The chat `client_id` of the contact from `from` (letters and digits only).
fn chat_client_id(from: &str) -> String {
    format!("bench{}", from.trim_start_matches('+'))
}

fn parse_mix(mix: &str) -> anyhow::Result<Vec<Kind>> {
    let shares: Vec<usize> = mix
        .split(',')
        .map(|s| s.trim().parse())
        .collect::<Result<_, _>>()
        .context("--mix is four whole numbers, e.g. 5,2,1,2")?;
    let [sms, voice, chat, walk_in] = shares[..] else {
        anyhow::bail!("--mix names four shares: SMS, voice, chat, walk-in");
    };
    // Interleaved, so any stretch of the run has the same mix.
    let mut kinds = Vec::new();
    for round in 0..sms.max(voice).max(chat).max(walk_in) {
        for (kind, share) in [(Kind::Sms, sms), (Kind::Voice, voice), (Kind::Chat, chat), (Kind::WalkIn, walk_in)] {
            if round < share {
                kinds.push(kind);
            }
        }
    }
    anyhow::ensure!(!kinds.is_empty(), "--mix must have at least one non-zero share");
    Ok(kinds)
}

/// The figures of one phase.
#[derive(Debug, Clone, Default)]
pub struct Phase {
    /// Contacts Batline accepted.
    pub accepted: usize,
    /// Contacts refused or failed.
    pub failed: usize,
    /// Of the accepted, those that reached a named owner.
    pub owned: i64,
    /// Receipt-to-owner p50, ms.
    pub p50_ms: f64,
    /// Receipt-to-owner p99, ms.
    pub p99_ms: f64,
    /// Owned per second, first receipt to last filing.
    pub throughput: f64,
    /// Calls answered.
    pub calls: usize,
    /// Of them, those whose first TwiML named the owner (not a hold).
    pub calls_dialled: usize,
    /// Webhook-to-TwiML p50 of the calls, ms.
    pub call_p50_ms: f64,
    /// Webhook-to-TwiML p99 of the calls, ms.
    pub call_p99_ms: f64,
    /// Seconds from the last send to the last filing.
    pub drain_seconds: f64,
    /// Seconds from the first send to the last answer: longer than the
    /// paced length when Batline answered more slowly than the pace asked.
    pub send_seconds: f64,
    /// The slowest contacts over [`TAIL_TARGET_MS`], slowest first (at most
    /// [`SLOWEST_SHOWN`]).
    pub slowest: Vec<SlowFiling>,
}

/// The half-load p99 the issue asks for, intake to named owner.
pub const TAIL_TARGET_MS: f64 = 25.0;
/// How many of the contacts over it the report sets beside the probes.
const SLOWEST_SHOWN: i64 = 3;

/// Drives `count` contacts (paced at `rate` per second, or as fast as the
/// concurrency allows with 0) and waits for them to be owned.
async fn phase(
    pool: &sqlx::PgPool,
    target: &Target,
    count: usize,
    (rate, concurrency): (f64, usize),
    args: &MixedBenchArgs,
) -> anyhow::Result<Phase> {
    // 15 digits in all, the most E.164 allows (walk-in desks check).
    let run: u32 = rand::thread_rng().gen_range(10_000..100_000);
    let prefix = format!("+3586{run}");
    let since = store::intake::db_now(pool).await?;
    let interval = (rate > 0.0).then(|| Duration::from_secs_f64(1.0 / rate));
    let started = Instant::now();
    let results: Vec<Sent> = futures_util::stream::iter(0..count)
        .map(|i| {
            let from = format!("{prefix}{i:06}");
            async move {
                if let Some(interval) = interval {
                    tokio::time::sleep_until((started + interval.mul_f64(i as f64)).into()).await;
                }
                target.send(i, &from).await
            }
        })
        .buffer_unordered(concurrency.max(1))
        .collect()
        .await;
    let sent_at = Instant::now();
    let accepted = results.iter().filter(|sent| sent.accepted).count();
    let mut calls: Vec<(Duration, bool)> = results.iter().filter_map(|sent| sent.call).collect();
    calls.sort_by_key(|(took, _)| *took);
    let call_ms = |q: f64| {
        let at = ((calls.len() as f64 * q).ceil() as usize).clamp(1, calls.len().max(1)) - 1;
        calls.get(at).map_or(f64::NAN, |(took, _)| took.as_secs_f64() * 1000.0)
    };
    let deadline = sent_at + Duration::from_secs(args.drain_seconds);
    let latency = loop {
        let latency = store::intake::owner_latency(pool, since, &prefix, Some(&chat_client_id(&prefix))).await?;
        if latency.filed as usize >= accepted || Instant::now() > deadline {
            break latency;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let slowest = store::intake::slowest_filings(
        pool,
        since,
        &prefix,
        Some(&chat_client_id(&prefix)),
        TAIL_TARGET_MS,
        SLOWEST_SHOWN,
    )
    .await?;
    let window = match (latency.first_received, latency.last_filed) {
        (Some(a), Some(b)) => (b - a).num_microseconds().unwrap_or(0) as f64 / 1e6,
        _ => 0.0,
    };
    Ok(Phase {
        accepted,
        failed: count - accepted,
        owned: latency.filed,
        p50_ms: latency.p50_ms.unwrap_or(f64::NAN),
        p99_ms: latency.p99_ms.unwrap_or(f64::NAN),
        throughput: if window > 0.0 { latency.filed as f64 / window } else { 0.0 },
        calls: calls.len(),
        calls_dialled: calls.iter().filter(|(_, dialled)| *dialled).count(),
        call_p50_ms: call_ms(0.5),
        call_p99_ms: call_ms(0.99),
        drain_seconds: sent_at.elapsed().as_secs_f64(),
        send_seconds: (sent_at - started).as_secs_f64(),
        slowest,
    })
}

/// The machine's floor, in messages per second: publish with confirms to a
/// durable quorum queue, consume, one committed insert per message, ack.
pub async fn floor(config: &Config, pool: &sqlx::PgPool, messages: usize, concurrency: usize) -> anyhow::Result<f64> {
    let id: u32 = rand::thread_rng().gen_range(100_000..1_000_000);
    let queue = format!("bench-floor-{id}");
    let table = format!("bench_floor_{id}");
    let connection = bus::open_connection(&config.amqp_url).await?;
    let publisher = connection.create_channel().await?;
    publisher.confirm_select(ConfirmSelectOptions::default()).await?;
    let mut args = FieldTable::default();
    args.insert("x-queue-type".into(), AMQPValue::LongString("quorum".into()));
    publisher.queue_declare(&queue, QueueDeclareOptions { durable: true, ..Default::default() }, args).await?;
    floor::create(pool, &table).await?;

    let consumer_channel = connection.create_channel().await?;
    consumer_channel.basic_qos(u16::try_from(concurrency).unwrap_or(u16::MAX), BasicQosOptions::default()).await?;
    let consumer =
        consumer_channel.basic_consume(&queue, "", BasicConsumeOptions::default(), FieldTable::default()).await?;
    let started = Instant::now();
    let consume = {
        let (pool, table) = (pool.clone(), table.clone());
        tokio::spawn(async move {
            consumer
                .take(messages)
                .for_each_concurrent(concurrency, |delivery| {
                    let (pool, table) = (pool.clone(), table.clone());
                    async move {
                        let Ok(delivery) = delivery else { return };
                        let payload: serde_json::Value = serde_json::from_slice(&delivery.data).unwrap_or_default();
                        let id = payload["n"].as_i64().unwrap_or_default();
                        if let Err(e) = floor::insert(&pool, &table, id, &payload).await {
                            tracing::warn!(error = %e, "floor insert failed");
                        }
                        let _ = delivery.ack(BasicAckOptions::default()).await;
                    }
                })
                .await;
        })
    };
    futures_util::stream::iter(0..messages)
        .map(|n| {
            let publisher = publisher.clone();
            let queue = queue.clone();
            async move {
                let body = serde_json::to_vec(&json!({ "type": "intake_arrived", "n": n, "channel": "sms" }))
                    .unwrap_or_default();
                let properties = BasicProperties::default().with_delivery_mode(2);
                match publisher.basic_publish("", &queue, BasicPublishOptions::default(), &body, properties).await {
                    Ok(confirm) => {
                        let _ = confirm.await;
                    }
                    Err(e) => tracing::warn!(error = %e, "floor publish failed"),
                }
            }
        })
        .buffer_unordered(concurrency)
        .collect::<Vec<()>>()
        .await;
    tokio::time::timeout(Duration::from_secs(120), consume).await.context("the floor's consumer did not finish")??;
    let rate = messages as f64 / started.elapsed().as_secs_f64();
    // Close the consumer's channel before deleting its queue: deleting a
    // queue that still has a consumer makes the broker cancel it, and that
    // cancel crossing lapin's own once failed the whole connection
    // ("unexpected basic cancel-ok").
    consumer_channel.close(200, "floor consumed").await?;
    publisher.queue_delete(&queue, QueueDeleteOptions::default()).await?;
    floor::drop(pool, &table).await?;
    connection.close(200, "floor measured").await?;
    Ok(rate)
}

/// What a whole run measured.
#[derive(Debug, Clone, Default)]
pub struct MixedReport {
    /// The contact floor measured first, contacts per second, when run.
    pub contact_floor: Option<f64>,
    /// The machine's single-hop floor, messages per second.
    pub floor: f64,
    /// What the throughput phase's contacts cost.
    pub cost: Option<Cost>,
    /// The throughput phase.
    pub sustained: Phase,
    /// The half-load phase.
    pub half: Phase,
    /// What the probes saw during it.
    pub half_watched: Watched,
    /// What the router counted during it, where its metrics answered.
    pub half_router: Option<RouterCounts>,
    /// The burst, if run.
    pub burst: Option<Phase>,
}

impl std::fmt::Display for MixedReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = &self.sustained;
        match self.contact_floor {
            Some(rate) => writeln!(f, "contact floor (one durable contact at a time)     {rate:.0} contacts/s")?,
            None => writeln!(f, "contact floor                                     not measured")?,
        }
        writeln!(f, "single-hop floor (publish+confirm, consume, 1 commit)  {:.0} msg/s", self.floor)?;
        writeln!(
            f,
            "sustained throughput                              {:.0} contacts/s ({} accepted, {} owned, {} failed)",
            s.throughput, s.accepted, s.owned, s.failed
        )?;
        if let Some(rate) = self.contact_floor.filter(|r| *r > 0.0) {
            writeln!(f, "ratio to the contact floor                        {:.2} (target 0.75)", s.throughput / rate)?;
        }
        writeln!(
            f,
            "ratio to the single-hop floor                     {:.3}",
            if self.floor > 0.0 { s.throughput / self.floor } else { 0.0 }
        )?;
        if let Some(cost) = &self.cost {
            let per = |n: i64| n as f64 / cost.contacts.max(1) as f64;
            writeln!(
                f,
                "CPU per contact                                   {}",
                cost.cpu.per(cost.contacts.max(1) as u64)
            )?;
            match cost.statements {
                Some(statements) => writeln!(
                    f,
                    "PostgreSQL per contact                            {:.1} transactions, {:.1} statements",
                    per(cost.transactions),
                    per(statements)
                )?,
                None => writeln!(
                    f,
                    "PostgreSQL per contact                            {:.1} transactions (statements: the server \
                     does not load pg_stat_statements)",
                    per(cost.transactions)
                )?,
            }
            if !cost.costliest.is_empty() {
                writeln!(f, "PostgreSQL's costliest statements, per contact (calls, ms of execution):")?;
                for st in &cost.costliest {
                    let query: String = st.query.chars().take(110).collect();
                    writeln!(
                        f,
                        "  {:>5.2} {:>6.3} ms  {query}",
                        per(st.calls),
                        st.total_ms / cost.contacts.max(1) as f64
                    )?;
                }
            }
        }
        let h = &self.half;
        write!(
            f,
            "at half load, intake to named owner               p50 {:.1} ms   p99 {:.1} ms ({} owned of {})",
            h.p50_ms, h.p99_ms, h.owned, h.accepted
        )?;
        if h.calls > 0 {
            write!(
                f,
                "\nat half load, a call's TwiML                      p50 {:.1} ms   p99 {:.1} ms ({} calls, {} named the owner at once)",
                h.call_p50_ms, h.call_p99_ms, h.calls, h.calls_dialled
            )?;
        }
        self.write_stalls(f)?;
        if let Some(b) = &self.burst {
            write!(
                f,
                "\nburst                                             sent in {:.1} s ({:.0}/s), {} accepted, {} owned, {} lost; drained {:.1} s after the last send; p99 {:.0} ms",
                b.send_seconds,
                if b.send_seconds > 0.0 { (b.accepted + b.failed) as f64 / b.send_seconds } else { 0.0 },
                b.accepted,
                b.owned,
                b.accepted as i64 - b.owned,
                b.drain_seconds,
                b.p99_ms
            )?;
        }
        Ok(())
    }
}

impl MixedReport {
    /// What the probes saw at half load, and beside it the slowest contacts.
    fn write_stalls(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let w = &self.half_watched;
        let s = w.summary();
        write!(
            f,
            "\nat half load, probes every 20 ms beside it        durable commit p99 {:.1} ms (longest {:.1}), \
             confirmed publish p99 {:.1} ms (longest {:.1}), {} failed; CPU stolen by the hypervisor {:.0} ms \
             (at most {:.0} ms in any 100 ms)",
            s.commits.1, s.commits.2, s.publishes.1, s.publishes.2, w.failed, s.stolen_ms.0, s.stolen_ms.1
        )?;
        if let Some(r) = self.half_router {
            write!(
                f,
                "\n{:<50}{} filings waited for a responder another held ({:.0} ms on average); {} groups rolled \
                 back ({} contacts filed again alone)",
                "at half load, the router",
                r.responder_waits,
                r.responder_wait_seconds * 1000.0 / r.responder_waits.max(1) as f64,
                r.groups_rolled_back,
                r.filings_refiled
            )?;
        }
        let over = format!("over {TAIL_TARGET_MS:.0} ms");
        if self.half.slowest.is_empty() {
            return write!(f, "\n{:<50}none", format!("at half load, contacts {over}"));
        }
        for (i, slow) in self.half.slowest.iter().enumerate() {
            let took = (slow.filed_at - slow.received_at).num_microseconds().unwrap_or(0) as f64 / 1000.0;
            let m = w.during(slow.received_at, slow.filed_at);
            let label = if i == 0 { format!("at half load, the slowest contacts {over}") } else { String::new() };
            write!(
                f,
                "\n{label:<50}{took:.1} ms ({}, stored {}): meanwhile the longest commit {:.1} ms, publish {:.1} ms, \
                 {:.0} ms stolen",
                slow.channel,
                slow.received_at.format("%H:%M:%S%.3f"),
                m.commit_ms,
                m.publish_ms,
                m.stolen_ms
            )?;
        }
        Ok(())
    }
}

/// What a phase's contacts cost the machine and PostgreSQL.
#[derive(Debug, Clone, Default)]
pub struct Cost {
    /// Contacts owned in the phase.
    pub contacts: i64,
    /// CPU used during it.
    pub cpu: Cpu,
    /// Transactions in Batline's database (the benchmark's few polls too).
    pub transactions: i64,
    /// Statements, where `pg_stat_statements` counts them.
    pub statements: Option<i64>,
    /// The statements PostgreSQL spent the most time on (in the phase, as
    /// the counts were emptied just before it), where it counts them.
    pub costliest: Vec<db_work::StatementWork>,
}

/// How many of the costliest statements the report lists.
const COSTLIEST: i64 = 12;

impl Cost {
    /// What the work so far stands at; statements only where `counted`.
    async fn sample(pool: &sqlx::PgPool, counted: bool) -> anyhow::Result<(Cpu, i64, Option<i64>)> {
        let statements = if counted { Some(db_work::statements(pool).await?) } else { None };
        Ok((Cpu::sample(), db_work::transactions(pool).await?, statements))
    }
}

/// PostgreSQL's backends report their counts about once a second.
const STATS_SETTLE: Duration = Duration::from_millis(1500);

/// Runs every phase; the end-to-end tests call this with small numbers.
pub async fn drive(
    config: &Config,
    pool: &sqlx::PgPool,
    target_urls: (&str, &str),
    args: &MixedBenchArgs,
) -> anyhow::Result<MixedReport> {
    let (phone, _) = ResidentPhone::for_config(config);
    let http = reqwest::Client::new();
    let (gateway, console) = target_urls;
    let signed_in: serde_json::Value = http
        .post(format!("{console}/api/v1/sessions"))
        .json(&json!({ "username": args.desk, "password": args.desk_password }))
        .send()
        .await?
        .error_for_status()
        .with_context(|| format!("signing in as the desk account {:?}", args.desk))?
        .json()
        .await?;
    let desk_token = signed_in["token"].as_str().context("no session token")?.to_owned();
    let target = Target {
        phone,
        public_url: config.public_url.to_string(),
        gateway: gateway.to_owned(),
        console: console.to_owned(),
        desk_token,
        http,
        mix: parse_mix(&args.mix)?,
    };
    let floor = floor(config, pool, args.floor_messages, args.concurrency).await?;
    if db_work::autovacuum_off(pool).await? {
        println!("PostgreSQL runs without autovacuum here: Batline's tables are not analysed during the run");
    }
    let statements_counted = db_work::start_counting_statements(pool).await?;
    tokio::time::sleep(STATS_SETTLE).await;
    let (cpu, transactions, statements) = Cost::sample(pool, statements_counted).await?;
    let sustained = phase(pool, &target, args.contacts, (0.0, args.concurrency), args).await?;
    tokio::time::sleep(STATS_SETTLE).await;
    let (cpu_after, transactions_after, statements_after) = Cost::sample(pool, statements_counted).await?;
    let cost = Cost {
        contacts: sustained.owned,
        cpu: cpu.until(&cpu_after),
        transactions: transactions_after - transactions,
        statements: statements.zip(statements_after).map(|(a, b)| b - a),
        costliest: if statements_counted { db_work::costliest_statements(pool, COSTLIEST).await? } else { vec![] },
    };
    let half_rate = (sustained.throughput / 2.0).max(1.0);
    let half_count = ((half_rate * args.half_seconds as f64) as usize).max(1);
    let router_metrics = [config.router_metrics_addr, config.gateway_ops_addr];
    let router_before = router_counts::read(&target.http, &router_metrics).await;
    let watch = StallWatch::start(config, pool).await?;
    let half = phase(pool, &target, half_count, (half_rate, args.concurrency), args).await;
    let half_watched = watch.stop().await?;
    let half = half?;
    let router_after = router_counts::read(&target.http, &router_metrics).await;
    let half_router = router_before.zip(router_after).map(|(before, after)| before.until(&after));
    let burst = if args.burst_rate > 0 {
        let count = args.burst_rate as usize * args.burst_seconds as usize;
        Some(phase(pool, &target, count, (f64::from(args.burst_rate), args.burst_concurrency), args).await?)
    } else {
        None
    };
    Ok(MixedReport { contact_floor: None, floor, cost: Some(cost), sustained, half, half_watched, half_router, burst })
}

/// `batline-bench mixed` as a command.
pub async fn run(config: Config, args: MixedBenchArgs) -> anyhow::Result<()> {
    let pool = services::database(&config).await?;
    let gateway = args.gateway.clone().unwrap_or_else(|| format!("http://{}", config.gateway_addr));
    let console = args.console.clone().unwrap_or_else(|| format!("http://{}", config.console_addr));
    println!("batline-bench mixed: mix {} (SMS, voice, chat, walk-in) to {gateway} and {console}", args.mix);
    if args.responders > 0 {
        let city = crate::city::grow(&pool, args.responders).await?;
        println!(
            "city: {} responders, the added ones on duty across {} districts and {} topics",
            city.responders, city.districts, city.topics
        );
    }
    let contact_floor = contact_floor(&args).await?;
    let mut report = drive(&config, &pool, (&gateway, &console), &args).await?;
    report.contact_floor = contact_floor;
    println!("{report}");
    Ok(())
}

/// Runs the contact floor with as many contacts and posters as Batline
/// gets; its contacts per second, or `None` (said why) when it is not built.
async fn contact_floor(args: &MixedBenchArgs) -> anyhow::Result<Option<f64>> {
    let program = args.contact_floor.clone().unwrap_or_else(|| {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/contact-floor/target/release/contact-floor")
    });
    if !program.exists() {
        println!(
            "contact floor: not measured, {} is not built (cd ../shared/contact-floor && cargo build --release)",
            program.display()
        );
        return Ok(None);
    }
    println!("contact floor: running {} contact {} {}", program.display(), args.contacts, args.concurrency);
    let out = tokio::process::Command::new(&program)
        .arg("contact")
        .arg(args.contacts.to_string())
        .arg(args.concurrency.to_string())
        .output()
        .await
        .with_context(|| format!("running {}", program.display()))?;
    anyhow::ensure!(
        out.status.success(),
        "the contact floor failed: {}",
        String::from_utf8_lossy(&out.stderr).lines().last().unwrap_or_default()
    );
    let said = String::from_utf8_lossy(&out.stdout);
    for line in said.lines().filter(|l| l.starts_with("background") || l.starts_with("WARNING")) {
        println!("contact floor: {line}");
    }
    let rate = said
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find(|v| v["mode"] == "contact")
        .and_then(|v| v["per_second"].as_f64())
        .context("the contact floor printed no rate")?;
    Ok(Some(rate))
}
