//! `batline-bench chat`: how cheap an idle chat socket is and how fast a
//! reply reaches a socket while many are held.
//!
//! It builds its own system in a scratch database and bus namespace (both
//! removed afterwards): a gateway as a separate child process (`batline
//! gateway`), so its memory is the gateway's alone, and a router and a
//! console in this process. Then it opens `--sockets` idle chat sockets
//! (each says hello and waits), reads the gateway's resident set size from
//! `/proc/<pid>/status` before and after to get the memory per socket, and
//! with all of them still open times `--replies` replies, each from the
//! console API (`POST /api/v1/cases/{id}/replies`) to the moment its frame
//! arrives on the resident's socket.
//!
//! Every socket is a file descriptor in both processes: the bench checks
//! the open-file limit first and says how to raise it (`ulimit -n`).

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use anyhow::{Context, bail, ensure};
use batline_core::{
    Config, bus, db,
    domain::{DutyStatus, Language, Role},
    password,
    store::{self, responders::NewResponder},
};
use futures_util::{SinkExt, StreamExt, stream};
use serde_json::{Value, json};
use sqlx::PgPool;
use tokio::{net::TcpStream, process::Command};
use tokio_tungstenite::{
    MaybeTlsStream, WebSocketStream, connect_async_with_config,
    tungstenite::{Message, client::IntoClientRequest, http::HeaderValue, protocol::WebSocketConfig},
};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use batline::services;

use crate::percentile;

/// The password of the bench's responders.
const PASSWORD: &str = "bench-chat-password";
/// Sockets opened at once.
const OPEN_CONCURRENCY: usize = 100;
/// The targets the issue sets.
const TARGET_BYTES_PER_SOCKET: f64 = 20.0 * 1024.0;
const TARGET_P99_MS: f64 = 50.0;

/// `batline-bench chat` options.
#[derive(Debug, Clone, clap::Args)]
pub struct ChatBenchArgs {
    /// Idle chat sockets to hold open on the gateway.
    #[arg(long, default_value_t = 10_000)]
    pub sockets: usize,
    /// Replies to time while they are held.
    #[arg(long, default_value_t = 500)]
    pub replies: usize,
    /// Conversations the replies go to: one reply in flight per
    /// conversation, so this many replies are under way at once.
    #[arg(long, default_value_t = 4)]
    pub conversations: usize,
}

/// Where to drive: a gateway and a console sharing `pool`.
pub struct Target<'a> {
    /// The gateway's base URL.
    pub gateway: String,
    /// The console's base URL.
    pub console: String,
    /// The database, to find case ids by tracking code.
    pub pool: &'a PgPool,
    /// Responders the cases may go to, all with `password`.
    pub responders: Vec<String>,
    /// Their password.
    pub password: String,
    /// The gateway's process id for its memory; `None` measures this process.
    pub gateway_pid: Option<u32>,
}

/// What a run measured.
#[derive(Debug, Clone)]
pub struct ChatBenchReport {
    /// Idle sockets held.
    pub sockets: usize,
    /// Whose memory: the gateway alone, or this whole process.
    pub measured: &'static str,
    /// Resident set before opening them, bytes.
    pub rss_before: u64,
    /// With them open.
    pub rss_after: u64,
    /// Replies timed.
    pub replies: usize,
    /// Reply-to-socket latencies, sorted.
    pub latencies: Vec<Duration>,
    /// How long the console API took to answer each reply, sorted.
    pub api_latencies: Vec<Duration>,
    /// From the reply's row being written in PostgreSQL (its `at`) to its
    /// frame on the socket, sorted: commit, outbox, RabbitMQ and gateway.
    pub delivery_latencies: Vec<Duration>,
}

impl ChatBenchReport {
    /// Memory growth per idle socket, bytes.
    pub fn bytes_per_socket(&self) -> f64 {
        self.rss_after.saturating_sub(self.rss_before) as f64 / self.sockets.max(1) as f64
    }
}

impl std::fmt::Display for ChatBenchReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let per = self.bytes_per_socket();
        let p99 = percentile(&self.latencies, 0.99);
        writeln!(f, "idle sockets held      {}", self.sockets)?;
        writeln!(
            f,
            "resident memory        {:.1} MiB before, {:.1} MiB with them open ({})",
            self.rss_before as f64 / 1048576.0,
            self.rss_after as f64 / 1048576.0,
            self.measured
        )?;
        writeln!(
            f,
            "memory per idle socket {:.1} KiB (target under {:.0} KiB: {})",
            per / 1024.0,
            TARGET_BYTES_PER_SOCKET / 1024.0,
            if per < TARGET_BYTES_PER_SOCKET { "met" } else { "MISSED" }
        )?;
        writeln!(
            f,
            "reply to socket        {} replies: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms (target p99 under {:.0} ms: {})",
            self.replies,
            percentile(&self.latencies, 0.5),
            p99,
            self.latencies.last().map_or(0.0, |d| d.as_secs_f64() * 1000.0),
            TARGET_P99_MS,
            if p99 < TARGET_P99_MS { "met" } else { "MISSED" }
        )?;
        writeln!(
            f,
            "  console API answered p50 {:.1} ms, p99 {:.1} ms (the reply request itself)",
            percentile(&self.api_latencies, 0.5),
            percentile(&self.api_latencies, 0.99)
        )?;
        writeln!(
            f,
            "  row to socket        p50 {:.1} ms, p99 {:.1} ms (from the reply's insert in PostgreSQL: commit, outbox, RabbitMQ, gateway)",
            percentile(&self.delivery_latencies, 0.5),
            percentile(&self.delivery_latencies, 0.99)
        )
    }
}

pub(crate) type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Runs the benchmark in a scratch system and prints the report.
pub async fn run(config: Config, args: ChatBenchArgs) -> anyhow::Result<()> {
    ensure!(args.sockets > 0 && args.conversations > 0, "--sockets and --conversations must be at least 1");
    check_open_files(args.sockets + args.conversations)?;
    let id = Uuid::new_v4().simple().to_string();
    let mut url = url::Url::parse(&config.database_url)?;
    url.set_path(&format!("/batline_bench_chat_{id}"));
    let database_url = url.to_string();
    let namespace = format!("bench_chat_{id}");
    println!(
        "batline-bench chat: {} idle sockets, {} replies over {} conversations (scratch database and namespace {namespace})",
        args.sockets, args.replies, args.conversations
    );
    let shutdown = CancellationToken::new();
    let outcome = scratch_run(&config, &database_url, &namespace, &args, &shutdown).await;
    shutdown.cancel();
    tokio::time::sleep(Duration::from_millis(200)).await;
    if let Err(e) = db::drop_database(&database_url).await {
        eprintln!("could not drop the scratch database: {e}");
    }
    if let Err(e) = bus::delete_namespace(&config.amqp_url, &namespace).await {
        eprintln!("could not delete the scratch namespace: {e}");
    }
    let report = outcome?;
    print!("{report}");
    Ok(())
}

async fn scratch_run(
    config: &Config,
    database_url: &str,
    namespace: &str,
    args: &ChatBenchArgs,
    shutdown: &CancellationToken,
) -> anyhow::Result<ChatBenchReport> {
    let pool = db::connect_and_migrate(database_url, 10).await?;
    let responders = seed(&pool, args.conversations).await?;

    let (gateway_addr, gateway_ops_addr) = (free_port().await?, free_port().await?);
    let mut child = Command::new(batline_executable()?)
        .arg("gateway")
        .env("DATABASE_URL", database_url)
        .env("AMQP_URL", &config.amqp_url)
        .env("BATLINE_BUS_NAMESPACE", namespace)
        .env("BATLINE_GATEWAY_ADDR", gateway_addr.to_string())
        .env("BATLINE_GATEWAY_OPS_ADDR", gateway_ops_addr.to_string())
        .env("BATLINE_PUBLIC_URL", format!("http://{gateway_addr}"))
        .env("BATLINE_CHAT_CONNECTIONS_PER_ADDRESS", (args.sockets + args.conversations + 16).to_string())
        .env("BATLINE_CHAT_PER_MINUTE", "1000")
        // Every conversation is a new chat from this one address.
        .env("BATLINE_CHAT_NEW_PER_HOUR", "1000000")
        .env("BATLINE_CHAT_NEW_BURST", "1000000")
        .env("BATLINE_CHAT_NEW_ALARM_PER_MINUTE", "1000000")
        // Chat sends no SMS; the account only has to be well-formed.
        .env("TWILIO_ACCOUNT_SID", "ACbenchchat")
        .env("TWILIO_AUTH_TOKEN", "bench-chat")
        .env("TWILIO_FROM_NUMBER", "+358931000000")
        .env("TWILIO_API_BASE", "http://127.0.0.1:9")
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .context("starting `batline gateway`")?;
    let pid = child.id().context("the gateway process has no id")?;

    let config = Arc::new(config.clone());
    let mut local = (*config).clone();
    local.database_url = database_url.to_owned();
    local.bus_namespace = namespace.to_owned();
    let local = Arc::new(local);
    let bus = bus::Bus::start(&local.amqp_url, namespace, shutdown.clone());
    bus.wait_connected(Duration::from_secs(15)).await?;
    services::router(local.clone(), pool.clone(), bus.clone(), shutdown.clone()).await?;
    let console_listeners = services::Listeners {
        public: tokio::net::TcpListener::bind("127.0.0.1:0").await?,
        ops: tokio::net::TcpListener::bind("127.0.0.1:0").await?,
    };
    let console = format!("http://{}", console_listeners.public.local_addr()?);
    services::console(local, pool.clone(), bus, console_listeners, shutdown.clone())?;

    let gateway = format!("http://{gateway_addr}");
    wait_ready(&format!("http://{gateway_ops_addr}"), &mut child).await?;
    let target =
        Target { gateway, console, pool: &pool, responders, password: PASSWORD.to_owned(), gateway_pid: Some(pid) };
    let report = drive(&target, args).await;
    let _ = child.kill().await;
    pool.close().await;
    report
}

/// Two on-duty responders and a backstop, with room for every conversation.
async fn seed(pool: &PgPool, conversations: usize) -> anyhow::Result<Vec<String>> {
    let hash = password::hash(PASSWORD)?;
    let capacity = i32::try_from(conversations + 10).unwrap_or(i32::MAX);
    for (username, name, duty, backstop, role) in [
        ("aino", "Aino", DutyStatus::OnDuty, false, Role::Responder),
        ("mikko", "Mikko", DutyStatus::OnDuty, false, Role::Responder),
        ("backstop", "Pormestari", DutyStatus::Off, true, Role::Mayor),
    ] {
        let new = NewResponder {
            username: username.into(),
            display_name: name.into(),
            password_hash: hash.clone(),
            phone: None,
            languages: vec![Language::Fi, Language::Sv, Language::En],
            areas: vec!["Kallio".into()],
            topics: Vec::new(),
            capacity,
            duty_status: duty,
            is_backstop: backstop,
            role,
        };
        store::responders::insert(pool, &new).await?;
    }
    Ok(vec!["aino".into(), "mikko".into()])
}

/// Opens the idle sockets, measures memory, then times replies; the
/// sockets are closed when it returns.
pub async fn drive(target: &Target<'_>, args: &ChatBenchArgs) -> anyhow::Result<ChatBenchReport> {
    // Warm the gateway up (first connections allocate lazily) before the baseline.
    let mut warm = Vec::new();
    for _ in 0..4 {
        warm.push(open_idle(&target.gateway).await?);
    }
    drop(warm);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss_before = rss(target.gateway_pid)?;

    let started = Instant::now();
    let idle: Vec<Socket> = stream::iter(0..args.sockets)
        .map(|_| open_idle(&target.gateway))
        .buffer_unordered(OPEN_CONCURRENCY)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<anyhow::Result<_>>()?;
    println!("opened {} idle sockets in {:.1} s", idle.len(), started.elapsed().as_secs_f64());
    // Each idle socket is read by a task of its own so pings are answered.
    let holders: Vec<_> = idle.into_iter().map(|s| tokio::spawn(hold(s))).collect();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let rss_after = rss(target.gateway_pid)?;

    let (latencies, api_latencies, delivery_latencies) = time_replies(target, args).await?;
    for holder in &holders {
        holder.abort();
    }
    Ok(ChatBenchReport {
        sockets: args.sockets,
        measured: if target.gateway_pid.is_some() { "the gateway process" } else { "this whole process" },
        rss_before,
        rss_after,
        replies: latencies.len(),
        latencies,
        api_latencies,
        delivery_latencies,
    })
}

pub(crate) async fn connect(gateway: &str) -> anyhow::Result<Socket> {
    let mut request = format!("{}/chat/ws", gateway.replacen("http", "ws", 1)).into_client_request()?;
    request.headers_mut().insert("origin", HeaderValue::from_str(gateway)?);
    // This side's buffers small too, for when the bench shares a process with the gateway.
    let config = WebSocketConfig::default().read_buffer_size(4096).write_buffer_size(0);
    let (ws, _) = connect_async_with_config(request, Some(config), false).await?;
    Ok(ws)
}

pub(crate) async fn send(ws: &mut Socket, frame: Value) -> anyhow::Result<()> {
    ws.send(Message::Text(frame.to_string().into())).await?;
    Ok(())
}

/// The next frame of `kind` (others skipped) within ten seconds.
pub(crate) async fn expect(ws: &mut Socket, kind: &str) -> anyhow::Result<Value> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let message = tokio::time::timeout_at(deadline, ws.next())
            .await
            .with_context(|| format!("no {kind} frame within 10 s"))?
            .context("the socket closed")??;
        if let Message::Text(text) = message {
            let frame: Value = serde_json::from_str(text.as_str())?;
            if frame["type"] == kind {
                return Ok(frame);
            }
            if frame["type"] == "error" {
                bail!("the gateway refused: {frame}");
            }
        }
    }
}

async fn open_idle(gateway: &str) -> anyhow::Result<Socket> {
    let mut ws = connect(gateway).await?;
    send(&mut ws, json!({ "type": "hello", "lang": "fi" })).await?;
    expect(&mut ws, "welcome").await?;
    Ok(ws)
}

async fn hold(mut ws: Socket) {
    while let Some(Ok(_)) = ws.next().await {}
}

/// One conversation per socket; each times its share of replies one at a time.
type Timings = (Vec<Duration>, Vec<Duration>, Vec<Duration>);

async fn time_replies(target: &Target<'_>, args: &ChatBenchArgs) -> anyhow::Result<Timings> {
    let http = reqwest::Client::new();
    let mut tokens = std::collections::HashMap::new();
    for username in &target.responders {
        let r = http
            .post(format!("{}/api/v1/sessions", target.console))
            .json(&json!({ "username": username, "password": target.password }))
            .send()
            .await?;
        ensure!(r.status() == 201, "signing in {username} answered {}", r.status());
        let body: Value = r.json().await?;
        tokens.insert(
            body["responder"]["id"].as_str().unwrap_or_default().to_owned(),
            body["token"].as_str().unwrap_or_default().to_owned(),
        );
    }

    let mut conversations = Vec::new();
    for i in 0..args.conversations {
        let mut ws = open_idle(&target.gateway).await?;
        send(&mut ws, json!({ "type": "message", "client_id": format!("c{i}"), "body": format!("Asia numero {i}") }))
            .await?;
        let case = expect(&mut ws, "case").await?;
        let code = case["code"].as_str().context("a case frame without a code")?.to_owned();
        let (case_id, owner_id): (Uuid, Uuid) =
            sqlx::query_as("SELECT id, owner_id FROM cases WHERE tracking_code = $1")
                .bind(&code)
                .fetch_one(target.pool)
                .await?;
        let token =
            tokens.get(&owner_id.to_string()).with_context(|| format!("case {code} went to an unknown owner"))?.clone();
        conversations.push((ws, case_id, token));
    }

    let per = args.replies.div_ceil(args.conversations);
    let mut total = args.replies;
    let mut tasks = Vec::new();
    for (ws, case_id, token) in conversations {
        let count = per.min(total);
        total -= count;
        let (http, console) = (http.clone(), target.console.clone());
        tasks.push(tokio::spawn(async move { time_conversation(ws, http, console, case_id, token, count).await }));
    }
    let (mut latencies, mut api, mut delivery) = (Vec::new(), Vec::new(), Vec::new());
    for task in tasks {
        for (total, answered, delivered) in task.await?? {
            latencies.push(total);
            api.push(answered);
            delivery.push(delivered);
        }
    }
    latencies.sort();
    api.sort();
    delivery.sort();
    Ok((latencies, api, delivery))
}

async fn time_conversation(
    mut ws: Socket,
    http: reqwest::Client,
    console: String,
    case_id: Uuid,
    token: String,
    count: usize,
) -> anyhow::Result<Vec<(Duration, Duration, Duration)>> {
    let mut latencies = Vec::with_capacity(count);
    for n in 0..count {
        let body = format!("vastaus {n} {}", Uuid::new_v4().simple());
        let sent = Instant::now();
        let r = http
            .post(format!("{console}/api/v1/cases/{case_id}/replies"))
            .bearer_auth(&token)
            .json(&json!({ "body": body }))
            .send()
            .await?;
        ensure!(r.status() == 201, "reply answered {}", r.status());
        let answered = sent.elapsed();
        loop {
            let frame = expect(&mut ws, "message").await?;
            if frame["body"] == body.as_str() {
                let arrived = chrono::Utc::now();
                let written: chrono::DateTime<chrono::Utc> =
                    frame["at"].as_str().context("a message without `at`")?.parse()?;
                let delivered = (arrived - written).to_std().unwrap_or_default();
                latencies.push((sent.elapsed(), answered, delivered));
                break;
            }
        }
    }
    Ok(latencies)
}

/// Resident set size of `pid` (this process when `None`), bytes.
fn rss(pid: Option<u32>) -> anyhow::Result<u64> {
    let path = match pid {
        Some(pid) => format!("/proc/{pid}/status"),
        None => "/proc/self/status".to_owned(),
    };
    let status = std::fs::read_to_string(&path).with_context(|| format!("reading {path} (Linux only)"))?;
    let kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .context("no VmRSS line")?;
    Ok(kb * 1024)
}

/// Fails with the remedy when the open-file limit cannot hold `sockets`.
fn check_open_files(sockets: usize) -> anyhow::Result<()> {
    let Ok(limits) = std::fs::read_to_string("/proc/self/limits") else {
        return Ok(());
    };
    let soft: Option<usize> = limits
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .and_then(|l| l.split_whitespace().nth(3))
        .and_then(|v| v.parse().ok());
    let needed = sockets + 256;
    if let Some(soft) = soft
        && soft < needed
    {
        bail!(
            "the open-file limit is {soft}, and {sockets} sockets need about {needed} in this process and in the \
             gateway; raise it first, e.g. `ulimit -n {needed}` (up to the hard limit, `ulimit -Hn`)"
        );
    }
    Ok(())
}

async fn free_port() -> anyhow::Result<std::net::SocketAddr> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    Ok(listener.local_addr()?)
}

/// Waits until the gateway's operations listener, `ops`, says it is ready.
async fn wait_ready(ops: &str, child: &mut tokio::process::Child) -> anyhow::Result<()> {
    let http = reqwest::Client::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(r) = http.get(format!("{ops}/readyz")).send().await
            && r.status().is_success()
        {
            return Ok(());
        }
        if let Some(status) = child.try_wait()? {
            bail!("the gateway exited with {status} before it was ready");
        }
        ensure!(tokio::time::Instant::now() < deadline, "the gateway was not ready within 30 s");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The `batline` program built beside this one (`cargo build --release -p
/// batline -p batline-bench` builds both into the same folder): the gateway
/// under measurement runs as a process of its own, as it is deployed, so its
/// memory is its own. `BATLINE_EXECUTABLE` names another one.
fn batline_executable() -> anyhow::Result<std::path::PathBuf> {
    if let Some(path) = std::env::var_os("BATLINE_EXECUTABLE") {
        return Ok(path.into());
    }
    let bench = std::env::current_exe().context("finding the batline-bench executable")?;
    let beside = bench.with_file_name(format!("batline{}", std::env::consts::EXE_SUFFIX));
    ensure!(
        beside.is_file(),
        "the chat benchmark runs the gateway as `batline gateway` and found no {}: build it with \
         `cargo build --release -p batline -p batline-bench`, or set BATLINE_EXECUTABLE",
        beside.display()
    );
    Ok(beside)
}
