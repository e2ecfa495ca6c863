//! `batline-bench voice`: rings a running Batline with many calls at once,
//! each a correctly signed Twilio voice webhook from its own number, and
//! measures what Twilio cares about: the time from the webhook to the TwiML
//! answer (Twilio gives up after 15 s; Batline aims for under 2 s at p99).
//! Each answer is classified: ringing the owner (`<Dial>`), the call-back
//! promise (`<Record>`, for an owner without a phone), or a hold with a
//! `<Redirect>` (routing slower than `BATLINE_VOICE_WAIT_MS`).

use std::time::{Duration, Instant};

use batline_core::Config;
use clap::Args;
use futures_util::StreamExt;
use rand::Rng;

use batline_test_kit::twilio_sandbox::{InboundCall, ResidentPhone, new_sid};

/// Options of `batline-bench voice`.
#[derive(Debug, Clone, Args)]
pub struct VoiceBenchArgs {
    /// Calls to place.
    #[arg(long, default_value_t = 500)]
    pub calls: usize,
    /// Calls ringing at once.
    #[arg(long, default_value_t = 50)]
    pub concurrency: usize,
    /// Where the gateway listens (default: http:// + BATLINE_GATEWAY_ADDR).
    #[arg(long)]
    pub gateway: Option<String>,
}

/// What a run measured.
#[derive(Debug, Clone, Default)]
pub struct VoiceReport {
    /// Answers that ring the owner.
    pub dialled: usize,
    /// Answers that promise a call-back straight away.
    pub call_back: usize,
    /// Answers that hold the caller and come back.
    pub held: usize,
    /// Non-200 answers, unreadable TwiML, or no answer.
    pub failed: usize,
    /// Wall time of the run.
    pub seconds: f64,
    /// Webhook-to-TwiML p50, ms.
    pub p50_ms: f64,
    /// Webhook-to-TwiML p99, ms.
    pub p99_ms: f64,
    /// Slowest answer, ms.
    pub max_ms: f64,
}

impl std::fmt::Display for VoiceReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let total = self.dialled + self.call_back + self.held + self.failed;
        writeln!(f, "calls answered         {} of {total} in {:.2} s", total - self.failed, self.seconds)?;
        writeln!(f, "  ringing the owner    {}", self.dialled)?;
        writeln!(f, "  call-back promised   {}", self.call_back)?;
        writeln!(f, "  held for routing     {}", self.held)?;
        writeln!(f, "  failed               {}", self.failed)?;
        write!(
            f,
            "webhook to TwiML       p50 {:.1} ms   p99 {:.1} ms   max {:.1} ms",
            self.p50_ms, self.p99_ms, self.max_ms
        )
    }
}

/// `batline-bench voice` as a command.
pub async fn run(config: Config, args: VoiceBenchArgs) -> anyhow::Result<()> {
    let (phone, _) = ResidentPhone::for_config(&config);
    let gateway = args.gateway.clone().unwrap_or_else(|| format!("http://{}", config.gateway_addr));
    println!("batline-bench voice: {} signed voice webhooks to {gateway}, {} at once", args.calls, args.concurrency);
    let report = drive(&phone, &gateway, config.public_url.as_str(), &args).await?;
    println!("{report}");
    Ok(())
}

enum Answer {
    Dial,
    CallBack,
    Hold,
}

/// Places the calls and gathers the figures; the end-to-end tests call
/// this with a small count.
pub async fn drive(
    phone: &ResidentPhone,
    gateway: &str,
    public_url: &str,
    args: &VoiceBenchArgs,
) -> anyhow::Result<VoiceReport> {
    let run: u32 = rand::thread_rng().gen_range(100_000..1_000_000);
    let started = Instant::now();
    let results: Vec<Option<(Answer, Duration)>> = futures_util::stream::iter(0..args.calls)
        .map(|i| {
            let from = format!("+3587{run}{i:06}");
            let sid = new_sid("CA");
            async move {
                let inbound = InboundCall { call_sid: &sid, from: &from, to: "+358931000000" };
                let t = Instant::now();
                let response = match phone.call(gateway, public_url, &inbound).await {
                    Ok(r) if r.status().is_success() => r,
                    Ok(r) => {
                        tracing::warn!(status = %r.status(), "voice webhook refused");
                        return None;
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "voice webhook failed");
                        return None;
                    }
                };
                let twiml = response.text().await.ok()?;
                let took = t.elapsed();
                let answer = if twiml.contains("<Dial") {
                    Answer::Dial
                } else if twiml.contains("<Record") {
                    Answer::CallBack
                } else if twiml.contains("<Redirect") {
                    Answer::Hold
                } else {
                    tracing::warn!(%twiml, "unexpected TwiML");
                    return None;
                };
                Some((answer, took))
            }
        })
        .buffer_unordered(args.concurrency.max(1))
        .collect()
        .await;
    let mut report = VoiceReport { seconds: started.elapsed().as_secs_f64(), ..VoiceReport::default() };
    let mut times = Vec::new();
    for result in results {
        match result {
            Some((answer, took)) => {
                times.push(took);
                match answer {
                    Answer::Dial => report.dialled += 1,
                    Answer::CallBack => report.call_back += 1,
                    Answer::Hold => report.held += 1,
                }
            }
            None => report.failed += 1,
        }
    }
    times.sort_unstable();
    report.p50_ms = crate::percentile(&times, 0.50);
    report.p99_ms = crate::percentile(&times, 0.99);
    report.max_ms = times.last().map_or(f64::NAN, |t| t.as_secs_f64() * 1000.0);
    Ok(report)
}
