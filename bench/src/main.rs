//! `batline-bench`: measures a running Batline, or one it builds in a scratch
//! database, and prints the figures. `batline-bench --help` lists the
//! benchmarks; the book's benchmarks chapter records what they measured.

use batline_bench::{accuracy, chat, dashboard, mixed, routing, sms, voice};
use batline_core::Config;
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "batline-bench", version, about = "Batline's benchmarks: figures printed, never asserted.")]
#[command(after_help = "Reads the same environment as `batline` (DATABASE_URL, AMQP_URL, BATLINE_GATEWAY_ADDR, ...).")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Drive a running Batline with signed SMS webhooks and report throughput
    /// and intake-to-named-owner latency.
    Sms(sms::BenchArgs),
    /// Measure the routing engine in a scratch database: decision latency
    /// with many responders and open cases, and assignments per second with
    /// one and three routers.
    Routing(routing::RoutingBenchArgs),
    /// Ring a running Batline with many signed voice webhooks at once and
    /// report webhook-to-TwiML latency.
    Voice(voice::VoiceBenchArgs),
    /// Load a year of cases (a million by default) into a scratch database
    /// and time every query of the mayor's dashboard.
    Dashboard(dashboard::DashboardBenchArgs),
    /// Hold many idle chat sockets on a gateway of its own (a `batline
    /// gateway` child process, scratch database and namespace) and report the
    /// gateway's memory per socket and the reply-to-socket latency under that
    /// load. Every socket is an open file in this process and in the gateway:
    /// raise the limit first if needed (`ulimit -n 11000` for 10 000 sockets).
    Chat(chat::ChatBenchArgs),
    /// Mixed SMS, voice, chat and walk-in load against a running Batline, set
    /// against this machine's floor (raw RabbitMQ publish-confirm-consume
    /// plus one PostgreSQL commit per message): sustained throughput,
    /// intake-to-owner latency at half of it, and an optional burst.
    Mixed(mixed::MixedBenchArgs),
    /// Score the topic classifier on the labelled resident messages in
    /// `bench/data/` (tuning and held-out sets apart): accuracy per
    /// language, precision and recall per topic, the share left
    /// unclassified and the confident wrong answers. Needs no running
    /// Batline and no database.
    Accuracy(accuracy::AccuracyArgs),
}

#[tokio::main]
async fn main() {
    batline_core::telemetry::init();
    if let Err(e) = run(Cli::parse()).await {
        eprintln!("batline-bench: {e:#}");
        std::process::exit(1);
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let command = match cli.command {
        // Reads only files shipped with the crate and Helsinki's built-in
        // map: no configuration, no database.
        Command::Accuracy(args) => return accuracy::run_with_helsinki(&args),
        other => other,
    };
    let config = Config::from_env()?;
    match command {
        Command::Sms(args) => sms::run(config, args).await,
        Command::Routing(args) => routing::run(config, args).await,
        Command::Voice(args) => voice::run(config, args).await,
        Command::Dashboard(args) => dashboard::run(config, args).await,
        Command::Chat(args) => chat::run(config, args).await,
        Command::Mixed(args) => mixed::run(config, args).await,
        Command::Accuracy(args) => accuracy::run_with_helsinki(&args),
    }
}
