//! `batline-bench sms`: drives a running Batline through its real front door,
//! signed Twilio SMS webhooks, at a chosen rate and concurrency, then reads
//! from PostgreSQL how long each contact took from receipt to a named owner.
//! Every message comes from its own number, so each opens a new case and
//! goes through assignment.

use std::time::{Duration, Instant};

use batline_core::{Config, store};
use clap::Args;
use futures_util::StreamExt;
use rand::Rng;

use batline::services;
use batline_test_kit::twilio_sandbox::{InboundSms, ResidentPhone, new_sid};

use crate::percentile;

/// Options of `batline-bench sms`.
#[derive(Debug, Clone, Args)]
pub struct BenchArgs {
    /// Messages to send.
    #[arg(long, default_value_t = 2000)]
    pub count: usize,
    /// Messages per second; 0 sends as fast as the concurrency allows.
    #[arg(long, default_value_t = 0)]
    pub rate: u32,
    /// Webhooks in flight at once.
    #[arg(long, default_value_t = 32)]
    pub concurrency: usize,
    /// Where the gateway listens (default: http:// + BATLINE_GATEWAY_ADDR).
    #[arg(long)]
    pub gateway: Option<String>,
    /// How long to wait for the last contacts to get an owner.
    #[arg(long, default_value_t = 120)]
    pub drain_seconds: u64,
}

/// What a run measured.
#[derive(Debug, Clone)]
pub struct Report {
    /// Webhooks answered 200.
    pub accepted: usize,
    /// Webhooks answered otherwise or not at all.
    pub failed: usize,
    /// Wall time of sending.
    pub send_seconds: f64,
    /// Webhook round-trip p50 and p99, ms.
    pub webhook_p50_ms: f64,
    /// Webhook round-trip p99, ms.
    pub webhook_p99_ms: f64,
    /// Contacts that reached a named owner.
    pub owned: i64,
    /// Receipt-to-owner p50, ms.
    pub owner_p50_ms: f64,
    /// Receipt-to-owner p99, ms.
    pub owner_p99_ms: f64,
    /// Contacts owned per second, first receipt to last filing.
    pub throughput: f64,
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "webhooks accepted      {} (failed {}) in {:.2} s", self.accepted, self.failed, self.send_seconds)?;
        writeln!(f, "webhook round trip     p50 {:.1} ms   p99 {:.1} ms", self.webhook_p50_ms, self.webhook_p99_ms)?;
        writeln!(f, "reached a named owner  {}", self.owned)?;
        writeln!(f, "intake to named owner  p50 {:.1} ms   p99 {:.1} ms", self.owner_p50_ms, self.owner_p99_ms)?;
        write!(f, "sustained throughput   {:.0} contacts/s", self.throughput)
    }
}

/// `batline-bench sms` as a command.
pub async fn run(config: Config, args: BenchArgs) -> anyhow::Result<()> {
    let (phone, _) = ResidentPhone::for_config(&config);
    let pool = services::database(&config).await?;
    let gateway = args.gateway.clone().unwrap_or_else(|| format!("http://{}", config.gateway_addr));
    println!(
        "batline-bench sms: {} signed SMS webhooks to {gateway}, concurrency {}, rate {}",
        args.count,
        args.concurrency,
        if args.rate == 0 { "unlimited".to_owned() } else { format!("{}/s", args.rate) }
    );
    let report = drive(&pool, &phone, &gateway, config.public_url.as_str(), &args).await?;
    println!("{report}");
    Ok(())
}

/// Sends the load and gathers the figures; the end-to-end tests call this
/// with a small count.
pub async fn drive(
    pool: &sqlx::PgPool,
    phone: &ResidentPhone,
    gateway: &str,
    public_url: &str,
    args: &BenchArgs,
) -> anyhow::Result<Report> {
    // Numbers unique to this run, so the figures count only its contacts.
    let run: u32 = rand::thread_rng().gen_range(100_000..1_000_000);
    let prefix = format!("+3589{run}");
    let since = store::intake::db_now(pool).await?;
    let interval = (args.rate > 0).then(|| Duration::from_secs_f64(1.0 / f64::from(args.rate)));
    let started = Instant::now();

    let results: Vec<Option<Duration>> = futures_util::stream::iter(0..args.count)
        .map(|i| {
            let from = format!("{prefix}{i:06}");
            let sid = new_sid("SM");
            async move {
                if let Some(interval) = interval {
                    tokio::time::sleep_until((started + interval.mul_f64(i as f64)).into()).await;
                }
                let inbound =
                    InboundSms { message_sid: &sid, from: &from, to: "+358931000000", body: "Katuvalo on rikki" };
                let t = Instant::now();
                match phone.text(gateway, public_url, &inbound).await {
                    Ok(r) if r.status().is_success() => Some(t.elapsed()),
                    Ok(r) => {
                        tracing::warn!(status = %r.status(), "webhook refused");
                        None
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "webhook failed");
                        None
                    }
                }
            }
        })
        .buffer_unordered(args.concurrency.max(1))
        .collect()
        .await;
    let send_seconds = started.elapsed().as_secs_f64();
    let mut round_trips: Vec<Duration> = results.iter().flatten().copied().collect();
    round_trips.sort_unstable();
    let accepted = round_trips.len();

    let deadline = Instant::now() + Duration::from_secs(args.drain_seconds);
    let latency = loop {
        let latency = store::intake::owner_latency(pool, since, &prefix, None).await?;
        if latency.filed as usize >= accepted || Instant::now() > deadline {
            break latency;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let window = match (latency.first_received, latency.last_filed) {
        (Some(a), Some(b)) => (b - a).num_microseconds().unwrap_or(0) as f64 / 1e6,
        _ => 0.0,
    };
    Ok(Report {
        accepted,
        failed: args.count - accepted,
        send_seconds,
        webhook_p50_ms: percentile(&round_trips, 0.50),
        webhook_p99_ms: percentile(&round_trips, 0.99),
        owned: latency.filed,
        owner_p50_ms: latency.p50_ms.unwrap_or(f64::NAN),
        owner_p99_ms: latency.p99_ms.unwrap_or(f64::NAN),
        throughput: if window > 0.0 { latency.filed as f64 / window } else { 0.0 },
    })
}
